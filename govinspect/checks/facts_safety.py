"""The content-safety facts of a crawl, read from the store for ``checks/content_safety.py``.

Part of the facts loader (``checks/facts.py`` calls :func:`load_safety`): the ``safety_facts``
rows of the crawl, the homepage fingerprints of this crawl and the one before it (with their
WARC records, the evidence of a defacement), and the verified state of every outbound target.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.store.models import LinkCheck, Page, Run, SafetyFact

CHUNK = 500


@dataclass(frozen=True, slots=True)
class SafetyRow:
    url: str
    source: str = "page"  # page | attachment
    is_homepage: bool = False
    published: date | None = None
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class HomepageVersion:
    """The homepage's fingerprint in one crawl and where its archived response is."""

    run_id: int
    url: str
    title: str = ""
    sketch: tuple[int, ...] = ()
    hosts: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    fetched_at: datetime | None = None
    warc: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class TargetState:
    outcome: str
    status: int | None = None
    final_url: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class SafetyFacts:
    """``recorded`` is False when the crawl kept no content-safety facts (switched off, or a
    crawl from before they existed): the checks then say so instead of reporting "clean"."""

    recorded: bool = False
    rows: tuple[SafetyRow, ...] = ()
    homepage: HomepageVersion | None = None
    previous_homepage: HomepageVersion | None = None
    targets: Mapping[str, TargetState] = field(default_factory=dict)


def _homepage(session: Session, run_id: int, row: SafetyFact | None) -> HomepageVersion | None:
    if row is None or not isinstance(row.facts.get("homepage"), Mapping):
        return None
    data = row.facts["homepage"]
    page = session.scalars(
        select(Page).where(Page.run_id == run_id, Page.url == row.url).limit(1)
    ).first()
    warc = None
    if page is not None and page.warc_file and page.warc_offset is not None:
        warc = {"warc_file": page.warc_file, "warc_offset": page.warc_offset}
    return HomepageVersion(
        run_id=run_id,
        url=row.url,
        title=str(data.get("title") or ""),
        sketch=tuple(int(v) for v in data.get("sketch") or ()),
        hosts=tuple(data.get("hosts") or ()),
        keywords=tuple(data.get("keywords") or ()),
        fetched_at=page.fetched_at if page is not None else None,
        warc=warc,
    )


def _home_row(session: Session, run_id: int) -> SafetyFact | None:
    return session.scalars(
        select(SafetyFact)
        .where(SafetyFact.run_id == run_id, SafetyFact.is_homepage.is_(True))
        .order_by(SafetyFact.id)
        .limit(1)
    ).first()


def _targets(session: Session, run_id: int, urls: Sequence[str]) -> dict[str, TargetState]:
    found: dict[str, TargetState] = {}
    for start in range(0, len(urls), CHUNK):
        chunk = urls[start : start + CHUNK]
        for row in session.scalars(
            select(LinkCheck).where(LinkCheck.run_id == run_id, LinkCheck.target_url.in_(chunk))
        ):
            found[row.target_url] = TargetState(row.outcome, row.status, row.final_url, row.error)
    return found


def load_safety(session: Session, run: Run, previous: Run | None) -> SafetyFacts:
    rows = tuple(
        SafetyRow(r.url, r.source, r.is_homepage, r.published, dict(r.facts or {}))
        for r in session.scalars(
            select(SafetyFact).where(SafetyFact.run_id == run.id).order_by(SafetyFact.id)
        )
    )
    home = next((r for r in rows if r.is_homepage), None)
    if home is None:
        return SafetyFacts(recorded=False)
    outbound = sorted({o["url"] for r in rows for o in r.facts.get("outbound", ())})
    return SafetyFacts(
        recorded=True,
        rows=rows,
        homepage=_homepage(session, run.id, _home_row(session, run.id)),
        previous_homepage=(
            _homepage(session, previous.id, _home_row(session, previous.id))
            if previous is not None
            else None
        ),
        targets=_targets(session, run.id, outbound),
    )
