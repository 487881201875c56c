"""政府信息公开: sections, the guide (also a real Pingtan one), annual reports, metadata, dates."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from govinspect.checks import disclosure
from govinspect.checks.facts import ItemFact, PageFact
from govinspect.checks.findings import Finding
from govinspect.crawler.dates import disclosure_metadata, written_date
from tests.conftest import require_shared, shared_path
from tests.test_checks_fixtures import (
    AS_OF,
    SITE,
    by_rule,
    column,
    county_rubric,
    crawl,
    department_rubric,
    facts,
    link,
)

CORPUS = shared_path("corpus/pingtan/zwgk")  # beside the repository or GOVINSPECT_SHARED
GUIDE_URL = f"{SITE}zwgk/xxgkzn/"
GUIDE_TEXT = (
    "<html><body><div class='nav'><a href='/'>首页</a></div><div class='TRS_Editor'>"
    "<p>根据《中华人民共和国政府信息公开条例》（{order}）的规定，编制本指南。</p>"
    "<p>申请方式：申请人可以通过当面提交、邮政寄送或者在线平台提交申请。</p>"
    "<p>办公地址：示范县人民路11号。</p><p>办公时间：周一至周五上午8:30-12:00。</p>"
    "<p>联系电话：0371-12345007。</p>{fax}<p>电子邮箱：gk@sfx.gov.cn。</p>"
    "</div><div class='footer'>地址：示范县人民路1号 电话：0371-1 传真：0371-2</div></body></html>"
)


def guide_html(order: str = "国务院令第711号", fax: bool = True) -> str:
    return GUIDE_TEXT.format(order=order, fax="<p>传真：0371-12345008。</p>" if fax else "")


def guide_facts(html: str | None, **kw):
    guide = column(
        "政府信息公开指南", "disclosure_guide", None, items=0, is_list=False, url=GUIDE_URL
    )
    pages = {GUIDE_URL: PageFact(url=GUIDE_URL, id=9, title="政府信息公开指南")}
    return facts(
        columns=(guide, *kw.pop("columns", ())),
        pages=pages,
        html={GUIDE_URL: html} if html else {},
        **kw,
    )


def run(f, as_of=AS_OF, rubric=None):
    return disclosure.check(f, as_of, rubric or county_rubric())


def names(findings: list[Finding]) -> list[str]:
    return sorted(f.rule for f in findings)


# --- sections and guide ---------------------------------------------------------------------


def test_complete_guide_passes_and_sections_found_by_column_or_link():
    f = guide_facts(
        guide_html(),
        named_links=(
            link(SITE, f"{SITE}zwgk/zd/", "政府信息公开制度"),
            link(SITE, f"{SITE}zwgk/fdzdgknr/", "法定主动公开内容"),
        ),
    )
    result = run(f)
    assert by_rule(result.findings, "guide_elements_missing") == []
    assert by_rule(result.findings, "disclosure_section_missing") == []
    report = result.report["disclosure"]
    assert report["guide_url"] == GUIDE_URL
    assert report["sections"]["政府信息公开制度"] == f"{SITE}zwgk/zd/"
    assert report["guide_missing_elements"] == [] and report["guide_outdated"] is False


def test_missing_sections_rules_and_statutory_are_notices():
    result = run(guide_facts(guide_html()))
    found = by_rule(result.findings, "disclosure_section_missing")
    assert {f.evidence["section"] for f in found} == {"政府信息公开制度", "法定主动公开内容"}
    assert {f.severity for f in found} == {"notice"}


def test_no_guide_at_all_is_a_deduction():
    result = run(facts())
    (finding,) = by_rule(result.findings, "guide_missing")
    assert finding.severity == "deduction"
    assert result.report["disclosure"]["guide_url"] is None


def test_no_guide_in_a_truncated_crawl_is_only_a_notice():
    f = facts(crawl=crawl(truncated={"max_pages": {"count": 1, "examples": []}}))
    (finding,) = by_rule(run(f).findings, "guide_missing")
    assert finding.severity == "notice"
    assert finding.evidence["downgraded_from"] == "deduction"


def test_guide_missing_elements_read_from_the_body_not_the_footer():
    result = run(guide_facts(guide_html(fax=False)))
    (finding,) = by_rule(result.findings, "guide_elements_missing")
    assert finding.evidence["missing"] == ["传真"]  # the footer's 传真 does not count
    assert finding.count == 1
    assert "传真" in finding.message


def test_outdated_guide_citing_order_492():
    result = run(guide_facts(guide_html(order="国务院令第 492 号")))
    (finding,) = by_rule(result.findings, "guide_outdated")
    assert finding.severity == "deduction"
    assert result.report["disclosure"]["guide_outdated"] is True


def test_guide_citing_both_orders_is_current():
    result = run(guide_facts(guide_html(order="国务院令第711号，原国务院令第492号")))
    assert by_rule(result.findings, "guide_outdated") == []


def test_guide_without_archive_is_unreadable_not_incomplete():
    result = run(guide_facts(None))
    assert [f.rule for f in result.findings if f.check == "disclosure" and "guide" in f.rule] == [
        "guide_unreadable"
    ]


def test_real_pingtan_guide_lacks_only_the_fax_number():
    html = next(require_shared(CORPUS).glob("zfxxgk/zfxxgkzn/*/*/page.html")).read_text(
        encoding="utf-8"
    )
    result = run(guide_facts(html))
    (finding,) = by_rule(result.findings, "guide_elements_missing")
    assert finding.evidence["missing"] == ["传真"]
    assert by_rule(result.findings, "guide_outdated") == []


# --- annual reports ----------------------------------------------------------------------------


def reports(years, published=(3, 25), name="示范县人民政府", url="nb"):
    month, day = published
    made = tuple(
        ItemFact(
            title=f"{name}{y}年政府信息公开工作年度报告",
            url=f"{SITE}{url}/{y}.html",
            published=date(y + 1, month, day),
        )
        for y in years
    )
    return column("政府信息公开年报", "annual_report", item_facts=made, url=f"{SITE}{url}/")


def test_latest_report_missing():
    result = run(facts(columns=(reports(range(2019, 2025)),)))
    (finding,) = by_rule(result.findings, "annual_report_missing")
    assert finding.severity == "deduction"
    assert "2025" in finding.message
    report = result.report["disclosure"]
    assert report["annual_report_years"] == list(range(2019, 2025))
    assert report["latest_annual_report_missing"] is True


@pytest.mark.parametrize(
    ("as_of", "rubric", "due"),
    [
        (date(2026, 1, 31), department_rubric, 2024),  # deadline day: last year's not due yet
        (date(2026, 2, 1), department_rubric, 2025),
        (date(2026, 3, 31), county_rubric, 2024),
        (date(2026, 4, 1), county_rubric, 2025),
    ],
)
def test_due_year_follows_the_category_deadline(as_of, rubric, due):
    assert disclosure.due_year(as_of, rubric()) == due


def test_department_report_published_after_31_january_is_late():
    col = reports(range(2020, 2026), published=(2, 3))
    result = run(facts(columns=(col,)), rubric=department_rubric())
    (finding,) = by_rule(result.findings, "annual_report_late")
    assert finding.evidence["published"] == "2026-02-03"
    assert "2026-01-31" in finding.message
    # The same dates are on time for a county government (31 March).
    assert by_rule(run(facts(columns=(col,))).findings, "annual_report_late") == []


def test_gap_years_are_counted():
    result = run(facts(columns=(reports([2018, 2019, 2022, 2023, 2024, 2025]),)))
    (finding,) = by_rule(result.findings, "annual_report_gap")
    assert finding.evidence["missing_years"] == [2020, 2021]
    assert finding.count == 2
    assert by_rule(result.findings, "annual_report_missing") == []


def test_report_titles_with_chinese_digits_and_website_reports_excluded():
    made = (
        ItemFact(
            title="示范县二〇二五年度政府信息公开工作年度报告",
            url=f"{SITE}nb/a.html",
            published=date(2026, 3, 1),
        ),
        ItemFact(
            title="示范县人民政府2024年政府网站工作年度报表",
            url=f"{SITE}nb/b.html",
            published=date(2025, 1, 10),
        ),
    )
    col = column("政府信息公开年报", "annual_report", item_facts=made, url=f"{SITE}nb/")
    result = run(facts(columns=(col,)))
    assert result.report["disclosure"]["annual_report_years"] == [2025]


def test_script_filled_report_list_cannot_be_judged():
    col = column("政府信息公开年报", "annual_report", None, items=0, script_filled=True)
    result = run(facts(columns=(col,)))
    assert [f.rule for f in result.findings if "annual" in f.rule] == ["annual_report_unknown"]
    assert result.report["disclosure"]["latest_annual_report_missing"] is None


# --- metadata block and 20 working days --------------------------------------------------------


def policy_facts(pages: dict[str, PageFact]):
    made = tuple(
        ItemFact(title=p.title or "", url=u, published=p.published) for u, p in pages.items()
    )
    col = column("政策文件", "policy", item_facts=made, url=f"{SITE}zcwj/")
    return facts(columns=(col,), pages=pages)


def corpus_page(pattern: str, url: str, published: date) -> PageFact:
    html = next(require_shared(CORPUS).glob(pattern)).read_text(encoding="utf-8")
    meta = {"disclosure": disclosure_metadata(html)}
    if written_date(html):
        meta["written"] = written_date(html).isoformat()
    return PageFact(url=url, title="文件", published=published, meta=meta)


def test_metadata_block_from_real_pages():
    with_table = corpus_page(
        "zfxxgk/gwhwj/hzgfxwj/202607/*/page.html", f"{SITE}a.html", AS_OF - timedelta(days=10)
    )
    without = corpus_page(
        "zxwj/qgwhwj/202412/*/page.html", f"{SITE}b.html", AS_OF - timedelta(days=20)
    )
    result = run(policy_facts({p.url: p for p in (with_table, without)}))
    (finding,) = by_rule(result.findings, "disclosure_metadata_missing")
    assert finding.count == 1
    assert finding.urls == (f"{SITE}b.html",)
    assert finding.evidence["documents"][0]["missing"] == [
        "索引号",
        "发布机构",
        "成文日期",
        "发文字号",
    ]


@pytest.mark.parametrize(
    ("written", "published", "late"),
    [
        (date(2026, 10, 30), date(2026, 11, 27), False),  # Friday -> Friday 4 weeks on: 20 days
        (date(2026, 10, 30), date(2026, 11, 30), True),  # 21 working days
        # Across 国庆 (1-7 October, 10 October a make-up Saturday): 17 working days, on time.
        (date(2026, 10, 1), date(2026, 10, 30), False),
    ],
)
def test_twenty_working_days(written, published, late):
    meta = {
        "disclosure": {
            "索引号": "1",
            "发布机构": "x",
            "成文日期": written.isoformat(),
            "发文字号": "示政〔2026〕1号",
        },
        "written": written.isoformat(),
    }
    page = PageFact(url=f"{SITE}p.html", title="关于X的通知", published=published, meta=meta)
    result = run(policy_facts({page.url: page}), as_of=date(2026, 11, 30))
    found = by_rule(result.findings, "disclosure_late")
    assert bool(found) is late
    if late:
        assert found[0].evidence["documents"][0]["working_days"] == 21
        assert "调休上班日计为工作日" in found[0].message


def test_documents_outside_the_lookback_are_not_judged():
    old = PageFact(
        url=f"{SITE}old.html", title="旧文件", published=AS_OF - timedelta(days=400), meta={}
    )
    assert by_rule(run(policy_facts({old.url: old})).findings, "disclosure_metadata_missing") == []


def test_guide_stub_linking_an_attachment_is_unreadable():
    stub = (
        "<html><body><p>政府信息公开指南（附件下载）</p>"
        "<p><a href='zn.doc'>指南.doc</a></p></body></html>"
    )
    result = run(guide_facts(stub))
    rules = [f.rule for f in result.findings if "guide" in f.rule]
    assert rules == ["guide_unreadable"]


def test_report_year_without_the_character_nian():
    assert disclosure.report_year("示范县教育局2025政府信息公开工作年度报告") == 2025
    assert disclosure.report_year("关于2025年度工作的通知") is None  # not a report


def test_old_documents_republished_are_not_late():
    written = AS_OF - timedelta(days=3000)  # an old file moved to a new site this year
    meta = {
        "disclosure": {
            "索引号": "1",
            "发布机构": "x",
            "成文日期": written.isoformat(),
            "发文字号": "示政〔2018〕1号",
        },
        "written": written.isoformat(),
    }
    page = PageFact(
        url=f"{SITE}m.html", title="旧文件", published=AS_OF - timedelta(days=30), meta=meta
    )
    assert by_rule(run(policy_facts({page.url: page})).findings, "disclosure_late") == []
