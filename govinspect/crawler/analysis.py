"""One page's analysis steps, each allowed to fail alone: a bug never costs the page.

The spider runs link extraction, the soft-404 verdict and the column/list/date analysis of a
page through :class:`PageAnalysis`. A step that raises is logged with the page's URL (the
crawl log, ``var/logs/crawl-<unit>-<run>.log``), noted in the page row
(``meta.analysis_errors``: step and error) and counted in the run summary; the page row, its
links and its check are stored all the same. Failures of the run's own machinery (Redis, the
store) are not analysis failures: they propagate as before.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Longest error text kept per failed step.
MAX_ERROR_CHARS = 300
#: Top-level packages whose exceptions are the run's machinery failing, not a page's analysis.
INFRASTRUCTURE_PACKAGES = frozenset({"redis", "sqlalchemy", "twisted", "scrapy"})


def is_infrastructure(exc: BaseException) -> bool:
    """True for failures that must stop or re-route the request, never be absorbed."""
    # Looked up, not imported: analysis worker processes (crawler/analysis_pool.py) stay free of
    # Scrapy, and where the state module was never loaded, no CoordinationLost can be raised.
    state = sys.modules.get("govinspect.crawler.state")
    if state is not None and isinstance(exc, state.CoordinationLost):
        return True
    return type(exc).__module__.partition(".")[0] in INFRASTRUCTURE_PACKAGES


class PageAnalysis:
    """The failed steps of one page's analysis (``errors``: what goes into the page row)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.errors: list[dict[str, str]] = []

    def run(self, step: str, call: Callable[[], T], default: T) -> T:
        """``call()``, or ``default`` when it raises (the failure is logged and noted)."""
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - one analysis step never costs the page
            self._failed(step, exc)
            return default

    def items(self, step: str, call: Callable[[], Iterable[Any]]) -> list[Any]:
        """Everything ``call()`` yields up to a failure (what came before it is kept)."""
        out: list[Any] = []
        try:
            for item in call():
                out.append(item)
        except Exception as exc:  # noqa: BLE001 - one analysis step never costs the page
            self._failed(step, exc)
        return out

    def _failed(self, step: str, exc: Exception) -> None:
        if is_infrastructure(exc):
            raise exc
        error = f"{type(exc).__name__}: {exc}"
        logger.warning("analysis step %r failed on %s: %s", step, self.url, error, exc_info=exc)
        self.errors.append({"step": step, "error": " ".join(error.split())[:MAX_ERROR_CHARS]})
