"""Crawl plans: which URLs a crawl requests again, and which it carries forward.

``full`` (the default) crawls the whole site; ``quick`` fetches what the nightly vetoes need (the
homepage, every known column's first list page(s), the interaction list pages, the sitemap, new
URLs and what new pages link to); ``rolling`` is quick plus a nightly budget of the URLs not
re-verified the longest, so every URL is re-verified within a cycle of nights.

In every plan a link target verified ``ok`` within ``link_recheck_hours`` is not requested again
unless a page that is new or changed since the last crawl links to it and it is internal (an
internal target of a changed page is re-checked every crawl).  What a crawl does not request is
carried forward into the run at its end (store/carry.py), so the run's facts stay complete.

The decisions need the previous complete crawl's facts (store/carry.py ``load_evidence``); with
none, every plan is a full crawl.  Distributed runs (docs/distributed.md) crawl in full: their
reconciliation verifies every stored link target the run has no state for.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from govinspect.crawler.urls import host_key
from govinspect.store.carry import Evidence
from govinspect.store.link_outcomes import INVALID_URL, MISSING_ANCHOR, NOT_CHECKED, OK

PLANS = ("quick", "full", "rolling")
#: Outcomes decided without a request: never part of a rolling night's budget.
_NOT_REQUESTED = frozenset({INVALID_URL, NOT_CHECKED, MISSING_ANCHOR})


class Decision(StrEnum):
    DEFAULT = "default"  # as a full crawl would: crawl a page, verify anything else
    CHECK = "check"  # verify only (a known page, not parsed again)
    SKIP = "skip"  # not requested: carried forward at the run's end


class Origin(StrEnum):
    """The page a link was found on, compared with the previous crawl."""

    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class PlanOptions:
    plan: str = "full"
    recheck_all: bool = False
    link_recheck_hours: float = 24.0
    rolling_budget_per_host: int = 0
    rolling_cycle_nights: int = 7


class PlanPolicy:
    """The request decisions of one crawl, from its plan and the latest evidence."""

    def __init__(self, options: PlanOptions, evidence: Evidence, now: float | None = None):
        self.options = options
        self.evidence = evidence
        self.now = time.time() if now is None else now

    @property
    def has_evidence(self) -> bool:
        return self.evidence.run_id is not None

    @property
    def selective(self) -> bool:
        """quick or rolling, with a previous crawl to carry from (else it is a full crawl)."""
        return self.options.plan in ("quick", "rolling") and self.has_evidence

    def page_origin(self, url: str, body: bytes, revalidated: bool) -> Origin:
        known = self.evidence.pages.get(url)
        if known is None:
            return Origin.NEW
        if revalidated or known[0] == hashlib.sha256(body).hexdigest():
            return Origin.UNCHANGED
        return Origin.CHANGED

    def _recent(self, checked_at: float) -> bool:
        return self.now - checked_at < self.options.link_recheck_hours * 3600

    def decide(self, url: str, crawlable: bool, internal: bool, origin: Origin | None) -> Decision:
        """What to do with a link target met on a page of ``origin`` (None: a sitemap, an API)."""
        if self.options.recheck_all or not self.has_evidence:
            return Decision.DEFAULT
        known = self.evidence.checks.get(url)
        if known is None or known[1] != OK:
            return Decision.DEFAULT  # new, or not ok last time (it may be fixed): look
        from_changed = origin in (Origin.NEW, Origin.CHANGED)
        if not self.selective:
            if crawlable or (internal and from_changed):
                return Decision.DEFAULT
            return Decision.SKIP if self._recent(known[0]) else Decision.DEFAULT
        if origin is Origin.NEW and (internal or not self._recent(known[0])):
            # What a new page links to is verified, not crawled: the target is known.
            return Decision.CHECK
        return Decision.SKIP

    def seeds(self) -> Iterator[tuple[str, int]]:
        """(url, depth) of the pages a quick night fetches besides the homepage."""
        if not self.selective:
            return
        for url in (*self.evidence.column_pages, *self.evidence.interaction_pages):
            yield url, self.evidence.pages.get(url, (None, 1))[1]

    def rolling(self) -> list[str]:
        """The URLs re-verified tonight on top of quick: the longest unverified first.

        With ``rolling_budget_per_host`` B: the B oldest of every host (a cycle of
        size ÷ B nights); without: the ⌈size ÷ rolling_cycle_nights⌉ oldest of the site.
        """
        if not (self.selective and self.options.plan == "rolling"):
            return []
        due = sorted(
            (checked_at, url)
            for url, (checked_at, outcome) in self.evidence.checks.items()
            if outcome not in _NOT_REQUESTED and "#" not in url
        )
        budget = self.options.rolling_budget_per_host
        if budget <= 0:
            nightly = math.ceil(len(due) / max(1, self.options.rolling_cycle_nights))
            return [url for _, url in due[:nightly]]
        taken: Counter[str] = Counter()
        chosen = []
        for _, url in due:
            host = host_key(url)
            if taken[host] < budget:
                taken[host] += 1
                chosen.append(url)
        return chosen


def plan_summary(spider: object) -> dict[str, object]:
    """The run summary's ``plan``: asked, ran (quick without a previous crawl runs in full),
    targets carried instead of requested, and a rolling night's re-verifications."""
    policy: PlanPolicy = spider.policy  # type: ignore[attr-defined]
    asked = policy.options.plan
    ran = asked if policy.selective or asked == "full" else "full"
    counts = dict(spider.plan_counts)  # type: ignore[attr-defined]
    summary: dict[str, object] = {"asked": asked, "ran": ran, **counts}
    if ran != asked:
        why = (
            "distributed runs crawl in full"
            if spider.plan.redis_url  # type: ignore[attr-defined]
            else "no previous complete crawl to carry from"
        )
        summary["note"] = f"{asked}: {why}, crawled in full"
    if policy.options.recheck_all:
        summary["recheck_all"] = True
    return summary


def plan_note(summary: dict[str, object]) -> str:
    """One line for the crawl's output: the plan and what it carried forward."""
    plan = summary.get("plan")
    if not isinstance(plan, dict):
        return ""
    if plan.get("note"):
        return f" [{plan['note']}]"
    carried = summary.get("carried") or {}
    pages = carried.get("pages", 0) if isinstance(carried, dict) else 0
    checks = carried.get("checks", 0) if isinstance(carried, dict) else 0
    if plan.get("ran") == "full" and not (pages or checks):
        return ""
    return f" [plan {plan.get('ran')}: carried {pages} pages, {checks} link checks]"
