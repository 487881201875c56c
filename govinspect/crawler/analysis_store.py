"""Each page's analysis kept for the next crawl: an unchanged page is not analysed again.

One SQLite file per unit next to the HTTP cache (``<data dir>/httpcache/<unit>.analysis.sqlite``),
one row per URL: the SHA-256 of the body analysed, the crawl date, and the pickled
:class:`~govinspect.crawler.page_analysis.PageAnalysisResult`. A page whose body is
byte-identical to the stored one (a 304's stored answer always is; a server that sends no
validators is compared after the download) reuses the result, re-resolved at the new crawl date
(crawler/analysis_dates.py). The row also names the analysis it came from: the analysis code
(a hash of the crawler's source and data files, so any change of an extractor or its tables
re-analyses everything) and the context (homepage, limits, scope, sensitive words). Results
with analysis errors are not kept. Deleting the file is always safe.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import pickle
import sqlite3
import zlib
from datetime import date
from functools import cache
from pathlib import Path

from govinspect.crawler.page_analysis import ANALYSIS_VERSION, AnalysisContext, PageAnalysisResult

logger = logging.getLogger(__name__)

#: Rows written between two commits (a killed crawl loses at most these; they are re-analysed).
COMMIT_EVERY = 200
_SCHEMA = """
CREATE TABLE IF NOT EXISTS analyses (
    url TEXT PRIMARY KEY,
    body_sha TEXT NOT NULL,
    analysis TEXT NOT NULL,
    homepage INTEGER NOT NULL,
    crawl_date TEXT NOT NULL,
    result BLOB NOT NULL
)
"""


@cache
def code_version() -> str:
    """A hash of the analysis code and its data tables: a changed extractor re-analyses."""
    root = Path(__file__).parent
    digest = hashlib.sha256(str(ANALYSIS_VERSION).encode())
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".yaml", ".yml", ".txt", ".json") and path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def analysis_key(context: AnalysisContext) -> str:
    words = b""
    if context.sensitive_words:
        try:
            words = Path(context.sensitive_words).read_bytes()
        except OSError:
            words = b"unreadable"
    extra = hashlib.sha256(context.fingerprint().encode() + words).hexdigest()[:16]
    return f"{code_version()}-{extra}"


class AnalysisStore:
    """The stored analyses of one unit; every failure turns it off, never fails the crawl."""

    def __init__(self, path: Path, context: AnalysisContext) -> None:
        self.path = path
        self.key = analysis_key(context)
        self.db: sqlite3.Connection | None = None
        self.pending = 0
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path, isolation_level="DEFERRED")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute(_SCHEMA)
            self.db.commit()
        except (sqlite3.Error, OSError) as exc:
            logger.warning("analysis store off for this crawl (%s): %s", path, exc)
            self._off()

    def get(
        self, url: str, final_url: str, body_sha: str, homepage: bool
    ) -> tuple[PageAnalysisResult, date] | None:
        """The stored result for exactly this body, URL and analysis, and its crawl date."""
        if self.db is None:
            return None
        try:
            row = self.db.execute(
                "SELECT body_sha, analysis, homepage, crawl_date, result FROM analyses"
                " WHERE url = ?",
                (url,),
            ).fetchone()
        except sqlite3.Error as exc:
            logger.warning("analysis store unreadable (%s): analysing %s", exc, url)
            return None
        if row is None or (row[0], row[1], bool(row[2])) != (body_sha, self.key, homepage):
            return None
        try:
            result: PageAnalysisResult = pickle.loads(zlib.decompress(row[4]))
        except Exception as exc:  # noqa: BLE001 - a damaged row only costs an analysis
            logger.warning("stored analysis of %s unreadable: %s", url, exc)
            return None
        if result.final_url != final_url:
            return None
        return result, date.fromisoformat(row[3])

    def put(
        self, url: str, body_sha: str, homepage: bool, crawl_date: date, result: PageAnalysisResult
    ) -> None:
        if self.db is None or result.errors:
            return
        try:
            blob = zlib.compress(pickle.dumps(result, pickle.HIGHEST_PROTOCOL), 1)
            self.db.execute(
                "INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?, ?, ?)",
                (url, body_sha, self.key, int(homepage), crawl_date.isoformat(), blob),
            )
            self.pending += 1
            if self.pending >= COMMIT_EVERY:
                self.db.commit()
                self.pending = 0
        except (sqlite3.Error, pickle.PicklingError, TypeError, AttributeError) as exc:
            logger.warning("analysis of %s not stored: %s", url, exc)

    def close(self) -> None:
        if self.db is None:
            return
        try:
            self.db.commit()
            self.db.close()
        except sqlite3.Error as exc:
            logger.warning("analysis store not closed cleanly: %s", exc)
        self.db = None

    def _off(self) -> None:
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
        self.db = None
