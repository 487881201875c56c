"""整改情况: last quarter's findings of a unit and what became of each.

The problems (vetoes and deductions, including those an operator has since ignored) of the
check run that stood for the previous quarter, each followed through its lifecycle state up to
the report's monitoring date: fixed (when, and what the confirming crawl saw), still open,
overdue (past an accepted 整改 deadline) or ignored (by whom and why).  The counts read as the
通报 put them: "发现问题 N 个，已整改 M 个".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.checks.lifecycle_store import actions_of, states_by_key
from govinspect.reports.period import Period
from govinspect.reports.texts import data
from govinspect.store.models import Finding, FindingState

PROBLEMS = ("veto", "deduction")
FATES = ("fixed", "overdue", "open", "ignored", "untracked")


@dataclass(frozen=True, slots=True)
class RectificationRow:
    finding_id: int
    key: str | None
    indicator: str
    severity: str
    subject: str
    message: str
    first_seen: str
    fate: str  # fixed | overdue | open | ignored | untracked
    detail: str  # 已于 … 整改 …, 仍未整改 …, 已忽略 …

    @property
    def fate_label(self) -> str:
        return data()["rectification"]["fates"][self.fate]


@dataclass(frozen=True, slots=True)
class Rectification:
    period: Period  # the quarter whose findings are followed
    run_id: int
    as_of: date  # the monitoring date the fates are told at
    rows: tuple[RectificationRow, ...]

    def count(self, fate: str) -> int:
        return sum(1 for row in self.rows if row.fate == fate)

    @property
    def summary(self) -> str:
        return data()["rectification"]["summary"].format(
            period=self.period.label,
            found=len(self.rows),
            fixed=self.count("fixed"),
            overdue=self.count("overdue"),
            open=self.count("open"),
            ignored=self.count("ignored"),
        )


def _problem(row: Finding) -> bool:
    if row.severity in PROBLEMS:
        return True
    suppressed = (row.evidence or {}).get("suppressed") or {}
    return suppressed.get("by") == "ignored" and suppressed.get("severity") in PROBLEMS


def _observed(evidence: dict[str, Any] | None) -> str:
    words = data()["rectification"]
    evidence = evidence or {}
    basis = evidence.get("basis") or {}
    parts = [words["check_run"].format(run=evidence.get("check_run", "—"))]
    if basis.get("kind") == "crawl":
        parts.append(
            words["crawl"].format(run=basis.get("run"), at=(basis.get("started_at") or "")[:10])
        )
    observed = evidence.get("observed") or {}
    if observed.get("linked") is False:
        parts.append(words["unlinked"])
    elif observed.get("status") is not None:
        parts.append(words["status"].format(status=observed["status"]))
    warc = observed.get("warc") or {}
    if warc.get("warc_file"):
        parts.append(words["record"].format(file=warc["warc_file"], offset=warc["warc_offset"]))
    return "；".join(parts)


def _fate(
    state: FindingState | None, actions: list[dict[str, Any]], as_of: date
) -> tuple[str, str]:
    words = data()["rectification"]
    if state is None:
        return "untracked", words["untracked"]
    if state.status == "fixed" and state.fixed_on is not None and state.fixed_on <= as_of:
        detail = words["fixed"].format(day=state.fixed_on.isoformat())
        return "fixed", f"{detail}（{_observed(state.fixed_evidence)}）"
    if state.disposition == "ignored":
        ignore = next((a for a in reversed(actions) if a["action"] == "ignore"), None)
        if ignore is not None:
            return "ignored", words["ignored"].format(
                by=ignore["by"], day=ignore["at"][:10], reason=ignore["reason"] or "—"
            )
        return "ignored", words["ignored_plain"]
    if state.deadline is not None and state.deadline < as_of:
        return "overdue", words["overdue"].format(deadline=state.deadline.isoformat())
    if state.deadline is not None:
        return "open", words["open_deadline"].format(deadline=state.deadline.isoformat())
    return "open", words["open"]


def rectification(
    session: Session, unit_id: str, period: Period, run_id: int | None, as_of: date
) -> Rectification | None:
    """The previous quarter's problems of a unit (check run ``run_id``) and their fate."""
    if run_id is None:
        return None
    rows = [
        row
        for row in session.scalars(
            select(Finding)
            .where(Finding.run_id == run_id, Finding.unit_id == unit_id)
            .order_by(Finding.id)
        )
        if _problem(row)
    ]
    keys = [row.key for row in rows if row.key]
    states = states_by_key(session, keys)
    trail = actions_of(session, keys)
    out = []
    for row in rows:
        state = states.get(row.key) if row.key else None
        fate, detail = _fate(state, trail.get(row.key or "", []), as_of)
        evidence = row.evidence or {}
        suppressed = evidence.get("suppressed") or {}
        out.append(
            RectificationRow(
                finding_id=row.id,
                key=row.key,
                indicator=row.indicator,
                severity=suppressed.get("severity") or row.severity,
                subject=evidence.get("subject") or (row.urls or [""])[0],
                message=row.message,
                first_seen=(
                    row.first_seen or (state.first_seen if state else None) or as_of
                ).isoformat(),
                fate=fate,
                detail=detail,
            )
        )
    order = {fate: n for n, fate in enumerate(FATES)}
    out.sort(key=lambda r: (order[r.fate], r.finding_id))
    return Rectification(period=period, run_id=run_id, as_of=as_of, rows=tuple(out))
