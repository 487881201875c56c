"""站点无法访问: probe failure share over the 7 days before as-of, with coverage rules."""

from __future__ import annotations

from datetime import datetime, timedelta

from govinspect.checks import availability
from govinspect.checks.facts import ProbeFact
from govinspect.checks.timeutil import SHANGHAI
from tests.test_checks_fixtures import AS_OF, by_rule, county_rubric, facts, rules

RUBRIC = county_rubric()


def probes(per_day: int, failures: int = 0, days: int = 7, latency: float = 300.0):
    """``per_day`` probes on each of the ``days`` days before as-of; the first ``failures`` fail."""
    out = []
    for d in range(1, days + 1):
        day = AS_OF - timedelta(days=d)
        for n in range(per_day):
            at = datetime(day.year, day.month, day.day, 0, 30, tzinfo=SHANGHAI) + timedelta(
                minutes=n * (1400 // max(per_day, 1))
            )
            out.append(ProbeFact(probed_at=at, ok=True, status=200, latency_ms=latency))
    for index in range(failures):
        out[index] = ProbeFact(probed_at=out[index].probed_at, ok=False, error="timeout")
    return tuple(out)


def run(probe_list):
    return availability.check(facts(probes=probe_list), AS_OF, RUBRIC)


def test_five_percent_failures_with_full_coverage_is_a_veto():
    result = run(probes(20, failures=7))  # 7 / 140 = 5.00%
    (veto,) = by_rule(result.findings, "site_unreachable")
    assert veto.severity == "veto"
    assert veto.evidence["failed"] == 7 and veto.evidence["probes"] == 140
    assert "5.00%" in veto.message
    assert result.report["availability"]["complete_coverage"] is True


def test_just_below_five_percent_is_a_deduction_per_started_percentage_point():
    result = run(probes(20, failures=6))  # 4.29% -> 5 started percentage points
    # 4.29% is also above the early-warning line (3%): a warning that costs nothing.
    warning, finding = result.findings
    assert (warning.rule, warning.severity) == ("availability_warning", "warning")
    assert finding.rule == "availability_failures"
    assert finding.severity == "deduction"
    assert finding.count == 5


def test_no_failures_no_finding():
    assert run(probes(24)).findings == []


def test_nineteen_probes_a_day_is_not_enough_coverage():
    result = run(probes(19, failures=19 * 7))  # even 100% failures: no guess
    assert rules(result.findings) == ["availability_coverage"]
    notice = result.findings[0]
    assert notice.severity == "notice"
    assert len(notice.evidence["short_days"]) == 7


def test_one_short_day_is_enough_to_withhold_the_verdict():
    full = list(probes(20, failures=10))
    short_day = AS_OF - timedelta(days=3)
    kept = [p for p in full if p.probed_at.astimezone(SHANGHAI).date() != short_day]
    kept += [p for p in full if p.probed_at.astimezone(SHANGHAI).date() == short_day][:19]
    result = run(tuple(kept))
    assert rules(result.findings) == ["availability_coverage"]
    assert result.findings[0].evidence["short_days"] == [short_day.isoformat()]


def test_no_probes_at_all_is_a_coverage_notice():
    result = run(())
    assert rules(result.findings) == ["availability_coverage"]
    assert result.findings[0].evidence["probes"] == 0


def test_a_probe_slower_than_fifteen_seconds_fails():
    slow = probes(20, latency=15_001.0)
    result = run(slow)
    assert rules(result.findings) == ["site_unreachable"]
    exactly = probes(20, latency=15_000.0)
    assert run(exactly).findings == []


def test_days_are_shanghai_days_and_the_as_of_day_is_excluded():
    base = probes(20)
    late_evening = datetime(AS_OF.year, AS_OF.month, AS_OF.day, 0, 5, tzinfo=SHANGHAI)
    # Failures on the as-of day itself (after midnight Shanghai) are outside the window.
    extra = tuple(ProbeFact(probed_at=late_evening, ok=False) for _ in range(30))
    assert run(base + extra).findings == []
    # 23:59 Shanghai the day before as-of is 15:59 UTC: inside the window.
    before = late_evening - timedelta(minutes=10)
    extra = tuple(ProbeFact(probed_at=before, ok=False) for _ in range(8))
    assert rules(run(base + extra).findings) == ["site_unreachable"]
