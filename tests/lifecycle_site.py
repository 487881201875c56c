"""Hand-made crawls of one small unit, for the lifecycle, digest and report tests.

``record_crawl`` writes what the crawler would: a complete crawl run, the homepage (dated,
with its footer) and one homepage link per target with its verification (``LinkCheck``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from govinspect.registry import load_registry
from govinspect.store.models import Link, LinkCheck, Page, Run

BASE = "https://www.sfz.gov.cn/"
UNIT = {
    "id": "sfz",
    "name": "示范镇人民政府",
    "category": "county",
    "website": BASE,
    "site_code": "4102210099",
}


def write_registry(path: Path, **extra: Any) -> Path:
    unit = {**UNIT, **extra.pop("unit", {})}
    path.write_text(
        yaml.safe_dump({"units": [unit], **extra}, allow_unicode=True), encoding="utf-8"
    )
    return path


def registry_at(path: Path, **extra: Any):
    return load_registry(write_registry(path, **extra))


def record_crawl(
    store, started: datetime, dead: dict[str, int], *, newest: date | None = None
) -> int:
    """A complete crawl; ``dead`` maps a path to the HTTP status it answered (404, 500 ...)."""
    with store.session() as session:
        run = Run(
            kind="crawl",
            unit_id=UNIT["id"],
            status="complete",
            started_at=started,
            finished_at=started + timedelta(minutes=30),
            summary={"truncated": {}},
        )
        session.add(run)
        session.flush()
        home = Page(
            run_id=run.id,
            url=BASE,
            status=200,
            is_homepage=True,
            title=UNIT["name"],
            fetched_at=started,
            meta={"newest_item": (newest or started.date()).isoformat()},
        )
        session.add(home)
        session.flush()
        for path, status in dead.items():
            target = BASE + path
            session.add(
                Link(
                    run_id=run.id,
                    page_id=home.id,
                    target_url=target,
                    raw_url=path,
                    anchor_text=f"链接{path}",
                    tag="a",
                    attr="href",
                    kind="page",
                    on_homepage=True,
                )
            )
            session.add(
                LinkCheck(
                    run_id=run.id,
                    target_url=target,
                    outcome="ok" if status < 400 else "http_error",
                    status=status,
                    checked_at=started,
                    attempts=[{"method": "GET", "status": status}],
                )
            )
        return run.id


def at(day: date, hour: int = 1) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
