"""Conditional re-crawls: Scrapy's HTTP cache, made fit for an inspector.

A nightly crawl of a site that did not change should cost the site a ``304 Not Modified`` per
page, not its bodies again.  Scrapy's ``HttpCacheMiddleware`` with ``RFC2616Policy`` does the
revalidation (``If-None-Match``/``If-Modified-Since`` from the stored answer), but its policy is a
browser's, three of whose habits would make an inspector lie:

* a stored answer that is still "fresh" (``max-age``, ``Expires``, or 10 % of its age since
  ``Last-Modified``) is served without asking the site at all: a site that went down would
  look alive for days.  Here every stored answer is revalidated, every time.
* a ``5xx`` answer to the revalidation is replaced by the stored ``200``: a broken page would
  look fine.  Here only a ``304`` lets the stored answer stand in.
* anything with a validator is stored, including bodies the spider cut short (attachments it
  only needed the headers of, oversized pages).  Here only complete ``200`` HTML answers are.

The stored answers are kept in one SQLite file per unit (``<data dir>/httpcache/<unit>.sqlite``).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

from scrapy.downloadermiddlewares.httpcache import HttpCacheMiddleware
from scrapy.extensions.httpcache import RFC2616Policy
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings
from scrapy.utils.project import data_path
from scrapy.utils.response import response_from_dict
from w3lib.http import headers_dict_to_raw, headers_raw_to_dict

logger = logging.getLogger(__name__)

CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")
HTML_TYPES = (b"text/html", b"application/xhtml")
#: Response flags of bodies that are not the whole answer (Scrapy sets them).
PARTIAL_FLAGS = frozenset({"download_stopped", "dataloss"})


class RevalidatePolicy(RFC2616Policy):
    """RFC 2616 revalidation without freshness: ask the site every time, trust only a 304."""

    def should_cache_request(self, request: Request) -> bool:
        # POSTs (list sources) and HEADs (attachments) have nothing worth keeping.
        return request.method == "GET" and super().should_cache_request(request)

    def should_cache_response(self, response: Response, request: Request) -> bool:
        if response.status != 200 or PARTIAL_FLAGS.intersection(response.flags):
            return False
        if (request.meta.get("gi") or {}).get("oversized"):
            return False
        content_type = (response.headers.get(b"Content-Type") or b"").lower()
        if content_type and not content_type.startswith(HTML_TYPES):
            return False
        return super().should_cache_response(response, request)

    def is_cached_response_fresh(self, cachedresponse: Response, request: Request) -> bool:
        self._set_conditional_validators(request, cachedresponse)
        return False

    def is_cached_response_valid(
        self, cachedresponse: Response, response: Response, request: Request
    ) -> bool:
        return response.status == 304


def _connect(path: Path) -> sqlite3.Connection:
    # Autocommit: each row is its own transaction; WAL without fsync per commit keeps that
    # cheap (a row lost to a power cut is a cache miss, never a wrong answer).
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute(
            "CREATE TABLE IF NOT EXISTS responses (key BLOB PRIMARY KEY, url TEXT,"
            " status INTEGER, headers BLOB, body BLOB, stored_at REAL)"
        )
    except sqlite3.DatabaseError:
        db.close()
        raise
    return db


class RevalidatingCacheMiddleware(HttpCacheMiddleware):
    """Scrapy's cache middleware without the two habits that would hide a fault.

    * Its "error recovery" answers a timeout, a refused connection or a DNS failure with the
      stored page: a site that went down would look alive.  Here a failure is the failure.
    * Validators set for one URL travel with the request into redirects, retries and the
      second pass (Scrapy copies headers); sent for a URL the cache has never seen, a 304 would
      come back with no body to stand in for it.  They are cleared before each lookup, so they
      are only ever sent for the URL whose stored answer they describe.
    """

    def process_request(self, request: Request, spider: Any = None) -> Request | Response | None:
        for header in CONDITIONAL_HEADERS:
            request.headers.pop(header, None)
        return super().process_request(request)

    def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        request.meta.pop("cached_response", None)
        request.meta.pop("cache_timestamp", None)
        return None


class SqliteCacheStorage:
    """Scrapy cache storage in one SQLite file per unit (``<HTTPCACHE_DIR>/<unit>.sqlite``).

    Scrapy's filesystem storage writes seven files per page and its DBM storage falls back to
    ``dbm.dumb`` where GNU dbm is missing; one indexed row per URL is cheaper than either, and a
    row is replaced in one transaction, so a crawl killed mid-write never leaves a half-written
    body that a later 304 would vouch for.
    """

    def __init__(self, settings: BaseSettings) -> None:
        self.cachedir = Path(data_path(settings["HTTPCACHE_DIR"]))
        self.db: sqlite3.Connection | None = None

    def open_spider(self, spider: Any) -> None:
        self._fingerprinter = spider.crawler.request_fingerprinter
        path = self.cachedir / f"{spider.plan.unit_id}.sqlite"
        try:
            self.cachedir.mkdir(parents=True, exist_ok=True)
            self.db = _connect(path)
        except sqlite3.DatabaseError as exc:
            # Not a database any more (disk trouble, a stray write): start afresh, keep it aside.
            logger.warning("http cache %s unreadable (%s): set aside, starting empty", path, exc)
            self.db = None
            try:
                for suffix in ("", "-wal", "-shm"):
                    part = path.with_name(path.name + suffix)
                    if part.exists():
                        part.replace(part.with_name(part.name + ".damaged"))
                self.db = _connect(path)
            except (sqlite3.Error, OSError) as again:
                logger.warning("http cache off for this crawl: %s", again)
        except (sqlite3.Error, OSError) as exc:
            # A read-only or full disk: the crawl goes on without conditional requests.
            logger.warning("http cache off for this crawl (%s): %s", path, exc)
            self.db = None

    def close_spider(self, spider: Any) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None

    def retrieve_response(self, spider: Any, request: Request) -> Response | None:
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT url, status, headers, body, stored_at FROM responses WHERE key = ?",
                (self._fingerprinter.fingerprint(request),),
            ).fetchone()
        except sqlite3.Error as exc:
            # A damaged cache costs a full download, never the page's verdict.
            logger.warning("http cache unreadable (%s): fetching %s in full", exc, request.url)
            return None
        if row is None:
            return None
        url, status, headers, body, stored_at = row
        request.meta["cache_timestamp"] = stored_at
        return response_from_dict(
            {"url": url, "status": status, "headers": headers_raw_to_dict(headers), "body": body}
        )

    def store_response(self, spider: Any, request: Request, response: Response) -> None:
        if self.db is None:
            return
        row = (
            self._fingerprinter.fingerprint(request),
            response.url,
            response.status,
            headers_dict_to_raw(response.headers),
            response.body,
            time.time(),
        )
        try:
            self.db.execute("INSERT OR REPLACE INTO responses VALUES (?, ?, ?, ?, ?, ?)", row)
        except sqlite3.Error as exc:  # a full disk: the next crawl fetches this page in full
            logger.warning("http cache not written (%s) for %s", exc, request.url)
