"""Feed facts in the store: the accounts to poll, one poll row per account, posts kept once.

Every post is stored **once** across polls (identity: the entry's guid per account), so an
account's history is the union of all polls; an undated post that later gets a date is updated.
Concurrent pollers are safe: posts another process stored meanwhile are skipped by an
``INSERT … ON CONFLICT DO NOTHING``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govinspect.crawler.feeds.model import (
    ERROR,
    NOT_MODIFIED,
    OK,
    SHANGHAI,
    AccountPoll,
    FeedEntry,
    FeedTarget,
    Polled,
)
from govinspect.store.db import Store
from govinspect.store.models import Account, FeedPoll, FeedPost, Run

#: Rows per INSERT statement (SQLite allows 32766 bound parameters; 7 per row).
INSERT_CHUNK = 500


def load_targets(session: Session, unit_ids: list[str]) -> list[FeedTarget]:
    """The active accounts of the units, in unit order, with their last good poll's validators."""
    accounts = session.scalars(
        select(Account)
        .where(Account.unit_id.in_(unit_ids), Account.active.is_(True))
        .order_by(Account.unit_id, Account.id)
    ).all()
    if not accounts:
        return []
    latest_ok = (
        select(func.max(FeedPoll.id))
        .where(FeedPoll.ok.is_(True), FeedPoll.account_id.in_([a.id for a in accounts]))
        .group_by(FeedPoll.account_id)
    )
    base = {
        poll.account_id: poll
        for poll in session.scalars(select(FeedPoll).where(FeedPoll.id.in_(latest_ok)))
    }
    order = {uid: i for i, uid in enumerate(unit_ids)}
    targets = []
    for account in sorted(accounts, key=lambda a: (order[a.unit_id], a.id)):
        poll = base.get(account.id)
        targets.append(
            FeedTarget(
                account_id=account.id,
                unit_id=account.unit_id,
                name=account.name,
                platform=account.platform,
                url=account.feed_url,
                etag=poll.etag if poll else None,
                last_modified=poll.last_modified if poll else None,
                base_entries=poll.entries if poll else 0,
            )
        )
    return targets


def _poll_row(run_id: int, polled: Polled) -> FeedPoll:
    target, fetched, parsed = polled
    row = FeedPoll(
        run_id=run_id,
        account_id=target.account_id,
        fetched_at=fetched.fetched_at,
        status=fetched.status,
        ok=False,
        not_modified=False,
        entries=0,
    )
    if fetched.not_modified:
        # Unchanged feed: same state as the poll whose validators were sent.
        row.ok, row.not_modified, row.entries = True, True, target.base_entries
        row.etag = fetched.etag or target.etag
        row.last_modified = fetched.last_modified or target.last_modified
    elif fetched.error or parsed is None:
        row.error = fetched.error or "no response"
    elif parsed.error:
        row.error, row.bozo = parsed.error, parsed.bozo
    else:
        row.ok, row.bozo, row.entries = True, parsed.bozo, len(parsed.entries)
        row.etag, row.last_modified = fetched.etag, fetched.last_modified
    if row.etag and len(row.etag) > 300:
        row.etag = None  # does not fit the column; the next poll simply is not conditional
    if row.last_modified and len(row.last_modified) > 100:
        row.last_modified = None
    return row


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    """Insert posts, skipping any (account, guid) another process stored meanwhile.

    Returns how many were inserted.
    """
    dialect = session.get_bind().dialect.name
    inserted = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        if dialect == "sqlite":
            stmt = sqlite.insert(FeedPost).values(chunk).on_conflict_do_nothing()
        elif dialect == "postgresql":
            stmt = postgresql.insert(FeedPost).values(chunk).on_conflict_do_nothing()
        else:
            session.add_all(FeedPost(**row) for row in chunk)
            session.flush()
            inserted += len(chunk)
            continue
        inserted += len(session.execute(stmt.returning(FeedPost.id)).all())
    return inserted


def _store_posts(session: Session, poll: FeedPoll, entries: list[FeedEntry]) -> int:
    if not entries:
        return 0
    known = {
        post.guid: post
        for post in session.scalars(
            select(FeedPost).where(
                FeedPost.account_id == poll.account_id,
                FeedPost.guid.in_([e.guid for e in entries]),
            )
        )
    }
    rows = []
    for entry in entries:
        post = known.get(entry.guid)
        if post is None:
            rows.append(
                {
                    "account_id": poll.account_id,
                    "guid": entry.guid,
                    "url": entry.url,
                    "title": entry.title,
                    "published_at": entry.published_at,
                    "first_seen_at": poll.fetched_at,
                    "first_poll_id": poll.id,
                }
            )
        elif post.published_at is None and entry.published_at is not None:
            post.published_at = entry.published_at  # a date the feed did not give before
    return _insert_ignoring_duplicates(session, rows) if rows else 0


def _outcome(row: FeedPoll) -> str:
    if row.not_modified:
        return NOT_MODIFIED
    return OK if row.ok else ERROR


def store_results(session: Session, run_id: int, results: list[Polled]) -> list[AccountPoll]:
    """Record one FeedPoll per account and the posts not seen before; returns summary lines."""
    lines = []
    for polled in results:
        target, _, parsed = polled
        row = _poll_row(run_id, polled)
        session.add(row)
        session.flush()
        new = _store_posts(session, row, parsed.entries) if row.ok and parsed else 0
        lines.append(
            AccountPoll(
                unit_id=target.unit_id,
                name=target.name,
                platform=target.platform,
                feed=target.url,
                outcome=_outcome(row),
                status=row.status,
                entries=row.entries,
                new_posts=new,
                error=row.error,
                bozo=row.bozo,
            )
        )
    return lines


def _shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


def start_run(store: Store, unit_ids: list[str]) -> int:
    """A new ``Run(kind='feeds')`` for the units; returns its id."""
    with store.session() as session:
        run = Run(
            kind="feeds",
            unit_id=unit_ids[0] if len(unit_ids) == 1 else None,
            as_of=_shanghai_today(),
            summary={"units": unit_ids},
        )
        session.add(run)
        session.flush()
        return run.id


def finish_run(
    store: Store, run_id: int, status: str, summary: dict[str, Any], error: str | None = None
) -> None:
    with store.session() as session:
        run = session.get(Run, run_id)
        if run is None:
            return
        run.status = status
        run.finished_at = datetime.now(UTC)
        run.summary = {**(run.summary or {}), **summary}
        run.error = error
