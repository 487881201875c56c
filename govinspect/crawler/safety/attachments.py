"""Text of an attachment (xls, xlsx, doc, docx, pdf, csv) for the privacy scan.

Kept libraries only: openpyxl, xlrd, python-docx, pdfminer.six.  A legacy ``.doc`` (Word 97)
is recorded as not read: no maintained pure-Python reader of its text exists on the package
lists (antiword is not packaged for this machine).  A broken file is "not read" with the reason;
nothing here raises.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

from govinspect.crawler.urls import url_extension

#: Extensions whose bodies the crawl downloads (within ``safety_attachment_bytes``) and reads.
READ_EXTENSIONS = frozenset({"xls", "xlsx", "doc", "docx", "pdf", "csv"})
MAX_TEXT_CHARS = 2_000_000


def wanted(url: str) -> bool:
    return url_extension(url) in READ_EXTENSIONS


def _cells(rows: Iterator[tuple]) -> Iterator[str]:
    for row in rows:
        yield "\t".join("" if v is None else str(v) for v in row)


def _xlsx(body: bytes) -> str:
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body), read_only=True, data_only=True)
    try:
        return "\n".join(
            line for sheet in book.worksheets for line in _cells(sheet.iter_rows(values_only=True))
        )
    finally:
        book.close()


def _xls(body: bytes) -> str:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True)
    lines = []
    for sheet in book.sheets():
        lines.extend(_cells(tuple(sheet.row_values(i)) for i in range(sheet.nrows)))
    return "\n".join(lines)


def _docx(body: bytes) -> str:
    import docx

    document = docx.Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.append("\t".join(cell.text for cell in row.cells))
    return "\n".join(parts)


def _pdf(body: bytes) -> str:
    from pdfminer.high_level import extract_text

    # pdfminer logs every odd object at WARNING: a hostile PDF must not flood the crawl's log.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    return extract_text(io.BytesIO(body))


def _csv(body: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    return body.decode("utf-8", errors="replace")


READERS: dict[str, Callable[[bytes], str]] = {
    "xlsx": _xlsx,
    "xls": _xls,
    "docx": _docx,
    "pdf": _pdf,
    "csv": _csv,
}


def attachment_text(body: bytes, url: str) -> tuple[str | None, str | None]:
    """(text, None) when read, (None, reason) when not."""
    ext = url_extension(url)
    reader = READERS.get(ext)
    if reader is None:
        return None, f"{ext or 'this type'}: no text reader"
    if not body:
        return None, "empty body"
    try:
        text = reader(body)
    except Exception as exc:  # any library's error on a broken file: recorded, never raised
        return None, f"unreadable {ext}: {type(exc).__name__}"
    return text[:MAX_TEXT_CHARS], None
