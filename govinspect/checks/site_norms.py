"""网站规范: site identifiers, the 找错 widget, domain, HTTPS, IPv6 and page metadata tags.

What the homepage shows was recorded by the crawler (``Page.meta['footer']`` and the page's
``<meta>`` tags); this check only compares.  No network: IPv6 is judged from the fact the crawl
recorded (``Run.summary.ipv6``, crawler/ipv6.py); when that fact cannot decide, the item is
unknown (a notice: no points lost, not counted as passed either, see checks/scoring.py).
"""

from __future__ import annotations

import ipaddress
from dataclasses import asdict
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from govinspect.checks import tables
from govinspect.checks.facts import Ipv6Fact, PageFact, UnitFacts
from govinspect.checks.findings import CheckResult, Reporter
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import join, label, phrase

CHECK = "site_norms"
LOCAL_NAMES = ("localhost", "localhost.localdomain")


def is_local_host(host: str) -> bool:
    """Loopback, private or link-local addresses: test or intranet deployments."""
    if host.lower() in LOCAL_NAMES or host.lower().endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def is_gov_domain(host: str) -> bool:
    host = host.lower().rstrip(".")
    return any(host.endswith(suffix) for suffix in tables.tables()["site_norms"]["gov_suffixes"])


def _domain(reporter: Reporter, facts: UnitFacts) -> dict[str, Any]:
    parts = urlsplit(facts.unit.website)
    host = parts.hostname or ""
    home = facts.homepage
    final = (home.final_url or home.url) if home else facts.unit.website
    https = parts.scheme == "https" or urlsplit(final).scheme == "https"
    if is_local_host(host):
        reporter.add(
            "domain_unjudged",
            subject="domain",
            urls=[facts.unit.website],
            evidence={"host": host},
            host=host,
        )
        return {"host": host, "gov_domain": None, "https": None}
    gov = is_gov_domain(host)
    if not gov:
        reporter.add(
            "domain_not_gov",
            subject="domain",
            fingerprint={"host": host},
            urls=[facts.unit.website],
            evidence={"host": host},
            host=host,
        )
    if not https:
        reporter.add(
            "https_missing",
            subject="https",
            urls=[facts.unit.website],
            evidence={"website": facts.unit.website, "final_url": final},
            url=final,
        )
    return {"host": host, "gov_domain": gov, "https": https}


def _ipv6(reporter: Reporter, facts: UnitFacts) -> dict[str, Any] | None:
    """IPv6 支持: AAAA records and the homepage answering over IPv6, or unknown."""
    fact = facts.ipv6
    host = (urlsplit(facts.unit.website).hostname or "").lower()
    urls = [facts.unit.website]
    evidence: dict[str, Any] = {"ipv6": _record(fact)}
    unknown = missing = None
    if fact is None:
        unknown = "no_fact"
    elif is_local_host(host) and fact.reason != "ip_literal":
        unknown = "local_host"  # a test or intranet deployment: its DNS says nothing
    elif fact.aaaa == "no":
        missing = label("ipv6_missing", "no_aaaa", host=fact.host or host)
    elif fact.aaaa == "yes" and fact.answered == "no":
        error = fact.error or "-"
        missing = label("ipv6_missing", "failed", address=fact.address or "-", error=error)
    elif fact.aaaa == "yes" and fact.answered == "yes" and (fact.status or 0) >= 400:
        missing = label("ipv6_missing", "status", address=fact.address, status=fact.status)
    elif not (fact.aaaa == "yes" and fact.answered == "yes"):
        unknown = fact.reason or ("dns_failed" if fact.aaaa == "unknown" else "no_ipv6_route")
    if missing is not None and fact is not None:
        reporter.add(
            "ipv6_missing",
            subject="ipv6",
            fingerprint={"aaaa": fact.aaaa, "answered": fact.answered, "status": fact.status},
            urls=urls,
            evidence=evidence,
            reason=missing,
        )
    if unknown is not None:
        reason = label("ipv6_unknown", unknown, error=(fact.error if fact else None) or "-")
        reporter.add(
            "ipv6_not_checked",
            subject="ipv6",
            fingerprint={"unknown": unknown},
            urls=urls,
            evidence={**evidence, "unknown": unknown},
            reason=reason,
        )
    return evidence["ipv6"]


def _record(fact: Ipv6Fact | None) -> dict[str, Any] | None:
    return None if fact is None else {**asdict(fact), "addresses": list(fact.addresses)}


def _meta_value(page: PageFact, name: str) -> str:
    """A ``<meta name>`` value, names compared case-insensitively (KeyWords vs Keywords)."""
    wanted = name.lower()
    for key, value in page.meta.items():
        if isinstance(key, str) and key.lower() == wanted and isinstance(value, str):
            return value.strip()
    return ""


def _site_codes(reporter: Reporter, facts: UnitFacts, home: PageFact, footer: dict) -> None:
    registered = facts.unit.site_code
    shown = {"footer": footer.get("site_code") or "", "meta": _meta_value(home, "SiteIDCode")}
    evidence = {
        "registered": registered,
        "footer": shown["footer"] or None,
        "meta": shown["meta"] or None,
        "page": home.url,
        "warc": home.warc,
        "fetched_at": home.fetched_at,
    }
    if not shown["footer"]:
        reporter.add(
            "site_code_missing",
            subject="site_code",
            urls=[home.url],
            evidence=evidence,
            where=label("site_code_where", "footer"),
            registered=f"（{registered}）" if registered else "",
        )
    if registered is None:
        codes = [c for c in shown.values() if c]
        reporter.add(
            "site_code_unregistered",
            subject="site_code",
            fingerprint={"shown": sorted(c for c in shown.values() if c)},
            urls=[home.url],
            evidence=evidence,
            shown=join(codes) if codes else phrase("unset"),
        )
    expected = registered or shown["footer"]
    wrong = {where: code for where, code in shown.items() if code and code != expected}
    if expected and wrong:
        details = [
            phrase("site_code_shown", where=label("site_code_where", w), code=c)
            for w, c in wrong.items()
        ]
        details.append(
            phrase(
                "site_code_shown",
                where=label("site_code_where", "registry" if registered else "footer"),
                code=expected,
            )
        )
        reporter.add(
            "site_code_mismatch",
            subject="site_code",
            fingerprint={"shown": shown, "registered": registered},
            urls=[home.url],
            evidence=evidence,
            details=join(details),
        )


def _footer(reporter: Reporter, facts: UnitFacts, home: PageFact, footer: dict) -> None:
    evidence = {
        "page": home.url,
        "footer": footer,
        "warc": home.warc,
        "fetched_at": home.fetched_at,
    }
    _site_codes(reporter, facts, home, footer)
    if not footer.get("icp"):
        reporter.add("icp_missing", subject="footer:icp", urls=[home.url], evidence=evidence)
    if not footer.get("police"):
        reporter.add("police_missing", subject="footer:police", urls=[home.url], evidence=evidence)
    if not footer.get("conac"):
        reporter.add("conac_missing", subject="footer:conac", urls=[home.url], evidence=evidence)
    if not footer.get("jiucuo"):
        reporter.add("jiucuo_missing", subject="jiucuo", urls=[home.url], evidence=evidence)
        return
    expected = facts.unit.site_code or footer.get("site_code")
    sitecode = footer.get("jiucuo_sitecode")
    if expected and sitecode != expected:
        reporter.add(
            "jiucuo_mismatch",
            subject="jiucuo",
            fingerprint={"sitecode": sitecode, "expected": expected},
            urls=[home.url],
            evidence=evidence,
            sitecode=sitecode or phrase("unset"),
            site_code=expected,
        )
    src = footer.get("jiucuo_src") or ""
    if src and tables.tables()["site_norms"]["jiucuo_path"] not in src:
        reporter.add(
            "jiucuo_src_unexpected",
            subject="jiucuo",
            fingerprint={"src": src},
            urls=[home.url],
            evidence=evidence,
            src=src,
        )


def _sample(facts: UnitFacts) -> dict[str, list[PageFact]]:
    """Pages whose metadata tags are checked, by page type."""
    per_column = tables.tables()["page_meta_articles_per_column"]
    column_urls = {c.url for c in facts.columns}
    columns: list[PageFact] = []
    articles: dict[str, PageFact] = {}
    for column in facts.columns:
        page = facts.page(column.url)
        if column.is_list and page is not None and page.ok and not page.is_homepage:
            columns.append(page)
        picked = 0
        for item in column.items:
            if picked >= per_column:
                break
            page = facts.page(item.url)
            if page is None or not page.ok or page.url in column_urls or page.is_homepage:
                continue
            if "html" in (page.content_type or "html"):
                articles.setdefault(page.url, page)
                picked += 1
    home = [facts.homepage] if facts.homepage is not None and facts.homepage.ok else []
    return {"homepage": home, "column": columns, "article": list(articles.values())}


def _page_tags(reporter: Reporter, facts: UnitFacts) -> dict[str, Any]:
    required = tables.tables()["page_meta"]
    summary: dict[str, Any] = {}
    for page_type, pages in _sample(facts).items():
        lacking = [
            (p, m)
            for p in pages
            if (m := [n for n in required[page_type] if not _meta_value(p, n)])
        ]
        summary[page_type] = {"checked": len(pages), "lacking": len(lacking)}
        if not lacking:
            continue
        page, missing = lacking[0]
        reporter.add(
            "page_meta_missing",
            subject=f"page_meta:{page_type}",
            fingerprint={"pages": sorted(p.url for p, _ in lacking)},
            urls=[p.url for p, _ in lacking[:50]],
            count=len(lacking),
            page_type=label("page_types", page_type),
            example=page.url,
            missing=join(missing),
            evidence={
                "page_type": page_type,
                "required": required[page_type],
                "checked": len(pages),
                "pages": [{"url": p.url, "missing": m} for p, m in lacking[:50]],
            },
        )
    return summary


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    reporter = Reporter(CHECK, rubric)
    report: dict[str, Any] = {"domain": _domain(reporter, facts), "ipv6": _ipv6(reporter, facts)}
    home = facts.homepage
    footer = (home.meta.get("footer") if home is not None else None) or None
    if home is None or not home.ok or footer is None:
        reason = "not_fetched" if home is None or not home.ok else "no_footer"
        reporter.add(
            "homepage_footer_unknown",
            subject="footer",
            urls=[facts.unit.website],
            reason=label("footer_unknown", reason),
            evidence={"reason": reason},
        )
    else:
        _footer(reporter, facts, home, footer)
        report["footer"] = footer
    report["page_meta"] = _page_tags(reporter, facts)
    reporter.result.report["site_norms"] = report
    return reporter.result
