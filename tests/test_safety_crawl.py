"""Content-safety facts recorded by a real crawl of a local site (and none when switched off)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from govinspect.crawler.launch import run_crawl
from govinspect.demo.safety_cases import id_number
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import LinkCheck, SafetyFact
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html

ID1 = id_number("41022119850317123")
ID2 = id_number("41022119900101002")


def _xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _docx(text: str) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _routes() -> dict:
    home = """
      <nav style="display:none"><a href="/a.html">手机菜单</a></nav>
      <div style="position:absolute;left:-8000px"><a href="http://bc.example.com/">娱乐城</a></div>
      <a href="/a.html">正文</a> <a href="/gs.xlsx">公示</a> <a href="/lx.docx">联系</a>
      <a href="/big.pdf">大文件</a> <a href="/old.doc">旧文档</a>
      <a href="http://partner.example.org/">合作单位</a>
      <p>咨询电话 0371-26012345，手机 13812345678，另 138****1234。</p>
    """
    return {
        "/": html(home, title="测试县人民政府"),
        "/a.html": html("<p>坚持中国特色社会主意道路。</p>" * 3, title="正文"),
        "/gs.xlsx": (200, {"Content-Type": XLSX}, _xlsx([["姓名", "身份证号"], ["王五", ID1],
                                                         ["赵六", ID2]])),
        "/lx.docx": (200, {"Content-Type": DOCX}, _docx("联系人手机 13987654321")),
        "/big.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 " + b"x" * 300_000),
        "/old.doc": (200, {"Content-Type": "application/msword"}, b"\xd0\xcf\x11\xe0" + b"0" * 99),
    }  # fmt: skip


def _crawl(tmp, site, **settings_kw):
    config = {
        "units": [{"id": "t", "name": "测试县", "category": "county", "website": f"{site.base}/"}]
    }
    registry = parse_registry(config)
    settings = load_settings(
        data_dir=tmp / "var",
        db=str(tmp / "var" / "g.db"),
        timeout=5.0,
        recheck_delay=0.2,
        retry_times=0,
        safety_attachment_bytes=200_000,
        **settings_kw,
    )
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    result = run_crawl(settings, store, registry.units[0], progress=False)
    with store.session() as session:
        rows = {
            r.url.removeprefix(site.base): (r.source, r.is_homepage, r.facts)
            for r in session.scalars(select(SafetyFact).where(SafetyFact.run_id == result.run_id))
        }
        checks = {
            c.target_url.removeprefix(site.base): c.outcome
            for c in session.scalars(select(LinkCheck).where(LinkCheck.run_id == result.run_id))
        }
    store.dispose()
    return result, rows, checks


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    with FixtureServer(_routes()) as site:
        on = _crawl(tmp_path_factory.mktemp("on"), site)
        hits_on = dict(site.hits)
        site.hits.clear()
        off = _crawl(tmp_path_factory.mktemp("off"), site, content_safety=False)
        yield {"on": on, "off": off, "hits_on": hits_on, "hits_off": dict(site.hits), "site": site}


def test_page_facts(crawled):
    result, rows, _ = crawled["on"]
    assert result.status == "complete", result.error
    source, homepage, facts = rows["/"]
    assert (source, homepage) == ("page", True)
    assert facts["hidden"] == [
        {"url": "http://bc.example.com/", "text": "娱乐城", "how": "offscreen",
         "keywords": ["娱乐城"]}
    ]  # fmt: skip
    assert facts["privacy"] == [{"kind": "mobile", "count": 1, "sample": "138****5678"}]
    assert {o["url"] for o in facts["outbound"]} == {
        "http://bc.example.com/",
        "http://partner.example.org/",
    }
    assert facts["homepage"]["title"] == "测试县人民政府"
    assert facts["homepage"]["keywords"] == ["娱乐城"]  # the hidden text counts too
    wording = rows["/a.html"][2]["wording"]
    assert [(w["term"], w["suggestion"], w["count"]) for w in wording] == [
        ("中国特色社会主意", "中国特色社会主义", 3)
    ]


def test_attachment_facts_within_the_cap(crawled):
    _, rows, checks = crawled["on"]
    assert rows["/gs.xlsx"] == (
        "attachment",
        False,
        {
            "read": True,
            "privacy": [{"kind": "id_card", "count": 2, "sample": ID1[:4] + "*" * 10 + ID1[-4:]}],
        },
    )
    assert rows["/lx.docx"][2]["privacy"] == [
        {"kind": "mobile", "count": 1, "sample": "139****4321"}
    ]
    assert rows["/big.pdf"][2] == {"read": False, "reason": "larger than 200000 bytes"}
    assert rows["/old.doc"][2] == {"read": False, "reason": "doc: no text reader"}
    assert checks["/gs.xlsx"] == "ok"


def test_no_full_number_in_the_store(crawled, tmp_path):
    _, rows, _ = crawled["on"]
    dumped = repr(rows)
    assert ID1 not in dumped and ID2 not in dumped and "13987654321" not in dumped


def test_switched_off_records_nothing_and_reads_no_attachment(crawled):
    result, rows, checks = crawled["off"]
    assert result.status == "complete"
    assert rows == {}
    assert checks["/gs.xlsx"] == "ok"
    hits_on, hits_off = crawled["hits_on"], crawled["hits_off"]
    assert hits_on[("GET", "/gs.xlsx")] == 1
    assert hits_off.get(("GET", "/gs.xlsx"), 0) == 0


def test_defacement_between_two_crawls_with_both_records(tmp_path):
    """The homepage changed since the previous crawl: a warning with both WARC records."""
    from datetime import date

    from govinspect.checks import content_safety
    from govinspect.checks.facts import load_unit_facts, unit_info
    from govinspect.checks.rubric import load_rubric
    from govinspect.store.archive import read_record

    routes = {"/": html("<p>示范县人民政府门户网站，政务公开，办事服务，互动交流。</p>" * 5,
                        title="测试县人民政府")}  # fmt: skip
    with FixtureServer(routes) as site:
        config = {"units": [{"id": "t", "name": "测试县", "category": "county",
                             "website": f"{site.base}/"}]}  # fmt: skip
        registry = parse_registry(config)
        settings = load_settings(
            data_dir=tmp_path / "var",
            db=str(tmp_path / "g.db"),
            timeout=5.0,
            recheck_delay=0.2,
            retry_times=0,
        )
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        first = run_crawl(settings, store, registry.units[0], progress=False)
        routes["/"] = html(
            '<script src="http://js.bad.example/x.js"></script>'
            + "<p>澳门娱乐城 真人娱乐 在线投注 注册送彩金。</p>" * 5,
            title="澳门娱乐城",
        )
        second = run_crawl(settings, store, registry.units[0], progress=False)
        rubric = load_rubric(None, "county")
        with store.session() as session:
            facts = load_unit_facts(session, unit_info(registry.units[0]), date.today(), rubric,
                                    settings.data_dir)  # fmt: skip
        result = content_safety.check(facts, date.today(), rubric)
        store.dispose()
    assert result.report["content_safety"]["defacement"] == {
        "changed": True,
        "previous_run": first.run_id,
        "signals": ["title", "text", "hosts", "keywords"],
    }
    (finding,) = [f for f in result.findings if f.rule == "defacement_suspected"]
    current, previous = finding.evidence["current"], finding.evidence["previous"]
    assert (current["run_id"], previous["run_id"]) == (second.run_id, first.run_id)
    assert current["title"] == "澳门娱乐城" and previous["title"] == "测试县人民政府"
    for version, text in ((current, "澳门娱乐城"), (previous, "政务公开")):
        record = read_record(settings.data_dir, version["warc"]["warc_file"],
                             version["warc"]["warc_offset"])  # fmt: skip
        assert text in record.payload.decode("utf-8")


def test_attachment_bodies_are_not_kept_on_disk(crawled, tmp_path_factory):
    """The 公示 spreadsheet is read in memory: neither the HTTP cache nor the WARC files keep
    its numbers (only the masked sample reaches the store)."""
    result, _, _ = crawled["on"]
    data_dirs = [p for p in tmp_path_factory.getbasetemp().glob("on*/var") if p.is_dir()]
    assert data_dirs
    needles = [ID1.encode(), ID2.encode()]
    for data_dir in data_dirs:
        for path in data_dir.rglob("*"):
            if path.is_file() and path.suffix != ".db":
                content = path.read_bytes()
                if path.suffix == ".gz":
                    import gzip

                    content = gzip.decompress(content)
                assert not any(n in content for n in needles), path
