"""Serve family sites on loopback ports, one origin per family, with the demo town's server."""

from __future__ import annotations

import socket
import threading
from datetime import date, datetime
from email.message import Message
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import yaml

from govinspect.demo.layouts.build import Built, build_site, page_key
from govinspect.demo.layouts.choices import FAMILIES, Family
from govinspect.demo.layouts.cms import HANWEB_DATAPROXY, LIST_API, dataproxy, list_api
from govinspect.demo.render_common import PNG_1X1
from govinspect.demo.server import POLL_INTERVAL, Response, _App, _is_loopback, _Server

SOFT_404 = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>提示信息</title></head><body>"
    "<div class='error'><h2>对不起，您访问的页面不存在或已被删除！</h2>"
    "<p>请检查网址是否正确，或<a href='/'>返回首页</a>。</p></div></body></html>"
)
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".css": "text/css",
    ".png": "image/png",
    ".jpg": "image/jpeg",
}


def today() -> date:
    """The crawler dates lists by the Asia/Shanghai calendar: so does the generator."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


def _html(status: int, text: str) -> Response:
    return Response(status, text.encode("utf-8"), [("Content-Type", "text/html; charset=utf-8")])


class _FamilyApp(_App):
    def __init__(self, built: Built, owner: LayoutServer) -> None:
        super().__init__(built.site.family.name, owner)  # type: ignore[arg-type]
        self.built = built
        self.server_header = "nginx"

    def respond(self, method: str, target: str, headers: Message, body: bytes) -> Response:
        site = self.built.site
        raw_path, _, query = target.partition("?")
        path = unquote(raw_path, errors="replace")
        form = body.decode("utf-8", errors="replace")
        if path in (HANWEB_DATAPROXY, LIST_API):
            status, text = (dataproxy if path == HANWEB_DATAPROXY else list_api)(site, query, form)
            ctype = "text/xml" if path == HANWEB_DATAPROXY else "application/json"
            return Response(
                status, text.encode("utf-8"), [("Content-Type", f"{ctype}; charset=utf-8")]
            )
        html = self.built.pages.get(page_key(path, query))
        if html is not None:
            return _html(200, html)
        resource = site.resources.get(path)
        if resource is None:
            return _html(404, "<html><body><h1>404 Not Found</h1></body></html>")
        return self._resource(method, path, resource.kind, resource.location)

    def _resource(self, method: str, path: str, kind: str, location: str) -> Response:
        if kind == "soft404":
            return _html(200, SOFT_404)
        if kind == "redirect":
            return Response(302, b"", [("Location", self.built.site.url(location))])
        if kind == "head405" and method == "HEAD":
            return Response(405, b"", [("Allow", "GET")])
        ext = path[path.rfind(".") :].lower()
        ctype = ATTACHMENT_TYPES.get(ext, "application/octet-stream")
        if kind == "image":
            data = PNG_1X1
        elif kind == "css":
            data = b"body{margin:0}"
        elif kind == "tiny":
            data = b"ok"  # a 2-byte stub answering 200: not dead
        else:
            data = b"%PDF-1.4 generated attachment " + path.encode()
        return Response(200, data, [("Content-Type", ctype)])


class LayoutServer:
    """Serves the sites of ``families`` (all of them by default) for one seed.

    ``truth(name)`` is the ground truth of a family's site for the running port,
    ``write_config(path)`` the govinspect registry (one county unit per family).
    """

    def __init__(
        self,
        families: tuple[Family, ...] | list[Family] = FAMILIES,
        seed: int = 0,
        as_of: date | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        if not _is_loopback(host):
            raise ValueError(f"layout sites bind loopback addresses only, not {host!r}")
        self.families = list(families)
        self.seed = seed
        self.as_of = as_of or today()
        self.host = host
        self.built: dict[str, Built] = {}
        self._servers: dict[str, _Server] = {}
        self._threads: list[threading.Thread] = []
        self._refused: socket.socket | None = None
        self._stop = threading.Event()

    def start(self) -> LayoutServer:
        if self._servers:
            return self
        self._refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._refused.bind((self.host, 0))  # bound, never listening: connection refused
        refused = f"http://{self.host}:{self._refused.getsockname()[1]}/"
        for fam in self.families:
            server = _Server((self.host, 0))
            base = f"http://{self.host}:{server.server_address[1]}/"
            built = build_site(fam, self.seed, base, refused, self.as_of)
            server.app = _FamilyApp(built, self)
            self._servers[fam.name] = server
            self.built[fam.name] = built
            thread = threading.Thread(
                target=server.serve_forever, args=(POLL_INTERVAL,), daemon=True
            )
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        self._stop.set()
        for server in self._servers.values():
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=2)
        self._servers.clear()
        self._threads.clear()
        if self._refused is not None:
            self._refused.close()
            self._refused = None

    def __enter__(self) -> LayoutServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def sleep(self, seconds: float) -> None:
        self._stop.wait(seconds)

    def truth(self, name: str) -> dict[str, Any]:
        return self.built[name].truth

    def base_url(self, name: str) -> str:
        return self.built[name].site.base

    def config(self) -> dict[str, Any]:
        return {
            "units": [
                {
                    "id": fam.name,
                    "name": f"示范县人民政府（{fam.name}）",
                    "category": "county",
                    "website": self.base_url(fam.name),
                }
                for fam in self.families
            ]
        }

    def write_config(self, path: str | Path) -> None:
        Path(path).write_text(
            yaml.safe_dump(self.config(), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
