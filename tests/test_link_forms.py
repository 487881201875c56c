"""Link forms of a peer's test pages, crawled on 127.0.0.1, with the exact outcome of every link.

LinkChecker's own test data (tests/checker/data: misc, html5, http, archive, base, anchor,
http_anchor, http_slash, http_invalid_host, norobots, file.css ...) carries the link forms a
checker must read; these pages are our own, written for government sites, with the same forms.
As LinkChecker's ``.result`` files do, the test states the outcome of every link target.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from govinspect.crawler.launch import run_crawl
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Link, LinkCheck, Page
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html

OK_BODY = (200, {"Content-Type": "application/octet-stream"}, b"x" * 64)
PAGES = (
    "misc.html", "html5.html", "css.html", "object.html", "attachments.html", "invalid.html",
    "schemes.html", "anchors.html", "anchors2.html", "nofollow.html", "base.html",
)  # fmt: skip

# One list of dated items: the list analysis of invalid.html reads every href (item 12).
ITEMS = "".join(
    f'<li><a href="{href}">平潭综合实验区关于做好第{i}批惠企政策兑现工作的通知</a>'
    f"<span>2024-03-0{i}</span></li>"
    for i, href in enumerate(
        ["/a.html", "http://localhost]", "/b.html", "http://[::1", "//localhost]/x.html"], 1
    )
)

PAGE_BODIES = {
    # misc.html: refresh with delay, <meta rel=icon href> (old pages), empty background, SWF.
    "/misc.html": html(
        '<table><tr background><td><a href="test.swf">SWF</a></td></tr></table>',
        head='<meta http-equiv="refresh" content="5; url=/refresh-target.html">'
        '<meta rel="SHORTCUT ICON" href="favicon.ico"><meta rel="ICON" href="gone.ico">',
    ),
    # html5.html: audio/track/source/video with extensions no list knows; formaction (GET only).
    "/html5.html": html(
        "<audio src=notice.asc></audio><audio src=gone.asc></audio>"
        "<video src=clip.mp4><track src=t.vtt><source src=file.txt></video>"
        "<form method=get action=/search.html><button formaction=/search-a.html>查</button>"
        "</form><form method=post><button formaction=/post-only.html>提交</button></form>"
        "<button formaction=/search-b.html formmethod=get>查</button>",
    ),
    # css.html: url() in style attributes and in a <style> block, @import, fonts, comments.
    "/css.html": html(
        '<div class="banner" style="background-image:url(/img/banner.jpg)">首页横幅</div>'
        "<p style=\"background: URL('/img/gone-bg.png') no-repeat\">x</p>"
        '<p style="background:url(data:image/png;base64,AAAA)">inline</p>',
        head="<style>@import url(/css/base.css);"
        ".nav{background:url(../img/nav.png)} /* .old{background:url(/img/old.png)} */"
        "@font-face{font-family:f;src:url(/font/f.woff)}</style>",
    ),
    # object.html: codebase, data and archive (comma-separated), an applet.
    "/object.html": html(
        '<object classid="clsid:D27CDB6E-AE6D-11cf-96B8-444553540000" codebase="/plugins/" '
        'data="movie.swf" archive="a.jar,b.jar"></object>'
        '<applet codebase="/applets/" archive="old.jar" code="Old.class"></applet>',
    ),
    # attachments.html: bare relative names with extensions the resolver does not list.
    "/attachments.html": html(
        "".join(
            f'<p><a href="{name}">附件{i}</a></p>'
            for i, name in enumerate(
                [
                    "通知.wps",
                    "表格.et",
                    "演示.dps",
                    "公文.ofd",
                    "文件.ceb",
                    "论文.caj",
                    "资料.rar",
                    "资料.7z",
                    "file.asc",
                    "gone.wps",
                    "gone.ofd",
                    "gone.7z",
                    "gone.asc",
                ]
            )
        )  # fmt: skip
    ),
    # invalid.html: links no browser can follow (the page itself must survive them).
    "/invalid.html": html(
        f"<ul class='list'>{ITEMS}</ul>"
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="http://localhost]">'
        "通知公告</a></div>"
        '<a href="http://">空地址</a><a href="file:///C:/Users/admin/通知.doc">本地文件</a>'
        '<a href="C:\\公文\\通知.doc">本地路径</a><a href="http://a b.gov.cn/">空格</a>',
    ),
    # schemes.html: mailto/tel are recorded as not checked; javascript/data are no links.
    "/schemes.html": html(
        '<a href="mailto:zwgk@example.gov.cn">信箱</a><a href="tel:0591-12345678">电话</a>'
        '<a href="weixin://dl/chat">微信</a><a href="javascript:void(0)">菜单</a>'
        '<a href="data:text/html,x">数据</a><a href="/a.html">正常</a>',
    ),
    # anchors.html: same-page and other-page fragments (ids, <a name>, encoded, routes).
    "/anchors.html": html(
        '<h2 id="good">目录</h2><a name="named">正文</a><h3 id="中文">中文锚点</h3>'
        '<a href="#good">好</a><a href="#named">名</a><a href="#bad">坏</a>'
        '<a href="#top">顶部</a><a href="#">空</a><a href="#/route">路由</a>'
        '<a href="#%E4%B8%AD%E6%96%87">编码</a><a href="#tab2" onclick="show(2)">标签</a>'
        '<a href="anchors2.html#two">二</a><a href="anchors2.html#nope">无</a>'
        '<a href="/a.html#x">a</a><a href="/doc.pdf#page=3">PDF</a>',
    ),
    "/anchors2.html": html('<p id="two">二</p><a href="anchors.html#good">回</a>'),
    # nofollow.html: its links are recorded, none is followed; targets also linked elsewhere
    # are verified there.
    "/nofollow.html": html(
        '<a href="/only-from-nofollow.html">只在这里</a><a href="/a.html">也在首页</a>'
        '<a href="mailto:nofollow@example.gov.cn">信箱</a>',
        head='<meta name="ROBOTS" content="noindex, NoFollow">',
    ),
    # base.html: relative links resolve against <base href>.
    "/base.html": html('<a href="t.txt">基准</a>', head='<base href="/sub/">'),
}


SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/'
    'sitemap/0.9"><url><loc>http://localhost]</loc></url><url><loc>{base}/from-sitemap.html'
    "</loc></url></urlset>"
)


def site_routes() -> dict:
    home = "".join(f'<a href="/{p}">{p}</a>' for p in PAGES) + '<a href="/a.html">甲</a>'
    routes = {"/": html(home, title="测试县人民政府"), **PAGE_BODIES}

    def sitemap(method, handler):  # a malformed <loc> must not cost the sitemap's others
        base = f"http://127.0.0.1:{handler.server.server_address[1]}"
        return 200, {"Content-Type": "application/xml"}, SITEMAP.format(base=base).encode()

    routes["/sitemap.xml"] = sitemap
    for path in (
        "/a.html", "/b.html", "/refresh-target.html", "/search-a.html", "/search-b.html",
        "/from-sitemap.html",
    ):  # fmt: skip
        routes[path] = html("<p>" + "正文内容。" * 40 + "</p>", title=path)
    for path in (
        "/favicon.ico", "/test.swf", "/notice.asc", "/clip.mp4", "/file.txt",
        "/img/banner.jpg", "/css/base.css", "/img/nav.png", "/font/f.woff", "/plugins/",
        "/plugins/movie.swf", "/plugins/a.jar", "/applets/", "/applets/old.jar",
        "/applets/Old.class", "/通知.wps", "/表格.et", "/演示.dps", "/公文.ofd", "/文件.ceb",
        "/论文.caj", "/资料.rar", "/资料.7z", "/file.asc", "/sub/t.txt", "/doc.pdf",
        "/only-from-nofollow.html",
    ):  # fmt: skip
        routes[path] = OK_BODY
    return routes


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("forms")
    with FixtureServer(site_routes()) as site:
        registry = parse_registry(
            {"units": [{"id": "forms", "name": "测试县", "category": "county",
                        "website": f"{site.base}/"}]}
        )  # fmt: skip
        settings = load_settings(
            data_dir=tmp / "var", db=str(tmp / "var" / "g.db"), timeout=5.0, recheck_delay=0.2
        )
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        result = run_crawl(settings, store, registry.units[0], progress=False)
        with store.session() as session:
            checks = {
                row.target_url: row
                for row in session.scalars(
                    select(LinkCheck).where(LinkCheck.run_id == result.run_id)
                )
            }
            pages = {
                row.url: row
                for row in session.scalars(select(Page).where(Page.run_id == result.run_id))
            }
            links = session.execute(
                select(Page.url, Link.target_url, Link.kind)
                .join(Page, Page.id == Link.page_id)
                .where(Link.run_id == result.run_id)
            ).all()
        yield {
            "base": site.base,
            "result": result,
            "checks": checks,
            "pages": pages,
            "links": links,
            "hits": site.hits,
        }
        store.dispose()


def expected(base: str) -> dict[str, str]:
    """Every link target of the site and its outcome: the test's ``.result`` file."""
    ok = [
        "/", *(f"/{p}" for p in PAGES), "/a.html", "/b.html", "/refresh-target.html",
        "/from-sitemap.html",
        "/favicon.ico", "/test.swf", "/notice.asc", "/clip.mp4", "/file.txt", "/search-a.html",
        "/search-b.html", "/img/banner.jpg", "/css/base.css", "/img/nav.png", "/font/f.woff",
        "/plugins/", "/plugins/movie.swf", "/plugins/a.jar", "/applets/", "/applets/old.jar",
        "/applets/Old.class", "/%E9%80%9A%E7%9F%A5.wps", "/%E8%A1%A8%E6%A0%BC.et",
        "/%E6%BC%94%E7%A4%BA.dps", "/%E5%85%AC%E6%96%87.ofd", "/%E6%96%87%E4%BB%B6.ceb",
        "/%E8%AE%BA%E6%96%87.caj", "/%E8%B5%84%E6%96%99.rar", "/%E8%B5%84%E6%96%99.7z",
        "/file.asc", "/sub/t.txt", "/doc.pdf",
        # anchors found on crawled pages
        "/anchors.html#good", "/anchors.html#named", "/anchors.html#%E4%B8%AD%E6%96%87",
        "/anchors2.html#two",
    ]  # fmt: skip
    dead = [
        "/gone.ico", "/gone.asc", "/t.vtt", "/img/gone-bg.png", "/plugins/b.jar",
        "/gone.wps", "/gone.ofd", "/gone.7z",
    ]  # fmt: skip
    out = {f"{base}{p}": "ok" for p in ok}
    out.update({f"{base}{p}": "http_error" for p in dead})
    out.update(
        {
            f"{base}/anchors.html#bad": "missing_anchor",
            f"{base}/anchors2.html#nope": "missing_anchor",
            f"{base}/a.html#x": "missing_anchor",
            "http://localhost]": "invalid_url",
            "http://[::1": "invalid_url",
            "http://localhost]/x.html": "invalid_url",
            "http://": "invalid_url",
            "file:///C:/Users/admin/通知.doc": "invalid_url",
            "c:\\公文\\通知.doc": "invalid_url",
            "http://a b.gov.cn/": "invalid_url",
            "mailto:zwgk@example.gov.cn": "not_checked",
            "tel:0591-12345678": "not_checked",
            "weixin://dl/chat": "not_checked",
            "mailto:nofollow@example.gov.cn": "not_checked",
            f"{base}/only-from-nofollow.html": "not_checked",
        }
    )
    return out


def test_run_completes(crawled):
    assert crawled["result"].status == "complete", crawled["result"].error


def test_every_link_has_its_exact_outcome(crawled):
    got = {url: row.outcome for url, row in crawled["checks"].items()}
    assert got == expected(crawled["base"])


def test_a_malformed_link_never_costs_the_page(crawled):
    page = crawled["pages"][f"{crawled['base']}/invalid.html"]
    assert page.state == "ok" and page.status == 200
    assert "analysis_errors" not in page.meta
    targets = {t for source, t, _ in crawled["links"] if source == page.url}
    assert {"http://localhost]", f"{crawled['base']}/a.html", "http://"} <= targets


def test_unfetchable_targets_are_never_requested(crawled):
    hits = {path for _, path in crawled["hits"]}
    assert "/only-from-nofollow.html" not in hits  # the nofollow page's own link
    assert "/post-only.html" not in hits  # a POST form's button
    assert not any("localhost" in path or "mailto" in path for path in hits)


def test_nofollow_page_is_recorded_and_summarised(crawled):
    page = crawled["pages"][f"{crawled['base']}/nofollow.html"]
    assert page.meta["nofollow"] is True and page.meta["ROBOTS"] == "noindex, NoFollow"
    targets = {t for source, t, _ in crawled["links"] if source == page.url}
    assert f"{crawled['base']}/only-from-nofollow.html" in targets  # recorded, not followed
    summary = crawled["result"].summary
    assert summary["nofollow"] == {"count": 1, "examples": [page.url]}
    only = crawled["checks"][f"{crawled['base']}/only-from-nofollow.html"]
    assert "nofollow" in only.error


def test_anchor_links_are_twins_of_page_links(crawled):
    anchors = {(s, t) for s, t, kind in crawled["links"] if kind == "anchor"}
    base = crawled["base"]
    assert (f"{base}/anchors.html", f"{base}/a.html#x") in anchors
    assert (f"{base}/anchors.html", f"{base}/a.html") in {(s, t) for s, t, _ in crawled["links"]}
    # Routes, script placeholders, #top and PDF open parameters are no anchors.
    assert not any(t.endswith(("#/route", "#tab2", "#top", "#page=3")) for _, t in anchors)
    assert crawled["pages"][f"{base}/anchors.html"].meta["anchors"] == ["good", "named", "中文"]


def test_summary_counts_the_new_outcomes(crawled):
    outcomes = crawled["result"].summary["outcomes"]
    assert outcomes["missing_anchor"] == 3
    assert outcomes["invalid_url"] == 7
    assert outcomes["not_checked"] == 5
