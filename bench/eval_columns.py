"""Evaluate list-item and article-date extraction on a real corpus served over local HTTP.

Usage: ``.venv/bin/python bench/eval_columns.py [--corpus PATH] [--crawl-date YYYY-MM-DD]``

The corpus directory holds ``manifest.json`` (format of ``/work/shared/corpus/pingtan``: one
entry per HTML file with ``kind``, ``path``, ``url_path``, ``original_url``, ``published`` and,
for list pages, ``list_items``).  Every file is served by a small ``http.server`` on 127.0.0.1
at its original path (a list page also at ``index.htm``/``index.html`` below it), fetched over
HTTP, and judged with ``page_url`` = its original URL so item URLs compare with the manifest.
The same pages are also dated by htmldate alone (``find_date(html, original_date=True)``) as
a baseline.  Exit status 0 when the targets are met: every list page recognised (a content
page recognised as content), newest item date exact on every list page, >= 95% article dates.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import urllib.request
from datetime import date
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from htmldate import find_date
from paths import PINGTAN

from govinspect.crawler.dates import article_date
from govinspect.crawler.listing import extract_items

DEFAULT_CORPUS = PINGTAN  # shared/ beside the repository, or GOVINSPECT_SHARED
DEFAULT_CRAWL_DATE = date(2026, 9, 10)
ARTICLE_TARGET = 0.95


def url_map(corpus: Path, files: list[dict[str, Any]]) -> dict[str, Path]:
    """Request path -> file, as SOURCE.md describes (list pages also at index.htm/html)."""
    mapping: dict[str, Path] = {}
    for entry in files:
        target = corpus / entry["path"]
        path = entry["url_path"]
        mapping[path] = target
        if entry["kind"] == "list" and path.endswith("/"):
            mapping[path + "index.htm"] = target
            mapping[path + "index.html"] = target
    return mapping


def serve(mapping: dict[str, Path]) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            target = mapping.get(unquote(urlsplit(self.path).path))
            if target is None:
                self.send_error(404)
                return
            body = target.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (local server)
        header = Message()
        header["Content-Type"] = response.headers.get("Content-Type", "")
        charset = header.get_param("charset") or "utf-8"
        return response.read().decode(str(charset), errors="replace")


def htmldate_alone(html: str) -> str | None:
    return find_date(html, original_date=True, outputformat="%Y-%m-%d")


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISS"


def eval_lists(base: str, lists: list[dict[str, Any]], crawl: date) -> tuple[int, int, int, int]:
    print("\nList pages (page_url = original URL)")
    print(
        f"{'column':34} {'verdict':14} {'items':>11} {'newest got':>11} / {'truth':>11} "
        f"{'':4} {'htmldate':>11}  placeholder / notes"
    )
    recognised = newest_ok = baseline_ok = 0
    for entry in lists:
        html = fetch(base + entry["url_path"])
        result = extract_items(html, entry["original_url"], crawl)
        truth = entry["list_items"]
        content_page = truth["count"] == 0 and truth.get("quick_mode") is None
        verdict_ok = result.is_list != content_page
        newest = max((i.date for i in result.items if i.date), default=None)
        got = newest.isoformat() if newest else None
        base_date = htmldate_alone(html)
        recognised += verdict_ok
        newest_ok += got == truth["newest"]
        baseline_ok += base_date == truth["newest"]
        verdict = ("content" if not result.is_list else "list") + " " + _mark(verdict_ok)
        count = f"{len(result.items)}/{truth['count']}"
        print(
            f"{entry['url_path'][:34]:34} {verdict:14} {count:>11} "
            f"{str(got):>11} / {str(truth['newest']):>11} {_mark(got == truth['newest']):4} "
            f"{str(base_date):>11}  {result.placeholder or '-'} {','.join(result.notes)}"
        )
    return recognised, newest_ok, baseline_ok, len(lists)


def eval_articles(base: str, articles: list[dict[str, Any]], crawl: date) -> tuple[int, int, int]:
    print("\nArticle pages")
    print(
        f"{'doc':>7} {'truth':>11} {'got':>11} {'source':16} {'':4} {'htmldate':>11} {'':4} flags"
    )
    exact = baseline = 0
    for entry in articles:
        html = fetch(base + entry["url_path"])
        found = article_date(html, entry["original_url"], crawl)
        got = found.date.isoformat() if found.date else None
        base_date = htmldate_alone(html)
        exact += got == entry["published"]
        baseline += base_date == entry["published"]
        print(
            f"{entry.get('doc_id', ''):>7} {entry['published']:>11} {str(got):>11} "
            f"{found.source:16} {_mark(got == entry['published']):4} {str(base_date):>11} "
            f"{_mark(base_date == entry['published']):4} {','.join(found.flags)}"
        )
    return exact, baseline, len(articles)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument(
        "--crawl-date",
        type=date.fromisoformat,
        default=DEFAULT_CRAWL_DATE,
        help="the day the corpus was archived (default %(default)s)",
    )
    args = parser.parse_args(argv)
    files = json.loads((args.corpus / "manifest.json").read_text(encoding="utf-8"))["files"]
    server, base = serve(url_map(args.corpus, files))
    started = time.perf_counter()
    try:
        lists = [f for f in files if f["kind"] == "list"]
        articles = [f for f in files if f["kind"] == "article"]
        recognised, newest_ok, list_baseline, n_lists = eval_lists(base, lists, args.crawl_date)
        exact, art_baseline, n_articles = eval_articles(base, articles, args.crawl_date)
    finally:
        server.shutdown()
    seconds = time.perf_counter() - started
    share = exact / n_articles if n_articles else 1.0
    print("\nTotals                          govinspect      htmldate alone")
    print(f"list pages recognised           {recognised}/{n_lists:<13} -")
    print(f"newest list date exact          {newest_ok}/{n_lists:<13} {list_baseline}/{n_lists}")
    print(
        f"article dates exact             {exact}/{n_articles} ({share:.0%})"
        f"{'':5} {art_baseline}/{n_articles}"
    )
    print(f"{len(files)} pages in {seconds:.2f} s")
    met = recognised == n_lists and newest_ok == n_lists and share >= ARTICLE_TARGET
    print("targets met" if met else "TARGETS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
