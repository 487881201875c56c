"""Writing the crawler's interaction records (``crawler.items.InteractionRecord``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from govinspect.store.models import InteractionColumn, InteractionEntry

ENTRY_FIELDS = (
    "kind",
    "url",
    "page_url",
    "source",
    "column_url",
    "title",
    "asked",
    "replied",
    "status",
    "status_text",
    "reply_unit",
    "reply_shown",
    "start",
    "end",
    "period_raw",
    "draft_type",
    "published",
    "feedback_urls",
    "fields",
)


def write_interactions(session: Session, run_id: int, records: Sequence[Any]) -> None:
    """One row per record; a resumed run may repeat a sighting (the loader merges by URL)."""
    for record in records:
        if record.kind == "column":
            session.add(
                InteractionColumn(
                    run_id=run_id,
                    kind=record.column_kind,
                    url=record.url[:2048],
                    page_url=record.page_url[:2048],
                    name=(record.name or "")[:200] or None,
                    script_filled=record.script_filled,
                    api=record.api,
                )
            )
        else:
            values = {name: getattr(record, name) for name in ENTRY_FIELDS}
            values["title"] = (values["title"] or "")[:1000] or None
            values["reply_unit"] = (values["reply_unit"] or "")[:200] or None
            session.add(InteractionEntry(run_id=run_id, **values))
