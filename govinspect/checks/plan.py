"""Which rubric a command judges with, and the settings that must agree with it.

The rubric: ``check --rubric`` (or ``schedule --rubric``) > ``GOVINSPECT_RUBRIC`` > the
registry's ``schedule: rubric:`` > the packaged defaults; both ``check`` and the scheduler's
nightly job resolve it here, so a manual check and the nightly one score alike.

The probes record facts and the rubric judges them, so two settings must leave the rubric room
to judge: the probe's network cap (``probe_timeout``) must not cut a visit off before the
rubric's ``availability.timeout_ms``, and the probe interval must allow the rubric's
``availability.min_probes_per_day``.  Both are refused with one line each.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

from govinspect.checks.rubric import Rubric, load_rubrics
from govinspect.errors import ConfigError
from govinspect.registry import Registry
from govinspect.settings import Settings

MINUTES_A_DAY = 24 * 60


def rubric_source(settings: Settings, registry: Registry) -> Path | None:
    """The configured rubric path, or None for the packaged defaults."""
    return settings.rubric or registry.schedule.rubric


def rubrics_in_use(
    settings: Settings, registry: Registry, unit_ids: Iterable[str] | None = None
) -> dict[str, Rubric]:
    """The rubric of every category among the selected units (validated: broken = refused)."""
    categories = sorted({unit.category.value for unit in registry.select(unit_ids)})
    return load_rubrics(rubric_source(settings, registry), categories)


def check_probe_timeout(settings: Settings, rubrics: dict[str, Rubric]) -> None:
    """Refuse a probe cap below a rubric's timeout: probes would fail sites the rubric accepts."""
    for rubric in rubrics.values():
        limit = rubric.thresholds.availability.timeout_ms / 1000
        cap = settings.probe_timeout
        if cap < limit:
            raise ConfigError(
                f"setting probe_timeout (GOVINSPECT_PROBE_TIMEOUT) is {cap:g} s, "
                f"below the {limit:g} s of availability.timeout_ms in rubric {rubric.source}: "
                f"probes would be cut off before the rubric's limit; set it to at least {limit:g}"
            )


def check_probe_interval(registry: Registry, rubrics: dict[str, Rubric], source: str) -> None:
    """Refuse an interval that cannot give a rubric its ``min_probes_per_day`` (``source``: the
    registry file, named in the message)."""
    minutes = registry.schedule.probe_every_minutes
    per_day = math.floor(MINUTES_A_DAY / minutes)
    for rubric in rubrics.values():
        wanted = rubric.thresholds.availability.min_probes_per_day
        if per_day < wanted:
            raise ConfigError(
                f"{source}: field schedule.probe_every_minutes: {minutes:g} minutes make at most "
                f"{per_day} probes a day, fewer than the {wanted} that "
                f"availability.min_probes_per_day in rubric {rubric.source} needs, so the "
                f"availability veto could never be judged; use at most "
                f"{math.floor(MINUTES_A_DAY / wanted)} minutes"
            )
