"""A stored page analysis at another crawl date: re-resolved without parsing, or refused.

Three facts of a page's analysis depend on the crawl date: a year-less list date (``[02-20]``)
takes the crawl year (or the year before, if it would be in the future); a date after the crawl
date is not trusted (flag ``future``); htmldate, the article date's last resort, ignores dates
after the crawl date (``max_date``). The rule for a result stored at one crawl date and reused
at another (:func:`rebase`):

- the same crawl date: the result stands as it is;
- list items (and Hanweb datastore items): each dated item is resolved again from its printed
  date (``date_raw``) at the new crawl date, exactly as the list analysis resolves it, provided
  that resolving it at the stored date gives back the stored date and flags (else the printed
  text alone does not explain the date, e.g. a date split over two cells: analysed again);
- the article date stands when no candidate was in the future, htmldate was not asked, and no
  candidate is after the new crawl date; otherwise the page is analysed again (which candidate
  wins may change, and that needs the page);
- the homepage (its newest item is dated against the crawl date) and pages showing interaction
  records (their letters' ages) are analysed again.

A row with two dates of which one is year-less (rare) chooses the later one at analysis time;
re-resolving keeps the chosen raw date even if at the new crawl date the other would be later.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

from govinspect.crawler.dates import (
    find_full_date,
    find_short_date,
    normalize_text,
    parse_date_text,
)
from govinspect.crawler.page_analysis import ArticleDate, PageAnalysisResult

_YEAR = re.compile(r"(?:19|20)\d\d")


def rebase(
    result: PageAnalysisResult, stored: date, crawl_date: date, is_homepage: bool
) -> PageAnalysisResult | None:
    """``result`` (analysed at ``stored``) as of ``crawl_date``, or None: analyse again."""
    if stored == crawl_date:
        return result
    if is_homepage or (result.interaction is not None and result.interaction.records):
        return None
    facts = result.columns
    if facts is None:
        return result
    if facts.article is not None and not article_holds(facts.article, crawl_date):
        return None
    items = [rebased_item(item, stored, crawl_date) for item in facts.items]
    if any(item is None for item in items):
        return None
    facts.items = items
    return result


def article_holds(found: ArticleDate, crawl_date: date) -> bool:
    return found.stable and (found.latest is None or found.latest <= crawl_date)


def rebased_item(item: Any, stored: date, crawl_date: date) -> Any | None:
    """A list item with its date resolved at ``crawl_date``; None when that needs the page."""
    raw = item.date_raw
    if not raw:
        return item
    if (
        item.date is not None
        and not item.flags
        and crawl_date >= stored
        and _YEAR.search(normalize_text(raw))
    ):
        return item  # a full date in the past stays in the past
    if resolve_raw(raw, stored) != (item.date, list(item.flags)):
        return None
    value, flags = resolve_raw(raw, crawl_date) or (None, [])
    return replace(item, date=value, flags=flags)


def resolve_raw(raw: str, crawl_date: date) -> tuple[date | None, list[str]] | None:
    """A printed list date at ``crawl_date`` as listing.py resolves it; None: not a date."""
    text = normalize_text(raw)
    full = find_full_date(text)
    if full is not None:
        value = full[0]
    elif find_short_date(text) is not None:
        value = parse_date_text(text, context_year=crawl_date.year, ref=crawl_date)
    else:
        return None
    if value is None:
        return None, ["impossible"]
    if value > crawl_date:
        return None, ["future"]
    return value, []
