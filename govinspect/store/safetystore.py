"""Writing a crawl's content-safety facts (``safety_facts``), idempotently per run and URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from govinspect.store.models import SafetyFact

CHUNK = 500


def write_safety(session: Session, run_id: int, records: Sequence[Any]) -> int:
    """Insert the records whose URL the run has no row for yet (a resumed run skips them)."""
    latest = {r.url: r for r in records}
    known: set[str] = set()
    urls = list(latest)
    for start in range(0, len(urls), CHUNK):
        chunk = urls[start : start + CHUNK]
        known.update(
            session.scalars(
                select(SafetyFact.url).where(SafetyFact.run_id == run_id, SafetyFact.url.in_(chunk))
            )
        )
    rows = [
        {
            "run_id": run_id,
            "url": r.url,
            "source": r.source,
            "is_homepage": r.is_homepage,
            "published": r.published,
            "facts": r.facts,
        }
        for url, r in latest.items()
        if url not in known
    ]
    if rows:
        session.execute(insert(SafetyFact.__table__), rows)
    return len(rows)
