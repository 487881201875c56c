"""What is a column and what is an article: the root causes the layout families revealed.

Each test is one defect found by tests/test_layouts.py, reduced to the markup that caused it.
"""

from __future__ import annotations

from datetime import date

import pytest

from govinspect.crawler.column_pages import column_key, page_number
from govinspect.crawler.columns import breadcrumb, inline_column
from govinspect.crawler.items import ItemRecord, ListPageRecord
from govinspect.crawler.listing import ListItem, extract_items
from govinspect.crawler.spider import _item
from govinspect.store import crawlstore
from govinspect.store.db import open_store
from govinspect.store.models import Column, Run

CRAWL = date(2026, 12, 4)
BODY = (
    "<p>据了解，校园安全工作开展以来，共惠及群众367余户，群众满意度明显提升。</p>"
    "<p>截至目前，全县已累计排查各类问题410处，完成整改162处。</p>"
)


def page(main: str, head: str = "") -> str:
    return (
        f"<html><head><title>示范县人民政府</title>{head}</head><body>"
        '<div class="nav"><ul><li><a href="/xwzx/">新闻中心</a></li>'
        '<li><a href="/zwgk/">政务公开</a></li></ul></div>'
        f'<div class="main">{main}</div><div class="footer">主办单位：示范县人民政府办公室　'
        "地址：示范县人民路1号　联系电话：0371-12345678　网站标识码：4102210001　"
        "豫ICP备05001234号　豫公网安备 41022102000101号</div>"
        "</body></html>"
    )


def test_undated_list_of_numbered_article_urls_is_a_list():
    # "$"-anchored document shapes (/content/501052.html) never matched: the list was "blank".
    lis = "".join(
        f'<li><a href="/xwzx/tzgg/content/5010{n}2.html">关于做好第{n}批防汛抗旱工作的通知</a></li>'
        for n in range(6)
    )
    result = extract_items(
        page(f'<ul class="list">{lis}</ul>'), "http://x.gov.cn/xwzx/tzgg/list.html", CRAWL
    )
    assert result.is_list and result.notes[0] == "undated_items"
    assert len(result.items) == 6


def test_short_article_with_a_dated_related_box_is_not_a_list():
    related = "".join(
        f'<li><a href="/xwzx/gzdt/202611/t2026110{n}_5000{n}.html">我县召开第{n}次工作推进会</a>'
        f"<span>2026-11-0{n}</span></li>"
        for n in range(1, 4)
    )
    html = page(
        '<div class="article"><h1>县政府召开常务会议</h1><div class="content">'
        "<p>会议研究了冬季供暖保障工作。</p></div>"
        f'<div class="sidebar"><h3>相关阅读</h3><ul>{related}</ul></div></div>',
        head='<meta name="ColumnName" content="工作动态">',
    )
    result = extract_items(html, "http://x.gov.cn/xwzx/gzdt/202612/t20261201_500599.html", CRAWL)
    assert not result.is_list


def test_breadcrumb_and_attachment_of_an_article_are_no_undated_list():
    html = page(
        '<div class="crumb-bar"><span>您现在的位置：</span><a href="./">首页</a> - '
        '<a href="xwzx/">新闻中心</a> - <a href="xwzx/tzgg/">通知公告</a> - '
        '<a href="xwzx/tzgg/202612/t20261201_500599.html">关于做好校园安全有关工作的通知</a></div>'
        f'<div class="article"><h1>关于做好校园安全有关工作的通知</h1>{BODY}'
        '<div class="attach">附件：<a href="upload/P0202611_tiny.doc">报名表.doc</a></div></div>',
        head='<base href="http://x.gov.cn/">',
    )
    result = extract_items(html, "http://x.gov.cn/xwzx/tzgg/202612/t20261201_500599.html", CRAWL)
    assert not result.is_list


@pytest.mark.parametrize(
    ("url", "key", "number"),
    [
        ("http://x/a/list.html", "http://x/a/list.html", 0),
        ("http://x/a/list_2.html", "http://x/a/list.html", 2),
        ("http://x/a/node_12_3.htm", "http://x/a/node_12.htm", 3),
        ("http://x/a/index_2.html", "http://x/a/", 2),
        # documents keep their own identity
        ("http://x/a/content_12.html", "http://x/a/content_12.html", 12),
        ("http://x/art/2026/1/2/art_1104_5.html", "http://x/art/2026/1/2/art_1104_5.html", 5),
    ],
)
def test_list_series_pages_share_one_column(url, key, number):
    assert column_key(url) == key
    assert page_number(url) == number


def test_breadcrumb_with_dashes_and_base_href():
    html = (
        '<html><head><base href="http://x.gov.cn/"></head><body><div class="crumb">'
        '<span>当前位置：</span><a href="./">首页</a> - <a href="zwgk/">政务公开</a> - '
        '<a href="zwgk/xxgkzn/">政府信息公开指南</a></div></body></html>'
    )
    assert breadcrumb(html, "http://x.gov.cn/zwgk/xxgkzn/") == [
        ("首页", "http://x.gov.cn/"),
        ("政务公开", "http://x.gov.cn/zwgk/"),
        ("政府信息公开指南", "http://x.gov.cn/zwgk/xxgkzn/"),
    ]
    # a hyphen inside a name is not a separator
    text = "<p>当前位置：首页 > 规划计划 > 2021-2025规划</p>"
    assert [n for n, _ in breadcrumb(text, "http://x/")] == ["首页", "规划计划", "2021-2025规划"]


def test_inline_guide_at_a_column_address():
    assert inline_column("http://x/zwgk/xxgkzn/list.html", "disclosure_guide")
    assert inline_column("http://x/col/col1204/index.html", "disclosure_guide")
    assert not inline_column("http://x/zwgk/xxgkzn/202001/t20200101_1.html", "disclosure_guide")
    assert not inline_column("http://x/xwzx/", "news")  # a 新闻中心 page is no inline column


def test_item_urls_are_stored_like_page_urls():
    found = ListItem(
        "通知", "http://x.gov.cn/政务公开/政策文件/20260826/文章 501846.html", None, "", "none"
    )
    assert _item(found).url == (
        "http://x.gov.cn/%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80/%E6%94%BF%E7%AD%96%E6%96%87%E4%BB%B6"
        "/20260826/%E6%96%87%E7%AB%A0%20501846.html"
    )


# --- the run's end: articles and channels recorded as columns are dropped -------------------


def _list_page(column: str, page: str, name: str, items: list[str], is_list: bool = True):
    return ListPageRecord(
        column_url=column,
        page_url=page,
        name=name,
        items=[ItemRecord(f"条目{n}", u, None, "none", None) for n, u in enumerate(items)],
        is_list=is_list,
    )


def _finalised(tmp_path, records: list[ListPageRecord]) -> dict[str, Column]:
    store = open_store(f"sqlite:///{tmp_path / 'gi.db'}")
    with store.session() as session:
        run = Run(kind="crawl", unit_id=None, status="running")
        session.add(run)
        session.flush()
        crawlstore.write_list_pages(session, run.id, records)
        crawlstore.finalize_columns(session, run.id, lambda name, overrides: "news")
        found = {c.url: c.name for c in session.query(Column).filter_by(run_id=run.id)}
    store.dispose()
    return found


def test_articles_recorded_as_content_columns_are_dropped(tmp_path):
    news = "http://x/xwzx/gzdt/"
    articles = [f"{news}content/50{n}.html" for n in range(3)]
    records = [_list_page(news, news, "工作动态", articles)]
    # ColumnName without ArticleTitle, or a breadcrumb ending in a link to itself: no list.
    records += [_list_page(a, a, "工作动态" if n else "我县召开会议", [], False) for n, a in
                enumerate(articles)]  # fmt: skip
    # a page named after a list column but listed nowhere (linked from the homepage only)
    records.append(_list_page("http://x/zt/1.html", "http://x/zt/1.html", "工作动态", [], False))
    guide = "http://x/zwgk/xxgkzn/"
    records.append(_list_page(guide, guide, "政府信息公开指南", [], False))
    assert _finalised(tmp_path, records) == {news: "工作动态", guide: "政府信息公开指南"}


def test_channel_without_breadcrumbs_is_dropped(tmp_path):
    a, b = "http://x/col/col11/index.html", "http://x/col/col12/index.html"
    a_items = [f"http://x/art/2026/11/{n}/art_11_{n}.html" for n in range(1, 5)]
    b_items = [f"http://x/art/2026/11/{n}/art_12_{n}.html" for n in range(1, 5)]
    channel = "http://x/col/col10/index.html"  # 新闻中心: the newest of both, no sub-columns known
    records = [
        _list_page(a, a, "工作动态", a_items),
        _list_page(b, b, "部门动态", b_items),
        _list_page(channel, channel, "新闻中心", a_items[:2] + b_items[:2]),
        # a column whose items all appear in ONE other column stays (图片新闻 beside 工作动态)
        _list_page("http://x/col/col13/index.html", "http://x/col/col13/index.html", "图片新闻",
                   a_items[:3]),
    ]  # fmt: skip
    assert set(_finalised(tmp_path, records)) == {a, b, "http://x/col/col13/index.html"}
