"""HTML (Jinja2, autoescaped) and PDF (WeasyPrint, from the same HTML) renderings.

Crawled text (page titles, column names, link texts, URLs) reaches the templates as plain
strings and is escaped on output; links are only made for http(s) URLs.
"""

from __future__ import annotations

import base64
import logging
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from govinspect.checks.tables import label
from govinspect.reports.evidence import EvidenceRef
from govinspect.reports.model import UnitReport
from govinspect.reports.texts import data, number, text

log = logging.getLogger("govinspect.reports")


def link(url: str | None) -> Markup:
    """An escaped URL, clickable when it is http(s) (never ``javascript:`` and the like)."""
    if not url:
        return Markup("")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # a malformed target (invalid_url, ``http://localhost]``): text only
        scheme = ""
    if scheme in ("http", "https"):
        return Markup('<a href="{0}">{0}</a>').format(url)
    return escape(url)


def status_text(ref: EvidenceRef) -> str:
    """The HTTP status, or why there was none (DNS failure, timeout...)."""
    if ref.revisit and ref.status == 304:
        return text("not_modified")
    if ref.status is not None:
        return str(ref.status)
    if ref.outcome:
        return label("outcomes", ref.outcome, status="-")
    return data()["missing"]


def evidence_text(ref: EvidenceRef) -> str:
    """One line of evidence: the WARC record, the fetch time and the status."""
    if ref.record is None:
        where = data()["no_record"]
    else:
        where = f"{text('record')} {ref.warc_file} @ {ref.warc_offset}"
    when = ref.fetched_local
    parts = [where]
    if when:
        parts.append(f"{text('fetched_at')} {when}（{data()['local_time']}）")
    if ref.record is not None or ref.status is not None or ref.outcome:
        parts.append(f"{text('status')} {status_text(ref)}")
    if ref.revisit:
        parts.append(original_text(ref))
    return " · ".join(parts)


def original_text(ref: EvidenceRef) -> str:
    """A revisit's original capture: its record and its own fetch time."""
    if ref.original_record is None:
        return text("original_missing")
    where = f"{text('original')} {ref.original_warc_file} @ {ref.original_warc_offset}"
    when = ref.original_fetched_local
    return f"{where}，{text('fetched_at')} {when}（{data()['local_time']}）" if when else where


def base_environment(package: str) -> Environment:
    """Templates of ``package``: autoescaped, strict, with the reports' number, evidence and
    status filters and the ``link`` helper (the dashboard renders the same facts)."""
    env = Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    env.filters["evidence"] = evidence_text
    env.filters["status"] = status_text
    env.globals["link"] = link
    return env


@cache
def environment() -> Environment:
    env = base_environment("govinspect.reports")
    env.globals["fonts"] = data()["fonts"]
    env.globals["missing"] = data()["missing"]
    env.globals["no_record"] = data()["no_record"]
    env.filters["outcome"] = lambda value: label("outcomes", value, status="-")
    return env


def render(template: str, **context: Any) -> str:
    return environment().get_template(template).render(**context)


def self_check_html(report: UnitReport) -> str:
    """The self-check report as one standalone HTML page (the chart is embedded)."""
    previous = (
        text("previous", period=report.previous_period.label)
        if report.previous is not None
        else text("previous_none")
    )
    chart = base64.b64encode(report.chart_png).decode("ascii") if report.chart_png else None
    return render(
        "self_check.html",
        r=report,
        t=data()["text"],
        chart=chart,
        previous_heading=previous,
    )


def write_pdf(html: str, path: Path) -> None:
    """Print the HTML to PDF with WeasyPrint (fonts through fontconfig).

    Only embedded ``data:`` resources are loaded: printing a report never goes online.
    """
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # WeasyPrint reports every unsupported CSS property at WARNING: not the user's concern.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    fetcher = URLFetcher(allowed_protocols={"data"})
    HTML(string=html, base_url=str(path.parent), url_fetcher=fetcher).write_pdf(path)
