"""HTML pages of a family site: the frame (head, menu, footer) and each kind of page, composed
from the choice renderers of ``markup.py`` and the list machinery of ``cms.py``."""

from __future__ import annotations

from govinspect.demo.layouts.cms import api_list_html, hanweb_list_html, pager
from govinspect.demo.layouts.markup import (
    anchor,
    column_chain,
    crumbs,
    empty_list,
    esc,
    href,
    list_html,
)
from govinspect.demo.layouts.model import Column, Item, Link, Section, Site, page_items, pager_of

SITE_CODE = "4102210001"


def head(site: Site, title: str, col: Column | None = None, item: Item | None = None) -> str:
    metas = [
        '<meta charset="utf-8">',
        f'<meta name="SiteName" content="{esc(site.name)}">',
        f'<meta name="SiteIDCode" content="{SITE_CODE}">',
    ]
    style = site.family.article_head
    if col is not None and style != "title_only":
        metas.append(f'<meta name="ColumnName" content="{esc(col.name)}">')
    if item is not None and style == "full":
        metas += [
            f'<meta name="ArticleTitle" content="{esc(item.title)}">',
            f'<meta name="PubDate" content="{item.date.isoformat()} 09:30">',
            f'<meta name="ContentSource" content="{esc(item.source)}">',
        ]
    base = f'<base href="{esc(site.base)}">' if site.family.links == "base_href" else ""
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n'
        + "\n".join(metas)
        + f"\n<title>{esc(title)}</title>{base}\n"
        '<link rel="stylesheet" href="/css/style.css">\n</head>\n'
    )


def _nav(site: Site, here: str) -> str:
    entries = [f"<li>{anchor(site, here, '/', '首页')}</li>"]
    for sec in site.sections:
        subs = "".join(
            f"<li>{anchor(site, here, c.path, c.name)}</li>"
            for c in site.columns
            if c.section == sec.key
        )
        entries.append(
            f'<li>{anchor(site, here, sec.path, sec.name)}<ul class="sub">{subs}</ul></li>'
        )
    return (
        '<div class="header"><div class="logo"><img src="/images/logo.png" alt=""></div>'
        f'<div class="nav"><ul>{"".join(entries)}</ul></div></div>\n'
    )


def _footer(site: Site, here: str, key: str) -> str:
    links = [(site.simple_paths[k], site.simple[k][0]) for k in ("lxwm",) if k in site.simple_paths]
    extra = "".join(
        anchor(site, here, link.target, link.text) for link in site.placed.get(key, [])
        if link.block == "footer"
    )  # fmt: skip
    return (
        '<div class="footer"><p>'
        + " | ".join(anchor(site, here, p, t) for p, t in links)
        + f"{extra}</p><p>主办单位：{esc(site.name)}　网站标识码：{SITE_CODE}　"
        "豫ICP备05001234号</p></div>\n</body>\n</html>\n"
    )


def layout(site: Site, here: str, key: str, main: str, head_html: str) -> str:
    """A page: head, header with navigation, main part, footer (with the links placed there)."""
    return head_html + "<body>\n" + _nav(site, here) + main + _footer(site, here, key)


def placed_html(site: Site, here: str, links: list[Link]) -> str:
    """Links placed on a page, grouped by block (body lines, attachments, sidebar boxes)."""
    out = []
    boxes: dict[str, list[str]] = {}
    for link in links:
        if link.block == "footer":
            continue
        if link.element == "img":
            out.append(
                f'<p class="pic"><img src="{esc(href(site, here, link.target))}" alt=""></p>'
            )
            continue
        if link.element == "bare":
            bare = esc(link.target.lstrip("/"))
            out.append(f'<p class="attach"><a href="{bare}">{esc(link.text)}</a></p>')
            continue
        if link.element == "style":
            url = esc(href(site, here, link.target))
            out.append(f'<div class="banner" style="background:url({url}) no-repeat"></div>')
            continue
        if link.element == "template":
            out.append(
                f'<p class="tpl"><a ms-attr-href="{esc(link.target)}">{{{{el.title}}}}</a></p>'
            )
            continue
        a = anchor(site, here, link.target, link.text)
        if link.block == "sidebar":
            d = ""
            if link.target.startswith("@"):
                d = f'<span class="date">{site.item(link.target[1:]).date.isoformat()}</span>'
            boxes.setdefault(link.label or "相关链接", []).append(f"<li>{a}{d}</li>")
        elif link.block == "attach":
            out.append(f'<div class="attach">{esc(link.label or "附件：")}{a}</div>')
        elif link.block == "hidden":  # content safety: the label is the hiding style
            out.append(f'<div class="hd" style="{esc(link.label)}">{a}</div>')
        else:
            out.append(f'<p class="related">{esc(link.label)}{a}</p>')
    for label, lis in boxes.items():
        out.append(f'<div class="sidebar"><h3>{esc(label)}</h3><ul>{"".join(lis)}</ul></div>')
    return "\n".join(out)


def _block(site: Site, here: str, col: Column, count: int) -> str:
    return (
        f'<div class="block"><div class="block-title"><h2>{esc(col.name)}</h2>'
        f"{anchor(site, here, col.path, '更多')}</div>"
        f"{list_html(site, here, col.items[:count])}</div>\n"
    )


def render_home(site: Site) -> str:
    here = "/"
    blocks = "".join(_block(site, here, site.column(k), 6) for k in ("news", "notice", "policy"))
    disclosure = [
        (site.column("guide").path, "政府信息公开指南"),
        (site.simple_paths["xxgkzd"], "政府信息公开制度"),
        (site.simple_paths["fdzdgknr"], "法定主动公开内容"),
        (site.column("reports").path, "政府信息公开年报"),
    ]
    gk = "".join(f"<li>{anchor(site, here, p, t)}</li>" for p, t in disclosure)
    main = (
        f'<div class="main">{blocks}<div class="block xxgk"><h2>政府信息公开</h2><ul>{gk}</ul>'
        f"</div>\n{placed_html(site, here, site.placed.get('home', []))}</div>\n"
    )
    return layout(site, here, "home", main, head(site, site.name))


def render_section(site: Site, sec: Section) -> str:
    here = sec.path
    cols = [c for c in site.columns if c.section == sec.key]
    blocks = "".join(_block(site, here, c, 4) for c in cols if c.items and not c.api)
    links = "".join(f"<li>{anchor(site, here, c.path, c.name)}</li>" for c in cols)
    main = (
        f'<div class="main">{crumbs(site, here, [(sec.name, sec.path)])}'
        f'<ul class="subnav">{links}</ul>{blocks}</div>\n'
    )
    return layout(site, here, sec.key, main, head(site, f"{sec.name}_{site.name}"))


def render_list(site: Site, col: Column, n: int) -> str:
    here = col.pages[n]
    kind = pager_of(site, col)
    if not col.items:
        body = empty_list(site, col)
    elif kind == "json_api":
        body = api_list_html(site, col)
    elif kind == "hanweb":
        body = hanweb_list_html(site, col)
    else:
        body = list_html(site, here, page_items(site, col, n)) + pager(site, here, col, n)
    main = (
        f'<div class="main">{crumbs(site, here, column_chain(site, col))}'
        f'<div class="list-box"><div class="list-title">{esc(col.name)}</div>{body}</div>'
        f"{placed_html(site, here, site.placed.get(col.key, []))}</div>\n"
    )
    title = f"{col.name}_{site.name}"
    return layout(site, here, col.key, main, head(site, title, col=col))


def render_content(site: Site, col: Column) -> str:
    here = col.path
    item = col.content
    assert item is not None
    paras = "".join(f"<p>{esc(p)}</p>" for p in item.body)
    main = (
        f'<div class="main">{crumbs(site, here, column_chain(site, col))}'
        f'<div class="article"><h1>{esc(item.title)}</h1><div class="content">{paras}</div>'
        "</div></div>\n"
    )
    return layout(site, here, col.key, main, head(site, f"{col.name}_{site.name}", col))


def _meta_table(site: Site, item: Item) -> str:
    if site.family.meta_table != "yes":
        return ""
    show_date = site.family.article_date in ("label", "table", "plain")
    written = item.written.isoformat() if item.written else ""
    published = item.date.isoformat() if show_date else ""
    return (
        '<table class="xxgk-table"><tbody>'
        f"<tr><td>索引号：</td><td>{SITE_CODE}/{item.date.year}-{item.uid % 100000:05d}</td>"
        "<td>主题分类：</td><td>综合政务</td></tr>"
        f"<tr><td>发布机构：</td><td>{esc(item.source or site.name)}</td>"
        f"<td>成文日期：</td><td>{written}</td></tr>"
        f"<tr><td>文号：</td><td>{esc(item.doc_number or '')}</td>"
        f"<td>发布日期：</td><td>{published}</td></tr>"
        f'<tr><td>名称：</td><td colspan="3">{esc(item.title)}</td></tr></tbody></table>\n'
    )


def _date_line(site: Site, item: Item) -> str:
    where = site.family.article_date
    source = f"<span>来源：{esc(item.source)}</span>"
    if where == "label":
        return (
            f'<div class="info"><span>发布时间：{item.date.isoformat()} 09:30</span>{source}</div>'
        )
    if where == "plain":
        return f'<div class="info"><span class="time">{item.date.isoformat()}</span> {source}</div>'
    return f'<div class="info">{source}</div>'


def _article_chain(site: Site, item: Item) -> list[tuple[str, str | None]]:
    col = site.column(item.column)
    chain = column_chain(site, col)
    ending = site.family.article_crumb
    if ending == "self":
        chain.append((item.title, item.path))
    elif ending == "正文":
        chain.append(("正文", None))
    return chain


def _reading_box(site: Site, item: Item) -> list[Link]:
    """Sidebar families: a 相关阅读 box of dated links to other items of the column."""
    if site.family.interp_links != "sidebar":
        return []
    col = site.column(item.column)
    others = [i for i in col.items if i.key != item.key][:3]
    return [Link(f"@{o.key}", o.title, label="相关阅读", block="sidebar") for o in others]


def _fields_html(site: Site, item: Item) -> str:
    """A letter's labelled values in the family's markup (table rows, dt/dd, or text lines)."""
    if not item.fields:
        return ""
    markup = site.family.markup
    if markup == "table":
        rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in item.fields)
        return f'<table class="letter">{rows}</table>'
    if markup == "dl":
        cells = "".join(f"<dt>{esc(k)}</dt><dd>{esc(v)}</dd>" for k, v in item.fields)
        return f'<dl class="letter">{cells}</dl>'
    return "".join(f"<p>{esc(k)}：{esc(v)}</p>" for k, v in item.fields)


def render_article(site: Site, item: Item) -> str:
    here = item.path
    col = site.column(item.column)
    paras = _fields_html(site, item) + "".join(f"<p>{esc(p)}</p>" for p in item.body)
    links = [*item.links, *site.placed.get(item.key, []), *_reading_box(site, item)]
    trail = (
        ""
        if site.family.article_crumb == "none"
        else crumbs(site, here, _article_chain(site, item))
    )
    main = (
        f'<div class="main">{trail}'
        f'<div class="article">{_meta_table(site, item)}<h1>{esc(item.title)}</h1>'
        f'{_date_line(site, item)}<div class="content">{paras}</div>'
        f"{placed_html(site, here, links)}</div></div>\n"
    )
    style = site.family.article_head
    title = (
        f"{item.title}-{col.name}-{site.name}"
        if style == "title_only"
        else f"{item.title}_{site.name}"
    )
    return layout(site, here, item.key, main, head(site, title, col=col, item=item))


def render_simple(site: Site, key: str) -> str:
    here = site.simple_paths[key]
    title, text = site.simple[key]
    main = (
        f'<div class="main">{crumbs(site, here, [(title, None)])}'
        f'<div class="article"><h1>{esc(title)}</h1><p>{esc(text)}</p></div>'
        f"{placed_html(site, here, site.placed.get(key, []))}</div>\n"
    )
    return layout(site, here, key, main, head(site, f"{title}_{site.name}"))


def render_pages(site: Site) -> dict[str, str]:
    """Every HTML page of the site by path."""
    pages = {"/": render_home(site)}
    for sec in site.sections:
        pages[sec.path] = render_section(site, sec)
    for col in site.columns:
        if col.content is not None:
            pages[col.path] = render_content(site, col)
            continue
        for n, path in enumerate(col.pages):
            pages[path] = render_list(site, col, n)
        for item in col.items:
            pages[item.path] = render_article(site, item)
    for key in site.simple:
        pages[site.simple_paths[key]] = render_simple(site, key)
    return pages
