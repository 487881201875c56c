"""Publication dates of government pages (pure functions: no network, no Scrapy objects).

All dates are Asia/Shanghai calendar dates: a timestamp that carries a time-zone offset is
converted to UTC+8 before its day is taken (China has no daylight saving time, so a fixed offset
is exact); a timestamp without an offset is taken as local Shanghai time.

Precedence of :func:`article_date` (the first source that yields a candidate wins)
-----------------------------------------------------------------------------------
1. ``label:<name>`` -- a date printed after a visible label such as ``发布时间：``,
   ``发布日期:``, ``时间：`` or ``日期：`` outside the 政府信息公开 metadata table.  The rules
   judge what the assessor sees, and the visible 发布日期 is what an assessor sees.  Labels of
   ``LABEL_TIERS[0]`` beat those of ``LABEL_TIERS[1]`` (生成日期, 更新时间 ...); within one tier
   the first in document order wins (the article header comes before the body, whose text may
   quote other dates), except that when labelled dates disagree, the first one confirmed by the
   table, a meta tag or the URL wins (a "today" widget in the page header also has a label).  A
   label must not be glued to a preceding Chinese character, so ``停电时间：`` or
   ``咨询时间：`` are not labels.
2. ``table:发布日期`` -- the 发布日期 (or 公开日期 ...) cell of the metadata table.  成文日期
   (or 生成日期 inside the table) never wins: it is the document's signing date and is returned
   separately as ``written``.
3. ``meta:<name>`` -- ``<meta>`` tags in ``META_DATE_NAMES`` order (PubDate, firstpublishedtime,
   Maketime, ...).
4. ``url`` -- a day-precise date in the URL (TRS ``t20210220_``, Hanweb ``/art/2021/2/20/``,
   gov.cn ``/2021-02/20/content_``).  A month-only folder such as ``/202102/`` is not a day: it
   is listed among the candidates (flag ``month_only``, date None) but never wins.
5. ``htmldate`` -- htmldate's ``find_date`` with ``original_date=True`` and ``max_date`` set to
   the crawl date, as the last resort.

Whatever wins is returned even when it is flagged: a winner after the crawl date gets the flag
``future`` and an invalid one (2021-02-30, year before ``MIN_YEAR``) the flag ``impossible``; in
both cases ``date`` is None and ``raw`` keeps the text, because a faked or broken visible date is
a finding in itself and must not be hidden behind a lower-precedence source.  Every candidate
found is returned in ``candidates`` so that evidence can show disagreements: the result gets the
flag ``disagreement`` when the non-URL candidates name different days (URL dates are left out:
TRS stamps the URL with the creation day, which legitimately differs from the publication day).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

import lxml.html
from lxml import etree

from govinspect.crawler.page import (
    HIDDEN_TAGS,
    WIDGET_TAGS,
    ParsedPage,
    as_page,
    drop_elements,
    parse_document,
)
from govinspect.crawler.urls import split_url

SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")

# --- data: labels, meta names, URL patterns, limits (the one place for these tables) --------------

#: Visible labels that introduce a page's publication date, in two tiers (see module doc).
LABEL_TIERS: tuple[tuple[str, ...], ...] = (
    (
        "发布时间",
        "发布日期",
        "发稿时间",
        "发表时间",
        "公开日期",
        "公开时间",
        "公布日期",
        "公布时间",
        "发文时间",
        "时间",
        "日期",
    ),
    ("生成日期", "更新时间", "更新日期", "录入时间", "上传时间", "信息时间"),
)

#: Canonical 政府信息公开 metadata fields and the label variants seen on real templates.
DISCLOSURE_LABELS: dict[str, tuple[str, ...]] = {
    "索引号": ("索引号", "信息索引号", "索取号"),
    "主题分类": ("主题分类", "信息分类", "所属主题", "分类"),
    "体裁分类": ("体裁分类", "体裁"),
    "发布机构": (
        "发布机构",
        "发文机关",
        "发文单位",
        "发布单位",
        "制发机关",
        "公开机构",
        "信息来源",
        "来源",
    ),
    "成文日期": ("成文日期", "成文时间", "形成日期", "签发日期", "印发日期"),
    "生成日期": ("生成日期",),
    "发文字号": ("发文字号", "文号", "发文文号", "文件编号"),
    "发布日期": ("发布日期", "公开日期", "发布时间", "公布日期"),
    "有效性": ("有效性", "时效性", "效力状态", "是否有效"),
    "标题": ("标题", "名称", "信息名称", "文件名称"),
    "主题词": ("主题词", "关键词"),
    "公开方式": ("公开方式",),
    "公开范围": ("公开范围",),
    "实施日期": ("实施日期", "生效日期"),
    "废止日期": ("废止日期", "失效日期"),
}

#: Metadata fields whose value must be a date.
DISCLOSURE_DATE_FIELDS = frozenset({"成文日期", "生成日期", "发布日期", "实施日期", "废止日期"})
#: Fields that count as "the date the document was written", in order of preference.
WRITTEN_DATE_FIELDS = ("成文日期", "生成日期")
#: Fields of the table that carry the publication date, in order of preference.
TABLE_PUBLISHED_FIELDS = ("发布日期",)
#: A block holding this many distinct metadata fields is the metadata table.
DISCLOSURE_MIN_FIELDS = 3
#: Longest plausible metadata value (longer text is body prose that happens to follow a label).
DISCLOSURE_MAX_VALUE = 120

#: ``<meta>`` names/properties carrying a publication date, most trusted first.
META_DATE_NAMES: tuple[str, ...] = (
    "PubDate",
    "firstpublishedtime",
    "Maketime",
    "publishdate",
    "publish_date",
    "pubtime",
    "article:published_time",
    "og:published_time",
    "dcterms.issued",
    "DC.date.issued",
    "DC.Date",
    "date",
)

#: Day-precise date patterns in URLs: (name, regex with groups year, month, day).
URL_DAY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("trs", r"/t(\d{4})(\d{2})(\d{2})_\d+"),
    ("hanweb", r"/art/(\d{4})/(\d{1,2})/(\d{1,2})/"),
    ("govcn", r"/(\d{4})-(\d{2})/(\d{2})/content_"),
    ("ymd_dir", r"/(\d{4})-(\d{2})-(\d{2})/"),
    ("ymd_compact_dir", r"/(\d{4})(\d{2})(\d{2})/"),
    ("y_md_dir", r"/(\d{4})/(\d{2})(\d{2})/"),
)
#: Month-only folders: recorded, never a day.
URL_MONTH_PATTERNS: tuple[str, ...] = (r"/(\d{4})(\d{2})/", r"/(\d{4})-(\d{2})/")

#: Earliest plausible web publication year; earlier dates are flagged ``impossible``.
MIN_YEAR = 1995
#: Plausible range for any parsed year (outside it a digit run is not a date at all).
YEAR_RANGE = (1900, 2100)

#: Elements whose text is never a visible date.
_INVISIBLE_TAGS = (*HIDDEN_TAGS, *WIDGET_TAGS)

# --- regular expressions --------------------------------------------------------------------------

_TIME = r"(?:\s*T?\s*(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2}))?(?:\.\d+)?\s*(?:秒)?)?"
_TZ = r"(Z|[+-]\d{2}:?\d{2})?"
_FULL_DATE = re.compile(
    r"(?<!\d)(\d{4})\s*(?:([-/.])\s*(\d{1,2})\s*\2\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)"
    r"(?!\d)" + _TIME + _TZ
)
# No "." separator for short dates: "1.5" (a file size, a version) is not January 5th.
_SHORT_DATE = re.compile(
    r"(?<![\d.])(\d{1,2})\s*(?:([-/])\s*(\d{1,2})|月\s*(\d{1,2})\s*日?)(?![\d.])"
)
# Decorations allowed around a short date for it to count as a date at all.
_DECOR = re.compile(r"[\s\[\]【】()（）〔〕<>《》:：|,，]+")
_ZERO_WIDTH = re.compile("[\u200b-\u200f\u2060\ufeff]")
_CJK_BEFORE = r"(?<![\u3400-\u9fff])"


@dataclass
class DateResult:
    """One date found on a page, or the verdict of :func:`article_date`.

    ``source``: ``list``, ``meta:<name>``, ``label:<name>``, ``table:<name>``, ``url``,
    ``htmldate`` or ``none``.  ``flags``: ``future``, ``impossible``, ``month_only``,
    ``disagreement``.  ``candidates`` (verdicts only): every candidate found, in precedence
    order.  ``written`` (verdicts only): the 成文日期 of the metadata table, if any;
    ``table`` (verdicts only): the 政府信息公开 metadata table itself, as
    :func:`disclosure_metadata` reads it.
    """

    date: date | None
    source: str
    raw: str
    flags: list[str] = field(default_factory=list)
    candidates: list[DateResult] = field(default_factory=list)
    written: date | None = None
    table: dict[str, str] = field(default_factory=dict)


# --- text dates -----------------------------------------------------------------------------------


def normalize_text(text: str) -> str:
    """NFKC (full-width digits and colons to ASCII, ideographic spaces to spaces), no zero-width."""
    return _ZERO_WIDTH.sub("", unicodedata.normalize("NFKC", text))


def _make_date(year: int, month: int, day: int) -> date | None:
    if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _full_match_date(m: re.Match[str]) -> date | None:
    year = int(m.group(1))
    month, day = (m.group(3), m.group(4)) if m.group(2) else (m.group(5), m.group(6))
    tz = m.group(10)
    if tz and m.group(7) is not None:
        # A zoned timestamp: its Shanghai calendar day may differ from the printed day.
        try:
            offset = 0 if tz == "Z" else int(tz[0] + "1") * (int(tz[1:3]) * 60 + int(tz[-2:]))
            stamp = datetime(
                year,
                int(month),
                int(day),
                int(m.group(7)),
                int(m.group(8)),
                int(m.group(9) or 0),
                tzinfo=timezone(timedelta(minutes=offset)),
            )
        except ValueError:
            return None
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            return None
        return stamp.astimezone(SHANGHAI).date()
    return _make_date(year, int(month), int(day))


def find_full_date(text: str) -> tuple[date | None, str, tuple[int, int]] | None:
    """The first date-shaped ``YYYY-MM-DD``-like run in ``text``.

    Returns ``(date or None when invalid, raw text, span)`` or None when nothing date-shaped is
    present.  ``text`` must already be normalised with :func:`normalize_text`.
    """
    for m in _FULL_DATE.finditer(text):
        year = int(m.group(1))
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            continue
        return _full_match_date(m), m.group(0).strip(), m.span()
    return None


def _resolve_short(month: int, day: int, context_year: int | None, ref: date | None) -> date | None:
    year = context_year if context_year is not None else (ref.year if ref else None)
    if year is None:
        return None
    found = _make_date(year, month, day)
    if ref is not None and (found is None or found > ref):
        # [02-20] printed in January belongs to last year; so does 02-29 of a non-leap year.
        earlier = _make_date(year - 1, month, day)
        if found is None or (earlier is not None and earlier <= ref):
            found = earlier
    return found


def find_short_date(text: str) -> tuple[int, int, str] | None:
    """``(month, day, raw)`` when ``text`` is nothing but a short date such as ``[02-20]``."""
    m = _SHORT_DATE.search(text)
    if not m:
        return None
    rest = _DECOR.sub("", text[: m.start()] + text[m.end() :])
    if rest:
        return None
    month, day = (m.group(1), m.group(3)) if m.group(2) else (m.group(1), m.group(4))
    return int(month), int(day), m.group(0).strip()


def parse_date_text(
    text: str, context_year: int | None = None, ref: date | None = None
) -> date | None:
    """Parse a date written in one of the fixed formats used by Chinese government sites.

    Full dates (``2021-02-20``, ``2021/2/20``, ``2021.02.20``, ``2021年2月20日``, with or
    without a time, full-width digits) are searched anywhere in ``text``.  A short date
    (``[02-20]``, ``02-20``, ``2月20日``) is accepted only when it is the whole text (bar
    brackets and spaces); its year is ``context_year`` (default ``ref.year``), moved one year
    back when that would put it after ``ref``.  Invalid dates give None.
    """
    text = normalize_text(text)
    found = find_full_date(text)
    if found is not None:
        return found[0]
    short = find_short_date(text)
    if short is None:
        return None
    return _resolve_short(short[0], short[1], context_year, ref)


# --- HTML helpers ---------------------------------------------------------------------------------


def parse_html(html: str) -> lxml.html.HtmlElement | None:
    """An lxml document for a page or a fragment; None for empty or unparsable input."""
    return parse_document(html)


def drop_invisible(root: lxml.html.HtmlElement) -> None:
    """Remove scripts, styles, form widgets and comments in place (keeping the text that
    follows them): what :attr:`ParsedPage.content_tree` is made of, for a tree of one's own."""
    drop_elements(root, _INVISIBLE_TAGS)


def content_chunks(page: ParsedPage) -> list[tuple[str, etree._Element]]:
    """The normalised text chunks of the page's content tree, computed once per page."""
    return page.memo("content_chunks", lambda: _chunks_of(page.content_tree))


def _chunks_of(root: etree._Element | None) -> list[tuple[str, etree._Element]]:
    return list(text_chunks(root)) if root is not None else []


def text_chunks(
    root: etree._Element, normalize: bool = True
) -> Iterator[tuple[str, etree._Element]]:
    """Non-empty text nodes (normalised unless asked not to), in document order, with holders."""
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):
            continue
        if event == "start":
            raw = el.text
            holder = el
        else:
            if el is root:
                continue
            raw = el.tail
            holder = el.getparent()
        if raw:
            text = (normalize_text(raw) if normalize else raw).strip()
            if text:
                yield text, holder


def _label_regex(labels: tuple[str, ...], colon_required: bool) -> re.Pattern[str]:
    # Labels are often spaced out for alignment (索 引 号, 日　　期): allow spaces between chars.
    parts = sorted(labels, key=len, reverse=True)
    alt = "|".join(r"\s*".join(re.escape(ch) for ch in label) for label in parts)
    colon = r"\s*[:：]" if colon_required else r"\s*[:：]?"
    return re.compile(_CJK_BEFORE + "(" + alt + ")" + colon + r"\s*")


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- the metadata table ---------------------------------------------------------------------------

_VARIANT_TO_FIELD = {
    variant: name for name, variants in DISCLOSURE_LABELS.items() for variant in variants
}
_DISCLOSURE_RE = _label_regex(tuple(_VARIANT_TO_FIELD), colon_required=False)
_INDEX_NO = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-/_.()（）]{4,}$")


@dataclass
class _FieldHit:
    name: str
    value: str
    element: etree._Element


def _valid_value(name: str, value: str) -> bool:
    if not value or len(value) > DISCLOSURE_MAX_VALUE:
        return False
    if _VARIANT_TO_FIELD.get(_squash(value).rstrip(":：")):
        return False  # the next cell is another label: this one is empty
    if name in DISCLOSURE_DATE_FIELDS:
        return find_full_date(value) is not None
    if name == "索引号":
        return bool(_INDEX_NO.match(_squash(value)))
    return True


def _field_hits(chunks: list[tuple[str, etree._Element]]) -> list[_FieldHit]:
    hits: list[_FieldHit] = []
    for i, (text, element) in enumerate(chunks):
        m = _DISCLOSURE_RE.match(text)
        if not m:
            continue
        label = _squash(m.group(1))
        has_colon = bool(re.search(r"[:：]\s*$", m.group(0)))
        rest = text[m.end() :].strip()
        if not has_colon and rest:
            continue  # "标题党..." is prose, not a label
        value = rest or (chunks[i + 1][0] if i + 1 < len(chunks) else "")
        name = _VARIANT_TO_FIELD[label]
        if _valid_value(name, value):
            hits.append(_FieldHit(name, value, element))
    return hits


def _common_ancestor(elements: list[etree._Element]) -> etree._Element | None:
    if not elements:
        return None
    paths = [list(el.iterancestors())[::-1] + [el] for el in elements]
    common = None
    for level in zip(*paths, strict=False):
        if all(node is level[0] for node in level):
            common = level[0]
        else:
            break
    return common


def _metadata_block(hits: list[_FieldHit]) -> tuple[etree._Element | None, list[_FieldHit]]:
    """The element holding the first ``DISCLOSURE_MIN_FIELDS`` distinct fields, and its hits."""
    seen: dict[str, _FieldHit] = {}
    for hit in hits:
        seen.setdefault(hit.name, hit)
        if len(seen) >= DISCLOSURE_MIN_FIELDS:
            break
    if len(seen) < DISCLOSURE_MIN_FIELDS:
        return None, []
    block = _common_ancestor([h.element for h in seen.values()])
    if block is None:
        return None, []
    inside = [h for h in hits if h.element is block or block in h.element.iterancestors()]
    return block, inside


def _disclosure_from_chunks(
    chunks: list[tuple[str, etree._Element]],
) -> tuple[dict[str, str], etree._Element | None]:
    block, hits = _metadata_block(_field_hits(chunks))
    table: dict[str, str] = {}
    for hit in hits:
        table.setdefault(hit.name, re.sub(r"\s+", " ", hit.value).strip())
    return table, block


def disclosure_metadata(html: str | ParsedPage) -> dict[str, str]:
    """The 政府信息公开 metadata table of a detail page as ``{canonical field: value}``.

    Canonical fields are the keys of ``DISCLOSURE_LABELS`` (索引号, 主题分类, 发布机构,
    成文日期, 发文字号, 发布日期, 有效性 ...).  Only a block holding at least
    ``DISCLOSURE_MIN_FIELDS`` distinct fields counts, so a guide that explains "索引号：..." in
    prose is not mistaken for one; date fields must hold a date.  Empty dict when absent.
    """
    return _disclosure_from_chunks(content_chunks(as_page(html)))[0]


def _written_from_table(table: dict[str, str]) -> date | None:
    for name in WRITTEN_DATE_FIELDS:
        if name in table:
            found = find_full_date(normalize_text(table[name]))
            if found and found[0]:
                return found[0]
    return None


def written_date(html: str | ParsedPage) -> date | None:
    """The 成文日期 (document date) of the metadata table, or None."""
    return _written_from_table(disclosure_metadata(html))


# --- article dates --------------------------------------------------------------------------------


def _checked(found: date | None, raw: str, source: str, crawl_date: date) -> DateResult:
    if found is None:
        return DateResult(None, source, raw, ["impossible"])
    if found > crawl_date:
        return DateResult(None, source, raw, ["future"])
    if found.year < MIN_YEAR:
        return DateResult(None, source, raw, ["impossible"])
    return DateResult(found, source, raw)


def label_dates(
    chunks: list[tuple[str, etree._Element]],
    crawl_date: date,
    skip: Callable[[etree._Element], bool] | None = None,
    tiers: tuple[tuple[str, ...], ...] = LABEL_TIERS,
) -> list[DateResult]:
    """Dates printed right after a visible label (``发布时间：2021-02-20``), tier then doc order.

    ``chunks`` come from :func:`text_chunks`; chunks whose element ``skip`` accepts are ignored.
    The date may sit in the next chunk (``<span>时间：</span><span>2021-02-20</span>``).
    """
    found_by_tier: list[list[DateResult]] = [[] for _ in tiers]
    for tier, labels in enumerate(tiers):
        pattern = _label_regex(labels, colon_required=True)
        for i, (text, element) in enumerate(chunks):
            if skip is not None and skip(element):
                continue
            for m in pattern.finditer(text):
                after = text[m.end() :]
                if not after.strip() and i + 1 < len(chunks):
                    after = chunks[i + 1][0]
                found = find_full_date(after)
                # The date must follow the label directly, not somewhere later in the prose.
                if found is None or after[: found[2][0]].strip():
                    continue
                source = "label:" + _squash(m.group(1))
                found_by_tier[tier].append(_checked(found[0], found[1], source, crawl_date))
    return [candidate for tier in found_by_tier for candidate in tier]


def _inside(element: etree._Element, block: etree._Element | None) -> bool:
    return block is not None and (element is block or block in element.iterancestors())


def _table_candidates(table: dict[str, str], crawl_date: date) -> list[DateResult]:
    out = []
    for name in TABLE_PUBLISHED_FIELDS:
        if name in table:
            found = find_full_date(normalize_text(table[name]))
            if found:
                out.append(_checked(found[0], found[1], "table:" + name, crawl_date))
    return out


def _meta_candidates(root: lxml.html.HtmlElement | None, crawl_date: date) -> list[DateResult]:
    if root is None:
        return []
    metas: dict[str, str] = {}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if key and content and key not in metas:
            metas[key] = content
    out = []
    for name in META_DATE_NAMES:
        content = metas.get(name.lower())
        if not content:
            continue
        found = find_full_date(normalize_text(content))
        if found:
            out.append(_checked(found[0], found[1], "meta:" + name, crawl_date))
    return out


def url_date(url: str) -> DateResult | None:
    """The day-precise date in a URL, or a ``month_only`` result, or None."""
    path = split_url(url).path
    for _name, pattern in URL_DAY_PATTERNS:
        m = re.search(pattern, path)
        if m:
            found = _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if found is not None:
                return DateResult(found, "url", m.group(0))
    for pattern in URL_MONTH_PATTERNS:
        m = re.search(pattern, path)
        if m and 1 <= int(m.group(2)) <= 12 and YEAR_RANGE[0] <= int(m.group(1)) <= YEAR_RANGE[1]:
            return DateResult(None, "url", m.group(0), ["month_only"])
    return None


def _htmldate_candidate(page: ParsedPage, url: str, crawl_date: date) -> DateResult | None:
    from htmldate import find_date  # imported lazily: its import costs ~0.3 s

    if page.tree is None:
        return None
    try:
        # The shared tree: htmldate prunes a copy of a tree it is given, never the tree.
        found = find_date(
            page.tree,
            url=url or None,
            original_date=True,
            outputformat="%Y-%m-%d",
            max_date=crawl_date.isoformat(),
        )
    except (ValueError, TypeError):
        return None
    if not found:
        return None
    return _checked(date.fromisoformat(found), found, "htmldate", crawl_date)


def _pick_winner(candidates: list[DateResult]) -> DateResult | None:
    """The first usable candidate; among disagreeing visible labels, a corroborated one.

    A page may print two labelled dates (a "today is" widget, a 时间： line in a side box); when
    they disagree, the label whose day is confirmed by the table, a meta tag or the URL wins.
    """
    usable = [c for c in candidates if "month_only" not in c.flags]
    if not usable:
        return None
    labels = [c for c in usable if c.source.startswith("label:")]
    if len({c.date for c in labels}) > 1:
        others = {c.date for c in usable if not c.source.startswith("label:") and c.date}
        confirmed = next((c for c in labels if c.date in others), None)
        if confirmed is not None:
            return confirmed
    return usable[0]


def article_date(html: str | ParsedPage, url: str, crawl_date: date) -> DateResult:
    """The publication date of an article page; see the module docstring for the precedence.

    ``html`` may be the page already parsed (crawler/page.py): it is read, never changed.
    """
    page = as_page(html, url)
    chunks = content_chunks(page)
    table, block = _disclosure_from_chunks(chunks)
    candidates = label_dates(chunks, crawl_date, skip=lambda el: _inside(el, block))
    candidates += _table_candidates(table, crawl_date)
    candidates += _meta_candidates(page.content_tree, crawl_date)
    from_url = url_date(url) if url else None
    if from_url is not None:
        candidates.append(
            _checked(from_url.date, from_url.raw, "url", crawl_date) if from_url.date else from_url
        )
    winner = _pick_winner(candidates)
    if winner is None:
        fallback = _htmldate_candidate(page, url, crawl_date)
        if fallback is not None:
            candidates.append(fallback)
            winner = fallback
    result = (
        DateResult(winner.date, winner.source, winner.raw, list(winner.flags))
        if winner is not None
        else DateResult(None, "none", "")
    )
    result.candidates = candidates
    result.written = _written_from_table(table)
    result.table = dict(table)
    distinct = {c.date for c in candidates if c.date is not None and c.source != "url"}
    if len(distinct) > 1:
        result.flags.append("disagreement")
    return result
