"""Acting on findings from the dashboard, through the finding lifecycle's own functions
(``checks.lifecycle_store.act``): this module reads the lifecycle's state and never writes
its tables itself.

The office ignores, accepts with a deadline and confirms; a webmaster claims a fix (with a
comment, recorded as the action's reason); every action is recorded with who, when and why.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from govinspect.checks.lifecycle import shown_status
from govinspect.checks.lifecycle_store import act, actions_of, load_states
from govinspect.checks.rubric import rubric_for_category
from govinspect.checks.run import latest_check_run
from govinspect.checks.timeutil import SHANGHAI
from govinspect.errors import ConfigError
from govinspect.store.db import Store
from govinspect.store.models import Unit
from govinspect.web.users import Account


@cache
def labels() -> dict[str, Any]:
    with Path(__file__).with_name("labels.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def today() -> date:
    return datetime.now(SHANGHAI).date()


def current(store: Store, unit_id: str) -> dict[str, dict[str, Any]]:
    """Every finding key of the unit → its state now: status shown, deadline, overdue, trail."""
    day = today()
    with store.session() as session:
        states = load_states(session, unit_id)
        trails = actions_of(session, list(states))
    return {
        key: {
            "status": shown_status(state),
            "lifecycle_status": state.status,
            "active": state.active,
            "deadline": state.deadline.isoformat() if state.deadline else None,
            "overdue": state.overdue(day),
            "first_seen": state.first_seen.isoformat() if state.first_seen else None,
            "confirmed": state.confirmed,
            "disposition": state.disposition,
            "actions": trails.get(key, []),
        }
        for key, state in states.items()
    }


def allowed(account: Account, state: dict[str, Any] | None) -> list[str]:
    """The actions this user may take on a finding in this state."""
    if state is None or not state["active"]:
        return []
    wanted = list(labels()["allowed"].get(account.role, []))
    if state["disposition"] == "ignored":
        return []
    if state["disposition"] == "claimed_fixed" and "claim_fixed" in wanted:
        wanted.remove("claim_fixed")
    return wanted


def _needs_confirmation(store: Store, unit_id: str):  # type: ignore[no-untyped-def]
    """Whether a rule needs confirmation, per the rubric the latest check run used."""
    with store.session() as session:
        unit = session.get(Unit, unit_id)
        category = unit.category if unit else "county"
        run = latest_check_run(session)
        info = (((run.summary or {}).get("rubrics") or {}).get(category) or {}) if run else {}
    source = info.get("source")
    path = None if not source or str(source).startswith("packaged:") else Path(source)

    def needs(rule: str) -> bool:
        spec = rubric_for_category(path, category).rules.get(rule)
        return bool(spec and spec.needs_confirmation)

    return needs


def perform(
    store: Store, account: Account, unit_id: str, key: str, action: str, reason: str,
    deadline: str,
) -> None:  # fmt: skip
    """Take ``action`` on the finding ``key`` as this user (ConfigError: why it is refused)."""
    if action not in labels()["allowed"].get(account.role, []):
        raise ConfigError("您的角色不能执行此操作")
    day = None
    if deadline.strip():
        try:
            day = date.fromisoformat(deadline.strip())
        except ValueError:
            raise ConfigError(f"整改期限 {deadline!r} 不是日期（YYYY-MM-DD）") from None
    needs_confirmation = _needs_confirmation(store, unit_id)
    with store.session() as session:
        act(
            session,
            key,
            action,
            account.name,
            today=today(),
            reason=reason.strip() or None,
            deadline=day,
            needs_confirmation=needs_confirmation,
        )
