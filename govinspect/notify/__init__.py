"""Notifications: the nightly digests and their delivery (e-mail, WeCom, DingTalk, JSON webhook).

Sits on top of the store and the checks' lifecycle, like ``reports``; no lower layer imports
it.  :func:`run_digest` is what ``govinspect digest`` and the scheduler's nightly job call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from govinspect.checks.timeutil import SHANGHAI
from govinspect.notify.digest import DigestDraft, build, queue, recipients
from govinspect.notify.outbox import FlushReport, flush
from govinspect.registry import Registry
from govinspect.settings import Settings
from govinspect.store.db import Store

log = logging.getLogger("govinspect.notify")


@dataclass
class DigestResult:
    drafts: list[DigestDraft] = field(default_factory=list)
    queued: int = 0
    flushed: FlushReport | None = None
    # Scopes with changes but nobody to tell: their changes wait for a contact (not marked sent).
    no_contacts: list[str] = field(default_factory=list)


def run_digest(
    store: Store,
    registry: Registry,
    settings: Settings,
    *,
    dry_run: bool = False,
    unit_ids: list[str] | None = None,
    run_id: int | None = None,
    now: datetime | None = None,
) -> DigestResult:
    """Build the digests due (what changed since the last one of each scope), store and queue
    them for every contact, then send what the outbox holds.  ``dry_run``: build only."""
    now = now or datetime.now(UTC)
    day: date = now.astimezone(SHANGHAI).date()
    result = DigestResult()
    with store.session() as session:
        result.drafts = build(session, registry, day, unit_ids)
        if dry_run:
            session.rollback()
            return result
        for draft in result.drafts:
            if not recipients(registry, draft.scope):
                # Storing it would mark its changes as told: a contact added later would never
                # hear of them.  Left for the first digest that has someone to send to.
                result.no_contacts.append(draft.scope)
                continue
            result.queued += queue(session, registry, draft, run_id, now)
    result.flushed = flush(store, registry, settings, now)
    return result


__all__ = ["DigestResult", "flush", "run_digest"]
