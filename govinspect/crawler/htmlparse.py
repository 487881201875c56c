"""Parsing a document with lxml, and the small text helpers link extraction shares."""

from __future__ import annotations

from lxml import etree

from govinspect.crawler.page import parse_document

#: Longest anchor text or title kept for a link.
MAX_TEXT_CHARS = 200

_TITLE_XPATH = etree.XPath("//title[1]")


# --- parsing -------------------------------------------------------------------------------


def parse_html(html: str) -> etree._Element | None:
    """lxml tree of a document, or None for an empty/unparseable one. Never raises.

    The one parser configuration of the crawler (crawler/page.py): extractors given a
    :class:`~govinspect.crawler.page.ParsedPage` share its tree instead of calling this.
    """
    return parse_document(html)


# --- text --------------------------------------------------------------------------------


def title_of(root: etree._Element) -> str:
    """The page's ``<title>``, whitespace collapsed."""
    found = _TITLE_XPATH(root)
    if not found:
        return ""
    return collapse(text_of(found[0]))


def collapse(text: str | None, limit: int = MAX_TEXT_CHARS) -> str:
    """Whitespace runs as one space, cut at ``limit``."""
    if not text:
        return ""
    collapsed = " ".join(text.split())
    return collapsed[:limit]


def element_text(el: etree._Element, tag: str) -> str:
    """A link's text: an anchor's own text, else its title or image alt; else title/alt."""
    if tag in ("a", "option"):
        text = collapse(text_of(el))
        if text:
            return text
        title = el.get("title")
        if title:
            return collapse(title)
        for img in el.iter("img"):
            alt = img.get("alt") or img.get("title")
            if alt:
                return collapse(alt)
        return ""
    return collapse(el.get("alt") or el.get("title"))


def text_of(el: etree._Element) -> str:
    return "".join(el.itertext())


def parent_tag(el: etree._Element) -> str:
    parent = el.getparent()
    return parent.tag.lower() if parent is not None and isinstance(parent.tag, str) else ""
