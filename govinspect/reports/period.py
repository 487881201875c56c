"""Report periods: calendar quarters such as ``2026Q4`` and the check runs that stand for them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from govinspect.errors import ConfigError

_QUARTER = re.compile(r"^\s*(\d{4})\s*[Qq]\s*([1-4])\s*$")
_QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """A calendar quarter; ``start`` and ``end`` are its first and last days (inclusive)."""

    year: int
    quarter: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.quarter}"

    @property
    def label(self) -> str:
        """The Chinese name, e.g. ``2026年第四季度``."""
        return f"{self.year}年{_QUARTER_NAMES[self.quarter - 1]}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def end(self) -> date:
        if self.quarter == 4:
            return date(self.year, 12, 31)
        return date(self.year, 3 * self.quarter + 1, 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def previous(self) -> Period:
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def last(self, count: int) -> list[Period]:
        """This period and the ``count - 1`` before it, oldest first."""
        periods = [self]
        while len(periods) < count:
            periods.append(periods[-1].previous())
        return periods[::-1]

    def __str__(self) -> str:
        return self.code


def period_of(day: date) -> Period:
    """The quarter a date falls in."""
    return Period(day.year, (day.month - 1) // 3 + 1)


def parse_period(text: str) -> Period:
    """``2026Q4`` (case and spaces ignored) → the quarter; anything else is a ConfigError."""
    match = _QUARTER.match(text or "")
    if match is None:
        raise ConfigError(f"--period: {text!r} is not a quarter (expected YEARQn, e.g. 2026Q4)")
    return Period(int(match.group(1)), int(match.group(2)))
