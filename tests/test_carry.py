"""Carrying facts forward (store/carry.py) on SQLite and PostgreSQL, and migration 0007."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alembic import command
from sqlalchemy import inspect, select

from govinspect.store.carry import carry_forward, load_evidence
from govinspect.store.db import alembic_config, open_store, upgrade
from govinspect.store.models import (
    Column,
    ColumnItem,
    InteractionEntry,
    Link,
    LinkCheck,
    Page,
    Run,
    SafetyFact,
    Unit,
)

BASE = "https://www.sfx.gov.cn/"
OLD = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)


def _old_run(session) -> int:
    session.add(Unit(id="u", name="u", category="county", website=BASE))
    session.flush()
    run = Run(kind="crawl", unit_id="u", status="complete", started_at=OLD)
    session.add(run)
    session.flush()
    home = Page(run_id=run.id, url=BASE, status=200, is_homepage=True, fetched_at=OLD)
    article = Page(run_id=run.id, url=BASE + "a.html", status=200, fetched_at=OLD, depth=2)
    session.add_all([home, article])
    session.flush()
    session.add_all(
        [
            Link(
                run_id=run.id,
                page_id=home.id,
                target_url=BASE + "a.html",
                raw_url="a.html",
                tag="a",
                attr="href",
                kind="page",
            ),
            Link(
                run_id=run.id,
                page_id=article.id,
                target_url="https://x.cn/",
                raw_url="x",
                tag="a",
                attr="href",
                kind="page",
            ),
        ]
    )
    for url in (BASE, BASE + "a.html", "https://x.cn/"):
        session.add(
            LinkCheck(
                run_id=run.id, target_url=url, outcome="ok", status=200, checked_at=OLD, attempts=[]
            )
        )
    column = Column(
        run_id=run.id,
        name="通知公告",
        url=BASE + "tzgg/",
        type="notices",
        list_pages=[BASE + "tzgg/", BASE + "tzgg/index_1.html"],
        discovered_by=[],
    )
    session.add(column)
    session.flush()
    for n, page in ((1, BASE + "tzgg/"), (2, BASE + "tzgg/index_1.html")):
        session.add(
            ColumnItem(
                column_id=column.id,
                run_id=run.id,
                title=f"通知{n}",
                url=f"{BASE}tzgg/{n}.html",
                list_page=page,
            )
        )
    session.add(SafetyFact(run_id=run.id, url=BASE + "a.html", facts={"privacy": 1}))
    session.add(
        InteractionEntry(
            run_id=run.id, kind="letter", url=BASE + "l/1.html", page_url=BASE + "l/", source="list"
        )
    )
    return run.id


def test_carry_forward_completes_a_run_keeping_timestamps(db_url):
    store = open_store(db_url)
    try:
        with store.session() as session:
            first = _old_run(session)
            run = Run(kind="crawl", unit_id="u", status="running")
            session.add(run)
            session.flush()
            now = datetime.now(UTC)
            session.add(Page(run_id=run.id, url=BASE, status=200, is_homepage=True, fetched_at=now))
            column = Column(
                run_id=run.id,
                name="通知公告",
                url=BASE + "tzgg/",
                type="other",
                list_pages=[BASE + "tzgg/"],
                discovered_by=[],
            )
            session.add(column)
            session.flush()
            session.add(
                ColumnItem(
                    column_id=column.id,
                    run_id=run.id,
                    title="通知3",
                    url=BASE + "tzgg/3.html",
                    list_page=BASE + "tzgg/",
                )
            )
            second = run.id
        with store.session() as session:
            carried = carry_forward(session, "u", second)
            again = carry_forward(session, "u", second)  # idempotent
        assert carried.from_run == first and carried.counts["pages"] == 1
        assert again.counts == carried.counts  # nothing copied twice
        with store.session() as session:
            article = session.scalars(
                select(Page).where(Page.run_id == second, Page.url == BASE + "a.html")
            ).one()
            assert article.carried_from_run_id == first
            assert abs(article.fetched_at.replace(tzinfo=UTC) - OLD) < timedelta(seconds=1)
            links = session.scalars(select(Link).where(Link.page_id == article.id)).all()
            assert [link.target_url for link in links] == ["https://x.cn/"]
            checks = {
                c.target_url: c
                for c in session.scalars(select(LinkCheck).where(LinkCheck.run_id == second))
            }
            assert set(checks) == {BASE, BASE + "a.html", "https://x.cn/"}
            assert checks["https://x.cn/"].carried_from_run_id == first
            items = session.scalars(
                select(ColumnItem.title).where(ColumnItem.run_id == second)
            ).all()
            assert sorted(items) == ["通知1", "通知2", "通知3"]
            column = session.scalars(select(Column).where(Column.run_id == second)).one()
            assert column.list_pages == [BASE + "tzgg/", BASE + "tzgg/index_1.html"]
            assert session.scalars(
                select(SafetyFact.carried_from_run_id).where(SafetyFact.run_id == second)
            ).all() == [first]
            assert session.scalars(
                select(InteractionEntry.url).where(InteractionEntry.run_id == second)
            ).all() == [BASE + "l/1.html"]
            session.get(Run, second).status = "complete"
            session.flush()
            evidence = load_evidence(session, "u", second + 1)
            assert evidence.run_id == second
            assert evidence.column_pages == [BASE + "tzgg/"]
    finally:
        store.dispose()


def test_migration_0007_both_ways(db_url):
    store = open_store(db_url)
    try:

        def columns() -> set[str]:
            return {c["name"] for c in inspect(store.engine).get_columns("link_checks")}

        assert "carried_from_run_id" in columns()
        command.downgrade(alembic_config(store.engine), "0007_carried_facts-1")
        assert "carried_from_run_id" not in columns()
        upgrade(store.engine, "head")
        assert "carried_from_run_id" in columns()
    finally:
        store.dispose()
