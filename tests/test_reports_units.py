"""Report building blocks without a crawl: periods, formats, the manual CSV, workbook cells and
ranks, evidence references, the chart's font fallback, escaping, and an evidence pack built
from hand-written WARC files (gzip and uncompressed, and one missing)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govinspect.errors import ConfigError
from govinspect.reports import chart
from govinspect.reports.build import parse_formats
from govinspect.reports.evidence import EvidenceRef, embedded_refs, finding_refs
from govinspect.reports.history import PeriodResult
from govinspect.reports.manual import ManualScore, ManualUnit, load_manual
from govinspect.reports.model import TrendPoint, build_unit_report
from govinspect.reports.pack import write_evidence_pack
from govinspect.reports.period import Period, parse_period, period_of
from govinspect.reports.render import link, render
from govinspect.reports.workbook import _sheet_name, put, rank_units

# --- periods and formats ---------------------------------------------------------------------


def test_quarters():
    q4 = parse_period("2026Q4")
    assert (q4.start, q4.end, q4.label) == (date(2026, 10, 1), date(2026, 12, 31), "2026年第四季度")
    assert parse_period(" 2024q1 ").end == date(2024, 3, 31)
    assert Period(2026, 1).previous() == Period(2025, 4)
    assert period_of(date(2026, 6, 30)) == Period(2026, 2)
    assert [p.code for p in q4.last(3)] == ["2026Q2", "2026Q3", "2026Q4"]
    for bad in ("2026Q5", "2026", "Q4 2026", "", "2026-Q4x"):
        with pytest.raises(ConfigError, match="--period"):
            parse_period(bad)


def test_formats():
    assert parse_formats(None) == {"html", "docx", "pdf", "xlsx", "evidence"}
    assert parse_formats("html, DOCX") == {"html", "docx"}
    assert parse_formats(["html", "xlsx,pdf"]) == {"html", "xlsx", "pdf"}
    with pytest.raises(ConfigError, match="unknown format 'doc'"):
        parse_formats("doc")


# --- the manual CSV --------------------------------------------------------------------------

UNITS = {
    "qixian": ManualUnit("qixian", "杞县人民政府", frozenset({"网站规范", "政府信息公开"})),
    "jyj": ManualUnit("jyj", "杞县教育局", frozenset({"网站规范"})),
    "twin1": ManualUnit("twin1", "同名单位", frozenset()),
    "twin2": ManualUnit("twin2", "同名单位", frozenset()),
}


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "scores.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_manual_scores_read(tmp_path):
    path = _csv(
        tmp_path,
        "\ufeff单位,指标,得分,备注\r\nqixian,办事服务,22.5,抽查\r\n杞县教育局,互动交流,18\r\n\r\n",
    )
    scores = load_manual(path, UNITS)
    assert scores == {
        ("qixian", "办事服务"): ManualScore("qixian", "办事服务", 22.5, "抽查", 2),
        ("jyj", "互动交流"): ManualScore("jyj", "互动交流", 18.0, "", 3),
    }


def test_manual_scores_in_gb18030(tmp_path):
    path = _csv(tmp_path, "unit,dimension,score\n杞县人民政府,应用推广,9\n", "gb18030")
    assert load_manual(path, UNITS)[("qixian", "应用推广")].score == 9


def test_manual_problems_all_reported_with_file_line_column(tmp_path):
    path = _csv(
        tmp_path,
        "unit,dimension,score,note\n"
        "同名单位,办事服务,1\n"
        "qixian,政府信息公开,3\n"
        "jyj,办事服务,nan\n"
        "jyj,办事服务,-1\n"
        "jyj,办事服务\n"
        "qixian,管理情况,5\n"
        "qixian,管理情况,6\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_manual(path, UNITS)
    lines = str(caught.value).splitlines()
    assert lines == [
        f"{path}:2:1: unit name '同名单位' is ambiguous (twin1, twin2): use the unit id",
        f"{path}:3:2: dimension '政府信息公开' is scored automatically by govinspect for unit "
        "'qixian': remove this row",
        f"{path}:4:3: score 'nan' is not a number",
        f"{path}:5:3: score -1 is outside 0–100 for 办事服务",
        f"{path}:6:1: expected 3 or 4 fields (unit,dimension,score[,note]), got 2",
        f"{path}:8:1: duplicate row for unit 'qixian' and dimension '管理情况' (first on line 7)",
    ]


def test_manual_file_problems(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the manual scores"):
        load_manual(tmp_path / "missing.csv", UNITS)
    with pytest.raises(ConfigError, match=r"scores.csv:1:1: no header"):
        load_manual(_csv(tmp_path, "\n\n"), UNITS)
    with pytest.raises(ConfigError, match="neither UTF-8 nor GB18030"):
        load_manual(_raw(tmp_path, b"unit,dimension,score\n\xff\xfe\x81\x30"), UNITS)


def _raw(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "raw.csv"
    path.write_bytes(raw)
    return path


# --- the workbook ----------------------------------------------------------------------------


def test_text_cells_never_become_formulas(tmp_path):
    wb = Workbook()
    ws = wb.active
    put(ws, 1, 1, '=HYPERLINK("http://evil.invalid","点我")')
    put(ws, 2, 1, "标题\x07含控制字符")
    put(ws, 3, 1, 12.5)
    wb.save(tmp_path / "t.xlsx")
    back = load_workbook(tmp_path / "t.xlsx").active
    assert back["A1"].data_type == "s"
    assert back["A1"].value == '=HYPERLINK("http://evil.invalid","点我")'
    assert back["A2"].value == "标题含控制字符"
    assert back["A3"].value == 12.5


def test_sheet_names_are_valid_and_unique():
    taken: set[str] = set()
    assert _sheet_name("a/b:c*d?[e]", taken) == "a_b_c_d__e_"
    long = "很长的指标名称" * 6
    first, second = _sheet_name(long, taken), _sheet_name(long, taken)
    assert len(first) == 31 and len(second) == 31 and first != second


def _unit(uid: str, total: float | None, *, failed=False, assessed=True, vetoes=()) -> dict:
    return {
        "id": uid, "name": uid.upper(), "category": "county", "assessed": assessed,
        "failed": failed, "total": total,
        "scores": {"网站规范": {"score": total, "max": 100, "items": []}},
        "vetoes": [{"indicator": v, "detail": v} for v in vetoes], "findings": [],
    }  # fmt: skip


def test_ranks_passing_first_ties_shared_vetoed_after():
    units = [
        _unit("a", 80), _unit("b", 90, failed=True, vetoes=["首页不更新"]), _unit("c", 80),
        _unit("d", 95), _unit("e", None, assessed=False), _unit("f", 40, failed=True),
    ]  # fmt: skip
    manual = {("c", "办事服务"): ManualScore("c", "办事服务", 5, "", 2)}
    rubrics = {"county": {"pass_score": 60}}
    rows = rank_units(units, manual, rubrics)
    assert [(r.unit["id"], r.rank, r.total, r.verdict) for r in rows] == [
        ("d", 1, 95, "合格"), ("c", 2, 85, "合格"), ("a", 3, 80, "合格"),
        ("b", 4, 90, "不合格"), ("f", 5, 40, "不合格"), ("e", None, None, "未评估"),
    ]  # fmt: skip
    remarks = {r.unit["id"]: r.remark for r in rows}
    assert remarks["b"].startswith("单项否决：首页不更新")
    assert remarks["f"].startswith("自动评分低于合格线（60 分）")
    assert "缺少人工评分" in remarks["a"] and "办事服务" not in remarks["c"].split("：")[-1]
    ties = rank_units([_unit("x", 70), _unit("y", 70), _unit("z", 60)], {}, rubrics)
    assert [r.rank for r in ties] == [1, 1, 3]
    assert all(r.remark == "" for r in ties)  # no manual file: not repeated on every row


# --- evidence references ---------------------------------------------------------------------


def test_embedded_refs_name_the_url_they_stand_for():
    finding = {
        "urls": ["http://a.test/dead", "http://a.test/"],
        "evidence": {
            "status": 404,
            "checked_at": "2026-11-20T01:02:03+00:00",
            "warc": {"warc_file": "warc/u/run-1.warc.gz", "warc_offset": 10},
            "pages": [
                {"url": "http://a.test/p", "fetched_at": "2026-11-20T01:00:00Z",
                 "warc": {"warc_file": "warc/u/run-1.warc.gz", "warc_offset": 20}},
            ],
        },
    }  # fmt: skip
    refs = embedded_refs(finding)
    assert [(r.url, r.warc_offset, r.status) for r in refs] == [
        ("http://a.test/dead", 10, 404),
        ("http://a.test/p", 20, None),
    ]
    stored = {
        "http://a.test/": EvidenceRef(
            "http://a.test/", "warc/u/run-1.warc.gz", 0, "2026-11-20T00:59:00+00:00", 200
        )
    }
    got = finding_refs(finding, stored, Path("/nonexistent"))
    assert [r.url for r in got] == ["http://a.test/dead", "http://a.test/", "http://a.test/p"]
    assert got[1].status == 200 and got[1].fetched_local == "2026-11-20 08:59:00"
    no_record = finding_refs({"urls": ["http://feed.test/x"], "evidence": {}}, {}, Path("."))
    assert no_record[0].record is None


def test_links_are_escaped_and_only_http():
    assert str(link('http://a.test/?q="<b>"')) == (
        '<a href="http://a.test/?q=&#34;&lt;b&gt;&#34;">http://a.test/?q=&#34;&lt;b&gt;&#34;</a>'
    )
    assert str(link("javascript:alert(1)")) == "javascript:alert(1)"
    html = render("_style.html")
    assert "Noto Sans CJK SC" in html


def test_chart_falls_back_to_english_without_a_cjk_font(monkeypatch):
    q3 = PeriodResult(Period(2026, 3), 1, date(2026, 8, 1), 70, {}, False, 3)
    points = [TrendPoint(Period(2026, 3), q3), TrendPoint(Period(2026, 4), None)]
    png, warning = chart.trend_png(points, [])
    assert png[:4] == b"\x89PNG" and warning is None
    monkeypatch.setattr(chart, "cjk_font", lambda: None)
    png, warning = chart.trend_png(points, [])
    assert png[:4] == b"\x89PNG" and "fonts-noto-cjk" in warning
    assert chart.trend_png([TrendPoint(Period(2026, 4), None)], []) == (None, None)


# --- an evidence pack from hand-written WARC files -------------------------------------------


def _warc(path: Path, gzip: bool, url: str, body: bytes) -> int:
    """Append one response record; return its offset."""
    with path.open("ab") as fh:
        offset = fh.tell()
        writer = WARCWriter(fh, gzip=gzip)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=gbk")], "HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(
                url, "response", payload=io.BytesIO(body), http_headers=headers
            )
        )
    return offset


def test_evidence_pack_copies_records_and_verifies(tmp_path):
    data_dir = tmp_path / "var"
    (data_dir / "warc").mkdir(parents=True)
    gz, plain = data_dir / "warc" / "a.warc.gz", data_dir / "warc" / "b.warc"
    _warc(gz, True, "http://a.test/first", b"<p>first</p>")
    body = "<html><title>标题</title><script>x()</script><p>栏目建设中</p></html>".encode("gbk")
    second = _warc(gz, True, "http://a.test/", body)
    third = _warc(plain, False, "http://a.test/plain", b"<p>plain</p>")
    original = gz.read_bytes()
    first = {"warc_file": "warc/a.warc.gz", "warc_offset": second}
    plain_ref = {"warc_file": "warc/b.warc", "warc_offset": third}
    gone_ref = {"warc_file": "warc/gone.warc.gz", "warc_offset": 0}
    findings = [
        {"id": 1, "check": "c", "indicator": "空白栏目", "rule": "column_blank",
         "severity": "deduction", "count": 1, "message": "栏目为空", "urls": ["http://a.test/"],
         "evidence": {"page": "http://a.test/", "fetched_at": "2026-11-20T01:00:00+00:00",
                      "warc": first}},
        {"id": 2, "check": "c", "indicator": "其他", "rule": "x", "severity": "notice", "count": 1,
         "message": "m", "urls": ["http://a.test/plain", "http://a.test/gone"],
         "evidence": {"pages": [{"url": "http://a.test/plain", "warc": plain_ref},
                                {"url": "http://a.test/gone", "warc": gone_ref}]}},
    ]  # fmt: skip
    unit = {
        "id": "u", "name": "单位", "category": "county", "website": "http://a.test/",
        "site_code": None, "assessed": True, "failed": False, "total": 99.0, "max": 100.0,
        "scores": {"网站日常管理": {"score": 39, "max": 40, "items": [{"deductions": [
            {"finding_id": 1, "points": 1}]}]}},
        "vetoes": [], "findings": findings, "crawl": {"run": 1},
    }  # fmt: skip
    refs = {f["id"]: finding_refs(f, {}, data_dir) for f in findings}
    report = build_unit_report(
        unit, period=Period(2026, 4), as_of=date(2026, 11, 20), run_id=7,
        generated="2026-11-21 08:00", history={}, refs=refs,
    )  # fmt: skip
    out = tmp_path / "u.zip"
    write_evidence_pack(report, data_dir, out)
    assert gz.read_bytes() == original  # the source is only read
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "x")
    folder = tmp_path / "x" / "u-2026Q4-evidence"
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    pack = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    records = {r["number"]: r for r in pack["records"]}
    assert records[1]["recompressed"] is False and records[2]["recompressed"] is True
    assert records[3]["error"].startswith("FileNotFoundError")
    blank = pack["findings"][0]["evidence_records"][0]
    assert pack["findings"][0]["points"] == 1
    warc = folder / "evidence.warc.gz"
    for ref in [blank, pack["findings"][1]["evidence_records"][0]]:
        with warc.open("rb") as fh:
            fh.seek(ref["warc_offset"])
            record = next(iter(ArchiveIterator(fh, check_digests=True)))
            assert record.rec_headers.get_header("WARC-Target-URI") == ref["url"]
            record.content_stream().read()
            assert record.digest_checker.passed is not False
    # The copied gzip member is byte for byte the original one.
    copied = warc.read_bytes()[blank["warc_offset"] :][: records[1]["length"]]
    assert copied == original[second : second + records[1]["length"]]
    assert hashlib.sha256(copied).hexdigest() == records[1]["sha256"]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "栏目建设中" in index and "x()" not in index  # visible text, decoded from GBK
    assert pack["findings"][1]["evidence_records"][1]["record"] is None
