"""Passwords out of everything printed or logged.

Database and Redis URLs carry their password (``postgresql+psycopg://user:secret@host/db``,
``redis://:secret@host:6379/0``, or ``?password=secret``), and so do the texts of errors that
quote them: SQLAlchemy's, redis-py's, ours.  :func:`redact` masks every such password in any
text, whether or not the URL is well-formed (a malformed URL is exactly the one that ends up in
an error message), so the CLI's error lines and the log handler pass everything through it.
"""

from __future__ import annotations

import re

MASK = "***"

# scheme://user:password@  (the user may be empty: redis://:password@host). The password runs
# to the last "@" before whitespace or a quote, as SQLAlchemy and redis-py parse it.
_USERINFO = re.compile(
    r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@'\"]*:)(?P<secret>[^\s'\"]*)(?=@)"
)
# password=secret as a URL query parameter or a libpq keyword (host=... password=...); a colon
# right before the end is the message's ("...?password=x: connection refused"), not the secret's.
_KEYWORD = re.compile(
    r"(?P<head>\bpassword\s*=\s*)(?P<secret>'[^']*'|[^\s&;'\"]+?)(?=:?(?:[\s&;'\"]|$))", re.I
)


def redact(text: str) -> str:
    """``text`` with the password of every URL (and every ``password=``) replaced by ``***``."""
    text = _USERINFO.sub(lambda m: m["head"] + MASK, text)
    return _KEYWORD.sub(lambda m: m["head"] + MASK, text)
