"""The quarterly self-check publication check (自查整改情况) on hand-made facts.

The demo town (tests/test_demo_accuracy.py) checks it end to end; these pin the title forms,
the year-less titles, the deadline edge and the configurable deadline month.
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from govinspect.checks import self_check
from govinspect.checks.facts import ItemFact
from govinspect.checks.rubric import RUBRICS, parse_rubric
from govinspect.checks.self_check import Quarter, judged_quarters, post_quarter
from tests.test_checks_fixtures import SITE, by_rule, column, county_rubric, facts

RUBRIC = county_rubric()


def rubric_with(**self_check: int):
    data = yaml.safe_load((RUBRICS / "county.yaml").read_text(encoding="utf-8"))
    data["thresholds"]["self_check"].update(self_check)
    return parse_rubric(data, "test")


@pytest.mark.parametrize(
    ("title", "published", "quarter"),
    [
        ("2021年第一季度政府网站自查整改情况报告", date(2021, 5, 20), Quarter(2021, 1)),
        (
            "关于2026年第三季度政府网站和政务新媒体检查情况的通报",
            date(2026, 10, 9),
            Quarter(2026, 3),
        ),
        ("二〇二五年第四季度政府网站检查情况通报", date(2026, 2, 1), Quarter(2025, 4)),
        ("2026年2季度网站自查情况", None, Quarter(2026, 2)),
        # No year: the latest quarter of that number ended by the post's date.
        ("第二季度政府网站自查整改情况", date(2026, 8, 10), Quarter(2026, 2)),
        ("第二季度政府网站自查整改情况", date(2026, 6, 15), Quarter(2025, 2)),
        ("第二季度政府网站自查整改情况", None, None),
        # Not self-check posts: no report word, or no website.
        ("2026年第一季度经济运行情况", date(2026, 4, 20), None),
        ("2026年第一季度安全生产检查情况通报", date(2026, 4, 20), None),
    ],
)
def test_post_titles(title, published, quarter):
    assert post_quarter(title, published) == quarter


def test_a_quarter_is_judged_only_after_its_deadline():
    # Q1 2026 is due by 31 May 2026 (end of the 2nd month of the next quarter).
    assert Quarter(2026, 1) not in dict(judged_quarters(date(2026, 5, 31), RUBRIC))
    judged = dict(judged_quarters(date(2026, 6, 1), RUBRIC))
    assert judged[Quarter(2026, 1)] == date(2026, 5, 31)
    # Q4 is due by the end of February of the next year.
    assert dict(judged_quarters(date(2026, 3, 1), RUBRIC))[Quarter(2025, 4)] == date(2026, 2, 28)


def test_the_deadline_month_is_configurable():
    early = rubric_with(deadline_month=1)
    assert dict(judged_quarters(date(2026, 5, 1), early))[Quarter(2026, 1)] == date(2026, 4, 30)
    late = rubric_with(deadline_month=3)
    assert Quarter(2026, 1) not in dict(judged_quarters(date(2026, 6, 30), late))


def test_missing_quarters_are_flagged_and_posts_found_in_any_column():
    # Judged: quarters begun within a year (lookback_days) whose deadline has passed; Q3 2026
    # is due on 30 November.
    as_of = date(2026, 9, 20)
    posts = (
        ItemFact(
            title="示范县2025年第四季度政府网站自查整改情况报告",
            url=f"{SITE}wzgl/a1.html",
            published=date(2026, 2, 20),
            date_source="list",
        ),
        ItemFact(
            title="关于2026年第二季度政府网站和政务新媒体检查情况的通报",
            url=f"{SITE}wzgl/a2.html",
            published=date(2026, 9, 3),  # after its deadline (31 August): late, not missing
            date_source="list",
        ),
    )
    manage = column("网站管理", "notice", item_facts=posts, url=f"{SITE}wzgl/")
    result = self_check.check(facts(columns=(manage,)), as_of, RUBRIC)
    rows = {r["quarter"]: r for r in result.report["self_check"]["quarters"]}
    assert sorted(rows) == ["2025Q4", "2026Q1", "2026Q2"]
    assert rows["2025Q4"]["post"]["late"] is False
    assert rows["2026Q2"]["post"]["late"] is True and not rows["2026Q2"]["missing"]
    assert rows["2026Q1"]["missing"] and rows["2026Q1"]["deadline"] == "2026-05-31"
    (missing,) = by_rule(result.findings, "self_check_missing")
    assert missing.subject == "quarter:2026Q1"
    assert missing.evidence["columns"] == [f"{SITE}wzgl/"]
    assert "2026" in missing.message and "第一季度" in missing.message
