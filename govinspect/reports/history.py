"""Which check runs a report uses: the run of the period, and one run per earlier period.

A period (quarter) is represented by its latest complete check run: the one with the latest
monitoring time point (``as_of``) inside the quarter, the most recently started one on a tie.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.checks.run import latest_check_run
from govinspect.errors import ConfigError
from govinspect.reports.period import Period, period_of
from govinspect.reports.texts import data
from govinspect.store.models import Finding, Run, Score


@dataclass(frozen=True, slots=True)
class PeriodResult:
    """One unit's result in one period's check run (a point of the trend)."""

    period: Period
    run_id: int
    as_of: date
    total: float | None
    scores: dict[str, float] = field(default_factory=dict)
    failed: bool = False
    dead_links: int = 0


def _newest_first(query: Any) -> Any:
    return query.order_by(Run.as_of.desc(), Run.started_at.desc(), Run.id.desc())


def run_for_period(session: Session, period: Period | None) -> Run:
    """The check run a report stands on: the period's latest, or the latest of all."""
    if period is None:
        run = latest_check_run(session)
        if run is None or run.as_of is None:
            raise ConfigError("no completed check run to report on (run `govinspect check` first)")
        return run
    run = session.scalars(
        _newest_first(
            select(Run).where(
                Run.kind == "check",
                Run.status == "complete",
                Run.as_of >= period.start,
                Run.as_of <= period.end,
            )
        )
    ).first()
    if run is None:
        raise ConfigError(
            f"--period {period.code}: no completed check run with a monitoring date between "
            f"{period.start} and {period.end} (run `govinspect check --as-of DATE` first)"
        )
    return run


def _dead_link_counts(session: Session, unit_id: str, run_ids: list[int]) -> dict[int, int]:
    rules = set(data()["dead_link_rules"])
    counts: dict[int, int] = defaultdict(int)
    for run_id, evidence in session.execute(
        select(Finding.run_id, Finding.evidence).where(
            Finding.unit_id == unit_id, Finding.run_id.in_(run_ids)
        )
    ):
        # Excluded and ignored dead links are shown in the report, never counted.
        if (evidence or {}).get("rule") in rules and not (evidence or {}).get("suppressed"):
            counts[run_id] += 1
    return counts


def unit_history(
    session: Session, unit_id: str, periods: list[Period], current: tuple[int, date]
) -> dict[Period, PeriodResult]:
    """The unit's scored result per period (periods without a scored run are left out).

    ``current`` (run id, as-of date) stands for its own period whatever else ran in it, so
    the trend ends with exactly the figures of the report.
    """
    window = (Run.as_of >= periods[0].start, Run.as_of <= periods[-1].end)
    # Ids and dates only: a run's summary holds every unit's report and is large.
    runs = session.execute(
        _newest_first(
            select(Run.id, Run.as_of).where(Run.kind == "check", Run.status == "complete", *window)
        )
    ).all()
    scored: dict[int, list[Any]] = defaultdict(list)
    for row in session.execute(
        select(Score.run_id, Score.dimension, Score.score, Score.failed)
        .join(Run, Run.id == Score.run_id)
        .where(Score.unit_id == unit_id, Run.kind == "check", Run.status == "complete", *window)
    ):
        scored[row.run_id].append(row)
    chosen: dict[Period, tuple[int, date]] = {}
    for run_id, as_of in runs:  # newest first: the first scored run of a period stands for it
        if as_of is not None and run_id in scored:
            chosen.setdefault(period_of(as_of), (run_id, as_of))
    current_id, current_as_of = current
    if current_id in scored:
        chosen[period_of(current_as_of)] = (current_id, current_as_of)
    else:
        chosen.pop(period_of(current_as_of), None)
    dead = _dead_link_counts(session, unit_id, [run_id for run_id, _ in chosen.values()])
    out: dict[Period, PeriodResult] = {}
    for period in periods:
        if period not in chosen:
            continue
        run_id, as_of = chosen[period]
        rows = scored[run_id]
        out[period] = PeriodResult(
            period=period,
            run_id=run_id,
            as_of=as_of,
            total=round(sum(r.score for r in rows), 2),
            scores={r.dimension: r.score for r in rows},
            failed=any(r.failed for r in rows),
            dead_links=dead.get(run_id, 0),
        )
    return out
