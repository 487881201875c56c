"""The 互动交流 section of the self-check report (model, HTML, DOCX) from an export's unit."""

from __future__ import annotations

from datetime import date

from docx import Document

from govinspect.reports.model import build_unit_report, interaction_rows
from govinspect.reports.period import Period
from govinspect.reports.render import self_check_html
from govinspect.reports.word import write_docx

INTERACTION = {
    "letters": {
        "column_url": "http://sfx.example/hdjl/xzxx/",
        "script_filled": False,
        "messages": 12,
        "newest_reply": "2026-11-18",
        "unanswered": [
            {
                "url": "http://sfx.example/a.html",
                "asked": "2026-07-10",
                "replied": None,
                "days": 133,
            }
        ],
        "missing_fields": [],
        "latency": {"median_working_days": 2.0, "within_limit_share": 0.75, "limit": 5},
    },
    "consultations": [
        {
            "title": "停车管理办法",
            "url": "http://sfx.example/c.html",
            "start": "2026-09-15",
            "end": "2026-09-25",
            "days": 10,
            "feedback_url": None,
            "problems": ["too_short", "no_feedback"],
        },
    ],  # fmt: skip
    "interviews": {"column_url": "http://sfx.example/zxft/", "count_365d": 0, "newest": None},
}


def unit() -> dict:
    return {
        "id": "county", "name": "示范县人民政府", "category": "county", "assessed": True,
        "website": "http://sfx.example/", "site_code": "4102210001",
        "failed": True, "total": 80.0, "max": 115.0,
        "scores": {"互动交流": {"score": 7.5, "max": 15, "items": []}},
        "vetoes": [{"indicator": "互动回应差", "detail": "…", "finding_id": 1}],
        "findings": [], "interaction": INTERACTION,
    }  # fmt: skip


def test_rows_say_what_the_export_says():
    letters, consultation, interviews = interaction_rows(INTERACTION)
    assert "公开留言 12 条" in letters.value and "超过三个月未答复 1 条" in letters.value
    assert "75%" in letters.value and letters.problem
    assert "（10 天）" in consultation.value and "征集期限不足、未公开反馈" in consultation.value
    assert interviews.value.startswith("近一年 0 次") and interviews.problem
    assert interaction_rows(None) == ()
    script = {**INTERACTION, "letters": {**INTERACTION["letters"], "script_filled": True}}
    assert "脚本加载" in interaction_rows(script)[0].value


def test_html_and_docx_show_the_section(tmp_path):
    report = build_unit_report(
        unit(), period=Period(2026, 4), as_of=date(2026, 11, 20), run_id=1,
        generated="2026-11-20", history={}, refs={},
    )  # fmt: skip
    html = self_check_html(report)
    assert "七、互动交流" in html and "征集期限不足" in html and "互动交流" in html
    path = tmp_path / "r.docx"
    write_docx(report, path)
    texts = [p.text for p in Document(str(path)).paragraphs]
    cells = [c.text for t in Document(str(path)).tables for row in t.rows for c in row.cells]
    assert "七、互动交流" in texts and any("超过三个月未答复 1 条" in c for c in cells)
