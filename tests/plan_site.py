"""A small changeable county site for the crawl-plan tests (the bench site's shapes, in memory).

Columns at ``/<slug>/`` with list pages ``index_N.html`` of PAGE_SIZE items, articles at
``/<slug>/<n>.html`` linking an image, the column and (for some) an outside link; the homepage
shows the newest items of every column.  ``SiteModel.routes()`` renders the current state, so a
test changes the model (a new item, an emptied column, a dead link) and serves it again.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date, timedelta

from tests.fixture_site import Route

PAGE_SIZE = 10
SITE = "示范县人民政府"


@dataclass
class Item:
    slug: str
    number: int
    title: str
    day: date
    links: list[str] = field(default_factory=list)

    @property
    def path(self) -> str:
        return f"/{self.slug}/{self.number}.html"


@dataclass
class ColumnModel:
    slug: str
    name: str
    items: list[Item] = field(default_factory=list)
    #: False: the list pages show no item (an emptied column); the articles stay online.
    shown: bool = True

    def pages(self) -> list[list[Item]]:
        if not self.shown:
            return [[]]
        newest = sorted(self.items, key=lambda i: (i.day, i.number), reverse=True)
        chunks = [newest[n : n + PAGE_SIZE] for n in range(0, len(newest), PAGE_SIZE)]
        return chunks or [[]]


def _page(title: str, meta: dict[str, str], body: str) -> bytes:
    tags = "".join(f'<meta name="{k}" content="{html.escape(v)}">' for k, v in meta.items())
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'{tags}<link rel="stylesheet" href="/css/style.css"></head><body>'
        '<ul class="nav"><li><a href="/">首页</a></li></ul>'
        f"{body}<div class='footer'>主办单位：{SITE}办公室</div></body></html>"
    ).encode()


def _li(item: Item) -> str:
    link = f'<a href="{item.path}" title="{item.title}">{item.title}</a>'
    return f"<li>{link}<span>{item.day}</span></li>"


class SiteModel:
    def __init__(self, today: date, columns: int = 4, items: int = 15) -> None:
        names = ["政务要闻", "通知公告", "政策文件", "部门动态", "乡镇动态", "人事信息"]
        self.columns = [ColumnModel(f"c{n}", names[n]) for n in range(columns)]
        self.today = today
        for column in self.columns:
            for n in range(items):
                self.add(column, today - timedelta(days=1 + n))

    def add(self, column: ColumnModel, day: date, links: list[str] | None = None) -> Item:
        item = Item(
            column.slug, len(column.items) + 1, f"{column.name}第{len(column.items) + 1}号", day
        )
        item.links = list(links or [])
        column.items.append(item)
        return item

    def _list_page(self, column: ColumnModel, number: int, chunk: list[Item]) -> bytes:
        count = len(column.pages())
        pager = " ".join(
            f'<a href="/{column.slug}/{"" if n == 0 else f"index_{n}.html"}">{n + 1}</a>'
            for n in range(count)
        )
        body = (
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; '
            f'<a href="/{column.slug}/">{column.name}</a></div>'
            f'<div class="list"><h2>{column.name}</h2><ul>{"".join(map(_li, chunk))}</ul>'
            f'<div class="page">{pager}</div></div>'
        )
        return _page(f"{column.name}_{SITE}", {"ColumnName": column.name}, body)

    def _article(self, column: ColumnModel, item: Item) -> bytes:
        extra = "".join(f'<p><a href="{href}">相关链接</a></p>' for href in item.links)
        body = (
            f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; '
            f'<a href="/{column.slug}/">{column.name}</a></div>'
            f"<h1>{item.title}</h1><div class='info'>发布时间：{item.day} 09:30</div>"
            f"<div class='TRS_Editor'><p>{'本县召开工作会议，部署有关工作。' * 8}</p>"
            f'<p><img src="/{column.slug}/{item.number}.jpg" alt="图"></p></div>{extra}'
        )
        meta = {"ColumnName": column.name, "ArticleTitle": item.title, "PubDate": f"{item.day}"}
        return _page(f"{item.title}_{SITE}", meta, body)

    def _home(self) -> bytes:
        blocks = "".join(
            f'<div class="block"><h3><a href="/{c.slug}/">{c.name}</a></h3>'
            f"<ul>{''.join(map(_li, c.pages()[0][:3]))}</ul></div>"
            for c in self.columns
        )
        return _page(SITE, {"ColumnName": "首页"}, blocks)

    def routes(self) -> dict[str, Route]:
        ok = {"Content-Type": "text/html; charset=utf-8"}
        routes: dict[str, Route] = {
            "/": (200, ok, self._home()),
            "/css/style.css": (200, {"Content-Type": "text/css"}, b"body{}"),
        }
        for column in self.columns:
            for number, chunk in enumerate(column.pages()):
                path = f"/{column.slug}/" + ("" if number == 0 else f"index_{number}.html")
                routes[path] = (200, ok, self._list_page(column, number, chunk))
            for item in column.items:
                routes[item.path] = (200, ok, self._article(column, item))
                image = f"/{column.slug}/{item.number}.jpg"
                routes[image] = (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff")
        return routes
