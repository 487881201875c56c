"""Inspect every family site with govinspect and score the result against the ground truth.

Sits on top of the layers (like ``govinspect.pipeline``): it serves the sites, crawls each one
in its own subprocess (``parallel`` at a time), runs one check run over all of them and
exports it, then compares per family.  ``tests/test_layouts.py`` asserts every measure;
``bench/eval_layouts.py`` prints them as the table of docs/accuracy.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from govinspect.demo.layouts.choices import FAMILIES, Family
from govinspect.demo.layouts.server import LayoutServer

#: The measures, in table order: name -> what it compares.
MEASURES: dict[str, str] = {
    "columns": "every column found, nothing else (no article, no channel page)",
    "newest": "newest item date of every list column exact",
    "blank": "blank columns exact",
    "stale": "stale columns exact",
    "dead_links": "dead links exact (no decoy reported)",
    "missing_anchors": "links to a missing anchor exact (listed apart, never dead)",
    "not_checked": "links not checked (mailto:, tel:) exact",
    "no_interpretation": "documents without interpretation exact",
    "no_backlink": "interpretations without back-link exact",
    "no_link": "documents without link to their interpretation exact",
    "copied": "copied interpretations exact",
    "guide": "政府信息公开指南 found",
    "annual_reports": "annual report years exact",
    "homepage": "homepage last update exact",
    "hidden_links": "hidden links exact (no hidden internal menu reported)",
    "privacy": "privacy leaks exact: page or attachment, kind, count (no decoy reported)",
    "unanswered": "messages behind the 互动回应差 veto exact, the veto raised",
    "newest_reply": "newest published reply exact",
    "letter_fields": "messages lacking a field exact",
    "consultations": "consultations with their dates, days, feedback and problems exact",
    "interviews": "interviews in the year and the newest exact",
}

_INDEX_NAME = re.compile(r"/(index|default)\.(s?html?|jsp|php|aspx?)$", re.IGNORECASE)


def url_id(url: str, fragments: bool = False) -> str:
    """A URL as one spelling: canonical, a directory's index page as the directory, and no
    fragment (unless ``fragments``: links to anchors)."""
    from govinspect.crawler.urls import normalize_url

    url, hash_, part = url.partition("#")
    return _INDEX_NAME.sub("/", normalize_url(url)) + (hash_ + part if fragments else "")


@dataclass
class Measure:
    ok: bool
    expected: int  # things the truth holds (0 when the truth is "none")
    missing: list[Any] = field(default_factory=list)
    extra: list[Any] = field(default_factory=list)

    def cell(self) -> str:
        if self.ok:
            return "✓" if self.expected else "✓ (0)"
        return f"✗ −{len(self.missing)} +{len(self.extra)}"


def _sets(expected: Iterable[str], found: Iterable[str], fragments: bool = False) -> Measure:
    want = {url_id(u, fragments) for u in expected}
    got = {url_id(u, fragments) for u in found}
    return Measure(want == got, len(want), sorted(want - got), sorted(got - want))


def _equal(expected: Any, found: Any) -> Measure:
    ok = expected == found
    return Measure(ok, 1, [] if ok else [expected], [] if ok else [found])


def _privacy(expected: Iterable[Any], found: Iterable[dict[str, Any]]) -> Measure:
    want = {(url_id(u), kind, count, attached) for u, kind, count, attached in expected}
    got = {(url_id(p["url"]), p["kind"], p["count"], p["in_attachment"]) for p in found}
    return Measure(want == got, len(want), sorted(want - got), sorted(got - want))


@dataclass
class FamilyResult:
    family: Family
    truth: dict[str, Any]
    status: str
    error: str | None
    columns: list[dict[str, Any]]  # the crawler's columns (store rows)
    unit: dict[str, Any]  # the unit's entry of the JSON export

    def measures(self) -> dict[str, Measure]:
        truth, unit = self.truth, self.unit
        by_id = {url_id(c["url"]): c for c in self.columns}
        lists = [c for c in truth["columns"] if not c["content_page"]]
        newest_missing = [
            (c["name"], c["newest"], (by_id.get(url_id(c["url"])) or {}).get("newest"))
            for c in lists
            if (by_id.get(url_id(c["url"])) or {}).get("newest") != c["newest"]
        ]
        rows = unit.get("columns", [])
        interp = unit.get("interpretation", {})
        want = truth["interpretation"]
        found_years = (unit.get("disclosure") or {}).get("annual_report_years") or []
        guide = (unit.get("disclosure") or {}).get("guide_url")
        safety = unit.get("content_safety") or {}
        return {
            "columns": _sets((c["url"] for c in truth["columns"]), by_id),
            "newest": Measure(not newest_missing, len(lists), newest_missing),
            "blank": _sets(
                (c["url"] for c in truth["columns"] if c["blank"]),
                (r["url"] for r in rows if r["blank"]),
            ),
            "stale": _sets(
                (c["url"] for c in truth["columns"] if c["stale"]),
                (r["url"] for r in rows if r["stale"]),
            ),
            "dead_links": _sets(
                truth["dead_links"], (d["url"] for d in unit.get("dead_links", []))
            ),
            "missing_anchors": _sets(
                truth["missing_anchors"],
                (f"{d['url']}#{d.get('anchor', '')}" for d in unit.get("missing_anchors", [])),
                fragments=True,
            ),
            "not_checked": _sets(
                truth["not_checked"], (d["url"] for d in unit.get("not_checked_links", []))
            ),
            "no_interpretation": _sets(
                want["documents_without_interpretation"],
                interp.get("documents_without_interpretation", []),
            ),
            "no_backlink": _sets(
                want["interpretations_without_backlink"],
                interp.get("interpretations_without_backlink", []),
            ),
            "no_link": _sets(
                want["documents_without_link"], interp.get("documents_without_link", [])
            ),
            "copied": _sets(
                want["copied_interpretations"], interp.get("copied_interpretations", [])
            ),
            "guide": _equal(url_id(truth["guide_url"]), url_id(guide or "")),
            "annual_reports": _equal(truth["annual_report_years"], found_years),
            "homepage": _equal(
                truth["homepage_newest"], (unit.get("homepage") or {}).get("last_update")
            ),
            "hidden_links": _sets(
                truth["content_safety"]["hidden_links"],
                (h["url"] for h in safety.get("hidden_links", [])),
            ),
            "privacy": _privacy(truth["content_safety"]["privacy"], safety.get("privacy", [])),
            **_interaction_measures(truth["interaction"], unit),
        }


def _consultation_rows(rows: Iterable[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {
        (
            url_id(r["url"]),
            r["start"],
            r["end"],
            r["days"],
            url_id(r["feedback_url"]) if r["feedback_url"] else None,
            tuple(r["problems"]),
        )
        for r in rows
    }


def _interaction_measures(truth: dict[str, Any], unit: dict[str, Any]) -> dict[str, Measure]:
    found = unit.get("interaction") or {}
    letters = found.get("letters") or {}
    want = truth["letters"]
    vetoed = any(v.get("indicator") == "互动回应差" for v in unit.get("vetoes", []))
    unanswered = _sets(want["unanswered"], (x["url"] for x in letters.get("unanswered", [])))
    if unanswered.ok and vetoed != bool(want["unanswered"]):
        unanswered = Measure(False, unanswered.expected, ["互动回应差 veto"] if not vetoed else [])
    consultations = _consultation_rows(truth["consultations"])
    got = _consultation_rows(found.get("consultations") or [])
    interviews = found.get("interviews") or {}
    return {
        "unanswered": unanswered,
        "newest_reply": _equal(want["newest_reply"], letters.get("newest_reply")),
        "letter_fields": _sets(
            want["missing_fields"], (x["url"] for x in letters.get("missing_fields", []))
        ),
        "consultations": Measure(
            consultations == got,
            len(consultations),
            sorted(consultations - got, key=str),
            sorted(got - consultations, key=str),
        ),
        "interviews": _equal(
            (truth["interviews"]["count_365d"], truth["interviews"]["newest"]),
            (interviews.get("count_365d"), interviews.get("newest")),
        ),
    }


def _store_columns(store: Any, run_id: int) -> list[dict[str, Any]]:
    from govinspect.store.models import Column

    with store.session() as session:
        rows = session.scalars(select(Column).where(Column.run_id == run_id))
        return [
            {
                "url": c.url,
                "name": c.name,
                "type": c.type,
                "is_list": c.is_list,
                "blank": c.blank,
                "script_filled": c.script_filled,
                "items": c.item_count,
                "newest": c.newest.isoformat() if c.newest else None,
                "list_pages": list(c.list_pages or []),
            }
            for c in rows
        ]


def inspect_families(
    work_dir: Path,
    families: Iterable[Family] = FAMILIES,
    seed: int = 0,
    parallel: int = 4,
) -> dict[str, FamilyResult]:
    """Serve, crawl, check and export every family site; the results by family name."""
    from govinspect.checks.run import run_checks
    from govinspect.pipeline import crawl_all
    from govinspect.registry import load_registry
    from govinspect.reports.export import export_json
    from govinspect.settings import load_settings
    from govinspect.store.db import open_store

    work_dir.mkdir(parents=True, exist_ok=True)
    chosen = list(families)
    with LayoutServer(chosen, seed=seed) as server:
        config = work_dir / "layouts.yaml"
        server.write_config(config)
        registry = load_registry(config)
        settings = load_settings(
            config=config, data_dir=work_dir / "var", timeout=3.0, recheck_delay=0.3
        )
        store = open_store(settings.database_url)
        try:
            crawls = {r.unit_id: r for r in crawl_all(settings, registry, store, parallel)}
            run_id = run_checks(store, registry, server.as_of, None, settings.data_dir)
            units = {u["id"]: u for u in export_json(store, run_id, settings.data_dir)["units"]}
            return {
                fam.name: FamilyResult(
                    family=fam,
                    truth=server.truth(fam.name),
                    status=crawls[fam.name].status,
                    error=crawls[fam.name].error,
                    columns=_store_columns(store, crawls[fam.name].run_id),
                    unit=units.get(fam.name, {}),
                )
                for fam in chosen
            }
        finally:
            store.dispose()


def table(results: dict[str, FamilyResult]) -> str:
    """The per-family accuracy table (Markdown)."""
    names = list(MEASURES)
    lines = [
        "| family | " + " | ".join(names) + " |",
        "|---|" + "---|" * len(names),
    ]
    totals = dict.fromkeys(names, 0)
    for name, result in results.items():
        measures = result.measures()
        for key in names:
            totals[key] += measures[key].ok
        lines.append(f"| {name} | " + " | ".join(measures[k].cell() for k in names) + " |")
    lines.append(
        f"| **exact, of {len(results)}** | " + " | ".join(str(totals[k]) for k in names) + " |"
    )
    return "\n".join(lines)
