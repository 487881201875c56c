"""Link targets that are not plain fetchable URLs: invalid, other schemes, fragments, nofollow.

Units of issue 15's link items (the crawl of all forms together is tests/test_link_forms.py):
joining never raises, attribute values are links unless they are template syntax, CSS and
plug-in references, anchors, the page analysis that survives one failing step, and the run's
end queries on SQLite and PostgreSQL.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pytest
from scrapy.http import HtmlResponse, Request

from govinspect.crawler import anchors, columns, listing, outcomes, page_analysis, sources
from govinspect.crawler.cms import hanweb_datastores, jpaas_units, trs_list_model
from govinspect.crawler.column_pages import column_key
from govinspect.crawler.dates import article_date
from govinspect.crawler.items import CheckRecord, LinkRecord, PageRecord
from govinspect.crawler.linkattrs import css_urls, is_nofollow, split_list
from govinspect.crawler.links import extract_links
from govinspect.crawler.plan import CrawlPlan
from govinspect.crawler.spider import SiteSpider
from govinspect.crawler.urls import INVALID, OTHER_SCHEME, classify, unfetchable_problem
from govinspect.store import crawlstore
from govinspect.store.db import open_store
from govinspect.store.models import Run, Unit

PAGE = "http://www.example.gov.cn/zwgk/tzgg/index.html"
ROOT = "http://www.example.gov.cn"
BAD_HREFS = [
    "http://localhost]",
    "http://[::1",
    "//localhost]/x",
    "http://＃x/",
    "http://exa℀mple.com/",
]


# --- joining and classifying --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "url", "problem"),
    [
        ("http://localhost]", "http://localhost]", INVALID),
        ("//localhost]/x.html", "http://localhost]/x.html", INVALID),
        ("http://", "http://", INVALID),
        ("http:///x", "http:///x", INVALID),
        ("http://a b.gov.cn/", "http://a b.gov.cn/", INVALID),
        ("http://.example.org/", "http://.example.org/", INVALID),
        ("http://x.gov.cn:99999/", "http://x.gov.cn:99999/", INVALID),
        ("file:///C:/a.doc", "file:///C:/a.doc", INVALID),
        ("D:\\公文\\a.doc", "d:\\公文\\a.doc", INVALID),
        ("mailto:a@example.gov.cn", "mailto:a@example.gov.cn", OTHER_SCHEME),
        ("TEL:0591-1", "tel:0591-1", OTHER_SCHEME),
        ("ftp://ftp.example.gov.cn/a", "ftp://ftp.example.gov.cn/a", OTHER_SCHEME),
        # Bare names with extensions no list knows: links, whatever the extension.
        ("file.asc", f"{ROOT}/zwgk/tzgg/file.asc", None),
        ("t.vtt", f"{ROOT}/zwgk/tzgg/t.vtt", None),
        ("资料.7z", f"{ROOT}/zwgk/tzgg/%E8%B5%84%E6%96%99.7z", None),
        # What browsers do with a same-scheme relative reference.
        ("http:www.example.com/", f"{ROOT}/zwgk/tzgg/www.example.com/", None),
    ],
)
def test_classify(href, url, problem):
    target = classify(PAGE, href)
    assert (target.url, target.problem) == (url, problem)
    assert unfetchable_problem(target.url) == problem


@pytest.mark.parametrize(
    "href", ["javascript:;", "data:,x", "about:blank", "#x", "#", "{{item.url}}", "${url}",
             "<%=url%>", "detail?id={id}", "'+url+'", ""]
)  # fmt: skip
def test_not_links(href):
    assert classify(PAGE, href) is None


def test_identifiers_are_links_in_attributes_but_not_in_script():
    assert classify(PAGE, "el.url").url == f"{ROOT}/zwgk/tzgg/el.url"
    assert classify(PAGE, "el.url", script=True) is None


def test_fragment_is_kept_apart():
    target = classify(PAGE, "a.html#第二节")
    assert (target.url, target.fragment) == (f"{ROOT}/zwgk/tzgg/a.html", "第二节")


@pytest.mark.parametrize("href", BAD_HREFS)
def test_page_analysers_survive_malformed_hrefs(href):
    """Item 12: urljoin/urlsplit raise ValueError on these; no analyser may."""
    items = "".join(
        f'<li><a href="{href}">关于做好第{i}批惠企政策兑现工作的通知</a>'
        f"<span>2024-01-0{i}</span></li>"
        for i in range(1, 6)
    )
    html = (
        f'<html><head><title>t</title><base href="{href}"></head><body><ul>{items}</ul>'
        f'<div class="crumb"><a href="/">首页</a> &gt; <a href="{href}">栏目</a></div>'
        f'<div class="nav"><a href="{href}">通知公告</a></div>'
        f"<script>var countPage = 3; var currentPage = 0;</script></body></html>"
    )
    crawl_date = date(2024, 2, 1)
    extract_links(html, PAGE)
    found = listing.extract_items(html, PAGE, crawl_date)
    assert len(found.items) == 5
    listing.homepage_newest(html, PAGE, crawl_date)
    columns.breadcrumb(html, PAGE)
    columns.nav_columns(html, PAGE)
    article_date(html, PAGE, crawl_date)
    column_key(href)
    # CMS structures whose URLs come from scripts and configuration.
    script = (
        f'<script>listModel({{listUrl: "{href}", recordCount: 3}});</script>'
        f'<script parseType="buildstatic" url="{href}" querydata="{{a:1}}"></script>'
        f'<datastore><nextgroup><![CDATA[<a href="{href}">下一组</a>]]></nextgroup>'
        "<recordset><record><![CDATA[<li>x</li>]]></record></recordset></datastore>"
        f'<script>var proxyUrl = "{href}";</script>'
    )
    assert trs_list_model(script, PAGE).api_url is None
    assert jpaas_units(script, PAGE) == []
    for store in hanweb_datastores(script, PAGE):
        assert store.nextgroup is None
        sources.hanweb_requests(store, PAGE)
    json_body = f'{{"data": [{{"title": "通知", "url": "{href}"}}]}}'.encode()
    parsed = sources.parse_json(json_body, "application/json", PAGE, crawl_date)
    assert [item.url for item in parsed.items] == [None]


# --- link forms -------------------------------------------------------------------------------


def test_css_references():
    css = (
        "@import url(a.css); @import 'b.css'; x{background:url( \"c d.png\" )}"
        " /* url(old.png) */ y{src:url(f.woff2)} z{background:url(data:image/png;base64,AA)}"
    )
    assert css_urls(css) == [
        ("a.css", True),
        ("b.css", True),
        ("c d.png", False),
        ("f.woff2", False),
        ("data:image/png;base64,AA", False),
    ]


def test_css_kinds_on_a_page():
    html = (
        "<style>@import '/s.css'; .b{background:url(/b.png)} @font-face{src:url(/f.woff)}"
        '</style><div style="background-image: url(/banner.jpg)">x</div>'
    )
    got = [(link.url, link.tag, link.attr, link.kind) for link in extract_links(html, PAGE).links]
    assert got == [
        (f"{ROOT}/s.css", "style", "text", "style"),
        (f"{ROOT}/b.png", "style", "text", "image"),
        (f"{ROOT}/f.woff", "style", "text", "style"),
        (f"{ROOT}/banner.jpg", "div", "style", "image"),
    ]


def test_object_codebase_and_archive():
    html = (
        '<object codebase="/plugins/" data="m.swf" archive="a.jar, b.jar"></object>'
        '<object data="/x.swf" archive="http://cdn.example.com/c.jar"></object>'
    )
    got = [(link.url, link.attr) for link in extract_links(html, PAGE).links]
    assert got == [
        (f"{ROOT}/plugins/", "codebase"),
        (f"{ROOT}/plugins/m.swf", "data"),
        (f"{ROOT}/plugins/a.jar", "archive"),
        (f"{ROOT}/plugins/b.jar", "archive"),
        (f"{ROOT}/x.swf", "data"),
        ("http://cdn.example.com/c.jar", "archive"),
    ]


def test_formaction_only_for_get_forms_and_icons():
    html = (
        '<form action="/s" method="POST"><button formaction="/p.do">x</button>'
        '<input type="submit" formaction="/g.do" formmethod="get"></form>'
        '<button formaction="/free.do">y</button>'
        '<link rel="shortcut icon" href="/favicon.ico"><link rel="fluid-icon" href="/f.png">'
        '<meta rel="apple-touch-icon" href="/t.png">'
    )
    got = [(link.url, link.kind) for link in extract_links(html, PAGE).links]
    assert got == [
        (f"{ROOT}/g.do", "page"),
        (f"{ROOT}/free.do", "page"),
        (f"{ROOT}/favicon.ico", "image"),
        (f"{ROOT}/f.png", "image"),
        (f"{ROOT}/t.png", "image"),
    ]


@pytest.mark.parametrize(
    ("content", "nofollow"),
    [("noindex, Nofollow", True), ("NONE", True), ("nofollow", True), ("index,follow", False),
     ("noindex", False), ("noarchive nofollow", True)],
)  # fmt: skip
def test_meta_robots_nofollow(content, nofollow):
    assert is_nofollow(content) is nofollow
    html = f'<meta name="Robots" content="{content}"><a href="/a.html">a</a>'
    result = extract_links(html, PAGE)
    assert result.nofollow is nofollow
    assert [link.url for link in result.links] == [f"{ROOT}/a.html"]  # recorded all the same


def test_archive_lists():
    assert split_list("a.jar,b.jar  c.jar") == ["a.jar", "b.jar", "c.jar"]


# --- anchors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "checked"),
    [("sec2", True), ("", False), ("top", False), ("TOP", False), ("/home", False),
     ("!/x", False), ("page=3", False), ("none", False), ("{{id}}", False), ("中文", True)],
)  # fmt: skip
def test_anchor_fragments(fragment, checked):
    assert anchors.is_anchor_fragment(fragment) is checked


def test_anchor_matching_as_browsers_do():
    names = ["good", "with_|_(and—dash)", "中文"]
    key = anchors.fragment_key("with_|_%28and%E2%80%94dash)")
    assert key == anchors.fragment_key("with_%7C_(and—dash)")  # two spellings, one target
    assert anchors.anchor_found(key, names)
    assert anchors.anchor_found(anchors.fragment_key("%E4%B8%AD%E6%96%87"), names)
    assert anchors.anchor_found("top", [])
    assert not anchors.anchor_found("bad", names)


def test_page_anchors():
    html = '<p id="b">x</p><a name="a">y</a><span name="not-an-anchor"></span><p id="b"></p>'
    assert extract_links(html, PAGE).anchors == ["a", "b"]


# --- the spider's page callback ----------------------------------------------------------------


def _plan(tmp_path) -> CrawlPlan:
    from govinspect.crawler.launch import build_plan
    from govinspect.registry import parse_registry
    from govinspect.settings import load_settings

    registry = parse_registry(
        {"units": [{"id": "u", "name": "u", "category": "county", "website": ROOT + "/"}]}
    )
    return build_plan(load_settings(data_dir=tmp_path), registry.units[0], 1, False)


def _response(url: str, body: str) -> HtmlResponse:
    request = Request(url, meta={"gi": {"kind": "page", "attempts": [], "depth": 1}})
    return HtmlResponse(
        url, body=body.encode(), headers={"Content-Type": "text/html"}, request=request
    )


def test_one_failing_analysis_step_never_costs_the_page(tmp_path, monkeypatch, caplog):
    """An unexpected exception (here injected into the list analysis) is logged with the URL,
    noted in the page row; the page, its links and its check are kept."""

    def broken(*args, **kwargs):
        raise RuntimeError("unexpected layout")

    monkeypatch.setattr(page_analysis, "extract_items", broken)
    spider = SiteSpider(_plan(tmp_path))
    spider.baselines[ROOT] = outcomes.Baseline(404, None, None)
    url = f"{ROOT}/zwgk/a.html"
    body = "<title>通知</title><p>" + "正文。" * 300 + '</p><a href="/b.html">b</a>'
    with caplog.at_level(logging.WARNING, logger="govinspect"):
        out = list(spider.parse_page(_response(url, body)))
    page = next(item for item in out if isinstance(item, PageRecord))
    assert page.meta["analysis_errors"] == [
        {"step": "columns", "error": "RuntimeError: unexpected layout"}
    ]
    assert page.links == [LinkRecord(f"{ROOT}/b.html", "/b.html", "b", "a", "href", "page")]
    assert any(isinstance(item, CheckRecord) and item.outcome == "ok" for item in out)
    assert f"'columns' failed on {url}" in caplog.text
    assert spider.summary()["outcomes"].get("analysis_errors") is None


def test_unfetchable_targets_are_decided_once_before_the_page(tmp_path):
    spider = SiteSpider(_plan(tmp_path))
    spider.baselines[ROOT] = outcomes.Baseline(404, None, None)
    body = (
        '<a href="http://localhost]">x</a><a href="mailto:a@b.cn">m</a><a href="mailto:a@b.cn">'
        "m2</a>" + "<p>正文</p>" * 200
    )
    out = list(spider.parse_page(_response(f"{ROOT}/p.html", body)))
    kinds = [type(item).__name__ for item in out if not isinstance(item, Request)]
    checks = [(c.target_url, c.outcome) for c in out if isinstance(c, CheckRecord)]
    assert checks[:2] == [("http://localhost]", "invalid_url"), ("mailto:a@b.cn", "not_checked")]
    assert kinds.index("PageRecord") > 1  # the page's row comes after them
    assert not any(isinstance(item, Request) and "localhost]" in item.url for item in out)


# --- the run's end in the store (SQLite and PostgreSQL) -----------------------------------------


def _page(url: str, links: list[tuple[str, str]], **meta) -> PageRecord:
    now = datetime.now(UTC)
    return PageRecord(
        url=url,
        final_url=url,
        status=200,
        fetched_at=now,
        depth=1,
        meta=meta,
        links=[LinkRecord(t, t, "", "a", "href", kind) for t, kind in links],
    )


def test_run_end_queries(db_url):
    store = open_store(db_url)
    with store.session() as session:
        session.add(Unit(id="u", name="u", category="county", website=ROOT + "/"))
        session.flush()
        run = Run(kind="crawl", unit_id="u", status="running", summary={})
        session.add(run)
        session.flush()
        run_id = run.id
        pages = [
            _page(
                f"{ROOT}/a.html",
                [
                    (f"{ROOT}/b.html", "page"),
                    (f"{ROOT}/b.html#x", "anchor"),
                    (f"{ROOT}/a.html#own", "anchor"),
                    (f"{ROOT}/ext.html#y", "anchor"),
                    (f"{ROOT}/shared.html", "page"),
                ],
                anchors=["own"],
            ),  # fmt: skip
            _page(f"{ROOT}/b.html", [], anchors=["y"]),
            _page(
                f"{ROOT}/nf.html",
                [(f"{ROOT}/only.html", "page"), (f"{ROOT}/shared.html", "page")],
                nofollow=True,
                analysis_errors=[{"step": "columns", "error": "ValueError: x"}],
            ),
        ]
        crawlstore.write_pages(session, run_id, pages)
    with store.session() as session:
        frontier = crawlstore.resume_frontier(session, run_id)
        assert sorted(url for url, _, _ in frontier.pending) == [
            f"{ROOT}/b.html",
            f"{ROOT}/shared.html",  # from a.html; nf.html's links are never followed
        ]
        targets = crawlstore.anchor_targets(session, run_id)
        assert targets[f"{ROOT}/ext.html#y"] is None
        assert targets[f"{ROOT}/b.html#x"].anchors == ["y"]
        records = anchors.anchor_checks(targets, datetime.now(UTC))
        assert [(r.target_url, r.outcome) for r in records] == [
            (f"{ROOT}/a.html#own", "ok"),
            (f"{ROOT}/b.html#x", "missing_anchor"),
        ]
        crawlstore.write_checks(session, run_id, records)
        crawlstore.write_checks(
            session,
            run_id,
            [CheckRecord(f"{ROOT}/shared.html", "ok", 200, None, None, datetime.now(UTC), [])],
        )
        assert crawlstore.nofollow_only_targets(session, run_id) == [f"{ROOT}/only.html"]
        assert crawlstore.anchor_targets(session, run_id) == {f"{ROOT}/ext.html#y": None}
        assert crawlstore.page_notes(session, run_id) == {
            "nofollow": {"count": 1, "examples": [f"{ROOT}/nf.html"]},
            "analysis_errors": {
                "count": 1,
                "examples": [
                    {"url": f"{ROOT}/nf.html", "step": "columns", "error": "ValueError: x"}
                ],
            },
        }
    store.dispose()


def test_a_link_longer_than_the_store_allows_is_a_truncation(tmp_path):
    """PostgreSQL refuses a URL column value over 2048 characters, which stopped the crawl."""
    spider = SiteSpider(_plan(tmp_path))
    spider.baselines[ROOT] = outcomes.Baseline(404, None, None)
    long = "/x" + "a" * 3000 + ".html"
    body = f'<a href="{long}">长</a><a href="/ok.html">短</a>' + "<p>正文</p>" * 200
    out = list(spider.parse_page(_response(f"{ROOT}/p.html", body)))
    page = next(item for item in out if isinstance(item, PageRecord))
    assert [link.target_url for link in page.links] == [f"{ROOT}/ok.html"]
    assert spider.state.truncated()["max_url_length"]["count"] == 1


def test_an_invalid_refresh_or_codebase_is_recorded_but_never_used():
    html = (
        '<meta http-equiv="refresh" content="0; url=http://localhost]">'
        '<object codebase="http://[::1" data="m.swf"></object>'
    )
    result = extract_links(html, PAGE)
    assert result.refresh is None
    assert [(link.url, link.problem) for link in result.links] == [
        ("http://localhost]", INVALID),
        ("http://[::1", INVALID),
        (f"{ROOT}/zwgk/tzgg/m.swf", None),  # joined against the page instead
    ]
