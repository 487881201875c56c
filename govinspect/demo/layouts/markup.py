"""Markup of the choice dimensions: link forms, dates, list records, breadcrumbs.

Every function reads the family's choices from ``site.family``; a new option of a dimension is a
new branch in the renderer of that dimension (and a new value in ``choices.DIMENSIONS``).
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Iterable
from datetime import date

from govinspect.demo.layouts.model import Column, Item, Site


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def resolve(site: Site, target: str) -> str:
    """A link target as a site path (``@key`` names an item, ``@key#part`` a place in it), URL
    or literal."""
    if target.startswith("@"):
        key, hash_, part = target[1:].partition("#")
        return site.item(key).path + hash_ + part
    return target


def _relative(here: str, path: str) -> str:
    here_dir = here.split("?")[0]
    here_dir = here_dir if here_dir.endswith("/") else posixpath.dirname(here_dir) + "/"
    query = ""
    if "?" in path:
        path, query = path.split("?", 1)
        query = "?" + query
    is_dir = path.endswith("/")
    out = posixpath.relpath(path.rstrip("/") or "/", here_dir.rstrip("/") or "/")
    if is_dir:
        out = "./" if out == "." else out + "/"
    elif out == ".":
        out = "./"
    return (out if out.startswith(".") else "./" + out) + query


def href(site: Site, here: str, target: str) -> str:
    """How the page at ``here`` writes a link to ``target`` in the family's link form."""
    target = resolve(site, target)
    if not target.startswith("/"):
        return target  # absolute URL or literal
    form = site.family.links
    if form == "relative":
        return _relative(here, target)
    if form == "absolute":
        return site.url(target)
    if form == "base_href":
        return target.lstrip("/") or "./"
    return target


def anchor(site: Site, here: str, target: str, text: str, item: bool = False) -> str:
    """An ``<a>``; list items follow the family's item link form (window.open, _blank)."""
    url = esc(href(site, here, target))
    form = site.family.links
    if item and form == "js_open":
        return (
            f'<a href="javascript:void(0);" onclick="window.open(\'{url}\')" '
            f'title="{esc(text)}">{esc(text)}</a>'
        )
    if item and form == "blank":
        short = text if len(text) <= 16 else text[:15] + "…"
        return f'<a href="{url}" target="_blank" title="{esc(text)}">{esc(short)}</a>'
    return f'<a href="{url}">{esc(text)}</a>'


def date_text(site: Site, d: date) -> str:
    fmt = site.family.date_format
    this_year = d.year == site.as_of.year
    if fmt == "cn":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if fmt == "slash":
        return f"{d.year}/{d.month}/{d.day}"
    if fmt == "bracket_md":
        return f"[{d:%m-%d}]" if this_year else f"[{d.isoformat()}]"
    if fmt == "md":
        return f"{d:%m-%d}" if this_year else d.isoformat()
    if fmt == "none":
        return ""
    return d.isoformat()


def _date_markup(site: Site, d: date) -> str:
    fmt = site.family.date_format
    if fmt == "none":
        return ""
    if fmt == "time":
        return f'<time datetime="{d.isoformat()}">{d.isoformat()}</time>'
    tag = "em" if site.family.date_position == "before" else "span"
    return f'<{tag} class="date">{esc(date_text(site, d))}</{tag}>'


def record(site: Site, here: str, item: Item) -> str:
    a = anchor(site, here, item.path, item.title, item=True)
    d = _date_markup(site, item.date)
    before = site.family.date_position == "before"
    markup = site.family.markup
    if markup == "table":
        cells = [f'<td class="title">{a}</td>', f'<td class="time">{d}</td>']
        return "<tr>" + "".join(reversed(cells) if before else cells) + "</tr>"
    if markup == "dl":
        parts = [f"<dt>{a}</dt>", f"<dd>{d}</dd>"]
        return "<dl>" + "".join(reversed(parts) if before else parts) + "</dl>"
    if markup == "cards":
        summary = esc((item.body[0] if item.body else item.title)[:36]) + "…"
        head = f'<p class="time">{d}</p>' if before else ""
        tail = "" if before else f'<p class="time">{d}</p>'
        return f'<div class="card">{head}<h3>{a}</h3><p class="summary">{summary}</p>{tail}</div>'
    return f"<li>{d}{a}</li>" if before else f"<li>{a}{d}</li>"


def wrap_list(site: Site, rows: str) -> str:
    markup = site.family.markup
    if markup == "table":
        return (
            '<table class="list-table"><tbody><tr><th>标题</th><th>发布日期</th></tr>'
            f"{rows}</tbody></table>"
        )
    if markup in ("dl", "cards"):
        return f'<div class="list-{markup}">{rows}</div>'
    return f'<ul class="list">{rows}</ul>'


def list_html(site: Site, here: str, items: Iterable[Item]) -> str:
    return wrap_list(site, "".join(record(site, here, i) for i in items))


def empty_list(site: Site, col: Column) -> str:
    if col.placeholder:
        if site.family.markup == "table":
            row = f'<tr><td colspan="2">{esc(col.placeholder)}</td></tr>'
        elif site.family.markup == "ul":
            row = f"<li>{esc(col.placeholder)}</li>"
        else:
            row = f'<p class="empty">{esc(col.placeholder)}</p>'
        return wrap_list(site, row)
    # An empty list with its (dead) pager, as CMS templates print it.
    return (
        wrap_list(site, "")
        + '<div class="page"><span>共0条记录</span> <span>首页</span> <span>上一页</span> '
        "<span>下一页</span> <span>尾页</span></div>"
    )


def crumbs(site: Site, here: str, chain: list[tuple[str, str | None]]) -> str:
    label = site.family.crumb_label
    if label == "none":
        return ""
    sep = {">": " &gt; ", "»": " » ", "/": " / ", "→": " → ", "-": " - "}[site.family.crumb_sep]
    parts = [("首页", "/"), *chain]
    links = sep.join(
        anchor(site, here, path, name) if path else f"<span>{esc(name)}</span>"
        for name, path in parts
    )
    if label == "unlabelled":
        return f'<div class="position">{links}</div>\n'
    return f'<div class="crumb-bar"><span>{esc(label)}</span>{links}</div>\n'


def column_chain(site: Site, col: Column) -> list[tuple[str, str | None]]:
    sec = site.section(col.section)
    return [(sec.name, sec.path), (col.name, col.path)]
