"""One fetched HTML page, parsed once and shared read-only by every extractor.

Links, visible text, the soft-404 verdict, lists, dates, columns, interaction and content
safety all read the same lxml tree (:attr:`ParsedPage.tree`). None of them may change it: an
extractor that needs a page without scripts, styles and form widgets reads
:attr:`ParsedPage.content_tree`, one copy made once per page with them dropped; one that
needs to remove more (listing's client-side templates) copies that. Results derived from the
page that several steps need (the list analysis, the breadcrumb, the text chunks ...) are
computed once through :meth:`ParsedPage.memo`.

One parser configuration serves them all (``lxml.html``'s, so elements have
``text_content``/``drop_tree``): UTF-8 bytes in, so an XML encoding declaration or NUL bytes
are harmless; comments and processing instructions left out (no extractor reads them); no
network; huge trees allowed. A page nested beyond libxml2's depth limit is parsed again with
its layout tags removed, so what follows the deep part is not lost.

``PARSE_COUNT`` counts the parses by kind (``page``: a fetched document; ``fragment``: a
separate document cut out of one, such as a Hanweb ``<datastore>``'s records), for the tests
and ``bench/bench_analysis.py``.
"""

from __future__ import annotations

import copy
import re
import threading
from collections import Counter
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import lxml.html
from lxml import etree

T = TypeVar("T")

#: Parses made in this process, by kind (``page``, ``fragment``).
PARSE_COUNT: Counter[str] = Counter()
#: Longest visible text kept for a page (soft-404 test, content-safety matching).
MAX_VISIBLE_CHARS = 2_000_000
#: Elements whose text no visitor sees (the visible text drops them).
HIDDEN_TAGS = ("script", "style", "noscript", "template")
#: ... and the form widgets whose text is no content either (lists, dates, columns).
WIDGET_TAGS = ("textarea", "select", "option")

_TITLE_RE = re.compile(r"<title[^>]*>(.*?)</title>", re.I | re.S)
_TITLE_WINDOW = 50_000
_FLATTEN_RE = re.compile(
    r"</?(?!(?:a|area|img|iframe|frame|embed|source|video|audio|track|object|param|script|"
    r"link|meta|base|title|option|select|input|html|head|body|style|button|applet|bgsound)\b)"
    r"[A-Za-z][^>]*>",
    re.I,
)
_UNSET: Any = object()
_parser_state = threading.local()


def parse_document(html: str, kind: str = "page") -> lxml.html.HtmlElement | None:
    """The lxml tree of a document, or None for an empty/unparseable one. Never raises."""
    if not html or not html.strip():
        return None
    PARSE_COUNT[kind] += 1
    parser = _parser()
    try:
        root = etree.fromstring(html.encode("utf-8", errors="replace"), parser)
        last = parser.error_log.last_error
        if last is not None and last.type_name == "ERR_RESOURCE_LIMIT":
            flat = _FLATTEN_RE.sub(" ", html).encode("utf-8", errors="replace")
            root = etree.fromstring(flat, _parser())
    except (etree.LxmlError, ValueError):
        return None
    return root


def _parser() -> lxml.html.HTMLParser:
    # lxml parsers must not be shared between threads; one per thread, reused across pages.
    parser = getattr(_parser_state, "parser", None)
    if parser is None:
        parser = lxml.html.HTMLParser(
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


def drop_elements(root: etree._Element, tags: tuple[str, ...]) -> None:
    """Remove ``tags`` (and comments, processing instructions) in place, keeping the text that
    follows them. Only ever on a tree of one's own: never on a shared :attr:`ParsedPage.tree`."""
    for el in list(root.iter(etree.Comment, etree.ProcessingInstruction, *tags)):
        if el.getparent() is not None:
            el.drop_tree()


class ParsedPage:
    """A page's text and URL, its tree parsed on first use, and views derived from it once."""

    __slots__ = ("text", "url", "_kind", "_tree", "_visible", "_content", "_memo")

    def __init__(self, text: str, url: str) -> None:
        self.text = text
        self.url = url
        self._kind = "page"
        self._tree: Any = _UNSET
        self._visible: str | None = None
        self._content: Any = _UNSET
        self._memo: dict[Hashable, Any] = {}

    @classmethod
    def fragment(cls, text: str, url: str) -> ParsedPage:
        """A separate document cut out of a page (counted apart from pages)."""
        page = cls(text, url)
        page._kind = "fragment"
        return page

    @property
    def tree(self) -> lxml.html.HtmlElement | None:
        """The page's tree, parsed once; read-only for everyone."""
        if self._tree is _UNSET:
            self._tree = parse_document(self.text, self._kind)
        return self._tree

    @property
    def title(self) -> str:
        """The ``<title>`` as written in the first 50,000 characters, whitespace collapsed
        (read without parsing: a page waiting for its host's baseline needs only this)."""
        match = _TITLE_RE.search(self.text[:_TITLE_WINDOW])
        return " ".join(match.group(1).split()) if match else ""

    @property
    def visible_text(self) -> str:
        """The page's text without scripts, styles, ``noscript`` and ``template``."""
        if self._visible is None:
            self._derive()
        return self._visible or ""

    @property
    def content_tree(self) -> lxml.html.HtmlElement | None:
        """A copy of the tree without hidden elements and form widgets (``HIDDEN_TAGS``,
        ``WIDGET_TAGS``): what lists, dates and columns read. Made once; read-only too."""
        if self._content is _UNSET:
            self._derive()
        return self._content

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """``compute()``, once per page and ``key``: a result several steps need. The result
        is shared, so its users must not change it."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]  # type: ignore[no-any-return]

    def _derive(self) -> None:
        # One copy serves both views: the visible text is read between the two drops.
        root = self.tree
        if root is None:
            self._visible, self._content = "", None
            return
        own = copy.deepcopy(root)
        drop_elements(own, HIDDEN_TAGS)
        self._visible = own.text_content()[:MAX_VISIBLE_CHARS]
        drop_elements(own, WIDGET_TAGS)
        self._content = own


def as_page(html: str | ParsedPage, url: str = "") -> ParsedPage:
    """The page an extractor was given, or a new one for a string (parsed when first read)."""
    return html if isinstance(html, ParsedPage) else ParsedPage(html or "", url)
