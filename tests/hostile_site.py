"""A hostile web site on 127.0.0.1: bombs, trickles, traps and broken content, plus ordinary faults.

Used by tests/test_hostile.py and bench/bench_hostile.py. Every route is bounded in time so the
server never outlives its test.
"""

from __future__ import annotations

import contextlib
import gzip
import time
from functools import cache

from tests.fixture_site import FixtureServer, Handler, Reply, html

BIG = 30 * 1024 * 1024  # bytes of an oversized body
TRICKLE_SECONDS = 20.0
SILENT_SECONDS = 20.0


@cache
def _bomb() -> bytes:
    # 200 MB of zeros gzip to ~200 KB: a body that inflates far past any size cap.
    return gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)


def _bomb_route(method: str, h: Handler) -> Reply:
    return 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, _bomb()


def _stream(h: Handler, with_length: bool) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    if with_length:
        h.send_header("Content-Length", str(BIG))
    else:
        h.send_header("Connection", "close")
        h.close_connection = True
    h.end_headers()
    chunk = b"<p>" + b"x" * 65_530 + b"</p>"
    try:
        for _ in range(BIG // len(chunk)):
            h.wfile.write(chunk)
    except OSError:
        pass  # the crawler hung up at its size cap, as it should


def _trickle(method: str, h: Handler) -> None:
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", "100000")
    h.end_headers()
    deadline = time.monotonic() + TRICKLE_SECONDS
    try:
        while time.monotonic() < deadline:
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.5)
    except OSError:
        pass
    h.close_connection = True


def _silent(method: str, h: Handler) -> None:
    time.sleep(SILENT_SECONDS)
    h.close_connection = True


def _huge_headers(method: str, h: Handler) -> None:
    h.send_response(200)
    for i in range(300):
        h.send_header(f"X-Junk-{i}", "j" * 1000)
    h.send_header("Content-Length", "2")
    h.end_headers()
    with contextlib.suppress(OSError):
        h.wfile.write(b"ok")


def _calendar(method: str, h: Handler) -> Reply:
    day = int(h.path.split("d=")[-1] or 0)
    return html(f'<a href="/cal?d={day + 1}">下一天</a><a href="/cal?d={day - 1}">上一天</a>')


def _deeper(method: str, h: Handler) -> Reply:
    q = h.path.split("q=")[-1]
    return html(f'<a href="/deep?q={q}{q[:50]}">更深</a>')


def _session(method: str, h: Handler) -> Reply:
    token = int(time.monotonic() * 1e6)
    return html(f'<a href="/sess;jsessionid={token}">会话</a>')


def hostile_routes() -> dict:
    links = [
        "/ok.html", "/gone.html", "/bomb.html", "/big-cl.html", "/big-nocl.html",
        "/trickle.html", "/silent.html", "/headers.html", "/cal?d=0", "/deep?q=a",
        "/sess;jsessionid=1", "/loop", "/chain0", "/many.html", "/badbytes.html",
        "/unknowncharset.html", "/nul.html", "/nested.html", "/xss.html",
    ]  # fmt: skip
    routes: dict = {
        "/": html("".join(f'<a href="{u}">{u}</a>' for u in links), title="恶意测试站"),
        "/ok.html": html("<p>正常</p>", title="正常"),
        "/bomb.html": _bomb_route,
        "/big-cl.html": lambda m, h: _stream(h, True),
        "/big-nocl.html": lambda m, h: _stream(h, False),
        "/trickle.html": _trickle,
        "/silent.html": _silent,
        "/headers.html": _huge_headers,
        "/cal": _calendar,
        "/deep": _deeper,
        "/sess": _session,
        "/loop": (302, {"Location": "/loop"}, b""),
        "/many.html": html("".join(f'<a href="/m/{i}.html">{i}</a>' for i in range(100_000))),
        "/badbytes.html": (
            200,
            {"Content-Type": "text/html; charset=gbk"},
            b"<html><head><title>\xff\xfe\x80\xd5\xfe</title></head><body>"
            b'<a href="/ok-badbytes.html">\xc1\xb4\xbd\xd3 \xff\xff</a></body></html>',
        ),
        "/unknowncharset.html": (
            200,
            {"Content-Type": "text/html; charset=x-no-such-charset"},
            "<title>未知编码</title><a href='/ok-charset.html'>链接</a>".encode(),
        ),
        "/nul.html": (
            200,
            {"Content-Type": "text/html"},
            b"<title>NUL\0page</title>\0\0<a href='/ok-nul.html'>\0link</a>",
        ),
        "/nested.html": html(
            "<div>" * 100_000 + "</div>" * 100_000 + '<a href="/ok-nested.html">深层之后</a>'
        ),
        "/xss.html": html(
            '<a href="/ok.html">"><script>alert(\'x\')</script></a>',
            title="<script>alert(1)</script>\"'",
        ),
    }
    for i in range(15):
        routes[f"/chain{i}"] = (302, {"Location": f"/chain{i + 1}"}, b"")
    for name in ("ok-badbytes", "ok-charset", "ok-nul", "ok-nested"):
        routes[f"/{name}.html"] = html("<p>ok</p>")
    routes["/m"] = (404, {"Content-Type": "text/html"}, b"nope")
    return routes


def hostile_server() -> FixtureServer:
    server = FixtureServer(hostile_routes())
    server.prefix_routes = ("/cal", "/deep", "/sess", "/m/")
    return server
