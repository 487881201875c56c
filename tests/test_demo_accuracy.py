"""The crawler against the demo town's ground truth: every planted fault, no false positive.

One crawl of the three demo sites (in parallel, one subprocess each) feeds all the assertions.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from govinspect.crawler.launch import run_crawl
from govinspect.crawler.urls import normalize_url
from govinspect.demo import DemoServer, build_town
from govinspect.registry import load_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Column, ColumnItem, LinkCheck, Page, Run
from govinspect.store.units import sync_registry

DEAD = {
    "http_error", "soft_404", "dns_error", "connection_refused", "connection_error", "timeout",
    "tls_error", "redirect_loop",
}  # fmt: skip


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo")
    with DemoServer(build_town(scale=1), slow_seconds=0.5, hang_seconds=12) as server:
        server.write_config(tmp / "govinspect.yaml")
        manifest = server.manifest()
        registry = load_registry(tmp / "govinspect.yaml")
        settings = load_settings(
            config=tmp / "govinspect.yaml",
            data_dir=tmp / "var",
            timeout=3.0,
            recheck_delay=0.5,
        )
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        with ThreadPoolExecutor(max_workers=3) as pool:
            results = list(
                pool.map(
                    lambda unit: run_crawl(settings, store, unit, progress=False),
                    registry.units,
                )
            )
        yield {"manifest": manifest, "store": store, "results": {r.unit_id: r for r in results}}
        store.dispose()


SITES = ["county", "dept", "modern"]


def run_of(town, site: str) -> int:
    return town["results"][site].run_id


def checks_of(town, site: str) -> dict[str, LinkCheck]:
    with town["store"].session() as session:
        rows = session.scalars(select(LinkCheck).where(LinkCheck.run_id == run_of(town, site)))
        return {row.target_url: row for row in rows}


@pytest.mark.parametrize("site", SITES)
def test_crawl_completes(town, site):
    result = town["results"][site]
    assert result.status == "complete", result.error
    assert not result.summary.get("truncated")


@pytest.mark.parametrize("site", SITES)
def test_every_planted_dead_link_found_with_its_class(town, site):
    checks = checks_of(town, site)
    for dead in town["manifest"]["sites"][site]["dead_links"]:
        row = checks.get(normalize_url(dead["url"]))
        assert row is not None, f"{dead['key']}: never checked"
        assert row.outcome == dead["outcome"], (dead["key"], row.outcome, row.attempts)
        if dead.get("status"):
            assert row.status == dead["status"], dead["key"]


@pytest.mark.parametrize("site", SITES)
def test_no_false_dead_links(town, site):
    truth = {normalize_url(d["url"]) for d in town["manifest"]["sites"][site]["dead_links"]}
    false = {
        u: (c.outcome, c.status)
        for u, c in checks_of(town, site).items()
        if c.outcome in DEAD and u not in truth
    }
    assert false == {}


@pytest.mark.parametrize("site", SITES)
def test_traps_are_not_dead(town, site):
    checks = checks_of(town, site)
    for trap in town["manifest"]["sites"][site]["not_dead"]:
        if "://" not in trap["url"]:
            assert trap["url"] not in checks  # javascript:, mailto:, #fragment, el.url
            continue
        row = checks.get(normalize_url(trap["url"]))
        assert row is not None and row.outcome == "ok", (trap["trap"], row and row.outcome)


#: Truth page kinds that are not HTML pages to crawl: verified as link targets, or fetched by
#: Scrapy's robots.txt middleware.
NOT_CRAWLED = {"asset", "attachment", "robots", "sitemap_xml"}


@pytest.mark.parametrize("site", SITES)
def test_every_truth_page_was_crawled_or_verified(town, site):
    with town["store"].session() as session:
        pages = {
            p.url: p.status
            for p in session.scalars(select(Page).where(Page.run_id == run_of(town, site)))
        }
    checks = checks_of(town, site)
    for truth in town["manifest"]["sites"][site]["pages"]:
        url = normalize_url(truth["url"])
        if truth["kind"] in ("robots", "sitemap_xml"):
            continue
        if truth["kind"] in NOT_CRAWLED:
            assert checks[url].status == truth["status"], url
        else:
            assert pages.get(url) == truth["status"], (truth["kind"], url)


@pytest.mark.parametrize("site", SITES)
def test_columns_match_the_truth(town, site):
    with town["store"].session() as session:
        got = {
            c.url: c
            for c in session.scalars(select(Column).where(Column.run_id == run_of(town, site)))
        }
    truth = {normalize_url(c["url"]): c for c in town["manifest"]["sites"][site]["columns"]}
    assert set(got) == set(truth)
    for url, expected in truth.items():
        column = got[url]
        assert column.name == expected["name"], url
        assert (column.type, column.level) == (expected["type"], expected["level"]), url
        assert column.item_count == expected["items"], (expected["name"], column.item_count)
        newest = column.newest.isoformat() if column.newest else None
        assert newest == expected["newest"], expected["name"]
        assert column.blank == expected["blank"], expected["name"]
        if expected["placeholder"]:
            assert column.placeholder and expected["placeholder"] in column.placeholder
        assert column.script_filled == expected["script_filled"], expected["name"]
        assert column.is_list == (not expected["content_page"]), expected["name"]


@pytest.mark.parametrize("site", SITES)
def test_every_list_page_is_read(town, site):
    with town["store"].session() as session:
        got = {
            c.url: {normalize_url(p.split("#")[0]) for p in c.list_pages}
            for c in session.scalars(select(Column).where(Column.run_id == run_of(town, site)))
        }
    for expected in town["manifest"]["sites"][site]["columns"]:
        pages = {normalize_url(p) for p in expected["list_pages"]}
        assert pages <= got[normalize_url(expected["url"])], expected["name"]


@pytest.mark.parametrize("site", SITES)
def test_undated_items_counted(town, site):
    with town["store"].session() as session:
        for expected in town["manifest"]["sites"][site]["columns"]:
            column = session.scalars(
                select(Column).where(
                    Column.run_id == run_of(town, site),
                    Column.url == normalize_url(expected["url"]),
                )
            ).one()
            undated = session.scalars(
                select(ColumnItem).where(
                    ColumnItem.column_id == column.id, ColumnItem.published.is_(None)
                )
            ).all()
            assert len(undated) == expected["undated"], expected["name"]


@pytest.mark.parametrize("site", SITES)
def test_homepage_last_update(town, site):
    with town["store"].session() as session:
        run = session.get(Run, run_of(town, site))
    assert (
        run.summary["homepage_newest"] == town["manifest"]["sites"][site]["homepage"]["last_update"]
    )
