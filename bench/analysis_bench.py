"""Page analysis on every core, and re-checks that reuse it: first crawl against re-crawl.

    .venv/bin/python bench/analysis_bench.py [--urls 10000] [--source DIR] [--workers N]
        [--no-validators] [--label NAME]

One ``govinspect crawl`` of the bench site (bench/site_gen.py) into a fresh data dir, then a
second one of the unchanged site into the same data dir. ``--source`` runs another version of
the package (a snapshot directory put first on PYTHONPATH, e.g. ``git archive`` of main), so
before and after run on the same site and machine. The site is served by nginx (ETag and
Last-Modified: the re-crawl gets 304s), or with ``--no-validators`` by the small threaded server
below, which sends neither (the re-crawl downloads every body again).

Measured per crawl, by polling the whole process tree (CLI, crawl process, analysis workers)
with psutil every 0.2 s: wall time, CPU seconds (user + system, summed over every process seen),
the largest sum of RSS and of PSS (PSS counts shared pages fairly), the largest single RSS; the
run summary's ``analysis`` counters; requests by method and status from the server's log.
Results are printed as JSON and appended to ``bench/out/analysis_bench.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psutil
import yaml
from harness import crawl_summary
from servers import StaticServer
from site_gen import ensure_site

OUT_DIR = Path(__file__).resolve().parent / "out"
POLL_SECONDS = 0.2


class _NoValidators(SimpleHTTPRequestHandler):
    """Static files without ETag or Last-Modified, as many government servers answer."""

    protocol_version = "HTTP/1.1"
    log: list[tuple[str, int]] = []

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() in ("last-modified", "etag"):
            return
        super().send_header(keyword, value)

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        self.log.append((self.command, int(code) if str(code).isdigit() else 0))

    def guess_type(self, path: Any) -> str:
        kind = super().guess_type(path)
        return "text/html; charset=utf-8" if kind == "text/html" else kind


class NoValidatorServer:
    def __init__(self, root: Path) -> None:
        handler = type("Handler", (_NoValidators,), {"log": []})
        self.handler = handler
        self.server = ThreadingHTTPServer(
            ("127.0.0.1", 0), lambda *a: handler(*a, directory=str(root))
        )
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def requests(self) -> Counter[str]:
        return Counter(f"{method} {status}" for method, status in self.handler.log)

    def __enter__(self) -> NoValidatorServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _poll(process: subprocess.Popen) -> dict[str, Any]:
    """Wait for ``process``; CPU and memory of its whole tree while it ran."""
    root = psutil.Process(process.pid)
    cpu: dict[int, float] = {}
    peak = {"rss_tree_mb": 0.0, "pss_tree_mb": 0.0, "rss_single_mb": 0.0, "processes": 0}
    roles: dict[str, float] = {}
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        rss = pss = 0
        for proc in tree:
            try:
                with proc.oneshot():
                    times = proc.cpu_times()
                    info = proc.memory_full_info()
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            cpu[proc.pid] = times.user + times.system
            role = _role(proc)
            roles[role] = max(roles.get(role, 0.0), round(info.rss / 2**20, 1))
            rss += info.rss
            pss += info.pss
            peak["rss_single_mb"] = max(peak["rss_single_mb"], info.rss / 2**20)
        peak["rss_tree_mb"] = max(peak["rss_tree_mb"], rss / 2**20)
        peak["pss_tree_mb"] = max(peak["pss_tree_mb"], pss / 2**20)
        peak["processes"] = max(peak["processes"], len(tree))
        time.sleep(POLL_SECONDS)
    return {
        "cpu_s": round(sum(cpu.values()), 1),
        **{k: round(v, 1) for k, v in peak.items()},
        "rss_by_process_mb": roles,
    }


def _role(proc: psutil.Process) -> str:
    try:
        line = " ".join(proc.cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return "gone"
    for needle, role in (
        ("crawler.runner", "crawl"),
        ("resource_tracker", "resource_tracker"),
        ("spawn_main", "analysis_worker"),
        ("forkserver", "forkserver"),
        ("govinspect crawl", "cli"),
    ):
        if needle in line:
            return role
    return "other"


def crawl(workdir: Path, base_url: str, env: dict[str, str]) -> dict[str, Any]:
    unit = {"id": "bench", "name": "示范县人民政府", "category": "county", "website": base_url}
    config = workdir / "govinspect.yaml"
    config.write_text(yaml.safe_dump({"units": [unit]}, allow_unicode=True), encoding="utf-8")
    command = [str(Path(sys.executable).parent / "govinspect"), "crawl", "--no-feeds"]
    full_env = {
        **os.environ,
        "GOVINSPECT_CONFIG": str(config),
        "GOVINSPECT_DATA_DIR": str(workdir / "data"),
        **env,
    }
    load = os.getloadavg()[0]
    started = time.monotonic()
    process = subprocess.Popen(
        command, cwd=workdir, env=full_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    measured = _poll(process)
    wall = time.monotonic() - started
    if process.wait() != 0:
        raise SystemExit(process.stderr.read().decode() if process.stderr else "crawl failed")
    return {
        "wall_s": round(wall, 1),
        **measured,
        "load_before": round(load, 2),
        **_run_summary(workdir / "data"),
    }


def _run_summary(data_dir: Path) -> dict[str, Any]:
    summary = crawl_summary(data_dir)
    return {
        "pages": summary.get("pages"),
        "checked": summary.get("checked"),
        "crawl_seconds": summary.get("seconds"),
        "analysis": summary.get("analysis"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=10_000)
    parser.add_argument("--source", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--no-validators", action="store_true")
    parser.add_argument("--first-only", action="store_true")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    site = OUT_DIR / "sites" / f"site-{args.urls}"
    ensure_site(site, args.urls)
    env: dict[str, str] = {}
    if args.source:
        env["PYTHONPATH"] = str(args.source.resolve())
    if args.workers is not None:
        env["GOVINSPECT_ANALYSIS_WORKERS"] = str(args.workers)
    workdir = Path(tempfile.mkdtemp(prefix="govinspect-analysis-bench-"))
    server: Any = (
        NoValidatorServer(site) if args.no_validators else StaticServer({"127.0.0.1": site})
    )
    report: dict[str, Any] = {"label": args.label, "urls": args.urls, **vars(args)}
    report = {k: str(v) if isinstance(v, Path) else v for k, v in report.items()}
    with server:
        base = server.base_url()
        for name in ("first", "second")[: 1 if args.first_only else 2]:
            mark = 0 if args.no_validators else server.log.mark()
            report[name] = crawl(workdir, base, env)
            if args.no_validators:
                report[name]["requests"] = dict(server.requests())
                server.handler.log.clear()
            else:
                entries = server.log.entries(mark)
                report[name]["requests"] = dict(Counter(f"{e.method} {e.status}" for e in entries))
    if "second" in report:
        report["speedup_wall"] = round(report["first"]["wall_s"] / report["second"]["wall_s"], 2)
        report["speedup_cpu"] = round(report["first"]["cpu_s"] / report["second"]["cpu_s"], 2)
    shutil.rmtree(workdir, ignore_errors=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    with (OUT_DIR / "analysis_bench.jsonl").open("a", encoding="utf-8") as out:
        out.write(json.dumps(report, ensure_ascii=False) + "\n")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
