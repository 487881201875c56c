"""A week of stored probes, some failing, becomes the right veto or deduction (issue 8)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from govinspect.checks.run import run_checks
from govinspect.registry import parse_registry
from govinspect.reports.export import export_json
from govinspect.store.db import open_store
from govinspect.store.models import Probe
from govinspect.store.units import sync_registry

AS_OF = date(2026, 11, 20)


def store_week(store, unit_id: str, failing_every: int | None) -> None:
    """24 probes a day for the 7 days before as-of; every n-th one fails."""
    start = datetime.combine(AS_OF - timedelta(days=7), time(0), UTC) - timedelta(hours=8)
    with store.session() as session:
        for n in range(24 * 7):
            failed = failing_every is not None and n % failing_every == 0
            session.add(
                Probe(
                    unit_id=unit_id,
                    url="http://a.gov.cn/",
                    probed_at=start + timedelta(hours=n),
                    ok=not failed,
                    status=None if failed else 200,
                    latency_ms=None if failed else 30.0,
                    error="not open within 15 s" if failed else None,
                )
            )


@pytest.mark.parametrize(
    ("failing_every", "rule", "severity"),
    [
        (10, "site_unreachable", "veto"),
        (40, "availability_failures", "deduction"),
        (None, None, None),
    ],
)
def test_week_of_probes(tmp_path, failing_every, rule, severity):
    registry = parse_registry(
        {"units": [{"id": "a", "name": "甲", "category": "county", "website": "http://a.gov.cn/"}]}
    )
    store = open_store(f"sqlite:///{tmp_path / 'g.db'}")
    sync_registry(store, registry)
    store_week(store, "a", failing_every)
    run_id = run_checks(store, registry, AS_OF, None, tmp_path)
    unit = export_json(store, run_id, tmp_path)["units"][0]
    found = {
        f["evidence"]["rule"]: f["severity"]
        for f in unit["findings"]
        if f["check"] == "availability"
    }
    store.dispose()
    if rule is None:
        assert found == {}
    else:
        assert found.get(rule) == severity, found
