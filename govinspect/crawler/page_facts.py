"""The run's side of a page's analysis: what the spider does with a PageAnalysisResult.

crawler/page_analysis.py reads a page without touching the run; this mixin of the spider turns
the result into the run's facts: links claimed and scheduled, menu names of columns, the
host-baseline half of the soft-404 verdict, list pages claimed once per column, outbound links
counted once per run, interaction records and their follow-ups. A result made now, in a worker
process, or stored by an earlier crawl (crawler/analysis_store.py) gives the same facts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from scrapy.http import Request, Response

from govinspect.crawler import columns as colmod
from govinspect.crawler import outcomes
from govinspect.crawler.analysis import PageAnalysis
from govinspect.crawler.column_pages import column_key, column_name
from govinspect.crawler.items import ItemRecord, LinkRecord, ListPageRecord, SafetyRecord
from govinspect.crawler.page_analysis import ArticleDate, ColumnFacts, PageAnalysisResult
from govinspect.crawler.safety import OUTBOUND_FOUND_ON
from govinspect.crawler.urls import host_key, normalize_url
from govinspect.store.models import URL

if TYPE_CHECKING:
    from govinspect.crawler.items import PageRecord


class PageFactsMixin:
    """Methods of SiteSpider that consume an analysis result (it provides the rest)."""

    # Provided by SiteSpider.
    state: Any
    plan: Any
    baselines: dict[str, outcomes.Baseline | None]
    outbound_seen: dict[str, int]

    def _page_from_analysis(
        self, response: Response, gi: dict[str, Any], result: PageAnalysisResult
    ) -> Iterator[Any]:
        spider: Any = self
        if result.truncated:
            self.state.truncate("max_links_per_page", response.url)
        page = spider._page_record(response, gi, result.title, result.charset)
        page.meta = dict(result.meta)
        page_anchor_facts(page, result)
        depth = gi.get("depth", 0)
        links = spider._storable(result.links)
        page.links = [
            LinkRecord(link.url, link.raw[:2000], link.text, link.tag, link.attr, link.kind)
            for link in links
        ]
        # Targets no request can be made for are decided now, ahead of the page's row: a crawl
        # killed between two store batches never leaves one of them unverified.
        yield from spider._unfetchable([link.url for link in links if link.problem])
        followed = [link for link in links if link.problem is None and link.kind != "anchor"]
        if not result.nofollow:  # <meta name="robots" content="nofollow">: recorded only
            yield from spider.schedule_many([(link.url, link.kind, depth) for link in followed])
        self.state.name_columns(
            (column_key(link.url), link.text)
            for link in followed
            if link.text and link.kind == "page"
        )
        verdict = result.verdict
        if verdict is None and result.signature is not None:
            verdict = self._baseline_verdict(response, result.signature)
        errors = list(result.errors)
        if verdict is None or verdict[0] == outcomes.OK:
            analysis = PageAnalysis(response.url)
            if result.columns is not None:
                facts = result.columns
                yield from analysis.items(
                    "columns", lambda: self._column_records(facts, response, gi, page)
                )
            if result.safety is not None and spider.safety is not None:
                yield from self._safety_record(page, result.safety)
            if result.interaction is not None:
                found = result.interaction
                yield from analysis.items(
                    "interaction", lambda: self._interaction_records(found, response)
                )
            errors += analysis.errors
        if errors:  # counted in the run summary from the store (runner._finish)
            page.meta["analysis_errors"] = errors
        yield from spider._decide(response, verdict, page, result.signature)

    def _baseline_verdict(
        self, response: Response, signature: outcomes.Signature
    ) -> tuple[str, str | None] | None:
        """The baseline half of the soft-404 verdict; None while the baseline is not known."""
        host = host_key(response.url)
        baseline = self.baselines.get(host)
        if baseline is None:
            # Not known here (or requested, not answered yet): another worker may know it.
            baseline = self.state.baseline(host)
            if baseline is None:
                return None
            self.baselines[host] = baseline
        reason = outcomes.baseline_reason(
            signature, url=_target(response), final_url=response.url, baseline=baseline
        )
        return (outcomes.SOFT_404, reason) if reason else (outcomes.OK, None)

    def _column_records(
        self, facts: ColumnFacts, response: Response, gi: dict, page: PageRecord
    ) -> Iterator[Any]:
        """Record the page as a column page (list or content), or date it as an article."""
        spider: Any = self
        url = response.url
        if facts.kind == "home":
            if gi.get("homepage"):
                page.meta["newest_item"] = facts.newest.isoformat() if facts.newest else None
                page.meta["footer"] = facts.footer
            return
        if facts.kind == "article":
            set_article_date(page, facts.article)
            return
        key = gi.get("column") or facts.key
        nav_name = self.state.nav_name(key)
        more = list(facts.more)
        if not facts.is_list:
            set_article_date(page, facts.article)
            name = column_name(facts.meta, facts.crumbs, nav_name, page.title, key)
            kind = colmod.classify_column(name, self.plan.column_types)
            if kind == "other":
                return  # 联系我们, 网站地图, 专题 pages: content, but no column any rule is about
            if not (facts.content_column or colmod.inline_column(url, kind)):
                return  # an article (the run's end drops articles that still look like columns)
        if page.meta.get("nofollow"):
            more = []  # further list pages are links the page forbids following
        for request in more:
            yield from spider._source_request(request, key, gi)
        if not self.state.claim_list_page(key, facts.page_no, url):
            return  # the same list page under another spelling (/a/ and /a/index.html)
        yield ListPageRecord(
            column_url=self.state.column_url(key, url if facts.page_no == 0 else key),
            page_url=url,
            name=column_name(facts.meta, facts.crumbs, nav_name, page.title, key),
            items=[list_item(i, page.charset) for i in facts.items],
            is_list=facts.is_list,
            placeholder=facts.placeholder,
            script_filled=facts.script_filled,
            record_count=facts.record_count,
            breadcrumb=facts.crumbs,
            discovered_by="meta" if facts.meta.get("ColumnName") else "crawl",
        )

    def _safety_record(self, page: PageRecord, facts: dict[str, Any]) -> Iterator[Any]:
        """The page's content-safety facts; an outbound link is listed on its first pages only
        (OUTBOUND_FOUND_ON per run), which only the run can tell."""
        outbound = [o for o in facts.get("outbound", []) if self._first_outbound(o["url"])]
        kept = {
            k: (outbound if k == "outbound" else v)
            for k, v in facts.items()
            if k != "outbound" or outbound
        }
        if kept:
            yield SafetyRecord(page.url, kept, "page", page.is_homepage, page.published)

    def _first_outbound(self, url: str) -> bool:
        seen = self.outbound_seen.get(url, 0)
        if seen >= OUTBOUND_FOUND_ON:
            return False
        self.outbound_seen[url] = seen + 1
        return True

    def _interaction_records(self, found: Any, response: Response) -> Iterator[Any]:
        """Letters, consultations and interviews the page shows (crawler/interaction.py)."""
        spider: Any = self
        yield from found.records
        depth = response.meta["gi"].get("depth", 0)
        yield from spider.schedule_many([(url, "record", depth) for url in found.follow])
        for api in found.apis:
            if self.state.claim_source(f"GET {api}"):
                meta = spider._meta("interaction", column=found.column_url or response.url)
                meta["gi"]["depth"] = depth + 1
                yield Request(api, spider.parse_interaction_api, meta=meta, errback=spider._ignore)


def page_anchor_facts(page: PageRecord, result: Any) -> None:
    """What the run's end needs from the page: its anchors, and whether it forbids following."""
    if result.anchors is not None:
        page.meta["anchors"] = result.anchors
        if result.anchors_truncated:
            page.meta["anchors_truncated"] = True
    if result.nofollow:
        page.meta["nofollow"] = True


def set_article_date(page: PageRecord, found: ArticleDate | None) -> None:
    if found is None:
        return
    if found.date is not None:
        page.published, page.published_source = found.date, found.source
    if found.flags:
        page.meta["date_flags"] = list(found.flags)
    if found.table:
        page.meta["disclosure"] = found.table
    if found.written is not None:
        page.meta["written"] = found.written.isoformat()


def list_item(found: Any, encoding: str | None = None) -> ItemRecord:
    # Items join their pages and links by URL: spelled like them (percent-encoded, the query
    # in the page's encoding), not as the list wrote them (/政务公开/文章 1.html); a URL longer
    # than the store's column is dropped (the item keeps its title and date).
    url = normalize_url(found.url, encoding or "utf-8") if found.url else None
    return ItemRecord(
        title=(found.title or "")[:1000],
        url=url if url and len(url) <= URL.length else None,
        published=found.date,
        date_source=found.date_source,
        date_raw=found.date_raw,
        flags=list(getattr(found, "flags", []) or []),
    )


def _target(response: Response) -> str:
    redirects = response.meta.get("redirect_urls")
    return redirects[0] if redirects else response.url
