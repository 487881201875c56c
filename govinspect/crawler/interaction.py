"""Interaction (互动交流) facts: letters, consultations and interviews as the pages show them.

Records what a page says and judges nothing (``checks/interaction.py`` does):

* which kind of interaction column a page belongs to, by the names on it (breadcrumb, column
  meta, title) looked up in ``data/interaction.yaml`` (政务咨询 ``letters``, 调查征集
  ``consultations``, 互动访谈 ``interviews``);
* letters: a detail page's labelled table (来信时间, 处理单位, 处理状态, 回复时间, 答复内容), or
  a list page's rows (a table with a 留言时间 column, or records with ``留言时间：…`` labels);
* a letters column whose list is empty in the HTML: the JSON API its script names
  (``interaction_api``), otherwise the column is recorded as script-filled (unknown), never as
  "no messages";
* consultations: title, 征集时间 period or 截止日期, the draft's type, links to its feedback;
  pages titled as a consultation's 反馈/结果 are recorded as feedback;
* interviews: the dated items of a 访谈 column, and dated 访谈 pages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from urllib.parse import urljoin

from lxml import etree

from govinspect.crawler import columns as colmod
from govinspect.crawler.dates import find_full_date, normalize_text, parse_html
from govinspect.crawler.interaction_api import api_urls, letters_from_json
from govinspect.crawler.interaction_labels import (
    Fields,
    count_asked,
    data,
    element_text,
    header_columns,
    page_fields,
    status_of,
    text_fields,
)
from govinspect.crawler.items import InteractionRecord
from govinspect.crawler.listing import extract_items
from govinspect.crawler.urls import normalize_url

#: How far after a period label its dates may be (characters).
PERIOD_REACH = 80
_SHORT_MD = re.compile(r"^\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


@dataclass
class PageFacts:
    """The interaction records of one page and the JSON APIs it names (to be fetched)."""

    records: list[InteractionRecord] = field(default_factory=list)
    apis: list[str] = field(default_factory=list)
    column_url: str | None = None


# --- classification ---------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", normalize_text(text or ""))


def interaction_kind(names: Iterable[str | None]) -> str | None:
    """``letters`` / ``consultations`` / ``interviews`` for the first name that is one."""
    table = data()
    for raw in names:
        name = _squash(raw or "")
        if not name or any(word in name for word in table["excluded"]):
            continue
        for entry in table["kinds"]:
            if any(word in name for word in entry["keywords"]):
                return str(entry["kind"])
    return None


def is_feedback_title(title: str | None) -> bool:
    """A 反馈/结果/采纳情况 title (of a consultation's result page)."""
    text = _squash(title or "")
    return any(word in text for word in data()["consultation"]["feedback_words"])


def draft_type(text: str) -> str | None:
    """规章 / 重大行政决策 / 规范性文件 when the page says which kind of draft it consults on."""
    squashed = _squash(text)
    for name, words in data()["consultation"]["types"].items():
        if any(word in squashed for word in words):
            return str(name)
    return None


# --- consultation periods ---------------------------------------------------------------------


def _dates(text: str) -> list[tuple[date | None, int, int]]:
    """Every full date of a normalised text with its span."""
    out = []
    pos = 0
    while True:
        found = find_full_date(text[pos:])
        if found is None:
            return out
        value, _raw, (start, end) = found
        out.append((value, pos + start, pos + end))
        pos += end


@cache
def _label_pattern(kind: str) -> re.Pattern[str]:
    labels = sorted(data()["consultation"][kind], key=len, reverse=True)
    return re.compile("(" + "|".join(re.escape(label) for label in labels) + r")\s*[:：为是]?")


def _joined(between: str) -> bool:
    rest = re.sub(r"[\s\u3000自起从]", "", between)
    return (
        bool(rest)
        and len(rest) <= 3
        and any(j in rest for j in data()["consultation"]["period_joiners"])
    )


def _year_less_end(text: str, start: date) -> date | None:
    """``2021年1月5日至1月15日``: an end without its year takes the start's."""
    match = _SHORT_MD.match(text)
    if not match:
        return None
    try:
        end = date(start.year, int(match.group(1)), int(match.group(2)))
    except ValueError:
        return None
    return end if end >= start else None


def consultation_period(text: str) -> tuple[date | None, date | None, str | None]:
    """``(start, end, raw)`` of a consultation from its page text.

    Forms: ``征集时间：2021-01-05至2021-01-15`` (and 征集期限, 起止时间 …), ``自2021年1月5日起至
    2021年1月15日止``, ``2021年1月5日至1月15日``, or a deadline alone (``截止日期：2021-01-15``,
    start None).  Nothing found: ``(None, None, None)``.
    """
    text = normalize_text(text)
    dates = _dates(text)
    anchors = [m.end() for m in _label_pattern("period_labels").finditer(text)]
    anchors += [m.start() for m in re.finditer(r"自(?=\s*\d{4})", text)]
    for anchor in sorted(anchors):
        near = [d for d in dates if anchor <= d[1] <= anchor + PERIOD_REACH]
        if not near or near[0][0] is None:
            continue
        first = near[0]
        start = first[0]
        assert start is not None
        if len(near) > 1 and near[1][0] is not None and _joined(text[first[2] : near[1][1]]):
            end = near[1][0]
            return start, end, text[first[1] : near[1][2]]
        tail = text[first[2] : first[2] + 20]
        joiner = re.match(r"\s*(?:起)?\s*(?:至|到|-|~|—|－|–)\s*", tail)
        if joiner:
            end = _year_less_end(tail[joiner.end() :], start)
            if end is not None:
                return start, end, text[first[1] : first[2] + joiner.end() + 8].strip()
    for match in _label_pattern("deadline_labels").finditer(text):
        near = [d for d in dates if match.end() <= d[1] <= match.end() + 30 and d[0]]
        if near:
            return None, near[0][0], text[match.start() : near[0][2]]
    return None, None, None


def feedback_links(root: etree._Element, page_url: str) -> list[str]:
    """Links of a consultation page whose text names its feedback or result."""
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        usable = href and not href.startswith(("javascript:", "#", "mailto:"))
        if usable and is_feedback_title(a.text_content()):
            out.append(normalize_url(urljoin(page_url, href)))
    return list(dict.fromkeys(out))


# --- letters ----------------------------------------------------------------------------------


def _letter(fields: Fields, url: str, page_url: str, source: str, ref: date) -> InteractionRecord:
    values = fields.values
    status_text = values.get("status")
    status = status_of(status_text)
    replied = fields.date("replied", ref)
    if status is None and replied is not None:
        status = "replied"
    content = values.get("content")
    return InteractionRecord(
        kind="letter",
        url=url,
        page_url=page_url,
        source=source,
        title=values.get("title"),
        asked=fields.date("asked", ref),
        replied=replied,
        status=status,
        status_text=status_text[:100] if status_text else None,
        reply_unit=(values.get("unit") or None),
        reply_shown=bool(content) if "content" in fields.labels else None,
        fields=sorted(fields.labels),
    )


def detail_letter(root: etree._Element, page_url: str, ref: date) -> InteractionRecord | None:
    """The letter of a detail page: one asked label and at least one reply-side label."""
    if count_asked(element_text(root)) > 1 and not root.xpath("//th"):
        return None  # a list of letters, not one letter
    fields = page_fields(root)
    if "asked" not in fields.labels or not fields.labels & {"replied", "status", "unit", "content"}:
        return None
    return _letter(fields, page_url, page_url, "detail", ref)


def _row_link(row: etree._Element, page_url: str) -> tuple[str | None, str]:
    for a in row.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#", "mailto:")):
            return normalize_url(urljoin(page_url, href)), " ".join(a.text_content().split())
    return None, ""


def _table_letters(root: etree._Element, page_url: str, ref: date) -> list[InteractionRecord]:
    out: list[InteractionRecord] = []
    for table in root.iter("table"):
        rows = [r for r in table.iter("tr") if r.getparent() is not None]
        header: dict[int, str] = {}
        for row in rows:
            cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("th", "td")]
            if not header:
                found = header_columns(cells)
                if "asked" in found.values() and len(found) >= 2:
                    header = found
                continue
            fields = Fields()
            for n, name in header.items():
                if n < len(cells):
                    fields.add(name, element_text(cells[n]))
            url, text = _row_link(row, page_url)
            if url is None or fields.date("asked", ref) is None:
                continue
            fields.values.setdefault("title", text)
            if "status" not in header.values():
                fields.values["status"] = element_text(row)  # a badge in some other cell
                fields.values["status"] = (
                    fields.values["status"] if status_of(fields.values["status"]) else ""
                )
            out.append(_letter(fields, url, page_url, "list", ref))
    return out


def _record_letters(root: etree._Element, page_url: str, ref: date) -> list[InteractionRecord]:
    """Records (li, div, dl …) holding one ``留言时间：`` label each, inside a parent with more."""
    out: list[InteractionRecord] = []
    for el in root.iter("li", "div", "dl", "article", "section", "tr"):
        text = element_text(el)
        parent = el.getparent()
        if count_asked(text) != 1 or parent is None or count_asked(element_text(parent)) < 2:
            continue
        url, link_text = _row_link(el, page_url)
        if url is None:
            continue
        fields = text_fields(text)
        if fields.date("asked", ref) is None:
            continue
        fields.values.setdefault("title", link_text)
        if "status" not in fields.values:
            fields.values["status"] = next(
                (line for line in text.splitlines() if status_of(line)), ""
            )
        out.append(_letter(fields, url, page_url, "list", ref))
    return out


def list_letters(root: etree._Element, page_url: str, ref: date) -> list[InteractionRecord]:
    """The letters a list page shows: table rows under a 留言时间 header, or labelled records."""
    found = _table_letters(root, page_url, ref) or _record_letters(root, page_url, ref)
    return list({r.url: r for r in found}.values())


# --- a page -----------------------------------------------------------------------------------


def _column(
    kind: str, url: str, page_url: str, name: str | None, **extra: object
) -> InteractionRecord:
    return InteractionRecord(
        kind="column",
        url=url,
        page_url=page_url,
        source="list",
        column_kind=kind,
        name=name,
        **extra,  # type: ignore[arg-type]
    )


def _has_list_script(root: etree._Element) -> bool:
    words = ("ajax", "getJSON", "fetch(", "axios", "XMLHttpRequest", "$.get", "$.post", "template")
    return any(
        any(w in (s.text or "") for w in words) for s in root.iter("script") if not s.get("src")
    )


def page_facts(
    html: str,
    page_url: str,
    title: str | None,
    published: date | None,
    crawl_date: date,
) -> PageFacts:
    """Everything interaction-related one fetched HTML page shows (empty for other pages)."""
    if not _may_hold_interaction(html, title):
        return PageFacts()  # most pages of a site: no interaction name, no message label
    root = parse_html(html)
    if root is None:
        return PageFacts()
    crumbs = colmod.breadcrumb(html, page_url)
    meta = colmod.column_meta(html)
    names = [meta.get("ColumnName"), *(n for n, _ in reversed(crumbs)), title]
    kind = interaction_kind(names)
    column_url = next((u for n, u in reversed(crumbs) if u and interaction_kind([n]) == kind), None)
    facts = PageFacts(column_url=column_url)
    name = meta.get("ColumnName") or (crumbs[-1][0] if crumbs else title)
    letters = list_letters(root, page_url, crawl_date)
    if letters:
        for item in letters:
            item.column_url = column_url or page_url
        facts.records.extend(letters)
        facts.records.append(_column("letters", column_url or page_url, page_url, name))
        return facts
    letter = detail_letter(root, page_url, crawl_date)
    if letter is not None:
        letter.column_url = column_url
        facts.records.append(letter)
        return facts
    if is_feedback_title(title) and (
        kind == "consultations" or interaction_kind([title]) == "consultations"
    ):
        facts.records.append(
            InteractionRecord(
                kind="feedback",
                url=page_url,
                page_url=page_url,
                source="detail",
                title=title,
                published=published,
                column_url=column_url,
            )
        )
        return facts
    if kind is None:
        return facts
    listing = extract_items(html, page_url, crawl_date)
    if kind == "letters":
        apis = [] if listing.items else api_urls(root, page_url)
        if listing.is_list or apis or _is_column_page(page_url, column_url):
            facts.records.append(_letters_column(root, page_url, column_url, name, listing.items))
            facts.apis = apis
            if apis:
                facts.records[-1].api = apis[0]
        return facts
    if listing.is_list:
        facts.records.append(_column(kind, column_url or page_url, page_url, name))
        for item in listing.items:
            if kind == "interviews":
                entry = "interview"
            else:
                entry = "feedback" if is_feedback_title(item.title) else "consultation"
            facts.records.append(
                InteractionRecord(
                    kind=entry,
                    url=item.url,
                    page_url=page_url,
                    source="list",
                    title=item.title,
                    published=item.date,
                    column_url=column_url or page_url,
                )
            )
        return facts
    facts.records.append(_detail(kind, root, page_url, title, published, column_url))
    return facts


@cache
def _cheap_words() -> tuple[str, ...]:
    table = data()
    words = [w for entry in table["kinds"] for w in entry["keywords"]]
    words += table["letter_labels"]["asked"] + table["consultation"]["feedback_words"]
    return tuple(dict.fromkeys(words))


def _may_hold_interaction(html: str, title: str | None) -> bool:
    """A substring test before any parsing: a page naming no interaction word is skipped."""
    return any(word in html for word in _cheap_words()) or bool(title and is_feedback_title(title))


def _is_column_page(page_url: str, column_url: str | None) -> bool:
    return column_url is not None and normalize_url(page_url) == normalize_url(column_url)


def _letters_column(
    root: etree._Element, page_url: str, column_url: str | None, name: str | None, items: list
) -> InteractionRecord:
    """A letters column page whose list shows no labelled letters."""
    script_filled = not items and (_has_list_script(root) or bool(api_urls(root, page_url)))
    return _column("letters", column_url or page_url, page_url, name, script_filled=script_filled)


def _detail(
    kind: str,
    root: etree._Element,
    page_url: str,
    title: str | None,
    published: date | None,
    column_url: str | None,
) -> InteractionRecord:
    if kind == "interviews":
        return InteractionRecord(
            kind="interview",
            url=page_url,
            page_url=page_url,
            source="detail",
            title=title,
            published=published,
            column_url=column_url,
        )
    text = element_text(root)
    start, end, raw = consultation_period(text)
    return InteractionRecord(
        kind="consultation",
        url=page_url,
        page_url=page_url,
        source="detail",
        title=title,
        start=start,
        end=end,
        period_raw=raw[:200] if raw else None,
        draft_type=draft_type(f"{title or ''} {text[:3000]}"),
        published=published,
        feedback_urls=feedback_links(root, page_url),
        column_url=column_url,
    )


def api_facts(
    body: str, api_url: str, column_url: str, crawl_date: date
) -> tuple[list[InteractionRecord], list[str]]:
    """Letters of one JSON API answer, and the API's further pages."""
    found, more = letters_from_json(body, api_url)
    records = []
    for n, entry in enumerate(found):
        fields = Fields()
        for name in ("title", "asked", "replied", "unit"):
            if entry.get(name):
                fields.add(name, str(entry[name]))
        url = entry["url"] or f"{api_url}#{n + 1}"  # no detail page: the API row is the letter
        record = _letter(fields, url, api_url, "api", crawl_date)
        record.status = entry["status"] or record.status
        record.status_text = entry["status_text"]
        record.reply_shown = entry["content"]
        record.column_url = column_url
        record.fields = sorted(
            {
                *record.fields,
                *(["status"] if entry["status_text"] else []),
                *(["content"] if entry["content"] is not None else []),
            }
        )
        records.append(record)
    return records, more
