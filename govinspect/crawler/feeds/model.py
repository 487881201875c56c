"""The plain data passed between the feed poller's steps (fetch → parse → store), and its tunables.

No I/O here: every other module of the package imports this one, and this one imports none of
them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

#: Tunables of feed fetching and parsing that are not user settings (the one place for these
#: values; the Retry-After cap is the ``retry_after_max`` setting, shared with the crawler).
FEED_RULES: dict[str, Any] = {
    # Seconds before the first retry; doubled for each further retry, with up to 25 % jitter.
    "backoff_base": 0.5,
    "backoff_max": 8.0,
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


def valid_text(text: str) -> str:
    """``text`` without lone surrogates (U+FFFD instead), which no database driver accepts.

    aiohttp decodes header bytes as UTF-8 with ``surrogateescape``, so a header (or an error
    quoting one) with a non-UTF-8 byte carries them.
    """
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def short(text: str) -> str:
    """An error text on one line, at most ``error_max_chars`` long (what the store keeps)."""
    limit = FEED_RULES["error_max_chars"]
    text = " ".join(valid_text(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


#: One account's fetched (and, when there was a body, parsed) feed: what the store step takes.
Polled = tuple[FeedTarget, FetchResult, ParsedFeed | None]


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
    """The result of :func:`~govinspect.crawler.feeds.poll_feeds`, for a CLI table or a log."""

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
