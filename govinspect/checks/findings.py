"""What checks conclude: findings with severity from the rubric and messages from the table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urldefrag

from govinspect.checks import tables
from govinspect.checks.rubric import Rubric
from govinspect.checks.timeutil import aware

SEVERITIES = ("veto", "deduction", "notice")


def jsonable(value: Any) -> Any:
    """Dates as ISO text (timestamps in UTC), tuples and sets as lists: evidence is JSON."""
    if isinstance(value, datetime):
        return aware(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def clean_url(url: str) -> str:
    """Absolute URLs without fragment (the export contract)."""
    return urldefrag(url)[0] if url else url


def page_evidence(page: Any) -> dict[str, Any]:
    """Where a fact was seen: the fetched page, its status, fetch time and WARC record."""
    if page is None:
        return {}
    out = {"page": page.url, "status": page.status, "fetched_at": page.fetched_at}
    if page.warc:
        out["warc"] = page.warc
    return out


@dataclass(frozen=True, slots=True)
class Finding:
    """One conclusion about one unit.  ``count`` is how many occurrences it stands for."""

    check: str
    rule: str
    indicator: str
    severity: str
    message: str
    urls: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    count: int = 1

    def stored_evidence(self) -> dict[str, Any]:
        """Evidence as stored: the rule id and occurrence count travel with it."""
        return {**jsonable(self.evidence), "rule": self.rule, "count": self.count}


@dataclass
class CheckResult:
    """Findings of one check, plus the figures it contributes to the unit's report."""

    findings: list[Finding] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


class Reporter:
    """Builds a check's findings: label and severity from the rubric, message from the table.

    ``degraded``: the crawl did not cover the whole site, so findings that rest on *not finding*
    something (``absence=True``) are lowered to notices instead of costing points.
    """

    def __init__(self, check: str, rubric: Rubric, degraded: bool = False) -> None:
        self.check = check
        self.rubric = rubric
        self.degraded = degraded
        self.result = CheckResult()

    def add(
        self,
        rule: str,
        *,
        urls: Iterable[str] = (),
        evidence: Mapping[str, Any] | None = None,
        count: int = 1,
        variant: str | None = None,
        absence: bool = False,
        **params: Any,
    ) -> Finding:
        spec = self.rubric.rule(rule)
        template = (
            tables.messages()["variants"][variant] if variant else tables.messages()["rules"][rule]
        )
        severity = spec.severity
        details = dict(evidence or {})
        params.setdefault("count", count)
        if absence and self.degraded and severity != "notice":
            details["downgraded_from"] = severity
            severity = "notice"
        # A message names its consequence after the severity the rubric gives, never a fixed one.
        params["severity_label"] = tables.label("severities", severity)
        finding = Finding(
            check=self.check,
            rule=rule,
            indicator=spec.label,
            severity=severity,
            message=template.format(**{k: _text(v) for k, v in params.items()}),
            urls=tuple(dict.fromkeys(clean_url(u) for u in urls if u)),
            evidence=jsonable(details),
            count=max(1, int(count)),
        )
        self.result.findings.append(finding)
        return finding


def _text(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return "-"
    return value
