"""Labelled values of message pages: ``来信时间：2026-01-05``, ``<th>答复单位</th><td>…</td>``.

Pure functions over lxml trees; the label and status tables live in ``data/interaction.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml
from lxml import etree

from govinspect.crawler.dates import normalize_text, parse_date_text

#: Elements after which visible text starts a new line.
BLOCK_TAGS = frozenset(
    {"p", "div", "li", "tr", "br", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "table", "dl"}
)
_COLONS = re.compile(r"[\s\u3000:：*]+")
#: Longest value kept from a labelled text line (a reply may be long; a date never is).
MAX_VALUE = 2000


@cache
def data() -> dict[str, Any]:
    text = (
        resources.files("govinspect.crawler")
        .joinpath("data/interaction.yaml")
        .read_text(encoding="utf-8")
    )
    return yaml.safe_load(text)


@cache
def _label_fields() -> dict[str, str]:
    """Label text -> field (``来信时间`` -> ``asked``)."""
    return {label: name for name, labels in data()["letter_labels"].items() for label in labels}


@cache
def _label_regex() -> re.Pattern[str]:
    labels = sorted(_label_fields(), key=len, reverse=True)
    alternation = "|".join(re.escape(label) for label in labels)
    # A label is followed by a colon; the longest label wins at each position (回复时间, not 时间).
    return re.compile(rf"({alternation})\s*[:：]")


def field_of(label: str) -> str | None:
    """The field a label names (``回复时间`` -> ``replied``), None for any other text."""
    return _label_fields().get(_COLONS.sub("", normalize_text(label or "")))


def status_of(text: str | None) -> str | None:
    """``replied`` / ``pending`` from a status text, None when it says neither."""
    squashed = _COLONS.sub("", normalize_text(text or ""))
    if not squashed:
        return None
    table = data()["statuses"]
    # 未办结 contains 办结: the pending words are looked for first.
    if any(word in squashed for word in table["pending"]):
        return "pending"
    if any(word in squashed for word in table["replied"]):
        return "replied"
    return None


def element_text(el: etree._Element) -> str:
    """Visible text of an element with a line break after every block element."""
    parts: list[str] = []

    def walk(node: etree._Element) -> None:
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript"):
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag in BLOCK_TAGS:
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tag in BLOCK_TAGS:
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    walk(el)
    return normalize_text("".join(parts))


@dataclass
class Fields:
    """Labelled values of one message: field -> text, and the labels seen (even if empty)."""

    values: dict[str, str] = field(default_factory=dict)
    labels: set[str] = field(default_factory=set)

    def add(self, name: str, value: str) -> None:
        self.labels.add(name)
        value = " ".join(value.split())[:MAX_VALUE]
        if value and not self.values.get(name):
            self.values[name] = value

    def date(self, name: str, ref: date | None = None) -> date | None:
        return parse_date_text(self.values.get(name, ""), ref=ref)


def _cells(row: etree._Element) -> list[etree._Element]:
    return [c for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")]


def table_fields(root: etree._Element) -> Fields:
    """Label/value pairs of ``<tr><th>label</th><td>value</td>…</tr>`` and ``<dt>/<dd>``."""
    found = Fields()
    for row in root.iter("tr"):
        cells = _cells(row)
        for label, value in zip(cells[::2], cells[1::2], strict=False):
            name = field_of(label.text_content())
            if name:
                found.add(name, element_text(value))
    for term in root.iter("dt"):
        name = field_of(term.text_content())
        following = term.getnext()
        if name and following is not None and following.tag == "dd":
            found.add(name, element_text(following))
    return found


def text_fields(text: str) -> Fields:
    """``label：value`` runs of a text; a value ends at the line end or the next label."""
    found = Fields()
    for line in text.splitlines():
        hits = list(_label_regex().finditer(line))
        for n, hit in enumerate(hits):
            end = hits[n + 1].start() if n + 1 < len(hits) else len(line)
            name = _label_fields()[hit.group(1)]
            found.add(name, line[hit.end() : end].strip(" \u3000|｜,，;；"))
    return found


def page_fields(root: etree._Element, text: str | None = None) -> Fields:
    """All labelled values of a page: table and definition cells first, then text lines.

    ``text``: the page's :func:`element_text` when the caller has it already.
    """
    found = table_fields(root)
    more = text_fields(element_text(root) if text is None else text)
    for name in sorted(more.labels):
        found.labels.add(name)
    for name, value in more.values.items():
        found.values.setdefault(name, value)
    return found


def count_asked(text: str) -> int:
    """How many ``asked`` labels (来信时间：, 留言时间：…) a text holds."""
    return sum(
        1 for hit in _label_regex().finditer(text) if _label_fields()[hit.group(1)] == "asked"
    )


def header_columns(cells: Iterable[etree._Element]) -> dict[int, str]:
    """Column index -> field for a header row (标题 | 留言时间 | 回复时间 | 状态)."""
    return {
        n: name
        for n, cell in enumerate(cells)
        if (name := field_of(cell.text_content())) is not None
    }
