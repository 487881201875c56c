"""Reading archived responses (WARC records) back: the evidence behind pages and findings.

A page the site answered with ``304 Not Modified`` is archived as a ``revisit`` record (profile
server-not-modified) that refers to the earlier ``response`` record holding the body
(``WARC-Refers-To``, with its location in ``Govinspect-Refers-To-File``/``-Offset``):
:func:`read_capture` follows it, so whoever needs the page's HTML gets the original capture.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

#: WARC 1.1 profile of a revisit record for a ``304 Not Modified`` answer.
REVISIT_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
#: Where the record named by ``WARC-Refers-To`` is (WARC file as stored in the database, and
#: the offset in it): a WARC reader needs an index to resolve a record id, this avoids one.
REFERS_TO_FILE = "Govinspect-Refers-To-File"
REFERS_TO_OFFSET = "Govinspect-Refers-To-Offset"


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    rec_type: str  # response | revisit | metadata | request
    uri: str
    date: str
    status: int | None
    headers: list[tuple[str, str]]
    payload: bytes
    record_id: str | None = None
    # A revisit: the record it refers to (id, URI, date, and where it is when known).
    refers_to: str | None = None
    refers_to_uri: str | None = None
    refers_to_date: str | None = None
    refers_to_location: tuple[str, int] | None = None


def _path(data_dir: Path, warc_file: str) -> Path:
    path = Path(warc_file)
    return path if path.is_absolute() else Path(data_dir) / path


def read_record(
    data_dir: Path, warc_file: str, offset: int, payload: bool = True
) -> ArchivedRecord:
    """The WARC record at ``offset`` of ``data_dir / warc_file`` (paths as stored in the DB).

    ``payload=False`` reads the headers only (the payload comes back empty).
    """
    with _path(data_dir, warc_file).open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        status = None
        headers: list[tuple[str, str]] = []
        if record.http_headers is not None:
            code = record.http_headers.get_statuscode()
            status = int(code) if code and code.isdigit() else None
            headers = list(record.http_headers.headers)
        warc = record.rec_headers
        location = None
        target, at = warc.get_header(REFERS_TO_FILE), warc.get_header(REFERS_TO_OFFSET)
        if target and at and at.isdigit():
            location = (target, int(at))
        return ArchivedRecord(
            rec_type=record.rec_type,
            uri=warc.get_header("WARC-Target-URI"),
            date=warc.get_header("WARC-Date"),
            status=status,
            headers=headers,
            payload=record.content_stream().read() if payload else b"",
            record_id=warc.get_header("WARC-Record-ID"),
            refers_to=warc.get_header("WARC-Refers-To"),
            refers_to_uri=warc.get_header("WARC-Refers-To-Target-URI"),
            refers_to_date=warc.get_header("WARC-Refers-To-Date"),
            refers_to_location=location,
        )


def read_capture(data_dir: Path, warc_file: str, offset: int) -> ArchivedRecord:
    """The record at ``offset``, or for a revisit the original capture it refers to.

    Raises ``ValueError`` when a revisit names no readable original, or when the record found
    there is not the one named (``WARC-Refers-To``): evidence never silently swaps bodies.
    """
    record = read_record(data_dir, warc_file, offset)
    if record.rec_type != "revisit":
        return record
    if record.refers_to_location is None or not record.refers_to:
        raise ValueError(f"revisit record {warc_file}@{offset} names no archived capture")
    original = read_record(data_dir, *record.refers_to_location)
    if original.record_id != record.refers_to:
        where = "@".join(map(str, record.refers_to_location))
        raise ValueError(
            f"revisit record {warc_file}@{offset} refers to {record.refers_to}, "
            f"but {where} holds {original.record_id}"
        )
    return original


def page_html(
    data_dir: Path, warc_file: str | None, offset: int | None, charset: str | None
) -> str:
    """The archived HTML of a page, decoded with the charset found at crawl time ('' if none).

    A page revalidated with a 304 is read from the original capture its revisit refers to.
    """
    if not warc_file or offset is None:
        return ""
    record = read_capture(data_dir, warc_file, offset)
    return record.payload.decode(charset or "utf-8", errors="replace")
