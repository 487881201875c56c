"""Whether the facts can carry the conclusions: a complete crawl exists, covers the whole site,
and is recent enough for the as-of date.  Only notices; other checks lower their "not found"
findings to notices when the crawl was truncated.
"""

from __future__ import annotations

from datetime import date

from govinspect.checks.facts import UnitFacts
from govinspect.checks.findings import CheckResult, Reporter
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import join

CHECK = "crawl"


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    reporter = Reporter(CHECK, rubric)
    crawl = facts.crawl
    if crawl is None:
        reporter.add("crawl_missing", subject="crawl", urls=[facts.unit.website])
        reporter.result.report["crawl"] = None
        return reporter.result
    evidence = {"run": crawl.id, "started_at": crawl.started_at, "finished_at": crawl.finished_at}
    if facts.truncated:
        reporter.add(
            "crawl_truncated",
            subject="crawl",
            urls=[facts.unit.website],
            evidence={**evidence, "truncated": facts.truncated},
            reasons=join(facts.truncated),
        )
    age = (as_of - crawl.day).days
    if age > rubric.thresholds.facts.max_crawl_age_days:
        reporter.add(
            "crawl_outdated",
            subject="crawl",
            urls=[facts.unit.website],
            evidence=evidence,
            crawl_date=crawl.day,
            as_of=as_of,
            days=age,
        )
    reporter.result.report["crawl"] = {
        "run": crawl.id,
        "date": crawl.day.isoformat(),
        "truncated": facts.truncated,
        "previous_run": facts.previous.crawl.id if facts.previous else None,
    }
    return reporter.result
