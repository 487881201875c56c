"""Link extraction from one fetched HTML page (the crawler's hot spot).

One lxml parse per page, one tree walk in document order, memoised URL joining.
Besides ordinary ``href``/``src`` attributes it reads ``srcset``, ``<meta refresh>``,
``window.open``/``location`` in ``onclick`` and ``javascript:`` hrefs, attachments named in
event handlers and inline scripts, Hanweb ``<datastore>`` records, and the pages implied by
TRS ``createPageHTML``. Records only facts; judging them is the checks' job.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

from lxml import etree

from govinspect.crawler.cms import Datastore, TrsPager, hanweb_datastores, trs_pagination
from govinspect.crawler.urls import ATTACHMENT_EXTENSIONS, link_kind_by_extension, resolve

# --- data ----------------------------------------------------------------------------------

LINK_KINDS = frozenset(
    {"page", "image", "attachment", "frame", "script", "style", "media", "refresh",
     "implied", "record"}
)  # fmt: skip

#: URL-bearing attributes per element and the kind of resource they load.
#: ``None`` for ``link@href``: the kind then depends on ``rel`` (see ``LINK_REL_KINDS``).
ELEMENT_SOURCES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "a": (("href", "page"),),
    "area": (("href", "page"),),
    "img": (("src", "image"), ("srcset", "image"), ("data-src", "image"),
            ("data-original", "image")),
    "iframe": (("src", "frame"),),
    "frame": (("src", "frame"),),
    "embed": (("src", "media"),),
    "source": (("src", "media"), ("srcset", "image")),
    "video": (("src", "media"), ("poster", "image")),
    "audio": (("src", "media"),),
    "track": (("src", "media"),),
    "object": (("data", "media"),),
    "input": (("src", "image"),),
    "script": (("src", "script"),),
    "link": (("href", None),),
}  # fmt: skip

#: ``<link rel>`` values and their kinds; rels listed in ``LINK_REL_SKIP`` load nothing.
LINK_REL_KINDS: dict[str, str] = {
    "stylesheet": "style",
    "icon": "image",
    "apple-touch-icon": "image",
    "apple-touch-icon-precomposed": "image",
    "mask-icon": "image",
    "modulepreload": "script",
    "manifest": "script",
}
LINK_REL_SKIP = frozenset({"dns-prefetch", "preconnect"})
#: ``<link rel=preload as=...>`` destinations.
PRELOAD_AS_KINDS: dict[str, str] = {
    "script": "script", "style": "style", "font": "style", "image": "image",
    "audio": "media", "video": "media", "document": "page",
}  # fmt: skip
#: ``<param name=...>`` names whose value is the embedded resource.
PARAM_SOURCE_NAMES = frozenset({"movie", "src", "url", "filename", "file"})
#: Kinds whose URL extension may turn them into "attachment"/"image"/"media". Datastore
#: records keep "record" (they are list items whatever they point to).
KINDS_REFINED_BY_EXTENSION = frozenset({"page", "frame", "media"})
#: Inline script types that hold data or templates, not code worth scanning.
NON_CODE_SCRIPT_TYPES = ("text/xml", "application/xml", "text/html", "text/template",
                         "text/x-template", "application/json", "application/ld+json")  # fmt: skip
MAX_TEXT_CHARS = 200
#: Elements visited by the walk; other elements matter only for their handler attributes.
SOURCE_TAGS: tuple[str, ...] = (*ELEMENT_SOURCES, "meta", "option", "param")
#: ``onclick`` and ``background`` (old layouts: ``<td background>``) make any element a link
#: source. These spellings reveal them in raw HTML: a page without any takes the fast path
#: where lxml filters the tags in C (substring tests are far cheaper than a case-blind regex).
HANDLER_MARKERS = ("onclick", "onClick", "OnClick", "ONCLICK", "background=", "BACKGROUND=")

# --- compiled patterns -------------------------------------------------------------------

_SOURCE_TAG_SET = frozenset(SOURCE_TAGS)
_BASE_XPATH = etree.XPath("//base[@href][1]/@href")
_TITLE_XPATH = etree.XPath("//title[1]")
# window.open('u'), location.href = 'u', window.location = 'u', location.replace('u') ...
_JS_NAVIGATION_RE = re.compile(
    r"""(?:\bwindow\.open|\blocation\.(?:replace|assign)|"""
    r"""\b(?:(?:window|document|self|top|parent)\.)?location(?:\.href)?\s*=)"""
    r"""\s*\(?\s*(["'])([^"'\r\n]+?)\1(?!\s*\+)"""  # a literal followed by "+" is only a prefix
)
_ATTACHMENT_LITERAL_RE = re.compile(
    r"""(["'])([^"'\s<>()]{0,400}[^"'\s<>()./\\]\."""
    r"""(?:""" + "|".join(sorted(ATTACHMENT_EXTENSIONS, key=len, reverse=True)) + r""")"""
    r"""(?:\?[^"'\s<>]*)?)\1(?!\s*\+)""",
    re.I,
)
_REFRESH_RE = re.compile(
    r"^\s*(?P<delay>\d*)(?:\.[\d.]*)?\s*(?:[;,]\s*)?(?P<key>url\s*=\s*)?(?P<url>.*)$", re.I | re.S
)
_FLATTEN_RE = re.compile(
    r"</?(?!(?:a|area|img|iframe|frame|embed|source|video|audio|track|object|param|script|"
    r"link|meta|base|title|option|select|input|html|head|body)\b)[A-Za-z][^>]*>",
    re.I,
)

_parser_state = threading.local()


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """One URL found on a page.

    ``url`` is absolute and normalised; ``raw`` is the value as written; ``tag``/``attr`` say
    where it was found (``record``/``href`` for Hanweb datastore items, ``script``/
    ``createPageHTML`` for TRS implied pages, ``meta``/``content`` for refresh); ``kind`` is
    one of ``LINK_KINDS``.
    """

    url: str
    raw: str
    tag: str
    attr: str
    text: str
    kind: str


@dataclass(slots=True)
class ExtractResult:
    """Everything read from one page. ``pager``/``datastores`` save the crawler a re-scan."""

    links: list[Link]
    title: str
    base_url: str
    meta: dict[str, str]
    refresh: str | None
    pager: TrsPager | None = None
    datastores: list[Datastore] = field(default_factory=list)
    truncated: bool = False
    # The parsed tree, for facts read from the same parse (content safety): never parse twice.
    root: etree._Element | None = None


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


# --- extraction ----------------------------------------------------------------------------


def extract_links(
    html: str, page_url: str, max_links: int | None = None, encoding: str = "utf-8"
) -> ExtractResult:
    """Extract every link of a page, deduplicated on (url, tag, attr), in document order.

    ``page_url`` is the page's absolute URL (after redirects); ``<base href>`` overrides it for
    joining. ``encoding`` is the page's encoding (browsers encode non-ASCII query text in it).
    ``max_links`` caps the number of links (``truncated`` tells when the cap was hit).
    Never raises on bad markup: what can be parsed is returned.
    """
    root = parse_html(html) if html else None
    collector = _Collector(page_url, encoding, max_links)
    if root is not None:
        base = _BASE_XPATH(root)
        if base:
            collector.base = resolve(page_url, str(base[0]), encoding) or page_url
        collector.title = _title(root)
        collector.walk(root, any(marker in html for marker in HANDLER_MARKERS))
    collector.datastores = hanweb_datastores(html, collector.base) if html else []
    for store in collector.datastores:
        collector.add_records(store)
    collector.pager = trs_pagination(html, collector.base) if html else None
    if collector.pager is not None:
        collector.add_implied(collector.pager)
    result = collector.result()
    result.root = root
    return result


def _title(root: etree._Element) -> str:
    found = _TITLE_XPATH(root)
    if not found:
        return ""
    return _collapse(_text_of(found[0]))


def _collapse(text: str | None, limit: int = MAX_TEXT_CHARS) -> str:
    if not text:
        return ""
    collapsed = " ".join(text.split())
    return collapsed[:limit]


class _Collector:
    """Accumulates links for one page; knows the base URL, dedup keys and the cap."""

    def __init__(self, page_url: str, encoding: str, max_links: int | None) -> None:
        self.page_url = page_url
        self.base = page_url
        self.encoding = encoding
        self.max_links = max_links
        self.links: list[Link] = []
        self.seen: set[tuple[str, str, str]] = set()
        self.title = ""
        self.meta: dict[str, str] = {}
        self.refresh: str | None = None
        self.pager: TrsPager | None = None
        self.datastores: list[Datastore] = []
        self.truncated = False

    def result(self) -> ExtractResult:
        return ExtractResult(
            links=self.links,
            title=self.title,
            base_url=self.base,
            meta=self.meta,
            refresh=self.refresh,
            pager=self.pager,
            datastores=self.datastores,
            truncated=self.truncated,
        )

    # -- adding ------------------------------------------------------------------------------

    def add(self, raw: str | None, tag: str, attr: str, kind: str, text: str = "") -> str | None:
        """Resolve and record one URL; returns the absolute URL (None if not a link)."""
        if not raw:
            return None
        url = resolve(self.base, raw, self.encoding)
        if url is None:
            return None
        if kind in KINDS_REFINED_BY_EXTENSION:
            kind = link_kind_by_extension(url) or kind
        key = (url, tag, attr)
        if key in self.seen:
            return url
        if self.max_links is not None and len(self.links) >= self.max_links:
            self.truncated = True
            return url
        self.seen.add(key)
        self.links.append(Link(url, raw.strip(), tag, attr, text, kind))
        return url

    # -- DOM walk ----------------------------------------------------------------------------

    def walk(self, root: etree._Element, scan_handlers: bool) -> None:
        for el in _source_elements(root, scan_handlers):
            tag = el.tag
            if not isinstance(tag, str):
                continue
            if tag == "meta":
                self._meta(el)
            elif tag == "script":
                self._script(el)
            elif tag == "option":
                self._option(el)
            elif tag == "param":
                self._param(el)
            elif tag == "link":
                self._link(el)
            else:
                self._sources(el, tag)
            if scan_handlers:
                onclick = el.get("onclick")
                if onclick:
                    self._javascript(onclick, tag, "onclick", el)
                background = el.get("background")
                if background:
                    self.add(background, tag, "background", "image")

    def _sources(self, el: etree._Element, tag: str) -> None:
        text: str | None = None
        for attr, kind in ELEMENT_SOURCES.get(tag, ()):
            value = el.get(attr)
            if not value:
                continue
            if attr == "href" and value.lstrip()[:11].lower() == "javascript:":
                self._javascript(value, tag, attr, el)
                continue
            if text is None:
                text = _element_text(el, tag)
            if tag == "source" and attr == "src":
                kind = "image" if _parent_tag(el) == "picture" else "media"
            candidates = parse_srcset(value) if attr == "srcset" else (value,)
            for candidate in candidates:
                self.add(candidate, tag, attr, kind or "page", text)

    def _link(self, el: etree._Element) -> None:
        rels = (el.get("rel") or "").lower().split()
        if any(rel in LINK_REL_SKIP for rel in rels):
            return
        kind = "page"
        for rel in rels:
            if rel in LINK_REL_KINDS:
                kind = LINK_REL_KINDS[rel]
                break
            if rel in ("preload", "prefetch"):
                kind = PRELOAD_AS_KINDS.get((el.get("as") or "").lower(), "page")
                break
        self.add(el.get("href"), "link", "href", kind, _collapse(el.get("title")))

    def _meta(self, el: etree._Element) -> None:
        name = el.get("name")
        content = el.get("content")
        if name and content is not None and name not in self.meta:
            self.meta[name] = content.strip()
        equiv = (el.get("http-equiv") or "").strip().lower()
        if equiv == "refresh" and content and self.refresh is None:
            target = parse_refresh(content)
            if target:
                self.refresh = self.add(target, "meta", "content", "refresh")

    def _script(self, el: etree._Element) -> None:
        src = el.get("src")
        if src:
            self.add(src, "script", "src", "script")
            return
        script_type = (el.get("type") or "").strip().lower()
        if script_type.startswith(NON_CODE_SCRIPT_TYPES):
            return
        code = el.text
        if code and "." in code:
            self._attachment_literals(code, "script", "text")

    def _option(self, el: etree._Element) -> None:
        value = (el.get("value") or "").strip()
        # Jump menus (友情链接 <select>) carry real URLs; other option values are form data.
        if value.startswith(("http://", "https://")) or (
            value.startswith("/") and len(value) > 1 and not value.startswith("//")
        ):
            self.add(value, "option", "value", "page", _collapse(_text_of(el)))

    def _param(self, el: etree._Element) -> None:
        if (el.get("name") or "").strip().lower() in PARAM_SOURCE_NAMES:
            self.add(el.get("value"), "param", "value", "media")

    def _javascript(self, code: str, tag: str, attr: str, el: etree._Element) -> None:
        text = _element_text(el, tag)
        for match in _JS_NAVIGATION_RE.finditer(code):
            self.add(match.group(2), tag, attr, "page", text)
        if "." in code:
            self._attachment_literals(code, tag, attr, text)

    def _attachment_literals(self, code: str, tag: str, attr: str, text: str = "") -> None:
        for match in _ATTACHMENT_LITERAL_RE.finditer(code):
            self.add(match.group(2), tag, attr, "attachment", text)

    # -- CMS structures ----------------------------------------------------------------------

    def add_records(self, store: Datastore) -> None:
        if store.records:
            fragment = parse_html("<html><body>" + "\n".join(store.records) + "</body></html>")
            if fragment is not None:
                for el in fragment.iter(*ELEMENT_SOURCES):
                    self._record_element(el)
        if store.nextgroup:
            self.add(store.nextgroup, "nextgroup", "href", "implied")

    def _record_element(self, el: etree._Element) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        for attr, kind in ELEMENT_SOURCES.get(tag, ()):
            if tag in ("script", "link"):
                continue
            value = el.get(attr)
            if not value:
                continue
            record_kind = "record" if kind in ("page", "frame") else (kind or "page")
            candidates = parse_srcset(value) if attr == "srcset" else [value]
            for candidate in candidates:
                self.add(candidate, "record", attr, record_kind, _element_text(el, tag))

    def add_implied(self, pager: TrsPager) -> None:
        own = resolve(self.page_url, self.page_url, self.encoding)
        for url in pager.page_urls:
            if url != own:
                self.add(url, "script", "createPageHTML", "implied")


def _source_elements(root: etree._Element, scan_handlers: bool) -> Iterator[etree._Element]:
    """Candidate elements in document order (tag names are lowercase in lxml's HTML parser)."""
    if not scan_handlers:
        yield from root.iter(*SOURCE_TAGS)
        return
    for el in root.iter():
        if el.tag in _SOURCE_TAG_SET or el.get("onclick") or el.get("background"):
            yield el


def _element_text(el: etree._Element, tag: str) -> str:
    if tag in ("a", "option"):
        text = _collapse(_text_of(el))
        if text:
            return text
        title = el.get("title")
        if title:
            return _collapse(title)
        for img in el.iter("img"):
            alt = img.get("alt") or img.get("title")
            if alt:
                return _collapse(alt)
        return ""
    return _collapse(el.get("alt") or el.get("title"))


def _text_of(el: etree._Element) -> str:
    return "".join(el.itertext())


def _parent_tag(el: etree._Element) -> str:
    parent = el.getparent()
    return parent.tag.lower() if parent is not None and isinstance(parent.tag, str) else ""


# --- attribute micro-parsers ------------------------------------------------------------------


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
