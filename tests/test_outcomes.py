"""Outcome classes and soft-404 rules, without a network."""

from __future__ import annotations

import pytest
from twisted.internet import error as txerror

from govinspect.crawler import outcomes


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (200, "ok"),
        (204, "ok"),
        (404, "http_error"),
        (410, "http_error"),
        (500, "http_error"),
        (403, "blocked"),
        (429, "blocked"),
        (401, "blocked"),
    ],
)
def test_classify_status(status, expected):
    assert outcomes.classify_status(status) == expected


@pytest.mark.parametrize(
    ("exc", "expected", "transient"),
    [
        (txerror.DNSLookupError("nosuchhost.invalid"), "dns_error", True),
        (txerror.ConnectionRefusedError("127.0.0.1:9"), "connection_refused", True),
        (txerror.TimeoutError("took too long"), "timeout", True),
        (txerror.TCPTimedOutError(), "timeout", True),
        (txerror.ConnectionLost("reset"), "connection_error", True),
        (Exception("Forbidden by robots.txt"), "robots_excluded", False),
        (Exception("max redirections reached"), "redirect_loop", False),
        (Exception("SSL routines: certificate verify failed"), "tls_error", True),
    ],
)
def test_classify_exception(exc, expected, transient):
    failure = outcomes.classify_exception(exc)
    assert (failure.outcome, failure.transient) == (expected, transient)


def test_head_needs_get():
    assert outcomes.head_needs_get(405) and outcomes.head_needs_get(404)
    assert not outcomes.head_needs_get(200)


def soft(
    title="", text="", url="http://a.gov.cn/x/t1.html", final=None, refresh=None, baseline=None
):
    return outcomes.soft_404_reason(
        url=url,
        final_url=final or url,
        title=title,
        text=text,
        refresh=refresh,
        baseline=baseline,
    )


def test_not_found_title():
    assert soft(title="404 Not Found")
    assert soft(title="对不起，您访问的页面不存在")


def test_not_found_text_on_small_page():
    assert soft(title="示范县人民政府", text="抱歉！您访问的页面不存在，请返回首页。")


def test_article_mentioning_404_is_not_soft_404():
    text = "关于网站404错误页面整改的通知。" + "各单位要认真整改。" * 300
    assert soft(title="关于网站404错误页面整改的通知", text=text) is None


def test_long_page_with_phrase_in_body_is_real():
    text = "某文章正文。" * 400 + "（原链接：您访问的页面不存在）"
    assert soft(title="某文章", text=text) is None


def test_meta_refresh_to_parent_folder():
    url = "http://a.gov.cn/zwgk/tzgg/202301/t20230105_1.html"
    assert soft(url=url, refresh="http://a.gov.cn/zwgk/tzgg/", text="")
    assert soft(url=url, refresh="http://a.gov.cn/zwgk/tzgg/index.html", text="")
    # Hanweb sends deleted documents to the column's index page.
    hanweb = "http://a.gov.cn/art/2025/1/6/art_1102_7730.html"
    assert soft(url=hanweb, refresh="http://a.gov.cn/col/col1102/index.html", text="")
    # A homepage refreshing to its real start page is not a deleted document.
    assert soft(url="http://a.gov.cn/", refresh="http://a.gov.cn/index.shtml", text="") is None
    # A refresh to a sibling page is a redirect, not a deletion.
    assert soft(url=url, refresh="http://a.gov.cn/zwgk/tzgg/202301/t20230105_2.html") is None


def test_baseline_match():
    sig = outcomes.signature("示范县人民政府", "出错了" * 10)
    baseline = outcomes.Baseline(200, "http://a.gov.cn/error.html", sig)
    assert soft(title="示范县人民政府", text="出错了" * 10, baseline=baseline)
    # Same site title but a real page of a different size.
    assert soft(title="示范县人民政府", text="正文" * 2000, baseline=baseline) is None
    # Missing URLs redirected to one page: so is this one.
    assert soft(
        title="首页", text="x" * 5000, final="http://a.gov.cn/error.html", baseline=baseline
    )


def test_baseline_404_host_means_no_baseline_match():
    baseline = outcomes.Baseline(404, None, None)
    assert soft(title="示范县人民政府", text="正文", baseline=baseline) is None


def test_challenge_page():
    assert outcomes.is_challenge("<script>var acw_sc__v2='x'</script>")
    assert not outcomes.is_challenge("<p>正常页面</p>")
