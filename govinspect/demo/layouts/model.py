"""The site model of one layout family: sections, columns, items, planted links and resources.

Planters (``plants.py``) fill a :class:`Site`; the URL scheme here gives every page its path;
``render.py`` turns the model into HTML.  All paths are site paths (``/zwgk/tzgg/``,
``/list.jsp?cid=12``); the renderer writes them as the family's link form asks.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from govinspect.demo.layouts.choices import Family


@dataclass
class Link:
    """A link placed on a page: a site path, an absolute URL or a literal (``javascript:``...)."""

    target: str
    text: str
    # a | img | template (an unrendered ms-attr-href binding) | bare (href written as a bare
    # relative name, ``通知.wps``: placed on the homepage only, where it means ``/通知.wps``) |
    # style (a CSS ``background:url()`` in a style attribute)
    element: str = "a"
    label: str = ""  # printed before the link (相关文件：)
    block: str = "body"  # body | sidebar | attach | footer


@dataclass
class Item:
    """One article of a column (news, document, interpretation, report)."""

    key: str
    title: str
    date: date
    column: str
    uid: int
    body: tuple[str, ...] = ()
    kind: str = "article"  # article | document | interpretation | report | guide
    doc_number: str | None = None
    written: date | None = None
    source: str = ""
    links: list[Link] = field(default_factory=list)
    path: str = ""
    # Labelled values shown above the body (a letter's 来信时间, 答复单位 …), rendered in the
    # family's record markup: a table, a definition list, or "label：value" lines.
    fields: tuple[tuple[str, str], ...] = ()


@dataclass
class Column:
    key: str
    name: str
    ctype: str  # the type the truth expects (column_types.yaml vocabulary)
    section: str
    slug: str
    cid: int
    items: list[Item] = field(default_factory=list)  # newest first
    page_size: int = 10
    placeholder: str | None = None  # text a blank column shows (None: an empty list)
    api: bool = False  # filled by the JSON list API only
    content: Item | None = None  # a single content page (the guide)
    path: str = ""
    pages: list[str] = field(default_factory=list)  # every list page, first one first


@dataclass
class Section:
    key: str
    name: str
    slug: str
    cid: int
    path: str = ""


@dataclass
class Resource:
    """Anything served besides rendered HTML pages."""

    kind: str  # soft404 | attachment | tiny | head405 | redirect | image | css
    location: str = ""  # redirect target (site path)


@dataclass
class Site:
    family: Family
    seed: int
    base: str  # http://127.0.0.1:PORT/
    refused: str  # a loopback base URL where nothing listens
    as_of: date
    rng: random.Random
    name: str = "示范县人民政府"
    sections: list[Section] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    simple: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (title, text)
    simple_paths: dict[str, str] = field(default_factory=dict)
    placed: dict[str, list[Link]] = field(default_factory=dict)  # "home"/item/column key -> links
    resources: dict[str, Resource] = field(default_factory=dict)
    truth: dict[str, Any] = field(default_factory=dict)
    next_uid: int = 500_000

    def uid(self) -> int:
        self.next_uid += self.rng.randint(1, 97)
        return self.next_uid

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def items(self) -> list[Item]:
        return [i for c in self.columns for i in c.items] + [
            c.content for c in self.columns if c.content
        ]

    def item(self, key: str) -> Item:
        return next(i for i in self.items() if i.key == key)

    def place(self, where: str, link: Link) -> None:
        self.placed.setdefault(where, []).append(link)

    def url(self, path: str) -> str:
        """Absolute URL of a site path, or an absolute URL unchanged."""
        return path if "://" in path else self.base.rstrip("/") + path


# --- the URL scheme of each CMS family -----------------------------------------------------------


def section_path(site: Site, sec: Section) -> str:
    scheme = site.family.scheme
    if scheme == "hanweb":
        return f"/col/col{sec.cid}/index.html"
    if scheme == "query":
        return f"/channel.jsp?cid={sec.cid}"
    if scheme == "plain":
        return f"/{sec.slug}/index.html"
    if scheme == "unicode":
        return f"/{sec.name}/"
    return f"/{sec.slug}/"


def list_page_path(site: Site, col: Column, n: int) -> str:
    """The path of list page ``n`` (0-based) of a column."""
    scheme = site.family.scheme
    sec = site.section(col.section)
    if scheme == "hanweb":
        return f"/col/col{col.cid}/index.html" if n == 0 else f"/col/col{col.cid}/index_{n}.html"
    if scheme == "query":
        return f"/list.jsp?cid={col.cid}" + (f"&page={n + 1}" if n else "")
    if scheme == "plain":
        return f"/{sec.slug}/{col.slug}/list" + (f"_{n}" if n else "") + ".html"
    folder = f"/{sec.name}/{col.name}/" if scheme == "unicode" else f"/{sec.slug}/{col.slug}/"
    return folder if n == 0 else f"{folder}index_{n}.html"


def article_path(site: Site, item: Item) -> str:
    scheme = site.family.scheme
    col = site.column(item.column)
    d = item.date
    if scheme == "hanweb":
        return f"/art/{d.year}/{d.month}/{d.day}/art_{col.cid}_{item.uid}.html"
    if scheme == "query":
        return f"/show.jsp?cid={col.cid}&id={item.uid}"
    sec = site.section(col.section)
    if scheme == "plain":
        return f"/{sec.slug}/{col.slug}/content/{item.uid}.html"
    if scheme == "unicode":
        return f"/{sec.name}/{col.name}/{d:%Y%m%d}/文章 {item.uid}.html"
    return f"/{sec.slug}/{col.slug}/{d:%Y%m}/t{d:%Y%m%d}_{item.uid}.html"


def simple_path(site: Site, key: str) -> str:
    scheme = site.family.scheme
    if scheme == "hanweb":
        return f"/module/{key}/index.html"
    if scheme == "query":
        return f"/page.jsp?name={key}"
    if scheme == "plain":
        return f"/{key}/index.html"
    return f"/{key}/"


#: Pagers whose further pages are HTML list pages of their own.
STATIC_PAGERS = frozenset({"numbered", "trs_create", "next_only", "js"})


def pager_of(site: Site, col: Column) -> str:
    """The pager a column uses: the family's, except that only the API column uses the API."""
    if col.api:
        return "json_api"
    pager = site.family.pager
    return "numbered" if pager == "json_api" else pager


def assign_paths(site: Site) -> None:
    for sec in site.sections:
        sec.path = section_path(site, sec)
    for col in site.columns:
        count = 1
        if col.items and pager_of(site, col) in STATIC_PAGERS:
            count = -(-len(col.items) // col.page_size)
        col.pages = [list_page_path(site, col, n) for n in range(count)]
        col.path = col.pages[0]
        if col.content is not None:
            col.content.path = col.path
        for item in col.items:
            item.path = article_path(site, item)
    for key in site.simple:
        site.simple_paths[key] = simple_path(site, key)


def page_items(site: Site, col: Column, n: int) -> list[Item]:
    """The items shown on list page ``n`` of a column (all of them without a pager)."""
    pager = pager_of(site, col)
    if pager == "none":
        return list(col.items)
    if pager == "json_api":
        return []
    return col.items[n * col.page_size : (n + 1) * col.page_size]
