"""Probes record facts and the rubric judges them (issue 15, items 10 and 11).

The probe timeout once lived in the settings and in the rubric, and raising the rubric's did
nothing: probes were cut off at the setting's 15 s and stored as failures.  Now the probe keeps
the latency and the availability check applies the rubric's ``timeout_ms``; the setting is only
the network cap and may not be below it.  A probe interval that cannot give the rubric its
``min_probes_per_day`` is refused too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from govinspect.checks import availability
from govinspect.checks.facts import ProbeFact
from govinspect.checks.plan import check_probe_interval, check_probe_timeout
from govinspect.checks.rubric import RUBRICS, Rubric, load_rubric, parse_rubric
from govinspect.crawler.probe import probe_round
from govinspect.errors import ConfigError
from govinspect.registry import load_registry, parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Probe
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html, slow
from tests.test_cli import assert_clean_error, run


def rubric(**availability_thresholds) -> Rubric:
    data = yaml.safe_load((RUBRICS / "county.yaml").read_text(encoding="utf-8"))
    data["thresholds"]["availability"].update(availability_thresholds)
    return parse_rubric(data, "city.yaml")


def write_registry(path: Path, base: str = "http://127.0.0.1:9", **schedule) -> Path:
    data = {
        "units": [{"id": "xian", "name": "示范县", "category": "county", "website": f"{base}/"}],
        "schedule": schedule,
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# --- the timeout: one rule, the rubric's ------------------------------------------------------


def test_the_rubric_timeout_judges_the_recorded_latency(tmp_path):
    """A homepage that takes a second: the verdict follows the rubric, not the probe's cap."""
    with FixtureServer({"/": slow(1.0, html("首页"))}) as server:
        registry = parse_registry(
            {
                "units": [
                    {
                        "id": "xian",
                        "name": "示范县",
                        "category": "county",
                        "website": f"{server.base}/",
                    }
                ]
            }
        )
        settings = load_settings(data_dir=tmp_path, probe_timeout=30)
        store = open_store(settings.database_url)
        try:
            sync_registry(store, registry)
            [result] = probe_round(store, registry, settings)
            with store.session() as session:
                row = session.scalars(select(Probe)).one()
        finally:
            store.dispose()
    assert result.ok and row.ok and row.error is None
    assert row.latency_ms >= 1000  # a fact: how long the homepage took
    fact = ProbeFact(
        probed_at=row.probed_at, ok=row.ok, status=row.status, latency_ms=row.latency_ms
    )
    assert availability.probe_failed(
        fact, rubric(timeout_ms=500).thresholds.availability.timeout_ms
    )
    assert not availability.probe_failed(
        fact, load_rubric(None, "county").thresholds.availability.timeout_ms
    )


def test_the_default_cap_leaves_the_rubric_room_to_raise_its_limit():
    settings = load_settings()
    packaged = {"county": load_rubric(None, "county")}
    check_probe_timeout(settings, packaged)
    check_probe_timeout(settings, {"county": rubric(timeout_ms=20000)})  # a city's 20 s: fine


def test_a_cap_below_the_rubric_timeout_is_refused():
    with pytest.raises(ConfigError) as info:
        check_probe_timeout(
            load_settings(probe_timeout=10), {"county": load_rubric(None, "county")}
        )
    assert str(info.value) == (
        "setting probe_timeout (GOVINSPECT_PROBE_TIMEOUT) is 10 s, below the 15 s of "
        "availability.timeout_ms in rubric packaged:county: probes would be cut off before the "
        "rubric's limit; set it to at least 15"
    )


def test_probe_refuses_a_cap_below_the_rubric_in_one_line(tmp_path):
    config = write_registry(tmp_path / "govinspect.yaml")
    result = run(
        "--config", str(config), "--data-dir", str(tmp_path / "var"), "probe",
        cwd=tmp_path, env={"GOVINSPECT_PROBE_TIMEOUT": "10"},
    )  # fmt: skip
    assert_clean_error(result, 2, "setting probe_timeout (GOVINSPECT_PROBE_TIMEOUT) is 10 s")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "var").exists()


# --- the interval: enough probes a day for the rubric ---------------------------------------


@pytest.mark.parametrize(
    ("minutes", "refused"), [(60, False), (72, False), (72.5, True), (90, True)]
)
def test_probe_interval_against_min_probes_per_day(tmp_path, minutes, refused):
    config = write_registry(tmp_path / "g.yaml", probe_every_minutes=minutes)
    registry = load_registry(config)
    rubrics = {"county": load_rubric(None, "county")}
    if not refused:
        check_probe_interval(registry, rubrics, str(config))
        return
    with pytest.raises(ConfigError, match="field schedule.probe_every_minutes"):
        check_probe_interval(registry, rubrics, str(config))


def test_the_interval_is_judged_against_the_rubric_in_use(tmp_path):
    config = write_registry(tmp_path / "g.yaml", probe_every_minutes=60)
    strict = {"county": rubric(min_probes_per_day=30)}  # a city asking for 30 visits a day
    with pytest.raises(ConfigError, match="fewer than the 30"):
        check_probe_interval(load_registry(config), strict, str(config))


def test_schedule_refuses_an_interval_that_can_never_judge_availability(tmp_path):
    config = write_registry(tmp_path / "govinspect.yaml", probe_every_minutes=90)
    result = run(
        "--config", str(config), "--data-dir", str(tmp_path / "var"), "schedule", "--list",
        cwd=tmp_path,
    )  # fmt: skip
    assert_clean_error(
        result,
        2,
        f"{config}: field schedule.probe_every_minutes: 90 minutes make at most 16 probes a day, "
        "fewer than the 20 that availability.min_probes_per_day in rubric packaged:county needs, "
        "so the availability veto could never be judged; use at most 72 minutes",
    )
    assert len(result.stderr.strip().splitlines()) == 1
