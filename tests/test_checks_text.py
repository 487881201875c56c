"""Body text extraction (real Pingtan pages), shingle similarity, working days."""

from __future__ import annotations

from datetime import date

import pytest

from govinspect.checks.text import main_text, shingles, similarity, visible_text
from govinspect.checks.timeutil import parse_as_of, today
from govinspect.checks.workdays import working_days_between
from govinspect.errors import ConfigError
from tests.conftest import require_shared, shared_path

CORPUS = shared_path("corpus/pingtan/zwgk")  # beside the repository or GOVINSPECT_SHARED


def corpus(pattern: str) -> str:
    return next(require_shared(CORPUS).glob(pattern)).read_text(encoding="utf-8")


def test_main_text_of_a_real_guide_is_the_guide_not_the_site_chrome():
    text = main_text(corpus("zfxxgk/zfxxgkzn/*/*/page.html"))
    assert text.startswith("根据《中华人民共和国政府信息公开条例》有关规定")
    assert "行政复议或者提起行政诉讼" in text
    assert "友情链接" not in text and "网站标识码" not in text


def test_main_text_of_a_real_annual_report():
    text = main_text(corpus("zfxxgk/zfxxgknb/*/*/page.html"))
    assert "国务院令第711号" in text
    assert "主办单位" not in text


def test_link_lists_never_win_over_the_body():
    html = (
        "<html><body><ul>"
        + "".join(f"<li><a href='/{n}'>友情链接网站{n}号</a></li>" for n in range(40))
        + "</ul><div><p>正文第一段，内容足够长，用来确认正文块会被选中而不是链接列表。</p>"
        "<p>正文第二段，链接列表的文字不计入正文长度。</p></div></body></html>"
    )
    assert main_text(html).startswith("正文第一段")


def test_visible_text_keeps_the_chrome():
    html = (
        "<html><head><title>t</title><script>x=1</script></head>"
        "<body><p>页脚 主办单位</p></body></html>"
    )
    assert visible_text(html) == "页脚 主办单位"


def test_similarity_ignores_punctuation_and_the_template():
    a = "一、总体要求。坚持以人民为中心，完善工作机制。主办单位：示范县人民政府"
    b = "一 总体要求：坚持以人民为中心；完善工作机制!主办单位：示范县人民政府"
    assert similarity(a, b, 4).jaccard == 1.0
    template = shingles("主办单位：示范县人民政府", 4)
    c = "完全不同的一段话。主办单位：示范县人民政府"
    assert similarity(a, c, 4).jaccard > 0.2
    assert similarity(a, c, 4, template).jaccard == 0.0
    assert similarity("", "abc", 4).jaccard == 0.0


@pytest.mark.parametrize(
    ("start", "end", "days"),
    [
        (date(2026, 7, 6), date(2026, 7, 14), 6),  # Monday -> next Tuesday
        (date(2026, 8, 28), date(2026, 9, 2), 3),  # Friday -> Wednesday
        (date(2026, 11, 21), date(2026, 11, 22), 0),  # Saturday -> Sunday
        (date(2026, 11, 20), date(2026, 11, 20), 0),
        (date(2026, 11, 23), date(2026, 11, 20), -1),  # Monday back to Friday
    ],
)
def test_working_days_outside_holidays(start, end, days):
    assert working_days_between(start, end) == days


def test_as_of_parsing():
    assert parse_as_of("2026-11-20") == date(2026, 11, 20)
    assert parse_as_of(None) == today()
    for bad in ("2026-13-01", "20261120", "yesterday", "2026-02-30"):
        with pytest.raises(ConfigError, match="--as-of: .* is not a date"):
            parse_as_of(bad)
