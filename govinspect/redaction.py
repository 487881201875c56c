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


# The password of one URL we hold: everything between the user's ":" and the last "@", spaces
# and "@" included (a password written unencoded).
_URL_SECRET = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://[^:/@]*:(?P<secret>.*)@")


def redact(text: str, url: str | None = None) -> str:
    """``text`` with the password of every URL (and every ``password=``) replaced by ``***``.

    With ``url`` (the URL the text is about), also the parts of its password that the patterns
    cannot see: a password written with a space, or with an unencoded "@", which a driver then
    quotes as part of the host (``failed to resolve host 'tail@127.0.0.1'``).
    """
    if url is not None and (match := _URL_SECRET.match(url)) and match["secret"]:
        pieces = match["secret"].split("@")
        # The whole password and each of its tails after an "@", longest first, where an "@"
        # follows them: the form they take in the URL and in the host a driver quotes.
        for tail in ("@".join(pieces[i:]) for i in range(len(pieces))):
            text = text.replace(tail + "@", MASK + "@")
    text = _USERINFO.sub(lambda m: m["head"] + MASK, text)
    return _KEYWORD.sub(lambda m: m["head"] + MASK, text)
