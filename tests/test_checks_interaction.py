"""互动交流 checks (checks/interaction.py) on hand-made facts; working days across holidays."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from govinspect.checks import interaction
from govinspect.checks.facts_interaction import (
    ConsultationFact,
    EntryFact,
    InteractionColumnFact,
    InteractionFacts,
    LetterFact,
)
from govinspect.checks.run import evaluate
from govinspect.checks.scoring import score_unit
from govinspect.checks.workdays import add_working_days, is_working_day, working_days_between
from tests.test_checks_fixtures import (
    AS_OF,
    SITE,
    by_rule,
    county_rubric,
    facts,
    healthy_interaction,
    unit,
)

LETTERS = f"{SITE}hdjl/xzxx/"
FULL = ("asked", "content", "replied", "unit")


def letter(n: int, asked: date, replied: date | None, **kw) -> LetterFact:
    base = {
        "url": f"{LETTERS}t{n}.html",
        "asked": asked,
        "replied": replied,
        "status": "replied" if replied else "pending",
        "reply_unit": "县政府办" if replied else None,
        "reply_shown": bool(replied),
        "column_url": LETTERS,
        "fields": FULL,
        "sources": ("detail",),
    }
    return LetterFact(**{**base, **kw})


def with_letters(*letters: LetterFact, columns=None) -> InteractionFacts:
    healthy = healthy_interaction()
    return replace(healthy, letters=letters, columns=columns or healthy.columns)


def judge(info: InteractionFacts, **kw):
    f = facts(interaction=info, **kw)
    result = interaction.check(f, AS_OF, county_rubric())
    return result.findings, result.report["interaction"]


def test_working_days_across_a_tiaoxiu_weekend_and_the_spring_festival():
    # 2026 Spring Festival: 15-23 February off; Saturday 14 and Saturday 28 February are worked.
    assert is_working_day(date(2026, 2, 14)) and is_working_day(date(2026, 2, 28))
    assert not is_working_day(date(2026, 2, 16)) and not is_working_day(date(2026, 2, 23))
    # Asked Friday 13 February, answered Wednesday 25 February: 14 (Sat, 调休), 24, 25.
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 25)) == 3
    assert add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    late = letter(1, date(2026, 2, 13), date(2026, 2, 25))
    figures = interaction.latency((late,), date(2026, 3, 1), 365, 5)
    assert figures["median_working_days"] == 3.0 and figures["within_limit_share"] == 1.0


def test_three_months_counted_in_calendar_months():
    assert interaction.add_months(date(2026, 8, 31), 3) == date(2026, 11, 30)
    assert interaction.add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert interaction.add_months(date(2026, 11, 20), -2) == date(2026, 9, 20)


def test_unanswered_and_late_letters_are_the_veto_and_nothing_else():
    info = with_letters(
        letter(1, AS_OF - timedelta(days=5), AS_OF - timedelta(days=3)),  # in time
        letter(2, date(2026, 7, 10), None),  # unanswered for more than 3 months: veto
        letter(3, date(2026, 8, 21), None),  # unanswered, but not yet 3 months (deadline 11-21)
        letter(4, date(2026, 3, 2), date(2026, 6, 15)),  # answered late: veto
        letter(5, date(2025, 9, 1), None),  # asked before the year: out of the window
        letter(6, date(2026, 5, 1), None, status="replied", status_text="已办结"),  # answered
    )
    findings, section = judge(info)
    letters = section["letters"]
    assert letters["unanswered"] == [
        {"url": f"{LETTERS}t4.html", "asked": "2026-03-02", "replied": "2026-06-15", "days": 105},
        {"url": f"{LETTERS}t2.html", "asked": "2026-07-10", "replied": None, "days": 133},
    ]
    veto = by_rule(findings, "interaction_unanswered")
    assert len(veto) == 1 and veto[0].severity == "veto" and veto[0].indicator == "互动回应差"
    assert veto[0].count == 2
    assert letters["newest_reply"] == (AS_OF - timedelta(days=3)).isoformat()
    assert letters["messages"] == 6 and letters["script_filled"] is False
    # Not yet late: the fact the early warning (预警) rests on.
    assert letters["pending"] == [
        {
            "url": f"{LETTERS}t3.html",
            "asked": "2026-08-21",
            "deadline": "2026-11-21",
            "days_left": 1,
        }
    ]
    # The 已办结 letter without a reply date lacks 答复时间 and 答复单位/答复内容.
    assert letters["missing_fields"] == [
        {"url": f"{LETTERS}t6.html", "fields": ["答复时间", "答复单位", "答复内容"]}
    ]
    assert [f.rule for f in findings if f.severity != "notice"] == [
        "interaction_unanswered",
        "interaction_warning",  # t3: one day before its deadline
        "interaction_fields_missing",
    ]


def test_no_new_reply_in_two_months_is_a_deduction():
    info = with_letters(letter(1, date(2026, 9, 1), date(2026, 9, 3)))
    findings, section = judge(info)
    assert section["letters"]["newest_reply"] == "2026-09-03"
    (found,) = by_rule(findings, "interaction_no_recent_reply")
    assert found.severity == "deduction"
    info = with_letters(letter(1, date(2026, 9, 18), date(2026, 9, 21)))
    assert not by_rule(judge(info)[0], "interaction_no_recent_reply")


def test_registry_key_reply_limit_working_days():
    from govinspect.errors import ConfigError
    from govinspect.registry import parse_registry

    entry = {"id": "a", "name": "甲", "category": "county", "website": "http://a.gov.cn/"}
    registry = parse_registry({"units": [{**entry, "reply_limit_working_days": 3}]})
    assert registry.units[0].reply_limit_working_days == 3
    assert parse_registry({"units": [entry]}).units[0].reply_limit_working_days is None
    with pytest.raises(ConfigError, match="reply_limit_working_days"):
        parse_registry({"units": [{**entry, "reply_limit_working_days": 0}]})


def test_latency_uses_the_registry_limit_and_is_a_notice():
    info = with_letters(
        letter(1, date(2026, 11, 2), date(2026, 11, 4)),  # 2 working days
        letter(2, date(2026, 11, 2), date(2026, 11, 10)),  # 6
        letter(3, date(2026, 11, 2), date(2026, 11, 16)),  # 10
    )
    findings, section = judge(info)
    assert section["letters"]["latency"] == {
        "median_working_days": 6.0,
        "within_limit_share": round(1 / 3, 4),
        "limit": 5,
    }
    (slow,) = by_rule(findings, "interaction_reply_slow")
    assert slow.severity == "notice" and slow.count == 2
    findings, section = judge(info, unit=replace(unit(), reply_limit_working_days=10))
    assert section["letters"]["latency"]["limit"] == 10
    assert section["letters"]["latency"]["within_limit_share"] == 1.0
    assert not by_rule(findings, "interaction_reply_slow")


def test_script_filled_letters_are_unknown_never_no_messages():
    column = InteractionColumnFact("letters", LETTERS, "县长信箱", script_filled=True)
    info = replace(healthy_interaction(), letters=(), columns=(column,))
    findings, section = judge(info)
    assert section["letters"]["script_filled"] is True
    assert section["letters"]["messages"] == 0
    assert [f.rule for f in findings] == ["interaction_letters_unknown"]
    assert by_rule(findings, "interaction_letters_unknown")[0].severity == "notice"


def consultation(n: int, start: date | None, end: date | None, **kw) -> ConsultationFact:
    base = {
        "url": f"{SITE}hdjl/yjzj/t{n}.html",
        "title": f"关于《示范县第{n}号管理办法》公开征求意见的公告",
        "start": start,
        "end": end,
        "published": start,
        "detail_seen": True,
    }
    return ConsultationFact(**{**base, **kw})


def test_consultation_problems_and_feedback_by_link_or_topic():
    feedback_page = EntryFact(f"{SITE}hdjl/yjzj/t9.html", "《示范县第4号管理办法》征求意见采纳情况")
    info = replace(
        healthy_interaction(),
        consultations=(
            consultation(1, None, None, published=date(2026, 10, 1)),  # no dates
            consultation(2, date(2026, 9, 15), date(2026, 9, 25)),  # 10 days, no feedback
            consultation(3, date(2026, 3, 2), date(2026, 4, 1)),  # 30 days, no feedback
            consultation(4, date(2026, 6, 1), date(2026, 7, 1)),  # feedback by topic
            consultation(5, date(2026, 11, 10), date(2026, 12, 10)),  # running
            consultation(6, date(2026, 5, 1), date(2026, 5, 31), feedback_urls=("https://x/f",)),
            consultation(7, date(2025, 10, 1), date(2025, 10, 31)),  # before the year
            consultation(8, None, None, detail_seen=False, published=date(2026, 8, 1)),
        ),
        feedback=(feedback_page,),
    )
    findings, section = judge(info)
    problems = {row["url"].rsplit("/", 1)[1]: row["problems"] for row in section["consultations"]}
    assert problems == {
        "t1.html": ["no_dates"],
        "t2.html": ["too_short", "no_feedback"],
        "t3.html": ["no_feedback"],
        "t4.html": [],
        "t5.html": [],
        "t6.html": [],
        "t8.html": [],  # seen on its list only: its period is unknown, not missing
    }
    rows = {row["url"].rsplit("/", 1)[1]: row for row in section["consultations"]}
    assert rows["t4.html"]["feedback_url"] == feedback_page.url
    assert rows["t2.html"]["days"] == 10 and rows["t1.html"]["days"] is None
    counts = {f.rule: (f.severity, f.count) for f in findings}
    assert counts["consultation_no_dates"] == ("deduction", 1)
    assert counts["consultation_too_short"] == ("deduction", 1)
    assert counts["consultation_no_feedback"] == ("deduction", 2)
    assert "consultation_none" not in counts


def test_minimum_length_per_draft_type():
    rubric = county_rubric()
    t = rubric.thresholds.interaction.model_copy(
        update={"consultation_min_days_by_type": {"规范性文件": 15}}
    )
    item = consultation(1, date(2026, 10, 25), date(2026, 11, 14), draft_type="规范性文件")
    assert interaction.consultation_problems(item, AS_OF, t, InteractionFacts()) == []
    other = replace(item, draft_type=None)
    assert interaction.consultation_problems(other, AS_OF, t, InteractionFacts()) == ["too_short"]


def test_interviews_counted_in_the_year():
    info = replace(
        healthy_interaction(),
        interviews=(
            EntryFact(f"{SITE}hdjl/zxft/t1.html", "访谈一", date(2025, 10, 1)),
            EntryFact(f"{SITE}hdjl/zxft/t2.html", "访谈二", date(2025, 6, 1)),
        ),
    )
    findings, section = judge(info)
    assert section["interviews"] == {
        "column_url": f"{SITE}hdjl/zxft/",
        "count_365d": 0,
        "newest": "2025-10-01",
    }
    (found,) = by_rule(findings, "interview_none")
    assert found.severity == "deduction"


def test_scores_of_the_interaction_dimension_by_hand():
    info = with_letters(
        letter(1, date(2026, 7, 10), None),  # veto
        letter(2, date(2026, 9, 1), date(2026, 9, 3), reply_unit=None),  # lacks 答复单位
    )
    info = replace(
        info,
        consultations=(consultation(2, date(2026, 9, 15), date(2026, 9, 25)),),
        interviews=(),
    )
    f = facts(interaction=info)
    result = evaluate(f, AS_OF, county_rubric())
    score = score_unit(list(enumerate(result.findings, start=1)), county_rubric())
    dim = next(d for d in score.dimensions if d.name == "互动交流")
    # 留言答复 6: vetoed, and 3 for no reply since 2026-09-20; 要素 3 - 0.5;
    # 意见征集 4 - 1 (10 days) - 1 (no feedback); 在线访谈 2 - 2.
    assert [i["score"] for i in dim.items] == [3, 2.5, 2, 0]
    assert [i["status"] for i in dim.items] == ["failed", "deducted", "deducted", "deducted"]
    assert dim.score == pytest.approx(7.5)
    assert score.failed is True and len(score.vetoes) == 1


def message_scenarios() -> list:
    """Facts on which every interaction rule fires (for tests/test_rule_messages.py)."""
    everything = replace(
        with_letters(
            letter(1, date(2026, 7, 10), None),  # unanswered
            letter(2, date(2026, 8, 3), date(2026, 8, 28), reply_unit=None),  # slow, lacking
            letter(3, date(2026, 8, 25), None),  # its 3-month deadline is 5 days away: 预警
        ),
        consultations=(
            consultation(1, None, None, published=date(2026, 10, 1)),
            consultation(2, date(2026, 9, 15), date(2026, 9, 25)),
        ),
        interviews=(),
    )
    empty = InteractionFacts()  # no column at all: letters unknown, no consultation
    return [facts(interaction=everything), facts(interaction=empty)]


def test_letters_nearing_their_deadline_are_warned_about():
    """预警 below the 互动回应差 veto: an unanswered letter within 14 days of its 3 months."""
    near = letter(1, date(2026, 8, 25), None)  # deadline 2026-11-25: 5 days after as-of
    far = letter(2, date(2026, 9, 10), None)  # deadline 2026-12-10: 20 days
    answered = letter(3, date(2026, 8, 24), AS_OF - timedelta(days=1))
    found, report = judge(with_letters(near, far, answered))
    (warning,) = [f for f in found if f.rule == "interaction_warning"]
    assert warning.severity == "warning" and warning.urls == (near.url,)
    assert "2026-11-25" in warning.message and "互动回应差（单项否决）" in warning.message
    assert [x["url"] for x in report["letters"]["pending"]] == [near.url, far.url]
    assert not [f for f in found if f.rule == "interaction_unanswered"]
    _, quiet = judge(with_letters(far, answered))
    assert not [f for f in judge(with_letters(far, answered))[0] if f.rule == "interaction_warning"]
    assert quiet["letters"]["pending"][0]["days_left"] == 20
