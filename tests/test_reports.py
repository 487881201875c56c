"""Reports on the demo town: self-check reports (HTML, PDF, Word), the ranking workbook and the
evidence packs, checked against the export of the same check run and the town's ground truth.

One crawl feeds everything (module fixture): a check run in the previous quarter gives the
"previous period" and the trend, and a finding whose title carries ``<script>`` is injected
before the reports are written.  System binaries (pdftotext, chromium, sha256sum) are
required when ``CI=true``; elsewhere their tests skip with the reason.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from docx import Document
from lxml import html as lxml_html
from openpyxl import load_workbook
from warcio.archiveiterator import ArchiveIterator

from govinspect.crawler.urls import normalize_url
from govinspect.errors import ConfigError
from govinspect.reports.build import build_reports
from govinspect.reports.evidence import embedded_refs
from govinspect.reports.export import export_json
from govinspect.store.models import Finding, Run
from tests.test_demo_accuracy import expected_rules

IN_CI = os.environ.get("CI", "").lower() == "true"
SCRIPT = "<script>alert(1)</script>"
COLUMN_TRAP = '<img src=x onerror="alert(2)">'
DIMENSIONS = [
    "政府信息公开", "解读回应", "办事服务", "互动交流", "应用推广", "政务新媒体管理", "网站规范",
    "网站日常管理", "管理情况",
]  # fmt: skip
MANUAL = """unit,dimension,score,note
county,办事服务,20,在线办事抽查
county,应用推广,18,
dept,办事服务,15,
示范县发展和改革委员会,办事服务,21.5,按名称填写
"""


def require_binary(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required when CI=true but is not installed")
        pytest.skip(f"{name} not installed (Debian: see docs/reports.md)")
    return path


def _inject(store, run_id: int) -> None:
    """A crawled title with markup: in a finding message and in a column name."""
    with store.session() as session:
        session.add(
            Finding(
                run_id=run_id,
                unit_id="county",
                check="site_norms",
                indicator=f"标题{SCRIPT}",
                severity="notice",
                message=f'页面标题为“{SCRIPT}”，引号"与&符号。',
                urls=['http://127.0.0.1/x?a=1&b="q"'],
                evidence={"rule": "injected", "count": 1},
            )
        )
        run = session.get(Run, run_id)
        summary = dict(run.summary)
        units = dict(summary["units"])
        county = dict(units["county"])
        report = dict(county["report"])
        columns = [dict(c) for c in report["columns"]]
        columns[0]["name"] = f"{COLUMN_TRAP}{columns[0]['name']}"
        report["columns"] = columns
        county["report"] = report
        units["county"] = county
        summary["units"] = units
        run.summary = summary


@pytest.fixture(scope="module")
def town(tmp_path_factory):
    from govinspect.checks.run import run_checks
    from govinspect.crawler.feeds import poll_feeds
    from govinspect.demo import AS_OF, DemoServer, build_town
    from govinspect.pipeline import crawl_all
    from govinspect.registry import load_registry
    from govinspect.settings import load_settings
    from govinspect.store.db import open_store

    tmp = tmp_path_factory.mktemp("reports")
    with DemoServer(build_town(scale=1), slow_seconds=0.5, hang_seconds=12) as server:
        server.write_config(tmp / "govinspect.yaml")
        manifest = server.manifest()
        registry = load_registry(tmp / "govinspect.yaml")
        settings = load_settings(
            config=tmp / "govinspect.yaml", data_dir=tmp / "var", timeout=3.0, recheck_delay=0.5
        )
        store = open_store(settings.database_url)
        crawl_all(settings, registry, store, parallel=3)
        poll_feeds(store, registry, None, settings)
    # The previous quarter's check first, so the period's run is also the latest one.
    previous = run_checks(store, registry, AS_OF - timedelta(days=92), None, settings.data_dir)
    run_id = run_checks(store, registry, AS_OF, None, settings.data_dir)
    _inject(store, run_id)
    manual = tmp / "manual.csv"
    manual.write_text(MANUAL, encoding="utf-8")
    out = tmp / "out"
    result = build_reports(
        store, registry, settings, "2026Q4", None, {"html", "docx", "pdf", "xlsx", "evidence"},
        manual, out,
    )  # fmt: skip
    yield {
        "tmp": tmp,
        "manifest": manifest,
        "registry": registry,
        "settings": settings,
        "store": store,
        "run_id": run_id,
        "previous_run": previous,
        "export": export_json(store, run_id, settings.data_dir),
        "previous": export_json(store, previous, settings.data_dir),
        "result": result,
        "out": out,
        "manual": manual,
    }
    store.dispose()


UNITS = ["county", "dept", "modern"]


def unit_of(town, uid: str) -> dict:
    return next(u for u in town["export"]["units"] if u["id"] == uid)


def stem(town, uid: str) -> Path:
    return town["out"] / f"{uid}-2026Q4-self-check"


# --- what was written ------------------------------------------------------------------------


def test_every_format_is_written(town):
    result = town["result"]
    assert result.run_id == town["run_id"]
    assert result.period.code == "2026Q4"
    expected = {town["out"] / "ranking-2026Q4.xlsx"}
    for uid in UNITS:
        expected |= {stem(town, uid).with_suffix(f".{ext}") for ext in ("html", "docx", "pdf")}
        expected.add(town["out"] / f"{uid}-2026Q4-evidence.zip")
    assert set(result.files) == expected
    assert all(p.stat().st_size > 0 for p in expected)
    assert not list(town["out"].glob("*.part")) and not list(town["out"].glob(".pack-*"))
    assert result.warnings == []  # fonts-noto-cjk is installed where these tests run


# --- the Word report -------------------------------------------------------------------------


def _fix_rows(doc) -> dict[int, list[str]]:
    """Finding id -> cell texts of the to-fix tables (编号 | 问题描述 | 扣分 | 网址与存档证据)."""
    rows: dict[int, list[str]] = {}
    for table in doc.tables:
        header = [c.text for c in table.rows[0].cells]
        if header != ["编号", "问题描述", "扣分", "网址与存档证据"]:
            continue
        for row in table.rows[1:]:
            cells = [c.text for c in row.cells]
            rows[int(cells[0])] = cells
    return rows


@pytest.mark.parametrize("uid", UNITS)
def test_docx_has_a_fix_row_per_finding_with_every_url(town, uid):
    doc = Document(str(stem(town, uid).with_suffix(".docx")))
    rows = _fix_rows(doc)
    unit = unit_of(town, uid)
    assert set(rows) == {f["id"] for f in unit["findings"]}
    for finding in unit["findings"]:
        message, evidence = rows[finding["id"]][1], rows[finding["id"]][3]
        assert message == finding["message"]
        for url in finding["urls"]:
            assert url in evidence, (finding["id"], url)


@pytest.mark.parametrize("uid", UNITS)
def test_docx_lists_every_planted_fault(town, uid):
    rows = _fix_rows(Document(str(stem(town, uid).with_suffix(".docx"))))
    findings = unit_of(town, uid)["findings"]
    for rule, url in expected_rules(town["manifest"], uid):
        match = [f for f in findings if f["rule"] == rule and (url is None or url in f["urls"])]
        assert match, f"planted {rule} {url} not in the export"
        assert any(f["id"] in rows for f in match), f"planted {rule} {url} has no to-fix row"
        if url is not None:
            assert any(url in rows[f["id"]][3] for f in match)


def test_docx_dead_link_rows_cite_their_warc_record(town):
    rows = _fix_rows(Document(str(stem(town, "county").with_suffix(".docx"))))
    dead = [f for f in unit_of(town, "county")["findings"] if f["rule"] == "dead_link_homepage"]
    assert dead
    for finding in dead:
        warc = finding["evidence"]["warc"]
        assert f"{warc['warc_file']} @ {warc['warc_offset']}" in rows[finding["id"]][3]
        assert "采集时间" in rows[finding["id"]][3]


@pytest.mark.parametrize("uid", UNITS)
def test_docx_scores_against_the_previous_period(town, uid):
    doc = Document(str(stem(town, uid).with_suffix(".docx")))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "评分维度")
    assert table.rows[0].cells[3].text == "上期得分（2026年第三季度）"
    got = {row.cells[0].text: [c.text for c in row.cells[1:]] for row in table.rows[1:]}
    now, before = unit_of(town, uid), next(u for u in town["previous"]["units"] if u["id"] == uid)
    for name, dimension in now["scores"].items():
        previous = before["scores"][name]["score"]
        assert float(got[name][0]) == pytest.approx(dimension["score"])
        assert float(got[name][1]) == pytest.approx(dimension["max"])
        assert float(got[name][2]) == pytest.approx(previous)
    assert float(got["总分"][0]) == pytest.approx(now["total"])
    assert float(got["不可用链接（个）"][0]) == len(now["dead_links"])
    assert len(doc.inline_shapes) == 1  # the trend chart


def test_docx_vetoes_come_first(town):
    doc = Document(str(stem(town, "dept").with_suffix(".docx")))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings.index("二、单项否决") < headings.index("三、整改清单")
    vetoes = next(t for t in doc.tables if t.rows[0].cells[1].text == "检查指标")
    assert {r.cells[1].text for r in vetoes.rows[1:]} == {
        "首页不更新",
        "政务新媒体内容不更新",
        "互动回应差",
    }
    fixes = [h for h in headings if "【" in h]
    assert "【单项否决】" in fixes[0] and "【单项否决】" in fixes[1]


# --- the HTML and PDF report -----------------------------------------------------------------


@pytest.mark.parametrize("uid", UNITS)
def test_html_has_a_fix_row_per_finding(town, uid):
    doc = lxml_html.parse(str(stem(town, uid).with_suffix(".html"))).getroot()
    ids = {
        int(tr.get("data-finding"))
        for tr in doc.xpath("//table[@class='fixes']//tr[@data-finding]")
    }
    assert ids == {f["id"] for f in unit_of(town, uid)["findings"]}
    assert doc.xpath("//img[starts-with(@src, 'data:image/png;base64,')]")


def test_crawled_markup_shows_as_text(town):
    source = stem(town, "county").with_suffix(".html").read_text(encoding="utf-8")
    assert SCRIPT not in source and "<img src=x" not in source
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in source
    doc = lxml_html.fromstring(source)
    assert doc.xpath("//script") == []
    assert not [el for el in doc.iter() if any(a.startswith("on") for a in el.attrib)]
    text = doc.text_content()
    assert SCRIPT in text and COLUMN_TRAP in text
    word = "\n".join(
        cell.text
        for t in Document(str(stem(town, "county").with_suffix(".docx"))).tables
        for row in t.rows
        for cell in row.cells
    )
    assert SCRIPT in word and COLUMN_TRAP in word


def test_pdf_has_selectable_chinese_text(town):
    pdftotext = require_binary("pdftotext")
    for uid in UNITS:
        pdf = stem(town, uid).with_suffix(".pdf")
        text = subprocess.run(
            [pdftotext, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "政府网站自查整改情况报告" in text
        assert unit_of(town, uid)["name"] in text
        assert "整改清单" in text


def _chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    chromium = "/usr/bin/chromium"
    if not Path(chromium).exists():
        if IN_CI:
            pytest.fail(f"{chromium} is required when CI=true but is not installed")
        pytest.skip(f"{chromium} not installed (Debian: apt-get install chromium)")
    return subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={tmp / 'chromium-profile'}", *args,
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_html_report_renders_in_headless_chromium(town, tmp_path):
    page = stem(town, "county").with_suffix(".html").resolve().as_uri()
    shot = tmp_path / "report.png"
    done = _chromium("--window-size=1280,2000", f"--screenshot={shot}", page, tmp=tmp_path)
    assert shot.exists(), done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
    dom = _chromium("--dump-dom", page, tmp=tmp_path).stdout
    # The browser parsed the injected title as text: no script element, the text escaped.
    assert "<script" not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom


# --- the ranking workbook --------------------------------------------------------------------


def _sheet_rows(ws) -> list[tuple]:
    return [r for r in ws.iter_rows(min_row=3, values_only=True) if r[1] is not None]


def test_workbook_layout_totals_and_ranks(town):
    wb = load_workbook(town["out"] / "ranking-2026Q4.xlsx")
    county, dept = wb["县（区）政府网站"], wb["部门网站"]
    for ws in (county, dept):
        header = [c.value for c in ws[2]]
        assert header[:12] == ["排名", "单位名称", *DIMENSIONS, "总分"]
    (row,) = _sheet_rows(county)
    unit = unit_of(town, "county")
    values = dict(zip(DIMENSIONS, row[2:11], strict=True))
    for name, dimension in unit["scores"].items():
        assert values[name] == pytest.approx(dimension["score"])
    # 互动交流 and 解读回应 are scored automatically; the manual columns still merge.
    assert values["办事服务"] == 20 and values["应用推广"] == 18
    assert values["互动交流"] == unit["scores"]["互动交流"]["score"]
    assert values["解读回应"] == unit["scores"]["解读回应"]["score"]
    assert row[0] == 1
    assert row[11] == pytest.approx(unit["total"] + 20 + 18)
    # The demo county carries the planted content-safety vetoes (docs/demo.md, 内容安全).
    assert row[12] == "不合格"
    assert "暗链（博彩色情诈骗）" in row[13] and "泄露个人隐私" in row[13]
    assert "在线办事抽查" in row[13] and "缺少人工评分" in row[13]
    ranked = _sheet_rows(dept)
    assert [r[1] for r in ranked] == ["示范县发展和改革委员会", "示范县教育局"]
    modern, failed = ranked
    assert modern[0] == 1 and modern[11] == pytest.approx(115 + 21.5)
    # The vetoed unit ranks after the passing one, marked 不合格 with its vetoes named.
    assert failed[0] == 2 and failed[12] == "不合格"
    assert "单项否决" in failed[13] and "首页不更新" in failed[13]
    assert failed[11] == pytest.approx(unit_of(town, "dept")["total"] + 15)


def test_workbook_indicator_sheets_count_the_findings(town):
    wb = load_workbook(town["out"] / "ranking-2026Q4.xlsx")
    for indicator, rules in (
        ("首页不可用链接", {"dead_link_homepage"}),
        ("其他页面不可用链接", {"dead_link_other"}),
        ("空白栏目", {"column_blank"}),
    ):
        ws = wb[indicator]
        counts = {r[0]: r[3] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}
        for uid in UNITS:
            unit = unit_of(town, uid)
            want = sum(f["count"] for f in unit["findings"] if f["rule"] in rules)
            assert counts[unit["name"]] == want, (indicator, uid)
    matrix = wb["指标统计"]
    header = [c.value for c in matrix[1]]
    dead = {
        r[0]: r[header.index("首页不可用链接")]
        for r in matrix.iter_rows(min_row=2, values_only=True)
    }
    truth = town["manifest"]["sites"]["county"]["dead_links"]
    assert dead["示范县人民政府"] == sum(1 for d in truth if d["on_homepage"])
    about = {r[0]: r[1] for r in wb["说明"].iter_rows(values_only=True)}
    assert about["自动评分维度"] == "政府信息公开、解读回应、互动交流、网站规范、网站日常管理"
    assert str(town["manual"]) in about["人工评分表"]


# --- evidence packs --------------------------------------------------------------------------


def _unpack(town, uid: str, tmp_path: Path) -> Path:
    with zipfile.ZipFile(town["out"] / f"{uid}-2026Q4-evidence.zip") as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / f"{uid}-2026Q4-evidence"
    assert sorted(p.name for p in folder.iterdir()) == [
        "SHA256SUMS", "evidence.warc.gz", "findings.csv", "findings.json", "index.html",
    ]  # fmt: skip
    return folder


@pytest.mark.parametrize("uid", UNITS)
def test_evidence_pack_manifest_verifies(town, uid, tmp_path):
    folder = _unpack(town, uid, tmp_path)
    sums = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    listed = {}
    for line in sums:
        digest, name = line.split("  ", 1)
        listed[name] = digest
    assert set(listed) == {"evidence.warc.gz", "findings.csv", "findings.json", "index.html"}
    for name, digest in listed.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    sha256sum = require_binary("sha256sum")
    ok = subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=folder, capture_output=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # An altered file is caught.
    with (folder / "findings.csv").open("a", encoding="utf-8") as fh:
        fh.write("tampered\n")
    bad = subprocess.run([sha256sum, "-c", "SHA256SUMS"], cwd=folder, capture_output=True)
    assert bad.returncode != 0


@pytest.mark.parametrize("uid", UNITS)
def test_every_finding_warc_record_reads_back(town, uid, tmp_path):
    import json

    folder = _unpack(town, uid, tmp_path)
    pack = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    unit = unit_of(town, uid)
    assert [f["id"] for f in pack["findings"]] == [f["id"] for f in unit["findings"]]
    exported = {f["id"]: f for f in unit["findings"]}
    warc = folder / "evidence.warc.gz"
    read = 0
    for finding in pack["findings"]:
        named = {r.record for r in embedded_refs(exported[finding["id"]])}
        packed = {
            (r["source_warc_file"], r["source_warc_offset"])
            for r in finding["evidence_records"]
            if r["record"] is not None
        }
        assert named <= packed, finding["id"]  # every record the check named is in the pack
        for ref in finding["evidence_records"]:
            if ref["record"] is None:
                continue
            with warc.open("rb") as fh:
                fh.seek(ref["warc_offset"])
                record = next(iter(ArchiveIterator(fh, check_digests=True)))
                assert record.rec_type in ("response", "metadata")
                uri = record.rec_headers.get_header("WARC-Target-URI")
                assert uri == ref["record_uri"]
                # The record is of the URL itself, or of where it redirected.
                final = exported[finding["id"]]["evidence"].get("final_url")
                assert normalize_url(uri) in {normalize_url(ref["url"]), final}, uri
                record.content_stream().read()
                assert record.digest_checker.passed is not False, record.digest_checker.problems
            read += 1
    if uid != "modern":
        assert read > 0
    index = lxml_html.parse(str(folder / "index.html")).getroot()
    anchors = {a.get("id") for a in index.xpath("//h3[@id]")}
    for link in index.xpath("//a[starts-with(@href, '#r')]"):
        assert link.get("href")[1:] in anchors


# --- bad input -------------------------------------------------------------------------------


def _build(town, tmp_path, **overrides):
    args = {
        "period": "2026Q4", "unit_ids": None, "formats": {"xlsx"}, "manual_csv": None,
        "out_dir": tmp_path / "out",
    }  # fmt: skip
    args.update(overrides)
    return build_reports(town["store"], town["registry"], town["settings"], **args)


@pytest.mark.parametrize(
    ("content", "where", "problem"),
    [
        ("unit,dimension,score\nnobody,办事服务,10\n", ":2:1:", "unknown unit 'nobody'"),
        ("unit,dimension,score\ncounty,服务,10\n", ":2:2:", "unknown dimension '服务'"),
        ("unit,dimension,score\ncounty,网站规范,10\n", ":2:2:", "scored automatically"),
        ("unit,dimension,score\ncounty,办事服务,十\n", ":2:3:", "is not a number"),
        ("unit,dimension,score\ncounty,办事服务,101\n", ":2:3:", "outside 0–100"),
        ("unit,dimension,score\n\ncounty,办事服务,1\ncounty,办事服务,2\n", ":4:1:", "line 3"),
        ("单位,dimension\ncounty,办事服务\n", ":1:1:", "expected the header"),
    ],
)
def test_bad_manual_csv_is_refused_before_writing(town, tmp_path, content, where, problem):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        _build(town, tmp_path, manual_csv=path)
    message = str(caught.value)
    assert f"{path}{where}" in message and problem in message
    assert not (tmp_path / "out").exists()


def test_bad_period_unit_and_format(town, tmp_path):
    with pytest.raises(ConfigError, match="not a quarter"):
        _build(town, tmp_path, period="2026Q5")
    with pytest.raises(ConfigError, match="no completed check run with a monitoring date"):
        _build(town, tmp_path, period="2025Q1")
    with pytest.raises(ConfigError, match="unknown unit 'nope'"):
        _build(town, tmp_path, unit_ids=["nope"])
    with pytest.raises(ConfigError, match="unknown format 'odt'"):
        _build(town, tmp_path, formats={"odt"})


def test_previous_quarter_and_one_unit(town, tmp_path):
    result = _build(town, tmp_path, period="2026q3", unit_ids=["dept"], formats={"html"})
    assert result.run_id == town["previous_run"]
    assert [p.name for p in result.files] == ["dept-2026Q3-self-check.html"]
