"""Page analysis on every core: a pool of lean worker processes fed by the downloader.

The crawl process downloads, keeps the run's state and writes the store; the pure
:func:`~govinspect.crawler.page_analysis.analyse_page` runs in ``analysis_workers`` worker
processes (settings). Workers are spawned fresh and import only the analysis modules (not Scrapy,
Twisted, SQLAlchemy or the store), so each costs the memory of the parsers alone (~40 MB; a
forkserver would add a process of its own, and fork would copy the crawl process). The
spider awaits a page's result on the asyncio reactor; downloads and other callbacks go on
meanwhile. A worker that dies, a result that cannot be pickled, or any other failure of the pool
costs no page: the page is analysed in the crawl process instead (logged, counted in the run
summary under ``analysis.fallbacks``), and a broken pool is started afresh for the next page.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

from govinspect.crawler.page_analysis import AnalysisContext, PageAnalysisResult, analyse_page

logger = logging.getLogger(__name__)

#: Seconds the pool's start may take (a fresh interpreter importing lxml and the extractors).
START_TIMEOUT = 120


def _ready() -> bool:
    return True


def _loaded_modules() -> list[str]:
    """What a worker has imported (tests keep the workers free of Scrapy and the store)."""
    return sorted(sys.modules)


@contextlib.contextmanager
def _lean_main() -> Iterator[None]:
    """Start workers without re-importing the crawl's ``__main__`` (the runner, and with it
    Scrapy and the store): multiprocessing re-imports the parent's main module in each child
    unless the main module has neither a module spec nor a file."""
    main = sys.modules["__main__"]
    saved = {name: getattr(main, name) for name in ("__spec__", "__file__") if hasattr(main, name)}
    main.__spec__ = None
    if "__file__" in saved:
        del main.__file__
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(main, name, value)


class AnalysisPool:
    """``workers`` processes analysing pages; :meth:`analyse` never raises."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self.fallbacks = 0
        # Set when the workers cannot be started at all: every page is analysed inline.
        self.unavailable = False
        self._executor: ProcessPoolExecutor | None = None
        self._context = multiprocessing.get_context("spawn")

    def start(self) -> None:
        """Start the workers (on the first page to analyse: a re-crawl that reuses every
        stored analysis starts none; a broken pool is restarted by the next :meth:`analyse`)."""
        with _lean_main():
            executor = ProcessPoolExecutor(self.workers, mp_context=self._context)
            # Each submit of an idle pool starts one worker: all start under _lean_main.
            for future in [executor.submit(_ready) for _ in range(self.workers)]:
                future.result(timeout=START_TIMEOUT)
        self._executor = executor

    def pids(self) -> list[int]:
        processes = getattr(self._executor, "_processes", None) or {}
        return list(processes)

    async def analyse(
        self,
        url: str,
        final_url: str,
        body: bytes,
        content_type: str,
        context: AnalysisContext,
        is_homepage: bool,
    ) -> PageAnalysisResult | None:
        """The page's analysis from a worker, or None: analyse it in the crawl process."""
        if self.unavailable:
            return None
        if self._executor is None:
            try:
                self.start()
            except Exception as exc:  # noqa: BLE001 - the crawl goes on analysing inline
                self.unavailable = True
                logger.warning(
                    "analysis workers not started (%r): analysing in the crawl process", exc
                )
                return None
        try:
            assert self._executor is not None
            future = self._executor.submit(
                analyse_page, url, final_url, body, content_type, context, is_homepage
            )
            return await asyncio.wrap_future(future)
        except Exception as exc:  # noqa: BLE001 - any pool failure falls back to inline analysis
            self.fallbacks += 1
            logger.warning(
                "analysis worker failed on %s (%r): analysing in the crawl process", url, exc
            )
            if _broken(exc):
                self._restart()
            return None

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            self._executor = None

    def _restart(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            with contextlib.suppress(Exception):
                executor.shutdown(wait=False, cancel_futures=True)


def _broken(exc: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(exc, BrokenProcessPool | OSError)
