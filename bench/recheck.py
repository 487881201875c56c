"""Incremental recheck: a second ``govinspect crawl`` of the unchanged site, against the first.

    .venv/bin/python bench/recheck.py [--urls 10000]

Both crawls use the same data dir (so the second one may use whatever the first left: an HTTP
cache, validators in the store) and the same server, so every URL is identical.  The server's
access log says what each crawl cost: requests, bytes sent, requests carrying a validator
(``If-None-Match``/``If-Modified-Since``) and 304 answers.  Whatever the crawler does today is
measured as it is; when it starts sending conditional requests, the same numbers show the gain.
Results go to ``bench/out/recheck.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from harness import median, run_tool, write_pages_file
from peers import DEFAULT_PEERS_DIR, Govinspect, RunContext
from servers import StaticServer, exit_on_sigterm
from site_gen import Truth, ensure_site

OUT_DIR = Path(__file__).resolve().parent / "out"
RUN_TIMEOUT = 1800.0
#: Fields of a run kept in the report.
KEPT = (
    "wall_s",
    "crawl_seconds",
    "peak_rss_mb",
    "requests",
    "distinct_urls",
    "bytes_sent",
    "not_modified",
    "conditional",
    "statuses",
    "broken",
    "command",
    "load_before",
)


def _crawl(
    server: StaticServer,
    truth: Truth,
    workdir: Path,
    data_dir: Path,
    peers_dir: Path,
    source: Path | None,
) -> dict[str, Any]:
    tool = Govinspect(peers_dir, source)
    ctx = RunContext(
        base_url=server.base_url(),
        workdir=workdir,
        pages_file=write_pages_file(truth, server.base_url(), workdir / "pages.txt"),
        peers_dir=peers_dir,
        data_dir=data_dir,
    )
    return run_tool(tool, server, truth, ctx, RUN_TIMEOUT)


def recheck_on(
    server: StaticServer,
    truth: Truth,
    runs_dir: Path,
    first: dict[str, Any] | None = None,
    first_data_dir: Path | None = None,
    peers_dir: Path = DEFAULT_PEERS_DIR,
    first_walls: list[float] | None = None,
    source: Path | None = None,
) -> dict[str, Any]:
    """Second crawl against ``first`` (a first crawl's result and data dir, else run one).

    ``first_walls``: wall times of other first crawls of the same site (the peer comparison's
    rounds); their median is the reference, as one run on a shared machine is noisy.
    """
    data_dir = first_data_dir or runs_dir / "data"
    if first is None or first_data_dir is None:
        first = _crawl(server, truth, runs_dir / "first", data_dir, peers_dir, source)
    second = _crawl(server, truth, runs_dir / "second", data_dir, peers_dir, source)
    shutil.rmtree(data_dir, ignore_errors=True)
    first_view = {k: first.get(k) for k in KEPT}
    if first_walls:
        first_view["wall_s"] = median(first_walls)
        first_view["wall_s_rounds"] = first_walls
    second_view = {k: second.get(k) for k in KEPT}
    return {
        "site_urls": truth.total,
        "first": first_view,
        "second": second_view,
        "speedup": _ratio(first_view["wall_s"], second["wall_s"]),
        "bytes_ratio": _ratio(first["bytes_sent"], second["bytes_sent"]),
        "second_crawl_conditional_requests": second["conditional"],
        "second_crawl_304": second["not_modified"],
    }


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--engine", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    # Absolute: the tools run in their own working directories (GNU time writes there).
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    site = args.out / "sites" / f"site-{args.urls}"
    truth = ensure_site(site, args.urls)
    runs_dir = args.out / "runs" / f"recheck-{time.strftime('%Y%m%d-%H%M%S')}"
    with StaticServer({"127.0.0.1": site}, engine=args.engine) as server:
        report = recheck_on(server, truth, runs_dir, peers_dir=args.peers_dir)
    report["server"] = server.engine
    (args.out / "recheck.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
