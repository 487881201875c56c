"""Plain records the spider yields and the store pipeline persists.

They carry facts only (what was fetched, what it said, when); judging happens in ``checks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


@dataclass(slots=True)
class WarcRef:
    file: str
    offset: int
    # The record's WARC-Record-ID and WARC-Date (set for response and revisit records).
    record_id: str | None = None
    date: str | None = None


@dataclass(slots=True)
class LinkRecord:
    target_url: str
    raw_url: str
    anchor_text: str
    tag: str
    attr: str
    kind: str


@dataclass(slots=True)
class PageRecord:
    """An internal page the crawl fetched (or tried to), with the links found on it."""

    url: str
    final_url: str | None
    status: int | None
    fetched_at: datetime
    depth: int
    is_homepage: bool = False
    content_type: str | None = None
    charset: str | None = None
    content_hash: str | None = None
    size: int | None = None
    title: str | None = None
    state: str = "ok"
    error: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    published: date | None = None
    published_source: str | None = None
    warc: WarcRef | None = None
    links: list[LinkRecord] = field(default_factory=list)


@dataclass(slots=True)
class CheckRecord:
    """The final verified state of one distinct link target."""

    target_url: str
    outcome: str
    status: int | None
    error: str | None
    final_url: str | None
    checked_at: datetime
    attempts: list[dict[str, Any]]
    warc: WarcRef | None = None


@dataclass(slots=True)
class ItemRecord:
    title: str
    url: str | None
    published: date | None
    date_source: str
    date_raw: str | None
    flags: list[str] = field(default_factory=list)


@dataclass(slots=True)
class ListPageRecord:
    """One list page of a column (栏目) and the items it shows."""

    column_url: str
    page_url: str
    name: str
    items: list[ItemRecord]
    is_list: bool = True
    placeholder: str | None = None
    script_filled: bool = False
    record_count: int | None = None
    breadcrumb: list[tuple[str, str | None]] = field(default_factory=list)
    discovered_by: str = "crawl"


@dataclass(slots=True)
class SafetyRecord:
    """Content-safety facts of one page or attachment (``crawler/safety``); no full numbers."""

    url: str
    facts: dict[str, Any]
    source: str = "page"  # page | attachment
    is_homepage: bool = False
    published: date | None = None


@dataclass(slots=True)
class InteractionRecord:
    """A fact about an interaction (互动交流) column or one of its entries.

    ``kind``: ``column`` (a letters/consultations/interviews column page; ``column_kind`` says
    which, ``script_filled`` whether its list could not be read from the HTML, ``api`` the JSON
    endpoint read instead), ``letter``, ``consultation``, ``feedback`` or ``interview``.
    ``source``: where it was seen (``list``, ``detail``, ``api``).  Dates are as printed; a
    letter's ``status`` is ``replied``/``pending``/None and ``fields`` lists the labels the
    page shows (even with an empty value).
    """

    kind: str
    url: str
    page_url: str
    source: str
    column_url: str | None = None
    column_kind: str | None = None
    name: str | None = None
    title: str | None = None
    asked: date | None = None
    replied: date | None = None
    status: str | None = None
    status_text: str | None = None
    reply_unit: str | None = None
    reply_shown: bool | None = None
    start: date | None = None
    end: date | None = None
    period_raw: str | None = None
    draft_type: str | None = None
    published: date | None = None
    feedback_urls: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    script_filled: bool = False
    api: str | None = None
