"""Interaction facts from markup variants (crawler/interaction*.py): letters, consultations,
interviews, JSON list APIs, script-filled columns."""

from __future__ import annotations

import json
from datetime import date

import pytest

from govinspect.crawler.dates import parse_html
from govinspect.crawler.interaction import (
    api_facts,
    consultation_period,
    interaction_kind,
    page_facts,
)
from govinspect.crawler.interaction_api import api_urls

TODAY = date(2026, 11, 20)
BASE = "http://sfx.example/hdjl/xzxx/"


def page(body: str, title: str = "县长信箱", crumbs: str = "县长信箱") -> str:
    trail = '当前位置：<a href="/">首页</a> &gt; <a href="/hdjl/">互动交流</a> &gt; '
    trail += f'<a href="{BASE}">{crumbs}</a>'
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<div class="position">{trail}</div><div class="main">{body}</div></body></html>'
    )


def letters_of(html: str, url: str = BASE) -> list:
    return [r for r in page_facts(html, url, "县长信箱", None, TODAY).records if r.kind == "letter"]


@pytest.mark.parametrize(
    "name,kind",
    [
        ("县长信箱", "letters"),
        ("我要咨询", "letters"),
        ("12345留言选登", "letters"),
        ("意见征集", "consultations"),
        ("网上调查", "consultations"),
        ("在线访谈", "interviews"),
        ("访谈直播", "interviews"),
        ("网上信访", None),
        ("纪检举报信箱", None),
        ("工作动态", None),
        # A page title only mentions 信访: the page is still an interview.
        ("在线访谈：县信访维稳工作负责人答网友问-在线访谈-示范县人民政府", "interviews"),
    ],
)
def test_interaction_kind_by_name(name, kind):
    assert interaction_kind([name]) == kind


# --- letters: six list layouts and three detail layouts ---------------------------------------

TABLE_HEADER = """<table><tr><th>标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>
<tr><td><a href="a1.html">问题一</a></td><td>2026-10-01</td><td>2026-10-03</td><td>已回复</td></tr>
<tr><td><a href="a2.html">问题二</a></td><td>2026-06-01</td><td></td><td>处理中</td></tr></table>"""
TABLE_TD_HEADER = """<table><tr><td>来信标题</td><td>来信日期</td><td>办理状态</td></tr>
<tr><td><a href="a1.html">问题一</a></td><td>2026年10月1日</td><td>已办结</td></tr>
<tr><td><a href="a2.html">问题二</a></td><td>2026年6月1日</td><td>未回复</td></tr></table>"""
LIST_LABELS = """<ul><li><a href="a1.html">问题一</a>
<p>留言时间：2026-10-01 回复时间：2026-10-03</p></li>
<li><a href="a2.html">问题二</a><p>留言时间：2026-06-01</p><span>未回复</span></li></ul>"""
DIV_LABELS = """<div class="lst"><div class="row"><a href="a1.html">问题一</a>
<span>提问时间：2026/10/01</span><span>答复时间：2026/10/03</span></div>
<div class="row"><a href="a2.html">问题二</a>
<span>提问时间：2026/06/01</span><em>待回复</em></div></div>"""
DL_LABELS = """<div><dl><dt><a href="a1.html">问题一</a></dt>
<dd>咨询时间：2026-10-01｜回复时间：2026-10-03</dd></dl>
<dl><dt><a href="a2.html">问题二</a></dt><dd>咨询时间：2026-06-01｜状态：办理中</dd></dl></div>"""
STATUS_BADGE = """<table><tr><th>信件标题</th><th>写信时间</th><th></th></tr>
<tr><td><a href="a1.html">问题一</a></td><td>2026-10-01</td><td><b>已答复</b></td></tr>
<tr><td><a href="a2.html">问题二</a></td><td>2026-06-01</td><td><b>受理中</b></td></tr></table>"""


@pytest.mark.parametrize(
    "body,replied",
    [
        (TABLE_HEADER, date(2026, 10, 3)),
        (TABLE_TD_HEADER, None),
        (LIST_LABELS, date(2026, 10, 3)),
        (DIV_LABELS, date(2026, 10, 3)),
        (DL_LABELS, date(2026, 10, 3)),
        (STATUS_BADGE, None),
    ],
    ids=["th-header", "td-header-cn-dates", "li-labels", "div-labels", "dl-labels", "badge"],
)
def test_list_layouts(body, replied):
    first, second = sorted(letters_of(page(body)), key=lambda r: r.url)
    assert (first.url, second.url) == (f"{BASE}a1.html", f"{BASE}a2.html")
    assert (first.asked, second.asked) == (date(2026, 10, 1), date(2026, 6, 1))
    assert first.replied == replied and first.status == "replied"
    assert second.replied is None and second.status == "pending"
    assert first.source == "list" and first.column_url == BASE


DETAIL_TH = """<table><tr><th>信件编号</th><td>X1</td></tr>
<tr><th>来信时间：</th><td>2026-07-10</td></tr>
<tr><th>处理单位</th><td></td></tr><tr><th>处理状态</th><td>办理中</td></tr>
<tr><th>回复时间</th><td></td></tr><tr><th>答复内容</th><td></td></tr></table>"""
DETAIL_FOUR = """<table><tr><td>留言标题</td><td>停车难</td>
<td>留言时间</td><td>2026-07-10 09:30</td></tr>
<tr><td>答复单位</td><td>县住建局</td><td>答复时间</td><td>2026-07-12</td></tr>
<tr><td>答复内容</td><td colspan="3">已协调解决。</td></tr></table>"""
DETAIL_TEXT = """<p>来信时间：2026年7月10日</p><p>办理单位：县住建局</p>
<p>办结时间：2026年7月14日</p><p>办理结果：已协调解决。</p>"""


@pytest.mark.parametrize(
    "body,asked,replied,unit,shown,status",
    [
        (DETAIL_TH, date(2026, 7, 10), None, None, False, "pending"),
        (DETAIL_FOUR, date(2026, 7, 10), date(2026, 7, 12), "县住建局", True, "replied"),
        (DETAIL_TEXT, date(2026, 7, 10), date(2026, 7, 14), "县住建局", True, "replied"),
    ],
    ids=["th-pairs", "four-cells", "text-lines"],
)
def test_detail_layouts(body, asked, replied, unit, shown, status):
    url = f"{BASE}202607/t1.html"
    (found,) = letters_of(page(body, title="停车难"), url)
    assert (found.asked, found.replied, found.reply_unit) == (asked, replied, unit)
    assert found.reply_shown is shown and found.status == status
    assert found.source == "detail" and found.column_url == BASE and found.url == url
    assert {"asked", "replied", "unit", "content"} <= set(found.fields)


def test_script_filled_column_names_its_json_api_and_the_api_is_read():
    body = """<div id="list" data-api="/api/letters.json?pageNo=1"></div>
<script>$.getJSON($('#list').data('api'), function (d) { render(d); });</script>"""
    facts = page_facts(page(body), BASE, "县长信箱", None, TODAY)
    (column,) = facts.records
    assert column.kind == "column" and column.column_kind == "letters"
    assert column.script_filled and column.api == "http://sfx.example/api/letters.json?pageNo=1"
    assert facts.apis == ["http://sfx.example/api/letters.json?pageNo=1"]
    answer = {
        "code": 0,
        "data": {
            "totalPage": 3,
            "list": [
                {"title": "问一", "url": "/hdjl/x/1.html", "createTime": "2026-10-01 10:00",
                 "replyTime": "2026-10-02", "replyDept": "县教育局", "status": "已回复",
                 "replyContent": "已答复"},
                {"title": "问二", "createTime": "2026-06-01", "replyTime": "", "status": "处理中"},
            ],
        },
    }  # fmt: skip
    records, more = api_facts(json.dumps(answer), facts.apis[0], BASE, TODAY)
    assert [(r.asked, r.replied, r.status) for r in records] == [
        (date(2026, 10, 1), date(2026, 10, 2), "replied"),
        (date(2026, 6, 1), None, "pending"),
    ]
    assert records[0].url == "http://sfx.example/hdjl/x/1.html"
    assert records[0].reply_unit == "县教育局" and records[0].reply_shown is True
    assert records[1].url.endswith("letters.json?pageNo=1#2")  # no page of its own
    assert more == [
        "http://sfx.example/api/letters.json?pageNo=2",
        "http://sfx.example/api/letters.json?pageNo=3",
    ]


def test_script_filled_without_api_is_unknown_and_plain_empty_column_is_not():
    scripted = page(
        '<ul id="l"></ul><script>loadList("#l", {pageSize: 10});</script>'.replace(
            "loadList", "ajaxLoad"
        )
    )
    (column,) = page_facts(scripted, BASE, "县长信箱", None, TODAY).records
    assert column.script_filled is True and column.api is None
    plain = page("<p>暂无信件</p>")
    (column,) = page_facts(plain, BASE, "县长信箱", None, TODAY).records
    assert column.script_filled is False


def test_api_urls_only_on_the_site():
    root = parse_html(
        """<html><body><script>fetch("https://evil.example/x.json");
        var cfg = {url: '/hdjl/list.do?type=1'}; load('/static/app.js');</script></body></html>"""
    )
    assert api_urls(root, BASE) == ["http://sfx.example/hdjl/list.do?type=1"]


@pytest.mark.parametrize(
    "text,start,end",
    [
        ("征集时间：2021-01-05至2021-01-15", date(2021, 1, 5), date(2021, 1, 15)),
        ("征集期限：2021年1月5日—2021年2月4日。", date(2021, 1, 5), date(2021, 2, 4)),
        ("公开征求意见，自2021年1月5日起至2021年2月4日止。", date(2021, 1, 5), date(2021, 2, 4)),
        ("征求意见时间为2021年1月5日至1月15日。", date(2021, 1, 5), date(2021, 1, 15)),
        ("起止时间：2021.01.05 ~ 2021.02.04", date(2021, 1, 5), date(2021, 2, 4)),
        ("截止日期：2021年1月15日", None, date(2021, 1, 15)),
        ("发布日期：2021-01-05 欢迎提出意见。", None, None),
    ],
)
def test_consultation_periods(text, start, end):
    assert consultation_period(text)[:2] == (start, end)


def test_consultation_pages_list_detail_feedback_and_interviews():
    base = "http://sfx.example/hdjl/yjzj/"
    crumb = f'当前位置：<a href="/">首页</a> &gt; <a href="{base}">意见征集</a>'
    listing = (
        f'<html><head><title>意见征集</title></head><body><div class="position">{crumb}</div>'
        '<ul><li><a href="t1.html">关于《停车管理办法》公开征求意见的公告</a>'
        "<span>2026-09-15</span></li>"
        '<li><a href="t2.html">《停车管理办法》征求意见采纳情况</a><span>2026-10-20</span></li>'
        '<li><a href="t3.html">关于《养犬管理规定》征求意见的公告</a><span>2026-08-01</span></li>'
        "</ul></body></html>"
    )
    records = page_facts(listing, base, "意见征集", None, TODAY).records
    kinds = sorted((r.kind, r.url.rsplit("/", 1)[1]) for r in records)
    assert kinds == [
        ("column", ""),
        ("consultation", "t1.html"),
        ("consultation", "t3.html"),
        ("feedback", "t2.html"),
    ]
    detail = (
        f"<html><head><title>关于《停车管理办法》公开征求意见的公告</title></head><body>"
        f'<div class="position">{crumb}</div><div class="content"><p>现将《停车管理办法'
        "（规范性文件草案）》公开征求意见。征集时间：2026-09-15 至 2026-09-25。</p>"
        '<a href="t2.html">意见采纳情况反馈</a></div></body></html>'
    )
    (found,) = page_facts(detail, f"{base}t1.html", "关于…", date(2026, 9, 15), TODAY).records
    assert (found.kind, found.start, found.end) == (
        "consultation",
        date(2026, 9, 15),
        date(2026, 9, 25),
    )
    assert found.draft_type == "规范性文件" and found.feedback_urls == [f"{base}t2.html"]
    interviews = (
        '<html><head><title>在线访谈</title></head><body><div class="position">当前位置：'
        '<a href="/">首页</a> &gt; 在线访谈</div><ul>'
        '<li><a href="f1.html">县长谈营商环境</a><span>2026-10-01</span></li>'
        '<li><a href="f2.html">局长谈教育</a><span>2025-06-01</span></li></ul></body></html>'
    )
    records = page_facts(interviews, "http://sfx.example/zxft/", "在线访谈", None, TODAY).records
    assert sorted((r.kind, r.published) for r in records if r.kind == "interview") == [
        ("interview", date(2025, 6, 1)),
        ("interview", date(2026, 10, 1)),
    ]
