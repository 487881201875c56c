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

The stored answers are kept in one SQLite file per unit (``<data dir>/httpcache/<unit>.sqlite``),
each with the WARC record of its original capture once the spider has archived it: a later
304 is archived as a ``revisit`` record referring to that capture (``crawler/warc.py``).  A
page whose stored answer has no archived capture (a cache written by an older version, a crawl
killed between download and archive) is fetched in full, so its evidence always holds a body.
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

from govinspect.crawler.items import WarcRef
from govinspect.crawler.warc import CAPTURE_ARCHIVED, Capture

logger = logging.getLogger(__name__)

CONDITIONAL_HEADERS = (b"If-None-Match", b"If-Modified-Since")
HTML_TYPES = (b"text/html", b"application/xhtml")
#: Response flags of bodies that are not the whole answer (Scrapy sets them).
PARTIAL_FLAGS = frozenset({"download_stopped", "dataloss"})
#: Request meta set here for the spider: the stored answer's archived capture (a
#: :class:`Capture` or None) and the site's 304 itself (``{"status", "headers"}``).
CAPTURE_META = "gi_capture"
NOT_MODIFIED_META = "gi_not_modified"
#: Request meta: this request's answer was stored first-hand (its capture may be recorded).
_STORED_META = "gi_cache_stored"
_CAPTURE_COLUMNS = ("capture_id", "capture_date", "capture_file", "capture_offset")


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
            " status INTEGER, headers BLOB, body BLOB, stored_at REAL, capture_id TEXT,"
            " capture_date TEXT, capture_file TEXT, capture_offset INTEGER)"
        )
        # A cache written before captures were recorded: its rows get none (fetched in full).
        present = {row[1] for row in db.execute("PRAGMA table_info(responses)")}
        for column in _CAPTURE_COLUMNS:
            if column not in present:
                kind = "INTEGER" if column == "capture_offset" else "TEXT"
                db.execute(f"ALTER TABLE responses ADD COLUMN {column} {kind}")
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

    @classmethod
    def from_crawler(cls, crawler: Any) -> RevalidatingCacheMiddleware:
        middleware = super().from_crawler(crawler)
        crawler.signals.connect(middleware.capture_archived, signal=CAPTURE_ARCHIVED)
        return middleware

    def process_request(self, request: Request, spider: Any = None) -> Request | Response | None:
        for header in CONDITIONAL_HEADERS:
            request.headers.pop(header, None)
        request.meta.pop(CAPTURE_META, None)
        request.meta.pop(NOT_MODIFIED_META, None)
        request.meta.pop(_STORED_META, None)
        return super().process_request(request)

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if response.status == 304 and "cached_response" in request.meta:
            # Scrapy answers with the stored response: keep what the site actually said.
            request.meta[NOT_MODIFIED_META] = {
                "status": response.status,
                "headers": [
                    (k.decode("latin-1"), v.decode("latin-1"))
                    for k, values in response.headers.items()
                    for v in values
                ],
            }
        return super().process_response(request, response)

    def capture_archived(self, request: Request, ref: WarcRef, uri: str) -> None:
        """The spider archived a response: if it is the one stored, remember its record."""
        if request.meta.get(_STORED_META) and ref.record_id and ref.date:
            capture = Capture(ref.record_id, ref.date, uri, ref.file, ref.offset)
            self.storage.set_capture(request, capture)

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
                "SELECT url, status, headers, body, stored_at, capture_id, capture_date,"
                " capture_file, capture_offset FROM responses WHERE key = ?",
                (self._fingerprinter.fingerprint(request),),
            ).fetchone()
        except sqlite3.Error as exc:
            # A damaged cache costs a full download, never the page's verdict.
            logger.warning("http cache unreadable (%s): fetching %s in full", exc, request.url)
            return None
        if row is None:
            return None
        url, status, headers, body, stored_at, capture_id, capture_date, file, offset = row
        capture = None
        if capture_id and capture_date and file and offset is not None:
            capture = Capture(capture_id, capture_date, url, file, offset)
        elif (request.meta.get("gi") or {}).get("kind") == "page":
            # A page's evidence must hold its body: with no archived capture to refer a 304
            # to, ask for it in full.
            return None
        request.meta["cache_timestamp"] = stored_at
        request.meta[CAPTURE_META] = capture
        return response_from_dict(
            {"url": url, "status": status, "headers": headers_raw_to_dict(headers), "body": body}
        )

    def store_response(self, spider: Any, request: Request, response: Response) -> None:
        if self.db is None:
            return
        if "cached" in response.flags:
            # The stored answer after a 304 (its headers freshened by Scrapy): body, time of
            # receipt and archived capture stay those of the original.
            try:
                self.db.execute(
                    "UPDATE responses SET headers = ? WHERE key = ?",
                    (
                        headers_dict_to_raw(response.headers),
                        self._fingerprinter.fingerprint(request),
                    ),
                )
            except sqlite3.Error as exc:
                logger.warning("http cache not written (%s) for %s", exc, request.url)
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
            self.db.execute(
                "INSERT OR REPLACE INTO responses (key, url, status, headers, body, stored_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                row,
            )
        except sqlite3.Error as exc:  # a full disk: the next crawl fetches this page in full
            logger.warning("http cache not written (%s) for %s", exc, request.url)
            return
        request.meta[_STORED_META] = True

    def set_capture(self, request: Request, capture: Capture) -> None:
        """Record the archived capture of the answer stored for ``request``."""
        if self.db is None:
            return
        try:
            self.db.execute(
                "UPDATE responses SET capture_id = ?, capture_date = ?, capture_file = ?,"
                " capture_offset = ? WHERE key = ? AND url = ?",
                (
                    capture.record_id,
                    capture.date,
                    capture.file,
                    capture.offset,
                    self._fingerprinter.fingerprint(request),
                    capture.uri,
                ),
            )
        except sqlite3.Error as exc:  # the next crawl fetches this page in full
            logger.warning("http cache not written (%s) for %s", exc, request.url)
