"""不可用链接: dead link targets on the homepage and on other pages, one finding per target.

The crawler verified every distinct target and classed it (``LinkCheck.outcome``).  Dead
outcomes count (``invalid_url`` too: no visitor can follow such a link); ``blocked`` and
``robots_excluded`` targets are unknown (we were not allowed to look) and are listed
separately, never counted as dead. ``not_checked`` targets (``mailto:``, ``tel:``, links only
on nofollow pages) and ``missing_anchor`` targets (``page.html#part`` whose page lacks the
anchor) are listed in the report under their own keys, without a finding.  A dead target
matching one of the unit's ``exclude_links`` patterns (registry) is not counted either: its
finding is kept as a notice marked excluded (with the pattern) and listed under
``excluded_links``, never dropped.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import unquote

from govinspect.checks import tables
from govinspect.checks.facts import LinkCheckFact, UnitFacts
from govinspect.checks.findings import CheckResult, Reporter, clean_url
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import label
from govinspect.linkpatterns import first_match
from govinspect.store import link_outcomes

CHECK = "dead_links"


def outcome_groups() -> tuple[frozenset[str], frozenset[str]]:
    """(dead outcomes, unknown outcomes), as the store defines them."""
    return link_outcomes.DEAD, link_outcomes.UNKNOWN


def listed_outcomes() -> dict[str, str]:
    """Outcomes reported apart: outcome -> report key (``missing_anchor``: ``missing_anchors``)."""
    keys = tables.tables()["link_report_keys"]
    return {outcome: keys[outcome] for outcome in sorted(link_outcomes.NOTED)}


def counted(link: LinkCheckFact) -> bool:
    """A target counts when some page really links to it (not only an inferred list page)."""
    ignored = set(tables.tables()["dead_link_ignored_kinds"])
    return link.found_on_total > 0 and not set(link.kinds) <= ignored


def _reason(link: LinkCheckFact) -> str:
    return label("outcomes", link.outcome, status=link.status if link.status is not None else "-")


def _evidence(link: LinkCheckFact) -> dict[str, Any]:
    return {
        "outcome": link.outcome,
        "status": link.status,
        "error": link.error,
        "final_url": link.final_url,
        "checked_at": link.checked_at,
        "attempts": list(link.attempts),
        "found_on": list(link.found_on),
        "found_on_total": link.found_on_total,
        "on_homepage": link.on_homepage,
        "kinds": list(link.kinds),
        **({"warc": link.warc} if link.warc else {}),
    }


def _row(link: LinkCheckFact) -> dict[str, Any]:
    row = {
        "url": clean_url(link.target_url),
        "found_on": [clean_url(u) for u in link.found_on],
        "found_on_total": link.found_on_total,
        "on_homepage": link.on_homepage,
        "status": link.status,
        "error": link.error,
        "outcome": link.outcome,
        "text": link.anchor_text,
    }
    if "#" in link.target_url:
        row["anchor"] = unquote(link.target_url.partition("#")[2])
    scheme = link.target_url.partition(":")[0].lower()
    if scheme not in ("http", "https"):
        row["scheme"] = scheme
    return row


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    dead_outcomes, unknown_outcomes = outcome_groups()
    listed = listed_outcomes()
    reporter = Reporter(CHECK, rubric)
    dead: list[LinkCheckFact] = []
    unknown: list[LinkCheckFact] = []
    apart: dict[str, list[dict[str, Any]]] = {key: [] for key in listed.values()}
    for link in facts.link_checks:
        if not counted(link):
            continue
        if link.outcome in dead_outcomes:
            dead.append(link)
        elif link.outcome in unknown_outcomes:
            unknown.append(link)
        elif link.outcome in listed:
            apart[listed[link.outcome]].append(_row(link))
    dead.sort(key=lambda link: (not link.on_homepage, link.target_url))
    excluded: list[tuple[LinkCheckFact, str]] = []
    for link in dead:
        rule = "dead_link_homepage" if link.on_homepage else "dead_link_other"
        pattern = first_match(facts.unit.exclude_links, link.target_url)
        if pattern is not None:
            excluded.append((link, pattern))
        reporter.add(
            rule,
            suppressed={"by": "excluded", "pattern": pattern} if pattern is not None else None,
            subject=link.target_url,
            fingerprint={"outcome": link.outcome, "status": link.status},
            urls=[link.target_url, *link.found_on],
            evidence=_evidence(link),
            text=link.anchor_text or link.target_url,
            reason=_reason(link),
            url=link.target_url,
            pages=link.found_on_total,
            first_page=link.found_on[0] if link.found_on else "-",
        )
    if unknown:
        reporter.add(
            "links_unknown",
            subject="links:unknown",
            fingerprint={"targets": sorted(link.target_url for link in unknown)},
            urls=[link.target_url for link in unknown],
            evidence={"links": [_row(link) for link in unknown]},
            count=len(unknown),
        )
    skipped = {link.target_url for link, _ in excluded}
    reporter.result.report["dead_links"] = [
        _row(link) for link in dead if link.target_url not in skipped
    ]
    reporter.result.report["excluded_links"] = [
        {**_row(link), "pattern": pattern} for link, pattern in excluded
    ]
    reporter.result.report["unknown_links"] = [_row(link) for link in unknown]
    reporter.result.report.update(apart)
    return reporter.result
