"""Scores recomputed by hand from the default rubrics: one county and one department unit."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from govinspect.checks.facts import ItemFact, LinkCheckFact, PageFact, ProbeFact
from govinspect.checks.facts_interaction import InteractionFacts
from govinspect.checks.findings import Finding
from govinspect.checks.run import evaluate
from govinspect.checks.scoring import score_unit
from govinspect.checks.timeutil import SHANGHAI
from tests.test_checks_fixtures import (
    AS_OF,
    FOOTER_OK,
    SITE,
    SITE_META,
    blank_column,
    column,
    county_rubric,
    department_rubric,
    facts,
    homepage,
    link,
    unit,
)

GUIDE_URL = f"{SITE}xxgk/zn/"
ARTICLE_META = {
    **SITE_META,
    "ArticleTitle": "文件",
    "PubDate": "2026-05-04 09:00",
    "ContentSource": "县政府办",
}
TABLE = {
    "索引号": "005308441/2026-00101",
    "发布机构": "示范县人民政府办公室",
    "成文日期": "2026-05-01",
    "发文字号": "示政〔2026〕3号",
}


def guide(order: str = "国务院令第711号", fax: bool = True) -> str:
    parts = [
        f"根据《中华人民共和国政府信息公开条例》（{order}）编制本指南。",
        "申请方式：当面提交或在线提交。",
        "办公地址：人民路1号。",
        "办公时间：周一至周五。",
        "联系电话：0371-1。",
        "电子邮箱：a@b.gov.cn。",
    ]
    if fax:
        parts.append("传真：0371-2。")
    return "<html><body><div>" + "".join(f"<p>{p}</p>" for p in parts) + "</div></body></html>"


def probes(failures: int) -> tuple[ProbeFact, ...]:
    out = []
    for d in range(1, 8):
        day = AS_OF - timedelta(days=d)
        for n in range(20):
            at = datetime(day.year, day.month, day.day, 1, 0, tzinfo=SHANGHAI) + timedelta(hours=n)
            out.append(ProbeFact(probed_at=at, ok=True, status=200, latency_ms=200.0))
    for n in range(failures):
        out[n] = ProbeFact(probed_at=out[n].probed_at, ok=False, error="timeout")
    return tuple(out)


def reports(years, month: int, day: int, last: date | None = None):
    items = tuple(
        ItemFact(
            title=f"{y}年政府信息公开工作年度报告",
            url=f"{SITE}nb/{y}.html",
            published=last if (last and y == max(years)) else date(y + 1, month, day),
        )
        for y in years
    )
    return column("政府信息公开年报", "annual_report", item_facts=items, url=f"{SITE}nb/")


def dead(n: int, home: bool = False) -> LinkCheckFact:
    found = (SITE,) if home else (f"{SITE}a/{n}.html",)
    return LinkCheckFact(
        target_url=f"{SITE}dead/{n}.html",
        outcome="http_error",
        status=404,
        found_on=found,
        found_on_total=1,
        on_homepage=home,
    )


SECTIONS = (
    link(SITE, f"{SITE}xxgk/zd/", "政府信息公开制度"),
    link(SITE, f"{SITE}xxgk/fd/", "法定主动公开内容"),
)


def common(**kw):
    guide_col = column(
        "政府信息公开指南", "disclosure_guide", None, items=0, is_list=False, url=GUIDE_URL
    )
    pages = {GUIDE_URL: PageFact(url=GUIDE_URL, id=5, title="指南")}
    for extra in kw.pop("fetched", ()):
        pages[extra.url] = extra
    return facts(
        pages=pages,
        named_links=SECTIONS,
        html={GUIDE_URL: kw.pop("guide_html")},
        columns=(guide_col, column("政策解读", "interpretation", 2), *kw.pop("columns")),
        **kw,
    )


def scored(f, rubric):
    result = evaluate(f, AS_OF, rubric)
    findings = list(enumerate(result.findings, start=1))
    return score_unit(findings, rubric), result


def dimension(score, name):
    return next(d for d in score.dimensions if d.name == name)


def item(score, dim, name):
    return next(i for i in dimension(score, dim).items if i["indicator"] == name)


def test_county_unit_by_hand():
    policy = column("政策文件", "policy", 200, items=1)
    doc = policy.items[0]
    f = common(
        fetched=[
            PageFact(
                url=doc.url,
                id=6,
                title=doc.title,
                published=doc.published,
                meta={"disclosure": TABLE, **ARTICLE_META},
            )
        ],
        unit=unit("county"),
        probes=probes(3),  # 3/140 = 2.14%: 3 started percentage points x 1
        homepage=homepage(AS_OF, footer={**FOOTER_OK, "icp": None, "jiucuo_sitecode": "1"}),
        guide_html=guide(fax=False),  # 传真 missing: 1
        columns=(
            column("工作动态", "news", 25),  # 2
            column("部门动态", "news", 30),  # 2
            column("通知公告", "notice", 190),  # 2
            policy,  # 5, and 1 document without 解读: 1
            column("人事信息", "personnel", 400),  # 1
            blank_column("财政信息"),
            blank_column("统计信息"),  # 1 + 1
            reports(range(2019, 2026), 3, 25),
        ),
        link_checks=(
            dead(1, home=True),
            dead(2, home=True),  # 1 + 1
            *(dead(n) for n in range(10, 23)),
        ),  # 13 x 0.1
    )
    score, result = scored(f, county_rubric())
    assert not [x for x in result.findings if x.severity == "veto"]
    # 网站日常管理 (40): 6-3, 8-4, 10-7, 4-1, 4-2, 8-3.3
    daily = dimension(score, "网站日常管理")
    assert [i["score"] for i in daily.items] == [3, 4, 3, 3, 2, 4.7]
    assert daily.score == pytest.approx(19.7) and daily.max == 40
    # 政府信息公开 (23): guide 6-1, reports 8, metadata 5, timeliness 4
    disclosure = dimension(score, "政府信息公开")
    assert [i["score"] for i in disclosure.items] == [5, 8, 5, 4]
    assert disclosure.score == 22 and disclosure.max == 23
    # 解读回应 (12): 解读 6-1, 关联 6
    assert [i["score"] for i in dimension(score, "解读回应").items] == [5, 6]
    # 互动交流 (15): letters answered in time, a proper consultation, an interview
    assert dimension(score, "互动交流").score == 15
    # 网站规范 (25): 标识 10-2 (ICP), 找错 5-3 (sitecode), 域名 4, IPv6 2 (not checked), 标签 4
    norms = dimension(score, "网站规范")
    assert [i["score"] for i in norms.items] == [8, 2, 4, 2, 4]
    # IPv6 without a recorded fact keeps its points but is unknown, not passed.
    statuses = [i["status"] for i in norms.items]
    assert statuses == ["deducted", "deducted", "passed", "unknown", "passed"]
    assert score.unknown_items == ["网站规范 / IPv6 支持"]
    assert score.total == pytest.approx(87.7) and score.max == 115
    assert score.failed is False and score.verdict == "合格"
    links = item(score, "网站日常管理", "链接可用性")
    assert links["deducted"] == pytest.approx(3.3) and not links["capped"]
    # Every deduction names its finding.
    by_id = dict(enumerate(result.findings, start=1))
    for d in links["deductions"]:
        assert by_id[d["finding_id"]].rule in {"dead_link_homepage", "dead_link_other"}
    assert sum(d["points"] for d in links["deductions"]) == pytest.approx(3.3)


def test_department_unit_by_hand_with_caps_and_vetoes():
    f = common(
        unit=unit("department"),
        probes=probes(0),
        homepage=homepage(AS_OF - timedelta(days=20)),  # veto: 首页不更新
        guide_html=guide(order="国务院令第492号"),  # outdated: 3
        columns=(
            *(blank_column(f"空白{n}") for n in range(5)),  # veto; 5 x 1 capped at 4
            reports(range(2020, 2026), 1, 20, last=date(2026, 2, 10)),  # late: 5
        ),
        link_checks=tuple(dead(n) for n in range(100)),  # 100 x 0.1 = 10, capped at 8
    )
    score, result = scored(f, department_rubric())
    vetoes = sorted(x.rule for x in result.findings if x.severity == "veto")
    assert vetoes == ["columns_blank_veto", "homepage_stale"]
    daily = dimension(score, "网站日常管理")
    assert [i["score"] for i in daily.items] == [6, 8, 10, 4, 0, 0]
    assert item(score, "网站日常管理", "链接可用性")["capped"] is True
    assert item(score, "网站日常管理", "空白栏目")["deducted"] == 4
    assert dimension(score, "政府信息公开").score == 15  # 6-3, 8-5, 5, 4
    assert dimension(score, "解读回应").score == 12  # 6, 6
    assert dimension(score, "互动交流").score == 15
    assert dimension(score, "网站规范").score == 25
    assert score.total == 95
    assert score.failed is True and score.verdict == "不合格"
    assert len(score.vetoes) == 2


def test_total_below_the_pass_score_fails_without_a_veto():
    f = common(
        unit=unit("county"),
        probes=probes(0),
        guide_html=(  # a guide with none of the elements: 6
            "<html><body>" + "<p>本指南依据《中华人民共和国政府信息公开条例》编制，"
            "说明本机关主动公开政府信息的范围、形式和时限，以及依申请公开的处理程序。</p>"
            * 2
            + "</body></html>"
        ),
        homepage=homepage(AS_OF, footer=dict.fromkeys(FOOTER_OK)),  # every identifier missing
        columns=(
            reports(range(2019, 2025), 3, 25),  # 2025 missing: 5
            *(column(f"动态{n}", "news", 20) for n in range(4)),
            *(column(f"人事{n}", "personnel", 400) for n in range(5)),
        ),
        link_checks=tuple(dead(n, home=True) for n in range(10)),
        interaction=InteractionFacts(),  # no interaction column at all
    )
    score, result = scored(f, county_rubric())
    assert not [x for x in result.findings if x.severity == "veto"]
    # 20 (news 8 and personnel 4 and links 8 all capped) + 12 + 12 + 11, and 互动交流 15 less
    # 2 (no consultation) and 2 (no interview); 留言答复 is unknown (no letters column): 11
    assert score.total == 66 and score.max == 115
    assert score.failed is True and score.below_pass is True


def test_item_status_failed_deducted_unknown_passed():
    def finding(rule, severity):
        return Finding("t", rule, rule, severity, "m")

    rubric = county_rubric()
    findings = [
        (1, finding("site_unreachable", "veto")),
        (2, finding("availability_failures", "deduction")),
        (3, finding("dead_link_other", "deduction")),
        (4, finding("links_unknown", "notice")),  # listed in no item: only informs
        # A deduction lowered to a notice (the crawl was incomplete): the item is unknown.
        (5, finding("guide_missing", "notice")),
        (6, finding("ipv6_not_checked", "notice")),
        (7, finding("ipv6_missing", "deduction")),  # a deduction outranks the notice
    ]
    score = score_unit(findings, rubric)
    status = {i["indicator"]: i["status"] for d in score.dimensions for i in d.items}
    assert status["站点可用性"] == "failed"
    assert status["链接可用性"] == "deducted"
    assert status["政府信息公开指南"] == "unknown"
    assert status["IPv6 支持"] == "deducted"
    assert status["动态要闻更新"] == "passed"
    assert item(score, "政府信息公开", "政府信息公开指南")["unknown"] == [5]
    assert item(score, "政府信息公开", "政府信息公开指南")["score"] == 6
    assert score.unknown_items == ["政府信息公开 / 政府信息公开指南"]
