"""Crawl plans (crawler/plans.py) and carried facts (store/carry.py) over real crawls.

A small county site is crawled in full, then changed (a new item with a dead link, a column
emptied); ``--plan quick`` then requests only what the nightly vetoes need, its run holds
complete facts (the rest carried with their old timestamps and the run they came from), and the
check finds the same vetoes as a full crawl of the changed site.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select

from govinspect.checks.run import run_checks
from govinspect.checks.timeutil import SHANGHAI
from govinspect.crawler.launch import run_crawl
from govinspect.registry import parse_registry
from govinspect.reports.export import export_json
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Column, ColumnItem, Finding, LinkCheck, Page
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html
from tests.plan_site import SiteModel

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "export.schema.json").read_text("utf-8"))


class Town:
    """One unit on a changeable site, a store, and an outside host."""

    def __init__(self, tmp_path, site: FixtureServer, outside: FixtureServer, model: SiteModel):
        self.site, self.outside, self.model = site, outside, model
        registry = parse_registry(
            {
                "units": [
                    {
                        "id": "town",
                        "name": "示范县人民政府",
                        "category": "county",
                        "website": f"{site.base}/",
                    }
                ]
            }
        )
        self.registry = registry
        self.settings = load_settings(data_dir=tmp_path / "var", timeout=3.0, recheck_delay=0.0)
        self.store = open_store(self.settings.database_url)
        sync_registry(self.store, registry)
        self.today = datetime.now(SHANGHAI).date()
        self.serve()

    def serve(self) -> None:
        self.site.routes.clear()
        self.site.routes.update(self.model.routes())

    def crawl(self, plan: str = "full", **options) -> int:
        settings = self.settings.model_copy(update={"crawl_plan": plan, **options})
        result = run_crawl(
            settings, self.store, self.registry.get("town"), resume=False, progress=False
        )
        assert result.status == "complete", result.error
        self.last = result
        return result.run_id

    def vetoes(self) -> set[tuple[str, str]]:
        run_id = run_checks(self.store, self.registry, self.today, None, self.settings.data_dir)
        with self.store.session() as session:
            return {
                (f.check, f.indicator)
                for f in session.scalars(
                    select(Finding).where(Finding.run_id == run_id, Finding.severity == "veto")
                )
            }

    def finding_urls(self) -> list[str]:
        with self.store.session() as session:
            last = session.scalar(select(func.max(Finding.run_id)))
            return [
                u
                for f in session.scalars(select(Finding).where(Finding.run_id == last))
                for u in f.urls
            ]

    def observed_at(self, path: str) -> dict | None:
        """The evidence of the latest check's finding about ``path``, if any."""
        with self.store.session() as session:
            last = session.scalar(select(func.max(Finding.run_id)))
            for finding in session.scalars(select(Finding).where(Finding.run_id == last)):
                if f"{self.site.base}{path}" in finding.urls and finding.evidence.get(
                    "observed_at"
                ):
                    return finding.evidence
        return None

    def requested(self, since) -> set[str]:
        return {
            path for (method, path), n in self.site.hits.items() if n > since.get((method, path), 0)
        }


@pytest.fixture
def town(tmp_path):
    model = SiteModel(datetime.now(SHANGHAI).date(), columns=6)
    with (
        FixtureServer({}) as site,
        FixtureServer({"/page.html": html("<p>外部</p>" * 30)}) as outside,
    ):
        model.columns[0].items[0].links.append(f"{outside.base}/page.html")
        model.columns[2].items[5].links.append("/gone-old.html")  # on a page quick skips
        town = Town(tmp_path, site, outside, model)
        yield town
        town.store.dispose()


def test_quick_requests_only_what_the_vetoes_need_and_carries_the_rest(town):
    first = town.crawl("full")
    model = town.model
    new = model.add(model.columns[0], town.today, links=["/gone-new.html"])
    for column in model.columns[1:6]:  # five blank columns: a veto
        column.shown = False
    town.serve()
    before = dict(town.site.hits)
    quick = town.crawl("quick")
    requested = town.requested(before)
    columns = {f"/{c.slug}/" for c in model.columns}
    allowed = {
        "/",
        "/robots.txt",
        "/sitemap.xml",
        "/css/style.css",
        new.path,
        f"/{new.slug}/{new.number}.jpg",
        "/gone-new.html",
        *columns,
    }
    extra = {p for p in requested - allowed if "-not-found" not in p}
    assert not extra, extra
    assert new.path in requested and "/gone-new.html" in requested
    with town.store.session() as session:
        pages = {p.url: p for p in session.scalars(select(Page).where(Page.run_id == quick))}
        old = {p.url: p for p in session.scalars(select(Page).where(Page.run_id == first))}
        assert set(old) <= set(pages)  # complete: every page of the full crawl is there
        article = f"{town.site.base}{model.columns[2].items[3].path}"
        assert pages[article].carried_from_run_id == first
        assert pages[article].fetched_at == old[article].fetched_at
        assert pages[f"{town.site.base}/"].carried_from_run_id is None
        checks = session.scalar(
            select(func.count()).select_from(LinkCheck).where(LinkCheck.run_id == quick)
        )
        assert checks >= session.scalar(
            select(func.count()).select_from(LinkCheck).where(LinkCheck.run_id == first)
        )
        emptied = session.scalars(
            select(Column).where(Column.run_id == quick, Column.url.endswith("/c1/"))
        ).one()
        assert emptied.blank
        kept = session.scalars(
            select(Column).where(Column.run_id == quick, Column.url.endswith("/c0/"))
        ).one()
        assert kept.item_count == len(model.columns[0].items)  # page 2 carried
        carried_items = session.scalar(
            select(func.count())
            .select_from(ColumnItem)
            .where(ColumnItem.run_id == quick, ColumnItem.carried_from_run_id == first)
        )
        assert carried_items > 0
    assert town.last.summary["plan"]["ran"] == "quick"
    quick_vetoes = town.vetoes()
    assert any("空白栏目" in indicator for _, indicator in quick_vetoes), quick_vetoes
    assert any("gone-new" in str(url) for url in town.finding_urls())
    observed = town.observed_at("/gone-old.html")
    assert observed is not None and observed["observed_in_run"] == first
    # Judged three days later, the export and its reports say how old that evidence is.
    later = run_checks(
        town.store, town.registry, town.today + timedelta(days=3), None, town.settings.data_dir
    )
    exported = export_json(town.store, later, town.settings.data_dir)
    jsonschema.validate(exported, SCHEMA)
    ages = {f["evidence_age"] for f in exported["units"][0]["findings"] if f.get("evidence_age")}
    assert f"证据采集于 {town.today.isoformat()}（3 天前）" in ages
    town.crawl("full", recheck_all=True)
    assert town.vetoes() == quick_vetoes
    # A full crawl carries no page: one it did not reach is gone from the site.
    assert "pages" not in town.last.summary["carried"]
    assert len(requested) * 5 < sum(1 for _ in town.model.routes())


def test_quick_without_a_previous_crawl_is_full(town):
    run = town.crawl("quick")
    assert town.last.summary["plan"]["ran"] == "full"
    assert "no previous complete crawl" in town.last.summary["plan"]["note"]
    with town.store.session() as session:
        pages = session.scalar(select(func.count()).select_from(Page).where(Page.run_id == run))
    assert pages >= sum(len(c.items) for c in town.model.columns)


def test_recent_links_are_not_requested_again(town):
    town.crawl("full")
    outside = ("GET", "/page.html")
    seen = town.outside.hits[outside] + town.outside.hits[("HEAD", "/page.html")]
    second = town.crawl("full")
    assert town.outside.hits[outside] + town.outside.hits[("HEAD", "/page.html")] == seen
    with town.store.session() as session:
        check = session.scalars(
            select(LinkCheck).where(
                LinkCheck.run_id == second, LinkCheck.target_url == f"{town.outside.base}/page.html"
            )
        ).one()
        assert check.carried_from_run_id is not None and check.outcome == "ok"
    town.crawl("full", recheck_all=True)
    assert town.outside.hits[outside] + town.outside.hits[("HEAD", "/page.html")] > seen


def test_rolling_reverifies_every_url_within_the_cycle(town):
    first = town.crawl("full")
    for _ in range(3):
        last = town.crawl("rolling", rolling_cycle_nights=3)
    with town.store.session() as session:
        stale = session.scalars(
            select(LinkCheck.target_url).where(
                LinkCheck.run_id == last, LinkCheck.carried_from_run_id == first
            )
        ).all()
    assert stale == []


def test_bad_plan_is_one_line_error(tmp_path):
    config = tmp_path / "units.yaml"
    config.write_text(
        "units:\n- {id: u, name: u, category: county, website: 'http://127.0.0.1:9/'}\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "govinspect",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "var"),
            "crawl",
            "--plan",
            "nightly",
            "--no-feeds",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "--plan" in lines[0], done.stderr


def test_evidence_age_of_carried_facts():
    from datetime import UTC, date, datetime

    from govinspect.checks.evidence_age import Observed, date_evidence, evidence_age
    from govinspect.checks.findings import Finding

    finding = Finding("dead_links", "dead_link", "链接不可用", "deduction", "m", ("https://a/x",))
    fresh = Finding("dead_links", "dead_link", "链接不可用", "deduction", "m", ("https://a/y",))
    seen = Observed(datetime(2026, 12, 1, 1, 0, tzinfo=UTC), 7)
    dated, same = date_evidence([finding, fresh], {"https://a/x": seen})
    assert same is fresh
    assert dated.evidence["observed_in_run"] == 7
    assert evidence_age(dated.evidence, date(2026, 12, 4)) == "证据采集于 2026-12-01（3 天前）"
    assert evidence_age(dated.evidence, date(2026, 12, 1)) is None
    assert evidence_age({}, date(2026, 12, 4)) is None


def test_registry_crawl_block_sets_a_units_budget(tmp_path):
    from govinspect.crawler.launch import build_plan

    registry = parse_registry(
        {
            "units": [
                {
                    "id": "big",
                    "name": "大县",
                    "category": "county",
                    "website": "http://127.0.0.1:9/",
                    "crawl": {"rolling_budget_per_host": 500, "rolling_cycle_nights": 3},
                }
            ]
        }
    )
    settings = load_settings(data_dir=tmp_path, crawl_plan="rolling", link_recheck_hours=6)
    plan = build_plan(settings, registry.get("big"), 1, False)
    assert (plan.crawl_plan, plan.rolling_budget_per_host, plan.rolling_cycle_nights) == (
        "rolling",
        500,
        3,
    )
    assert plan.link_recheck_hours == 6


def test_plan_decisions_and_rolling_budget():
    from govinspect.crawler.plans import Decision, Origin, PlanOptions, PlanPolicy
    from govinspect.store.carry import Evidence

    now = 1_000_000.0
    evidence = Evidence(
        run_id=1,
        checks={
            "http://a/x.jpg": (now - 3600, "ok"),  # an hour ago
            "http://a/old.jpg": (now - 3 * 86400, "ok"),
            "http://a/dead.html": (now - 3600, "http_error"),
            "http://b/ext": (now - 3600, "ok"),
            "http://a/p.html": (now - 2 * 86400, "ok"),
        },
        pages={"http://a/p.html": ("h", 1)},
    )
    full = PlanPolicy(PlanOptions("full"), evidence, now)
    assert full.decide("http://b/ext", False, False, Origin.CHANGED) is Decision.SKIP
    assert full.decide("http://a/x.jpg", False, True, Origin.UNCHANGED) is Decision.SKIP
    assert full.decide("http://a/x.jpg", False, True, Origin.CHANGED) is Decision.DEFAULT
    assert full.decide("http://a/old.jpg", False, True, Origin.UNCHANGED) is Decision.DEFAULT
    assert full.decide("http://a/dead.html", True, True, None) is Decision.DEFAULT
    assert full.decide("http://a/p.html", True, True, Origin.UNCHANGED) is Decision.DEFAULT
    assert full.decide("http://a/new.html", True, True, None) is Decision.DEFAULT
    quick = PlanPolicy(PlanOptions("quick"), evidence, now)
    assert quick.decide("http://a/p.html", True, True, Origin.CHANGED) is Decision.SKIP
    assert quick.decide("http://a/p.html", True, True, Origin.NEW) is Decision.CHECK
    assert quick.decide("http://b/ext", False, False, Origin.NEW) is Decision.SKIP
    assert quick.decide("http://a/dead.html", True, True, Origin.UNCHANGED) is Decision.DEFAULT
    forced = PlanPolicy(PlanOptions("quick", recheck_all=True), evidence, now)
    assert forced.decide("http://a/p.html", True, True, Origin.CHANGED) is Decision.DEFAULT
    budget = PlanPolicy(PlanOptions("rolling", rolling_budget_per_host=1), evidence, now)
    assert budget.rolling() == ["http://a/old.jpg", "http://b/ext"]
    cycle = PlanPolicy(PlanOptions("rolling", rolling_cycle_nights=2), evidence, now)
    assert cycle.rolling() == ["http://a/old.jpg", "http://a/p.html", "http://a/dead.html"]
    assert PlanPolicy(PlanOptions("rolling"), Evidence(), now).rolling() == []
