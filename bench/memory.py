"""Memory growth: govinspect's peak RSS on bench sites of growing size.

    .venv/bin/python bench/memory.py [--sizes 10000,30000] [--with-100k]

One ``govinspect crawl`` per size (a fresh data dir each), on the same kind of site as the peer
comparison, served by nginx.  Peak RSS is the whole process tree (the CLI and its crawl
subprocess) and, separately, the largest single process (the crawl).  Growth between sizes is
given as MB per 1,000 URLs and as the exponent ``a`` of RSS ∝ URLs^a; sub-linear growth means
the per-URL cost falls as the site grows.  Results go to ``bench/out/memory.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from harness import run_tool, site_context
from peers import DEFAULT_PEERS_DIR, Govinspect
from servers import StaticServer, exit_on_sigterm
from site_gen import ensure_site

OUT_DIR = Path(__file__).resolve().parent / "out"
DEFAULT_SIZES = (10_000, 30_000)
LARGE_SIZE = 100_000
RUN_TIMEOUT = 3 * 3600.0
#: Target from issue 6: peak RSS at 30k URLs.
TARGET_MB_AT_30K = 300


def measure_size(
    out: Path,
    urls: int,
    engine: str = "auto",
    peers_dir: Path = DEFAULT_PEERS_DIR,
    source: Path | None = None,
) -> dict[str, Any]:
    site = out / "sites" / f"site-{urls}"
    truth = ensure_site(site, urls)
    runs_dir = out / "runs" / f"memory-{urls}-{time.strftime('%Y%m%d-%H%M%S')}"
    tool = Govinspect(peers_dir, source)
    with StaticServer({"127.0.0.1": site}, engine=engine) as server:
        ctx = site_context(server, truth, runs_dir, peers_dir)
        result = run_tool(tool, server, truth, ctx, RUN_TIMEOUT)
    shutil.rmtree(tool.data_dir(ctx), ignore_errors=True)
    return point(urls, truth.total, result)


def point(urls: int, total: int, result: dict[str, Any]) -> dict[str, Any]:
    """The fields of one crawl that the memory report keeps."""
    return {
        "urls_requested": urls,
        "urls": total,
        "wall_s": result["wall_s"],
        "peak_rss_mb": result["peak_rss_mb"],
        "tree_rss_mb": result["tree_rss_mb"],
        "single_rss_mb": result["single_rss_mb"],
        "pages": result.get("facts", {}).get("pages"),
        "exact_broken_set": result["broken"].get("exact"),
        "exit_code": result["exit_code"],
    }


def growth(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per interval: MB per 1,000 URLs, and the exponent of RSS ∝ URLs^a."""
    ordered = sorted(points, key=lambda p: p["urls"])
    steps = []
    for a, b in zip(ordered, ordered[1:], strict=False):
        step: dict[str, Any] = {"from": a["urls"], "to": b["urls"]}
        for key in ("peak_rss_mb", "single_rss_mb"):
            if a.get(key) and b.get(key):
                step[f"{key}_per_1k_urls"] = round(
                    (b[key] - a[key]) / ((b["urls"] - a["urls"]) / 1000), 2
                )
                step[f"{key}_exponent"] = round(
                    math.log(b[key] / a[key]) / math.log(b["urls"] / a["urls"]), 2
                )
        steps.append(step)
    return steps


def memory_growth(
    out: Path,
    sizes: list[int],
    engine: str = "auto",
    known: dict[int, dict[str, Any]] | None = None,
    peers_dir: Path = DEFAULT_PEERS_DIR,
    source: Path | None = None,
) -> dict[str, Any]:
    """Peak RSS per size; ``known`` holds points already measured (the peer comparison's)."""
    points = []
    for size in sorted(set(sizes)):
        found = (known or {}).get(size)
        if found is None:
            found = measure_size(out, size, engine, peers_dir, source)
        points.append(found)
        print(f"  memory {size:>7} URLs: {found['peak_rss_mb']:7.1f} MB", flush=True)
    at_30k = next((p for p in points if p["urls_requested"] == 30_000), None)
    return {
        "points": points,
        "growth": growth(points),
        "target_mb_at_30k": TARGET_MB_AT_30K,
        "meets_30k_target": at_30k["peak_rss_mb"] <= TARGET_MB_AT_30K if at_30k else None,
    }


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--with-100k", action="store_true", help=f"also {LARGE_SIZE} URLs")
    parser.add_argument("--engine", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    # Absolute: the tools run in their own working directories (GNU time writes there).
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_100k:
        sizes.append(LARGE_SIZE)
    report = memory_growth(args.out, sizes, args.engine, peers_dir=args.peers_dir)
    (args.out / "memory.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
