"""栏目不更新 / 空白栏目: windows per type and level, undated items, vetoes, script lists."""

from __future__ import annotations

import pytest

from govinspect.checks import column_freshness
from tests.test_checks_fixtures import (
    AS_OF,
    blank_column,
    by_rule,
    column,
    county_rubric,
    facts,
    rules,
)

RUBRIC = county_rubric()


def run(*columns):
    return column_freshness.check(facts(columns=tuple(columns)), AS_OF, RUBRIC)


@pytest.mark.parametrize(
    ("ctype", "level", "days", "stale"),
    [
        ("news", 1, 13, False),
        ("news", 1, 14, False),
        ("news", 1, 15, True),
        ("news", 2, 15, True),  # news windows apply at every level
        ("notice", 1, 180, False),
        ("notice", 1, 181, True),
        ("policy", 1, 181, True),
        ("notice", 2, 400, False),  # notice/policy windows: first level only
        ("personnel", 1, 365, False),
        ("personnel", 2, 366, True),
        ("plan", 1, 366, True),
        ("other", 1, 1000, False),  # no window for other columns
        ("interaction", 1, 1000, False),
    ],
)
def test_windows(ctype, level, days, stale):
    result = run(column("栏目", ctype, days, level=level))
    assert bool(by_rule(result.findings, f"column_stale_{ctype}")) is stale
    (row,) = result.report["columns"]
    assert row["stale"] is stale
    assert row["last_update"] == (AS_OF.fromordinal(AS_OF.toordinal() - days)).isoformat()


def test_stale_finding_says_what_and_how():
    result = run(column("工作动态", "news", 25))
    (finding,) = result.findings
    assert finding.severity == "deduction"
    assert finding.indicator == "动态要闻类栏目不更新"
    assert "工作动态" in finding.message and "25 天" in finding.message
    assert finding.evidence["window_days"] == 14 and finding.evidence["age_days"] == 25


def test_undated_items_count_as_not_updated():
    result = run(column("工作动态", "news", None, items=4))
    (finding,) = result.findings
    assert finding.rule == "column_stale_news"
    assert "没有发布日期" in finding.message
    assert result.report["columns"][0]["stale"] is True


def test_undated_column_without_window_is_only_a_notice():
    result = run(column("便民服务", "other", None, items=8))
    assert rules(result.findings) == ["column_undated"]
    assert result.findings[0].severity == "notice"


def test_script_filled_list_is_never_blank_or_stale():
    shell = column("乡镇动态", "news", None, items=0, script_filled=True, record_count=27)
    result = run(shell)
    assert rules(result.findings) == ["column_script_filled"]
    (row,) = result.report["columns"]
    assert row["blank"] is False and row["stale"] is False and row["script_filled"] is True


def test_content_page_is_not_judged():
    guide = column("政府信息公开指南", "disclosure_guide", None, items=0, is_list=False)
    assert run(guide).findings == []


@pytest.mark.parametrize(("blanks", "veto"), [(4, False), (5, True)])
def test_blank_columns_veto_at_five(blanks, veto):
    result = run(*(blank_column(f"空白{n}") for n in range(blanks)))
    assert len(by_rule(result.findings, "column_blank")) == blanks
    assert bool(by_rule(result.findings, "columns_blank_veto")) is veto
    if veto:
        (finding,) = by_rule(result.findings, "columns_blank_veto")
        assert finding.severity == "veto"
        assert len(finding.urls) == 5


@pytest.mark.parametrize(("stale", "veto"), [(4, False), (5, True)])
def test_key_columns_veto_at_five(stale, veto):
    columns = [column(f"动态{n}", "news", 20) for n in range(stale)]
    columns.append(column("通知公告", "notice", 3))
    result = run(*columns)
    assert bool(by_rule(result.findings, "columns_stale_key_veto")) is veto
    assert not by_rule(result.findings, "columns_stale_veto")


def test_second_level_stale_notice_is_not_a_key_column():
    columns = [column(f"动态{n}", "news", 20) for n in range(4)]
    columns.append(column("下级通知", "notice", 500, level=2))
    assert not by_rule(run(*columns).findings, "columns_stale_key_veto")


@pytest.mark.parametrize(("stale", "veto"), [(9, False), (10, True)])
def test_ten_stale_columns_veto(stale, veto):
    columns = [column(f"人事{n}", "personnel", 400) for n in range(stale)]
    result = run(*columns)
    assert bool(by_rule(result.findings, "columns_stale_veto")) is veto
    assert not by_rule(result.findings, "columns_stale_key_veto")


def test_items_after_as_of_are_ignored():
    # A crawl made after as-of lists an item from the future: the newest item on or before
    # as-of decides.
    col = column("工作动态", "news", -5, items=3)  # dated as_of+5, as_of+2, as_of-1
    result = run(col)
    assert result.findings == []
    assert result.report["columns"][0]["age_days"] == 1
