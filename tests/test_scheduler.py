"""The scheduler: cadence, persistence without duplicates, coalescing, one per database.

The tests watch APScheduler's own job events (which run, for which scheduled time, with which
outcome) and wait for conditions with a deadline, instead of counting rows after fixed sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
import yaml
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from sqlalchemy import func, select

from govinspect import scheduler as scheduler_module
from govinspect.errors import GovinspectError
from govinspect.registry import load_registry
from govinspect.scheduler import Service, list_jobs
from govinspect.settings import load_settings
from govinspect.store import lease
from govinspect.store.db import open_store
from govinspect.store.models import Probe
from tests.fixture_site import FixtureServer, html


def write_config(path: Path, base: str, **schedule) -> Path:
    data = {
        "units": [
            {"id": "a", "name": "甲", "category": "county", "website": f"{base}/a/"},
            {"id": "b", "name": "乙", "category": "department", "website": f"{base}/b/"},
        ],
        "schedule": {"probe_every_minutes": 0.02, "probe_jitter_seconds": 0, **schedule},
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def site():
    with FixtureServer({"/a/": html("甲"), "/b/": html("乙")}) as server:
        yield server


#: Generous: the machine is shared; a healthy run meets each condition in a few seconds.
DEADLINE = 30.0


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def events(monkeypatch) -> list[Any]:
    """Every job event (executed, failed, missed) of the schedulers the test's services build."""
    seen: list[Any] = []
    build = scheduler_module.build_scheduler

    def build_and_listen(*args: Any, **kwargs: Any) -> Any:
        scheduler = build(*args, **kwargs)
        scheduler.add_listener(seen.append, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED)
        return scheduler

    monkeypatch.setattr(scheduler_module, "build_scheduler", build_and_listen)
    return seen


def runs(events: list[Any], job_id: str, code: int = EVENT_JOB_EXECUTED) -> list[datetime]:
    """The scheduled run times of the job's events of one kind, in order."""
    return sorted(
        e.scheduled_run_time for e in list(events) if e.job_id == job_id and e.code == code
    )


def service_for(tmp_path, config):
    settings = load_settings(config=config, data_dir=tmp_path / "var")
    return Service(settings, load_registry(config)), settings


def probes(settings) -> dict[str, int]:
    store = open_store(settings.database_url)
    with store.session() as session:
        rows = session.execute(select(Probe.unit_id, func.count()).group_by(Probe.unit_id)).all()
    store.dispose()
    return dict(rows)


def test_probes_are_stored_at_the_configured_cadence(tmp_path, site, events):
    service, settings = service_for(tmp_path, write_config(tmp_path / "g.yaml", site.base))
    jobs = service.start()
    assert jobs == ["crawl-check", "probe:a", "probe:b", "reports"]
    try:
        wait_for(
            lambda: all(len(runs(events, f"probe:{u}")) >= 3 for u in "ab"), "3 probes per unit"
        )
    finally:
        service.shutdown()
    interval = timedelta(minutes=0.02)  # 1.2 s
    for unit in "ab":
        times = runs(events, f"probe:{unit}")
        # Every run is whole intervals after the one before (a run may be skipped, never added).
        gaps = [later - earlier for earlier, later in pairwise(times)]
        assert all(gap >= interval and gap % interval == timedelta(0) for gap in gaps), gaps
    counts = probes(settings)
    assert all(counts[unit] >= 3 for unit in "ab"), counts
    assert not [e for e in events if e.code == EVENT_JOB_ERROR]


def test_restart_does_not_duplicate_jobs_and_coalesces_missed_runs(tmp_path, site, events):
    config = write_config(tmp_path / "g.yaml", site.base)  # probes every 1.2 s
    interval = timedelta(minutes=0.02)
    service, settings = service_for(tmp_path, config)
    service.start()
    try:
        wait_for(lambda: all(runs(events, f"probe:{u}") for u in "ab"), "a first probe per unit")
    finally:
        service.shutdown()
    before = probes(settings)
    # While it is down, let two more runs of every probe job fall due (the next one after the
    # last run, and one more), so a restart has several missed runs to coalesce.
    last = max(runs(events, f"probe:{u}")[-1] for u in "ab")
    due = last + 2 * interval + timedelta(seconds=0.2)
    wait_for(lambda: datetime.now(due.tzinfo) > due, "two missed runs per probe job")

    first_events = len(events)
    service, _ = service_for(tmp_path, config)
    restarted = datetime.now(due.tzinfo)
    service.start()
    try:
        assert len(service.scheduler.get_jobs()) == 4  # replaced, never added again
        wait_for(
            lambda: all(
                any(t > restarted for t in runs(events[first_events:], f"probe:{u}")) for u in "ab"
            ),
            "a regular probe run after the restart",
        )
    finally:
        service.shutdown()
    after_restart = events[first_events:]
    for unit in ("a", "b"):
        catch_up = [t for t in runs(after_restart, f"probe:{unit}") if t <= restarted]
        assert len(catch_up) == 1, (unit, catch_up)  # several missed runs, run once
        assert catch_up[0] > last + interval  # the latest missed run, not the first
        assert not runs(after_restart, f"probe:{unit}", EVENT_JOB_MISSED)
    after = probes(settings)
    for unit in ("a", "b"):
        assert after[unit] - before[unit] == len(runs(after_restart, f"probe:{unit}"))


def test_second_scheduler_on_the_same_database_is_refused(tmp_path, site):
    config = write_config(tmp_path / "g.yaml", site.base)
    first, _ = service_for(tmp_path, config)
    first.start()
    second, _ = service_for(tmp_path, config)
    with pytest.raises(GovinspectError, match="another scheduler already runs"):
        second.start()
    first.shutdown()
    third, _ = service_for(tmp_path, config)
    third.start()  # the lease was released
    third.shutdown()


def test_stale_lease_is_taken_over(tmp_path):
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    assert lease.acquire(store, "x", "dead-host", timedelta(minutes=2)) is None
    assert lease.acquire(store, "x", "me", timedelta(minutes=2)) == "dead-host"
    assert lease.acquire(store, "x", "me", timedelta(seconds=0)) is None
    assert lease.holder_of(store, "x") == "me"
    store.dispose()


def test_a_failing_job_does_not_stop_the_scheduler(tmp_path, site, events):
    config = write_config(tmp_path / "g.yaml", site.base)
    service, settings = service_for(tmp_path, config)
    service.start()
    # A job whose context is broken raises inside the job thread on every run.
    service.scheduler.add_job(
        "govinspect.scheduler:job_probe",
        "interval",
        seconds=0.5,
        args=(None, "a"),
        id="broken",
    )

    def probe_ran_after_a_failure() -> bool:
        failures = runs(events, "broken", EVENT_JOB_ERROR)
        return len(failures) >= 2 and any(t > failures[0] for t in runs(events, "probe:a"))

    try:
        wait_for(probe_ran_after_a_failure, "the broken job failing twice and a probe after it")
    finally:
        service.shutdown()
    failed = [e for e in events if e.job_id == "broken"]
    assert all(e.code == EVENT_JOB_ERROR for e in failed)  # it ran, and failed, each time
    assert isinstance(failed[0].exception, AttributeError)  # None has no .open()
    assert probes(settings)["a"] >= 1


def test_schedule_list_and_bad_schedule(tmp_path, site):
    config = write_config(tmp_path / "g.yaml", site.base, crawl="15 2 * * *")
    settings = load_settings(config=config, data_dir=tmp_path / "var")
    rows = list_jobs(settings, load_registry(config))
    ids = [r[0] for r in rows]
    assert set(ids) == {"crawl-check", "probe:a", "probe:b", "reports"}
    reports = next(r for r in rows if r[0] == "reports")
    assert (reports[2].day, reports[2].hour) == (22, 6) and reports[2].month in (2, 5, 8, 11)
    crawl = next(r for r in rows if r[0] == "crawl-check")
    assert (crawl[2].hour, crawl[2].minute) == (2, 15)
    bad = write_config(tmp_path / "bad.yaml", site.base, crawl="every night")
    from govinspect.errors import ConfigError

    with pytest.raises(ConfigError, match="field schedule.crawl: 'every night' is not a cron"):
        load_registry(bad)


def test_crawl_job_runs_real_crawls_and_the_check(tmp_path):
    """The nightly job on the demo town: crawl subprocesses, then a check run in the store."""
    from govinspect.demo import DemoServer, build_town
    from govinspect.scheduler import context_for, job_crawl_and_check
    from govinspect.store.models import Run

    with DemoServer(build_town(), slow_seconds=0.2, hang_seconds=6) as server:
        config = tmp_path / "g.yaml"
        server.write_config(config)
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
        data["units"] = [u for u in data["units"] if u["id"] == "modern"]
        config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        settings = load_settings(config=config, data_dir=tmp_path / "var", timeout=3.0)
        outcome = job_crawl_and_check(context_for(settings))
    assert outcome["crawls"] == {"modern": "complete"}
    store = open_store(settings.database_url)
    with store.session() as session:
        kinds = {(r.kind, r.status) for r in session.scalars(select(Run))}
        crawl = session.scalars(select(Run).where(Run.kind == "crawl")).one()
    store.dispose()
    assert ("crawl", "complete") in kinds and ("check", "complete") in kinds
    # The schedule's plan (default rolling); the first night has nothing to carry: full.
    assert (crawl.summary["plan"]["asked"], crawl.summary["plan"]["ran"]) == ("rolling", "full")
