"""The one ``Retry-After`` parser, shared by the crawler's retry middleware and the feed poller.

Both honour the header up to the same cap, ``settings.retry_after_max`` (default
:data:`govinspect.settings.RETRY_AFTER_MAX`): a longer ask is not waited for at all, because a
server asking for an hour would stall the whole night's crawl or poll.  What "not waited for"
means is the caller's: the crawler keeps the 429/503 answer (verified again in the second pass),
the feed poller records the account's poll as an error (the next poll tries again).
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds a ``Retry-After`` header asks for: delta-seconds or an HTTP date, never negative.

    None when the header is absent or unreadable.  Uncapped: compare with the cap yourself
    (:func:`exceeds_cap`).
    """
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def exceeds_cap(seconds: float | None, cap: float) -> bool:
    """True when the server asks for a longer wait than ``cap``: do not wait, do not retry now."""
    return seconds is not None and seconds > cap
