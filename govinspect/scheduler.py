"""Nightly inspection that runs itself (APScheduler 3.x).

Jobs (times from the registry's ``schedule:`` section, Asia/Shanghai by default):

* ``crawl-check``: crawl every unit (one subprocess each, ``crawl_parallel`` at once, each with a
  time limit), poll every new-media feed once, then run the checks over the fresh facts with
  the configured rubric (``pipeline.run_job``, the demo's code path too; rubric precedence
  ``schedule --rubric`` > ``GOVINSPECT_RUBRIC`` > the registry's ``schedule.rubric``, as for
  ``govinspect check``; see ``checks/plan.py``);
* ``probe:<unit>``: one availability probe of the unit's homepage every ``probe_every_minutes``,
  jittered so units are not all hit in the same second;
* ``feeds``: poll every new-media account;
* after the nightly check, the digests (``govinspect digest``); ``outbox`` (only when the
  registry names contacts) sends held or failed digests again every 10 minutes.

Jobs live in the database (SQLAlchemyJobStore) with stable ids, so a restart replaces them
instead of adding copies; missed runs are coalesced into one within a grace time.  A database
lease makes sure only one scheduler runs per database.  The service refuses to start with a
broken rubric, or with a probe cap or interval that leaves the rubric's availability rule
nothing to judge.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import uuid
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.executors.pool import ThreadPoolExecutor as JobThreads
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from govinspect.checks.plan import (
    check_probe_interval,
    check_probe_timeout,
    rubric_source,
    rubrics_in_use,
)
from govinspect.errors import GovinspectError
from govinspect.registry import Registry, load_registry
from govinspect.settings import Settings, load_settings
from govinspect.store import lease
from govinspect.store.db import Store, open_store

log = logging.getLogger("govinspect.scheduler")

LEASE = "scheduler"
LEASE_STALE = timedelta(minutes=2)
HEARTBEAT_SECONDS = 30
OUTBOX_EVERY_MINUTES = 10  # the retry backoff's first step is a minute: this is its cadence


@dataclass(frozen=True, slots=True)
class JobContext:
    """What a job needs to rebuild its world; picklable, so jobs persist in the database."""

    config: str
    db: str
    data_dir: str
    rubric: str | None = None  # `schedule --rubric` / GOVINSPECT_RUBRIC when the service started

    def __setstate__(self, state: list[Any]) -> None:
        # Jobs stored by an older version hold fewer fields: the new ones take their defaults.
        values = dict(zip((f.name for f in fields(self)), state, strict=False))
        for f in fields(self):
            object.__setattr__(self, f.name, values.get(f.name, f.default))

    def open(self) -> tuple[Settings, Registry, Store]:
        settings = load_settings(
            config=Path(self.config),
            db=self.db,
            data_dir=Path(self.data_dir),
            rubric=Path(self.rubric) if self.rubric else None,
        )
        registry = load_registry(settings.config)
        store = open_store(settings.database_url, settings.sqlite_busy_timeout_ms)
        return settings, registry, store


# --- jobs (module-level functions: the job store references them as module:function) -------


def job_crawl_and_check(ctx: JobContext) -> dict[str, Any]:
    """The nightly job (``pipeline.run_job``, as ``govinspect demo``): crawl all units with a
    parallel limit and a time limit each, poll the feeds once, then check."""
    from govinspect.pipeline import run_job

    settings, registry, store = ctx.open()
    try:
        plan = registry.schedule
        settings = settings.model_copy(update={"crawl_plan": plan.plan})
        rubric = rubric_source(settings, registry)
        rubrics_in_use(settings, registry)  # a broken rubric fails now, not after the crawls
        result = run_job(
            settings,
            registry,
            store,
            parallel=plan.crawl_parallel,
            time_limit=plan.crawl_time_limit_minutes * 60,
            rubric=rubric,
        )
        statuses = {r.unit_id: r.status for r in result.crawls}
        feeds = result.feeds.counts() if result.feeds else result.feeds_error
        log.info(
            "nightly crawl done: %s; feeds: %s; check run %s", statuses, feeds, result.check_run
        )
        _digest(settings, registry, store, result.check_run)
        return {"crawls": statuses, "feeds": feeds, "check_run": result.check_run}
    finally:
        store.dispose()


def _digest(settings: Settings, registry: Registry, store: Store, run_id: int) -> None:
    """The nightly digest right after the check; it never fails the nightly job."""
    from govinspect.notify import run_digest

    try:
        result = run_digest(store, registry, settings, run_id=run_id)
    except Exception:  # noqa: BLE001 - logged; the outbox keeps what was queued
        log.exception("the digest after check run %s failed", run_id)
        return
    flushed = result.flushed
    log.info(
        "digests: %d built, %d messages queued, %d sent, %d retrying, %d failed",
        len(result.drafts), result.queued, flushed.sent if flushed else 0,
        flushed.retrying if flushed else 0, flushed.failed if flushed else 0,
    )  # fmt: skip


def job_outbox(ctx: JobContext) -> None:
    """Retry the digests whose sends failed or were held by quiet hours."""
    from govinspect.notify import flush

    settings, registry, store = ctx.open()
    try:
        flush(store, registry, settings)
    finally:
        store.dispose()


def job_probe(ctx: JobContext, unit_id: str) -> None:
    from govinspect.crawler.probe import probe_round

    settings, registry, store = ctx.open()
    try:
        if unit_id not in {u.id for u in registry.units}:
            return  # removed from the registry since the job was stored
        probe_round(store, registry, settings, [unit_id])
    finally:
        store.dispose()


def job_feeds(ctx: JobContext) -> None:
    from govinspect.crawler.feeds import poll_feeds

    settings, registry, store = ctx.open()
    try:
        poll_feeds(store, registry, None, settings)
    finally:
        store.dispose()


def job_reports(ctx: JobContext) -> dict[str, Any]:
    """The quarter's self-check reports, ranking workbook and evidence packs."""
    from govinspect.reports.build import build_reports, parse_formats

    settings, registry, store = ctx.open()
    try:
        result = build_reports(
            store,
            registry,
            settings,
            None,
            None,
            parse_formats(None),
            None,
            settings.reports_dir,
        )
        for warning in result.warnings:  # e.g. the PDF skipped: the other formats are written
            log.warning("reports for %s: %s", result.period.code, warning)
        log.info(
            "reports for %s: %d files in %s", result.period.code, len(result.files), result.out_dir
        )
        return {
            "period": result.period.code,
            "files": len(result.files),
            **({"skipped": result.skipped} if result.skipped else {}),
        }
    finally:
        store.dispose()


# --- the scheduler -------------------------------------------------------------------------


def desired_jobs(registry: Registry, ctx: JobContext) -> list[dict[str, Any]]:
    """Every job the registry asks for, with stable ids (re-registering replaces, never adds)."""
    plan = registry.schedule
    zone = ZoneInfo(plan.timezone)
    jobs: list[dict[str, Any]] = [
        {
            "id": "crawl-check",
            "name": "nightly crawl of all units and their feeds, then check",
            "func": job_crawl_and_check,
            "args": (ctx,),
            "trigger": CronTrigger.from_crontab(plan.crawl, timezone=zone),
        },
    ]
    jobs.append(
        {
            "id": "reports",
            "name": "quarterly self-check reports (a week before they are due)",
            "func": job_reports,
            "args": (ctx,),
            "trigger": CronTrigger.from_crontab(plan.reports, timezone=zone),
        }
    )
    if registry.has_contacts:
        jobs.append(
            {
                "id": "outbox",
                "name": "send held or failed digests again",
                "func": job_outbox,
                "args": (ctx,),
                "trigger": IntervalTrigger(minutes=OUTBOX_EVERY_MINUTES, timezone=zone),
            }
        )
    if any(unit.new_media for unit in registry.units):
        jobs.append(
            {
                "id": "feeds",
                "name": "poll new-media feeds",
                "func": job_feeds,
                "args": (ctx,),
                "trigger": CronTrigger.from_crontab(plan.feeds, timezone=zone),
            }
        )
    for unit in registry.units:
        jobs.append(
            {
                "id": f"probe:{unit.id}",
                "name": f"availability probe of {unit.id}",
                "func": job_probe,
                "args": (ctx, unit.id),
                "trigger": IntervalTrigger(
                    minutes=plan.probe_every_minutes,
                    jitter=plan.probe_jitter_seconds or None,
                    timezone=zone,
                ),
            }
        )
    return jobs


def build_scheduler(settings: Settings, registry: Registry) -> BackgroundScheduler:
    plan = registry.schedule
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(url=_jobstore_url(settings.database_url))},
        executors={"default": JobThreads(max_workers=4 + plan.crawl_parallel)},
        job_defaults={
            # Downtime must not replay N missed runs: one catch-up run within the grace time.
            "coalesce": True,
            "misfire_grace_time": plan.misfire_grace_minutes * 60,
            "max_instances": 1,
        },
        timezone=ZoneInfo(plan.timezone),
    )


def _jobstore_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def sync_jobs(scheduler: BackgroundScheduler, registry: Registry, ctx: JobContext) -> list[str]:
    """Add or replace the wanted jobs and drop stored jobs the registry no longer asks for."""
    wanted = desired_jobs(registry, ctx)
    ids = {job["id"] for job in wanted}
    stored = {job.id: job for job in scheduler.get_jobs()}
    for job_id, job in stored.items():
        if job_id not in ids:
            job.remove()
    for job in wanted:
        old = stored.get(job["id"])
        if old is not None and _same(old, job):
            # Keep the stored job and its next run time: a run missed during downtime then
            # happens once (coalesced) within the grace time instead of being skipped.
            continue
        scheduler.add_job(replace_existing=True, **job)
    return sorted(ids)


def _same(stored: Any, wanted: dict[str, Any]) -> bool:
    return (
        str(stored.trigger) == str(wanted["trigger"])
        and stored.func is wanted["func"]
        and tuple(stored.args) == tuple(wanted["args"])
        and stored.name == wanted["name"]
    )


def context_for(settings: Settings) -> JobContext:
    return JobContext(
        config=str(settings.config.resolve()),
        db=settings.database_url,
        data_dir=str(settings.data_dir.resolve()),
        rubric=str(settings.rubric.resolve()) if settings.rubric else None,
    )


def check_plan(settings: Settings, registry: Registry) -> None:
    """Refuse to schedule what cannot be judged: a broken rubric, a probe cap below the rubric's
    timeout, or fewer probes a day than the rubric needs (one line each, exit status 2)."""
    rubrics = rubrics_in_use(settings, registry)
    check_probe_timeout(settings, rubrics)
    check_probe_interval(registry, rubrics, str(settings.config))


def list_jobs(settings: Settings, registry: Registry) -> list[tuple[str, str, datetime | None]]:
    """(id, name, next run) of every job as it would run now, without starting anything."""
    check_plan(settings, registry)
    open_store(settings.database_url, settings.sqlite_busy_timeout_ms).dispose()
    scheduler = build_scheduler(settings, registry)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, registry, context_for(settings))
        now = datetime.now(ZoneInfo(registry.schedule.timezone))
        rows = []
        for job in scheduler.get_jobs():
            upcoming = job.trigger.get_next_fire_time(None, now)
            rows.append((job.id, job.name, upcoming))
        return sorted(rows, key=lambda row: (row[2] is None, row[2] or now, row[0]))
    finally:
        scheduler.shutdown(wait=False)


class Service:
    """``govinspect schedule``: the long-lived scheduler process."""

    def __init__(self, settings: Settings, registry: Registry) -> None:
        self.settings = settings
        self.registry = registry
        self.store = open_store(settings.database_url, settings.sqlite_busy_timeout_ms)
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.stop = threading.Event()
        self.scheduler: BackgroundScheduler | None = None

    def start(self) -> list[str]:
        check_plan(self.settings, self.registry)
        other = lease.acquire(self.store, LEASE, self.holder, LEASE_STALE)
        if other is not None:
            raise GovinspectError(
                f"another scheduler already runs on this database ({other}); only one may"
            )
        from govinspect.store.units import sync_registry

        sync_registry(self.store, self.registry)
        self.scheduler = build_scheduler(self.settings, self.registry)
        self.scheduler.start(paused=True)
        ids = sync_jobs(self.scheduler, self.registry, context_for(self.settings))
        self.scheduler.resume()
        return ids

    def run_forever(self) -> None:
        """Block until SIGTERM/SIGINT; renew the lease meanwhile."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop.set())
        while not self.stop.wait(HEARTBEAT_SECONDS):
            if not lease.renew(self.store, LEASE, self.holder):
                log.error("lost the scheduler lease; stopping")
                break
        self.shutdown()

    def shutdown(self) -> None:
        if self.scheduler is not None and self.scheduler.running:
            # Running jobs are left to finish: a crawl subprocess that is interrupted instead
            # would be resumed next time, so nothing is lost either way.
            self.scheduler.shutdown(wait=True)
        lease.release(self.store, LEASE, self.holder)
        self.store.dispose()


def today(zone: str) -> date:
    return datetime.now(ZoneInfo(zone)).date()
