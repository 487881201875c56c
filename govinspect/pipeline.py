"""The whole job in one place: crawl every unit, poll feeds, probe, check, export, reports.

:func:`run_job` is the one code path of the scheduler's nightly job and of ``govinspect demo``
(the demo also probes and writes the reports; the scheduler has its own hourly probe and
quarterly report jobs).  Sits on top of the layers like ``cli.py`` and ``scheduler.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from govinspect.crawler.launch import CrawlResult
from govinspect.crawler.parallel import crawl_units
from govinspect.registry import Registry
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.store.units import sync_registry

if TYPE_CHECKING:
    from govinspect.crawler.feeds import PollSummary
    from govinspect.crawler.probe import ProbeResult
    from govinspect.reports.build import ReportResult

log = logging.getLogger("govinspect.pipeline")


def crawl_all(
    settings: Settings,
    registry: Registry,
    store: Store,
    parallel: int,
    time_limit: float | None = None,
    on_done: Callable[[CrawlResult], None] | None = None,
) -> list[CrawlResult]:
    """Crawl every unit, ``parallel`` subprocesses at once; one unit's failure stops no other.

    ``crawler.parallel.crawl_units`` runs them, as for ``govinspect crawl`` (units sharing a
    crawled host one after the other); results in registry order.
    """
    sync_registry(store, registry)

    def done(result: CrawlResult) -> None:
        if result.status != "complete":
            log.warning("crawl of %s ended %s: %s", result.unit_id, result.status, result.error)
        if on_done:
            on_done(result)

    return crawl_units(
        settings, store, registry.units, parallel, time_limit=time_limit, on_done=done
    )


def check_and_export(
    settings: Settings,
    registry: Registry,
    store: Store,
    as_of: date,
    rubric: Path | None = None,
    export_to: Path | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Run the checks; write the JSON export when asked; return the run id and the ranking."""
    import json

    from govinspect.checks.run import ranking, run_checks
    from govinspect.reports.export import export_json

    run_id = run_checks(store, registry, as_of, rubric, settings.data_dir)
    if export_to is not None:
        data = export_json(store, run_id, settings.data_dir.resolve())
        export_to.parent.mkdir(parents=True, exist_ok=True)
        export_to.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return run_id, ranking(store, run_id)


def _debugging() -> bool:
    return log.isEnabledFor(logging.DEBUG)


def has_feeds(registry: Registry, unit_ids: list[str] | None = None) -> bool:
    """Whether any selected unit (all when None) has new-media accounts to poll."""
    return any(unit.new_media for unit in registry.select(unit_ids))


#: ``on_step(step, value)``: "crawl" (a CrawlResult, once per unit as it ends), "feeds" (a
#: PollSummary), "probes" (the ProbeResults), "check" ((run id, ranking rows)), "export" (the
#: path), "reports" (the ReportResult); "feeds_failed"/"probes_failed" (the error text).
StepCallback = Callable[[str, Any], None]


@dataclass
class JobResult:
    """What one :func:`run_job` did."""

    as_of: date | None = None  # the check's monitoring date
    crawls: list[CrawlResult] = field(default_factory=list)
    feeds: PollSummary | None = None  # None: no accounts, or the poll failed (feeds_error)
    feeds_error: str | None = None
    probes: list[ProbeResult] | None = None
    probes_error: str | None = None
    check_run: int = 0
    ranking: list[dict[str, Any]] = field(default_factory=list)
    export: Path | None = None
    reports: ReportResult | None = None


def run_job(
    settings: Settings,
    registry: Registry,
    store: Store,
    as_of: date | None = None,
    *,
    parallel: int,
    time_limit: float | None = None,
    rubric: Path | None = None,
    export_to: Path | None = None,
    probe: bool = False,
    reports_to: Path | None = None,
    on_step: StepCallback | None = None,
) -> JobResult:
    """Crawl every unit, poll every feed once, optionally probe, check, export, write reports.

    ``as_of`` None: today in the registry's schedule time zone when the check starts.  A failed
    feed poll or probe round is logged and recorded in the result; the check still runs (it
    reads a missing poll as "cannot be checked", never as "not updated").
    """
    from govinspect.crawler.feeds import poll_feeds

    def step(name: str, value: Any) -> None:
        if on_step is not None:
            on_step(name, value)

    result = JobResult()
    result.crawls = crawl_all(
        settings, registry, store, parallel, time_limit, on_done=lambda r: step("crawl", r)
    )
    if has_feeds(registry):
        try:
            result.feeds = poll_feeds(store, registry, None, settings)
            step("feeds", result.feeds)
        except Exception as exc:  # noqa: BLE001 - recorded on the feeds run; the check goes on
            result.feeds_error = f"{type(exc).__name__}: {exc}"
            # The traceback only when debugging: the demo prints these lines to its user.
            log.error("feed poll failed: %s", result.feeds_error, exc_info=_debugging())
            step("feeds_failed", result.feeds_error)
    if probe:
        from govinspect.crawler.probe import probe_round

        try:
            result.probes = probe_round(store, registry, settings)
            step("probes", result.probes)
        except Exception as exc:  # noqa: BLE001 - as for the feeds
            result.probes_error = f"{type(exc).__name__}: {exc}"
            log.error("probe round failed: %s", result.probes_error, exc_info=_debugging())
            step("probes_failed", result.probes_error)
    if as_of is None:
        as_of = datetime.now(ZoneInfo(registry.schedule.timezone)).date()
    result.as_of = as_of
    result.check_run, result.ranking = check_and_export(
        settings, registry, store, as_of, rubric, export_to
    )
    step("check", (result.check_run, result.ranking))
    if export_to is not None:
        result.export = export_to
        step("export", export_to)
    if reports_to is not None:
        from govinspect.reports.build import build_reports, parse_formats

        result.reports = build_reports(
            store, registry, settings, None, None, parse_formats(None), None, reports_to
        )
        step("reports", result.reports)
    return result
