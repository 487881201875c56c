"""End to end on a small SQLite store: run_checks → findings/scores → JSON (schema) and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest
from sqlalchemy import func, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govinspect.checks import run as run_module
from govinspect.checks.run import ranking, run_checks
from govinspect.errors import ConfigError, GovinspectError
from govinspect.registry import parse_registry
from govinspect.reports.export import CSV_FIELDS, export_csv, export_json
from govinspect.store.db import open_store
from govinspect.store.models import (
    Column,
    ColumnItem,
    Finding,
    Link,
    LinkCheck,
    Page,
    Probe,
    Run,
    Score,
)
from govinspect.store.units import sync_registry

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "export.schema.json").read_text("utf-8"))
AS_OF = date(2026, 11, 20)
COUNTY = "https://www.sfx.gov.cn/"
DEPT = "https://jyj.sfx.gov.cn/"
REGISTRY = parse_registry(
    {
        "units": [
            {
                "id": "sfx",
                "name": "示范县人民政府",
                "category": "county",
                "website": COUNTY,
                "site_code": "4102210001",
            },
            {
                "id": "jyj",
                "name": "示范县教育局",
                "category": "department",
                "website": DEPT,
                "site_code": "4102210012",
            },
            {
                "id": "nocrawl",
                "name": "示范县档案局",
                "category": "department",
                "website": "https://daj.sfx.gov.cn/",
            },
        ]
    }
)
GUIDE = (
    "<html><body><div class='nav'><a href='/'>首页</a></div><div class='content'>"
    "<p>根据《中华人民共和国政府信息公开条例》（国务院令第711号）编制本指南。</p>"
    "<p>申请方式：当面提交或在线提交申请表。</p><p>办公地址：示范县人民路11号。</p>"
    "<p>办公时间：周一至周五。</p><p>联系电话：0371-12345007。</p><p>电子邮箱：gk@sfx.gov.cn。</p>"
    "</div><div class='foot'>传真：0371-1</div></body></html>"
)


def day(days_ago: int) -> date:
    return AS_OF - timedelta(days=days_ago)


class Warc:
    """A WARC file in the data dir, as the crawler writes them (paths relative to data_dir)."""

    def __init__(self, data_dir: Path) -> None:
        self.rel = "warc/test.warc.gz"
        self.path = data_dir / self.rel
        self.path.parent.mkdir(parents=True)

    def add(self, url: str, html: str) -> tuple[str, int]:
        with self.path.open("ab") as fh:
            offset = fh.tell()
            writer = WARCWriter(fh, gzip=True)
            headers = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    url, "response", payload=io.BytesIO(html.encode("utf-8")), http_headers=headers
                )
            )
        return self.rel, offset


FOOTER = {
    "site_code": "4102210001",
    "icp": "豫ICP备05070218号",
    "police": "豫公网安备 41022102000101号",
    "jiucuo": True,
    "jiucuo_sitecode": "4102210001",
    "conac": True,
    "jiucuo_src": "https://zfwzgl.www.gov.cn/exposure/jiucuo.js",
}


def site_meta(code: str, name: str) -> dict:
    return {"SiteName": name, "SiteDomain": "x", "SiteIDCode": code}


def add_crawl(session, unit_id: str, started: datetime) -> Run:
    run = Run(
        kind="crawl",
        unit_id=unit_id,
        status="complete",
        started_at=started,
        finished_at=started + timedelta(hours=1),
        summary={"truncated": {}},
    )
    session.add(run)
    session.flush()
    return run


def add_column(session, run: Run, name: str, ctype: str, url: str, dates, **kw) -> Column:
    col = Column(
        run_id=run.id,
        name=name,
        url=url,
        type=ctype,
        level=kw.pop("level", 1),
        item_count=len(dates),
        newest=max((d for d in dates if d), default=None),
        list_pages=[url],
        discovered_by=["crawl"],
        **kw,
    )
    session.add(col)
    session.flush()
    for n, published in enumerate(dates):
        session.add(
            ColumnItem(
                column_id=col.id,
                run_id=run.id,
                title=f"{name}{n}",
                url=f"{url}t{n}.html",
                published=published,
                date_source="list" if published else "none",
            )
        )
    return col


def build_county(session, warc: Warc) -> None:
    started = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    old = add_crawl(session, "sfx", started - timedelta(days=30))
    add_column(session, old, "政务要闻", "news", f"{COUNTY}zwyw/", [day(31), day(33), day(40)])
    run = add_crawl(session, "sfx", started)
    home = Page(
        run_id=run.id,
        url=COUNTY,
        status=200,
        is_homepage=True,
        title="示范县人民政府",
        content_type="text/html",
        meta={
            **site_meta("4102210001", "示范县人民政府"),
            "newest_item": day(1).isoformat(),
            "footer": FOOTER,
        },
    )
    guide_file, guide_offset = warc.add(f"{COUNTY}zwgk/xxgkzn/", GUIDE)
    guide = Page(
        run_id=run.id,
        url=f"{COUNTY}zwgk/xxgkzn/",
        status=200,
        title="指南",
        content_type="text/html; charset=utf-8",
        charset="utf-8",
        warc_file=guide_file,
        warc_offset=guide_offset,
    )
    zwgk = Page(run_id=run.id, url=f"{COUNTY}zwgk/", status=200, depth=1, title="政务公开")
    session.add_all([home, guide, zwgk])
    session.flush()
    add_column(session, run, "政务要闻", "news", f"{COUNTY}zwyw/", [day(1), day(2), day(5)])
    add_column(session, run, "工作动态", "news", f"{COUNTY}gzdt/", [day(25), day(30)])
    add_column(
        session, run, "财政信息", "other", f"{COUNTY}czxx/", [], blank=True, placeholder="暂无信息"
    )
    add_column(session, run, "乡镇动态", "news", f"{COUNTY}xzdt/", [], script_filled=True)
    add_column(
        session,
        run,
        "政府信息公开指南",
        "disclosure_guide",
        f"{COUNTY}zwgk/xxgkzn/",
        [],
        is_list=False,
    )
    add_column(session, run, "政策解读", "interpretation", f"{COUNTY}zcjd/", [day(3)])
    reports = add_column(session, run, "政府信息公开年报", "annual_report", f"{COUNTY}nb/", [])
    for year in range(2019, 2025):
        session.add(
            ColumnItem(
                column_id=reports.id,
                run_id=run.id,
                title=f"示范县{year}年政府信息公开工作年度报告",
                url=f"{COUNTY}nb/{year}.html",
                published=date(year + 1, 3, 25),
            )
        )
    dead = f"{COUNTY}xwzx/201905/t20190510_3321.html#top"
    session.add_all(
        [
            Link(
                run_id=run.id,
                page_id=home.id,
                target_url=dead,
                raw_url="./x",
                tag="a",
                attr="href",
                kind="page",
                anchor_text="脱贫攻坚总结",
                on_homepage=True,
            ),
            Link(
                run_id=run.id,
                page_id=zwgk.id,
                target_url=dead,
                raw_url="./x",
                tag="a",
                attr="href",
                kind="page",
                anchor_text="脱贫攻坚总结",
            ),
            Link(
                run_id=run.id,
                page_id=zwgk.id,
                target_url=f"{COUNTY}waf/",
                raw_url="/waf/",
                tag="a",
                attr="href",
                kind="page",
                anchor_text="数据发布",
            ),
            Link(
                run_id=run.id,
                page_id=home.id,
                target_url=f"{COUNTY}zwgk/zd/",
                raw_url="/zwgk/zd/",
                tag="a",
                attr="href",
                kind="page",
                anchor_text="政府信息公开制度",
                on_homepage=True,
            ),
            LinkCheck(
                run_id=run.id,
                target_url=dead,
                outcome="http_error",
                status=404,
                attempts=[{"method": "HEAD", "status": 404}],
                warc_file=guide_file,
                warc_offset=guide_offset,
            ),
            LinkCheck(run_id=run.id, target_url=f"{COUNTY}waf/", outcome="blocked", status=403),
            LinkCheck(run_id=run.id, target_url=f"{COUNTY}zwyw/", outcome="ok", status=200),
        ]
    )
    for d in range(1, 8):
        for n in range(20):
            at = datetime.combine(day(d), datetime.min.time(), UTC) + timedelta(hours=1, minutes=n)
            session.add(
                Probe(
                    unit_id="sfx", url=COUNTY, probed_at=at, ok=True, status=200, latency_ms=300.0
                )
            )


def build_department(session) -> None:
    run = add_crawl(session, "jyj", datetime(2026, 11, 19, 2, 0, tzinfo=UTC))
    session.add(
        Page(
            run_id=run.id,
            url=DEPT,
            status=200,
            is_homepage=True,
            title="教育局",
            meta={
                **site_meta("4102210012", "示范县教育局"),
                "newest_item": day(25).isoformat(),
                "footer": {**FOOTER, "site_code": "4102210012", "jiucuo_sitecode": "4102210012"},
            },
        )
    )
    add_column(session, run, "工作动态", "news", f"{DEPT}col/col1101/", [day(25)])
    for n in range(5):
        add_column(session, run, f"空白栏目{n}", "other", f"{DEPT}col/col13{n}/", [], blank=True)


@pytest.fixture
def checked(tmp_path, db_url):
    """The store checked once, on SQLite and on PostgreSQL (when the server is up)."""
    store = open_store(db_url)
    sync_registry(store, REGISTRY)
    warc = Warc(tmp_path)
    with store.session() as session:
        build_county(session, warc)
        build_department(session)
    run_id = run_checks(store, REGISTRY, AS_OF, None, tmp_path)
    yield store, run_id, tmp_path
    store.dispose()


def unit_of(data, unit_id):
    return next(u for u in data["units"] if u["id"] == unit_id)


def test_export_validates_against_the_schema(checked):
    store, run_id, data_dir = checked
    data = export_json(store, run_id, data_dir)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
    assert data["schema_version"] == 1 and data["as_of"] == "2026-11-20"
    assert [u["id"] for u in data["units"]] == ["sfx", "jyj", "nocrawl"]
    assert data["warc_base"] == str(data_dir.resolve())
    # The latest complete check run is the default.
    assert export_json(store)["run_id"] == run_id


def test_county_export_content(checked):
    store, run_id, data_dir = checked
    county = unit_of(export_json(store, run_id, data_dir), "sfx")
    assert county["homepage"] == {
        **county["homepage"],
        "url": COUNTY,
        "last_update": day(1).isoformat(),
    }
    (dead,) = county["dead_links"]
    assert dead["url"] == f"{COUNTY}xwzx/201905/t20190510_3321.html"
    assert dead["found_on"] == [COUNTY, f"{COUNTY}zwgk/"]
    assert dead["on_homepage"] is True and dead["status"] == 404 and dead["error"] is None
    assert [u["url"] for u in county["unknown_links"]] == [f"{COUNTY}waf/"]
    columns = {c["name"]: c for c in county["columns"]}
    assert (
        columns["工作动态"]["stale"] is True and columns["工作动态"]["last_update"] == "2026-10-26"
    )
    assert columns["财政信息"]["blank"] is True
    assert columns["乡镇动态"]["blank"] is False and columns["乡镇动态"]["stale"] is False
    assert columns["政务要闻"]["frequency"]["items_7d"] == 3
    assert columns["政务要闻"]["frequency"]["trend"]["items_30d"] == {"previous": 3, "change": 0}
    assert county["disclosure"]["guide_url"] == f"{COUNTY}zwgk/xxgkzn/"
    assert county["disclosure"]["guide_missing_elements"] == ["传真"]  # read from the WARC
    assert county["disclosure"]["annual_report_years"] == list(range(2019, 2025))
    assert county["disclosure"]["latest_annual_report_missing"] is True
    assert county["interpretation"]["column_url"] == f"{COUNTY}zcjd/"
    assert county["new_media"] == []
    assert county["vetoes"] == [] and county["failed"] is False
    rules = sorted(f["rule"] for f in county["findings"] if f["severity"] != "notice")
    assert rules == [
        "annual_report_missing",
        "column_blank",
        "column_stale_news",
        "consultation_none",  # no interaction facts recorded: none held, none found
        "dead_link_homepage",
        "guide_elements_missing",
        "interview_none",
    ]
    dead_finding = next(f for f in county["findings"] if f["rule"] == "dead_link_homepage")
    assert dead_finding["evidence"]["warc"]["warc_file"] == "warc/test.warc.gz"
    assert dead_finding["evidence"]["attempts"] == [{"method": "HEAD", "status": 404}]
    # Scores: 40 - 2 (stale news) - 1 (blank) - 1 (homepage dead link); 23 - 1 - 5; 12;
    # 15 - 2 (no consultation) - 2 (no interview); 25
    assert {k: v["score"] for k, v in county["scores"].items()} == {
        "网站日常管理": 36,
        "政府信息公开": 17,
        "解读回应": 12,
        "互动交流": 11,
        "网站规范": 25,
    }
    assert county["total"] == 101
    assert county["interaction"] == {"letters": None, "consultations": [], "interviews": None}
    deductions = [
        d for dim in county["scores"].values() for i in dim["items"] for d in i["deductions"]
    ]
    ids = {f["id"] for f in county["findings"]}
    assert deductions and all(d["finding_id"] in ids for d in deductions)


def test_department_vetoes_and_unassessed_unit(checked):
    store, run_id, data_dir = checked
    data = export_json(store, run_id, data_dir)
    dept = unit_of(data, "jyj")
    assert dept["failed"] is True
    assert {v["indicator"] for v in dept["vetoes"]} == {"首页不更新", "栏目不更新（空白栏目）"}
    assert all(v["detail"] for v in dept["vetoes"])
    none = unit_of(data, "nocrawl")
    assert none["assessed"] is False and none["total"] is None
    assert {v["score"] for v in none["scores"].values()} == {None}
    assert [f["rule"] for f in none["findings"]] == ["crawl_missing", "availability_coverage"]
    assert none["disclosure"]["latest_annual_report_missing"] is None


def test_csv_has_one_row_per_finding(checked):
    store, run_id, data_dir = checked
    out = io.StringIO()
    rows = export_csv(store, run_id, out, data_dir)
    with store.session() as session:
        assert rows == session.scalar(
            select(func.count()).select_from(Finding).where(Finding.run_id == run_id)
        )
    parsed = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert tuple(parsed[0]) == CSV_FIELDS and len(parsed) == rows
    dead = next(r for r in parsed if r["rule"] == "dead_link_homepage")
    assert dead["points"] == "1.0" and dead["unit_id"] == "sfx"
    assert json.loads(dead["evidence"])["status"] == 404
    assert "#" not in dead["urls"]


def test_ranking_rows(checked):
    store, run_id, _ = checked
    rows = ranking(store, run_id)
    assert [r["unit"] for r in rows] == ["sfx", "jyj", "nocrawl"]
    first = rows[0]
    assert first["rank"] == 1 and first["verdict"] == "合格" and first["total"] == 101
    assert list(first["scores"]) == [
        "网站日常管理",
        "政府信息公开",
        "解读回应",
        "互动交流",
        "网站规范",
    ]
    assert rows[1]["failed"] is True and rows[1]["verdict"] == "不合格"
    assert len(rows[1]["vetoes"]) == 2
    assert rows[2]["verdict"] == "未评估" and rows[2]["scores"] == {}


def test_stored_rows(checked):
    store, run_id, _ = checked
    with store.session() as session:
        run = session.get(Run, run_id)
        assert run.status == "complete" and run.as_of == AS_OF and run.finished_at
        assert run.summary["rubrics"]["county"]["source"] == "packaged:county"
        dims = session.scalars(select(Score).where(Score.run_id == run_id, Score.unit_id == "jyj"))
        assert {d.dimension for d in dims} == {
            "网站日常管理",
            "政府信息公开",
            "解读回应",
            "互动交流",
            "网站规范",
        }
        assert all(
            d.failed
            for d in session.scalars(
                select(Score).where(Score.run_id == run_id, Score.unit_id == "jyj")
            )
        )


def test_bad_rubric_fails_before_a_run_is_created(tmp_path, sqlite_url):
    store = open_store(sqlite_url)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="bad.yaml: "):
        run_checks(store, REGISTRY, AS_OF, bad, tmp_path)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
    with pytest.raises(GovinspectError, match="no completed check run"):
        export_json(store)
    store.dispose()


def test_a_crash_marks_the_run_failed_and_keeps_finished_units(tmp_path, sqlite_url, monkeypatch):
    store = open_store(sqlite_url)
    calls = []

    def flaky(facts, as_of, rubric):
        calls.append(facts.unit.id)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(facts, as_of, rubric)

    original = run_module.evaluate
    monkeypatch.setattr(run_module, "evaluate", flaky)
    with pytest.raises(RuntimeError, match="disk full"):
        run_checks(store, REGISTRY, AS_OF, None, tmp_path)
    with store.session() as session:
        run = session.scalars(select(Run).where(Run.kind == "check")).one()
        assert run.status == "failed" and run.error == "RuntimeError: disk full"
        assert list(run.summary["units"]) == ["sfx"]
    store.dispose()


def test_terminal_ranking_shows_the_interaction_and_interpretation_columns(checked):
    from rich.console import Console

    from govinspect.cli import _ranking_table

    store, run_id, _ = checked
    console = Console(record=True, width=250)
    console.print(_ranking_table(ranking(store, run_id), "check run"))
    text = console.export_text()
    for name in ("网站日常管理", "政府信息公开", "解读回应", "互动交流", "网站规范"):
        assert name in text
    assert "11/15" in text  # 互动交流 of sfx: no consultation, no interview
