"""One Retry-After parser and one cap (``retry_after_max``) for the crawler and the feed poller.

Before, the crawler's middleware capped a wait at 60 s and then retried anyway, and the feed
poller had a parser of its own with a 30 s cap; now both read ``crawler/retry_after.py`` and the
``retry_after_max`` setting, and neither waits for a longer ask.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.settings import Settings as ScrapySettings
from sqlalchemy import select

from govinspect.crawler.launch import build_plan, run_crawl
from govinspect.crawler.middlewares import RetryAfterMiddleware
from govinspect.crawler.retry_after import exceeds_cap, retry_after_seconds
from govinspect.crawler.runner import scrapy_settings
from govinspect.registry import parse_registry
from govinspect.settings import RETRY_AFTER_MAX, load_settings
from govinspect.store.db import open_store
from govinspect.store.models import LinkCheck
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html
from tests.test_feeds import Route, make_settings, registry_for, rss, server  # noqa: F401


def test_parser_reads_seconds_and_dates_uncapped():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    later = (now + timedelta(seconds=30)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert retry_after_seconds("7") == retry_after_seconds(b"7") == 7.0
    assert retry_after_seconds(" 100000 ") == 100000.0  # the cap is the caller's
    assert retry_after_seconds(later, now) == retry_after_seconds(later.encode(), now) == 30.0
    assert retry_after_seconds("Tue, 01 Jan 2019 00:00:00 GMT", now) == 0.0  # past: no wait
    for unusable in ("soon", "-5", "", None, b""):
        assert retry_after_seconds(unusable) is None


def test_cap():
    assert not exceeds_cap(None, 0)
    assert not exceeds_cap(60.0, 60.0)
    assert exceeds_cap(60.5, 60.0)


def test_the_cap_is_a_setting_that_reaches_the_crawler():
    assert load_settings().retry_after_max == RETRY_AFTER_MAX
    settings = load_settings(retry_after_max=5)
    unit = parse_registry(
        {"units": [{"id": "u", "name": "县", "category": "county", "website": "http://x.cn/"}]}
    ).units[0]
    plan = build_plan(settings, unit, 1, False)
    middleware = RetryAfterMiddleware(scrapy_settings(plan))
    assert middleware.retry_after_max == 5.0
    # Without the setting (a plan of an older version): the one default.
    assert RetryAfterMiddleware(ScrapySettings()).retry_after_max == RETRY_AFTER_MAX


@pytest.fixture
def limited_site():
    routes = {
        "/": html("<a href='/limited.html'>限流</a><a href='/ok.html'>正常</a>", title="首页"),
        "/ok.html": html("ok", title="正常"),
        # Always 429, asking for a wait longer than the test's cap.
        "/limited.html": (429, {"Retry-After": "2"}, b"slow down"),
    }
    with FixtureServer(routes) as site:
        yield site


def test_crawler_does_not_wait_for_more_than_the_cap(tmp_path, limited_site):
    registry = parse_registry(
        {
            "units": [
                {
                    "id": "u",
                    "name": "县",
                    "category": "county",
                    "website": f"{limited_site.base}/",
                }
            ]
        }
    )
    settings = load_settings(
        data_dir=tmp_path / "var",
        timeout=5.0,
        recheck_delay=0.2,
        retry_times=2,
        retry_after_max=1.0,
    )
    store = open_store(settings.database_url)
    try:
        sync_registry(store, registry)
        result = run_crawl(settings, store, registry.units[0], progress=False)
        assert result.status == "complete", result.error
        with store.session() as session:
            row = session.scalars(
                select(LinkCheck).where(
                    LinkCheck.run_id == result.run_id,
                    LinkCheck.target_url == f"{limited_site.base}/limited.html",
                )
            ).one()
    finally:
        store.dispose()
    # Asked for 2 s, allowed 1 s: no retry in either pass (three per pass if it waited).
    assert limited_site.hits[("GET", "/limited.html")] == 2
    assert (row.outcome, row.status) == ("blocked", 429)
    assert not any(attempt.get("retried") for attempt in row.attempts), row.attempts


def test_feed_poller_uses_the_same_cap(tmp_path, server):  # noqa: F811 (the fixture)
    from govinspect.crawler.feeds import poll_feeds

    server.routes = {"/t.xml": Route(rss([]), fail_first=5, fail_status=429, retry_after="2")}
    store = open_store(f"sqlite:///{tmp_path}/g.db")
    try:
        registry = registry_for(server, {"甲": "/t.xml"})
        summary = poll_feeds(store, registry, None, make_settings(retry_times=2, retry_after_max=1))
    finally:
        store.dispose()
    assert summary.errors == 1
    assert (
        summary.results[0].error == "HTTP 429 Too Many Requests (Retry-After 2 s, over the 1 s cap)"
    )
    assert server.statuses("/t.xml") == [429]
