"""One parse per page (issue 21): the ParsedPage contract, and the spider's page callback
parsing each fetched page exactly once, whatever the layout."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import pytest
from lxml import etree
from scrapy.http import HtmlResponse, Request
from w3lib.url import safe_url_string

from govinspect.crawler import columns, interaction, outcomes
from govinspect.crawler.dates import article_date
from govinspect.crawler.items import ListPageRecord, PageRecord
from govinspect.crawler.launch import build_plan
from govinspect.crawler.links import extract_links
from govinspect.crawler.listing import extract_items, homepage_newest
from govinspect.crawler.page import PARSE_COUNT, ParsedPage, parse_document
from govinspect.crawler.spider import SiteSpider, _visible_text
from govinspect.demo.layouts import build_site, family
from govinspect.registry import parse_registry
from govinspect.settings import load_settings

BASE = "http://127.0.0.1:8001"
CRAWL = date(2026, 9, 10)
ARTICLE = """<?xml version="1.0" encoding="gbk"?><html><head><title> 关于 开展
  检查的通知 </title><meta name="ColumnName" content="通知公告"><meta name="PubDate"
  content="2026-09-01"><script>var x = "<p>not text</p>";</script><style>p {}</style></head>
<body><div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/tzgg/">通知公告</a></div>
<h1>关于开展检查的通知</h1><div>发布时间：<!-- x -->2026-09-02</div>
<noscript>请打开脚本</noscript><template><p>模板</p></template>
<select><option value="/a/">友情链接</option></select><p>正文。留言时间：2026-08-01</p>
<a href="/tzgg/202609/t20260902_1.html">下一篇</a></body></html>"""


@pytest.fixture()
def parses(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Every parse of lxml's parsers (lxml.html and htmldate go through ``etree.fromstring``)."""
    seen = {"lxml": 0}
    original = etree.fromstring

    @functools.wraps(original)
    def counted(*args: Any, **kwargs: Any) -> Any:
        seen["lxml"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(etree, "fromstring", counted)
    return seen


def test_the_tree_is_parsed_once_and_lazily(parses: dict[str, int]) -> None:
    before = PARSE_COUNT["page"]
    page = ParsedPage(ARTICLE, f"{BASE}/tzgg/a.html")
    assert page.title == "关于 开展 检查的通知"  # read from the text: no parse
    assert parses["lxml"] == 0
    assert page.tree is page.tree is not None
    assert page.visible_text and page.content_tree is page.content_tree
    assert PARSE_COUNT["page"] - before == 1 and parses["lxml"] == 1


def test_views_of_the_page() -> None:
    page = ParsedPage(ARTICLE, f"{BASE}/tzgg/a.html")
    visible = page.visible_text
    assert "not text" not in visible and "p {}" not in visible
    assert "请打开脚本" not in visible and "模板" not in visible
    assert "友情链接" in visible and "发布时间：2026-09-02" in visible  # as _visible_text did
    assert page.content_tree is not None
    content = "".join(page.content_tree.itertext())
    assert "友情链接" not in content and "正文" in content
    assert "友情链接" in "".join(page.tree.itertext())  # the shared tree keeps everything
    assert _visible_text(ARTICLE) == visible
    assert ParsedPage("", "x").tree is None and ParsedPage("  ", "x").visible_text == ""


def test_extractors_read_the_shared_tree_without_changing_it(parses: dict[str, int]) -> None:
    url = f"{BASE}/tzgg/a.html"
    page = ParsedPage(ARTICLE, url)
    assert page.tree is not None
    markup = etree.tostring(page.tree)
    found = (
        extract_links(page, url).links,
        article_date(page, url, CRAWL),
        extract_items(page, url, CRAWL),
        homepage_newest(page, url, CRAWL),
        columns.breadcrumb(page, url),
        columns.column_meta(page),
        columns.nav_columns(page, url),
        interaction.page_facts(page, url, page.title, None, CRAWL).records,
    )
    assert parses["lxml"] == 1
    assert etree.tostring(page.tree) == markup
    # The same answers as from the text (each of those parses it again).
    assert found == (
        extract_links(ARTICLE, url).links,
        article_date(ARTICLE, url, CRAWL),
        extract_items(ARTICLE, url, CRAWL),
        homepage_newest(ARTICLE, url, CRAWL),
        columns.breadcrumb(ARTICLE, url),
        columns.column_meta(ARTICLE),
        columns.nav_columns(ARTICLE, url),
        interaction.page_facts(ARTICLE, url, page.title, None, CRAWL).records,
    )
    assert found[1].date == date(2026, 9, 2) and found[4][-1][0] == "通知公告"


def test_deep_nesting_still_parses_what_follows() -> None:
    html = "<div>" * 3000 + "x" + "</div>" * 3000 + '<a href="/after.html">after</a>'
    root = parse_document(html)
    assert root is not None
    assert [a.get("href") for a in root.iter("a")] == ["/after.html"]


# --- the spider's page callback -----------------------------------------------------------------

FAMILIES = ("f01_trs_classic", "f02_hanweb_datastore", "f05_unicode_cards", "f12_modern_time",
            "f14_plain_undated")  # fmt: skip


def _spider(tmp_path: Any) -> SiteSpider:
    registry = parse_registry(
        {"units": [{"id": "u", "name": "u", "category": "county", "website": BASE + "/"}]}
    )
    spider = SiteSpider(build_plan(load_settings(data_dir=tmp_path), registry.units[0], 1, False))
    spider.baselines[BASE] = outcomes.Baseline(404, None, None)
    return spider


def _pages(name: str) -> list[tuple[str, str, bool]]:
    """The homepage, a list page and an article of a layout family: (path, html, homepage)."""
    built = build_site(family(name), 0, BASE + "/", "http://127.0.0.1:9/", CRAWL)
    column = next(c for c in built.site.columns if c.items and c.content is None)
    paths = [("/", True), (column.pages[0], False), (column.items[0].path, False)]
    return [(path, built.pages[path], homepage) for path, homepage in paths]


@pytest.mark.parametrize("name", FAMILIES)
def test_parse_page_parses_each_page_once(name: str, tmp_path: Any, parses: dict[str, int]) -> None:
    spider = _spider(tmp_path)
    kinds = []
    for path, html, homepage in _pages(name):
        url = safe_url_string(BASE + path)
        gi = {"kind": "page", "attempts": [], "depth": 1, "homepage": homepage}
        response = HtmlResponse(
            url,
            body=html.encode("utf-8"),
            headers={"Content-Type": "text/html; charset=utf-8"},
            request=Request(url, meta={"gi": gi}),
        )
        pages, fragments, calls = PARSE_COUNT["page"], PARSE_COUNT["fragment"], parses["lxml"]
        out = list(spider.parse_page(response))
        page = next(x for x in out if isinstance(x, PageRecord))
        assert not page.meta.get("analysis_errors"), page.meta
        assert PARSE_COUNT["page"] - pages == 1, path
        # Hanweb <datastore> records are documents of their own (links, list items): counted
        # apart, and the only other parses there are.
        assert parses["lxml"] - calls == 1 + PARSE_COUNT["fragment"] - fragments, path
        lists = [x for x in out if isinstance(x, ListPageRecord) and x.is_list]
        kinds.append("home" if homepage else "list" if lists else "article")
        if kinds[-1] == "article":
            assert page.published is not None
    assert kinds == ["home", "list", "article"]


def _html_response(url: str, html: str, kind: str = "page") -> HtmlResponse:
    gi = {"kind": kind, "attempts": [], "depth": 1, "link_kind": "page"}
    return HtmlResponse(
        url,
        body=html.encode("utf-8"),
        headers={"Content-Type": "text/html; charset=utf-8"},
        request=Request(url, meta={"gi": gi}),
    )


def test_a_page_waiting_for_its_baseline_and_a_verified_page_parse_once(
    tmp_path: Any, parses: dict[str, int]
) -> None:
    spider = _spider(tmp_path)
    spider.baselines.clear()  # the host's baseline is not known yet: the page is parked
    out = list(spider.parse_page(_html_response(f"{BASE}/tzgg/a.html", ARTICLE)))
    assert not any(isinstance(x, PageRecord) for x in out)
    [(_, parked)] = spider.waiting[BASE]  # parked with the signature of its visible text
    page = ParsedPage(ARTICLE, f"{BASE}/tzgg/a.html")
    assert parked == outcomes.signature(page.title, page.visible_text)
    assert page.title == "关于 开展 检查的通知" and "not text" not in page.visible_text
    parses["lxml"] -= 1  # the reference page above
    assert parses["lxml"] == 1
    # A page verified (not crawled): its refresh and its visible text from one parse.
    spider.baselines[BASE] = outcomes.Baseline(404, None, None)
    list(spider.parse_check(_html_response(f"{BASE}/other.html", ARTICLE, kind="check")))
    assert parses["lxml"] == 2


def test_the_safety_scanner_reads_the_parsed_page() -> None:
    from govinspect.crawler.safety import SafetyScanner

    html = '<div style="display:none"><a href="http://x.example.com/">六合彩</a></div>'
    page = ParsedPage(html, f"{BASE}/a.html")
    extracted = extract_links(page, page.url)
    args = (extracted.base_url, extracted.links, page.visible_text, "utf-8", "t", False)
    by_page = SafetyScanner({"127.0.0.1:8001"}).page(page.url, page, *args)
    by_tree = SafetyScanner({"127.0.0.1:8001"}).page(page.url, extracted.root, *args)
    assert by_page == by_tree and by_page["hidden"][0]["url"] == "http://x.example.com/"
