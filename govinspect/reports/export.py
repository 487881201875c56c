"""JSON and CSV exports of a check run (the public contract: docs/export.schema.json).

The JSON keeps the keys promised in issue 5 (schema_version 1) and adds more: every finding
with its id, every deduction naming the finding that caused it, update figures, unknown links.
The CSV has one row per finding.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from govinspect.checks.run import latest_check_run
from govinspect.errors import GovinspectError
from govinspect.store.db import Store
from govinspect.store.models import Finding, Run, Score, Unit

SCHEMA_VERSION = 1
CSV_FIELDS = (
    "run_id", "as_of", "unit_id", "unit_name", "category", "finding_id", "check", "indicator",
    "rule", "severity", "count", "points", "message", "urls", "evidence",
)  # fmt: skip


def _run(session: Any, run_id: int | None) -> Run:
    if run_id is None:
        run = latest_check_run(session)
        if run is None:
            raise GovinspectError("no completed check run to export (run `govinspect check` first)")
        return run
    run = session.get(Run, run_id)
    if run is None or run.kind != "check":
        raise GovinspectError(f"no check run with id {run_id}")
    return run


def _finding(row: Finding) -> dict[str, Any]:
    evidence = dict(row.evidence or {})
    return {
        "id": row.id,
        "check": row.check,
        "indicator": row.indicator,
        "rule": evidence.get("rule"),
        "severity": row.severity,
        "count": evidence.get("count", 1),
        "message": row.message,
        "urls": list(row.urls or []),
        "evidence": evidence,
    }


def _scores(rows: list[Score], dimensions: list[dict[str, Any]]) -> dict[str, Any]:
    stored = {row.dimension: row for row in rows}
    out: dict[str, Any] = {}
    for dimension in dimensions:
        row = stored.get(dimension["name"])
        out[dimension["name"]] = (
            {"score": row.score, "max": row.max, "items": list(row.items or [])}
            if row is not None
            else {"score": None, "max": dimension["max"], "items": []}
        )
    return out


def _defaults(unit: Unit) -> dict[str, Any]:
    """Report sections of a unit no check could fill (no crawl): empty, never invented."""
    return {
        "homepage": {"url": unit.website, "last_update": None},
        "dead_links": [],
        "unknown_links": [],
        "columns": [],
        "interpretation": {
            "column_url": None,
            "documents_without_interpretation": [],
            "interpretations_without_backlink": [],
            "copied_interpretations": [],
        },
        "disclosure": {
            "guide_url": None,
            "annual_report_years": [],
            "latest_annual_report_missing": None,
        },
        "new_media": [],
        "interaction": {"letters": None, "consultations": [], "interviews": None},
    }


def _unit(
    unit: Unit,
    info: dict[str, Any],
    rubric: dict[str, Any],
    scores: list[Score],
    findings: list[Finding],
) -> dict[str, Any]:
    report = {**_defaults(unit), **(info.get("report") or {})}
    exported = [_finding(row) for row in findings]
    return {
        "id": unit.id,
        "name": unit.name,
        "category": unit.category,
        "website": unit.website,
        "site_code": unit.site_code,
        "assessed": bool(info.get("assessed")),
        "failed": bool(info.get("failed")),
        "total": info.get("total"),
        "max": info.get("max"),
        "rubric": rubric.get("name"),
        "scores": _scores(scores, rubric.get("dimensions", [])),
        "unknown_items": list(info.get("unknown_items") or []),
        "vetoes": [
            {
                "indicator": f["indicator"],
                "detail": f["message"],
                "finding_id": f["id"],
                "check": f["check"],
            }
            for f in exported
            if f["severity"] == "veto"
        ],
        **report,
        "findings": exported,
    }


def export_json(store: Store, run_id: int | None = None, data_dir: Path | None = None) -> dict:
    """The export of a check run (the latest complete one when ``run_id`` is None).

    ``data_dir`` is where WARC paths in the evidence (``warc_file``) are relative to; it is
    written as ``warc_base`` so a reader can open the archived responses.
    """
    with store.session() as session:
        run = _run(session, run_id)
        summary = run.summary or {}
        order = list(summary.get("order", []))
        units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(order)))}
        scores: dict[str, list[Score]] = {}
        for row in session.scalars(select(Score).where(Score.run_id == run.id).order_by(Score.id)):
            scores.setdefault(row.unit_id, []).append(row)
        findings: dict[str, list[Finding]] = {}
        for row in session.scalars(
            select(Finding).where(Finding.run_id == run.id).order_by(Finding.id)
        ):
            findings.setdefault(row.unit_id, []).append(row)
        infos = summary.get("units", {})
        rubrics = summary.get("rubrics", {})
        exported = [
            _unit(
                units[uid], infos[uid], rubrics.get(units[uid].category, {}),
                scores.get(uid, []), findings.get(uid, []),
            )
            for uid in order if uid in units and uid in infos
        ]  # fmt: skip
        return {
            "schema_version": SCHEMA_VERSION,
            "as_of": run.as_of.isoformat() if run.as_of else None,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "run_id": run.id,
            "run_status": run.status,
            "rubrics": rubrics,
            "calendar": summary.get("calendar"),
            "warc_base": str(Path(data_dir).resolve()) if data_dir is not None else None,
            "units": exported,
        }


def _points(unit: dict[str, Any]) -> dict[int, float]:
    """Points each finding took (before the per-item cap), by finding id."""
    points: dict[int, float] = {}
    for dimension in unit["scores"].values():
        for item in dimension["items"]:
            for deduction in item.get("deductions", []):
                points[deduction["finding_id"]] = deduction["points"]
    return points


def export_csv(store: Store, run_id: int | None, out: TextIO, data_dir: Path | None = None) -> int:
    """Write one CSV row per finding of a check run; returns the number of rows."""
    data = export_json(store, run_id, data_dir)
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
    writer.writeheader()
    rows = 0
    for unit in data["units"]:
        points = _points(unit)
        for finding in unit["findings"]:
            writer.writerow({
                "run_id": data["run_id"],
                "as_of": data["as_of"],
                "unit_id": unit["id"],
                "unit_name": unit["name"],
                "category": unit["category"],
                "finding_id": finding["id"],
                "check": finding["check"],
                "indicator": finding["indicator"],
                "rule": finding["rule"],
                "severity": finding["severity"],
                "count": finding["count"],
                "points": points.get(finding["id"], 0),
                "message": finding["message"],
                "urls": " ".join(finding["urls"]),
                "evidence": json.dumps(finding["evidence"], ensure_ascii=False, sort_keys=True),
            })  # fmt: skip
            rows += 1
    return rows
