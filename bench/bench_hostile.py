"""Crawl the hostile fixture site (bombs, trickles, traps, broken pages) and report the bounds.

    .venv/bin/python bench/bench_hostile.py [--out bench/out/hostile.json]

Prints wall time, peak RSS of the crawl subprocess and which caps triggered; docs/operations.md
states the bounds these numbers support.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from govinspect.crawler.launch import run_crawl  # noqa: E402
from govinspect.registry import parse_registry  # noqa: E402
from govinspect.settings import load_settings  # noqa: E402
from govinspect.store.db import open_store  # noqa: E402
from govinspect.store.units import sync_registry  # noqa: E402
from tests.hostile_site import hostile_server  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="govinspect-hostile-"))
    with hostile_server() as site:
        registry = parse_registry(
            {
                "units": [
                    {
                        "id": "evil",
                        "name": "恶意站",
                        "category": "county",
                        "website": site.base + "/",
                    }
                ]
            }
        )
        # Production defaults except the timeout, so the slow traps cost seconds, not minutes.
        settings = load_settings(data_dir=tmp / "var", timeout=5.0, recheck_delay=1.0)
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        started = time.perf_counter()
        result = run_crawl(settings, store, registry.units[0], progress=False)
        wall = time.perf_counter() - started
        store.dispose()
    report = {
        "status": result.status,
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "pages": result.summary.get("pages"),
        "outcomes": result.summary.get("outcomes"),
        "truncated": {k: v["count"] for k, v in result.summary.get("truncated", {}).items()},
        "settings": {
            "timeout_s": settings.timeout,
            "max_response_bytes": settings.max_response_bytes,
            "max_pages": settings.max_pages,
            "max_depth": settings.max_depth,
            "max_links_per_page": settings.max_links_per_page,
            "max_url_length": settings.max_url_length,
        },
    }
    text = json.dumps(report, indent=2, ensure_ascii=False)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
