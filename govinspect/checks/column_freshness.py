"""栏目不更新 and 空白栏目: each column against the update window of its type.

Windows (rubric): 动态要闻 14 days, first-level 通知公告/政策文件 180 days, 人事/规划计划 365
days; an item without a date counts as not updated.  Vetoes: 5 or more stale key columns (news +
first-level notice/policy), 10 or more stale columns, 5 or more blank columns.  A list filled by
JavaScript is never blank or stale: its items are unknown, so it gets a notice instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from govinspect.checks.facts import ColumnFact, UnitFacts
from govinspect.checks.findings import CheckResult, Reporter, clean_url, page_evidence
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import join, label, phrase, stale_rule

CHECK = "column_freshness"


@dataclass(frozen=True, slots=True)
class ColumnState:
    """How one column stands on the as-of date."""

    column: ColumnFact
    judged: bool  # False: script-filled, a content page, or blank (no window applies)
    window: int | None  # days; None when the type has no window (or not at this level)
    newest: date | None  # newest item dated on or before as-of
    age: int | None
    stale: bool
    undated: bool  # it has items, none of them dated on or before as-of
    key: bool  # counts towards the "5 key columns" veto

    @property
    def days_left(self) -> int | None:
        """Days until the column crosses its window (0: the last day it is still fresh)."""
        if self.window is None or self.age is None or self.stale:
            return None
        return self.window - self.age

    @property
    def deadline(self) -> date | None:
        return self.newest + timedelta(days=self.window) if self.newest and self.window else None


def window_of(column: ColumnFact, rubric: Rubric) -> int | None:
    t = rubric.thresholds.columns
    window = t.windows.get(column.type)
    if window is None or (column.type in t.first_level_only and column.level != 1):
        return None
    return window


def newest_on(column: ColumnFact, as_of: date) -> date | None:
    """The newest item date not after as-of (a crawl made later may list newer items)."""
    if column.newest is not None and column.newest <= as_of:
        return column.newest
    dated = [i.published for i in column.items if i.published is not None and i.published <= as_of]
    return max(dated) if dated else None


def column_state(column: ColumnFact, as_of: date, rubric: Rubric) -> ColumnState:
    judged = column.is_list and not column.script_filled and not column.blank
    window = window_of(column, rubric) if judged else None
    newest = newest_on(column, as_of) if judged else None
    age = (as_of - newest).days if newest is not None else None
    undated = judged and newest is None and column.item_count > 0
    stale = window is not None and (undated or (age is not None and age > window))
    key = stale and column.type in rubric.thresholds.columns.key_types
    return ColumnState(column, judged, window, newest, age, stale, undated, key)


def column_states(facts: UnitFacts, as_of: date, rubric: Rubric) -> list[ColumnState]:
    return [column_state(c, as_of, rubric) for c in facts.columns]


def _blank(reporter: Reporter, column: ColumnFact, seen: dict) -> None:
    placeholder = phrase("placeholder_shown", text=column.placeholder) if column.placeholder else ""
    reporter.add(
        "column_blank",
        subject=column.url,
        fingerprint={"items": column.item_count, "placeholder": column.placeholder},
        urls=[column.url],
        evidence={
            "column": column.name,
            "type": column.type,
            "level": column.level,
            "placeholder": column.placeholder,
            "items": column.item_count,
            **seen,
        },
        name=column.name,
        placeholder=placeholder,
    )


def _stale(reporter: Reporter, state: ColumnState, seen: dict) -> None:
    column = state.column
    evidence = {
        "column": column.name,
        "type": column.type,
        "level": column.level,
        "newest": state.newest,
        "age_days": state.age,
        "window_days": state.window,
        "items": column.item_count,
        "undated_items": column.undated,
        **seen,
    }
    params = {
        "name": column.name,
        "type_label": label("column_types", column.type),
        "window": state.window,
    }
    if state.undated:
        reporter.add(
            stale_rule(column.type),
            subject=column.url,
            fingerprint={"newest": None, "items": column.item_count},
            urls=[column.url],
            evidence=evidence,
            variant="column_stale_undated",
            items=column.item_count,
            **params,
        )
    else:
        reporter.add(
            stale_rule(column.type),
            subject=column.url,
            fingerprint={"newest": state.newest},
            urls=[column.url],
            evidence=evidence,
            variant="column_stale",
            newest=state.newest,
            age=state.age,
            **params,
        )


def _veto(reporter: Reporter, rule: str, columns: list[ColumnFact], threshold: int) -> None:
    if len(columns) < threshold:
        return
    columns = sorted(columns, key=lambda c: c.url)  # stable words whatever the crawl's order
    reporter.add(
        rule,
        subject="columns",
        fingerprint={"columns": sorted(c.url for c in columns)},
        urls=[c.url for c in columns],
        evidence={
            "count": len(columns),
            "threshold": threshold,
            "columns": [{"name": c.name, "url": c.url, "type": c.type} for c in columns],
        },
        total=len(columns),
        names=join(c.name for c in columns),
        threshold=threshold,
    )


def _blank_warning(reporter: Reporter, blank: list[ColumnFact], rubric: Rubric) -> None:
    """预警: more blank columns than the warning line, still below the veto line."""
    limit, veto = rubric.thresholds.warnings.blank_columns, rubric.thresholds.columns.veto_blank
    if not limit < len(blank) < veto:
        return
    blank = sorted(blank, key=lambda c: c.url)  # the same words whatever order the crawl found them
    reporter.add(
        "columns_blank_warning",
        subject="columns:blank",
        fingerprint={"columns": sorted(c.url for c in blank)},
        urls=[c.url for c in blank],
        evidence={
            "count": len(blank),
            "threshold": limit,
            "veto": veto,
            "columns": [{"name": c.name, "url": c.url} for c in blank],
        },
        total=len(blank),
        names=join(c.name for c in blank),
        threshold=limit,
        veto=veto,
        veto_severity=label("severities", rubric.rule("columns_blank_veto").severity),
    )


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    t = rubric.thresholds.columns
    reporter = Reporter(CHECK, rubric)
    states = column_states(facts, as_of, rubric)
    blank = [s.column for s in states if s.column.blank and not s.column.script_filled]
    for state in states:
        column = state.column
        if column.script_filled:
            reporter.add(
                "column_script_filled",
                subject=column.url,
                urls=[column.url],
                evidence={"column": column.name, "record_count": column.record_count},
                name=column.name,
            )
        elif column.blank:
            _blank(reporter, column, page_evidence(facts.page(column.url)))
        elif state.stale:
            _stale(reporter, state, page_evidence(facts.page(column.url)))
        elif state.judged and state.window is None and state.undated:
            reporter.add(
                "column_undated",
                subject=column.url,
                fingerprint={"items": column.item_count},
                urls=[column.url],
                evidence={"column": column.name, "items": column.item_count},
                name=column.name,
                items=column.item_count,
            )
    _veto(reporter, "columns_stale_key_veto", [s.column for s in states if s.key], t.veto_key_stale)
    _veto(reporter, "columns_stale_veto", [s.column for s in states if s.stale], t.veto_stale)
    _veto(reporter, "columns_blank_veto", blank, t.veto_blank)
    _blank_warning(reporter, blank, rubric)
    reporter.result.report["columns"] = [_row(s) for s in states]
    return reporter.result


def _row(state: ColumnState) -> dict:
    column = state.column
    return {
        "name": column.name,
        "url": clean_url(column.url),
        "type": column.type,
        "level": column.level,
        "last_update": state.newest.isoformat() if state.newest else None,
        "items": column.item_count,
        "blank": column.blank and not column.script_filled,
        "stale": state.stale,
        "script_filled": column.script_filled,
        "is_list": column.is_list,
        "window_days": state.window,
        "age_days": state.age,
        "undated_items": column.undated,
        "parent": column.parent_name,
    }
