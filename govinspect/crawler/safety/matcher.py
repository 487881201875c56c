"""Dictionary matching with one Aho-Corasick automaton per word list (pyahocorasick).

An automaton is built once per list and process (``functools.cache``), then each text costs one
pass whatever the list's length.  The lists are data: ``crawler/data/safety_keywords.yaml``
(gambling, porn and fraud keywords), ``crawler/data/wording.yaml`` (wording errors) and the
user's sensitive-word file (setting ``sensitive_words``).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import ahocorasick
import yaml

from govinspect.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int  # exclusive
    term: str
    suggestion: str | None
    list: str


class Matcher:
    """Find the terms of several lists in a text (case-blind, longest match at each place)."""

    def __init__(self, entries: Iterable[tuple[str, str | None, str]]) -> None:
        self.automaton = ahocorasick.Automaton()
        count = 0
        for term, suggestion, list_name in entries:
            key = term.strip().lower()
            if key and not self.automaton.exists(key):
                self.automaton.add_word(key, (term.strip(), suggestion, list_name))
                count += 1
        self.size = count
        if count:
            self.automaton.make_automaton()

    def find(self, text: str) -> Iterator[Hit]:
        """Hits in text order; a term inside a longer hit at the same place is skipped."""
        if not self.size or not text:
            return
        last_end = -1
        lowered = text.lower()
        hits = sorted(
            (
                (end - len(value[0]) + 1, end + 1, value)
                for end, value in self.automaton.iter(lowered)
            ),
            key=lambda h: (h[0], -h[1]),
        )
        for start, end, (term, suggestion, list_name) in hits:
            if start < last_end:
                continue  # overlaps a longer term found first
            last_end = end
            yield Hit(start, end, term, suggestion, list_name)

    def terms(self, text: str) -> list[str]:
        """Distinct terms found, in text order."""
        return list(dict.fromkeys(hit.term for hit in self.find(text)))


def _data(name: str) -> Any:
    text = resources.files("govinspect.crawler").joinpath(f"data/{name}").read_text("utf-8")
    return yaml.safe_load(text)


@functools.cache
def keyword_matcher() -> Matcher:
    """The gambling/porn/fraud keyword table (``safety_keywords.yaml``)."""
    return Matcher((str(k), None, "keywords") for k in _data("safety_keywords.yaml")["keywords"])


def wording_lists() -> dict[str, Mapping[str, str]]:
    data = _data("wording.yaml") or {}
    return {
        name: {str(k): str(v) for k, v in (entries or {}).items()} for name, entries in data.items()
    }


def read_sensitive_words(path: str | Path) -> list[tuple[str, str | None]]:
    """A user's sensitive-word file: one word a line, an optional suggestion after a tab or
    ``=>``; ``#`` starts a comment line.  A missing or unreadable file is a ConfigError."""
    try:
        raw = Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"sensitive_words: cannot read {path}: {exc}") from None
    words = []
    for line in raw.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        for separator in ("\t", "=>"):
            if separator in line:
                word, suggestion = (part.strip() for part in line.split(separator, 1))
                break
        else:
            word, suggestion = line, None
        if word:
            words.append((word, suggestion or None))
    return words


@functools.cache
def wording_matcher(sensitive_words: str | None = None) -> Matcher:
    """The shipped wording lists plus the user's sensitive words (list ``sensitive``)."""
    entries: list[tuple[str, str | None, str]] = [
        (term, suggestion, name)
        for name, terms in wording_lists().items()
        for term, suggestion in terms.items()
    ]
    if sensitive_words:
        entries.extend((w, s, "sensitive") for w, s in read_sensitive_words(sensitive_words))
    return Matcher(entries)
