"""政策解读 / 解读关联: pairing by link, title and 文号; backlinks; copies; late interpretations."""

from __future__ import annotations

from datetime import date

from govinspect.checks import interpretation
from govinspect.checks.facts import ItemFact, LinkFact, PageFact
from govinspect.checks.interpretation import core_title, doc_number
from govinspect.checks.text import main_text, similarity
from tests.test_checks_fixtures import AS_OF, SITE, column, county_rubric, facts

RUBRIC = county_rubric()
TEMPLATE = (
    "<html><head><title>{title}</title></head><body><div class='head'>示范县人民政府</div>"
    "<div class='TRS_Editor'>{body}</div>{related}"
    "<div class='foot'><p>主办单位：示范县人民政府办公室 地址：示范县人民路1号 "
    "联系电话：0371-12345678 "
    "网站标识码：4102210001 豫ICP备05070218号 豫公网安备 41022102000101号</p></div></body></html>"
)
DOC_BODY = (
    "各乡镇人民政府，县人民政府各部门：",
    "为深入做好冬季供暖保障工作，切实保障人民群众切身利益，经县人民政府研究同意，现就有关事项通知如下。",
    "一、总体要求。坚持以人民为中心，围绕冬季供暖保障重点任务，完善工作机制，强化责任落实。",
    "二、主要任务。（一）健全冬季供暖保障工作台账；（二）加大资金保障力度；（三）强化督导考核。",
    "三、保障措施。各单位要加强组织领导，明确责任分工，确保各项措施落地见效。",
)
INTERP_BODY = (
    "一、出台背景。为进一步做好冬季供暖保障工作，回应群众关切，制定本文件。",
    "二、制定依据。依据国家和省、市有关法律法规及政策规定。",
    "三、主要内容。文件明确了目标任务、责任分工和保障措施，共三个部分。",
    "四、适用范围。本文件适用于本行政区域内的相关单位和个人。",
)


def html(title: str, body, related: str = "") -> str:
    return TEMPLATE.format(title=title, body="".join(f"<p>{p}</p>" for p in body), related=related)


class Site:
    """A small site: a policy column, an interpretation column and the pages behind them."""

    def __init__(self) -> None:
        self.docs: list[ItemFact] = []
        self.interps: list[ItemFact] = []
        self.pages: dict[str, PageFact] = {}
        self.links: dict[str, list[LinkFact]] = {}
        self.html: dict[str, str] = {SITE: html("首页", ["欢迎访问"])}

    def add(self, kind: str, n: int, title: str, day: date, body, number: str | None = None):
        url = f"{SITE}{kind}/t{n}.html"
        item = ItemFact(title=title, url=url, published=day)
        (self.docs if kind == "zcwj" else self.interps).append(item)
        meta = {"disclosure": {"发文字号": number}} if number else {}
        self.pages[url] = PageFact(
            url=url, id=len(self.pages) + 10, title=title, published=day, meta=meta
        )
        self.html[url] = html(title, body)
        return url

    def link(self, source: str, target: str, text: str) -> None:
        self.links.setdefault(source, []).append(
            LinkFact(page_url=source, target_url=target, anchor_text=text)
        )

    def facts(self, with_interp_column: bool = True):
        columns = [column("政策文件", "policy", item_facts=tuple(self.docs), url=f"{SITE}zcwj/")]
        if with_interp_column:
            columns.append(
                column(
                    "政策解读", "interpretation", item_facts=tuple(self.interps), url=f"{SITE}zcjd/"
                )
            )
        return facts(
            columns=tuple(columns),
            pages=self.pages,
            html=self.html,
            links={k: tuple(v) for k, v in self.links.items()},
        )


def run(site: Site, **kw):
    return interpretation.check(site.facts(**kw), AS_OF, RUBRIC)


TITLE = "示范县人民政府关于印发《示范县冬季清洁取暖实施方案》的通知"
I_TITLE = "《示范县冬季清洁取暖实施方案》政策解读"


def test_two_way_pair_is_clean():
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 11, 3), DOC_BODY, "示政〔2026〕21号")
    interp = site.add("zcjd", 1, I_TITLE, date(2026, 11, 3), INTERP_BODY)
    site.link(doc, interp, "相关解读")
    site.link(interp, doc, "相关文件")
    result = run(site)
    assert result.findings == []
    assert result.report["interpretation"]["column_url"] == f"{SITE}zcjd/"
    assert result.report["interpretation"]["documents_checked"] == 1


def test_one_way_link_is_a_missing_backlink():
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 9, 22), DOC_BODY)
    interp = site.add("zcjd", 1, I_TITLE, date(2026, 9, 23), INTERP_BODY)
    site.link(doc, interp, "相关解读")
    result = run(site)
    (finding,) = result.findings
    assert finding.rule == "interpretation_backlink_missing"
    assert finding.urls == (interp, doc)
    assert result.report["interpretation"]["interpretations_without_backlink"] == [interp]


def test_document_without_any_interpretation():
    site = Site()
    site.add("zcjd", 1, I_TITLE, date(2026, 11, 3), INTERP_BODY)
    lonely = site.add(
        "zcwj",
        2,
        "示范县人民政府办公室关于印发《示范县城乡居民医疗保险实施细则》的通知",
        date(2026, 9, 1),
        DOC_BODY,
    )
    result = run(site)
    (finding,) = result.findings
    assert finding.rule == "interpretation_missing" and finding.severity == "deduction"
    assert result.report["interpretation"]["documents_without_interpretation"] == [lonely]


def test_pairing_by_title_without_links_reports_the_missing_link():
    site = Site()
    doc = site.add(
        "zcwj",
        1,
        "示范县人民政府办公室关于进一步优化营商环境的若干措施",
        date(2026, 10, 15),
        DOC_BODY,
    )
    site.add(
        "zcjd",
        1,
        "一图读懂示范县人民政府办公室关于进一步优化营商环境的若干措施",
        date(2026, 10, 16),
        INTERP_BODY,
    )
    result = run(site)
    assert [f.rule for f in result.findings] == ["interpretation_link_missing"]
    assert result.report["interpretation"]["documents_without_link"] == [doc]


def test_pairing_by_doc_number_in_the_interpretation_text():
    site = Site()
    doc = site.add(
        "zcwj",
        1,
        "示范县人民政府关于加强秸秆禁烧工作的意见",
        date(2026, 10, 12),
        DOC_BODY,
        "示政〔2026〕 7号",
    )
    body = ("近日，县政府印发了《意见》（示政[2026]7号），现就有关内容解读如下。", *INTERP_BODY)
    interp = site.add("zcjd", 1, "专家谈禁烧新规", date(2026, 10, 12), body)
    site.link(doc, interp, "解读")
    site.link(interp, doc, "原文")
    assert run(site).findings == []
    # Without links the 文号 alone still pairs them: the links are what is missing.
    site.links.clear()
    assert [f.rule for f in run(site).findings] == ["interpretation_link_missing"]


def test_copied_interpretation_is_detected_despite_a_shared_template():
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 8, 10), DOC_BODY)
    copied = ("近日，县政府印发相关文件，现解读如下：", *DOC_BODY[1:])
    interp = site.add("zcjd", 1, I_TITLE, date(2026, 8, 12), copied)
    site.link(doc, interp, "相关解读")
    site.link(interp, doc, "相关文件")
    result = run(site)
    (finding,) = result.findings
    assert finding.rule == "interpretation_copied"
    assert finding.evidence["jaccard"] >= 0.5
    assert result.report["interpretation"]["copied_interpretations"] == [interp]


def test_a_genuine_interpretation_is_not_a_copy():
    doc_text = main_text(html(TITLE, DOC_BODY))
    interp_text = main_text(html(I_TITLE, INTERP_BODY))
    sim = similarity(doc_text, interp_text, 4)
    assert sim.jaccard < 0.2 and sim.containment < 0.3


def test_two_pages_with_empty_bodies_do_not_look_copied():
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 8, 10), [])
    interp = site.add("zcjd", 1, I_TITLE, date(2026, 8, 10), [])
    site.link(doc, interp, "相关解读")
    site.link(interp, doc, "相关文件")
    assert run(site).findings == []


def test_late_interpretation_more_than_three_working_days():
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 7, 6), DOC_BODY)  # Monday
    late = site.add("zcjd", 1, I_TITLE, date(2026, 7, 14), INTERP_BODY)  # 6 working days
    site.link(doc, late, "相关解读")
    site.link(late, doc, "相关文件")
    (finding,) = run(site).findings
    assert finding.rule == "interpretation_late"
    assert finding.evidence["working_days"] == 6


def test_three_working_days_over_a_weekend_is_on_time():
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 8, 28), DOC_BODY)  # Friday
    interp = site.add("zcjd", 1, I_TITLE, date(2026, 9, 2), INTERP_BODY)  # Wednesday: 3 days
    site.link(doc, interp, "相关解读")
    site.link(interp, doc, "相关文件")
    assert run(site).findings == []


def test_no_interpretation_column():
    site = Site()
    site.add("zcwj", 1, TITLE, date(2026, 11, 3), DOC_BODY)
    result = run(site, with_interp_column=False)
    rules = sorted(f.rule for f in result.findings)
    assert rules == ["interpretation_column_missing", "interpretation_missing"]
    assert result.report["interpretation"]["column_url"] is None


def test_interpretation_linked_from_the_document_outside_the_column():
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 11, 3), DOC_BODY)
    elsewhere = f"{SITE}xwzx/t9.html"
    site.pages[elsewhere] = PageFact(
        url=elsewhere, id=99, title="图解：冬季供暖", published=date(2026, 11, 3)
    )
    site.html[elsewhere] = html("图解：冬季供暖", INTERP_BODY)
    site.link(doc, elsewhere, "图解")
    site.link(elsewhere, doc, "原文")
    assert run(site).findings == []


def test_old_documents_are_outside_the_lookback():
    site = Site()
    site.add("zcwj", 1, TITLE, date(2024, 1, 5), DOC_BODY)
    assert run(site).findings == []


def test_title_helpers():
    assert core_title("示范县人民政府关于进一步做好秋粮收购工作的通知") == "进一步做好秋粮收购工作"
    assert doc_number("关于X的通知（岚综管规〔2024〕8号）", None) == "岚综管规〔2024〕8号"
    page = PageFact(url=SITE, meta={"disclosure": {"发文字号": "示政 [2026] 21 号"}})
    assert doc_number("无文号标题", page) == "示政〔2026〕21号"


def test_forwarded_and_unfetched_documents_are_not_judged():
    site = Site()
    site.add(
        "zcwj",
        1,
        "示范县人民政府办公室关于转发《省政府关于加强安全生产的意见》的通知",
        date(2026, 10, 1),
        DOC_BODY,
    )
    # A higher-level document listed in the column but hosted elsewhere: never fetched.
    site.docs.append(
        ItemFact(
            title="国务院关于印发某某规划的通知",
            url="https://www.gov.cn/a.htm",
            published=date(2026, 10, 2),
        )
    )
    result = run(site)
    assert result.findings == []
    assert result.report["interpretation"]["documents_checked"] == 0


def test_an_interpretation_matching_several_documents_by_title_is_not_timed():
    site = Site()
    title = "示范县人民政府关于做好防汛抗旱工作的通知"
    site.add("zcwj", 1, title, date(2026, 3, 2), DOC_BODY)  # issued again each year
    site.add("zcwj", 2, title, date(2026, 6, 1), DOC_BODY)
    site.add("zcjd", 1, "关于做好防汛抗旱工作的通知的解读", date(2026, 6, 2), INTERP_BODY)
    rules = sorted(f.rule for f in run(site).findings)
    assert rules == ["interpretation_link_missing", "interpretation_link_missing"]
