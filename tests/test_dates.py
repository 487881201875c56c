"""Date formats, labels, metadata tables and the article-date precedence."""

from __future__ import annotations

from datetime import date

import pytest

from govinspect.crawler.dates import (
    article_date,
    disclosure_metadata,
    parse_date_text,
    url_date,
    written_date,
)

CRAWL = date(2026, 9, 10)
D = date(2021, 2, 20)


@pytest.mark.parametrize(
    "text",
    [
        "2021-02-20",
        "2021/2/20",
        "2021/02/20",
        "2021.02.20",
        "2021.2.20",
        "2021年2月20日",
        "2021年02月20日",
        "2021 年 2 月 20 日",
        "2021-02-20 09:30",
        "2021-02-20 09:30:15",
        "2021年2月20日 09:30",
        "２０２１－０２－２０",
        "２０２１年２月２０日",
        "[2021-02-20]",
        "（2021-02-20）",
        "发布时间：2021-02-20",
        "2021-02-20T09:30:00",
        "2021-02-20T09:30:00+08:00",
        "2021-02-19T20:00:00Z",
    ],
)
def test_full_date_formats(text: str) -> None:
    assert parse_date_text(text) == D


@pytest.mark.parametrize("text", ["2021-02-30", "2021-13-01", "2021年2月30日", "0000-00-00"])
def test_invalid_dates(text: str) -> None:
    assert parse_date_text(text) is None


@pytest.mark.parametrize(
    "text", ["", "无", "0591-23165385", "2021年2月", "第2021-02号", "1.5MB", "12.3", "NO.2021"]
)
def test_not_dates(text: str) -> None:
    assert parse_date_text(text, context_year=2021, ref=date(2021, 3, 1)) is None


@pytest.mark.parametrize(
    "text", ["[02-20]", "02-20", "2-20", "【02-20】", "2月20日", "02/20", "(02-20)"]
)
def test_short_dates_use_the_context_year(text: str) -> None:
    assert parse_date_text(text, context_year=2021, ref=date(2021, 3, 1)) == D


def test_short_date_after_the_reference_is_last_year() -> None:
    assert parse_date_text("[12-30]", context_year=2021, ref=date(2021, 1, 5)) == date(2020, 12, 30)
    assert parse_date_text("[12-30]", ref=date(2021, 1, 5)) == date(2020, 12, 30)
    assert parse_date_text("02-29", ref=date(2025, 3, 1)) == date(2024, 2, 29)


def test_short_date_needs_a_year_and_must_stand_alone() -> None:
    assert parse_date_text("02-20") is None
    assert parse_date_text("第02-20期", context_year=2021) is None


def test_date_inside_a_longer_text() -> None:
    assert parse_date_text("来源：县政府办 发布时间：2021年2月20日 浏览次数：12") == D


# --- article pages -------------------------------------------------------------------------

ARTICLE = """<html><head>
<meta name="ArticleTitle" content="关于某某事项的通知">
<meta name="PubDate" content="{pub}">
</head><body>
<div class="header">今天是：2026年9月10日 星期四</div>
<div class="title">关于某某事项的通知</div>
<div class="info"><span>来源：县政府办</span><span>{label}{visible}</span></div>
<div class="TRS_Editor"><p>停电时间：2026年9月18日07:00至09:00。</p>
<p>咨询时间：周一至周五。</p><p style="text-align:right">某某县人民政府<br>2021年2月18日</p></div>
</body></html>"""


def article(
    visible: str = "2021-02-20 09:30", pub: str = "2021-02-19 08:00", label: str = "发布时间："
) -> str:
    return ARTICLE.format(visible=visible, pub=pub, label=label)


@pytest.mark.parametrize(
    ("label", "source"),
    [
        ("发布时间：", "label:发布时间"),
        ("发布时间:", "label:发布时间"),
        ("发布日期：", "label:发布日期"),
        ("时间：", "label:时间"),
        ("日期：", "label:日期"),
        ("生成日期：", "label:生成日期"),
        ("发布时间 ： ", "label:发布时间"),
        ("日　　期：", "label:日期"),
        ("发布时间：</span><span>", "label:发布时间"),
    ],
)
def test_visible_label_beats_meta_and_url(label: str, source: str) -> None:
    url = "https://www.example.gov.cn/zwgk/202103/t20210305_1.html"
    found = article_date(article(label=label), url, CRAWL)
    assert found.date == D and found.source == source
    assert [c.source for c in found.candidates][-2:] == ["meta:PubDate", "url"]
    assert "disagreement" in found.flags


def test_meta_when_no_visible_label() -> None:
    html = article(label="", visible="")
    found = article_date(html, "https://www.example.gov.cn/zwgk/202103/t20210305_1.html", CRAWL)
    assert found.date == date(2021, 2, 19) and found.source == "meta:PubDate"


@pytest.mark.parametrize(
    ("name", "source"),
    [
        ("firstpublishedtime", "firstpublishedtime"),
        ("Maketime", "Maketime"),
        ("pubdate", "PubDate"),
        ("article:published_time", "article:published_time"),
    ],
)
def test_other_meta_names(name: str, source: str) -> None:
    meta = f'<meta name="{name}" content="2021-02-20 10:00:00">'
    html = f"<html><head>{meta}</head><body></body></html>"
    found = article_date(html, "", CRAWL)
    assert found.date == D and found.source == f"meta:{source}"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.gov.cn/zwgk/202102/t20210220_123456.html", D),
        ("https://a.gov.cn/art/2021/2/20/art_1229_123.html", D),
        ("https://www.gov.cn/zhengce/content/2021-02/20/content_5384134.htm", D),
        ("https://a.gov.cn/news/2021-02-20/1.html", D),
    ],
)
def test_url_dates(url: str, expected: date) -> None:
    assert url_date(url).date == expected
    found = article_date("<html><body><p>正文</p></body></html>", url, CRAWL)
    assert found.date == expected and found.source == "url"


def test_month_only_url_is_not_a_day() -> None:
    result = url_date("https://a.gov.cn/zwgk/202102/abc.html")
    assert result.date is None and result.flags == ["month_only"]
    found = article_date(
        "<html><body><p>正文</p></body></html>", "https://a.gov.cn/zwgk/202102/abc.html", CRAWL
    )
    assert found.source != "url"
    assert any("month_only" in c.flags for c in found.candidates)


def test_htmldate_is_the_last_resort() -> None:
    html = (
        "<html><head><title>x</title></head><body><h1>标题</h1>"
        "<p class='date'>2021-02-20</p><p>正文内容</p></body></html>"
    )
    found = article_date(html, "https://a.gov.cn/zwgk/abc.html", CRAWL)
    assert found.date == D and found.source == "htmldate"


def test_nothing_found() -> None:
    html = "<html><body><p>正文内容</p></body></html>"
    found = article_date(html, "https://a.gov.cn/x.html", CRAWL)
    assert found.date is None and found.source == "none"


def test_future_visible_date_is_flagged_not_trusted() -> None:
    found = article_date(article(visible="2027-01-01 10:00"), "", CRAWL)
    assert found.date is None and found.raw.startswith("2027-01-01") and "future" in found.flags
    assert found.source == "label:发布时间"


def test_impossible_visible_date_is_flagged() -> None:
    found = article_date(article(visible="2021-02-30 10:00"), "", CRAWL)
    assert found.date is None and "impossible" in found.flags


def test_glued_labels_are_not_labels() -> None:
    """停电时间：/咨询时间： in the body are not the publication label."""
    found = article_date(article(label="", visible=""), "", CRAWL)
    assert all(c.source != "label:时间" for c in found.candidates)


def test_disagreeing_labels_prefer_the_corroborated_one() -> None:
    html = (
        "<html><head><meta name='PubDate' content='2021-02-20 09:30'></head><body>"
        "<div class='top'>日期：2026年9月10日 星期四</div><h1>标题</h1>"
        "<p>发布时间：2021-02-20 09:30</p><p>正文</p></body></html>"
    )
    found = article_date(html, "", CRAWL)
    assert found.date == D and found.source == "label:发布时间"


def test_old_migrated_bulletin_keeps_its_publication_date() -> None:
    html = (
        "<html><head><meta name='PubDate' content='2022-10-31 11:01'></head><body>"
        "<h1>2012年某某县国民经济和社会发展统计公报</h1><span>时间：2022-10-31 11:01</span>"
        "<p>2012年，全县实现地区生产总值……</p></body></html>"
    )
    found = article_date(html, "https://a.gov.cn/tjgb/202210/t20221028_37666.htm", CRAWL)
    assert found.date == date(2022, 10, 31) and found.source == "label:时间"


# --- 政府信息公开 metadata tables ----------------------------------------------------------

TABLE_LI = """<html><body><div class="index_box"><ul>
<li>索&ensp;引&ensp;号：<font>PZ00101-1700-2023-00059</font></li>
<li>主题分类：<font>无</font></li>
<li>发文机关：<font>某某县人民政府办公室</font></li>
<li>成文日期：<font>2016-10-20</font></li>
<li>标&ensp;&ensp;&ensp;&ensp;题：<font>某某县关于废止部分规范性文件的通知</font></li>
<li>发文字号：<font>某政综〔2016〕266号</font></li>
<li>发布日期：<font>2016-10-26</font></li>
<li>有&ensp;效&ensp;性：<em>有效</em></li>
</ul></div>
<div class="article">%s<p>正文</p></div></body></html>"""

TABLE_TD = """<html><body><table class="xxgk">
<tr><td>索引号</td><td>000014349/2017-00110</td><td>主题分类</td><td>综合政务</td></tr>
<tr><td>发布机构</td><td>某某市人民政府</td><td>成文日期</td><td>2017年02月10日</td></tr>
<tr><td>名称</td><td colspan="3">某某市关于某某的通知</td></tr>
<tr><td>文号</td><td>某政发〔2017〕3号</td><td>发布日期</td><td>2017年02月15日</td></tr>
</table><p>正文</p></body></html>"""


def test_metadata_table_li_font_form() -> None:
    meta = disclosure_metadata(TABLE_LI % "")
    assert meta == {
        "索引号": "PZ00101-1700-2023-00059",
        "主题分类": "无",
        "发布机构": "某某县人民政府办公室",
        "成文日期": "2016-10-20",
        "标题": "某某县关于废止部分规范性文件的通知",
        "发文字号": "某政综〔2016〕266号",
        "发布日期": "2016-10-26",
        "有效性": "有效",
    }
    assert written_date(TABLE_LI % "") == date(2016, 10, 20)


def test_metadata_table_td_form() -> None:
    meta = disclosure_metadata(TABLE_TD)
    assert meta["索引号"] == "000014349/2017-00110"
    assert meta["发布机构"] == "某某市人民政府" and meta["发文字号"] == "某政发〔2017〕3号"
    assert meta["成文日期"] == "2017年02月10日" and meta["发布日期"] == "2017年02月15日"
    assert written_date(TABLE_TD) == date(2017, 2, 10)


def test_table_publication_date_beats_written_date() -> None:
    found = article_date(TABLE_TD, "https://a.gov.cn/x.html", CRAWL)
    assert found.date == date(2017, 2, 15) and found.source == "table:发布日期"
    assert found.written == date(2017, 2, 10)


def test_visible_label_outside_the_table_beats_the_table() -> None:
    html = TABLE_LI % "<span>时间：2016-10-27 17:06</span>"
    found = article_date(html, "", CRAWL)
    assert found.date == date(2016, 10, 27) and found.source == "label:时间"
    assert [c.source for c in found.candidates] == ["label:时间", "table:发布日期"]


def test_guide_prose_is_not_a_metadata_table() -> None:
    prose = (
        "<html><body><p>1.索引号：政府公开信息的唯一识别代码。</p>"
        "<p>3.发布机构：政府信息发布主体。</p>"
        "<p>4.生成日期：政府信息生成或变更的时间。</p></body></html>"
    )
    assert disclosure_metadata(prose) == {}
    assert written_date(prose) is None


def test_list_header_is_not_a_metadata_table() -> None:
    header = (
        "<html><body><dl><dt>序号</dt><dt>标题</dt><dt>发文字号</dt><dt>成文日期</dt>"
        "<dt>发布日期</dt></dl></body></html>"
    )
    assert disclosure_metadata(header) == {}
