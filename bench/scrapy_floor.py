"""The floor under govinspect's crawl time: Scrapy alone, configured as govinspect runs it.

    .venv/bin/python bench/scrapy_floor.py URL [--extra-host HOST:PORT ...] [--per-host 4]
                                           [--total 32] [--out broken.json]

A link checker with nothing of govinspect's own work: it follows every in-scope HTML page,
requests every ``href``/``src`` target once (GET, no retries, no cache, no store, no WARC, no
page analysis) and prints the broken ones (status ≥ 400 or a failed request) as JSON. It uses
the settings govinspect gives Scrapy that bound its speed: the same reactor, the
``PoliteDownloader`` (per-host limits that hold), ``CONCURRENT_REQUESTS_PER_DOMAIN`` /
``CONCURRENT_REQUESTS``, ``DownloaderAwarePriorityQueue``, ``CONCURRENT_ITEMS`` 1, log level
ERROR. Its time on a site is what any govinspect built on Scrapy pays before recording a single
fact: the part of the gap to linkinator no change inside govinspect can close
(docs/benchmarks.md, "The Scrapy floor").
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from urllib.parse import urldefrag, urljoin, urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import HtmlResponse, Request, Response
from twisted.python.failure import Failure

_LINKS = "//a/@href | //link/@href | //area/@href | //img/@src | //script/@src | //iframe/@src"


class FloorSpider(scrapy.Spider):
    name = "floor"

    def __init__(self, start: str, hosts: list[str], **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_url = start
        self.scope = {urlsplit(start).netloc, *hosts}
        self.seen: set[str] = {start}
        self.broken: list[str] = []
        self.requests = 0

    async def start(self):  # type: ignore[override]
        yield self._request(self.start_url)

    def _request(self, url: str) -> Request:
        self.requests += 1
        return Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response: Response):
        if response.status >= 400:
            self.broken.append(response.url)
            return
        if not isinstance(response, HtmlResponse):
            return
        if urlsplit(response.url).netloc not in self.scope:
            return
        for raw in response.xpath(_LINKS).getall():
            url = urldefrag(urljoin(response.url, raw.strip()))[0]
            if url.startswith(("http://", "https://")) and url not in self.seen:
                self.seen.add(url)
                yield self._request(url)

    def failed(self, failure: Failure) -> None:
        self.broken.append(failure.request.url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--extra-host", action="append", default=[])
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--total", type=int, default=32)
    parser.add_argument("--out", default="-")
    args = parser.parse_args()
    process = CrawlerProcess(
        {
            "DOWNLOADER": "govinspect.crawler.downloader.PoliteDownloader",
            "CONCURRENT_REQUESTS": args.total,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
            "SCHEDULER_PRIORITY_QUEUE": "scrapy.pqueues.DownloaderAwarePriorityQueue",
            "CONCURRENT_ITEMS": 1,
            "WARN_ON_GENERATOR_RETURN_VALUE": False,
            "HTTPERROR_ALLOW_ALL": True,
            "RETRY_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
            "METAREFRESH_ENABLED": False,
        }
    )
    crawler = process.create_crawler(FloorSpider)
    started = time.monotonic()
    process.crawl(crawler, start=args.url, hosts=args.extra_host)
    process.start()
    spider = crawler.spider
    report = {
        "seconds": round(time.monotonic() - started, 2),
        "requests": spider.requests,
        "broken": sorted(set(spider.broken)),
    }
    text = json.dumps(report, ensure_ascii=False)
    if args.out == "-":
        print(text)
    else:
        with open(args.out, "w", encoding="utf-8") as fh:
            fh.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
