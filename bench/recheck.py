"""Incremental recheck: a second ``govinspect crawl`` of the unchanged site, against the first.

    .venv/bin/python bench/recheck.py [--urls 10000] [--variants validators,no-validators]

Two variants of the same site (issue 21): served with validators (``ETag``/``Last-Modified``,
304 answers: nginx, or aiohttp) and served with none (aiohttp ``--no-validators``: every answer
is a full 200, as many government CMSs send).  Each variant reports the first and the second
crawl's wall time, CPU seconds, requests and bytes, the speed-up, and whether the second crawl
found the same things: the same broken set, the same columns (URL, item count, blank) with the
same newest dates, the same homepage newest date.

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
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

from harness import median, run_tool, site_context
from peers import DEFAULT_PEERS_DIR, Govinspect
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
    "cpu_s",
)
#: The two ways a server may treat a re-crawl: ``StaticServer(validators=...)``.
VARIANTS = {"validators": True, "no-validators": False}


def _crawl(
    server: StaticServer,
    truth: Truth,
    workdir: Path,
    data_dir: Path,
    peers_dir: Path,
    source: Path | None,
) -> dict[str, Any]:
    tool = Govinspect(peers_dir, source)
    ctx = site_context(server, truth, workdir, peers_dir, data_dir)
    result = run_tool(tool, server, truth, ctx, RUN_TIMEOUT)
    result["findings"] = findings(data_dir, result.get("facts", {}).get("run_id"))
    return result


def findings(data_dir: Path, run_id: int | None) -> dict[str, Any] | None:
    """What a crawl found that a re-crawl must find again: broken set, columns, newest dates."""
    from govinspect.crawler.outcomes import DEAD

    db = data_dir / "govinspect.db"
    if run_id is None or not db.exists():
        return None
    with sqlite3.connect(db) as conn:
        marks = ",".join("?" * len(DEAD))
        broken = conn.execute(
            f"SELECT target_url FROM link_checks WHERE run_id = ? AND outcome IN ({marks})",
            (run_id, *sorted(DEAD)),
        ).fetchall()
        columns = conn.execute(
            "SELECT url, item_count, blank, newest FROM columns WHERE run_id = ?", (run_id,)
        ).fetchall()
        summary = conn.execute("SELECT summary FROM runs WHERE id = ?", (run_id,)).fetchone()
    return {
        "broken": sorted(row[0] for row in broken),
        "columns": sorted([str(v) for v in row] for row in columns),
        "homepage_newest": json.loads(summary[0] or "{}").get("homepage_newest"),
    }


def same_findings(first: dict[str, Any] | None, second: dict[str, Any] | None) -> dict[str, Any]:
    """Per kind of finding: equal in both crawls (None: a crawl's facts could not be read)."""
    if first is None or second is None:
        return {"broken": None, "columns": None, "homepage_newest": None, "all": None}
    same = {key: first[key] == second[key] for key in ("broken", "columns", "homepage_newest")}
    return {
        **same,
        "all": all(same.values()),
        "broken_count": len(second["broken"]),
        "columns_count": len(second["columns"]),
    }


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
    elif "findings" not in first:
        first["findings"] = findings(data_dir, first.get("facts", {}).get("run_id"))
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
        "cpu_ratio": _ratio(first.get("cpu_s") or 0, second.get("cpu_s") or 0),
        "requests_ratio": _ratio(first["requests"], second["requests"]),
        "second_crawl_conditional_requests": second["conditional"],
        "second_crawl_304": second["not_modified"],
        "same_findings": same_findings(first.get("findings"), second.get("findings")),
    }


def recheck_variants(
    site: Path,
    truth: Truth,
    runs_dir: Path,
    engine: str = "auto",
    variants: list[str] | None = None,
    peers_dir: Path = DEFAULT_PEERS_DIR,
    source: Path | None = None,
    first_with_validators: tuple[dict[str, Any], Path, list[float]] | None = None,
) -> dict[str, Any]:
    """Each variant on its own server: first crawl (or the one given), then the re-crawl.

    ``first_with_validators``: a first crawl of the site already made on a server with
    validators (the peer comparison's last round: result, data dir, all rounds' wall times).
    """
    report: dict[str, Any] = {}
    for name in variants or list(VARIANTS):
        validators = VARIANTS[name]
        chosen = engine if validators else "aiohttp"
        with StaticServer({"127.0.0.1": site}, engine=chosen, validators=validators) as server:
            first, first_dir, walls = (None, None, None)
            if validators and first_with_validators is not None:
                first, first_dir, walls = first_with_validators
            print(f"  recheck, {name} ({server.engine})", flush=True)
            result = recheck_on(
                server, truth, runs_dir / name, first, first_dir, peers_dir, walls, source
            )
        report[name] = {"server": server.engine, **result}
    return report


def _ratio(a: float, b: float) -> float | None:
    return round(a / b, 2) if b else None


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument(
        "--engine",
        choices=("auto", "nginx", "aiohttp"),
        default="auto",
        help="server of the validators variant (no-validators is always aiohttp)",
    )
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"subset of {VARIANTS}")
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    # Absolute: the tools run in their own working directories (GNU time writes there).
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    site = args.out / "sites" / f"site-{args.urls}"
    truth = ensure_site(site, args.urls)
    runs_dir = args.out / "runs" / f"recheck-{time.strftime('%Y%m%d-%H%M%S')}"
    variants = [v for v in args.variants.split(",") if v]
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {sorted(unknown)}; use {list(VARIANTS)}")
    report = recheck_variants(site, truth, runs_dir, args.engine, variants, args.peers_dir)
    (args.out / "recheck.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
