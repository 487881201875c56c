"""Consultation periods (征集时间) as consultation pages write them (crawler/interaction.py)."""

from __future__ import annotations

import re
from datetime import date
from functools import cache

from govinspect.crawler.dates import find_full_date, normalize_text
from govinspect.crawler.interaction_labels import data

#: How far after a period label its dates may be (characters).
PERIOD_REACH = 80
_SHORT_MD = re.compile(r"^\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def _dates(text: str) -> list[tuple[date | None, int, int]]:
    """Every full date of a normalised text with its span."""
    out = []
    pos = 0
    while True:
        found = find_full_date(text[pos:])
        if found is None:
            return out
        value, _raw, (start, end) = found
        out.append((value, pos + start, pos + end))
        pos += end


@cache
def _label_pattern(kind: str) -> re.Pattern[str]:
    labels = sorted(data()["consultation"][kind], key=len, reverse=True)
    return re.compile("(" + "|".join(re.escape(label) for label in labels) + r")\s*[:：为是]?")


def _joined(between: str) -> bool:
    rest = re.sub(r"[\s\u3000自起从]", "", between)
    return (
        bool(rest)
        and len(rest) <= 3
        and any(j in rest for j in data()["consultation"]["period_joiners"])
    )


def _year_less_end(text: str, start: date) -> date | None:
    """``2021年1月5日至1月15日``: an end without its year takes the start's."""
    match = _SHORT_MD.match(text)
    if not match:
        return None
    try:
        end = date(start.year, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None
    return end if end >= start else None


def consultation_period(text: str) -> tuple[date | None, date | None, str | None]:
    """``(start, end, raw)`` of a consultation from its page text.

    Forms: ``征集时间：2021-01-05至2021-01-15`` (and 征集期限, 起止时间 …), ``自2021年1月5日起至
    2021年1月15日止``, ``2021年1月5日至1月15日``, or a deadline alone (``截止日期：2021-01-15``,
    start None).  Nothing found: ``(None, None, None)``.
    """
    text = normalize_text(text)
    dates = _dates(text)
    anchors = [m.end() for m in _label_pattern("period_labels").finditer(text)]
    anchors += [m.start() for m in re.finditer(r"自(?=\s*\d{4})", text)]
    for anchor in sorted(anchors):
        near = [d for d in dates if anchor <= d[1] <= anchor + PERIOD_REACH]
        if not near or near[0][0] is None:
            continue
        first = near[0]
        start = first[0]
        assert start is not None
        if len(near) > 1 and near[1][0] is not None and _joined(text[first[2] : near[1][1]]):
            end = near[1][0]
            return start, end, text[first[1] : near[1][2]]
        tail = text[first[2] : first[2] + 20]
        joiner = re.match(r"\s*(?:起)?\s*(?:至|到|-|~|—|－|–)\s*", tail)
        if joiner:
            end = _year_less_end(tail[joiner.end() :], start)
            if end is not None:
                return start, end, text[first[1] : first[2] + joiner.end() + 8].strip()
    for match in _label_pattern("deadline_labels").finditer(text):
        near = [d for d in dates if match.end() <= d[1] <= match.end() + 30 and d[0]]
        if near:
            return None, near[0][0], text[match.start() : near[0][2]]
    return None, None, None
