"""Conditional re-crawls (crawler/httpcache.py): 304s for unchanged pages, never a masked fault."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from govinspect.crawler.launch import run_crawl
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.archive import REVISIT_NOT_MODIFIED, read_capture, read_record
from govinspect.store.db import open_store
from govinspect.store.models import Link, LinkCheck, Page
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html

TIMEOUT = 1.5


class Site:
    """Pages with ETags whose content the test changes between crawls."""

    def __init__(self) -> None:
        self.version = 1
        self.conditional: Counter[str] = Counter()
        self.not_modified: Counter[str] = Counter()

    def validated(self, path: str, body_for_version) -> object:
        def route(method: str, handler) -> tuple:
            if handler.headers.get("If-None-Match"):
                self.conditional[path] += 1
            status, headers, body = body_for_version(self.version)
            if status != 200:
                return status, headers, body
            etag = f'"{path}-{hash(body) & 0xFFFFFFFF:x}"'
            if handler.headers.get("If-None-Match") == etag:
                self.not_modified[path] += 1
                return 304, {"ETag": etag}, b""
            return 200, {**headers, "ETag": etag}, body

        return route


_page_v1 = html('<p>搬家前的页面</p><a href="/a-child.html">子页</a>', title="搬家")


def _slow_after_first(version: int) -> tuple:
    if version > 1:
        time.sleep(TIMEOUT + 1)
    return html("<p>慢</p>", title="慢")


def _routes(site: Site) -> dict:
    home = '<a href="/a.html">不变</a><a href="/b.html">会变</a><a href="/c.html">会坏</a>'
    home += '<a href="/plain.html">无校验</a><a href="/doc.pdf">附件</a>'
    home += '<a href="/slow.html">会超时</a><a href="/moved.html">会搬家</a>'
    return {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\n"),
        "/": site.validated("/", lambda v: html(home, title="测试县人民政府")),
        "/a.html": site.validated(
            "/a.html", lambda v: html('<p>不变的页面</p><a href="/a-child.html">子页</a>', "不变")
        ),
        "/a-child.html": html("<p>子页</p>", title="子页"),
        "/b.html": site.validated(
            "/b.html",
            lambda v: html(f'<p>第{v}版</p><a href="/b{v}.html">链接{v}</a>', title=f"第{v}版"),
        ),
        "/b1.html": html("<p>旧</p>", title="旧"),
        "/b2.html": html("<p>新</p>", title="新"),
        "/c.html": site.validated(
            "/c.html",
            lambda v: (
                html("<p>正常</p>", title="正常")
                if v == 1
                else (500, {"Content-Type": "text/html"}, b"error")
            ),
        ),
        "/plain.html": html("<p>没有校验头</p>", title="无校验"),
        # Answers in time once, then too slowly: a timeout, not the stored page.
        "/slow.html": site.validated("/slow.html", lambda v: _slow_after_first(v)),
        # Moves (301) to a URL that serves the same file (same ETag, as nginx would): the
        # moved request must not carry the old URL's validators.
        "/moved.html": site.validated(
            "/moved.html",
            lambda v: _page_v1 if v == 1 else (301, {"Location": "/moved-here.html"}, b""),
        ),
        "/moved-here.html": site.validated("/moved.html", lambda v: _page_v1),
        "/doc.pdf": (200, {"Content-Type": "application/pdf", "ETag": '"pdf"'}, b"%PDF-1.4"),
    }


def _registry(base: str):
    unit = {"id": "u", "name": "测试县", "category": "county", "website": base + "/"}
    return parse_registry({"units": [unit]})


@pytest.fixture(scope="module")
def recrawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("httpcache")
    site = Site()
    with FixtureServer(_routes(site)) as server:
        registry = _registry(server.base)
        settings = load_settings(
            data_dir=tmp / "var", timeout=TIMEOUT, recheck_delay=0.2, retry_times=0
        )
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        first = run_crawl(settings, store, registry.units[0], progress=False)
        site.version = 2
        second = run_crawl(settings, store, registry.units[0], progress=False)
        conditional_second = Counter(site.conditional)
        uncached = load_settings(
            data_dir=tmp / "var",
            timeout=TIMEOUT,
            recheck_delay=0.2,
            retry_times=0,
            http_cache=False,
        )
        third = run_crawl(uncached, store, registry.units[0], progress=False)
        yield {
            "base": server.base,
            "runs": (first.run_id, second.run_id, third.run_id),
            "statuses": (first.status, second.status, third.status),
            "store": store,
            "site": site,
            "conditional_second": conditional_second,
            "data_dir": Path(settings.data_dir).resolve(),
        }
        store.dispose()


def _page(ctx, run: int, path: str) -> Page:
    with ctx["store"].session() as session:
        return session.scalars(
            select(Page).where(Page.run_id == run, Page.url == ctx["base"] + path)
        ).one()


def _check(ctx, run: int, path: str) -> LinkCheck:
    with ctx["store"].session() as session:
        return session.scalars(
            select(LinkCheck).where(
                LinkCheck.run_id == run, LinkCheck.target_url == ctx["base"] + path
            )
        ).one()


def _targets(ctx, run: int, path: str) -> set[str]:
    page = _page(ctx, run, path)
    with ctx["store"].session() as session:
        return set(session.scalars(select(Link.target_url).where(Link.page_id == page.id)))


def test_runs_complete(recrawled):
    assert recrawled["statuses"] == ("complete", "complete", "complete")


def test_unchanged_page_is_revalidated_with_the_same_facts(recrawled):
    first, second, _ = recrawled["runs"]
    assert recrawled["site"].not_modified["/a.html"] >= 1
    assert recrawled["site"].not_modified["/"] >= 1
    old, new = _page(recrawled, first, "/a.html"), _page(recrawled, second, "/a.html")
    assert (new.status, new.title, new.content_hash) == (old.status, old.title, old.content_hash)
    assert _targets(recrawled, second, "/a.html") == _targets(recrawled, first, "/a.html")
    # Its link found on the revalidated page is still verified.
    assert _check(recrawled, second, "/a-child.html").outcome == "ok"


def test_revalidation_is_in_the_evidence(recrawled):
    _, second, _ = recrawled["runs"]
    check = _check(recrawled, second, "/a.html")
    assert check.outcome == "ok"
    assert check.attempts[-1]["status"] == 304 and check.attempts[-1]["revalidated"]
    # What the site sent tonight: a 304, archived as a revisit of the first crawl's capture.
    page = _page(recrawled, second, "/a.html")
    record = read_record(recrawled["data_dir"], page.warc_file, page.warc_offset)
    assert (record.rec_type, record.status, record.payload) == ("revisit", 304, b"")
    with (recrawled["data_dir"] / page.warc_file).open("rb") as fh:
        fh.seek(page.warc_offset)
        warc = next(iter(ArchiveIterator(fh)))
        assert warc.rec_headers.get_header("WARC-Profile") == REVISIT_NOT_MODIFIED
    original = read_capture(recrawled["data_dir"], page.warc_file, page.warc_offset)
    assert original.status == 200 and "不变的页面" in original.payload.decode("utf-8")
    assert original.record_id == record.refers_to


def test_changed_page_is_fetched_again(recrawled):
    first, second, _ = recrawled["runs"]
    assert _page(recrawled, second, "/b.html").title == "第2版"
    assert recrawled["base"] + "/b2.html" in _targets(recrawled, second, "/b.html")
    assert recrawled["base"] + "/b1.html" in _targets(recrawled, first, "/b.html")


def test_a_server_error_is_never_masked_by_the_stored_page(recrawled):
    first, second, _ = recrawled["runs"]
    assert _check(recrawled, first, "/c.html").outcome == "ok"
    broken = _check(recrawled, second, "/c.html")
    assert broken.outcome == "http_error" and broken.status == 500


def test_a_failure_is_never_answered_from_the_cache(recrawled):
    _, second, _ = recrawled["runs"]
    check = _check(recrawled, second, "/slow.html")
    assert check.outcome == "timeout"
    assert not any(a.get("revalidated") for a in check.attempts)


def test_validators_do_not_follow_a_redirect(recrawled):
    _, second, _ = recrawled["runs"]
    page = _page(recrawled, second, "/moved.html")
    assert page.final_url == recrawled["base"] + "/moved-here.html"
    assert page.status == 200 and page.size and page.title == "搬家"
    assert recrawled["base"] + "/a-child.html" in _targets(recrawled, second, "/moved.html")


def test_only_complete_html_answers_with_validators_are_kept(recrawled):
    conditional = recrawled["conditional_second"]
    assert conditional["/a.html"] and conditional["/b.html"] and conditional["/c.html"]
    # No validator, or an attachment whose body was never read: asked for in full.
    assert "/plain.html" not in conditional and "/doc.pdf" not in conditional


def test_cache_off_sends_no_validators(recrawled):
    site = recrawled["site"]
    assert site.conditional == recrawled["conditional_second"]


def test_a_damaged_cache_costs_full_downloads_not_the_crawl(tmp_path):
    site = Site()
    with FixtureServer(_routes(site)) as server:
        registry = parse_registry(
            {
                "units": [
                    {"id": "u", "name": "县", "category": "county", "website": server.base + "/"}
                ]
            }
        )
        settings = load_settings(data_dir=tmp_path, timeout=5.0, recheck_delay=0.2, retry_times=0)
        (tmp_path / "httpcache").mkdir(parents=True)
        (tmp_path / "httpcache" / "u.sqlite").write_bytes(b"not a database" * 100)
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        result = run_crawl(settings, store, registry.units[0], progress=False)
        assert result.status == "complete"
        assert (tmp_path / "httpcache" / "u.sqlite.damaged").exists()
        with store.session() as session:
            assert session.scalar(select(Page.status).where(Page.url == server.base + "/")) == 200
        store.dispose()


def test_an_unusable_cache_directory_costs_full_downloads_not_the_crawl(tmp_path):
    site = Site()
    with FixtureServer(_routes(site)) as server:
        registry = _registry(server.base)
        settings = load_settings(data_dir=tmp_path, timeout=5.0, recheck_delay=0.2, retry_times=0)
        (tmp_path / "httpcache").write_text("a file where the cache directory should be")
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        result = run_crawl(settings, store, registry.units[0], progress=False)
        assert result.status == "complete"
        with store.session() as session:
            assert (
                session.scalar(
                    select(LinkCheck.outcome).where(LinkCheck.target_url == server.base + "/a.html")
                )
                == "ok"
            )
        store.dispose()
