"""The shared "seen URL" filter: a scalable Bloom filter in Redis, as a scrapy-redis dupefilter.

scrapy-redis keeps a Redis set of 40-character SHA1 fingerprints: about 88 bytes per URL, 0.9 GB
at 10^7 URLs (56 bytes per URL even with 8-byte fingerprints).  A Bloom filter with a 10^-7
false-positive rate needs about 4.5 bytes per URL.  It grows in layers (Almeida et al.,
"Scalable Bloom Filters", 2007): each layer doubles the capacity and halves the error rate, so
the rate over all layers stays below ``bloom_error_rate`` however many URLs a run has, and a
small site costs only its first layer (about 70 KB).

A false positive makes the crawl believe a new URL was seen.  It cannot leave a link unchecked:
before a run is closed, every link target and list-source item the store holds without a
verified state is verified (see ``coordinator``).  docs/distributed.md has the trade-off.

Bits are set and tested with SETBIT/GETBIT in one Lua script per batch (the links of one page):
atomic across workers, one round trip.
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Sequence
from typing import Any

from redis import Redis
from scrapy_redis.dupefilter import RFPDupeFilter

from govinspect.crawler.distributed.common import TUNING, RunKeys
from govinspect.crawler.state import url_fingerprint

# Layer i: capacity c0 * growth^i, error p0 * r^i with p0 = P * (1 - r), so the sum of all
# layers' error rates stays below P.  k = ceil(log2(1/p)) hashes, m = n ln(1/p) / ln(2)^2 bits
# rounded up to a prime.  Indices come from one 64-bit fingerprint by double hashing (Kirsch and
# Mitzenmacher, 2006): h1 + n * h2 mod m.  With m prime and 0 < h2 < m the k indices are always
# distinct; with a composite m some fingerprints get a short cycle of indices and the error rate
# was measured 100 times too high.  All numbers stay below 2^53, exact in Lua's doubles.
CLAIM_LUA = """
local meta = KEYS[1]
local layers = tonumber(redis.call('HGET', meta, 'layers') or '1')
local count = tonumber(redis.call('HGET', meta, 'count') or '0')
local nshapes = tonumber(ARGV[1])
local function shape(i)
  local base = 2 + 3 * i
  return tonumber(ARGV[base]), tonumber(ARGV[base + 1]), tonumber(ARGV[base + 2])
end
local function has(i, h1, h2)
  local _, k, m = shape(i)
  local step = 1 + h2 % (m - 1)
  local key = meta .. ':' .. i
  for n = 0, k - 1 do
    if redis.call('GETBIT', key, (h1 + n * step) % m) == 0 then
      return false
    end
  end
  return true
end
local out = {}
for j = 2 + 3 * nshapes, #ARGV, 2 do
  local h1, h2 = tonumber(ARGV[j]), tonumber(ARGV[j + 1])
  local seen = false
  -- Newest layer first: it holds half the URLs.
  for i = layers - 1, 0, -1 do
    if has(i, h1, h2) then
      seen = true
      break
    end
  end
  if seen then
    out[#out + 1] = 0
  else
    local capacity = shape(layers - 1)
    if count >= capacity and layers < nshapes then
      layers = layers + 1
      count = 0
    end
    local _, k, m = shape(layers - 1)
    local step = 1 + h2 % (m - 1)
    local key = meta .. ':' .. (layers - 1)
    if count == 0 then
      -- Allocate the layer at its exact size at once: grown bit by bit, Redis would keep up
      -- to twice the memory (string preallocation).
      redis.call('SETBIT', key, m - 1, 0)
    end
    for n = 0, k - 1 do
      redis.call('SETBIT', key, (h1 + n * step) % m, 1)
    end
    count = count + 1
    out[#out + 1] = 1
  end
end
redis.call('HSET', meta, 'layers', layers, 'count', count)
return out
"""

#: Fingerprints per script call.
CHUNK = 2_000
#: Redis strings hold at most 2^32 bits: layers stop there (about 10^8 URLs in one run).
MAX_BITS = 2**32 - 1


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37):
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in (2, 3, 5, 7, 11, 13, 17):  # deterministic below 3.4 * 10^14
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _next_prime(n: int) -> int:
    while not _is_prime(n):
        n += 1
    return n


@functools.cache
def layer_shapes() -> tuple[tuple[int, int, int], ...]:
    """(capacity, hashes, bits) of every layer the filter may grow."""
    p0 = TUNING.bloom_error_rate * (1 - TUNING.bloom_tightening)
    shapes = []
    for index in itertools.count():
        p = p0 * TUNING.bloom_tightening**index
        capacity = TUNING.bloom_initial_capacity * TUNING.bloom_growth**index
        bits = math.ceil(capacity * -math.log(p) / math.log(2) ** 2)
        if bits > MAX_BITS:
            break
        shapes.append((capacity, math.ceil(-math.log2(p)), _next_prime(bits)))
    return tuple(shapes)


def _halves(fingerprint: int) -> tuple[int, int]:
    return fingerprint >> 32, fingerprint & 0xFFFFFFFF


class BloomDupeFilter(RFPDupeFilter):
    """scrapy-redis's dupefilter with a scalable Bloom filter instead of a set of SHA1s.

    The spider claims URLs in batches with :meth:`claim_many` (it must know at once whether a
    link is new: the page limit counts new pages); Scrapy's scheduler uses
    :meth:`request_seen` for any request not marked ``dont_filter``.
    """

    def __init__(self, server: Redis, key: str, debug: bool = False) -> None:
        super().__init__(server, key, debug)
        self._claim = server.register_script(CLAIM_LUA)

    @classmethod
    def from_spider(cls, spider: Any) -> BloomDupeFilter:
        from scrapy_redis.connection import get_redis_from_settings

        plan = spider.plan
        key = RunKeys(plan.redis_namespace, plan.run_id).dupefilter
        return cls(get_redis_from_settings(spider.settings), key)

    def claim_many(self, fingerprints: Sequence[int]) -> list[bool]:
        """Add 64-bit URL fingerprints; True for each one not (probably) seen before."""
        shapes = layer_shapes()
        head: list[Any] = [len(shapes), *itertools.chain.from_iterable(shapes)]
        fresh: list[bool] = []
        # Chunks keep one script call short: Redis serves nobody else while it runs.
        for start in range(0, len(fingerprints), CHUNK):
            args = list(head)
            for fingerprint in fingerprints[start : start + CHUNK]:
                args.extend(_halves(fingerprint))
            fresh.extend(bool(flag) for flag in self._claim(keys=[self.key], args=args))
        return fresh

    def request_fingerprint(self, request: Any) -> str:
        return str(url_fingerprint(request.url))

    def request_seen(self, request: Any) -> bool:
        return not self.claim_many([url_fingerprint(request.url)])[0]

    def clear(self) -> None:
        layers = int(self.server.hget(self.key, "layers") or 0)
        self.server.delete(self.key, *(f"{self.key}:{i}" for i in range(layers)))
