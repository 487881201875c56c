"""Every finding message, formatted with the parameters its check really passes.

The checks run on hand-made facts that make every rule (and every variant wording) fire; the
real ``Reporter.add`` formats each message, so a placeholder the check does not fill fails here.
Every number that is a rule comes from the rubric, and the wording follows the severity the
rubric gives the rule.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, get_args

import pytest
import yaml

from govinspect.checks import tables
from govinspect.checks.facts import PageFact, UnitFacts
from govinspect.checks.facts_new_media import AccountFacts, PollFact, PostFact
from govinspect.checks.findings import Finding, Reporter
from govinspect.checks.rubric import RUBRICS, Rubric, Severity, parse_rubric
from govinspect.checks.run import evaluate
from tests.test_checks_availability import probes
from tests.test_checks_content_safety import message_scenarios as safety_scenarios
from tests.test_checks_dead_links import target
from tests.test_checks_disclosure import guide_facts, guide_html, policy_facts, reports
from tests.test_checks_fixtures import (
    AS_OF,
    FOOTER_OK,
    SITE,
    blank_column,
    column,
    county_rubric,
    crawl,
    department_rubric,
    facts,
    homepage,
    unit,
)
from tests.test_checks_interaction import message_scenarios as interaction_scenarios
from tests.test_checks_interpretation import DOC_BODY, I_TITLE, INTERP_BODY, TITLE, Site

FEED = "http://rsshub.example/weibo/1"


def rubric_data(category: str = "county") -> dict[str, Any]:
    return yaml.safe_load((RUBRICS / f"{category}.yaml").read_text(encoding="utf-8"))


def at(days_before: int) -> datetime:
    day = AS_OF - timedelta(days=days_before)
    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


def account(posts: tuple[int | None, ...], ok: bool = True) -> AccountFacts:
    return AccountFacts(
        name="示范县发布",
        platform="weibo",
        feed=FEED,
        posts=tuple(
            PostFact(published_at=at(n) if n is not None else None, title="通知", url=FEED)
            for n in posts
        ),
        polls=(PollFact(fetched_at=at(0), ok=ok, status=200 if ok else 503, error="HTTP 503"),),
    )


def policy_page(url: str, written: date, published: date, metadata: bool) -> PageFact:
    block = (
        {
            "索引号": "1",
            "发布机构": "x",
            "成文日期": written.isoformat(),
            "发文字号": "示政〔2026〕1号",
        }
        if metadata
        else {}
    )
    meta = {"disclosure": block, "written": written.isoformat()}
    return PageFact(url=url, title="关于X的通知", published=published, meta=meta)


def interpretation_sites() -> list[UnitFacts]:
    """Each interpretation rule once (the helpers of test_checks_interpretation)."""
    out = []
    missing = Site()  # a document without interpretation, and no interpretation column
    missing.add("zcwj", 1, TITLE, date(2026, 11, 3), DOC_BODY)
    out.append(missing.facts(with_interp_column=False))
    by_title = Site()  # paired by title only: the links are missing
    by_title.add(
        "zcwj",
        1,
        "示范县人民政府办公室关于进一步优化营商环境的若干措施",
        date(2026, 10, 15),
        DOC_BODY,
    )
    by_title.add(
        "zcjd", 1, "一图读懂示范县人民政府办公室关于进一步优化营商环境的若干措施",
        date(2026, 10, 16), INTERP_BODY,
    )  # fmt: skip
    out.append(by_title.facts())
    one_way = Site()  # the document links its interpretation, which copies it, late
    doc = one_way.add("zcwj", 1, TITLE, date(2026, 7, 6), DOC_BODY)
    copied = ("近日，县政府印发相关文件，现解读如下：", *DOC_BODY[1:])
    interp = one_way.add("zcjd", 1, I_TITLE, date(2026, 7, 14), copied)
    one_way.link(doc, interp, "相关解读")
    out.append(one_way.facts())
    return out


def scenarios() -> list[tuple[UnitFacts, Rubric, date]]:
    county = county_rubric()
    frequency = rubric_data()
    frequency["thresholds"]["new_media"]["min_posts_per_week"] = 3
    weekly = parse_rubric(frequency, "weekly")
    truncated = crawl(truncated={"max_pages": {"count": 1, "examples": []}})
    stale_columns = tuple(column(f"动态{n}", "news", 20) for n in range(5)) + tuple(
        column(f"人事{n}", "personnel", 400) for n in range(10)
    )
    other_columns = (
        *(blank_column(f"空白{n}") for n in range(5)),
        column("乡镇动态", "news", None, items=0, script_filled=True, record_count=27),
        column("便民服务", "other", None, items=8),
        column("工作动态", "news", None, items=4),  # undated: stale by the undated wording
        column("通知公告", "notice", 175),  # crosses its window within a week: warning
        reports([2018, 2019, 2022, 2023, 2024]),  # a gap, and the latest report missing
    )
    late_policy = policy_page(f"{SITE}p1.html", date(2026, 9, 1), date(2026, 11, 10), True)
    bare_policy = policy_page(f"{SITE}p2.html", date(2026, 11, 1), date(2026, 11, 2), False)
    footer = {**FOOTER_OK, "site_code": None, "icp": None, "police": None, "conac": False}
    return [
        # No crawl, too few probes, silent and broken new-media accounts.
        (
            facts(
                crawl=None,
                homepage=None,
                probes=probes(5),
                accounts=(account((20,)), account(()), account((40,), ok=False)),
            ),
            weekly,
            AS_OF,
        ),
        # A stale homepage, stale and blank columns, dead links, a site without a guide.
        (
            facts(
                crawl=replace(truncated, started_at=at(30)),
                homepage=homepage(AS_OF - timedelta(days=20), footer=footer),
                columns=stale_columns + other_columns,
                link_checks=(
                    target("a.html", "http_error", 404, home=True),
                    target("old/", "connection_refused"),
                    target("secret/", "blocked", 403),
                ),
                probes=probes(20, failures=7),
                accounts=(account((1, 2, 12, 16)),),
            ),
            weekly,
            AS_OF,
        ),
        # The homepage and its first-level columns undated; a few probe failures.
        (
            facts(
                unit=unit(website="http://www.sfx.com.cn/", site_code=None),
                homepage=PageFact(url="http://www.sfx.com.cn/", is_homepage=True, meta={}),
                columns=(column("要闻", "news", None, items=3),),
                probes=probes(20, failures=2),
                crawl=crawl(ipv6={"host": "www.sfx.com.cn", "aaaa": "no", "answered": "unknown"}),
            ),
            county,
            AS_OF,
        ),
        # The homepage about to go stale; an unreachable homepage footer; a loopback site;
        # warnings below the veto lines (3 blank columns, 4 % failed probes, a quiet account).
        (
            facts(
                unit=unit(website="http://127.0.0.1:8123/"),
                columns=tuple(blank_column(f"空白{n}") for n in range(3)),
                probes=probes(20, failures=5),
                accounts=(account((12,)),),
                homepage=homepage(
                    AS_OF - timedelta(days=12),
                    footer={
                        **FOOTER_OK,
                        "jiucuo_sitecode": "4102210099",
                        "jiucuo_src": "https://example.com/js/bug.js",
                    },
                    SiteIDCode="4102210009",
                ),
            ),
            county,
            AS_OF,
        ),
        (
            facts(homepage=PageFact(url=SITE, is_homepage=True, status=500, state="error")),
            county,
            AS_OF,
        ),
        (
            facts(
                unit=unit(site_code=None),
                homepage=homepage(footer={**FOOTER_OK, "jiucuo": False, "jiucuo_sitecode": None}),
            ),
            county,
            AS_OF,
        ),
        # The guide: outdated and incomplete; unreadable; a late department report; a list of
        # reports filled by script; policy documents late and without metadata.
        (guide_facts(guide_html(order="国务院令第492号", fax=False)), county, AS_OF),
        (guide_facts(None), county, AS_OF),
        (
            facts(columns=(reports(range(2020, 2026), published=(2, 3)),)),
            department_rubric(),
            AS_OF,
        ),
        (
            facts(columns=(column("年报", "annual_report", None, items=0, script_filled=True),)),
            county,
            AS_OF,
        ),
        (policy_facts({p.url: p for p in (late_policy, bare_policy)}), county, AS_OF),
        *((site, county, AS_OF) for site in interpretation_sites()),
        *((site, county, AS_OF) for site in interaction_scenarios()),
        *(
            (replace(facts(), unit=u.unit, safety=u.safety), county, date(2026, 11, 20))
            for u in safety_scenarios()
        ),
    ]


@pytest.fixture
def reported(monkeypatch) -> list[tuple[str, Finding]]:
    """(template key, finding) of every message the checks format, via the real reporter."""
    seen: list[tuple[str, Finding]] = []
    real = Reporter.add

    def add(self: Reporter, rule: str, **kwargs: Any) -> Finding:
        finding = real(self, rule, **kwargs)
        seen.append((kwargs.get("variant") or rule, finding))
        return finding

    monkeypatch.setattr(Reporter, "add", add)
    for unit_facts, rubric, as_of in scenarios():
        evaluate(unit_facts, as_of, rubric)
    return seen


def test_every_rule_message_formats_with_the_parameters_its_check_passes(reported):
    templates = set(tables.messages()["rules"]) | set(tables.messages()["variants"])
    used = {key for key, _ in reported}
    assert sorted(templates - used) == [], "no scenario makes these messages appear"
    for key, finding in reported:
        assert finding.message.strip(), key
        assert not re.search(r"[{}]", finding.message), (key, finding.message)


def test_every_rule_has_a_label_and_a_message():
    rubric = county_rubric()
    for rule in tables.rule_ids():
        assert rubric.rule(rule).label
        assert tables.messages()["rules"][rule].strip()


RULE_NUMBER = re.compile(r"\d+\s*(秒|天|个工作日|周|条|次|个|%)")


def test_messages_write_no_rule_number_of_their_own():
    """A number that is a rule comes from the rubric through a placeholder ("{limit} 个工作日")."""
    messages = tables.messages()
    for part in ("rules", "variants"):
        for key, text in messages[part].items():
            assert not RULE_NUMBER.search(text), (key, RULE_NUMBER.search(text))
            assert "否决" not in text, key  # the consequence is {severity_label}


def test_numbers_in_messages_follow_the_rubric(monkeypatch):
    data = rubric_data()
    data["thresholds"]["availability"]["timeout_ms"] = 20000
    data["thresholds"]["disclosure"]["publish_working_days"] = 15
    # A province that deducts for an unreachable site instead of failing it.
    data["rules"]["site_unreachable"].update(severity="deduction", deduct=6)
    rubric = parse_rubric(data, "city")
    unreachable = evaluate(facts(probes=probes(20, failures=7)), AS_OF, rubric).findings
    [finding] = [f for f in unreachable if f.rule == "site_unreachable"]
    assert "20 秒内未能打开" in finding.message and "15 秒" not in finding.message
    assert finding.severity == "deduction" and "（≥5.00%，扣分）" in finding.message
    # 18 working days (no holiday in between): late under a 15-day rule.
    late = policy_page(f"{SITE}p1.html", date(2026, 9, 1), date(2026, 9, 25), True)
    found = evaluate(policy_facts({late.url: late}), AS_OF, rubric).findings
    [finding] = [f for f in found if f.rule == "disclosure_late"]
    assert "超过 15 个工作日" in finding.message and "15 个工作日内公开" in finding.message


def test_every_severity_a_rubric_may_give_has_its_word():
    """A city that turns the availability veto into an early warning gets 预警 in the message."""
    assert set(get_args(Severity)) <= set(tables.tables()["labels"]["severities"])
    data = rubric_data()
    data["rules"]["site_unreachable"]["severity"] = "warning"
    for dimension in data["dimensions"]:
        for item in dimension["items"]:  # a warning never costs points: in no item
            item["rules"] = [r for r in item["rules"] if r != "site_unreachable"]
    rubric = parse_rubric(data, "city")
    found = evaluate(facts(probes=probes(20, failures=7)), AS_OF, rubric).findings
    [finding] = [f for f in found if f.rule == "site_unreachable"]
    assert finding.severity == "warning" and "（≥5.00%，预警）" in finding.message
