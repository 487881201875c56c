"""JSON list APIs of message systems (留言/信箱): where a page names one, and its letters.

Message systems often fill their list by script from a JSON endpoint named in the page
(``$.getJSON("/hdjl/letters.json")``, ``data-api="/api/letters?pageNo=1"``).  The key names
of the common shapes are data (``data/interaction.yaml``, ``json_api``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import etree

from govinspect.crawler.interaction_labels import data, status_of
from govinspect.crawler.urls import normalize_url


@cache
def _table() -> dict[str, Any]:
    return data()["json_api"]


@cache
def _script_regexes() -> tuple[re.Pattern[str], re.Pattern[str]]:
    calls = "|".join(re.escape(c) for c in _table()["script_calls"])
    extensions = "|".join(re.escape(e) for e in _table()["extensions"])
    after_call = re.compile(rf"(?:{calls})\s*[(:=]\s*\(?\s*['\"]([^'\"\s]+)['\"]")
    by_extension = re.compile(rf"['\"]([^'\"\s]+(?:{extensions})(?:\?[^'\"\s]*)?)['\"]")
    return after_call, by_extension


def _usable(candidate: str, page_url: str) -> str | None:
    if not candidate or candidate.startswith(("javascript:", "#", "data:")):
        return None
    url = normalize_url(urljoin(page_url, candidate))
    if urlsplit(url).netloc.lower() != urlsplit(page_url).netloc.lower():
        return None  # only the site's own API: a page may name anything in its scripts
    path = urlsplit(url).path.lower()
    if any(word in path for word in _table()["exclude"]):
        return None
    if path.endswith((".js", ".css", ".png", ".jpg", ".gif", ".html", ".htm", ".shtml")):
        return None
    return url


def api_urls(root: etree._Element, page_url: str) -> list[str]:
    """The JSON list endpoints a page names, in page order, each once."""
    found: list[str] = []
    for attribute in _table()["attributes"]:
        for el in root.xpath(f"//*[@{attribute}]"):
            found.append(el.get(attribute) or "")
    after_call, by_extension = _script_regexes()
    for script in root.iter("script"):
        if script.get("src"):
            continue
        text = script.text or ""
        found.extend(m.group(1) for m in after_call.finditer(text))
        found.extend(m.group(1) for m in by_extension.finditer(text))
    urls = (_usable(c, page_url) for c in found)
    return list(dict.fromkeys(u for u in urls if u))


def _lists(node: Any) -> Iterator[list[dict[str, Any]]]:
    keys = {k.lower() for k in _table()["list_keys"]}
    if isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        yield node
    if isinstance(node, dict):
        for key, child in node.items():
            if str(key).lower() in keys or isinstance(child, dict):
                yield from _lists(child)


def _pick(record: dict[str, Any], field: str) -> Any:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for key in _table()["fields"][field]:
        value = lowered.get(key.lower())
        if value not in (None, ""):
            return value
    return None


def _page_count(node: Any) -> int | None:
    if isinstance(node, dict):
        lowered = {str(k).lower(): v for k, v in node.items()}
        for key in _table()["page_count_keys"]:
            value = lowered.get(key.lower())
            if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
                return int(value)
        for child in node.values():
            if isinstance(child, dict):
                found = _page_count(child)
                if found is not None:
                    return found
    return None


def letters_from_json(body: str, api_url: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Letters of one API answer as field dicts, and the URLs of the API's further pages.

    A record needs an asked time to count as a letter.  Further pages are only derived from the
    first answer (the one without a page parameter, or with page 1).
    """
    try:
        parsed = json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return [], []
    letters: list[dict[str, Any]] = []
    for records in _lists(parsed):
        for record in records:
            asked = _pick(record, "asked")
            if asked is None:
                continue
            link = _pick(record, "url")
            status = _pick(record, "status")
            content = _pick(record, "content")
            letters.append(
                {
                    "url": normalize_url(urljoin(api_url, str(link))) if link else None,
                    "title": str(_pick(record, "title") or "")[:1000] or None,
                    "asked": str(asked),
                    "replied": str(_pick(record, "replied") or "") or None,
                    "status": status_of(str(status)) if status is not None else None,
                    "status_text": str(status)[:100] if status is not None else None,
                    "unit": str(_pick(record, "unit") or "")[:200] or None,
                    "content": bool(str(content or "").strip()) if content is not None else None,
                }
            )
        if letters:
            break
    return letters, _more_pages(parsed, api_url)


def _more_pages(parsed: Any, api_url: str) -> list[str]:
    pages = _page_count(parsed)
    if not pages or pages < 2:
        return []
    parts = urlsplit(api_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    params = [k for k, _ in query if k in _table()["page_params"]]
    current = dict(query).get(params[0]) if params else None
    if current not in (None, "1", "0"):
        return []
    name = params[0] if params else _table()["page_params"][0]
    first = 0 if current == "0" else 1
    out = []
    for n in range(first + 1, first + min(pages, _table()["max_pages"])):
        rest = [(k, v) for k, v in query if k != name]
        out.append(urlunsplit(parts._replace(query=urlencode([*rest, (name, str(n))]))))
    return out
