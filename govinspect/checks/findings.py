"""What checks conclude: findings with severity from the rubric and messages from the table."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urldefrag, urlsplit, urlunsplit

from govinspect.checks import tables
from govinspect.checks.rubric import Rubric
from govinspect.checks.timeutil import aware

SEVERITIES = ("veto", "deduction", "warning", "notice")
_DEFAULT_PORTS = {"http": 80, "https": 443}


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


def normalise_subject(subject: str) -> str:
    """A finding's subject as its identity across runs: URLs without fragment, with the scheme
    and host in lower case and no default port; other subjects (``column:…``, ``account:…``,
    ``quarter:2026Q1``) stripped of surrounding blanks."""
    text = (subject or "").strip()
    if "://" not in text:
        return text
    try:
        parts = urlsplit(urldefrag(text)[0])
        port = parts.port
    except ValueError:
        # A malformed link target (outcome invalid_url: ``http://localhost]``, a bad port)
        # is its own identity, as written.
        return text
    host = (parts.hostname or "").lower()
    if port and port != _DEFAULT_PORTS.get(parts.scheme.lower()):
        host = f"{host}:{port}"
    return urlunsplit((parts.scheme.lower(), host, parts.path or "/", parts.query, ""))


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
    """One conclusion about one unit.  ``count`` is how many occurrences it stands for.

    ``subject`` is what the finding is about (a URL, ``column:…``, ``account:…``, ``site``…):
    with the unit and the rule it makes the finding's key across runs (its lifecycle).
    ``fingerprint`` holds the facts that define "the same problem" (a dead link's outcome and
    status, a stale column's newest date): when they change, an ignore no longer applies.
    """

    check: str
    rule: str
    indicator: str
    severity: str
    message: str
    urls: tuple[str, ...] = ()
    evidence: Mapping[str, Any] = field(default_factory=dict)
    count: int = 1
    subject: str = ""
    fingerprint: Mapping[str, Any] = field(default_factory=dict)

    def stored_evidence(self) -> dict[str, Any]:
        """Evidence as stored: the rule id, occurrence count and subject travel with it."""
        return {
            **jsonable(self.evidence),
            "rule": self.rule,
            "count": self.count,
            "subject": self.subject,
        }

    @property
    def suppressed(self) -> str | None:
        """Why the finding costs nothing although its rule would (excluded, ignored, ...)."""
        value = self.evidence.get("suppressed")
        return value.get("by") if isinstance(value, Mapping) else None


@dataclass
class CheckResult:
    """Findings of one check, plus the figures it contributes to the unit's report."""

    findings: list[Finding] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


class Reporter:
    """Builds a check's findings: label and severity from the rubric, message from the table.

    ``degraded``: the crawl did not cover the whole site, so findings that rest on *not finding*
    something (``absence=True``) are lowered to notices instead of costing points.

    Every finding names its ``subject`` (see :class:`Finding`); ``suppressed`` (e.g.
    ``{"by": "excluded", "pattern": …}``) lowers it to a notice that is shown, never dropped.
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
        subject: str,
        urls: Iterable[str] = (),
        evidence: Mapping[str, Any] | None = None,
        count: int = 1,
        variant: str | None = None,
        absence: bool = False,
        fingerprint: Mapping[str, Any] | None = None,
        suppressed: Mapping[str, Any] | None = None,
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
        if not subject:
            raise ValueError(f"finding of rule {rule!r} has no subject")
        finding = Finding(
            check=self.check,
            rule=rule,
            indicator=spec.label,
            severity=severity,
            message=template.format(**{k: _text(v) for k, v in params.items()}),
            urls=tuple(dict.fromkeys(clean_url(u) for u in urls if u)),
            evidence=jsonable(details),
            count=max(1, int(count)),
            subject=normalise_subject(subject),
            fingerprint=jsonable(dict(fingerprint or {})),
        )
        if suppressed:
            finding = suppress(finding, **suppressed)
        self.result.findings.append(finding)
        return finding


def suppress(finding: Finding, by: str, **details: Any) -> Finding:
    """The finding lowered to a notice that costs nothing, saying why (``by``: excluded,
    ignored, unconfirmed) and keeping the severity its rule gives it."""
    if finding.suppressed:
        return finding
    prefix = tables.tables()["labels"]["suppressed"].get(by, "")
    return replace(
        finding,
        severity="notice",
        message=prefix + finding.message,
        evidence={
            **finding.evidence,
            "suppressed": {"by": by, "severity": finding.severity, **jsonable(details)},
        },
    )


def _text(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if value is None:
        return "-"
    return value
