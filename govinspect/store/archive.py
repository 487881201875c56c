"""Reading archived responses (WARC records) back: the evidence behind pages and findings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator


@dataclass(frozen=True, slots=True)
class ArchivedRecord:
    rec_type: str  # response | metadata | request
    uri: str
    date: str
    status: int | None
    headers: list[tuple[str, str]]
    payload: bytes


def read_record(data_dir: Path, warc_file: str, offset: int) -> ArchivedRecord:
    """The WARC record at ``offset`` of ``data_dir / warc_file`` (paths as stored in the DB)."""
    path = Path(warc_file)
    if not path.is_absolute():
        path = Path(data_dir) / path
    with path.open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        status = None
        headers: list[tuple[str, str]] = []
        if record.http_headers is not None:
            code = record.http_headers.get_statuscode()
            status = int(code) if code and code.isdigit() else None
            headers = list(record.http_headers.headers)
        return ArchivedRecord(
            rec_type=record.rec_type,
            uri=record.rec_headers.get_header("WARC-Target-URI"),
            date=record.rec_headers.get_header("WARC-Date"),
            status=status,
            headers=headers,
            payload=record.content_stream().read(),
        )


def page_html(
    data_dir: Path, warc_file: str | None, offset: int | None, charset: str | None
) -> str:
    """The archived HTML of a page, decoded with the charset found at crawl time ('' if none)."""
    if not warc_file or offset is None:
        return ""
    record = read_record(data_dir, warc_file, offset)
    return record.payload.decode(charset or "utf-8", errors="replace")
