"""网站规范: identifiers against the registry, 找错 widget, domain, HTTPS, IPv6, meta tags."""

from __future__ import annotations

import pytest

from govinspect.checks import site_norms
from govinspect.checks.facts import PageFact
from tests.test_checks_fixtures import (
    AS_OF,
    FOOTER_OK,
    SITE,
    SITE_META,
    by_rule,
    column,
    county_rubric,
    crawl,
    facts,
    homepage,
    unit,
)

RUBRIC = county_rubric()


def run(**kw):
    return site_norms.check(facts(**kw), AS_OF, RUBRIC)


def scored(result):
    """Findings other than the IPv6 'unknown' notice of facts without a recorded IPv6 fact."""
    return sorted(f.rule for f in result.findings if f.rule != "ipv6_not_checked")


def test_compliant_site_has_no_finding_but_the_ipv6_notice():
    result = run()
    assert scored(result) == []
    (notice,) = result.findings
    assert notice.rule == "ipv6_not_checked" and notice.severity == "notice"


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"site_code": None}, ["site_code_missing"]),
        ({"icp": None}, ["icp_missing"]),
        ({"police": None}, ["police_missing"]),
        ({"conac": False}, ["conac_missing"]),
        ({"jiucuo": False, "jiucuo_sitecode": None}, ["jiucuo_missing"]),
        ({"jiucuo_sitecode": "4102210099"}, ["jiucuo_mismatch"]),
        ({"jiucuo_sitecode": None}, ["jiucuo_mismatch"]),
        ({"jiucuo_src": "https://example.com/exposure/jiucuo.js"}, []),  # older host is fine
        ({"jiucuo_src": "https://example.com/js/bug.js"}, ["jiucuo_src_unexpected"]),
        ({"site_code": "4102210002"}, ["site_code_mismatch"]),
    ],
)
def test_footer_identifiers(change, expected):
    result = run(homepage=homepage(footer={**FOOTER_OK, **change}))
    assert scored(result) == expected


def test_meta_site_code_must_agree_with_the_registry():
    result = run(homepage=homepage(SiteIDCode="4102210009"))
    (finding,) = by_rule(result.findings, "site_code_mismatch")
    assert "4102210009" in finding.message and "4102210001" in finding.message
    assert finding.evidence["registered"] == "4102210001"


def test_unregistered_site_code_is_a_notice_and_footer_is_the_reference():
    result = run(
        unit=unit(site_code=None),
        homepage=homepage(footer={**FOOTER_OK, "jiucuo_sitecode": "4102210077"}),
    )
    assert scored(result) == ["jiucuo_mismatch", "site_code_unregistered"]
    assert by_rule(result.findings, "site_code_unregistered")[0].severity == "notice"


@pytest.mark.parametrize(
    ("website", "expected"),
    [
        ("https://www.sfx.gov.cn/", []),
        ("http://www.sfx.gov.cn/", ["https_missing"]),
        ("https://www.sfx.com.cn/", ["domain_not_gov"]),
        ("https://示范县.政务/", []),
        ("http://127.0.0.1:8123/", ["domain_unjudged"]),
        ("http://192.168.1.20/", ["domain_unjudged"]),
        ("http://localhost:8000/", ["domain_unjudged"]),
        ("https://8.8.8.8/", ["domain_not_gov"]),
    ],
)
def test_domain_and_https(website, expected):
    page = PageFact(url=website, is_homepage=True, meta=homepage().meta)
    assert scored(run(unit=unit(website=website), homepage=page)) == expected


def test_redirect_to_https_counts_as_https():
    page = PageFact(
        url="http://www.sfx.gov.cn/",
        final_url="https://www.sfx.gov.cn/",
        is_homepage=True,
        meta=homepage().meta,
    )
    assert scored(run(unit=unit(website="http://www.sfx.gov.cn/"), homepage=page)) == []


def test_ipv6_fact_from_the_crawl():
    """The crawl's record (crawler/ipv6.py); more cases in tests/test_ipv6.py."""
    record = {"host": "www.sfx.gov.cn", "aaaa": "yes", "addresses": ["2001:db8::1"]}
    assert scored(run(crawl=crawl(ipv6={**record, "answered": "no"}))) == ["ipv6_missing"]
    result = run(crawl=crawl(ipv6={**record, "answered": "yes", "status": 200}))
    assert [f.rule for f in result.findings] == []


def test_homepage_not_fetched_is_a_notice():
    broken = PageFact(url=SITE, is_homepage=True, status=500, state="error")
    assert scored(run(homepage=broken)) == ["homepage_footer_unknown"]


def test_page_meta_tags_per_page_type():
    col = column("工作动态", "news", 1, items=2, url=f"{SITE}gzdt/")
    col_page = PageFact(url=col.url, meta={**SITE_META, "ColumnName": "工作动态"})  # no ColumnType
    art_ok = PageFact(
        url=col.items[0].url,
        meta={
            **SITE_META,
            "ArticleTitle": "标题",
            "PubDate": "2026-11-19 09:00",
            "ContentSource": "县政府",
        },
    )
    art_bad = PageFact(url=col.items[1].url, meta={**SITE_META, "articletitle": "标题"})
    pages = {p.url: p for p in (col_page, art_ok, art_bad)}
    result = run(columns=(col,), pages=pages)
    found = sorted(
        by_rule(result.findings, "page_meta_missing"), key=lambda f: f.evidence["page_type"]
    )
    assert [f.evidence["page_type"] for f in found] == ["article", "column"]
    article, column_finding = found
    assert article.count == 1 and article.urls == (art_bad.url,)
    assert article.evidence["pages"][0]["missing"] == ["PubDate", "ContentSource"]
    assert column_finding.evidence["pages"][0]["missing"] == ["ColumnType"]
    assert "栏目页" in column_finding.message
    assert result.report["site_norms"]["page_meta"]["article"] == {"checked": 2, "lacking": 1}
