"""Micro-parsers of attribute and text values that hold URLs (no DOM, no joining).

``srcset`` candidates, ``<meta refresh>`` targets, CSS ``url()``/``@import`` references,
``archive`` lists and ``<meta name=robots>`` directives. Pure string functions, each
unit-tested; :mod:`govinspect.crawler.links` walks the page and calls them.
"""

from __future__ import annotations

import re

#: ``<meta name="robots" content=...>`` directives that forbid following the page's links
#: (``none`` means ``noindex, nofollow``).
NOFOLLOW_DIRECTIVES = frozenset({"nofollow", "none"})

_REFRESH_RE = re.compile(
    r"^\s*(?P<delay>\d*)(?:\.[\d.]*)?\s*(?:[;,]\s*)?(?P<key>url\s*=\s*)?(?P<url>.*)$", re.I | re.S
)
_CSS_COMMENT_RE = re.compile(r"/\*.*?(?:\*/|$)", re.S)
# @import "a" / 'a' / url(a) first (its url() is the import), then url("a"), url('a'), url(a).
_CSS_URL_RE = re.compile(
    r"""@import\s*(?:url\(\s*)?(?:"(?P<idq>[^"]*)"|'(?P<isq>[^']*)'|(?P<ibare>[^"'()\s;]+))"""
    r"""|\burl\(\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^"'()\s]*))\s*\)""",
    re.I,
)
_LIST_SPLIT_RE = re.compile(r"[\s,]+")


def parse_srcset(value: str) -> list[str]:
    """Every candidate URL of a ``srcset`` (HTML's algorithm: URLs may contain commas)."""
    urls: list[str] = []
    i = 0
    n = len(value)
    while i < n:
        while i < n and (value[i].isspace() or value[i] == ","):
            i += 1
        start = i
        while i < n and not value[i].isspace():
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            depth = 0  # skip descriptors up to the next top-level comma
            while i < n and (value[i] != "," or depth):
                if value[i] == "(":
                    depth += 1
                elif value[i] == ")":
                    depth = max(0, depth - 1)
                i += 1
        if url:
            urls.append(url)
    return urls


def parse_refresh(content: str) -> str | None:
    """Target URL of a ``<meta http-equiv="refresh" content=...>`` value, or None."""
    match = _REFRESH_RE.match(content)
    if not match or not (match.group("delay") or match.group("key")):
        return None
    url = match.group("url").strip()
    if url[:1] in ("'", '"'):
        quote = url[0]
        end = url.find(quote, 1)
        url = url[1:end] if end != -1 else url[1:]
    return url.strip() or None


def css_urls(css: str) -> list[tuple[str, bool]]:
    """``(reference, is_import)`` for every ``url(...)`` and ``@import`` of a style sheet text
    (a ``<style>`` block or a ``style`` attribute), comments skipped, in order."""
    if "/*" in css:
        css = _CSS_COMMENT_RE.sub(" ", css)
    found: list[tuple[str, bool]] = []
    for match in _CSS_URL_RE.finditer(css):
        imported = match.group(0)[:1] == "@"
        value = next((g for g in match.group("idq", "isq", "ibare", "dq", "sq", "bare") if g), "")
        if value.strip():
            found.append((value.strip(), imported))
    return found


def split_list(value: str) -> list[str]:
    """The URLs of an ``archive`` attribute: separated by commas (HTML 4 objects) or spaces."""
    return [part for part in _LIST_SPLIT_RE.split(value) if part]


def is_nofollow(content: str) -> bool:
    """True when a ``<meta name="robots">`` content forbids following links (any case)."""
    tokens = {t for t in _LIST_SPLIT_RE.split(content.lower()) if t}
    return bool(tokens & NOFOLLOW_DIRECTIVES)
