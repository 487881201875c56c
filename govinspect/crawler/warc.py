"""WARC evidence: the responses (and failures) that findings point at, replayable with warcio.

One gzipped WARC file per crawl run; every record is its own gzip member, so a finding can keep
``(file, offset)`` and an assessor can read that record alone.  A page the site answered with
``304 Not Modified`` gets a ``revisit`` record (profile server-not-modified) carrying the 304's
own status line and headers and referring to the ``response`` record of the original capture
(see ``store/archive.py``, which follows the reference).
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govinspect.crawler.items import WarcRef
from govinspect.store.archive import REFERS_TO_FILE, REFERS_TO_OFFSET, REVISIT_NOT_MODIFIED

#: zlib's default: warcio compresses at 9, which costs 1.7× the CPU on real government pages
#: (55 kB, the Pingtan corpus) for a file 1 % smaller.
GZIP_LEVEL = 6

#: Scrapy signal the spider sends after archiving a response (``request``, ``ref``, ``uri``):
#: the HTTP cache remembers the record a later 304 will refer to.
CAPTURE_ARCHIVED = object()


@dataclass(frozen=True, slots=True)
class Capture:
    """The archived ``response`` record of a stored answer: what a later 304 refers to."""

    record_id: str
    date: str  # its WARC-Date
    uri: str  # its WARC-Target-URI
    file: str
    offset: int


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class WarcLog:
    """Append-only writer of request/response/metadata records for one run."""

    def __init__(self, path: Path, relative_to: Path, body_cap: int) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.name = (
            str(path.relative_to(relative_to)) if path.is_relative_to(relative_to) else str(path)
        )
        self.body_cap = body_cap
        self._fh: BinaryIO = path.open("ab")
        # Records are serialised here and gzipped one member each by _write (at GZIP_LEVEL).
        self._record = BytesIO()
        # WARC/1.1: the version of the revisit profile used for 304s.
        self._writer = WARCWriter(self._record, gzip=False, warc_version="1.1")

    def response(
        self,
        *,
        url: str,
        method: str,
        status: int,
        headers: list[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
        request_headers: list[tuple[str, str]],
    ) -> WarcRef:
        """Write the request and the (possibly truncated) response; return the response's ref."""
        extra = {"WARC-Date": _iso(fetched_at)}
        if len(body) > self.body_cap:
            body = body[: self.body_cap]
            extra["WARC-Truncated"] = "length"
        # Content-Encoding/Transfer-Encoding describe the wire, not the decoded body we keep.
        kept = [
            (k, v) for k, v in headers if k.lower() not in ("content-encoding", "transfer-encoding")
        ]
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=BytesIO(body),
            http_headers=StatusAndHeaders(str(status), kept, protocol="HTTP/1.1"),
            warc_headers_dict=extra,
        )
        return self._exchange(url, method, request_headers, response)

    def revisit(
        self,
        *,
        url: str,
        method: str,
        status: int,
        headers: list[tuple[str, str]],
        fetched_at: datetime,
        request_headers: list[tuple[str, str]],
        refers_to: Capture | None,
        stored_at: float | None = None,
    ) -> WarcRef:
        """Write the (conditional) request and a revisit record for the site's 304.

        The record carries the 304's own status line and headers; ``refers_to`` is the original
        capture whose body the 304 vouched for.  Without one (a link target whose stored answer
        was never archived) the record still names the URI and, from ``stored_at``, the time
        the stored answer was received.
        """
        extra = {"WARC-Date": _iso(fetched_at), "WARC-Profile": REVISIT_NOT_MODIFIED}
        if refers_to is not None:
            extra["WARC-Refers-To"] = refers_to.record_id
            extra["WARC-Refers-To-Target-URI"] = refers_to.uri
            extra["WARC-Refers-To-Date"] = refers_to.date
            extra[REFERS_TO_FILE] = refers_to.file
            extra[REFERS_TO_OFFSET] = str(refers_to.offset)
        else:
            extra["WARC-Refers-To-Target-URI"] = url
            if stored_at is not None:
                extra["WARC-Refers-To-Date"] = _iso(datetime.fromtimestamp(stored_at, UTC))
        record = self._writer.create_warc_record(
            url,
            "revisit",
            http_headers=StatusAndHeaders(_status_line(status), headers, protocol="HTTP/1.1"),
            warc_headers_dict=extra,
        )
        return self._exchange(url, method, request_headers, record)

    def _exchange(
        self, url: str, method: str, request_headers: list[tuple[str, str]], answer: Any
    ) -> WarcRef:
        """Write ``answer`` and the request that got it (concurrent records); ``answer``'s ref."""
        warc = answer.rec_headers
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"{method} {_path(url)} HTTP/1.1", request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": warc.get_header("WARC-Date")},
        )
        ref = self._write(answer)
        ref.record_id = warc.get_header("WARC-Record-ID")
        ref.date = warc.get_header("WARC-Date")
        request.rec_headers.add_header("WARC-Concurrent-To", ref.record_id)
        self._write(request)
        return ref

    def failure(self, *, url: str, fetched_at: datetime, detail: dict[str, Any]) -> WarcRef:
        """A metadata record for a target that gave no response (DNS, refused, timeout...)."""
        payload = json.dumps(detail, ensure_ascii=False, default=str).encode("utf-8")
        record = self._writer.create_warc_record(
            url,
            "metadata",
            payload=BytesIO(payload),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": _iso(fetched_at)},
        )
        return self._write(record)

    def _write(self, record: Any) -> WarcRef:
        offset = self._fh.tell()
        self._record.seek(0)
        self._record.truncate()
        self._writer.write_record(record)
        member = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        self._fh.write(member.compress(self._record.getvalue()) + member.flush())
        # Each record reaches the file before the store can point at it: a killed crawl never
        # leaves a stored reference to a record it lost.
        self._fh.flush()
        return WarcRef(self.name, offset)

    def close(self) -> None:
        self._fh.close()


def _status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
