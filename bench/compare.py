"""Peer comparison: govinspect and the generic link checkers on the same static site.

    .venv/bin/python bench/compare.py [--urls 10000] [--rounds 3] [--tools govinspect,wget]

The site (``site_gen``) is served by nginx (or the aiohttp fallback); ``--engine aiohttp`` serves
it with the Python test server instead (issue 21's plain one-host site: ``run.py`` runs that
comparison too, on a smaller site, govinspect against linkinator with its defaults).

Tools run one after another, round after round, so that a slow round of the machine hits every
tool alike.  The throttled-by-default variants (``lychee-defaults``, ``linkchecker-defaults``)
run once, stopped at ``--cap-seconds``: their rate and the projected time for the whole site are
reported.
Results go to ``bench/out/peers.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from harness import machine_info, median, run_tool, write_pages_file
from peers import DEFAULT_PEERS_DIR, Govinspect, RunContext, Tool, tools
from servers import StaticServer, exit_on_sigterm
from site_gen import Truth, ensure_site

OUT_DIR = Path(__file__).resolve().parent / "out"
DEFAULT_URLS = 10_000
DEFAULT_ROUNDS = 3
DEFAULT_CAP_SECONDS = 60.0
RUN_TIMEOUT = 1800.0


def site_dir(out: Path, urls: int) -> Path:
    return out / "sites" / f"site-{urls}"


def summarize(tool: Tool, runs: list[dict[str, Any]], truth: Truth) -> dict[str, Any]:
    """Medians over rounds and whether every round found exactly the planted set."""
    walls = [r["wall_s"] for r in runs]
    wall = median(walls)
    exact = [r["broken"].get("exact") for r in runs]
    row: dict[str, Any] = {
        "tool": tool.name,
        "label": tool.label,
        "settings": tool.settings(),
        "rounds": len(runs),
        "wall_s_median": wall,
        "wall_s_all": walls,
        "peak_rss_mb_median": median([r["peak_rss_mb"] for r in runs]),
        # CPU seconds of the tool's process tree (GNU time): less noisy than wall time.
        "cpu_s_median": median([r.get("cpu_s") for r in runs]),
        "covered_median": median([r["covered"] for r in runs]),
        "requests_median": median([r["requests"] for r in runs]),
        "urls_per_s": round(truth.total / wall, 1) if wall else None,
        "exact_broken_set": all(exact) if None not in exact else None,
        "load_median": median([r.get("load_before") for r in runs]),
        "capped": any(r["timed_out"] for r in runs),
    }
    row["coverage"] = round(row["covered_median"] / truth.total, 4) if truth.total else None
    if row["capped"]:
        run = runs[0]
        row["urls_per_s"] = run["urls_per_s"]
        row["projected_full_s"] = run.get("projected_full_s")
    return row


def compare_on(
    server: StaticServer,
    truth: Truth,
    runs_dir: Path,
    rounds: int = DEFAULT_ROUNDS,
    names: list[str] | None = None,
    cap_seconds: float = DEFAULT_CAP_SECONDS,
    peers_dir: Path = DEFAULT_PEERS_DIR,
    keep_govinspect: bool = False,
    source: Path | None = None,
) -> dict[str, Any]:
    """Run the comparison on a running server (``source``: a govinspect snapshot to run).

    With ``keep_govinspect`` the last govinspect round's data dir is kept (and named in the
    report as ``govinspect_data_dir``, its run as ``govinspect_last_run``) for a recheck.
    """
    chosen = tools(peers_dir, names, source)
    skipped = {t.name: t.missing_hint() for t in chosen if not t.available()}
    chosen = [t for t in chosen if t.available()]
    pages_file = write_pages_file(truth, server.base_url(), runs_dir / "pages.txt")
    results: dict[str, list[dict[str, Any]]] = {t.name: [] for t in chosen}
    kept: Path | None = None
    for round_no in range(1, rounds + 1):
        for tool in chosen:
            if tool.capped and round_no > 1:
                continue
            ctx = RunContext(
                base_url=server.base_url(),
                workdir=runs_dir / f"{tool.name}-r{round_no}",
                pages_file=pages_file,
                peers_dir=peers_dir,
            )
            timeout = cap_seconds if tool.capped else RUN_TIMEOUT
            result = run_tool(tool, server, truth, ctx, timeout)
            result["round"] = round_no
            results[tool.name].append(result)
            _progress(result)
            if isinstance(tool, Govinspect):
                # Only the newest data dir is kept (WARC files and the store are large).
                if kept is not None:
                    shutil.rmtree(kept, ignore_errors=True)
                kept = tool.data_dir(ctx)
            _clean(ctx)
    if kept is not None and not keep_govinspect:
        shutil.rmtree(kept, ignore_errors=True)
        kept = None
    report: dict[str, Any] = {
        "site": {
            "urls_requested": truth.urls_requested,
            "urls": truth.total,
            "pages": len(truth.pages),
            "assets": len(truth.assets),
            "broken": len(truth.broken),
        },
        "server": server.engine,
        "machine": machine_info(),
        "versions": {t.name: t.version() for t in chosen},
        "commands": {t.name: results[t.name][0]["command"] for t in chosen if results[t.name]},
        "settings": {t.name: t.settings() for t in chosen},
        "skipped": skipped,
        "rounds": rounds,
        "cap_seconds": cap_seconds,
        "summary": [summarize(t, results[t.name], truth) for t in chosen if results[t.name]],
        "runs": results,
    }
    if kept is not None:
        report["govinspect_data_dir"] = str(kept)
        report["govinspect_last_run"] = results["govinspect"][-1]
    return report


def compare(
    out: Path,
    urls: int = DEFAULT_URLS,
    rounds: int = DEFAULT_ROUNDS,
    names: list[str] | None = None,
    cap_seconds: float = DEFAULT_CAP_SECONDS,
    engine: str = "auto",
    peers_dir: Path = DEFAULT_PEERS_DIR,
) -> dict[str, Any]:
    """Generate (or reuse) the site, serve it, and run the comparison."""
    site = site_dir(out, urls)
    truth = ensure_site(site, urls)
    runs_dir = out / "runs" / f"compare-{time.strftime('%Y%m%d-%H%M%S')}"
    with StaticServer({"127.0.0.1": site}, engine=engine) as server:
        return compare_on(server, truth, runs_dir, rounds, names, cap_seconds, peers_dir)


def _clean(ctx: RunContext) -> None:
    """Drop bulky leftovers (wget's temporary files); outputs stay for inspection."""
    shutil.rmtree(ctx.workdir / "wget-files", ignore_errors=True)


def _progress(result: dict[str, Any]) -> None:
    broken = result["broken"]
    verdict = {True: "exact", False: "DIFFERENT", None: broken.get("note", "unread")}[
        broken.get("exact")
    ]
    print(
        f"  {result['tool']:22} round {result.get('round', 1)}: {result['wall_s']:8.1f} s "
        f"{result['peak_rss_mb']:7.1f} MB  {result['covered']:6} URLs  broken: {verdict}  "
        f"(load {result.get('load_before')})",
        flush=True,
    )


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=DEFAULT_URLS)
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--tools", default="", help="comma-separated subset of the tools")
    parser.add_argument("--cap-seconds", type=float, default=DEFAULT_CAP_SECONDS)
    parser.add_argument("--engine", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    # Absolute: the tools run in their own working directories (GNU time writes there).
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    names = [n for n in args.tools.split(",") if n] or None
    report = compare(
        args.out, args.urls, args.rounds, names, args.cap_seconds, args.engine, args.peers_dir
    )
    (args.out / "peers.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report["summary"], indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
