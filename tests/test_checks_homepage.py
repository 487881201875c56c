"""首页不更新: 14-day window, navigation homepages, undated items, and the early warning."""

from __future__ import annotations

from datetime import timedelta

import pytest

from govinspect.checks import homepage_update, update_frequency
from govinspect.checks.facts import PageFact
from tests.test_checks_fixtures import (
    AS_OF,
    SITE,
    by_rule,
    column,
    county_rubric,
    crawl,
    facts,
    homepage,
    rules,
)

RUBRIC = county_rubric()


def run(**kw):
    return homepage_update.check(facts(**kw), AS_OF, RUBRIC)


@pytest.mark.parametrize(("days", "stale"), [(13, False), (14, False), (15, True)])
def test_fourteen_day_window_edges(days, stale):
    result = run(homepage=homepage(AS_OF - timedelta(days=days)))
    assert (rules(result.findings) == ["homepage_stale"]) is stale
    assert result.report["homepage"]["age_days"] == days
    assert result.report["homepage"]["last_update"] == (AS_OF - timedelta(days=days)).isoformat()
    if stale:
        finding = result.findings[0]
        assert finding.severity == "veto"
        assert finding.urls == (SITE,)
        assert "15 天" in finding.message


def test_navigation_homepage_uses_the_first_level_columns():
    columns = (
        column("要闻", "news", 20),
        column("通知公告", "notice", 3),
        column("科室动态", "news", 1, level=2),  # second level: not looked at
    )
    result = run(homepage=homepage(None), columns=columns)
    assert result.findings == []
    assert result.report["homepage"]["source"] == "columns"
    assert result.report["homepage"]["age_days"] == 3


def test_navigation_homepage_with_stale_first_level_columns_is_a_veto():
    columns = (column("要闻", "news", 20), column("科室动态", "news", 1, level=2))
    result = run(homepage=homepage(None), columns=columns)
    (veto,) = by_rule(result.findings, "homepage_stale")
    assert veto.evidence["source"] == "columns"
    assert veto.evidence["age_days"] == 20


def test_undated_items_count_as_not_updated():
    columns = (column("要闻", "news", None), column("通知公告", "notice", None))
    result = run(homepage=homepage(None), columns=columns)
    (veto,) = result.findings
    assert veto.rule == "homepage_stale" and veto.severity == "veto"
    assert "无日期" in veto.message


def test_script_filled_columns_cannot_judge_a_navigation_homepage():
    columns = (column("要闻", "news", None, script_filled=True, items=0),)
    result = run(homepage=homepage(None), columns=columns)
    assert rules(result.findings) == ["homepage_unknown"]
    assert result.findings[0].severity == "notice"


def test_homepage_not_fetched_is_unknown_not_stale():
    broken = PageFact(url=SITE, is_homepage=True, status=503, state="error")
    result = run(homepage=broken)
    assert rules(result.findings) == ["homepage_unknown"]


def test_run_summary_newest_is_used_when_the_page_meta_lacks_it():
    page = homepage(None)
    result = run(
        homepage=page, crawl=crawl(homepage_newest=(AS_OF - timedelta(days=30)).isoformat())
    )
    assert rules(result.findings) == ["homepage_stale"]


def test_items_newer_than_as_of_do_not_count():
    # Crawled after the as-of date: the homepage newest item is later than as-of, so the
    # first-level columns decide, counting only items dated on or before as-of.
    later = homepage(AS_OF + timedelta(days=3))
    columns = (column("要闻", "news", -3, items=1), column("通知", "notice", 16, items=1))
    result = run(homepage=later, columns=columns)
    assert rules(result.findings) == ["homepage_stale"]
    assert result.findings[0].evidence["age_days"] == 16


@pytest.mark.parametrize(("days", "warned"), [(10, False), (11, True), (14, True), (15, False)])
def test_early_warning_after_ten_days_below_the_veto(days, warned):
    result = update_frequency.check(
        facts(homepage=homepage(AS_OF - timedelta(days=days))), AS_OF, RUBRIC
    )
    found = by_rule(result.findings, "homepage_warning")
    assert bool(found) is warned
    if warned:
        assert found[0].severity == "warning"
        assert found[0].evidence["days_left"] == 14 - days
        assert "预警" in found[0].message
