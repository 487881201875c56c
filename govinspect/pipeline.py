"""The whole job in one place: crawl every unit, poll feeds, probe, check, export.

Used by the scheduler's nightly job and by ``govinspect demo``; sits on top of the layers like
``cli.py`` and ``scheduler.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import date
from pathlib import Path
from typing import Any

from govinspect.crawler.launch import CrawlResult, run_crawl
from govinspect.registry import Registry
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.store.units import sync_registry

log = logging.getLogger("govinspect.pipeline")


def crawl_all(
    settings: Settings,
    registry: Registry,
    store: Store,
    parallel: int,
    time_limit: float | None = None,
    on_done: Callable[[CrawlResult], None] | None = None,
) -> list[CrawlResult]:
    """Crawl every unit, ``parallel`` subprocesses at once; one unit's failure stops no other."""
    sync_registry(store, registry)
    results: list[CrawlResult] = []
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = {
            pool.submit(run_crawl, settings, store, unit, True, None, False, time_limit): unit
            for unit in registry.units
        }
        for future in as_completed(futures):
            unit = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - recorded, and the others go on
                log.exception("crawl of %s failed", unit.id)
                result = CrawlResult(
                    unit.id, 0, "failed", False, {}, f"{type(exc).__name__}: {exc}"
                )
            if result.status != "complete":
                log.warning("crawl of %s ended %s: %s", unit.id, result.status, result.error)
            results.append(result)
            if on_done:
                on_done(result)
    order = {unit.id: i for i, unit in enumerate(registry.units)}
    return sorted(results, key=lambda r: order.get(r.unit_id, 0))


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
