"""Link verification: which outcome class a server's answer puts a link target in.

The classes are defined once, in :mod:`govinspect.store.link_outcomes`.  All quirks live here
and in ``data/outcomes.yaml``: which statuses are "blocked" (unknown, never dead), which are
transient, how a 200 page is recognised as a soft 404.  Pure functions of what was received, so
each rule is unit-tested without a network.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urlsplit

import yaml

from govinspect.crawler.urls import OTHER_SCHEME, unfetchable_problem

# The classes themselves are the vocabulary of the stored ``LinkCheck.outcome`` column, defined
# once in the store so the checks can count them without importing the crawler.
from govinspect.store.link_outcomes import (  # noqa: F401 - re-exported for the crawler
    BLOCKED,
    CONNECTION_ERROR,
    CONNECTION_REFUSED,
    DEAD,
    DNS_ERROR,
    HTTP_ERROR,
    INVALID_URL,
    MISSING_ANCHOR,
    NOT_CHECKED,
    NOTED,
    OK,
    REDIRECT_LOOP,
    ROBOTS_EXCLUDED,
    SOFT_404,
    TIMEOUT,
    TLS_ERROR,
    UNKNOWN,
)


@cache
def rules() -> dict[str, Any]:
    text = resources.files("govinspect.crawler").joinpath("data/outcomes.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def is_transient_status(status: int) -> bool:
    return status in rules()["transient_statuses"]


def head_needs_get(status: int) -> bool:
    """HEAD answers that must be confirmed with a GET before they count."""
    return status >= 400 or status in rules()["head_unreliable_statuses"]


def classify_status(status: int) -> str:
    if status in rules()["blocked_statuses"]:
        return BLOCKED
    if status >= 400:
        return HTTP_ERROR
    return OK


def unfetchable(url: str) -> tuple[str, str]:
    """Outcome and error of a link target no request can be made for (never fetched)."""
    if unfetchable_problem(url) == OTHER_SCHEME:
        scheme = url.partition(":")[0].lower()
        return NOT_CHECKED, f"{scheme}: links are not checked"
    return INVALID_URL, "not a valid URL: no browser can follow it"


@dataclass(frozen=True, slots=True)
class Failure:
    outcome: str
    error: str
    transient: bool
    status: int | None = None
    oversized: bool = False


_STATUS_IN_MESSAGE = re.compile(r"<(\d{3}) ")


def classify_exception(exc: BaseException) -> Failure:
    """Map a download failure (Twisted/Scrapy exception) to an outcome class."""
    name = type(exc).__name__
    text = f"{name}: {exc}".strip()
    lowered = text.lower()
    if "download_maxsize" in lowered or "download max size" in lowered:
        # The server answered, with more than we agreed to read (or a decompression bomb):
        # the target exists; the page is recorded as oversized, never as dead.
        status = _STATUS_IN_MESSAGE.search(text)
        return Failure(
            OK,
            "body larger than the size limit (or a decompression bomb)",
            False,
            int(status.group(1)) if status else None,
            True,
        )
    if "forbidden by robots.txt" in lowered:
        return Failure(ROBOTS_EXCLUDED, "forbidden by robots.txt", False)
    if "max redirections" in lowered:
        return Failure(REDIRECT_LOOP, "too many redirects (loop or overlong chain)", False)
    if name == "DNSLookupError" or "dns lookup failed" in lowered:
        return Failure(DNS_ERROR, _short(text), True)
    if name == "ConnectionRefusedError" or "connection refused" in lowered:
        return Failure(CONNECTION_REFUSED, _short(text), True)
    if "timeout" in lowered or "timed out" in lowered or name == "TimeoutError":
        return Failure(TIMEOUT, _short(text), True)
    if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
        return Failure(TLS_ERROR, _short(text), True)
    return Failure(CONNECTION_ERROR, _short(text), True)


def _short(text: str) -> str:
    return " ".join(text.split())[:300]


# --- soft 404 ---------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Signature:
    """What a page looks like, compact enough to keep for every host's baseline."""

    title: str
    size: int
    digest: str


def signature(title: str, text: str) -> Signature:
    compact = _SPACE.sub("", text)
    return Signature(
        _SPACE.sub(" ", title).strip(), len(compact), hashlib.sha1(compact.encode()).hexdigest()
    )


@dataclass(frozen=True, slots=True)
class Baseline:
    """How a host answers a URL that cannot exist (fetched once per host and run)."""

    status: int | None
    final_url: str | None
    signature: Signature | None

    @property
    def answers_200(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _matches_baseline(
    sig: Signature, final_url: str, requested: str, baseline: Baseline | None
) -> bool:
    if baseline is None or not baseline.answers_200 or baseline.signature is None:
        return False
    base = baseline.signature
    if baseline.final_url and final_url == baseline.final_url and requested != final_url:
        return True  # every missing URL is redirected to the same page (often the homepage)
    if sig.digest == base.digest:
        return True
    ratio = rules()["soft_404"]["baseline_size_ratio"]
    same_size = abs(sig.size - base.size) <= max(ratio * max(base.size, 1), 20)
    return bool(sig.title) and sig.title == base.title and same_size


_INDEX_NAME = re.compile(r"^(index|default)(_\d+)?\.[a-z]+$", re.I)


def _is_index(url: str) -> bool:
    """A folder or list-style URL: ``/a/b/``, ``/a/index.html``, Hanweb ``/col/col12/``."""
    path = urlsplit(url).path or "/"
    name = path.rpartition("/")[2]
    return not name or bool(_INDEX_NAME.match(name))


def _is_deletion_refresh(target: str, page: str) -> bool:
    """A document page whose only content sends the reader up to a folder or list page.

    TRS refreshes deleted documents to the parent folder; Hanweb to the column's index page.
    A refresh from one document to another document is a move, not a deletion.
    """
    if _is_index(page):
        return False
    return _is_ancestor(target, page) or (
        urlsplit(target).netloc == urlsplit(page).netloc and _is_index(target)
    )


def _is_ancestor(target: str, page: str) -> bool:
    """Is ``target`` a folder above ``page`` (or that folder's index page)?"""
    t, p = urlsplit(target), urlsplit(page)
    if (t.scheme, t.netloc) != (p.scheme, p.netloc):
        return False
    folder = re.sub(r"(index|default)\.[a-z]+$", "", t.path or "/")
    if not folder.endswith("/"):
        folder += "/"
    return p.path.startswith(folder) and p.path.rstrip("/") != folder.rstrip("/")


_TITLE_PARTS = re.compile(r"\s*[-_|｜—–·:：]\s*|\s{2,}")


def _title_says_not_found(title: str, phrases: list[str]) -> bool:
    """A title part that starts or ends with a not-found phrase ("404错误 - 某县政府").

    Whole-part matching keeps article titles that merely mention an error page
    ("关于网站404错误页面整改的通知") out.
    """
    parts = [p.lower() for p in _TITLE_PARTS.split(title) if p.strip()]
    return any(
        part.startswith(phrase.lower()) or part.endswith(phrase.lower())
        for part in parts
        for phrase in phrases
    )


def soft_404_reason(
    *,
    url: str,
    final_url: str,
    title: str,
    text: str,
    refresh: str | None,
    baseline: Baseline | None,
) -> str | None:
    """Why a 200 HTML page is really "not found", or None when it is a real page."""
    config = rules()["soft_404"]
    visible = _SPACE.sub("", text)
    small = len(visible) <= config["small_page_chars"]
    if _title_says_not_found(title, config["title_phrases"]):
        return f"title says not found: {title[:80]}"
    if small:
        for phrase in config["text_phrases"]:
            if phrase in visible:
                return f"page says: {phrase}"
    if refresh and small and _is_deletion_refresh(refresh, final_url):
        # Deleted documents answer 200 with a page that refreshes to the folder or column.
        return f"meta refresh from a document to the list page {refresh}"
    return baseline_reason(signature(title, text), url=url, final_url=final_url, baseline=baseline)


def baseline_reason(
    sig: Signature, *, url: str, final_url: str, baseline: Baseline | None
) -> str | None:
    """The host-baseline half of :func:`soft_404_reason`, for a page whose own title and text
    said nothing (its signature is all that needs keeping while the baseline is awaited)."""
    if _matches_baseline(sig, final_url, url, baseline):
        return "same answer as for a URL that cannot exist"
    return None


def is_challenge(text: str) -> bool:
    """A WAF or anti-bot challenge page: the site is up, but would not show us the target."""
    return any(marker in text for marker in rules()["challenge_markers"])
