"""The shared frontier: scrapy-redis's scheduler and priority queue, with in-flight tracking.

A request popped from the run's sorted set moves, in the same Lua call, into the worker's
``processing`` hash under a fresh token.  It leaves that hash only when everything it produced
is durable: its follow-up requests in the frontier and its facts committed to the store (the
pipeline acknowledges the token after the commit; a redirect or retry replaces it atomically).
When a worker dies its hash is moved back into the frontier by the survivors (``coordinator``),
so nothing in flight is lost and the run is drained only when the frontier and every
``processing`` hash are empty.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from redis import Redis
from scrapy import Request
from scrapy_redis import picklecompat
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from govinspect.crawler.distributed.common import RunKeys, entry

POP_LUA = """
local got = redis.call('ZPOPMIN', KEYS[1])
if #got == 0 then
  return false
end
local token = tostring(redis.call('INCR', KEYS[3]))
redis.call('HSET', KEYS[2], token, got[2] .. '\\n' .. got[1])
return {token, got[1]}
"""


def move_back_lua(source: str, frontier: str) -> str:
    """Lua moving every ``score\\ndata`` value of hash ``source`` into sorted set ``frontier``
    (and deleting the hash); ``local all`` holds the moved values afterwards."""
    return f"""
local all = redis.call('HGETALL', {source})
for i = 2, #all, 2 do
  local v = all[i]
  local nl = string.find(v, '\\n', 1, true)
  redis.call('ZADD', {frontier}, string.sub(v, 1, nl - 1), string.sub(v, nl + 1))
end
redis.call('DEL', {source})
"""


REQUEUE_LUA = move_back_lua("KEYS[2]", "KEYS[1]") + "return #all / 2\n"


def encode(request: Request, spider: Any) -> bytes:
    """The frontier's form of a request (scrapy-redis's serializer)."""
    return picklecompat.dumps(request.to_dict(spider=spider))


def score(request: Request) -> float:
    # scrapy-redis's PriorityQueue: ZPOPMIN takes the highest Scrapy priority first.
    return -request.priority


def push(server: Redis, keys: RunKeys, requests: Iterable[Request], spider: Any) -> int:
    """Add requests to a run's frontier (seeding a run, verifying what the store lacks)."""
    pipe = server.pipeline(transaction=False)
    count = 0
    for request in requests:
        pipe.zadd(keys.frontier, {encode(request, spider): score(request)})
        count += 1
        if count % 1000 == 0:
            pipe.execute()
    pipe.execute()
    return count


def requeue(server: Redis, keys: RunKeys, worker: str) -> int:
    """Move a worker's in-flight requests back into the frontier; returns how many."""
    script = server.register_script(REQUEUE_LUA)
    return int(script(keys=[keys.frontier, keys.processing(worker)]))


class RunQueue(PriorityQueue):
    """scrapy-redis's priority queue whose pop also records the request as in flight."""

    def __init__(self, server: Redis, spider: Any, key: str, serializer: Any = None) -> None:
        super().__init__(server, spider, key, serializer)
        plan = spider.plan
        self.keys = RunKeys(plan.redis_namespace, plan.run_id)
        self.worker = plan.worker_id
        self._pop = server.register_script(POP_LUA)

    def pop(self, timeout: int = 0) -> Request | None:
        got = self._pop(keys=[self.key, self.keys.processing(self.worker), self.keys.tokens])
        if not got:
            return None
        token, data = got
        request = self._decode_request(data)
        gi = request.meta.get("gi")
        if gi is not None:
            gi["token"] = token.decode() if isinstance(token, bytes) else str(token)
        return request

    def replace(self, request: Request, token: str) -> None:
        """Put a follow-up request into the frontier and retire the one it replaces, at once."""
        pipe = self.server.pipeline(transaction=True)
        pipe.zadd(self.key, {self._encode_request(request): score(request)})
        pipe.hdel(self.keys.processing(self.worker), token)
        pipe.execute()

    def ack(self, tokens: Iterable[str]) -> None:
        tokens = list(tokens)
        if tokens:
            self.server.hdel(self.keys.processing(self.worker), *tokens)


class RunScheduler(Scheduler):
    """scrapy-redis's scheduler for one run, plus what a worker keeps to itself.

    * Requests marked ``local`` (a host baseline that releases responses parked in this
      process) stay in memory: another worker could not release them.
    * Tokens of requests popped by this worker are kept until acknowledged, so a follow-up
      request coming back from a downloader middleware (redirect, retry) replaces its original
      atomically instead of leaving it in flight.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.local: deque[Request] = deque()
        self.inflight: set[str] = set()

    def open(self, spider: Any) -> None:
        super().open(spider)
        spider.dist.attach_scheduler(self)

    def enqueue_request(self, request: Request) -> bool:
        gi = request.meta.get("gi")
        if gi is not None and gi.get("local"):
            self.local.append(request)
            return True
        token = gi.pop("token", None) if gi is not None else None
        if token is not None and token in self.inflight:
            self.queue.replace(request, token)
            self.inflight.discard(token)
            return True
        return super().enqueue_request(request)

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        request = super().next_request()
        if request is not None:
            token = (request.meta.get("gi") or {}).get("token")
            if token:
                self.inflight.add(token)
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self.queue) > 0

    def __len__(self) -> int:
        return len(self.local) + len(self.queue)

    def ack(self, tokens: Iterable[str]) -> None:
        tokens = [t for t in tokens if t in self.inflight]
        self.queue.ack(tokens)
        self.inflight.difference_update(tokens)

    def requeue_own(self) -> int:
        """Give back every request this worker still holds (a worker stopping early)."""
        self.inflight.clear()
        self.local.clear()
        return requeue(self.server, self.queue.keys, self.queue.worker)


def entry_of(request: Request, spider: Any) -> bytes:
    """A request as kept in the second-pass hash (moved to the frontier by ``advance``)."""
    return entry(score(request), encode(request, spider))
