"""Serve family sites on loopback ports, one origin per family, with the demo town's server."""

from __future__ import annotations

from datetime import date, datetime
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

import yaml

from govinspect.demo import safety_cases
from govinspect.demo.layouts.build import Built, build_site, page_key
from govinspect.demo.layouts.choices import FAMILIES, Family
from govinspect.demo.layouts.cms import HANWEB_DATAPROXY, LIST_API, dataproxy, list_api
from govinspect.demo.render_common import PNG_1X1
from govinspect.demo.server import LoopbackServers, Response, _App, _Server

SOFT_404 = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>提示信息</title></head><body>"
    "<div class='error'><h2>对不起，您访问的页面不存在或已被删除！</h2>"
    "<p>请检查网址是否正确，或<a href='/'>返回首页</a>。</p></div></body></html>"
)
ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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
        elif kind in safety_cases.ATTACHMENTS.values():
            data = safety_cases.attachment_bytes(kind)
        elif kind == "tiny":
            data = b"ok"  # a 2-byte stub answering 200: not dead
        else:
            data = b"%PDF-1.4 generated attachment " + path.encode()
        return Response(200, data, [("Content-Type", ctype)])


class LayoutServer(LoopbackServers):
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
        super().__init__(host, "the layout sites")
        self.families = list(families)
        self.seed = seed
        self.as_of = as_of or today()
        self.built: dict[str, Built] = {}

    def start(self) -> LayoutServer:
        if self._servers:
            return self
        refused = self._bind_refused()
        for fam in self.families:
            server = _Server((self.host, 0))
            base = self._origin_url(server.server_address[1])
            built = build_site(fam, self.seed, base, refused, self.as_of)
            server.app = _FamilyApp(built, self)
            self._servers[fam.name] = server
            self.built[fam.name] = built
            self._serve(f"layout-{fam.name}", server)
        return self

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
