"""The run's shared state in Redis: what a single-node spider keeps in memory, for N workers.

Implements the spider's ``CrawlState``.  Every "first one wins" decision (a host's soft-404
baseline, the URL naming a column, the navigation text naming it, the URL read as a column's
page n) is an ``HSETNX`` followed by a read of the winner, so all workers use the same answer
whatever order they got there in.  Answers that can no longer change are cached in the
process.  Seen URLs go through the Bloom filter, again with a local cache: most links on a page
(navigation, footer) were seen before, and those never reach Redis.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from redis import Redis
from scrapy.http import Request

from govinspect.crawler import outcomes
from govinspect.crawler.distributed.bloom import BloomDupeFilter
from govinspect.crawler.distributed.common import RunKeys
from govinspect.crawler.distributed.frontier import entry_of
from govinspect.crawler.plan import CrawlPlan

# HSETNX each (field, value) pair, return the stored value of each: the winners.
FIRST_WINS_LUA = """
local out = {}
for i = 1, #ARGV, 2 do
  redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i])
end
return out
"""

FLOOR_LUA = """
if tonumber(redis.call('GET', KEYS[1]) or '0') < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], ARGV[1])
end
"""

#: Reasons counted once per page, which a page processed again (its worker died) would repeat.
PER_PAGE_REASONS = frozenset({"max_links_per_page"})
EXAMPLES = 5


def _text(value: bytes | str | None) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else value


def encode_baseline(baseline: outcomes.Baseline) -> str:
    sig = baseline.signature
    return json.dumps(
        [baseline.status, baseline.final_url, [sig.title, sig.size, sig.digest] if sig else None]
    )


def decode_baseline(text: str) -> outcomes.Baseline:
    status, final_url, sig = json.loads(text)
    return outcomes.Baseline(status, final_url, outcomes.Signature(*sig) if sig else None)


class RedisState:
    """``CrawlState`` shared by every worker of one run."""

    def __init__(self, server: Redis, keys: RunKeys, plan: CrawlPlan) -> None:
        self.server = server
        self.keys = keys
        self.plan = plan
        self.spider: Any = None  # set by the spider's owner: requests serialise against it
        self.bloom = BloomDupeFilter(server, keys.dupefilter)
        self._first_wins = server.register_script(FIRST_WINS_LUA)
        self._floor = server.register_script(FLOOR_LUA)
        self._seen: set[int] = set()
        self._names: dict[str, str] = {}
        self._columns: dict[str, str] = {}
        self._baselines: dict[str, outcomes.Baseline] = {}

    def _winners(self, key: str, pairs: Sequence[tuple[str, str]]) -> list[str]:
        if not pairs:
            return []
        args = [v for pair in pairs for v in pair]
        return [_text(v) or "" for v in self._first_wins(keys=[key], args=args)]

    # --- seen URLs and the page limit ----------------------------------------------------

    def claim(self, keys: Sequence[int]) -> list[bool]:
        unknown = list(dict.fromkeys(k for k in keys if k not in self._seen))
        fresh = dict(zip(unknown, self.bloom.claim_many(unknown), strict=True))
        self._seen.update(unknown)
        out = []
        for key in keys:
            out.append(fresh.pop(key, False))  # a repeat within the batch is not new
        return out

    def claim_source(self, key: str) -> bool:
        # Exact (a set): list-source pages are few, and their items are verified from this set
        # when the run ends.
        return bool(self.server.sadd(self.keys.sources, key))

    def sources(self) -> set[str]:
        return {_text(v) or "" for v in self.server.smembers(self.keys.sources)}

    def reserve_pages(self, wanted: int) -> int:
        total = int(self.server.incrby(self.keys.pages, wanted))
        before = total - wanted
        return max(0, min(wanted, self.plan.max_pages - before))

    def floor_pages(self, done: int) -> None:
        self._floor(keys=[self.keys.pages], args=[done])

    # --- truncation --------------------------------------------------------------------

    def truncate(self, reason: str, url: str) -> None:
        if reason in PER_PAGE_REASONS and not self.server.sadd(self.keys.truncated_pages, url):
            return
        examples = self.keys.truncated_examples(reason)
        pipe = self.server.pipeline(transaction=True)
        pipe.hincrby(self.keys.truncated, reason, 1)
        pipe.rpush(examples, url)
        pipe.ltrim(examples, 0, EXAMPLES - 1)
        pipe.execute()

    def truncated(self) -> dict[str, dict[str, Any]]:
        counts = self.server.hgetall(self.keys.truncated)
        out = {}
        for reason, count in counts.items():
            name = _text(reason) or ""
            examples = self.server.lrange(self.keys.truncated_examples(name), 0, EXAMPLES - 1)
            out[name] = {"count": int(count), "examples": [_text(e) for e in examples]}
        return out

    # --- soft-404 baselines ------------------------------------------------------------

    def baseline(self, host: str) -> outcomes.Baseline | None:
        if host in self._baselines:
            return self._baselines[host]
        stored = _text(self.server.hget(self.keys.baselines, host))
        if stored is None:
            return None
        self._baselines[host] = decode_baseline(stored)
        return self._baselines[host]

    def publish_baseline(self, host: str, baseline: outcomes.Baseline) -> outcomes.Baseline:
        [stored] = self._winners(self.keys.baselines, [(host, encode_baseline(baseline))])
        self._baselines[host] = decode_baseline(stored)
        return self._baselines[host]

    # --- columns ----------------------------------------------------------------------

    def claim_list_page(self, key: str, page_no: int, url: str) -> bool:
        # The URL that first read the page may read it again (its worker died before the
        # facts were stored); another spelling of the same page may not.
        [winner] = self._winners(self.keys.list_pages, [(f"{page_no}\t{key}", url)])
        return winner == url

    def column_url(self, key: str, first: str) -> str:
        if key not in self._columns:
            [self._columns[key]] = self._winners(self.keys.columns, [(key, first)])
        return self._columns[key]

    def known_column_url(self, key: str) -> str | None:
        if key not in self._columns:
            stored = _text(self.server.hget(self.keys.columns, key))
            if stored is None:
                return None
            self._columns[key] = stored
        return self._columns[key]

    def name_columns(self, names: Iterable[tuple[str, str]]) -> None:
        wanted = {}
        for key, text in names:
            if key not in self._names:
                wanted.setdefault(key, text)
        winners = self._winners(self.keys.names, list(wanted.items()))
        self._names.update(zip(wanted, winners, strict=True))

    def nav_name(self, key: str) -> str | None:
        if key not in self._names:
            stored = _text(self.server.hget(self.keys.names, key))
            if stored is None:
                return None
            self._names[key] = stored
        return self._names[key]

    # --- second pass -------------------------------------------------------------------

    def queue_recheck(self, target: str, request: Request) -> None:
        request.meta["gi"]["pass"] = 2
        self.server.hset(self.keys.recheck, target, entry_of(request, self.spider))
