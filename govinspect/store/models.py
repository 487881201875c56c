"""The facts govinspect records, and what the checks conclude from them.

History is kept: every crawl, feed poll, probe round and check is a :class:`Run` with its own
rows, never an overwrite, because the rules are about time ("not updated for 2 weeks", "≥5% of
probes over a week").  Timestamps are timezone-aware UTC; calendar dates are Asia/Shanghai.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names so Alembic batch migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

URL = String(2048)
LONG = Text


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dict[str, Any]: JSON,
        list[Any]: JSON,
        datetime: DateTime(timezone=True),
        date: Date,
    }


class Unit(Base):
    """A unit (单位) from the registry; refreshed from the config at every command."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(20))
    website: Mapped[str] = mapped_column(URL)
    site_code: Mapped[str | None] = mapped_column(String(20))
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    accounts: Mapped[list[Account]] = relationship(back_populates="unit")


class Account(Base):
    """A government new-media account (政务新媒体) and its feed.

    An account is its platform and name: units run accounts of the same name on several
    platforms (杞县发布 on WeChat and on Weibo).
    """

    __tablename__ = "accounts"
    __table_args__ = (UniqueConstraint("unit_id", "platform", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    platform: Mapped[str] = mapped_column(String(20))
    feed_url: Mapped[str] = mapped_column(URL)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    unit: Mapped[Unit] = relationship(back_populates="accounts")


class Run(Base):
    """One crawl, feed poll, probe round or check; everything it records points at it."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_kind_unit_started", "kind", "unit_id", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # crawl | feeds | probe | check
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    # running | complete | failed | interrupted | truncated
    status: Mapped[str] = mapped_column(String(20), default="running")
    as_of: Mapped[date | None]
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(LONG)


class Page(Base):
    """A fetched internal page (or a target the crawl tried to fetch)."""

    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("run_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(URL)
    final_url: Mapped[str | None] = mapped_column(URL)
    status: Mapped[int | None]
    content_type: Mapped[str | None] = mapped_column(String(200))
    charset: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str | None] = mapped_column(LONG)
    depth: Mapped[int] = mapped_column(Integer, default=0)
    is_homepage: Mapped[bool] = mapped_column(Boolean, default=False)
    # ok | robots_excluded | oversized | error (details in `error`)
    state: Mapped[str] = mapped_column(String(30), default="ok")
    error: Mapped[str | None] = mapped_column(LONG)
    meta: Mapped[dict[str, Any]] = mapped_column(default=dict)
    published: Mapped[date | None]
    published_source: Mapped[str | None] = mapped_column(String(60))
    warc_file: Mapped[str | None] = mapped_column(String(500))
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    # The run whose crawl saw this fact, when this run carried it forward without requesting
    # it again (crawl plans, recent link checks: govinspect/store/carry.py); None: seen now.
    carried_from_run_id: Mapped[int | None] = mapped_column(Integer)


class Link(Base):
    """A link as written on a page: where it points, how, and with which text."""

    __tablename__ = "links"
    __table_args__ = (
        Index("ix_links_run_target", "run_id", "target_url"),
        Index("ix_links_page", "page_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    page_id: Mapped[int] = mapped_column(ForeignKey("pages.id", ondelete="CASCADE"))
    target_url: Mapped[str] = mapped_column(URL)
    raw_url: Mapped[str] = mapped_column(LONG)
    anchor_text: Mapped[str | None] = mapped_column(LONG)
    tag: Mapped[str] = mapped_column(String(20))
    attr: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    on_homepage: Mapped[bool] = mapped_column(Boolean, default=False)


class LinkCheck(Base):
    """The verified state of one distinct link target in one run, with every attempt."""

    __tablename__ = "link_checks"
    __table_args__ = (
        UniqueConstraint("run_id", "target_url"),
        Index("ix_link_checks_run_outcome", "run_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    target_url: Mapped[str] = mapped_column(URL)
    # a class of govinspect.store.link_outcomes (ok, http_error, soft_404, blocked, ...)
    outcome: Mapped[str] = mapped_column(String(30))
    status: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(LONG)
    final_url: Mapped[str | None] = mapped_column(URL)
    checked_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[list[Any]] = mapped_column(default=list)
    warc_file: Mapped[str | None] = mapped_column(String(500))
    warc_offset: Mapped[int | None] = mapped_column(BigInteger)
    # The run whose crawl saw this fact, when this run carried it forward without requesting
    # it again (crawl plans, recent link checks: govinspect/store/carry.py); None: seen now.
    carried_from_run_id: Mapped[int | None] = mapped_column(Integer)


class Column(Base):
    """A column (栏目): a list of dated items, possibly over several list pages."""

    __tablename__ = "columns"
    __table_args__ = (UniqueConstraint("run_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(URL)
    type: Mapped[str] = mapped_column(String(30))
    level: Mapped[int] = mapped_column(Integer, default=1)
    parent_url: Mapped[str | None] = mapped_column(URL)
    parent_name: Mapped[str | None] = mapped_column(String(200))
    blank: Mapped[bool] = mapped_column(Boolean, default=False)
    placeholder: Mapped[str | None] = mapped_column(LONG)
    script_filled: Mapped[bool] = mapped_column(Boolean, default=False)
    is_list: Mapped[bool] = mapped_column(Boolean, default=True)
    item_count: Mapped[int] = mapped_column(Integer, default=0)
    record_count: Mapped[int | None]
    newest: Mapped[date | None]
    list_pages: Mapped[list[Any]] = mapped_column(default=list)
    discovered_by: Mapped[list[Any]] = mapped_column(default=list)
    # The run whose crawl saw this fact, when this run carried it forward without requesting
    # it again (crawl plans, recent link checks: govinspect/store/carry.py); None: seen now.
    carried_from_run_id: Mapped[int | None] = mapped_column(Integer)

    items: Mapped[list[ColumnItem]] = relationship(back_populates="column")


class ColumnItem(Base):
    __tablename__ = "column_items"
    __table_args__ = (Index("ix_column_items_column", "column_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("columns.id", ondelete="CASCADE"))
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(LONG)
    url: Mapped[str | None] = mapped_column(URL)
    published: Mapped[date | None]
    date_source: Mapped[str] = mapped_column(String(60), default="none")
    date_raw: Mapped[str | None] = mapped_column(String(200))
    flags: Mapped[list[Any]] = mapped_column(default=list)
    list_page: Mapped[str | None] = mapped_column(URL)
    # The run whose crawl saw this fact, when this run carried it forward without requesting
    # it again (crawl plans, recent link checks: govinspect/store/carry.py); None: seen now.
    carried_from_run_id: Mapped[int | None] = mapped_column(Integer)

    column: Mapped[Column] = relationship(back_populates="items")


class InteractionColumn(Base):
    """An interaction column page (letters, consultations, interviews) seen by a crawl."""

    __tablename__ = "interaction_columns"
    __table_args__ = (Index("ix_interaction_columns_run", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # letters | consultations | interviews
    url: Mapped[str] = mapped_column(URL)
    page_url: Mapped[str] = mapped_column(URL)
    name: Mapped[str | None] = mapped_column(String(200))
    script_filled: Mapped[bool] = mapped_column(Boolean, default=False)
    api: Mapped[str | None] = mapped_column(URL)
    # The run whose crawl saw this fact, when this run carried it forward without requesting
    # it again (crawl plans, recent link checks: govinspect/store/carry.py); None: seen now.
    carried_from_run_id: Mapped[int | None] = mapped_column(Integer)


class InteractionEntry(Base):
    """A letter, consultation, feedback page or interview, as one page showed it.

    One row per sighting (list page, detail page, JSON API): the facts loader merges the rows of
    one URL, so a letter's list row and its detail page complete each other.
    """

    __tablename__ = "interaction_entries"
    __table_args__ = (Index("ix_interaction_entries_run", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # letter | consultation | feedback | interview
    url: Mapped[str] = mapped_column(URL)
    page_url: Mapped[str] = mapped_column(URL)
    source: Mapped[str] = mapped_column(String(20))  # list | detail | api
    column_url: Mapped[str | None] = mapped_column(URL)
    title: Mapped[str | None] = mapped_column(LONG)
    asked: Mapped[date | None]
    replied: Mapped[date | None]
    status: Mapped[str | None] = mapped_column(String(20))  # replied | pending
    status_text: Mapped[str | None] = mapped_column(String(100))
    reply_unit: Mapped[str | None] = mapped_column(String(200))
    reply_shown: Mapped[bool | None] = mapped_column(Boolean)
    start: Mapped[date | None]
    end: Mapped[date | None]
    period_raw: Mapped[str | None] = mapped_column(String(200))
    draft_type: Mapped[str | None] = mapped_column(String(40))
    published: Mapped[date | None]
    feedback_urls: Mapped[list[Any]] = mapped_column(default=list)
    fields: Mapped[list[Any]] = mapped_column(default=list)
    # The run whose crawl saw this fact, when this run carried it forward without requesting
    # it again (crawl plans, recent link checks: govinspect/store/carry.py); None: seen now.
    carried_from_run_id: Mapped[int | None] = mapped_column(Integer)


class FeedPoll(Base):
    """One fetch of one account's feed."""

    __tablename__ = "feed_polls"
    __table_args__ = (Index("ix_feed_polls_account_fetched", "account_id", "fetched_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[int | None]
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    not_modified: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(LONG)
    bozo: Mapped[str | None] = mapped_column(LONG)
    etag: Mapped[str | None] = mapped_column(String(300))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    entries: Mapped[int] = mapped_column(Integer, default=0)


class FeedPost(Base):
    """A post seen in an account's feed; stored once, the history is the union of all polls."""

    __tablename__ = "feed_posts"
    __table_args__ = (
        UniqueConstraint("account_id", "guid"),
        Index("ix_feed_posts_account_published", "account_id", "published_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(1000))
    url: Mapped[str | None] = mapped_column(URL)
    title: Mapped[str | None] = mapped_column(LONG)
    published_at: Mapped[datetime | None]
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    first_poll_id: Mapped[int | None] = mapped_column(
        ForeignKey("feed_polls.id", ondelete="SET NULL")
    )


class Probe(Base):
    """One availability probe of a unit's homepage (the rules' 15 s visit)."""

    __tablename__ = "probes"
    __table_args__ = (Index("ix_probes_unit_time", "unit_id", "probed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(URL)
    probed_at: Mapped[datetime] = mapped_column(default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[int | None]
    latency_ms: Mapped[float | None] = mapped_column(Float)
    error: Mapped[str | None] = mapped_column(LONG)


class Finding(Base):
    """A conclusion of a check run about one unit, with its evidence."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_run_unit", "run_id", "unit_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    check: Mapped[str] = mapped_column(String(60))
    indicator: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))  # veto | deduction | warning | notice
    message: Mapped[str] = mapped_column(LONG)
    urls: Mapped[list[Any]] = mapped_column(default=list)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The finding's lifecycle as it stood in this run (FindingState holds the current one).
    key: Mapped[str | None] = mapped_column(String(80), index=True)
    status: Mapped[str | None] = mapped_column(String(20))  # new | open | reopened
    first_seen: Mapped[date | None]
    last_seen: Mapped[date | None]
    deadline: Mapped[date | None]


class Score(Base):
    """Points per unit and dimension in one check run, with the deductions that explain them."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("run_id", "unit_id", "dimension"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(60))
    score: Mapped[float] = mapped_column(Float)
    max: Mapped[float] = mapped_column(Float)
    items: Mapped[list[Any]] = mapped_column(default=list)
    failed: Mapped[bool] = mapped_column(Boolean, default=False)


class Lease(Base):
    """A named lease, e.g. "only one scheduler per database"; stale when not renewed."""

    __tablename__ = "leases"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(default=utcnow)
    renewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class FindingState(Base):
    """A finding across check runs: one row per key (unit, rule, subject), kept for good.

    ``status``: new (first seen) → open (seen again) → fixed (a later complete crawl, probe
    window or feed poll no longer shows it) → reopened (it came back).  ``disposition`` is the
    operator's word on it (ignored, accepted with a ``deadline``, claimed_fixed); every change
    is a :class:`FindingAction`.
    """

    __tablename__ = "finding_states"
    __table_args__ = (Index("ix_finding_states_unit_status", "unit_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(60))
    check: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str] = mapped_column(LONG)
    indicator: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(20))  # the rule's, before any suppression
    message: Mapped[str] = mapped_column(LONG)
    status: Mapped[str] = mapped_column(String(20))
    first_seen: Mapped[date]
    last_seen: Mapped[date]
    fixed_on: Mapped[date | None]
    first_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    fixed_run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    basis: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    last_evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    fixed_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    disposition: Mapped[str | None] = mapped_column(String(20))
    ignored_fingerprint: Mapped[str | None] = mapped_column(String(64))
    deadline: Mapped[date | None]
    confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    overdue_notified: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class FindingAction(Base):
    """The audit trail (全过程留痕): who did what to a finding, when and why.

    Operators' actions (ignore, accept, claim_fixed, confirm) and the lifecycle's own events
    (new, reopened, fixed, overdue, ignore_lapsed, claim_rejected; ``by`` = govinspect).
    """

    __tablename__ = "finding_actions"
    __table_args__ = (Index("ix_finding_actions_unit_id", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(80), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(30))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(LONG)
    deadline: Mapped[date | None]
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Digest(Base):
    """A nightly digest as built (per unit, or ``office``): what it said and up to which action."""

    __tablename__ = "digests"
    __table_args__ = (Index("ix_digests_scope_id", "scope", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # a unit id, or "office"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id", ondelete="SET NULL"))
    last_action_id: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(LONG)
    text: Mapped[str] = mapped_column(LONG)
    items: Mapped[list[Any]] = mapped_column(default=list)


class OutboxMessage(Base):
    """One digest to one contact over one channel; retried with backoff, never deleted."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(200))  # e.g. county/webmaster, office/1
    channel: Mapped[str] = mapped_column(String(20))  # email | wecom | dingtalk | json
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(LONG)


class User(Base):
    """A dashboard user (`govinspect users`): office, webmaster of some units, or assessor."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # office | webmaster | assessor
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    units: Mapped[list[UserUnit]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )


class UserUnit(Base):
    """A unit a webmaster looks after (and so may see)."""

    __tablename__ = "user_units"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), primary_key=True
    )

    user: Mapped[User] = relationship(back_populates="units")


class SafetyFact(Base):
    """Content-safety facts of one page or attachment in one crawl (内容安全, issue 18).

    ``facts`` holds what ``crawler/safety`` recorded: hidden links, personal data as counts and
    masked samples (never a full number), suspected wording errors with excerpts, outbound links,
    and on the homepage its fingerprint for the defacement test.  Rows exist only for pages with
    something to say, the homepage and the attachments read.
    """

    __tablename__ = "safety_facts"
    __table_args__ = (UniqueConstraint("run_id", "url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(URL)
    # page | attachment
    source: Mapped[str] = mapped_column(String(20), default="page")
    is_homepage: Mapped[bool] = mapped_column(Boolean, default=False)
    published: Mapped[date | None]
    facts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The run whose crawl saw this fact, when this run carried it forward without requesting
    # it again (crawl plans, recent link checks: govinspect/store/carry.py); None: seen now.
    carried_from_run_id: Mapped[int | None] = mapped_column(Integer)
