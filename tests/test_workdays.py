"""Working days with the State Council's holidays and 调休 (checks/workdays.py) and the checks
that count them: interpretation_late (3 working days) and disclosure_late (20 working days)."""

from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest

from govinspect.checks import disclosure, interpretation, workdays
from govinspect.checks.facts import PageFact
from govinspect.checks.workdays import (
    add_working_days,
    calendar_basis,
    is_working_day,
    working_days_between,
)
from tests.test_checks_disclosure import policy_facts
from tests.test_checks_fixtures import SITE, by_rule, county_rubric
from tests.test_checks_interpretation import DOC_BODY, I_TITLE, INTERP_BODY, TITLE, Site

RUBRIC = county_rubric()
BEYOND = workdays.LAST_YEAR + 1  # a year the installed chinesecalendar does not know


@pytest.fixture
def fresh_warnings(monkeypatch):
    """Each test sees the once-per-year fallback warning again."""
    monkeypatch.setattr(workdays, "_warned", set())


# --- the calendar -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 14), True),  # Saturday, 调休上班 before 春节
        (date(2026, 2, 16), False),  # Monday in 春节
        (date(2026, 2, 28), True),  # Saturday, 调休上班 after 春节
        (date(2025, 1, 26), True),  # Sunday, 调休上班
        (date(2025, 10, 8), False),  # Wednesday in 国庆
        (date(2025, 10, 11), True),  # Saturday, 调休上班 after 国庆
        (date(2026, 9, 20), True),  # Sunday, 调休上班 before 国庆
        (date(2026, 10, 7), False),  # Wednesday in 国庆
        (date(2026, 11, 21), False),  # an ordinary Saturday
        (date(2026, 11, 20), True),  # an ordinary Friday
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        # A make-up Saturday counts: Friday -> Monday over 2025-10-11 is 2, not 1.
        (date(2025, 10, 10), date(2025, 10, 13), 2),
        # A make-up Sunday counts: Friday -> Monday over 2026-09-20.
        (date(2026, 9, 18), date(2026, 9, 21), 2),
        # The eve of 春节 to the first working day after it: 1 (Mon-Fri would say 7).
        (date(2026, 2, 14), date(2026, 2, 24), 1),
        (date(2025, 1, 27), date(2025, 2, 5), 1),
        # The eve of 国庆 to the first working day after it.
        (date(2025, 9, 30), date(2025, 10, 9), 1),
        (date(2026, 9, 30), date(2026, 10, 8), 1),
        # Inside the holiday nothing is counted; backwards is negative.
        (date(2026, 2, 15), date(2026, 2, 23), 0),
        (date(2026, 2, 24), date(2026, 2, 14), -1),
        # 20 working days across 春节 2026 span 34 calendar days (Mon-Fri would say 25).
        (date(2026, 2, 14), date(2026, 3, 20), 20),
    ],
)
def test_working_days_between_holidays(start, end, days):
    assert working_days_between(start, end) == days


def test_add_working_days():
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)
    assert add_working_days(date(2026, 9, 30), 3) == date(2026, 10, 10)  # the make-up Saturday
    assert add_working_days(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert add_working_days(date(2026, 2, 16), 0) == date(2026, 2, 16)
    for start in (date(2025, 1, 20), date(2025, 9, 26), date(2026, 2, 10), date(2026, 9, 24)):
        for n in range(0, 25):
            assert working_days_between(start, add_working_days(start, n)) == n


def test_covered_years_need_no_fallback():
    basis = calendar_basis([(date(2025, 1, 27), date(2026, 2, 24))])
    assert basis["fallback_years"] == []
    assert basis["calendar"] == f"chinesecalendar {workdays.VERSION}"
    assert workdays.FIRST_YEAR <= 2025 and workdays.LAST_YEAR >= 2026


def test_year_past_the_library_falls_back_to_monday_to_friday(fresh_warnings, caplog):
    first = date(BEYOND, 1, 1)
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    caplog.set_level(logging.WARNING, logger="govinspect.workdays")
    assert is_working_day(monday) and not is_working_day(monday + timedelta(days=5))
    assert working_days_between(monday, monday + timedelta(days=14)) == 10
    (record,) = [r for r in caplog.records if r.name == "govinspect.workdays"]
    assert str(BEYOND) in record.getMessage() and "pip install -U chinesecalendar" in (
        record.getMessage()
    )
    # Once per year and process: counting again logs nothing more.
    working_days_between(monday, monday + timedelta(days=30))
    assert len([r for r in caplog.records if r.name == "govinspect.workdays"]) == 1
    basis = calendar_basis([(date(BEYOND - 1, 12, 20), monday)])
    assert basis["fallback_years"] == [BEYOND]


# --- the checks around 春节 and 国庆 -------------------------------------------------------------


def interpretation_findings(doc_day: date, interp_day: date, as_of: date):
    site = Site()
    doc = site.add("zcwj", 1, TITLE, doc_day, DOC_BODY)
    interp = site.add("zcjd", 1, I_TITLE, interp_day, INTERP_BODY)
    site.link(doc, interp, "相关解读")
    site.link(interp, doc, "相关文件")
    return interpretation.check(site.facts(), as_of, RUBRIC).findings


@pytest.mark.parametrize(
    ("doc_day", "interp_day"),
    [
        (date(2025, 1, 27), date(2025, 2, 5)),  # 春节 2025
        (date(2026, 2, 14), date(2026, 2, 24)),  # 春节 2026 (the eve is a make-up Saturday)
        (date(2025, 9, 30), date(2025, 10, 9)),  # 国庆 2025
        (date(2026, 9, 30), date(2026, 10, 8)),  # 国庆 2026
    ],
)
def test_interpretation_after_the_holiday_is_on_time(doc_day, interp_day):
    """Published the day before the holiday, interpreted on the first working day after it."""
    assert interpretation_findings(doc_day, interp_day, interp_day + timedelta(days=30)) == []


def test_interpretation_late_over_a_make_up_saturday():
    # Thursday 2025-10-09 -> Wednesday 10-15: 10, 11 (Saturday, 调休上班), 13, 14, 15 = 5 > 3.
    (finding,) = interpretation_findings(date(2025, 10, 9), date(2025, 10, 15), date(2025, 11, 1))
    assert finding.rule == "interpretation_late"
    assert finding.evidence["working_days"] == 5
    assert finding.evidence["fallback_years"] == []
    assert "调休上班日计为工作日" in finding.message and "周一至周五" not in finding.message


def test_interpretation_late_in_an_unknown_year_says_so(fresh_warnings):
    first = date(BEYOND, 3, 1)
    monday = first + timedelta(days=(7 - first.weekday()) % 7)
    (finding,) = interpretation_findings(
        monday, monday + timedelta(days=9), monday + timedelta(days=30)
    )
    assert finding.evidence["working_days"] == 7
    assert finding.evidence["fallback_years"] == [BEYOND]
    assert f"{BEYOND} 年的节假日安排尚未收录，按周一至周五计" in finding.message


def disclosure_findings(written: date, published: date, as_of: date):
    meta = {
        "disclosure": {
            "索引号": "1",
            "发布机构": "x",
            "成文日期": written.isoformat(),
            "发文字号": "示政〔2026〕1号",
        },
        "written": written.isoformat(),
    }
    page = PageFact(url=f"{SITE}p.html", title="关于X的通知", published=published, meta=meta)
    result = disclosure.check(policy_facts({page.url: page}), as_of, RUBRIC)
    return by_rule(result.findings, "disclosure_late")


@pytest.mark.parametrize(
    ("written", "published"),
    [
        (date(2026, 1, 30), date(2026, 3, 5)),  # across 春节 2026: 20 (Mon-Fri: 24)
        (date(2026, 2, 14), date(2026, 3, 20)),  # from its make-up Saturday: 20 (Mon-Fri: 25)
        (date(2025, 9, 19), date(2025, 10, 23)),  # across 国庆 2025: 20 (Mon-Fri: 24)
        (date(2026, 9, 30), date(2026, 11, 3)),  # across 国庆 2026: 20 (Mon-Fri: 24)
    ],
)
def test_disclosure_within_twenty_working_days_across_holidays(written, published):
    assert disclosure_findings(written, published, published + timedelta(days=10)) == []
    # One working day more is late, and the finding counts with the holiday calendar.
    later = add_working_days(published, 1)
    (finding,) = disclosure_findings(written, later, later + timedelta(days=10))
    assert finding.evidence["documents"][0]["working_days"] == 21
    assert finding.evidence["fallback_years"] == []


def test_check_run_records_the_calendar(tmp_path):
    from govinspect.checks.run import _calendar

    info = _calendar(date(BEYOND, 3, 1), {"county": RUBRIC})
    assert info["library"] == "chinesecalendar" and info["version"] == workdays.VERSION
    assert info["last_year"] == workdays.LAST_YEAR
    assert info["fallback_years"] == [BEYOND]
    assert _calendar(date(2026, 11, 20), {"county": RUBRIC})["fallback_years"] == []
