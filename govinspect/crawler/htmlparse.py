"""Parsing a page with lxml, and the small text helpers link extraction shares.

One parser per thread (lxml parsers must not be shared between threads), reused across pages.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

#: Longest anchor text or title kept for a link.
MAX_TEXT_CHARS = 200

_TITLE_XPATH = etree.XPath("//title[1]")
_FLATTEN_RE = re.compile(
    r"</?(?!(?:a|area|img|iframe|frame|embed|source|video|audio|track|object|param|script|"
    r"link|meta|base|title|option|select|input|html|head|body|style|button|applet|bgsound)\b)"
    r"[A-Za-z][^>]*>",
    re.I,
)

_parser_state = threading.local()


# --- parsing -------------------------------------------------------------------------------


def parse_html(html: str) -> etree._Element | None:
    """lxml tree of a page, or None for an empty/unparseable one. Never raises.

    Parses UTF-8 bytes (so an XML encoding declaration or NUL bytes in the text are harmless).
    When nesting exceeds libxml2's depth limit, the page is parsed again with layout tags
    removed, so links after the deep part are not lost.
    """
    data = html.encode("utf-8", errors="replace")
    parser = _parser()
    try:
        root = etree.fromstring(data, parser)
        last = parser.error_log.last_error
        if last is not None and last.type_name == "ERR_RESOURCE_LIMIT":
            flat = _FLATTEN_RE.sub(" ", html).encode("utf-8", errors="replace")
            root = etree.fromstring(flat, _parser())
    except (etree.LxmlError, ValueError):
        return None
    return root


def _parser() -> etree.HTMLParser:
    # lxml parsers must not be shared between threads; one per thread, reused across pages.
    parser = getattr(_parser_state, "parser", None)
    if parser is None:
        parser = etree.HTMLParser(
            encoding="utf-8",
            recover=True,
            remove_comments=True,
            remove_pis=True,
            no_network=True,
            huge_tree=True,
            default_doctype=False,
        )
        _parser_state.parser = parser
    return parser


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
