"""政府信息公开: the standard sections, the guide, annual reports, metadata and timeliness.

Rules (政府信息公开条例, 2019 revision, and 国办公开办函〔2019〕61号):
- the four first-level sections 指南 / 制度 / 法定主动公开内容 / 年报;
- the guide states how to apply, the office's address, hours, phone, fax and internet contact
  (Art. 12), and no longer cites the repealed 国务院令第492号;
- the annual report for year Y-1 is published by 31 January of year Y (departments) or 31 March
  (county governments) (Art. 49), and the column keeps the past years;
- document pages carry the metadata block (索引号, 发布机构, 成文日期, 文号);
- documents are published within 20 working days of being written (Art. 26; weekends only).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from govinspect.checks import tables
from govinspect.checks.facts import ColumnFact, ItemFact, PageFact, UnitFacts
from govinspect.checks.findings import CheckResult, Reporter
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import join, label
from govinspect.checks.text import main_text
from govinspect.checks.timeutil import parse_date
from govinspect.checks.workdays import calendar_basis, calendar_phrase, working_days_between

CHECK = "disclosure"
_SPACE = re.compile(r"\s+")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
EXAMPLES = 50  # documents listed in the evidence of an aggregated finding


def _section(key: str) -> dict[str, Any]:
    return next(s for s in tables.tables()["disclosure_sections"] if s["key"] == key)


def _matches(column: ColumnFact, section: dict[str, Any]) -> bool:
    return column.type in section["types"] or any(n in column.name for n in section["names"])


def find_sections(facts: UnitFacts) -> dict[str, str | None]:
    """Where each standard section is (a column, or a link naming it), by section key."""
    found: dict[str, str | None] = {}
    for section in tables.tables()["disclosure_sections"]:
        url = next((c.url for c in facts.columns if _matches(c, section)), None)
        if url is None:
            url = next(
                (
                    link.target_url
                    for link in facts.named_links
                    if any(n in (link.anchor_text or "") for n in section["names"])
                ),
                None,
            )
        found[section["key"]] = url
    return found


# --- the guide ------------------------------------------------------------------------------------


def _candidates(facts: UnitFacts) -> Iterator[str]:
    section = _section("guide")
    for column in facts.columns:
        if not _matches(column, section):
            continue
        if column.is_list:
            yield from (i.url for i in column.items if i.url)
        yield column.url
    for link in facts.named_links:
        if any(n in (link.anchor_text or "") for n in section["names"]):
            yield link.target_url


def guide_page(facts: UnitFacts) -> tuple[str | None, PageFact | None]:
    """(URL where the guide was found, its fetched page if any)."""
    first: str | None = None
    for url in _candidates(facts):
        first = first or url
        page = facts.page(url)
        if page is not None and page.ok:
            return url, page
    return first, None


def _compact(text: str) -> str:
    return _SPACE.sub("", text)


def guide_elements(text: str) -> list[str]:
    """Names of the Art. 12 elements missing from a guide's text."""
    compact = _compact(text)
    return [
        element["name"]
        for element in tables.tables()["guide_elements"]
        if not any(word in compact for word in element["words"])
    ]


def guide_is_outdated(text: str) -> bool:
    compact = _compact(text)
    old = any(m in compact for m in tables.tables()["guide_outdated_markers"])
    new = any(m in compact for m in tables.tables()["guide_current_markers"])
    return old and not new


def _check_guide(reporter: Reporter, facts: UnitFacts) -> dict[str, Any]:
    url, page = guide_page(facts)
    report: dict[str, Any] = {
        "guide_url": url,
        "guide_missing_elements": None,
        "guide_outdated": None,
    }
    if url is None:
        reporter.add(
            "guide_missing",
            subject="guide",
            urls=[facts.unit.website],
            absence=True,
            evidence={"looked_for": _section("guide")["names"]},
        )
        return report
    html = facts.html(page)
    if page is None or not html:
        reporter.add(
            "guide_unreadable", subject="guide", urls=[url], evidence={"page": url}, url=url
        )
        return report
    text = main_text(html)
    if len(text) < tables.tables()["guide_min_chars"]:
        # A stub page (the guide itself is an attachment): its elements cannot be judged.
        reporter.add(
            "guide_unreadable",
            subject="guide",
            urls=[page.url],
            url=page.url,
            evidence={"page": page.url, "text_chars": len(text), "warc": page.warc},
        )
        return {**report, "guide_url": page.url}
    missing = guide_elements(text)
    outdated = guide_is_outdated(text)
    evidence = {
        "page": page.url,
        "fetched_at": page.fetched_at,
        "warc": page.warc,
        "text_chars": len(text),
    }
    if missing:
        reporter.add(
            "guide_elements_missing",
            subject="guide",
            fingerprint={"missing": missing},
            urls=[page.url],
            count=len(missing),
            evidence={**evidence, "missing": missing},
            missing=join(missing),
        )
    if outdated:
        reporter.add(
            "guide_outdated",
            subject="guide",
            urls=[page.url],
            evidence={**evidence, "markers": tables.tables()["guide_outdated_markers"]},
        )
    report.update(guide_url=page.url, guide_missing_elements=missing, guide_outdated=outdated)
    return report


# --- annual reports -------------------------------------------------------------------------------


@cache
def _cn_digits() -> dict[int, str]:
    return str.maketrans(tables.tables()["annual_report"]["cn_digits"])


def report_year(title: str) -> int | None:
    """The year an annual report covers, from its title (2024年度..., 二〇二四年...)."""
    conf = tables.tables()["annual_report"]
    if not any(w in title for w in conf["title_words"]):
        return None
    if any(w in title for w in conf["exclude_words"]):
        return None
    text = title.translate(_cn_digits())
    match = _YEAR.search(text) or _BARE_YEAR.search(text)
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class ReportItem:
    year: int
    item: ItemFact
    published: date | None


def annual_reports(facts: UnitFacts, columns: list[ColumnFact]) -> dict[int, ReportItem]:
    """The earliest published report per year found in the annual-report columns."""
    found: dict[int, ReportItem] = {}
    for column in columns:
        for item in column.items:
            year = report_year(item.title)
            if year is None:
                continue
            page = facts.page(item.url)
            published = item.published or (page.published if page else None)
            known = found.get(year)
            if known is None or (
                published and (known.published is None or published < known.published)
            ):
                found[year] = ReportItem(year, item, published)
    return found


def due_year(as_of: date, rubric: Rubric) -> int:
    """The latest year whose report must be out by as-of."""
    deadline = rubric.thresholds.disclosure.deadline(as_of.year)
    return as_of.year - 1 if as_of > deadline else as_of.year - 2


def _check_reports(reporter: Reporter, facts: UnitFacts, as_of: date, rubric: Rubric) -> dict:
    t = rubric.thresholds.disclosure
    section = _section("annual_report")
    columns = [c for c in facts.columns if _matches(c, section)]
    year = due_year(as_of, rubric)
    deadline = t.deadline(year + 1)
    report: dict[str, Any] = {
        "annual_report_years": [],
        "latest_annual_report_missing": None,
        "annual_report_due_year": year,
    }
    readable = [c for c in columns if c.is_list and not c.script_filled]
    if columns and not readable:
        column = columns[0]
        reason = "script_filled" if column.script_filled else "not_list"
        reporter.add(
            "annual_report_unknown",
            subject="annual_report",
            urls=[column.url],
            name=column.name,
            reason=label("annual_report_unknown", reason),
            evidence={"column": column.name, "reason": reason},
        )
        return report
    reports = annual_reports(facts, readable)
    years = sorted(y for y in reports if y >= t.first_report_year)
    report["annual_report_years"] = years
    report["latest_annual_report_missing"] = year not in reports
    where = [c.url for c in readable] or [facts.unit.website]
    evidence = {
        "years_found": years,
        "due_year": year,
        "deadline": deadline,
        "columns": [c.url for c in readable],
    }
    if year not in reports:
        reporter.add(
            "annual_report_missing",
            subject=f"annual_report:{year}",
            urls=where,
            evidence=evidence,
            absence=True,
            year=year,
            deadline=deadline,
        )
    else:
        found = reports[year]
        if found.published is not None and found.published > deadline:
            reporter.add(
                "annual_report_late",
                subject=f"annual_report:{year}",
                fingerprint={"published": found.published},
                urls=[found.item.url or where[0]],
                evidence={**evidence, "published": found.published},
                year=year,
                published=found.published,
                deadline=deadline,
            )
    if years:
        gaps = [y for y in range(max(years[0], t.first_report_year), year) if y not in reports]
        if gaps:
            reporter.add(
                "annual_report_gap",
                subject="annual_report:gap",
                fingerprint={"years": gaps},
                urls=where,
                count=len(gaps),
                absence=True,
                evidence={**evidence, "missing_years": gaps},
                years=join(gaps),
            )
    return report


# --- documents: metadata block and timeliness -----------------------------------------------------


def documents(
    facts: UnitFacts, as_of: date, lookback: int, types: list[str]
) -> list[tuple[ItemFact, PageFact]]:
    """Fetched document pages of the given column types, published within the lookback."""
    since = as_of - timedelta(days=lookback)
    seen: set[str] = set()
    out = []
    for column in facts.columns:
        if column.type not in types:
            continue
        for item in column.items:
            if not item.url or item.url in seen:
                continue
            if item.published is not None and not since <= item.published <= as_of:
                continue
            page = facts.page(item.url)
            if page is None or not page.ok or "html" not in (page.content_type or "html"):
                continue
            seen.add(item.url)
            out.append((item, page))
    return out


def missing_metadata(page: PageFact) -> list[str]:
    """Required metadata fields (each group named by its first field) absent from a page."""
    table = page.meta.get("disclosure") or {}
    return [
        group[0]
        for group in tables.tables()["metadata_required"]
        if not any(str(table.get(name) or "").strip() for name in group)
    ]


def _check_documents(reporter: Reporter, facts: UnitFacts, as_of: date, rubric: Rubric) -> None:
    t = rubric.thresholds.disclosure
    docs = documents(
        facts, as_of, t.document_lookback_days, tables.tables()["metadata_column_types"]
    )
    since = as_of - timedelta(days=t.document_lookback_days)
    lacking = [(page, missing) for _, page in docs if (missing := missing_metadata(page))]
    if lacking:
        page, missing = lacking[0]
        reporter.add(
            "disclosure_metadata_missing",
            subject="documents:metadata",
            fingerprint={"documents": sorted(p.url for p, _ in lacking)},
            urls=[p.url for p, _ in lacking[:EXAMPLES]],
            count=len(lacking),
            example=page.url,
            missing=join(missing),
            evidence={
                "documents_checked": len(docs),
                "documents": [
                    {"url": p.url, "missing": m, "fetched_at": p.fetched_at, "warc": p.warc}
                    for p, m in lacking[:EXAMPLES]
                ],
            },
        )
    late = []
    for item, page in docs:
        written = parse_date(page.meta.get("written")) or parse_date(
            (page.meta.get("disclosure") or {}).get("成文日期")
        )
        published = page.published or item.published
        # Documents written before the lookback are mostly old files moved to a new site;
        # their 发布日期 is the move, not a late publication.
        if written is None or published is None or not since <= written <= published:
            continue
        days = working_days_between(written, published)
        if days > t.publish_working_days:
            late.append((page, written, published, days))
    if late:
        page, written, published, days = late[0]
        basis = calendar_basis((w, pub) for _, w, pub, _ in late)
        reporter.add(
            "disclosure_late",
            subject="documents:late",
            fingerprint={"documents": sorted(p.url for p, *_ in late)},
            urls=[p.url for p, *_ in late[:EXAMPLES]],
            count=len(late),
            limit=t.publish_working_days,
            example=page.url,
            written=written,
            published=published,
            days=days,
            calendar=calendar_phrase(basis),
            evidence={
                **basis,
                "documents": [
                    {"url": p.url, "written": w, "published": pub, "working_days": d}
                    for p, w, pub, d in late[:EXAMPLES]
                ],
            },
        )


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    reporter = Reporter(CHECK, rubric, degraded=bool(facts.truncated))
    sections = find_sections(facts)
    for key in ("rules", "statutory"):
        if sections[key] is None:
            section = _section(key)
            reporter.add(
                "disclosure_section_missing",
                subject=f"section:{key}",
                urls=[facts.unit.website],
                absence=True,
                evidence={"section": section["title"], "looked_for": section["names"]},
                section=section["title"],
            )
    report = {**_check_guide(reporter, facts), **_check_reports(reporter, facts, as_of, rubric)}
    _check_documents(reporter, facts, as_of, rubric)
    report["sections"] = {_section(k)["title"]: url for k, url in sections.items()}
    reporter.result.report["disclosure"] = report
    return reporter.result
