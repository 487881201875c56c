"""Finding identity and lifecycle across check runs: pure functions over plain data.

A finding's **key** is (unit, rule, normalised subject): the same dead link, stale column or
silent account keeps its key from night to night.  Its **status**:

    new ──seen again──▶ open ──no longer seen on newer complete facts──▶ fixed ──seen──▶ reopened

"Newer complete facts" is the finding's **basis**: for crawl-based checks the unit's latest
complete crawl that was not truncated and started after the crawl that last saw the finding;
for availability the probe window (full coverage, ending later); for a new-media account its
feed (judged, with a successful poll on a later day).  An incomplete crawl, or a check run over
the same crawl again, never fixes anything.

Operators act on a finding (:func:`apply_action`): ``ignore`` (a false positive: suppressed
until its fingerprint, the facts that define the problem, changes), ``accept`` (with a 整改
deadline; overdue once it passes unfixed), ``claim_fixed`` (the next newer basis confirms it as
fixed, or reopens it), ``confirm`` (a 疑似 finding of a rule with ``needs_confirmation``: until
then it is a notice that never vetoes nor costs points).

:func:`advance` turns the stored states of one unit and the findings of one check run into
the new states, the findings as they count (suppressed ones lowered to notices) and the events
(actions by ``govinspect``) of the audit trail.  The store part is ``lifecycle_store``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from govinspect.checks.findings import Finding, jsonable, suppress
from govinspect.checks.rubric import Rubric
from govinspect.errors import ConfigError

SYSTEM = "govinspect"  # the `by` of the lifecycle's own events
ACTIVE = ("new", "open", "reopened")
STATUSES = (*ACTIVE, "fixed")
DISPOSITIONS = ("ignored", "accepted", "claimed_fixed")
ACTIONS = ("ignore", "accept", "claim_fixed", "confirm")
#: Which facts a check's findings rest on (default: the crawl).
FAMILIES = {"availability": "probes", "new_media": "feeds"}


def finding_key(unit_id: str, rule: str, subject: str) -> str:
    """The stable key of a finding: the unit id and 12 hex digits of (unit, rule, subject)."""
    digest = hashlib.sha256(f"{unit_id}\x1f{rule}\x1f{subject}".encode()).hexdigest()
    return f"{unit_id}:{digest[:12]}"


def fingerprint_digest(fingerprint: Mapping[str, Any]) -> str:
    text = json.dumps(jsonable(fingerprint), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Basis:
    """The facts a check run judged one family of findings on."""

    kind: str  # crawl | probes | feeds
    marker: str  # comparable text: later facts sort after earlier ones
    complete: bool  # a full crawl / full probe coverage / a judged feed
    info: Mapping[str, Any] = field(default_factory=dict)

    def stored(self) -> dict[str, Any]:
        return {"kind": self.kind, "marker": self.marker, "complete": self.complete, **self.info}

    def newer_than(self, stored: Mapping[str, Any] | None) -> bool:
        if not stored or stored.get("marker") is None:
            return True
        return self.marker > str(stored["marker"])


def basis_key(check: str, subject: str) -> str:
    family = FAMILIES.get(check, "crawl")
    return f"feeds:{subject}" if family == "feeds" else family


@dataclass(frozen=True, slots=True)
class State:
    """One finding's lifecycle, as stored (plain data)."""

    key: str
    unit_id: str
    rule: str
    check: str
    subject: str
    severity: str  # the rule's severity (before any suppression)
    status: str
    first_seen: date
    last_seen: date
    fingerprint: str
    basis: Mapping[str, Any] = field(default_factory=dict)
    fixed_on: date | None = None
    disposition: str | None = None
    ignored_fingerprint: str | None = None
    deadline: date | None = None
    confirmed: bool = False
    overdue_notified: date | None = None

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    def overdue(self, today: date) -> bool:
        return self.active and self.deadline is not None and self.deadline < today


@dataclass(frozen=True, slots=True)
class Event:
    """A change the lifecycle records in the audit trail (``by`` = govinspect)."""

    key: str
    action: str  # new | reopened | fixed | overdue | ignore_lapsed | claim_rejected
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Seen:
    """A finding of this run with its key, as it counts (suppressed ones are notices)."""

    key: str
    finding: Finding
    state: State


@dataclass
class Outcome:
    seen: list[Seen] = field(default_factory=list)
    changed: dict[str, State] = field(default_factory=dict)  # every state written back
    fixed: list[State] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)


def keyed(unit_id: str, findings: Sequence[Finding]) -> list[tuple[str, Finding]]:
    """(key, finding); a subject repeated within one run gets ``#2``, ``#3`` … in its key."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        base = finding_key(unit_id, finding.rule, finding.subject)
        seen[base] = seen.get(base, 0) + 1
        key = base if seen[base] == 1 else f"{base}#{seen[base]}"
        out.append((key, finding))
    return out


def _rule_severity(finding: Finding) -> str:
    suppressed = finding.evidence.get("suppressed")
    if isinstance(suppressed, Mapping):
        return str(suppressed.get("severity", finding.severity))
    return str(finding.evidence.get("downgraded_from") or finding.severity)


def _observe(
    key: str,
    finding: Finding,
    old: State | None,
    basis: Basis | None,
    as_of: date,
    rubric: Rubric,
    events: list[Event],
) -> tuple[Finding, State]:
    fingerprint = fingerprint_digest(finding.fingerprint)
    stored_basis = basis.stored() if basis is not None else {}
    severity = _rule_severity(finding)
    if old is None:
        state = State(
            key=key,
            unit_id=key.split(":", 1)[0],
            rule=finding.rule,
            check=finding.check,
            subject=finding.subject,
            severity=severity,
            status="new",
            first_seen=as_of,
            last_seen=as_of,
            fingerprint=fingerprint,
            basis=stored_basis,
        )
        events.append(Event(key, "new", {"severity": severity}))
    else:
        state = replace(
            old,
            rule=finding.rule,
            check=finding.check,
            subject=finding.subject,
            severity=severity,
            last_seen=max(as_of, old.last_seen),
            fingerprint=fingerprint,
            basis=stored_basis or old.basis,
        )
        if old.status == "fixed":
            state = replace(
                state, status="reopened", fixed_on=None, disposition=None, deadline=None
            )
            events.append(Event(key, "reopened", {"severity": severity, "fixed_on": old.fixed_on}))
        elif old.disposition == "claimed_fixed":
            if basis is not None and basis.complete and basis.newer_than(old.basis):
                state = replace(state, status="reopened", disposition=None)
                events.append(Event(key, "claim_rejected", {"severity": severity}))
            else:
                state = replace(state, status="open")
        else:
            state = replace(state, status="open")
        if state.disposition == "ignored" and state.ignored_fingerprint != fingerprint:
            state = replace(state, disposition=None, ignored_fingerprint=None)
            events.append(Event(key, "ignore_lapsed", {"severity": severity}))
    if state.disposition == "ignored" and not finding.suppressed:
        finding = suppress(finding, "ignored")
    spec = rubric.rules.get(finding.rule)
    if spec is not None and spec.needs_confirmation and not state.confirmed:
        finding = suppress(finding, "unconfirmed")
    if finding.suppressed and events and events[-1].key == key:
        last = events[-1]
        events[-1] = replace(last, details={**last.details, "suppressed": finding.suppressed})
    return finding, state


def advance(
    states: Mapping[str, State],
    found: Sequence[tuple[str, Finding]],
    bases: Callable[[str, str], Basis | None],
    as_of: date,
    rubric: Rubric,
) -> Outcome:
    """The lifecycle step of one unit in one check run.

    ``states``: the unit's stored states by key; ``found``: this run's (key, finding) pairs;
    ``bases(check, subject)``: the facts this run judged a finding of that check and subject
    on (None: not judged at all, e.g. no crawl).
    """
    out = Outcome()
    present = set()
    for key, finding in found:
        present.add(key)
        basis = bases(finding.check, finding.subject)
        counted, state = _observe(key, finding, states.get(key), basis, as_of, rubric, out.events)
        out.seen.append(Seen(key, counted, state))
        out.changed[key] = state
    for key, old in states.items():
        if key in present or not old.active:
            continue
        basis = bases(old.check, old.subject)
        if basis is None or not basis.complete or not basis.newer_than(old.basis):
            continue
        state = replace(
            old,
            status="fixed",
            fixed_on=as_of,
            disposition=None,
            ignored_fingerprint=None,
            basis=basis.stored(),
        )
        out.events.append(
            Event(
                key,
                "fixed",
                {
                    "severity": old.severity,
                    "first_seen": old.first_seen,
                    "fixed_on": as_of,
                    "disposition": old.disposition,
                    **({"suppressed": "ignored"} if old.disposition == "ignored" else {}),
                },
            )
        )
        out.changed[key] = state
        out.fixed.append(state)
    for key, state in list(out.changed.items()) + [
        (k, s) for k, s in states.items() if k not in out.changed
    ]:
        if state.overdue(as_of) and state.overdue_notified != state.deadline:
            out.events.append(
                Event(key, "overdue", {"severity": state.severity, "deadline": state.deadline})
            )
            out.changed[key] = replace(state, overdue_notified=state.deadline)
    for index, seen in enumerate(out.seen):
        if seen.state is not out.changed[seen.key]:
            out.seen[index] = replace(seen, state=out.changed[seen.key])
    return out


# --- operator actions --------------------------------------------------------------------------


def apply_action(
    state: State,
    action: str,
    *,
    today: date,
    deadline: date | None = None,
    reason: str | None = None,
    needs_confirmation: bool = False,
) -> State:
    """The state after an operator's action; a :class:`ConfigError` says why it is refused."""
    if action not in ACTIONS:
        raise ConfigError(f"unknown action {action!r} (choose from {', '.join(ACTIONS)})")
    name = action.replace("_", "-")
    if not state.active:
        raise ConfigError(f"{name} {state.key}: not allowed, the finding is {state.status}")
    if deadline is not None and deadline < today:
        raise ConfigError(f"--deadline: {deadline.isoformat()} is in the past (today {today})")
    if action == "ignore":
        if not (reason or "").strip():
            raise ConfigError(f"ignore {state.key}: --reason is required (why it is wrong)")
        if state.disposition == "ignored":
            raise ConfigError(f"ignore {state.key}: not allowed, the finding is already ignored")
        return replace(state, disposition="ignored", ignored_fingerprint=state.fingerprint)
    if action == "accept":
        if deadline is None:
            raise ConfigError(f"accept {state.key}: --deadline YYYY-MM-DD is required")
        if state.disposition == "ignored":
            raise ConfigError(f"accept {state.key}: not allowed, the finding is ignored")
        return replace(state, disposition="accepted", deadline=deadline, overdue_notified=None)
    if action == "claim_fixed":
        if state.disposition in ("ignored", "claimed_fixed"):
            raise ConfigError(
                f"claim-fixed {state.key}: not allowed, the finding is already "
                f"{state.disposition.replace('_', '-')}"
            )
        return replace(state, disposition="claimed_fixed")
    if not needs_confirmation:
        raise ConfigError(
            f"confirm {state.key}: not allowed, rule {state.rule} needs no confirmation"
        )
    if state.confirmed:
        raise ConfigError(f"confirm {state.key}: not allowed, the finding is already confirmed")
    return replace(state, confirmed=True)


def shown_status(state: State) -> str:
    """The status shown to people: ignored, accepted, claimed_fixed … or the lifecycle's."""
    return state.disposition if state.active and state.disposition else state.status
