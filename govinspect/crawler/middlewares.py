"""Downloader middlewares: transport concerns only (retries, Retry-After, attempt records)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.settings import BaseSettings

from govinspect.crawler.retry_after import exceeds_cap, retry_after_seconds
from govinspect.settings import RETRY_AFTER_MAX


def _record(request: Request, status: int | None, error: str | None) -> None:
    gi = request.meta.get("gi")
    if gi is None:
        return
    gi.setdefault("attempts", []).append(
        {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "method": request.method,
            "status": status,
            "error": error,
            "pass": gi.get("pass", 1),
            "retried": True,
        }
    )


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry middleware, honouring ``Retry-After`` and recording every attempt.

    Scrapy's own middleware retries 429/503 immediately, which an overloaded government server
    answers with the same 429 again; waiting as asked turns those into real answers.  A wait
    longer than ``GOVINSPECT_RETRY_AFTER_MAX`` (the ``retry_after_max`` setting, shared with the
    feed poller) is not made: the answer stands, and the second verification pass asks again.
    """

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.retry_after_max = settings.getfloat("GOVINSPECT_RETRY_AFTER_MAX", RETRY_AFTER_MAX)

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if exceeds_cap(delay, self.retry_after_max):
            return response
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        _record(request, response.status, None)
        if delay:
            await asyncio.sleep(delay)
        return retry

    def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        retry = super().process_exception(request, exception)
        if retry is not None:
            _record(request, None, f"{type(exception).__name__}: {exception}"[:300])
        return retry


class HostSlotMiddleware:
    """One downloader slot per ``host:port``.

    Scrapy keys its per-domain concurrency and delay on the host name alone, so two sites on one
    host with different ports (or a site and its admin port) would share one limit; politeness
    is owed per origin server.
    """

    def process_request(self, request: Request, spider: Any = None) -> None:
        request.meta["download_slot"] = urlsplit(request.url).netloc.lower()
