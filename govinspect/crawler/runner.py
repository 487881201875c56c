"""Entry point of the crawl subprocess: ``python -m govinspect.crawler.runner PLAN.json``.

Each crawl runs in its own process because the Twisted reactor cannot be restarted in-process.
The process prints JSON progress lines on stdout for its parent and leaves the run's final state
in the store.

With ``plan.redis_url`` set the process is one worker of a distributed run
(docs/distributed.md): it takes requests from the run's shared frontier, and only the worker that
sees the run end finalises it.
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings
from sqlalchemy import select, update

from govinspect.crawler import outcomes
from govinspect.crawler.anchors import anchor_checks
from govinspect.crawler.columns import classify_column
from govinspect.crawler.ipv6 import record_ipv6
from govinspect.crawler.items import CheckRecord
from govinspect.crawler.plan import CrawlPlan
from govinspect.crawler.plans import plan_summary
from govinspect.crawler.spider import SiteSpider
from govinspect.store import crawlstore
from govinspect.store.carry import Evidence, carry_forward, load_evidence
from govinspect.store.db import open_store
from govinspect.store.models import Page, Run

PROGRESS_SECONDS = 1.0
# Scrapy's close reasons of a run that is complete (the time limit is a complete, truncated run).
COMPLETE_REASONS = ("finished", "closespider_timeout")


class CrawlFailed(RuntimeError):
    """The crawl could not start or died inside Scrapy."""


def scrapy_settings(plan: CrawlPlan) -> ScrapySettings:
    """Scrapy settings derived from the plan: the only place they are set."""
    settings = ScrapySettings(
        {
            "BOT_NAME": "govinspect",
            # Per-host concurrency that holds (see crawler/downloader.py for Scrapy's race).
            "DOWNLOADER": "govinspect.crawler.downloader.PoliteDownloader",
            "USER_AGENT": plan.user_agent,
            "ROBOTSTXT_OBEY": plan.obey_robots,
            "CONCURRENT_REQUESTS": plan.concurrency_total,
            "CONCURRENT_REQUESTS_PER_DOMAIN": plan.concurrency_per_host,
            "DOWNLOAD_DELAY": plan.download_delay,
            "DOWNLOAD_TIMEOUT": plan.timeout,
            # The spider stops bodies at max_response_bytes itself (keeping the status); this
            # hard limit above it only catches what slips past, e.g. decompression bombs.
            "DOWNLOAD_MAXSIZE": plan.max_response_bytes + 1024 * 1024,
            "DOWNLOAD_WARNSIZE": 0,
            "RETRY_TIMES": plan.retry_times,
            # Read by crawler/middlewares.py: the one Retry-After cap (crawl and feeds).
            "GOVINSPECT_RETRY_AFTER_MAX": plan.retry_after_max,
            "RETRY_HTTP_CODES": outcomes.rules()["transient_statuses"],
            "DOWNLOADER_MIDDLEWARES": {
                "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
                "govinspect.crawler.middlewares.RetryAfterMiddleware": 550,
                "govinspect.crawler.middlewares.HostSlotMiddleware": 950,
                # Scrapy's place for it; see crawler/httpcache.py for what it changes.
                "scrapy.downloadermiddlewares.httpcache.HttpCacheMiddleware": None,
                "govinspect.crawler.httpcache.RevalidatingCacheMiddleware": 900,
            },
            "ITEM_PIPELINES": {"govinspect.crawler.pipelines.StorePipeline": 300},
            # The store pipeline is synchronous, so items gain nothing from being processed in
            # parallel; Scrapy starts CONCURRENT_ITEMS asyncio tasks for every response's
            # output (100 by default), which was a quarter of the crawl's CPU.
            "CONCURRENT_ITEMS": 1,
            # A development-time lint that re-parses the callback's source with ast on every
            # response (its cache is keyed by short-lived bound methods).
            "WARN_ON_GENERATOR_RETURN_VALUE": False,
            # Depth is tracked in the request's facts (max_depth) and meta is copied on purpose:
            # two spider middlewares that would only wrap every callback's output once more.
            "SPIDER_MIDDLEWARES": {
                "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
                "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
            },
            # Every status reaches the spider: a 404 is a fact to record, not an error.
            "HTTPERROR_ALLOW_ALL": True,
            # A meta refresh is recorded as a link, never followed silently: following it
            # would hide TRS's "deleted document" pages (a soft 404).
            "METAREFRESH_ENABLED": False,
            "REDIRECT_MAX_TIMES": 10,
            "DUPEFILTER_CLASS": "scrapy.dupefilters.BaseDupeFilter",
            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
            "URLLENGTH_LIMIT": plan.max_url_length,
            "DEPTH_LIMIT": 0,
            "CLOSESPIDER_TIMEOUT": plan.max_run_seconds,
            "TELNETCONSOLE_ENABLED": False,
            # Nothing reads Scrapy's counters (the run summary counts facts in the store), and
            # every one of them, several per request and item, goes through a deprecation
            # wrapper in Scrapy 2.19; the downloader's byte counts serialise each request again.
            "STATS_CLASS": "scrapy.statscollectors.DummyStatsCollector",
            "DOWNLOADER_STATS": False,
            "LOG_LEVEL": "ERROR",
            "LOG_ENABLED": True,
            "LOG_INSTALL_ROOT_HANDLER": False,
            "COOKIES_ENABLED": True,
            "DNS_TIMEOUT": min(plan.timeout, 20),
            "REACTOR_THREADPOOL_MAXSIZE": 10,
            # Conditional re-crawls (crawler/httpcache.py): every page revalidated, never served
            # from the cache unasked, only a 304 lets the stored answer stand in.
            # Not in distributed mode: a retried request would carry the stored answer in its
            # meta into Redis.
            "HTTPCACHE_ENABLED": plan.http_cache and not plan.redis_url,
            "HTTPCACHE_POLICY": "govinspect.crawler.httpcache.RevalidatePolicy",
            "HTTPCACHE_STORAGE": "govinspect.crawler.httpcache.SqliteCacheStorage",
            "HTTPCACHE_DIR": str(Path(plan.data_dir) / "httpcache"),
            "HTTPCACHE_EXPIRATION_SECS": 0,
        }
    )
    if plan.redis_url:
        from govinspect.crawler.distributed.coordinator import scrapy_overrides

        overrides = scrapy_overrides(plan)
        middlewares = {
            **settings.getdict("DOWNLOADER_MIDDLEWARES"),
            # Last before the download: holds the host's global slot for the download only.
            "govinspect.crawler.distributed.politeness.GlobalHostLimitMiddleware": 990,
        }
        settings.setdict({**overrides, "DOWNLOADER_MIDDLEWARES": middlewares})
    return settings


def _progress(spider: SiteSpider) -> None:
    summary = spider.summary()
    # Scrapy has no public accessor for the scheduler; 2.19 keeps it on the engine's slot.
    slot = getattr(spider.crawler.engine, "_slot", None)
    summary["queued"] = len(slot.scheduler) if slot is not None else 0
    print(json.dumps({"event": "progress", **summary}), flush=True)


def crawl(plan: CrawlPlan) -> dict[str, Any]:
    store = open_store(plan.database_url, plan.sqlite_busy_timeout_ms)
    frontier = None
    if plan.resume and not plan.redis_url:
        with store.session() as session:
            frontier = crawlstore.resume_frontier(session, plan.run_id)
    process = CrawlerProcess(scrapy_settings(plan))
    # After CrawlerProcess: its logging set-up puts the "scrapy" logger back to DEBUG, and a
    # debug record per request and item is built before the handler drops it.
    logging.getLogger("scrapy").setLevel(logging.ERROR)
    spider_class: type[SiteSpider] = SiteSpider
    if plan.redis_url:
        from govinspect.crawler.distributed.coordinator import DistributedSpider

        spider_class = DistributedSpider
    crawler = process.create_crawler(spider_class)
    result: dict[str, Any] = {}
    closed: list[SiteSpider] = []

    def on_close(spider: SiteSpider, reason: str) -> None:
        result.update(spider.summary(), close_reason=reason, plan=plan_summary(spider))
        closed.append(spider)

    from scrapy import signals

    crawler.signals.connect(on_close, signal=signals.spider_closed)
    if plan.progress:
        from twisted.internet import task

        loop: list[Any] = []

        def start_loop(spider: SiteSpider) -> None:
            call = task.LoopingCall(_progress, spider)
            call.start(PROGRESS_SECONDS, now=False)
            loop.append(call)

        def stop_loop(spider: SiteSpider) -> None:
            for call in loop:
                if call.running:
                    call.stop()

        crawler.signals.connect(start_loop, signal=signals.spider_opened)
        crawler.signals.connect(stop_loop, signal=signals.spider_closed)
    failures: list[str] = []
    evidence = _evidence(store, plan)
    deferred = process.crawl(crawler, plan=plan, frontier=frontier, evidence=evidence)
    deferred.addErrback(lambda failure: failures.append(failure.getTraceback()))
    process.start()
    if failures:
        raise CrawlFailed(failures[0].strip().splitlines()[-1])
    if plan.redis_url:
        result = _end_worker(store, plan, closed[0] if closed else None, result)
    else:
        if result.get("close_reason", "finished") in COMPLETE_REASONS:  # interrupted: stop now
            result["ipv6"] = _ipv6(plan)
        _finish(store, plan, result)
    store.dispose()
    return result


def _evidence(store: Any, plan: CrawlPlan) -> Evidence | None:
    """The previous complete crawl's facts the plan decides from (crawler/plans.py).

    None in distributed mode: its reconciliation verifies every stored link target the run
    has no state for, so a distributed run always crawls in full.
    """
    if plan.redis_url or (plan.recheck_all and plan.crawl_plan == "full"):
        return None
    with store.session() as session:
        return load_evidence(session, plan.unit_id, plan.run_id, plan.quick_list_pages)


def _ipv6(plan: CrawlPlan) -> dict[str, object]:
    """The site's IPv6 fact (crawler/ipv6.py), with the crawl's timeout and user agent."""
    return record_ipv6(plan.website, plan.timeout, plan.user_agent)


def _end_worker(
    store: Any, plan: CrawlPlan, spider: SiteSpider | None, result: dict[str, Any]
) -> dict[str, Any]:
    """A distributed worker's end: finalise the run if this worker saw it end, else just go."""
    reason = result.get("close_reason", "")
    for prefix in ("store_error: ", "redis_error: "):
        if reason.startswith(prefix):
            raise CrawlFailed(reason.removeprefix(prefix))
    dist = spider.dist if spider is not None else None
    if dist is None or not dist.finaliser:
        return {**result, "role": "helper"}
    with dist.holding_final():  # kept alive while the IPv6 request waits, up to its timeout
        summary = dist.summary(store, reason)
        if reason in COMPLETE_REASONS:
            summary["ipv6"] = _ipv6(plan)
        status = _finish(store, plan, summary, once=True)
        if status is None:  # finalised already, by a worker that died before telling Redis
            with store.session() as session:
                status = session.get(Run, plan.run_id).status
    dist.mark_done(status)
    return {**summary, "role": "finaliser"}


def _finish(store: Any, plan: CrawlPlan, result: dict[str, Any], once: bool = False) -> str | None:
    """Close the run's columns and write its status and summary; returns the status.

    ``once``: skip (returning None) unless the run is still running, so a second finaliser of
    a distributed run (the first died after committing) changes nothing.
    """
    reason = result.get("close_reason", "finished")
    status = "complete" if reason in COMPLETE_REASONS else "interrupted"
    if reason.startswith("store_error"):
        raise CrawlFailed(reason.removeprefix("store_error: "))
    if reason == "closespider_timeout":
        result.setdefault("truncated", {})["max_run_seconds"] = {
            "count": 1,
            "examples": [f"stopped after {plan.max_run_seconds} s"],
        }
    with store.session() as session:
        if once:
            run = session.get(Run, plan.run_id, with_for_update=True)
            if run is None or run.status != "running":
                return None
        if status == "complete":
            # Complete the run's facts first: carried pages bring their links and anchors.
            selective = (result.get("plan") or {}).get("ran", "full") != "full"
            carried = carry_forward(session, plan.unit_id, plan.run_id, pages=selective)
            result["carried"] = carried.summary()
            _finish_links(session, plan.run_id, result)
        result.update(crawlstore.page_notes(session, plan.run_id))
        # Undated list items take their page's date first, so the column totals see it.
        crawlstore.date_items_from_pages(session, plan.run_id)
        crawlstore.finalize_columns(session, plan.run_id, classify_column, plan.column_types)
        home = session.scalars(
            select(Page).where(Page.run_id == plan.run_id, Page.is_homepage.is_(True))
        ).first()
        result["homepage_newest"] = (home.meta or {}).get("newest_item") if home else None
        run = session.get(Run, plan.run_id)
        summary = {**(run.summary or {}), **result}
        session.execute(
            update(Run)
            .where(Run.id == plan.run_id)
            .values(status=status, finished_at=datetime.now(UTC), summary=summary)
        )
    return status


def _finish_links(session: Any, run_id: int, result: dict[str, Any]) -> None:
    """Decide what only the whole run knows: anchor targets, and targets never followed.

    Only for a complete run: an interrupted one may still fetch the page an anchor points
    into, or meet a nofollow-only target on an ordinary page.
    """
    now = datetime.now(UTC)
    records = anchor_checks(crawlstore.anchor_targets(session, run_id), now)
    reason = "only linked from pages whose <meta name=robots> says nofollow: not followed"
    records += [
        CheckRecord(url, outcomes.NOT_CHECKED, None, reason, None, now, [])
        for url in crawlstore.nofollow_only_targets(session, run_id)
    ]
    crawlstore.write_checks(session, run_id, records)
    counts = result.setdefault("outcomes", {})
    for record in records:
        counts[record.outcome] = counts.get(record.outcome, 0) + 1


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    # The process's stderr is the crawl log (var/logs/crawl-<unit>-<run>.log): our warnings
    # (a page analysis step that failed, with its URL) go there.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("govinspect").addHandler(handler)
    plan = CrawlPlan.from_json(Path(args[0]).read_text(encoding="utf-8"))
    try:
        result = crawl(plan)
    except Exception as exc:  # noqa: BLE001 - reported to the parent as one line
        print(json.dumps({"event": "error", "error": f"{type(exc).__name__}: {exc}"}), flush=True)
        traceback.print_exc(file=sys.stderr)
        if not plan.redis_url:
            # A distributed run does not fail with one worker: the others carry on.
            _mark_failed(plan, f"{type(exc).__name__}: {exc}")
        return 1
    print(json.dumps({"event": "done", **result}, default=str), flush=True)
    return 0


def _mark_failed(plan: CrawlPlan, error: str) -> None:
    try:
        store = open_store(plan.database_url, plan.sqlite_busy_timeout_ms, migrate=False)
        with store.session() as session:
            session.execute(
                update(Run)
                .where(Run.id == plan.run_id)
                .values(status="failed", finished_at=datetime.now(UTC), error=error[:2000])
            )
        store.dispose()
    except Exception:  # noqa: BLE001 - the parent reports the failure anyway
        pass


if __name__ == "__main__":
    sys.exit(main())
