"""Parse a feed body into entries, repairing the dates Chinese feeds write (pure: no I/O).

feedparser parses the bytes (it never fetches anything itself).  A malformed feed (``bozo``)
still yields its parseable entries and the complaint is kept; a body that is not a feed at all is
an error for that poll.

Dates: feeds written by Chinese servers often carry a naive local time or the zone name ``CST``
(Java's name for China Standard Time, which feedparser reads as US Central time), and
feedparser misreads ``2024/05/01``-style dates.  :func:`parse_feed_date` therefore reads the raw
date text itself (naive and ``CST`` times are Asia/Shanghai) and falls back to feedparser's
``*_parsed`` value only for formats it does not know.  Dates are returned as aware UTC.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import re
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import feedparser

from govinspect.crawler.dates import MIN_YEAR
from govinspect.crawler.feeds.model import FEED_RULES, SHANGHAI, FeedEntry, ParsedFeed, short

_NUMERIC = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]+(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}))?(?:[.,]\d+)?\s*秒?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$",
    re.IGNORECASE,
)
# An explicit zone at the end of an RFC 822 date (numeric offset or a name such as GMT, EST).
_RFC822_ZONE = re.compile(r"\d\s*(?:[+-]\d{4}|\(?[A-Za-z]{1,5}\)?)\s*$")


def _china_zone_pattern() -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in FEED_RULES["china_zone_names"])
    return re.compile(rf"\s*\(?(?:{names})\)?\s*$")


def _offset(text: str | None) -> timezone:
    if not text or text.upper() in ("Z", "UTC", "GMT"):
        return UTC if text else SHANGHAI
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def _numeric_date(text: str) -> datetime | None:
    m = _NUMERIC.match(text)
    if not m:
        return None
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups()[:6])
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=_offset(m.group(7)))
    except ValueError:
        return None


def _rfc822_date(text: str) -> datetime | None:
    parts = email.utils.parsedate_tz(text)
    if parts is None:
        return None
    try:
        naive = datetime(*parts[:6])  # type: ignore[misc]
    except (TypeError, ValueError):
        return None
    if not _RFC822_ZONE.search(text):
        return naive.replace(tzinfo=SHANGHAI)  # no zone written: the server's local time
    return naive.replace(tzinfo=timezone(timedelta(seconds=parts[9] or 0)))


def parse_feed_date(raw: str | None, parsed: time.struct_time | None = None) -> datetime | None:
    """An entry's date as aware UTC, or None when there is none (or it is not believable).

    ``raw`` is the date text as written in the feed, ``parsed`` feedparser's UTC struct_time.
    """
    found: datetime | None = None
    text = " ".join((raw or "").split())
    if text:
        china = _china_zone_pattern()
        if china.search(text):
            text = china.sub(" +0800", text).strip()
        found = _numeric_date(text) or _rfc822_date(text)
    if found is None and parsed is not None:
        try:
            found = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError):
            found = None
    if found is None or found.year < MIN_YEAR:
        return None  # epoch placeholders (1970-01-01) and the like are no dates
    return found.astimezone(UTC)


def _entry_date(entry: dict[str, Any]) -> datetime | None:
    for key in ("published", "updated", "created"):
        raw, parsed = entry.get(key), entry.get(f"{key}_parsed")
        if raw or parsed:
            found = parse_feed_date(raw, parsed)
            if found is not None:
                return found
    return None


def _clean(text: Any) -> str | None:
    if not isinstance(text, str):
        return None
    return " ".join(text.split()) or None


def entry_guid(
    entry_id: str | None, link: str | None, title: str | None, published_at: datetime | None
) -> str | None:
    """The post's identity across polls: entry id, else link, else a hash of title + date."""
    guid = _clean(entry_id) or _clean(link)
    if guid is None:
        if title is None and published_at is None:
            return None  # nothing identifies the entry: it cannot be told apart from others
        stamp = published_at.isoformat() if published_at else ""
        guid = "sha256:" + hashlib.sha256(f"{title or ''}\n{stamp}".encode()).hexdigest()
    if len(guid) > FEED_RULES["guid_max_chars"]:
        guid = "sha256:" + hashlib.sha256(guid.encode()).hexdigest()
    return guid


def _entries(raw_entries: Iterable[dict[str, Any]]) -> list[FeedEntry]:
    seen: set[str] = set()
    out: list[FeedEntry] = []
    for raw in raw_entries:
        title, link = _clean(raw.get("title")), _clean(raw.get("link"))
        published_at = _entry_date(raw)
        guid = entry_guid(raw.get("id"), link, title, published_at)
        if guid is None or guid in seen:
            continue
        seen.add(guid)
        out.append(FeedEntry(guid=guid, url=link, title=title, published_at=published_at))
    return out


def parse_feed(body: bytes, content_type: str | None = None, url: str | None = None) -> ParsedFeed:
    """Parse a feed body with feedparser (from bytes: feedparser never fetches here)."""
    if not body.strip():
        return ParsedFeed(error="empty body")
    headers = {"content-type": content_type} if content_type else {}
    if url:
        headers["content-location"] = url  # base for relative links
    result = feedparser.parse(io.BytesIO(body), response_headers=headers)
    bozo = None
    if result.get("bozo"):
        exc = result.get("bozo_exception")
        bozo = short(f"{type(exc).__name__}: {exc}" if exc else "malformed feed")
    entries = _entries(result.get("entries", []))
    if entries:
        return ParsedFeed(entries=entries, bozo=bozo)
    if not result.get("version"):
        kind = content_type.split(";")[0].strip() if content_type else "no content type"
        return ParsedFeed(bozo=bozo, error=short(f"not a feed ({kind}): {bozo or 'no feed'}"))
    if bozo:
        # A feed header followed by garbage: nothing readable, so nothing is known.
        return ParsedFeed(bozo=bozo, error=short(f"malformed feed without entries: {bozo}"))
    return ParsedFeed()  # a well-formed feed with no posts
