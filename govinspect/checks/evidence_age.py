"""The age of a finding's evidence: facts a crawl carried forward keep their own time.

Pure: the times come from the facts (``checks/facts_age.py``), the as-of date from the check
run.  A finding resting on carried facts gets ``evidence.observed_at`` (the oldest of them, UTC)
and ``evidence.observed_in_run``; reports and the dashboard show it as
"证据采集于 2026-12-01（3 天前）" when it is older than the check's as-of date.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from govinspect.checks.findings import Finding
from govinspect.checks.timeutil import local_date


@dataclass(frozen=True, slots=True)
class Observed:
    at: datetime
    run_id: int


def finding_urls(finding: Finding) -> list[str]:
    """The URLs whose facts a finding rests on: its own, and the page it was seen on."""
    page = finding.evidence.get("page")
    return [*finding.urls, *([page] if isinstance(page, str) else [])]


def date_evidence(findings: Sequence[Finding], observed: Mapping[str, Observed]) -> list[Finding]:
    """The findings, each resting on carried facts marked with their oldest time."""
    out = []
    for finding in findings:
        times = [observed[u] for u in finding_urls(finding) if u in observed]
        if not times:
            out.append(finding)
            continue
        oldest = min(times, key=lambda o: o.at)
        evidence = {
            **finding.evidence,
            "observed_at": oldest.at.isoformat(),
            "observed_in_run": oldest.run_id,
        }
        out.append(replace(finding, evidence=evidence))
    return out


def evidence_age(evidence: Mapping[str, Any] | None, as_of: date) -> str | None:
    """ "证据采集于 2026-12-01（3 天前）" for evidence older than ``as_of``, else None."""
    stamp = (evidence or {}).get("observed_at")
    if not isinstance(stamp, str):
        return None
    try:
        day = local_date(datetime.fromisoformat(stamp))
    except ValueError:
        return None
    days = (as_of - day).days
    if days <= 0:
        return None
    return f"证据采集于 {day.isoformat()}（{days} 天前）"
