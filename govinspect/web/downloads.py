"""Report downloads: the quarter's files from the reports folder, written on demand.

A file already in ``<data dir>/reports`` newer than the period's check run is served as it is
(e.g. the nightly ``reports`` job's, or `govinspect report --manual`'s); otherwise it is written
there by ``reports.build.build_reports``, one writer at a time per file.
"""

from __future__ import annotations

import threading
from pathlib import Path

from govinspect.checks.timeutil import aware
from govinspect.registry import Registry
from govinspect.reports.build import build_reports
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.store.models import Run
from govinspect.web.data import NotFound, RunChoice

UNIT_FORMATS = {"html": "self-check.html", "pdf": "self-check.pdf", "docx": "self-check.docx"}
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "evidence": "application/zip",
}
_locks: dict[str, threading.Lock] = {}
_guard = threading.Lock()


def file_name(period: str, unit_id: str | None, fmt: str) -> str:
    if unit_id is None:
        return f"ranking-{period}.xlsx"
    if fmt == "evidence":
        return f"{unit_id}-{period}-evidence.zip"
    return f"{unit_id}-{period}-{UNIT_FORMATS[fmt]}"


def _lock(name: str) -> threading.Lock:
    with _guard:
        return _locks.setdefault(name, threading.Lock())


def report_file(
    store: Store, settings: Settings, choice: RunChoice, unit_id: str | None, fmt: str
) -> Path:
    """The file, from the reports folder or written now (GovinspectError when it cannot be)."""
    if (
        unit_id is None
        and fmt != "xlsx"
        or unit_id is not None
        and fmt not in (*UNIT_FORMATS, "evidence")
    ):
        raise NotFound(fmt)
    out_dir = Path(settings.reports_dir)
    name = file_name(choice.period.code, unit_id, fmt)
    path = out_dir / name
    with store.session() as session:
        run = session.get(Run, choice.run_id)
        finished = aware(run.finished_at) if run is not None and run.finished_at else None
    with _lock(name):
        if path.is_file() and finished is not None and path.stat().st_mtime >= finished.timestamp():
            return path
        build_reports(
            store,
            Registry(units=[]),
            settings,
            choice.period.code,
            [unit_id] if unit_id else None,
            {fmt},
            None,
            out_dir,
        )
    if not path.is_file():
        raise NotFound(name)
    return path
