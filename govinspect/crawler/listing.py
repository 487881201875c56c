"""Items of a column (栏目) list page: pure functions over an HTML string.

The main list is found by structure, not by CMS class names:

1. A *record* is an element (``li``, ``tr``, ``dl``, ``div``, an ``a`` itself ...) holding one to
   ``MAX_RECORD_ANCHORS`` content links and little other text.  Its date is a text chunk that is
   essentially a date (``2021-02-20``, ``[11-03]``, ``发布时间：2021年2月20日``); dates inside a
   title (``2026年9月18-22日平潭计划停电``) are not taken.
2. Sibling records with the same tag form a group; groups whose parents are siblings or cousins
   (TRS prints 75 items as 15 ``<ul>`` of 5) are merged when they agree on being dated.
3. The main list is the group with the most dated records (groups inside navigation, header or
   footer regions count half).

The verdict, in order (``notes`` name the branch taken):

* a dated list was found -> a list page with its items (``dated_list``), unless the page is an
  article carrying it as a "related" box: a visible 发布时间 header date plus a body that
  outweighs the list (``article_page``), or, for lists under ``LARGE_LIST`` items, article meta
  tags or a body that outweighs the list (``content_page``).  When that list lies in a side or
  navigation region and the page prints a placeholder, the placeholder wins; when it lies there
  beside a body of prose and the page shows no other list signal, the page is an article
  (``article_page``);
* else a content body (a guide shown inline), article meta tags or a visible 发布时间 header
  date -> not a list (``content_page``/``article_page``);
* else a placeholder text (暂无信息 ...) -> a list with 0 items and the placeholder;
* else a list of undated document links -> a list of undated items (``undated_items``);
* else a page that only links to sub-columns and shows no list signal -> not a list
  (``navigation_page``);
* else an empty list (``no_items``: ``is_list`` with 0 items, no placeholder), with the signals
  seen (``list_header``, ``script_list``, ``pager``, ``empty_container``, ``script_template``).
  It is blank unless the caller finds the items elsewhere (cms.py: TRS ``listModel`` 动态,
  Hanweb ``<datastore>``).

Errors go the safe way: a page that may be content is not reported as an empty list, because a
false "blank column" is the most damaging mistake a monitor can make.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

import yaml
from lxml import etree

from govinspect.crawler.dates import (
    LABEL_TIERS,
    content_chunks,
    find_full_date,
    find_short_date,
    label_dates,
    normalize_text,
    parse_date_text,
    text_chunks,
)
from govinspect.crawler.page import ParsedPage, as_page
from govinspect.crawler.urls import join_url, split_url

# --- data: structure thresholds and hint tables (the one place for these) -------------------------

#: Tags that can be one record of a list.
RECORD_TAGS = frozenset(
    {
        "li",
        "tr",
        "dl",
        "dd",
        "dt",
        "div",
        "p",
        "a",
        "article",
        "section",
        "table",
        "span",
        "h2",
        "h3",
        "h4",
        "h5",
    }
)
#: Containers whose single child record may be a one-item list.
LIST_PARENT_TAGS = frozenset({"ul", "ol", "tbody", "table", "dl"})
SINGLE_RECORD_TAGS = frozenset({"li", "tr", "dl", "dd"})
#: More content links than this and an element is a block of records, not a record.
MAX_RECORD_ANCHORS = 3
#: More non-title text than this (characters) and an element is prose, not a record.
MAX_RECORD_TEXT = 400
#: Dated records needed for a group to be a dated list (one-item lists: see SINGLE_RECORD_TAGS).
MIN_DATED_GROUP = 2
#: Share of a group's records that must carry a date for it to count as dated.
MIN_DATED_SHARE = 0.5
#: Word characters of prose in one block that make a page a content page ...
CONTENT_MIN_CHARS = 200
#: ... unless the dated list is at least this long (a long list beats a column description).
LARGE_LIST = 10
#: Prose (word characters: a short sentence) beside a dated list found only in a side region that
#: makes the page an article with a "related" box rather than a list page.
SIDE_BOX_MIN_BODY = 10
#: Undated lists: records, mean title length and share of document-like URLs required.
UNDATED_MIN_RECORDS = 2
UNDATED_MIN_TITLE = 6
DOC_URL_SHARE = 0.6
#: A page whose main region holds this many sub-column links is a navigation page.
NAV_PAGE_MIN_LINKS = 4
NAV_LINK_MAX_TEXT = 15

#: Region hints: parts of class/id tokens (``mainnav``, ``leftmenu``, ``footer_box``), roles and
#: tags of navigation, header and footer regions.  Used only to discount or skip regions, never
#: as the sole signal of a list.
REGION_HINT_PARTS = (
    "header",
    "footer",
    "foot",
    "nav",
    "menu",
    "sidebar",
    "breadcrumb",
    "crumb",
    "copyright",
    "yqlj",
    "friendlink",
    "daohang",
    "dqwz",
)
REGION_HINT_ROLES = frozenset({"navigation", "banner", "contentinfo"})
REGION_HINT_TAGS = frozenset({"header", "footer", "nav", "aside"})
#: A hinted region holding more than this share of the page text is a page wrapper: not skipped.
REGION_MAX_SHARE = 0.5

#: Link texts of pagers and "more" links: never an item.
PAGER_TEXT = re.compile(
    r"^(首页|上一页|下一页|尾页|末页|前页|后页|上页|下页|更多|更多>+|more|>+|<+|»|«|\d{1,4}|"
    r"第\d+页|跳转|go|确定|返回|打印|关闭)$",
    re.IGNORECASE,
)
#: URL shapes of documents (articles, attachments) as opposed to columns.
DOC_URL_PATTERNS = (
    r"/t\d{8}_\d+",
    r"/art/\d{4}/",
    r"content_\d+",
    r"[_/-]\d{4,}\.(s?html?|jsp|aspx?|php)$",
    r"/\d{6,}\.(s?html?|jsp|aspx?|php)$",
    r"\.(pdf|docx?|xlsx?|wps|pptx?|zip|rar|7z|txt|ofd|et)$",
    r"[?&](id|articleid|docid|infoid|newsid|contentid|aid|artid|itemid)=\w",
)
#: Attributes of client-side templates: the element is a template, not content.
TEMPLATE_REPEAT_ATTRS = (
    "ms-repeat",
    "ms-for",
    "v-for",
    "ng-repeat",
    "x-for",
    "th:each",
    "wx:for",
    "data-ng-repeat",
)
#: Attributes that show an element only under a script condition: its text may never appear.
CONDITIONAL_ATTRS = (
    "ms-if",
    "ms-visible",
    "v-if",
    "v-show",
    "v-else",
    "ng-if",
    "ng-show",
    "ng-hide",
    "x-if",
    "x-show",
    "hidden",
)
#: Pager texts (共12条, 上一页 ...): the page is a list page even when it shows no items.
PAGER_SIGNAL = re.compile(r"共\s*\d+\s*(条|篇|页|项|记录)|上一页|下一页|尾页|末页|前一页|后一页")
#: Scripts that carry or page a list (Hanweb ``<datastore>``, TRS pagers and ``listModel``,
#: jpaas ``buildstatic``): the page is a list page whose items the caller reads via cms.py.
SCRIPT_LIST_PATTERN = re.compile(
    r"<datastore>|<recordset>|createPageHTML\s*\(|listModel\s*\(|\bcountPage\s*=|"
    r"bu[il]{2}dstatic",
    re.IGNORECASE,
)
#: Containers that hold list records; an empty one in the main region is an empty list.
LIST_CONTAINER_TAGS = frozenset({"ul", "ol", "tbody", "table", "dl"})
#: ``<meta>`` names that only article pages carry (政府网站发展指引 convention and Open Graph).
ARTICLE_META_NAMES = frozenset(
    {"articletitle", "pubdate", "firstpublishedtime", "article:published_time"}
)
#: Table-header words: a row holding a title word and a date word is a list header.
HEADER_TITLE_WORDS = frozenset({"标题", "名称", "文件名称", "信息名称", "主题", "文章标题"})
HEADER_DATE_WORDS = frozenset(
    {
        "日期",
        "时间",
        "发布日期",
        "发布时间",
        "成文日期",
        "生成日期",
        "发文日期",
        "更新时间",
        "公开日期",
    }
)

_ELLIPSIS = re.compile(r"(…+|\.{2,}|。{2,})\s*$")
_DECOR = re.compile(r"[\s\[\]【】()（）〔〕<>《》:：|,，·\-]+")
_LABEL_WORDS = re.compile(
    "|".join(
        sorted(
            {w for tier in LABEL_TIERS for w in tier} | {"成文日期", "发文日期"},
            key=len,
            reverse=True,
        )
    )
)
# Pieces of split dates (calendar-style blocks on homepages).
_BRACKETS = " []【】()（）"
_YEAR_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_DAY = re.compile(r"^(\d{1,2})\s*日?$")
_YEAR = re.compile(r"^(\d{4})\s*年?$")
_MONTH_DAY = re.compile(r"^(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?$")
_FULL_YEAR = re.compile(r"\d{4}")
_QUOTED = re.compile(r"""['"]([^'"\s]+)['"]""")
_URLISH = re.compile(r"^(https?://|/|\./|\.\./)|\.(s?html?|jsp|aspx?|php)(\?|$)", re.IGNORECASE)
_SKIP_HREF = re.compile(r"^(javascript|mailto|tel|about|data|vbscript):", re.IGNORECASE)
_WORD = re.compile(r"\w")
_DOC_URL = re.compile("|".join(DOC_URL_PATTERNS), re.IGNORECASE)


@dataclass
class ListItem:
    """One item of a list: ``date_source`` is ``list`` when the list prints a date, else ``none``.

    ``flags``: ``future`` (printed date after the crawl date: date None, raw kept),
    ``impossible`` (date-shaped but invalid).
    """

    title: str
    url: str
    date: date | None
    date_raw: str
    date_source: str
    flags: list[str] = field(default_factory=list)


@dataclass
class ListResult:
    """Verdict on one page: its items, whether it is a list page at all, and its placeholder.

    ``notes`` explain the verdict: ``dated_list``, ``article_meta``, ``undated_items``,
    ``content_page``, ``article_page``, ``navigation_page``, ``placeholder``, ``no_items``,
    ``script_template`` (a client-side list template: items may be filled by script),
    ``script_list`` (a script carries or pages the list: Hanweb datastore, TRS pager),
    ``list_header`` (a 标题/日期 header row without items), ``pager``, ``empty_container``,
    ``future_dates:N``.
    """

    items: list[ListItem]
    is_list: bool
    placeholder: str | None = None
    notes: list[str] = field(default_factory=list)


@cache
def _placeholder_table() -> tuple[int, tuple[str, ...], frozenset[str]]:
    text = (
        resources.files("govinspect.crawler")
        .joinpath("data/placeholders.yaml")
        .read_text(encoding="utf-8")
    )
    data = yaml.safe_load(text)
    return (
        int(data["max_chunk_chars"]),
        tuple(sorted(data["phrases"], key=len, reverse=True)),
        frozenset(data["exact"]),
    )


# --- records --------------------------------------------------------------------------------------


@dataclass
class _Record:
    element: etree._Element
    title: str
    url: str
    date: date | None
    date_raw: str
    flags: list[str]


@dataclass
class _Group:
    records: list[_Record]
    parents: list[etree._Element]
    tag: str
    dated_share_ok: bool
    hinted: bool = False

    @property
    def dated(self) -> int:
        return sum(1 for r in self.records if r.date_raw)

    @property
    def mean_title(self) -> float:
        return sum(len(r.title) for r in self.records) / max(len(self.records), 1)


class _Page:
    """One parsed page with the lookups shared by the passes (read-only on the shared trees)."""

    def __init__(self, parsed: ParsedPage, page_url: str, crawl_date: date) -> None:
        raw = parsed.tree
        assert raw is not None
        self.crawl_date = crawl_date
        base = raw.find(".//base[@href]")
        base_href = base.get("href").strip() if base is not None else ""
        self.base_url = join_url(page_url, base_href) if base_href else page_url
        self.host = split_url(page_url).hostname or ""
        templates = _templates(raw)
        self.templates = _link_list_templates(templates)
        self.script_list = _script_list(raw)
        content = parsed.content_tree
        assert content is not None
        # The content tree is a part of the raw one: without templates there, none in it.
        self.root = _without_templates(content) if templates else content
        # The page's own tree has its chunks cached on the page (dates read them too).
        self._shared = parsed if self.root is content else None
        self._chunks: list[tuple[str, etree._Element]] | None = None
        self.order = {el: i for i, el in enumerate(self.root.iter())}
        self.hinted = _hinted_elements(self.root)
        self._anchors: dict[etree._Element, tuple[bool, str, str]] = {}
        self._urls: dict[etree._Element, str] = {}

    def chunks(self) -> list[tuple[str, etree._Element]]:
        """The normalised text chunks of the page (dates.text_chunks), computed once."""
        if self._chunks is None and self._shared is not None:
            self._chunks = content_chunks(self._shared)
        elif self._chunks is None:
            self._chunks = list(text_chunks(self.root))
        return self._chunks

    def in_hinted(self, el: etree._Element) -> bool:
        return el in self.hinted

    def anchor(self, a: etree._Element) -> tuple[bool, str, str]:
        """``(is a content link, title, href)`` of an ``<a>``, computed once per anchor."""
        if a not in self._anchors:
            title = _anchor_title(a)
            href = _effective_href(a)
            ok = bool(href) and bool(title) and not PAGER_TEXT.match(title.replace(" ", ""))
            self._anchors[a] = (ok, title, href)
        return self._anchors[a]

    def url(self, a: etree._Element) -> str:
        """The absolute URL of an ``<a>``, joined once per anchor (records nest)."""
        if a not in self._urls:
            self._urls[a] = join_url(self.base_url, self.anchor(a)[2])
        return self._urls[a]


def _templates(root: etree._Element) -> list[etree._Element]:
    """Client-side repeat templates (bindings, not items)."""
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and any(k.startswith(TEMPLATE_REPEAT_ATTRS) for k in el.attrib)
    ]


def _link_list_templates(templates: list[etree._Element]) -> int:
    """How many templates are link-list templates (an anchor whose href is bound by script):
    the sign that the list may be filled by script."""
    return sum(1 for el in templates if any(_bound_href(a) for a in el.iter("a")))


def _without_templates(root: etree._Element) -> etree._Element:
    """The page's content tree, or, when it holds templates, a copy of it without them (the
    shared tree is never changed)."""
    if not _templates(root):
        return root
    own = copy.deepcopy(root)
    for el in _templates(own):
        if el.getparent() is not None:
            el.drop_tree()
    return own


def _script_list(root: etree._Element) -> bool:
    for script in root.iter("script"):
        attrs = " ".join(f"{k}={v}" for k, v in script.attrib.items())
        if SCRIPT_LIST_PATTERN.search(attrs) or SCRIPT_LIST_PATTERN.search(script.text or ""):
            return True
    return False


def _bound_href(a: etree._Element) -> bool:
    href = a.get("href") or ""
    return (
        "{{" in href
        or "${" in href
        or any("href" in k.lower() and k.lower() != "href" for k in a.attrib)
    )


def _class_tokens(el: etree._Element) -> set[str]:
    raw = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return {t for t in re.split(r"[^a-z0-9]+", raw) if t}


def _is_hint(el: etree._Element) -> bool:
    return (
        el.tag in REGION_HINT_TAGS
        or (el.get("role") or "").lower() in REGION_HINT_ROLES
        or any(part in token for token in _class_tokens(el) for part in REGION_HINT_PARTS)
    )


def _hinted_elements(root: etree._Element) -> set[etree._Element]:
    total = max(len("".join(root.itertext())), 1)
    hinted: set[etree._Element] = set()
    for el in root.iter():
        if not isinstance(el.tag, str) or el in hinted or not _is_hint(el):
            continue
        if len("".join(el.itertext())) > REGION_MAX_SHARE * total:
            continue  # a wrapper around the whole page, not a region
        hinted.update(x for x in el.iter() if isinstance(x.tag, str))
    return hinted


def _clean_title(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub("[\u200b-\u200f\u2060\ufeff]", "", text)).strip()


def _is_date_only(text: str) -> bool:
    norm = normalize_text(text)
    found = find_full_date(norm)
    if found is not None:
        s, e = found[2]
        return not _strip_decor(norm[:s] + " " + norm[e:])
    return find_short_date(_LABEL_WORDS.sub("", norm)) is not None


def _anchor_title(a: etree._Element) -> str:
    parts = [t for t in _own_texts(a) if not _is_date_only(t)]
    text = _clean_title(" ".join(parts))
    attr = _clean_title(a.get("title") or "")
    if not attr:
        return text
    if not text:
        return attr
    stem = _ELLIPSIS.sub("", text)
    if _ELLIPSIS.search(text) or (len(attr) > len(text) and attr.startswith(stem)):
        return attr  # the visible text is truncated
    return text


def _own_texts(el: etree._Element) -> list[str]:
    return [t for t in (s.strip() for s in el.itertext()) if t]


def _effective_href(a: etree._Element) -> str:
    """The link target; for ``javascript:``/``onclick`` links the URL quoted in the script."""
    href = (a.get("href") or "").strip()
    if "{{" in href or "${" in href:
        return ""  # an unrendered template binding
    if href and not href.startswith("#") and not _SKIP_HREF.match(href):
        return href
    # Old templates open documents by script: href="javascript:openWin('/art/..html')".
    script = f"{href} {a.get('onclick') or ''}"
    for quoted in _QUOTED.findall(script):
        if _URLISH.search(quoted):
            return quoted.strip()
    return ""


def _strip_decor(text: str) -> str:
    return _DECOR.sub("", _LABEL_WORDS.sub("", text))


def _chunk_date(text: str, strict: bool, page: _Page) -> tuple[date | None, str] | None:
    """The date a record chunk shows, if the chunk is a date (strict) or starts/ends with one."""
    found = find_full_date(text)
    if found is not None:
        value, raw, (start, end) = found
        before, after = _strip_decor(text[:start]), _strip_decor(text[end:])
        if (not before and not after) or (not strict and (not before or not after)):
            return value, raw
        return None
    short = find_short_date(_LABEL_WORDS.sub("", text))
    if short is None:
        return None
    month, day, raw = short
    return parse_date_text(raw, context_year=page.crawl_date.year, ref=page.crawl_date), raw


def _record_chunks(el: etree._Element) -> Iterable[tuple[str, etree._Element]]:
    yield from text_chunks(el)
    if el.tag == "a" and el.tail and el.tail.strip():
        # <a>title</a>(2021-02-20)<br/>: the date is the anchor's tail.
        yield normalize_text(el.tail).strip(), el.getparent()


def _split_date(texts: list[str]) -> tuple[date | None, str] | None:
    """A date printed in two adjacent pieces: ``<span>20</span><p>2021-02</p>``, ``02-20 2021``."""
    for first, second in zip(texts, texts[1:], strict=False):
        for a, b in ((first, second), (second, first)):
            a_clean, b_clean = a.strip(_BRACKETS), b.strip(_BRACKETS)
            ym, day = _YEAR_MONTH.match(a_clean), _DAY.match(b_clean)
            if ym and day:
                return _safe_date(ym.group(1), ym.group(2), day.group(1)), f"{first} {second}"
            year, md = _YEAR.match(a_clean), _MONTH_DAY.match(b_clean)
            if year and md:
                return _safe_date(year.group(1), md.group(1), md.group(2)), f"{first} {second}"
    return None


def _safe_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _record_date(
    el: etree._Element, anchor: etree._Element, page: _Page
) -> tuple[date | None, str, list[str]]:
    strict_hits: list[tuple[date | None, str, bool]] = []
    loose_hits: list[tuple[date | None, str, bool]] = []
    texts: list[str] = []
    for text, holder in _record_chunks(el):
        texts.append(text)
        inside = holder is anchor or anchor in holder.iterancestors()
        hit = _chunk_date(text, strict=True, page=page)
        labelled = "发布" in text
        if hit is not None:
            strict_hits.append((hit[0], hit[1], labelled))
        elif not inside and (hit := _chunk_date(text, strict=False, page=page)) is not None:
            loose_hits.append((hit[0], hit[1], labelled))
    if not any(_FULL_YEAR.search(h[1]) for h in strict_hits):
        split = _split_date(texts)
        if split is not None:
            strict_hits = [(split[0], split[1], False)]
    hits = strict_hits or loose_hits
    if not hits:
        return None, "", []
    # Several dates (成文日期 and 发布日期 columns): the one labelled 发布, else the latest valid.
    labelled = [h for h in hits if h[2]]
    valid = [h for h in (labelled or hits) if h[0] is not None]
    chosen = max(valid, key=lambda h: h[0]) if valid else (labelled or hits)[0]
    value, raw = chosen[0], chosen[1]
    if value is None:
        return None, raw, ["impossible"]
    if value > page.crawl_date:
        # A date in the future is not trusted (a faked date is itself a finding).
        return None, raw, ["future"]
    return value, raw, []


def _record(el: etree._Element, page: _Page) -> _Record | None:
    anchors = []
    for a in el.iter("a"):
        if page.anchor(a)[0]:
            anchors.append(a)
            if len(anchors) > MAX_RECORD_ANCHORS:
                return None
    if not anchors:
        return None
    main = max(anchors, key=lambda a: len(page.anchor(a)[1]))
    title = page.anchor(main)[1]
    other_text = sum(len(t) for t in _own_texts(el)) - len(title)
    if other_text > MAX_RECORD_TEXT:
        return None
    value, raw, flags = _record_date(el, main, page)
    url = page.url(main)
    return _Record(el, title, url, value, raw, flags)


def _raw_groups(page: _Page) -> list[_Group]:
    groups: list[_Group] = []
    for parent in page.root.iter():
        if not isinstance(parent.tag, str):
            continue
        by_tag: dict[str, list[etree._Element]] = {}
        for child in parent:
            if isinstance(child.tag, str) and child.tag in RECORD_TAGS:
                by_tag.setdefault(child.tag, []).append(child)
        for tag, children in by_tag.items():
            records = [r for r in (_record(c, page) for c in children) if r is not None]
            if not records:
                continue
            dated = sum(1 for r in records if r.date_raw)
            share_ok = dated > 0 and dated >= MIN_DATED_SHARE * len(records)
            groups.append(_Group(records, [parent], tag, share_ok))
    return groups


def _merge_key(group: _Group, page: _Page) -> tuple[object, ...]:
    """Groups merge when their parents are siblings or cousins of the same shape and class.

    Class names are compared with digits removed (``con1``/``con2`` panels are one shape), so a
    ``sidebar`` box never merges into the neighbouring ``list`` box.
    """
    parent = group.parents[0]
    up = parent.getparent()
    anchor = up.getparent() if up is not None and up.getparent() is not None else up
    return (
        anchor if anchor is not None else parent,
        up.tag if up is not None else None,
        _shape_class(up),
        parent.tag,
        _shape_class(parent),
        group.tag,
        group.dated_share_ok,
        page.in_hinted(parent),
    )


def _shape_class(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return re.sub(r"\d+", "", " ".join(sorted((el.get("class") or "").split())))


def _merged_groups(page: _Page) -> list[_Group]:
    """Merge sibling/cousin groups of the same shape (lists split into several containers)."""
    merged: dict[tuple[object, ...], _Group] = {}
    for group in _raw_groups(page):
        key = _merge_key(group, page)
        if key in merged:
            merged[key].records.extend(group.records)
            merged[key].parents.extend(group.parents)
        else:
            merged[key] = group
    out = list(merged.values())
    for group in out:
        group.records.sort(key=lambda r: page.order.get(r.element, 0))
        group.hinted = all(page.in_hinted(p) for p in group.parents)
    return out


def _group_rank(group: _Group) -> tuple[float, int, float, int]:
    weight = 0.5 if group.hinted else 1.0
    depth = sum(1 for _ in group.records[0].element.iterancestors())
    return (group.dated * weight, len(group.records), group.mean_title, -depth)


def _dated_groups(groups: list[_Group]) -> list[_Group]:
    return [g for g in groups if g.dated_share_ok and g.dated >= MIN_DATED_GROUP]


def _single_record_list(groups: list[_Group]) -> _Group | None:
    """A one-item list: one dated record in a list container, outside navigation regions."""
    for group in groups:
        if (
            len(group.records) == 1
            and group.dated == 1
            and not group.hinted
            and group.tag in SINGLE_RECORD_TAGS
            and group.parents[0].tag in LIST_PARENT_TAGS
        ):
            return group
    return None


# --- page-level signals ---------------------------------------------------------------------------


def _content_chars(page: _Page, skip: set[etree._Element]) -> int:
    """Word characters of prose in the richest block (links, records, hinted regions left out)."""
    blocks = {
        "div",
        "td",
        "th",
        "article",
        "section",
        "main",
        "body",
        "blockquote",
        "li",
        "dd",
        "form",
        "center",
        "font",
    }
    totals: dict[etree._Element, int] = {}
    for text, holder in page.chunks():
        if holder in skip or page.in_hinted(holder):
            continue
        chain = [holder, *holder.iterancestors()]
        if any(x.tag == "a" or x in skip for x in chain):
            continue
        block = next((x for x in chain if x.tag in blocks), page.root)
        totals[block] = totals.get(block, 0) + len(_WORD.findall(text))
    return max(totals.values(), default=0)


def _record_elements(groups: Iterable[_Group]) -> set[etree._Element]:
    out: set[etree._Element] = set()
    for group in groups:
        for record in group.records:
            out.update(x for x in record.element.iter() if isinstance(x.tag, str))
    return out


def _hidden(el: etree._Element) -> bool:
    for x in [el, *el.iterancestors()]:
        if any(k in CONDITIONAL_ATTRS for k in x.attrib):
            return True
        if re.search(r"display\s*:\s*none|visibility\s*:\s*hidden", x.get("style") or ""):
            return True
    return False


def _placeholder(page: _Page) -> str | None:
    max_chars, phrases, exact = _placeholder_table()
    for text, holder in text_chunks(page.root, normalize=False):
        if len(text) > max_chars or page.in_hinted(holder):
            continue
        squashed = re.sub(r"[\s!！.。,，~～…:：\-—]+", "", normalize_text(text))
        if not (squashed in exact or any(p in squashed for p in phrases)):
            continue
        if holder.tag == "a" or any(x.tag == "a" for x in holder.iterancestors()):
            continue
        if _hidden(holder):
            continue  # a message shown only when a script finds nothing
        return text
    return None


def _has_list_header(page: _Page) -> bool:
    for text, holder in page.chunks():
        if re.sub(r"\s+", "", text) not in HEADER_TITLE_WORDS:
            continue
        row = holder.getparent()
        if row is None:
            continue
        words = {re.sub(r"\s+", "", t) for t, _ in text_chunks(row)}
        if words & HEADER_DATE_WORDS:
            return True
    return False


def _list_signals(page: _Page) -> list[str]:
    """Signs of a list page that shows no items: a list script, a pager, an empty container."""
    signals = ["script_list"] if page.script_list else []
    for text, holder in page.chunks():
        if not page.in_hinted(holder) and PAGER_SIGNAL.search(text):
            signals.append("pager")
            break
    for el in page.root.iter(*LIST_CONTAINER_TAGS):
        if page.in_hinted(el) or any(isinstance(c.tag, str) for c in el):
            continue
        if "".join(el.itertext()).strip():
            continue
        block = el.getparent()
        if block is not None and not any(page.anchor(a)[0] for a in block.iter("a")):
            signals.append("empty_container")
            break
    return signals


def _is_doc_url(url: str) -> bool:
    parts = split_url(url)
    # The query only when there is one: "$"-anchored shapes (/501052.html) must see the path end.
    return bool(_DOC_URL.search(parts.path + (f"?{parts.query}" if parts.query else "")))


def _undated_list(groups: list[_Group], page: _Page) -> _Group | None:
    best = None
    for group in groups:
        if group.hinted:
            continue
        # Without dates, structure is all there is: a breadcrumb bar or a menu box beside an
        # article body is a region of the page, not a record of a list.
        records = [r for r in group.records if not page.in_hinted(r.element)]
        if len(records) < UNDATED_MIN_RECORDS:
            continue
        group = _Group(records, group.parents, group.tag, group.dated_share_ok, group.hinted)
        if group.mean_title < UNDATED_MIN_TITLE:
            continue
        docs = sum(1 for r in group.records if _is_doc_url(r.url))
        if docs < DOC_URL_SHARE * len(group.records):
            continue
        if best is None or _group_rank(group) > _group_rank(best):
            best = group
    return best


def _navigation_links(page: _Page) -> int:
    count = 0
    for a in page.root.iter("a"):
        if page.in_hinted(a) or not page.anchor(a)[0]:
            continue
        url = join_url(page.base_url, page.anchor(a)[2])
        if split_url(url).hostname != page.host or _is_doc_url(url):
            continue
        if len(page.anchor(a)[1]) <= NAV_LINK_MAX_TEXT:
            count += 1
    return count


# --- public API -----------------------------------------------------------------------------------


def _items(group: _Group) -> list[ListItem]:
    return [
        ListItem(r.title, r.url, r.date, r.date_raw, "list" if r.date_raw else "none", r.flags)
        for r in group.records
    ]


def _verdict_notes(page: _Page, items: list[ListItem]) -> list[str]:
    notes = []
    if page.templates:
        notes.append("script_template")
    future = sum(1 for i in items if "future" in i.flags)
    if future:
        notes.append(f"future_dates:{future}")
    return notes


def _article_meta(root: etree._Element) -> bool:
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in ARTICLE_META_NAMES and (meta.get("content") or "").strip():
            return True
        if name == "og:type" and (meta.get("content") or "").strip().lower() == "article":
            return True
    return False


def _visible_date_label(page: _Page, skip: set[etree._Element]) -> bool:
    """A 发布时间：/时间： date outside lists and page chrome: the header of an article."""
    chunks = page.chunks()
    found = label_dates(
        chunks,
        page.crawl_date,
        skip=lambda el: el in skip or page.in_hinted(el),
        tiers=LABEL_TIERS[:1],
    )
    return bool(found)


def _list_verdict(page: _Page, main: _Group, article_meta: bool) -> ListResult:
    """A dated list was found: is it the page's list, or a box on an article or blank page?"""
    items = _items(main)
    records = _record_elements([main])
    prose = _content_chars(page, records)
    labelled = _visible_date_label(page, records)
    title_chars = sum(len(i.title) for i in items)
    if labelled and prose >= CONTENT_MIN_CHARS and prose > title_chars:
        # An article header date plus a body outweighing the list: a "related articles" box.
        return ListResult([], False, None, ["article_page", *_verdict_notes(page, [])])
    if len(items) < LARGE_LIST:
        if article_meta or (prose >= CONTENT_MIN_CHARS and prose > title_chars):
            return ListResult([], False, None, ["content_page", *_verdict_notes(page, [])])
        if labelled:
            return ListResult([], False, None, ["article_page", *_verdict_notes(page, [])])
    if main.hinted and (placeholder := _placeholder(page)) is not None:
        # The only dated list is a side box; the column itself says it is empty.
        return ListResult([], True, placeholder, ["placeholder", *_verdict_notes(page, [])])
    if (
        main.hinted
        and prose >= SIDE_BOX_MIN_BODY
        and not _has_list_header(page)
        and not _list_signals(page)
    ):
        # The only dated list is a side box (相关阅读) beside a body, and nothing on the page
        # says "list" (no pager, no empty list, no list script): an article, however short.
        return ListResult([], False, None, ["article_page", *_verdict_notes(page, [])])
    notes = ["dated_list", *(["article_meta"] if article_meta else [])]
    return ListResult(items, True, None, notes + _verdict_notes(page, items))


def extract_items(html: str | ParsedPage, page_url: str, crawl_date: date) -> ListResult:
    """The items of a list page (or fragment), and whether the page is a list at all.

    See the module docstring for the order of the verdicts.  ``page_url`` resolves relative
    links (a ``<base href>`` wins); ``crawl_date`` completes short dates and flags future ones.
    ``html`` may be the page already parsed (crawler/page.py): the verdict is then computed
    once per page, URL and date, and shared (its users must not change it).
    """
    parsed = as_page(html, page_url)
    return parsed.memo(
        ("extract_items", page_url, crawl_date),
        lambda: _extract_items(parsed, page_url, crawl_date),
    )


def _listing_page(parsed: ParsedPage, page_url: str, crawl_date: date) -> _Page | None:
    if parsed.tree is None:
        return None
    return parsed.memo(
        ("listing_page", page_url, crawl_date), lambda: _Page(parsed, page_url, crawl_date)
    )


def _extract_items(parsed: ParsedPage, page_url: str, crawl_date: date) -> ListResult:
    page = _listing_page(parsed, page_url, crawl_date)
    if page is None:
        return ListResult([], False, None, ["empty_document"])
    article_meta = _article_meta(parsed.tree)
    groups = _merged_groups(page)
    main = max(_dated_groups(groups), key=_group_rank, default=None)
    main = main or _single_record_list(groups)
    if main is not None:
        return _list_verdict(page, main, article_meta)
    if article_meta or _content_chars(page, set()) >= CONTENT_MIN_CHARS:
        return ListResult([], False, None, ["content_page", *_verdict_notes(page, [])])
    if _visible_date_label(page, set()):
        return ListResult([], False, None, ["article_page", *_verdict_notes(page, [])])
    placeholder = _placeholder(page)
    if placeholder is not None:
        return ListResult([], True, placeholder, ["placeholder", *_verdict_notes(page, [])])
    undated = _undated_list(groups, page)
    if undated is not None:
        items = _items(undated)
        return ListResult(items, True, None, ["undated_items", *_verdict_notes(page, items)])
    signals = (["list_header"] if _has_list_header(page) else []) + _list_signals(page)
    if not signals and not page.templates:
        # Nothing says "this is an (empty) list": a short content page (联系我们, a notice
        # board of links) must never become a blank column.
        verdict = (
            "navigation_page" if _navigation_links(page) >= NAV_PAGE_MIN_LINKS else "no_signal"
        )
        return ListResult([], False, None, [verdict, *_verdict_notes(page, [])])
    return ListResult([], True, None, ["no_items", *signals, *_verdict_notes(page, [])])


def homepage_newest(html: str | ParsedPage, page_url: str, crawl_date: date) -> date | None:
    """The newest trusted item date among all dated lists of a page (homepages hold several)."""
    page = _listing_page(as_page(html, page_url), page_url, crawl_date)
    if page is None:
        return None
    dates = [
        r.date for g in _dated_groups(_merged_groups(page)) for r in g.records if r.date is not None
    ]
    return max(dates, default=None)
