"""Storage: migrations on SQLite and PostgreSQL, history across runs, registry sync."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, inspect, select

from govinspect.errors import StoreError
from govinspect.registry import parse_registry
from govinspect.store.db import current_revision, head_revision, open_store
from govinspect.store.models import (
    Account,
    Column,
    ColumnItem,
    Link,
    LinkCheck,
    Page,
    Probe,
    Run,
    Unit,
)
from govinspect.store.units import sync_registry

REGISTRY = {
    "units": [
        {
            "id": "qixian",
            "name": "杞县人民政府",
            "category": "county",
            "website": "http://www.qixian.gov.cn/",
            "new_media": [
                {"name": "杞县发布", "platform": "wechat", "feed": "http://rss.example/a"}
            ],
        }
    ]
}

TABLES = {
    "units",
    "accounts",
    "runs",
    "pages",
    "links",
    "link_checks",
    "columns",
    "column_items",
    "feed_polls",
    "feed_posts",
    "probes",
    "findings",
    "scores",
}


def test_migrates_empty_database(db_url):
    store = open_store(db_url)
    try:
        assert current_revision(store.engine) == head_revision()
        assert set(inspect(store.engine).get_table_names()) >= TABLES
    finally:
        store.dispose()


def test_reopening_keeps_data_and_revision(db_url):
    store = open_store(db_url)
    sync_registry(store, parse_registry(REGISTRY))
    store.dispose()
    store = open_store(db_url)
    try:
        with store.session() as session:
            assert session.scalar(select(func.count()).select_from(Unit)) == 1
    finally:
        store.dispose()


def record_crawl(store, when: datetime, status: int, item_date: date) -> int:
    with store.session() as session:
        run = Run(kind="crawl", unit_id="qixian", started_at=when, status="complete")
        session.add(run)
        session.flush()
        page = Page(
            run_id=run.id,
            url="http://www.qixian.gov.cn/",
            status=200,
            is_homepage=True,
            title="杞县人民政府",
            fetched_at=when,
        )
        session.add(page)
        session.flush()
        target = "http://www.qixian.gov.cn/a.pdf"
        session.add(
            Link(
                run_id=run.id,
                page_id=page.id,
                target_url=target,
                raw_url="a.pdf",
                anchor_text="附件",
                tag="a",
                attr="href",
                kind="attachment",
                on_homepage=True,
            )
        )
        session.add(
            LinkCheck(
                run_id=run.id,
                target_url=target,
                status=status,
                outcome="ok" if status == 200 else "http_error",
                attempts=[{"at": when.isoformat(), "status": status}],
            )
        )
        column = Column(
            run_id=run.id,
            name="工作动态",
            url="http://www.qixian.gov.cn/gzdt/",
            type="news",
            level=1,
            item_count=1,
            newest=item_date,
        )
        session.add(column)
        session.flush()
        session.add(
            ColumnItem(
                column_id=column.id,
                run_id=run.id,
                title="一条动态",
                url="http://www.qixian.gov.cn/gzdt/1.html",
                published=item_date,
                date_source="list",
            )
        )
        return run.id


def test_history_is_kept_across_runs(db_url):
    store = open_store(db_url)
    try:
        sync_registry(store, parse_registry(REGISTRY))
        first = datetime(2026, 11, 1, tzinfo=UTC)
        run1 = record_crawl(store, first, 200, date(2026, 10, 30))
        run2 = record_crawl(store, first + timedelta(days=1), 404, date(2026, 10, 30))
        with store.session() as session:
            runs = session.scalars(select(Run).order_by(Run.started_at)).all()
            assert [r.id for r in runs] == [run1, run2]
            checks = session.scalars(select(LinkCheck).order_by(LinkCheck.run_id)).all()
            assert [(c.run_id, c.outcome) for c in checks] == [(run1, "ok"), (run2, "http_error")]
            assert session.scalar(select(func.count()).select_from(Page)) == 2
            items = session.scalars(select(ColumnItem)).all()
            assert {i.published for i in items} == {date(2026, 10, 30)}
            when = session.scalars(select(Run.started_at).order_by(Run.id)).first()
            assert when.replace(tzinfo=UTC) == first
    finally:
        store.dispose()


def test_registry_sync_marks_removed_inactive_and_keeps_history(db_url):
    store = open_store(db_url)
    try:
        sync_registry(store, parse_registry(REGISTRY))
        with store.session() as session:
            session.add(
                Probe(
                    unit_id="qixian",
                    url="http://www.qixian.gov.cn/",
                    ok=True,
                    status=200,
                    latency_ms=12.5,
                )
            )
        renamed = {"units": [dict(REGISTRY["units"][0], id="other", new_media=[])]}
        sync_registry(store, parse_registry(renamed))
        with store.session() as session:
            old = session.get(Unit, "qixian")
            assert old is not None and old.active is False
            assert session.get(Unit, "other").active is True
            assert session.scalar(select(func.count()).select_from(Probe)) == 1
            account = session.scalars(select(Account)).one()
            assert account.name == "杞县发布"
    finally:
        store.dispose()


def test_unreachable_postgres_is_a_clear_error():
    with pytest.raises(StoreError, match="cannot open database"):
        open_store("postgresql+psycopg://postgres@127.0.0.1:1/test?connect_timeout=2")


def test_sqlite_uses_wal(sqlite_url):
    store = open_store(sqlite_url)
    try:
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        store.dispose()


def test_bulk_link_rows_are_stored_as_core_stores_them(db_url):
    """store/bulk.insert_rows (the driver's executemany) against SQLAlchemy Core's insert."""
    from sqlalchemy import insert

    from govinspect.store.bulk import insert_rows
    from govinspect.store.crawlstore import LINK_COLUMNS

    store = open_store(db_url)
    with store.session() as session:
        session.add(Unit(id="u", name="u", category="county", website="http://u.gov.cn/"))
        session.flush()
        run = Run(kind="crawl", unit_id="u", status="running", summary={})
        session.add(run)
        session.flush()
        page = Page(run_id=run.id, url="http://u.gov.cn/", status=200, state="ok")
        session.add(page)
        session.flush()
        values = [
            (run.id, page.id, "http://u.gov.cn/a", "a", "甲 '%s' ?", "a", "href", "page", True),
            (run.id, page.id, "http://u.gov.cn/b", "b", None, "img", "src", "image", False),
        ]
        insert_rows(session, Link.__table__, LINK_COLUMNS, values[:1])
        insert_rows(session, Link.__table__, LINK_COLUMNS, [])
        session.execute(insert(Link.__table__), [dict(zip(LINK_COLUMNS, values[1], strict=True))])
        insert_rows(session, Link.__table__, LINK_COLUMNS, values[1:])
    with store.session() as session:
        rows = session.execute(
            select(*[Link.__table__.c[name] for name in LINK_COLUMNS]).order_by(Link.id)
        ).all()
    assert [tuple(r) for r in rows] == [values[0], values[1], values[1]]
