"""One HTML page's analysis as a pure function: bytes in, a plain picklable result out.

:func:`analyse_page` reads everything the crawl wants to know from one page (links, title,
anchors, the soft-404 verdict short of the host baseline, the column/list/article-date facts,
content-safety facts, interaction facts) and touches no crawl state. That lets the spider run it
in worker processes (crawler/analysis_pool.py), and keep its result for the next crawl
(crawler/analysis_store.py). Everything that depends on the run (claims, scheduling, menu names
of columns, list-page claims, the host baseline, the once-per-run outbound links) is done by the
spider with the result (crawler/page_facts.py).

Each step may fail alone (crawler/analysis.py): its error is in ``result.errors``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from govinspect.crawler import columns as colmod
from govinspect.crawler import interaction, outcomes, sources
from govinspect.crawler.analysis import PageAnalysis
from govinspect.crawler.cms import trs_list_model
from govinspect.crawler.column_pages import column_key, is_content_column, page_number
from govinspect.crawler.dates import article_date
from govinspect.crawler.decode import decode_body
from govinspect.crawler.footer import footer_ids
from govinspect.crawler.links import ExtractResult, Link, extract_links
from govinspect.crawler.listing import extract_items, homepage_newest
from govinspect.crawler.page import ParsedPage, as_page
from govinspect.crawler.safety import SafetyScanner

#: Bump when the result's shape changes (the store also keys results by the code's hash).
ANALYSIS_VERSION = 1
#: Longest meta value kept in the page row.
MAX_META_CHARS = 500


@dataclass(frozen=True, slots=True)
class AnalysisContext:
    """What the analysis depends on besides the page: small, picklable, the same all run."""

    crawl_date: date
    home: str
    max_links_per_page: int
    scope: tuple[str, ...]
    content_safety: bool
    sensitive_words: str | None = None

    def fingerprint(self) -> str:
        """Everything but the crawl date (dates are re-resolved, see analysis_dates.py)."""
        return repr(
            (
                self.home,
                self.max_links_per_page,
                self.scope,
                self.content_safety,
                self.sensitive_words,
            )
        )


@dataclass(slots=True)
class ArticleDate:
    """The article-date verdict (dates.article_date) and what decides whether it still holds
    at another crawl date: ``stable`` when no candidate was in the future and htmldate (whose
    ``max_date`` is the crawl date) was not asked; ``latest``: the latest candidate date."""

    date: date | None
    source: str
    flags: list[str]
    table: dict[str, str]
    written: date | None
    stable: bool
    latest: date | None


@dataclass(slots=True)
class ColumnFacts:
    """The column/list/date analysis up to where the run's state decides.

    ``kind``: ``home`` (the homepage or its column: newest item, footer), ``article`` (a page
    declaring itself an article: its date only) or ``page`` (the list analysis below).
    """

    kind: str
    newest: date | None = None
    footer: Any = None
    article: ArticleDate | None = None
    items: list[Any] = field(default_factory=list)
    is_list: bool = False
    placeholder: str | None = None
    script_filled: bool = False
    more: list[sources.SourceRequest] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)
    crumbs: list[tuple[str, str | None]] = field(default_factory=list)
    key: str = ""
    page_no: int = 0
    record_count: int | None = None
    content_column: bool = False


@dataclass(slots=True)
class PageAnalysisResult:
    """Everything :func:`analyse_page` read from one page."""

    url: str
    final_url: str
    charset: str
    title: str
    meta: dict[str, str]
    links: list[Link]
    truncated: bool = False
    nofollow: bool = False
    anchors: list[str] | None = None
    anchors_truncated: bool = False
    #: The verdict before the host baseline: None means "compare with the baseline".
    verdict: tuple[str, str | None] | None = None
    signature: outcomes.Signature | None = None
    columns: ColumnFacts | None = None
    safety: dict[str, Any] | None = None
    interaction: Any = None
    errors: list[dict[str, str]] = field(default_factory=list)


def analyse_page(
    url: str,
    final_url: str,
    body: bytes,
    content_type: str,
    context: AnalysisContext,
    is_homepage: bool = False,
) -> PageAnalysisResult:
    """Analyse one 200 HTML page; ``url`` is the URL asked for, ``final_url`` the answer's."""
    text, charset = decode_body(body, content_type)
    # One parse for every step below (crawler/page.py): they share the tree read-only.
    parsed = ParsedPage(text, final_url)
    analysis = PageAnalysis(final_url)
    extracted = analysis.run(
        "links",
        lambda: extract_links(
            parsed, final_url, max_links=context.max_links_per_page, encoding=charset
        ),
        None,
    ) or ExtractResult([], parsed.title, final_url, {}, None)
    result = PageAnalysisResult(
        url=url,
        final_url=final_url,
        charset=charset,
        title=extracted.title,
        meta={k: v for k, v in extracted.meta.items() if len(v) < MAX_META_CHARS},
        links=extracted.links,
        truncated=extracted.truncated,
        nofollow=extracted.nofollow,
        anchors=extracted.anchors,
        anchors_truncated=extracted.anchors_truncated,
    )
    visible = analysis.run("visible_text", lambda: parsed.visible_text, "")
    result.verdict, result.signature = analysis.run(
        "soft_404",
        lambda: soft_404(url, final_url, extracted.title, text, extracted.refresh, visible),
        ((outcomes.OK, None), None),
    )
    if result.verdict is None or result.verdict[0] == outcomes.OK:
        # A "not found" page is no column and no article, whatever it looks like.
        result.columns = analysis.run(
            "columns",
            lambda: column_facts(parsed, final_url, result.meta, extracted, context, is_homepage),
            None,
        )
        if context.content_safety:
            result.safety = analysis.run(
                "content_safety",
                lambda: _safety(context).page(
                    url,
                    parsed,
                    extracted.base_url,
                    extracted.links,
                    visible,
                    charset or "utf-8",
                    extracted.title,
                    is_homepage,
                ),
                None,
            )
        article = result.columns.article if result.columns else None
        published = article.date if article else None
        result.interaction = analysis.run(
            "interaction",
            lambda: interaction.page_facts(
                parsed,
                final_url,
                page_title_field(extracted.title),
                published,
                context.crawl_date,
            ),
            None,
        )
    result.errors = analysis.errors
    return result


def soft_404(
    url: str, final_url: str, title: str, text: str, refresh: str | None, visible: str
) -> tuple[tuple[str, str | None] | None, outcomes.Signature | None]:
    """The page's own verdict, or None and the signature to compare with the host baseline."""
    verdict = pre_verdict(url, final_url, title, text, refresh, visible)
    if verdict is not None:
        return verdict, None
    return None, outcomes.signature(title or "", visible)


def pre_verdict(
    url: str, final_url: str, title: str, text: str, refresh: str | None, visible: str
) -> tuple[str, str | None] | None:
    """A 200 HTML page's verdict as far as the page alone tells; None: ask the host baseline."""
    if outcomes.is_challenge(text[:20000]):
        return outcomes.BLOCKED, "challenge page (WAF/anti-bot)"
    reason = outcomes.soft_404_reason(
        url=url,
        final_url=final_url,
        title=title or "",
        text=visible,
        refresh=refresh,
        baseline=None,
    )
    return (outcomes.SOFT_404, reason) if reason else None


def column_facts(
    text: str | ParsedPage,
    url: str,
    meta: dict[str, str],
    extracted: Any,
    context: AnalysisContext,
    is_homepage: bool,
) -> ColumnFacts:
    """The page as a column page (list or content), an article, or the homepage."""
    crawl_date = context.crawl_date
    if is_homepage or column_key(url) == column_key(context.home):
        facts = ColumnFacts("home")
        if is_homepage:
            facts.newest = homepage_newest(text, url, crawl_date)
            facts.footer = footer_ids(text)
        return facts
    if meta.get("ArticleTitle"):
        # Article pages declare themselves (政府网站发展指引 tags): no list to look for.
        return ColumnFacts("article", article=_article(text, url, crawl_date))
    listing = extract_items(text, url, crawl_date)
    model = trs_list_model(text, url)
    pager, datastores = extracted.pager, extracted.datastores
    items = listing.items
    more: list[sources.SourceRequest] = []
    if datastores:
        items = sources.datastore_items(datastores, url, crawl_date, as_page(text, url))
        more = [r for d in datastores for r in sources.hanweb_requests(d, url)]
    script_filled = bool(model is not None and model.script_filled and not items)
    if script_filled:
        more = sources.list_api_requests(model, url)
    crumbs = colmod.breadcrumb(text, url)
    is_list = listing.is_list or bool(datastores) or script_filled
    return ColumnFacts(
        "page",
        article=None if is_list else _article(text, url, crawl_date),
        items=items,
        is_list=is_list,
        placeholder=listing.placeholder,
        script_filled=script_filled,
        more=more,
        meta=colmod.column_meta(text),
        crumbs=crumbs,
        key=column_key(url, pager),
        page_no=page_number(url, pager),
        record_count=(
            sum(d.total_records or 0 for d in datastores)
            or (model.record_count if model is not None else None)
            or (pager.record_count if pager is not None else None)
        ),
        content_column=is_content_column(meta, crumbs, url),
    )


def _article(text: str | ParsedPage, url: str, crawl_date: date) -> ArticleDate:
    found = article_date(text, url, crawl_date)
    dated = [c.date for c in found.candidates if c.date is not None]
    stable = found.source not in ("htmldate", "none") and not any(
        "future" in c.flags for c in found.candidates
    )
    return ArticleDate(
        date=found.date,
        source=found.source,
        flags=list(found.flags),
        table=dict(found.table),
        written=found.written,
        stable=stable,
        latest=max(dated) if dated else None,
    )


@cache
def _scanner(scope: tuple[str, ...], sensitive_words: str | None) -> SafetyScanner:
    return SafetyScanner(scope, sensitive_words)


def _safety(context: AnalysisContext) -> SafetyScanner:
    """The process's scanner, without memory of earlier pages: which outbound links are new to
    the run is the spider's to decide (page_facts.py), so each page lists all of its own."""
    scanner = _scanner(context.scope, context.sensitive_words)
    scanner.outbound = {}
    return scanner


def page_title_field(title: str | None) -> str | None:
    """The title as the page row keeps it (and interaction reads it)."""
    return (title or "")[:1000] or None


def visible_text(text: str) -> str:
    """The text a visitor sees (one parse; analyse_page reads its ParsedPage's instead)."""
    return ParsedPage(text, "").visible_text
