"""Names, knobs and small types shared by the distributed crawler's parts (no Redis import here).

Every Redis key of a run carries the run's hash tag (``{r<id>}``), so a run's keys live in one
slot and its Lua scripts touch one slot only.
"""

from __future__ import annotations

from dataclasses import dataclass

# Defined with the run's state (the spider uses them too); named here for the distributed parts.
from govinspect.crawler.state import CoordinationLost, Processed

__all__ = [
    "TUNING",
    "CoordinationLost",
    "Processed",
    "RunKeys",
    "Tuning",
    "entry",
    "host_keys",
    "runs_key",
]

#: Key namespace in Redis: one per deployment sharing a Redis database.
DEFAULT_NAMESPACE = "govinspect"


@dataclass(frozen=True, slots=True)
class Tuning:
    """The distributed machinery's knobs, in one place (docs/distributed.md explains each)."""

    #: A worker whose heartbeat is older than this is dead: its in-flight requests go back.
    heartbeat_seconds: float = 30.0
    #: How often a worker looks at the shared run (new requests, phase, dead peers).
    tick_seconds: float = 0.2
    #: The store pipeline commits (and acknowledges requests) at least this often.
    flush_seconds: float = 1.0
    #: A request still held after the worker's engine was idle this long can never finish
    #: (its callback failed): it is dropped, as a single-node crawl would lose it.
    orphan_seconds: float = 5.0
    #: How often a request waiting for a host's global slot asks again.
    lease_poll_seconds: float = 0.01
    #: Bloom filter of seen URLs: overall false-positive rate and first layer's capacity.
    bloom_error_rate: float = 1e-7
    bloom_initial_capacity: int = 16_384
    bloom_growth: int = 2
    bloom_tightening: float = 0.5
    #: Rounds of "verify what the store shows unverified" before a run is closed anyway.
    reconcile_rounds: int = 3
    #: How long a finished run's state stays in Redis (late workers learn it is done).
    done_ttl_seconds: int = 86_400
    #: How often a worker supervisor looks for runs to join.
    supervisor_poll_seconds: float = 0.5


TUNING = Tuning()


@dataclass(frozen=True, slots=True)
class RunKeys:
    """The Redis keys of one distributed crawl run."""

    namespace: str
    run_id: int

    def _key(self, name: str) -> str:
        return f"{self.namespace}:{{r{self.run_id}}}:{name}"

    @property
    def plan(self) -> str:
        return self._key("plan")

    @property
    def frontier(self) -> str:
        return self._key("frontier")

    @property
    def dupefilter(self) -> str:
        return self._key("seen")

    @property
    def sources(self) -> str:
        return self._key("sources")

    @property
    def pages(self) -> str:
        return self._key("pages")

    @property
    def truncated(self) -> str:
        return self._key("truncated")

    def truncated_examples(self, reason: str) -> str:
        return self._key(f"truncated:{reason}")

    @property
    def truncated_pages(self) -> str:
        return self._key("truncated-pages")

    @property
    def baselines(self) -> str:
        return self._key("baselines")

    @property
    def list_pages(self) -> str:
        return self._key("list-pages")

    @property
    def columns(self) -> str:
        return self._key("columns")

    @property
    def names(self) -> str:
        return self._key("names")

    @property
    def recheck(self) -> str:
        return self._key("recheck")

    @property
    def state(self) -> str:
        return self._key("state")

    @property
    def workers(self) -> str:
        return self._key("workers")

    @property
    def participants(self) -> str:
        return self._key("participants")

    @property
    def tokens(self) -> str:
        return self._key("tokens")

    @property
    def final(self) -> str:
        return self._key("final")

    @property
    def processing_prefix(self) -> str:
        return self._key("processing:")

    def processing(self, worker: str) -> str:
        return self.processing_prefix + worker

    @property
    def alive_prefix(self) -> str:
        return self._key("alive:")

    def alive(self, worker: str) -> str:
        return self.alive_prefix + worker

    def fixed(self) -> list[str]:
        """Every key of the run whose name does not depend on data (for clean-up)."""
        return [
            self.plan,
            self.frontier,
            self.dupefilter,
            self.sources,
            self.pages,
            self.truncated,
            self.truncated_pages,
            self.baselines,
            self.list_pages,
            self.columns,
            self.names,
            self.recheck,
            self.workers,
            self.participants,
            self.tokens,
            self.final,
        ]


def runs_key(namespace: str) -> str:
    """The set of run ids that workers may join."""
    return f"{namespace}:runs"


def host_keys(namespace: str, host: str) -> tuple[str, str, str]:
    """Leases, next start time and waiting processes of one host (host:port), for all runs."""
    base = f"{namespace}:host:{{{host}}}"
    return f"{base}:leases", f"{base}:next", f"{base}:waiting"


def entry(score: float, data: bytes) -> bytes:
    """A request as kept outside the frontier (in flight, second pass): score and data."""
    return f"{score:g}\n".encode() + data
