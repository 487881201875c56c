"""Rendering helpers shared by the three template styles (escaping, hrefs, dates, small pages)."""

from __future__ import annotations

import html
import posixpath
import struct
import zlib
from datetime import date
from xml.sax.saxutils import escape as xml_escape

from govinspect.demo import safety_cases
from govinspect.demo.model import Item, Page, PlacedLink, Ref, Site, Urls

DATE_FORMATS = {
    "iso": "{y:04d}-{m:02d}-{d:02d}",
    "slash": "{y}/{m}/{d}",
    "dot": "{y:04d}.{m:02d}.{d:02d}",
    "cn": "{y}年{m}月{d}日",
    "iso_time": "{y:04d}-{m:02d}-{d:02d} {time}",
    "bracket_md": "[{m:02d}-{d:02d}]",
}


def _png_1x1() -> bytes:
    """A valid 1x1 transparent PNG, served for every image asset."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    idat = zlib.compress(b"\x00\x00\x00\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


PNG_1X1 = _png_1x1()

CONTENT_TYPES = {
    ".css": "text/css",
    ".js": "application/javascript",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
}


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def fmt_date(d: date | None, fmt: str, time: str = "00:00") -> str:
    if d is None:
        return ""
    return DATE_FORMATS[fmt].format(y=d.year, m=d.month, d=d.day, time=time)


def rel(from_path: str, to_path: str) -> str:
    """Relative href from the page at ``from_path`` to ``to_path`` (both site-absolute)."""
    from_dir = from_path if from_path.endswith("/") else posixpath.dirname(from_path) + "/"
    is_dir = to_path.endswith("/")
    target = to_path.rstrip("/") or "/"
    out = posixpath.relpath(target, from_dir.rstrip("/") or "/")
    if is_dir:
        out = "" if out == "." else out + "/"
    return out if out.startswith("..") else "./" + out


def href(site: Site, ref: Ref, urls: Urls) -> str:
    """How a page of ``site`` writes a link to ``ref``: root-relative inside, absolute outside."""
    if ref.literal:
        return ref.path
    if ref.origin == site.id:
        return ref.path
    return urls.raw(ref)


def external(site: Site, key: str, urls: Urls) -> str:
    return urls.raw(site.externals[key].ref)


def planted_href(site: Site, link: PlacedLink, page_path: str, urls: Urls) -> str:
    if link.href:
        return link.href
    if link.spec.target.startswith("./"):
        return rel(page_path, link.target.path)
    return href(site, link.target, urls)


def safety_html(site: Site, page_path: str, urls: Urls) -> str:
    """The content-safety cases and decoys placed on this page (demo/safety_cases.py)."""
    if page_path == "/":
        hrefs = {k: urls.raw(e.ref) for k, e in site.externals.items()}
        return safety_cases.home_html(site.id, hrefs)
    if page_path == site.safety_article:
        return safety_cases.article_html()
    return ""


def planted_html(site: Site, page_path: str, urls: Urls) -> str:
    """The planted links (dead links, traps, cross-site links) placed on this page."""
    return _planted_links(site, page_path, urls) + safety_html(site, page_path, urls)


def _planted_links(site: Site, page_path: str, urls: Urls) -> str:
    parts = []
    for link in site.links_on(page_path):
        text = esc(link.spec.text)
        h = esc(planted_href(site, link, page_path, urls))
        el = link.spec.element
        if el == "img":
            parts.append(f'<p class="pic"><img src="{h}" alt="{text}" /></p>')
        elif el == "attachment":
            parts.append(f'<p class="attach"><a href="{h}">{text}</a></p>')
        elif el == "onclick":
            parts.append(
                f'<p><a href="javascript:void(0);" onclick="window.open(\'{h}\')">{text}</a></p>'
            )
        elif el == "template":
            if link.spec.text.startswith("el."):
                parts.append(f'<p><a ms-attr-href="{h}" ms-text="{text}" target="_blank"></a></p>')
            else:
                parts.append(
                    f'<p><a href="javascript:void(0);" ms-attr-href="{h}" '
                    f'target="_blank" title="分享">{text}</a></p>'
                )
        else:
            parts.append(f'<p><a href="{h}" target="_blank">{text}</a></p>')
    if not parts:
        return ""
    return '<div class="xglj">' + "".join(parts) + "</div>"


def body_html(item: Item) -> str:
    return "".join(f"<p>{esc(p)}</p>" for p in item.body)


def related_html(site: Site, item: Item, urls: Urls) -> str:
    parts = [
        f'<p class="related">{esc(r.label)}：<a href="{esc(href(site, r.ref, urls))}" '
        f'target="_blank">{esc(r.title)}</a></p>'
        for r in item.related
    ]
    return "".join(parts)


LETTER_REPLY = "您好，您反映的问题已转交相关部门办理，现已处理完毕。感谢您对我们工作的关心和支持。"
LETTER_REPLY_UNIT = "示范县人民政府办公室"


def letter_html(item: Item) -> str:
    """A letter's labelled table (来信时间, 处理状态, 答复单位, 答复时间, 答复内容)."""
    asked = item.extra.get("asked")
    answered = item.extra.get("answered")
    rows = [
        ("信件编号", f"XJ{item.uid}"),
        ("信件标题", esc(item.title)),
        ("来信时间", asked.isoformat() if asked else ""),
        ("来信内容", esc(item.body[0]) if item.body else ""),
        ("处理状态", "已办结" if answered else "办理中"),
        ("答复单位", LETTER_REPLY_UNIT if answered else ""),
        ("答复时间", answered.isoformat() if answered else ""),
        ("答复内容", LETTER_REPLY if answered else ""),
    ]
    return (
        '<table class="letter">'
        + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
        + "</table>"
    )


def meta_table_html(item: Item) -> str:
    """The 政府信息公开 metadata table: 索引号, 主题分类, 发布机构, 成文日期, 文号, 发布日期,
    有效性."""
    m = item.meta
    if m is None:
        return ""
    cells = [
        ("索引号", m.index_no),
        ("主题分类", m.topic),
        ("发布机构", m.publisher),
        ("成文日期", m.written.isoformat()),
        ("文号", m.doc_number),
        ("发布日期", item.date.isoformat() if item.date else ""),
        ("有效性", m.validity),
    ]
    rows = "".join(f"<tr><th>{k}：</th><td>{esc(v)}</td></tr>" for k, v in cells)
    return f'<table class="xxgk_table">{rows}</table>'


def visible_date_label(item: Item, col_type: str) -> str:
    """The visible 发布时间/发布日期/成文日期 line of an article ('' when undated)."""
    if item.date is None:
        return ""
    if col_type in ("news", "other"):
        return f"发布时间：{item.date.isoformat()} {item.time}"
    if col_type == "policy" and item.meta:
        return f"成文日期：{item.meta.written.isoformat()}　发布日期：{item.date.isoformat()}"
    return f"发布日期：{item.date.isoformat()}"


def consultation_html(item: Item) -> str:
    start, end = item.extra.get("start"), item.extra.get("end")
    if not start or not end:
        return ""
    return f'<p class="zjsj">征集时间：{start.isoformat()} 至 {end.isoformat()}</p>'


def soft404_html(site: Site) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>提示信息</title></head><body>'
        '<div class="error-page"><h2>您访问的页面不存在</h2>'
        '<p>该页面可能已被删除、更名或暂时不可用。</p><p><a href="/">返回首页</a></p></div>'
        "</body></html>"
    )


def trs_deleted_html(location: str) -> str:
    """A TRS deleted document: 200 with a meta-refresh to the parent folder (a soft 404)."""
    return (
        f'<html><head><meta http-equiv="refresh" content="0;URL={esc(location)}">'
        "</head><body></body></html>"
    )


def error_html(status: int) -> str:
    if status == 500:
        return (
            "<html><head><title>500 Internal Server Error</title></head><body>"
            "<h1>HTTP Status 500 - Internal Server Error</h1>"
            "<pre>java.lang.NullPointerException"
            "\n\tat com.trs.wcm.app.info.InfoServlet.service(InfoServlet.java:88)</pre>"
            "</body></html>"
        )
    return (
        "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
        "<p>The requested URL was not found on this server.</p></body></html>"
    )


def robots_txt(site: Site, urls: Urls) -> str:
    lines = ["User-agent: *", "Disallow: /wcm/"]
    if site.spec.sitemap_xml:
        lines.append(f"Sitemap: {urls.url(site.id, '/sitemap.xml')}")
    return "\n".join(lines) + "\n"


def sitemap_xml(site: Site, urls: Urls) -> str:
    """sitemaps.org urlset: homepage, sections, first list pages and every dated article."""
    entries: list[tuple[str, date | None]] = [("/", site.home_last_update)]
    entries += [(s.path, None) for s in site.sections]
    entries += [(c.path, c.newest) for c in site.columns]
    entries += [
        (i.path, i.date) for c in site.columns for i in c.items if i.date and not c.script_filled
    ]
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in entries:
        mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        out.append(f"<url><loc>{xml_escape(urls.url(site.id, path))}</loc>{mod}</url>")
    out.append("</urlset>")
    return "\n".join(out) + "\n"


def asset_body(path: str) -> bytes:
    ext = posixpath.splitext(path)[1]
    if ext == ".png":
        return PNG_1X1
    if ext == ".svg":
        return (
            b'<svg xmlns="http://www.w3.org/2000/svg" width="200" height="40">'
            b'<text x="0" y="30">logo</text></svg>'
        )
    if ext == ".css":
        return b"body{font-family:sans-serif;margin:0}.w1200{width:1200px;margin:0 auto}\n"
    return b"/* demo asset */\n(function(){})();\n"


def attachment_body(page: Page) -> bytes:
    if page.payload in safety_cases.ATTACHMENTS.values():
        return safety_cases.attachment_bytes(page.payload)
    if page.payload == "tiny":
        return b"\r\n"  # the 2-byte stub real CMSs leave behind: not dead
    ext = posixpath.splitext(page.path)[1]
    if ext == ".pdf":
        return (
            b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages"
            b"/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
        )
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # OLE2 header + padding


def content_type(path: str) -> str:
    return CONTENT_TYPES.get(posixpath.splitext(path)[1].lower(), "application/octet-stream")


def search_html(site: Site, words: str, limit: int = 20) -> str:
    """A minimal site-search result page (titles containing the words)."""
    hits = [i for i in site.items() if words and words in i.title][:limit]
    lis = "".join(f'<li><a href="{esc(i.path)}">{esc(i.title)}</a></li>' for i in hits)
    charset = "gbk" if site.spec.encoding == "gbk" else "utf-8"
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>搜索结果_'
        f"{esc(site.spec.name)}</title></head><body><h1>搜索结果</h1>"
        f"<p>关键词：{esc(words)}，共{len(hits)}条</p><ul>{lis}</ul>"
        '<p><a href="/">返回首页</a></p></body></html>'
    )
