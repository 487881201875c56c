"""Crawl several units at once: one subprocess per unit, at most ``parallel`` of them running.

The one code path of ``govinspect crawl`` and of the nightly job (``pipeline.crawl_all``).

Politeness (``concurrency_per_host``, ``download_delay``) is enforced inside each crawl
process, per host and port; two processes crawling the same site would each send their full
share to it.  So units that share a crawled host (their website's or one of their
``extra_hosts``, as host:port) never run at the same time: the later one in the registry waits
until the earlier one ends.  Link targets on other hosts (verified, never crawled) are not
coordinated: a host linked by several units crawled at once may get ``concurrency_per_host``
requests from each of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from urllib.parse import urlsplit

from govinspect.crawler.launch import CrawlResult, Event, run_crawl
from govinspect.errors import GovinspectError
from govinspect.registry import Unit
from govinspect.settings import Settings
from govinspect.store.db import Store

log = logging.getLogger("govinspect.crawler.parallel")

#: ``on_event(unit_id, event)``: a crawl process's progress events, from worker threads.
EventCallback = Callable[[str, Event], None]


def crawled_hosts(unit: Unit) -> set[str]:
    """host[:port] values whose pages the unit's crawl fetches (``CrawlPlan.scope_hosts``)."""
    return {urlsplit(unit.website).netloc.lower(), *(h.lower() for h in unit.extra_hosts)}


def crawl_units(
    settings: Settings,
    store: Store,
    units: Sequence[Unit],
    parallel: int,
    *,
    resume: bool = True,
    time_limit: float | None = None,
    on_start: Callable[[Unit], None] | None = None,
    on_event: EventCallback | None = None,
    on_done: Callable[[CrawlResult], None] | None = None,
) -> list[CrawlResult]:
    """Crawl ``units``, ``parallel`` at once, in registry order; results in the same order.

    A unit whose crawl raises (another crawl of it running, a broken database) ends ``failed``
    with the error's text; the others go on.  ``on_start`` and ``on_done`` are called in the
    calling thread, ``on_event`` (progress, only when given) in the unit's worker thread.
    ``parallel`` 1 crawls the units one after the other.
    """
    if parallel < 1:
        raise ValueError("parallel must be at least 1")
    pending = list(units)
    running: dict[Future[CrawlResult], Unit] = {}
    results: dict[str, CrawlResult] = {}
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="crawl") as pool:
        while pending or running:
            for unit in _startable(pending, running, parallel):
                pending.remove(unit)
                if on_start:
                    on_start(unit)
                future = pool.submit(
                    run_crawl, settings, store, unit, resume, on_event, on_event is not None,
                    time_limit,
                )  # fmt: skip
                running[future] = unit
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                result = _outcome(future, running.pop(future))
                results[result.unit_id] = result
                if on_done:
                    on_done(result)
    return [results[unit.id] for unit in units]


def _startable(
    pending: list[Unit], running: dict[Future[CrawlResult], Unit], parallel: int
) -> list[Unit]:
    """The next pending units (registry order) that fit: free slots, no crawled host in use."""
    busy = set().union(*(crawled_hosts(u) for u in running.values()))
    chosen = []
    for unit in pending:
        if len(running) + len(chosen) >= parallel:
            break
        hosts = crawled_hosts(unit)
        if not hosts & busy:
            chosen.append(unit)
        # A unit that waits still holds its hosts: a later unit on them must not overtake it.
        busy |= hosts
    return chosen


def _outcome(future: Future[CrawlResult], unit: Unit) -> CrawlResult:
    try:
        result = future.result()
    except Exception as exc:  # noqa: BLE001 - recorded, and the others go on
        log.info("crawl of %s failed", unit.id, exc_info=True)
        # Our own errors are written for the user; anything else is named.
        text = str(exc) if isinstance(exc, GovinspectError) else f"{type(exc).__name__}: {exc}"
        result = CrawlResult(unit.id, 0, "failed", False, {}, text)
    return result
