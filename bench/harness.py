"""Shared pieces of the benchmarks: run one tool on the served site and account for it.

A tool run is measured by ``measure.run_measured`` (wall time, peak RSS) and by the server's
access log slice between two marks (requests, distinct URLs, bytes, statuses), so every tool is
counted the same way whatever it reports itself.  Its broken set, read from its own output
(see ``peers``), is compared with the planted set of the site's ground truth.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import tarfile
from collections import Counter
from pathlib import Path
from typing import Any

from measure import run_measured
from peers import Govinspect, RunContext, Tool
from servers import LogEntry, StaticServer
from site_gen import Truth

#: Examples of missing/extra URLs kept in the results.
EXAMPLES = 5


def log_stats(entries: list[LogEntry], truth: Truth | None = None) -> dict[str, Any]:
    """Requests, distinct URLs, bytes and statuses of a log slice; coverage of the truth."""
    distinct = {(e.host, e.uri) for e in entries}
    stats: dict[str, Any] = {
        "requests": len(entries),
        "distinct_urls": len(distinct),
        "bytes_sent": sum(e.bytes_sent for e in entries),
        "statuses": dict(Counter(f"{e.method} {e.status}" for e in entries)),
        "not_modified": sum(1 for e in entries if e.status == 304),
        "conditional": sum(1 for e in entries if e.conditional),
    }
    if truth is not None:
        paths = {uri for _, uri in distinct}
        wanted = truth.all_paths()
        stats["covered"] = len(paths & wanted)
        stats["uncovered_examples"] = sorted(wanted - paths)[:EXAMPLES]
    return stats


def planted_urls(truth: Truth, base_url: str) -> set[str]:
    return {base_url.rstrip("/") + path for path in truth.broken}


def compare_broken(found: set[str] | None, planted: set[str]) -> dict[str, Any]:
    """Exact match of a tool's broken set with the planted one, with examples of differences."""
    if found is None:
        return {"exact": None, "found": None, "missing": None, "extra": None}
    missing, extra = sorted(planted - found), sorted(found - planted)
    return {
        "exact": not missing and not extra,
        "found": len(found),
        "planted": len(planted),
        "missing": len(missing),
        "extra": len(extra),
        "missing_examples": missing[:EXAMPLES],
        "extra_examples": extra[:EXAMPLES],
    }


def write_pages_file(truth: Truth, base_url: str, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    base = base_url.rstrip("/")
    path.write_text("".join(f"{base}{p}\n" for p in truth.pages), encoding="utf-8")
    return path


def site_context(
    server: StaticServer,
    truth: Truth,
    workdir: Path,
    peers_dir: Path,
    data_dir: Path | None = None,
) -> RunContext:
    """A run on ``server``'s one-host site: its base URL and the page list the tools need."""
    return RunContext(
        base_url=server.base_url(),
        workdir=workdir,
        pages_file=write_pages_file(truth, server.base_url(), workdir / "pages.txt"),
        peers_dir=peers_dir,
        data_dir=data_dir,
    )


def crawl_summary(data_dir: Path) -> dict[str, Any]:
    """The summary of the last crawl run in a govinspect data folder ({} before any)."""
    with sqlite3.connect(data_dir / "govinspect.db") as conn:
        row = conn.execute(
            "SELECT summary FROM runs WHERE kind = 'crawl' ORDER BY id DESC LIMIT 1"
        ).fetchone()
    return json.loads(row[0]) if row and row[0] else {}


def run_tool(
    tool: Tool,
    server: StaticServer,
    truth: Truth,
    ctx: RunContext,
    timeout: float,
) -> dict[str, Any]:
    """One run of ``tool`` on the site ``server`` serves; its measurements as a dict."""
    ctx.workdir.mkdir(parents=True, exist_ok=True)
    tool.prepare(ctx)
    mark = server.log.mark()
    # Other work on the machine skews timings: the load average makes that visible.
    load_before = os.getloadavg()[0]
    measured = run_measured(
        tool.command(ctx),
        ctx.workdir,
        tool.name,
        timeout,
        env={**tool.env(), **ctx.env},
        cwd=ctx.workdir,
    )
    entries = server.log.entries(mark)
    result: dict[str, Any] = {"tool": tool.name, **measured.as_dict(), **log_stats(entries, truth)}
    result["load_before"] = round(load_before, 2)
    result["load_after"] = round(os.getloadavg()[0], 2)
    result["urls_per_s"] = round(result["covered"] / measured.wall_s, 1) if measured.wall_s else 0
    if measured.timed_out:
        # A capped run: the rate it reached, and how long the whole site would take at it.
        rate = result["covered"] / measured.wall_s if measured.wall_s else 0
        result["projected_full_s"] = round(truth.total / rate) if rate else None
        result["broken"] = {"exact": None, "note": "stopped at the time cap"}
    else:
        stdout = Path(measured.stdout)
        planted = planted_urls(truth, ctx.base_url)
        result["broken"] = compare_broken(tool.broken(ctx, stdout), planted)
    if isinstance(tool, Govinspect):
        result["facts"] = tool.run_facts(ctx)
        result["crawl_seconds"] = result["facts"].get("crawl_seconds")
        result["columns"] = column_accuracy(result["facts"].get("columns", []), truth, ctx.base_url)
    return result


def column_accuracy(found: list[dict], truth: Truth, base_url: str) -> dict[str, Any]:
    """How many planted columns govinspect recorded, with the right newest date and no 'blank'."""
    base = base_url.rstrip("/")
    by_url = {c["url"]: c for c in found}
    right = wrong_date = missing = blank = 0
    for column in truth.columns:
        got = by_url.get(base + column["path"])
        if got is None:
            missing += 1
            continue
        blank += bool(got["blank"])
        if got["newest"] == column["newest"]:
            right += 1
        else:
            wrong_date += 1
    return {
        "planted": len(truth.columns),
        "recorded": len(found),
        "newest_right": right,
        "newest_wrong": wrong_date,
        "missing": missing,
        "flagged_blank": blank,
    }


def median(values: list[float]) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 2) if values else None


def machine_info() -> dict[str, Any]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        first = meminfo.read_text().splitlines()[0].split()
        memory_gib = round(int(first[1]) / 2**20, 1)
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": _version(["node", "--version"]),
        "nginx": _version(["nginx", "-v"]),
        "os": _os_release(),
    }


def _version(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        binary = Path("/usr/sbin") / command[0]
        if not binary.exists():
            return None
        command = [str(binary), *command[1:]]
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return None
    return (
        (out.stdout or out.stderr).strip().splitlines()[0] if (out.stdout or out.stderr) else None
    )


def _os_release() -> str | None:
    path = Path("/etc/os-release")
    if not path.exists():
        return None
    for line in path.read_text().splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return None


REPO = Path(__file__).resolve().parents[1]


def snapshot(rev: str, out: Path) -> Path:
    """The ``govinspect`` package as committed at ``rev``, extracted under ``out/snapshots``.

    Put on PYTHONPATH (``Govinspect(source=...)``), it shadows the editable install: the bench
    measures that commit, not a working tree other people are editing, and two revisions can be
    compared (before/after).
    """
    commit = _git("rev-parse", "--short", rev)
    target = out / "snapshots" / commit
    if not (target / "govinspect" / "__init__.py").exists():
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        archive = subprocess.run(
            ["git", "-C", str(REPO), "archive", "--format=tar", commit, "govinspect"],
            capture_output=True,
            check=True,
            timeout=120,
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(target, filter="data")
    return target


def code_state() -> dict[str, Any]:
    """The commit and the files of the package changed in the working tree."""
    try:
        dirty = _git("status", "--porcelain", "--", "govinspect").splitlines()
        return {"commit": _git("rev-parse", "--short", "HEAD"), "dirty": dirty}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": []}


def _git(*args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True, timeout=60
    )
    return out.stdout.strip()
