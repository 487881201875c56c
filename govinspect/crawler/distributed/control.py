"""Start distributed runs and run workers: what ``crawl --distributed`` and ``worker`` call.

* :func:`enqueue_units` opens a run per unit in the store and puts the run's plan and start
  requests into Redis (a run interrupted earlier is resumed from the store, like single-node).
* :func:`run_worker` is a worker: it joins runs that need workers, one crawl subprocess per run
  at a time and per slot, until stopped (or idle long enough).  Start any number of them, on any
  number of machines, with the same Redis and database.
* :func:`run_status` and :func:`wait_for_runs` watch the runs.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis
from redis import Redis
from sqlalchemy import select

from govinspect.crawler import launch
from govinspect.crawler.distributed import frontier
from govinspect.crawler.distributed.common import (
    DEFAULT_NAMESPACE,
    TUNING,
    RunKeys,
    runs_key,
)
from govinspect.crawler.distributed.coordinator import (
    connect,
    mark_done,
    redis_now_ms,
    run_keys,
)
from govinspect.crawler.distributed.state import RedisState
from govinspect.crawler.plan import CrawlPlan
from govinspect.crawler.spider import SiteSpider
from govinspect.errors import ConfigError
from govinspect.redaction import redact
from govinspect.registry import Registry, Unit
from govinspect.settings import Settings
from govinspect.store import crawlstore
from govinspect.store.db import Store
from govinspect.store.models import Run
from govinspect.store.units import sync_registry

Event = Callable[[str, dict[str, Any]], None]

# Load of each run, for a worker choosing one: {frontier size, live workers}; {-1, 0} if it
# is done (or has no plan: nothing to join).
RUN_LOAD_LUA = """
if redis.call('HGET', KEYS[1], 'done') or redis.call('EXISTS', KEYS[4]) == 0 then
  return {-1, 0}
end
local live = 0
for _, w in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('EXISTS', ARGV[1] .. w) == 1 then
    live = live + 1
  end
end
return {redis.call('ZCARD', KEYS[2]), live}
"""


def redis_for(settings: Settings) -> Redis:
    """The Redis server of the settings, reachable, or a clear error."""
    if not settings.redis_url:
        raise ConfigError("distributed mode needs a Redis server: set GOVINSPECT_REDIS_URL")
    where = redact(settings.redis_url)  # the URL may carry the server's password
    try:
        server = connect(settings.redis_url)
    except ValueError as exc:  # a port that is not a number, an unknown scheme
        raise ConfigError(f"invalid Redis URL {where}: {redact(str(exc))}") from None
    try:
        server.ping()
    except redis.RedisError as exc:
        raise ConfigError(f"Redis at {where} is not reachable: {redact(str(exc))}") from None
    return server


# --- enqueueing -------------------------------------------------------------------------------


def enqueue_units(
    settings: Settings,
    registry: Registry,
    store: Store,
    unit_ids: list[str] | None = None,
    restart: bool = False,
    namespace: str = DEFAULT_NAMESPACE,
) -> list[int]:
    """Make each unit's crawl available to workers; returns the run ids (in unit order).

    A unit whose run workers are already on keeps that run (unless ``restart``); an
    interrupted run is resumed from what the store holds; otherwise a new run starts.
    """
    server = redis_for(settings)
    sync_registry(store, registry)
    return [
        _enqueue(settings, store, server, unit, restart, namespace)
        for unit in registry.select(unit_ids)
    ]


def _enqueue(
    settings: Settings, store: Store, server: Redis, unit: Unit, restart: bool, namespace: str
) -> int:
    active = {int(x) for x in server.smembers(runs_key(namespace))}
    with store.session() as session:
        last = session.scalars(
            select(Run)
            .where(Run.kind == "crawl", Run.unit_id == unit.id)
            .order_by(Run.id.desc())
            .limit(1)
        ).first()
        last_id, last_status = (last.id, last.status) if last else (None, None)
    if last_id in active and last_status == "running":
        if not restart:
            return last_id
        mark_done(server, RunKeys(namespace, last_id), "abandoned")
    run_id, resumed = launch.open_run(store, unit.id, resume=not restart, distributed=True)
    plan = launch.build_plan(settings, unit, run_id, resumed)
    plan.redis_url, plan.redis_namespace, plan.progress = settings.redis_url, namespace, False
    keys = RunKeys(namespace, run_id)
    server.unlink(keys.state, *run_keys(server, keys))  # an earlier attempt's leftovers
    stored = None
    if resumed:
        with store.session() as session:
            stored = crawlstore.resume_frontier(session, run_id)
    state = RedisState(server, keys, plan)
    spider = SiteSpider(plan, frontier=stored, state=state)
    state.spider = spider
    frontier.push(server, keys, spider.initial_requests(), spider)
    now = redis_now_ms(server)
    server.hset(
        keys.state,
        mapping={"unit": unit.id, "started": now, "deadline": now + plan.max_run_seconds * 1000},
    )
    server.set(keys.plan, plan.to_json())
    server.sadd(runs_key(namespace), run_id)  # last: workers join only a complete run
    with store.session() as session:
        run = session.get(Run, run_id)
        assert run is not None
        run.summary = {**(run.summary or {}), "distributed": True, "namespace": namespace}
    return run_id


# --- watching ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunProgress:
    run_id: int
    unit_id: str
    queued: int
    in_flight: int
    workers: int
    pages: int
    second_pass: int
    phase: str


def run_status(settings: Settings, namespace: str = DEFAULT_NAMESPACE) -> list[RunProgress]:
    """Where every run workers may join stands."""
    server = redis_for(settings)
    out = []
    for run_id in sorted(int(x) for x in server.smembers(runs_key(namespace))):
        out.append(_progress(server, RunKeys(namespace, run_id)))
    return out


def _progress(server: Redis, keys: RunKeys) -> RunProgress:
    state = {k.decode(): v.decode() for k, v in server.hgetall(keys.state).items()}
    workers = [w.decode() for w in server.smembers(keys.workers)]
    live = [w for w in workers if server.exists(keys.alive(w))]
    if state.get("done"):
        phase = state.get("status", "done")
    elif server.exists(keys.final):
        phase = "finalising"
    elif "recheck_at" in state:
        phase = "waiting for the second pass"
    else:
        phase = "crawling"
    return RunProgress(
        run_id=keys.run_id,
        unit_id=state.get("unit", ""),
        queued=int(server.zcard(keys.frontier)),
        in_flight=sum(int(server.hlen(keys.processing(w))) for w in workers),
        workers=len(live),
        pages=int(server.get(keys.pages) or 0),
        second_pass=int(server.hlen(keys.recheck)),
        phase=phase,
    )


def wait_for_runs(
    settings: Settings,
    store: Store,
    run_ids: list[int],
    on_progress: Callable[[list[RunProgress]], None] | None = None,
    poll: float = 2.0,
    timeout: float | None = None,
    namespace: str = DEFAULT_NAMESPACE,
) -> list[launch.CrawlResult]:
    """Block until the runs are no longer running (or ``timeout``); their results, in order."""
    server = redis_for(settings)
    deadline = time.monotonic() + timeout if timeout else None
    while True:
        results = _results(store, run_ids)
        if all(r.status != "running" for r in results):
            return results
        if deadline is not None and time.monotonic() > deadline:
            return results
        if on_progress is not None:
            on_progress([_progress(server, RunKeys(namespace, r)) for r in run_ids])
        time.sleep(poll)


def _results(store: Store, run_ids: list[int]) -> list[launch.CrawlResult]:
    with store.session() as session:
        runs = {r.id: r for r in session.scalars(select(Run).where(Run.id.in_(run_ids)))}
        return [
            launch.CrawlResult(
                runs[i].unit_id or "",
                i,
                runs[i].status,
                False,
                dict(runs[i].summary or {}),
                runs[i].error,
            )
            for i in run_ids
        ]


# --- the worker -------------------------------------------------------------------------------


@dataclass
class WorkerReport:
    """What one worker did: (run id, worker id, exit status) per crawl process it ran."""

    crawls: list[tuple[int, str, int]] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Child:
    run_id: int
    worker_id: str
    process: subprocess.Popen
    plan_file: Path


def run_worker(
    settings: Settings,
    stop_after_idle: float | None = None,
    slots: int = 1,
    namespace: str = DEFAULT_NAMESPACE,
    heartbeat_seconds: float = TUNING.heartbeat_seconds,
    on_event: Event | None = None,
) -> WorkerReport:
    """Work on distributed runs until SIGTERM/SIGINT, or until idle for ``stop_after_idle`` s.

    ``slots`` crawl processes at most (one per CPU core is a good start); each works on one run
    until the run ends.  Facts go to the settings' database (the enqueuer's if none is set), WARC
    files under this machine's data folder.
    """
    return _Supervisor(settings, slots, namespace, heartbeat_seconds, on_event).run(stop_after_idle)


class _Supervisor:
    def __init__(
        self,
        settings: Settings,
        slots: int,
        namespace: str,
        heartbeat_seconds: float,
        on_event: Event | None,
    ) -> None:
        self.settings = settings
        self.server = redis_for(settings)
        self.slots = max(1, slots)
        self.namespace = namespace
        self.heartbeat_seconds = heartbeat_seconds
        self.on_event = on_event or (lambda kind, data: None)
        self.children: list[_Child] = []
        self.report = WorkerReport()
        self.stopping = False
        self.failures = 0
        self.resume_at = 0.0
        self._load = self.server.register_script(RUN_LOAD_LUA)
        self._host = socket.gethostname().split(".")[0] or "worker"

    def run(self, stop_after_idle: float | None) -> WorkerReport:
        started = time.monotonic()
        idle_since = started
        previous = self._handle_signals()
        try:
            while not self.stopping:
                self._reap()
                while (
                    len(self.children) < self.slots
                    and time.monotonic() >= self.resume_at
                    and self._join()
                ):
                    pass
                now = time.monotonic()
                if self.children:
                    idle_since = now
                elif stop_after_idle is not None and now - idle_since >= stop_after_idle:
                    break
                time.sleep(TUNING.supervisor_poll_seconds)
        finally:
            self._stop_children()
            self._restore_signals(previous)
        self.report.seconds = round(time.monotonic() - started, 1)
        return self.report

    # --- choosing a run ----------------------------------------------------------------

    def _join(self) -> bool:
        """Start a crawl process on the run that most needs one; False if none does.

        Choosing and registering the new worker happen under a short lock, so workers that
        start together spread over the runs instead of all taking the first.
        """
        lock = f"{self.namespace}:joining"
        token = uuid.uuid4().hex
        while not self.server.set(lock, token, nx=True, px=10_000):
            time.sleep(0.05)
        try:
            run_id = self._choose()
            joined = run_id is not None and self._spawn(run_id)
        finally:
            if self.server.get(lock) == token.encode():
                self.server.delete(lock)
        return joined

    def _choose(self) -> int | None:
        """The run that most needs a worker: fewest live workers, then most queued requests.

        A run with nobody on it is joined even with an empty frontier: it may hold a dead
        worker's in-flight requests, its second pass or its finalisation.
        """
        run_ids = sorted(int(x) for x in self.server.smembers(runs_key(self.namespace)))
        pipe = self.server.pipeline(transaction=False)
        for run_id in run_ids:
            keys = RunKeys(self.namespace, run_id)
            names = [keys.state, keys.frontier, keys.workers, keys.plan]
            self._load(keys=names, args=[keys.alive_prefix], client=pipe)
        best: tuple[int, int, int] | None = None
        for run_id, (queued, live) in zip(run_ids, pipe.execute(), strict=True):
            if queued < 0 or (queued == 0 and live > 0):
                continue  # done, or nothing to take and somebody is on it
            candidate = (int(live), -int(queued), run_id)
            if best is None or candidate < best:
                best = candidate
        return best[2] if best else None

    def _spawn(self, run_id: int) -> bool:
        keys = RunKeys(self.namespace, run_id)
        stored = self.server.get(keys.plan)
        if stored is None:
            return False  # the run ended since it was chosen
        plan = CrawlPlan.from_json(stored.decode())
        plan.worker_id = f"{self._host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        plan.redis_url = self.settings.redis_url
        plan.redis_namespace = self.namespace
        plan.heartbeat_seconds = self.heartbeat_seconds
        if self.settings.db:
            plan.database_url = self.settings.database_url
        plan.data_dir = str(self.settings.data_dir.resolve())
        plan.progress = False
        # Registered (and alive for one heartbeat) now, so the next worker choosing sees it.
        pipe = self.server.pipeline(transaction=True)
        pipe.sadd(keys.workers, plan.worker_id)
        pipe.set(keys.alive(plan.worker_id), "1", px=int(self.heartbeat_seconds * 1000))
        pipe.execute()
        with tempfile.NamedTemporaryFile(
            "w", suffix=".json", delete=False, encoding="utf-8"
        ) as handle:
            handle.write(plan.to_json())
            plan_file = Path(handle.name)
        log_path = self.settings.data_dir / "logs" / f"worker-{plan.worker_id}-{run_id}.log"
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with log_path.open("a", encoding="utf-8") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "govinspect.crawler.runner", str(plan_file)],
                stdout=log,
                stderr=log,
            )
        self.children.append(_Child(run_id, plan.worker_id, process, plan_file))
        self.on_event("joined", {"run_id": run_id, "worker": plan.worker_id, "unit": plan.unit_id})
        return True

    def _reap(self) -> None:
        for child in list(self.children):
            code = child.process.poll()
            if code is None:
                continue
            self.children.remove(child)
            child.plan_file.unlink(missing_ok=True)
            self.report.crawls.append((child.run_id, child.worker_id, code))
            self.on_event("left", {"run_id": child.run_id, "worker": child.worker_id, "code": code})
            # A crawl process that fails (database unreachable ...) is not restarted at once.
            self.failures = self.failures + 1 if code else 0
            self.resume_at = time.monotonic() + min(60.0, 2.0**self.failures) * bool(code)

    # --- stopping ----------------------------------------------------------------------

    def _handle_signals(self) -> dict[int, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}  # signal handlers can only be set there; the caller stops us then

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        return {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def _restore_signals(self, previous: dict[int, Any]) -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    def _stop_children(self) -> None:
        """SIGTERM: each crawl process gives its requests back and exits; SIGKILL if it hangs."""
        for child in self.children:
            if child.process.poll() is None:
                child.process.terminate()
        deadline = time.monotonic() + 60
        for child in self.children:
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.process.kill()
                child.process.wait()
        self._reap()
