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

from govinspect.checks.evidence_age import evidence_age
from govinspect.checks.lifecycle_store import actions_of, fixed_in_run
from govinspect.checks.run import latest_check_run
from govinspect.errors import GovinspectError
from govinspect.store.db import Store
from govinspect.store.models import Finding, Run, Score, Unit

SCHEMA_VERSION = 1
CSV_FIELDS = (
    "run_id", "as_of", "unit_id", "unit_name", "category", "finding_id", "check", "indicator",
    "rule", "severity", "count", "points", "message", "urls", "evidence", "key", "status",
    "first_seen", "deadline", "suppressed",
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


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _finding(row: Finding, actions: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    evidence = dict(row.evidence or {})
    suppressed = evidence.get("suppressed")
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
        "key": row.key,
        "subject": evidence.get("subject"),
        # Facts a crawl plan carried forward keep their time (checks/evidence_age.py).
        "observed_at": evidence.get("observed_at"),
        "status": row.status,
        "first_seen": _iso(row.first_seen),
        "last_seen": _iso(row.last_seen),
        "deadline": _iso(row.deadline),
        "suppressed": suppressed.get("by") if isinstance(suppressed, dict) else None,
        "actions": actions.get(row.key, []) if row.key else [],
    }


def _warnings(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """Early warnings (预警) of the unit in this run: how many, how many new, per rule."""
    warnings = [f for f in findings if f["severity"] == "warning"]
    rules: dict[str, int] = {}
    for f in warnings:
        rules[f["rule"]] = rules.get(f["rule"], 0) + 1
    return {
        "total": len(warnings),
        "new": sum(1 for f in warnings if f["status"] in ("new", "reopened")),
        "rules": rules,
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
        "missing_anchors": [],
        "not_checked_links": [],
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
        "excluded_links": [],
        "self_check": {"quarters": []},
        "content_safety": {
            "hidden_links": [],
            "privacy": [],
            "wording": [],
            "outbound": [],
            "defacement": None,
        },
        "interaction": {"letters": None, "consultations": [], "interviews": None},
    }


def _unit(
    unit: Unit,
    info: dict[str, Any],
    rubric: dict[str, Any],
    scores: list[Score],
    findings: list[Finding],
    actions: dict[str, list[dict[str, Any]]],
    fixed: list[dict[str, Any]],
) -> dict[str, Any]:
    report = {**_defaults(unit), **(info.get("report") or {})}
    exported = [_finding(row, actions) for row in findings]
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
        "fixed_since_previous": fixed,
        "warnings": _warnings(exported),
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
        keys = [row.key for rows in findings.values() for row in rows if row.key]
        # The audit trail as it stood when the run ended (a later action shows in later runs).
        actions = actions_of(session, keys, until=run.finished_at)
        fixed = fixed_in_run(session, run.id)
        exported = [
            _unit(
                units[uid], infos[uid], rubrics.get(units[uid].category, {}),
                scores.get(uid, []), findings.get(uid, []), actions, fixed.get(uid, []),
            )
            for uid in order if uid in units and uid in infos
        ]  # fmt: skip
        if run.as_of is not None:
            for unit in exported:
                for finding in unit["findings"]:
                    finding["evidence_age"] = evidence_age(finding["evidence"], run.as_of)
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
                "key": finding["key"],
                "status": finding["status"],
                "first_seen": finding["first_seen"],
                "deadline": finding["deadline"],
                "suppressed": finding["suppressed"],
            })  # fmt: skip
            rows += 1
    return rows
