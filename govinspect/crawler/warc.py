"""WARC evidence: the responses (and failures) that findings point at, replayable with warcio.

One gzipped WARC file per crawl run; every record is its own gzip member, so a finding can keep
``(file, offset)`` and an assessor can read that record alone.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from govinspect.crawler.items import WarcRef

#: WARC header of a response record whose body a 304 vouched for (not a WARC-* name: those are
#: the standard's).
REVALIDATED_HEADER = "Govinspect-Revalidated"


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
        self._writer = WARCWriter(self._fh, gzip=True)

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
        revalidated_from: float | None = None,
    ) -> WarcRef:
        """Write the request and the (possibly truncated) response; return the response's ref.

        ``revalidated_from``: the site answered the (conditional) request with 304 and this is
        the answer stored at that Unix time, which the 304 vouched for; the record says so.
        """
        date = _iso(fetched_at)
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=BytesIO(b""),
            http_headers=StatusAndHeaders(
                f"{method} {_path(url)} HTTP/1.1", request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": date},
        )
        extra = {"WARC-Date": date}
        if revalidated_from is not None:
            stored = _iso(datetime.fromtimestamp(revalidated_from, UTC))
            extra[REVALIDATED_HEADER] = f"304 Not Modified; body as stored at {stored}"
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
        ref = self._write(response)
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
        )
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
        self._writer.write_record(record)
        return WarcRef(self.name, offset)

    def flush(self) -> None:
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def _path(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
