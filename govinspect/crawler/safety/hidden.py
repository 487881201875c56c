"""Hidden links (暗链/黑链) in a parsed page: facts for the checks, judged there.

Read from the lxml tree :func:`govinspect.crawler.links.extract_links` already built (never a
second parse):

* anchors to another host inside an element hidden by inline style or attributes
  (``display:none``, ``visibility:hidden``, zero size, ``opacity:0``, off-screen positions,
  ``text-indent`` far off, ``font-size:0``, the ``hidden`` attribute, a tiny ``<marquee>``);
* links written by an inline ``document.write``;
* ``<iframe>``/``<frame>`` to another host (hidden or not: the checks decide).

Anchors to the site's own hosts are never hidden links: a mobile menu collapsed with
``display:none`` is navigation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from govinspect.crawler.page import ParsedPage
from govinspect.crawler.urls import resolve

MAX_PER_PAGE = 200
_OFFSCREEN_PX = 500
_TINY_PX = 5
_NUMBER_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(px|em|rem|pt|%)?\s*(?:!important)?\s*$", re.I)
_WRITE_RE = re.compile(r"document\s*\.\s*write(?:ln)?\s*\(", re.I)
_WRITTEN_HREF_RE = re.compile(
    r"""href\s*=\s*\\?["']?\s*((?:https?:)?//[^"'\\\s>]+)[^>]*>([^<]{0,200})""", re.I
)


def _style(value: str | None) -> dict[str, str]:
    if not value:
        return {}
    out = {}
    for part in value.split(";"):
        name, sep, val = part.partition(":")
        if sep:
            out[name.strip().lower()] = val.strip().lower()
    return out


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    match = _NUMBER_RE.match(value)
    return float(match.group(1)) if match else None


def hiding(el: Any) -> str | None:
    """How this one element hides its content, or None."""
    if el.get("hidden") is not None:
        return "hidden_attribute"
    style = _style(el.get("style"))
    if style:
        if style.get("display", "").startswith("none"):
            return "display_none"
        if style.get("visibility", "").startswith(("hidden", "collapse")):
            return "visibility_hidden"
        if _number(style.get("opacity")) == 0:
            return "opacity_0"
        if _number(style.get("font-size")) == 0:
            return "zero_size"
        if _number(style.get("width")) == 0 or _number(style.get("height")) == 0:
            return "zero_size"
        if style.get("position", "").startswith(("absolute", "fixed")):
            for side in ("left", "top", "right", "bottom"):
                offset = _number(style.get(side))
                if offset is not None and offset <= -_OFFSCREEN_PX:
                    return "offscreen"
        indent = _number(style.get("text-indent"))
        if indent is not None and indent <= -_OFFSCREEN_PX:
            return "offscreen"
    if el.tag == "marquee":
        sizes = [
            _number(el.get("width")),
            _number(el.get("height")),
            _number(style.get("width")),
            _number(style.get("height")),
        ]
        if any(s is not None and s <= _TINY_PX for s in sizes):
            return "tiny_marquee"
    return None


class _Hidden:
    """Memoised "is this element or an ancestor hidden" over one tree."""

    def __init__(self) -> None:
        self.memo: dict[Any, str | None] = {}

    def __call__(self, el: Any) -> str | None:
        chain = []
        found: str | None = None
        node = el
        while node is not None:
            if node in self.memo:
                found = self.memo[node]
                break
            chain.append(node)
            found = hiding(node) if isinstance(node.tag, str) else None
            if found:
                break
            node = node.getparent()
        for visited in chain:
            self.memo[visited] = found
        return found


def _host(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def _text(el: Any) -> str:
    text = " ".join("".join(el.itertext()).split())
    return text[:200] or (el.get("title") or "")[:200]


def hidden_links(root: Any, base_url: str, scope: set[str], encoding: str = "utf-8") -> list[dict]:
    """Facts about hidden and framed links to other hosts: ``{url, text, how}`` each,
    iframes with ``hidden`` (the way they are hidden, or None).  ``root``: the page's tree, or
    the page parsed once (crawler/page.py), whose tree is read, never changed."""
    if isinstance(root, ParsedPage):
        root = root.tree
    if root is None:
        return []
    found: list[dict] = []
    seen: set[tuple[str, str]] = set()
    for fact in _candidates(root, base_url, scope, encoding):
        key = (fact["url"], fact["how"])
        if key not in seen:
            seen.add(key)
            found.append(fact)
            if len(found) >= MAX_PER_PAGE:
                break
    return found


def _foreign(raw: str | None, base_url: str, scope: set[str], encoding: str) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    if not raw.lower().startswith(("http:", "https:", "//")):
        return None  # relative: the site's own host
    url = resolve(base_url, raw, encoding)
    if url is None:
        return None
    host = _host(url)
    return url if host and host not in scope else None


def _candidates(root: Any, base_url: str, scope: set[str], encoding: str) -> Iterator[dict]:
    hidden = _Hidden()
    for el in root.iter("a", "area", "iframe", "frame", "script"):
        tag = el.tag
        if tag == "script":
            if el.get("src") or not el.text or "write" not in el.text:
                continue
            yield from _written(el.text, base_url, scope, encoding)
            continue
        if tag in ("iframe", "frame"):
            url = _foreign(el.get("src"), base_url, scope, encoding)
            if url is None:
                continue
            how = hidden(el)
            if how is None and any(
                (n := _number(el.get(side))) is not None and n <= 1 for side in ("width", "height")
            ):
                how = "zero_size"
            yield {
                "url": url,
                "text": (el.get("title") or "")[:200],
                "how": "iframe",
                "hidden": how,
            }
            continue
        url = _foreign(el.get("href"), base_url, scope, encoding)
        if url is None:
            continue
        how = hidden(el)
        if how is not None:
            yield {"url": url, "text": _text(el), "how": how}


def _written(code: str, base_url: str, scope: set[str], encoding: str) -> Iterator[dict]:
    for call in _WRITE_RE.finditer(code):
        chunk = code[call.end() : call.end() + 4000]
        for match in _WRITTEN_HREF_RE.finditer(chunk):
            url = _foreign(match.group(1), base_url, scope, encoding)
            if url is not None:
                text = " ".join(match.group(2).split())[:200]
                yield {"url": url, "text": text, "how": "document_write"}
