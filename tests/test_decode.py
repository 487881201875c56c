"""Page body decoding: header, meta, BOM, GB18030-only characters, broken input."""

from __future__ import annotations

import pytest

from govinspect.crawler.decode import decode_body
from govinspect.crawler.links import extract_links

TITLE = "平潭综合实验区政府信息公开"
# Characters outside GB2312 (镕, 䶮) and outside the BMP (𠀀): a gb2312 decoder loses them.
RARE = "朱镕基 䶮 𠀀"


def _page(meta: str = "", title: str = TITLE) -> str:
    return f"<html><head>{meta}<title>{title}</title></head><body>正文</body></html>"


def test_gbk_from_http_header() -> None:
    text, encoding = decode_body(_page().encode("gbk"), "text/html; charset=GBK")
    assert encoding == "gb18030"
    assert TITLE in text


def test_gb2312_meta_http_equiv_only() -> None:
    meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'
    text, encoding = decode_body(_page(meta).encode("gbk"), None)
    assert encoding == "gb18030"
    assert extract_links(text, "http://www.x.gov.cn/").title == TITLE


def test_meta_charset_only() -> None:
    text, encoding = decode_body(_page('<meta charset="gbk">').encode("gbk"), "text/html")
    assert encoding == "gb18030"
    assert TITLE in text


def test_gb18030_only_characters_survive_a_gb2312_label() -> None:
    body = _page('<meta charset="gb2312">', RARE).encode("gb18030")
    text, _ = decode_body(body, "text/html; charset=gb2312")
    assert RARE in text
    assert "\ufffd" not in text


def test_utf8_bom_wins_over_header() -> None:
    body = b"\xef\xbb\xbf" + _page().encode("utf-8")
    text, encoding = decode_body(body, "text/html; charset=gbk")
    assert encoding == "utf-8"
    assert text.startswith("<html>")
    assert TITLE in text


def test_header_wins_over_meta() -> None:
    body = _page('<meta charset="gbk">').encode("utf-8")
    text, encoding = decode_body(body, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert TITLE in text


def test_invalid_bytes_are_replaced_not_raised() -> None:
    body = _page().encode("utf-8") + b"\xff\xfe\xfa tail"
    text, encoding = decode_body(body, "text/html; charset=utf-8")
    assert encoding == "utf-8"
    assert TITLE in text
    assert "\ufffd" in text and text.endswith("tail")


@pytest.mark.parametrize("content_type", ["text/html; charset=x-no-such-charset", "garbage;;="])
def test_unknown_charset_name_falls_back(content_type: str) -> None:
    body = _page('<meta charset="also-bogus">').encode("gbk")
    text, encoding = decode_body(body, content_type)
    assert encoding == "gb18030"  # undeclared and not UTF-8: the legacy Chinese encoding
    assert TITLE in text


def test_undeclared_utf8_and_empty_body() -> None:
    assert decode_body(_page().encode("utf-8"), None)[1] == "utf-8"
    assert decode_body(b"", None) == ("", "utf-8")
    assert decode_body(b"", "text/html; charset=gbk")[0] == ""


def test_nul_bytes_do_not_break_decoding_or_parsing() -> None:
    body = _page().encode("gbk").replace(b"<body>", b"<body>\x00\x00<a href='/a.html'>a</a>")
    text, _ = decode_body(body, "text/html; charset=gbk")
    result = extract_links(text, "http://www.x.gov.cn/")
    assert result.title == TITLE
    assert [link.url for link in result.links] == ["http://www.x.gov.cn/a.html"]
