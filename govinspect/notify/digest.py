"""The nightly digest: what changed since the last digest, per unit and for the office.

A digest lists the lifecycle's events (``finding_actions`` by govinspect) newer than the last
digest of its scope: new findings, vetoes, early warnings, fixed findings and overdue 整改.
Notices never appear; neither does a finding an operator ignored (until its subject changes)
or one excluded by the registry.  Each digest is stored (``digests``: what was said and up to
which action) and queued in the outbox once per contact and channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govinspect.checks.lifecycle import SYSTEM
from govinspect.checks.lifecycle_store import states_by_key
from govinspect.registry import Contact, Registry
from govinspect.store.models import Digest, FindingAction, FindingState, OutboxMessage

OFFICE = "office"
KINDS = ("vetoes", "new", "fixed", "overdue", "warnings")
_APPEARS = ("new", "reopened", "ignore_lapsed", "claim_rejected")
_EVENTS = (*_APPEARS, "fixed", "overdue")


@cache
def texts() -> dict[str, Any]:
    with (Path(__file__).with_name("data") / "notify.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@dataclass(frozen=True, slots=True)
class DigestItem:
    kind: str  # vetoes | new | fixed | overdue | warnings
    key: str
    unit: str
    unit_name: str
    indicator: str
    severity: str
    subject: str
    message: str
    first_seen: str
    fixed_on: str | None = None
    deadline: str | None = None

    def data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}


@dataclass
class DigestDraft:
    scope: str  # a unit id, or "office"
    day: date
    last_action_id: int
    items: list[DigestItem] = field(default_factory=list)
    title: str = ""
    text: str = ""

    def counts(self) -> dict[str, int]:
        return _counts(self.items)

    def payload(self, run_id: int | None = None) -> dict[str, Any]:
        """The plain JSON webhook's body."""
        return {
            "scope": self.scope,
            "date": self.day.isoformat(),
            "run_id": run_id,
            "title": self.title,
            "text": self.text,
            "counts": self.counts(),
            "items": [item.data() for item in self.items],
        }


def _counts(items: list[DigestItem]) -> dict[str, int]:
    """Items per kind; ``problems``: new findings, vetoes included (as the 通报 count them)."""
    counts = {kind: sum(1 for i in items if i.kind == kind) for kind in KINDS}
    return {**counts, "problems": counts["new"] + counts["vetoes"]}


def _kind(action: str, severity: str) -> str | None:
    if action == "overdue":
        return "overdue" if severity != "notice" else None
    if action == "fixed":
        return "fixed" if severity in ("veto", "deduction") else None
    return {"veto": "vetoes", "deduction": "new", "warning": "warnings"}.get(severity)


def _last_sent(session: Session, scope: str) -> int:
    return session.scalar(select(func.max(Digest.last_action_id)).where(Digest.scope == scope)) or 0


def _events(session: Session, unit_ids: list[str], after: int) -> list[FindingAction]:
    return list(
        session.scalars(
            select(FindingAction)
            .where(
                FindingAction.id > after,
                FindingAction.unit_id.in_(unit_ids),
                FindingAction.by == SYSTEM,
                FindingAction.action.in_(_EVENTS),
            )
            .order_by(FindingAction.id)
        )
    )


def _items(
    session: Session, events: list[FindingAction], names: dict[str, str]
) -> list[DigestItem]:
    states = states_by_key(session, sorted({e.key for e in events}))
    chosen: dict[tuple[str, str], DigestItem] = {}
    for event in events:
        state = states.get(event.key)
        details = event.details or {}
        if state is None or details.get("suppressed"):
            continue
        if state.disposition == "ignored" or _excluded(state):
            continue  # out of digests until its subject changes (the ignore then lapses)
        kind = _kind(event.action, str(details.get("severity") or state.severity))
        if kind is None:
            continue
        chosen[(kind, event.key)] = DigestItem(
            kind=kind,
            key=event.key,
            unit=state.unit_id,
            unit_name=names.get(state.unit_id, state.unit_id),
            indicator=state.indicator,
            severity=state.severity,
            subject=state.subject,
            message=state.message,
            first_seen=state.first_seen.isoformat(),
            fixed_on=details.get("fixed_on"),
            deadline=details.get("deadline") or (state.deadline and state.deadline.isoformat()),
        )
    return list(chosen.values())


def _excluded(state: FindingState) -> bool:
    suppressed = (state.last_evidence or {}).get("evidence", {}).get("suppressed") or {}
    return suppressed.get("by") == "excluded"


def _short(message: str) -> str:
    limit = int(texts()["message_chars"])
    return message if len(message) <= limit else message[: limit - 1] + "…"


def _unit_text(draft: DigestDraft, name: str) -> None:
    t = texts()
    draft.title = t["unit_title"].format(unit=name, date=draft.day.isoformat())
    lines = [f"## {draft.title}", "", t["summary"].format(**draft.counts())]
    for kind in ("vetoes", "new", "warnings", "fixed", "overdue"):
        items = [i for i in draft.items if i.kind == kind]
        if not items:
            continue
        lines += ["", f"### {t['sections'][kind]}（{len(items)}）"]
        for item in items:
            template = {"fixed": "fixed_line", "overdue": "overdue_line"}.get(kind, "line")
            lines.append(t[template].format(**item.data() | {"message": _short(item.message)}))
    lines += ["", t["footer"]]
    draft.text = "\n".join(lines)


def _office_text(draft: DigestDraft, order: list[str]) -> None:
    t = texts()
    draft.title = t["office_title"].format(date=draft.day.isoformat())
    lines = [f"## {draft.title}", "", t["summary"].format(**draft.counts())]
    lines += ["", f"### {t['sections']['units']}"]
    for unit in order:
        items = [i for i in draft.items if i.unit == unit]
        if items:
            lines.append(t["office_unit_line"].format(unit=items[0].unit_name, **_counts(items)))
    for kind in ("vetoes", "overdue"):
        items = [i for i in draft.items if i.kind == kind]
        if items:
            lines += ["", f"### {t['sections'][kind]}（{len(items)}）"]
            template = t["office_overdue_line" if kind == "overdue" else "office_line"]
            lines += [
                template.format(**i.data() | {"unit": i.unit_name, "message": _short(i.message)})
                for i in items
            ]
    lines += ["", t["footer"]]
    draft.text = "\n".join(lines)


def build(
    session: Session, registry: Registry, day: date, unit_ids: list[str] | None = None
) -> list[DigestDraft]:
    """The digests due now: one per unit with changes, one for the office when any unit has."""
    units = registry.select(unit_ids)
    names = {u.id: u.name for u in registry.units}
    drafts = []
    for unit in units:
        after = _last_sent(session, unit.id)
        events = _events(session, [unit.id], after)
        items = _items(session, events, names)
        if items:
            draft = DigestDraft(unit.id, day, events[-1].id, items)
            _unit_text(draft, unit.name)
            drafts.append(draft)
    if not unit_ids:
        after = _last_sent(session, OFFICE)
        events = _events(session, [u.id for u in registry.units], after)
        items = _items(session, events, names)
        if items:
            draft = DigestDraft(OFFICE, day, events[-1].id, items)
            _office_text(draft, [u.id for u in registry.units])
            drafts.append(draft)
    return drafts


def recipients(registry: Registry, scope: str) -> list[tuple[str, Contact]]:
    """(role, contact) of a scope: the unit's webmaster and others, or the office's contacts."""
    if scope == OFFICE:
        return [(f"contact{n}", c) for n, c in enumerate(registry.notifications.office, start=1)]
    unit = next((u for u in registry.units if u.id == scope), None)
    return unit.contacts.all() if unit is not None else []


def channels_of(contact: Contact) -> list[str]:
    out = ["email"] if contact.email else []
    if contact.webhook is not None:
        out.append(contact.webhook.type.value)
    return out


def queue(
    session: Session,
    registry: Registry,
    draft: DigestDraft,
    run_id: int | None,
    now: datetime,
) -> int:
    """Store the digest and one outbox message per contact and channel; returns the messages."""
    row = Digest(
        scope=draft.scope,
        created_at=now,
        run_id=run_id,
        last_action_id=draft.last_action_id,
        title=draft.title,
        text=draft.text,
        items=[item.data() for item in draft.items],
    )
    session.add(row)
    session.flush()
    messages = [
        OutboxMessage(
            digest_id=row.id,
            scope=draft.scope,
            recipient=f"{draft.scope}/{role}",
            channel=channel,
            created_at=now,
            next_attempt_at=now,
        )
        for role, contact in recipients(registry, draft.scope)
        for channel in channels_of(contact)
    ]
    session.add_all(messages)
    session.flush()
    return len(messages)
