"""The new-media facts the checks judge: each account with its posts and feed polls.

Part of the facts loader (``checks/facts.py`` calls :func:`account_facts` for every unit): the
one place besides ``facts.py`` that reads the store for the checks, so ``checks/new_media.py``
stays a pure function of these dataclasses.  An account's history is the union of all its feed
polls, so every post ever seen is loaded; polls only from the rubric's window on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.checks.timeutil import aware, day_start
from govinspect.store.db import Store
from govinspect.store.models import Account, FeedPoll, FeedPost


@dataclass(frozen=True)
class PostFact:
    """A post seen in the feed; ``published_at`` is aware (UTC) or None when undated."""

    published_at: datetime | None
    url: str | None = None
    title: str | None = None
    guid: str = ""
    first_seen_at: datetime | None = None


@dataclass(frozen=True)
class PollFact:
    """One poll of the feed; ``ok`` is true for a parsed feed and for a 304."""

    fetched_at: datetime
    ok: bool
    not_modified: bool = False
    status: int | None = None
    error: str | None = None
    bozo: str | None = None
    entries: int = 0


@dataclass(frozen=True)
class AccountFacts:
    """One account: identified by its platform and name (the same name may exist elsewhere)."""

    name: str
    platform: str
    feed: str
    posts: tuple[PostFact, ...] = ()
    polls: tuple[PollFact, ...] = ()
    account_id: int | None = None
    unit_id: str | None = None


def account_facts(
    session: Session, unit_id: str, as_of: date, window_days: int | None = None
) -> list[AccountFacts]:
    """The active accounts of a unit with their whole post history and their polls.

    Polls from ``as_of - window_days`` on are loaded (all polls when ``window_days`` is None),
    including ones made after as-of: they still show the posts published before it.
    """
    accounts = session.scalars(
        select(Account)
        .where(Account.unit_id == unit_id, Account.active.is_(True))
        .order_by(Account.id)
    ).all()
    ids = [a.id for a in accounts]
    if not ids:
        return []
    posts: dict[int, list[PostFact]] = {i: [] for i in ids}
    polls: dict[int, list[PollFact]] = {i: [] for i in ids}
    for post in session.scalars(select(FeedPost).where(FeedPost.account_id.in_(ids))):
        posts[post.account_id].append(
            PostFact(
                published_at=aware(post.published_at) if post.published_at else None,
                url=post.url,
                title=post.title,
                guid=post.guid,
                first_seen_at=aware(post.first_seen_at),
            )
        )
    query = select(FeedPoll).where(FeedPoll.account_id.in_(ids))
    if window_days is not None:
        query = query.where(FeedPoll.fetched_at >= day_start(as_of - timedelta(days=window_days)))
    for poll in session.scalars(query):
        polls[poll.account_id].append(
            PollFact(
                fetched_at=aware(poll.fetched_at),
                ok=poll.ok,
                not_modified=poll.not_modified,
                status=poll.status,
                error=poll.error,
                bozo=poll.bozo,
                entries=poll.entries,
            )
        )
    return [
        AccountFacts(
            name=a.name,
            platform=a.platform,
            feed=a.feed_url,
            posts=tuple(posts[a.id]),
            polls=tuple(polls[a.id]),
            account_id=a.id,
            unit_id=a.unit_id,
        )
        for a in accounts
    ]


def load_account_facts(
    store: Store, unit_id: str, as_of: date, window_days: int | None = None
) -> list[AccountFacts]:
    """:func:`account_facts` in a session of its own."""
    with store.session() as session:
        return account_facts(session, unit_id, as_of, window_days)
