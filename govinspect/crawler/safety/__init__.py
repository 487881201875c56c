"""Content-safety facts (内容安全, issue 18): what the crawl records, never what it concludes.

Per HTML page, from what the crawl already has (the lxml tree of the link extraction and the
visible text of the soft-404 test, so no page is parsed twice):

* hidden and framed links to other hosts (:mod:`.hidden`), with the risky keywords they carry;
* personal data, as counts and masked samples only (:mod:`.privacy`);
* suspected wording errors and sensitive words (:mod:`.wording`);
* links to other hosts (the checks sort government, partners and the rest), the first few
  pages each is found on;
* on the homepage, a fingerprint for the defacement test: title, a bottom-k sketch of the
  visible text, the hosts of scripts and frames, and the risky keywords in the text.

Attachments (xls, xlsx, doc, docx, pdf, csv) are read within ``safety_attachment_bytes`` and
scanned for personal data (:mod:`.attachments`).  The checks judge it all
(``checks/content_safety.py``).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from govinspect.crawler.safety.attachments import attachment_text
from govinspect.crawler.safety.hidden import hidden_links
from govinspect.crawler.safety.matcher import keyword_matcher, wording_matcher
from govinspect.crawler.safety.privacy import find_leaks
from govinspect.crawler.safety.wording import wording_hits

#: Pages on which one outbound URL is recorded (per crawl process): enough to show where.
OUTBOUND_FOUND_ON = 3
OUTBOUND_TAGS = frozenset({"a", "area", "option"})
SKETCH_SIZE = 64
SHINGLE = 4


def sketch(text: str, size: int = SKETCH_SIZE) -> list[int]:
    """Bottom-k sketch of the text's 4-character shingles (CRC32: stable across processes)."""
    compact = "".join(text.split())
    hashes = {
        zlib.crc32(compact[i : i + SHINGLE].encode("utf-8"))
        for i in range(max(0, len(compact) - SHINGLE + 1))
    }
    return sorted(hashes)[:size]


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


class SafetyScanner:
    """One crawl process's scanner: the automata are built once, outbound URLs counted."""

    def __init__(self, scope: Iterable[str], sensitive_words: str | None = None) -> None:
        self.scope = {h.lower() for h in scope}
        self.keywords = keyword_matcher()
        self.wording = wording_matcher(sensitive_words or None)
        self.outbound: dict[str, int] = {}

    def page(
        self,
        url: str,
        root: Any,
        base_url: str,
        links: Iterable[Any],
        visible: str,
        encoding: str,
        title: str,
        homepage: bool,
    ) -> dict[str, Any]:
        """The facts of one HTML page (empty lists are left out).

        ``root``: the page's tree, or the page parsed once (crawler/page.py); ``visible``: its
        visible text (``ParsedPage.visible_text``): nothing is parsed here."""
        facts: dict[str, Any] = {}
        hidden = hidden_links(root, base_url, self.scope, encoding)
        for fact in hidden:
            fact["keywords"] = self.keywords.terms(f"{fact['text']} {fact['url']}")
        leaks = find_leaks(visible)
        wording = wording_hits(visible, self.wording)
        outbound = []
        frames: set[str] = set()
        for link in links:
            if link.tag in ("script", "iframe", "frame"):
                frames.add(_host(link.url))
            if link.tag not in OUTBOUND_TAGS or not link.url.startswith(("http:", "https:")):
                continue
            if _host(link.url) in self.scope:
                continue
            seen = self.outbound.get(link.url, 0)
            if seen < OUTBOUND_FOUND_ON:
                self.outbound[link.url] = seen + 1
                outbound.append({"url": link.url, "text": link.text[:100]})
        if hidden:
            facts["hidden"] = hidden
        if leaks:
            facts["privacy"] = [
                {"kind": x.kind, "count": x.count, "sample": x.sample} for x in leaks
            ]
        if wording:
            facts["wording"] = wording
        if outbound:
            facts["outbound"] = outbound
        if homepage:
            facts["homepage"] = {
                "title": title,
                "sketch": sketch(visible),
                "hosts": sorted(h for h in frames if h and h not in self.scope),
                "keywords": self.keywords.terms(f"{title} {visible}"),
            }
        return facts

    def attachment(self, url: str, body: bytes) -> dict[str, Any]:
        """The facts of one downloaded attachment: read or not, and the personal data in it."""
        text, reason = attachment_text(body, url)
        if text is None:
            return {"read": False, "reason": reason}
        leaks = find_leaks(text)
        facts: dict[str, Any] = {"read": True}
        if leaks:
            facts["privacy"] = [
                {"kind": x.kind, "count": x.count, "sample": x.sample} for x in leaks
            ]
        return facts
