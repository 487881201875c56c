"""Feed polling against local servers: kinds of feeds, failures, 304s, history, limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select

from govinspect.checks.facts_new_media import load_account_facts
from govinspect.checks.new_media import check_accounts, local_day
from govinspect.crawler import feeds
from govinspect.crawler.feeds import (
    entry_guid,
    parse_feed,
    parse_feed_date,
    poll_feeds,
    retry_after_seconds,
)
from govinspect.crawler.feeds import parse as feed_parse
from govinspect.crawler.feeds import store as feed_store
from govinspect.errors import UnknownUnitError
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import FeedPoll, FeedPost, Run

NOW = datetime.now(UTC)
TODAY = local_day(NOW)


# --------------------------------------------------------------------------------------------
# a small threaded feed server
# --------------------------------------------------------------------------------------------
@dataclass
class Route:
    body: bytes = b""
    content_type: str = "application/rss+xml; charset=utf-8"
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    delay: float = 0.0
    fail_first: int = 0  # answer the first N requests with fail_status
    fail_status: int = 503
    retry_after: str | None = None
    hits: int = 0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    status: int
    at: float


@dataclass
class FeedServer:
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    active: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def statuses(self, path: str) -> list[int]:
        return [s.status for s in self.seen if s.path == path]


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            route = server.routes.get(self.path)
            with server.lock:
                server.active += 1
                server.peak = max(server.peak, server.active)
                if route:
                    route.hits += 1
                hit = route.hits if route else 0
            try:
                if route and route.delay:
                    time.sleep(route.delay)
                status, headers, body = self._response(route, hit)
            finally:
                # Counted until the answer starts: the client cannot free its slot earlier.
                with server.lock:
                    server.active -= 1
            server.seen.append(Seen(self.path, dict(self.headers), status, time.monotonic()))
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (timeout test)

        def _response(self, route: Route | None, hit: int) -> tuple[int, dict[str, str], bytes]:
            if route is None:
                return 404, {"Content-Type": "text/html"}, b"<html>not found</html>"
            if hit <= route.fail_first:
                headers = {"Retry-After": route.retry_after} if route.retry_after else {}
                return route.fail_status, headers, b"busy"
            headers = {"Content-Type": route.content_type}
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            etag_hit = route.etag and self.headers.get("If-None-Match") == route.etag
            lm_hit = route.last_modified and (
                self.headers.get("If-Modified-Since") == route.last_modified
            )
            if route.status == 200 and (etag_hit or lm_hit):
                return 304, headers, b""
            return route.status, headers, route.body

    return Handler


@pytest.fixture
def server() -> Iterator[FeedServer]:
    state = FeedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


# --------------------------------------------------------------------------------------------
# feed bodies
# --------------------------------------------------------------------------------------------
def rss(items: list[tuple[str, datetime | str | None]], channel: str = "示范县发布") -> bytes:
    """RSS 2.0; a date is a datetime (written as RFC 822) or raw text."""
    parts = []
    for title, when in items:
        text = format_datetime(when) if isinstance(when, datetime) else when
        date_tag = f"<pubDate>{text}</pubDate>" if text else ""
        parts.append(
            f"<item><title>{title}</title><link>http://example.gov.cn/{title}.html</link>"
            f"<guid>urn:post:{title}</guid>{date_tag}</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{channel}</title><link>http://example.gov.cn/</link>{''.join(parts)}"
        "</channel></rss>"
    ).encode()


def atom(items: list[tuple[str, datetime]]) -> bytes:
    entries = "".join(
        f"<entry><title>{title}</title><id>tag:example,2026:{title}</id>"
        f'<link href="http://example.gov.cn/{title}"/><updated>{when.isoformat()}</updated>'
        "</entry>"
        for title, when in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>教育</title><id>tag:example,2026:feed</id><updated>{NOW.isoformat()}</updated>"
        f"{entries}</feed>"
    ).encode()


def bare_ampersand(body: bytes) -> bytes:
    """Make a feed malformed (not well-formed XML) in its first item's title."""
    return body.replace(b"</title><link>", b" & more</title><link>", 1)


def ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


# --------------------------------------------------------------------------------------------
# fixtures: store, registry, settings
# --------------------------------------------------------------------------------------------
@pytest.fixture
def store(tmp_path):
    s = open_store(f"sqlite:///{tmp_path}/g.db")
    yield s
    s.dispose()


@pytest.fixture
def any_store(db_url):
    """SQLite and PostgreSQL (skipped when the server is absent): the insert is per dialect."""
    s = open_store(db_url)
    yield s
    s.dispose()


def registry_for(
    server: FeedServer, paths: dict[str, str], unit: str = "town", extra_units: int = 0
) -> Any:
    units = [
        {
            "id": unit,
            "name": "示范县人民政府",
            "category": "county",
            "website": "http://www.example.gov.cn/",
            "new_media": [
                {"name": name, "platform": "wechat", "feed": server.url(path)}
                for name, path in paths.items()
            ],
        }
    ]
    for n in range(extra_units):
        units.append(
            {
                "id": f"other{n}",
                "name": f"其他{n}",
                "category": "department",
                "website": f"http://d{n}.example.gov.cn/",
            }
        )
    return parse_registry({"units": units})


def make_settings(**overrides: Any):
    values = {"feed_timeout": 2.0, "retry_times": 0, "feed_concurrency_per_host": 4}
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch):
    monkeypatch.setitem(feeds.FEED_RULES, "backoff_base", 0.01)


def polls_by_account(store) -> dict[str, list[FeedPoll]]:
    from govinspect.store.models import Account

    with store.session() as session:
        names = {a.id: a.name for a in session.scalars(select(Account))}
        out: dict[str, list[FeedPoll]] = {}
        for poll in session.scalars(select(FeedPoll).order_by(FeedPoll.id)):
            out.setdefault(names[poll.account_id], []).append(poll)
        return out


def post_titles(store) -> set[str]:
    with store.session() as session:
        return {p.title for p in session.scalars(select(FeedPost))}


# --------------------------------------------------------------------------------------------
# pure parts
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wed, 01 May 2024 20:00:00 GMT", datetime(2024, 5, 1, 20, 0, tzinfo=UTC)),
        ("Wed, 01 May 2024 20:00:00 +0800", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        # Java prints CST for Asia/Shanghai; feedparser would read it as US Central time.
        ("Wed, 01 May 2024 20:00:00 CST", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        # No zone: the Chinese server's local time.
        ("Wed, 01 May 2024 20:00:00", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        ("2024-05-01 20:00:00", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        ("2024-05-01T20:00:00+08:00", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        # feedparser reads these two as 2024-11-01.
        ("2024/05/01 20:00:00", datetime(2024, 5, 1, 12, 0, tzinfo=UTC)),
        ("2024年5月1日", datetime(2024, 4, 30, 16, 0, tzinfo=UTC)),
        ("Thu, 01 Jan 1970 00:00:00 GMT", None),
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_feed_date(raw, expected):
    assert parse_feed_date(raw) == expected


def test_parse_feed_date_falls_back_to_feedparser_struct():
    struct = time.struct_time((2024, 5, 1, 3, 0, 0, 2, 122, 0))
    assert parse_feed_date("mercredi 1 mai", struct) == datetime(2024, 5, 1, 3, tzinfo=UTC)


def test_entry_guid_fallbacks():
    stamp = datetime(2024, 5, 1, tzinfo=UTC)
    assert entry_guid("urn:1", "http://a/1", "t", stamp) == "urn:1"
    assert entry_guid(None, "http://a/1", "t", stamp) == "http://a/1"
    hashed = entry_guid(None, None, "标题", stamp)
    assert hashed.startswith("sha256:") and hashed == entry_guid("  ", "", "标题", stamp)
    assert hashed != entry_guid(None, None, "标题", stamp + timedelta(days=1))
    assert entry_guid(None, None, None, None) is None
    assert len(entry_guid("x" * 5000, None, None, None)) < 100


def test_parse_feed_kinds():
    fresh = parse_feed(rss([("a", ago(1)), ("b", None)]), "application/rss+xml")
    assert fresh.error is None and fresh.bozo is None
    assert [e.guid for e in fresh.entries] == ["urn:post:a", "urn:post:b"]
    assert fresh.entries[1].published_at is None

    html = parse_feed(
        b"<html><head><title>RSSHub</title></head><body>Error</body></html>",
        "text/html; charset=utf-8",
    )
    assert html.entries == [] and html.error.startswith("not a feed (text/html)")

    assert parse_feed(b"  \n", "application/rss+xml").error == "empty body"

    malformed = parse_feed(
        bare_ampersand(rss([("a", ago(1)), ("b", ago(2))])), "application/rss+xml"
    )
    assert malformed.error is None and malformed.bozo and len(malformed.entries) == 2

    truncated = parse_feed(rss([("a", ago(1))])[:120], "application/rss+xml")
    assert truncated.entries == [] and truncated.error

    empty = parse_feed(rss([]), "application/rss+xml")
    assert empty.error is None and empty.entries == []


def test_parse_feed_dedupes_and_resolves_relative_links():
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b"<item><title>a</title><link>/art/1.html</link></item>"
        b"<item><title>a</title><link>/art/1.html</link></item>"
        b"</channel></rss>"
    )
    parsed = parse_feed(body, "application/rss+xml", "http://rss.example/feed")
    assert [e.url for e in parsed.entries] == ["http://rss.example/art/1.html"]


def test_retry_after_seconds():
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Wed, 01 May 2024 12:00:30 GMT", now) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


# --------------------------------------------------------------------------------------------
# polling
# --------------------------------------------------------------------------------------------
def test_poll_records_every_kind_of_feed(server, any_store):
    server.routes = {
        "/fresh.xml": Route(rss([("新闻一", ago(1)), ("新闻二", ago(3)), ("无日期", None)])),
        "/stale.atom": Route(
            atom([("旧文一", ago(20)), ("旧文二", ago(30))]), content_type="application/atom+xml"
        ),
        "/bozo.xml": Route(bare_ampersand(rss([("甲", ago(2)), ("乙", ago(4))]))),
        "/page.html": Route(
            b"<html><head><title>Welcome</title></head><body>hi</body></html>",
            content_type="text/html",
        ),
        "/slow.xml": Route(rss([("慢", ago(1))]), delay=3.0),
    }
    names = {
        "发布": "/fresh.xml",
        "教育": "/stale.atom",
        "缺失": "/missing.xml",
        "微博": "/bozo.xml",
        "网页": "/page.html",
        "慢号": "/slow.xml",
    }
    registry = registry_for(server, names)
    summary = poll_feeds(any_store, registry, None, make_settings(feed_timeout=0.5))

    assert (summary.accounts, summary.ok, summary.not_modified, summary.errors) == (6, 3, 0, 3)
    assert summary.new_posts == 3 + 2 + 2
    polls = {name: rows[0] for name, rows in polls_by_account(any_store).items()}
    assert polls["发布"].ok and polls["发布"].entries == 3 and polls["发布"].bozo is None
    assert polls["教育"].ok and polls["教育"].entries == 2
    assert not polls["缺失"].ok and polls["缺失"].status == 404
    assert polls["缺失"].error == "HTTP 404 Not Found"
    assert polls["微博"].ok and polls["微博"].bozo and polls["微博"].entries == 2
    assert not polls["网页"].ok and polls["网页"].error.startswith("not a feed (text/html)")
    assert not polls["慢号"].ok and polls["慢号"].error == "timeout after 0.5 s"

    with any_store.session() as session:
        undated = session.scalars(select(FeedPost).where(FeedPost.title == "无日期")).one()
        assert undated.published_at is None
        dated = session.scalars(select(FeedPost).where(FeedPost.title == "新闻一")).one()
        stored = dated.published_at
        stored = stored if stored.tzinfo else stored.replace(tzinfo=UTC)  # SQLite: naive UTC
        assert abs(stored - ago(1).replace(microsecond=0)) < timedelta(seconds=1)
        run = session.get(Run, summary.run_id)
        assert run.kind == "feeds" and run.status == "complete" and run.unit_id == "town"
        assert run.summary["errors"] == 3 and run.finished_at is not None

    facts = load_account_facts(any_store, "town", TODAY)
    results = {r.name: r for r in check_accounts(facts, TODAY)}
    assert results["发布"].state == "ok" and results["发布"].last_post == local_day(ago(1))
    assert results["教育"].stale and results["教育"].last_post == local_day(ago(20))
    assert results["教育"].findings[0].rule == "new_media_stale"
    for name, error in (("缺失", "HTTP 404"), ("网页", "not a feed"), ("慢号", "timeout")):
        assert not results[name].stale and results[name].state == "unknown"
        assert error in results[name].error
        assert results[name].findings[0].rule == "new_media_unknown"
    assert results["微博"].state == "ok" and results["微博"].undated_posts == 0

    rows = {row["name"]: row for row in summary.rows()}
    assert rows["缺失"]["outcome"] == "error" and rows["发布"]["new_posts"] == 3


def test_second_poll_is_answered_by_304_without_parsing(server, any_store, monkeypatch):
    modified = format_datetime(ago(1), usegmt=True)
    server.routes = {
        "/etag.xml": Route(rss([("一", ago(1))]), etag='"v1"'),
        "/lm.xml": Route(rss([("二", ago(2))]), last_modified=modified),
    }
    registry = registry_for(server, {"甲": "/etag.xml", "乙": "/lm.xml"})
    first = poll_feeds(any_store, registry, None, make_settings())
    assert first.ok == 2 and first.new_posts == 2

    calls = []
    real_parse = feed_parse.feedparser.parse
    monkeypatch.setattr(
        feed_parse.feedparser, "parse", lambda *a, **k: calls.append(1) or real_parse(*a, **k)
    )
    second = poll_feeds(any_store, registry, None, make_settings())

    assert (second.ok, second.not_modified, second.errors, second.new_posts) == (0, 2, 0, 0)
    assert calls == []
    assert server.statuses("/etag.xml") == [200, 304]
    assert server.statuses("/lm.xml") == [200, 304]
    assert server.seen[-1].headers.get("If-None-Match") or server.seen[-1].headers.get(
        "If-Modified-Since"
    )
    polls = polls_by_account(any_store)
    latest = polls["甲"][-1]
    assert latest.ok and latest.not_modified and latest.status == 304
    assert latest.etag == '"v1"' and latest.entries == 1
    assert polls["乙"][-1].last_modified == modified

    # The 304 keeps the validators: a third poll is conditional again.
    poll_feeds(any_store, registry, None, make_settings())
    assert server.statuses("/etag.xml") == [200, 304, 304]


def test_failed_poll_does_not_lose_validators(server, store):
    server.routes = {"/f.xml": Route(rss([("一", ago(1))]), etag='"v1"')}
    registry = registry_for(server, {"甲": "/f.xml"})
    poll_feeds(store, registry, None, make_settings())
    server.routes["/f.xml"].fail_first = 10**6  # now always 503
    assert poll_feeds(store, registry, None, make_settings()).errors == 1
    server.routes["/f.xml"].fail_first = 0
    assert poll_feeds(store, registry, None, make_settings()).not_modified == 1
    assert server.seen[-1].headers.get("If-None-Match") == '"v1"'


def test_history_is_the_union_of_polls(server, any_store):
    server.routes = {"/w.xml": Route(rss([("B", ago(2)), ("A", ago(5))]))}
    registry = registry_for(server, {"甲": "/w.xml"})
    poll_feeds(any_store, registry, None, make_settings())
    server.routes["/w.xml"].body = rss([("C", ago(1)), ("B", ago(2))])  # A left the window
    summary = poll_feeds(any_store, registry, None, make_settings())

    assert summary.new_posts == 1
    assert post_titles(any_store) == {"A", "B", "C"}
    with any_store.session() as session:
        assert len(session.scalars(select(FeedPost)).all()) == 3  # B stored once
    result = check_accounts(load_account_facts(any_store, "town", TODAY), TODAY)[0]
    assert result.posts_last_7_days == 3  # A still counts


def test_feed_without_validators_stores_each_post_once(server, store):
    server.routes = {"/n.xml": Route(rss([("一", ago(1)), ("二", None)]))}
    registry = registry_for(server, {"甲": "/n.xml"})
    for _ in range(3):
        poll_feeds(store, registry, None, make_settings())
    assert server.statuses("/n.xml") == [200, 200, 200]
    with store.session() as session:
        assert len(session.scalars(select(FeedPost)).all()) == 2


def test_a_date_given_later_fills_an_undated_post(server, any_store):
    server.routes = {"/d.xml": Route(rss([("一", None)]))}
    registry = registry_for(server, {"甲": "/d.xml"})
    poll_feeds(any_store, registry, None, make_settings())
    # A zoneless local time, as Chinese servers write it: 20:00 in Shanghai is 12:00 UTC.
    server.routes["/d.xml"].body = rss([("一", "2026-05-01 20:00:00")])
    poll_feeds(any_store, registry, None, make_settings())
    with any_store.session() as session:
        stored = session.scalars(select(FeedPost)).one().published_at
    stored = stored if stored.tzinfo else stored.replace(tzinfo=UTC)  # SQLite: naive UTC
    assert stored == datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def test_transient_failures_are_retried(server, store):
    server.routes = {"/r.xml": Route(rss([("一", ago(1))]), fail_first=2, fail_status=503)}
    registry = registry_for(server, {"甲": "/r.xml"})
    summary = poll_feeds(store, registry, None, make_settings(retry_times=2))
    assert summary.ok == 1
    assert server.statuses("/r.xml") == [503, 503, 200]


def test_retries_give_up_and_record_the_error(server, store):
    server.routes = {"/r.xml": Route(rss([]), fail_first=10, fail_status=502)}
    registry = registry_for(server, {"甲": "/r.xml"})
    summary = poll_feeds(store, registry, None, make_settings(retry_times=1))
    assert summary.errors == 1 and summary.results[0].error == "HTTP 502 Bad Gateway"
    assert server.statuses("/r.xml") == [502, 502]


def test_404_is_not_retried(server, store):
    registry = registry_for(server, {"甲": "/gone.xml"})
    poll_feeds(store, registry, None, make_settings(retry_times=2))
    assert server.statuses("/gone.xml") == [404]


def test_429_honours_retry_after(server, store):
    server.routes = {
        "/t.xml": Route(rss([("一", ago(1))]), fail_first=1, fail_status=429, retry_after="1")
    }
    registry = registry_for(server, {"甲": "/t.xml"})
    summary = poll_feeds(store, registry, None, make_settings(retry_times=2))
    assert summary.ok == 1
    first, second = [s for s in server.seen if s.path == "/t.xml"]
    assert first.status == 429 and second.status == 200
    assert second.at - first.at >= 0.9


def test_too_long_retry_after_ends_the_account_poll(server, store):
    server.routes = {"/t.xml": Route(rss([]), fail_first=5, fail_status=429, retry_after="3600")}
    registry = registry_for(server, {"甲": "/t.xml"})
    summary = poll_feeds(store, registry, None, make_settings(retry_times=2))
    assert summary.errors == 1 and "Retry-After 3600" in summary.results[0].error
    assert server.statuses("/t.xml") == [429]


def test_body_over_the_cap_is_an_error(server, store):
    items = [(f"第{n}条" + "长" * 50, ago(1)) for n in range(40)]
    server.routes = {"/big.xml": Route(rss(items))}
    registry = registry_for(server, {"甲": "/big.xml"})
    summary = poll_feeds(store, registry, None, make_settings(max_response_bytes=1024))
    assert summary.errors == 1 and summary.results[0].error == "body larger than 1024 bytes"


def test_connection_refused_is_an_error(store):
    registry = parse_registry(
        {
            "units": [
                {
                    "id": "town",
                    "name": "县",
                    "category": "county",
                    "website": "http://www.example.gov.cn/",
                    "new_media": [
                        {"name": "甲", "platform": "weibo", "feed": "http://127.0.0.1:9/feed"}
                    ],
                }
            ]
        }
    )
    summary = poll_feeds(store, registry, None, make_settings())
    assert summary.errors == 1 and summary.results[0].error.startswith("connection error")


def test_per_host_limit_holds_for_many_accounts(server, store):
    server.routes = {f"/f{n}.xml": Route(rss([(f"p{n}", ago(1))]), delay=0.15) for n in range(30)}
    registry = registry_for(server, {f"账号{n}": f"/f{n}.xml" for n in range(30)})
    summary = poll_feeds(store, registry, None, make_settings(feed_concurrency_per_host=3))
    assert summary.ok == 30 and summary.errors == 0
    assert server.peak == 3  # never more than the limit, and the limit is used


def test_global_limit_caps_concurrency(server, store):
    server.routes = {f"/f{n}.xml": Route(rss([(f"p{n}", ago(1))]), delay=0.1) for n in range(8)}
    registry = registry_for(server, {f"账号{n}": f"/f{n}.xml" for n in range(8)})
    settings = make_settings(feed_concurrency_per_host=8, concurrency_total=2)
    assert poll_feeds(store, registry, None, settings).ok == 8
    assert server.peak == 2


def test_unit_selection_and_unknown_unit(server, store):
    server.routes = {"/a.xml": Route(rss([("一", ago(1))]))}
    registry = registry_for(server, {"甲": "/a.xml"}, extra_units=1)
    summary = poll_feeds(store, registry, ["other0"], make_settings())
    assert summary.accounts == 0 and server.seen == []
    with pytest.raises(UnknownUnitError):
        poll_feeds(store, registry, ["nope"], make_settings())
    with store.session() as session:
        runs = session.scalars(select(Run)).all()
        assert [(r.unit_id, r.status) for r in runs] == [("other0", "complete")]


def test_inactive_accounts_are_not_polled(server, store):
    server.routes = {"/a.xml": Route(rss([("一", ago(1))])), "/b.xml": Route(rss([]))}
    poll_feeds(store, registry_for(server, {"甲": "/a.xml", "乙": "/b.xml"}), None, make_settings())
    summary = poll_feeds(store, registry_for(server, {"甲": "/a.xml"}), None, make_settings())
    assert [r.name for r in summary.results] == ["甲"]


def test_poll_runs_in_a_scheduler_thread(server, store):
    server.routes = {"/a.xml": Route(rss([("一", ago(1))]))}
    registry = registry_for(server, {"甲": "/a.xml"})
    out: dict[str, Any] = {}

    def job() -> None:
        out["first"] = poll_feeds(store, registry, None, make_settings())
        out["second"] = poll_feeds(store, registry, None, make_settings())

    thread = threading.Thread(target=job)
    thread.start()
    thread.join(timeout=30)
    assert out["first"].ok == 1 and out["second"].ok == 1


def test_a_crashing_parse_fails_only_that_account(server, store, monkeypatch):
    server.routes = {"/a.xml": Route(rss([("一", ago(1))])), "/b.xml": Route(rss([("二", ago(1))]))}
    registry = registry_for(server, {"甲": "/a.xml", "乙": "/b.xml"})
    real = feed_parse.parse_feed

    def fragile(body: bytes, content_type: str | None, url: str):
        if url.endswith("/b.xml"):
            raise RecursionError("maximum recursion depth exceeded")
        return real(body, content_type, url)

    monkeypatch.setattr(feed_parse, "parse_feed", fragile)
    summary = poll_feeds(store, registry, None, make_settings())
    outcomes = {r.name: (r.outcome, r.error) for r in summary.results}
    assert outcomes["甲"] == ("ok", None)
    assert outcomes["乙"][0] == "error" and "RecursionError" in outcomes["乙"][1]


def test_store_failure_marks_the_run_failed(server, store, monkeypatch):
    server.routes = {"/a.xml": Route(rss([("一", ago(1))]))}
    registry = registry_for(server, {"甲": "/a.xml"})

    def boom(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(feed_store, "store_results", boom)
    with pytest.raises(RuntimeError):
        poll_feeds(store, registry, None, make_settings())
    with store.session() as session:
        run = session.scalars(select(Run)).one()
        assert run.status == "failed" and "disk full" in run.error


def test_dates_are_shanghai_days(server, store):
    # 2026-05-01 17:30 UTC is 2026-05-02 01:30 in Shanghai.
    late = datetime(2026, 5, 1, 17, 30, tzinfo=UTC)
    server.routes = {
        "/cst.xml": Route(rss([("一", "Sat, 02 May 2026 01:30:00 CST")])),
        "/utc.xml": Route(rss([("二", late)])),
    }
    registry = registry_for(server, {"甲": "/cst.xml", "乙": "/utc.xml"})
    poll_feeds(store, registry, None, make_settings())
    facts = load_account_facts(store, "town", date(2026, 5, 2))
    for account in facts:
        assert account.posts[0].published_at == late
        assert local_day(account.posts[0].published_at) == date(2026, 5, 2)


def test_demo_town_feeds_match_the_truth(store):
    """Acceptance on the demo town's feeds host: fresh, stale, 404 and malformed feeds."""
    from govinspect.demo import truth
    from govinspect.demo.model import build_town
    from govinspect.demo.server import DemoServer

    town = build_town()
    with DemoServer(town) as demo:
        registry = parse_registry(truth.config(town, demo.urls))
        first = poll_feeds(store, registry, None, make_settings())
        second = poll_feeds(store, registry, None, make_settings())
        expected = truth.feeds_truth(town, demo.urls)
    assert first.errors == second.errors == 1
    assert second.not_modified == len(expected) - 1 and second.new_posts == 0
    # An account is its platform and name: the demo's 示范县教育 is on WeChat and on Weibo.
    results = {
        (r.platform, r.name): r
        for unit in registry.units
        for r in check_accounts(load_account_facts(store, unit.id, town.as_of), town.as_of)
    }
    assert len(results) == len(expected)
    for feed in expected:
        got = results[(feed["platform"], feed["name"])].export()
        assert got["last_post"] == feed["last_post"], feed["name"]
        assert got["stale"] is feed["stale"], feed["name"]
        if feed["error"] == "http_404":
            assert "HTTP 404" in got["error"]
        else:
            assert got["error"] is None, feed["name"]
