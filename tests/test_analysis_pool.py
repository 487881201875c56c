"""Page analysis in worker processes (crawler/analysis_pool.py): lean workers, and no page lost
when a worker dies or a page cannot be sent to one."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import date

import pytest

from govinspect.crawler import analysis_pool
from govinspect.crawler.analysis_pool import AnalysisPool
from govinspect.crawler.page_analysis import AnalysisContext, analyse_page

URL = "http://127.0.0.1:8932/zwgk/a.html"
BODY = (
    "<html><head><title>通知</title></head><body><p>" + "正文。" * 300 + "</p>"
    '<a href="/b.html">b</a><a href="http://other.example/x">外链</a></body></html>'
).encode()
CONTEXT = AnalysisContext(
    crawl_date=date(2026, 12, 4),
    home="http://127.0.0.1:8932/",
    max_links_per_page=5000,
    scope=("127.0.0.1:8932",),
    content_safety=True,
)


@pytest.fixture
def pool():
    pool = AnalysisPool(1)
    pool.start()
    yield pool
    pool.close()


def _analyse(pool: AnalysisPool, content_type: object = "text/html") -> object:
    return asyncio.run(pool.analyse(URL, URL, BODY, content_type, CONTEXT, False))  # type: ignore[arg-type]


def test_a_worker_gives_the_same_result_as_the_crawl_process(pool):
    assert _analyse(pool) == analyse_page(URL, URL, BODY, "text/html", CONTEXT, False)
    assert pool.fallbacks == 0


def test_workers_import_the_analysis_only(pool):
    assert pool._executor is not None
    modules = pool._executor.submit(analysis_pool._loaded_modules).result(timeout=60)
    assert "govinspect.crawler.page_analysis" in modules
    for heavy in ("scrapy", "twisted", "sqlalchemy", "govinspect.crawler.runner"):
        assert heavy not in modules, heavy


def test_a_dead_worker_costs_no_page(pool, caplog):
    for pid in pool.pids():
        os.kill(pid, signal.SIGKILL)
    assert _analyse(pool) is None  # the spider analyses this page in the crawl process
    assert pool.fallbacks == 1
    assert "analysing in the crawl process" in caplog.text
    # The next page gets a fresh pool.
    assert _analyse(pool) == analyse_page(URL, URL, BODY, "text/html", CONTEXT, False)


def test_a_page_that_cannot_be_sent_costs_no_page(pool):
    assert _analyse(pool, content_type=lambda: "text/html") is None
    assert pool.fallbacks == 1
    assert _analyse(pool) is not None


class _FailingPool:
    async def analyse(self, *args: object) -> None:
        return None  # what AnalysisPool.analyse answers when a worker failed


def test_the_spider_analyses_a_page_itself_when_the_pool_fails(tmp_path):
    from scrapy.http import HtmlResponse, Request

    from govinspect.crawler import outcomes
    from govinspect.crawler.items import PageRecord
    from govinspect.crawler.spider import SiteSpider
    from tests.test_link_targets import _plan

    spider = SiteSpider(_plan(tmp_path))
    spider.pool = _FailingPool()  # type: ignore[assignment]
    spider.baselines["http://127.0.0.1:8932"] = outcomes.Baseline(404, None, None)
    request = Request(URL, meta={"gi": {"kind": "page", "attempts": [], "depth": 1}})
    response = HtmlResponse(URL, body=BODY, headers={"Content-Type": "text/html"}, request=request)

    async def collect() -> list[object]:
        return [item async for item in spider.parse_page_pooled(response)]

    pooled = asyncio.run(collect())
    page = next(item for item in pooled if isinstance(item, PageRecord))
    assert [link.target_url for link in page.links] == [
        "http://127.0.0.1:8932/b.html",
        "http://other.example/x",
    ]
    assert spider.analysis_stats == {"fallbacks": 1, "analysed": 1}


def test_workers_that_cannot_start_leave_every_page_to_the_crawl_process(monkeypatch):
    pool = AnalysisPool(1)

    def refuse() -> None:
        raise OSError("no processes here")

    monkeypatch.setattr(pool, "start", refuse)
    assert _analyse(pool) is None
    assert pool.unavailable
    assert _analyse(pool) is None  # not tried again for every page
