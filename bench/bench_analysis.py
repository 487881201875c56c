"""CPU and HTML parses of the whole per-page analysis chain (issue 21, each page's work once).

Usage: ``.venv/bin/python bench/bench_analysis.py [-n ROUNDS] [--corpus DIR] [--no-layouts]
[--no-pingtan] [--bench-site URLS] [--json PATH]``

Runs the spider's page callback (``SiteSpider.parse_page``: links, visible text, soft-404 verdict,
columns/list/dates, content safety, interaction) over every real Pingtan page of the shared
corpus, every page of the 14 layout families (``govinspect.demo.layouts``, built in memory: no
server, no network) and, with ``--bench-site URLS``, the HTML pages of ``bench/site_gen.py``'s
site of that size (generated under ``bench/out/``), with the outcome recording (WARC, store)
left out. Prints CPU milliseconds
per page (``time.process_time``: the process's own CPU, less sensitive to the other processes on
the machine than wall time) and HTML parses per page, by page kind.

A parse is one call into lxml's parsers (``lxml.etree.fromstring``/``HTML``/``XML``/``parse``,
which ``lxml.html`` and htmldate go through as well), counted outermost-only, so the same count
works for any version of the extractors.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from lxml import etree  # noqa: E402
from paths import PINGTAN  # noqa: E402
from scrapy.http import HtmlResponse, Request  # noqa: E402
from site_gen import ensure_site  # noqa: E402

from govinspect.crawler import outcomes  # noqa: E402
from govinspect.crawler.items import ListPageRecord, PageRecord  # noqa: E402
from govinspect.crawler.launch import build_plan  # noqa: E402
from govinspect.crawler.spider import SiteSpider  # noqa: E402
from govinspect.demo.layouts import FAMILIES, build_site, today  # noqa: E402
from govinspect.registry import parse_registry  # noqa: E402
from govinspect.settings import load_settings  # noqa: E402

LAYOUT_BASE = "http://127.0.0.1:8001/"
BENCH_BASE = "http://127.0.0.1:8002/"
OUT = Path(__file__).resolve().parent / "out"
#: (url, body, content type, homepage, kind: None when read from the analysis' output)
Page = tuple[str, bytes, str, bool, str | None]


class ParseCounter:
    """Counts calls into lxml's parsers while installed (nested calls count once)."""

    NAMES = ("fromstring", "HTML", "XML", "parse")

    def __init__(self) -> None:
        self.count = 0
        self._depth = 0
        self._saved: dict[str, Callable[..., Any]] = {}

    def install(self) -> None:
        for name in self.NAMES:
            original = getattr(etree, name)
            self._saved[name] = original
            setattr(etree, name, self._wrap(original))

    def remove(self) -> None:
        for name, original in self._saved.items():
            setattr(etree, name, original)

    def _wrap(self, original: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(original)
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self._depth == 0:
                self.count += 1
            self._depth += 1
            try:
                return original(*args, **kwargs)
            finally:
                self._depth -= 1

        return counted


def pingtan_pages(corpus: Path) -> list[Page]:
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    return [
        (f["original_url"], (corpus / f["path"]).read_bytes(), "text/html", False, f["kind"])
        for f in manifest["files"]
    ]


def layout_pages() -> list[Page]:
    pages: list[Page] = []
    for fam in FAMILIES:
        built = build_site(fam, 0, LAYOUT_BASE, "http://127.0.0.1:9/", today())
        for key, html in built.pages.items():
            if key.endswith("/index.html") and key.removesuffix("index.html") in built.pages:
                continue  # the same page as its folder's
            url = LAYOUT_BASE.rstrip("/") + key
            body = html.encode("utf-8")
            pages.append((url, body, "text/html; charset=utf-8", key == "/", None))
    return pages


def bench_site_pages(urls: int) -> list[Page]:
    root = OUT / f"analysis-site-{urls}"
    ensure_site(root, urls)
    pages: list[Page] = []
    for path in sorted(root.rglob("*.html")):
        key = path.relative_to(root).as_posix()
        url = BENCH_BASE + ("" if key == "index.html" else key)
        pages.append(
            (url, path.read_bytes(), "text/html; charset=utf-8", key == "index.html", None)
        )
    return pages


def _spider(website: str, data_dir: Path) -> SiteSpider:
    registry = parse_registry(
        {"units": [{"id": "b", "name": "b", "category": "county", "website": website}]}
    )
    plan = build_plan(load_settings(data_dir=data_dir), registry.units[0], 1, False)
    spider = SiteSpider(plan)
    for host in plan.scope_hosts:
        for scheme in ("http", "https"):
            spider.baselines[f"{scheme}://{host}"] = outcomes.Baseline(404, None, None)

    def decide(response: Any, verdict: Any, page: Any, *args: Any) -> Iterator[Any]:
        if page is not None:
            yield page  # the outcome recording (WARC, store) is not the analysis

    spider._decide = decide  # type: ignore[method-assign]
    return spider


def _kind(out: list[Any]) -> str:
    page = next((x for x in out if isinstance(x, PageRecord)), None)
    if page is None:
        return "other"
    if page.is_homepage:
        return "homepage"
    if any(isinstance(x, ListPageRecord) and x.is_list for x in out):
        return "list"
    if page.published is not None:
        return "article"
    return "other"


def run(pages: list[Page], website: str, rounds: int, counter: ParseCounter) -> dict[str, Any]:
    cpu: dict[str, float] = defaultdict(float)
    parses: dict[str, list[int]] = defaultdict(list)
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-analysis-") as tmp:
            spider = _spider(website, Path(tmp))
            for url, body, ctype, homepage, label in pages:
                gi = {"kind": "page", "attempts": [], "depth": 1, "homepage": homepage}
                response = HtmlResponse(
                    url,
                    body=body,
                    headers={"Content-Type": ctype},
                    request=Request(url, meta={"gi": gi}),
                )
                before, started = counter.count, time.process_time()
                out = list(spider.parse_page(response))
                seconds = time.process_time() - started
                kind = label or _kind(out)
                cpu[kind] += seconds
                parses[kind].append(counter.count - before)
    table: dict[str, Any] = {}
    for kind in sorted(parses):
        n = len(parses[kind])
        table[kind] = {
            "pages": n // rounds,
            "cpu_ms_per_page": round(1000 * cpu[kind] / n, 2),
            "parses_per_page": round(sum(parses[kind]) / n, 2),
            "parses_max": max(parses[kind]),
        }
    n_all = sum(len(v) for v in parses.values())
    table["all"] = {
        "pages": n_all // rounds,
        "cpu_ms_per_page": round(1000 * sum(cpu.values()) / n_all, 2),
        "parses_per_page": round(sum(sum(v) for v in parses.values()) / n_all, 2),
        "parses_max": max(max(v) for v in parses.values()),
    }
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--rounds", type=int, default=3, help="rounds over the pages")
    parser.add_argument("--corpus", type=Path, default=PINGTAN)
    parser.add_argument("--no-layouts", action="store_true")
    parser.add_argument("--no-pingtan", action="store_true")
    parser.add_argument("--bench-site", type=int, metavar="URLS", help="bench site of this size")
    parser.add_argument("--json", type=Path, help="also write the tables as JSON here")
    args = parser.parse_args()
    sources: list[tuple[str, list[Page], str]] = []
    if not args.no_pingtan:
        if (args.corpus / "manifest.json").is_file():
            sources.append(("pingtan", pingtan_pages(args.corpus), "https://www.pingtan.gov.cn/"))
        else:
            print(f"no corpus at {args.corpus} (set GOVINSPECT_SHARED)", file=sys.stderr)
    if not args.no_layouts:
        sources.append(("layouts", layout_pages(), LAYOUT_BASE))
    if args.bench_site:
        sources.append(("bench", bench_site_pages(args.bench_site), BENCH_BASE))
    counter = ParseCounter()
    counter.install()
    report: dict[str, Any] = {}
    try:
        for name, pages, website in sources:
            run(pages[:5], website, 1, counter)  # warm-up: imports, compiled tables, htmldate
            report[name] = run(pages, website, args.rounds, counter)
    finally:
        counter.remove()
    print(
        f"{'source':8} {'kind':9} {'pages':>6} {'CPU ms/page':>12} {'parses/page':>12} {'max':>4}"
    )
    for name, table in report.items():
        for kind, row in table.items():
            print(
                f"{name:8} {kind:9} {row['pages']:6d} {row['cpu_ms_per_page']:12.2f} "
                f"{row['parses_per_page']:12.2f} {row['parses_max']:4d}"
            )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
