"""The whole benchmark suite (``make bench``): peers, plain, recheck, politeness, city, memory,
plans.

    .venv/bin/python bench/run.py [--urls 10000] [--rounds 3] [--with-100k] [--smoke]
                                  [--skip politeness,memory] [--tools govinspect,linkinator]
                                  [--plain-urls 3000] [--city-units 40] [--city-parallel 1,4]

Parts: ``peers`` (every tool on the bench site, nginx), ``plain`` (govinspect and linkinator
with its defaults on a smaller plain site served by the Python test server, issue 21),
``recheck`` (a re-crawl of the unchanged site, with validators and without), ``politeness``
(40 hosts × 300 ms), ``city`` (40 units at once: cores used), ``memory``, ``plans``
(``crawl --plan quick`` against a full crawl of a changed site, bench/bench_plans.py).

Writes ``bench/out/{peers,plain,recheck,politeness,city,memory,plans,summary}.json`` and
``bench/out/results.md``
(the markdown tables, also printed).  Peers that are not installed are skipped and named; see
``bench/peers.py install`` and docs/benchmarks.md.  ``--smoke`` runs every part on tiny sites
(about a minute) to check the harness itself.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from bench_plans import bench_plans
from city import DEFAULT_PARALLEL, DEFAULT_UNITS, DEFAULT_URLS_PER_UNIT, city
from compare import DEFAULT_CAP_SECONDS, DEFAULT_ROUNDS, DEFAULT_URLS, compare_on, site_dir
from harness import code_state, machine_info, snapshot
from memory import DEFAULT_SIZES, LARGE_SIZE, TARGET_MB_AT_30K, memory_growth, point
from peers import DEFAULT_PEERS_DIR, tools
from politeness import (
    DEFAULT_HOSTS,
    DEFAULT_LATENCY,
    DEFAULT_PER_HOST,
    DEFAULT_URLS_PER_HOST,
    TARGET_FACTOR,
    politeness,
)
from recheck import recheck_on, recheck_variants
from results_md import markdown
from servers import StaticServer, exit_on_sigterm, nginx_available
from site_gen import ensure_site

OUT_DIR = Path(__file__).resolve().parent / "out"
PARTS = ("peers", "plain", "recheck", "politeness", "city", "memory", "plans")
#: The plans part's site (bench/bench_plans.py: 100k with --with-100k).
PLANS_URLS = 10_000
#: Issue 21's plain one-host site (Python server): its size and the tools compared on it.
PLAIN_URLS = 3_000
PLAIN_TOOLS = "govinspect,linkinator,scrapy-floor"
#: Targets of issue 6 (goals for the code, reported, never asserted).
SPEED_VS_LINKINATOR = 1.0
SPEED_VS_LINKCHECKER = 3.0
RECHECK_SPEEDUP = 3.0
SMOKE = {
    "urls": 600,
    "rounds": 1,
    "cap_seconds": 10.0,
    "urls_per_host": 30,
    "memory_sizes": "600,1200",
    "plain_urls": 300,
    "city_units": 6,
    "city_urls_per_unit": 40,
    "city_parallel": "1,3",
    "plans_urls": 600,
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=DEFAULT_URLS, help="size of the bench site")
    parser.add_argument("--rounds", type=int, default=DEFAULT_ROUNDS)
    parser.add_argument("--tools", default="", help="comma-separated subset of the tools")
    parser.add_argument("--cap-seconds", type=float, default=DEFAULT_CAP_SECONDS)
    parser.add_argument("--engine", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument("--hosts", type=int, default=DEFAULT_HOSTS, help="politeness hosts")
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY)
    parser.add_argument("--per-host", type=int, default=DEFAULT_PER_HOST)
    parser.add_argument("--urls-per-host", type=int, default=DEFAULT_URLS_PER_HOST)
    parser.add_argument("--memory-sizes", default=",".join(map(str, DEFAULT_SIZES)))
    parser.add_argument("--plain-urls", type=int, default=PLAIN_URLS, help="plain site's size")
    parser.add_argument("--plain-tools", default=PLAIN_TOOLS, help="tools on the plain site")
    parser.add_argument("--city-units", type=int, default=DEFAULT_UNITS)
    parser.add_argument("--city-urls-per-unit", type=int, default=DEFAULT_URLS_PER_UNIT)
    parser.add_argument(
        "--city-parallel",
        default=",".join(map(str, DEFAULT_PARALLEL)),
        help="crawl --parallel values of the city run",
    )
    parser.add_argument("--plans-urls", type=int, default=PLANS_URLS, help="plans part's site")
    parser.add_argument(
        "--with-100k", action="store_true", help=f"memory and plans at {LARGE_SIZE} too"
    )
    parser.add_argument("--skip", default="", help=f"comma-separated parts of {PARTS}")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes: checks the harness")
    parser.add_argument(
        "--govinspect-rev",
        default="",
        help="measure govinspect as committed at this git revision (default: the working tree)",
    )
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    # Absolute: the tools run in their own working directories (GNU time writes there).
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    if args.smoke:
        for key, value in SMOKE.items():
            setattr(args, key, value)
    unknown = set(filter(None, args.skip.split(","))) - set(PARTS)
    if unknown:
        parser.error(f"unknown parts {sorted(unknown)}; use {PARTS}")
    return args


def _write(out: Path, name: str, data: Any) -> None:
    (out / f"{name}.json").write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def run(args: argparse.Namespace) -> dict[str, Any]:
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    skip = set(filter(None, args.skip.split(",")))
    names = [n for n in args.tools.split(",") if n] or None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    timings: dict[str, float] = {}
    report: dict[str, Any] = {"machine": machine_info(), "started": stamp}
    report["args"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    report["code_at_start"] = code_state()
    source = snapshot(args.govinspect_rev, out) if args.govinspect_rev else None
    report["govinspect_source"] = str(source) if source else "working tree"
    if not nginx_available() and args.engine != "aiohttp":
        print("nginx not found: serving with aiohttp (apt-get install -y nginx)", flush=True)
    for tool in tools(args.peers_dir, names, source):
        if not tool.available():
            print(f"{tool.name}: not installed, skipped ({tool.missing_hint()})", flush=True)

    started = time.monotonic()
    truth = ensure_site(site_dir(out, args.urls), args.urls)
    timings["site"] = time.monotonic() - started
    gi_rounds: list[dict[str, Any]] = []
    runs_dir = out / "runs" / f"run-{stamp}"
    if not {"peers", "recheck"} <= skip:
        with StaticServer({"127.0.0.1": site_dir(out, args.urls)}, engine=args.engine) as server:
            if "peers" not in skip:
                print(f"peer comparison on {truth.total} URLs ({server.engine})", flush=True)
                t0 = time.monotonic()
                keep = "recheck" not in skip
                peers = compare_on(
                    server, truth, runs_dir, args.rounds, names, args.cap_seconds,
                    args.peers_dir, keep_govinspect=keep, source=source,
                )  # fmt: skip
                timings["peers"] = time.monotonic() - t0
                _write(out, "peers", peers)
                report["peers"] = {k: peers[k] for k in peers if k != "runs"}
                gi_rounds = peers["runs"].get("govinspect", [])
            if "recheck" not in skip:
                print("incremental recheck", flush=True)
                t0 = time.monotonic()
                first = report.get("peers", {}).get("govinspect_last_run")
                first_dir = report.get("peers", {}).get("govinspect_data_dir")
                recheck = recheck_on(
                    server, truth, runs_dir / "recheck", first,
                    Path(first_dir) if first_dir else None, args.peers_dir,
                    [r["wall_s"] for r in gi_rounds] or None, source,
                )  # fmt: skip
                report["recheck"] = {"validators": {"server": server.engine, **recheck}}
                timings["recheck"] = time.monotonic() - t0
    if "recheck" not in skip:
        # No validators: its own first crawl on the Python server that sends none.
        t0 = time.monotonic()
        report.setdefault("recheck", {}).update(
            recheck_variants(
                site_dir(out, args.urls), truth, runs_dir / "recheck", variants=["no-validators"],
                peers_dir=args.peers_dir, source=source,
            )
        )  # fmt: skip
        timings["recheck"] += time.monotonic() - t0
        _write(out, "recheck", report["recheck"])
    if "plain" not in skip:
        report["plain"] = _plain(args, out, runs_dir, source)
        timings["plain"] = report["plain"].pop("seconds")
    if "politeness" not in skip:
        print(f"politeness: {args.hosts} hosts × {args.latency} s", flush=True)
        t0 = time.monotonic()
        polite = politeness(
            out, args.hosts, args.latency, args.per_host, args.urls_per_host, args.peers_dir,
            source,
        )  # fmt: skip
        timings["politeness"] = time.monotonic() - t0
        _write(out, "politeness", polite)
        report["politeness"] = polite
    if "city" not in skip:
        print(f"city: {args.city_units} units at once", flush=True)
        t0 = time.monotonic()
        parallel = tuple(int(v) for v in args.city_parallel.split(",") if v)
        report["city"] = city(
            out, args.city_units, args.city_urls_per_unit, parallel, args.engine,
            args.peers_dir, source,
        )  # fmt: skip
        timings["city"] = time.monotonic() - t0
        _write(out, "city", report["city"])
    if "memory" not in skip:
        print("memory growth", flush=True)
        t0 = time.monotonic()
        sizes = [int(s) for s in args.memory_sizes.split(",") if s]
        if args.with_100k:
            sizes.append(LARGE_SIZE)
        known = {}
        if gi_rounds:
            middle = sorted(gi_rounds, key=lambda r: r["peak_rss_mb"])[len(gi_rounds) // 2]
            known[args.urls] = point(args.urls, truth.total, middle)
        mem = memory_growth(out, sizes, args.engine, known, args.peers_dir, source)
        timings["memory"] = time.monotonic() - t0
        _write(out, "memory", mem)
        report["memory"] = mem
    if "plans" not in skip:
        size = LARGE_SIZE if args.with_100k else args.plans_urls
        print(f"plans: --plan quick against a full crawl, {size} URLs", flush=True)
        t0 = time.monotonic()
        report["plans"] = bench_plans(out, size, 30, True, args.engine)
        timings["plans"] = time.monotonic() - t0
        _write(out, "plans", report["plans"])
    timings["total"] = time.monotonic() - started
    report["code_at_end"] = code_state()
    if source is None and report["code_at_end"] != report["code_at_start"]:
        print("warning: govinspect's code changed during the run (see summary.json)", flush=True)
    report["timings_s"] = {k: round(v, 1) for k, v in timings.items()}
    report["targets"] = targets(report)
    _write(out, "summary", report)
    return report


def _plain(
    args: argparse.Namespace, out: Path, runs_dir: Path, source: Path | None
) -> dict[str, Any]:
    """Issue 21's plain one-host site on the Python test server: govinspect vs linkinator."""
    t0 = time.monotonic()
    site = site_dir(out, args.plain_urls)
    truth = ensure_site(site, args.plain_urls)
    names = [n for n in args.plain_tools.split(",") if n]
    with StaticServer({"127.0.0.1": site}, engine="aiohttp") as server:
        print(f"plain site: {truth.total} URLs ({server.engine})", flush=True)
        plain = compare_on(
            server, truth, runs_dir / "plain", args.rounds, names, args.cap_seconds,
            args.peers_dir, source=source,
        )  # fmt: skip
    _write(out, "plain", plain)
    return {**{k: plain[k] for k in plain if k != "runs"}, "seconds": time.monotonic() - t0}


# ---------------------------------------------------------------------------------------------
# targets and markdown
# ---------------------------------------------------------------------------------------------
def _row(report: dict[str, Any], tool: str) -> dict[str, Any] | None:
    for row in report.get("peers", {}).get("summary", []):
        if row["tool"] == tool:
            return row
    return None


def targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 6's targets against the measurements (None: not measured)."""
    out = []
    gi, lk, lc = _row(report, "govinspect"), _row(report, "linkinator"), _row(report, "linkchecker")
    if gi and lk:
        ratio = lk["wall_s_median"] / gi["wall_s_median"]
        out.append(
            {
                "target": "full inspection no slower than linkinator",
                "measured": f"{gi['wall_s_median']} s vs {lk['wall_s_median']} s "
                f"(govinspect at {ratio:.2f}× linkinator's speed)"
                + _floor_note(_row(report, "scrapy-floor"), lk),
                "met": ratio >= SPEED_VS_LINKINATOR,
            }
        )
    if gi and lc:
        ratio = lc["wall_s_median"] / gi["wall_s_median"]
        out.append(
            {
                "target": "≥3× faster than LinkChecker with its throttle removed",
                "measured": f"{ratio:.2f}× ({gi['wall_s_median']} s vs {lc['wall_s_median']} s)",
                "met": ratio >= SPEED_VS_LINKCHECKER,
            }
        )
    out.extend(_plain_targets(report.get("plain")))
    if gi:
        out.append(
            {
                "target": "finds exactly the planted broken set",
                "measured": "every round exact" if gi["exact_broken_set"] else "differs",
                "met": bool(gi["exact_broken_set"]),
            }
        )
    polite = report.get("politeness")
    if polite:
        ok = polite["ratio_wall"] is not None and polite["ratio_wall"] <= TARGET_FACTOR
        out.append(
            {
                "target": f"politeness-bound scenario within {TARGET_FACTOR}× the bound",
                "measured": f"{polite['wall_s']} s vs bound {polite['bound_s']} s "
                f"({polite['ratio_wall']}×); at most {polite['max_in_flight_per_host']} "
                f"requests in flight per host (limit {polite['per_host']})"
                + _polite_floor_note(polite.get("scrapy_floor")),
                "met": ok and polite["politeness_respected"],
            }
        )
    for variant, recheck in (report.get("recheck") or {}).items():
        same = recheck["same_findings"]["all"]
        out.append(
            {
                "target": f"unchanged-site re-crawl ≥3× faster than the first, same findings "
                f"({variant})",
                "measured": f"{recheck['speedup']}× ({recheck['first']['wall_s']} s → "
                f"{recheck['second']['wall_s']} s), bytes {recheck['bytes_ratio']}× less, "
                f"findings {'the same' if same else 'DIFFERENT' if same is False else 'unread'}",
                "met": (recheck["speedup"] or 0) >= RECHECK_SPEEDUP and bool(same),
            }
        )
    out.extend(_city_targets(report.get("city")))
    out.extend(_memory_targets(report.get("memory")))
    out.extend(_plans_targets(report.get("plans")))
    return out


def _polite_floor_note(floor: dict[str, Any] | None) -> str:
    if not floor:
        return ""
    return (
        f"; Scrapy alone {floor['wall_s']} s vs its bound {floor['bound_s']} s "
        f"({floor['ratio_wall']}×, {floor['cpu_s']} CPU s)"
    )


def _plans_targets(plans: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not plans:
        return []
    quick, full = plans["night2_quick"], plans["night1_full"]
    met = plans["targets"]
    return [
        {
            "target": f"--plan quick ≤ 5 % of a full crawl's requests ({plans['site_urls']} URLs)",
            "measured": f"{quick['requests']} of {full['requests']} requests "
            f"({plans['quick_share_of_full']:.2%})",
            "met": met["quick_requests_le_5_percent"],
        },
        {
            "target": "--plan quick finds every veto the full crawl finds",
            "measured": f"quick {len(quick['vetoes'])}, full "
            f"{len(plans['night2_full']['vetoes'])} vetoes; "
            f"{'the same' if met['same_vetoes'] else 'different'}",
            "met": met["quick_finds_every_full_veto"],
        },
    ]


def _plain_targets(plain: dict[str, Any] | None) -> list[dict[str, Any]]:
    rows = {r["tool"]: r for r in (plain or {}).get("summary", [])}
    gi, lk = rows.get("govinspect"), rows.get("linkinator")
    if not gi or not lk:
        return []
    ratio = lk["wall_s_median"] / gi["wall_s_median"]
    return [
        {
            "target": "plain one-host site, Python server: full inspection no slower than "
            "linkinator with its defaults",
            "measured": f"{gi['wall_s_median']} s vs {lk['wall_s_median']} s "
            f"(govinspect at {ratio:.2f}× linkinator's speed)"
            + _floor_note(rows.get("scrapy-floor"), lk),
            "met": ratio >= SPEED_VS_LINKINATOR,
        }
    ]


def _floor_note(floor: dict[str, Any] | None, linkinator: dict[str, Any]) -> str:
    """Scrapy alone on the same site (bench/scrapy_floor.py): what no govinspect change beats."""
    if not floor:
        return ""
    return (
        f"; Scrapy alone (bench/scrapy_floor.py) {floor['wall_s_median']} s, "
        f"{floor['wall_s_median'] / linkinator['wall_s_median']:.2f}× linkinator's time"
    )


def _city_targets(city_report: dict[str, Any] | None) -> list[dict[str, Any]]:
    runs = [r for r in (city_report or {}).get("runs", []) if r["parallel"] > 1]
    if not runs:
        return []
    best = max(runs, key=lambda r: r["cores_busy"] or 0)
    return [
        {
            "target": f"a {city_report['units']}-unit city run uses both cores",
            "measured": f"--parallel {best['parallel']}: {best['cpu_s']} CPU s in "
            f"{best['wall_s']} s = {best['cores_busy']} cores busy on average",
            "met": (best["cores_busy"] or 0) > 1.0,
        }
    ]


def _memory_targets(mem: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not mem:
        return []
    points = {p["urls_requested"]: p for p in mem["points"]}
    out = []
    at_30k = points.get(30_000)
    out.append(
        {
            "target": f"peak RSS ≤ {TARGET_MB_AT_30K} MB at 30k URLs",
            "measured": f"{at_30k['peak_rss_mb']} MB (process tree; largest process "
            f"{at_30k['single_rss_mb']} MB)"
            if at_30k
            else "not measured",
            "met": mem["meets_30k_target"],
        }
    )
    steps = {(s["from"], s["to"]): s for s in mem["growth"]}
    urls = sorted(p["urls"] for p in mem["points"])
    measured, met = "not measured (--with-100k)", None
    if LARGE_SIZE in points and len(urls) >= 3:
        low = steps.get((urls[-3], urls[-2]), {}).get("peak_rss_mb_per_1k_urls")
        high = steps.get((urls[-2], urls[-1]), {}).get("peak_rss_mb_per_1k_urls")
        if low is not None and high is not None:
            measured = f"{low} MB/1k URLs below 30k, {high} MB/1k URLs from 30k to 100k"
            met = high < low
    out.append({"target": "RSS grows sub-linearly to 100k URLs", "measured": measured, "met": met})
    return out


def main() -> int:
    exit_on_sigterm()
    args = parse_args()
    report = run(args)
    text = markdown(report)
    (args.out / "results.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
