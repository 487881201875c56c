"""Content-safety extraction across markup variants (CMS layouts, old and new HTML habits).

Each variant plants one hidden link and one privacy leak in a different layout, with decoys
(a hidden internal menu, masked numbers, a 索引号 failing its check digit, landlines, a visible
partner link), and runs the crawler's own path: ``extract_links`` then ``SafetyScanner.page``
with the visible text the spider computes.  The sets must be exact.
"""

from __future__ import annotations

import pytest

from govinspect.crawler.decode import decode_body
from govinspect.crawler.links import extract_links
from govinspect.crawler.safety import SafetyScanner
from govinspect.crawler.spider import _visible_text
from govinspect.demo.safety_cases import FAKE_INDEX, id_number

PAGE = "http://www.sfx.gov.cn/zwgk/tzgg/202611/t20261103_1.html"
SCOPE = {"www.sfx.gov.cn"}
ID = id_number("41022119880808123")
DECOYS = (
    f"<p>索引号：{FAKE_INDEX}</p><p>电话：0371-26012345 传真：(0371)26012346</p>"
    "<p>手机：138****1234 身份证：4102**********123X</p>"
)

VARIANTS = {
    # TRS WCM: table layout, GBK, uppercase tags, hidden <TD>, leak in a table cell
    "trs_table_gbk": (
        "<TABLE><TR><TD STYLE='DISPLAY:NONE'><A HREF='http://a.bad.example/'>六合彩</A></TD>"
        "<TD><A HREF='/zwgk/'>政务公开</A></TD></TR></TABLE>"
        f"<table><tr><td>姓名</td><td>身份证号</td></tr><tr><td>张某</td><td>{ID}</td></tr></table>",
        "gbk",
        ("http://a.bad.example/", "display_none"),
        ("id_card", 1),
    ),
    # Hanweb JCMS: datastore records, a hidden div far above the anchor
    "hanweb_datastore": (
        '<div id="wrap"><div style="visibility: hidden"><section><ul><li>'
        '<a href="https://b.bad.example/x?id=1">娱乐城</a></li></ul></section></div></div>'
        '<script type="text/xml"><datastore><recordset><record><![CDATA[<li><a href="/art/1.html">'
        "通知</a></li>]]></record></recordset></datastore></script>"
        "<p>联系人手机：13912345678</p>",
        "utf-8",
        ("https://b.bad.example/x?id=1", "visibility_hidden"),
        ("mobile", 1),
    ),
    # Modern flex layout: hidden attribute on a <footer>, a collapsed mobile <nav>
    "modern_hidden_attr": (
        '<nav class="mobile" style="display:none"><a href="/">首页</a><a href="/xxgk/">公开</a>'
        '</nav><footer hidden><a href="http://c.bad.example/">友情链接</a></footer>'
        f"<article><p>申请人身份证号码为{ID}，请核对。</p></article>",
        "utf-8",
        ("http://c.bad.example/", "hidden_attribute"),
        ("id_card", 1),
    ),
    # Old 2000s page: a tiny <marquee> with <font>, unquoted attributes
    "old_marquee_font": (
        "<marquee width=1 height=1 scrollamount=100><font color=red>"
        "<a href=http://d.bad.example/>时时彩</a></font></marquee>"
        "<p><font>银行卡号：6222 0212 3456 7890 128</font></p>",
        "gb18030",
        ("http://d.bad.example/", "tiny_marquee"),
        ("bank_card", 1),
    ),
    # Off-screen absolute block with several declarations and !important
    "offscreen_block": (
        '<div class="seo" style="position: absolute !important; top: -2000px; left: 0">'
        '<p><span><a href="//e.bad.example/">棋牌</a></span></p></div>'
        "<p>补贴发放名单：王某 手机 150 1234 5678</p>",
        "utf-8",
        ("http://e.bad.example/", "offscreen"),
        ("mobile", 1),
    ),
    # Zero-size wrapper with overflow hidden, anchor in a definition list
    "zero_size_dl": (
        '<div style="height:0px;overflow:hidden"><dl><dd>'
        '<a href="http://f.bad.example/">代开发票</a></dd></dl></div>'
        f"<div class='TRS_Editor'><p>身份证：{ID.lower()}</p></div>",
        "utf-8",
        ("http://f.bad.example/", "zero_size"),
        ("id_card", 1),
    ),
    # Transparent layer and a partner link visible next to it
    "opacity_layer": (
        '<div style="opacity:0;filter:alpha(opacity=0)"><a href="http://g.bad.example/">百家乐</a>'
        '</div><a href="http://www.partner-bank.example/">合作银行</a>'
        "<p>收款账户：6222021234567890128</p>",
        "utf-8",
        ("http://g.bad.example/", "opacity_0"),
        ("bank_card", 1),
    ),
    # Script-written link (document.writeln with concatenated markup)
    "document_writeln": (
        "<script>document.writeln(\"<div style='display:none'>\");"
        "document.writeln(\"<a href='http://h.bad.example/'>太阳城</a></div>\");</script>"
        "<p>联系方式：18600001111（王老师）</p>",
        "utf-8",
        ("http://h.bad.example/", "document_write"),
        ("mobile", 1),
    ),
}


def _page(body: str, encoding: str) -> tuple[bytes, str]:
    charset = "gbk" if encoding == "gbk" else encoding
    html = (
        f'<html><head><meta charset="{charset}"><title>示范县人民政府</title></head>'
        f"<body>{body}{DECOYS}</body></html>"
    )
    return html.encode(encoding), f"text/html; charset={charset}"


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_exact_sets(name: str) -> None:
    body, encoding, hidden, leak = VARIANTS[name]
    raw, content_type = _page(body, encoding)
    text, charset = decode_body(raw, content_type)
    extracted = extract_links(text, PAGE, encoding=charset)
    facts = SafetyScanner(SCOPE).page(
        PAGE,
        extracted.root,
        extracted.base_url,
        extracted.links,
        _visible_text(text),
        charset,
        extracted.title,
        False,
    )
    assert {(h["url"], h["how"]) for h in facts.get("hidden", [])} == {hidden}
    assert {(p["kind"], p["count"]) for p in facts.get("privacy", [])} == {leak}
    for entry in facts.get("privacy", []):
        assert "*" in entry["sample"] and ID not in entry["sample"]
