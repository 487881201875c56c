"""The facts the checks judge, read from the store into plain frozen dataclasses.

Checks never touch the database: :func:`load_unit_facts` does (``facts_new_media`` loads the
new-media accounts), with bounded queries (the pages and links a check needs, never every page
of a 10^5-page crawl), and hands them a :class:`UnitFacts`.  Archived HTML is read lazily from
the WARC files, only for the few pages whose text is judged (the disclosure guide, policy
documents and their interpretations).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urldefrag

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from govinspect.checks import tables
from govinspect.checks.facts_interaction import InteractionFacts, load_interaction
from govinspect.checks.facts_new_media import AccountFacts, account_facts
from govinspect.checks.facts_safety import load_safety
from govinspect.checks.rubric import Rubric
from govinspect.checks.timeutil import day_start, local_date
from govinspect.registry import Unit as RegistryUnit
from govinspect.store import link_outcomes
from govinspect.store.archive import page_html
from govinspect.store.models import Column, ColumnItem, Link, LinkCheck, Page, Probe, Run

CHUNK = 500  # values per IN (...): well inside SQLite's and PostgreSQL's limits
NAMED_LINK_LIMIT = 500
NAV_DEPTH = 2  # navigation to the disclosure sections sits on the first pages of a site
# Columns whose every item is loaded (small, and judged over all years).
FULL_TYPES = ("annual_report", "disclosure_guide")
# Columns whose undated items are loaded too (documents are matched one by one).
DOCUMENT_TYPES = ("policy", "interpretation", "annual_report", "disclosure_guide")


# --- the dataclasses ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnitInfo:
    id: str
    name: str
    category: str
    website: str
    site_code: str | None = None
    exclude_links: tuple[str, ...] = ()  # registry patterns of link targets not counted as dead
    partner_hosts: tuple[str, ...] = ()
    reply_limit_working_days: int | None = None  # registry override of the rubric's limit


@dataclass(frozen=True, slots=True)
class CrawlInfo:
    id: int
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "complete"
    summary: Mapping[str, Any] = field(default_factory=dict)

    @property
    def day(self) -> date:
        """The Asia/Shanghai date the crawl started."""
        return local_date(self.started_at)

    @property
    def truncated(self) -> dict[str, Any]:
        """Why the crawl stopped short of the whole site (reason -> {count, examples})."""
        return {k: v for k, v in (self.summary.get("truncated") or {}).items() if v}


@dataclass(frozen=True, slots=True)
class PageFact:
    url: str
    id: int = 0
    final_url: str | None = None
    status: int | None = 200
    state: str = "ok"
    title: str | None = None
    is_homepage: bool = False
    published: date | None = None
    published_source: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)
    fetched_at: datetime | None = None
    charset: str | None = None
    content_type: str | None = "text/html"
    warc_file: str | None = None
    warc_offset: int | None = None

    @property
    def warc(self) -> dict[str, Any] | None:
        if not self.warc_file or self.warc_offset is None:
            return None
        return {"warc_file": self.warc_file, "warc_offset": self.warc_offset}

    @property
    def ok(self) -> bool:
        return self.state == "ok" and (self.status is None or self.status < 400)


@dataclass(frozen=True, slots=True)
class ItemFact:
    title: str
    url: str | None = None
    published: date | None = None
    date_source: str = "none"


@dataclass(frozen=True, slots=True)
class ColumnFact:
    name: str
    url: str
    type: str = "other"
    level: int = 1
    id: int = 0
    parent_url: str | None = None
    parent_name: str | None = None
    blank: bool = False
    placeholder: str | None = None
    script_filled: bool = False
    is_list: bool = True
    item_count: int = 0
    record_count: int | None = None
    newest: date | None = None
    undated: int = 0
    items: tuple[ItemFact, ...] = ()
    list_pages: tuple[str, ...] = ()  # every list page read (the first one is ``url``)


@dataclass(frozen=True, slots=True)
class LinkFact:
    """A link as written on a page (only for the pages whose links are judged)."""

    page_url: str
    target_url: str
    anchor_text: str | None = None
    kind: str = "page"
    on_homepage: bool = False


@dataclass(frozen=True, slots=True)
class LinkCheckFact:
    """A link target that is not ok (dead, unknown, or listed apart), with where it appears."""

    target_url: str
    outcome: str
    status: int | None = None
    error: str | None = None
    final_url: str | None = None
    checked_at: datetime | None = None
    attempts: tuple[Any, ...] = ()
    warc_file: str | None = None
    warc_offset: int | None = None
    found_on: tuple[str, ...] = ()  # a sample of source pages, homepage first
    found_on_total: int = 0
    on_homepage: bool = False
    kinds: tuple[str, ...] = ("page",)
    anchor_text: str | None = None

    @property
    def warc(self) -> dict[str, Any] | None:
        if not self.warc_file or self.warc_offset is None:
            return None
        return {"warc_file": self.warc_file, "warc_offset": self.warc_offset}


@dataclass(frozen=True, slots=True)
class ProbeFact:
    probed_at: datetime
    ok: bool
    status: int | None = None
    latency_ms: float | None = None
    error: str | None = None


TRISTATE = ("yes", "no", "unknown")


@dataclass(frozen=True, slots=True)
class Ipv6Fact:
    """What the crawl recorded about the site's IPv6 (``crawler/ipv6.py``, ``Run.summary.ipv6``).

    ``aaaa``: the host's DNS answered with AAAA records (yes), without them (no), or not at all
    or not asked (unknown); ``answered``: an HTTP response to the homepage came back over IPv6.
    ``reason`` says why a value is unknown (``ip_literal``, ``dns_failed``, ``no_ipv6_route``).
    """

    host: str = ""
    aaaa: str = "unknown"
    addresses: tuple[str, ...] = ()
    answered: str = "unknown"
    address: str | None = None
    status: int | None = None
    url: str | None = None
    reason: str | None = None
    error: str | None = None
    checked_at: str | None = None

    @classmethod
    def from_record(cls, record: Any) -> Ipv6Fact | None:
        """The stored record, or None when there is none (crawls before it was recorded)."""
        if not isinstance(record, Mapping):
            return None
        status = record.get("status")
        return cls(
            host=str(record.get("host") or ""),
            aaaa=_tristate(record.get("aaaa")),
            addresses=tuple(str(a) for a in record.get("addresses") or ()),
            answered=_tristate(record.get("answered")),
            address=record.get("address"),
            status=status if isinstance(status, int) else None,
            url=record.get("url"),
            reason=record.get("reason"),
            error=record.get("error"),
            checked_at=record.get("checked_at"),
        )


def _tristate(value: Any) -> str:
    return value if value in TRISTATE else "unknown"


@dataclass(frozen=True, slots=True)
class PreviousCrawl:
    """The crawl before the latest one: enough to compare update figures (trend)."""

    crawl: CrawlInfo
    item_dates: Mapping[str, tuple[date, ...]] = field(default_factory=dict)  # column url -> dates


class HtmlSource(Protocol):
    def html(self, page: PageFact) -> str | None:
        """The archived HTML of a page, or None when there is none."""
        ...


class WarcHtml:
    """Archived HTML read from the crawl's WARC files (paths relative to ``data_dir``)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._cache: dict[str, str | None] = {}

    def html(self, page: PageFact) -> str | None:
        if page.url in self._cache:
            return self._cache[page.url]
        text: str | None = None
        if page.warc_file and page.warc_offset is not None:
            try:
                text = page_html(self.data_dir, page.warc_file, page.warc_offset, page.charset)
            except (OSError, StopIteration, ValueError, LookupError):
                text = None  # a moved or damaged archive: the page counts as unreadable
        self._cache[page.url] = text or None
        return self._cache[page.url]


class MappingHtml:
    """HTML held in memory, by page URL (for callers that already have the pages)."""

    def __init__(self, pages: Mapping[str, str] | None = None) -> None:
        self.pages = dict(pages or {})

    def html(self, page: PageFact) -> str | None:
        return self.pages.get(page.url)


@dataclass(frozen=True)
class UnitFacts:
    """Everything the checks know about one unit at one as-of date."""

    unit: UnitInfo
    crawl: CrawlInfo | None = None
    previous: PreviousCrawl | None = None
    homepage: PageFact | None = None
    columns: tuple[ColumnFact, ...] = ()
    pages: Mapping[str, PageFact] = field(default_factory=dict)
    links: Mapping[str, tuple[LinkFact, ...]] = field(default_factory=dict)  # by source page
    link_checks: tuple[LinkCheckFact, ...] = ()
    named_links: tuple[LinkFact, ...] = ()
    probes: tuple[ProbeFact, ...] = ()
    accounts: tuple[AccountFacts, ...] = ()  # one per active new-media account
    safety: Any = None  # facts_safety.SafetyFacts: the content-safety facts of the crawl
    interaction: InteractionFacts = field(default_factory=InteractionFacts)
    source: HtmlSource = field(default_factory=MappingHtml)

    def page(self, url: str | None) -> PageFact | None:
        if not url:
            return None
        if self.homepage is not None and url == self.homepage.url:
            return self.homepage
        return self.pages.get(url)

    def html(self, page: PageFact | None) -> str | None:
        return self.source.html(page) if page is not None else None

    def links_from(self, page_url: str) -> tuple[LinkFact, ...]:
        return self.links.get(page_url, ())

    def is_column_page(self, url: str | None) -> bool:
        """Whether ``url`` is a page of one of the unit's columns (a list page, a content
        column), whatever spelling of the folder's index page it uses."""
        return bool(url) and page_identity(url) in self._column_pages  # type: ignore[arg-type]

    @functools.cached_property
    def _column_pages(self) -> frozenset[str]:
        return frozenset(page_identity(url) for c in self.columns for url in (c.url, *c.list_pages))

    @property
    def truncated(self) -> dict[str, Any]:
        return self.crawl.truncated if self.crawl is not None else {}

    @property
    def ipv6(self) -> Ipv6Fact | None:
        """The IPv6 fact the crawl recorded in its run summary, if it recorded one."""
        return Ipv6Fact.from_record(self.crawl.summary.get("ipv6")) if self.crawl else None


_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$", re.IGNORECASE)


def page_identity(url: str) -> str:
    """One spelling of a page address: no fragment, a folder's index page as the folder."""
    return _INDEX_PAGE.sub("/", urldefrag(url)[0])


# --- loading -----------------------------------------------------------------------------------


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _crawl_info(run: Run) -> CrawlInfo:
    return CrawlInfo(
        id=run.id,
        started_at=run.started_at,
        finished_at=run.finished_at,
        status=run.status,
        summary=dict(run.summary or {}),
    )


def latest_crawls(session: Session, unit_id: str, limit: int = 2) -> list[Run]:
    """The newest complete crawls of a unit, newest first."""
    return list(
        session.scalars(
            select(Run)
            .where(Run.kind == "crawl", Run.unit_id == unit_id, Run.status == "complete")
            .order_by(Run.started_at.desc(), Run.id.desc())
            .limit(limit)
        )
    )


def _page_fact(row: Page) -> PageFact:
    return PageFact(
        url=row.url,
        id=row.id,
        final_url=row.final_url,
        status=row.status,
        state=row.state,
        title=row.title,
        is_homepage=row.is_homepage,
        published=row.published,
        published_source=row.published_source,
        meta=dict(row.meta or {}),
        fetched_at=row.fetched_at,
        charset=row.charset,
        content_type=row.content_type,
        warc_file=row.warc_file,
        warc_offset=row.warc_offset,
    )


def _horizon(rubric: Rubric) -> int:
    t = rubric.thresholds
    return max(
        t.interpretation.document_lookback_days,
        t.disclosure.document_lookback_days,
        t.frequency.quarter_days,
        *t.frequency.periods,
        t.self_check.lookback_days,
    )


def _columns(session: Session, run_id: int, since: date) -> tuple[ColumnFact, ...]:
    columns = list(
        session.scalars(select(Column).where(Column.run_id == run_id).order_by(Column.id))
    )
    undated = dict(
        session.execute(
            select(
                ColumnItem.column_id,
                func.count(distinct(func.coalesce(ColumnItem.url, ColumnItem.title))),
            )
            .where(ColumnItem.run_id == run_id, ColumnItem.published.is_(None))
            .group_by(ColumnItem.column_id)
        ).all()
    )
    items: dict[int, dict[str, ItemFact]] = defaultdict(dict)
    wanted = or_(
        ColumnItem.published >= since,
        Column.type.in_(FULL_TYPES),
        and_(ColumnItem.published.is_(None), Column.type.in_(DOCUMENT_TYPES)),
    )
    rows = session.execute(
        select(
            ColumnItem.column_id,
            ColumnItem.title,
            ColumnItem.url,
            ColumnItem.published,
            ColumnItem.date_source,
        )
        .join(Column, Column.id == ColumnItem.column_id)
        .where(ColumnItem.run_id == run_id, wanted)
        .order_by(ColumnItem.id)
    )
    for column_id, title, url, published, source in rows:
        key = url or title
        known = items[column_id].get(key)
        if known is None or (known.published is None and published is not None):
            items[column_id][key] = ItemFact(
                title=title, url=url, published=published, date_source=source
            )
    return tuple(
        ColumnFact(
            name=c.name,
            url=c.url,
            type=c.type,
            level=c.level,
            id=c.id,
            parent_url=c.parent_url,
            parent_name=c.parent_name,
            blank=c.blank,
            placeholder=c.placeholder,
            script_filled=c.script_filled,
            is_list=c.is_list,
            item_count=c.item_count,
            record_count=c.record_count,
            newest=c.newest,
            undated=undated.get(c.id, 0),
            list_pages=tuple(c.list_pages or ()),
            items=tuple(
                sorted(
                    items[c.id].values(),
                    key=lambda i: (i.published or date.min, i.url or ""),
                    reverse=True,
                )
            ),
        )
        for c in columns
    )


def _wanted_urls(columns: Iterable[ColumnFact], per_column: int) -> set[str]:
    """Column pages, every document of the judged types, and a few articles per column."""
    urls: set[str] = set()
    for column in columns:
        urls.add(column.url)
        dated = [i for i in column.items if i.url]
        chosen = dated if column.type in DOCUMENT_TYPES else dated[:per_column]
        urls.update(i.url for i in chosen if i.url)
    return urls


def _pages(session: Session, run_id: int, urls: Iterable[str]) -> dict[str, PageFact]:
    wanted = sorted(set(urls))
    found: dict[str, PageFact] = {}
    for chunk in _chunks(wanted):
        for row in session.scalars(select(Page).where(Page.run_id == run_id, Page.url.in_(chunk))):
            found[row.url] = _page_fact(row)
    missing = [u for u in wanted if u not in found]
    for chunk in _chunks(missing):
        # A list may link the address a page redirected to.
        for row in session.scalars(
            select(Page).where(Page.run_id == run_id, Page.final_url.in_(chunk))
        ):
            found.setdefault(row.final_url or row.url, _page_fact(row))
    return found


#: Link kinds read from document pages: pages, and files (an interpretation may be a PDF).
DOCUMENT_LINK_KINDS = ("page", "attachment")


def _links_from(session: Session, pages: Iterable[PageFact]) -> dict[str, tuple[LinkFact, ...]]:
    """Page and attachment links written on the given pages (plain rows: thousands per run
    are common)."""
    by_id = {p.id: p.url for p in pages if p.id}
    out: dict[str, list[LinkFact]] = defaultdict(list)
    for chunk in _chunks(sorted(by_id)):
        rows = session.execute(
            select(Link.page_id, Link.target_url, Link.anchor_text, Link.kind, Link.on_homepage)
            # By page id alone (the ids belong to the run): the page_id index does the work.
            .where(Link.page_id.in_(chunk), Link.kind.in_(DOCUMENT_LINK_KINDS))
            .order_by(Link.id)
        )
        for page_id, target, anchor, kind, on_home in rows:
            source = by_id[page_id]
            out[source].append(
                LinkFact(
                    page_url=source,
                    target_url=target,
                    anchor_text=anchor,
                    kind=kind,
                    on_homepage=on_home,
                )
            )
    return {url: tuple(links) for url, links in out.items()}


def _link_checks(session: Session, run_id: int, limit: int) -> tuple[LinkCheckFact, ...]:
    outcomes = sorted(link_outcomes.DEAD | link_outcomes.UNKNOWN | link_outcomes.NOTED)
    checks = list(
        session.scalars(
            select(LinkCheck)
            .where(LinkCheck.run_id == run_id, LinkCheck.outcome.in_(outcomes))
            .order_by(LinkCheck.target_url)
        )
    )
    targets = [c.target_url for c in checks]
    totals: dict[str, tuple[int, bool]] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    samples: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    home = case((Link.on_homepage.is_(True), 1), else_=0)
    for chunk in _chunks(targets):
        for target, pages, on_home in session.execute(
            select(Link.target_url, func.count(distinct(Link.page_id)), func.max(home))
            .where(Link.run_id == run_id, Link.target_url.in_(chunk))
            .group_by(Link.target_url)
        ):
            totals[target] = (pages, bool(on_home))
        for target, kind in session.execute(
            select(Link.target_url, Link.kind)
            .where(Link.run_id == run_id, Link.target_url.in_(chunk))
            .distinct()
        ):
            kinds[target].add(kind)
        for target, page_url, anchor in _sample_sources(session, run_id, chunk, limit):
            samples[target].append((page_url, anchor))
    return tuple(
        LinkCheckFact(
            target_url=c.target_url,
            outcome=c.outcome,
            status=c.status,
            error=c.error,
            final_url=c.final_url,
            checked_at=c.checked_at,
            attempts=tuple(c.attempts or ()),
            warc_file=c.warc_file,
            warc_offset=c.warc_offset,
            found_on=tuple(dict.fromkeys(u for u, _ in samples.get(c.target_url, []))),
            found_on_total=totals.get(c.target_url, (0, False))[0],
            on_homepage=totals.get(c.target_url, (0, False))[1],
            kinds=tuple(sorted(kinds.get(c.target_url, ()))),
            anchor_text=next((a for _, a in samples.get(c.target_url, []) if a), None),
        )
        for c in checks
    )


def _sample_sources(
    session: Session, run_id: int, targets: Sequence[str], limit: int
) -> list[tuple[str, str, str | None]]:
    """Up to ``limit`` source pages per target, homepage and shallow pages first."""
    per_page = (
        select(
            Link.target_url.label("target"),
            Link.page_id.label("page_id"),
            func.max(Link.anchor_text).label("anchor"),
        )
        .where(Link.run_id == run_id, Link.target_url.in_(targets))
        .group_by(Link.target_url, Link.page_id)
        .subquery()
    )
    ranked = (
        select(
            per_page.c.target,
            Page.url.label("page_url"),
            per_page.c.anchor,
            func.row_number()
            .over(
                partition_by=per_page.c.target,
                order_by=(Page.is_homepage.desc(), Page.depth, Page.id),
            )
            .label("rank"),
        )
        .join(Page, Page.id == per_page.c.page_id)
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.target, ranked.c.page_url, ranked.c.anchor)
        .where(ranked.c.rank <= limit)
        .order_by(ranked.c.target, ranked.c.rank)
    )
    return [(t, u, a) for t, u, a in rows]


def _named_links(session: Session, run_id: int) -> tuple[LinkFact, ...]:
    """Links whose text names a standard disclosure section, on the site's first pages."""
    names = [n for s in tables.tables()["disclosure_sections"] for n in s["names"]]
    shallow = dict(
        session.execute(
            select(Page.id, Page.url)
            .where(Page.run_id == run_id, Page.depth <= NAV_DEPTH)
            .order_by(Page.depth, Page.id)
        ).all()
    )
    found: list[LinkFact] = []
    for chunk in _chunks(list(shallow)):
        # By page id, so the links index on page_id does the work on large runs.
        rows = session.execute(
            select(Link.page_id, Link.target_url, Link.anchor_text, Link.kind, Link.on_homepage)
            .where(
                Link.page_id.in_(chunk),
                Link.kind != "anchor",  # a fragment link's page#part twin names no new target
                or_(*(Link.anchor_text.contains(n, autoescape=True) for n in names)),
            )
            .order_by(Link.id)
        )
        found.extend(
            LinkFact(page_url=shallow[p], target_url=t, anchor_text=a, kind=k, on_homepage=h)
            for p, t, a, k, h in rows
        )
        if len(found) >= NAMED_LINK_LIMIT:
            break
    return tuple(found[:NAMED_LINK_LIMIT])


def _probes(session: Session, unit_id: str, as_of: date, days: int) -> tuple[ProbeFact, ...]:
    rows = session.scalars(
        select(Probe)
        .where(
            Probe.unit_id == unit_id,
            Probe.probed_at >= day_start(as_of - timedelta(days=days)),
            Probe.probed_at < day_start(as_of),
        )
        .order_by(Probe.probed_at)
    )
    return tuple(
        ProbeFact(
            probed_at=p.probed_at, ok=p.ok, status=p.status, latency_ms=p.latency_ms, error=p.error
        )
        for p in rows
    )


def _previous(session: Session, run: Run, days: int) -> PreviousCrawl:
    crawl = _crawl_info(run)
    dates: dict[str, list[date]] = defaultdict(list)
    for url, published in session.execute(
        select(Column.url, ColumnItem.published)
        .join(Column, Column.id == ColumnItem.column_id)
        .where(
            ColumnItem.run_id == run.id,
            ColumnItem.published >= crawl.day - timedelta(days=days),
            ColumnItem.published <= crawl.day,
        )
    ):
        dates[url].append(published)
    return PreviousCrawl(crawl=crawl, item_dates={u: tuple(sorted(d)) for u, d in dates.items()})


def _interpretation_targets(
    links: Mapping[str, tuple[LinkFact, ...]], known: set[str], columns: frozenset[str]
) -> set[str]:
    """Pages a document links to with words of an interpretation (解读, 图解 ...), column
    pages (the 政策解读 menu entry on every page) left out."""
    words = tables.tables()["interpretation"]["words"]
    return {
        link.target_url
        for group in links.values()
        for link in group
        if link.kind == "page"
        and link.target_url not in known
        and page_identity(link.target_url) not in columns
        and any(w in (link.anchor_text or "") for w in words)
    }


def unit_info(unit: RegistryUnit) -> UnitInfo:
    return UnitInfo(
        id=unit.id,
        name=unit.name,
        category=unit.category.value,
        website=unit.website,
        site_code=unit.site_code,
        exclude_links=tuple(unit.exclude_links),
        partner_hosts=tuple(unit.partner_hosts),
        reply_limit_working_days=unit.reply_limit_working_days,
    )


def load_unit_facts(
    session: Session, unit: UnitInfo, as_of: date, rubric: Rubric, data_dir: Path
) -> UnitFacts:
    """Read what the checks need about ``unit`` from its latest complete crawl."""
    t = rubric.thresholds
    probes = _probes(session, unit.id, as_of, t.availability.window_days)
    accounts = tuple(account_facts(session, unit.id, as_of, t.new_media.window_days))
    crawls = latest_crawls(session, unit.id)
    if not crawls:
        return UnitFacts(unit=unit, probes=probes, accounts=accounts, source=WarcHtml(data_dir))
    run = crawls[0]
    columns = _columns(session, run.id, as_of - timedelta(days=_horizon(rubric)))
    home_row = session.scalars(
        select(Page).where(Page.run_id == run.id, Page.is_homepage.is_(True)).order_by(Page.id)
    ).first()
    homepage = _page_fact(home_row) if home_row is not None else None
    named = _named_links(session, run.id)
    per_column = tables.tables()["page_meta_articles_per_column"]
    pages = _pages(
        session, run.id, _wanted_urls(columns, per_column) | {link.target_url for link in named}
    )
    documents = {
        i.url for c in columns if c.type in ("policy", "interpretation") for i in c.items if i.url
    }
    links = _links_from(session, [pages[u] for u in documents if u in pages])
    column_pages = frozenset(page_identity(url) for c in columns for url in (c.url, *c.list_pages))
    extra = _interpretation_targets(links, set(pages), column_pages)
    if extra:
        more = _pages(session, run.id, extra)
        pages.update(more)
        links.update(_links_from(session, more.values()))
    quarter = max(t.frequency.quarter_days, *t.frequency.periods)
    return UnitFacts(
        unit=unit,
        crawl=_crawl_info(run),
        previous=_previous(session, crawls[1], quarter) if len(crawls) > 1 else None,
        homepage=homepage,
        columns=columns,
        pages=pages,
        links=links,
        link_checks=_link_checks(session, run.id, t.dead_links.found_on_limit),
        named_links=named,
        probes=probes,
        accounts=accounts,
        interaction=load_interaction(session, run.id),
        source=WarcHtml(data_dir),
        safety=load_safety(session, run, crawls[1] if len(crawls) > 1 else None),
    )
