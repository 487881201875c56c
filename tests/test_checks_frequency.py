"""Update figures (7/30/90 days, gaps), trend against the previous crawl, early warnings."""

from __future__ import annotations

from datetime import timedelta

import pytest

from govinspect.checks import update_frequency
from govinspect.checks.facts import CrawlInfo, PreviousCrawl
from govinspect.checks.update_frequency import series_stats
from tests.test_checks_fixtures import (
    AS_OF,
    by_rule,
    column,
    county_rubric,
    crawl,
    facts,
    item,
)

RUBRIC = county_rubric()


def days(*ages):
    return [AS_OF - timedelta(days=a) for a in ages]


def test_series_stats_by_hand():
    stats = series_stats(days(0, 6, 7, 29, 30, 89, 90, 200), AS_OF, (7, 30, 90), 90)
    assert stats["items_7d"] == 2  # ages 0 and 6
    assert stats["items_30d"] == 4  # + 7 and 29
    assert stats["items_90d"] == 6  # + 30 and 89
    # gaps between the 6 items inside the quarter: 0->6->7->29->30->89 (oldest first)
    assert stats["median_gap_days"] == 6  # gaps 59, 1, 22, 1, 6 -> median 6
    # longest gap: from the quarter start (age 90) to age 89 is 1; 30 -> 89 is 59
    assert stats["longest_gap_days"] == 59
    assert stats["last"] == AS_OF.isoformat()


def test_series_stats_without_items():
    stats = series_stats([], AS_OF, (7, 30), 90)
    assert stats == {
        "items_7d": 0,
        "items_30d": 0,
        "median_gap_days": None,
        "longest_gap_days": 90,
        "last": None,
    }


def test_future_items_are_not_counted():
    stats = series_stats(days(-3, 2), AS_OF, (7,), 90)
    assert stats["items_7d"] == 1


def test_site_and_column_figures_with_trend():
    news = column(
        "要闻",
        "news",
        item_facts=(
            item("a", 1, "https://www.sfx.gov.cn/a.html"),
            item("b", 3, "https://www.sfx.gov.cn/b.html"),
            item("c", 40, "https://www.sfx.gov.cn/c.html"),
        ),
    )
    notice = column(
        "通知",
        "notice",
        item_facts=(
            item("d", 2, "https://www.sfx.gov.cn/d.html"),
            item("a again", 1, "https://www.sfx.gov.cn/a.html"),  # same page listed twice
        ),
    )
    before = CrawlInfo(id=7, started_at=crawl(AS_OF - timedelta(days=30)).started_at)
    previous = PreviousCrawl(
        crawl=before,
        item_dates={
            news.url: tuple(days(31, 33, 35, 40, 45)),  # 5 items within 30 days of the old crawl
        },
    )
    result = update_frequency.check(facts(columns=(news, notice), previous=previous), AS_OF, RUBRIC)
    figures = result.report["update_frequency"]
    assert figures["site"]["items_7d"] == 3  # a, b, d (a counted once)
    assert figures["site"]["items_30d"] == 3
    assert figures["previous_run"] == {"id": 7, "date": (AS_OF - timedelta(days=30)).isoformat()}
    news_figures = figures["columns"][news.url]
    assert news_figures["items_30d"] == 2
    assert news_figures["trend"]["items_30d"] == {"previous": 5, "change": -3}
    assert "trend" not in figures["columns"][notice.url]
    assert figures["site"]["trend"]["items_30d"] == {"previous": 5, "change": -2}


@pytest.mark.parametrize(
    ("ctype", "age", "warned", "days_left"),
    [
        ("news", 7, False, None),
        ("news", 8, True, 6),
        ("news", 14, True, 0),
        ("news", 15, False, None),  # already stale: a finding of its own, not a warning
        ("notice", 174, True, 6),
        ("notice", 173, False, None),
        ("personnel", 360, True, 5),
        ("other", 1000, False, None),
    ],
)
def test_column_early_warning(ctype, age, warned, days_left):
    col = column("栏目", ctype, age, items=1)
    result = update_frequency.check(facts(columns=(col,)), AS_OF, RUBRIC)
    found = by_rule(result.findings, "column_warning")
    assert bool(found) is warned
    if warned:
        (finding,) = found
        assert finding.severity == "warning"
        assert finding.evidence["days_left"] == days_left
        assert "预警" in finding.message and "栏目" in finding.message
