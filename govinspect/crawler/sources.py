"""List sources: where a column's items come from besides its static HTML.

Real government CMSs fill many lists from somewhere else than the page's HTML (see
``cms-patterns.md``): Hanweb ``dataproxy.jsp`` answers ``<datastore>`` XML; TRS 海云 "动态"
lists, Hanweb jpaas and Guangdong gkmlpt answer JSON.  Each source here is one small pair of
functions behind the same interface:

* ``first_requests(...) -> list[SourceRequest]``: what to fetch, built from the list page;
* ``parse(body, url, crawl_date) -> SourcePage``: the items of one answer, and what else to fetch.

Adding a platform's JSON API means adding a source to ``SOURCES``; the spider does not change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode, urlunsplit

from govinspect.crawler.cms import Datastore, ListModel, hanweb_dataproxy_requests, hanweb_datastore
from govinspect.crawler.dates import parse_date_text
from govinspect.crawler.decode import decode_body
from govinspect.crawler.listing import extract_items
from govinspect.crawler.page import ParsedPage
from govinspect.crawler.urls import resolve, split_url

#: Pages of one source fetched at most (a hostile API must not paginate forever).
MAX_SOURCE_PAGES = 500


@dataclass(frozen=True, slots=True)
class SourceRequest:
    source: str
    method: str
    url: str
    body: dict[str, str] | None = None

    @property
    def key(self) -> str:
        """Identifies the list page, POST bodies included (one URL can be many pages)."""
        if not self.body:
            return self.url
        return f"{self.url}#{urlencode(sorted(self.body.items()))}"


@dataclass(slots=True)
class SourceItem:
    title: str
    url: str | None
    date: date | None
    date_raw: str | None
    date_source: str = "list"
    flags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class SourcePage:
    items: list[Any]
    record_count: int | None = None
    more: list[SourceRequest] = field(default_factory=list)


# --- Hanweb dataproxy (<datastore> XML) -------------------------------------------------------


def datastore_items(
    datastores: list[Datastore], url: str, crawl_date: date, page: ParsedPage | None = None
) -> list[Any]:
    """The list items of Hanweb ``<datastore>`` records; read once per ``page`` when given
    (the column and the interaction steps both ask; the result is shared: do not change it)."""
    fragment = "<ul>" + "".join(r for d in datastores for r in d.records) + "</ul>"
    if page is not None:
        key = ("datastore_items", fragment, url, crawl_date)
        return page.memo(key, lambda: datastore_items(datastores, url, crawl_date))
    # The records are a document of their own (counted as a fragment, not as a page parse).
    return extract_items(ParsedPage.fragment(fragment, url), url, crawl_date).items


def hanweb_requests(datastore: Datastore, page_url: str) -> list[SourceRequest]:
    return [
        SourceRequest("hanweb", p.method, p.url, dict(p.body) if p.body else None)
        for p in hanweb_dataproxy_requests(datastore, page_url)
    ]


def parse_hanweb(body: bytes, content_type: str, url: str, crawl_date: date) -> SourcePage:
    text, _ = decode_body(body, content_type)
    datastore = hanweb_datastore(text, url)
    if datastore is None:
        return SourcePage([])
    # Without a total, each answer names the next group: follow it (the spider dedupes).
    return SourcePage(
        datastore_items([datastore], url, crawl_date),
        datastore.total_records,
        hanweb_requests(datastore, url),
    )


# --- JSON list APIs (TRS 海云 listModel, gkmlpt, jpaas ...) -----------------------------------

TITLE_KEYS = ("doctitle", "title", "name", "subject", "articletitle", "docname")
URL_KEYS = ("docpuburl", "url", "link", "href", "puburl", "docurl", "pageurl", "articleurl")
DATE_KEYS = (
    "docreltime", "pubdate", "publishdate", "publish_time", "pubtime", "created_at", "docpubtime",
    "releasetime", "date", "time", "createtime", "crtime", "writetime",
)  # fmt: skip
COUNT_KEYS = ("recordcount", "total", "totalcount", "totalrecord", "count", "records")
PAGES_KEYS = ("pagecount", "totalpage", "totalpages", "pages")


def list_api_requests(model: ListModel, page_url: str) -> list[SourceRequest]:
    """The first page of a TRS 海云 list API, from the page's ``listModel`` configuration.

    The parameter names (``page``, ``prepage``) are the ones TRS list templates send; an API
    that wants others answers with an error, and the column stays "filled by script, unknown".
    """
    if not model.api_url:
        return []
    return [SourceRequest("json", "GET", _with_query(model.api_url, _api_params(model, 1)))]


def _api_params(model: ListModel, page: int) -> dict[str, str]:
    params = {k: str(v) for k, v in model.list_args.items() if isinstance(v, str | int | float)}
    params["page"] = str(page)
    if model.per_page:
        params["prepage"] = str(model.per_page)
    return params


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = split_url(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def _lower_keys(record: dict[str, Any]) -> dict[str, Any]:
    return {str(k).lower(): v for k, v in record.items()}


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return None


def _records(node: Any) -> Iterator[list[dict[str, Any]]]:
    """Every list of objects in a JSON document."""
    if isinstance(node, list):
        if node and all(isinstance(x, dict) for x in node):
            yield node
        for child in node:
            yield from _records(child)
    elif isinstance(node, dict):
        for child in node.values():
            yield from _records(child)


def _is_item_list(records: list[dict[str, Any]]) -> bool:
    sample = [_lower_keys(r) for r in records[:5]]
    return all(_first(r, TITLE_KEYS) and _first(r, URL_KEYS) for r in sample)


def _number(node: Any, keys: tuple[str, ...]) -> int | None:
    if isinstance(node, dict):
        lowered = _lower_keys(node)
        for key in keys:
            value = lowered.get(key)
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                return int(value)
        for child in node.values():
            found = _number(child, keys)
            if found is not None:
                return found
    return None


def json_items(data: Any, url: str, crawl_date: date) -> list[SourceItem]:
    lists = [r for r in _records(data) if _is_item_list(r)]
    if not lists:
        return []
    items = []
    for record in max(lists, key=len):
        fields = _lower_keys(record)
        raw_date = _first(fields, DATE_KEYS)
        raw = str(raw_date) if raw_date is not None else None
        found = parse_date_text(raw, ref=crawl_date) if raw else None
        link = str(_first(fields, URL_KEYS))
        items.append(
            SourceItem(
                title=" ".join(str(_first(fields, TITLE_KEYS)).split()),
                url=resolve(url, link),
                date=found,
                date_raw=raw,
                date_source="list" if found else "none",
            )
        )
    return items


def parse_json(body: bytes, content_type: str, url: str, crawl_date: date) -> SourcePage:
    try:
        data = json.loads(decode_body(body, content_type or "application/json")[0])
    except (json.JSONDecodeError, ValueError):
        return SourcePage([])
    items = json_items(data, url, crawl_date)
    more: list[SourceRequest] = []
    pages = _number(data, PAGES_KEYS)
    parts = split_url(url)
    if pages and "page=1" in parts.query.split("&"):
        # The first answer tells how many pages there are: ask for the rest at once.
        for page in range(2, min(pages, MAX_SOURCE_PAGES) + 1):
            query = "&".join(f"page={page}" if q == "page=1" else q for q in parts.query.split("&"))
            more.append(SourceRequest("json", "GET", urlunsplit(parts._replace(query=query))))
    return SourcePage(items, _number(data, COUNT_KEYS), more)


#: name → parser of one answer.
SOURCES: dict[str, Callable[[bytes, str, str, date], SourcePage]] = {
    "hanweb": parse_hanweb,
    "json": parse_json,
}
