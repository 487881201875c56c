"""Link patterns of the registry's per-unit ``exclude_links`` list.

An entry is one of:

- an absolute http(s) URL: that link target exactly (the fragment is ignored);
- a glob with ``*`` (or ``?`` outside a URL's query; ``fnmatch``, matched against the whole URL),
  e.g.
  ``http://www.example.gov.cn/old/*``;
- ``re:`` followed by a regular expression searched in the URL, e.g. ``re:\\.invalid/``.

Bottom layer: the registry validates the entries, the checks match link targets with them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fnmatch import fnmatchcase
from functools import cache
from urllib.parse import urldefrag, urlsplit

REGEX_PREFIX = "re:"


@dataclass(frozen=True, slots=True)
class LinkPattern:
    text: str  # as written in the registry
    kind: str  # url | glob | regex

    def matches(self, url: str) -> bool:
        target = urldefrag(url)[0]
        if self.kind == "url":
            return target == urldefrag(self.text)[0]
        if self.kind == "glob":
            return fnmatchcase(target, self.text)
        return _regex(self.text[len(REGEX_PREFIX) :]).search(target) is not None


@cache
def _regex(expression: str) -> re.Pattern[str]:
    return re.compile(expression)


def parse_pattern(text: str) -> LinkPattern:
    """A validated pattern; a bad entry raises ``ValueError`` with a one-line reason."""
    value = text.strip()
    if not value:
        raise ValueError("an empty link pattern")
    if value.startswith(REGEX_PREFIX):
        try:
            _regex(value[len(REGEX_PREFIX) :])
        except re.error as exc:
            raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from None
        return LinkPattern(value, "regex")
    # A "?" after a URL's path starts its query: only "*" makes such an entry a glob.
    if "*" in value or ("?" in value and "://" not in value.split("?")[0]):
        return LinkPattern(value, "glob")
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.hostname:
        return LinkPattern(value, "url")
    raise ValueError(
        f"{value!r} is not an http(s) URL, a glob (with * or ?) or a re: regular expression"
    )


def first_match(patterns: tuple[str, ...] | list[str], url: str) -> str | None:
    """The first pattern (as written) that matches ``url``, or None."""
    for text in patterns:
        if parse_pattern(text).matches(url):
            return text
    return None
