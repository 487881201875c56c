"""Crawl benchmark on the demo town: pages/s, links/s and peak RSS of the crawl subprocess.

    .venv/bin/python bench/bench_crawl.py --scale 20 [--unit county] [--resume-check]

With ``--resume-check`` it also kills a crawl mid-way (SIGKILL), resumes it, and compares the
final pages, links and link outcomes with those of the uninterrupted crawl.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, select  # noqa: E402

from govinspect.crawler.launch import build_plan, open_run, run_crawl  # noqa: E402
from govinspect.demo import DemoServer, build_town  # noqa: E402
from govinspect.registry import load_registry  # noqa: E402
from govinspect.settings import load_settings  # noqa: E402
from govinspect.store.db import open_store  # noqa: E402
from govinspect.store.models import Link, LinkCheck, Page  # noqa: E402
from govinspect.store.units import sync_registry  # noqa: E402


def facts(store, run_id: int) -> dict:
    with store.session() as session:
        return {
            "pages": set(session.scalars(select(Page.url).where(Page.run_id == run_id))),
            "links": session.scalar(
                select(func.count()).select_from(Link).where(Link.run_id == run_id)
            ),
            "checks": set(
                session.execute(
                    select(LinkCheck.target_url, LinkCheck.outcome).where(
                        LinkCheck.run_id == run_id
                    )
                ).all()
            ),
        }


def crawl_once(settings, store, unit) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    result = run_crawl(settings, store, unit, progress=False)
    wall = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    got = facts(store, result.run_id)
    urls = len(got["checks"])
    return {
        "status": result.status,
        "run_id": result.run_id,
        "wall_s": round(wall, 1),
        "pages": len(got["pages"]),
        "links": got["links"],
        "urls_verified": urls,
        "pages_per_s": round(len(got["pages"]) / wall, 1),
        "links_per_s": round(got["links"] / wall, 1),
        "urls_per_s": round(urls / wall, 1),
        # ru_maxrss of children is the largest child so far; meaningful for the first crawl.
        "peak_rss_mb": round(max(peak_kib, before) / 1024, 1),
    }


def resume_check(settings_factory, registry, unit, reference: dict, store_ref) -> dict:
    settings = settings_factory("killed")
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    run_id, _ = open_run(store, unit.id, resume=True)
    plan = Path(settings.data_dir) / "plan.json"
    plan.parent.mkdir(parents=True, exist_ok=True)
    plan.write_text(build_plan(settings, unit, run_id, resume=False).to_json())
    child = subprocess.Popen(
        [sys.executable, "-m", "govinspect.crawler.runner", str(plan)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    target = len(reference["pages"]) // 2
    while child.poll() is None:
        with store.session() as session:
            done = session.scalar(
                select(func.count()).select_from(Page).where(Page.run_id == run_id)
            )
        if done >= target:
            os.kill(child.pid, signal.SIGKILL)
            break
        time.sleep(0.1)
    child.wait()
    killed_at = len(facts(store, run_id)["pages"])
    resumed = run_crawl(settings, store, unit, progress=False)
    got = facts(store, run_id)
    diff = sorted(got["checks"] ^ reference["checks"])
    return {
        "outcome_differences": [list(d) for d in diff][:20],
        "killed_after_pages": killed_at,
        "resumed_status": resumed.status,
        "same_pages": got["pages"] == reference["pages"],
        "same_link_rows": got["links"] == reference["links"],
        "same_outcomes": got["checks"] == reference["checks"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--unit", default="county")
    parser.add_argument("--resume-check", action="store_true")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="govinspect-bench-"))
    with DemoServer(build_town(scale=args.scale), slow_seconds=0.5, hang_seconds=12) as server:
        server.write_config(tmp / "govinspect.yaml")
        registry = load_registry(tmp / "govinspect.yaml")
        unit = registry.get(args.unit)

        def settings_for(name: str):
            return load_settings(
                config=tmp / "govinspect.yaml",
                data_dir=tmp / name,
                timeout=3.0,
                recheck_delay=0.5,
            )

        settings = settings_for("ref")
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        result = {
            "scale": args.scale,
            "unit": args.unit,
            "crawl": crawl_once(settings, store, unit),
        }
        if args.resume_check:
            reference = facts(store, result["crawl"]["run_id"])
            result["resume"] = resume_check(settings_for, registry, unit, reference, store)
    text = json.dumps(result, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
