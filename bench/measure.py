"""Run one command-line program and measure it: wall time and peak RSS of its process tree.

Peak RSS is measured two ways, because a tool may be several processes at once (``govinspect
crawl`` runs the crawl in a subprocess, ``npx``/wrappers start the real binary):

* ``tree``: psutil polls the whole process tree every ``POLL_SECONDS`` and keeps the largest sum
  of resident set sizes (shared pages are counted once per process, so this errs high);
* ``single``: GNU time's "Maximum resident set size", the largest single process of the tree
  (exact, never misses a short peak), when ``/usr/bin/time`` exists.

The reported ``peak_rss_mb`` is the larger of the two.  GNU time also gives the CPU seconds
(user, system) of the command and of every descendant it waited for (``govinspect crawl`` waits
for its crawl subprocesses): ``cpu_s ÷ wall_s`` is how many cores the tool kept busy on average.
Every run is bounded by a timeout; on expiry the whole process group started here is killed.
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

GNU_TIME = Path("/usr/bin/time")
POLL_SECONDS = 0.05
MAX_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")
CPU_TIME = re.compile(r"(User|System) time \(seconds\): ([\d.]+)")


@dataclass
class Measured:
    command: str
    exit_code: int | None
    wall_s: float
    peak_rss_mb: float
    tree_rss_mb: float
    single_rss_mb: float | None
    timed_out: bool
    stdout: str
    stderr: str
    cpu_user_s: float | None = None  # GNU time: the command and its waited-for descendants
    cpu_sys_s: float | None = None

    @property
    def cpu_s(self) -> float | None:
        if self.cpu_user_s is None or self.cpu_sys_s is None:
            return None
        return round(self.cpu_user_s + self.cpu_sys_s, 2)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "cpu_s": self.cpu_s}


class _TreePoller(threading.Thread):
    """Largest total RSS of a process and all its descendants, sampled."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for proc in procs:
                if proc.pid == self.pid and GNU_TIME.exists():
                    continue  # GNU time itself is not the tool
                try:
                    total += proc.memory_info().rss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    continue
            self.peak = max(self.peak, total)
            self.done.wait(POLL_SECONDS)


def _psutil_available() -> bool:
    try:
        import psutil  # noqa: F401
    except ImportError:
        return False
    return True


def run_measured(
    command: list[str],
    out_dir: Path,
    name: str,
    timeout: float,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> Measured:
    """Run ``command``; its stdout/stderr go to ``out_dir/name.stdout|stderr``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stdout_path = out_dir / f"{name}.stdout"
    stderr_path = out_dir / f"{name}.stderr"
    time_path = out_dir / f"{name}.time"
    full = command
    if GNU_TIME.exists():
        full = [str(GNU_TIME), "-v", "-o", str(time_path), *command]
    with stdout_path.open("wb") as out, stderr_path.open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            full,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
            cwd=cwd,
            start_new_session=True,  # its own process group: a timeout kills the whole tree
        )
        poller = _TreePoller(process.pid) if _psutil_available() else None
        if poller:
            poller.start()
        timed_out = False
        try:
            code: int | None = process.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            code = None
        except BaseException:
            # Interrupted ourselves (Ctrl-C, SIGTERM): never leave the tool running.
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        wall = time.perf_counter() - started
        if poller:
            poller.done.set()
            poller.join()
    single = None
    cpu: dict[str, float] = {}
    if time_path.exists():
        text = time_path.read_text(errors="replace")
        match = MAX_RSS.search(text)
        single = int(match.group(1)) / 1024 if match else None
        cpu = {kind: float(seconds) for kind, seconds in CPU_TIME.findall(text)}
    tree = (poller.peak if poller else 0) / 2**20
    return Measured(
        command=shlex.join(command),
        exit_code=code,
        wall_s=round(wall, 2),
        peak_rss_mb=round(max(tree, single or 0), 1),
        tree_rss_mb=round(tree, 1),
        single_rss_mb=round(single, 1) if single is not None else None,
        timed_out=timed_out,
        stdout=str(stdout_path),
        stderr=str(stderr_path),
        cpu_user_s=cpu.get("User"),
        cpu_sys_s=cpu.get("System"),
    )
