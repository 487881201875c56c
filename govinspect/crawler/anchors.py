"""Fragment links (``page.html#part``): which fragments name an anchor, and whether it exists.

A link with a fragment is recorded twice: as a link to the page (verified like any other) and
as an ``anchor`` link to ``page#fragment``. Each page the crawl parses keeps its anchors (the
``id`` of any element, the ``name`` of an ``<a>``: what a browser scrolls to) in its row; at
the end of the run every anchor target whose page was fetched anyway is decided, ``ok`` or
``missing_anchor`` (never a dead link: the page is there, only the place in it is not). No
page is fetched for an anchor, and a page that was not crawled (another site, an attachment,
beyond a limit) leaves its anchor targets undecided.

As browsers do: an empty fragment and ``#top`` always work; the fragment matches as written or
percent-decoded. Fragments that are client-side routes or state (``#/home``, ``#!/x``,
``#page=2``, a PDF's ``#page=3``) and script placeholders (``#none``, ``#void``) are not
anchors and are never checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from lxml import etree

from govinspect.crawler import outcomes
from govinspect.crawler.items import CheckRecord, WarcRef
from govinspect.crawler.urls import JS_WORDS

if TYPE_CHECKING:  # the store's view of a page; no database import for link extraction
    from govinspect.store.crawlstore import AnchorPage

#: Anchors kept per page, and the longest anchor kept: a page beyond either is "truncated",
#: and a fragment not found on it stays undecided rather than reported.
MAX_ANCHORS = 2000
MAX_ANCHOR_CHARS = 200
#: Characters left as they are in a stored fragment (RFC 3986 fragment characters).
FRAGMENT_SAFE = "!$&'()*+,;=:@/?-._~"

_ANCHOR_XPATH = etree.XPath("//@id | //a/@name")
_TEMPLATE_RE = re.compile(r"\{\{|\}\}|\$\{|<%|%>|\{\$|@\{|\[\[|\]\]")


def page_anchors(root: etree._Element) -> tuple[list[str], bool]:
    """The page's anchors, sorted, and whether the list was cut at the limits."""
    found: set[str] = set()
    truncated = False
    for value in _ANCHOR_XPATH(root):
        text = str(value)
        if not text:
            continue
        if len(text) > MAX_ANCHOR_CHARS:
            truncated = True
            continue
        found.add(text)
        if len(found) >= MAX_ANCHORS:
            truncated = True
            break
    return sorted(found), truncated


def is_anchor_fragment(fragment: str) -> bool:
    """True when a fragment names a place in a page (worth checking), as written on a link."""
    if not fragment or fragment.lower() == "top":
        return False
    if fragment[0] in "/!" or "=" in fragment:
        return False  # hash routes (#/home, #!/x) and state (#page=2, #tab=1)
    if fragment.lower() in JS_WORDS or fragment.lower() in ("nogo", "nolink"):
        return False  # script placeholders: href="#none" with an onclick handler elsewhere
    return not _TEMPLATE_RE.search(fragment)


def fragment_key(fragment: str) -> str:
    """One spelling per fragment: decoded, then percent-encoded (raw and encoded are one)."""
    return quote(unquote(fragment), safe=FRAGMENT_SAFE)


def anchor_target(page_url: str, fragment: str) -> str:
    """The target recorded for a fragment link: the page's normalised URL and the fragment."""
    return f"{page_url}#{fragment_key(fragment)}"


def anchor_found(key: str, anchors: Iterable[str]) -> bool:
    """Does a page with ``anchors`` have the place ``key`` names (HTML's indicated part)?"""
    decoded = unquote(key)
    if not decoded or decoded.lower() == "top":
        return True
    names = set(anchors)
    return decoded in names or key in names


def anchor_checks(targets: dict[str, AnchorPage | None], checked_at: datetime) -> list[CheckRecord]:
    """The verdict for every anchor target whose page the crawl parsed; others are left out."""
    records = []
    for target, page in sorted(targets.items()):
        if page is None or page.anchors is None or page.state != "ok":
            continue
        if page.status is None or not 200 <= page.status < 300:
            continue
        key = target.partition("#")[2]
        if anchor_found(key, page.anchors):
            outcome, error = outcomes.OK, None
        elif page.truncated:
            continue  # the anchor may be among those not kept
        else:
            outcome = outcomes.MISSING_ANCHOR
            error = f"no element with id or name “{unquote(key)}” on the page"
        records.append(
            CheckRecord(
                target_url=target,
                outcome=outcome,
                status=page.status,
                error=error,
                final_url=None,
                checked_at=checked_at,
                attempts=[],
                warc=WarcRef(*page.warc) if page.warc else None,
            )
        )
    return records
