"""One poll of the units' feeds: fetch every account concurrently, parse, store, summarise."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import aiohttp

from govinspect.crawler.feeds import fetch, parse
from govinspect.crawler.feeds import store as feed_store
from govinspect.crawler.feeds.model import FeedTarget, FetchResult, Polled, PollSummary, short
from govinspect.registry import Registry
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.store.units import sync_registry


async def _poll_one(
    session: aiohttp.ClientSession, limits: fetch.Limits, target: FeedTarget, settings: Settings
) -> Polled:
    try:
        fetched = await fetch.fetch_feed(session, limits, target, settings)
        if fetched.body is None:
            return target, fetched, None
        # Parsing is CPU work: a worker thread keeps the other fetches' timers honest.
        parsed = await asyncio.to_thread(
            parse.parse_feed, fetched.body, fetched.content_type, target.url
        )
    except Exception as exc:  # one hostile feed must not abort the other accounts' polls
        failed = FetchResult(fetched_at=datetime.now(UTC))
        failed.error = short(f"unexpected error: {type(exc).__name__}: {exc}")
        return target, failed, None
    fetched.body = None  # only the entries are kept
    return target, fetched, parsed


async def fetch_all(targets: list[FeedTarget], settings: Settings) -> list[Polled]:
    """Fetch and parse every target concurrently within the per-host and global limits."""
    if not targets:
        return []
    async with fetch.feed_session(settings) as (session, limits):
        jobs = [_poll_one(session, limits, target, settings) for target in targets]
        return list(await asyncio.gather(*jobs))


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
    run_id = feed_store.start_run(store, selected)
    started = time.monotonic()
    summary = PollSummary(run_id=run_id)
    try:
        with store.session() as session:
            targets = feed_store.load_targets(session, selected)
        results = asyncio.run(fetch_all(targets, settings))
        with store.session() as session:
            summary.results = feed_store.store_results(session, run_id, results)
    except BaseException as exc:
        status = "failed" if isinstance(exc, Exception) else "interrupted"
        summary.seconds = time.monotonic() - started
        error = short(f"{type(exc).__name__}: {exc}")
        feed_store.finish_run(store, run_id, status, summary.counts(), error)
        raise
    summary.seconds = time.monotonic() - started
    feed_store.finish_run(store, run_id, "complete", summary.counts())
    return summary
