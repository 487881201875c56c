"""Hanweb JCMS (大汉) style pages for the department site.

Column lists are not in the DOM: the records sit as CDATA inside a
``<script type="text/xml"><datastore>`` element, and further groups come only from
``/module/web/jpage/dataproxy.jsp`` (GET with ``page=N`` or POST with ``startrecord/endrecord``).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from govinspect.demo.model import (
    HANWEB_APPID,
    HANWEB_WEBID,
    Column,
    Item,
    Page,
    Site,
    Urls,
    hanweb_proxy_query,
)
from govinspect.demo.render_common import (
    LETTER_REPLY,
    LETTER_REPLY_UNIT,
    body_html,
    consultation_html,
    esc,
    external,
    fmt_date,
    letter_html,
    meta_table_html,
    planted_html,
    related_html,
    visible_date_label,
)
from govinspect.demo.spec import HANWEB_DATAPROXY, HANWEB_LETTERS_API, HANWEB_LETTERS_PER_PAGE


def _head(site: Site, urls: Urls, title: str, col: Column | None, item: Item | None) -> str:
    s = site.spec
    metas = [
        '<meta charset="utf-8" />',
        f'<meta name="SiteName" content="{esc(s.name)}" />',
        f'<meta name="SiteDomain" content="{esc(urls.base(site.id).split("/")[2])}" />',
        f'<meta name="SiteIDCode" content="{s.site_code}" />',
    ]
    if col is not None:
        metas += [
            f'<meta name="ColumnName" content="{esc(col.name)}" />',
            f'<meta name="ColumnType" content="{esc(col.name)}" />',
        ]
    if item is not None:
        metas += [
            f'<meta name="ArticleTitle" content="{esc(item.title)}" />',
            *([f'<meta name="PubDate" content="{item.pubdate}" />'] if item.date else []),
            f'<meta name="ContentSource" content="{esc(item.source)}" />',
        ]
    a = site.assets
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n" + "\n".join(metas) + f"\n<title>{esc(title)}</title>\n"
        f'<link href="{a["css"]}" rel="stylesheet" type="text/css" />\n'
        f'<script type="text/javascript" src="{a["jquery"]}"></script>\n'
        f'<script type="text/javascript" src="{a["common"]}"></script>\n</head>\n'
    )


def _header(site: Site, urls: Urls) -> str:
    nav = "".join(f'<a href="{esc(s.path)}">{esc(s.name)}</a>' for s in site.sections)
    return (
        '<body>\n<div class="top">'
        f'<a href="{esc(external(site, "gov_cn", urls))}" target="_blank">中国政府网</a>'
        f'<a href="{esc(external(site, "province", urls))}" target="_blank">河南省人民政府</a>'
        f'<a href="{esc(urls.url("county", "/"))}" target="_blank">示范县人民政府</a></div>\n'
        f'<div class="head"><img src="{site.assets["logo"]}" alt="{esc(site.spec.name)}" />'
        f'<form action="{site.spec.search_path}" method="get"><input name="q" />'
        '<input type="submit" value="搜索" /></form></div>\n'
        f'<div class="nav"><a href="/index.html">首页</a>{nav}</div>\n'
    )


def _footer(site: Site, urls: Urls) -> str:
    s = site.spec
    return (
        '<div class="bottom">\n'
        f'<p><a href="{s.contact_path}">联系我们</a></p>\n'
        f"<p>主办：{esc(s.name)}　网站标识码：{s.site_code}　"
        f'<a href="{esc(external(site, "beian_miit", urls))}" target="_blank">{esc(s.icp)}</a></p>'
        f'\n<p><img src="{site.assets["ga"]}" alt="" /><a href="'
        f'{esc(external(site, "beian_psb", urls))}" target="_blank">豫公网安备 {s.psb}号</a></p>\n'
        f'<span id="_ideConac"><a href="{esc(external(site, "conac_show", urls))}" '
        f'target="_blank"><img src="{site.assets["conac"]}" alt="党政机关" /></a></span>\n'
        f'<script type="text/javascript" src="{esc(external(site, "conac_script", urls))}">'
        "</script>\n"
        f"<script id=\"_jiucuo_\" sitecode='{s.site_code}' "
        f"src='{esc(external(site, 'jiucuo', urls))}'></script>\n"
        "</div>\n</body>\n</html>\n"
    )


def _crumbs(
    site: Site, col: Column | None, section: str | None = None, extra: tuple[str, str] | None = None
) -> str:
    chain = [("首页", "/index.html")]
    key = col.spec.section if col else section
    chain += [(s.name, s.path) for s in site.sections if s.key == key]
    if col and col.spec.parent:
        parent = site.column(col.spec.parent)
        chain.append((parent.name, parent.path))
    if col:
        chain.append((col.name, col.path))
    if extra:
        chain.append(extra)
    links = " &gt; ".join(f'<a href="{esc(p)}">{esc(n)}</a>' for n, p in chain)
    return f'<div class="dqwz">您当前的位置：{links}</div>\n'


def _layout(
    site: Site,
    urls: Urls,
    title: str,
    main: str,
    col: Column | None = None,
    item: Item | None = None,
) -> str:
    return (
        _head(site, urls, f"{title} - {site.spec.name}", col, item)
        + _header(site, urls)
        + f'<div class="main">\n{main}</div>\n'
        + _footer(site, urls)
    )


def record_html(item: Item, fmt: str) -> str:
    date = fmt_date(item.date, fmt, item.time)
    return (
        f'<li><a href="{esc(item.path)}" title="{esc(item.title)}" target="_blank">'
        f"{esc(item.title)}</a><span>{esc(date)}</span></li>"
    )


def datastore_xml(site: Site, col: Column, start: int, end: int) -> str:
    """A ``<datastore>`` holding records ``start..end`` (0-based, end exclusive)."""
    total = len(col.items)
    per = col.spec.page_size
    records = "".join(
        f"<record><![CDATA[{record_html(i, col.spec.date_format)}]]></record>"
        for i in col.items[start:end]
    )
    next_group = end // col.group_size + 1
    nxt = ""
    if end < total:
        # Raw "&" as on real Hanweb sites: the CDATA holds an HTML fragment, not XML.
        nxt = f'<a href="{HANWEB_DATAPROXY}?{hanweb_proxy_query(site, col, next_group)}"></a>'
    return (
        f"<datastore><totalrecord>{total}</totalrecord>"
        f"<totalpage>{max(1, -(-total // per))}</totalpage>"
        f"<nextgroup><![CDATA[{nxt}]]></nextgroup>"
        f"<recordset>{records}</recordset></datastore>"
    )


def _list_main(site: Site, col: Column) -> str:
    cs = col.spec
    if not col.items:
        text = esc(cs.placeholder) if cs.placeholder else ""
        return f'<div class="default_pgContainer" id="{col.unitid}">{text}</div>\n'
    store = datastore_xml(site, col, 0, col.group_size)
    jpage = (
        '<script type="text/javascript">$(document).ready(function(){'
        f"$('#{col.unitid}').jpage({{dataStore: dataStore, perPage: {cs.page_size}, "
        f"groupSize: 3, proxyUrl: '{HANWEB_DATAPROXY}', barPosition: 'bottom', "
        f"ajaxParam: {{col: 1, appid: {HANWEB_APPID}, webid: {HANWEB_WEBID}, path: '/', "
        f"columnid: {cs.column_id}, sourceContentType: 1, unitid: '{col.unitid}', "
        f"webname: '{esc(site.spec.name)}', permissiontype: 0}}}});}});</script>\n"
    )
    return (
        f'<div class="default_pgContainer" id="{col.unitid}">'
        f'<script type="text/xml">{store}</script></div>\n{jpage}'
    )


def _subnav(site: Site, col: Column) -> str:
    kids = "".join(
        f'<li><a href="{esc(site.column(k).path)}">{esc(site.column(k).name)}</a></li>'
        for k in col.children
    )
    return f'<ul class="sub_lm">{kids}</ul>\n' if kids else ""


def _letters_system(col: Column) -> str:
    """The 信件 system's list: filled by script from its JSON API (HANWEB_LETTERS_API)."""
    if not any(i.kind == "letter" for i in col.items):
        return ""
    api = f"{HANWEB_LETTERS_API}?columnid={col.spec.column_id}&pageNo=1"
    return (
        f'<div class="xj_list" id="xjlist" data-api="{esc(api)}"></div>\n'
        '<script type="text/javascript">$(function(){ $.getJSON($("#xjlist").data("api"), '
        "function (d) { renderLetters(d.data.list); }); });</script>\n"
    )


def letters_api(site: Site, query: str) -> tuple[int, str]:
    """``letters.json?columnid=&pageNo=``: the letters with their asking and reply fields."""
    params = {k: v[-1] for k, v in parse_qs(query).items()}
    col = next((c for c in site.columns if str(c.spec.column_id) == params.get("columnid")), None)
    if col is None or not any(i.kind == "letter" for i in col.items):
        return 404, json.dumps({"code": 404, "msg": "column not found"})
    try:
        page_no = max(1, int(params.get("pageNo", "1")))
    except ValueError:
        return 400, json.dumps({"code": 400, "msg": "bad parameter"})
    per = HANWEB_LETTERS_PER_PAGE
    chunk = col.items[(page_no - 1) * per : page_no * per]
    rows = []
    for item in chunk:
        asked, answered = item.extra.get("asked"), item.extra.get("answered")
        rows.append(
            {
                "xjid": item.uid,
                "title": item.title,
                "url": item.path,
                "createTime": f"{asked.isoformat()} {item.time}:00" if asked else "",
                "replyTime": answered.isoformat() if answered else "",
                "status": "已办结" if answered else "办理中",
                "replyDept": LETTER_REPLY_UNIT if answered else "",
                "replyContent": LETTER_REPLY if answered else "",
            }
        )
    total_pages = max(1, -(-len(col.items) // per))
    body = {"code": 0, "data": {"totalPage": total_pages, "pageNo": page_no, "list": rows}}
    return 200, json.dumps(body, ensure_ascii=False)


def _render_list(site: Site, page: Page, urls: Urls) -> str:
    col = site.column(page.column or "")
    main = (
        _crumbs(site, col)
        + f'<div class="lm_name">{esc(col.name)}</div>\n'
        + _subnav(site, col)
        + _list_main(site, col)
        + _letters_system(col)
        + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, col.name, main, col=col)


def _render_content(site: Site, page: Page, urls: Urls) -> str:
    col = site.column(page.column or "")
    item = col.content
    assert item is not None
    main = (
        _crumbs(site, col) + f'<div class="title">{esc(item.title)}</div>'
        f'<div class="info">发布日期：{fmt_date(item.date, "iso")}</div>'
        f'<div id="zoom">{body_html(item)}</div>' + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, col.name, main, col=col)


def _render_article(site: Site, page: Page, urls: Urls) -> str:
    item = page.item
    assert item is not None
    col = site.column(item.column)
    label = visible_date_label(item, col.spec.ctype)
    extra = letter_html(item) if item.kind == "letter" else ""
    main = (
        _crumbs(site, col)
        + meta_table_html(item)
        + f'<div class="title">{esc(item.title)}</div>'
        + f'<div class="info">{esc(label)}　信息来源：{esc(item.source)}</div>'
        + consultation_html(item)
        + f'<div id="zoom">{body_html(item)}</div>'
        + extra
        + related_html(site, item, urls)
        + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, item.title, main, col=col, item=item)


def _block(col: Column, items: list[Item]) -> str:
    lis = "".join(record_html(i, col.spec.date_format) for i in items)
    return (
        f'<div class="block"><div class="bt"><a href="{esc(col.path)}">{esc(col.name)}</a>'
        f'<a class="more" href="{esc(col.path)}">更多</a></div><ul>{lis}</ul></div>\n'
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
        + f'<div id="zoom"><p>单位名称：{esc(site.spec.name)}</p>'
        "<p>通信地址：示范县教育路8号</p></div>" + planted_html(site, page.path, urls)
    )
    return _layout(site, urls, "联系我们", main)


def _render_simple(site: Site, page: Page, urls: Urls) -> str:
    main = (
        _crumbs(site, None, extra=(page.title, page.path))
        + f'<div id="zoom"><h1>{esc(page.title)}</h1><p>{esc(page.title)}栏目内容。</p></div>'
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


def dataproxy(site: Site, query: str, form: str = "") -> tuple[int, str]:
    """``dataproxy.jsp``: GET ``page=N`` (1-based group) or POST ``startrecord/endrecord``."""
    params = {k: v[-1] for k, v in {**parse_qs(query), **parse_qs(form)}.items()}
    col = next(
        (
            c
            for c in site.columns
            if c.spec.pager == "hanweb" and str(c.spec.column_id) == params.get("columnid")
        ),
        None,
    )
    if col is None:
        return 404, "<datastore><totalrecord>0</totalrecord></datastore>"
    try:
        if "startrecord" in params:
            start = max(1, int(params["startrecord"])) - 1
            end = int(params.get("endrecord", str(start + col.group_size)))
        else:
            group = max(1, int(params.get("page", "1")))
            start, end = (group - 1) * col.group_size, group * col.group_size
    except ValueError:
        return 400, "<datastore><totalrecord>0</totalrecord></datastore>"
    end = min(end, len(col.items))
    return 200, '<?xml version="1.0" encoding="UTF-8"?>' + datastore_xml(site, col, start, end)
