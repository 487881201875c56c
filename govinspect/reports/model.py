"""What a self-check report says, computed once and rendered by HTML/PDF and Word alike.

Everything comes from the export of the check run (``export_json``), the unit's earlier
periods (:mod:`govinspect.reports.history`) and the evidence references of its findings.
Values stay plain text here: the renderers escape them (Jinja2 autoescape, python-docx text).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from govinspect.checks.tables import label
from govinspect.reports.evidence import EvidenceRef
from govinspect.reports.history import PeriodResult
from govinspect.reports.period import Period
from govinspect.reports.rectification import Rectification
from govinspect.reports.safety import SafetyLine, safety_lines
from govinspect.reports.texts import data, number, text

SEVERITY_ORDER = ("veto", "deduction", "warning", "notice")
_COLUMN_STATE_ORDER = ("stale", "blank", "script_filled", "not_list", "ok")


@dataclass(frozen=True, slots=True)
class ScoreRow:
    name: str
    score: float | None
    max: float | None
    previous: float | None

    @property
    def change(self) -> str:
        if self.score is None or self.previous is None:
            return data()["missing"]
        delta = round(self.score - self.previous, 2)
        return f"{delta:+g}" if delta else "0"


@dataclass(frozen=True, slots=True)
class FixItem:
    finding_id: int
    indicator: str
    severity: str
    message: str
    points: float | None
    refs: tuple[EvidenceRef, ...]
    # "证据采集于 …（N 天前）" for facts a crawl plan carried forward (checks/evidence_age.py)
    evidence_age: str | None = None


@dataclass(frozen=True, slots=True)
class FixGroup:
    indicator: str
    severity: str
    items: tuple[FixItem, ...]

    @property
    def severity_label(self) -> str:
        return data()["severities"][self.severity]

    @property
    def points(self) -> float:
        return round(sum(item.points or 0 for item in self.items), 2)

    @property
    def summary(self) -> str:
        if self.severity == "deduction":
            return text("group_points", count=len(self.items), points=number(self.points))
        return text("group_count", count=len(self.items))


@dataclass(frozen=True, slots=True)
class ColumnRow:
    name: str
    url: str
    type: str
    level: int
    last_update: str
    items: int
    age_days: str
    window_days: str
    state: str
    problem: bool


@dataclass(frozen=True, slots=True)
class DeadLinkRow:
    text: str
    url: str
    reason: str
    found_on: tuple[str, ...]
    found_on_total: int
    on_homepage: bool
    excluded: str | None = None  # the registry's exclude_links pattern, when excluded
    ignored: bool = False  # an operator ignored it (a false positive): not counted


@dataclass(frozen=True, slots=True)
class AccountRow:
    name: str
    platform: str
    feed: str
    last_post: str
    days_since: str
    state: str
    note: str
    problem: bool


@dataclass(frozen=True, slots=True)
class InteractionRow:
    """One line of the 互动交流 section: what (letters, a consultation, interviews) and how."""

    item: str
    value: str
    url: str
    problem: bool


@dataclass(frozen=True, slots=True)
class TrendPoint:
    period: Period
    result: PeriodResult | None


@dataclass(frozen=True)
class UnitReport:
    """One unit's self-check report for one period."""

    unit: dict[str, Any]
    period: Period
    as_of: date
    run_id: int
    generated: str
    previous_period: Period
    previous: PeriodResult | None
    scores: tuple[ScoreRow, ...]
    total: ScoreRow
    dead_links_row: ScoreRow
    vetoes: tuple[dict[str, Any], ...]
    groups: tuple[FixGroup, ...]
    columns: tuple[ColumnRow, ...]
    dead_links: tuple[DeadLinkRow, ...]
    accounts: tuple[AccountRow, ...]
    trend: tuple[TrendPoint, ...]
    interaction: tuple[InteractionRow, ...] = ()
    chart_png: bytes | None = None
    chart_warning: str | None = None
    findings: tuple[dict[str, Any], ...] = field(default_factory=tuple)
    refs: dict[int, tuple[EvidenceRef, ...]] = field(default_factory=dict)
    rectification: Rectification | None = None
    safety: tuple[SafetyLine, ...] = ()  # 内容安全 (reports/safety.py)

    @property
    def verdict(self) -> str:
        if self.unit.get("failed"):
            return label("verdicts", "failed")
        return label("verdicts", "passed" if self.unit.get("assessed") else "not_assessed")

    @property
    def category(self) -> str:
        return data()["text"]["categories"].get(self.unit["category"], self.unit["category"])

    @property
    def crawl_run(self) -> int | None:
        return (self.unit.get("crawl") or {}).get("run")

    @property
    def fix_count(self) -> int:
        return sum(len(group.items) for group in self.groups)


def finding_points(unit: dict[str, Any]) -> dict[int, float]:
    """Points each finding took (before an item's cap), by finding id."""
    points: dict[int, float] = {}
    for dimension in unit["scores"].values():
        for item in dimension.get("items", []):
            for deduction in item.get("deductions", []):
                points[deduction["finding_id"]] = deduction["points"]
    return points


def _score_rows(unit: dict[str, Any], previous: PeriodResult | None) -> tuple[ScoreRow, ...]:
    return tuple(
        ScoreRow(
            name=name,
            score=dimension["score"],
            max=dimension["max"],
            previous=previous.scores.get(name) if previous else None,
        )
        for name, dimension in unit["scores"].items()
    )


def fix_groups(
    findings: list[dict[str, Any]],
    points: dict[int, float],
    refs: dict[int, tuple[EvidenceRef, ...]],
) -> tuple[FixGroup, ...]:
    """Findings grouped by indicator: vetoes first, then deductions, then notices."""
    groups: dict[tuple[str, str], list[FixItem]] = {}
    for finding in findings:
        key = (finding["severity"], finding["indicator"])
        groups.setdefault(key, []).append(
            FixItem(
                finding_id=finding["id"],
                indicator=finding["indicator"],
                severity=finding["severity"],
                message=finding["message"],
                points=points.get(finding["id"]),
                refs=refs.get(finding["id"], ()),
                evidence_age=finding.get("evidence_age"),
            )
        )

    def order(key: tuple[str, str]) -> tuple[int, int]:
        severity = SEVERITY_ORDER.index(key[0]) if key[0] in SEVERITY_ORDER else 99
        return (severity, groups[key][0].finding_id)

    return tuple(
        FixGroup(indicator=key[1], severity=key[0], items=tuple(groups[key]))
        for key in sorted(groups, key=order)
    )


def _optional(value: Any) -> str:
    return data()["missing"] if value is None or value == "" else str(value)


def _column_state(column: dict[str, Any]) -> str:
    if column.get("stale"):
        return "stale"
    if column.get("blank"):
        return "blank"
    if column.get("script_filled"):
        return "script_filled"
    if column.get("is_list") is False:
        return "not_list"
    return "ok"


def column_rows(columns: list[dict[str, Any]]) -> tuple[ColumnRow, ...]:
    """The columns table, problems first."""
    states = data()["column_states"]
    rows = []
    for column in columns:
        state = _column_state(column)
        rows.append(
            (
                _COLUMN_STATE_ORDER.index(state),
                ColumnRow(
                    name=column["name"],
                    url=column["url"],
                    type=label("column_types", column.get("type") or "other"),
                    level=int(column.get("level") or 1),
                    last_update=_optional(column.get("last_update")),
                    items=int(column.get("items") or 0),
                    age_days=_optional(column.get("age_days")),
                    window_days=_optional(column.get("window_days")),
                    state=states[state],
                    problem=state in ("stale", "blank"),
                ),
            )
        )
    rows.sort(key=lambda pair: (pair[0], pair[1].level, pair[1].name))
    return tuple(row for _, row in rows)


def dead_link_rows(
    links: list[dict[str, Any]], excluded: list[dict[str, Any]] | None = None
) -> tuple[DeadLinkRow, ...]:
    """The dead links, then the excluded ones (shown, never counted)."""
    marked = tuple(
        replace(row, excluded=link.get("pattern") or "")
        for row, link in zip(_dead_link_rows(excluded or []), excluded or [], strict=True)
    )
    return _dead_link_rows(links) + marked


def _dead_link_rows(links: list[dict[str, Any]]) -> tuple[DeadLinkRow, ...]:
    shown = data()["found_on_shown"]
    return tuple(
        DeadLinkRow(
            text=link.get("text") or link["url"],
            url=link["url"],
            reason=label(
                "outcomes", link.get("outcome") or "", status=_optional(link.get("status"))
            )
            if link.get("outcome")
            else _optional(link.get("error")),
            found_on=tuple(link.get("found_on") or [])[:shown],
            found_on_total=int(link.get("found_on_total") or len(link.get("found_on") or [])),
            on_homepage=bool(link.get("on_homepage")),
            ignored=bool(link.get("ignored")),
        )
        for link in links
    )


def account_rows(accounts: list[dict[str, Any]]) -> tuple[AccountRow, ...]:
    states, platforms = data()["media_states"], data()["platforms"]
    rows = []
    for account in accounts:
        state = account.get("state") or (
            "unknown" if account.get("error") else "stale" if account.get("stale") else "ok"
        )
        rows.append(
            AccountRow(
                name=account["name"],
                platform=platforms.get(account.get("platform") or "other", account["platform"]),
                feed=account.get("feed") or "",
                last_post=_optional(account.get("last_post")),
                days_since=_optional(account.get("days_since_last_post")),
                state=states.get(state, state),
                note=account.get("error") or "",
                problem=state != "ok",
            )
        )
    return tuple(rows)


def _share(value: float | None) -> str:
    return data()["missing"] if value is None else f"{value:.0%}"


def interaction_rows(section: dict[str, Any] | None) -> tuple[InteractionRow, ...]:
    """The export's ``interaction`` section as lines (letters, each consultation, interviews)."""
    if not section:
        return ()
    missing = data()["missing"]
    rows = []
    letters = section.get("letters")
    if letters:
        latency = letters.get("latency") or {}
        value = (
            text("interaction_letters_script")
            if letters.get("script_filled")
            else text(
                "interaction_letters_figures",
                messages=letters.get("messages", 0),
                newest=letters.get("newest_reply") or missing,
                unanswered=len(letters.get("unanswered") or []),
                median=number(latency.get("median_working_days")),
                limit=latency.get("limit", missing),
                share=_share(latency.get("within_limit_share")),
            )
        )
        url = letters.get("column_url") or ""
        problem = bool(letters.get("unanswered")) or bool(letters.get("script_filled"))
        rows.append(InteractionRow(text("interaction_letters"), value, url, problem))
    names = data()["text"]["interaction_problems"]
    for item in section.get("consultations") or []:
        value = text(
            "interaction_consultation_figures",
            start=item.get("start") or missing,
            end=item.get("end") or missing,
            days=missing if item.get("days") is None else item["days"],
            feedback=item.get("feedback_url") or missing,
            problems="、".join(names.get(p, p) for p in item.get("problems") or []) or missing,
        )
        title = text("interaction_consultation", title=item.get("title") or "")
        rows.append(InteractionRow(title, value, item.get("url") or "", bool(item.get("problems"))))
    interviews = section.get("interviews")
    if interviews:
        value = text(
            "interaction_interviews_figures",
            count=interviews.get("count_365d", 0),
            newest=interviews.get("newest") or missing,
        )
        url = interviews.get("column_url") or ""
        label = text("interaction_interviews")
        rows.append(InteractionRow(label, value, url, not interviews.get("count_365d")))
    return tuple(rows)


def build_unit_report(
    unit: dict[str, Any],
    *,
    period: Period,
    as_of: date,
    run_id: int,
    generated: str,
    history: dict[Period, PeriodResult],
    refs: dict[int, tuple[EvidenceRef, ...]],
    rectification: Rectification | None = None,
) -> UnitReport:
    """Everything a self-check report shows, from the export of one unit."""
    previous_period = period.previous()
    previous = history.get(previous_period)
    dead_now = sum(1 for link in unit.get("dead_links") or [] if not link.get("ignored"))
    trend = tuple(TrendPoint(p, history.get(p)) for p in period.last(int(data()["trend_periods"])))
    return UnitReport(
        unit=unit,
        period=period,
        as_of=as_of,
        run_id=run_id,
        generated=generated,
        previous_period=previous_period,
        previous=previous,
        scores=_score_rows(unit, previous),
        total=ScoreRow(
            name=text("total"),
            score=unit.get("total"),
            max=unit.get("max"),
            previous=previous.total if previous else None,
        ),
        dead_links_row=ScoreRow(
            name=text("dead_link_count"),
            score=float(dead_now) if unit.get("assessed") else None,
            max=None,
            previous=float(previous.dead_links) if previous else None,
        ),
        vetoes=tuple(unit.get("vetoes") or []),
        groups=fix_groups(unit["findings"], finding_points(unit), refs),
        columns=column_rows(unit.get("columns") or []),
        dead_links=dead_link_rows(unit.get("dead_links") or [], unit.get("excluded_links") or []),
        accounts=account_rows(unit.get("new_media") or []),
        trend=trend,
        interaction=interaction_rows(unit.get("interaction")),
        findings=tuple(unit["findings"]),
        refs=refs,
        rectification=rectification,
        safety=safety_lines(unit.get("content_safety")),
    )
