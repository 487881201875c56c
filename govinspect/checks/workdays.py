"""Working days (工作日) as the State Council's holiday arrangements (放假安排) make them.

A working day is a Monday-to-Friday day that is not a public holiday, or a make-up working day
(调休上班, usually a Saturday or Sunday next to 春节 or 国庆).  The arrangements come from the
``chinesecalendar`` package (import ``chinese_calendar``), which knows each year once the State
Council has published it, usually in November of the year before: upgrade the package then
(``pip install -U chinesecalendar``, docs/operations.md).

For a year the installed package does not know, a day counts as a working day when it is Monday
to Friday (the library itself raises for such years).  That fallback is visible: the checks put
:func:`calendar_basis` in a finding's evidence and message, the check run records
:func:`fallback_years` of its monitoring window, and the first use of each unknown year logs a
warning.

Every check that counts working days uses this module (interpretations, disclosure deadlines,
and reply latencies of letters); nothing else in govinspect counts them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

import chinese_calendar

from govinspect.checks.tables import join, phrase

log = logging.getLogger("govinspect.workdays")

LIBRARY = "chinesecalendar"
VERSION: str = chinese_calendar.__version__
# The library's own tables (exported in its __all__): its is_workday() re-derives the supported
# range by scanning every key on each call, far too slow for counting a year of days per document.
_HOLIDAYS = frozenset(chinese_calendar.holidays)
_MAKEUP_DAYS = frozenset(chinese_calendar.workdays)
FIRST_YEAR: int = min(d.year for d in _HOLIDAYS)
LAST_YEAR: int = max(d.year for d in _HOLIDAYS)

_warned: set[int] = set()


def covers(year: int) -> bool:
    """Whether the installed calendar knows that year's holidays and make-up days."""
    return FIRST_YEAR <= year <= LAST_YEAR


def warn_fallback(year: int) -> None:
    """Log, once per process and year, that ``year`` is counted Monday to Friday."""
    if year not in _warned:
        _warned.add(year)
        log.warning(
            "%s %s knows the holiday arrangements of %d-%d only: working days in %d are "
            "counted Monday to Friday (upgrade it with `pip install -U chinesecalendar` once "
            "the State Council has published them)",
            LIBRARY,
            VERSION,
            FIRST_YEAR,
            LAST_YEAR,
            year,
        )


def is_working_day(day: date) -> bool:
    """A working day: Mon-Fri and not a holiday, or a make-up day; Mon-Fri for unknown years."""
    if not covers(day.year):
        warn_fallback(day.year)
        return day.weekday() < 5
    if day in _MAKEUP_DAYS:
        return True
    return day.weekday() < 5 and day not in _HOLIDAYS


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is earlier.

    Published on a Friday, answered the next Monday: 1.  The same day: 0.  ``start`` itself is
    never counted, so a document published on the eve of 春节 and interpreted on the first
    working day after the holiday is 1 working day apart, however long the holiday.
    """
    if end < start:
        return -working_days_between(end, start)
    span = (end - start).days
    return sum(1 for offset in range(1, span + 1) if is_working_day(start + timedelta(offset)))


def add_working_days(day: date, days: int) -> date:
    """The ``days``-th working day after ``day`` (before it when negative); ``day`` when 0.

    A deadline of "N working days from ``day``" is ``add_working_days(day, N)``; for ``days``
    >= 0, ``working_days_between(day, add_working_days(day, days)) == days``.
    """
    step = timedelta(days=1 if days >= 0 else -1)
    left = abs(days)
    while left:
        day += step
        if is_working_day(day):
            left -= 1
    return day


def uncovered_years(start: date, end: date) -> tuple[int, ...]:
    """Years from ``start`` to ``end`` (either order) that the installed calendar does not know."""
    low, high = sorted((start.year, end.year))
    return tuple(year for year in range(low, high + 1) if not covers(year))


def fallback_years(spans: Iterable[tuple[date, date]]) -> tuple[int, ...]:
    """Years counted Monday to Friday over several (start, end) spans, ascending."""
    return tuple(sorted({year for start, end in spans for year in uncovered_years(start, end)}))


def calendar_basis(spans: Iterable[tuple[date, date]]) -> dict[str, Any]:
    """What the working days of these spans were counted with, for a finding's evidence."""
    return {
        "calendar": f"{LIBRARY} {VERSION}",
        "calendar_years": [FIRST_YEAR, LAST_YEAR],
        "fallback_years": list(fallback_years(spans)),
    }


def calendar_phrase(basis: dict[str, Any]) -> str:
    """How the working days were counted, for a finding's message (Chinese)."""
    text = phrase("working_days_calendar")
    if basis.get("fallback_years"):
        text += phrase("working_days_fallback", years=join(basis["fallback_years"]))
    return text


def calendar_info() -> dict[str, Any]:
    """The installed calendar, for the check run's summary and the docs' version check."""
    return {
        "library": LIBRARY,
        "version": VERSION,
        "first_year": FIRST_YEAR,
        "last_year": LAST_YEAR,
    }
