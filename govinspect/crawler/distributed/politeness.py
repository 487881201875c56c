"""Politeness across workers: per-host concurrency and delay coordinated through Redis.

Scrapy's own limits (``CONCURRENT_REQUESTS_PER_DOMAIN``, ``DOWNLOAD_DELAY``) hold per process:
two workers on one site would double its load.  Before a request goes out, this downloader
middleware takes a lease on the host (host:port, shared by every run and worker): a sorted set
of lease ids scored by their expiry, at most ``concurrency_per_host`` of them, plus the time
the next request may start (``download_delay`` after the last one).  A lease is returned with
the response or the failure; a worker that dies mid-request loses its leases when they expire
(the download timeout plus a margin), so a host is never blocked for good.

Time comes from the Redis server (``TIME``), so clock skew between machines does not matter.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from typing import Any
from urllib.parse import urlsplit

from redis import Redis
from redis.exceptions import RedisError
from scrapy.http import Request, Response
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.connection import get_redis_from_settings

from govinspect.crawler.distributed.common import TUNING, CoordinationLost, host_keys

logger = logging.getLogger(__name__)

# KEYS: leases, next start time, waiting gates.  ARGV: limit, lease ms, delay ms, lease id,
# gate id.  Returns 0 when the lease is granted, the milliseconds to wait for the host's next
# start time, or -1 when the host is at its concurrency limit (the gate is then registered as
# waiting for a short while, so holders elsewhere give their leases back instead of passing
# them on).
ACQUIRE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local next_start = tonumber(redis.call('GET', KEYS[2]) or '0')
if next_start > now then
  return next_start - now
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[3], now + 1000, ARGV[5])
  redis.call('PEXPIRE', KEYS[3], 1000)
  return -1
end
local ttl = tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], now + ttl, ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZREM', KEYS[3], ARGV[5])
local delay = tonumber(ARGV[3])
if delay > 0 then
  redis.call('SET', KEYS[2], now + delay, 'PX', delay)
end
return 0
"""

# KEYS: leases, waiting gates.  ARGV: lease id, lease ms, gate id, 1 to keep the lease for a
# request waiting in the same gate.  It is kept (renewed, returns 1) only if it has not expired
# and no other gate is waiting for the host: otherwise one busy process would keep every lease
# for itself.  (A renewal must not depend on the expiry changing: within the same millisecond
# it would not, and the lease would stay held until it expired.)
RELEASE_LUA = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local others = redis.call('ZCARD', KEYS[2])
if redis.call('ZSCORE', KEYS[2], ARGV[3]) then
  others = others - 1
end
if ARGV[4] == '1' and others == 0 and redis.call('ZSCORE', KEYS[1], ARGV[1]) then
  redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
  return 1
end
redis.call('ZREM', KEYS[1], ARGV[1])
return 0
"""

#: Settings the middleware reads (set by ``coordinator.scrapy_overrides``).
SETTING_NAMESPACE = "GOVINSPECT_REDIS_NAMESPACE"
SETTING_CONCURRENCY = "GOVINSPECT_HOST_CONCURRENCY"
SETTING_DELAY = "GOVINSPECT_HOST_DELAY"
SETTING_LEASE = "GOVINSPECT_HOST_LEASE_SECONDS"
META_KEY = "gi_host_lease"


class HostGate:
    """Leases on hosts, shared through Redis by every worker process.

    Requests of one process waiting for the same host queue locally and one poller per host
    asks Redis for them.  Without a delay to keep, a lease given back while others here wait
    goes straight to the next of them (its expiry renewed) unless another process is waiting
    for the host too: the limit still holds, a busy host's requests do not each pay a Redis
    round trip and a poll interval, and no process keeps a host to itself.
    """

    def __init__(
        self, server: Redis, namespace: str, concurrency: int, delay: float, lease: float
    ) -> None:
        self.server = server
        self.namespace = namespace
        self.concurrency = concurrency
        self.delay_ms = int(delay * 1000)
        self.lease_ms = int(lease * 1000)
        self._acquire = server.register_script(ACQUIRE_LUA)
        self._release = server.register_script(RELEASE_LUA)
        self.gate_id = uuid.uuid4().hex
        self._waiting: dict[str, deque[asyncio.Future[str]]] = {}
        self._pollers: dict[str, asyncio.Task[None]] = {}

    def try_acquire(self, host: str, lease_id: str) -> int:
        leases, next_start, waiting = host_keys(self.namespace, host)
        args = [self.concurrency, self.lease_ms, self.delay_ms, lease_id, self.gate_id]
        return int(self._acquire(keys=[leases, next_start, waiting], args=args))

    async def acquire(self, host: str) -> str:
        queue = self._waiting.setdefault(host, deque())
        if not queue:
            lease_id = uuid.uuid4().hex
            if self.try_acquire(host, lease_id) == 0:
                return lease_id
        future: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        queue.append(future)
        if host not in self._pollers:
            self._pollers[host] = asyncio.ensure_future(self._poll(host))
        return await future

    async def _poll(self, host: str) -> None:
        queue = self._waiting[host]
        try:
            while _first_waiter(queue) is not None:
                lease_id = uuid.uuid4().hex
                try:
                    wait = self.try_acquire(host, lease_id)
                except RedisError as exc:
                    # Every request waiting for the host learns it (none waits for ever).
                    while (waiter := _first_waiter(queue)) is not None:
                        queue.popleft()
                        waiter.set_exception(exc)
                    break
                if wait == 0:
                    waiter = _first_waiter(queue)
                    if waiter is None:
                        self.release(host, lease_id)
                        break
                    queue.popleft().set_result(lease_id)
                    continue
                pause = wait / 1000 if wait > 0 else TUNING.lease_poll_seconds
                await asyncio.sleep(max(pause, TUNING.lease_poll_seconds))
        finally:
            self._pollers.pop(host, None)

    def release(self, host: str, lease_id: str) -> None:
        leases, _, waiting = host_keys(self.namespace, host)
        queue = self._waiting.get(host)
        keep = self.delay_ms == 0 and bool(queue) and _first_waiter(queue) is not None
        args = [lease_id, self.lease_ms, self.gate_id, 1 if keep else 0]
        if self._release(keys=[leases, waiting], args=args) and queue:
            queue.popleft().set_result(lease_id)


def _first_waiter(queue: deque[asyncio.Future[str]]) -> asyncio.Future[str] | None:
    """The first waiter still waiting (requests cancelled by a closing spider drop out)."""
    while queue and queue[0].done():
        queue.popleft()
    return queue[0] if queue else None


class GlobalHostLimitMiddleware:
    """Downloader middleware: hold a host lease for the whole download of each request.

    It sits last before the download handler (highest order), so it sees every answer and
    every failure first and returns the lease before retries or redirects are scheduled.
    """

    def __init__(self, gate: HostGate, crawler: Any = None) -> None:
        self.gate = gate
        self.crawler = crawler
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Any) -> GlobalHostLimitMiddleware:
        settings = crawler.settings
        gate = HostGate(
            get_redis_from_settings(settings),
            settings.get(SETTING_NAMESPACE),
            settings.getint(SETTING_CONCURRENCY),
            settings.getfloat(SETTING_DELAY),
            settings.getfloat(SETTING_LEASE),
        )
        return cls(gate, crawler)

    async def process_request(self, request: Request, spider: Any = None) -> None:
        host = urlsplit(request.url).netloc.lower()
        try:
            request.meta[META_KEY] = (host, await self.gate.acquire(host))
        except RedisError as exc:
            # Without leases the limits cannot hold: stop this worker rather than crawl blind.
            gi = request.meta.get("gi")
            if gi is not None:
                gi["parked"] = True  # still in flight for the run: never acknowledged here
            if not self.closing:
                self.closing = True
                logger.error("Redis unreachable, stopping this worker: %s", exc)
                deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis_error"))
            raise CoordinationLost(str(exc)) from exc

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Response:
        self._release(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._release(request)

    def _release(self, request: Request) -> None:
        lease = request.meta.pop(META_KEY, None)
        if lease is None:
            return
        try:
            self.gate.release(*lease)
        except RedisError as exc:
            # The answer is the site's and is kept; the lease expires by itself.
            logger.warning("could not return a host lease to Redis: %s", exc)
