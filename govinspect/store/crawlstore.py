"""Writing a crawl's facts in batches, resuming an interrupted crawl, closing its columns.

The crawler hands over plain records; this module owns the SQL.  Writes are idempotent per run
(a page or a link target already stored for the run is skipped), so a crawl killed mid-way and
resumed never duplicates or loses what was already committed: a page and its links are written
in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from govinspect.store.bulk import insert_rows
from govinspect.store.models import Column, ColumnItem, Link, LinkCheck, Page

CHUNK = 500  # rows per IN (...) lookup: well inside SQLite's and PostgreSQL's limits


class _Ref(Protocol):
    file: str
    offset: int


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _existing(
    session: Session, column: Any, run_col: Any, run_id: int, values: list[str]
) -> set[str]:
    found: set[str] = set()
    for chunk in _chunks(values):
        found.update(session.scalars(select(column).where(run_col == run_id, column.in_(chunk))))
    return found


def write_pages(session: Session, run_id: int, pages: Sequence[Any]) -> int:
    """Insert pages with their links; pages already stored for the run are skipped.

    Core bulk inserts (one statement per table and batch, ids back through RETURNING): link rows
    outnumber pages twenty to one, and per-object ORM work was the crawl's biggest write cost.
    """
    known = _existing(session, Page.url, Page.run_id, run_id, [p.url for p in pages])
    fresh = []
    for record in pages:
        if record.url not in known:
            known.add(record.url)
            fresh.append(record)
    if not fresh:
        return 0
    # Table-level inserts: the ORM's bulk path costs more per row than the statement itself.
    pages_table = Page.__table__
    ids = {
        url: page_id
        for page_id, url in session.execute(
            insert(pages_table).returning(pages_table.c.id, pages_table.c.url),
            [_page_row(run_id, r) for r in fresh],
        )
    }
    links = [
        (
            run_id,
            ids[record.url],
            link.target_url,
            link.raw_url,
            link.anchor_text,
            link.tag,
            link.attr,
            link.kind,
            record.is_homepage,
        )
        for record in fresh
        for link in record.links
    ]
    insert_rows(session, Link.__table__, LINK_COLUMNS, links)
    return len(fresh)


LINK_COLUMNS = (
    "run_id",
    "page_id",
    "target_url",
    "raw_url",
    "anchor_text",
    "tag",
    "attr",
    "kind",
    "on_homepage",
)


def _page_row(run_id: int, record: Any) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "url": record.url,
        "final_url": record.final_url,
        "status": record.status,
        "content_type": record.content_type,
        "charset": record.charset,
        "fetched_at": record.fetched_at,
        "content_hash": record.content_hash,
        "size": record.size,
        "title": record.title,
        "depth": record.depth,
        "is_homepage": record.is_homepage,
        "state": record.state,
        "error": record.error,
        "meta": record.meta,
        "published": record.published,
        "published_source": record.published_source,
        "warc_file": record.warc.file if record.warc else None,
        "warc_offset": record.warc.offset if record.warc else None,
    }


def write_checks(session: Session, run_id: int, checks: Sequence[Any]) -> None:
    """Insert each target's verified state, or update it (second pass, resumed run)."""
    latest = {c.target_url: c for c in checks}  # the last word on a target wins
    rows = {
        row.target_url: row
        for chunk in _chunks(list(latest))
        for row in session.scalars(
            select(LinkCheck).where(LinkCheck.run_id == run_id, LinkCheck.target_url.in_(chunk))
        )
    }
    fresh = [_check_row(run_id, record) for url, record in latest.items() if url not in rows]
    if fresh:  # the common case: one insert statement for the batch
        session.execute(insert(LinkCheck.__table__), fresh)
    for url, row in rows.items():
        record = latest[url]
        row.outcome = record.outcome
        row.status = record.status
        row.error = record.error
        row.final_url = record.final_url
        row.checked_at = record.checked_at
        row.attempts = list(row.attempts or []) + [
            a for a in record.attempts if a not in (row.attempts or [])
        ]
        if record.warc is not None:
            row.warc_file, row.warc_offset = record.warc.file, record.warc.offset


def _check_row(run_id: int, record: Any) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "target_url": record.target_url,
        "outcome": record.outcome,
        "status": record.status,
        "error": record.error,
        "final_url": record.final_url,
        "checked_at": record.checked_at,
        "attempts": list(record.attempts),
        "warc_file": record.warc.file if record.warc else None,
        "warc_offset": record.warc.offset if record.warc else None,
    }


def write_list_pages(session: Session, run_id: int, pages: Sequence[Any]) -> None:
    """Create each column on its first list page and add the items of every list page."""
    by_column: dict[str, list[Any]] = defaultdict(list)
    for record in pages:
        by_column[record.column_url].append(record)
    columns = {
        row.url: row
        for chunk in _chunks(list(by_column))
        for row in session.scalars(
            select(Column).where(Column.run_id == run_id, Column.url.in_(chunk))
        )
    }
    for url, records in by_column.items():
        column = columns.get(url)
        if column is None:
            first = records[0]
            column = Column(
                run_id=run_id,
                url=url,
                name=first.name,
                type="other",
                list_pages=[],
                discovered_by=[],
            )
            session.add(column)
            session.flush()
        for record in records:
            _merge_list_page(session, run_id, column, record)


def _merge_list_page(session: Session, run_id: int, column: Column, record: Any) -> None:
    if record.page_url in (column.list_pages or []):
        return  # the same list page again (resumed run): its items are already stored
    first = not column.list_pages
    column.list_pages = [*(column.list_pages or []), record.page_url]
    if record.discovered_by not in (column.discovered_by or []):
        column.discovered_by = [*(column.discovered_by or []), record.discovered_by]
    if record.page_url == column.url or not column.name:
        column.name = record.name or column.name
    # A column is a list when any of its pages is one (page 1 may be a script-filled shell).
    column.is_list = record.is_list if first else (column.is_list or record.is_list)
    column.placeholder = column.placeholder or record.placeholder
    column.script_filled = column.script_filled or record.script_filled
    if record.record_count is not None:
        column.record_count = record.record_count
    if record.breadcrumb and not column.parent_name:
        column.parent_name, column.parent_url = _parent(record.breadcrumb, column.url)
    session.add_all(
        ColumnItem(
            column_id=column.id,
            run_id=run_id,
            title=item.title,
            url=item.url,
            published=item.published,
            date_source=item.date_source,
            date_raw=item.date_raw,
            flags=item.flags,
            list_page=record.page_url,
        )
        for item in record.items
    )


def _parent(crumbs: list[tuple[str, str | None]], url: str) -> tuple[str | None, str | None]:
    """The crumb just above the column itself (the last crumb is usually the column)."""
    names = [c for c in crumbs if c[0]]
    if len(names) >= 2:
        name, link = names[-2]
        return name, link
    return None, None


@dataclass(frozen=True, slots=True)
class ColumnFacts:
    item_count: int
    newest: date | None


def finalize_columns(
    session: Session, run_id: int, classify: Any, overrides: dict[str, str] | None = None
) -> int:
    """Fill in what only the whole run knows: counts, newest dates, blank flags, types, levels."""
    stats = {
        column_id: ColumnFacts(count, newest)
        for column_id, count, newest in session.execute(
            select(
                ColumnItem.column_id,
                func.count(func.distinct(func.coalesce(ColumnItem.url, ColumnItem.title))),
                func.max(ColumnItem.published),
            )
            .where(ColumnItem.run_id == run_id)
            .group_by(ColumnItem.column_id)
        )
    }
    columns = list(session.scalars(select(Column).where(Column.run_id == run_id)))
    articles = _articles(session, run_id, columns)
    columns = [c for c in columns if c not in articles]
    channels = _channels(session, run_id, columns)
    for column in (*articles, *channels):
        session.execute(delete(ColumnItem).where(ColumnItem.column_id == column.id))
        session.delete(column)
    columns = [c for c in columns if c not in channels]
    urls = {c.url for c in columns}
    names = {c.name: c for c in columns}
    for column in columns:
        facts = stats.get(column.id, ColumnFacts(0, None))
        column.item_count = facts.item_count
        column.newest = facts.newest
        column.type = classify(column.name, overrides)
        # Script-filled lists are not blank (their items come from an API); content pages
        # (a guide shown inline) are not lists at all.
        column.blank = column.is_list and not column.script_filled and facts.item_count == 0
        if column.parent_url and column.parent_url not in urls:
            parent = names.get(column.parent_name or "")
            column.parent_url = parent.url if parent else column.parent_url
    _levels(columns)
    return len(columns)


def _articles(session: Session, run_id: int, columns: list[Column]) -> list[Column]:
    """Content pages recorded as columns that are articles of a column.

    A page that shows no list is a column only as a section's single content page (the guide
    shown inline).  Many CMSs print ``ColumnName`` (without ``ArticleTitle``) or a breadcrumb
    ending in a link to the page itself on every article, so only the whole run can tell: a
    page that some column lists as an item, or that names itself after a list column, is an
    article of that column.
    """
    content = [c for c in columns if not c.is_list]
    if not content:
        return []
    spellings: dict[str, Column] = {}
    for column in content:
        for url in (column.url, *(column.list_pages or [])):
            spellings[url] = column
    # A list may link the address before a redirect: the page row knows both.
    for chunk in _chunks(list(spellings)):
        for url, final in session.execute(
            select(Page.url, Page.final_url).where(Page.run_id == run_id, Page.final_url.in_(chunk))
        ):
            spellings.setdefault(url, spellings[final])
    found: dict[int, Column] = {}
    for chunk in _chunks(list(spellings)):
        for url, column_id in session.execute(
            select(ColumnItem.url, ColumnItem.column_id)
            .where(ColumnItem.run_id == run_id, ColumnItem.url.in_(chunk))
            .distinct()
        ):
            column = spellings[url]
            if column_id != column.id:
                found[column.id] = column
    filled = set(
        session.scalars(select(ColumnItem.column_id).where(ColumnItem.run_id == run_id).distinct())
    )
    list_names = {c.name for c in columns if c.is_list and c.id in filled}
    for column in content:
        if column.name in list_names:
            found[column.id] = column
    return list(found.values())


#: A list page whose items are mostly other columns' items is a channel page (频道: 新闻中心
#: showing the newest of 要闻, 动态 ...), not a column of its own.
CHANNEL_SHARE = 0.8
CHANNEL_MIN_ITEMS = 3
#: Columns a channel draws its items from when its sub-columns are not known otherwise.
CHANNEL_MIN_SOURCES = 2


def _channels(session: Session, run_id: int, columns: list[Column]) -> list[Column]:
    """Channel pages: most items are other columns' items, and it has sub-columns.

    Sub-columns are known from breadcrumbs or URL folders; a site without either still shows
    a channel by what it lists: the newest items of several other columns, no one of which
    holds most of them.
    """
    by_column: dict[int, set[str]] = defaultdict(set)
    for column_id, url in session.execute(
        select(ColumnItem.column_id, ColumnItem.url).where(
            ColumnItem.run_id == run_id, ColumnItem.url.is_not(None)
        )
    ):
        by_column[column_id].add(url)
    found = []
    for column in columns:
        own = by_column.get(column.id, set())
        if len(own) < CHANNEL_MIN_ITEMS:
            continue
        others = [c for c in columns if c is not column]
        shared = {c.id: own & by_column.get(c.id, set()) for c in others}
        elsewhere = set().union(*shared.values())
        if len(own & elsewhere) < CHANNEL_SHARE * len(own):
            continue
        children = any(c.parent_url == column.url or c.url.startswith(column.url) for c in others)
        # Without known sub-columns: items of several columns, not a selection of one column
        # (a 图片新闻 list repeating 工作动态 items is a column of its own).
        sources = [urls for urls in shared.values() if urls]
        several = len(sources) >= CHANNEL_MIN_SOURCES and max(
            map(len, sources)
        ) < CHANNEL_SHARE * len(own)
        if children or several:
            found.append(column)
    return found


def _levels(columns: list[Column]) -> None:
    """Level = 1 + the number of ancestors that are columns themselves.

    A channel page (政务公开) that is not a list does not count, so 政务公开 > 通知公告 is a
    first-level column, and 政务公开 > 部门动态 > 教育动态 (部门动态 being a list) second-level.
    """
    by_url = {c.url: c for c in columns}
    for column in columns:
        level, seen, parent = 1, {column.url}, by_url.get(column.parent_url or "")
        while parent is not None and parent.url not in seen:
            if parent.is_list:
                level += 1
            seen.add(parent.url)
            parent = by_url.get(parent.parent_url or "")
        column.level = level


def date_items_from_pages(session: Session, run_id: int) -> int:
    """Give list items without a date on the list page the date found on their own page."""
    rows = session.execute(
        select(ColumnItem.id, Page.published, Page.published_source)
        .join(Page, (Page.url == ColumnItem.url) & (Page.run_id == ColumnItem.run_id))
        .where(
            ColumnItem.run_id == run_id,
            ColumnItem.published.is_(None),
            Page.published.is_not(None),
        )
    ).all()
    for item_id, published, source in rows:
        session.execute(
            update(ColumnItem)
            .where(ColumnItem.id == item_id)
            .values(published=published, date_source=f"page:{source}")
        )
    return len(rows)


@dataclass(frozen=True, slots=True)
class Frontier:
    """What an interrupted run still has to do, rebuilt from what it committed."""

    done: set[str]
    pending: list[tuple[str, str, int]]  # (target url, link kind, depth of the linking page)
    pages_done: int


#: Link kind of a ``page#fragment`` target: decided at the run's end, never fetched.
ANCHOR_KIND = "anchor"


def _nofollow_pages(run_id: int) -> Any:
    """SQL: ids of the run's pages whose ``<meta name="robots">`` forbids following links.

    A subquery over pages (each page's JSON read once), not a filter on the links join.
    """
    return select(Page.id).where(Page.run_id == run_id, _nofollow())


def _nofollow() -> Any:
    return Page.meta["nofollow"].as_boolean().is_(True)


def resume_frontier(session: Session, run_id: int) -> Frontier:
    # Done means verified: a page stored without its check (the batch boundary fell between
    # them) is fetched again; the page row is kept and its links are not written twice.
    # Anchor targets and the links of nofollow pages are never fetched (see finish_links).
    done = set(session.scalars(select(LinkCheck.target_url).where(LinkCheck.run_id == run_id)))
    pages_done = session.scalar(select(func.count()).select_from(Page).where(Page.run_id == run_id))
    rows = session.execute(
        select(Link.target_url, func.min(Link.kind), func.min(Page.depth))
        .join(Page, Page.id == Link.page_id)
        .where(
            Link.run_id == run_id,
            Link.kind != ANCHOR_KIND,
            Link.page_id.not_in(_nofollow_pages(run_id)),
        )
        .group_by(Link.target_url)
    )
    pending = [(url, kind, depth) for url, kind, depth in rows if url not in done]
    return Frontier(done=done, pending=pending, pages_done=pages_done or 0)


# --- the run's end: anchors, nofollow links, notes ------------------------------------------


@dataclass(frozen=True, slots=True)
class AnchorPage:
    """The page an anchor target points into, as stored (``anchors`` None: not parsed)."""

    url: str
    status: int | None
    state: str
    anchors: list[str] | None
    truncated: bool
    warc: tuple[str, int] | None


def anchor_targets(session: Session, run_id: int) -> dict[str, AnchorPage | None]:
    """Every ``page#fragment`` target of the run still undecided, with its page if crawled."""
    decided = select(LinkCheck.target_url).where(LinkCheck.run_id == run_id)
    targets = list(
        session.scalars(
            select(Link.target_url)
            .where(
                Link.run_id == run_id,
                Link.kind == ANCHOR_KIND,
                Link.target_url.not_in(decided),
            )
            .distinct()
        )
    )
    wanted = sorted({t.partition("#")[0] for t in targets})
    pages: dict[str, AnchorPage] = {}
    for column in (Page.url, Page.final_url):  # a page is known by its URL, or where it went
        missing = [u for u in wanted if u not in pages]
        for chunk in _chunks(missing):
            for row in session.scalars(
                select(Page).where(Page.run_id == run_id, column.in_(chunk))
            ):
                meta = row.meta or {}
                key = row.url if column is Page.url else row.final_url
                pages.setdefault(
                    key or row.url,
                    AnchorPage(
                        url=row.url,
                        status=row.status,
                        state=row.state,
                        anchors=meta.get("anchors"),
                        truncated=bool(meta.get("anchors_truncated")),
                        warc=(row.warc_file, row.warc_offset)
                        if row.warc_file and row.warc_offset is not None
                        else None,
                    ),
                )
    return {t: pages.get(t.partition("#")[0]) for t in targets}


def nofollow_only_targets(session: Session, run_id: int) -> list[str]:
    """Targets linked only from pages whose ``<meta name="robots">`` forbids following them.

    Every other link target was verified; these are never fetched (not followed) and get no
    check until now.
    """
    decided = select(LinkCheck.target_url).where(LinkCheck.run_id == run_id)
    return list(
        session.scalars(
            select(Link.target_url)
            .where(
                Link.run_id == run_id,
                Link.kind != ANCHOR_KIND,
                Link.page_id.in_(_nofollow_pages(run_id)),
                Link.target_url.not_in(decided),
            )
            .distinct()
            .order_by(Link.target_url)
        )
    )


#: Examples kept per note in the run summary.
NOTE_EXAMPLES = 5


def page_notes(session: Session, run_id: int) -> dict[str, dict[str, Any]]:
    """Pages whose links were not followed (nofollow), and pages an analysis step failed on.

    ``{"nofollow": {"count", "examples": [url]}, "analysis_errors": {"count", "examples":
    [{"url", "step", "error"}]}}``; a note only when it has pages.
    """
    notes: dict[str, dict[str, Any]] = {}
    nofollow = list(
        session.scalars(
            select(Page.url).where(Page.run_id == run_id, _nofollow()).order_by(Page.id)
        )
    )
    if nofollow:
        notes["nofollow"] = {"count": len(nofollow), "examples": nofollow[:NOTE_EXAMPLES]}
    failed = session.execute(
        select(Page.url, Page.meta["analysis_errors"])
        .where(Page.run_id == run_id, Page.meta["analysis_errors"].as_json().is_not(None))
        .order_by(Page.id)
    ).all()
    failed = [(url, errors) for url, errors in failed if errors]
    if failed:
        notes["analysis_errors"] = {
            "count": len(failed),
            "examples": [
                {"url": url, **error} for url, errors in failed[:NOTE_EXAMPLES] for error in errors
            ][:NOTE_EXAMPLES],
        }
    return notes
