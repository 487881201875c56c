"""Ground truth (manifest) and the govinspect config, both read from the model.

Nothing here looks at rendered pages: the manifest is derived from the same ``Town`` object the
renderers use, with absolute URLs for the running ports.  Keys are documented in docs/demo.md.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta
from statistics import median
from typing import Any

from govinspect.checks.workdays import working_days_between
from govinspect.demo import safety_cases
from govinspect.demo.model import Column, Item, PlacedLink, Site, Town, Urls
from govinspect.demo.texts import GUIDE_ELEMENTS

# Freshness windows (days) per column type, used only to state the truth flags "stale".
STALE_DAYS: dict[str, int] = {
    "news": 14,
    "notice": 180,
    "policy": 180,
    "personnel": 365,
    "plan": 365,
}
HOME_STALE_DAYS = 14
FEED_STALE_DAYS = 14
# Quarterly self-check posts: due by the end of the 2nd month of the next quarter; the quarters
# begun within a year before as-of are judged (the default rubrics' thresholds.self_check).
SELF_CHECK_DEADLINE_MONTH = 2
SELF_CHECK_LOOKBACK_DAYS = 365
INTERPRETATION_LATE_WORKDAYS = 3
# 互动交流 as planted (the national defaults of the packaged rubrics).
LETTER_LOOKBACK_DAYS = 365
LETTER_VETO_MONTHS = 3
CONSULTATION_MIN_DAYS = 30
FEEDBACK_GRACE_DAYS = 30
REPLY_LIMIT_WORKING_DAYS = 5
MANIFEST_VERSION = 1


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _age(as_of: date, d: date | None) -> int | None:
    return (as_of - d).days if d else None


def _column(site: Site, col: Column, urls: Urls, as_of: date) -> dict[str, Any]:
    parent = site.column(col.spec.parent).name if col.spec.parent else None
    newest = col.newest
    window = STALE_DAYS.get(col.spec.ctype)
    stale = bool(window and newest and (as_of - newest).days > window)
    section = next(s.name for s in site.sections if s.key == col.spec.section)
    return {
        "key": col.key,
        "name": col.name,
        "url": urls.url(site.id, col.path),
        "type": col.spec.ctype,
        "level": col.level,
        "parent": parent,
        "section": section,
        "pager": col.spec.pager,
        "page_size": col.spec.page_size,
        "list_pages": [urls.url(site.id, lp.path) for lp in col.pages],
        "api_pages": [urls.url(site.id, p) for p in col.api_pages],
        "items": len(col.items),
        "newest": _iso(newest),
        "age_days": _age(as_of, newest),
        "stale": stale,
        "undated": sum(1 for i in col.items if i.date is None),
        "blank": col.blank,
        "placeholder": col.spec.placeholder,
        "script_filled": col.script_filled,
        "content_page": col.content is not None,
        "content_date": _iso(col.content.date) if col.content else None,
    }


def _pages(site: Site, urls: Urls) -> list[dict[str, Any]]:
    out = []
    for page in site.pages.values():
        if not page.in_truth:
            continue
        entry: dict[str, Any] = {
            "url": urls.url(site.id, page.path),
            "status": page.status,
            "kind": page.kind,
            "found_via": page.found_via,
        }
        if page.item is not None:
            entry["title"] = page.item.title
            entry["date"] = _iso(page.item.date)
            entry["column"] = page.item.column
        if page.charset:
            entry["charset"] = page.charset
        out.append(entry)
    return out


def _found_on(site: Site, link: PlacedLink, urls: Urls) -> list[str]:
    return [urls.url(site.id, p) for p in link.pages]


def _dead_status(site: Site, link: PlacedLink) -> int | None:
    outcome = link.spec.outcome
    if outcome == "soft_404":
        return 200
    if outcome != "http_error":
        return None
    page = site.pages[link.target.path.partition("?")[0]]
    return 404 if page.kind == "redirect" else page.status


def _dead_links(site: Site, urls: Urls) -> list[dict[str, Any]]:
    out = []
    for link in site.links:
        if link.spec.role != "dead":
            continue
        entry: dict[str, Any] = {
            "key": link.spec.key,
            "url": urls.absolute(link.target),
            "outcome": link.spec.outcome,
            "status": _dead_status(site, link),
            "found_on": _found_on(site, link, urls),
            "on_homepage": "/" in link.pages,
            "element": link.spec.element,
            "text": link.spec.text,
        }
        if link.target.origin == site.id:
            page = site.pages[link.target.path.partition("?")[0]]
            if page.kind == "redirect":
                entry["redirects_to"] = urls.url(site.id, page.location or "")
            if page.kind == "trs_deleted":
                entry["meta_refresh"] = True
        out.append(entry)
    return out


def _not_dead(site: Site, urls: Urls) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for link in site.links:
        if link.spec.role != "trap" or link.spec.trap == "base_href":
            continue
        url = urls.absolute(link.target)
        entry = merged.setdefault(
            url,
            {
                "url": url,
                "trap": link.spec.trap,
                "found_on": [],
                "element": link.spec.element,
                "keys": [],
                "forms": [],
            },
        )
        entry["keys"].append(link.spec.key)
        entry["found_on"] += [u for u in _found_on(site, link, urls) if u not in entry["found_on"]]
        form = link.href or (link.target.path if link.target.origin == site.id else url)
        if form not in entry["forms"]:
            entry["forms"].append(form)
        if link.spec.trap == "redirect_chain":
            hops, page = [], site.pages[link.target.path]
            while page.kind == "redirect":
                hops.append(page.status)
                page = site.pages[page.location or ""]
            entry["hops"] = hops
            entry["final_url"] = urls.url(site.id, page.path)
    out = list(merged.values())
    out += _base_trap_entries(site, urls)
    for col in site.columns:
        for item in col.items:
            if item.extra.get("mentions_404"):
                out.append(
                    {
                        "url": urls.url(site.id, item.path),
                        "trap": "mentions_404",
                        "found_on": [urls.url(site.id, col.pages[0].path)],
                        "element": "a",
                        "keys": [],
                        "forms": [item.path],
                    }
                )
    return out


def _base_trap_entries(site: Site, urls: Urls) -> list[dict[str, Any]]:
    trap = site.base_trap
    if trap is None:
        return []
    page_url = urls.url(site.id, trap.page)
    return [
        {
            "url": urls.url(site.id, trap.base + h),
            "trap": "base_href",
            "found_on": [page_url],
            "element": "a",
            "keys": [],
            "forms": [h],
            "naive_url": urls.url(site.id, trap.page + h),
        }
        for h, _ in trap.links
    ]


def _externals(site: Site, urls: Urls) -> list[dict[str, Any]]:
    out = [
        {
            "url": urls.absolute(e.ref),
            "real_url": e.real_url,
            "element": e.element,
            "outcome": "ok",
            "template": True,
            "found_on": [],
        }
        for e in site.externals.values()
    ]
    out += [
        {
            "url": urls.absolute(link.target),
            "real_url": None,
            "element": link.spec.element,
            "outcome": "ok",
            "template": False,
            "found_on": _found_on(site, link, urls),
        }
        for link in site.links
        if link.spec.role == "link"
    ]
    return out


def _policies(site: Site, urls: Urls) -> list[dict[str, Any]]:
    out = []
    for col in site.columns:
        if col.spec.ctype != "policy":
            continue
        for doc in col.items:
            interp: Item | None = doc.extra.get("interpretation")
            late = bool(
                interp
                and doc.date
                and interp.date
                and working_days_between(doc.date, interp.date) > INTERPRETATION_LATE_WORKDAYS
            )
            out.append(
                {
                    "url": urls.url(site.id, doc.path),
                    "title": doc.title,
                    "doc_number": doc.meta.doc_number if doc.meta else None,
                    "date": _iso(doc.date),
                    "column": col.name,
                    "interpretation": urls.url(site.id, interp.path) if interp else None,
                    "interpretation_date": _iso(interp.date) if interp else None,
                    "links_to_interpretation": interp is not None,
                    "backlink": bool(
                        interp and any(r.ref.path == doc.path for r in interp.related)
                    ),
                    "copied": doc.extra.get("mode") == "copied",
                    "late": late,
                }
            )
    return out


def _guide(site: Site, urls: Urls) -> dict[str, Any] | None:
    col = next((c for c in site.columns if c.content is not None), None)
    if col is None or col.content is None:
        return None
    item = col.content
    present = set(item.extra["elements"])
    return {
        "url": urls.url(site.id, col.path),
        "title": item.title,
        "date": _iso(item.date),
        "cites_order_492": item.extra["cites_order_492"],
        "elements": {e: e in present for e in GUIDE_ELEMENTS},
        "missing": [e for e in GUIDE_ELEMENTS if e not in present],
    }


def _annual(site: Site, urls: Urls, as_of: date) -> dict[str, Any]:
    items = [i for c in site.columns if c.spec.ctype == "annual_report" for i in c.items]
    years = sorted(i.extra["year"] for i in items)
    due = as_of.year - 1
    return {
        "annual_reports": years,
        "annual_report_items": [
            {"year": i.extra["year"], "url": urls.url(site.id, i.path), "date": _iso(i.date)}
            for i in items
        ],
        "annual_report_latest_due": due,
        "annual_report_missing_latest": due not in years,
    }


def _quarter_deadline(year: int, quarter: int) -> date:
    """End of the 2nd month of the next quarter (the rule the default rubrics apply)."""
    month = quarter * 3 + SELF_CHECK_DEADLINE_MONTH
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _self_checks(site: Site, urls: Urls, as_of: date) -> dict[str, Any]:
    posts = [i for c in site.columns for i in c.items if "self_check" in i.extra]
    present = {i.extra["self_check"] for i in posts}
    since = as_of - timedelta(days=SELF_CHECK_LOOKBACK_DAYS)
    due = []
    for year in range(since.year, as_of.year + 1):
        for quarter in (1, 2, 3, 4):
            start = date(year, quarter * 3 - 2, 1)
            if since <= start <= as_of and _quarter_deadline(year, quarter) < as_of:
                due.append(f"{year}Q{quarter}")
    return {
        "self_checks": {
            "posts": [
                {
                    "quarter": i.extra["self_check"],
                    "url": urls.url(site.id, i.path),
                    "title": i.title,
                    "date": _iso(i.date),
                    "column": i.column,
                }
                for i in posts
            ],
            "due": due,
            "missing": [q for q in due if q not in present],
        }
    }


def _letters(site: Site, urls: Urls) -> list[dict[str, Any]]:
    return [
        {
            "url": urls.url(site.id, i.path),
            "title": i.title,
            "asked": _iso(i.extra["asked"]),
            "answered": _iso(i.extra["answered"]),
        }
        for c in site.columns
        if c.spec.ctype == "interaction"
        for i in c.items
        if i.kind == "letter"
    ]


def _consultations(site: Site, urls: Urls) -> list[dict[str, Any]]:
    return [
        {
            "url": urls.url(site.id, i.path),
            "title": i.title,
            "start": _iso(i.extra["start"]),
            "end": _iso(i.extra["end"]),
            "days": i.extra["days"],
        }
        for c in site.columns
        if c.spec.ctype == "consultation"
        for i in c.items
        if i.kind == "consultation"
    ]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _letters_truth(site: Site, urls: Urls, as_of: date) -> dict[str, Any] | None:
    """The letters as an inspector should report them (export ``interaction.letters``)."""
    columns = [c for c in site.columns if any(i.kind == "letter" for i in c.items)]
    if not columns:
        return None
    letters = [i for c in columns for i in c.items if i.kind == "letter"]
    replies = [i.extra["answered"] for i in letters if i.extra["answered"]]
    unanswered = []
    since = as_of - timedelta(days=LETTER_LOOKBACK_DAYS)
    for item in letters:
        asked, answered = item.extra["asked"], item.extra["answered"]
        if not since <= asked <= as_of:
            continue
        deadline = _add_months(asked, LETTER_VETO_MONTHS)
        if (answered and answered > deadline) or (answered is None and as_of > deadline):
            end = answered or as_of
            unanswered.append(
                {
                    "url": urls.url(site.id, item.path),
                    "asked": asked.isoformat(),
                    "replied": _iso(answered),
                    "days": (end - asked).days,
                }
            )
    days = sorted(
        max(0, working_days_between(i.extra["asked"], i.extra["answered"]))
        for i in letters
        if i.extra["answered"] and since <= i.extra["asked"] <= as_of
    )
    within = sum(d <= REPLY_LIMIT_WORKING_DAYS for d in days)
    return {
        "column_url": urls.url(site.id, columns[0].path),
        "script_filled": False,
        "latency": {
            "median_working_days": float(median(days)) if days else None,
            "within_limit_share": round(within / len(days), 4) if days else None,
            "limit": REPLY_LIMIT_WORKING_DAYS,
        },
        "messages": len(letters),
        "newest_reply": _iso(max(replies)) if replies else None,
        "unanswered": sorted(unanswered, key=lambda x: (x["asked"], x["url"])),
        "missing_fields": [],
        "json_api": site.spec.style == "hanweb",
    }


def _consultation_truth(site: Site, urls: Urls, as_of: date) -> list[dict[str, Any]]:
    """Consultations held in the year before the monitoring point, with their planted problems."""
    out = []
    since = as_of - timedelta(days=LETTER_LOOKBACK_DAYS)
    for col in site.columns:
        for item in col.items:
            if item.kind != "consultation" or not since <= item.extra["planned"][0] <= as_of:
                continue
            start, end = item.extra["start"], item.extra["end"]
            feedback = item.extra.get("feedback")
            problems = []
            if start is None:
                problems.append("no_dates")
            elif (end - start).days < CONSULTATION_MIN_DAYS:
                problems.append("too_short")
            if end and end < as_of - timedelta(days=FEEDBACK_GRACE_DAYS) and not feedback:
                problems.append("no_feedback")
            out.append(
                {
                    "title": item.title,
                    "url": urls.url(site.id, item.path),
                    "start": _iso(start),
                    "end": _iso(end),
                    "days": item.extra["days"],
                    "feedback_url": urls.url(site.id, feedback) if feedback else None,
                    "problems": problems,
                }
            )
    return out


def _interviews_truth(site: Site, urls: Urls, as_of: date) -> dict[str, Any] | None:
    col = next((c for c in site.columns if c.spec.interviews), None)
    if col is None:
        return None
    since = as_of - timedelta(days=LETTER_LOOKBACK_DAYS)
    dates = [i.date for i in col.items if i.date and i.date <= as_of]
    return {
        "column_url": urls.url(site.id, col.path),
        "count_365d": sum(since <= d for d in dates),
        "newest": _iso(max(dates)) if dates else None,
    }


def _interaction(site: Site, urls: Urls, as_of: date) -> dict[str, Any]:
    return {
        "letters": _letters_truth(site, urls, as_of),
        "consultations": _consultation_truth(site, urls, as_of),
        "interviews": _interviews_truth(site, urls, as_of),
    }


def _norms(site: Site, urls: Urls) -> dict[str, Any]:
    s = site.spec
    return {
        "site_code": s.site_code,
        "icp": s.icp,
        "psb": s.psb,
        "nominal_domain": s.nominal_domain,
        "site_domain_meta": urls.base(site.id).split("/")[2],
        "jiucuo": True,
        "jiucuo_sitecode": s.site_code,
        "conac": True,
        "sitemap_page": urls.url(site.id, s.sitemap_page) if s.sitemap_page else None,
        "sitemap_xml": urls.url(site.id, "/sitemap.xml") if s.sitemap_xml else None,
        "robots": urls.url(site.id, "/robots.txt"),
        "search": urls.url(site.id, s.search_path),
        "contact": urls.url(site.id, s.contact_path),
    }


def site_truth(site: Site, urls: Urls, as_of: date) -> dict[str, Any]:
    s = site.spec
    last = site.home_last_update
    return {
        "id": s.id,
        "name": s.name,
        "base_url": urls.base(site.id),
        "category": s.category,
        "style": s.style,
        "encoding": s.encoding,
        "site_code": s.site_code,
        "homepage": {
            "url": urls.base(site.id),
            "last_update": _iso(last),
            "age_days": _age(as_of, last),
            "stale": bool(last and (as_of - last).days > HOME_STALE_DAYS),
        },
        "columns": [_column(site, c, urls, as_of) for c in site.columns],
        "pages": _pages(site, urls),
        "dead_links": _dead_links(site, urls),
        "not_dead": _not_dead(site, urls),
        "external_links": _externals(site, urls),
        "policies": _policies(site, urls),
        "guide": _guide(site, urls),
        **_annual(site, urls, as_of),
        **_self_checks(site, urls, as_of),
        "letters": _letters(site, urls),
        "consultations": _consultations(site, urls),
        "interaction": _interaction(site, urls, as_of),
        "site_norms": _norms(site, urls),
        "content_safety": safety_cases.truth(
            site.id,
            lambda path: urls.url(site.id, path),
            site.safety_article,
            {k: urls.absolute(e.ref) for k, e in site.externals.items()},
        ),
    }


def feeds_truth(town: Town, urls: Urls) -> list[dict[str, Any]]:
    out = []
    for feed in town.feeds:
        last = feed.last_post
        missing = feed.spec.kind == "missing"
        out.append(
            {
                "unit": feed.spec.unit,
                "name": feed.spec.name,
                "platform": feed.spec.platform,
                "url": urls.url("feeds", feed.spec.path),
                "format": "atom" if feed.spec.kind == "atom" else "rss",
                "posts": len(feed.posts),
                "last_post": _iso(last),
                "stale": bool(last and (town.as_of - last).days > FEED_STALE_DAYS),
                "error": "http_404" if missing else None,
                "bozo": feed.spec.kind == "malformed",
            }
        )
    return out


def manifest(town: Town, urls: Urls) -> dict[str, Any]:
    return {
        "version": MANIFEST_VERSION,
        "as_of": town.as_of.isoformat(),
        "scale": town.scale,
        "hosts": {"feeds": urls.base("feeds"), "refused": urls.base("refused")},
        "sites": {sid: site_truth(site, urls, town.as_of) for sid, site in town.sites.items()},
        "feeds": feeds_truth(town, urls),
    }


def _partner_hosts(town: Town, site: Site, urls: Urls) -> list[str]:
    """The demo's stand-ins of government sites and its partner, and the town's other sites:
    on 127.0.0.1 none of them is a .gov.cn host, so the registry lists them."""
    stand_ins = [
        urls.raw(site.externals[k].ref)
        for k in safety_cases.PARTNER_EXTERNALS
        if k in site.externals
    ]
    others = [urls.base(o).split("://", 1)[1].rstrip("/") for o in town.sites if o != site.id]
    return safety_cases.partner_hosts(stand_ins) + sorted(others)


def config(town: Town, urls: Urls) -> dict[str, Any]:
    """The public site registry (govinspect config) for the running demo town."""
    units = []
    for sid, site in town.sites.items():
        unit: dict[str, Any] = {
            "id": sid,
            "name": site.spec.name,
            "category": site.spec.category,
            "website": urls.base(sid),
            "site_code": site.spec.site_code,
        }
        media = [
            {
                "name": f.spec.name,
                "platform": f.spec.platform,
                "feed": urls.url("feeds", f.spec.path),
            }
            for f in town.feeds
            if f.spec.unit == sid
        ]
        if media:
            unit["new_media"] = media
        if site.spec.column_types:
            unit["column_types"] = dict(site.spec.column_types)
        unit["partner_hosts"] = _partner_hosts(town, site, urls)
        units.append(unit)
    return {"units": units}
