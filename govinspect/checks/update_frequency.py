"""Update figures per column and per site, their trend, and early warnings (预警).

Figures: items in the last 7/30/90 days, the median gap between items and the longest gap in
the quarter before the as-of date; the trend compares them with the previous crawl (counted
back from that crawl's own date).  Early warnings (severity ``warning``, never points) name
every column that will cross its update window within the next days, and the homepage once it
has gone longer than the warning line without an update, so the office can act before the
assessment rather than after it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from govinspect.checks.column_freshness import ColumnState, column_states
from govinspect.checks.facts import UnitFacts
from govinspect.checks.findings import CheckResult, Reporter
from govinspect.checks.homepage_update import deadline, homepage_state
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import label

CHECK = "update_frequency"


def series_stats(
    dates: Iterable[date], as_of: date, periods: Iterable[int], quarter: int
) -> dict[str, Any]:
    """Counts per period (days ending on as-of), median and longest gap within the quarter."""
    ordered = sorted(d for d in dates if d <= as_of)
    stats: dict[str, Any] = {
        f"items_{n}d": sum(1 for d in ordered if (as_of - d).days < n) for n in periods
    }
    recent = [d for d in ordered if (as_of - d).days < quarter]
    gaps = [(b - a).days for a, b in zip(recent, recent[1:], strict=False)]
    points = [as_of - timedelta(days=quarter), *recent, as_of]
    stats["median_gap_days"] = statistics.median(gaps) if gaps else None
    stats["longest_gap_days"] = max((b - a).days for a, b in zip(points, points[1:], strict=False))
    stats["last"] = ordered[-1].isoformat() if ordered else None
    return stats


def _trend(now: dict[str, Any], before: dict[str, Any], periods: Iterable[int]) -> dict[str, Any]:
    return {
        f"items_{n}d": {
            "previous": before[f"items_{n}d"],
            "change": now[f"items_{n}d"] - before[f"items_{n}d"],
        }
        for n in periods
    }


def _site_dates(facts: UnitFacts) -> list[date]:
    seen: dict[str, date] = {}
    for column in facts.columns:
        for item in column.items:
            if item.published is not None:
                seen.setdefault(item.url or f"{column.url}#{item.title}", item.published)
    return list(seen.values())


def _figures(facts: UnitFacts, as_of: date, rubric: Rubric) -> dict[str, Any]:
    t = rubric.thresholds.frequency
    periods, quarter = t.periods, t.quarter_days
    columns: dict[str, Any] = {}
    for column in facts.columns:
        if not column.is_list or column.script_filled:
            continue
        dates = [i.published for i in column.items if i.published is not None]
        columns[column.url] = series_stats(dates, as_of, periods, quarter)
    site = series_stats(_site_dates(facts), as_of, periods, quarter)
    figures: dict[str, Any] = {"site": site, "columns": columns, "previous_run": None}
    previous = facts.previous
    if previous is not None:
        day = previous.crawl.day
        figures["previous_run"] = {"id": previous.crawl.id, "date": day.isoformat()}
        site_before = series_stats(
            [d for ds in previous.item_dates.values() for d in ds], day, periods, quarter
        )
        site["trend"] = _trend(site, site_before, periods)
        for url, stats in columns.items():
            if url in previous.item_dates:
                before = series_stats(previous.item_dates[url], day, periods, quarter)
                stats["trend"] = _trend(stats, before, periods)
    return figures


def _warn_column(reporter: Reporter, state: ColumnState) -> None:
    column = state.column
    reporter.add(
        "column_warning",
        subject=column.url,
        fingerprint={"newest": state.newest},
        urls=[column.url],
        evidence={
            "column": column.name,
            "type": column.type,
            "newest": state.newest,
            "window_days": state.window,
            "days_left": state.days_left,
            "deadline": state.deadline,
        },
        name=column.name,
        type_label=label("column_types", column.type),
        newest=state.newest,
        days_left=state.days_left,
        deadline=state.deadline,
        window=state.window,
    )


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    warning_days = rubric.thresholds.frequency.warning_days
    reporter = Reporter(CHECK, rubric)
    for state in column_states(facts, as_of, rubric):
        if state.days_left is not None and state.days_left < warning_days:
            _warn_column(reporter, state)
    home = homepage_state(facts, as_of, rubric)
    window = rubric.thresholds.homepage.max_age_days
    limit = rubric.thresholds.warnings.homepage_age_days
    if home.newest is not None and not home.stale and home.age is not None and home.age > limit:
        days_left = window - home.age
        reporter.add(
            "homepage_warning",
            subject="homepage",
            fingerprint={"newest": home.newest},
            urls=[facts.homepage.url if facts.homepage else facts.unit.website],
            evidence={
                "newest": home.newest,
                "source": home.source,
                "age_days": home.age,
                "days_left": days_left,
                "warning_days": limit,
                "window_days": window,
            },
            newest=home.newest,
            age=home.age,
            days_left=days_left,
            deadline=deadline(home, rubric),
            window=window,
            stale_severity=label("severities", rubric.rule("homepage_stale").severity),
        )
    reporter.result.report["update_frequency"] = _figures(facts, as_of, rubric)
    return reporter.result
