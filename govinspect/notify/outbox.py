"""The outbox: every queued message is sent, retried with a bounded backoff, and recorded.

A message is ``pending`` until it is ``sent``; a failed attempt is recorded (attempts, the
error, the next attempt: ``notify_retry_seconds`` doubling up to ``notify_retry_max_seconds``)
and after ``notify_max_attempts`` the message is ``failed`` (kept, listed, never deleted).
During the registry's quiet hours nothing is sent: messages wait until the hours end.  A send
never raises: the nightly job goes on whatever the mail server or a webhook does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from govinspect.notify.channels import SendError, send
from govinspect.notify.digest import recipients
from govinspect.registry import Registry
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.store.models import Digest, OutboxMessage

log = logging.getLogger("govinspect.notify")


@dataclass
class FlushReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held_until: datetime | None = None
    errors: list[str] = field(default_factory=list)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def quiet_until(registry: Registry, now: datetime) -> datetime | None:
    """When the quiet hours around ``now`` end (UTC), or None outside them."""
    hours = registry.notifications.quiet_hours
    if not hours:
        return None
    zone = ZoneInfo(registry.schedule.timezone)
    local = _aware(now).astimezone(zone)
    start_text, end_text = hours.split("-")
    start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
    moment = local.time()
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if not inside:
        return None
    day = local.date() if moment < end else local.date() + timedelta(days=1)
    return datetime.combine(day, end, zone).astimezone(UTC)


def _delay(settings: Settings, attempts: int) -> timedelta:
    seconds = settings.notify_retry_seconds * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, settings.notify_retry_max_seconds))


def flush(
    store: Store, registry: Registry, settings: Settings, now: datetime | None = None
) -> FlushReport:
    """Send every pending message that is due (never raises for a failed send)."""
    now = _aware(now or datetime.now(UTC))
    report = FlushReport()
    held = quiet_until(registry, now)
    with store.session() as session:
        due = list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= now)
                .order_by(OutboxMessage.id)
            )
        )
        if held is not None:
            for message in due:
                message.next_attempt_at = held
            report.held_until = held
            return report
        digests = {d.id: d for d in session.scalars(select(Digest).where(Digest.id.in_(
            {m.digest_id for m in due}
        )))}  # fmt: skip
    for message in due:
        _attempt(store, registry, settings, message.id, digests[message.digest_id], now, report)
    return report


def _contact(registry: Registry, recipient: str):  # type: ignore[no-untyped-def]
    scope, _, role = recipient.partition("/")
    return dict(recipients(registry, scope)).get(role)


def _attempt(
    store: Store,
    registry: Registry,
    settings: Settings,
    message_id: int,
    digest: Digest,
    now: datetime,
    report: FlushReport,
) -> None:
    with store.session() as session:
        message = session.get(OutboxMessage, message_id)
        assert message is not None
        contact = _contact(registry, message.recipient)
        message.attempts += 1
        try:
            if contact is None:
                raise SendError(f"{message.recipient} is no longer a contact in the registry")
            payload = {
                "scope": digest.scope,
                "run_id": digest.run_id,
                "title": digest.title,
                "text": digest.text,
                "items": list(digest.items or []),
            }
            send(message.channel, contact, digest.title, digest.text, payload, settings)
        except SendError as exc:
            error = str(exc)[:1000]
            message.last_error = error
            report.errors.append(f"{message.recipient} ({message.channel}): {error}")
            if message.attempts >= settings.notify_max_attempts:
                message.status = "failed"
                report.failed += 1
            else:
                message.next_attempt_at = now + _delay(settings, message.attempts)
                report.retrying += 1
            log.warning(
                "digest %s to %s over %s failed (attempt %d): %s",
                digest.id, message.recipient, message.channel, message.attempts, error,
            )  # fmt: skip
            return
        message.status = "sent"
        message.sent_at = datetime.now(UTC)
        message.last_error = None
        report.sent += 1
        log.info("digest %s sent to %s over %s", digest.id, message.recipient, message.channel)
