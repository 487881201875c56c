"""Interaction facts (letters, consultations, interviews) for the checks: part of the facts loader.

The crawl stores one row per sighting of an entry (its list row, its detail page, its JSON API
record); :func:`load_interaction` merges the rows of one URL, the detail page's values first,
so a list that shows only 留言时间 and a detail page that shows the reply complete each other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.store.models import InteractionColumn, InteractionEntry

#: Which sighting's value wins when they differ.
SOURCE_ORDER = {"detail": 0, "api": 1, "list": 2}


@dataclass(frozen=True, slots=True)
class InteractionColumnFact:
    kind: str  # letters | consultations | interviews
    url: str
    name: str | None = None
    script_filled: bool = False
    api: str | None = None


@dataclass(frozen=True, slots=True)
class LetterFact:
    url: str
    asked: date | None = None
    replied: date | None = None
    status: str | None = None  # replied | pending | None (not shown)
    status_text: str | None = None
    reply_unit: str | None = None
    reply_shown: bool | None = None  # None: the pages seen have no 答复内容 field
    title: str | None = None
    column_url: str | None = None
    fields: tuple[str, ...] = ()  # labels shown (asked, replied, unit, content, status ...)
    sources: tuple[str, ...] = ()  # list | detail | api

    @property
    def answered(self) -> bool:
        """Answered: a reply date, a 已办结-like status, or a reply shown."""
        if self.replied is not None or self.status == "replied":
            return True
        return self.status is None and bool(self.reply_shown)


@dataclass(frozen=True, slots=True)
class ConsultationFact:
    url: str
    title: str | None = None
    start: date | None = None
    end: date | None = None
    period_raw: str | None = None
    draft_type: str | None = None
    published: date | None = None
    feedback_urls: tuple[str, ...] = ()
    column_url: str | None = None
    detail_seen: bool = False


@dataclass(frozen=True, slots=True)
class EntryFact:
    """A feedback page of a consultation, or an interview."""

    url: str
    title: str | None = None
    published: date | None = None
    column_url: str | None = None


@dataclass(frozen=True, slots=True)
class InteractionFacts:
    columns: tuple[InteractionColumnFact, ...] = ()
    letters: tuple[LetterFact, ...] = ()
    consultations: tuple[ConsultationFact, ...] = ()
    feedback: tuple[EntryFact, ...] = ()
    interviews: tuple[EntryFact, ...] = ()

    def columns_of(self, kind: str) -> tuple[InteractionColumnFact, ...]:
        return tuple(c for c in self.columns if c.kind == kind)


def _first(rows: Sequence[Any], name: str) -> Any:
    for row in rows:
        value = getattr(row, name)
        if value not in (None, ""):
            return value
    return None


def _ordered(rows: Iterable[InteractionEntry]) -> dict[str, list[InteractionEntry]]:
    by_url: dict[str, list[InteractionEntry]] = defaultdict(list)
    for row in rows:
        by_url[row.url].append(row)
    for group in by_url.values():
        group.sort(key=lambda r: (SOURCE_ORDER.get(r.source, 9), r.id))
    return by_url


def _letter(url: str, rows: Sequence[InteractionEntry]) -> LetterFact:
    shown = [r.reply_shown for r in rows if r.reply_shown is not None]
    return LetterFact(
        url=url,
        asked=_first(rows, "asked"),
        replied=_first(rows, "replied"),
        status=_first(rows, "status"),
        status_text=_first(rows, "status_text"),
        reply_unit=_first(rows, "reply_unit"),
        reply_shown=shown[0] if shown else None,
        title=_first(rows, "title"),
        column_url=_first(rows, "column_url"),
        fields=tuple(sorted({f for r in rows for f in (r.fields or [])})),
        sources=tuple(sorted({r.source for r in rows})),
    )


def _consultation(url: str, rows: Sequence[InteractionEntry]) -> ConsultationFact:
    return ConsultationFact(
        url=url,
        title=_first(rows, "title"),
        start=_first(rows, "start"),
        end=_first(rows, "end"),
        period_raw=_first(rows, "period_raw"),
        draft_type=_first(rows, "draft_type"),
        published=_first(rows, "published"),
        feedback_urls=tuple(dict.fromkeys(u for r in rows for u in (r.feedback_urls or []))),
        column_url=_first(rows, "column_url"),
        detail_seen=any(r.source == "detail" for r in rows),
    )


def _entry(url: str, rows: Sequence[InteractionEntry]) -> EntryFact:
    return EntryFact(
        url=url,
        title=_first(rows, "title"),
        published=_first(rows, "published"),
        column_url=_first(rows, "column_url"),
    )


def _columns(session: Session, run_id: int) -> tuple[InteractionColumnFact, ...]:
    merged: dict[tuple[str, str], InteractionColumnFact] = {}
    rows = session.scalars(
        select(InteractionColumn)
        .where(InteractionColumn.run_id == run_id)
        .order_by(InteractionColumn.id)
    )
    for row in rows:
        key = (row.kind, row.url)
        known = merged.get(key)
        merged[key] = InteractionColumnFact(
            kind=row.kind,
            url=row.url,
            name=(known.name if known else None) or row.name,
            # One readable page of the column is enough to say it is not script-filled.
            script_filled=row.script_filled
            if known is None
            else known.script_filled and row.script_filled,
            api=(known.api if known else None) or row.api,
        )
    return tuple(merged.values())


def load_interaction(session: Session, run_id: int) -> InteractionFacts:
    """The interaction facts of one crawl (a few hundred rows per site at most)."""
    rows = list(
        session.scalars(
            select(InteractionEntry)
            .where(InteractionEntry.run_id == run_id)
            .order_by(InteractionEntry.id)
        )
    )
    by_kind: dict[str, list[InteractionEntry]] = defaultdict(list)
    for row in rows:
        by_kind[row.kind].append(row)
    consultations = _ordered(by_kind["consultation"])
    feedback = _ordered(by_kind["feedback"])
    return InteractionFacts(
        columns=_columns(session, run_id),
        letters=tuple(_letter(u, g) for u, g in _ordered(by_kind["letter"]).items()),
        consultations=tuple(
            _consultation(u, g) for u, g in consultations.items() if u not in feedback
        ),
        feedback=tuple(_entry(u, g) for u, g in feedback.items()),
        interviews=tuple(_entry(u, g) for u, g in _ordered(by_kind["interview"]).items()),
    )
