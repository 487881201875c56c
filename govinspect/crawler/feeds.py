"""Poll the feeds of government new-media accounts (政务新媒体) and keep every post seen.

Facts only, no judgement: each account's feed is fetched once per poll and recorded as a
:class:`~govinspect.store.models.FeedPoll`; every post is stored once in
:class:`~govinspect.store.models.FeedPost`, so an account's history is the union of all polls
(a feed shows only its last N items).  ``checks.new_media`` judges these facts.

How a fetch goes
----------------
- All accounts are fetched concurrently (asyncio + aiohttp) under a per-host limit
  (``settings.feed_concurrency_per_host``; many feeds come from one RSSHub host) and a global
  limit (``settings.concurrency_total``).
- Conditional GET: the ETag / Last-Modified of the account's last successful poll are sent; a
  304 is recorded as an ok, unchanged poll and nothing is parsed.
- ``settings.feed_timeout`` bounds one whole attempt (connect, headers and body); bodies over
  ``settings.max_response_bytes`` are refused.  Timeouts, connection errors, 5xx and 429 are
  retried ``settings.retry_times`` times with exponential backoff; a 429/503 ``Retry-After`` is
  honoured up to ``FEED_RULES['retry_after_max']``.
- feedparser parses the bytes (it never fetches anything itself).  A malformed feed (``bozo``)
  still yields its parseable entries and the error is kept.  An HTTP error, a timeout, an empty
  body or a page that is not a feed is an error for that poll: the account's state is unknown
  for that poll, never "not updated".

Dates: feeds written by Chinese servers often carry a naive local time or the zone name ``CST``
(Java's name for China Standard Time, which feedparser reads as US Central time), and
feedparser misreads ``2024/05/01``-style dates.  :func:`parse_feed_date` therefore reads the raw
date text itself (naive and ``CST`` times are Asia/Shanghai) and falls back to feedparser's
``*_parsed`` value only for formats it does not know.  Stored times are aware UTC.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import io
import random
import re
import time
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import feedparser
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from govinspect.crawler.dates import MIN_YEAR
from govinspect.crawler.outcomes import is_transient_status
from govinspect.registry import Registry
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.store.models import Account, FeedPoll, FeedPost, Run
from govinspect.store.units import sync_registry

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

#: Tunables of feed fetching that are not user settings (the one place for these values).
FEED_RULES: dict[str, Any] = {
    # Seconds before the first retry; doubled for each further retry, with up to 25 % jitter.
    "backoff_base": 0.5,
    "backoff_max": 8.0,
    # A longer Retry-After ends the poll of that account (recorded as an error) instead of
    # stalling the whole poll; the next scheduled poll tries again.
    "retry_after_max": 30.0,
    # feedparser 6.0 reads RSS and Atom only (no JSON Feed), so never ask for JSON.
    "accept": (
        "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
        "*/*;q=0.5"
    ),
    # Zone names that Chinese servers print for UTC+8 (Java prints CST for Asia/Shanghai).
    "china_zone_names": ("CST", "CCT", "BJT", "北京时间"),
    # FeedPost.guid is String(1000); longer ids are replaced by a digest.
    "guid_max_chars": 1000,
    # Characters of a bozo or error text kept in the store.
    "error_max_chars": 500,
}

# Outcomes of one account's poll.
OK = "ok"
NOT_MODIFIED = "not_modified"
ERROR = "error"


# --------------------------------------------------------------------------------------------
# data passed between the steps
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FeedTarget:
    """One account to poll, with the validators of its last successful poll."""

    account_id: int
    unit_id: str
    name: str
    platform: str
    url: str
    etag: str | None = None
    last_modified: str | None = None
    base_entries: int = 0  # entries of the poll the validators come from (kept on a 304)


@dataclass
class FetchResult:
    """What one fetch (after retries) brought back."""

    fetched_at: datetime
    status: int | None = None
    body: bytes | None = None
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None
    attempts: int = 0


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    url: str | None
    title: str | None
    published_at: datetime | None  # aware UTC; None = undated


@dataclass
class ParsedFeed:
    entries: list[FeedEntry] = field(default_factory=list)
    bozo: str | None = None  # feedparser's complaint about a malformed feed
    error: str | None = None  # set when the body is not a usable feed at all


@dataclass
class AccountPoll:
    """One account's line in the poll summary."""

    unit_id: str
    name: str
    platform: str
    feed: str
    outcome: str  # ok | not_modified | error
    status: int | None
    entries: int
    new_posts: int
    error: str | None
    bozo: str | None


@dataclass
class PollSummary:
    """The result of :func:`poll_feeds`, ready for a CLI table or a scheduler log."""

    run_id: int
    seconds: float = 0.0
    results: list[AccountPoll] = field(default_factory=list)

    @property
    def accounts(self) -> int:
        return len(self.results)

    @property
    def ok(self) -> int:
        """Polls that fetched and parsed a feed (a 304 is counted in ``not_modified``)."""
        return sum(r.outcome == OK for r in self.results)

    @property
    def not_modified(self) -> int:
        return sum(r.outcome == NOT_MODIFIED for r in self.results)

    @property
    def errors(self) -> int:
        return sum(r.outcome == ERROR for r in self.results)

    @property
    def new_posts(self) -> int:
        return sum(r.new_posts for r in self.results)

    def counts(self) -> dict[str, Any]:
        return {
            "accounts": self.accounts,
            "ok": self.ok,
            "not_modified": self.not_modified,
            "errors": self.errors,
            "new_posts": self.new_posts,
            "seconds": round(self.seconds, 3),
        }

    def rows(self) -> list[dict[str, Any]]:
        """One dict per account, in registry order (unit, account, outcome, ...)."""
        return [asdict(result) for result in self.results]


# --------------------------------------------------------------------------------------------
# dates and entries (pure)
# --------------------------------------------------------------------------------------------
_NUMERIC = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]+(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}))?(?:[.,]\d+)?\s*秒?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$",
    re.IGNORECASE,
)
# An explicit zone at the end of an RFC 822 date (numeric offset or a name such as GMT, EST).
_RFC822_ZONE = re.compile(r"\d\s*(?:[+-]\d{4}|\(?[A-Za-z]{1,5}\)?)\s*$")


def _china_zone_pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in FEED_RULES["china_zone_names"])
    return re.compile(rf"\s*\(?(?:{names})\)?\s*$")


def _offset(text: str | None) -> timezone:
    if not text or text.upper() in ("Z", "UTC", "GMT"):
        return UTC if text else SHANGHAI
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _numeric_date(text: str) -> datetime | None:
    m = _NUMERIC.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups()[:6])
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=_offset(m.group(7)))
    except ValueError:
        return None


def _rfc822_date(text: str) -> datetime | None:
    parts = email.utils.parsedate_tz(text)
    if parts is None:
        return None
    try:
        naive = datetime(*parts[:6])  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    if not _RFC822_ZONE.search(text):
        return naive.replace(tzinfo=SHANGHAI)  # no zone written: the server's local time
    return naive.replace(tzinfo=timezone(timedelta(seconds=parts[9] or 0)))


def parse_feed_date(raw: str | None, parsed: time.struct_time | None = None) -> datetime | None:
    """An entry's date as aware UTC, or None when there is none (or it is not believable).

    ``raw`` is the date text as written in the feed, ``parsed`` feedparser's UTC struct_time.
    """
    found: datetime | None = None
    text = " ".join((raw or "").split())
    if text:
        china = _china_zone_pattern()
        if china.search(text):
            text = china.sub(" +0800", text).strip()
        found = _numeric_date(text) or _rfc822_date(text)
    if found is None and parsed is not None:
        try:
            found = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            found = None
    if found is None or found.year < MIN_YEAR:
        return None  # epoch placeholders (1970-01-01) and the like are no dates
    return found.astimezone(UTC)


def _entry_date(entry: dict[str, Any]) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw, parsed = entry.get(key), entry.get(f"{key}_parsed")
        if raw or parsed:
            found = parse_feed_date(raw, parsed)
            if found is not None:
                return found
    return None


def _clean(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    return " ".join(text.split()) or None


def entry_guid(
    entry_id: str | None, link: str | None, title: str | None, published_at: datetime | None
) -> str | None:
    """The post's identity across polls: entry id, else link, else a hash of title + date."""
    guid = _clean(entry_id) or _clean(link)
    if guid is None:
        if title is None and published_at is None:
            return None  # nothing identifies the entry: it cannot be told apart from others
        stamp = published_at.isoformat() if published_at else ""
        guid = "sha256:" + hashlib.sha256(f"{title or ''}\n{stamp}".encode()).hexdigest()
    if len(guid) > FEED_RULES["guid_max_chars"]:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def _entries(raw_entries: Iterable[dict[str, Any]]) -> list[FeedEntry]:
    seen: set[str] = set()
    out: list[FeedEntry] = []
    for raw in raw_entries:
        title, link = _clean(raw.get("title")), _clean(raw.get("link"))
        published_at = _entry_date(raw)
        guid = entry_guid(raw.get("id"), link, title, published_at)
        if guid is None or guid in seen:
            continue
        seen.add(guid)
        out.append(FeedEntry(guid=guid, url=link, title=title, published_at=published_at))
    return out


def _short(text: str) -> str:
    limit = FEED_RULES["error_max_chars"]
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_feed(body: bytes, content_type: str | None = None, url: str | None = None) -> ParsedFeed:
    """Parse a feed body with feedparser (from bytes: feedparser never fetches here)."""
    if not body.strip():
        return ParsedFeed(error="empty body")
    headers = {"content-type": content_type} if content_type else {}
    if url:
        headers["content-location"] = url  # base for relative links
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    bozo = None
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        bozo = _short(f"{type(exc).__name__}: {exc}" if exc else "malformed feed")
    entries = _entries(result.get("entries", []))
    if entries:
        return ParsedFeed(entries=entries, bozo=bozo)
    if not result.get("version"):
        kind = content_type.split(";")[0].strip() if content_type else "no content type"
        return ParsedFeed(bozo=bozo, error=_short(f"not a feed ({kind}): {bozo or 'no feed'}"))
    if bozo:
        # A feed header followed by garbage: nothing readable, so nothing is known.
        return ParsedFeed(bozo=bozo, error=_short(f"malformed feed without entries: {bozo}"))
    return ParsedFeed()  # a well-formed feed with no posts


# --------------------------------------------------------------------------------------------
# fetching (async)
# --------------------------------------------------------------------------------------------
class _Limits:
    """A semaphore per host (host:port) plus one for the whole poll."""

    def __init__(self, per_host: int, total: int) -> None:
        self._per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._total = asyncio.Semaphore(total)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port or parts.scheme}"
        semaphore = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host))
        # Host first: waiting for a busy host must not hold a global slot.
        async with semaphore, self._total:
            yield


@dataclass
class _Attempt:
    result: FetchResult
    transient: bool = False
    retry_after: float | None = None


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _backoff(attempt: int) -> float:
    delay = min(FEED_RULES["backoff_max"], FEED_RULES["backoff_base"] * 2**attempt)
    return delay * (1 + random.random() / 4)  # jitter: many accounts share one bridge host


def _headers(target: FeedTarget, settings: Settings) -> dict[str, str]:
    headers = {"Accept": FEED_RULES["accept"], "User-Agent": settings.user_agent}
    if target.etag:
        headers["If-None-Match"] = target.etag
    if target.last_modified:
        headers["If-Modified-Since"] = target.last_modified
    return headers


async def _read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes | None:
    """The body, or None when it is larger than ``cap`` bytes (after decompression)."""
    if (response.content_length or 0) > cap:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _attempt(
    session: aiohttp.ClientSession, target: FeedTarget, settings: Settings
) -> _Attempt:
    result = FetchResult(fetched_at=datetime.now(UTC))
    try:
        async with asyncio.timeout(settings.feed_timeout):
            async with session.get(target.url, headers=_headers(target, settings)) as response:
                result.status = response.status
                result.content_type = response.headers.get("Content-Type")
                result.etag = response.headers.get("ETag")
                result.last_modified = response.headers.get("Last-Modified")
                if response.status == 304:
                    return _not_modified(result, target)
                if response.status >= 300:
                    return _http_error(result, response)
                body = await _read_capped(response, settings.max_response_bytes)
    except TimeoutError:
        result.error = f"timeout after {settings.feed_timeout:g} s"
        return _Attempt(result, transient=True)
    except aiohttp.ClientSSLError as exc:
        result.error = _short(f"TLS error: {exc}")
        return _Attempt(result)
    except (aiohttp.TooManyRedirects, aiohttp.InvalidURL) as exc:
        result.error = _short(f"{type(exc).__name__}: {exc}")
        return _Attempt(result)
    except (aiohttp.ClientError, OSError) as exc:
        result.error = _short(f"connection error: {type(exc).__name__}: {exc}")
        return _Attempt(result, transient=True)
    finally:
        result.fetched_at = datetime.now(UTC)
    if body is None:
        result.error = f"body larger than {settings.max_response_bytes} bytes"
        return _Attempt(result)
    result.body = body
    return _Attempt(result)


def _not_modified(result: FetchResult, target: FeedTarget) -> _Attempt:
    if not (target.etag or target.last_modified):
        result.error = "HTTP 304 to a request without validators"
    else:
        result.not_modified = True
    return _Attempt(result)


def _http_error(result: FetchResult, response: aiohttp.ClientResponse) -> _Attempt:
    status = response.status
    result.error = f"HTTP {status} {response.reason or ''}".strip()
    retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    return _Attempt(result, transient=is_transient_status(status), retry_after=retry_after)


async def fetch_feed(
    session: aiohttp.ClientSession, limits: _Limits, target: FeedTarget, settings: Settings
) -> FetchResult:
    """Fetch one feed, retrying transient failures; slots are released while backing off."""
    attempt = _Attempt(FetchResult(fetched_at=datetime.now(UTC)))
    for number in range(settings.retry_times + 1):
        async with limits.slot(target.url):
            attempt = await _attempt(session, target, settings)
        attempt.result.attempts = number + 1
        if not attempt.transient or number == settings.retry_times:
            break
        delay = attempt.retry_after if attempt.retry_after is not None else _backoff(number)
        if delay > FEED_RULES["retry_after_max"]:
            attempt.result.error = f"{attempt.result.error} (Retry-After {delay:g} s)"
            break
        await asyncio.sleep(delay)
    return attempt.result


async def _poll_one(
    session: aiohttp.ClientSession, limits: _Limits, target: FeedTarget, settings: Settings
) -> tuple[FeedTarget, FetchResult, ParsedFeed | None]:
    try:
        fetched = await fetch_feed(session, limits, target, settings)
        if fetched.body is None:
            return target, fetched, None
        # Parsing is CPU work: a worker thread keeps the other fetches' timers honest.
        parsed = await asyncio.to_thread(parse_feed, fetched.body, fetched.content_type, target.url)
    except Exception as exc:  # one hostile feed must not abort the other accounts' polls
        failed = FetchResult(fetched_at=datetime.now(UTC))
        failed.error = _short(f"unexpected error: {type(exc).__name__}: {exc}")
        return target, failed, None
    fetched.body = None  # only the entries are kept
    return target, fetched, parsed


async def fetch_all(
    targets: list[FeedTarget], settings: Settings
) -> list[tuple[FeedTarget, FetchResult, ParsedFeed | None]]:
    """Fetch and parse every target concurrently within the per-host and global limits."""
    if not targets:
        return []
    limits = _Limits(settings.feed_concurrency_per_host, settings.concurrency_total)
    connector = aiohttp.TCPConnector(
        limit=settings.concurrency_total, limit_per_host=settings.feed_concurrency_per_host
    )
    # No cookie jar: accounts sharing a bridge host must not share its cookies.
    jar = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as session:
        jobs = [_poll_one(session, limits, target, settings) for target in targets]
        return list(await asyncio.gather(*jobs))


# --------------------------------------------------------------------------------------------
# the store
# --------------------------------------------------------------------------------------------
def _load_targets(session: Session, unit_ids: list[str]) -> list[FeedTarget]:
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


def _poll_row(
    run_id: int, target: FeedTarget, fetched: FetchResult, parsed: ParsedFeed | None
) -> FeedPoll:
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


#: Rows per INSERT statement (SQLite allows 32766 bound parameters; 7 per row).
INSERT_CHUNK = 500


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


def store_results(
    session: Session,
    run_id: int,
    results: list[tuple[FeedTarget, FetchResult, ParsedFeed | None]],
) -> list[AccountPoll]:
    """Record one FeedPoll per account and the posts not seen before; returns summary lines."""
    lines = []
    for target, fetched, parsed in results:
        row = _poll_row(run_id, target, fetched, parsed)
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


def _start_run(store: Store, unit_ids: list[str]) -> int:
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


def _finish_run(
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


def poll_feeds(
    store: Store, registry: Registry, unit_ids: list[str] | None, settings: Settings
) -> PollSummary:
    """Poll the feeds of every active account of the selected units (all units when None).

    Creates a ``Run(kind='feeds')``; safe to call from a CLI process or a scheduler thread (it
    runs its own event loop and keeps no global state).  Unknown unit ids raise
    :class:`~govinspect.errors.UnknownUnitError` before anything is recorded.
    """
    selected = list(dict.fromkeys(unit.id for unit in registry.select(unit_ids)))
    sync_registry(store, registry)  # the accounts table follows the config
    run_id = _start_run(store, selected)
    started = time.monotonic()
    summary = PollSummary(run_id=run_id)
    try:
        with store.session() as session:
            targets = _load_targets(session, selected)
        results = asyncio.run(fetch_all(targets, settings))
        with store.session() as session:
            summary.results = store_results(session, run_id, results)
    except BaseException as exc:
        status = "failed" if isinstance(exc, Exception) else "interrupted"
        summary.seconds = time.monotonic() - started
        _finish_run(store, run_id, status, summary.counts(), _short(f"{type(exc).__name__}: {exc}"))
        raise
    summary.seconds = time.monotonic() - started
    _finish_run(store, run_id, "complete", summary.counts())
    return summary
