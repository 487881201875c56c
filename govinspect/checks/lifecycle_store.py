"""The store side of the finding lifecycle: states and the audit trail in the database.

``checks/lifecycle.py`` decides (pure); this module loads the states it needs and writes what
it decided, inside the check run's session.  Operator actions (CLI ``govinspect findings``)
go through :func:`act`.  The checks themselves never import this module: only the check run
orchestrator, the CLI, the exports and the notifications do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.checks.findings import jsonable
from govinspect.checks.lifecycle import (
    SYSTEM,
    Basis,
    Outcome,
    State,
    apply_action,
)
from govinspect.errors import ConfigError
from govinspect.store.models import FindingAction, FindingState, LinkCheck, Page


def _state(row: FindingState) -> State:
    return State(
        key=row.key,
        unit_id=row.unit_id,
        rule=row.rule,
        check=row.check,
        subject=row.subject,
        severity=row.severity,
        status=row.status,
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        fingerprint=row.fingerprint,
        basis=dict(row.basis or {}),
        fixed_on=row.fixed_on,
        disposition=row.disposition,
        ignored_fingerprint=row.ignored_fingerprint,
        deadline=row.deadline,
        confirmed=bool(row.confirmed),
        overdue_notified=row.overdue_notified,
    )


CHUNK = 500  # keys per IN (...): well inside SQLite's and PostgreSQL's limits


def states_by_key(session: Session, keys: Iterable[str]) -> dict[str, FindingState]:
    """The state rows of these keys (read in chunks: a crawl may have thousands)."""
    wanted = list(dict.fromkeys(keys))
    out: dict[str, FindingState] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        out.update(
            (row.key, row)
            for row in session.scalars(select(FindingState).where(FindingState.key.in_(chunk)))
        )
    return out


def load_states(session: Session, unit_id: str) -> dict[str, State]:
    rows = session.scalars(select(FindingState).where(FindingState.unit_id == unit_id))
    return {row.key: _state(row) for row in rows}


def _copy(row: FindingState, state: State) -> None:
    for name in (
        "rule", "check", "subject", "severity", "status", "first_seen", "last_seen",
        "fingerprint", "fixed_on", "disposition", "ignored_fingerprint", "deadline",
        "confirmed", "overdue_notified",
    ):  # fmt: skip
        setattr(row, name, getattr(state, name))
    row.basis = jsonable(dict(state.basis))


def observe(session: Session, basis: Mapping[str, Any], subject: str) -> dict[str, Any]:
    """What the confirming facts say about a subject: for a URL, its verification or fetch in
    the crawl that no longer shows the finding (or that the crawl no longer links it)."""
    if basis.get("kind") != "crawl" or "://" not in subject or basis.get("run") is None:
        return {}
    run_id = basis["run"]
    check = session.scalars(
        select(LinkCheck).where(LinkCheck.run_id == run_id, LinkCheck.target_url == subject)
    ).first()
    if check is not None:
        return jsonable(
            {
                "url": subject,
                "outcome": check.outcome,
                "status": check.status,
                "checked_at": check.checked_at,
                **(
                    {"warc": {"warc_file": check.warc_file, "warc_offset": check.warc_offset}}
                    if check.warc_file
                    else {}
                ),
            }
        )
    page = session.scalars(select(Page).where(Page.run_id == run_id, Page.url == subject)).first()
    if page is not None:
        return jsonable(
            {
                "url": subject,
                "status": page.status,
                "fetched_at": page.fetched_at,
                **(
                    {"warc": {"warc_file": page.warc_file, "warc_offset": page.warc_offset}}
                    if page.warc_file
                    else {}
                ),
            }
        )
    return {"url": subject, "linked": False}


def save(
    session: Session,
    unit_id: str,
    outcome: Outcome,
    run_id: int,
    as_of: date,
    finding_ids: Mapping[str, int],
) -> None:
    """Write the states and events of one unit's lifecycle step (same session as the run)."""
    rows = states_by_key(session, outcome.changed)
    messages = {seen.key: seen.finding for seen in outcome.seen}
    for key, state in outcome.changed.items():
        row = rows.get(key)
        finding = messages.get(key)
        if row is None:
            assert finding is not None, "a new state comes from a finding of this run"
            row = FindingState(
                key=key,
                unit_id=unit_id,
                indicator=finding.indicator,
                message=finding.message,
                first_run_id=run_id,
                first_evidence=_sighting(finding, run_id, as_of, finding_ids.get(key), state),
            )
            session.add(row)
        _copy(row, state)
        if finding is not None:
            row.indicator = finding.indicator
            row.message = finding.message
            row.last_run_id = run_id
            row.last_evidence = _sighting(finding, run_id, as_of, finding_ids.get(key), state)
            if state.status == "reopened":
                row.fixed_run_id = None
                row.fixed_evidence = None
    for state in outcome.fixed:
        row = rows[state.key]
        row.fixed_run_id = run_id
        row.fixed_evidence = {
            "check_run": run_id,
            "as_of": as_of.isoformat(),
            "basis": jsonable(dict(state.basis)),
            "observed": observe(session, state.basis, state.subject),
        }
    now = datetime.now(UTC)
    session.add_all(
        FindingAction(
            key=event.key,
            unit_id=unit_id,
            action=event.action,
            by=SYSTEM,
            at=now,
            run_id=run_id,
            deadline=event.details.get("deadline"),
            details=jsonable(dict(event.details)),
        )
        for event in outcome.events
    )
    session.flush()


def _sighting(finding: Any, run_id: int, as_of: date, finding_id: int | None, state: State) -> dict:
    return jsonable(
        {
            "check_run": run_id,
            "finding_id": finding_id,
            "as_of": as_of,
            "basis": dict(state.basis),
            "urls": list(finding.urls),
            "evidence": dict(finding.evidence),
        }
    )


# --- reading, and the operators' actions -------------------------------------------------------


def state_rows(
    session: Session,
    unit_ids: Iterable[str] | None = None,
    keys: Iterable[str] | None = None,
) -> list[FindingState]:
    query = select(FindingState).order_by(FindingState.unit_id, FindingState.id)
    if unit_ids:
        query = query.where(FindingState.unit_id.in_(list(unit_ids)))
    if keys is not None:
        query = query.where(FindingState.key.in_(list(keys)))
    return list(session.scalars(query))


def actions_of(
    session: Session, keys: Iterable[str], until: datetime | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The audit trail per key, oldest first (up to ``until`` when given)."""
    out: dict[str, list[dict[str, Any]]] = {}
    wanted = list(dict.fromkeys(keys))
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(FindingAction)
            .where(FindingAction.key.in_(wanted[start : start + CHUNK]))
            .order_by(FindingAction.id)
        )
        for row in session.scalars(query):
            if until is not None and _aware(row.at) > _aware(until):
                continue
            out.setdefault(row.key, []).append(action_dict(row))
    return out


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def action_dict(row: FindingAction) -> dict[str, Any]:
    return {
        "action": row.action,
        "by": row.by,
        "at": _aware(row.at).isoformat(),
        "reason": row.reason,
        "deadline": row.deadline.isoformat() if row.deadline else None,
        "run_id": row.run_id,
    }


def act(
    session: Session,
    key: str,
    action: str,
    by: str,
    *,
    today: date,
    reason: str | None = None,
    deadline: date | None = None,
    needs_confirmation: Callable[[str], bool] | None = None,
) -> FindingState:
    """Record an operator's action on a finding (who, when, why) and update its state."""
    if not (by or "").strip():
        raise ConfigError("--by: say who takes the action (a name), e.g. --by 张三")
    row = session.scalars(select(FindingState).where(FindingState.key == key)).first()
    if row is None:
        raise ConfigError(f"unknown finding key {key!r} (list them with `govinspect findings`)")
    state = apply_action(
        _state(row),
        action,
        today=today,
        deadline=deadline,
        reason=reason,
        needs_confirmation=bool(needs_confirmation and needs_confirmation(row.rule)),
    )
    _copy(row, state)
    session.add(
        FindingAction(
            key=key,
            unit_id=row.unit_id,
            action=action,
            by=by.strip(),
            at=datetime.now(UTC),
            reason=(reason or "").strip() or None,
            deadline=deadline,
            details={"status": row.status, "rule": row.rule},
        )
    )
    session.flush()
    return row


def fixed_in_run(session: Session, run_id: int) -> dict[str, list[dict[str, Any]]]:
    """Per unit: the findings this check run confirmed as fixed."""
    out: dict[str, list[dict[str, Any]]] = {}
    events = list(
        session.scalars(
            select(FindingAction)
            .where(FindingAction.run_id == run_id, FindingAction.action == "fixed")
            .order_by(FindingAction.id)
        )
    )
    states = states_by_key(session, [e.key for e in events])
    for event in events:
        row = states.get(event.key)
        if row is None:
            continue
        out.setdefault(event.unit_id, []).append(
            {
                "key": event.key,
                "rule": row.rule,
                "subject": row.subject,
                "first_seen": (event.details or {}).get("first_seen") or row.first_seen.isoformat(),
                "fixed_on": (event.details or {}).get("fixed_on"),
            }
        )
    return out


__all__ = [
    "Basis",
    "act",
    "actions_of",
    "fixed_in_run",
    "load_states",
    "observe",
    "save",
    "state_rows",
]
