"""Build one family site: plant the facts, give every page its path, render, state the truth."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from w3lib.url import safe_url_string

from govinspect.demo.layouts.choices import Family
from govinspect.demo.layouts.markup import resolve
from govinspect.demo.layouts.model import Resource, Site, assign_paths
from govinspect.demo.layouts.plants import PLANTERS
from govinspect.demo.layouts.render import render_pages
from govinspect.demo.truth import STALE_DAYS


@dataclass
class Built:
    site: Site
    pages: dict[str, str]  # canonical path (+ sorted query) -> HTML
    truth: dict[str, Any]


def page_key(path: str, query: str = "") -> str:
    """One spelling per served page: the path, and the query parameters sorted."""
    if "?" in path:
        path, query = path.split("?", 1)
    params = "&".join(sorted(p for p in query.split("&") if p))
    return f"{path}?{params}" if params else path


def build_site(family: Family, seed: int, base: str, refused: str, as_of: date) -> Built:
    """The site of ``family`` for ``seed``, served at ``base`` (``refused``: a dead port)."""
    site = Site(
        family=family,
        seed=seed,
        base=base if base.endswith("/") else base + "/",
        refused=refused if refused.endswith("/") else refused + "/",
        as_of=as_of,
        rng=random.Random(f"{family.name}:{seed}"),
    )
    for planter in PLANTERS:
        planter(site)
    site.resources["/css/style.css"] = Resource("css")
    site.resources["/images/logo.png"] = Resource("image")
    assign_paths(site)
    pages = {page_key(path): text for path, text in render_pages(site).items()}
    for path in list(pages):
        if path.endswith("/"):
            pages[path + "index.html"] = pages[path]  # the directory's index, as servers do
    return Built(site, pages, ground_truth(site))


def canonical(site: Site, target: str) -> str:
    """Absolute, percent-encoded URL of a site path, item key (``@key``) or URL."""
    return safe_url_string(site.url(resolve(site, target)))


def ground_truth(site: Site) -> dict[str, Any]:
    """What a correct inspection of the site finds, with absolute URLs (docs/accuracy.md)."""
    as_of = site.as_of
    url = lambda target: canonical(site, target)  # noqa: E731
    columns = []
    for col in site.columns:
        dated = [i.date for i in col.items if i.date <= as_of]
        newest = max(dated, default=None)
        window = STALE_DAYS.get(col.ctype)
        columns.append(
            {
                "key": col.key,
                "name": col.name,
                "type": col.ctype,
                "url": url(col.path),
                "list_pages": [url(p) for p in col.pages],
                "items": len(col.items),
                "newest": newest.isoformat() if newest and col.content is None else None,
                "blank": not col.items and col.content is None,
                "stale": bool(window and newest and (as_of - newest).days > window),
                "script_filled": col.api,
                "content_page": col.content is not None,
            }
        )
    planted = site.truth
    assert sorted(c["key"] for c in columns if c["stale"]) == sorted(planted["stale"])
    assert sorted(c["key"] for c in columns if c["blank"]) == sorted(planted["blank"])
    # The homepage's lists show news, notices and policies; undated there, the rule falls back
    # to the newest item of the first-level columns (script-filled ones excepted: docs/checks.md).
    if site.family.date_format == "none":
        home = [c for c in columns if c["newest"] and not c["script_filled"]]
    else:
        home = [c for c in columns if c["key"] in ("news", "notice", "policy") and c["newest"]]
    interp = planted["interpretation"]
    return {
        "family": site.family.name,
        "choices": site.family.choices(),
        "seed": site.seed,
        "as_of": as_of.isoformat(),
        "base_url": site.base,
        "columns": columns,
        "homepage_newest": max(c["newest"] for c in home),
        "dead_links": sorted([*(url(t) for t in planted["dead_links"]), *planted["invalid_links"]]),
        "missing_anchors": sorted(url(t) for t in planted["missing_anchors"]),
        "not_checked": sorted(planted["not_checked"]),
        "not_dead": sorted(
            url(f"@{t}" if not t.startswith("/") else t) for t in planted["not_dead"]
        ),
        "interpretation": {k: sorted(url(f"@{key}") for key in v) for k, v in interp.items()},
        "guide_url": url(site.column("guide").path),
        "annual_report_years": planted["annual_report_years"],
        "content_safety": {
            "hidden_links": sorted(url(t) for t in planted["content_safety"]["hidden_links"]),
            "privacy": sorted(
                [url(t), kind, count, attached]
                for t, kind, count, attached in planted["content_safety"]["privacy"]
            ),
        },
        "interaction": _interaction_truth(site, url),
    }


def _interaction_truth(site: Site, url: Any) -> dict[str, Any]:
    """The export's ``interaction`` as a correct inspection reports it (URLs absolute)."""
    letters = site.truth["letters"]
    return {
        "letters": {
            "column_url": url(site.column("letters").path),
            "unanswered": [url(f"@{k}") for k in letters["unanswered"]],
            "newest_reply": letters["newest_reply"],
            "missing_fields": sorted(url(f"@{k}") for k in letters["missing_fields"]),
        },
        "consultations": [
            {
                **{k: v for k, v in row.items() if k not in ("key", "feedback")},
                "url": url(f"@{row['key']}"),
                "feedback_url": url(f"@{row['feedback']}") if row["feedback"] else None,
            }
            for row in site.truth["consultations"]
        ],
        "interviews": {**site.truth["interviews"], "column_url": url(site.column("talks").path)},
    }
