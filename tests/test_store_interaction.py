"""Interaction facts in the store (migration 0004_interaction) on SQLite and PostgreSQL: written
as the crawl records them, merged by the facts loader."""

from __future__ import annotations

from datetime import date

from alembic import command
from sqlalchemy import inspect

from govinspect.checks.facts_interaction import load_interaction
from govinspect.crawler.items import InteractionRecord
from govinspect.store.db import alembic_config, open_store
from govinspect.store.interaction import write_interactions
from govinspect.store.models import Run

URL = "http://sfx.example/hdjl/xzxx/"


def records() -> list[InteractionRecord]:
    letter = f"{URL}t1.html"
    return [
        InteractionRecord("column", URL, URL, "list", column_kind="letters", name="县长信箱"),
        # The list shows when it was asked and that it is answered ...
        InteractionRecord(
            "letter", letter, URL, "list", column_url=URL, asked=date(2026, 7, 10),
            status="replied", fields=["asked", "status"],
        ),
        # ... the detail page the reply (seen twice: a resumed crawl repeats a sighting).
        *[
            InteractionRecord(
                "letter", letter, letter, "detail", asked=date(2026, 7, 10),
                replied=date(2026, 7, 13), reply_unit="县住建局", reply_shown=True,
                fields=["asked", "content", "replied", "unit"],
            )
            for _ in range(2)
        ],
        InteractionRecord(
            "consultation", f"{URL}c1.html", URL, "list", title="征求意见",
            published=date(2026, 9, 15),
        ),
        InteractionRecord(
            "consultation", f"{URL}c1.html", f"{URL}c1.html", "detail", start=date(2026, 9, 15),
            end=date(2026, 9, 25), feedback_urls=[f"{URL}f1.html"], draft_type="规章",
        ),
        InteractionRecord("interview", f"{URL}i1.html", URL, "list", published=date(2026, 10, 1)),
    ]  # fmt: skip


def test_interaction_rows_round_trip_and_merge(db_url):
    store = open_store(db_url)
    try:
        assert {"interaction_columns", "interaction_entries"} <= set(
            inspect(store.engine).get_table_names()
        )
        with store.session() as session:
            run = Run(kind="crawl", status="complete")
            session.add(run)
            session.flush()
            write_interactions(session, run.id, records())
            run_id = run.id
        with store.session() as session:
            info = load_interaction(session, run_id)
        (column,) = info.columns
        assert (column.kind, column.url, column.script_filled) == ("letters", URL, False)
        (letter,) = info.letters
        assert (letter.asked, letter.replied, letter.status) == (
            date(2026, 7, 10), date(2026, 7, 13), "replied",
        )  # fmt: skip
        assert letter.reply_unit == "县住建局" and letter.reply_shown is True
        assert letter.sources == ("detail", "list") and letter.column_url == URL
        (consultation,) = info.consultations
        assert (consultation.title, consultation.start, consultation.end) == (
            "征求意见", date(2026, 9, 15), date(2026, 9, 25),
        )  # fmt: skip
        assert consultation.detail_seen and consultation.draft_type == "规章"
        assert [i.published for i in info.interviews] == [date(2026, 10, 1)]
    finally:
        store.dispose()


def test_migration_downgrades_and_upgrades(db_url):
    store = open_store(db_url)
    try:
        config = alembic_config(store.engine)
        command.downgrade(config, "0003_finding_lifecycle")
        assert "interaction_entries" not in inspect(store.engine).get_table_names()
        command.upgrade(config, "head")
        assert "interaction_entries" in inspect(store.engine).get_table_names()
    finally:
        store.dispose()
