"""What one crawl run knows beyond a single response, and the markers its parts exchange.

The spider takes every once-per-run decision through a :class:`CrawlState`: :class:`LocalState`
in one process, ``crawler.distributed.state.RedisState`` shared by the workers of a distributed
run. Both, and the spider, import this module; it imports neither, so the spider and the
distributed machinery depend on it rather than on each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from govinspect.crawler import outcomes

if TYPE_CHECKING:  # the CLI imports this module (via the crawl plan): Scrapy is not needed there
    from scrapy.http import Request


class CoordinationLost(Exception):
    """Redis could not be asked (politeness leases): the request is not the site's fault.

    The spider records nothing for it and does not acknowledge it: it stays in the run's
    in-flight set, and a live worker takes it up once this one is gone.
    """


@dataclass(frozen=True, slots=True)
class Processed:
    """Yielded by the spider after everything a shared-frontier request produced.

    The store pipeline acknowledges the request to Redis once the items before this marker are
    committed, so a worker that dies never loses a request whose facts were not yet stored.
    """

    token: str


def url_fingerprint(url: str) -> int:
    # 8 bytes per seen URL instead of the URL itself keeps memory flat on 10^5-page sites.
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "big")


class CrawlState(Protocol):
    """What one run knows beyond a single response: in memory (one process) or in Redis.

    Every decision that must be taken once per run (is this URL new, may it still be crawled as
    a page, which answer is the host's soft-404 baseline, which URL names a column) goes
    through here, so several worker processes decide exactly like one.
    """

    def claim(self, keys: Sequence[int]) -> list[bool]:
        """Mark URL fingerprints seen; True for each one not seen before (in order)."""
        ...

    def claim_source(self, key: str) -> bool:
        """Mark a list-source page seen; True the first time."""
        ...

    def reserve_pages(self, wanted: int) -> int:
        """How many of ``wanted`` new pages may still be crawled under ``max_pages``."""
        ...

    def floor_pages(self, done: int) -> None:
        """At least ``done`` pages are already crawled (a resumed run)."""
        ...

    def truncate(self, reason: str, url: str) -> None: ...

    def truncated(self) -> dict[str, dict[str, Any]]: ...

    def baseline(self, host: str) -> outcomes.Baseline | None:
        """The host's baseline if another process already fetched it."""
        ...

    def publish_baseline(self, host: str, baseline: outcomes.Baseline) -> outcomes.Baseline:
        """Offer a fetched baseline; the first one offered is the run's (returned)."""
        ...

    def claim_list_page(self, key: str, page_no: int, url: str) -> bool:
        """False when the column's page ``page_no`` was already read under another URL."""
        ...

    def column_url(self, key: str, first: str) -> str:
        """The URL naming column ``key``: ``first`` unless one was chosen before."""
        ...

    def known_column_url(self, key: str) -> str | None: ...

    def name_columns(self, names: Iterable[tuple[str, str]]) -> None:
        """Keep the first navigation text seen for each column key."""
        ...

    def nav_name(self, key: str) -> str | None: ...

    def queue_recheck(self, target: str, request: Request) -> None:
        """Park a transient failure for the second verification pass."""
        ...


class LocalState:
    """The run's state in this process's memory: single-node mode."""

    def __init__(self, max_pages: int) -> None:
        self.max_pages = max_pages
        self.seen: set[int] = set()
        self.pages = 0
        self.truncations: dict[str, dict[str, Any]] = {}
        self.baselines: dict[str, outcomes.Baseline] = {}
        self.list_pages: set[tuple[str, int]] = set()
        self.columns: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.recheck: dict[str, Request] = {}

    def claim(self, keys: Sequence[int]) -> list[bool]:
        fresh = []
        for key in keys:
            fresh.append(key not in self.seen)
            self.seen.add(key)
        return fresh

    def claim_source(self, key: str) -> bool:
        return self.claim([url_fingerprint(key)])[0]

    def reserve_pages(self, wanted: int) -> int:
        allowed = max(0, min(wanted, self.max_pages - self.pages))
        self.pages += allowed
        return allowed

    def floor_pages(self, done: int) -> None:
        self.pages = max(self.pages, done)

    def truncate(self, reason: str, url: str) -> None:
        entry = self.truncations.setdefault(reason, {"count": 0, "examples": []})
        entry["count"] += 1
        if len(entry["examples"]) < 5:
            entry["examples"].append(url)

    def truncated(self) -> dict[str, dict[str, Any]]:
        return self.truncations

    def baseline(self, host: str) -> outcomes.Baseline | None:
        return None  # nobody else fetches baselines in this mode

    def publish_baseline(self, host: str, baseline: outcomes.Baseline) -> outcomes.Baseline:
        return self.baselines.setdefault(host, baseline)

    def claim_list_page(self, key: str, page_no: int, url: str) -> bool:
        if (key, page_no) in self.list_pages:
            return False
        self.list_pages.add((key, page_no))
        return True

    def column_url(self, key: str, first: str) -> str:
        return self.columns.setdefault(key, first)

    def known_column_url(self, key: str) -> str | None:
        return self.columns.get(key)

    def name_columns(self, names: Iterable[tuple[str, str]]) -> None:
        for key, text in names:
            self.names.setdefault(key, text)

    def nav_name(self, key: str) -> str | None:
        return self.names.get(key)

    def queue_recheck(self, target: str, request: Request) -> None:
        self.recheck[target] = request
