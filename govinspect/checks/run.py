"""A check run: judge the latest facts of every unit, store findings and scores, rank units."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from govinspect.checks import (
    availability,
    column_freshness,
    content_safety,
    crawl_state,
    dead_links,
    disclosure,
    homepage_update,
    interaction,
    interpretation,
    lifecycle,
    lifecycle_store,
    new_media,
    self_check,
    site_norms,
    update_frequency,
)
from govinspect.checks.evidence_age import date_evidence, finding_urls
from govinspect.checks.facts import UnitFacts, load_unit_facts, unit_info
from govinspect.checks.facts_age import observed_times
from govinspect.checks.findings import CheckResult, Finding
from govinspect.checks.rubric import Rubric, load_rubrics
from govinspect.checks.scoring import UnitScore, score_unit
from govinspect.checks.tables import label
from govinspect.checks.timeutil import aware
from govinspect.checks.workdays import calendar_info, uncovered_years, warn_fallback
from govinspect.errors import GovinspectError
from govinspect.registry import Registry
from govinspect.store.db import Store
from govinspect.store.models import Finding as FindingRow
from govinspect.store.models import Run, Score, Unit
from govinspect.store.units import sync_registry

Check = Callable[[UnitFacts, date, Rubric], CheckResult]

#: Checks that need a crawl, in report order.
CRAWL_CHECKS: tuple[Check, ...] = (
    homepage_update.check,
    column_freshness.check,
    update_frequency.check,
    dead_links.check,
    disclosure.check,
    interpretation.check,
    interaction.check,
    site_norms.check,
    self_check.check,
    content_safety.check,
)
#: Checks that judge facts of their own (probes, feeds): they run with or without a crawl.
OTHER_CHECKS: tuple[Check, ...] = (crawl_state.check, availability.check, new_media.check)


def evaluate(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    """Every check on one unit's facts: all findings, and the unit's report sections."""
    checks = OTHER_CHECKS + (CRAWL_CHECKS if facts.crawl is not None else ())
    combined = CheckResult()
    for check in checks:
        result = check(facts, as_of, rubric)
        combined.findings.extend(result.findings)
        combined.report.update(result.report)
    combined.report = unit_report(combined.report)
    return combined


def unit_report(sections: dict[str, Any]) -> dict[str, Any]:
    """The checks' report sections, with each column's update figures put on its row."""
    report = dict(sections)
    figures = report.get("update_frequency") or {}
    per_column = figures.get("columns", {})
    report["columns"] = [
        {**row, "frequency": per_column.get(row["url"])} for row in report.get("columns", [])
    ]
    if figures:
        report["update_frequency"] = {k: v for k, v in figures.items() if k != "columns"}
    return report


def _rubric_info(rubric: Rubric) -> dict[str, Any]:
    return {
        "name": rubric.name,
        "source": rubric.source,
        "version": rubric.version,
        "sha256": rubric.digest,
        "max": rubric.max_total,
        "pass_score": rubric.pass_score,
        "dimensions": [{"name": d.name, "max": d.max} for d in rubric.dimensions],
    }


def _calendar(as_of: date, rubrics: dict[str, Rubric]) -> dict[str, Any]:
    """The working-day calendar of the run, and the years of its window it does not know.

    The window is the longest document lookback of the rubrics: the checks count working days
    only between dates inside it.  Those years are counted Monday to Friday (checks/workdays.py
    logs a warning and the findings say so).
    """
    lookback = max(
        (
            max(
                r.thresholds.interpretation.document_lookback_days,
                r.thresholds.disclosure.document_lookback_days,
                r.thresholds.interaction.lookback_days,
            )
            for r in rubrics.values()
        ),
        default=0,
    )
    years = uncovered_years(as_of - timedelta(days=lookback), as_of)
    for year in years:
        warn_fallback(year)
    return {**calendar_info(), "fallback_years": list(years)}


def _store_findings(
    session: Any, run_id: int, unit_id: str, seen: list[lifecycle.Seen]
) -> list[tuple[int, Finding]]:
    rows = [
        FindingRow(
            run_id=run_id,
            unit_id=unit_id,
            check=s.finding.check,
            indicator=s.finding.indicator,
            severity=s.finding.severity,
            message=s.finding.message,
            urls=list(s.finding.urls),
            evidence=s.finding.stored_evidence(),
            key=s.key,
            status=s.state.status,
            first_seen=s.state.first_seen,
            last_seen=s.state.last_seen,
            deadline=s.state.deadline,
        )
        for s in seen
    ]
    session.add_all(rows)
    session.flush()
    return [(row.id, s.finding) for row, s in zip(rows, seen, strict=True)]


def _mark_ignored_links(report: dict[str, Any], seen: list[lifecycle.Seen]) -> None:
    """Dead links an operator ignored stay listed, marked, and out of the dead-link count."""
    ignored = {
        s.finding.subject
        for s in seen
        if s.finding.check == dead_links.CHECK and s.finding.suppressed == "ignored"
    }
    for row in report.get("dead_links") or []:
        if row["url"] in ignored:
            row["ignored"] = True


def fact_bases(facts: UnitFacts, as_of: date, report: dict[str, Any]) -> dict[str, Any]:
    """The facts this run judged each family of findings on (see ``lifecycle.Basis``)."""
    bases: dict[str, lifecycle.Basis] = {}
    crawl = facts.crawl
    if crawl is not None:
        started = aware(crawl.started_at).astimezone(UTC)
        bases["crawl"] = lifecycle.Basis(
            "crawl",
            f"{started.isoformat()}#{crawl.id:010d}",
            complete=not facts.truncated,
            info={"run": crawl.id, "started_at": started.isoformat()},
        )
    availability = report.get("availability") or {}
    window_end = (as_of - timedelta(days=1)).isoformat()
    bases["probes"] = lifecycle.Basis(
        "probes",
        window_end,
        complete=bool(availability.get("complete_coverage")),
        info={"window_end": window_end},
    )
    for account in report.get("new_media") or []:
        subject = new_media.account_subject(account["platform"], account["name"])
        bases[f"feeds:{subject}"] = lifecycle.Basis(
            "feeds",
            account.get("last_ok_poll") or "",
            complete=account.get("state") in ("ok", "stale") and bool(account.get("last_ok_poll")),
            info={"last_ok_poll": account.get("last_ok_poll")},
        )
    return bases


def _store_scores(session: Any, run_id: int, unit_id: str, score: UnitScore) -> None:
    session.add_all(
        Score(
            run_id=run_id,
            unit_id=unit_id,
            dimension=d.name,
            score=d.score,
            max=d.max,
            items=d.items,
            failed=score.failed,
        )
        for d in score.dimensions
    )


def _check_unit(
    store: Store, run_id: int, entry: Any, as_of: date, rubric: Rubric, data_dir: Path
) -> dict[str, Any]:
    with store.session() as session:
        facts = load_unit_facts(session, unit_info(entry), as_of, rubric, data_dir)
        result = evaluate(facts, as_of, rubric)
        if facts.crawl is not None:
            # Findings resting on facts the crawl carried forward say how old they are.
            urls = [u for f in result.findings for u in finding_urls(f)]
            observed = observed_times(session, facts.crawl.id, urls)
            result.findings = date_evidence(result.findings, observed)
        bases = fact_bases(facts, as_of, result.report)
        outcome = lifecycle.advance(
            lifecycle_store.load_states(session, entry.id),
            lifecycle.keyed(entry.id, result.findings),
            lambda check, subject: bases.get(lifecycle.basis_key(check, subject)),
            as_of,
            rubric,
        )
        _mark_ignored_links(result.report, outcome.seen)
        stored = _store_findings(session, run_id, entry.id, outcome.seen)
        ids = {s.key: finding_id for s, (finding_id, _) in zip(outcome.seen, stored, strict=True)}
        lifecycle_store.save(session, entry.id, outcome, run_id, as_of, ids)
        assessed = facts.crawl is not None
        score = score_unit(stored, rubric)
        if assessed:
            _store_scores(session, run_id, entry.id, score)
        return {
            "assessed": assessed,
            "rubric": entry.category.value,
            "total": score.total if assessed else None,
            "max": score.max,
            "failed": score.failed if assessed else bool(score.vetoes),
            "below_pass": score.below_pass if assessed else None,
            "vetoes": score.vetoes,
            "unknown_items": score.unknown_items if assessed else [],
            "report": result.report,
        }


def run_checks(
    store: Store,
    registry: Registry,
    as_of: date,
    rubric_path: Path | None,
    data_dir: Path,
    unit_ids: list[str] | None = None,
) -> int:
    """Judge the latest complete crawl of each unit as of ``as_of``; returns the check run id.

    Findings and scores are stored per unit as it is judged; the run's summary keeps each
    unit's report sections (columns, dead links, ...) for the export.  A unit without a
    complete crawl gets a notice and no scores (it is not assessed), never full marks.  Each
    unit's findings also advance their lifecycle (``checks/lifecycle.py``) in the same
    transaction: keys, new/open/fixed/reopened, and the operators' ignores and confirmations,
    which decide what the scores count.
    """
    units = registry.select(unit_ids)
    rubrics = load_rubrics(rubric_path, sorted({u.category.value for u in units}))
    sync_registry(store, registry)
    with store.session() as session:
        run = Run(
            kind="check",
            as_of=as_of,
            status="running",
            summary={
                "rubrics": {k: _rubric_info(r) for k, r in rubrics.items()},
                "units": {},
                "order": [u.id for u in units],
                "data_dir": str(data_dir),
                "calendar": _calendar(as_of, rubrics),
            },
        )
        session.add(run)
        session.flush()
        run_id = run.id
    done: dict[str, Any] = {}
    try:
        for entry in units:
            done[entry.id] = _check_unit(
                store, run_id, entry, as_of, rubrics[entry.category.value], data_dir
            )
    except BaseException as exc:
        message = str(exc) if isinstance(exc, GovinspectError) else f"{type(exc).__name__}: {exc}"
        _update_run(store, run_id, units=done, status="failed", error=message[:2000])
        raise
    # The reports are written once, at the end: rewriting a growing JSON after every unit
    # would cost quadratic time on a large registry.
    _update_run(store, run_id, units=done, status="complete")
    return run_id


def _update_run(
    store: Store,
    run_id: int,
    *,
    units: dict[str, Any],
    status: str,
    error: str | None = None,
) -> None:
    with store.session() as session:
        run = session.get(Run, run_id)
        assert run is not None, "the check run was created above"
        run.summary = {**(run.summary or {}), "units": units}
        run.status = status
        run.error = error
        run.finished_at = datetime.now(UTC)


def latest_check_run(session: Any) -> Run | None:
    return session.scalars(
        select(Run)
        .where(Run.kind == "check", Run.status == "complete")
        .order_by(Run.started_at.desc(), Run.id.desc())
    ).first()


def _verdict(assessed: bool, failed: bool) -> str:
    # A veto needs no crawl (the availability veto comes from probes alone).
    if failed:
        return "failed"
    return "passed" if assessed else "not_assessed"


def ranking(store: Store, run_id: int) -> list[dict[str, Any]]:
    """Rows for a ranking table: passed units first, then by total points (highest first).

    Each row: ``rank``, ``unit``, ``name``, ``category``, ``scores`` (dimension -> points, in
    rubric order), ``max`` (dimension -> maximum), ``total``, ``max_total``, ``failed``,
    ``verdict`` (passed / failed / not assessed, in Chinese), ``assessed``, ``vetoes``
    (indicators of the veto findings).
    """
    with store.session() as session:
        run = session.get(Run, run_id)
        if run is None or run.kind != "check":
            raise GovinspectError(f"no check run with id {run_id}")
        summary = run.summary or {}
        units = {u.id: u for u in session.scalars(select(Unit))}
        scores: dict[str, list[Score]] = {}
        for row in session.scalars(select(Score).where(Score.run_id == run_id).order_by(Score.id)):
            scores.setdefault(row.unit_id, []).append(row)
        vetoes: dict[str, list[str]] = {}
        for unit_id, indicator in session.execute(
            select(FindingRow.unit_id, FindingRow.indicator)
            .where(FindingRow.run_id == run_id, FindingRow.severity == "veto")
            .order_by(FindingRow.id)
        ):
            vetoes.setdefault(unit_id, []).append(indicator)
    rows = []
    for unit_id in summary.get("order", []):
        info = summary.get("units", {}).get(unit_id)
        unit = units.get(unit_id)
        if info is None or unit is None:
            continue
        dims = scores.get(unit_id, [])
        assessed = info.get("assessed", bool(dims))
        rows.append(
            {
                "unit": unit_id,
                "name": unit.name,
                "category": unit.category,
                "scores": {d.dimension: d.score for d in dims},
                "max": {d.dimension: d.max for d in dims},
                "total": info.get("total"),
                "max_total": info.get("max"),
                "failed": bool(info.get("failed")),
                "verdict": label("verdicts", _verdict(assessed, bool(info.get("failed")))),
                "assessed": assessed,
                "vetoes": vetoes.get(unit_id, []),
            }
        )
    rows.sort(key=lambda r: (not r["assessed"], r["failed"], -(r["total"] or 0), r["unit"]))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    return rows
