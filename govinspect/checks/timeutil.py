"""Calendar arithmetic of the rules: Asia/Shanghai days, ISO dates (working days: workdays.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from govinspect.errors import ConfigError
from govinspect.settings import TIMEZONE

SHANGHAI = ZoneInfo(TIMEZONE)


def aware(moment: datetime) -> datetime:
    """A stored timestamp as aware UTC (SQLite hands them back naive, in UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def local_date(moment: datetime) -> date:
    """The Asia/Shanghai calendar date of a timestamp."""
    return aware(moment).astimezone(SHANGHAI).date()


def day_start(day: date) -> datetime:
    """Midnight of an Asia/Shanghai day, in UTC."""
    return datetime.combine(day, time(), SHANGHAI).astimezone(UTC)


def add_days(day: date, days: int) -> date:
    return day + timedelta(days=days)


def parse_date(value: Any) -> date | None:
    """A date from a stored value (date, datetime or ISO text); None when absent or invalid."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def today() -> date:
    """Today in Asia/Shanghai: the default monitoring time point."""
    return datetime.now(SHANGHAI).date()


def parse_as_of(value: str | None) -> date:
    """The ``--as-of`` option: ``YYYY-MM-DD``, default today in Asia/Shanghai."""
    if value is None or not value.strip():
        return today()
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise ConfigError(f"--as-of: {value!r} is not a date (expected YYYY-MM-DD)") from None
    if len(value.strip()) != 10:
        raise ConfigError(f"--as-of: {value!r} is not a date (expected YYYY-MM-DD)")
    return day
