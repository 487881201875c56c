"""Link extraction from one fetched HTML page (the crawler's hot spot).

One lxml parse per page, one tree walk in document order, memoised URL joining.
Besides ordinary ``href``/``src`` attributes it reads ``srcset``, ``<meta refresh>``, CSS
``url()`` in ``style`` attributes and ``<style>`` blocks, ``object``/``applet`` codebase,
data and archive, ``formaction`` of GET buttons, ``window.open``/``location`` in ``onclick``
and ``javascript:`` hrefs, attachments named in event handlers and inline scripts, Hanweb
``<datastore>`` records, and the pages implied by TRS ``createPageHTML``. A link that cannot be
fetched is still recorded, with its ``problem`` (invalid, or another scheme such as
``mailto:``); a fragment link also gets an ``anchor`` link (crawler/anchors.py). Records only
facts; judging them is the checks' job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from lxml import etree

from govinspect.crawler.anchors import anchor_target, is_anchor_fragment, page_anchors
from govinspect.crawler.cms import Datastore, TrsPager, hanweb_datastores, trs_pagination
from govinspect.crawler.htmlparse import (
    collapse,
    element_text,
    parent_tag,
    parse_html,
    text_of,
    title_of,
)
from govinspect.crawler.linkattrs import (
    css_urls,
    is_nofollow,
    parse_refresh,
    parse_srcset,
    split_list,
)
from govinspect.crawler.page import ParsedPage, as_page
from govinspect.crawler.urls import (
    ATTACHMENT_EXTENSIONS,
    classify,
    clean_reference,
    link_kind_by_extension,
    normalize_url,
    resolve,
    url_extension,
)

# Re-exported: callers and tests take the page parser and the attribute parsers from here.
__all__ = ["LINK_KINDS", "ExtractResult", "Link", "extract_links", "parse_html", "parse_refresh",
           "parse_srcset"]  # fmt: skip

# --- data ----------------------------------------------------------------------------------

LINK_KINDS = frozenset(
    {"page", "image", "attachment", "frame", "script", "style", "media", "refresh",
     "implied", "record", "anchor"}
)  # fmt: skip


def _load_sources() -> dict[str, Any]:
    text = resources.files("govinspect.crawler").joinpath("data/link_sources.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


_SOURCES = _load_sources()
#: URL-bearing attributes per element and the kind of resource they load (data/link_sources.yaml).
#: ``None`` for ``link@href``: the kind then depends on ``rel`` (see ``LINK_REL_KINDS``).
ELEMENT_SOURCES: dict[str, tuple[tuple[str, str | None], ...]] = {
    tag: tuple(attrs.items()) for tag, attrs in _SOURCES["element_sources"].items()
}
LINK_REL_KINDS: dict[str, str] = _SOURCES["link_rel_kinds"]
LINK_REL_SKIP = frozenset(_SOURCES["link_rel_skip"])
PRELOAD_AS_KINDS: dict[str, str] = _SOURCES["preload_as_kinds"]
PARAM_SOURCE_NAMES = frozenset(_SOURCES["param_source_names"])
KINDS_REFINED_BY_EXTENSION = frozenset(_SOURCES["kinds_refined_by_extension"])
CODEBASE_SOURCES: dict[str, tuple[str, ...]] = {
    tag: tuple(attrs) for tag, attrs in _SOURCES["codebase_sources"].items()
}
FORMACTION_TAGS = tuple(_SOURCES["formaction_tags"])
FONT_EXTENSIONS = frozenset(_SOURCES["font_extensions"])
NON_CODE_SCRIPT_TYPES = tuple(_SOURCES["non_code_script_types"])
#: Elements visited by the walk; other elements matter only for their handler attributes.
SOURCE_TAGS: tuple[str, ...] = (
    *ELEMENT_SOURCES,
    *CODEBASE_SOURCES,
    *FORMACTION_TAGS,
    "meta",
    "option",
    "param",
    "style",
)
#: ``onclick``, ``background`` (old layouts: ``<td background>``) and a ``style`` with
#: ``url()`` make any element a link source. These spellings reveal them in raw HTML: a page
#: without any takes the fast path where lxml filters the tags in C (substring tests are far
#: cheaper than a case-blind regex).
HANDLER_MARKERS = ("onclick", "onClick", "OnClick", "ONCLICK", "background=", "BACKGROUND=",
                   "url(", "URL(", "Url(")  # fmt: skip

# --- compiled patterns -------------------------------------------------------------------

_SOURCE_TAG_SET = frozenset(SOURCE_TAGS)
_HANDLER_ATTRS = ("onclick", "background", "style")
_BASE_XPATH = etree.XPath("//base[@href][1]/@href")
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

# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """One URL found on a page.

    ``url`` is absolute and normalised; ``raw`` is the value as written; ``tag``/``attr`` say
    where it was found (``record``/``href`` for Hanweb datastore items, ``script``/
    ``createPageHTML`` for TRS implied pages, ``meta``/``content`` for refresh); ``kind`` is
    one of ``LINK_KINDS``. ``problem`` is None for a fetchable URL, else ``urls.INVALID`` (``url``
    is the text as written) or ``urls.OTHER_SCHEME`` (``mailto:``, ``tel:`` ...). An ``anchor``
    link's ``url`` is ``page#fragment`` (crawler/anchors.py).
    """

    url: str
    raw: str
    tag: str
    attr: str
    text: str
    kind: str
    problem: str | None = None

    def __reduce__(self) -> tuple[type[Link], tuple[str | None, ...]]:
        # Stored analyses hold thousands of links: dataclasses unpickle a frozen slotted class
        # through fields() and object.__setattr__ per object; plain constructor arguments skip
        # that (pickling 30 % cheaper, unpickling 10 %).
        return Link, (self.url, self.raw, self.tag, self.attr, self.text, self.kind, self.problem)


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
    #: ``<meta name="robots">`` forbids following the page's links.
    nofollow: bool = False
    #: The page's anchors (ids, ``<a name>``), None when it could not be parsed.
    anchors: list[str] | None = None
    anchors_truncated: bool = False
    # The parsed tree, for facts read from the same parse (content safety): never parse twice.
    root: Any = None


# --- extraction ----------------------------------------------------------------------------


def extract_links(
    html: str | ParsedPage, page_url: str, max_links: int | None = None, encoding: str = "utf-8"
) -> ExtractResult:
    """Extract every link of a page, deduplicated on (url, tag, attr), in document order.

    ``page_url`` is the page's absolute URL (after redirects); ``<base href>`` overrides it for
    joining. ``encoding`` is the page's encoding (browsers encode non-ASCII query text in it).
    ``max_links`` caps the number of links (``truncated`` tells when the cap was hit).
    Never raises on bad markup: what can be parsed is returned. ``html`` may be the page
    already parsed (crawler/page.py): its tree is read, never changed.
    """
    page = as_page(html, page_url)
    text = page.text
    root = page.tree
    collector = _Collector(page_url, encoding, max_links)
    if root is not None:
        base = _BASE_XPATH(root)
        if base:
            collector.base = resolve(page_url, str(base[0]), encoding) or page_url
        collector.title = title_of(root)
        collector.walk(root, any(marker in text for marker in HANDLER_MARKERS))
        collector.anchors, collector.anchors_truncated = page_anchors(root)
    collector.datastores = hanweb_datastores(text, collector.base) if text else []
    for store in collector.datastores:
        collector.add_records(store)
    collector.pager = trs_pagination(text, collector.base) if text else None
    if collector.pager is not None:
        collector.add_implied(collector.pager)
    result = collector.result()
    result.root = root
    return result


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
        self.nofollow = False
        self.anchors: list[str] | None = None
        self.anchors_truncated = False

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
            nofollow=self.nofollow,
            anchors=self.anchors,
            anchors_truncated=self.anchors_truncated,
        )

    # -- adding ------------------------------------------------------------------------------

    def add(
        self,
        raw: str | None,
        tag: str,
        attr: str,
        kind: str,
        text: str = "",
        *,
        script: bool = False,
        anchor: bool = False,
        base: str | None = None,
    ) -> str | None:
        """Resolve and record one URL; returns the absolute URL (None if it cannot be fetched).

        ``script``: a literal from script code (JavaScript identifiers are no links there).
        ``anchor``: a navigation link whose fragment names a place to check. ``base``: joins
        against another base than the page's (an object's ``codebase``).
        """
        if not raw:
            return None
        base = base or self.base
        if anchor and clean_reference(raw)[:1] == "#":
            fragment = clean_reference(raw)[1:]
            if is_anchor_fragment(fragment):
                target_page = anchor_target(_own_url(base), fragment)
                self._record(target_page, raw, tag, attr, text, "anchor")
            return None
        target = classify(base, raw, self.encoding, script=script)
        if target is None:
            return None
        url = target.url
        if target.problem is None and kind in KINDS_REFINED_BY_EXTENSION:
            kind = link_kind_by_extension(url) or kind
        self._record(url, raw, tag, attr, text, kind, target.problem)
        if target.problem is not None:
            return None  # recorded, but no base to join against, no refresh to follow
        if anchor and is_anchor_fragment(target.fragment):
            self._record(anchor_target(url, target.fragment), raw, tag, attr, text, "anchor")
        return url

    def _record(
        self,
        url: str,
        raw: str,
        tag: str,
        attr: str,
        text: str,
        kind: str,
        problem: str | None = None,
    ) -> None:
        key = (url, tag, attr)
        if key in self.seen:
            return
        if self.max_links is not None and len(self.links) >= self.max_links:
            self.truncated = True
            return
        self.seen.add(key)
        self.links.append(Link(url, raw.strip(), tag, attr, text, kind, problem))

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
            elif tag == "style":
                self._css(el.text or "", "style", "text")
            elif tag in CODEBASE_SOURCES:
                self._plugin(el, tag)
            else:
                if tag in ELEMENT_SOURCES:
                    self._sources(el, tag)
                if tag in FORMACTION_TAGS:
                    self._formaction(el, tag)
            if scan_handlers:
                onclick = el.get("onclick")
                if onclick:
                    self._javascript(onclick, tag, "onclick", el)
                background = el.get("background")
                if background:
                    self.add(background, tag, "background", "image")
                style = el.get("style")
                if style and "(" in style:
                    self._css(style, tag, "style")

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
                text = element_text(el, tag)
            if tag == "source" and attr == "src":
                kind = "image" if parent_tag(el) == "picture" else "media"
            candidates = parse_srcset(value) if attr == "srcset" else (value,)
            # A fragment on a navigation link names a place to check, unless a script
            # handles the click (href="#tab2" onclick="show(2)").
            anchor = attr == "href" and not el.get("onclick")
            for candidate in candidates:
                self.add(candidate, tag, attr, kind or "page", text, anchor=anchor)

    def _plugin(self, el: etree._Element, tag: str) -> None:
        """``<object>``/``<applet>``: the codebase, and data/code/archive joined against it."""
        codebase = (el.get("codebase") or "").strip()
        base = None
        if codebase:
            base = self.add(codebase, tag, "codebase", "media")
        text = element_text(el, tag)
        for attr in CODEBASE_SOURCES[tag]:
            value = el.get(attr)
            if not value:
                continue
            for candidate in split_list(value) if attr == "archive" else (value,):
                self.add(candidate, tag, attr, "media", text, base=base)

    def _formaction(self, el: etree._Element, tag: str) -> None:
        """A button's ``formaction``: a link when the form is sent with GET (as LinkChecker)."""
        action = el.get("formaction")
        if not action:
            return
        method = el.get("formmethod")
        if method is None:
            form = next(el.iterancestors("form"), None)
            method = form.get("method") if form is not None else None
        if (method or "get").strip().lower() == "get":
            self.add(action, tag, "formaction", "page", collapse(el.get("value") or text_of(el)))

    def _css(self, css: str, tag: str, attr: str) -> None:
        """``url()`` and ``@import`` references of a ``<style>`` block or ``style`` attribute."""
        if "url(" not in css.lower() and "@import" not in css.lower():
            return
        for ref, imported in css_urls(css):
            kind = "style" if imported else "image"
            if not imported and url_extension(ref.partition("?")[0]) in FONT_EXTENSIONS:
                kind = "style"
            self.add(ref, tag, attr, kind)

    def _link(self, el: etree._Element) -> None:
        rels = (el.get("rel") or "").lower().split()
        if any(rel in LINK_REL_SKIP for rel in rels):
            return
        self.add(el.get("href"), "link", "href", _rel_kind(rels, el), collapse(el.get("title")))

    def _meta(self, el: etree._Element) -> None:
        name = el.get("name")
        content = el.get("content")
        if name and content is not None and name not in self.meta:
            self.meta[name] = content.strip()
        if name and content and name.strip().lower() == "robots" and is_nofollow(content):
            self.nofollow = True
        equiv = (el.get("http-equiv") or "").strip().lower()
        if equiv == "refresh" and content and self.refresh is None:
            target = parse_refresh(content)
            if target:
                self.refresh = self.add(target, "meta", "content", "refresh")
        href = el.get("href")
        if href and any(rel.endswith("icon") for rel in (el.get("rel") or "").lower().split()):
            self.add(href, "meta", "href", "image")  # old pages: <meta rel="shortcut icon" href>

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
            self.add(value, "option", "value", "page", collapse(text_of(el)), script=True)

    def _param(self, el: etree._Element) -> None:
        if (el.get("name") or "").strip().lower() in PARAM_SOURCE_NAMES:
            self.add(el.get("value"), "param", "value", "media")

    def _javascript(self, code: str, tag: str, attr: str, el: etree._Element) -> None:
        text = element_text(el, tag)
        for match in _JS_NAVIGATION_RE.finditer(code):
            self.add(match.group(2), tag, attr, "page", text, script=True)
        if "." in code:
            self._attachment_literals(code, tag, attr, text)

    def _attachment_literals(self, code: str, tag: str, attr: str, text: str = "") -> None:
        for match in _ATTACHMENT_LITERAL_RE.finditer(code):
            self.add(match.group(2), tag, attr, "attachment", text, script=True)

    # -- CMS structures ----------------------------------------------------------------------

    def add_records(self, store: Datastore) -> None:
        if store.records:
            records = "<html><body>" + "\n".join(store.records) + "</body></html>"
            fragment = ParsedPage.fragment(records, self.page_url).tree
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
                self.add(candidate, "record", attr, record_kind, element_text(el, tag))

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
        if (
            el.tag in _SOURCE_TAG_SET
            or el.get("onclick")
            or el.get("background")
            or el.get("style")
        ):
            yield el


def _rel_kind(rels: list[str], el: etree._Element) -> str:
    for rel in rels:
        if rel in LINK_REL_KINDS:
            return LINK_REL_KINDS[rel]
        if rel in ("preload", "prefetch"):
            return PRELOAD_AS_KINDS.get((el.get("as") or "").lower(), "page")
    if any(rel.endswith("icon") for rel in rels):
        return "image"
    return "page"


def _own_url(base: str) -> str:
    """The page a same-page fragment points into (its base), normalised like any target."""
    return normalize_url(base)
