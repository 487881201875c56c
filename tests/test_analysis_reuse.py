"""Re-crawls reuse each unchanged page's stored analysis (crawler/analysis_store.py) and record
the same facts as a fresh analysis: with 304s, on a server without validators, and when the
crawl date moves (crawler/analysis_dates.py)."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request
from sqlalchemy import select

from govinspect.crawler.analysis_store import AnalysisStore
from govinspect.crawler.items import ListPageRecord, PageRecord
from govinspect.crawler.launch import build_plan
from govinspect.crawler.spider import SiteSpider
from govinspect.demo.layouts import FAMILIES
from govinspect.demo.layouts.server import LayoutServer, _FamilyApp
from govinspect.demo.server import Response
from govinspect.pipeline import crawl_all
from govinspect.registry import load_registry, parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Base, Page, Run

#: Columns that differ between two crawls of the same site by nature (times, row ids, evidence
#: places, the attempts' 200 or 304, and whether a link verified within the last 24 hours was
#: carried forward instead of requested: crawler/plans.py).
VOLATILE = {
    "id",
    "run_id",
    "fetched_at",
    "checked_at",
    "attempts",
    "warc_file",
    "warc_offset",
    "carried_from_run_id",
}


class _ValidatingApp(_FamilyApp):
    """A family site that sends ETags and answers 304 to a matching If-None-Match."""

    def respond(self, method: str, target: str, headers: Message, body: bytes) -> Response:
        answer = super().respond(method, target, headers, body)
        if answer.status != 200:
            return answer
        etag = '"' + hashlib.sha256(answer.body).hexdigest()[:16] + '"'
        if headers.get("If-None-Match") == etag:
            return Response(304, b"", [("ETag", etag)])
        return Response(200, answer.body, [*answer.headers, ("ETag", etag)])


class _ValidatingServer(LayoutServer):
    def start(self) -> LayoutServer:
        super().start()
        for server in self._servers.values():
            app = server.app
            if isinstance(app, _FamilyApp):
                server.app = _ValidatingApp(app.built, self)
        return self


def _facts(store: Any, run_id: int) -> dict[str, list[str]]:
    """Every row the run recorded, without its volatile columns, as sorted JSON strings."""
    out: dict[str, list[str]] = {}
    with store.session() as session:
        pages = session.execute(select(Page.id, Page.url).where(Page.run_id == run_id))
        page_urls = {page_id: url for page_id, url in pages}
        for table in Base.metadata.sorted_tables:
            if "run_id" not in table.c or table.name == "runs":
                continue
            rows = session.execute(select(table).where(table.c.run_id == run_id)).mappings()
            out[table.name] = sorted(_row(dict(row), page_urls) for row in rows)
    return out


def _row(row: dict[str, Any], page_urls: dict[int, str]) -> str:
    if "page_id" in row:
        row["page_id"] = page_urls.get(row["page_id"])
    row.pop("column_id", None)  # the items are compared by their list page and URL
    for key in list(row):
        if key in VOLATILE:
            row.pop(key)
        elif isinstance(row[key], list):
            row[key] = sorted(json.dumps(v, sort_keys=True, default=str) for v in row[key])
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)


def _summary(store: Any, run_id: int) -> dict[str, Any]:
    with store.session() as session:
        return session.get(Run, run_id).summary


FAMILY_NAMES = [f.name for f in FAMILIES]


@pytest.mark.parametrize("validators", [True, False], ids=["304s", "no-validators"])
def test_a_recrawl_reuses_every_analysis_and_records_the_same_facts(tmp_path, validators):
    server_class = _ValidatingServer if validators else LayoutServer
    with server_class(FAMILIES) as server:
        config = tmp_path / "layouts.yaml"
        server.write_config(config)
        registry = load_registry(config)
        settings = load_settings(
            config=config, data_dir=tmp_path / "var", timeout=3.0, recheck_delay=0.3
        )
        store = open_store(settings.database_url)
        try:
            first = {r.unit_id: r for r in crawl_all(settings, registry, store, 2)}
            again = {r.unit_id: r for r in crawl_all(settings, registry, store, 2)}
            for name in FAMILY_NAMES:
                assert first[name].status == again[name].status == "complete", name
                analysis = _summary(store, again[name].run_id)["analysis"]
                fresh = _summary(store, first[name].run_id)["analysis"]
                assert fresh.get("reused", 0) == 0, name
                assert analysis.get("analysed", 0) == 0, (name, analysis)
                assert analysis["reused"] == fresh["analysed"], (name, analysis, fresh)
                before = _facts(store, first[name].run_id)
                after = _facts(store, again[name].run_id)
                for table in before:
                    assert after[table] == before[table], (name, table)
        finally:
            store.dispose()


# --- the crawl date moves -----------------------------------------------------------------------

ROOT = "http://127.0.0.1:8931"
LIST_PAGE = (
    "<html><head><title>工作动态_示范县</title></head><body>"
    '<div class="crumb"><a href="/">首页</a> &gt; <a href="/gzdt/">工作动态</a></div>'
    '<ul class="list">'
    + "".join(
        f'<li><a href="/gzdt/{n}.html">第{n}条工作动态的标题文字</a><span>{day}</span></li>'
        for n, day in enumerate(
            ["[12-30]", "[06-15]", "[01-02]", "2027-03-01", "2026-11-20", "2026-02-01"]
        )
    )
    + "</ul></body></html>"
)
ARTICLE = (
    "<html><head><title>通知</title>"
    '<meta name="ArticleTitle" content="通知"><meta name="PubDate" content="2027-03-01">'
    "</head><body><p>发布时间：2027-03-01</p><p>" + "正文。" * 100 + "</p></body></html>"
)


def _spider(tmp_path: Path, crawl_date: date, store: bool) -> SiteSpider:
    registry = parse_registry(
        {"units": [{"id": "u", "name": "u", "category": "county", "website": ROOT + "/"}]}
    )
    plan = build_plan(load_settings(data_dir=tmp_path), registry.units[0], 1, False)
    plan.crawl_date = crawl_date.isoformat()
    spider = SiteSpider(plan)
    from govinspect.crawler import outcomes

    spider.baselines[ROOT] = outcomes.Baseline(404, None, None)
    if store:
        spider.analyses = AnalysisStore(tmp_path / "analyses.sqlite", spider.analysis_context)
    return spider


def _crawl_page(spider: SiteSpider, path: str, body: str) -> list[Any]:
    url = ROOT + path
    request = Request(url, meta={"gi": {"kind": "page", "attempts": [], "depth": 1}})
    response = HtmlResponse(
        url, body=body.encode(), headers={"Content-Type": "text/html"}, request=request
    )
    return list(spider.parse_page(response))


def _recorded(out: list[Any]) -> tuple[Any, ...]:
    page = next(item for item in out if isinstance(item, PageRecord))
    lists = [item for item in out if isinstance(item, ListPageRecord)]
    return (
        page.published,
        page.published_source,
        {k: v for k, v in page.meta.items()},
        [[(i.url, i.published, i.date_raw, i.flags) for i in lp.items] for lp in lists],
    )


@pytest.mark.parametrize(
    "day_one, day_two",
    [
        (date(2026, 12, 4), date(2027, 3, 5)),  # a new year: [12-30] is last year's, 2027-03-01
        (date(2027, 3, 5), date(2026, 12, 4)),  # is no longer in the future; and back again
        (date(2026, 12, 4), date(2026, 12, 4)),
    ],
)
def test_reused_facts_follow_the_crawl_date(tmp_path, day_one, day_two):
    first = _spider(tmp_path, day_one, store=True)
    for path, body in (("/gzdt/", LIST_PAGE), ("/gzdt/a.html", ARTICLE)):
        _crawl_page(first, path, body)
    first.analyses.close()
    later = _spider(tmp_path, day_two, store=True)
    fresh = _spider(tmp_path, day_two, store=False)
    for path, body in (("/gzdt/", LIST_PAGE), ("/gzdt/a.html", ARTICLE)):
        assert _recorded(_crawl_page(later, path, body)) == _recorded(
            _crawl_page(fresh, path, body)
        ), path
    stats = Counter(later.analysis_stats)
    if day_one == day_two:
        assert stats == Counter({"reused": 2})
    else:
        # The list's dates are resolved again from their printed text; the article's date had
        # a candidate in the future at one of the dates: analysed again.
        assert stats["reused"] == 1 and stats["analysed"] == 1, stats


def test_what_cannot_be_re_resolved_is_analysed_again():
    from dataclasses import replace

    from govinspect.crawler.analysis_dates import rebase, rebased_item
    from govinspect.crawler.interaction import PageFacts
    from govinspect.crawler.listing import ListItem
    from govinspect.crawler.page_analysis import PageAnalysisResult

    day, later = date(2026, 12, 4), date(2027, 1, 5)
    plain = PageAnalysisResult(ROOT + "/a.html", ROOT + "/a.html", "utf-8", "t", {}, [])
    assert rebase(plain, day, later, is_homepage=False) is plain
    assert rebase(plain, day, day, is_homepage=True) is plain
    assert rebase(plain, day, later, is_homepage=True) is None  # its newest item is dated
    letters = replace(plain, interaction=PageFacts(records=[object()]))  # type: ignore[list-item]
    assert rebase(letters, day, later, is_homepage=False) is None
    # A date split over two cells: its printed text alone does not give the date back.
    split = ListItem("t", ROOT + "/b.html", None, "20 2026-12", "list", ["future"])
    assert rebased_item(split, day, later) is None
    short = ListItem("t", ROOT + "/c.html", date(2025, 12, 30), "12-30", "list", [])
    assert rebased_item(short, day, later).date == date(2026, 12, 30)


# --- the same facts from analysis workers ------------------------------------------------------


def test_pages_analysed_in_a_worker_give_the_facts_of_the_crawl_process(tmp_path):
    """The default on two cores analyses in the crawl process: the pooled callback is crawled
    here once, over four families, against the inline one (docs/crawler.md, Every core)."""
    families = FAMILIES[:4]
    with LayoutServer(families) as server:
        config = tmp_path / "layouts.yaml"
        server.write_config(config)
        registry = load_registry(config)
        facts = {}
        for workers in (0, 1):
            settings = load_settings(
                config=config,
                data_dir=tmp_path / f"var-{workers}",
                timeout=3.0,
                recheck_delay=0.3,
                analysis_workers=workers,
            )
            store = open_store(settings.database_url)
            try:
                runs = crawl_all(settings, registry, store, 2)
                facts[workers] = {r.unit_id: _facts(store, r.run_id) for r in runs}
                analysis = {r.unit_id: _summary(store, r.run_id)["analysis"] for r in runs}
            finally:
                store.dispose()
            for family in families:
                assert analysis[family.name].get("in_workers", 0) == (
                    analysis[family.name]["analysed"] if workers else 0
                ), (family.name, analysis)
    assert facts[1] == facts[0]
