"""A local, threaded server for the demo town: one origin (host:port) per site plus a feeds host.

Everything binds to a loopback address.  Each origin is a ``ThreadingHTTPServer`` with daemon
threads, so a hanging endpoint never blocks other requests, and ``stop()`` releases hanging and
slow requests at once.  A port is also reserved for "connection refused" links by binding a
socket that never listens, so nobody else can take it while the server runs.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, unquote

import yaml

from govinspect.demo import feeds as feedmod
from govinspect.demo import render_hanweb, render_modern, render_trs, truth
from govinspect.demo.model import Page, Site, Town, Urls
from govinspect.demo.render_common import (
    asset_body,
    attachment_body,
    content_type,
    error_html,
    robots_txt,
    search_html,
    sitemap_xml,
    soft404_html,
    trs_deleted_html,
)
from govinspect.demo.spec import HANWEB_DATAPROXY, HANWEB_LETTERS_API, TRS_LIST_API

SITE_ORIGINS = ("county", "dept", "modern")
ALL_PORT_KEYS = (*SITE_ORIGINS, "feeds", "refused")
RENDERERS = {
    "trs_wcm": render_trs.render,
    "hanweb": render_hanweb.render,
    "modern": render_modern.render,
}
SERVER_HEADERS = {
    "trs_wcm": "TRS WCM/7.0",
    "hanweb": "Hanweb JCMS",
    "modern": "nginx",
    "feeds": "RSSHub-demo",
}
POLL_INTERVAL = 0.05
IDLE_CONNECTION_TIMEOUT = 30.0


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    hang: bool = False


@dataclass
class _Stats:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    in_flight: int = 0
    max_concurrent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            return {
                "requests": self.requests,
                "in_flight": self.in_flight,
                "max_concurrent": self.max_concurrent,
                "statuses": dict(self.statuses),
            }


class _App:
    """Answers the requests of one origin."""

    def __init__(self, origin: str, owner: DemoServer) -> None:
        self.origin = origin
        self.owner = owner
        self.stats = _Stats()
        self.server_header = "Apache"

    @contextmanager
    def tracked(self) -> Iterator[None]:
        with self.stats.lock:
            self.stats.requests += 1
            self.stats.in_flight += 1
            self.stats.max_concurrent = max(self.stats.max_concurrent, self.stats.in_flight)
        try:
            yield
        finally:
            with self.stats.lock:
                self.stats.in_flight -= 1

    def record(self, status: int) -> None:
        with self.stats.lock:
            self.stats.statuses[status] += 1

    def respond(self, method: str, target: str, headers: Message, body: bytes) -> Response:
        raise NotImplementedError


def _html(status: int, text: str, encoding: str = "utf-8", declare: bool = True) -> Response:
    ctype = f"text/html; charset={encoding.upper()}" if declare else "text/html"
    return Response(
        status, text.encode(encoding, errors="xmlcharrefreplace"), [("Content-Type", ctype)]
    )


class _SiteApp(_App):
    def __init__(self, site: Site, owner: DemoServer) -> None:
        super().__init__(site.id, owner)
        self.site = site
        self.server_header = SERVER_HEADERS[site.spec.style]
        self._cache: dict[str, bytes] = {}
        self._hits: Counter[str] = Counter()
        self._hits_lock = threading.Lock()

    def respond(self, method: str, target: str, headers: Message, body: bytes) -> Response:
        raw_path, _, query = target.partition("?")
        path = unquote(raw_path, errors="replace")
        if method not in ("GET", "HEAD", "POST"):
            return Response(405, b"", [("Allow", "GET, HEAD, POST")])
        dynamic = self._dynamic(method, path, query, body)
        if dynamic is not None:
            return dynamic
        page = self._lookup(path, query)
        if page is None:
            return _html(404, error_html(404))
        if method == "POST":
            return Response(405, b"", [("Allow", "GET, HEAD")])
        return self._serve(method, page)

    def _dynamic(self, method: str, path: str, query: str, body: bytes) -> Response | None:
        site = self.site
        form = body.decode("utf-8", errors="replace")
        if path == HANWEB_DATAPROXY and site.spec.style == "hanweb":
            status, text = render_hanweb.dataproxy(site, query, form)
            return Response(
                status, text.encode("utf-8"), [("Content-Type", "text/xml; charset=UTF-8")]
            )
        if path == HANWEB_LETTERS_API and site.spec.style == "hanweb":
            status, text = render_hanweb.letters_api(site, query)
            return Response(
                status, text.encode("utf-8"), [("Content-Type", "application/json; charset=utf-8")]
            )
        if path == TRS_LIST_API and any(c.script_filled for c in site.columns):
            status, text = render_trs.list_api(site, query, form)
            return Response(
                status, text.encode("utf-8"), [("Content-Type", "application/json; charset=utf-8")]
            )
        if path == site.spec.search_path and method != "POST":
            params = parse_qs(query)
            words = (params.get("searchword") or params.get("q") or [""])[-1]
            enc = "gbk" if site.spec.encoding == "gbk" else "utf-8"
            return _html(200, search_html(site, words), enc)
        return None

    def _lookup(self, path: str, query: str) -> Page | None:
        pages = self.site.pages
        if query and f"{path}?{query}" in pages:
            return pages[f"{path}?{query}"]
        if path in pages:
            return pages[path]
        alias = self.site.aliases.get(path)
        return pages.get(alias) if alias else None

    def _first_hit(self, path: str) -> bool:
        with self._hits_lock:
            self._hits[path] += 1
            return self._hits[path] == 1

    def _serve(self, method: str, page: Page) -> Response:
        if page.gate == "transient503" and self._first_hit(page.path):
            return _html(
                503, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
            )
        if page.gate == "ratelimit429" and self._first_hit(page.path):
            resp = _html(429, "<html><body><h1>429 Too Many Requests</h1></body></html>")
            resp.headers.append(("Retry-After", "1"))
            return resp
        if page.gate == "slow":
            self.owner.sleep(self.owner.slow_seconds)
        return self._by_kind(method, page)

    def _by_kind(self, method: str, page: Page) -> Response:
        kind = page.kind
        if kind == "status":
            return _html(page.status, error_html(page.status))
        if kind == "soft404":
            return _html(200, soft404_html(self.site))
        if kind == "trs_deleted":
            return _html(200, trs_deleted_html(page.location or "../"))
        if kind == "hang":
            return Response(0, hang=True)
        if kind == "redirect":
            location = self.owner.urls.url(self.site.id, page.location or "/")
            return Response(page.status, b"", [("Location", location)])
        if kind == "attachment":
            if page.head405 and method == "HEAD":
                return Response(405, b"", [("Allow", "GET")])
            return Response(200, attachment_body(page), [("Content-Type", content_type(page.path))])
        if kind == "asset":
            return Response(200, asset_body(page.path), [("Content-Type", content_type(page.path))])
        if kind == "robots":
            return Response(
                200,
                robots_txt(self.site, self.owner.urls).encode(),
                [("Content-Type", "text/plain; charset=utf-8")],
            )
        if kind == "sitemap_xml":
            return Response(
                200,
                sitemap_xml(self.site, self.owner.urls).encode(),
                [("Content-Type", "application/xml; charset=utf-8")],
            )
        return self._html_page(page)

    def _html_page(self, page: Page) -> Response:
        body = self._cache.get(page.path)
        if body is None:
            text = RENDERERS[self.site.spec.style](self.site, page, self.owner.urls)
            enc = "gbk" if self.site.spec.encoding == "gbk" else "utf-8"
            body = text.encode(enc, errors="xmlcharrefreplace")
            self._cache[page.path] = body
        if self.site.spec.encoding == "gbk":
            ctype = "text/html; charset=GBK" if page.charset == "header" else "text/html"
        else:
            ctype = "text/html; charset=utf-8"
        return Response(200, body, [("Content-Type", ctype)])


class _FeedsApp(_App):
    """New-media feeds (with ETag/Last-Modified and 304s) and the outside-world stand-ins."""

    def __init__(self, town: Town, owner: DemoServer) -> None:
        super().__init__("feeds", owner)
        self.server_header = SERVER_HEADERS["feeds"]
        self.feeds = {f.spec.path: f for f in town.feeds}
        self.externals = feedmod.external_paths(town)
        self._bodies: dict[str, bytes | None] = {}

    def respond(self, method: str, target: str, headers: Message, body: bytes) -> Response:
        path = unquote(target.partition("?")[0], errors="replace")
        if method not in ("GET", "HEAD"):
            return Response(405, b"", [("Allow", "GET, HEAD")])
        if path in self.feeds:
            return self._feed(path, headers)
        if path in self.externals:
            ctype, data = feedmod.external_body(path)
            return Response(200, data, [("Content-Type", ctype)])
        return _html(404, error_html(404))

    def _feed(self, path: str, headers: Message) -> Response:
        feed = self.feeds[path]
        if path not in self._bodies:
            self._bodies[path] = feedmod.feed_body(feed, self.owner.urls)
        data = self._bodies[path]
        if data is None:
            return _html(404, error_html(404))
        etag = '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
        modified = feedmod.last_modified(feed)
        out = [("ETag", etag), ("Content-Type", feedmod.feed_content_type(feed))]
        if modified:
            out.append(("Last-Modified", format_datetime(modified.astimezone(UTC), usegmt=True)))
        if _not_modified(headers, etag, modified):
            return Response(304, b"", out)
        return Response(200, data, out)


def _not_modified(headers: Message, etag: str, modified: datetime | None) -> bool:
    inm = headers.get("If-None-Match")
    if inm is not None:
        tags = {t.strip().removeprefix("W/") for t in inm.split(",")}
        return etag in tags or "*" in tags
    ims = headers.get("If-Modified-Since")
    if ims and modified is not None:
        try:
            return modified <= parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
    return False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without this, Nagle's algorithm and delayed
    # ACKs add ~40 ms to keep-alive answers.
    disable_nagle_algorithm = True
    timeout = IDLE_CONNECTION_TIMEOUT
    server: _Server

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def version_string(self) -> str:
        return self.server.app.server_header

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the per-request log (the demo serves thousands of requests)."""

    def _handle(self, method: str) -> None:
        app = self.server.app
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        # A request counts as in flight until its answer is ready, so that a strictly
        # sequential client never shows up as concurrent in stats().
        with app.tracked():
            resp = app.respond(method, self.path, self.headers, body)
            if resp.hang:
                # Hold the connection without answering, then drop it.
                app.owner.sleep(app.owner.hang_seconds)
                self.close_connection = True
            app.record(0 if resp.hang else resp.status)
        if resp.hang:
            return
        self.send_response(resp.status)
        for name, value in resp.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(resp.body)))
        self.end_headers()
        if method != "HEAD" and resp.status != 304:
            self.wfile.write(resp.body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    # The default listen backlog of 5 drops SYNs when a crawler opens connections in bursts,
    # and every drop costs a 1 s retransmit.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a killed crawl, a timeout) is not an error."""

    def __init__(self, address: tuple[str, int]) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.app: _App


class LoopbackServers:
    """Threaded HTTP servers on loopback ports and a bound-but-closed "refused" port, with one
    stop event that also releases slow and hanging endpoints (``sleep``).  The demo town and the
    layout-variety sites both serve through it."""

    def __init__(self, host: str, what: str) -> None:
        if not _is_loopback(host):
            raise ValueError(f"{what} binds loopback addresses only, not {host!r}")
        self.host = host
        self._stop = threading.Event()
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._refused: socket.socket | None = None

    def _bind_refused(self, port: int = 0) -> str:
        """Bind the never-listening port (connections to it are refused); returns its URL."""
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._refused = socket.socket(family, socket.SOCK_STREAM)
        self._refused.bind((self.host, port))
        return self._origin_url(self._refused.getsockname()[1])

    def _serve(self, name: str, server: _Server) -> None:
        thread = threading.Thread(
            target=server.serve_forever, args=(POLL_INTERVAL,), name=name, daemon=True
        )
        thread.start()
        self._threads.append(thread)

    def start(self) -> Self:
        raise NotImplementedError

    def stop(self) -> None:
        self._stop.set()  # releases hanging and slow requests
        for server in self._servers.values():
            if self._threads:
                server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()
        if self._refused is not None:
            self._refused.close()
            self._refused = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def sleep(self, seconds: float) -> None:
        """Interruptible sleep used by slow and hanging endpoints."""
        self._stop.wait(seconds)

    def _origin_url(self, port: int) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{port}/"


class DemoServer(LoopbackServers):
    """Serves a ``Town`` on loopback ports; see docs/demo.md."""

    def __init__(
        self,
        town: Town,
        host: str = "127.0.0.1",
        ports: dict[str, int] | None = None,
        slow_seconds: float = 1.0,
        hang_seconds: float = 30.0,
    ) -> None:
        super().__init__(host, "the demo town")
        unknown = set(ports or {}) - set(ALL_PORT_KEYS)
        if unknown:
            raise ValueError(f"unknown port keys {sorted(unknown)}; use {ALL_PORT_KEYS}")
        self.town = town
        self.ports = dict(ports or {})
        self.slow_seconds = slow_seconds
        self.hang_seconds = hang_seconds
        self._urls: Urls | None = None

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> DemoServer:
        if self._servers:
            return self
        self._stop.clear()
        refused = self._bind_refused(self.ports.get("refused", 0))
        try:
            for origin in (*SITE_ORIGINS, "feeds"):
                self._servers[origin] = _Server((self.host, self.ports.get(origin, 0)))
        except OSError:
            self.stop()
            raise
        bases = {o: self._origin_url(s.server_address[1]) for o, s in self._servers.items()}
        bases["refused"] = refused
        self._urls = Urls(bases)
        for origin, server in self._servers.items():
            server.app = (
                _FeedsApp(self.town, self)
                if origin == "feeds"
                else _SiteApp(self.town.sites[origin], self)
            )
            self._serve(f"demo-{origin}", server)
        return self

    def serve_for(self, lifetime_seconds: float) -> None:
        """Serve until ``lifetime_seconds`` pass (<= 0: until Ctrl-C) or KeyboardInterrupt."""
        started_here = not self._servers
        self.start()
        try:
            self._stop.wait(lifetime_seconds if lifetime_seconds > 0 else None)
        except KeyboardInterrupt:
            pass
        finally:
            if started_here:
                self.stop()

    # -- information ---------------------------------------------------------------------------
    @property
    def urls(self) -> Urls:
        if self._urls is None:
            raise RuntimeError("DemoServer is not started")
        return self._urls

    def base_url(self, site_id: str) -> str:
        """Base URL of a site (or of "feeds" / "refused"), e.g. ``http://127.0.0.1:41234/``."""
        return self.urls.base(site_id)

    def manifest(self) -> dict[str, Any]:
        return truth.manifest(self.town, self.urls)

    def config(self) -> dict[str, Any]:
        return truth.config(self.town, self.urls)

    def write_config(self, path: str | Path) -> None:
        """Write the config as YAML (or JSON when the file name ends in .json)."""
        p = Path(path)
        data = self.config()
        if p.suffix == ".json":
            p.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        else:
            p.write_text(
                yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )

    def write_manifest(self, path: str | Path) -> None:
        Path(path).write_text(
            json.dumps(self.manifest(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )

    def stats(self) -> dict[str, dict[str, Any]]:
        """Per origin: requests, in_flight, max_concurrent, statuses (0 = dropped/hung)."""
        return {origin: server.app.stats.snapshot() for origin, server in self._servers.items()}

    def reset_stats(self) -> None:
        for server in self._servers.values():
            server.app.stats = _Stats()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    with suppress(ValueError):
        return ipaddress.ip_address(host).is_loopback
    return False
