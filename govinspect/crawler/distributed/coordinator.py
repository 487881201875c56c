"""One worker process's part in a shared run: heartbeat, dead peers, run phases, the end.

Every ``tick_seconds`` the worker

* refreshes its heartbeat key (``alive:<worker>``, expiring after ``heartbeat_seconds``);
* moves the in-flight requests of workers whose heartbeat expired back into the frontier;
* wakes its engine when the frontier has requests (other workers add them);
* when its engine is idle, asks Redis where the run stands (``ADVANCE_LUA``, atomic): requests
  still queued or in flight anywhere, the second pass to wait for or to start (transient
  failures parked in the ``recheck`` hash go back into the frontier ``recheck_delay`` after the
  run first drained, as in single-node mode), or the run drained.

The first worker to see the run drained takes the ``final`` lock.  It asks the store for link
targets and list-source items without a verified state (a Bloom filter false positive would
leave one; it never does otherwise) and, if there are any, verifies them and lets the run go
on.  Otherwise it closes its spider as the finaliser: the runner then closes the columns,
writes the run's status and summary (once: guarded in the database too), and marks the run
done in Redis, which closes the other workers.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import redis
from redis import Redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from sqlalchemy import func, select
from twisted.internet import task

from govinspect.crawler.distributed import frontier
from govinspect.crawler.distributed.common import TUNING, RunKeys, runs_key
from govinspect.crawler.distributed.politeness import (
    SETTING_CONCURRENCY,
    SETTING_DELAY,
    SETTING_LEASE,
    SETTING_NAMESPACE,
)
from govinspect.crawler.distributed.state import RedisState
from govinspect.crawler.plan import CrawlPlan
from govinspect.crawler.spider import SiteSpider
from govinspect.crawler.urls import is_fetchable
from govinspect.store import crawlstore
from govinspect.store.models import ColumnItem, LinkCheck, Page

ADVANCE_LUA = (
    """
if redis.call('HGET', KEYS[1], 'done') then
  return 'done'
end
if redis.call('ZCARD', KEYS[2]) > 0 then
  return 'busy'
end
for _, w in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HLEN', ARGV[3] .. w) > 0 then
    return 'busy'
  end
end
if redis.call('HLEN', KEYS[4]) > 0 then
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  local at = tonumber(redis.call('HGET', KEYS[1], 'recheck_at') or '-1')
  if at < 0 then
    redis.call('HSET', KEYS[1], 'recheck_at', now + tonumber(ARGV[2]))
    return 'wait'
  end
  if now < at then
    return 'wait'
  end
"""
    + frontier.move_back_lua("KEYS[4]", "KEYS[2]")
    + """
  redis.call('HDEL', KEYS[1], 'recheck_at')
  return 'busy'
end
if redis.call('SET', KEYS[5], ARGV[1], 'NX', 'PX', ARGV[4]) then
  return 'finalise'
end
return 'wait'
"""
)

log = logging.getLogger("govinspect.distributed")


def scrapy_overrides(plan: CrawlPlan) -> dict[str, Any]:
    """Scrapy settings of a distributed worker, on top of the single-node ones."""
    keys = RunKeys(plan.redis_namespace, plan.run_id)
    package = "govinspect.crawler.distributed"
    return {
        "SCHEDULER": f"{package}.frontier.RunScheduler",
        "SCHEDULER_QUEUE_CLASS": f"{package}.frontier.RunQueue",
        "SCHEDULER_QUEUE_KEY": keys.frontier.replace("%", "%%"),
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter.replace("%", "%%"),
        "DUPEFILTER_CLASS": f"{package}.bloom.BloomDupeFilter",
        # The run outlives any one worker: never clear its frontier when a worker stops.
        "SCHEDULER_PERSIST": True,
        "REDIS_URL": plan.redis_url,
        # Delay and per-host concurrency are global (politeness.py); the run's deadline too.
        "DOWNLOAD_DELAY": 0,
        "CLOSESPIDER_TIMEOUT": 0,
        SETTING_NAMESPACE: plan.redis_namespace,
        SETTING_CONCURRENCY: plan.concurrency_per_host,
        SETTING_DELAY: plan.download_delay,
        SETTING_LEASE: plan.timeout * 2 + 10,
    }


def connect(url: str) -> Redis:
    return redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)


class DistributedSpider(SiteSpider):
    """The site spider as one worker of a distributed run: joins the run when created."""

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> DistributedSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        join(spider, crawler)
        return spider


def join(spider: Any, crawler: Any) -> None:
    """Give a spider its shared state and this worker's coordinator (distributed mode)."""
    plan = spider.plan
    server = connect(plan.redis_url)
    keys = RunKeys(plan.redis_namespace, plan.run_id)
    state = RedisState(server, keys, plan)
    state.spider = spider
    spider.state = state
    spider.dist = Coordinator(spider, crawler, server, keys)


def redis_now_ms(server: Redis) -> int:
    seconds, micros = server.time()
    return int(seconds) * 1000 + int(micros) // 1000


class Coordinator:
    def __init__(self, spider: Any, crawler: Any, server: Redis, keys: RunKeys) -> None:
        self.spider = spider
        self.crawler = crawler
        self.server = server
        self.keys = keys
        self.plan: CrawlPlan = spider.plan
        self.worker = self.plan.worker_id
        self.scheduler: frontier.RunScheduler | None = None
        self.closing: str | None = None
        self.finaliser = False
        self.unverified: list[str] = []
        self.parent = os.getppid()
        self._loop: task.LoopingCall | None = None
        self._last_beat = 0.0
        self._last_reap = 0.0
        self._idle_since: float | None = None
        self._unacked: list[str] = []
        self._advance = server.register_script(ADVANCE_LUA)
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @property
    def ttl_ms(self) -> int:
        return int(self.plan.heartbeat_seconds * 1000)

    def attach_scheduler(self, scheduler: frontier.RunScheduler) -> None:
        self.scheduler = scheduler
        # Registered before the first pop: a request must never be in flight unseen.
        self.beat()

    # --- lifecycle ---------------------------------------------------------------------

    def opened(self, spider: Any) -> None:
        self.server.sadd(self.keys.participants, self.worker)
        self._loop = task.LoopingCall(self.tick)
        self._loop.start(TUNING.tick_seconds, now=False)

    def closed(self, spider: Any, reason: str) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        done = self.server.hget(self.keys.state, "done")
        if self.scheduler is not None and not self.finaliser and not done:
            # Stopping early (shutdown, deadline, error): what this worker holds goes back.
            self.scheduler.requeue_own()
        if not self.finaliser:
            self.leave()

    def beat(self) -> None:
        pipe = self.server.pipeline(transaction=True)
        pipe.sadd(self.keys.workers, self.worker)
        pipe.set(self.keys.alive(self.worker), "1", px=self.ttl_ms)
        pipe.execute()
        self._last_beat = time.monotonic()

    def leave(self) -> None:
        pipe = self.server.pipeline(transaction=True)
        pipe.srem(self.keys.workers, self.worker)
        pipe.delete(self.keys.alive(self.worker))
        pipe.execute()

    # --- the periodic look at the run ----------------------------------------------------

    def tick(self) -> None:
        if self.closing:
            return
        try:
            self._tick()
        except redis.RedisError as exc:
            # Redis gone: stop fetching (nothing could be recorded as done); the run stays.
            self.close(f"redis_error: {exc}")
        except Exception:  # noqa: BLE001 - the loop must go on, or the run never ends here
            log.exception("distributed worker tick failed")

    def _tick(self) -> None:
        now = time.monotonic()
        if os.getppid() != self.parent:
            self.close("shutdown")  # the worker supervisor died: give the requests back
            return
        if now - self._last_beat > self.plan.heartbeat_seconds / 3:
            self.beat()
            self.retry_acks()
        if now - self._last_reap > self.plan.heartbeat_seconds / 2:
            self.reap()
            self._last_reap = now
            if self.past_deadline():
                self.on_deadline()
                return
        engine = self.crawler.engine
        if not engine.spider_is_idle():
            self._idle_since = None
            if self.scheduler is not None and self.scheduler.has_pending_requests():
                _wake(engine)
            return
        self._idle_since = self._idle_since or now
        if now - self._idle_since > TUNING.orphan_seconds:
            self.drop_orphans()
        self.advance()

    def drop_orphans(self) -> None:
        """Let go of requests nothing here can finish any more (see ``orphan_seconds``)."""
        if self.scheduler is None or not self.scheduler.inflight:
            return
        orphans = sorted(self.scheduler.inflight)
        log.error("dropping %d request(s) whose processing failed: %s", len(orphans), orphans)
        self.spider.waiting.clear()
        self.scheduler.ack(orphans)

    def reap(self) -> int:
        """Requeue the in-flight requests of workers whose heartbeat expired."""
        moved = 0
        for raw in self.server.smembers(self.keys.workers):
            worker = raw.decode()
            if worker == self.worker or self.server.exists(self.keys.alive(worker)):
                continue
            moved += frontier.requeue(self.server, self.keys, worker)
            self.server.srem(self.keys.workers, worker)
        return moved

    def on_idle(self) -> None:
        if not self.closing:
            raise DontCloseSpider

    def advance(self) -> None:
        verdict = self._advance(
            keys=[
                self.keys.state,
                self.keys.frontier,
                self.keys.workers,
                self.keys.recheck,
                self.keys.final,
            ],
            args=[
                self.worker,
                int(self.plan.recheck_delay * 1000),
                self.keys.processing_prefix,
                self.ttl_ms * 3,
            ],
        )
        verdict = verdict.decode() if isinstance(verdict, bytes) else verdict
        if verdict == "done":
            self.close("finished")
        elif verdict == "finalise":
            self.finalise_or_reconcile()

    # --- the end of the run ------------------------------------------------------------

    def finalise_or_reconcile(self) -> None:
        """Holding the final lock: verify what the store lacks, or end the run."""
        pending = self.unverified_targets()
        rounds = int(self.server.hincrby(self.keys.state, "reconcile_rounds", 1 if pending else 0))
        if pending and rounds <= TUNING.reconcile_rounds:
            requests = [
                request
                for url, kind, depth in pending
                for request in self.spider.schedule_many([(url, kind, depth)], force=True)
            ]
            frontier.push(self.server, self.keys, requests, self.spider)
            self.server.delete(self.keys.final)
            _wake(self.crawler.engine)
            return
        self.unverified = [url for url, _, _ in pending]
        self.finaliser = True
        self.close("finished")

    def unverified_targets(self) -> list[tuple[str, str, int]]:
        """Link targets and list-source items stored without a verified state."""
        from govinspect.store.db import open_store

        store = open_store(self.plan.database_url, self.plan.sqlite_busy_timeout_ms, migrate=False)
        try:
            with store.session() as session:
                stored = crawlstore.resume_frontier(session, self.plan.run_id)
                found, checked = stored.pending, stored.done
                # Source keys are claimed as "METHOD key"; items name their page by the key.
                sources = {s.partition(" ")[2] for s in self.spider.state.sources()}
                items = session.execute(
                    select(ColumnItem.url, ColumnItem.list_page).where(
                        ColumnItem.run_id == self.plan.run_id, ColumnItem.url.is_not(None)
                    )
                )
                found += [
                    (url, "record", 1)
                    for url, page in items
                    if page in sources and url not in checked
                ]
                # A link no request can be made for (mailto:, an invalid URL) whose check died
                # with its worker: decided here, as the page that had it would have.
                odd = [url for url, _, _ in found if not is_fetchable(url)]
                crawlstore.write_checks(
                    session, self.plan.run_id, [self.spider.unfetchable_check(u) for u in odd]
                )
                found = [target for target in found if is_fetchable(target[0])]
        finally:
            store.dispose()
        limit = self.plan.max_url_length
        # Over-long URLs are never verified (a recorded truncation), in single-node mode too.
        return list({url: (url, k, d) for url, k, d in found if len(url) <= limit}.values())

    def past_deadline(self) -> bool:
        deadline = self.server.hget(self.keys.state, "deadline")
        return deadline is not None and redis_now_ms(self.server) > int(deadline)

    def on_deadline(self) -> None:
        got = self.server.set(self.keys.final, self.worker, nx=True, px=self.ttl_ms * 3)
        self.finaliser = bool(got)
        self.close("closespider_timeout")

    def close(self, reason: str) -> None:
        if self.closing:
            return
        self.closing = reason
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))

    # --- acknowledgements (called by the store pipeline after a commit) -------------------

    def ack(self, tokens: list[str]) -> None:
        self._unacked.extend(tokens)
        self.retry_acks()

    def retry_acks(self) -> None:
        if not self._unacked or self.scheduler is None:
            return
        try:
            self.scheduler.ack(self._unacked)
        except redis.RedisError:
            return  # kept: acknowledged with the next commit or heartbeat
        self._unacked = []

    # --- the finaliser's part, run after the reactor stopped ------------------------------

    @contextmanager
    def holding_final(self) -> Iterator[None]:
        """Keep the final lock (and the heartbeat) alive while the run is finalised."""
        stop = threading.Event()

        def refresh() -> None:
            while not stop.wait(self.plan.heartbeat_seconds / 3):
                self.server.set(self.keys.final, self.worker, xx=True, px=self.ttl_ms * 3)
                self.server.set(self.keys.alive(self.worker), "1", px=self.ttl_ms)

        thread = threading.Thread(target=refresh, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()

    def summary(self, store: Any, reason: str) -> dict[str, Any]:
        """The run's summary from the store and Redis (every worker's work, counted once)."""
        run_id = self.plan.run_id
        with store.session() as session:
            pages = session.scalar(
                select(func.count()).select_from(Page).where(Page.run_id == run_id)
            )
            outcomes = dict(
                session.execute(
                    select(LinkCheck.outcome, func.count())
                    .where(LinkCheck.run_id == run_id)
                    .group_by(LinkCheck.outcome)
                ).all()
            )
        started = int(self.server.hget(self.keys.state, "started") or redis_now_ms(self.server))
        result: dict[str, Any] = {
            "pages": pages or 0,
            "checked": sum(outcomes.values()),
            "outcomes": outcomes,
            "truncated": self.spider.state.truncated(),
            "seconds": round((redis_now_ms(self.server) - started) / 1000, 1),
            "close_reason": reason,
            "distributed": True,
            "workers": sorted(w.decode() for w in self.server.smembers(self.keys.participants)),
        }
        if self.unverified:
            result["unverified"] = {"count": len(self.unverified), "examples": self.unverified[:5]}
        return result

    def mark_done(self, status: str) -> None:
        mark_done(self.server, self.keys, status)
        self.leave()


def mark_done(server: Redis, keys: RunKeys, status: str) -> None:
    """Tell every worker the run is over, and free its keys (all but its small state)."""
    pipe = server.pipeline(transaction=True)
    pipe.hset(
        keys.state,
        mapping={"done": "1", "status": status, "finished": datetime.now(UTC).isoformat()},
    )
    pipe.expire(keys.state, TUNING.done_ttl_seconds)
    pipe.srem(runs_key(keys.namespace), keys.run_id)
    pipe.unlink(*run_keys(server, keys))  # large sets and filters are freed in the background
    pipe.execute()


def run_keys(server: Redis, keys: RunKeys) -> list[str]:
    """Every key of a run but its state hash (and heartbeats, which expire by themselves)."""
    layers = int(server.hget(keys.dupefilter, "layers") or 0)
    reasons = [r.decode() for r in server.hkeys(keys.truncated)]
    workers = [w.decode() for w in server.smembers(keys.workers)]
    return [
        *keys.fixed(),
        *(f"{keys.dupefilter}:{i}" for i in range(layers)),
        *(keys.truncated_examples(r) for r in reasons),
        *(keys.processing(w) for w in workers),
    ]


def _wake(engine: Any) -> None:
    # Scrapy looks at its scheduler again only when a download ends or every 5 s; requests
    # added by other workers should start now.
    slot = getattr(engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()
