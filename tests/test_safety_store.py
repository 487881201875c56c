"""The content-safety table: migration 0005_content_safety on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from alembic import command
from sqlalchemy import inspect, select

from govinspect.store.db import alembic_config, current_revision, open_store
from govinspect.store.models import Run, SafetyFact
from govinspect.store.safetystore import write_safety


def test_migration_creates_and_drops_the_table(db_url):
    store = open_store(db_url)
    try:
        assert "safety_facts" in inspect(store.engine).get_table_names()
        columns = {c["name"] for c in inspect(store.engine).get_columns("safety_facts")}
        assert columns == {
            "id", "run_id", "url", "source", "is_homepage", "published", "facts",
            "carried_from_run_id",  # 0007_carried_facts
        }  # fmt: skip
        command.downgrade(alembic_config(store.engine), "0005_content_safety-1")
        assert "safety_facts" not in inspect(store.engine).get_table_names()
        command.upgrade(alembic_config(store.engine), "head")
        assert current_revision(store.engine) is not None
        assert "safety_facts" in inspect(store.engine).get_table_names()
    finally:
        store.dispose()


def test_write_is_idempotent_per_run_and_url(db_url):
    store = open_store(db_url)
    try:
        with store.session() as session:
            run = Run(kind="crawl", unit_id=None, status="complete")
            session.add(run)
            session.flush()
            run_id = run.id
        record = SimpleNamespace(
            url="http://x/a.html",
            source="page",
            is_homepage=False,
            published=date(2026, 11, 3),
            facts={"privacy": [{"kind": "mobile", "count": 1, "sample": "138****5678"}]},
        )
        for _ in range(2):  # a resumed run writes the same page again
            with store.session() as session:
                write_safety(session, run_id, [record, record])
        with store.session() as session:
            rows = list(session.scalars(select(SafetyFact)))
        assert len(rows) == 1
        assert rows[0].facts == record.facts and rows[0].published == date(2026, 11, 3)
    finally:
        store.dispose()


def test_missing_sensitive_word_file_is_one_clear_error(tmp_path, monkeypatch):
    import pytest

    from govinspect.errors import ConfigError
    from govinspect.settings import load_settings

    monkeypatch.setenv("GOVINSPECT_SENSITIVE_WORDS", str(tmp_path / "none.txt"))
    with pytest.raises(ConfigError, match=r"setting sensitive_words .*no such file"):
        load_settings()
    words = tmp_path / "w.txt"
    words.write_text("示范敏感词\n", "utf-8")
    monkeypatch.setenv("GOVINSPECT_SENSITIVE_WORDS", str(words))
    assert load_settings().sensitive_words == words
