"""Acceptance of the finding lifecycle over real crawls of a small local site.

Crawl 1 finds three dead links.  One is then repaired, and crawl 2, which stops short of the
site (max_pages), fixes nothing.  A new dead link appears and crawl 3 covers the site: its
check's export shows the repaired link in ``fixed_since_previous``, the added one ``new`` and
the rest ``open`` with their first_seen from the first check.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import jsonschema
import pytest

from govinspect.checks.run import run_checks
from govinspect.checks.timeutil import SHANGHAI
from govinspect.crawler.launch import run_crawl
from govinspect.registry import parse_registry
from govinspect.reports.export import export_json
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "export.schema.json").read_text("utf-8"))
NOT_FOUND = (404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>")


def site_routes(links: list[str]) -> dict:
    body = "".join(f'<p><a href="{href}">链接{n}</a></p>' for n, href in enumerate(links))
    return {
        "/": html(f"<ul>{body}</ul><a href='/a.html'>正文</a>", title="示范镇人民政府"),
        "/a.html": html("<p>正文</p>" * 20, title="正文"),
        "/b.html": html("<p>另一篇</p>" * 20, title="另一篇"),
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    from datetime import datetime

    tmp = tmp_path_factory.mktemp("lifecycle")
    routes: dict = {}
    with FixtureServer(routes) as site:
        base = site.base
        registry = parse_registry(
            {
                "units": [
                    {
                        "id": "town",
                        "name": "示范镇人民政府",
                        "category": "county",
                        "website": f"{base}/",
                        "exclude_links": [f"{base}/old/*"],
                    }
                ]
            }
        )
        settings = load_settings(data_dir=tmp / "var", timeout=3.0, recheck_delay=0.0)
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        unit = registry.get("town")
        today = datetime.now(SHANGHAI).date()
        exports = {}

        def crawl_and_check(name: str, as_of: date, max_pages: int | None = None) -> None:
            used = (
                settings
                if max_pages is None
                else settings.model_copy(update={"max_pages": max_pages})
            )
            result = run_crawl(used, store, unit, resume=False, progress=False)
            assert result.status == "complete", result.error
            run_id = run_checks(store, registry, as_of, None, settings.data_dir)
            exports[name] = export_json(store, run_id, settings.data_dir)

        routes.update(site_routes(["/a.html", "/gone1.html", "/gone2.html", "/old/x.html"]))
        crawl_and_check("first", today)
        # gone1 is repaired; a crawl that stops short of the site must not say so.
        routes["/gone1.html"] = html("<p>修复了</p>", title="修复")
        crawl_and_check("incomplete", today + timedelta(days=1), max_pages=1)
        # Then a new dead link gone3 appears; the next crawl covers the whole site.
        routes.update(
            site_routes(["/a.html", "/gone1.html", "/gone2.html", "/gone3.html", "/old/x.html"])
        )
        crawl_and_check("second", today + timedelta(days=2))
        yield {"exports": exports, "base": base, "today": today, "store": store}
        store.dispose()


def findings(export: dict) -> dict[str, dict]:
    (unit,) = export["units"]
    return {f["subject"]: f for f in unit["findings"] if f["rule"].startswith("dead_link")}


def test_first_check_finds_the_dead_links_as_new(runs):
    base, first = runs["base"], findings(runs["exports"]["first"])
    assert set(first) == {f"{base}/gone1.html", f"{base}/gone2.html", f"{base}/old/x.html"}
    assert {f["status"] for f in first.values()} == {"new"}
    assert all(f["first_seen"] == runs["today"].isoformat() for f in first.values())
    assert all(f["key"].startswith("town:") for f in first.values())


def test_an_incomplete_crawl_fixes_nothing(runs):
    export = runs["exports"]["incomplete"]
    (unit,) = export["units"]
    assert unit["fixed_since_previous"] == []
    assert any(f["rule"] == "crawl_truncated" for f in unit["findings"])
    # The repaired link is no longer dead in this crawl, but the crawl proves nothing.
    assert f"{runs['base']}/gone1.html" not in findings(export)


def test_second_complete_crawl_fixes_adds_and_keeps(runs):
    base, today = runs["base"], runs["today"]
    export = runs["exports"]["second"]
    jsonschema.Draft202012Validator(SCHEMA).validate(export)
    (unit,) = export["units"]
    first = findings(runs["exports"]["first"])
    fixed = {f["rule"]: f for f in unit["fixed_since_previous"]}
    # The truncation notice of the incomplete crawl is fixed by the complete one, too.
    assert set(fixed) == {"dead_link_homepage", "crawl_truncated"}
    assert fixed["dead_link_homepage"] == {
        "key": first[f"{base}/gone1.html"]["key"],
        "rule": "dead_link_homepage",
        "subject": f"{base}/gone1.html",
        "first_seen": today.isoformat(),
        "fixed_on": (today + timedelta(days=2)).isoformat(),
    }
    now = findings(export)
    assert now[f"{base}/gone3.html"]["status"] == "new"
    assert now[f"{base}/gone3.html"]["first_seen"] == (today + timedelta(days=2)).isoformat()
    kept = now[f"{base}/gone2.html"]
    assert kept["status"] == "open" and kept["first_seen"] == today.isoformat()
    assert kept["key"] == first[f"{base}/gone2.html"]["key"]
    assert [a["action"] for a in kept["actions"]] == ["new"]
    assert f"{base}/gone1.html" not in now


def test_excluded_links_are_shown_never_counted(runs):
    base = runs["base"]
    (unit,) = runs["exports"]["second"]["units"]
    excluded = findings(runs["exports"]["second"])[f"{base}/old/x.html"]
    assert excluded["severity"] == "notice" and excluded["suppressed"] == "excluded"
    assert excluded["evidence"]["suppressed"]["pattern"] == f"{base}/old/*"
    assert [d["url"] for d in unit["excluded_links"]] == [f"{base}/old/x.html"]
    assert f"{base}/old/x.html" not in [d["url"] for d in unit["dead_links"]]
    deducted = [
        d["finding_id"]
        for dim in unit["scores"].values()
        for item in dim["items"]
        for d in item["deductions"]
    ]
    assert excluded["id"] not in deducted
