"""Start crawls: one subprocess per unit, resume interrupted runs, relay progress.

UI-free: the caller passes a callback that receives progress events (the CLI renders them with
rich, the scheduler logs them).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, update

from govinspect.crawler.plan import CrawlPlan
from govinspect.errors import GovinspectError
from govinspect.registry import Unit
from govinspect.settings import TIMEZONE, Settings
from govinspect.store.db import Store
from govinspect.store.models import Run

Event = dict[str, Any]


@dataclass(slots=True)
class CrawlResult:
    unit_id: str
    run_id: int
    status: str
    resumed: bool
    summary: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


def build_plan(settings: Settings, unit: Unit, run_id: int, resume: bool) -> CrawlPlan:
    """Settings, then the unit's own overrides from the registry."""
    overrides = unit.crawl.model_dump(exclude_none=True)
    base = {
        name: getattr(settings, name)
        for name in (
            "concurrency_per_host",
            "concurrency_total",
            "download_delay",
            "timeout",
            "retry_times",
            "retry_after_max",
            "obey_robots",
            "max_pages",
            "max_depth",
            "max_links_per_page",
            "max_url_length",
            "max_response_bytes",
            "max_run_seconds",
            "recheck_delay",
            "warc_body_cap",
            "http_cache",
            "analysis_workers",
            "content_safety",
            "safety_attachment_bytes",
            "sqlite_busy_timeout_ms",
            "crawl_plan",
            "recheck_all",
            "link_recheck_hours",
            "rolling_budget_per_host",
            "rolling_cycle_nights",
            "quick_list_pages",
        )
    }
    return CrawlPlan(
        unit_id=unit.id,
        website=unit.website,
        run_id=run_id,
        database_url=settings.database_url,
        data_dir=str(settings.data_dir.resolve()),
        crawl_date=datetime.now(ZoneInfo(TIMEZONE)).date().isoformat(),
        extra_hosts=list(unit.extra_hosts),
        column_types=dict(unit.column_types),
        user_agent=settings.user_agent,
        sensitive_words=str(settings.sensitive_words) if settings.sensitive_words else None,
        resume=resume,
        **{**base, **overrides},
    )


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def open_run(
    store: Store, unit_id: str, resume: bool, distributed: bool = False
) -> tuple[int, bool]:
    """The run to work on: an interrupted one to resume, or a new one.

    A run that distributed workers are crawling is neither resumed nor abandoned by a
    single-node crawl (both would work on the site): ``crawl --distributed`` takes it up again,
    ``crawl --distributed --restart`` abandons it (and tells the workers).
    """
    with store.session() as session:
        last = session.scalars(
            select(Run)
            .where(Run.kind == "crawl", Run.unit_id == unit_id)
            .order_by(Run.id.desc())
            .limit(1)
        ).first()
        if last is not None and last.status in ("running", "interrupted"):
            pid = (last.summary or {}).get("pid")
            if last.status == "running" and _alive(pid) and pid != os.getpid():
                raise GovinspectError(
                    f"a crawl of unit {unit_id!r} is already running (run {last.id}, pid {pid})"
                )
            shared = (last.summary or {}).get("distributed", False)
            if last.status == "running" and shared and not distributed:
                # Abandoning it here would leave it in Redis: the workers would go on crawling
                # it, beside this crawl, without sharing the per-host limits with it.
                raise GovinspectError(
                    f"unit {unit_id!r} is being crawled by distributed workers (run {last.id}); "
                    "use crawl --distributed to take it up, or crawl --distributed --restart "
                    "to abandon it"
                )
            if resume:
                return last.id, True
            last.status = "abandoned"
        run = Run(kind="crawl", unit_id=unit_id, status="running", summary={})
        session.add(run)
        session.flush()
        return run.id, False


def _set_pid(store: Store, run_id: int, pid: int) -> None:
    with store.session() as session:
        run = session.get(Run, run_id)
        assert run is not None
        run.status = "running"
        run.summary = {**(run.summary or {}), "pid": pid}


def run_crawl(
    settings: Settings,
    store: Store,
    unit: Unit,
    resume: bool = True,
    on_event: Callable[[str, Event], None] | None = None,
    progress: bool = True,
    time_limit: float | None = None,
) -> CrawlResult:
    run_id, resumed = open_run(store, unit.id, resume)
    plan = build_plan(settings, unit, run_id, resumed)
    plan.progress = progress
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as fh:
        fh.write(plan.to_json())
        plan_file = fh.name
    log_path = settings.data_dir / "logs" / f"crawl-{unit.id}-{run_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # stderr goes to a file: a pipe nobody drains could block a chatty child.
        with log_path.open("a", encoding="utf-8") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "govinspect.crawler.runner", plan_file],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
            )
        _set_pid(store, run_id, process.pid)
        watchdog = _Watchdog(process, time_limit)
        last: Event = {}
        assert process.stdout is not None
        for line in process.stdout:
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            last = event
            if on_event:
                on_event(unit.id, event)
        code = process.wait()
        watchdog.cancel()
        stderr = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
    finally:
        Path(plan_file).unlink(missing_ok=True)
    if watchdog.fired:
        _mark(store, run_id, "failed", f"killed after the time limit of {time_limit:g} s")
    return _result(store, unit.id, run_id, resumed, code, last, stderr)


class _Watchdog:
    """Stops a crawl that outlives its time limit: SIGTERM first (a clean stop), then SIGKILL."""

    GRACE = 30.0

    def __init__(self, process: subprocess.Popen, limit: float | None) -> None:
        self.process = process
        self.fired = False
        self.timers = []
        if limit:
            self.timers = [
                threading.Timer(limit, self._stop, (False,)),
                threading.Timer(limit + self.GRACE, self._stop, (True,)),
            ]
            for timer in self.timers:
                timer.daemon = True
                timer.start()

    def _stop(self, kill: bool) -> None:
        if self.process.poll() is None:
            self.fired = True
            (self.process.kill if kill else self.process.terminate)()

    def cancel(self) -> None:
        for timer in self.timers:
            timer.cancel()


def _mark(store: Store, run_id: int, status: str, error: str) -> None:
    with store.session() as session:
        session.execute(
            update(Run)
            .where(Run.id == run_id)
            .values(status=status, error=error, finished_at=datetime.now(UTC))
        )


def _result(
    store: Store, unit_id: str, run_id: int, resumed: bool, code: int, last: Event, stderr: str
) -> CrawlResult:
    with store.session() as session:
        run = session.get(Run, run_id)
        assert run is not None
        if code != 0 and run.status == "running":
            # Killed before it could say anything: resumable next time.
            reason = f"crawl process exited with status {code}"
            session.execute(
                update(Run)
                .where(Run.id == run_id)
                .values(status="interrupted", error=reason, finished_at=datetime.now(UTC))
            )
            run.status, run.error = "interrupted", reason
        error = run.error or last.get("error")
        if code != 0 and not error:
            error = (stderr.strip().splitlines() or [f"exit status {code}"])[-1]
        return CrawlResult(unit_id, run_id, run.status, resumed, dict(run.summary or {}), error)
