"""Column classification, breadcrumbs, column meta tags, navigation and 网站地图 parsing."""

from __future__ import annotations

import pytest

from govinspect.crawler.columns import (
    breadcrumb,
    classify_column,
    column_meta,
    nav_columns,
    sitemap_tree,
)

SITE = "https://www.example.gov.cn"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("工作动态", "news"),
        ("部门动态", "news"),
        ("乡镇动态", "news"),
        ("平潭要闻", "news"),
        ("新闻中心", "news"),
        ("政务动态", "news"),
        ("通知公告", "notice"),
        ("公示公告", "notice"),
        ("公告公示", "notice"),
        ("政策文件", "policy"),
        ("规范性文件", "policy"),
        ("政府文件", "policy"),
        ("区管委会文件", "policy"),
        ("行政规范性文件", "policy"),
        ("人事", "personnel"),
        ("人事信息", "personnel"),
        ("人事任免", "personnel"),
        ("任前公示", "personnel"),
        ("规划计划", "plan"),
        ("发展规划", "plan"),
        ("计划总结", "plan"),
        ("规划信息", "plan"),
        ("政策解读", "interpretation"),
        ("解读回应", "interpretation"),
        ("政策文件解读", "interpretation"),
        ("新闻发布会", "interpretation"),
        ("信息公开指南", "disclosure_guide"),
        ("政府信息公开指南", "disclosure_guide"),
        ("政府信息公开年报", "annual_report"),
        ("政府信息公开工作年度报告", "annual_report"),
        ("意见征集", "consultation"),
        ("征求意见", "consultation"),
        ("领导信箱", "interaction"),
        ("公众留言", "interaction"),
        ("咨询投诉", "interaction"),
        ("互动交流", "interaction"),
        ("统计公报", "other"),
        ("政府信息公开制度", "other"),
        ("计划生育", "other"),
        ("机构职能", "other"),
        (" 工作 动态 ", "news"),
    ],
)
def test_classify_column(name: str, expected: str) -> None:
    assert classify_column(name) == expected


def test_classify_overrides_win() -> None:
    overrides = {"工作进展情况": "plan", "通知公告": "other"}
    assert classify_column("工作进展情况", overrides) == "plan"
    assert classify_column("通知公告", overrides) == "other"
    assert classify_column("工作动态", overrides) == "news"


@pytest.mark.parametrize(
    "markup",
    [
        '<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
        '<a href="/zwgk/gzdt/">工作动态</a></div>',
        '<div>您的位置: <a href="/">首页</a> » <a href="/zwgk/">政务公开</a> » '
        '<a href="/zwgk/gzdt/">工作动态</a></div>',
        '<div class="breadcrumb"><span><i></i>当前位置：</span><ul>'
        '<li><a href="../../">首页</a></li>'
        '<li><a href="../">政务公开</a></li><li><a href="./">工作动态</a></li></ul></div>',
        '<p>当前位置：<a href="/">首页</a>›<a href="/zwgk/">政务公开</a>›'
        '<a href="/zwgk/gzdt/">工作动态</a></p>',
        '<div class="position"><a href="/">首页</a><span>/</span>'
        '<a href="/zwgk/">政务公开</a>'
        '<span>/</span><a href="/zwgk/gzdt/">工作动态</a></div>',
        '<td>您现在的位置：<a href="/"><span>首页</span></a> → '
        '<a href="/zwgk/"><span>政务公开</span></a> → '
        '<a href="/zwgk/gzdt/"><span>工作动态</span></a> → 正文</td>',
    ],
)
def test_breadcrumb_forms(markup: str) -> None:
    top = "<div class='top'><a href='/'>首页</a></div>"
    html = f"<html><body>{top}{markup}<p>正文</p></body></html>"
    assert breadcrumb(html, f"{SITE}/zwgk/gzdt/") == [
        ("首页", f"{SITE}/"),
        ("政务公开", f"{SITE}/zwgk/"),
        ("工作动态", f"{SITE}/zwgk/gzdt/"),
    ]


def test_breadcrumb_with_plain_text_current_column() -> None:
    html = (
        '<html><body><div>当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> '
        "&gt; 工作动态</div></body></html>"
    )
    assert breadcrumb(html, f"{SITE}/zwgk/gzdt/")[-1] == ("工作动态", None)


def test_breadcrumb_text_only() -> None:
    html = "<html><body><div>当前位置：首页 &gt; 政务公开 &gt; 通知公告</div></body></html>"
    assert breadcrumb(html, SITE) == [("首页", None), ("政务公开", None), ("通知公告", None)]


def test_no_breadcrumb() -> None:
    assert breadcrumb("<html><body><p>正文</p></body></html>", SITE) == []
    assert breadcrumb("", SITE) == []


def test_column_meta() -> None:
    html = """<html><head><meta name="SiteName" content="某某县人民政府">
    <meta name="SiteIDCode" content="3501230001"><meta name="ColumnName" content="通知公告">
    <meta name="columntype" content="通知公告"><meta name="ColumnDescription" content="">
    <meta name="ArticleTitle" content="x"></head><body></body></html>"""
    assert column_meta(html) == {
        "SiteName": "某某县人民政府",
        "SiteIDCode": "3501230001",
        "ColumnName": "通知公告",
        "ColumnType": "通知公告",
    }


HOMEPAGE = """<html><body>
<div class="top"><a href="/">首页</a><a href="javascript:void(0)">无障碍</a>
<a href="/wzdt/">网站地图</a>
<a href="http://www.gov.cn/">中国政府网</a></div>
<div class="nav"><ul>
  <li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li>
  <li><a href="http://hdjl.example.gov.cn/">互动交流</a></li>
</ul></div>
<div class="box"><h3><a href="/zwgk/tzgg/index.html">通知公告</a></h3><ul>
  <li><a href="/zwgk/tzgg/202609/t20260901_1.html">关于某某的通知</a><span>09-01</span></li>
  <li><a href="/zwgk/tzgg/P0202609.pdf">附件</a></li></ul>
  <a href="/col/col1229/index.html">工作动态</a><a href="/list.jsp?channelid=12">更多</a>
  <a href="/list.jsp?channelid=13">政策文件</a></div>
</body></html>"""


def test_nav_columns() -> None:
    assert nav_columns(HOMEPAGE, f"{SITE}/") == [
        ("政务公开", f"{SITE}/zwgk/"),
        ("办事服务", f"{SITE}/bsfw/"),
        ("互动交流", "http://hdjl.example.gov.cn/"),
        ("通知公告", f"{SITE}/zwgk/tzgg/index.html"),
        ("工作动态", f"{SITE}/col/col1229/index.html"),
        ("政策文件", f"{SITE}/list.jsp?channelid=13"),
    ]


SITEMAP_UL = """<html><body><div class="header"><a href="/zwgk/">政务公开</a></div>
<div class="sitemap"><ul>
  <li><a href="/zwgk/">政务公开</a><ul>
     <li><a href="/zwgk/tzgg/">通知公告</a></li>
     <li><a href="/zwgk/zcwj/">政策文件</a><ul>
       <li><a href="/zwgk/zcwj/gfxwj/">规范性文件</a></li></ul></li>
  </ul></li>
  <li><a href="/hdjl/">互动交流</a><ul><li><a href="/hdjl/ldxx/">领导信箱</a></li></ul></li>
</ul></div></body></html>"""

SITEMAP_DL = """<html><body><div class="wzdt">
<dl><dt><a href="/zwgk/">政务公开</a></dt><dd><a href="/zwgk/tzgg/">通知公告</a></dd>
<dd><a href="/zwgk/zcwj/">政策文件</a></dd></dl>
<dl><dt><a href="/hdjl/">互动交流</a></dt><dd><a href="/hdjl/ldxx/">领导信箱</a></dd></dl>
</div></body></html>"""

SITEMAP_BLOCKS = """<html><body><div class="main">
<div class="block"><h3>政务公开</h3><div class="links"><a href="/zwgk/tzgg/">通知公告</a>
<a href="/zwgk/zcwj/">政策文件</a></div></div>
<div class="block"><h3>互动交流</h3><div class="links">
<a href="/hdjl/ldxx/">领导信箱</a></div></div>
</div></body></html>"""


def test_sitemap_nested_lists() -> None:
    assert sitemap_tree(SITEMAP_UL, f"{SITE}/wzdt/") == [
        ("政务公开", f"{SITE}/zwgk/", None, 1),
        ("通知公告", f"{SITE}/zwgk/tzgg/", "政务公开", 2),
        ("政策文件", f"{SITE}/zwgk/zcwj/", "政务公开", 2),
        ("规范性文件", f"{SITE}/zwgk/zcwj/gfxwj/", "政策文件", 3),
        ("互动交流", f"{SITE}/hdjl/", None, 1),
        ("领导信箱", f"{SITE}/hdjl/ldxx/", "互动交流", 2),
    ]


def test_sitemap_definition_lists() -> None:
    assert sitemap_tree(SITEMAP_DL, f"{SITE}/wzdt/") == [
        ("政务公开", f"{SITE}/zwgk/", None, 1),
        ("通知公告", f"{SITE}/zwgk/tzgg/", "政务公开", 2),
        ("政策文件", f"{SITE}/zwgk/zcwj/", "政务公开", 2),
        ("互动交流", f"{SITE}/hdjl/", None, 1),
        ("领导信箱", f"{SITE}/hdjl/ldxx/", "互动交流", 2),
    ]


def test_sitemap_heading_blocks_without_links() -> None:
    assert sitemap_tree(SITEMAP_BLOCKS, f"{SITE}/wzdt/") == [
        ("政务公开", None, None, 1),
        ("通知公告", f"{SITE}/zwgk/tzgg/", "政务公开", 2),
        ("政策文件", f"{SITE}/zwgk/zcwj/", "政务公开", 2),
        ("互动交流", None, None, 1),
        ("领导信箱", f"{SITE}/hdjl/ldxx/", "互动交流", 2),
    ]


def test_sitemap_table() -> None:
    html = """<html><body><table>
    <tr><th><a href="/zwgk/">政务公开</a></th></tr>
    <tr><td><a href="/zwgk/tzgg/">通知公告</a> <a href="/zwgk/gzdt/">工作动态</a></td></tr>
    </table><table><tr><th><a href="/hdjl/">互动交流</a></th></tr>
    <tr><td><a href="/hdjl/ldxx/">领导信箱</a></td></tr></table></body></html>"""
    tree = sitemap_tree(html, f"{SITE}/wzdt/")
    assert [(n, p, lvl) for n, _, p, lvl in tree] == [
        ("政务公开", None, 1),
        ("通知公告", "政务公开", 2),
        ("工作动态", "政务公开", 2),
        ("互动交流", None, 1),
        ("领导信箱", "互动交流", 2),
    ]
