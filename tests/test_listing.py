"""Synthetic list pages of the common CMS families: items, dates, placeholders, verdicts."""

from __future__ import annotations

from datetime import date

import pytest

from govinspect.crawler.listing import ListResult, extract_items, homepage_newest

CRAWL = date(2026, 9, 10)
URL = "https://www.example.gov.cn/zwgk/tzgg/"

HEADER = """
<div class="header"><div class="logo">某某县人民政府</div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
    <li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li>
    <li><a href="/zjxx/">走进某某</a></li>
  </ul>
</div>
"""
FOOTER = """
<div class="footer"><p>主办单位：某某县人民政府办公室 网站标识码：3501230001 闽ICP备05070218号
联系电话：0591-12345678 地址：某某县某某路1号 建议使用1366×768分辨率、IE9以上浏览器浏览本网站，
为确保最佳浏览效果，建议您使用以下浏览器版本：IE浏览器9.0版本及以上，
Google Chrome浏览器63版本及以上。</p><ul><li><a href="http://www.gov.cn/">中国政府网</a></li>
<li><a href="http://www.fj.gov.cn/">福建省人民政府</a></li>
<li><a href="http://www.fuzhou.gov.cn/">福州市人民政府</a></li></ul></div>
"""
SIDE_MENU = """
<div class="left_menu"><h3>政务公开</h3><ul>
  <li><a href="/zwgk/tzgg/">通知公告</a></li><li><a href="/zwgk/gzdt/">工作动态</a></li>
  <li><a href="/zwgk/zcwj/">政策文件</a></li><li><a href="/zwgk/rsxx/">人事信息</a></li>
</ul></div>
"""


def page(body: str, head: str = "") -> str:
    return (
        f"<html><head><meta charset='utf-8'><title>通知公告</title>{head}</head><body>"
        f"{HEADER}<div class='main'>{SIDE_MENU}<div class='content'>{body}</div></div>{FOOTER}"
        "</body></html>"
    )


def trs_items(n: int, month: int = 9) -> str:
    rows = []
    for i in range(n):
        day = 28 - i % 27
        rows.append(
            f'<li><a href="./2026{month:02d}/t2026{month:02d}{day:02d}_{1000 + i}.html" '
            f'title="关于开展第{i}批次安全检查工作的通知">关于开展第{i}批次安全检查工作的通知</a>'
            f"<span>2026-{month:02d}-{day:02d}</span></li>"
        )
    return "".join(rows)


def test_trs_list_page_items_urls_and_dates() -> None:
    pager = '<div class="page">共1页 <a href="index_1.html">下一页</a> <a href="#">尾页</a></div>'
    html = page(f'<div class="list"><ul>{trs_items(15, month=8)}</ul></div>{pager}')
    result = extract_items(html, URL, CRAWL)
    assert result.is_list and result.placeholder is None
    assert len(result.items) == 15
    first = result.items[0]
    assert first.url == "https://www.example.gov.cn/zwgk/tzgg/202608/t20260828_1000.html"
    assert first.date == date(2026, 8, 28) and first.date_source == "list"
    assert first.date_raw == "2026-08-28"
    assert first.title == "关于开展第0批次安全检查工作的通知"


def test_list_split_into_several_containers_is_merged() -> None:
    """TRS prints 75 items as 15 <ul> of 5 inside one container."""
    blocks = "".join(
        f'<div class="grp"><ul>{trs_items(5, month=8)}</ul><div class="line"></div></div>'
        for _ in range(4)
    )
    result = extract_items(page(f'<div class="list_base">{blocks}</div>'), URL, CRAWL)
    assert result.is_list and len(result.items) == 20


def test_hanweb_datastore_fragment() -> None:
    records = "".join(
        f'<li><a href="/art/2020/8/{d}/art_1229_{500 + d}.html" title="某某镇召开第{d}次工作会议">'
        f"某某镇召开第{d}次工作会议</a><span>2020-08-{d:02d}</span></li>"
        for d in (14, 13, 12)
    )
    result = extract_items(
        f"<ul>{records}</ul>", "https://www.example.gov.cn/col/col1229/index.html", CRAWL
    )
    assert result.is_list and len(result.items) == 3
    assert result.items[0].url == "https://www.example.gov.cn/art/2020/8/14/art_1229_514.html"
    assert [i.date for i in result.items] == [date(2020, 8, d) for d in (14, 13, 12)]


def test_table_list_with_header_row() -> None:
    rows = "".join(
        f"<tr><td>{i}</td><td><a href='./202607/t202607{10 + i}_{i}.html'>"
        f"某某县关于印发第{i}号文件的通知</a></td><td>某政〔2026〕{i}号</td>"
        f"<td>2026-07-{10 + i}</td></tr>"
        for i in range(1, 6)
    )
    header = "<tr><th>序号</th><th>标题</th><th>文号</th><th>发布日期</th></tr>"
    table = f"<table>{header}{rows}</table>"
    result = extract_items(page(table), URL, CRAWL)
    assert result.is_list and len(result.items) == 5
    assert result.items[4].date == date(2026, 7, 15)


def test_table_with_written_and_published_dates_prefers_published() -> None:
    rows = "".join(
        f"<tr><td><a href='./t2026070{i}_{i}.html'>关于某某事项的第{i}号通知文件</a></td>"
        f"<td>成文日期：2026-06-0{i}</td><td>发布日期：2026-07-0{i}</td></tr>"
        for i in range(1, 4)
    )
    result = extract_items(page(f"<table>{rows}</table>"), URL, CRAWL)
    assert [i.date for i in result.items] == [date(2026, 7, d) for d in (1, 2, 3)]


def test_short_dates_take_the_crawl_year_or_the_one_before() -> None:
    items = "".join(
        f'<li><span class="date">[{md}]</span>'
        f'<a href="./t{i}_{i}.html">某某县第{i}季度工作情况通报</a></li>'
        for i, md in enumerate(["09-03", "11-03", "12-30"])
    )
    result = extract_items(page(f"<ul class='list'>{items}</ul>"), URL, CRAWL)
    assert [i.date for i in result.items] == [
        date(2026, 9, 3),
        date(2025, 11, 3),
        date(2025, 12, 30),
    ]
    assert result.items[1].date_raw == "11-03"


def test_truncated_title_uses_the_title_attribute() -> None:
    items = "".join(
        f'<li><a href="./t2026090{i}_{i}.html" title="关于做好2026年度防汛防台风工作的紧急通知{i}">'
        f"关于做好2026年度防汛防台…</a><span>2026-09-0{i}</span></li>"
        for i in range(1, 4)
    )
    result = extract_items(page(f"<ul>{items}</ul>"), URL, CRAWL)
    assert result.items[0].title == "关于做好2026年度防汛防台风工作的紧急通知1"


def test_date_inside_the_anchor_and_dates_in_titles() -> None:
    items = "".join(
        f'<li><a href="./t2026090{i}_{i}.html">'
        f'<span class="t">2026年9月18-22日计划停电第{i}号</span>'
        f'<span class="d">2026-09-0{i}</span></a></li>'
        for i in range(1, 4)
    )
    result = extract_items(page(f"<ul>{items}</ul>"), URL, CRAWL)
    assert [i.date for i in result.items] == [date(2026, 9, d) for d in (1, 2, 3)]
    assert result.items[0].title == "2026年9月18-22日计划停电第1号"


def test_anchor_runs_with_dates_in_tails() -> None:
    body = (
        "<div class='list'>"
        + "".join(
            f"<a href='./t2026080{i}_{i}.html'>某某县第{i}次常务会议纪要</a>(2026-08-0{i})<br/>"
            for i in range(1, 5)
        )
        + "</div>"
    )
    result = extract_items(page(body), URL, CRAWL)
    assert result.is_list and len(result.items) == 4
    assert result.items[3].date == date(2026, 8, 4)


def test_split_calendar_dates() -> None:
    items = "".join(
        f'<li><div class="date"><span>{d:02d}</span><p>2025-12</p></div>'
        f'<a href="./t202512{d:02d}_{d}.html">某某县召开第{d}次专题会议</a></li>'
        for d in (30, 29)
    ) + (
        '<li><div class="date"><em>08-05</em><i>2024</i></div>'
        '<a href="./t20240805_1.html">某某县召开专题会议通报</a></li>'
    )
    result = extract_items(page(f"<ul class='news'>{items}</ul>"), URL, CRAWL)
    assert [i.date for i in result.items] == [
        date(2025, 12, 30),
        date(2025, 12, 29),
        date(2024, 8, 5),
    ]


def test_attachment_items_and_cross_column_links_are_items() -> None:
    items = (
        '<li><a href="./202604/P020260429614092103189.doc">2025年国民经济和社会发展统计公报</a>'
        "<span>2026-04-29</span></li>"
        '<li><a href="../../zfxxgk/gwhwj/202606/t20260609_107221.htm">关于印发某某办法的通知</a>'
        "<span>2026-05-29</span></li>"
    )
    result = extract_items(page(f"<ul>{items}</ul>"), URL, CRAWL)
    assert [i.url for i in result.items] == [
        "https://www.example.gov.cn/zwgk/tzgg/202604/P020260429614092103189.doc",
        "https://www.example.gov.cn/zfxxgk/gwhwj/202606/t20260609_107221.htm",
    ]


def test_future_dates_are_flagged_not_trusted() -> None:
    items = trs_items(3, month=8) + (
        '<li><a href="./t20270101_9.html">关于2027年元旦放假安排的通知公告</a>'
        "<span>2027-01-01</span></li>"
    )
    result = extract_items(page(f"<ul>{items}</ul>"), URL, CRAWL)
    future = result.items[-1]
    assert future.date is None and future.date_raw == "2027-01-01" and future.flags == ["future"]
    assert "future_dates:1" in result.notes


def test_items_without_dates_are_undated() -> None:
    items = "".join(
        f'<li><a href="./202301/t20230105_{i}.html">某某县2022年第{i}项重点工作完成情况</a></li>'
        for i in range(6)
    )
    result = extract_items(page(f"<ul class='list'>{items}</ul>"), URL, CRAWL)
    assert result.is_list and len(result.items) == 6
    assert all(i.date is None and i.date_source == "none" for i in result.items)
    assert "undated_items" in result.notes


def test_single_item_list() -> None:
    item = (
        '<ul class="list"><li><a href="./202603/t20260310_1.html">某某县2025年度政府信息公开'
        "工作年度报告</a><span>2026-03-10</span></li></ul>"
    )
    result = extract_items(page(item), URL, CRAWL)
    assert result.is_list and len(result.items) == 1


@pytest.mark.parametrize(
    "text",
    [
        "暂无信息",
        "暂无数据",
        "暂无内容",
        "栏目建设中",
        "正在建设中...",
        "暂无相关信息！",
        "该栏目暂无记录",
    ],
)
def test_placeholder_makes_a_blank_list(text: str) -> None:
    html = page(f"<ul class='list'></ul><div class='empty'>{text}</div>")
    result = extract_items(html, URL, CRAWL)
    assert result.is_list and result.items == []
    assert result.placeholder == text


def test_placeholder_shown_only_by_script_is_not_a_placeholder() -> None:
    body = (
        "<table><tr><th>标题</th><th>发布日期</th></tr></table>"
        "<div ms-if='error' style='display:none'>暂无数据</div>"
    )
    result = extract_items(page(body), URL, CRAWL)
    assert result.is_list and result.items == [] and result.placeholder is None


def test_script_filled_list_is_a_list_without_items_or_placeholder() -> None:
    body = """
    <div class="rules"><dl><dt>序号</dt><dt>标题</dt><dt>发文字号</dt><dt>发布日期</dt></dl>
    <dl ms-if="list.length==0"><dd><div ms-if="!error" class="loading"></div></dd></dl>
    <dl ms-repeat="list"><dd><a ms-attr-href="el.url" ms-text="el.title"></a></dd>
      <dd ms-text="el.pubdate"></dd></dl></div>"""
    result = extract_items(page(body), URL, CRAWL)
    assert result.is_list and result.items == [] and result.placeholder is None
    assert "script_template" in result.notes and "list_header" in result.notes


def test_empty_list_container_is_a_list_without_items() -> None:
    result = extract_items(page("<div class='list'><ul></ul></div>"), URL, CRAWL)
    assert result == ListResult([], True, None, ["no_items", "empty_container"])


def test_content_page_is_not_a_list() -> None:
    paragraph = "<p>根据《中华人民共和国政府信息公开条例》有关规定，编制本指南。</p>"
    guide = "<div class='TRS_Editor'>" + paragraph * 12 + "</div>"
    result = extract_items(page(guide), URL, CRAWL)
    assert not result.is_list and "content_page" in result.notes


def test_article_with_related_links_is_not_a_list() -> None:
    body = (
        "<h1>某某县召开防汛工作会议</h1>"
        "<div class='info'>发布时间：2026-09-01 10:00 来源：县应急局</div>"
        "<div class='article'>"
        + "<p>9月1日，某某县召开防汛防台风工作会议，部署当前防汛工作。</p>" * 8
        + "</div><div class='related'><h4>相关文章</h4><ul>"
        + trs_items(4, month=8)
        + "</ul></div>"
    )
    result = extract_items(
        page(body), "https://www.example.gov.cn/zwgk/gzdt/202609/t20260901_1.html", CRAWL
    )
    assert not result.is_list


def test_image_only_article_is_not_a_list() -> None:
    body = (
        "<h1>某某县关于印发某某规定的通知</h1><p>发布时间：2022-04-18 08:42</p>"
        "<div class='article'><img src='./W1.jpg'/><img src='./W2.jpg'/></div>"
    )
    result = extract_items(
        page(body), "https://www.example.gov.cn/zwgk/202308/t20230822_1.html", CRAWL
    )
    assert not result.is_list


def test_article_meta_marks_an_article() -> None:
    head = (
        '<meta name="ArticleTitle" content="某某"><meta name="PubDate" content="2026-09-01 10:00">'
    )
    result = extract_items(page("<div><img src='a.jpg'/></div>", head), URL, CRAWL)
    assert not result.is_list


def test_navigation_page_of_sub_columns_is_not_a_list() -> None:
    body = (
        "<div class='subcols'>"
        + "".join(
            f"<div class='box'><h3><a href='/zwgk/{c}/'>{n}</a></h3></div>"
            for c, n in [
                ("gzdt", "工作动态"),
                ("tzgg", "通知公告"),
                ("zcwj", "政策文件"),
                ("rsxx", "人事信息"),
                ("ghjh", "规划计划"),
            ]
        )
        + "</div>"
    )
    result = extract_items(page(body), "https://www.example.gov.cn/zwgk/", CRAWL)
    assert not result.is_list and result.notes == ["navigation_page"]


def test_side_box_does_not_beat_the_main_list() -> None:
    side = "<div class='sidebar'><h4>热点信息</h4><ul>" + trs_items(8, month=7) + "</ul></div>"
    main = "<div class='list'><ul>" + trs_items(6, month=8) + "</ul></div>"
    result = extract_items(page(side + main), URL, CRAWL)
    assert len(result.items) == 6
    prefix = "https://www.example.gov.cn/zwgk/tzgg/202608/"
    assert all(i.url.startswith(prefix) for i in result.items)


def test_base_href_resolves_links() -> None:
    html = page(
        "<ul>" + trs_items(3, month=8) + "</ul>",
        head='<base href="https://www.example.gov.cn/other/">',
    )
    result = extract_items(html, URL, CRAWL)
    assert result.items[0].url.startswith("https://www.example.gov.cn/other/202608/")


def test_empty_input() -> None:
    assert extract_items("", URL, CRAWL).is_list is False


def test_homepage_newest_over_several_lists() -> None:
    tabs = (
        "<div class='tabs'><div class='tab_con'><ul>" + trs_items(5, month=7) + "</ul></div>"
        "<div class='tab_con' style='display:none'><ul>"
        '<li><a href="/a/t20260905_1.html">关于某某的通知</a><span>2026-09-05</span></li>'
        '<li><a href="/a/t20260904_2.html">关于某某的公告</a><span>09-04</span></li>'
        "</ul></div></div>"
        "<div class='news'><ul>"
        '<li><a href="/b/t20260901_3.html">县领导调研某某工作</a><span>[09-01]</span></li>'
        '<li><a href="/b/t20260831_4.html">某某镇开展某某活动</a><span>[08-31]</span></li>'
        '<li><a href="/b/t20251231_5.html">去年年底的信息一则</a><span>[12-31]</span></li>'
        "</ul></div>"
        "<div class='weather'>今天是2026年9月10日 星期四</div>"
    )
    assert homepage_newest(page(tabs), "https://www.example.gov.cn/", CRAWL) == date(2026, 9, 5)


def test_homepage_without_dates() -> None:
    assert homepage_newest(page("<p>欢迎</p>"), "https://www.example.gov.cn/", CRAWL) is None


def test_javascript_links_carry_their_url() -> None:
    items = "".join(
        f'<li><a href="javascript:void(0)" onclick="openWin(\'/art/2026/8/{d}/art_1_{d}.html\')">'
        f"某某县关于某某事项的公告第{d}号</a><span>2026-08-{d:02d}</span></li>"
        for d in (5, 4, 3)
    )
    result = extract_items(page(f"<ul class='list'>{items}</ul>"), URL, CRAWL)
    assert result.is_list and len(result.items) == 3
    assert result.items[0].url == "https://www.example.gov.cn/art/2026/8/5/art_1_5.html"


def test_blank_list_with_unhinted_side_menu_is_still_a_list() -> None:
    menu = (
        "<div class='lm_left'><ul>"
        + "".join(f"<li><a href='/col/col{i}/index.html'>栏目{i}</a></li>" for i in range(6))
        + "</ul></div>"
    )
    html = page(menu + "<div class='list'><ul></ul></div>")
    result = extract_items(html, URL, CRAWL)
    assert result.is_list and "empty_container" in result.notes


@pytest.mark.parametrize("pager", ["共0条记录", "首页 上一页 下一页 尾页"])
def test_pager_marks_a_list_page(pager: str) -> None:
    menu = (
        "<div class='lm_left'>"
        + "".join(f"<a href='/col/col{i}/index.html'>栏目{i}</a>" for i in range(6))
        + "</div>"
    )
    result = extract_items(page(f"{menu}<div class='pages'>{pager}</div>"), URL, CRAWL)
    assert result.is_list and "pager" in result.notes


def test_article_with_a_long_related_list_is_not_a_list() -> None:
    related = "<div class='xgwz'><ul>" + trs_items(12, month=8) + "</ul></div>"
    body = (
        "<h1>某某县召开防汛工作会议</h1><div class='info'>发布时间：2026-09-01 10:00</div>"
        "<div class='zw'>"
        + "<p>9月1日，某某县召开防汛防台风工作会议，部署当前防汛工作。</p>" * 20
        + "</div>"
        + related
    )
    result = extract_items(
        page(body), "https://www.example.gov.cn/art/2026/9/1/art_1_9.html", CRAWL
    )
    assert not result.is_list and result.notes[0] == "article_page"


def test_placeholder_beats_a_dated_side_box() -> None:
    side = "<div class='sidebar'><h4>热点排行</h4><ul>" + trs_items(5, month=8) + "</ul></div>"
    result = extract_items(
        page(f"<div class='list'><ul></ul><p>暂无信息</p></div>{side}"), URL, CRAWL
    )
    assert result.is_list and result.items == [] and result.placeholder == "暂无信息"
