"""Body text of archived pages and character-shingle similarity (no word segmentation needed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from lxml import etree
from lxml import html as lxml_html

from govinspect.checks import tables

_SPACE = re.compile(r"\s+")
# Everything that is not a letter or digit (CJK included): punctuation and spaces do not count
# towards similarity.
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@cache
def _settings() -> tuple[frozenset[str], frozenset[str], int]:
    conf = tables.tables()["text"]
    return frozenset(conf["drop_tags"]), frozenset(conf["paragraph_tags"]), conf["min_block_chars"]


def _parse(markup: str) -> etree._Element | None:
    if not markup.strip():
        return None
    try:
        return lxml_html.document_fromstring(markup)
    except (etree.ParserError, ValueError):
        return None


def _clean(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def _plain_length(element: etree._Element) -> int:
    """Characters of an element's text outside links (link lists are navigation, not body)."""
    return sum(len(_clean(text)) for text in element.xpath(".//text()[not(ancestor::a)]"))


def _own_text(element: etree._Element, paragraphs: frozenset[str]) -> int:
    """Characters of text an element holds itself: direct text plus its paragraph children."""
    size = len(_clean(element.text))
    for child in element:
        if isinstance(child.tag, str) and child.tag in paragraphs:
            size += _plain_length(child)
        size += len(_clean(child.tail))
    return size


def main_text(markup: str) -> str:
    """The main body text of a page: the block holding the most paragraph text.

    Site chrome (navigation, header, footer: where every page repeats its address and phone
    number) is dropped first, so the result is the article itself on TRS, Hanweb and similar
    templates; pages without a clear block fall back to the whole visible text.
    """
    root = _parse(markup)
    if root is None:
        return ""
    drop, paragraphs, min_chars = _settings()
    for element in list(root.iter(*drop)):
        if element.getparent() is not None:
            element.drop_tree()
    body = root.find("body")
    scope = body if body is not None else root
    best, best_size = None, 0
    for element in scope.iter():
        if not isinstance(element.tag, str):
            continue
        size = _own_text(element, paragraphs)
        if size > best_size:
            best, best_size = element, size
    if best is None or best_size < min_chars:
        return _clean(scope.text_content())
    return _clean(best.text_content())


def visible_text(markup: str) -> str:
    """All visible text of a page, site chrome included (used to learn a site's boilerplate)."""
    root = _parse(markup)
    if root is None:
        return ""
    for element in list(root.iter("script", "style", "noscript", "template", "head")):
        if element.getparent() is not None:
            element.drop_tree()
    return _clean(root.text_content())


def normalise(text: str) -> str:
    """Letters and digits only (punctuation and spacing vary between copies of one text)."""
    return _NOT_WORD.sub("", text).lower()


def shingles(text: str, size: int) -> frozenset[str]:
    """The set of character ``size``-grams of the normalised text."""
    norm = normalise(text)
    if len(norm) < size:
        return frozenset({norm}) if norm else frozenset()
    return frozenset(norm[i : i + size] for i in range(len(norm) - size + 1))


@dataclass(frozen=True, slots=True)
class Similarity:
    jaccard: float  # |A ∩ B| / |A ∪ B|
    containment: float  # share of the second text's shingles found in the first


def similarity(
    first: str, second: str, size: int, ignore: frozenset[str] = frozenset()
) -> Similarity:
    """Jaccard similarity of two texts, and how much of ``second`` is contained in ``first``.

    ``ignore``: shingles of the site's boilerplate (e.g. its homepage text), left out so two
    pages of one template never look alike because of their shared footer.
    """
    a, b = shingles(first, size) - ignore, shingles(second, size) - ignore
    if not a or not b:
        return Similarity(0.0, 0.0)
    common = len(a & b)
    return Similarity(common / len(a | b), common / len(b))
