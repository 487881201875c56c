"""Benchmark feed polling: many accounts on one (RSSHub-like) host, then a conditional re-poll.

Usage: ``.venv/bin/python bench/bench_feeds.py [--accounts 200] [--latency 0.05]
[--per-host 4] [--total 32] [--posts 20]``

A small threaded ``http.server`` on 127.0.0.1 serves one RSS 2.0 feed per account (``--posts``
items each, with an ETag and Last-Modified) after ``--latency`` seconds, and counts the requests
it is handling at once.  ``poll_feeds`` polls every account into a temporary SQLite store twice:
the first poll fetches and parses everything, the second must be answered by 304s only.  For
each poll it prints wall time, requests/s, the peak concurrency the server saw, the outcomes
and errors.  Exit status 0 when both polls have no errors, the peak never exceeds the per-host
limit, and the second poll is all 304s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from govinspect.crawler.feeds import PollSummary, poll_feeds
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store

ACCOUNTS_PER_UNIT = 10


class Counters:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.statuses: Counter[int] = Counter()

    def reset(self) -> None:
        with self.lock:
            self.peak = 0
            self.statuses.clear()


def feed_body(account: int, posts: int, now: datetime) -> bytes:
    items = "".join(
        f"<item><title>账号{account}的第{n}条</title>"
        f"<link>http://mp.example/{account}/{n}</link><guid>urn:{account}:{n}</guid>"
        f"<pubDate>{format_datetime(now - timedelta(hours=7 * n))}</pubDate></item>"
        for n in range(posts)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>账号{account}</title><link>http://mp.example/{account}</link>{items}"
        "</channel></rss>"
    ).encode()


def serve(accounts: int, posts: int, latency: float, counters: Counters) -> ThreadingHTTPServer:
    now = datetime.now(UTC)
    modified = format_datetime(now, usegmt=True)
    bodies = {f"/feed/{n}": feed_body(n, posts, now) for n in range(accounts)}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            with counters.lock:
                counters.active += 1
                counters.peak = max(counters.peak, counters.active)
            try:
                time.sleep(latency)
                body = bodies.get(self.path)
                etag = f'"{self.path}-v1"'
                if body is None:
                    status, body = 404, b"not found"
                elif self.headers.get("If-None-Match") == etag:
                    status, body = 304, b""
                else:
                    status = 200
            finally:
                # Counted until the answer starts: the client cannot free its slot earlier.
                with counters.lock:
                    counters.active -= 1
                    counters.statuses[status] += 1
            self.send_response(status)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", modified)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd


def registry_for(port: int, accounts: int) -> Any:
    units = []
    for start in range(0, accounts, ACCOUNTS_PER_UNIT):
        unit = start // ACCOUNTS_PER_UNIT
        units.append(
            {
                "id": f"unit{unit:03d}",
                "name": f"单位{unit}",
                "category": "department",
                "website": f"http://u{unit}.example.gov.cn/",
                "new_media": [
                    {
                        "name": f"账号{n}",
                        "platform": "wechat",
                        "feed": f"http://127.0.0.1:{port}/feed/{n}",
                    }
                    for n in range(start, min(start + ACCOUNTS_PER_UNIT, accounts))
                ],
            }
        )
    return parse_registry({"units": units})


def report(label: str, summary: PollSummary, wall: float, counters: Counters) -> None:
    requests = sum(counters.statuses.values())
    errors = Counter(r.error for r in summary.results if r.error)
    print(
        f"{label}: {summary.accounts} accounts in {wall:.2f} s, "
        f"{requests / wall:.1f} requests/s, peak concurrency {counters.peak}"
    )
    print(
        f"  server statuses {dict(sorted(counters.statuses.items()))}; "
        f"ok {summary.ok}, not modified {summary.not_modified}, errors {summary.errors}, "
        f"new posts {summary.new_posts}"
    )
    for error, count in errors.most_common(5):
        print(f"  error x{count}: {error}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per response")
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--total", type=int, default=32)
    parser.add_argument("--posts", type=int, default=20, help="items per feed")
    args = parser.parse_args(argv)

    counters = Counters()
    httpd = serve(args.accounts, args.posts, args.latency, counters)
    settings = load_settings(
        feed_concurrency_per_host=args.per_host,
        concurrency_total=args.total,
        feed_timeout=20.0,
        retry_times=2,
    )
    registry = registry_for(httpd.server_address[1], args.accounts)
    floor = args.accounts * args.latency / min(args.per_host, args.total)
    print(
        f"{args.accounts} feeds on one host, {args.latency * 1000:.0f} ms latency, "
        f"per-host limit {args.per_host}, global {args.total}: "
        f"lower bound {floor:.2f} s per poll"
    )
    passed = True
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{tmp}/bench.db")
        try:
            for label in ("first poll", "second poll (conditional)"):
                counters.reset()
                started = time.monotonic()
                summary = poll_feeds(store, registry, None, settings)
                wall = time.monotonic() - started
                report(label, summary, wall, counters)
                passed &= summary.errors == 0 and counters.peak <= args.per_host
            passed &= summary.not_modified == args.accounts
        finally:
            store.dispose()
            httpd.shutdown()
            httpd.server_close()
    print("PASS" if passed else "FAIL")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
