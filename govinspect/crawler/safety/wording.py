"""Suspected wording errors and sensitive words (疑似严重表述错误/错敏词) in a page's text.

One pass of the wording automaton (:func:`govinspect.crawler.safety.matcher.wording_matcher`)
over the visible text the crawler already has.  Each distinct term of a page is one fact with
an excerpt around its first occurrence (digits in it masked) and the list's suggestion.
"""

from __future__ import annotations

from govinspect.crawler.safety.matcher import Matcher
from govinspect.crawler.safety.privacy import mask_digits

EXCERPT_CHARS = 20
MAX_PER_PAGE = 50


def wording_hits(text: str, matcher: Matcher) -> list[dict]:
    found: dict[str, dict] = {}
    for hit in matcher.find(text):
        if (
            hit.list == "abolished"
            and hit.term.endswith("部")
            and text[hit.end : hit.end + 1] == "门"
        ):
            continue  # 农业部门, 环境保护部门: a generic "department", not the abolished ministry
        entry = found.get(hit.term)
        if entry is not None:
            entry["count"] += 1
            continue
        if len(found) >= MAX_PER_PAGE:
            break
        start = max(0, hit.start - EXCERPT_CHARS)
        excerpt = " ".join(text[start : hit.end + EXCERPT_CHARS].split())
        found[hit.term] = {
            "term": hit.term,
            "suggestion": hit.suggestion,
            "list": hit.list,
            "excerpt": mask_digits(excerpt),
            "count": 1,
        }
    return list(found.values())
