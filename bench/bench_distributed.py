"""Distributed mode: crawl throughput with 1 and 2 worker processes, and Redis memory of dedup.

    .venv/bin/python bench/bench_distributed.py throughput [--sections 40] [--articles 120]
    .venv/bin/python bench/bench_distributed.py memory [--urls 10000000] [--runs 100]

``throughput`` generates a static site (sections of articles, images, attachments, a few dead
links), serves it with nginx on 127.0.0.1, and crawls it three ways into fresh PostgreSQL
schemas: single-node (one crawl process), then distributed with 1 and with 2 worker processes
sharing Redis.  It prints a Markdown table and checks that all three record the same pages and
link outcomes.  Needs Redis at 127.0.0.1:6379 and PostgreSQL at 127.0.0.1:5432 (database test).

``memory`` measures what de-duplication costs in Redis (``INFO used_memory`` before and after):
scrapy-redis's default set of SHA1 fingerprints, a set of 8-byte fingerprints, and this
project's Bloom filter for one run with ``--urls`` URLs and for ``--runs`` runs of 10^4 URLs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import redis  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from govinspect.crawler.distributed import control  # noqa: E402
from govinspect.crawler.distributed.bloom import BloomDupeFilter  # noqa: E402
from govinspect.crawler.launch import run_crawl  # noqa: E402
from govinspect.registry import parse_registry  # noqa: E402
from govinspect.settings import load_settings  # noqa: E402
from govinspect.store.db import open_store  # noqa: E402
from govinspect.store.models import LinkCheck, Page  # noqa: E402
from govinspect.store.units import sync_registry  # noqa: E402

REDIS_URL = "redis://127.0.0.1:6379/0"
PG = "host=127.0.0.1 port=5432 dbname=test user=postgres"
NGINX = "/usr/sbin/nginx"
NGINX_CONF = """\
worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {prefix}/body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  types {{ text/html html; image/png png; application/pdf pdf; }}
  server {{
    listen 127.0.0.1:{port};
    root {root};
    index index.html;
  }}
}}
"""


# --- the site ---------------------------------------------------------------------------------


def page(title: str, body: str) -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
        f"<a href='/'>首页</a>{body}</body></html>"
    )


def write_site(root: Path, sections: int, articles: int) -> tuple[int, int]:
    """A TRS-like site; returns the distinct URLs a full crawl verifies, and its pages."""
    rng = random.Random(10)
    nav = "".join(f"<a href='/s{s}/'>栏目{s}</a>" for s in range(sections))
    (root / "img").mkdir(parents=True)
    (root / "files").mkdir()
    for i in range(200):
        (root / "img" / f"{i}.png").write_bytes(b"\x89PNG" + bytes(64))
    for i in range(sections * 2):
        (root / "files" / f"{i}.pdf").write_bytes(b"%PDF-1.4 " + bytes(256))
    (root / "index.html").write_text(page("首页", nav), encoding="utf-8")
    dead = 0
    for s in range(sections):
        folder = root / f"s{s}"
        folder.mkdir()
        items = "".join(
            f"<li><a href='/s{s}/a{i}.html'>文章{s}-{i}</a><span>2026-11-{1 + i % 28:02d}</span>"
            for i in range(articles)
        )
        (folder / "index.html").write_text(page(f"栏目{s}", f"{nav}<ul>{items}</ul>"), "utf-8")
        for i in range(articles):
            links = "".join(
                f"<a href='/s{s}/a{rng.randrange(articles)}.html'>相关</a>" for _ in range(3)
            )
            links += f"<img src='/img/{rng.randrange(200)}.png'>"
            links += f"<a href='/files/{rng.randrange(sections * 2)}.pdf'>附件</a>"
            if i % 50 == 7:
                links += f"<a href='/s{s}/gone{i}.html'>已删除</a>"
                dead += 1
            body = f"<a href='/s{s}/'>返回栏目</a><p>正文 {s}-{i}</p>{links}"
            (folder / f"a{i}.html").write_text(page(f"文章{s}-{i}", body), "utf-8")
    pages = 1 + sections * (1 + articles) + dead  # deleted articles are pages answering 404
    return pages + 200 + sections * 2, pages


@contextmanager
def nginx(root: Path) -> Any:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    prefix = Path(tempfile.mkdtemp(prefix="gi-nginx-"))
    conf = prefix / "nginx.conf"
    conf.write_text(NGINX_CONF.format(prefix=prefix, port=port, root=root))
    os.chmod(prefix, 0o755)
    process = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(prefix)])
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(prefix, ignore_errors=True)


@contextmanager
def schema() -> Any:
    import psycopg

    name = f"gi_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/test?options=-csearch_path%3D{name}"
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def shares(store: Any, run_id: int) -> list[int]:
    """Pages fetched by each worker (each writes its own WARC file), largest first."""
    with store.session() as session:
        counts = session.execute(
            select(func.count()).where(Page.run_id == run_id).group_by(Page.warc_file)
        ).scalars()
        return sorted(counts, reverse=True)


def facts(store: Any, run_id: int) -> tuple[set, set]:
    with store.session() as session:
        pages = set(session.scalars(select(Page.url).where(Page.run_id == run_id)))
        checks = set(
            session.execute(
                select(LinkCheck.target_url, LinkCheck.outcome).where(LinkCheck.run_id == run_id)
            ).all()
        )
    return pages, checks


# --- throughput -------------------------------------------------------------------------------

LIMITS = {
    "timeout": 10.0,
    "recheck_delay": 0.5,
    "concurrency_per_host": 16,
    "concurrency_total": 32,
    "obey_robots": False,
}


def single_node(registry: Any, tmp: Path) -> dict[str, Any]:
    with schema() as db:
        settings = load_settings(data_dir=tmp / "single", db=db, **LIMITS)
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        started = time.perf_counter()
        result = run_crawl(settings, store, registry.units[0], progress=False)
        wall = time.perf_counter() - started
        got = facts(store, result.run_id)
        store.dispose()
    row = {"mode": "single-node", "processes": 1, "wall": wall, "facts": got, "split": "-"}
    return {**row, **_counts(got)}


def distributed(registry: Any, tmp: Path, processes: int) -> dict[str, Any]:
    ns = f"gibench-{uuid.uuid4().hex[:8]}"
    with schema() as db:
        data_dir = tmp / f"dist{processes}"
        settings = load_settings(data_dir=data_dir, db=db, redis_url=REDIS_URL, **LIMITS)
        store = open_store(settings.database_url)
        env = {
            **os.environ,
            "GOVINSPECT_REDIS_URL": REDIS_URL,
            "GOVINSPECT_DB": db,
            "GOVINSPECT_DATA_DIR": str(data_dir),
        }
        command = [
            sys.executable, "-m", "govinspect.crawler.distributed", "--namespace", ns,
            "worker", "--stop-after-idle", "2",
        ]  # fmt: skip
        started = time.perf_counter()
        [run_id] = control.enqueue_units(settings, registry, store, namespace=ns)
        workers = [
            subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            for _ in range(processes)
        ]
        [result] = control.wait_for_runs(settings, store, [run_id], poll=0.2, namespace=ns)
        wall = time.perf_counter() - started
        for worker in workers:
            worker.wait(timeout=60)
        got = facts(store, run_id)
        split = shares(store, run_id)
        store.dispose()
        server = redis.Redis.from_url(REDIS_URL)
        leftovers = list(server.scan_iter(match=f"{ns}:*"))
        if leftovers:
            server.delete(*leftovers)
    assert result.status == "complete", result.error
    row = {"mode": "distributed", "processes": processes, "wall": wall, "facts": got}
    row["split"] = " / ".join(str(n) for n in split)
    return {**row, **_counts(got)}


def _counts(got: tuple[set, set]) -> dict[str, int]:
    return {"pages": len(got[0]), "urls": len(got[1])}


def throughput(args: argparse.Namespace) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="gi-bench-dist-"))
    try:
        urls, pages = write_site(tmp / "site", args.sections, args.articles)
        os.chmod(tmp, 0o755)  # nginx's worker runs as nobody
        rows = []
        with nginx(tmp / "site") as base:
            unit = {"id": "site", "name": "站点", "category": "county", "website": base + "/"}
            registry = parse_registry({"units": [unit]})
            rows.append(single_node(registry, tmp))
            for processes in (1, 2):
                rows.append(distributed(registry, tmp, processes))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(
        f"\nSite: {urls} URLs ({pages} pages), nginx, {os.cpu_count()} cores; "
        f"per-host limit {LIMITS['concurrency_per_host']}; PostgreSQL.\n"
    )
    print(
        "| mode | crawl processes | wall s | pages/s | URLs/s | pages per process "
        "| same facts as single-node |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        same = "yes" if row["facts"] == rows[0]["facts"] else "**no**"
        print(
            f"| {row['mode']} | {row['processes']} | {row['wall']:.1f} | "
            f"{row['pages'] / row['wall']:.1f} | {row['urls'] / row['wall']:.1f} | "
            f"{row['split']} | {same} |"
        )
    print("\nWall time of distributed runs includes starting the worker processes (about 2 s).")


# --- memory -------------------------------------------------------------------------------------


def used(server: redis.Redis) -> int:
    # Wait for background frees (UNLINK) of the previous measurement to finish.
    while int(server.info("memory").get("lazyfree_pending_objects", 0)):
        time.sleep(0.5)
    time.sleep(1)
    return int(server.info("memory")["used_memory"])


def fill_set(server: redis.Redis, key: str, count: int, sha1: bool) -> None:
    pipe = server.pipeline(transaction=False)
    for i in range(count):
        url = f"http://www.example.gov.cn/col/col{i % 977}/art/2026/art_{i}.html"
        if sha1:
            # scrapy-redis RFPDupeFilter: SHA1 hex of the canonical request as JSON
            data = json.dumps({"body": "", "method": "GET", "url": url}, sort_keys=True)
            pipe.sadd(key, hashlib.sha1(data.encode()).hexdigest())
        else:
            pipe.sadd(key, hashlib.blake2b(url.encode(), digest_size=8).digest())
        if i % 10_000 == 9_999:
            pipe.execute()
    pipe.execute()


def fill_bloom(server: redis.Redis, key: str, count: int, seed: int) -> None:
    bloom = BloomDupeFilter(server, key)
    rng = random.Random(seed)
    for start in range(0, count, 2_000):
        bloom.claim_many([rng.getrandbits(64) for _ in range(min(2_000, count - start))])


def measure(server: redis.Redis, label: str, fill: Any, keys: Any, count: int) -> dict[str, Any]:
    before = used(server)
    started = time.perf_counter()
    fill()
    seconds = time.perf_counter() - started
    after = used(server)
    server.unlink(*keys())  # freed in the background: DEL of 10^7 members blocks Redis
    mib = (after - before) / 2**20
    print(
        f"| {label} | {count:,} | {mib:,.1f} | {(after - before) / count:.1f} | {seconds:.0f} |",
        flush=True,
    )
    return {"label": label, "urls": count, "mib": mib}


def memory(args: argparse.Namespace) -> None:
    server = redis.Redis.from_url(REDIS_URL, socket_timeout=600)
    ns = f"gibench-{uuid.uuid4().hex[:8]}"
    n = args.urls
    print("| de-duplication store | URLs | Redis MiB | bytes/URL | fill s |")
    print("|---|---|---|---|---|")
    if not args.bloom_only:
        measure(
            server,
            "scrapy-redis default (set of SHA1 hex)",
            lambda: fill_set(server, f"{ns}:sha1", n, sha1=True),
            lambda: [f"{ns}:sha1"],
            n,
        )
        measure(
            server,
            "set of 8-byte fingerprints",
            lambda: fill_set(server, f"{ns}:b8", n, sha1=False),
            lambda: [f"{ns}:b8"],
            n,
        )
    measure(
        server,
        "Bloom filter, 1e-7, one run",
        lambda: fill_bloom(server, f"{ns}:bloom", n, 1),
        lambda: [f"{ns}:bloom", *(f"{ns}:bloom:{i}" for i in range(16))],
        n,
    )
    runs, per_run = args.runs, 10_000
    measure(
        server,
        f"Bloom filter, 1e-7, {runs} runs of {per_run:,}",
        lambda: [fill_bloom(server, f"{ns}:r{r}", per_run, r) for r in range(runs)],
        lambda: [f"{ns}:r{r}{suffix}" for r in range(runs) for suffix in ("", ":0", ":1")],
        runs * per_run,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    crawl = commands.add_parser("throughput")
    crawl.add_argument("--sections", type=int, default=40)
    crawl.add_argument("--articles", type=int, default=120)
    mem = commands.add_parser("memory")
    mem.add_argument("--urls", type=int, default=1_000_000)
    mem.add_argument("--runs", type=int, default=100)
    mem.add_argument("--bloom-only", action="store_true", help="skip the (slow) sets")
    args = parser.parse_args()
    {"throughput": throughput, "memory": memory}[args.command](args)


if __name__ == "__main__":
    main()
