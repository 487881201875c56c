"""The scheduler: cadence, persistence without duplicates, coalescing, one per database."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

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


def service_for(tmp_path, config):
    settings = load_settings(config=config, data_dir=tmp_path / "var")
    return Service(settings, load_registry(config)), settings


def probes(settings) -> dict[str, int]:
    store = open_store(settings.database_url)
    with store.session() as session:
        rows = session.execute(select(Probe.unit_id, func.count()).group_by(Probe.unit_id)).all()
    store.dispose()
    return dict(rows)


def test_probes_are_stored_at_the_configured_cadence(tmp_path, site):
    service, settings = service_for(tmp_path, write_config(tmp_path / "g.yaml", site.base))
    jobs = service.start()
    assert jobs == ["crawl-check", "probe:a", "probe:b", "reports"]
    time.sleep(4.2)  # 1.2 s interval: 3 runs per unit
    service.shutdown()
    counts = probes(settings)
    assert set(counts) == {"a", "b"}
    assert all(3 <= n <= 4 for n in counts.values()), counts


def test_restart_does_not_duplicate_jobs_and_coalesces_missed_runs(tmp_path, site):
    # 3 s interval: runs at t+3, t+6, t+9, t+12 ... (aligned on the first start).
    config = write_config(tmp_path / "g.yaml", site.base, probe_every_minutes=0.05)
    service, settings = service_for(tmp_path, config)
    service.start()
    time.sleep(3.5)
    service.shutdown()
    before = probes(settings)
    time.sleep(7)  # the runs at t+6 and t+9 are missed while it is down
    service, _ = service_for(tmp_path, config)
    service.start()  # at t+10.5: one coalesced catch-up run, the next at t+12
    assert len(service.scheduler.get_jobs()) == 4
    time.sleep(0.7)
    service.shutdown()
    after = probes(settings)
    for unit in ("a", "b"):
        assert after[unit] - before[unit] == 1, (before, after)


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


def test_a_failing_job_does_not_stop_the_scheduler(tmp_path, site):
    config = write_config(tmp_path / "g.yaml", site.base)
    service, settings = service_for(tmp_path, config)
    service.start()
    # A job whose unit vanished and whose config broke raises inside the job thread.
    service.scheduler.add_job(
        "govinspect.scheduler:job_probe",
        "interval",
        seconds=0.5,
        args=(None, "a"),
        id="broken",
    )
    time.sleep(2.6)
    service.shutdown()
    assert probes(settings)["a"] >= 2


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
    store.dispose()
    assert ("crawl", "complete") in kinds and ("check", "complete") in kinds
