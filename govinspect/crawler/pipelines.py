"""Item pipeline: persist the spider's records in batches, so memory stays flat on big sites."""

from __future__ import annotations

import time
from typing import Any

from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from govinspect.crawler.distributed.common import TUNING, Processed
from govinspect.crawler.items import (
    CheckRecord,
    InteractionRecord,
    ListPageRecord,
    PageRecord,
    SafetyRecord,
)
from govinspect.errors import StoreError
from govinspect.store import crawlstore, safetystore
from govinspect.store.db import Store, open_store
from govinspect.store.interaction import write_interactions

BATCH_ITEMS = 300
BATCH_SECONDS = 2.0


class StorePipeline:
    """Buffers records and writes them in one transaction per batch.

    A page and its links always land in the same transaction, which is what lets a killed crawl
    resume from the store without losing or duplicating anything.

    In distributed mode the spider follows each shared-frontier request's items with a
    :class:`Processed` marker; the request is acknowledged to Redis after the commit that
    holds those items, and a commit happens at least every ``flush_seconds`` so the run's
    in-flight set drains even when no more items come.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.store: Store | None = None
        self.run_id = 0
        self.pages: list[PageRecord] = []
        self.checks: list[CheckRecord] = []
        self.lists: list[ListPageRecord] = []
        self.safety: list[SafetyRecord] = []
        self.interactions: list[InteractionRecord] = []
        self.tokens: list[str] = []
        self.last_flush = time.monotonic()
        self.failed: str | None = None
        self.dist: Any = None
        self._loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        plan = self.crawler.spider.plan
        self.run_id = plan.run_id
        self.store = open_store(plan.database_url, plan.sqlite_busy_timeout_ms, migrate=False)
        self.dist = getattr(self.crawler.spider, "dist", None)
        if self.dist is not None:
            self._loop = task.LoopingCall(self.flush)
            self._loop.start(TUNING.flush_seconds, now=False)

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageRecord):
            self.pages.append(item)
        elif isinstance(item, CheckRecord):
            self.checks.append(item)
        elif isinstance(item, ListPageRecord):
            self.lists.append(item)
        elif isinstance(item, SafetyRecord):
            self.safety.append(item)
        elif isinstance(item, InteractionRecord):
            self.interactions.append(item)
        elif isinstance(item, Processed):
            self.tokens.append(item.token)
        # Flush after a check (or a request's end) only: a page's record comes just before its
        # check, so the two land in the same transaction.
        pending = len(self.pages) + len(self.checks) + len(self.lists) + len(self.safety)
        due = pending >= BATCH_ITEMS or time.monotonic() - self.last_flush > BATCH_SECONDS
        if due and isinstance(item, (CheckRecord, Processed)):
            self.flush()
        return item

    def flush(self) -> None:
        assert self.store is not None
        if self.failed:
            return
        if self.pages or self.checks or self.lists or self.safety or self.interactions:
            try:
                with self.store.session() as session:
                    crawlstore.write_pages(session, self.run_id, self.pages)
                    crawlstore.write_checks(session, self.run_id, self.checks)
                    crawlstore.write_list_pages(session, self.run_id, self.lists)
                    safetystore.write_safety(session, self.run_id, self.safety)
                    write_interactions(session, self.run_id, self.interactions)
            except (StoreError, OSError) as exc:
                # A full disk or a locked database: stop the crawl rather than go on fetching
                # pages whose facts cannot be kept. What was committed stays; the run resumes.
                self.failed = str(exc)
                deferred_from_coro(
                    self.crawler.engine.close_spider_async(reason=f"store_error: {exc}")
                )
                return
        if self.tokens:
            # Only now is everything these requests produced safe: they may leave the run.
            self.dist.ack(self.tokens)
        self.pages, self.checks, self.lists, self.tokens = [], [], [], []
        self.safety = []
        self.interactions = []
        self.last_flush = time.monotonic()

    def close_spider(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        self.flush()
        if self.store is not None:
            self.store.dispose()
