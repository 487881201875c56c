"""A tiny programmable web site on 127.0.0.1 for crawler tests.

Routes map a path to a function (method, handler) -> (status, headers, body) or to a tuple;
the server counts requests per path and the peak of concurrent requests.
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

Reply = tuple[int, dict[str, str], bytes]
Route = Reply | Callable[[str, "Handler"], Reply]


class Handler(BaseHTTPRequestHandler):
    server: FixtureServer  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; without this, Nagle plus delayed ACKs add
    # 40 ms to every keep-alive response.
    disable_nagle_algorithm = True

    def log_message(self, *args: Any) -> None:  # keep test output clean
        return

    def _serve(self, method: str) -> None:
        site = self.server
        path = unquote(urlsplit(self.path).path)
        with site.lock:
            site.hits[(method, path)] += 1
            site.active += 1
            site.peak = max(site.peak, site.active)
        try:
            reply = self._reply(method, path)
        finally:
            # A request stops counting as in flight once its answer is ready, before it is
            # written: the client may read the answer and send its next request before this
            # thread runs again, which would count a finished request as a concurrent one.
            with site.lock:
                site.active -= 1
        if reply is None:
            return  # the route wrote (or withheld) the answer itself
        status, headers, body = reply
        try:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _reply(self, method: str, path: str) -> tuple[int, dict[str, str], bytes] | None:
        site = self.server
        route = site.routes.get(path) or site.routes.get(self.path)
        if route is None:
            prefix = next((p for p in site.prefix_routes if path.startswith(p)), None)
            route = site.routes.get(prefix) if prefix else None
        if route is None:
            return 404, {"Content-Type": "text/html"}, b"<h1>Not Found</h1>"
        if callable(route):
            try:
                return route(method, self)
            except (BrokenPipeError, ConnectionResetError):
                return None
        return route

    def do_GET(self) -> None:  # noqa: N802
        self._serve("GET")

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve("HEAD")

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length)
        self._serve("POST")


class FixtureServer(ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 drops SYNs under a crawler's bursts (1 s retransmits).
    request_queue_size = 128

    def __init__(self, routes: dict[str, Route], host: str = "127.0.0.1") -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        super().__init__((host, 0), Handler)
        self.routes = routes
        self.prefix_routes: tuple[str, ...] = ()
        self.hits: Counter[tuple[str, str]] = Counter()
        self.lock = threading.Lock()
        self.active = 0
        self.peak = 0
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    def handle_error(self, request: object, client_address: object) -> None:
        """A client hanging up mid-answer is what several tests provoke: not an error."""

    @property
    def base(self) -> str:
        host = self.server_address[0]
        return f"http://{f'[{host}]' if ':' in host else host}:{self.server_address[1]}"

    def __enter__(self) -> FixtureServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


def html(body: str, title: str = "测试", charset: str = "utf-8", head: str = "") -> Reply:
    page = (
        f"<html><head><meta charset='{charset}'><title>{title}</title>{head}</head>"
        f"<body>{body}</body></html>"
    )
    return 200, {"Content-Type": f"text/html; charset={charset}"}, page.encode(charset)


def first_then(first: Reply, then: Reply) -> Callable[[str, Handler], Reply]:
    """Answer ``first`` to the first GET, ``then`` afterwards (transient faults)."""
    calls = Counter()

    def route(method: str, handler: Handler) -> Reply:
        calls[method] += 1
        return first if calls[method] == 1 else then

    return route


def slow(seconds: float, reply: Reply) -> Callable[[str, Handler], Reply]:
    def route(method: str, handler: Handler) -> Reply:
        time.sleep(seconds)
        return reply

    return route
