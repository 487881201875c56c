"""Columns (栏目): classification by name, breadcrumbs, column meta tags, navigation links.

Pure functions over strings or pages parsed once (crawler/page.py: their trees are read, never
changed); the keyword and hint tables live in ``data/column_types.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml
from lxml import etree

from govinspect.crawler.dates import normalize_text
from govinspect.crawler.page import ParsedPage, as_page
from govinspect.crawler.urls import join_url, split_url

#: Meta tags of column pages (政府网站发展指引 convention), returned under these names.
COLUMN_META_NAMES = (
    "SiteName",
    "SiteDomain",
    "SiteIDCode",
    "ColumnName",
    "ColumnDescription",
    "ColumnKeywords",
    "ColumnType",
)
COLUMN_TYPES = (
    "news",
    "notice",
    "policy",
    "personnel",
    "plan",
    "interpretation",
    "disclosure_guide",
    "annual_report",
    "consultation",
    "interaction",
    "other",
)
#: Breadcrumb separators (after NFKC: ＞ is >); a separator-only text is not a name.  Dashes
#: and bars separate only with spaces around them or alone (名称 may hold a hyphen).
_SEPARATORS = re.compile(r"\s*(?:>>|>|»|›|/|→|〉|»|≫|＞|\\)\s*|\s+[-–—|·]\s+|^\s*[-–—|·]\s*$")
#: How far above the label a breadcrumb container may sit.
_CRUMB_CLIMB = 4
#: Tokens of regions that never hold the sitemap itself.
_SITEMAP_SKIP_TOKENS = frozenset(
    {"header", "footer", "foot", "breadcrumb", "crumb", "copyright", "yqlj", "friendlink"}
)
#: Parts of class/id tokens of navigation regions (``mainnav``, ``leftmenu``, ``daohang``).
_NAV_PARTS = ("nav", "menu", "daohang", "lanmu")
_HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dt", "th"})
#: Peer search bound when computing sitemap ownership (keeps huge sitemaps linear enough).
_PEER_SCAN_LIMIT = 300
_SKIP_HREF = re.compile(r"^(javascript|mailto|tel|about|data|vbscript):", re.IGNORECASE)
_FILE_EXT = re.compile(
    r"\.(pdf|docx?|xlsx?|wps|pptx?|zip|rar|7z|txt|ofd|et|jpe?g|png|gif)$", re.IGNORECASE
)
_DOC_URL = re.compile(
    r"/t\d{8}_\d+|/art/\d{4}/|content_\d+|[_/-]\d{5,}\.(s?html?|jsp|aspx?|php)$", re.IGNORECASE
)


@cache
def _data() -> dict[str, Any]:
    text = (
        resources.files("govinspect.crawler")
        .joinpath("data/column_types.yaml")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    for entry in data["types"]:
        if entry["type"] not in COLUMN_TYPES:
            raise ValueError(f"column_types.yaml: unknown type {entry['type']!r}")
    return data


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", normalize_text(text))


# --- classification ------------------------------------------------------------------------------


def classify_column(name: str, overrides: dict[str, str] | None = None) -> str:
    """The column type of a column name (``news``, ``notice``, ``policy`` ... or ``other``).

    ``overrides`` maps exact names (as configured for one unit) to a type and wins over the
    keyword table.
    """
    if overrides:
        for key in (name, name.strip(), _squash(name)):
            if key in overrides:
                return overrides[key]
    norm = _squash(name)
    for entry in _data()["types"]:
        if any(word in norm for word in entry.get("exclude", ())):
            continue
        if any(word in norm for word in entry["keywords"]):
            return entry["type"]
    return "other"


# --- meta tags -----------------------------------------------------------------------------------


def column_meta(html: str | ParsedPage) -> dict[str, str]:
    """``SiteName``/``SiteIDCode``/``ColumnName``/``ColumnType``/``ColumnDescription`` ... metas.

    Names are matched case-insensitively and returned in their canonical spelling; empty
    values are left out.  Read once per page (the result is shared: do not change it).
    """
    page = as_page(html)
    return page.memo("column_meta", lambda: _column_meta(page.tree))


def _column_meta(root: etree._Element | None) -> dict[str, str]:
    if root is None:
        return {}
    wanted = {name.lower(): name for name in COLUMN_META_NAMES}
    found: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = wanted.get((meta.get("name") or "").strip().lower())
        value = (meta.get("content") or "").strip()
        if key and value and key not in found:
            found[key] = value
    return found


# --- breadcrumbs ---------------------------------------------------------------------------------


def _tokens(el: etree._Element) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return {t for t in re.split(r"[^a-z0-9]+", raw) if t}


def _valid_href(href: str | None) -> bool:
    href = (href or "").strip()
    return bool(href) and not href.startswith("#") and not _SKIP_HREF.match(href)


def _anchor_name(a: etree._Element) -> str:
    text = re.sub(r"\s+", "", normalize_text("".join(a.itertext())))
    return text or re.sub(r"\s+", "", normalize_text(a.get("title") or ""))


@dataclass
class _CrumbWalk:
    label: re.Pattern[str] | None
    base_url: str
    started: bool = False
    out: list[tuple[str, str | None]] = field(default_factory=list)

    def text(self, raw: str | None) -> None:
        if not raw:
            return
        text = normalize_text(raw)
        if not self.started:
            m = self.label.search(text) if self.label else None
            if m is None:
                return
            self.started = True
            text = text[m.end() :]
        for part in _SEPARATORS.split(text):
            name = re.sub(r"\s+", "", part).strip(":：")
            if name:
                self.out.append((name, None))

    def walk(self, el: etree._Element) -> None:
        if el.tag == "a":
            name = _anchor_name(el)
            if self.started and name and not _SEPARATORS.fullmatch(name):
                href = el.get("href")
                url = join_url(self.base_url, href.strip()) if _valid_href(href) else None
                self.out.append((name, url))
            elif not self.started:
                self.text("".join(el.itertext()))
            return
        self.text(el.text)
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child)
            self.text(child.tail)


def _label_pattern() -> re.Pattern[str]:
    labels = sorted(_data()["breadcrumb"]["labels"], key=len, reverse=True)
    alt = "|".join(re.escape(label) for label in labels)
    return re.compile(r"(?<![\u3400-\u9fff])(?:" + alt + r")\s*[:：]?\s*")


def _crumb_container(root: etree._Element) -> tuple[etree._Element | None, bool]:
    """The breadcrumb element, and whether its items follow a printed label."""
    label = _label_pattern()
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag == "a":
            continue
        for raw in (el.text, *(c.tail for c in el)):
            m = label.search(normalize_text(raw)) if raw else None
            if m is None:
                continue
            if _SEPARATORS.search(normalize_text(raw)[m.end() :]):
                return el, True  # a text-only trail: 首页 > 政务公开 > 通知公告
            # The label sits in a span of its own more often than not: climb to the links.
            node = el
            for _ in range(_CRUMB_CLIMB):
                if any(_valid_href(a.get("href")) for a in node.iter("a")):
                    return node, True
                parent = node.getparent()
                if parent is None:
                    break
                node = parent
    hints = set(_data()["breadcrumb"]["hint_tokens"])
    for el in root.iter():
        if isinstance(el.tag, str) and _tokens(el) & hints and el.find(".//a") is not None:
            return el, False
    return None, False


def breadcrumb(html: str | ParsedPage, page_url: str) -> list[tuple[str, str | None]]:
    """The ``当前位置：首页 > 政务公开 > 工作动态`` trail as ``[(name, absolute url or None)]``.

    Separators may be ``>``, ``&gt;``, ``»``, ``›``, ``/``, ``→`` or markup; the current
    column is often plain text (url None).  Trailing 正文/详情 entries of article pages are
    dropped.  Read once per page and URL (the result is shared: do not change it).
    """
    page = as_page(html, page_url)
    return page.memo(("breadcrumb", page_url), lambda: _breadcrumb(page, page_url))


def _breadcrumb(page: ParsedPage, page_url: str) -> list[tuple[str, str | None]]:
    root = page.content_tree
    if root is None or page.tree is None:
        return []
    base = page.tree.find(".//base[@href]")
    if base is not None and (base.get("href") or "").strip():
        page_url = join_url(page_url, base.get("href").strip())  # links resolve against it
    container, labelled = _crumb_container(root)
    if container is None:
        return []
    walk = _CrumbWalk(_label_pattern() if labelled else None, page_url, started=not labelled)
    walk.walk(container)
    trail = [(name, url) for name, url in walk.out if not _SEPARATORS.fullmatch(name)]
    drop = set(_data()["breadcrumb"]["drop_trailing"])
    while trail and trail[-1][0] in drop:
        trail.pop()
    return trail


# --- navigation and sitemaps ---------------------------------------------------------------------


def _site_base(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


def _same_site(url: str, base: str) -> bool:
    host = split_url(url).hostname or ""
    return host == base or host.endswith("." + base)


@cache
def _column_url_re() -> re.Pattern[str]:
    patterns = _data()["navigation"]["column_url_patterns"]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def _path_query(url: str) -> str:
    parts = split_url(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def column_shaped(url: str) -> bool:
    """Whether a URL has the shape of a column page (a folder, an index or list page,
    ``/col/colN``, ``?channelid=`` ...) and not that of a document or a file."""
    where = _path_query(url)
    if _DOC_URL.search(where) or _FILE_EXT.search(split_url(url).path):
        return False
    return bool(_column_url_re().search(where))


def inline_column(url: str, column_type: str) -> bool:
    """A page without a list that is still a column by its type and address: a section's
    single content page (the guide) on a site that tags no column and prints no breadcrumb."""
    return column_type in _data()["content_column_types"] and column_shaped(url)


def _column_link(a: etree._Element, base_url: str, site: str) -> tuple[str, str] | None:
    """``(name, url)`` when an anchor can be a link to a column of this site."""
    nav = _data()["navigation"]
    if not _valid_href(a.get("href")):
        return None
    name = _anchor_name(a).strip(",，:：;；.。!！")
    if not name or len(name) > nav["max_name_chars"] or name in nav["exclude_names"]:
        return None
    url = join_url(base_url, a.get("href").strip()).split("#")[0]
    if not _same_site(url, site) or _FILE_EXT.search(split_url(url).path):
        return None
    if _DOC_URL.search(_path_query(url)):
        return None
    return name, url


def _in_nav(el: etree._Element) -> bool:
    return any(
        x.tag == "nav"
        or (x.get("role") or "").lower() == "navigation"
        or any(part in token for token in _tokens(x) for part in _NAV_PARTS)
        for x in (el, *el.iterancestors())
    )


def nav_columns(html: str | ParsedPage, page_url: str) -> list[tuple[str, str]]:
    """Candidate column links ``(name, url)`` of a homepage navigation or a 网站地图 page.

    A link qualifies when it stays on the site, has a short name that is not site chrome
    (首页, 登录, 无障碍 ...), does not point at a document or file, and either has the URL
    shape of a column page or sits in a navigation region.  One entry per URL, document order.
    """
    root = as_page(html, page_url).content_tree
    if root is None:
        return []
    site = _site_base(split_url(page_url).hostname or "")
    seen: dict[str, str] = {}
    for a in root.iter("a"):
        link = _column_link(a, page_url, site)
        if link is None or link[1] in seen:
            continue
        if _column_url_re().search(_path_query(link[1])) or _in_nav(a):
            seen[link[1]] = link[0]
    return [(name, url) for url, name in seen.items()]


@dataclass
class _Node:
    element: etree._Element
    name: str
    url: str | None
    ancestors: list[etree._Element]
    owner: etree._Element | None = None
    parent: _Node | None = None
    level: int = 1
    ancestor_set: set[etree._Element] = field(init=False)

    def __post_init__(self) -> None:
        self.ancestor_set = set(self.ancestors)

    def inside(self, el: etree._Element) -> bool:
        return el in self.ancestor_set

    def rel_path(self, top: etree._Element) -> tuple[str, ...]:
        tags = [self.element.tag]
        for anc in self.ancestors:
            if anc is top:
                break
            tags.append(anc.tag)
        return tuple(tags)


def _sitemap_root(root: etree._Element) -> etree._Element:
    tokens = set(_data()["navigation"]["sitemap_tokens"])
    best, best_links = None, 0
    for el in root.iter():
        if isinstance(el.tag, str) and _tokens(el) & tokens:
            links = sum(1 for _ in el.iter("a"))
            if links > best_links:
                best, best_links = el, links
    return best if best is not None and best_links >= 3 else root


def _skipped(el: etree._Element, top: etree._Element) -> bool:
    for x in (el, *el.iterancestors()):
        if x is top:
            return False
        if x.tag in ("header", "footer") or _tokens(x) & _SITEMAP_SKIP_TOKENS:
            return True
        if (x.get("role") or "").lower() in ("banner", "contentinfo"):
            return True
    return False


def _sitemap_nodes(top: etree._Element, page_url: str) -> list[_Node]:
    site = _site_base(split_url(page_url).hostname or "")
    nodes: list[_Node] = []
    seen_urls: set[str] = set()
    max_chars = _data()["navigation"]["max_name_chars"]
    for el in top.iter():
        if not isinstance(el.tag, str) or _skipped(el, top):
            continue
        if el.tag == "a":
            if any(x.tag == "a" for x in el.iterancestors()):
                continue
            link = _column_link(el, page_url, site)
            if link is None or link[1] in seen_urls:
                continue
            seen_urls.add(link[1])
            nodes.append(_Node(el, link[0], link[1], list(el.iterancestors())))
        elif el.tag in _HEADING_TAGS and el.find(".//a") is None:
            name = re.sub(r"\s+", "", normalize_text("".join(el.itertext())))
            if 2 <= len(name) <= max_chars:
                nodes.append(_Node(el, name, None, list(el.iterancestors())))
    return nodes


def _assign_owners(nodes: list[_Node], top: etree._Element) -> None:
    """Owner of a node: the highest ancestor in which it is the first node and has no peer."""
    for i, node in enumerate(nodes):
        for anc in node.ancestors:
            if anc is top or (i > 0 and nodes[i - 1].inside(anc)):
                break
            path = node.rel_path(anc)
            peer = False
            for j in range(i + 1, min(len(nodes), i + 1 + _PEER_SCAN_LIMIT)):
                other = nodes[j]
                if not other.inside(anc):
                    break
                if other.rel_path(anc) == path:
                    peer = True
                    break
            else:
                last = i + _PEER_SCAN_LIMIT
                if last + 1 < len(nodes) and nodes[last].inside(anc):
                    peer = True  # too many nodes to tell: stay conservative
            if peer:
                break
            node.owner = anc


def sitemap_tree(
    html: str | ParsedPage, page_url: str
) -> list[tuple[str, str | None, str | None, int]]:
    """The column tree of a 网站地图 page as ``[(name, url, parent name, level)]``.

    Nesting is read from structure, whatever the markup (nested ``ul``/``li``, ``dl`` with
    ``dt``/``dd``, heading + list blocks, tables): a node's parent is the nearest earlier node
    that heads a block containing it.  Headings without a link are kept with url None so that
    their children keep their parent.  Levels start at 1.
    """
    root = as_page(html, page_url).content_tree
    if root is None:
        return []
    top = _sitemap_root(root)
    nodes = _sitemap_nodes(top, page_url)
    _assign_owners(nodes, top)
    out = []
    for i, node in enumerate(nodes):
        for j in range(i - 1, -1, -1):
            owner = nodes[j].owner
            if owner is not None and node.inside(owner):
                node.parent = nodes[j]
                node.level = nodes[j].level + 1
                break
        out.append((node.name, node.url, node.parent.name if node.parent else None, node.level))
    return out
