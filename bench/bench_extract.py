"""Micro-benchmark of page decoding + link extraction over the Pingtan corpus.

Usage: ``.venv/bin/python bench/bench_extract.py [-n REPEAT] [--corpus DIR] [--cold]``

Prints pages/s and links/s for ``decode_body`` + ``extract_links`` over every HTML file of
the corpus manifest, repeated N times. ``--cold`` clears the URL memo caches before each
round, which approximates a crawl where every page is on a new site.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from paths import PINGTAN

from govinspect.crawler import urls
from govinspect.crawler.decode import decode_body
from govinspect.crawler.links import extract_links

DEFAULT_CORPUS = PINGTAN  # shared/ beside the repository, or GOVINSPECT_SHARED


def load_pages(corpus: Path) -> list[tuple[bytes, str]]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    return [((corpus / f["path"]).read_bytes(), f["original_url"]) for f in manifest["files"]]


def clear_caches() -> None:
    for cached in (urls._normalize, urls._resolve, urls.is_attachment, urls.link_kind_by_extension):
        cached.cache_clear()


def run_round(pages: list[tuple[bytes, str]]) -> tuple[int, int, float]:
    links = 0
    started = time.perf_counter()
    for body, url in pages:
        text, encoding = decode_body(body, "text/html")
        links += len(extract_links(text, url, encoding=encoding).links)
    return len(pages), links, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--repeat", type=int, default=20, help="rounds over the corpus")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--cold", action="store_true", help="clear URL caches every round")
    args = parser.parse_args()

    pages = load_pages(args.corpus)
    size = sum(len(body) for body, _ in pages)
    print(f"corpus: {len(pages)} pages, {size / 1024:.0f} KiB, {args.repeat} rounds")
    total_pages = total_links = 0
    total_seconds = 0.0
    for _ in range(args.repeat):
        if args.cold:
            clear_caches()
        count, links, seconds = run_round(pages)
        total_pages += count
        total_links += links
        total_seconds += seconds
    print(f"pages/s: {total_pages / total_seconds:8.1f}")
    print(f"links/s: {total_links / total_seconds:8.1f}")
    print(f"ms/page: {1000 * total_seconds / total_pages:8.2f}")


if __name__ == "__main__":
    main()
