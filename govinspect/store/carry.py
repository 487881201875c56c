"""Carrying facts forward: a run's facts are always complete.

A crawl that does not request a URL again (``crawl --plan quick|rolling``, a link target verified
within the recheck window) copies the latest facts about it into the new run: the same rows,
with their original ``fetched_at``/``checked_at`` and ``carried_from_run_id`` naming the run
that saw them.  So the checks read one run and stay pure, and the age of the evidence behind a
finding is in the facts themselves.

The latest evidence is the previous complete crawl of the unit: it carried its own gaps the same
way, so it holds the newest fact of every URL.  The copy is one ``INSERT ... SELECT`` per table
(no rows through Python), works on SQLite and PostgreSQL, and is idempotent: a second call
copies nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, and_, exists, func, insert, literal, or_, select
from sqlalchemy.orm import Session

from govinspect.store.models import (
    Column,
    ColumnItem,
    InteractionColumn,
    InteractionEntry,
    Link,
    LinkCheck,
    Page,
    Run,
    SafetyFact,
)

MARK = "carried_from_run_id"


def evidence_run(session: Session, unit_id: str, run_id: int) -> int | None:
    """The unit's latest complete crawl before ``run_id``: where the newest facts are."""
    return session.scalar(
        select(Run.id)
        .where(
            Run.kind == "crawl",
            Run.unit_id == unit_id,
            Run.status == "complete",
            Run.id < run_id,
        )
        .order_by(Run.id.desc())
        .limit(1)
    )


def _copy(table: Any, run_id: int, source: int, overrides: dict[str, Any] | None = None) -> list:
    """The SELECT list copying ``table``'s row into ``run_id``, keeping where it came from."""
    values: dict[str, Any] = {"run_id": literal(run_id, Integer), **(overrides or {})}
    if MARK in table.c:  # links have none: they belong to their page
        values[MARK] = func.coalesce(table.c[MARK], literal(source, Integer))
    return [values.get(c.name, c).label(c.name) for c in table.c if c.name != "id"]


def _insert(session: Session, table: Any, query: Any, run_id: int | None = None) -> int:
    """Run the copy; with ``run_id``, the number of rows the run now holds carried.

    Counted afterwards, not through RETURNING (a million link ids held in memory) nor the
    driver's rowcount (psycopg reports none for INSERT ... SELECT).
    """
    names = [c.name for c in table.c if c.name != "id"]
    session.execute(insert(table).from_select(names, query))
    if run_id is None:
        return 0
    return (
        session.scalar(
            select(func.count()).where(table.c.run_id == run_id, table.c[MARK].is_not(None))
        )
        or 0
    )


def _children(child: Any, key: str, parent: Any, run_id: int, source: int) -> tuple[Any, Any]:
    """SELECT copying ``source``'s ``child`` rows into ``run_id``, each re-pointed (``key``) at
    the run's ``parent`` row of the same URL; returns that parent alias for the conditions."""
    old, new = parent.alias(f"old_{parent.name}"), parent.alias(f"new_{parent.name}")
    query = (
        select(*_copy(child, run_id, source, {key: new.c.id}))
        .select_from(
            child.join(old, child.c[key] == old.c.id).join(
                new, and_(new.c.run_id == run_id, new.c.url == old.c.url)
            )
        )
        .where(child.c.run_id == source)
    )
    return new, query


def _fresh_page(run_id: int, url: Any) -> Any:
    """SQL: a page of ``run_id`` at ``url`` fetched by the run itself (not carried)."""
    p = Page.__table__.alias("fresh_page")
    return exists().where(p.c.run_id == run_id, p.c.url == url, p.c[MARK].is_(None))


def carry_pages(session: Session, run_id: int, source: int) -> int:
    """Pages the run did not fetch, with their links (the links get the new page ids)."""
    pages = Page.__table__
    mine = pages.alias("mine")
    query = select(*_copy(pages, run_id, source)).where(
        pages.c.run_id == source,
        ~exists().where(mine.c.run_id == run_id, mine.c.url == pages.c.url),
    )
    count = _insert(session, pages, query, run_id)
    links = Link.__table__
    present = links.alias("present")
    new, query = _children(links, "page_id", pages, run_id, source)
    query = query.where(
        new.c[MARK].is_not(None),
        ~exists().where(present.c.page_id == new.c.id),
    )
    _insert(session, links, query)
    return count


def carry_checks(session: Session, run_id: int, source: int) -> int:
    """Verified states of targets this run links to (or holds as pages) but did not request."""
    checks = LinkCheck.__table__
    mine = checks.alias("mine")
    links = Link.__table__.alias("linked")
    pages = Page.__table__.alias("held")
    query = select(*_copy(checks, run_id, source)).where(
        checks.c.run_id == source,
        ~exists().where(mine.c.run_id == run_id, mine.c.target_url == checks.c.target_url),
        or_(
            exists().where(links.c.run_id == run_id, links.c.target_url == checks.c.target_url),
            exists().where(pages.c.run_id == run_id, pages.c.url == checks.c.target_url),
        ),
    )
    return _insert(session, checks, query, run_id)


def carry_columns(session: Session, run_id: int, source: int) -> int:
    """Columns whose list pages the run did not fetch, and the items of list pages it did not.

    A column whose first page the run fetched keeps its own items and gains the older items
    it no longer shows on that page (they moved to page 2 and beyond); a first page that now
    shows nothing makes the column blank, whatever the older pages held.
    """
    columns = Column.__table__
    mine = columns.alias("mine")
    count = _insert(
        session,
        columns,
        select(*_copy(columns, run_id, source)).where(
            columns.c.run_id == source,
            ~exists().where(mine.c.run_id == run_id, mine.c.url == columns.c.url),
        ),
        run_id,
    )
    items = ColumnItem.__table__
    present, shown = items.alias("present"), items.alias("shown")
    key = func.coalesce(items.c.url, items.c.title)
    new_col, query = _children(items, "column_id", columns, run_id, source)
    query = query.where(
        ~exists().where(
            present.c.column_id == new_col.c.id,
            func.coalesce(present.c.url, present.c.title) == key,
        ),
        or_(
            new_col.c[MARK].is_not(None),
            exists().where(shown.c.column_id == new_col.c.id, shown.c[MARK].is_(None)),
        ),
    )
    _insert(session, items, query)
    _merge_list_pages(session, run_id, source)
    return count


def _merge_list_pages(session: Session, run_id: int, source: int) -> None:
    """Fetched columns list the older list pages their carried items come from."""
    older = {
        url: pages or []
        for url, pages in session.execute(
            select(Column.url, Column.list_pages).where(Column.run_id == source)
        )
    }
    fetched = session.scalars(
        select(Column).where(Column.run_id == run_id, Column.carried_from_run_id.is_(None))
    )
    carried_from = {
        column_id
        for (column_id,) in session.execute(
            select(ColumnItem.column_id)
            .where(ColumnItem.run_id == run_id, ColumnItem.carried_from_run_id.is_not(None))
            .distinct()
        )
    }
    for column in fetched:
        if column.id in carried_from:
            mine = list(column.list_pages or [])
            column.list_pages = mine + [p for p in older.get(column.url, []) if p not in mine]


def carry_interaction(session: Session, run_id: int, source: int) -> int:
    """Interaction columns and entries seen on pages the run did not fetch."""
    total = 0
    for model in (InteractionColumn, InteractionEntry):
        table = model.__table__
        mine = table.alias("mine")
        same = [mine.c.run_id == run_id, mine.c.page_url == table.c.page_url]
        same.append(mine.c.url == table.c.url)
        if model is InteractionEntry:
            same.append(mine.c.source == table.c.source)
        total += _insert(
            session,
            table,
            select(*_copy(table, run_id, source)).where(
                table.c.run_id == source,
                ~_fresh_page(run_id, table.c.page_url),
                ~exists().where(*same),
            ),
            run_id,
        )
    return total


def carry_safety(session: Session, run_id: int, source: int, attachments_only: bool = False) -> int:
    """Content-safety facts of pages and attachments the run did not fetch or read.

    ``attachments_only`` (a full crawl): an attachment is read again only after its check, so
    one whose check was carried keeps the facts read last time (a leak in it stays found)."""
    table = SafetyFact.__table__
    mine = table.alias("mine")
    check = LinkCheck.__table__.alias("fresh_check")
    conditions = [
        table.c.run_id == source,
        ~exists().where(mine.c.run_id == run_id, mine.c.url == table.c.url),
        ~_fresh_page(run_id, table.c.url),
        ~exists().where(
            check.c.run_id == run_id,
            check.c.target_url == table.c.url,
            check.c[MARK].is_(None),
        ),
    ]
    if attachments_only:
        carried = LinkCheck.__table__.alias("carried_check")
        conditions += [
            table.c.source == "attachment",
            exists().where(carried.c.run_id == run_id, carried.c.target_url == table.c.url),
        ]
    return _insert(session, table, select(*_copy(table, run_id, source)).where(*conditions), run_id)


@dataclass(slots=True)
class Carried:
    """What a run carried forward, for its summary."""

    from_run: int | None
    counts: dict[str, int] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {"from_run": self.from_run, **self.counts}


def carry_forward(session: Session, unit_id: str, run_id: int, pages: bool = True) -> Carried:
    """Complete ``run_id`` with the latest facts of everything it did not request again.

    ``pages`` False (a full crawl): only the link checks of targets the run links to but did not
    request (verified recently), with what was read in those attachments; a page a full crawl did
    not reach is gone from the site.
    Order matters once: safety and interaction facts look at the fetched pages (not carried
    ones), link checks at the run's links including the carried pages' links.
    """
    source = evidence_run(session, unit_id, run_id)
    if source is None:
        return Carried(None)
    if not pages:
        found = {
            "checks": carry_checks(session, run_id, source),
            "safety": carry_safety(session, run_id, source, attachments_only=True),
        }
        return Carried(source, {k: v for k, v in found.items() if v})
    counts = {
        "safety": carry_safety(session, run_id, source),
        "interaction": carry_interaction(session, run_id, source),
        "pages": carry_pages(session, run_id, source),
        "columns": carry_columns(session, run_id, source),
    }
    counts["checks"] = carry_checks(session, run_id, source)
    return Carried(source, {k: v for k, v in counts.items() if v})


# --- what the crawler needs to know before it starts ------------------------------------------


@dataclass(slots=True)
class Evidence:
    """The latest facts of a unit's URLs, as the crawl plans read them (crawler/plans.py)."""

    run_id: int | None = None
    #: target URL → (checked_at as POSIX seconds, outcome)
    checks: dict[str, tuple[float, str]] = field(default_factory=dict)
    #: page URL → (content hash, depth)
    pages: dict[str, tuple[str | None, int]] = field(default_factory=dict)
    #: list pages to fetch again, first pages of every known column first
    column_pages: list[str] = field(default_factory=list)
    #: interaction columns' first pages (letters, consultations, interviews)
    interaction_pages: list[str] = field(default_factory=list)


def _ts(value: datetime) -> float:
    return value.timestamp() if value.tzinfo else value.replace(tzinfo=None).timestamp()


def load_evidence(session: Session, unit_id: str, run_id: int, list_pages: int = 1) -> Evidence:
    """The previous complete crawl's facts the crawl plans decide from (empty: none)."""
    source = evidence_run(session, unit_id, run_id)
    if source is None:
        return Evidence()
    evidence = Evidence(run_id=source)
    for url, checked_at, outcome in session.execute(
        select(LinkCheck.target_url, LinkCheck.checked_at, LinkCheck.outcome).where(
            LinkCheck.run_id == source
        )
    ):
        evidence.checks[url] = (_ts(checked_at), outcome)
    for url, content_hash, depth in session.execute(
        select(Page.url, Page.content_hash, Page.depth).where(Page.run_id == source)
    ):
        evidence.pages[url] = (content_hash, depth or 0)
    evidence.column_pages = _first_list_pages(
        session.execute(
            select(Column.url, Column.list_pages).where(Column.run_id == source).order_by(Column.id)
        ),
        list_pages,
    )
    # The first page of every interaction column: its newest letters and their status; the
    # deeper pages' letters are carried (a rolling night re-reads them).
    evidence.interaction_pages = _first_list_pages(
        (
            (url, [])
            for url in sorted(
                set(
                    session.scalars(
                        select(InteractionColumn.url).where(InteractionColumn.run_id == source)
                    )
                )
            )
        ),
        list_pages,
    )
    return evidence


def _first_list_pages(rows: Iterable[Any], per_column: int) -> list[str]:
    seen: dict[str, None] = {}
    for url, pages in rows:
        seen.setdefault(url, None)
        for page in (pages or [])[:per_column]:
            seen.setdefault(page, None)
    return list(seen)
