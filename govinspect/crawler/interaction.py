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
from govinspect.crawler.cms import hanweb_datastores
from govinspect.crawler.dates import normalize_text
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
from govinspect.crawler.interaction_periods import consultation_period
from govinspect.crawler.items import InteractionRecord
from govinspect.crawler.listing import extract_items
from govinspect.crawler.page import ParsedPage, as_page
from govinspect.crawler.sources import datastore_items
from govinspect.crawler.urls import normalize_url

#: Longest breadcrumb name taken for a column's (an article title is longer).
MAX_COLUMN_NAME = 12


@dataclass
class PageFacts:
    """The interaction records of one page and the JSON APIs it names (to be fetched)."""

    records: list[InteractionRecord] = field(default_factory=list)
    apis: list[str] = field(default_factory=list)
    column_url: str | None = None
    # Entry pages of an interaction list to read (a Hanweb datastore's records may name them
    # only in scripts the link extractor does not follow).
    follow: list[str] = field(default_factory=list)


# --- classification ---------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"[\s\u3000]+", "", normalize_text(text or ""))


def interaction_kind(names: Iterable[str | None]) -> str | None:
    """``letters`` / ``consultations`` / ``interviews`` for the first name that is one.

    A column name with 信访, 纪检 or 举报 is no 政务咨询 column (网上信访); a longer name (a page
    title such as "在线访谈：…谈信访维稳工作") only mentions the word.
    """
    table = data()
    for raw in names:
        name = _squash(raw or "")
        excluded = any(word in name for word in table["excluded"])
        if not name or (excluded and len(name) <= MAX_COLUMN_NAME):
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


_BOOK = re.compile(r"《([^《》]{2,})》")


def base_url(root: etree._Element, page_url: str) -> str:
    """What relative links of the page resolve against (its ``<base href>``, if any)."""
    for href in root.xpath("//base/@href"):
        if str(href).strip():
            return urljoin(page_url, str(href).strip())
    return page_url


def feedback_links(root: etree._Element, page_url: str, title: str | None = None) -> list[str]:
    """Links of a consultation page whose text names its feedback or result.

    A link naming another draft (《…》 not in the page's title) is another consultation's
    feedback (a 相关阅读 box), not this one's.
    """
    base = base_url(root, page_url)
    squashed_title = _squash(title or "")
    out = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        text = _squash(a.text_content())
        usable = href and not href.startswith(("javascript:", "#", "mailto:"))
        if not usable or not is_feedback_title(text):
            continue
        names = [
            re.sub(r"[（(]?征求意见稿[）)]?|[（(]?草案[）)]?", "", n) for n in _BOOK.findall(text)
        ]
        if any(n not in squashed_title for n in names):
            continue
        out.append(normalize_url(urljoin(base, href)))
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


def detail_letter(
    root: etree._Element, page_url: str, ref: date, text: str | None = None
) -> InteractionRecord | None:
    """The letter of a detail page: one asked label and at least one reply-side label.

    ``text``: the page's ``element_text`` when the caller has it already.
    """
    text = element_text(root) if text is None else text
    if count_asked(text) > 1 and not root.xpath("//th"):
        return None  # a list of letters, not one letter
    fields = page_fields(root, text)
    if "asked" not in fields.labels or not fields.labels & {"replied", "status", "unit", "content"}:
        return None
    return _letter(fields, page_url, page_url, "detail", ref)


def _row_link(row: etree._Element, page_url: str) -> tuple[str | None, str]:
    base = base_url(row.getroottree().getroot(), page_url)
    for a in row.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("javascript:", "#", "mailto:")):
            return normalize_url(urljoin(base, href)), " ".join(a.text_content().split())
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


def _record_letters(
    root: etree._Element, page_url: str, ref: date, page_text: str
) -> list[InteractionRecord]:
    """Records (li, div, dl …) holding one ``留言时间：`` label each, inside a parent with more."""
    out: list[InteractionRecord] = []
    if count_asked(page_text) < 2:
        return out  # no parent can hold two labels the whole page does not
    asked: dict[etree._Element, int] = {}  # a parent's count, read once for all its children
    for el in root.iter("li", "div", "dl", "article", "section", "tr"):
        text = element_text(el)
        parent = el.getparent()
        if count_asked(text) != 1 or parent is None:
            continue
        if parent not in asked:
            asked[parent] = count_asked(element_text(parent))
        if asked[parent] < 2:
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


def list_letters(
    root: etree._Element, page_url: str, ref: date, text: str | None = None
) -> list[InteractionRecord]:
    """The letters a list page shows: table rows under a 留言时间 header, or labelled records.

    ``text``: the page's ``element_text`` when the caller has it already.
    """
    text = element_text(root) if text is None else text
    found = _table_letters(root, page_url, ref) or _record_letters(root, page_url, ref, text)
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
    html: str | ParsedPage,
    page_url: str,
    title: str | None,
    published: date | None,
    crawl_date: date,
) -> PageFacts:
    """Everything interaction-related one fetched HTML page shows (empty for other pages).

    ``html`` may be the page already parsed (crawler/page.py): its tree is read, never changed.
    """
    page = as_page(html, page_url)
    if not _may_hold_interaction(page.text, title):
        return PageFacts()  # most pages of a site: no interaction name, no message label
    page_url = normalize_url(page_url)
    root = page.tree
    if root is None:
        return PageFacts()
    crumbs = colmod.breadcrumb(page, page_url)
    meta = colmod.column_meta(page)
    names = [meta.get("ColumnName"), *(n for n, _ in reversed(crumbs)), title]
    kind = interaction_kind(names)
    here = normalize_url(page_url)
    # The column: the deepest crumb of the kind that links elsewhere (an article's trail may end
    # with a link to the article itself).  The page is the column's own page when its trail ends
    # with a link to itself under a column name (short, of the kind), not an article title.
    column_url = next(
        (
            u
            for n, u in reversed(crumbs)
            if u and normalize_url(u) != here and interaction_kind([n]) == kind
        ),
        None,
    )
    own = crumbs[-1] if crumbs and crumbs[-1][1] and normalize_url(crumbs[-1][1]) == here else None
    column_page = (
        own is not None and len(own[0]) <= MAX_COLUMN_NAME and interaction_kind([own[0]]) == kind
    )
    facts = PageFacts(column_url=column_url)
    name = meta.get("ColumnName") or (crumbs[-1][0] if crumbs else title)
    # The page's text, read once for the letter and consultation tests below.
    text = element_text(root)
    letters = list_letters(root, page_url, crawl_date, text)
    if letters:
        for item in letters:
            item.column_url = column_url or page_url
        facts.records.extend(letters)
        facts.records.append(_column("letters", column_url or page_url, page_url, name))
        return facts
    letter = detail_letter(root, page_url, crawl_date, text)
    if letter is not None:
        letter.column_url = column_url
        facts.records.append(letter)
        return facts
    if is_feedback_title(title) and (
        kind == "consultations" or interaction_kind([title]) == "consultations"
    ):
        facts.records.append(_page_record("feedback", page_url, title, published, column_url))
        return facts
    if kind is None:
        return facts
    is_list, items = _list_items(page, page_url, crawl_date)
    if kind == "letters":
        # A message system's JSON API is read whenever the page names one: it tells statuses
        # and reply dates a list of titles does not.
        apis = api_urls(root, page_url)
        facts.follow = [normalize_url(i.url) for i in items if i.url]
        if is_list or apis or column_page:
            facts.records.append(_letters_column(root, page_url, column_url, name, items))
            facts.apis = apis
            if apis:
                facts.records[-1].api = apis[0]
        return facts
    if is_list or column_page:
        facts.records.append(_column(kind, column_url or page_url, page_url, name))
        facts.follow = [normalize_url(i.url) for i in items if i.url]
        for item in items:
            if kind == "interviews":
                entry = "interview"
            else:
                entry = "feedback" if is_feedback_title(item.title) else "consultation"
            facts.records.append(
                InteractionRecord(
                    kind=entry,
                    url=normalize_url(item.url),  # one spelling with the crawled pages
                    page_url=page_url,
                    source="list",
                    title=item.title,
                    published=item.date,
                    column_url=column_url or page_url,
                )
            )
        return facts
    found = _detail(kind, root, text, page_url, title, published, column_url)
    # A page of the column that is neither a list nor dated (a 写信 form, an intro page) is no
    # consultation and no interview.
    if found.published is not None or found.start is not None or found.end is not None:
        facts.records.append(found)
    return facts


def _list_items(page: ParsedPage, page_url: str, crawl_date: date) -> tuple[bool, list]:
    """Whether the page is a list, and its items (a Hanweb page's from its datastore)."""
    listing = extract_items(page, page_url, crawl_date)
    if listing.is_list and listing.items:  # not an article's 相关阅读 box: listing.py weighs that
        return True, listing.items
    stores = hanweb_datastores(page.text, page_url)
    if stores:
        return True, datastore_items(stores, page_url, crawl_date, page)
    return listing.is_list, []


@cache
def _cheap_words() -> tuple[str, ...]:
    table = data()
    words = [w for entry in table["kinds"] for w in entry["keywords"]]
    words += table["letter_labels"]["asked"] + table["consultation"]["feedback_words"]
    return tuple(dict.fromkeys(words))


def _may_hold_interaction(html: str, title: str | None) -> bool:
    """A substring test before any parsing: a page naming no interaction word is skipped."""
    return any(word in html for word in _cheap_words()) or bool(title and is_feedback_title(title))


def _letters_column(
    root: etree._Element, page_url: str, column_url: str | None, name: str | None, items: list
) -> InteractionRecord:
    """A letters column page whose list shows no labelled letters."""
    script_filled = not items and (_has_list_script(root) or bool(api_urls(root, page_url)))
    return _column("letters", column_url or page_url, page_url, name, script_filled=script_filled)


def _detail(
    kind: str,
    root: etree._Element,
    text: str,
    page_url: str,
    title: str | None,
    published: date | None,
    column_url: str | None,
) -> InteractionRecord:
    if kind == "interviews":
        return _page_record("interview", page_url, title, published, column_url)
    start, end, raw = consultation_period(text)
    record = _page_record("consultation", page_url, title, published, column_url)
    record.start, record.end = start, end
    record.period_raw = raw[:200] if raw else None
    record.draft_type = draft_type(f"{title or ''} {text[:3000]}")
    record.feedback_urls = feedback_links(root, page_url, title)
    return record


def _page_record(
    kind: str, page_url: str, title: str | None, published: date | None, column_url: str | None
) -> InteractionRecord:
    """A fact read from an entry's own page (``source="detail"``)."""
    return InteractionRecord(
        kind=kind,
        url=page_url,
        page_url=page_url,
        source="detail",
        title=title,
        published=published,
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
