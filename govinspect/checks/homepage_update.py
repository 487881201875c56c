"""首页不更新: no new homepage item within the window (14 days) before the as-of date is a veto.

The homepage's newest dated item is recorded by the crawler.  When the homepage has no dated
list (a navigation-only homepage), the rule looks at the second-level pages instead: the
newest item of the first-level columns.  Undated items count as not updated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from govinspect.checks.column_freshness import newest_on
from govinspect.checks.facts import UnitFacts
from govinspect.checks.findings import CheckResult, Reporter, clean_url
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import label
from govinspect.checks.timeutil import parse_date

CHECK = "homepage_update"


@dataclass(frozen=True, slots=True)
class HomepageState:
    newest: date | None
    source: str  # homepage | columns | unknown
    reason: str | None  # why it is unknown (a label key)
    age: int | None
    stale: bool
    columns: tuple[str, ...] = ()  # the column URLs looked at (source "columns")


def homepage_state(facts: UnitFacts, as_of: date, rubric: Rubric) -> HomepageState:
    window = rubric.thresholds.homepage.max_age_days
    home = facts.homepage
    if home is None or not home.ok:
        return HomepageState(None, "unknown", "not_fetched", None, False)
    newest = parse_date(home.meta.get("newest_item"))
    if newest is None and facts.crawl is not None:
        newest = parse_date(facts.crawl.summary.get("homepage_newest"))
    if newest is not None and newest <= as_of:
        age = (as_of - newest).days
        return HomepageState(newest, "homepage", None, age, age > window)
    columns = [
        c
        for c in facts.columns
        if c.level == 1 and c.is_list and not c.script_filled and c.item_count > 0
    ]
    if not columns:
        return HomepageState(None, "unknown", "no_dated_lists", None, False)
    dates = [d for d in (newest_on(c, as_of) for c in columns) if d is not None]
    urls = tuple(c.url for c in columns)
    if not dates:
        return HomepageState(None, "columns", None, None, True, urls)
    best = max(dates)
    age = (as_of - best).days
    return HomepageState(best, "columns", None, age, age > window, urls)


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    window = rubric.thresholds.homepage.max_age_days
    reporter = Reporter(CHECK, rubric)
    state = homepage_state(facts, as_of, rubric)
    url = facts.homepage.url if facts.homepage else facts.unit.website
    evidence = {
        "newest": state.newest,
        "source": state.source,
        "age_days": state.age,
        "window_days": window,
        "columns_examined": list(state.columns),
        "fetched_at": facts.homepage.fetched_at if facts.homepage else None,
        **({"warc": facts.homepage.warc} if facts.homepage and facts.homepage.warc else {}),
    }
    if state.source == "unknown":
        reporter.add(
            "homepage_unknown",
            subject="homepage",
            urls=[url],
            evidence=evidence,
            reason=label("homepage_unknown", state.reason or ""),
        )
    elif state.stale and state.newest is None:
        reporter.add(
            "homepage_stale",
            subject="homepage",
            urls=[url],
            evidence=evidence,
            fingerprint={"newest": None},
            variant="homepage_stale_undated",
        )
    elif state.stale:
        reporter.add(
            "homepage_stale",
            subject="homepage",
            urls=[url],
            evidence=evidence,
            fingerprint={"newest": state.newest},
            newest=state.newest,
            source=label("homepage_sources", state.source),
            as_of=as_of,
            age=state.age,
            window=window,
        )
    reporter.result.report["homepage"] = {
        "url": clean_url(url),
        "last_update": state.newest.isoformat() if state.newest else None,
        "source": state.source,
        "age_days": state.age,
        "stale": state.stale,
    }
    return reporter.result


def deadline(state: HomepageState, rubric: Rubric) -> date | None:
    """The last day the homepage is still fresh without a new item."""
    if state.newest is None:
        return None
    return state.newest + timedelta(days=rubric.thresholds.homepage.max_age_days)
