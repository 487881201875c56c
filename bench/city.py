"""A 40-unit city crawled at once: does ``govinspect crawl --parallel`` keep every core busy?

    .venv/bin/python bench/city.py [--units 40] [--urls-per-unit 150] [--parallel 1,4]

Each unit is a small bench site (``site_gen``) on its own loopback address (``127.0.1.1`` …
``127.0.1.40``, one port, one server), so no two units share a host and all of them may run at
once.  For every ``--parallel`` value the whole ``govinspect crawl --parallel N`` command runs
once with a fresh data folder, under GNU time, and the report gives:

* ``cpu_s``: CPU seconds (user + system) of the command and every crawl subprocess it waited
  for; ``cores_busy`` = ``cpu_s ÷ wall_s``, the average number of cores govinspect kept busy
  (above 1: it used more than one core);
* ``tree_cores``: the same ratio per sample: the CPU seconds the command's process tree used in
  each ``SAMPLE_SECONDS`` interval ÷ the interval (per process, so a crawl subprocess that ends
  takes its time with it: a slight undercount), with its 90th percentile, its peak and the share
  of samples above one core.  On a machine busy with other work this is the direct evidence: the
  average is capped by what the other processes leave, but intervals above 1.0 show govinspect
  running on two cores at once;
* ``per_cpu_busy_pct``: each core's average busy share over the run, sampled with psutil every
  ``SAMPLE_SECONDS`` (machine-wide: the bench server and any other work count too), and the
  share of samples in which every core was over half busy;
* the most crawl subprocesses alive at once, the runs' statuses, peak RSS, the load average.

The second pass of each unit waits ``GOVINSPECT_RECHECK_DELAY`` (1 s here instead of 30 s):
idle time that says nothing about cores.  Results go to ``bench/out/city.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from measure import run_measured
from peers import DEFAULT_PEERS_DIR, Govinspect
from politeness import host_addresses
from servers import StaticServer, exit_on_sigterm, free_port
from site_gen import Truth, ensure_site

OUT_DIR = Path(__file__).resolve().parent / "out"
DEFAULT_UNITS = 40
DEFAULT_URLS_PER_UNIT = 150
DEFAULT_PARALLEL = (1, 4)
SAMPLE_SECONDS = 0.5
RUN_TIMEOUT = 3600.0
RECHECK_DELAY = "1"
RUNNER = "govinspect.crawler.runner"


class Sampler(threading.Thread):
    """Per-core busy share and the crawl subprocesses of one command, every SAMPLE_SECONDS."""

    def __init__(self, marker: str) -> None:
        super().__init__(daemon=True)
        self.marker = marker  # a string only the measured command's command line holds
        self.per_cpu: list[list[float]] = []
        self.crawls: list[int] = []
        self.tree_cores: list[float] = []
        self.seen: dict[int, float] = {}  # pid → CPU seconds at the last sample
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        psutil.cpu_percent(percpu=True)  # the first call only sets the baseline
        parent = None
        last = time.monotonic()
        while not self.done.wait(SAMPLE_SECONDS):
            self.per_cpu.append(psutil.cpu_percent(percpu=True))
            parent = parent or _find(psutil, self.marker)
            try:
                children = parent.children(recursive=True) if parent else []
            except psutil.Error:
                children = []
            self.crawls.append(sum(_is_crawl(psutil, c) for c in children))
            now = time.monotonic()
            used = self._cpu_used(psutil, [parent, *children] if parent else [])
            self.tree_cores.append(used / (now - last))
            last = now

    def _cpu_used(self, psutil: Any, procs: list[Any]) -> float:
        """CPU seconds the processes used since the last sample (new ones: since they started)."""
        used = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total = times.user + times.system
            used += total - self.seen.get(proc.pid, 0.0)
            self.seen[proc.pid] = total
        return used

    def report(self) -> dict[str, Any]:
        if not self.per_cpu:
            return {"samples": 0}
        cores = list(zip(*self.per_cpu, strict=True))
        tree = sorted(self.tree_cores)
        return {
            "samples": len(self.per_cpu),
            "tree_cores_p90": round(tree[int(0.9 * (len(tree) - 1))], 2),
            "tree_cores_peak": round(tree[-1], 2),
            "tree_over_one_core_pct": round(100 * sum(t > 1.0 for t in tree) / len(tree), 1),
            "per_cpu_busy_pct": [round(statistics.fmean(core), 1) for core in cores],
            "all_cores_over_half_pct": round(
                100 * sum(min(s) > 50 for s in self.per_cpu) / len(self.per_cpu), 1
            ),
            "max_crawls_at_once": max(self.crawls, default=0),
            "mean_crawls_at_once": round(statistics.fmean(self.crawls), 2) if self.crawls else 0,
        }


def _is_crawl(psutil: Any, proc: Any) -> bool:
    try:
        return RUNNER in " ".join(proc.cmdline())
    except psutil.Error:
        return False


def _find(psutil: Any, marker: str) -> Any:
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info.get("cmdline") or []
        if marker in cmdline and "crawl" in cmdline:
            return proc
    return None


def build_city(root: Path, hosts: list[str], urls_per_unit: int) -> dict[str, Truth]:
    """One small site per unit (each its own seed, reused when already generated)."""
    return {h: ensure_site(root / f"u{i + 1:02d}", urls_per_unit, f"unit{i + 1}") for i, h in
            enumerate(hosts)}  # fmt: skip


def write_registry(path: Path, hosts: list[str], port: int) -> Path:
    units = [
        {
            "id": f"u{i + 1:02d}",
            "name": f"示范市第{i + 1}单位",
            "category": "department",
            "website": f"http://{host}:{port}/",
        }
        for i, host in enumerate(hosts)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({"units": units}, allow_unicode=True), encoding="utf-8")
    return path


def run_statuses(data_dir: Path) -> dict[str, int]:
    db = data_dir / "govinspect.db"
    if not db.exists():
        return {}
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT status FROM runs WHERE kind = 'crawl'").fetchall()
    return dict(Counter(row[0] for row in rows))


def crawl_city(
    config: Path, workdir: Path, parallel: int, peers_dir: Path, source: Path | None
) -> dict[str, Any]:
    tool = Govinspect(peers_dir, source)
    data_dir = workdir / "data"
    command = [str(tool.binary), "--config", str(config), "--data-dir", str(data_dir)]
    command += ["crawl", "--no-feeds", "--parallel", str(parallel)]
    env = {**tool.env(), "GOVINSPECT_RECHECK_DELAY": RECHECK_DELAY}
    sampler = Sampler(str(config))
    load_before = os.getloadavg()[0]
    sampler.start()
    try:
        measured = run_measured(command, workdir, f"crawl-p{parallel}", RUN_TIMEOUT, env=env)
    finally:
        sampler.done.set()
        sampler.join()
    cpu = measured.cpu_s
    return {
        "parallel": parallel,
        "wall_s": measured.wall_s,
        "cpu_s": cpu,
        "cpu_user_s": measured.cpu_user_s,
        "cpu_sys_s": measured.cpu_sys_s,
        "cores_busy": round(cpu / measured.wall_s, 2) if cpu and measured.wall_s else None,
        **sampler.report(),
        "exit_code": measured.exit_code,
        "runs": run_statuses(data_dir),
        "peak_rss_mb": measured.peak_rss_mb,
        "load_before": round(load_before, 2),
        "load_after": round(os.getloadavg()[0], 2),
        "command": measured.command,
    }


def city(
    out: Path,
    units: int = DEFAULT_UNITS,
    urls_per_unit: int = DEFAULT_URLS_PER_UNIT,
    parallel: tuple[int, ...] = DEFAULT_PARALLEL,
    engine: str = "auto",
    peers_dir: Path = DEFAULT_PEERS_DIR,
    source: Path | None = None,
) -> dict[str, Any]:
    hosts = host_addresses(units)
    truths = build_city(out / "sites" / f"city-{units}x{urls_per_unit}", hosts, urls_per_unit)
    runs_dir = out / "runs" / f"city-{time.strftime('%Y%m%d-%H%M%S')}"
    port = free_port(hosts)
    roots = {h: out / "sites" / f"city-{units}x{urls_per_unit}" / f"u{i + 1:02d}"
             for i, h in enumerate(hosts)}  # fmt: skip
    results = []
    with StaticServer(roots, engine=engine, port=port) as server:
        config = write_registry(runs_dir / "govinspect.yaml", hosts, port)
        for n in parallel:
            print(f"  city: {units} units, --parallel {n}", flush=True)
            results.append(crawl_city(config, runs_dir / f"p{n}", n, peers_dir, source))
    return {
        "units": units,
        "urls_per_unit": urls_per_unit,
        "site_urls": sum(t.total for t in truths.values()),
        "server": server.engine,
        "nproc": os.cpu_count(),
        "recheck_delay_s": float(RECHECK_DELAY),
        "runs": results,
    }


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=DEFAULT_UNITS)
    parser.add_argument("--urls-per-unit", type=int, default=DEFAULT_URLS_PER_UNIT)
    parser.add_argument(
        "--parallel", default=",".join(map(str, DEFAULT_PARALLEL)), help="values, comma-separated"
    )
    parser.add_argument("--engine", choices=("auto", "nginx", "aiohttp"), default="auto")
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    # Absolute: the tools run in their own working directories (GNU time writes there).
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    values = tuple(int(v) for v in args.parallel.split(",") if v)
    report = city(args.out, args.units, args.urls_per_unit, values, args.engine, args.peers_dir)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "city.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
