"""The site spider: crawls one unit's website and verifies every link target once.

It yields facts only (pages, links, verified targets, column list pages); the store pipeline
persists them.  Flow per target:

* internal pages (in scope, not assets) are crawled with GET, parsed, and their links followed
  breadth-first within the limits;
* everything else (external links, images, attachments, scripts) is verified: HEAD for assets,
  GET for pages; a HEAD answer that could lie is confirmed with GET, whose body download stops
  after the headers unless the body is HTML (needed to spot a soft 404);
* a transient failure (timeout, 5xx, 429, reset) is retried by the retry middleware, then
  verified again in a second pass after ``recheck_delay`` before it is called dead.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, StopDownload
from scrapy.http import Request, Response
from twisted.python.failure import Failure

from govinspect.crawler import interaction, outcomes, sources
from govinspect.crawler.analysis_dates import rebase
from govinspect.crawler.analysis_pool import AnalysisPool
from govinspect.crawler.analysis_store import AnalysisStore
from govinspect.crawler.decode import decode_body
from govinspect.crawler.httpcache import CAPTURE_META, NOT_MODIFIED_META
from govinspect.crawler.items import CheckRecord, ListPageRecord, PageRecord, SafetyRecord
from govinspect.crawler.links import Link, extract_links
from govinspect.crawler.page import ParsedPage
from govinspect.crawler.page_analysis import (
    AnalysisContext,
    PageAnalysisResult,
    analyse_page,
    soft_404,
    visible_text,
)
from govinspect.crawler.page_facts import PageFactsMixin, list_item
from govinspect.crawler.plan import CrawlPlan
from govinspect.crawler.plans import Decision, Origin, PlanOptions, PlanPolicy
from govinspect.crawler.safety import SafetyScanner
from govinspect.crawler.safety.attachments import wanted as attachment_wanted
from govinspect.crawler.sources import SourceRequest
from govinspect.crawler.state import (
    CoordinationLost,
    CrawlState,
    LocalState,
    Processed,
    url_fingerprint,
)
from govinspect.crawler.urls import (
    host_key,
    is_fetchable,
    link_kind_by_extension,
    normalize_url,
    split_url,
    url_extension,
)
from govinspect.crawler.warc import CAPTURE_ARCHIVED, WarcLog, WarcRef
from govinspect.store.carry import Evidence
from govinspect.store.models import URL

#: Link kinds whose internal targets are crawled as pages.
PAGE_KINDS = frozenset({"page", "frame", "implied", "record", "refresh"})
#: Extensions of internal URLs that are verified but never parsed.
ASSET_EXTENSIONS = frozenset({"css", "js", "json", "xml", "rss", "atom"})
HTML_TYPES = ("text/html", "application/xhtml")
# Kept under their old names for callers of the spider module (tests, tools).
_item = list_item
_visible_text = visible_text


def _tracked(callback: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
    """End a callback's output with its request's :class:`Processed` marker (distributed mode).

    The marker travels behind the callback's items, so the pipeline acknowledges the request
    to Redis only once everything it produced is in the store.
    """

    @functools.wraps(callback)
    def wrapper(self: SiteSpider, result: Any) -> Iterator[Any]:
        try:
            yield from _on_behalf(self, result, callback(self, result) or ())
        except Exception:
            # A callback that crashed loses its facts, as in single-node mode; its request
            # must still leave the run, or the run would wait for it for ever.
            yield from self._processed(result.request)
            raise
        yield from self._processed(result.request)

    return wrapper


def _on_behalf(spider: SiteSpider, result: Any, steps: Iterable[Any]) -> Iterator[Any]:
    """``steps``' items, each step run with ``spider.current_response = result``.

    What a step schedules was found on ``result`` (the crawl plans tell the links of new or
    changed pages from the rest); callbacks interleave, pooled ones across awaits, so the
    response is set again before every step.
    """
    iterator = iter(steps)
    while True:
        spider.current_response = result
        try:
            item = next(iterator)
        except StopIteration:
            return
        yield item


def _fresh_gi(gi: dict[str, Any]) -> dict[str, Any]:
    """A copy of a request's facts for a follow-up request, without its in-flight identity."""
    copy = {**gi}
    copy.pop("token", None)
    copy.pop("parked", None)
    return copy


def _now() -> datetime:
    return datetime.now(UTC)


def _origin(request: Request) -> str:
    """The URL that was asked for (before redirects): the link target being verified."""
    redirects = request.meta.get("redirect_urls")
    return redirects[0] if redirects else request.url


def _target(response: Response) -> str:
    redirects = response.meta.get("redirect_urls")
    return redirects[0] if redirects else response.url


_TRANSPORT_META = (
    "redirect_urls",
    "redirect_times",
    "redirect_ttl",
    "redirect_reasons",
    "retry_times",
    "download_slot",
)


def _headers(response: Response) -> list[tuple[str, str]]:
    return [
        (k.decode("latin-1"), v.decode("latin-1"))
        for k, values in response.headers.items()
        for v in values
    ]


class SiteSpider(PageFactsMixin, scrapy.Spider):
    name = "govinspect"

    def __init__(
        self,
        plan: CrawlPlan,
        frontier: Any = None,
        state: CrawlState | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.plan = plan
        self.home = normalize_url(plan.website)
        self.scope = plan.scope_hosts
        self.crawl_date = date.fromisoformat(plan.crawl_date)
        self.frontier = frontier
        self.state: CrawlState = state or LocalState(plan.max_pages)
        # Distributed mode: the worker's link to Redis (heartbeat, run phases); None otherwise.
        self.dist: Any = None
        self.baselines: dict[str, outcomes.Baseline | None] = {}
        self.waiting: dict[str, list[tuple[dict[str, Any], Any]]] = {}
        self.recheck_waiting = False
        self.stats_counter: Counter[str] = Counter()
        self._warc: WarcLog | None = None
        self.started = time.monotonic()
        # Content safety (crawler/safety): None when the setting turns it off.
        self.safety = (
            SafetyScanner(self.scope, plan.sensitive_words) if plan.content_safety else None
        )
        # Outbound links are listed on their first pages of the run (crawler/page_facts.py).
        self.outbound_seen: dict[str, int] = {}
        self.analysis_context = AnalysisContext(
            crawl_date=self.crawl_date,
            home=self.home,
            max_links_per_page=plan.max_links_per_page,
            scope=tuple(sorted(self.scope)),
            content_safety=plan.content_safety,
            sensitive_words=plan.sensitive_words,
        )
        # Set up by start() in single-node mode: worker processes, the stored analyses.
        self.pool: AnalysisPool | None = None
        self.analyses: AnalysisStore | None = None
        self.analysis_stats: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> SiteSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        crawler.signals.connect(spider.on_bytes, signal=signals.bytes_received)
        crawler.signals.connect(spider.on_closed, signal=signals.spider_closed)
        return spider

    @property
    def warc(self) -> WarcLog:
        # Opened on first use: a seeding or idle worker process writes no empty WARC file.
        if self._warc is None:
            plan = self.plan
            self._warc = WarcLog(plan.warc_path, Path(plan.data_dir), plan.warc_body_cap)
        return self._warc

    # --- start -------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        if self.dist is not None:
            return  # the run's start requests were put into the shared frontier when enqueued
        self._start_analysis()
        for request in self.initial_requests():
            yield request

    def _start_analysis(self) -> None:
        """Single-node mode: analysis workers (analysis_pool.py) and stored analyses
        (analysis_store.py, with the HTTP cache: both are off in distributed mode)."""
        plan = self.plan
        if plan.analysis_workers > 0:
            self.pool = AnalysisPool(plan.analysis_workers)  # started by its first page
        if plan.http_cache:
            path = Path(plan.data_dir) / "httpcache" / f"{plan.unit_id}.analysis.sqlite"
            self.analyses = AnalysisStore(path, self.analysis_context)

    def initial_requests(self) -> Iterator[Request]:
        """The homepage, its host's baseline and the sitemap; a quick or rolling plan's pages
        (crawler/plans.py); then a resumed run's frontier."""
        home_host = host_key(self.home)
        yield self._baseline_request(home_host)
        self.state.claim([url_fingerprint(self.home)])
        self.state.reserve_pages(1)
        yield self._page_request(self.home, depth=0, homepage=True)
        yield Request(
            f"{home_host}/sitemap.xml",
            callback=self.parse_sitemap,
            errback=self._ignore,
            meta={"gi": {"kind": "sitemap"}, "dont_retry": True},
            priority=50,
            dont_filter=True,
        )
        yield from self._plan_requests()
        if self.frontier is not None:
            yield from self._resume_requests()

    @functools.cached_property
    def policy(self) -> PlanPolicy:
        """The plan's request decisions; the evidence comes from the runner (``evidence=``)."""
        plan = self.plan
        options = PlanOptions(
            plan=plan.crawl_plan,
            recheck_all=plan.recheck_all,
            link_recheck_hours=plan.link_recheck_hours,
            rolling_budget_per_host=plan.rolling_budget_per_host,
            rolling_cycle_nights=plan.rolling_cycle_nights,
        )
        return PlanPolicy(options, getattr(self, "evidence", None) or Evidence())

    @functools.cached_property
    def plan_counts(self) -> Counter[str]:
        """Targets the plan carried instead of requesting them, and rolling re-verifications."""
        return Counter()

    def _plan_requests(self) -> Iterator[Request]:
        """A quick night's list pages, then a rolling night's longest-unverified URLs."""
        policy = self.policy
        seeds = [(url, depth) for url, depth in policy.seeds() if self._in_scope(url)]
        stale = policy.rolling()
        fresh = self.state.claim([url_fingerprint(url) for url, _ in seeds])
        for (url, depth), new in zip(seeds, fresh, strict=True):
            if new and self.state.reserve_pages(1):
                yield self._page_request(url, depth)
        fresh = self.state.claim([url_fingerprint(url) for url in stale])
        for url, new in zip(stale, fresh, strict=True):
            if not new or not is_fetchable(url):
                continue
            self.plan_counts["rolling"] += 1
            known = policy.evidence.pages.get(url)
            if known is not None and self._crawlable(url, "page") and self.state.reserve_pages(1):
                yield self._page_request(url, known[1])
            else:
                yield self._check_request(url, link_kind_by_extension(url) or "page")

    def _link_origin(self) -> Origin | None:
        """The page whose links are being scheduled, new/changed/unchanged since last time."""
        response = getattr(self, "current_response", None)
        if not isinstance(response, Response):
            return None
        gi = response.meta.get("gi") or {}
        if gi.get("kind") != "page":
            return None
        if "origin" not in gi:
            gi["origin"] = self.policy.page_origin(
                _target(response), response.body, _revalidated(response)
            )
        return gi["origin"]

    def _resume_requests(self) -> Iterator[Request | CheckRecord]:
        self.state.claim([url_fingerprint(url) for url in self.frontier.done])
        self.state.floor_pages(self.frontier.pages_done)
        for url, kind, depth in self.frontier.pending:
            if is_fetchable(url):
                yield from self.schedule_many([(url, kind, depth)])
            else:
                yield from self._unfetchable([url])

    # --- requests ----------------------------------------------------------------------

    def _meta(self, kind: str, **extra: Any) -> dict[str, Any]:
        return {"gi": {"kind": kind, "attempts": [], "pass": 1, **extra}}

    def _page_request(self, url: str, depth: int, homepage: bool = False, **extra: Any) -> Request:
        meta = self._meta("page", depth=depth, homepage=homepage, **extra)
        # Breadth-first: shallower pages first (Scrapy pops higher priorities first).
        return Request(
            url,
            callback=self.parse_page if self.pool is None else self.parse_page_pooled,
            errback=self.on_error,
            meta=meta,
            priority=-depth,
            dont_filter=True,
        )

    def _check_request(self, url: str, link_kind: str, method: str | None = None) -> Request:
        asset = link_kind not in PAGE_KINDS or link_kind_by_extension(url) is not None
        method = method or ("HEAD" if asset else "GET")
        meta = self._meta("check", link_kind=link_kind)
        return Request(
            url,
            method=method,
            callback=self.parse_check,
            errback=self.on_error,
            meta=meta,
            priority=-20,
            dont_filter=True,
        )

    def _baseline_request(self, host: str, local: bool = False) -> Request:
        """The probe of a URL that cannot exist on ``host``.

        ``local``: the probe releases responses parked in this process, so in distributed mode
        it must come back here rather than go through the shared frontier.
        """
        self.baselines.setdefault(host, None)
        probe = f"{host}/govinspect-{uuid.uuid4().hex[:12]}-not-found.html"
        gi: dict[str, Any] = {"kind": "baseline", "host": host}
        if local and self.dist is not None:
            gi["local"] = True
        return Request(
            probe,
            callback=self.parse_baseline,
            errback=self.baseline_failed,
            meta={"gi": gi},
            priority=100,
            dont_filter=True,
        )

    def _in_scope(self, url: str) -> bool:
        return split_url(url).netloc.lower() in self.scope

    def _crawlable(self, url: str, link_kind: str) -> bool:
        return (
            self._in_scope(url)
            and link_kind in PAGE_KINDS
            and link_kind_by_extension(url) is None
            and url_extension(url) not in ASSET_EXTENSIONS
        )

    def schedule_many(
        self, targets: Sequence[tuple[str, str, int]], force: bool = False
    ) -> list[Request]:
        """Requests for the (url, link kind, depth of the linking page) targets not seen before
        in this run, within the limits, in order.  ``force`` schedules them even if seen (a
        target the store shows unverified at the end of a distributed run).

        One call per page keeps distributed mode at one Redis round trip per page, not per link.
        """
        fresh = self.state.claim([url_fingerprint(url) for url, _, _ in targets])
        chosen: list[tuple[str, str, int, bool]] = []
        for (url, kind, depth), new in zip(targets, fresh, strict=True):
            if not (new or force) or not is_fetchable(url):
                continue  # unfetchable targets come from pages: they are decided there
            if len(url) > self.plan.max_url_length:
                self.state.truncate("max_url_length", url)
                continue
            crawlable = self._crawlable(url, kind)
            if crawlable and depth + 1 > self.plan.max_depth:
                self.state.truncate("max_depth", url)
                crawlable = False
            chosen.append((url, kind, depth, crawlable))
        if not force:
            chosen = self._planned(chosen)
        wanted = sum(1 for *_, crawlable in chosen if crawlable)
        allowed = self.state.reserve_pages(wanted) if wanted else 0
        requests = []
        for url, kind, depth, crawlable in chosen:
            if crawlable and allowed > 0:
                allowed -= 1
                requests.append(self._page_request(url, depth + 1))
                continue
            if crawlable:
                self.state.truncate("max_pages", url)
            # Beyond a limit the link is still verified, just not followed.
            requests.append(self._check_request(url, kind))
        return requests

    def _planned(
        self, chosen: list[tuple[str, str, int, bool]]
    ) -> list[tuple[str, str, int, bool]]:
        """The targets the crawl plan requests (crawler/plans.py); the rest are carried."""
        origin = self._link_origin()
        kept = []
        for url, kind, depth, crawlable in chosen:
            decision = self.policy.decide(url, crawlable, self._in_scope(url), origin)
            if decision is Decision.SKIP:
                self.plan_counts["carried"] += 1
                continue
            kept.append((url, kind, depth, crawlable and decision is Decision.DEFAULT))
        return kept

    def _processed(self, request: Request) -> Iterator[Processed]:
        """The marker acknowledging a request taken from the shared frontier (distributed)."""
        if self.dist is None:
            return
        gi = request.meta.get("gi") or {}
        token = gi.get("token")
        if token and not gi.get("parked"):
            yield Processed(token)

    # --- signals ---------------------------------------------------------------------

    def on_headers(self, headers: Any, body_length: int, request: Request, spider: Any) -> None:
        gi = request.meta.get("gi", {})
        content_type = (headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        is_html = content_type.startswith(HTML_TYPES) or not content_type
        if gi.get("read_body"):
            if body_length and body_length > self._attachment_cap:
                gi["oversized"] = body_length
                raise StopDownload(fail=False)
            return  # an attachment read for content safety: its body is wanted
        if gi.get("kind") in ("check", "page") and not is_html:
            # Verifying an attachment needs its status, not its megabytes.
            raise StopDownload(fail=False)
        if body_length and body_length > self.plan.max_response_bytes:
            gi["oversized"] = body_length
            raise StopDownload(fail=False)

    def on_bytes(self, data: bytes, request: Request, spider: Any) -> None:
        """Stop a body without Content-Length at the size cap; the page is kept as oversized."""
        gi = request.meta.get("gi")
        if gi is None:
            return
        gi["bytes"] = gi.get("bytes", 0) + len(data)
        cap = self._attachment_cap if gi.get("read_body") else self.plan.max_response_bytes
        if gi["bytes"] > cap:
            gi["oversized"] = gi["bytes"]
            raise StopDownload(fail=False)

    def on_idle(self, spider: Any) -> None:
        if self.dist is not None:
            self.dist.on_idle()  # the whole run's frontier decides, not this process's
            return
        if self.recheck_waiting:
            raise DontCloseSpider
        if self.state.recheck:  # type: ignore[attr-defined]
            self.recheck_waiting = True
            asyncio.get_event_loop().call_later(self.plan.recheck_delay, self._second_pass)
            raise DontCloseSpider

    def _second_pass(self) -> None:
        state: LocalState = self.state  # type: ignore[assignment]
        pending, state.recheck = state.recheck, {}
        for request in pending.values():
            request.meta["gi"]["pass"] = 2
            self.crawler.engine.crawl(request)
        self.recheck_waiting = False

    def on_closed(self, spider: Any, reason: str) -> None:
        # Parked targets are always released by their baseline's callback or errback (a
        # download timeout guarantees one fires), so nothing waits here any more.
        if self._warc is not None:
            self._warc.close()
        if self.pool is not None:
            self.pool.close()
        if self.analyses is not None:
            self.analyses.close()

    # --- callbacks -------------------------------------------------------------------

    def _attempt(self, request: Request, status: int | None, error: str | None) -> list[dict]:
        attempts = request.meta["gi"].setdefault("attempts", [])
        attempts.append(
            {
                "at": _now().isoformat(timespec="seconds"),
                "method": request.method,
                "status": status,
                "error": error,
                "pass": request.meta["gi"].get("pass", 1),
            }
        )
        return attempts

    def _response_attempt(self, response: Response) -> None:
        """The attempt that produced ``response``: a revalidated one was the site's 304."""
        if _revalidated(response):
            self._attempt(response.request, 304, None)[-1]["revalidated"] = True
        else:
            self._attempt(response.request, response.status, None)

    def _page_start(self, response: Response) -> list[Any] | None:
        """A fetched page's attempt and count; its records when there is nothing to analyse."""
        gi = response.meta["gi"]
        self._response_attempt(response)
        self.stats_counter["pages"] += 1
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        if gi.get("oversized"):
            return list(self._finish_page(response, None, "oversized"))
        is_html = not content_type or content_type.lower().startswith(HTML_TYPES)
        if response.status >= 300 or not is_html:
            return list(self._finish_page(response, None, None))
        return None

    @_tracked
    def parse_page(self, response: Response) -> Iterator[Any]:
        finished = self._page_start(response)
        if finished is not None:
            yield from finished
            return
        result = self._reused(response) or self._analyse_here(response)
        yield from self._page_from_analysis(response, response.meta["gi"], result)

    async def parse_page_pooled(self, response: Response) -> AsyncIterator[Any]:
        """parse_page with the analysis in a worker process (single-node mode only)."""
        finished = self._page_start(response)
        if finished is not None:
            for item in finished:
                yield item
            return
        result = self._reused(response)
        if result is None and self.pool is not None:
            result = await self.pool.analyse(
                *self._analysis_args(response), self.analysis_context, _homepage(response)
            )
            if result is not None:
                self.analysis_stats["in_workers"] += 1
                self._keep(response, result)
                for error in result.errors:  # the worker's log is not the crawl's
                    self.logger.warning(
                        "analysis step %r failed on %s: %s",
                        error["step"],
                        response.url,
                        error["error"],
                    )
        if result is None:
            self.analysis_stats["fallbacks"] += 1
            result = self._analyse_here(response)
        steps = self._page_from_analysis(response, response.meta["gi"], result)
        for item in _on_behalf(self, response, steps):
            yield item

    def _analysis_args(self, response: Response) -> tuple[str, str, bytes, str]:
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        return _target(response), response.url, response.body, content_type

    def _analyse_here(self, response: Response) -> PageAnalysisResult:
        result = analyse_page(
            *self._analysis_args(response), self.analysis_context, _homepage(response)
        )
        self._keep(response, result)
        return result

    def _keep(self, response: Response, result: PageAnalysisResult) -> None:
        """Count a fresh analysis and store it for the next crawl (analysis_store.py)."""
        self.analysis_stats["analysed"] += 1
        if self.analyses is not None:
            self.analyses.put(
                _target(response),
                _body_sha(response),
                _homepage(response),
                self.crawl_date,
                result,
            )

    def _reused(self, response: Response) -> PageAnalysisResult | None:
        """The stored analysis of a byte-identical body (a 304's, or an unchanged page's),
        re-resolved at this crawl's date (analysis_dates.py); None: analyse the page."""
        if self.analyses is None:
            return None
        stored = self.analyses.get(
            _target(response), response.url, _body_sha(response), _homepage(response)
        )
        if stored is None:
            return None
        result = rebase(stored[0], stored[1], self.crawl_date, _homepage(response))
        if result is None:
            self.analysis_stats["date_moved"] += 1
            return None
        self.analysis_stats["reused"] += 1
        return result

    # --- content safety (crawler/safety) ---------------------------------------------

    @property
    def _attachment_cap(self) -> int:
        return min(self.plan.safety_attachment_bytes, self.plan.max_response_bytes)

    def _reads_attachment(self, url: str) -> bool:
        return (
            self.safety is not None
            and self.plan.safety_attachment_bytes > 0
            and self._in_scope(url)
            and attachment_wanted(url)
        )

    def _attachment_request(self, url: str) -> Request:
        meta = self._meta("attachment", read_body=True)
        # Its body may hold personal data: read once, never kept in the HTTP cache.
        meta["dont_cache"] = True
        return Request(
            url,
            callback=self.parse_attachment,
            errback=self._ignore,
            meta=meta,
            priority=-30,
            dont_filter=True,
        )

    @_tracked
    def parse_attachment(self, response: Response) -> Iterator[Any]:
        """An attachment verified ok, downloaded again to read it (only its facts are kept)."""
        if response.status != 200 or self.safety is None:
            return
        url = _target(response)
        gi = response.meta["gi"]
        if gi.get("oversized"):
            facts = {"read": False, "reason": f"larger than {self._attachment_cap} bytes"}
        else:
            facts = self.safety.attachment(url, response.body)
        yield SafetyRecord(url, facts, "attachment")

    def _storable(self, links: list[Link]) -> list[Link]:
        """Links whose target fits the store's URL columns; longer ones are a truncation."""
        kept = []
        for link in links:
            if len(link.url) > URL.length:
                self.state.truncate("max_url_length", link.url)
            else:
                kept.append(link)
        return kept

    def _unfetchable(self, urls: Sequence[str]) -> Iterator[CheckRecord]:
        """The checks of targets that cannot be fetched (invalid, mailto: ...), once per run."""
        if not urls:
            return
        for url, new in zip(
            urls, self.state.claim([url_fingerprint(u) for u in urls]), strict=True
        ):
            if new:
                yield self.unfetchable_check(url)

    def unfetchable_check(self, url: str) -> CheckRecord:
        outcome, error = outcomes.unfetchable(url)
        self.stats_counter[outcome] += 1
        return CheckRecord(
            target_url=url,
            outcome=outcome,
            status=None,
            error=error,
            final_url=None,
            checked_at=_now(),
            attempts=[],
        )

    def _page_record(
        self, response: Response, gi: dict, title: str | None, charset: str | None
    ) -> PageRecord:
        return PageRecord(
            url=_target(response),
            final_url=response.url,
            status=response.status,
            fetched_at=_now(),
            depth=gi.get("depth", 0),
            is_homepage=bool(gi.get("homepage")),
            content_type=response.headers.get(b"Content-Type", b"").decode("latin-1")[:200] or None,
            charset=charset,
            content_hash=_body_sha(response),
            size=len(response.body),
            title=(title or "")[:1000] or None,
        )

    def _finish_page(
        self, response: Response, title: str | None, state: str | None
    ) -> Iterator[Any]:
        gi = response.meta["gi"]
        page = self._page_record(response, gi, title, None)
        if state:
            page.state = state
            page.error = f"body larger than {self.plan.max_response_bytes} bytes"
            verdict = (outcomes.OK, None)
        else:
            verdict = self._status_verdict(response)
        yield from self._decide(response, verdict, page)

    def _status_verdict(self, response: Response) -> tuple[str, str | None]:
        outcome = outcomes.classify_status(response.status)
        return outcome, None if outcome == outcomes.OK else f"HTTP {response.status}"

    def _html_verdict(
        self, response: Response, parsed: ParsedPage, refresh: str | None
    ) -> tuple[tuple[str, str | None] | None, outcomes.Signature | None]:
        """The verdict for a verified HTML target (None while it waits for the host baseline),
        and the signature the baseline is compared with."""
        if response.status >= 300:
            return self._status_verdict(response), None
        verdict, sig = soft_404(
            _target(response), response.url, parsed.title, parsed.text, refresh, parsed.visible_text
        )
        if verdict is None:
            verdict = self._baseline_verdict(response, sig)
        return verdict, sig

    def _decide(
        self,
        response: Response,
        verdict: tuple[str, str | None] | None,
        page: PageRecord | None,
        signature: outcomes.Signature | None = None,
    ) -> Iterator[Any]:
        """Record the target's outcome now, park it for the baseline, or queue a recheck."""
        if verdict is None:
            host = host_key(response.url)
            if host not in self.baselines:
                yield self._baseline_request(host, local=True)
            # Still in flight until the baseline decides: no Processed marker yet.
            response.meta["gi"]["parked"] = True
            parked = {"response": response, "page": page}
            self.waiting.setdefault(host, []).append((parked, signature))
            return
        outcome, error = verdict
        gi = response.meta["gi"]
        transient = response.status and outcomes.is_transient_status(response.status)
        if outcome != outcomes.OK and transient and gi.get("pass", 1) == 1:
            self._queue_recheck(response.request)
            return
        yield from self._final(response, outcome, error, page)

    def _title_text(self, response: Response) -> tuple[str, str]:
        text, _ = decode_body(
            response.body, response.headers.get(b"Content-Type", b"").decode("latin-1")
        )
        parsed = ParsedPage(text, response.url)
        return parsed.title, parsed.visible_text

    def _final(
        self, response: Response, outcome: str, error: str | None, page: PageRecord | None
    ) -> Iterator[Any]:
        request = response.request
        warc = None
        keep = page is not None or outcome != outcomes.OK
        if keep:
            warc = self._archive(response)
        if page is not None:
            page.warc = warc
            if outcome == outcomes.SOFT_404:
                page.state, page.error = "soft_404", error
            yield page
        self.stats_counter[outcome] += 1
        target = _target(response)
        yield CheckRecord(
            target_url=target,
            outcome=outcome,
            status=response.status,
            error=error,
            final_url=response.url if response.url != target else None,
            checked_at=_now(),
            attempts=list(request.meta["gi"]["attempts"]),
            warc=warc,
        )

    def _archive(self, response: Response) -> WarcRef:
        """The WARC evidence of a response: a revisit record for the site's 304, else the
        response record, whose place the HTTP cache then keeps for the next 304."""
        request = response.request
        request_headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, vs in request.headers.items()
            for v in vs
        ]
        if _revalidated(response):
            answer = request.meta.get(NOT_MODIFIED_META) or {"status": 304, "headers": []}
            return self.warc.revisit(
                url=response.url,
                method=request.method,
                status=answer["status"],
                headers=answer["headers"],
                fetched_at=_now(),
                request_headers=request_headers,
                refers_to=request.meta.get(CAPTURE_META),
                stored_at=request.meta.get("cache_timestamp"),
            )
        warc = self.warc.response(
            url=response.url,
            method=request.method,
            status=response.status,
            headers=_headers(response),
            body=response.body,
            fetched_at=_now(),
            request_headers=request_headers,
        )
        # The HTTP cache remembers the capture a later 304 refers to; a spider built without a
        # crawler (unit tests of the parse path) has no cache to tell.
        crawler = getattr(self, "crawler", None)
        if crawler is not None:
            crawler.signals.send_catch_log(
                CAPTURE_ARCHIVED, request=request, ref=warc, uri=response.url
            )
        return warc

    def _queue_recheck(self, request: Request) -> None:
        target = _origin(request)
        fresh = request.replace(url=target, dont_filter=True)
        fresh.meta["gi"] = _fresh_gi(request.meta["gi"])
        for key in _TRANSPORT_META:
            fresh.meta.pop(key, None)
        self.state.queue_recheck(target, fresh)

    @_tracked
    def parse_check(self, response: Response) -> Iterator[Any]:
        gi = response.meta["gi"]
        self._response_attempt(response)
        self.stats_counter["checked"] += 1
        request = response.request
        if request.method == "HEAD" and outcomes.head_needs_get(response.status):
            # HEAD refused or unreliable: GET decides (the body stops after the headers).
            retry = request.replace(method="GET", dont_filter=True)
            retry.meta["gi"] = _fresh_gi(gi)
            retry.meta.pop("retry_times", None)
            yield retry
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        if (
            request.method == "GET"
            and content_type.startswith(HTML_TYPES)
            and response.status == 200
        ):
            text, _ = decode_body(response.body, content_type)
            parsed = ParsedPage(text, response.url)  # one parse: the refresh and the text
            refresh = extract_links(parsed, response.url, max_links=1).refresh
            verdict, sig = self._html_verdict(response, parsed, refresh)
        else:
            verdict, sig = self._status_verdict(response), None
            if verdict[0] == outcomes.OK and self._reads_attachment(_target(response)):
                # The verification stopped after the headers: read the body once more.
                yield self._attachment_request(_target(response))
        yield from self._decide(response, verdict, None, sig)

    @_tracked
    def on_error(self, failure: Failure) -> Iterator[Any]:
        request: Request = failure.request  # type: ignore[attr-defined]
        gi = request.meta["gi"]
        if isinstance(failure.value, CoordinationLost):
            return  # not the site's doing: the request stays in flight for another worker
        failed = outcomes.classify_exception(failure.value)
        self._attempt(request, None, failed.error)
        self.stats_counter["errors"] += 1
        if failed.transient and gi.get("pass", 1) == 1:
            self._queue_recheck(request)
            return
        target = _origin(request)
        warc = self.warc.failure(
            url=target,
            fetched_at=_now(),
            detail={"outcome": failed.outcome, "error": failed.error, "attempts": gi["attempts"]},
        )
        if gi["kind"] == "page":
            state = {outcomes.ROBOTS_EXCLUDED: "robots_excluded", outcomes.OK: "oversized"}.get(
                failed.outcome, "error"
            )
            yield PageRecord(
                url=target,
                final_url=None,
                status=failed.status,
                fetched_at=_now(),
                depth=gi.get("depth", 0),
                is_homepage=bool(gi.get("homepage")),
                state=state,
                error=failed.error,
                warc=warc,
            )
        self.stats_counter[failed.outcome] += 1
        yield CheckRecord(
            target_url=target,
            outcome=failed.outcome,
            status=failed.status,
            error=failed.error,
            final_url=None,
            checked_at=_now(),
            attempts=list(gi["attempts"]),
            warc=warc,
        )

    # --- baselines -------------------------------------------------------------------

    @_tracked
    def parse_baseline(self, response: Response) -> Iterator[Any]:
        host = response.meta["gi"]["host"]
        sig = None
        if 200 <= response.status < 300 and response.body:
            title, text = self._title_text(response)
            sig = outcomes.signature(title, text)
        baseline = outcomes.Baseline(response.status, response.url, sig)
        yield from self._release(host, baseline)

    @_tracked
    def baseline_failed(self, failure: Failure) -> Iterator[Any]:
        host = failure.request.meta["gi"]["host"]  # type: ignore[attr-defined]
        yield from self._release(host, outcomes.Baseline(None, None, None))

    def _release(self, host: str, baseline: outcomes.Baseline | None) -> Iterator[Any]:
        # The first baseline fetched for the host in the run is the run's, whoever fetched it.
        self.baselines[host] = self.state.publish_baseline(
            host, baseline or outcomes.Baseline(None, None, None)
        )
        for parked, sig in self.waiting.pop(host, []):
            response, page = parked["response"], parked["page"]
            reason = outcomes.baseline_reason(
                sig, url=_target(response), final_url=response.url, baseline=self.baselines[host]
            )
            verdict = (outcomes.SOFT_404, reason) if reason else (outcomes.OK, None)
            yield from self._final(response, *verdict, page)
            response.meta["gi"].pop("parked", None)
            yield from self._processed(response.request)

    # --- sitemaps and columns --------------------------------------------------------

    @_tracked
    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if response.status != 200:
            return
        urls = (
            normalize_url(loc.strip())
            for loc in response.xpath("//*[local-name()='loc']/text()").getall()[:50_000]
        )
        yield from self.schedule_many(
            [(url, "page", 0) for url in urls if is_fetchable(url) and self._in_scope(url)]
        )

    @_tracked
    def _ignore(self, failure: Failure) -> None:
        return None

    def _source_request(self, source: SourceRequest, column: str, gi: dict) -> Iterator[Request]:
        """A further list page from a list source (dataproxy, JSON API), each once per run."""
        if not self.state.claim_source(f"{source.method} {source.key}"):
            return
        meta = self._meta("source", column=column, source=source.source, page_key=source.key)
        meta["gi"]["depth"] = gi.get("depth", 0) + 1
        if source.method == "POST":
            yield scrapy.FormRequest(
                source.url,
                formdata=source.body or {},
                callback=self.parse_source,
                errback=self._ignore,
                meta=meta,
                dont_filter=True,
            )
        else:
            yield Request(
                source.url,
                callback=self.parse_source,
                errback=self._ignore,
                meta=meta,
                dont_filter=True,
            )

    @_tracked
    def parse_interaction_api(self, response: Response) -> Iterator[Any]:
        gi = response.meta["gi"]
        if response.status != 200:
            return
        body = decode_body(response.body, response.headers.get(b"Content-Type", b"").decode())[0]
        records, more = interaction.api_facts(body, response.url, gi["column"], self.crawl_date)
        yield from records
        details = [(r.url, "record", gi["depth"]) for r in records if r.url != r.page_url]
        yield from self.schedule_many(details)
        for url in more:
            if self.state.claim_source(f"GET {url}"):
                meta = {"gi": _fresh_gi(gi)}
                yield Request(url, self.parse_interaction_api, meta=meta, errback=self._ignore)

    @_tracked
    def parse_source(self, response: Response) -> Iterator[Any]:
        gi = response.meta["gi"]
        if response.status != 200:
            return
        content_type = response.headers.get(b"Content-Type", b"").decode("latin-1")
        parsed = sources.SOURCES[gi["source"]](
            response.body, content_type, response.url, self.crawl_date
        )
        for request in parsed.more:
            yield from self._source_request(request, gi["column"], gi)
        depth = gi.get("depth", 1)
        yield from self.schedule_many(
            [(item.url, "record", depth) for item in parsed.items if item.url]
        )
        yield ListPageRecord(
            column_url=self.state.known_column_url(gi["column"]) or gi["column"],
            page_url=gi["page_key"],
            name="",
            items=[list_item(i) for i in parsed.items],
            record_count=parsed.record_count,
            discovered_by=gi["source"],
        )

    # --- progress ----------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        return {
            "pages": self.stats_counter["pages"],
            "checked": self.stats_counter["checked"],
            "outcomes": {
                k: v
                for k, v in self.stats_counter.items()
                if k not in ("pages", "checked", "errors")
            },
            "truncated": self.state.truncated(),
            # Pages analysed now (in_workers of them in worker processes) or reused from the
            # last crawl; fallbacks: worker failures analysed in the crawl process instead.
            "analysis": dict(self.analysis_stats),
            "seconds": round(time.monotonic() - self.started, 1),
        }


def _revalidated(response: Response) -> bool:
    """The site answered 304 and the stored answer stands in (crawler/httpcache.py)."""
    return "cached" in response.flags


def _homepage(response: Response) -> bool:
    return bool(response.meta["gi"].get("homepage"))


def _body_sha(response: Response) -> str:
    # Computed where needed (page row, stored analyses): ~20 µs a page, no cache to go stale.
    return hashlib.sha256(response.body).hexdigest()
