"""Poll the feeds of government new-media accounts (政务新媒体) and keep every post seen.

Facts only, no judgement: each account's feed is fetched once per poll and recorded as a
:class:`~govinspect.store.models.FeedPoll`; every post is stored once in
:class:`~govinspect.store.models.FeedPost`, so an account's history is the union of all polls
(a feed shows only its last N items).  ``checks.new_media`` judges these facts.

One job per module, plain data between them (``model``):

- ``fetch``: HTTP with per-host and global limits, conditional GET, timeouts, a size cap and
  retries (Retry-After through the parser shared with the crawler, ``crawler/retry_after.py``);
- ``parse``: feedparser plus the date and time-zone repair Chinese feeds need;
- ``store``: the accounts to poll, poll rows and post upserts, the poll's run;
- ``poll``: :func:`poll_feeds`, which runs the three for the selected units.

An HTTP error, a timeout, an empty body or a page that is not a feed is an error for that poll:
the account's state is unknown for that poll, never "not updated".
"""

from __future__ import annotations

from govinspect.crawler.feeds.fetch import fetch_feed
from govinspect.crawler.feeds.model import (
    ERROR,
    FEED_RULES,
    NOT_MODIFIED,
    OK,
    SHANGHAI,
    AccountPoll,
    FeedEntry,
    FeedTarget,
    FetchResult,
    ParsedFeed,
    Polled,
    PollSummary,
)
from govinspect.crawler.feeds.parse import entry_guid, parse_feed, parse_feed_date
from govinspect.crawler.feeds.poll import fetch_all, poll_feeds
from govinspect.crawler.feeds.store import INSERT_CHUNK, store_results
from govinspect.crawler.retry_after import retry_after_seconds

__all__ = [
    "ERROR",
    "FEED_RULES",
    "INSERT_CHUNK",
    "NOT_MODIFIED",
    "OK",
    "SHANGHAI",
    "AccountPoll",
    "FeedEntry",
    "FeedTarget",
    "FetchResult",
    "ParsedFeed",
    "PollSummary",
    "Polled",
    "entry_guid",
    "fetch_all",
    "fetch_feed",
    "parse_feed",
    "parse_feed_date",
    "poll_feeds",
    "retry_after_seconds",
    "store_results",
]
