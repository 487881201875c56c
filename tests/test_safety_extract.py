"""Content-safety extractors (crawler/safety): hidden links, privacy, wording, attachments.

Exact sets with their decoys: a hidden internal mobile menu, masked numbers, an 18-digit 索引号
failing the check digit, landlines, order numbers.
"""

from __future__ import annotations

import io

import pytest

from govinspect.crawler.links import extract_links
from govinspect.crawler.safety import SafetyScanner, sketch
from govinspect.crawler.safety.attachments import attachment_text
from govinspect.crawler.safety.hidden import hidden_links
from govinspect.crawler.safety.matcher import Matcher, read_sensitive_words, wording_matcher
from govinspect.crawler.safety.privacy import find_leaks, mask, mask_digits
from govinspect.crawler.safety.wording import wording_hits
from govinspect.demo.safety_cases import bad_check_digit, id_number
from govinspect.errors import ConfigError

PAGE = "http://www.example.gov.cn/a/index.html"
SCOPE = {"www.example.gov.cn"}
ID1 = id_number("41022119850317123")
ID2 = id_number("41022119900101002")
FAKE_INDEX = bad_check_digit("41022120240000123")  # a 索引号 that looks like an ID number


def _hidden(html: str) -> set[tuple[str, str]]:
    root = extract_links(html, PAGE).root
    return {(f["url"], f["how"]) for f in hidden_links(root, PAGE, SCOPE)}


# --- hidden links ------------------------------------------------------------------------------

HIDING_FORMS = [
    ('<div style="display:none"><a href="http://bad.example.com/1">x</a></div>', "display_none"),
    ('<div style="DISPLAY: none !important"><a href="http://bad.example.com/1">x</a></div>',
     "display_none"),
    ('<span style="visibility:hidden"><a href="http://bad.example.com/1">x</a></span>',
     "visibility_hidden"),
    ('<p style="opacity:0"><a href="http://bad.example.com/1">x</a></p>', "opacity_0"),
    ('<div style="width:0;height:0;overflow:hidden"><a href="http://bad.example.com/1">x</a></div>',
     "zero_size"),
    ('<div style="font-size:0"><a href="http://bad.example.com/1">x</a></div>', "zero_size"),
    ('<div style="position:absolute;left:-9999px"><a href="http://bad.example.com/1">x</a></div>',
     "offscreen"),
    ('<div style="position: fixed; top: -1000px"><ul><li><a href="http://bad.example.com/1">x</a>'
     "</li></ul></div>", "offscreen"),
    ('<p style="text-indent:-5000px"><a href="http://bad.example.com/1">x</a></p>', "offscreen"),
    ('<div hidden><a href="http://bad.example.com/1">x</a></div>', "hidden_attribute"),
    ('<marquee height="1" width="1"><a href="http://bad.example.com/1">x</a></marquee>',
     "tiny_marquee"),
    ('<a style="display:none" href="//bad.example.com/1">x</a>', "display_none"),
]  # fmt: skip


@pytest.mark.parametrize(("markup", "how"), HIDING_FORMS)
def test_each_hiding_form_is_found(markup: str, how: str) -> None:
    html = f"<html><body><p>正文</p>{markup}</body></html>"
    url = "http://bad.example.com/1"
    assert _hidden(html) == {(url, how)}


def test_decoys_are_not_hidden_links() -> None:
    html = """<html><body>
      <nav class="m-menu" style="display:none"><a href="/xxgk/">信息公开</a>
        <a href="http://www.example.gov.cn/bsfw/">办事服务</a></nav>
      <div style="display:block"><a href="http://www.gov.cn/">中国政府网</a></div>
      <div style="position:absolute;left:-20px"><a href="http://ok.example.org/">可见</a></div>
      <marquee height="200"><a href="http://news.example.org/">滚动新闻</a></marquee>
      <div style="opacity:0.9"><a href="http://ok2.example.org/">半透明</a></div>
    </body></html>"""
    assert _hidden(html) == set()


def test_document_write_and_iframes() -> None:
    html = """<html><body>
      <script>document.write('<div style="display:none"><a href="http://www.bocai.example/"
        >澳门娱乐城</a></div>');</script>
      <script>var x = 1; document.write("<p>今天</p>");</script>
      <iframe src="http://frame.example.net/x" width="0" height="0"></iframe>
      <iframe src="https://map.example.org/embed" width="600" height="400" title="地图"></iframe>
      <iframe src="/local/frame.html"></iframe>
    </body></html>"""
    root = extract_links(html, PAGE).root
    found = hidden_links(root, PAGE, SCOPE)
    assert {(f["url"], f["how"], f.get("hidden")) for f in found} == {
        ("http://www.bocai.example/", "document_write", None),
        ("http://frame.example.net/x", "iframe", "zero_size"),
        ("https://map.example.org/embed", "iframe", None),
    }
    written = next(f for f in found if f["how"] == "document_write")
    assert written["text"] == "澳门娱乐城"


def test_scanner_tags_keywords_of_hidden_links() -> None:
    html = """<html><head><title>示范县</title></head><body>
      <div style="display:none"><a href="http://x.example.com/">六合彩开奖</a>
      <a href="http://casino.example.com/">点击</a><a href="http://y.example.com/">友情</a></div>
    </body></html>"""
    extracted = extract_links(html, PAGE)
    facts = SafetyScanner(SCOPE).page(
        PAGE, extracted.root, extracted.base_url, extracted.links, "正文", "utf-8", "t", False
    )
    keywords = {f["url"]: f["keywords"] for f in facts["hidden"]}
    assert keywords == {
        "http://x.example.com/": ["六合彩"],
        "http://casino.example.com/": ["casino"],
        "http://y.example.com/": [],
    }


# --- privacy -----------------------------------------------------------------------------------


def test_valid_unmasked_numbers_are_leaks_with_masked_samples() -> None:
    text = (
        f"公示名单：张三 身份证号 {ID1}，李四 身份证号 {ID2.lower()}，张三再次 {ID1}。"
        "联系人手机 13812345678，另 139-2345-6789。"
        "补贴发放银行卡号：6222 0212 3456 7890 128"
    )
    leaks = {leak.kind: (leak.count, leak.sample) for leak in find_leaks(text)}
    assert leaks == {
        "id_card": (2, ID1[:4] + "*" * 10 + ID1[-4:]),
        "mobile": (2, "138****5678"),
        "bank_card": (1, "6222***********0128"),
    }
    for kind, (_, sample) in leaks.items():
        assert ID1 not in sample and "13812345678" not in sample, kind


def test_decoys_are_not_leaks() -> None:
    text = (
        f"索引号：{FAKE_INDEX} 发布机构：示范县人民政府办公室 "
        "身份证号 4102**********123X 手机 138****1234 电话：0371-26012345 传真（0371）26012346 "
        "文号：示政〔2026〕12号 订单号 202611201234567890123 统一社会信用代码 11410221MB1234567X "
        "信用代码 914102215842367810 编号 41022119850317123 账号 6222021234567890127 "
        "序号 1381234567890 邮编 475200"
    )
    assert find_leaks(text) == []


def test_mask_never_shows_the_whole_number() -> None:
    assert mask("id_card", ID1) == ID1[:4] + "**********" + ID1[-4:]
    assert mask("mobile", "13812345678") == "138****5678"
    assert ID1 not in mask_digits(f"见 {ID1} 号")


# --- wording -----------------------------------------------------------------------------------


def test_wording_lists_give_excerpt_and_suggestion() -> None:
    text = (
        "坚持中国特色社会主意道路，在以习近平总书记为核心的党中央坚强领导下，"
        "县工商行政管理局开展检查。各级农业部门参加。中国特色社会主意再次出现。"
    )
    hits = {h["term"]: h for h in wording_hits(text, wording_matcher())}
    assert set(hits) == {"中国特色社会主意", "以习近平总书记为核心的党中央", "工商行政管理局"}
    first = hits["中国特色社会主意"]
    assert first["suggestion"] == "中国特色社会主义"
    assert first["list"] == "mistyped"
    assert first["count"] == 2
    assert "中国特色社会主意道路" in first["excerpt"]
    assert hits["工商行政管理局"]["list"] == "abolished"


def test_sensitive_word_file(tmp_path) -> None:
    path = tmp_path / "words.txt"
    path.write_text("# comment\n示范敏感词\n违禁词\t请删除\n另一个 => 改为其他\n", "utf-8")
    assert read_sensitive_words(path) == [
        ("示范敏感词", None), ("违禁词", "请删除"), ("另一个", "改为其他")
    ]  # fmt: skip
    hits = wording_hits("这里有违禁词和示范敏感词", wording_matcher(str(path)))
    assert [(h["term"], h["list"], h["suggestion"]) for h in hits] == [
        ("违禁词", "sensitive", "请删除"),
        ("示范敏感词", "sensitive", None),
    ]
    with pytest.raises(ConfigError, match="sensitive_words"):
        read_sensitive_words(tmp_path / "missing.txt")


def test_matcher_prefers_the_longest_term() -> None:
    matcher = Matcher([("主意", None, "a"), ("社会主意", "社会主义", "b")])
    assert [h.term for h in matcher.find("社会主意")] == ["社会主意"]


# --- attachments -------------------------------------------------------------------------------


def test_attachments_are_read() -> None:
    import docx
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "身份证号", "补贴"])
    sheet.append(["王五", ID1, 500])
    buf = io.BytesIO()
    book.save(buf)
    text, reason = attachment_text(buf.getvalue(), "http://x/a.xlsx")
    assert reason is None and ID1 in text

    document = docx.Document()
    document.add_paragraph("联系人：赵六，手机 13987654321")
    buf = io.BytesIO()
    document.save(buf)
    text, reason = attachment_text(buf.getvalue(), "http://x/b.docx")
    assert reason is None and "13987654321" in text

    text, reason = attachment_text("编号,电话\n1,13700001111\n".encode("gb18030"), "http://x/c.csv")
    assert "13700001111" in text
    assert attachment_text(b"\xd0\xcf\x11\xe0", "http://x/d.doc") == (None, "doc: no text reader")
    assert attachment_text(b"garbage", "http://x/e.xlsx")[1].startswith("unreadable xlsx")
    assert attachment_text(b"%PDF-1.4 broken", "http://x/f.pdf")[0] in ("", None)


def test_scanner_attachment_facts_hold_no_full_number() -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["王五", ID1])
    book.active.append(["赵六", ID2])
    buf = io.BytesIO()
    book.save(buf)
    facts = SafetyScanner(SCOPE).attachment("http://x/gs.xlsx", buf.getvalue())
    assert facts == {
        "read": True,
        "privacy": [{"kind": "id_card", "count": 2, "sample": mask("id_card", ID1)}],
    }
    assert ID1 not in repr(facts) and ID2 not in repr(facts)


def test_sketch_is_stable_and_similar_for_similar_text() -> None:
    a = sketch("示范县人民政府门户网站 要闻动态 通知公告 政策文件" * 3)
    assert a == sketch("示范县人民政府门户网站 要闻动态 通知公告 政策文件" * 3)
    assert len(a) <= 64


def test_birth_before_the_area_code_still_counts() -> None:
    """ric.validate refuses 410221 (杞县, a 1983 code) for a 1958 birth; such numbers exist."""
    old = id_number("41022119580312301")
    assert [(x.kind, x.count) for x in find_leaks(f"身份证号 {old}")] == [("id_card", 1)]
    assert find_leaks(f"身份证号 {bad_check_digit('41022119580312301')}") == []
    assert find_leaks(f"身份证号 {id_number('99999919850101123')}") == []  # unknown area
