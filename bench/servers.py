"""Static file servers for the benchmarks: Debian's nginx, or an aiohttp fallback.

Both serve a directory tree on loopback addresses only, answer conditional requests
(``ETag``/``Last-Modified`` → 304), send the ``LinkChecker`` response header (without it
LinkChecker refuses to go faster than 10 requests/s per host), and write the same tab-separated
access log (``time host method uri status bytes_sent user_agent if_none_match
if_modified_since``), from which the harness counts each tool's requests, distinct URLs, bytes
and conditional requests.

nginx runs in the foreground (``daemon off``) with a configuration generated in a temporary
directory: no system service, no privileged port.  The aiohttp server runs as a subprocess of
this file (``python bench/servers.py serve ...``) and is also the one that can add a fixed
latency per response and serve several loopback hosts (the politeness scenario), and the one
that can play a server sending no validators at all (``--no-validators``: no ``ETag``, no
``Last-Modified``, never a 304, as many government servers behind dynamic CMSs do).

    .venv/bin/python bench/servers.py serve --root 127.0.0.1=SITE_DIR --port 8080 [--latency 0.1]
                                            [--no-validators]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

NGINX = "/usr/sbin/nginx"
# The worker's connection table must never be the limit: a client that keeps many idle
# keep-alive connections (linkinator's undici) otherwise has them closed under it ("worker
# connections are not enough, reusing connections") and reports the next request on each as
# broken.
MAX_NOFILE = 131_072
START_TIMEOUT = 15.0
STOP_TIMEOUT = 10.0
#: The header LinkChecker looks for before it lifts its own rate limit.
LINKCHECKER_HEADER = ("LinkChecker", "bench")
LOG_FIELDS = (
    "$msec\\t$http_host\\t$request_method\\t$request_uri\\t$status\\t$bytes_sent\\t"
    "$http_user_agent\\t$http_if_none_match\\t$http_if_modified_since"
)

NGINX_CONF = """\
worker_processes 1;
worker_rlimit_nofile {nofile};
daemon off;
master_process on;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections {connections}; }}
http {{
    {types}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/css application/javascript;
    log_format bench '{log_format}';
    access_log {log} bench;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    server_tokens off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{servers}
}}
"""
NGINX_SERVER = """\
    server {{
        listen {host}:{port};
        root {root};
        index index.html;
        add_header {header} {value} always;
    }}
"""


@dataclass(frozen=True, slots=True)
class LogEntry:
    host: str
    method: str
    uri: str
    status: int
    bytes_sent: int
    user_agent: str
    conditional: bool  # the request carried If-None-Match or If-Modified-Since


class AccessLog:
    """The server's access log, read in slices between two marks."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size if self.path.exists() else 0

    def entries(self, since: int = 0, until: int | None = None) -> list[LogEntry]:
        if not self.path.exists():
            return []
        with self.path.open("rb") as fh:
            fh.seek(since)
            data = fh.read() if until is None else fh.read(until - since)
        out = []
        for line in data.decode("utf-8", errors="replace").splitlines():
            parts = line.split("\t")
            if len(parts) < 9:
                continue
            _, host, method, uri, status, sent, agent, inm, ims = parts[:9]
            conditional = inm not in ("", "-") or ims not in ("", "-")
            out.append(LogEntry(host, method, uri, int(status), int(sent), agent, conditional))
        return out


def _is_loopback(host: str) -> bool:
    return ipaddress.ip_address(host).is_loopback


def free_port(hosts: list[str]) -> int:
    """A port free on every one of ``hosts`` (loopback addresses)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind((hosts[0], 0))
            port = probe.getsockname()[1]
        if all(_bindable(h, port) for h in hosts[1:]):
            return port
    raise RuntimeError(f"no common free port on {hosts}")


def _bindable(host: str, port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _wait_listening(host: str, port: int, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with status {process.returncode}")
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return
        time.sleep(0.05)
    raise RuntimeError(f"server did not listen on {host}:{port} within {timeout:.0f} s")


def exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that servers started in ``with`` blocks are stopped."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def nginx_available() -> bool:
    return Path(NGINX).exists() or shutil.which("nginx") is not None


class StaticServer:
    """Serves ``roots`` (loopback address → directory) on one port; see the module docstring.

    ``engine`` is ``"nginx"`` or ``"aiohttp"`` (``"auto"``: nginx when installed and neither a
    latency nor ``validators=False`` is asked for).  Use as a context manager;
    ``base_url(host)`` gives ``http://host:port/``.
    """

    def __init__(
        self,
        roots: dict[str, Path],
        latency: float = 0.0,
        engine: str = "auto",
        linkchecker_header: bool = True,
        port: int = 0,
        validators: bool = True,
    ) -> None:
        if not roots or not all(_is_loopback(h) for h in roots):
            raise ValueError("the benchmark servers bind loopback addresses only")
        if engine == "auto":
            plain = latency == 0 and validators
            engine = "nginx" if nginx_available() and plain else "aiohttp"
        if engine == "nginx" and (latency or not validators):
            raise ValueError("nginx cannot add latency nor drop validators; use aiohttp")
        self.roots = {h: Path(r).resolve() for h, r in roots.items()}
        self.latency = latency
        self.validators = validators
        self.engine = engine
        self.linkchecker_header = linkchecker_header
        self.port = port
        self.workdir = Path(tempfile.mkdtemp(prefix=f"govinspect-bench-{engine}-"))
        self.log = AccessLog(self.workdir / "access.log")
        self.stats_path = self.workdir / "stats.json"
        self.process: subprocess.Popen | None = None

    @property
    def hosts(self) -> list[str]:
        return list(self.roots)

    def base_url(self, host: str | None = None) -> str:
        return f"http://{host or self.hosts[0]}:{self.port}/"

    def start(self) -> StaticServer:
        self.workdir.chmod(0o755)  # nginx workers run unprivileged and write the log here
        self.port = self.port or free_port(self.hosts)
        if self.engine == "nginx":
            self.process = self._start_nginx()
        else:
            self.process = self._start_aiohttp()
        _wait_listening(self.hosts[0], self.port, self.process, START_TIMEOUT)
        return self

    def _start_nginx(self) -> subprocess.Popen:
        header, value = LINKCHECKER_HEADER if self.linkchecker_header else ("X-Bench", "1")
        servers = "".join(
            NGINX_SERVER.format(host=h, port=self.port, root=r, header=header, value=value)
            for h, r in self.roots.items()
        )
        types = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
        conf = self.workdir / "nginx.conf"
        # As many descriptors as the hard limit allows (a connection may need two).
        nofile = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
        nofile = MAX_NOFILE if nofile == resource.RLIM_INFINITY else min(nofile, MAX_NOFILE)
        conf.write_text(
            NGINX_CONF.format(
                nofile=nofile,
                connections=max(1024, nofile // 2),
                prefix=self.workdir,
                types=types,
                log_format=LOG_FIELDS,
                log=self.log.path,
                servers=servers,
            )
        )
        binary = NGINX if Path(NGINX).exists() else shutil.which("nginx") or "nginx"
        return subprocess.Popen(
            [
                binary,
                "-p",
                str(self.workdir),
                "-c",
                str(conf),
                "-e",
                str(self.workdir / "error.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "nginx.stderr").open("wb"),
        )

    def _start_aiohttp(self) -> subprocess.Popen:
        command = [sys.executable, str(Path(__file__).resolve()), "serve", "--port", str(self.port)]
        command += ["--log", str(self.log.path), "--latency", str(self.latency)]
        command += ["--stats", str(self.stats_path)]
        for host, root in self.roots.items():
            command += ["--root", f"{host}={root}"]
        if not self.linkchecker_header:
            command.append("--no-linkchecker-header")
        if not self.validators:
            command.append("--no-validators")
        # Without sendfile every byte goes through aiohttp's writer, so the log's byte counts
        # include the bodies (sendfile bypasses the counter).
        env = {**os.environ, "AIOHTTP_NOSENDFILE": "1"}
        return subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=(self.workdir / "aiohttp.stderr").open("wb"),
            env=env,
        )

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            # SIGQUIT is nginx's graceful stop; the aiohttp child treats SIGTERM the same way.
            process.send_signal(signal.SIGQUIT if self.engine == "nginx" else signal.SIGTERM)
            try:
                process.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stats(self) -> dict[str, int]:
        """aiohttp engine, after ``stop()``: the most requests in flight at once, per host."""
        if not self.stats_path.exists():
            return {}
        return json.loads(self.stats_path.read_text())

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> StaticServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
        self.cleanup()


# ---------------------------------------------------------------------------------------------
# the aiohttp server (subprocess)
# ---------------------------------------------------------------------------------------------
class _InFlight:
    """Requests in flight per host, and the most at once: evidence of a crawler's politeness."""

    def __init__(self) -> None:
        self.now: dict[str, int] = {}
        self.peak: dict[str, int] = {}

    @contextlib.contextmanager
    def track(self, host: str):
        self.now[host] = self.now.get(host, 0) + 1
        self.peak[host] = max(self.peak.get(host, 0), self.now[host])
        try:
            yield
        finally:
            self.now[host] -= 1


def _aiohttp_app(
    roots: dict[str, Path],
    latency: float,
    header: bool,
    log_path: Path,
    in_flight: _InFlight,
    validators: bool = True,
):
    from aiohttp import web
    from aiohttp.abc import AbstractAccessLogger

    log_file = log_path.open("a", buffering=1, encoding="utf-8")

    class TsvAccessLogger(AbstractAccessLogger):
        def log(self, request, response, time_taken) -> None:  # type: ignore[override]
            def field(name: str) -> str:
                return request.headers.get(name, "-").replace("\t", " ") or "-"

            log_file.write(
                f"{time.time():.3f}\t{request.host}\t{request.method}\t{request.path_qs}\t"
                f"{response.status}\t{response.body_length}\t{field('User-Agent')}\t"
                f"{field('If-None-Match')}\t{field('If-Modified-Since')}\n"
            )

    not_found = b"<html><head><title>404 Not Found</title></head><body>404 Not Found</body></html>"

    async def handle(request: web.Request) -> web.StreamResponse:
        local = request.transport.get_extra_info("sockname")[0] if request.transport else ""
        with in_flight.track(local):
            if latency:
                await asyncio.sleep(latency)
            return _answer(request, roots.get(local) or next(iter(roots.values())))

    def _answer(request: web.Request, root: Path) -> web.StreamResponse:
        target = (root / request.path.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        extra = {LINKCHECKER_HEADER[0]: LINKCHECKER_HEADER[1]} if header else {}
        if not target.is_relative_to(root) or not target.is_file():
            return web.Response(status=404, body=not_found, content_type="text/html", headers=extra)
        if not validators:
            # The whole body every time: no ETag, no Last-Modified, conditional headers ignored.
            plain = web.Response(body=target.read_bytes(), headers=extra)
            plain.content_type = _content_type(target)
            if target.suffix == ".html":
                plain.charset = "utf-8"
            return plain
        response = web.FileResponse(target, headers=extra)
        if target.suffix == ".html":
            response.content_type = "text/html"
            response.charset = "utf-8"
        return response

    app = web.Application()
    app.router.add_get("/{tail:.*}", handle, allow_head=True)
    return app, TsvAccessLogger


def _content_type(path: Path) -> str:
    import mimetypes

    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


async def _serve(args: argparse.Namespace) -> None:
    from aiohttp import web

    roots = {}
    for spec in args.root:
        host, _, path = spec.partition("=")
        if not _is_loopback(host):
            raise SystemExit(f"not a loopback address: {host}")
        roots[host] = Path(path).resolve()
    in_flight = _InFlight()
    header = not args.no_linkchecker_header
    app, logger = _aiohttp_app(
        roots, args.latency, header, args.log, in_flight, not args.no_validators
    )
    runner = web.AppRunner(app, access_log_class=logger, handle_signals=False)
    await runner.setup()
    for host in roots:
        await web.TCPSite(runner, host, args.port, backlog=1024).start()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
        loop.add_signal_handler(sig, stop.set)
    # Bounded: a forgotten server stops by itself.
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=args.lifetime)
    await runner.cleanup()
    if args.stats:
        args.stats.write_text(json.dumps(in_flight.peak))


def main() -> int:
    parser = argparse.ArgumentParser(description="benchmark static server (aiohttp engine)")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--root", action="append", required=True, help="HOST=DIR (repeatable)")
    serve.add_argument("--port", type=int, required=True)
    serve.add_argument("--latency", type=float, default=0.0, help="seconds added per response")
    serve.add_argument("--log", type=Path, default=Path(os.devnull))
    serve.add_argument("--stats", type=Path, default=None, help="write peak in-flight per host")
    serve.add_argument("--lifetime", type=float, default=4 * 3600.0)
    serve.add_argument("--no-linkchecker-header", action="store_true")
    serve.add_argument(
        "--no-validators", action="store_true", help="no ETag/Last-Modified, never a 304"
    )
    args = parser.parse_args()
    asyncio.run(_serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
