"""TRS WCM (拓尔思) style pages for the county portal, modelled on real TRS templates.

Column lists are paginated only by ``createPageHTML(...)`` script calls (no ``<a>`` points to
``index_N.html``), articles live at ``./YYYYMM/tYYYYMMDD_N.html`` with the body in
``div.TRS_Editor``, and the head carries the 政府网站发展指引 meta tags.
"""

from __future__ import annotations

import json
import posixpath
from urllib.parse import parse_qs

from govinspect.demo.model import Column, Item, Page, Site, Urls
from govinspect.demo.render_common import (
    body_html,
    consultation_html,
    esc,
    external,
    fmt_date,
    letter_html,
    meta_table_html,
    planted_html,
    rel,
    related_html,
    visible_date_label,
)
from govinspect.demo.spec import TRS_LIST_API

# Classic TRS pager (0-based, "index", "html"): writes links from script only.
_PAGER4_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){ return; }
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
	else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
	for(var i=1; i<_nPageCount; i++){
		if(nCurrIndex == i) document.write("<span>"+(i+1)+"</span>&nbsp;");
		else document.write("<a href=\\""+_sPageName+"_"+i+"."+_sPageExt+"\\">"+(i+1)+"</a>&nbsp;");
	}
	document.write("共"+_nPageCount+"页");
}"""

# Newer six-argument pager: container, page count, current page (1-based), prefix, ext, records.
_PAGER6_JS = """function createPageHTML(elementName, _nPageCount, _nCurrIndex, _sPageName,
		_sPageExt, _nPageSum){
	var box = document.getElementById(elementName); if(!box || _nPageCount<=1){ return; }
	var html = "";
	for(var i=1; i<=_nPageCount; i++){
		var sUrl = _sPageName + (i==1 ? "" : "_" + i) + "." + _sPageExt;
		html += (i==_nCurrIndex) ? "<span>"+i+"</span>" : "<a href='"+sUrl+"'>"+i+"</a>";
	}
	box.innerHTML = html + "<em>共"+_nPageSum+"条</em>";
}"""


def _charset_meta(page: Page) -> str:
    if page.charset == "http-equiv":
        return '<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />'
    return '<meta charset="gbk" />'


def _head(
    site: Site,
    page: Page,
    urls: Urls,
    title: str,
    col: Column | None,
    item: Item | None,
    base: str = "",
) -> str:
    s = site.spec
    metas = [
        _charset_meta(page),
        '<meta http-equiv="X-UA-Compatible" content="IE=edge" />',
        f'<meta name="SiteName" content="{esc(s.name)}" />',
        f'<meta name="SiteDomain" content="{esc(urls.base(site.id).split("/")[2])}" />',
        f'<meta name="SiteIDCode" content="{s.site_code}" />',
    ]
    if col is not None:
        metas += [
            f'<meta name="ColumnName" content="{esc(col.name)}" />',
            f'<meta name="ColumnDescription" content="{esc(col.name)}" />',
            f'<meta name="ColumnKeywords" content="{esc(col.name)}" />',
            f'<meta name="ColumnType" content="{esc(col.name)}" />',
            f'<meta name="ChnlId" content="{col.spec.column_id}" />',
        ]
    if item is not None:
        metas += [
            f'<meta name="ArticleTitle" content="{esc(item.title)}" />',
            *([f'<meta name="PubDate" content="{item.pubdate}" />'] if item.date else []),
            f'<meta name="ContentSource" content="{esc(item.source)}" />',
            '<meta name="Keywords" content="" />',
            f'<meta name="Url" content="{esc(urls.url(site.id, item.path))}" />',
        ]
    if base:
        metas.append(f'<base href="{esc(base)}" />')
    a = site.assets
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n" + "\n".join(metas) + f"\n<title>{esc(title)}</title>\n"
        f'<link rel="stylesheet" type="text/css" href="{a["css"]}" />\n'
        f'<script type="text/javascript" src="{a["jquery"]}"></script>\n</head>\n'
    )


def _header(site: Site, urls: Urls) -> str:
    nav = "".join(
        f'<li><a href="{esc(sec.path)}">{esc(sec.name)}</a></li>' for sec in site.sections
    )
    return (
        '<body>\n<div class="top"><div class="w1200">'
        f'<a href="{esc(external(site, "gov_cn", urls))}" target="_blank">中国政府网</a> '
        f'<a href="{esc(external(site, "province", urls))}" target="_blank">河南省人民政府</a>'
        "</div></div>\n"
        f'<div class="header w1200"><a href="/"><img src="{site.assets["logo"]}" '
        f'alt="{esc(site.spec.name)}" /></a>'
        f'<form action="{site.spec.search_path}" method="get" target="_blank">'
        '<input type="text" name="searchword" /><button type="submit">搜索</button></form></div>\n'
        f'<div class="nav"><ul class="w1200"><li><a href="/">首页</a></li>{nav}</ul></div>\n'
    )


def _footer(site: Site, urls: Urls) -> str:
    s = site.spec
    sitemap = (
        f'<a href="{esc(urls.url(site.id, s.sitemap_page))}">网站地图</a> | '
        if s.sitemap_page
        else ""
    )
    return (
        '<div class="footer"><div class="w1200">\n'
        f'<p class="footer_nav">{sitemap}<a href="{s.contact_path}">联系我们</a></p>\n'
        "<p>主办单位：示范县人民政府办公室　承办单位：示范县大数据中心</p>\n"
        f"<p>网站标识码：{s.site_code}　"
        f'<a href="{esc(external(site, "beian_miit", urls))}" target="_blank">{esc(s.icp)}</a>　'
        f'<img src="{site.assets["ga"]}" alt="" />'
        f'<a href="{esc(external(site, "beian_psb", urls))}" target="_blank">'
        f"豫公网安备 {s.psb}号</a></p>\n"
        f'<span id="_ideConac"><a href="{esc(external(site, "conac_show", urls))}" '
        f'target="_blank"><img id="imgConac" src="{site.assets["conac"]}" alt="党政机关" /></a>'
        "</span>\n"
        f'<script type="text/javascript" src="{esc(external(site, "conac_script", urls))}">'
        "</script>\n"
        f"<script id=\"_jiucuo_\" sitecode='{s.site_code}' "
        f"src='{esc(external(site, 'jiucuo', urls))}'></script>\n"
        "</div></div>\n"
        f'<script type="text/javascript" src="{site.assets["common"]}"></script>\n'
        "</body>\n</html>\n"
    )


def _crumbs(chain: list[tuple[str, str]], from_path: str) -> str:
    links = " &gt; ".join(
        f'<a href="{esc(rel(from_path, path))}">{esc(name)}</a>' for name, path in chain
    )
    return f'<div class="position">当前位置：{links}</div>\n'


def _chain(
    site: Site, col: Column | None = None, section: str | None = None
) -> list[tuple[str, str]]:
    chain = [("首页", "/")]
    key = col.spec.section if col else section
    chain += [(s.name, s.path) for s in site.sections if s.key == key]
    if col and col.spec.parent:
        parent = site.column(col.spec.parent)
        chain.append((parent.name, parent.path))
    if col:
        chain.append((col.name, col.path))
    return chain


def _layout(
    site: Site,
    page: Page,
    urls: Urls,
    title: str,
    main: str,
    col: Column | None = None,
    item: Item | None = None,
    base: str = "",
) -> str:
    return (
        _head(site, page, urls, f"{title}_{site.spec.name}", col, item, base)
        + _header(site, urls)
        + f'<div class="main w1200" id="main">\n{main}</div>\n'
        + _footer(site, urls)
    )


def _li(page_path: str, item: Item, fmt: str) -> str:
    date = fmt_date(item.date, fmt, item.time)
    span = f"<span>{esc(date)}</span>" if date else ""
    return (
        f'<li><a href="{esc(rel(page_path, item.path))}" target="_blank" '
        f'title="{esc(item.title)}">{esc(item.title)}</a>{span}</li>'
    )


def _leftnav(site: Site, col: Column, page_path: str) -> str:
    cols = site.columns_of(col.spec.section, 1)
    lis = []
    for c in cols:
        kids = "".join(
            f'<li><a href="{esc(rel(page_path, site.column(k).path))}">'
            f"{esc(site.column(k).name)}</a></li>"
            for k in c.children
        )
        sub = f"<ul>{kids}</ul>" if kids else ""
        lis.append(f'<li><a href="{esc(rel(page_path, c.path))}">{esc(c.name)}</a>{sub}</li>')
    section = next(s.name for s in site.sections if s.key == col.spec.section)
    return f'<div class="leftnav"><h3>{esc(section)}</h3><ul>{"".join(lis)}</ul></div>\n'


def _list_main(site: Site, page: Page, col: Column) -> str:
    lp = col.pages[page.list_index]
    cs = col.spec
    if col.script_filled:
        return _script_list(col)
    if col.items:
        lis = "".join(_li(page.path, i, cs.date_format) for i in lp.items)
    elif cs.placeholder:
        lis = f'<li style="text-align:center">{esc(cs.placeholder)}</li>'
    else:
        lis = ""
    n_pages = len(col.pages)
    if cs.pager == "trs6":
        stem = posixpath.splitext(posixpath.basename(cs.path))[0]
        pager = (
            f"<script>{_PAGER6_JS}\ncreatePageHTML('page_div', {n_pages}, "
            f"{page.list_index + 1}, '{stem}', 'shtml', {len(col.items)});</script>"
        )
    else:
        pager = (
            f"<script>{_PAGER4_JS}\ncreatePageHTML({n_pages}, {page.list_index}, "
            '"index", "html");</script>'
        )
    return f'<ul class="list_ul">{lis}</ul>\n<div class="page" id="page_div">{pager}</div>\n'


def _script_list(col: Column) -> str:
    """TRS 海云 quickMode "动态": no static items; the list comes from the JSON API."""
    cs = col.spec
    return (
        '<ul class="list_ul" ms-controller="list">'
        '<li ms-repeat="list"><a ms-attr-href="el.docpuburl" ms-attr-title="el.doctitle" '
        'ms-text="el.doctitle" target="_blank"></a>'
        "<span ms-text=\"el.docreltime | date('yyyy-MM-dd')\"></span></li></ul>\n"
        '<div class="page" ms-controller="list_pagebar" ms-include-src="pgTemp"></div>\n'
        "<script>\nrequire(['list2.trsapi'], function(listModel){\n  listModel({\n"
        '    quickMode: "动态",\n'
        f'    listArgs: {{ channelid: {cs.column_id}, sortfield: "-docreltime" }},\n'
        f'    listApi: {{ url: "{TRS_LIST_API}" }},\n'
        f"    pagebar: {{ prepage: {cs.page_size}, pgTemp: 'pgBar.html' }}\n"
        "  });\n});\n</script>\n"
    )


def _render_list(site: Site, page: Page, urls: Urls) -> str:
    col = site.column(page.column or "")
    main = (
        _crumbs(_chain(site, col), page.path)
        + _leftnav(site, col, page.path)
        + f'<div class="list_right"><div class="list_tit">{esc(col.name)}</div>\n'
        + _list_main(site, page, col)
        + planted_html(site, page.path, urls)
        + "</div>\n"
    )
    return _layout(site, page, urls, col.name, main, col=col)


def _render_content(site: Site, page: Page, urls: Urls) -> str:
    """A single-page column (政府信息公开指南): the text inline, no item list."""
    col = site.column(page.column or "")
    item = col.content
    assert item is not None
    main = (
        _crumbs(_chain(site, col), page.path)
        + _leftnav(site, col, page.path)
        + f'<div class="list_right"><h1 class="title">{esc(item.title)}</h1>'
        f'<p class="date">（{fmt_date(item.date, "cn")}）</p>'
        f'<div class="TRS_Editor">{body_html(item)}</div>'
        + planted_html(site, page.path, urls)
        + "</div>\n"
    )
    return _layout(site, page, urls, col.name, main, col=col)


def _render_article(site: Site, page: Page, urls: Urls) -> str:
    item = page.item
    assert item is not None
    col = site.column(item.column)
    info = visible_date_label(item, col.spec.ctype)
    source = f"<span>来源：{esc(item.source)}</span>"
    extra = letter_html(item) if item.kind == "letter" else ""
    stem = posixpath.splitext(posixpath.basename(item.path))[0]
    main = (
        _crumbs(_chain(site, col), page.path)
        + '<div class="article">'
        + meta_table_html(item)
        + f'<h1 class="title">{esc(item.title)}</h1>'
        + f'<div class="info">{f"<span>{info}</span>" if info else ""}{source}</div>'
        + consultation_html(item)
        + f'<div class="TRS_Editor">{body_html(item)}</div>'
        + extra
        + related_html(site, item, urls)
        + planted_html(site, page.path, urls)
        + f'<script>createPageHTML(1, 0, "{stem}", "html");</script>'
        + "</div>\n"
    )
    return _layout(site, page, urls, item.title, main, col=col, item=item)


def _block(site: Site, page_path: str, col: Column, items: list[Item]) -> str:
    lis = "".join(_li(page_path, i, col.spec.date_format) for i in items)
    col_href = esc(rel(page_path, col.path))
    return (
        f'<div class="block"><div class="hd"><a href="{col_href}">{esc(col.name)}</a>'
        f'<a class="more" href="{col_href}">更多&gt;&gt;</a></div>'
        f'<ul class="home_list">{lis}</ul></div>\n'
    )


def _render_home(site: Site, page: Page, urls: Urls) -> str:
    blocks = "".join(_block(site, "/", c, items) for c, items in site.home_blocks)
    main = blocks + f'<div class="links">{planted_html(site, "/", urls)}</div>\n'
    return _layout(site, page, urls, "首页", main)


def _render_section(site: Site, page: Page, urls: Urls) -> str:
    key = page.column or ""
    blocks = []
    for col, items in site.section_blocks[key]:
        kids = "".join(
            f'<a href="{esc(rel(page.path, site.column(k).path))}">{esc(site.column(k).name)}</a> '
            for k in col.children
        )
        blocks.append(
            _block(site, page.path, col, items) + (f'<div class="sub">{kids}</div>' if kids else "")
        )
    main = (
        _crumbs(_chain(site, section=key), page.path)
        + "".join(blocks)
        + planted_html(site, page.path, urls)
    )
    return _layout(site, page, urls, page.title, main)


def _render_sitemap(site: Site, page: Page, urls: Urls) -> str:
    """网站地图: every column with its hierarchy."""
    secs = []
    for sec in site.sections:
        lis = []
        for col in site.columns_of(sec.key, 1):
            kids = "".join(
                f'<li><a href="{esc(site.column(k).path)}">{esc(site.column(k).name)}</a></li>'
                for k in col.children
            )
            lis.append(
                f'<li><a href="{esc(col.path)}">{esc(col.name)}</a>'
                + (f"<ul>{kids}</ul>" if kids else "")
                + "</li>"
            )
        secs.append(
            f'<dl><dt><a href="{esc(sec.path)}">{esc(sec.name)}</a></dt><dd><ul>'
            f"{''.join(lis)}</ul></dd></dl>"
        )
    main = (
        _crumbs([("首页", "/"), ("网站地图", page.path)], page.path)
        + f'<div class="wzdt">{"".join(secs)}</div>'
        + planted_html(site, page.path, urls)
    )
    return _layout(site, page, urls, "网站地图", main)


def _render_contact(site: Site, page: Page, urls: Urls) -> str:
    main = (
        _crumbs([("首页", "/"), ("联系我们", page.path)], page.path)
        + f'<div class="TRS_Editor"><p>单位名称：{esc(site.spec.name)}</p>'
        "<p>通信地址：示范县人民路1号　邮政编码：456000</p></div>"
        + planted_html(site, page.path, urls)
    )
    return _layout(site, page, urls, "联系我们", main)


def _render_simple(site: Site, page: Page, urls: Urls) -> str:
    main = (
        _crumbs([("首页", "/"), (page.title, page.path)], page.path)
        + f'<div class="TRS_Editor"><h1>{esc(page.title)}</h1>'
        f"<p>{esc(page.title)}相关内容正在持续更新。</p></div>"
        + planted_html(site, page.path, urls)
    )
    return _layout(site, page, urls, page.title, main)


def _render_base_page(site: Site, page: Page, urls: Urls) -> str:
    """A page whose ``<base href>`` makes its relative links resolve in another folder."""
    trap = site.base_trap
    assert trap is not None
    base_url = urls.url(site.id, trap.base)
    lis = "".join(f'<li><a href="{esc(h)}">{esc(t)}</a></li>' for h, t in trap.links)
    main = (
        _crumbs([("首页", "/"), (page.title, page.path)], trap.base + "index.html")
        + f'<div class="list_right"><div class="list_tit">{esc(page.title)}</div>'
        f'<ul class="list_ul">{lis}</ul></div>'
    )
    return _layout(site, page, urls, page.title, main, base=base_url)


_RENDERERS = {
    "home": _render_home,
    "section": _render_section,
    "list": _render_list,
    "content": _render_content,
    "article": _render_article,
    "sitemap": _render_sitemap,
    "contact": _render_contact,
    "simple": _render_simple,
    "base_page": _render_base_page,
}


def render(site: Site, page: Page, urls: Urls) -> str:
    return _RENDERERS[page.kind](site, page, urls)


def list_api(site: Site, query: str, form: str = "") -> tuple[int, str]:
    """JSON list API of the script-filled ("动态") column: ?channelid=&page=&prepage=."""
    params = {k: v[-1] for k, v in {**parse_qs(query), **parse_qs(form)}.items()}
    col = next(
        (
            c
            for c in site.columns
            if c.script_filled and str(c.spec.column_id) == params.get("channelid")
        ),
        None,
    )
    if col is None:
        return 404, json.dumps({"code": 404, "msg": "channel not found"})
    try:
        page_no = max(1, int(params.get("page", "1")))
        per = max(1, int(params.get("prepage", str(col.spec.page_size))))
    except ValueError:
        return 400, json.dumps({"code": 400, "msg": "bad parameter"})
    chunk = col.items[(page_no - 1) * per : page_no * per]
    data = {
        "recordCount": len(col.items),
        "pageCount": max(1, -(-len(col.items) // per)),
        "page": page_no,
        "list": [
            {
                "docid": i.uid,
                "doctitle": i.title,
                "docpuburl": i.path,
                "docreltime": f"{i.pubdate}:00" if i.date else "",
            }
            for i in chunk
        ],
    }
    return 200, json.dumps({"code": 200, "data": data}, ensure_ascii=False)
