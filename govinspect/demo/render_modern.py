"""A clean, fully compliant modern site: semantic HTML5, plain paginated lists, no traps but the
harmless literal ones (mailto/tel/#/javascript)."""

from __future__ import annotations

from govinspect.demo.model import Column, Item, Page, Site, Urls, list_page_path
from govinspect.demo.render_common import (
    LETTER_REPLY,
    LETTER_REPLY_UNIT,
    body_html,
    consultation_html,
    esc,
    external,
    fmt_date,
    meta_table_html,
    planted_html,
    related_html,
    visible_date_label,
)


def _head(site: Site, urls: Urls, title: str, col: Column | None, item: Item | None) -> str:
    s = site.spec
    metas = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="SiteName" content="{esc(s.name)}">',
        f'<meta name="SiteDomain" content="{esc(urls.base(site.id).split("/")[2])}">',
        f'<meta name="SiteIDCode" content="{s.site_code}">',
    ]
    if col is not None:
        metas += [
            f'<meta name="ColumnName" content="{esc(col.name)}">',
            f'<meta name="ColumnType" content="{esc(col.name)}">',
        ]
    if item is not None:
        metas += [
            f'<meta name="ArticleTitle" content="{esc(item.title)}">',
            *([f'<meta name="PubDate" content="{item.pubdate}">'] if item.date else []),
            f'<meta name="ContentSource" content="{esc(item.source)}">',
        ]
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        + "\n".join(metas)
        + f"\n<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" href="{site.assets["css"]}">\n</head>\n'
    )


def _header(site: Site, urls: Urls) -> str:
    nav = "".join(f'<li><a href="{esc(s.path)}">{esc(s.name)}</a></li>' for s in site.sections)
    return (
        "<body>\n<header>"
        f'<a href="/"><img src="{site.assets["logo"]}" alt="{esc(site.spec.name)}"></a>'
        f'<form role="search" action="{site.spec.search_path}" method="get">'
        '<input type="search" name="q" aria-label="站内搜索"><button>搜索</button></form>'
        f'<nav><ul><li><a href="/">首页</a></li>{nav}</ul></nav></header>\n'
    )


def _footer(site: Site, urls: Urls) -> str:
    s = site.spec
    return (
        "<footer>\n"
        f'<p><a href="{s.contact_path}">联系我们</a> | '
        f'<a href="{esc(external(site, "gov_cn", urls))}">中国政府网</a> | '
        f'<a href="{esc(external(site, "province", urls))}">河南省人民政府</a></p>\n'
        f"<p>主办单位：{esc(s.name)}　网站标识码：{s.site_code}　"
        f'<a href="{esc(external(site, "beian_miit", urls))}">{esc(s.icp)}</a>　'
        f'<img src="{site.assets["ga"]}" alt="">'
        f'<a href="{esc(external(site, "beian_psb", urls))}">豫公网安备 {s.psb}号</a></p>\n'
        f'<span id="_ideConac"><a href="{esc(external(site, "conac_show", urls))}">'
        f'<img src="{site.assets["conac"]}" alt="党政机关"></a></span>\n'
        f'<script src="{esc(external(site, "conac_script", urls))}"></script>\n'
        f"<script id=\"_jiucuo_\" sitecode='{s.site_code}' "
        f"src='{esc(external(site, 'jiucuo', urls))}'></script>\n"
        f'<script src="{site.assets["common"]}"></script>\n'
        "</footer>\n</body>\n</html>\n"
    )


def _crumbs(
    site: Site, col: Column | None, section: str | None = None, extra: tuple[str, str] | None = None
) -> str:
    chain = [("首页", "/")]
    key = col.spec.section if col else section
    chain += [(s.name, s.path) for s in site.sections if s.key == key]
    if col and col.spec.parent:
        parent = site.column(col.spec.parent)
        chain.append((parent.name, parent.path))
    if col:
        chain.append((col.name, col.path))
    if extra:
        chain.append(extra)
    lis = "".join(f'<li><a href="{esc(p)}">{esc(n)}</a></li>' for n, p in chain)
    return f'<nav class="breadcrumb" aria-label="当前位置">当前位置：<ol>{lis}</ol></nav>\n'


def _layout(
    site: Site,
    urls: Urls,
    title: str,
    main: str,
    col: Column | None = None,
    item: Item | None = None,
) -> str:
    return (
        _head(site, urls, f"{title} | {site.spec.name}", col, item)
        + _header(site, urls)
        + f'<main id="content">\n{main}</main>\n'
        + _footer(site, urls)
    )


def _li(item: Item) -> str:
    d = item.date.isoformat() if item.date else ""
    return (
        f'<li><a href="{esc(item.path)}">{esc(item.title)}</a><time datetime="{d}">{d}</time></li>'
    )


def _pager(col: Column, index: int) -> str:
    """Plain links: 首页 / 上一页 / 下一页 / 尾页."""
    last = len(col.pages) - 1
    if last == 0:
        return ""
    links = []
    if index > 0:
        links += [
            f'<a href="{esc(list_page_path(col, 0))}">首页</a>',
            f'<a href="{esc(list_page_path(col, index - 1))}">上一页</a>',
        ]
    if index < last:
        links += [
            f'<a href="{esc(list_page_path(col, index + 1))}">下一页</a>',
            f'<a href="{esc(list_page_path(col, last))}">尾页</a>',
        ]
    return f'<nav class="pager">{" ".join(links)}<span>第{index + 1}/{last + 1}页</span></nav>\n'


def _subnav(site: Site, col: Column) -> str:
    kids = "".join(
        f'<li><a href="{esc(site.column(k).path)}">{esc(site.column(k).name)}</a></li>'
        for k in col.children
    )
    return f'<ul class="subnav">{kids}</ul>\n' if kids else ""


def _render_list(site: Site, page: Page, urls: Urls) -> str:
    col = site.column(page.column or "")
    lp = col.pages[page.list_index]
    lis = "".join(_li(i) for i in lp.items)
    main = (
        _crumbs(site, col)
        + f"<h1>{esc(col.name)}</h1>\n"
        + _subnav(site, col)
        + f'<ul class="list">{lis}</ul>\n'
        + _pager(col, page.list_index)
        + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, col.name, main, col=col)


def _render_content(site: Site, page: Page, urls: Urls) -> str:
    col = site.column(page.column or "")
    item = col.content
    assert item is not None
    main = (
        _crumbs(site, col) + f"<article><h1>{esc(item.title)}</h1>"
        f'<p class="meta">发布日期：{fmt_date(item.date, "iso")}</p>{body_html(item)}'
        "</article>\n" + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, col.name, main, col=col)


def _message_html(item: Item) -> str:
    """A modern 留言 page: the question and the reply as labelled definition lists."""
    asked, answered = item.extra.get("asked"), item.extra.get("answered")
    rows = [
        ("留言时间", asked.isoformat() if asked else ""),
        ("办理状态", "已回复" if answered else "处理中"),
        ("回复单位", LETTER_REPLY_UNIT if answered else ""),
        ("回复时间", answered.isoformat() if answered else ""),
        ("回复内容", LETTER_REPLY if answered else ""),
    ]
    cells = "".join(f"<dt>{k}</dt><dd>{esc(v)}</dd>" for k, v in rows)
    return f'<section class="message"><dl class="message-fields">{cells}</dl></section>'


def _render_article(site: Site, page: Page, urls: Urls) -> str:
    item = page.item
    assert item is not None
    col = site.column(item.column)
    label = visible_date_label(item, col.spec.ctype)
    extra = _message_html(item) if item.kind == "letter" else ""
    main = (
        _crumbs(site, col)
        + "<article>"
        + meta_table_html(item)
        + f"<h1>{esc(item.title)}</h1>"
        + f'<p class="meta">{esc(label)}　来源：{esc(item.source)}</p>'
        + consultation_html(item)
        + body_html(item)
        + extra
        + related_html(site, item, urls)
        + "</article>\n"
        + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, item.title, main, col=col, item=item)


def _block(col: Column, items: list[Item]) -> str:
    lis = "".join(_li(i) for i in items)
    return (
        f'<section class="block"><h2><a href="{esc(col.path)}">{esc(col.name)}</a></h2>'
        f'<ul class="list">{lis}</ul><a class="more" href="{esc(col.path)}">更多</a>'
        "</section>\n"
    )


def _render_home(site: Site, page: Page, urls: Urls) -> str:
    blocks = "".join(_block(c, items) for c, items in site.home_blocks)
    return _layout(site, urls, "首页", blocks + planted_html(site, "/", urls))


def _render_section(site: Site, page: Page, urls: Urls) -> str:
    key = page.column or ""
    blocks = "".join(_block(c, items) + _subnav(site, c) for c, items in site.section_blocks[key])
    main = _crumbs(site, None, section=key) + blocks + planted_html(site, page.path, urls)
    return _layout(site, urls, page.title, main)


def _render_contact(site: Site, page: Page, urls: Urls) -> str:
    main = (
        _crumbs(site, None, extra=("联系我们", page.path))
        + f"<article><h1>联系我们</h1><p>单位名称：{esc(site.spec.name)}</p>"
        "<p>通信地址：示范县发展路6号</p></article>" + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, "联系我们", main)


def _render_simple(site: Site, page: Page, urls: Urls) -> str:
    main = (
        _crumbs(site, None, extra=(page.title, page.path))
        + f"<article><h1>{esc(page.title)}</h1></article>"
        + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, page.title, main)


_RENDERERS = {
    "home": _render_home,
    "section": _render_section,
    "list": _render_list,
    "content": _render_content,
    "article": _render_article,
    "contact": _render_contact,
    "simple": _render_simple,
}


def render(site: Site, page: Page, urls: Urls) -> str:
    return _RENDERERS[page.kind](site, page, urls)
