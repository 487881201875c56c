"""Politeness-bound scenario: one unit spread over many slow hosts, per-host concurrency 2.

    .venv/bin/python bench/politeness.py [--hosts 40] [--latency 0.3] [--per-host 2]
                                         [--urls-per-host 125] [--no-floor]

Each host is its own loopback address (``127.0.1.1`` … ``127.0.1.40``, one port) serving a small
site of its own; the first host's home page links to every other host's home page, and the unit
lists the others as ``extra_hosts``.  The aiohttp server adds ``--latency`` seconds to every
response.  A crawler that never sends more than ``per_host`` requests at once to a host cannot
finish faster than

    bound = total requests ÷ (hosts × per_host ÷ latency)

The report gives govinspect's wall time (the whole ``govinspect crawl`` command) and its own
crawl time against that bound, the most requests the server saw in flight at once per host
(must be ≤ per_host), and whether the planted broken links of every host were found.  The
crawl's total concurrency is set to hosts × per_host (``GOVINSPECT_CONCURRENCY_TOTAL``), so that
the per-host limit is the one that binds.  Then the Scrapy floor (``bench/scrapy_floor.py``,
Scrapy alone with the same limits; ``--no-floor`` skips it) crawls the same hosts, against its
own bound: how close any crawler built on Scrapy gets here.  Results go to
``bench/out/politeness.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from harness import compare_broken, log_stats, write_pages_file
from measure import run_measured
from peers import DEFAULT_PEERS_DIR, Govinspect, RunContext, ScrapyFloor
from servers import StaticServer, exit_on_sigterm, free_port
from site_gen import Truth, generate

OUT_DIR = Path(__file__).resolve().parent / "out"
DEFAULT_HOSTS = 40
#: Issue 21's realistic scenario: a county server answering in 300 ms (issue 6 measured 0.1 s).
DEFAULT_LATENCY = 0.3
DEFAULT_PER_HOST = 2
DEFAULT_URLS_PER_HOST = 125
RUN_TIMEOUT = 1800.0
#: Target from issues 6 and 21: within this factor of the bound.
TARGET_FACTOR = 1.2


def host_addresses(count: int) -> list[str]:
    if not 1 <= count <= 254:
        raise ValueError("between 1 and 254 hosts")
    return [f"127.0.1.{n}" for n in range(1, count + 1)]


def build_sites(root: Path, hosts: list[str], port: int, urls_per_host: int) -> dict[str, Truth]:
    """One small site per host; the first one's home page links to all the others."""
    neighbours = [f"http://{h}:{port}/" for h in hosts[1:]]
    truths = {}
    for index, host in enumerate(hosts):
        links = neighbours if index == 0 else None
        truths[host] = generate(root / f"h{index + 1}", urls_per_host, f"host{index + 1}", links)
    return truths


def _planted(truths: dict[str, Truth], port: int) -> tuple[set[str], int]:
    planted = {f"http://{h}:{port}{p}" for h, t in truths.items() for p in t.broken}
    return planted, sum(t.total for t in truths.values())


def politeness(
    out: Path,
    hosts: int = DEFAULT_HOSTS,
    latency: float = DEFAULT_LATENCY,
    per_host: int = DEFAULT_PER_HOST,
    urls_per_host: int = DEFAULT_URLS_PER_HOST,
    peers_dir: Path = DEFAULT_PEERS_DIR,
    source: Path | None = None,
    with_floor: bool = True,
) -> dict[str, Any]:
    addresses = host_addresses(hosts)
    port = free_port(addresses)
    sites = out / "sites" / f"politeness-{hosts}x{urls_per_host}"
    truths = build_sites(sites, addresses, port, urls_per_host)
    runs_dir = out / "runs" / f"politeness-{time.strftime('%Y%m%d-%H%M%S')}"
    roots = {h: sites / f"h{i + 1}" for i, h in enumerate(addresses)}
    tool = Govinspect(peers_dir, source)
    server = StaticServer(roots, latency=latency, engine="aiohttp", port=port)
    with server:
        base = server.base_url(addresses[0])
        ctx = RunContext(
            base_url=base,
            workdir=runs_dir / "govinspect",
            pages_file=write_pages_file(truths[addresses[0]], base, runs_dir / "pages.txt"),
            peers_dir=peers_dir,
            extra_hosts=[f"{h}:{port}" for h in addresses[1:]],
            unit_crawl={"concurrency_per_host": per_host},
            env={"GOVINSPECT_CONCURRENCY_TOTAL": str(hosts * per_host)},
        )
        tool.prepare(ctx)
        mark = server.log.mark()
        env = {**tool.env(), **ctx.env}
        measured = run_measured(
            tool.command(ctx), ctx.workdir, tool.name, RUN_TIMEOUT, env=env, cwd=ctx.workdir
        )
        entries = server.log.entries(mark)
        found = tool.broken(ctx, Path(measured.stdout))
        facts = tool.run_facts(ctx)
        floor = _floor(server, ctx, runs_dir, hosts * per_host / latency) if with_floor else None
        server.stop()
        in_flight = server.stats()
    planted, total_urls = _planted(truths, port)
    stats = log_stats(entries)
    bound = stats["requests"] / (hosts * per_host / latency)
    crawl_seconds = facts.get("crawl_seconds")
    return {
        "hosts": hosts,
        "latency_s": latency,
        "per_host": per_host,
        "site_urls": total_urls,
        "requests": stats["requests"],
        "distinct_urls": stats["distinct_urls"],
        "bound_s": round(bound, 2),
        "wall_s": measured.wall_s,
        "crawl_seconds": crawl_seconds,
        "ratio_wall": round(measured.wall_s / bound, 2) if bound else None,
        "ratio_crawl": round(crawl_seconds / bound, 2) if bound and crawl_seconds else None,
        "target_factor": TARGET_FACTOR,
        "max_in_flight_per_host": max(in_flight.values(), default=None),
        "politeness_respected": max(in_flight.values(), default=0) <= per_host,
        "peak_rss_mb": measured.peak_rss_mb,
        "exit_code": measured.exit_code,
        "broken": compare_broken(found, planted),
        "statuses": stats["statuses"],
        "command": measured.command,
        "env": ctx.env,
        "unit_crawl": ctx.unit_crawl,
        "scrapy_floor": floor,
    }


def _floor(server: StaticServer, ctx: RunContext, runs_dir: Path, rate: float) -> dict[str, Any]:
    """Scrapy alone (bench/scrapy_floor.py) on the same hosts with the same limits: how close
    to the bound any crawler built on Scrapy gets here, before it records a single fact."""
    floor = ScrapyFloor(ctx.peers_dir)
    floor_ctx = replace(ctx, workdir=runs_dir / "scrapy-floor")
    mark = server.log.mark()
    measured = run_measured(floor.command(floor_ctx), floor_ctx.workdir, floor.name, RUN_TIMEOUT)
    requests = log_stats(server.log.entries(mark))["requests"]
    bound = requests / rate
    return {
        "requests": requests,
        "bound_s": round(bound, 2),
        "wall_s": measured.wall_s,
        "ratio_wall": round(measured.wall_s / bound, 2) if bound else None,
        "cpu_s": measured.cpu_s,
        "command": measured.command,
    }


def main() -> int:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hosts", type=int, default=DEFAULT_HOSTS)
    parser.add_argument("--latency", type=float, default=DEFAULT_LATENCY)
    parser.add_argument("--per-host", type=int, default=DEFAULT_PER_HOST)
    parser.add_argument("--urls-per-host", type=int, default=DEFAULT_URLS_PER_HOST)
    parser.add_argument("--peers-dir", type=Path, default=DEFAULT_PEERS_DIR)
    parser.add_argument("--no-floor", action="store_true", help="skip the Scrapy floor run")
    # Absolute: the tools run in their own working directories (GNU time writes there).
    parser.add_argument("--out", type=lambda p: Path(p).resolve(), default=OUT_DIR)
    args = parser.parse_args()
    report = politeness(
        args.out, args.hosts, args.latency, args.per_host, args.urls_per_host, args.peers_dir,
        with_floor=not args.no_floor,
    )  # fmt: skip
    (args.out / "politeness.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
