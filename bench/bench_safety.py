"""Crawl cost of the content-safety extraction (issue 18): the bench site crawled with the
``content_safety`` setting on and off, alternating, a fresh data folder per crawl.

    .venv/bin/python bench/bench_safety.py [--urls 2000] [--rounds 3] [--out bench/out/safety.json]

The site is ``bench/site_gen.py``'s (a smaller scale than the peer benchmark, so it runs in
minutes on the shared 2-core machine), served by nginx when installed, else by the aiohttp
fallback of ``bench/servers.py``.  Reported: the median wall time of each mode, the slowdown,
and the requests the server saw (reading attachments costs one more GET each).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import yaml  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.servers import StaticServer  # noqa: E402
from bench.site_gen import ensure_site  # noqa: E402
from govinspect.crawler.launch import run_crawl  # noqa: E402
from govinspect.registry import load_registry  # noqa: E402
from govinspect.settings import load_settings  # noqa: E402
from govinspect.store.db import open_store  # noqa: E402
from govinspect.store.models import Page, SafetyFact  # noqa: E402
from govinspect.store.units import sync_registry  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def crawl(base: str, safety: bool, server: StaticServer) -> dict:
    with tempfile.TemporaryDirectory(prefix="govinspect-bench-safety-") as tmp:
        config = Path(tmp) / "govinspect.yaml"
        unit = {"id": "bench", "name": "示范县人民政府", "category": "county", "website": base}
        config.write_text(yaml.safe_dump({"units": [unit]}, allow_unicode=True), "utf-8")
        registry = load_registry(config)
        settings = load_settings(
            config=config,
            data_dir=Path(tmp) / "var",
            content_safety=safety,
            http_cache=False,
            recheck_delay=0.5,
        )
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        mark = server.log.mark()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = run_crawl(settings, store, registry.units[0], progress=False)
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU seconds of the crawl subprocess: far less sensitive than wall time to the other
        # work sharing the 2 cores.
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        with store.session() as session:
            pages = session.scalar(
                select(func.count()).select_from(Page).where(Page.run_id == result.run_id)
            )
            facts = session.scalar(
                select(func.count())
                .select_from(SafetyFact)
                .where(SafetyFact.run_id == result.run_id)
            )
        store.dispose()
        requests = len(server.log.entries(mark))
    return {
        "safety": safety,
        "status": result.status,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "pages": pages,
        "safety_rows": facts,
        "requests": requests,
        "load_before": round(os.getloadavg()[0], 2),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT / "safety.json")
    args = parser.parse_args()
    site = OUT / f"safety-site-{args.urls}"
    truth = ensure_site(site, args.urls)
    runs = []
    with StaticServer({"127.0.0.1": site}) as server:
        base = server.base_url()
        crawl(base, True, server)  # warm-up: imports, page cache, the server's first answers
        for n in range(args.rounds):
            # Alternate the order so a drifting machine load hits both modes alike.
            for safety in (True, False) if n % 2 == 0 else (False, True):
                runs.append(crawl(base, safety, server))
                print(json.dumps(runs[-1]), flush=True)
        engine = server.engine
    on = [r["wall_s"] for r in runs if r["safety"]]
    off = [r["wall_s"] for r in runs if not r["safety"]]
    cpu_on = [r["cpu_s"] for r in runs if r["safety"]]
    cpu_off = [r["cpu_s"] for r in runs if not r["safety"]]
    summary = {
        "site_urls": args.urls,
        "site_pages": len(truth.pages),
        "server": engine,
        "rounds": args.rounds,
        "median_on_s": statistics.median(on),
        "median_off_s": statistics.median(off),
        "slowdown": round(statistics.median(on) / statistics.median(off) - 1, 3),
        "median_cpu_on_s": statistics.median(cpu_on),
        "median_cpu_off_s": statistics.median(cpu_off),
        "cpu_slowdown": round(statistics.median(cpu_on) / statistics.median(cpu_off) - 1, 3),
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(summary, indent=2), "utf-8")
    print(json.dumps({k: v for k, v in summary.items() if k != "runs"}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
