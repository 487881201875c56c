"""Which column (栏目) a page belongs to, and whether a non-list page is a column itself.

Pure helpers for the spider: one column can be reached under several spellings
(``/gzdt/``, ``/gzdt/index.html``, ``/gzdt/index_2.html``, ``?page=3``), and its identity must be
the same for every page of the series.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from govinspect.crawler.urls import normalize_url, split_url

_INDEX = re.compile(r"^(index|default)(_\d+)?\.[a-z]+$", re.I)
_NUMBERED = re.compile(r"^(?P<stem>.+?)_(?P<n>\d+)\.(?P<ext>[a-z]+)$", re.I)
#: Further pages of a list named after the list, not the folder: list.html, list_1.html ...
#: (stems of list pages only: content_12.html or art_1104_12.html are documents, not pages).
_SERIES = re.compile(
    r"^(?P<stem>(?:list|lists|more|node|column|channel)(?:[_-][a-z0-9]+)*?)_(?P<n>\d+)"
    r"\.(?P<ext>[a-z]+)$",
    re.I,
)
PAGE_PARAMS = frozenset(
    {"page", "pageno", "pageindex", "pagenum", "p", "curpage", "currentpage", "pagenumber"}
)


def column_key(url: str, pager: Any = None) -> str:
    """One spelling per column: the folder of an index series, without paging parameters."""
    if pager is not None and getattr(pager, "page_urls", None):
        url = pager.page_urls[0]
    return _column_key(url)


# A site's navigation repeats on every page: the spider asks for the same few hundred URLs'
# keys tens of thousands of times.
@lru_cache(maxsize=4096)
def _column_key(url: str) -> str:
    parts = split_url(url)
    path = parts.path or "/"
    name = path.rpartition("/")[2]
    if _INDEX.match(name):
        path = path[: len(path) - len(name)]
    elif series := _SERIES.match(name):
        path = path[: len(path) - len(name)] + f"{series['stem']}.{series['ext']}"
    query = "&".join(
        p for p in parts.query.split("&") if p and p.split("=")[0].lower() not in PAGE_PARAMS
    )
    return normalize_url(parts._replace(path=path, query=query, fragment="").geturl())


def page_number(url: str, pager: Any = None) -> int:
    """0-based position of a list page in its series."""
    if pager is not None:
        return max(int(pager.current_page) - 1, 0)
    parts = split_url(url)
    for pair in parts.query.split("&"):
        key, _, value = pair.partition("=")
        if key.lower() in PAGE_PARAMS and value.isdigit():
            return max(int(value) - 1, 0)
    match = _NUMBERED.match(parts.path.rpartition("/")[2])
    return int(match["n"]) if match else 0


def is_content_column(meta: dict[str, str], crumbs: list[tuple[str, str | None]], url: str) -> bool:
    """A single-page column (a guide shown inline), told apart from an article.

    The page declares itself a column (``ColumnName`` without the ``ArticleTitle`` of an
    article page), or its breadcrumb ends with a link to the page itself.
    """
    if meta.get("ColumnName") and not meta.get("ArticleTitle"):
        return True
    if not crumbs:
        return False
    last = crumbs[-1][1]
    return last is not None and column_key(last) == column_key(url)


def column_name(
    meta: dict[str, str],
    crumbs: list[tuple[str, str | None]],
    nav_name: str | None,
    title: str | None,
    fallback: str,
) -> str:
    """The column's name as the site shows it: meta tag, breadcrumb, menu text, then title."""
    for candidate in (meta.get("ColumnName"), crumbs[-1][0] if crumbs else None, nav_name):
        if candidate and candidate.strip():
            return candidate.strip()[:200]
    if title:
        return re.split(r"[_\-|｜—]", title)[0].strip()[:200] or fallback
    return fallback
