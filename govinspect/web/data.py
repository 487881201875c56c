"""What the dashboard shows, read from the store through the reports' own functions.

The ranking is ``checks.run.ranking`` (the terminal's), a unit page is the self-check report
model (``reports.model.build_unit_report`` over ``reports.export.export_json``), so the
dashboard, the terminal and the reports never disagree.  Export sections this module does not
know (a new check's ``units[].interaction``, ``units[].content_safety``) are handed to the
page as they are, and it shows them generically.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape
from sqlalchemy import Integer, cast, func, select

from govinspect.checks.run import latest_check_run, ranking
from govinspect.errors import ConfigError
from govinspect.reports.evidence import unit_refs
from govinspect.reports.export import export_json
from govinspect.reports.history import run_for_period, unit_history
from govinspect.reports.model import UnitReport, build_unit_report
from govinspect.reports.period import Period, parse_period, period_of
from govinspect.reports.texts import data as report_data
from govinspect.store.db import Store
from govinspect.store.models import Account as FeedAccount
from govinspect.store.models import FeedPoll, Probe, Run, Score, Unit
from govinspect.web.users import Account

#: Export keys the unit page shows in sections of its own; any other section is shown
#: generically (so sections added by later checks appear without a change here).
KNOWN_KEYS = frozenset(
    {
        "id", "name", "category", "website", "site_code", "assessed", "failed", "total", "max",
        "rubric", "scores", "unknown_items", "vetoes", "findings", "columns", "dead_links",
        "new_media", "crawl", "fixed_since_previous", "warnings",
    }
)  # fmt: skip


class NotFound(Exception):
    """Nothing there, or nothing this user may see: the answer is a 404 either way."""


@dataclass(frozen=True)
class RunChoice:
    run_id: int
    as_of: date
    period: Period


def periods(store: Store) -> list[Period]:
    """Quarters with a complete check run, newest first."""
    with store.session() as session:
        days = session.scalars(
            select(Run.as_of).where(Run.kind == "check", Run.status == "complete").distinct()
        ).all()
    return sorted({period_of(d) for d in days if d is not None}, key=lambda p: p.code)[::-1]


def choose_run(store: Store, period: str | None = None, run: str | None = None) -> RunChoice:
    """The check run shown: ``?run=ID``, else the period's latest, else the latest of all."""
    with store.session() as session:
        if run:
            row = session.get(Run, int(run)) if run.isdigit() else None
            if row is None or row.kind != "check" or row.status != "complete" or not row.as_of:
                raise NotFound(f"no complete check run {run}")
        else:
            try:
                wanted = parse_period(period) if period else None
                row = run_for_period(session, wanted)
            except ConfigError as exc:
                raise NotFound(str(exc)) from None
        return RunChoice(row.id, row.as_of, period_of(row.as_of))


def has_check_run(store: Store) -> bool:
    with store.session() as session:
        return latest_check_run(session) is not None


def export(store: Store, run_id: int, data_dir: Path) -> dict[str, Any]:
    return export_json(store, run_id, Path(data_dir).resolve())


def visible(account: Account, units: list[dict[str, Any]], key: str = "id") -> list[dict]:
    return [u for u in units if account.may_see(u[key])]


def unit_of(exported: dict[str, Any], unit_id: str) -> dict[str, Any]:
    for unit in exported["units"]:
        if unit["id"] == unit_id:
            return unit
    raise NotFound(unit_id)


def require_unit(store: Store, account: Account, unit_id: str) -> Unit:
    """The unit, when it exists and the user may see it; else NotFound (a 404)."""
    if not account.may_see(unit_id):
        raise NotFound(unit_id)
    with store.session() as session:
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise NotFound(unit_id)
        session.expunge(unit)
        return unit


# --- the overview -------------------------------------------------------------------------


def lifecycle_counts(unit: dict[str, Any], as_of: date) -> dict[str, int] | None:
    """New / fixed / overdue findings since the last run, when the export has the lifecycle."""
    findings = unit.get("findings") or []
    if not any("status" in f for f in findings) and "fixed_since_previous" not in unit:
        return None
    overdue = 0
    for finding in findings:
        deadline = finding.get("deadline")
        if finding.get("overdue") or (
            deadline
            and finding.get("status") not in ("fixed", "ignored", "accepted")
            and str(deadline)[:10] < as_of.isoformat()
        ):
            overdue += 1
    return {
        "new": sum(1 for f in findings if f.get("status") in ("new", "reopened")),
        "fixed": len(unit.get("fixed_since_previous") or []),
        "overdue": overdue,
    }


def sparkline(points: list[float | None], title: str, width: int = 120, height: int = 28) -> Markup:
    """An inline SVG line of the totals (gaps where a quarter has none); numbers only."""
    values = [p for p in points if p is not None]
    if not values:
        return Markup('<span class="muted">—</span>')
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    step = width / max(len(points) - 1, 1)
    segments: list[list[str]] = [[]]
    dots = []
    for i, value in enumerate(points):
        if value is None:
            segments.append([])
            continue
        x = round(i * step, 1)
        y = round(height - 3 - (value - low) / span * (height - 6), 1)
        segments[-1].append(f"{x},{y}")
        dots.append((x, y))
    lines = "".join(
        f'<polyline points="{" ".join(s)}" fill="none" stroke="currentColor" stroke-width="1.5"/>'
        for s in segments
        if len(s) > 1
    )
    last = dots[-1]
    return Markup(
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{lines}'
        f'<circle cx="{last[0]}" cy="{last[1]}" r="2.5" fill="currentColor"/></svg>'
    )


def overview(store: Store, account: Account, choice: RunChoice, data_dir: Path) -> dict[str, Any]:
    rows = [r for r in ranking(store, choice.run_id) if account.may_see(r["unit"])]
    exported = export(store, choice.run_id, data_dir)
    units = {u["id"]: u for u in exported["units"]}
    quarters = choice.period.last(int(report_data()["trend_periods"]))
    dimensions = list(dict.fromkeys(d for row in rows for d in row["scores"]))
    with store.session() as session:
        for row in rows:
            history = unit_history(session, row["unit"], quarters, (choice.run_id, choice.as_of))
            totals = [history[p].total if p in history else None for p in quarters]
            row["trend"] = sparkline(totals, f"{row['name']} 近{len(quarters)}期总分")
            row["trend_values"] = totals
            unit = units.get(row["unit"])
            row["counts"] = lifecycle_counts(unit, choice.as_of) if unit else None
            row["warnings"] = (unit or {}).get("warnings")
    # Vetoes first, then the warnings, then the ranking's order.
    rows.sort(
        key=lambda r: (not r["failed"], not (r.get("warnings") or {}).get("total"), r["rank"])
    )
    return {
        "rows": rows,
        "dimensions": dimensions,
        "quarters": quarters,
        "lifecycle": any(r["counts"] is not None for r in rows),
        "warnings": any(r.get("warnings") is not None for r in rows),
    }


# --- a unit --------------------------------------------------------------------------------


def unit_report(
    store: Store, choice: RunChoice, unit: dict[str, Any], data_dir: Path
) -> UnitReport:
    with store.session() as session:
        quarters = choice.period.last(int(report_data()["trend_periods"]))
        history = unit_history(session, unit["id"], quarters, (choice.run_id, choice.as_of))
        refs = unit_refs(session, unit, Path(data_dir))
    return build_unit_report(
        unit,
        period=choice.period,
        as_of=choice.as_of,
        run_id=choice.run_id,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M"),
        history=history,
        refs=refs,
    )


def deductions(unit: dict[str, Any]) -> list[dict[str, Any]]:
    """Each scored item with its points and the deductions (finding, rule, points)."""
    findings = {f["id"]: f for f in unit.get("findings") or []}
    out = []
    for dimension, score in (unit.get("scores") or {}).items():
        for item in score.get("items") or []:
            rows = []
            for deduction in item.get("deductions") or []:
                finding = findings.get(deduction.get("finding_id"), {})
                rows.append({**deduction, "rule": deduction.get("rule") or finding.get("rule")})
            out.append({"dimension": dimension, **item, "deductions": rows})
    return out


def extra_sections(unit: dict[str, Any]) -> list[tuple[str, Any]]:
    """Export sections without a section of their own on the page, in export order."""
    return [(k, v) for k, v in unit.items() if k not in KNOWN_KEYS and v not in (None, [], {})]


COLUMN_SORTS = {
    "name": lambda c: c.name,
    "type": lambda c: c.type,
    "last_update": lambda c: c.last_update,
    "age": lambda c: _num(c.age_days),
    "stale_in": lambda c: _stale_in(c),
    "state": lambda c: (not c.problem, c.state),
    "items": lambda c: c.items,
}


def _num(value: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("inf")


def _stale_in(column: Any) -> float:
    """Days until the column counts as stale (negative: stale for that long)."""
    return _num(column.window_days) - _num(column.age_days)


def sort_columns(columns: tuple, key: str | None, descending: bool) -> list:
    sorter = COLUMN_SORTS.get(key or "")
    if sorter is None:
        return list(columns)
    return sorted(columns, key=sorter, reverse=descending)


def run_history(store: Store, unit_id: str, limit: int = 20) -> dict[str, list[dict[str, Any]]]:
    with store.session() as session:
        runs = session.scalars(
            select(Run)
            .where(Run.unit_id == unit_id)
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(limit)
        ).all()
        own = [
            {
                "id": r.id,
                "kind": r.kind,
                "status": r.status,
                "started_at": r.started_at,
                "finished_at": r.finished_at,
                "error": r.error,
                "pages": (r.summary or {}).get("pages"),
            }
            for r in runs
        ]
        checks = session.execute(
            select(
                Run.id,
                Run.as_of,
                Run.status,
                func.sum(Score.score),
                # PostgreSQL has no max() of booleans
                func.max(cast(Score.failed, Integer)),
            )
            .join(Score, Score.run_id == Run.id)
            .where(Score.unit_id == unit_id, Run.kind == "check")
            .group_by(Run.id, Run.as_of, Run.status)
            .order_by(Run.as_of.desc(), Run.id.desc())
            .limit(limit)
        ).all()
    return {
        "runs": own,
        "checks": [
            {
                "id": c[0],
                "as_of": c[1],
                "status": c[2],
                "total": round(c[3] or 0, 2),
                "failed": bool(c[4]),
            }
            for c in checks
        ],  # fmt: skip
    }


# --- health --------------------------------------------------------------------------------


def health(
    store: Store, account: Account, limit: int = 30, stale_after: float = 7 * 3600
) -> dict[str, Any]:
    """Last crawl/feeds/probe per unit, the last check, and the runs that went wrong: failed,
    interrupted, truncated, or still "running" after ``stale_after`` seconds (a killed job)."""
    with store.session() as session:
        units = [
            u
            for u in session.scalars(select(Unit).where(Unit.active.is_(True)).order_by(Unit.id))
            if account.may_see(u.id)
        ]
        ids = [u.id for u in units]
        last: dict[str, dict[str, Any]] = {uid: {} for uid in ids}
        for kind in ("crawl", "feeds", "probe"):
            for row in session.scalars(
                select(Run)
                .where(Run.kind == kind, Run.unit_id.in_(ids))
                .order_by(Run.started_at.desc(), Run.id.desc())
            ):
                last[row.unit_id].setdefault(kind, row)
        for unit_id, when, ok in session.execute(
            select(Probe.unit_id, Probe.probed_at, Probe.ok)
            .where(Probe.unit_id.in_(ids))
            .order_by(Probe.probed_at.desc())
        ):
            last[unit_id].setdefault("probe_row", {"at": when, "ok": ok})
        for unit_id, when, ok in session.execute(
            select(FeedAccount.unit_id, FeedPoll.fetched_at, FeedPoll.ok)
            .join(FeedPoll, FeedPoll.account_id == FeedAccount.id)
            .where(FeedAccount.unit_id.in_(ids))
            .order_by(FeedPoll.fetched_at.desc())
        ):
            last[unit_id].setdefault("feed_row", {"at": when, "ok": ok})
        check = session.scalars(
            select(Run).where(Run.kind == "check").order_by(Run.started_at.desc(), Run.id.desc())
        ).first()
        stuck_since = datetime.now(UTC) - timedelta(seconds=stale_after)
        failed = session.scalars(
            select(Run)
            .where(
                Run.status.in_(("failed", "interrupted", "truncated"))
                | ((Run.status == "running") & (Run.started_at < stuck_since))
            )
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(limit * 3)
        ).all()
        failed = [r for r in failed if r.unit_id is None or account.may_see(r.unit_id)][:limit]
        # Detached (read-only copies): masking an error below must never reach the database.
        session.expunge_all()
    if not account.all_units:
        # A run of every unit (a check) may name any unit in its error: not for a webmaster.
        for run in [*failed, check]:
            if run is not None and run.unit_id is None and run.error:
                run.error = "（详情仅监管办公室可见）"
    return {"units": units, "last": last, "check": check, "failed": failed}


def iso(value: Any) -> str | None:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value
