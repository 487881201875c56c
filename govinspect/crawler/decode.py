"""Decoding of fetched page bodies.

Precedence is the browser's (BOM, then the HTTP ``Content-Type`` charset, then
``<meta charset>`` / ``<meta http-equiv="Content-Type">``), implemented by
:func:`w3lib.encoding.html_to_unicode`. w3lib already maps gb2312/gbk to gb18030 (a superset,
so characters outside GB2312 in names and places still decode). Undeclared bodies that are
not valid UTF-8 are taken as GB18030: on Chinese government sites that is the only common
legacy encoding.
"""

from __future__ import annotations

import codecs

from w3lib.encoding import html_to_unicode

#: Encoding assumed when nothing is declared and the body is valid UTF-8 (or empty).
DEFAULT_ENCODING = "utf-8"
#: Encoding assumed when nothing is declared and the body is not valid UTF-8.
LEGACY_ENCODING = "gb18030"


def decode_body(body: bytes, content_type: str | None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for a page body; never raises.

    Invalid byte sequences become U+FFFD. An unknown charset name in the header or in a meta
    tag is ignored (the next source in the precedence decides).
    """
    try:
        encoding, text = html_to_unicode(
            content_type, body, default_encoding=DEFAULT_ENCODING, auto_detect_fun=_sniff
        )
    except (LookupError, ValueError, TypeError):
        encoding = _sniff(body) or DEFAULT_ENCODING
        text = body.decode(encoding, errors="replace")
    return text, _canonical_name(encoding)


def _sniff(body: bytes) -> str | None:
    """Guess for undeclared bodies: UTF-8 if it decodes cleanly, else GB18030."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return LEGACY_ENCODING
    return DEFAULT_ENCODING


def _canonical_name(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding
