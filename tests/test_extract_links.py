"""Link extraction, URL normalisation/joining, and the real Pingtan pages."""

from __future__ import annotations

import pytest

from govinspect.crawler.decode import decode_body
from govinspect.crawler.links import LINK_KINDS, Link, extract_links, parse_refresh, parse_srcset
from govinspect.crawler.urls import (
    host_key,
    is_attachment,
    is_pseudo_link,
    link_kind_by_extension,
    normalize_url,
    resolve,
)
from tests.conftest import corpus_manifest, require_shared, shared_path

CORPUS = shared_path("corpus/pingtan")  # beside the repository or GOVINSPECT_SHARED
PAGE = "http://www.example.gov.cn/zwgk/tzgg/index.html"
ROOT = "http://www.example.gov.cn"
PSEUDO_LINKS = ["el.url", "share.sina", "share.qzone", "logoutUrl", "rel.url", "el.chnldocurl",
                "videoBoxUrl", "{{item.url}}", "${url}", "<%=url%>", "'+url+'", "detail?id={id}",
                "undefined", "openWin(12)"]  # fmt: skip


def _links(html: str, page_url: str = PAGE, **kwargs) -> list[Link]:
    return extract_links(html, page_url, **kwargs).links


def _urls(html: str, page_url: str = PAGE, **kwargs) -> list[str]:
    return [link.url for link in _links(html, page_url, **kwargs)]


# --- normalisation -------------------------------------------------------------------------


def test_chinese_path_raw_and_encoded_normalise_equal() -> None:
    raw = normalize_url("http://www.example.gov.cn/附件/通知.pdf")
    encoded = normalize_url("http://www.example.gov.cn/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.pdf")
    lower = normalize_url("http://www.example.gov.cn/%e9%99%84%e4%bb%b6/%e9%80%9a%e7%9f%a5.pdf")
    assert raw == encoded == lower
    assert raw == "http://www.example.gov.cn/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.pdf"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://WWW.Example.GOV.cn:80/a", "http://www.example.gov.cn/a"),
        ("https://www.example.gov.cn:443/a", "https://www.example.gov.cn/a"),
        ("http://www.example.gov.cn:8080/a", "http://www.example.gov.cn:8080/a"),
        ("https://www.example.gov.cn:80/a", "https://www.example.gov.cn:80/a"),
        ("http://www.example.gov.cn", "http://www.example.gov.cn/"),
        ("http://www.example.gov.cn/a/./b/../c/d.html", "http://www.example.gov.cn/a/c/d.html"),
        ("http://www.example.gov.cn/a/b/..", "http://www.example.gov.cn/a/"),
        ("http://www.example.gov.cn/../../x.html", "http://www.example.gov.cn/x.html"),
        ("http://www.example.gov.cn/a.html#section-2", "http://www.example.gov.cn/a.html"),
        ("http://www.example.gov.cn/a.jsp?", "http://www.example.gov.cn/a.jsp"),
        (
            "http://www.example.gov.cn/s.jsp?z=1&a=2&m=3",
            "http://www.example.gov.cn/s.jsp?z=1&a=2&m=3",
        ),
        ("http://www.example.gov.cn/s?q=中文", "http://www.example.gov.cn/s?q=%E4%B8%AD%E6%96%87"),
        ("http://www.example.gov.cn/%7Euser/a%2fb", "http://www.example.gov.cn/~user/a%2Fb"),
        ("http://www.example.gov.cn/a b.html", "http://www.example.gov.cn/a%20b.html"),
        ("http://例子.中国/", "http://xn--fsqu00a.xn--fiqs8s/"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected
    assert normalize_url(expected) == expected  # idempotent


def test_query_keeps_page_encoding_when_given() -> None:
    assert normalize_url(f"{ROOT}/s?q=中", encoding="gbk") == f"{ROOT}/s?q=%D6%D0"
    mixed = normalize_url(f"{ROOT}/路径?q=中", encoding="gbk")
    assert mixed == f"{ROOT}/%E8%B7%AF%E5%BE%84?q=%D6%D0"  # path is always UTF-8


def test_normalize_never_raises_on_garbage() -> None:
    assert normalize_url("http://www.example.gov.cn:abc/x") == "http://www.example.gov.cn:abc/x"
    assert isinstance(normalize_url("http://[::1/x"), str)
    assert isinstance(normalize_url(""), str)


# --- joining -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        ("index_1.html", "http://www.example.gov.cn/zwgk/tzgg/index_1.html"),
        ("../", "http://www.example.gov.cn/zwgk/"),
        ("../../", "http://www.example.gov.cn/"),
        (
            "./202102/t20210220_1.html",
            "http://www.example.gov.cn/zwgk/tzgg/202102/t20210220_1.html",
        ),
        ("t20210220_123456.html", "http://www.example.gov.cn/zwgk/tzgg/t20210220_123456.html"),
        ("list.jsp?id=1", "http://www.example.gov.cn/zwgk/tzgg/list.jsp?id=1"),
        ("?page=2", "http://www.example.gov.cn/zwgk/tzgg/index.html?page=2"),
        ("news", "http://www.example.gov.cn/zwgk/tzgg/news"),
        ("/col/col123/index.html", "http://www.example.gov.cn/col/col123/index.html"),
        ("//cdn.example.com/a.js", "http://cdn.example.com/a.js"),
        ("HTTPS://Other.GOV.cn", "https://other.gov.cn/"),
        ("  /a\n/b\t.html  ", "http://www.example.gov.cn/a/b.html"),
        ("..\\..\\images\\a.jpg", "http://www.example.gov.cn/images/a.jpg"),
        ("/a.jsp?p=a\\b", "http://www.example.gov.cn/a.jsp?p=a%5Cb"),
        # A host typed without scheme is a real broken link for users: keep it.
        ("www.gov.cn", "http://www.example.gov.cn/zwgk/tzgg/www.gov.cn"),
    ],
)
def test_resolve_keeps_real_links(href: str, expected: str) -> None:
    assert resolve(PAGE, href) == expected


@pytest.mark.parametrize(
    "href",
    ["javascript:void(0)", "JavaScript:;", "mailto:a@example.gov.cn", "tel:12345", "data:,x",
     "about:blank", "#", "#top", "", "   ", "http://", "weixin://x", "C:\\Users\\a.doc",
     *PSEUDO_LINKS],
)  # fmt: skip
def test_resolve_drops_non_links(href: str) -> None:
    assert resolve(PAGE, href) is None


@pytest.mark.parametrize("token", PSEUDO_LINKS)
def test_pseudo_link_tokens(token: str) -> None:
    assert is_pseudo_link(token)


@pytest.mark.parametrize(
    "token", ["index_1.html", "../", "t20210220_1.html", "list.jsp?id=1", "news", "index",
              "a.shtml", "P020240408593995462054.pdf", "www.gov.cn", "gov.cn.html"],
)  # fmt: skip
def test_not_pseudo_links(token: str) -> None:
    assert not is_pseudo_link(token)


def test_host_key_and_attachment_table() -> None:
    assert host_key("HTTPS://WWW.Example.gov.cn:443/a/b?c") == "https://www.example.gov.cn"
    assert host_key("http://www.example.gov.cn:8080/x") == "http://www.example.gov.cn:8080"
    for name in ("a.pdf", "a.DOC", "a.docx", "a.xls", "a.xlsx", "a.wps", "a.ofd", "a.zip",
                 "a.rar", "a.ppt", "a.pptx", "a.et", "a.7z", "a.txt"):  # fmt: skip
        assert is_attachment(f"{ROOT}/files/{name}"), name
    assert is_attachment(f"{ROOT}/module/download/downfile.jsp?classid=0&filename=1.pdf")
    assert not is_attachment(f"{ROOT}/a.html")
    assert not is_attachment(f"{ROOT}/pdf")
    assert link_kind_by_extension(f"{ROOT}/a.JPG") == "image"
    assert link_kind_by_extension(f"{ROOT}/a.mp4") == "media"
    assert link_kind_by_extension(f"{ROOT}/a.htm") is None


# --- extraction sources ------------------------------------------------------------------


def test_anchor_area_iframe_embed_object() -> None:
    html = """<body><a href="/a.html"> 链接
      文字 </a><map><area href="/area.html" alt="区域"></map>
      <iframe src="/frame.html"></iframe><frame src="/f2.html"><embed src="/m/a.swf">
      <object data="/doc/a.pdf"></object><video src="/v.mp4" poster="/p.jpg"></video>
      <audio src="/a.mp3"></audio><input type="image" src="/btn.gif"></body>"""
    got = {(link.tag, link.attr): (link.url, link.kind, link.text) for link in _links(html)}
    assert got[("a", "href")] == (f"{ROOT}/a.html", "page", "链接 文字")
    assert got[("area", "href")] == (f"{ROOT}/area.html", "page", "区域")
    assert got[("iframe", "src")] == (f"{ROOT}/frame.html", "frame", "")
    assert got[("frame", "src")][1] == "frame"
    assert got[("embed", "src")][1] == "media"
    assert got[("object", "data")] == (f"{ROOT}/doc/a.pdf", "attachment", "")
    assert got[("video", "src")][1] == "media" and got[("video", "poster")][1] == "image"
    assert got[("audio", "src")][1] == "media" and got[("input", "src")][1] == "image"


def test_link_and_script_elements() -> None:
    html = """<head><link rel="stylesheet" href="/css/a.css"><link rel="shortcut icon"
      href="/favicon.ico"><link rel="dns-prefetch" href="//dns.example.com">
      <link rel="preconnect" href="https://pre.example.com"><link rel="alternate"
      type="application/rss+xml" href="/rss.xml"><script src="/js/a.js"></script></head>"""
    got = {link.url: link.kind for link in _links(html)}
    assert got == {
        f"{ROOT}/css/a.css": "style",
        f"{ROOT}/favicon.ico": "image",
        f"{ROOT}/rss.xml": "page",
        f"{ROOT}/js/a.js": "script",
    }


def test_srcset_every_candidate() -> None:
    html = """<img src="/a.png" alt="图" srcset="/a-1x.png 1x, /a-2x.png 2x,
      data:image/png;base64,iVBORw0KGgo=, /b,c.png 3x">
      <picture><source srcset="p1.webp 480w, p2.webp 960w" sizes="(max-width: 600px) 480px">
      </picture>"""
    got = [(link.url, link.attr, link.kind) for link in _links(html)]
    assert got == [
        (f"{ROOT}/a.png", "src", "image"),
        (f"{ROOT}/a-1x.png", "srcset", "image"),
        (f"{ROOT}/a-2x.png", "srcset", "image"),
        (f"{ROOT}/b,c.png", "srcset", "image"),
        (f"{ROOT}/zwgk/tzgg/p1.webp", "srcset", "image"),
        (f"{ROOT}/zwgk/tzgg/p2.webp", "srcset", "image"),
    ]
    assert parse_srcset("  a.png 1x,b.png 2x ,  c.png  ") == ["a.png", "b.png", "c.png"]
    assert parse_srcset("a.png,b.png 2x") == ["a.png,b.png"]  # HTML: commas belong to the URL


def test_onclick_and_javascript_hrefs() -> None:
    html = """<a href="javascript:window.open('/open/a.html')">新窗口</a>
      <a href="javascript:void(0)" onclick="location.href='/loc/b.html';return false">B</a>
      <div onClick="window.location = &quot;/loc/c.html&quot;">C</div>
      <span onclick="top.location.replace('../d.html')">D</span>
      <li onclick="window.open(&#39;http://other.gov.cn/e.html&#39;,'_blank')">E</li>
      <button onclick="javascript:download('/files/x.docx')">下载</button>
      <a href="javascript:;" onclick="showMenu(this)">menu</a>"""
    got = [(link.url, link.tag, link.attr, link.kind) for link in _links(html)]
    assert got == [
        (f"{ROOT}/open/a.html", "a", "href", "page"),
        (f"{ROOT}/loc/b.html", "a", "onclick", "page"),
        (f"{ROOT}/loc/c.html", "div", "onclick", "page"),
        (f"{ROOT}/zwgk/d.html", "span", "onclick", "page"),
        ("http://other.gov.cn/e.html", "li", "onclick", "page"),
        (f"{ROOT}/files/x.docx", "button", "onclick", "attachment"),
    ]


def test_script_concatenations_are_not_links() -> None:
    html = """<a onclick="window.open('/a.html?id=' + id)">x</a>
      <button onclick="dl('/f/a.pdf?v=' + v); dl('/f/b.pdf')">z</button>
      <script>var u = '/files/' + id + '.pdf'; location.href = "/go/" + x;</script>"""
    assert _urls(html) == [f"{ROOT}/f/b.pdf"]


def test_query_text_uses_the_page_encoding() -> None:
    html = '<a href="/search.jsp?q=通知">搜索</a>'
    assert _urls(html, encoding="gb18030") == [f"{ROOT}/search.jsp?q=%CD%A8%D6%AA"]
    assert _urls(html) == [f"{ROOT}/search.jsp?q=%E9%80%9A%E7%9F%A5"]


def test_base_href_is_used_for_joining() -> None:
    html = """<head><base href="http://static.example.gov.cn/site/"></head>
      <body><a href="a.html">a</a><img src="../img/b.png"></body>"""
    result = extract_links(html, PAGE)
    assert result.base_url == "http://static.example.gov.cn/site/"
    assert [link.url for link in result.links] == [
        "http://static.example.gov.cn/site/a.html",
        "http://static.example.gov.cn/img/b.png",
    ]
    relative_base = extract_links('<base href="/other/"><a href="x.html">x</a>', PAGE)
    assert relative_base.links[0].url == f"{ROOT}/other/x.html"


@pytest.mark.parametrize(
    ("content", "target"),
    [
        ("0;url=/moved.html", "/moved.html"),
        ("0; URL='/moved.html'", "/moved.html"),
        ('5;URL="/moved.html"', "/moved.html"),
        ("0,url=/moved.html", "/moved.html"),
        ("0;/moved.html", "/moved.html"),
        (" 3 ; url = /moved.html ", "/moved.html"),
        ("0.5; url=../", "../"),
        ("url=/moved.html", "/moved.html"),
        ("30", None),
        ("0;url=", None),
        ("", None),
    ],
)
def test_meta_refresh_variants(content: str, target: str | None) -> None:
    assert parse_refresh(content) == target


def test_meta_refresh_and_meta_names() -> None:
    html = """<html><head><meta HTTP-EQUIV="Refresh" CONTENT="0;URL=../">
      <meta name="SiteIDCode" content="3590000001"><meta name="ColumnName" content="公示公告">
      <meta name="PubDate" content="2019-09-18 06:23"><meta name="ColumnName" content="重复">
      <meta property="og:title" content="x"><title>标题</title></head></html>"""
    result = extract_links(html, PAGE)
    assert result.refresh == f"{ROOT}/zwgk/"
    assert result.links[0] == Link(f"{ROOT}/zwgk/", "../", "meta", "content", "", "refresh")
    assert result.meta == {
        "SiteIDCode": "3590000001", "ColumnName": "公示公告", "PubDate": "2019-09-18 06:23",
    }  # fmt: skip
    assert result.title == "标题"


def test_attachments_anywhere() -> None:
    html = """<a href="./P020240408593995462054.pdf">统计公报</a>
      <a href="/module/download/downfile.jsp?classid=0&amp;filename=2004221532.docx">附件</a>
      <a href="/%E9%99%84%E4%BB%B6.XLS">表</a>
      <script>var files = ["/upload/2024/a.wps", '.pdf', 'a/' + id + '.doc'];</script>
      <script type="text/html"><a href="/template/{{x}}.pdf"></a></script>
      <select><option value="/files/guide.ofd">指南</option></select>"""
    got = [(link.url, link.tag, link.kind) for link in _links(html)]
    assert got == [
        (f"{ROOT}/zwgk/tzgg/P020240408593995462054.pdf", "a", "attachment"),
        (f"{ROOT}/module/download/downfile.jsp?classid=0&filename=2004221532.docx", "a",
         "attachment"),
        (f"{ROOT}/%E9%99%84%E4%BB%B6.XLS", "a", "attachment"),
        (f"{ROOT}/upload/2024/a.wps", "script", "attachment"),
        (f"{ROOT}/files/guide.ofd", "option", "attachment"),
    ]  # fmt: skip


def test_ignored_schemes_and_template_syntax_are_not_links() -> None:
    template = [p for p in PSEUDO_LINKS if any(m in p for m in ("{", "<%", "+"))]
    anchors = "".join(
        f'<a href="{href}">x</a>'
        for href in ["javascript:void(0)", "javascript:;", "data:text/html,x", "about:blank",
                     "#", "#top", "", *[p.replace('"', "&quot;") for p in template]]
    )  # fmt: skip
    html = f"{anchors}<a ms-attr-href='el.url' href='/real.html'>ok</a>"
    assert _urls(html) == [f"{ROOT}/real.html"]


def test_other_schemes_are_recorded_as_such() -> None:
    html = '<a href="mailto:ban@example.gov.cn">信箱</a><a href=" TEL:0591-1234 ">电话</a>'
    assert [(link.url, link.problem, link.text) for link in _links(html)] == [
        ("mailto:ban@example.gov.cn", "scheme", "信箱"),
        ("tel:0591-1234", "scheme", "电话"),
    ]


def test_identifier_hrefs_are_links_but_script_literals_are_not() -> None:
    # A browser follows href="el.url" to ./el.url (a broken link users meet); in script
    # code the same token is a variable.
    html = """<a href="el.url">x</a><a href="logoutUrl">y</a>
      <a href="javascript:void(0)" onclick="window.open('el.url')">z</a>"""
    assert _urls(html) == [f"{ROOT}/zwgk/tzgg/el.url", f"{ROOT}/zwgk/tzgg/logoutUrl"]


def test_jump_menu_options_only_when_they_are_urls() -> None:
    html = """<select onchange="window.open(this.value)"><option value="">友情链接</option>
      <option value="http://www.gov.cn">中国政府网</option><option value="2024">2024</option>
      <option value="/zwgk/">政务公开</option><option value="//x">x</option></select>"""
    assert [(link.url, link.text) for link in _links(html)] == [
        ("http://www.gov.cn/", "中国政府网"),
        (f"{ROOT}/zwgk/", "政务公开"),
    ]


def test_background_attribute_and_lazy_images() -> None:
    html = """<table background="/img/bg.gif"><tr><td>x</td></tr></table>
      <img src="/loading.gif" data-original="/real.jpg">"""
    assert [(link.url, link.attr) for link in _links(html)] == [
        (f"{ROOT}/img/bg.gif", "background"),
        (f"{ROOT}/loading.gif", "src"),
        (f"{ROOT}/real.jpg", "data-original"),
    ]


def test_dedup_keeps_order_and_first_occurrence() -> None:
    html = """<a href="/b.html">B</a><a href="/a.html">A</a><a href="/b.html#x">B again</a>
      <a href="http://www.example.gov.cn:80/a.html">A again</a><img src="/a.html">"""
    got = [(link.url, link.tag, link.text, link.kind) for link in _links(html)]
    assert got == [
        (f"{ROOT}/b.html", "a", "B", "page"),
        (f"{ROOT}/a.html", "a", "A", "page"),
        (f"{ROOT}/b.html#x", "a", "B again", "anchor"),  # the place in b.html, checked apart
        (f"{ROOT}/a.html", "img", "", "image"),
    ]


def test_max_links_cap() -> None:
    html = "".join(f'<a href="/p{i}.html">{i}</a>' for i in range(50))
    result = extract_links(html, PAGE, max_links=10)
    assert len(result.links) == 10 and result.truncated
    assert result.links[-1].url == f"{ROOT}/p9.html"
    assert not extract_links(html, PAGE).truncated


def test_anchor_text_is_collapsed_and_capped() -> None:
    long_text = "长" * 300
    html = f'<a href="/a.html">  {long_text}\n\t </a><a href="/b.html"><img alt="图标"></a>'
    links = _links(html)
    assert links[0].text == "长" * 200
    assert links[1].text == "图标"


# --- CMS-derived links ---------------------------------------------------------------------


def test_hanweb_datastore_records_and_nextgroup() -> None:
    html = """<div id="456"><script type="text/xml"><datastore>
      <totalrecord>6163</totalrecord><totalpage>309</totalpage>
      <nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=5&path=/&columnid=123&unitid=456&permissiontype=0"></a>]]></nextgroup>
      <recordset>
      <record><![CDATA[<li><a href="/art/2020/8/14/art_123_9.html" title="标题一">标题一</a><span>2020-08-14</span></li>]]></record>
      <record><![CDATA[<li><a href="./art_123_8.html">标题二</a><img src="/new.gif"></li>]]></record>
      </recordset></datastore></script></div>"""  # noqa: E501
    result = extract_links(html, f"{ROOT}/col/col123/index.html")
    got = [(link.url, link.tag, link.kind, link.text) for link in result.links]
    assert got == [
        (f"{ROOT}/art/2020/8/14/art_123_9.html", "record", "record", "标题一"),
        (f"{ROOT}/col/col123/art_123_8.html", "record", "record", "标题二"),
        (f"{ROOT}/new.gif", "record", "image", ""),
        (f"{ROOT}/module/web/jpage/dataproxy.jsp?page=2&appid=1&webid=5&path=/&columnid=123"
         "&unitid=456&permissiontype=0", "nextgroup", "implied", ""),
    ]  # fmt: skip
    assert result.datastores and result.datastores[0].total_records == 6163


def test_trs_pagination_implied_pages_both_forms() -> None:
    classic = '<script>createPageHTML(3, 0, "index", "html");</script>'
    got = [(link.url, link.kind) for link in _links(classic)]
    assert got == [
        (f"{ROOT}/zwgk/tzgg/index_1.html", "implied"),
        (f"{ROOT}/zwgk/tzgg/index_2.html", "implied"),
    ]
    six = "<script>createPageHTML('page_div',3,1,'list_zw_wj','shtml',45)</script>"
    result = extract_links(six, f"{ROOT}/zw/list_zw_wj.shtml")
    assert [link.url for link in result.links] == [
        f"{ROOT}/zw/list_zw_wj_2.shtml",
        f"{ROOT}/zw/list_zw_wj_3.shtml",
    ]
    assert result.pager is not None and result.pager.record_count == 45


def test_count_page_variable_and_article_pager() -> None:
    html = "<script>var currentPage = 0; var countPage = 3//共多少页</script>"
    assert _urls(html) == [f"{ROOT}/zwgk/tzgg/index_1.html", f"{ROOT}/zwgk/tzgg/index_2.html"]
    article = '<script>createPageHTML(1,0,"t20190918_693227","shtml");</script>'
    assert _urls(article, f"{ROOT}/xw/201909/t20190918_693227.shtml") == []


# --- robustness ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    ["", " ", "\x00", "\x00\x01\x02", "<<<>>>", "</a></a></div>", "<a href=", "<?xml?>",
     '<?xml version="1.0" encoding="gbk"?><a href="/x.html">x</a>', "\ud800<a href='/s'>s</a>",
     "<html>" + "<table><tr><td>" * 500, "<a href='http://[::1'>bad</a>",
     "<a href='http://www.example.gov.cn:99999999999/x'>port</a>"],
)  # fmt: skip
def test_malformed_input_never_raises(html: str) -> None:
    result = extract_links(html, PAGE)
    assert isinstance(result.links, list)
    assert all(link.kind in LINK_KINDS for link in result.links)


def test_unclosed_tags_and_nul_bytes() -> None:
    html = "<div><p><a href='/a.html'>a<b>bold<a href='/b.html'>b</p><td>\x00<img src='/c.png'>"
    assert _urls(html) == [f"{ROOT}/a.html", f"{ROOT}/b.html", f"{ROOT}/c.png"]


def test_absurd_nesting_keeps_links_after_the_deep_part() -> None:
    html = (
        "<a href='/first.html'>1</a>"
        + "<font>" * 5000
        + "<div>" * 5000
        + ("<a href='/deep.html'>deep</a>" + "</div>" * 5000 + "<a href='/after.html'>after</a>")
    )
    urls = _urls(html)
    assert urls == [f"{ROOT}/first.html", f"{ROOT}/deep.html", f"{ROOT}/after.html"]


# --- the real Pingtan pages ----------------------------------------------------------------


def _manifest_files() -> list[dict]:
    return corpus_manifest(CORPUS)


@pytest.mark.parametrize("entry", _manifest_files(), ids=lambda e: e["path"])
def test_pingtan_page(entry: dict) -> None:
    text, _ = decode_body((CORPUS / entry["path"]).read_bytes(), "text/html")
    result = extract_links(text, entry["original_url"])
    urls = {link.url for link in result.links}
    assert result.title and "平潭" in result.title
    assert result.meta.get("SiteIDCode") == "3590000001"
    assert result.refresh is None
    items = (entry.get("list_items") or {}).get("items", [])
    missing = [item["url"] for item in items if normalize_url(item["url"]) not in urls]
    assert missing == []
    for link in result.links:
        assert link.kind in LINK_KINDS
        assert link.url == normalize_url(link.url)
        assert link.raw.strip() not in PSEUDO_LINKS
        last = link.url.rstrip("/").rpartition("/")[2]
        assert last not in ("el.url", "share.sina", "share.qzone", "logoutUrl", "rel.url")
        assert not link.url.startswith(("javascript", "mailto"))


def test_pingtan_attachment_items_are_attachments() -> None:
    require_shared(CORPUS)
    entry = next(e for e in _manifest_files() if e["path"].startswith("zwgk/tjxx/tjgb/_lists"))
    result = extract_links((CORPUS / entry["path"]).read_text(encoding="utf-8"),
                           entry["original_url"])  # fmt: skip
    kinds = {link.url: link.kind for link in result.links if link.tag == "a"}
    files = [item["url"] for item in entry["list_items"]["items"] if is_attachment(item["url"])]
    assert len(files) == 9
    assert all(kinds[url] == "attachment" for url in files)


def test_pingtan_script_filled_list_has_no_article_links() -> None:
    require_shared(CORPUS)
    entry = next(e for e in _manifest_files() if "hzgfxwj/_lists" in e["path"])
    result = extract_links((CORPUS / entry["path"]).read_text(encoding="utf-8"),
                           entry["original_url"])  # fmt: skip
    column = entry["original_url"]
    assert not [link for link in result.links if link.url.startswith(column + "20")]
