"""Fetch feeds over HTTP: limits, conditional GET, timeouts, size cap, retries (asyncio + aiohttp).

- Per-host (``settings.feed_concurrency_per_host``; many feeds come from one RSSHub host) and
  global (``settings.concurrency_total``) limits; a slot is released while backing off.
- Conditional GET: the ETag / Last-Modified of the account's last successful poll are sent; a
  304 comes back as ``not_modified`` with no body.
- ``settings.feed_timeout`` bounds one whole attempt (connect, headers and body); bodies over
  ``settings.max_response_bytes`` are refused.
- Timeouts, connection errors, 5xx and 429 are retried ``settings.retry_times`` times with
  exponential backoff and jitter; a 429/503 ``Retry-After`` is honoured up to
  ``settings.retry_after_max`` (the crawler's cap too), a longer ask ends the account's poll.

Returns :class:`~govinspect.crawler.feeds.model.FetchResult` values; parses nothing.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

import aiohttp

from govinspect.crawler.feeds.model import FEED_RULES, FeedTarget, FetchResult, short, valid_text
from govinspect.crawler.outcomes import is_transient_status
from govinspect.crawler.retry_after import exceeds_cap, retry_after_seconds
from govinspect.settings import Settings


class Limits:
    """A semaphore per host (host:port) plus one for the whole poll."""

    def __init__(self, per_host: int, total: int) -> None:
        self._per_host = per_host
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._total = asyncio.Semaphore(total)

    @asynccontextmanager
    async def slot(self, url: str) -> AsyncIterator[None]:
        parts = urlsplit(url)
        host = f"{parts.hostname}:{parts.port or parts.scheme}"
        semaphore = self._hosts.setdefault(host, asyncio.Semaphore(self._per_host))
        # Host first: waiting for a busy host must not hold a global slot.
        async with semaphore, self._total:
            yield


@asynccontextmanager
async def feed_session(settings: Settings) -> AsyncIterator[tuple[aiohttp.ClientSession, Limits]]:
    """An HTTP session and the limits for one poll (both bound to the running event loop)."""
    limits = Limits(settings.feed_concurrency_per_host, settings.concurrency_total)
    connector = aiohttp.TCPConnector(
        limit=settings.concurrency_total, limit_per_host=settings.feed_concurrency_per_host
    )
    # No cookie jar: accounts sharing a bridge host must not share its cookies.
    jar = aiohttp.DummyCookieJar()
    async with aiohttp.ClientSession(connector=connector, cookie_jar=jar) as session:
        yield session, limits


@dataclass
class _Attempt:
    result: FetchResult
    transient: bool = False
    retry_after: float | None = None


def _backoff(attempt: int) -> float:
    delay = min(FEED_RULES["backoff_max"], FEED_RULES["backoff_base"] * 2**attempt)
    return delay * (1 + random.random() / 4)  # jitter: many accounts share one bridge host


def _header(response: aiohttp.ClientResponse, name: str) -> str | None:
    """A response header as valid Unicode (a hostile byte must not fail the poll's storage)."""
    value = response.headers.get(name)
    return None if value is None else valid_text(value)


def _headers(target: FeedTarget, settings: Settings) -> dict[str, str]:
    headers = {"Accept": FEED_RULES["accept"], "User-Agent": settings.user_agent}
    if target.etag:
        headers["If-None-Match"] = target.etag
    if target.last_modified:
        headers["If-Modified-Since"] = target.last_modified
    return headers


async def _read_capped(response: aiohttp.ClientResponse, cap: int) -> bytes | None:
    """The body, or None when it is larger than ``cap`` bytes (after decompression)."""
    if (response.content_length or 0) > cap:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > cap:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def _attempt(
    session: aiohttp.ClientSession, target: FeedTarget, settings: Settings
) -> _Attempt:
    result = FetchResult(fetched_at=datetime.now(UTC))
    try:
        async with asyncio.timeout(settings.feed_timeout):
            async with session.get(target.url, headers=_headers(target, settings)) as response:
                result.status = response.status
                result.content_type = _header(response, "Content-Type")
                result.etag = _header(response, "ETag")
                result.last_modified = _header(response, "Last-Modified")
                if response.status == 304:
                    return _not_modified(result, target)
                if response.status >= 300:
                    return _http_error(result, response)
                body = await _read_capped(response, settings.max_response_bytes)
    except TimeoutError:
        result.error = f"timeout after {settings.feed_timeout:g} s"
        return _Attempt(result, transient=True)
    except aiohttp.ClientSSLError as exc:
        result.error = short(f"TLS error: {exc}")
        return _Attempt(result)
    except (aiohttp.TooManyRedirects, aiohttp.InvalidURL) as exc:
        result.error = short(f"{type(exc).__name__}: {exc}")
        return _Attempt(result)
    except (aiohttp.ClientError, OSError) as exc:
        result.error = short(f"connection error: {type(exc).__name__}: {exc}")
        return _Attempt(result, transient=True)
    finally:
        result.fetched_at = datetime.now(UTC)
    if body is None:
        result.error = f"body larger than {settings.max_response_bytes} bytes"
        return _Attempt(result)
    result.body = body
    return _Attempt(result)


def _not_modified(result: FetchResult, target: FeedTarget) -> _Attempt:
    if not (target.etag or target.last_modified):
        result.error = "HTTP 304 to a request without validators"
    else:
        result.not_modified = True
    return _Attempt(result)


def _http_error(result: FetchResult, response: aiohttp.ClientResponse) -> _Attempt:
    status = response.status
    result.error = short(f"HTTP {status} {response.reason or ''}".strip())
    retry_after = retry_after_seconds(_header(response, "Retry-After"))
    return _Attempt(result, transient=is_transient_status(status), retry_after=retry_after)


async def fetch_feed(
    session: aiohttp.ClientSession, limits: Limits, target: FeedTarget, settings: Settings
) -> FetchResult:
    """Fetch one feed, retrying transient failures; slots are released while backing off."""
    attempt = _Attempt(FetchResult(fetched_at=datetime.now(UTC)))
    for number in range(settings.retry_times + 1):
        async with limits.slot(target.url):
            attempt = await _attempt(session, target, settings)
        attempt.result.attempts = number + 1
        if not attempt.transient or number == settings.retry_times:
            break
        if exceeds_cap(attempt.retry_after, settings.retry_after_max):
            attempt.result.error = (
                f"{attempt.result.error} (Retry-After {attempt.retry_after:g} s, over the "
                f"{settings.retry_after_max:g} s cap)"
            )
            break
        delay = attempt.retry_after if attempt.retry_after is not None else _backoff(number)
        await asyncio.sleep(delay)
    return attempt.result
