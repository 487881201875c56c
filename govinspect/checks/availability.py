"""站点无法访问: the failure share of homepage probes over the days before the as-of date.

The rule (2019 指标): monitor one week with at least 20 spaced visits a day; a visit fails when
the homepage has not opened within 15 s; a cumulative failure share of 5% or more is a veto.
Every number comes from the rubric (``thresholds.availability``).  The probes record facts (status,
latency, error); this check judges them: a probe fails when it failed, or when it succeeded only
after the rubric's ``timeout_ms`` (the probe's network cap, ``probe_timeout``, is never below it).
With fewer probes than the rubric asks for the check says so (coverage) and does not guess.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta

from govinspect.checks.facts import ProbeFact, UnitFacts
from govinspect.checks.findings import CheckResult, Reporter
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import join, label
from govinspect.checks.timeutil import local_date

CHECK = "availability"


def probe_failed(probe: ProbeFact, timeout_ms: float) -> bool:
    """A probe fails when it did not succeed, or succeeded only after the timeout."""
    return not probe.ok or (probe.latency_ms is not None and probe.latency_ms > timeout_ms)


def _percent(share: float) -> str:
    return f"{share * 100:.2f}%"


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    t = rubric.thresholds.availability
    reporter = Reporter(CHECK, rubric)
    days = [as_of - timedelta(days=n) for n in range(t.window_days, 0, -1)]
    window = [p for p in facts.probes if local_date(p.probed_at) in set(days)]
    per_day = Counter(local_date(p.probed_at) for p in window)
    failed = [p for p in window if probe_failed(p, t.timeout_ms)]
    total = len(window)
    share = len(failed) / total if total else 0.0
    short = [d for d in days if per_day[d] < t.min_probes_per_day]
    evidence = {
        "window": {"from": days[0], "to": days[-1]},
        "timeout_ms": t.timeout_ms,
        "probes": total,
        "failed": len(failed),
        "failure_share": round(share, 4),
        "per_day": {d.isoformat(): per_day[d] for d in days},
        "failures": [
            {"at": p.probed_at, "status": p.status, "latency_ms": p.latency_ms, "error": p.error}
            for p in failed[:50]
        ],
    }
    url = facts.unit.website
    common = {
        "days": t.window_days,
        "total": total,
        "failed": len(failed),
        "share": _percent(share),
        "timeout": f"{t.timeout_ms / 1000:g}",
        "threshold": f"≥{_percent(t.veto_failure_share)}",
    }
    if short:
        reporter.add(
            "availability_coverage",
            subject=url,
            urls=[url],
            evidence={**evidence, "short_days": short},
            min_per_day=t.min_probes_per_day,
            short_days=join(d.isoformat() for d in short),
            days=t.window_days,
            total=total,
            failed=len(failed),
        )
    elif share >= t.veto_failure_share:
        reporter.add(
            "site_unreachable",
            subject=url,
            urls=[url],
            evidence=evidence,
            **common,
        )
    elif failed:
        warn_share = rubric.thresholds.warnings.availability_failure_share
        if share >= warn_share:
            reporter.add(
                "availability_warning",
                subject=url,
                urls=[url],
                evidence=evidence,
                **{
                    **common,
                    "threshold": f"≥{_percent(warn_share)}",
                    "veto": f"≥{_percent(t.veto_failure_share)}",
                    "veto_severity": label("severities", rubric.rule("site_unreachable").severity),
                },
            )
        reporter.add(
            "availability_failures",
            subject=url,
            urls=[url],
            evidence=evidence,
            count=math.ceil(round(share / t.deduction_step, 9)),
            **common,
        )
    reporter.result.report["availability"] = {
        "probes": total,
        "failed": len(failed),
        "failure_share": round(share, 4),
        "complete_coverage": not short,
        "per_day": evidence["per_day"],
    }
    return reporter.result
