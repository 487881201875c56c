"""The new-media update check on hand-made facts, and the loader on a temporary store."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import yaml

from govinspect.checks import new_media
from govinspect.checks.facts import UnitFacts
from govinspect.checks.facts_new_media import load_account_facts
from govinspect.checks.new_media import (
    AccountFacts,
    NewMediaRules,
    PollFact,
    PostFact,
    check_account,
    check_accounts,
    local_day,
)
from govinspect.checks.rubric import RUBRICS, load_rubric, parse_rubric
from govinspect.checks.timeutil import SHANGHAI
from govinspect.registry import parse_registry
from govinspect.store.db import open_store
from govinspect.store.models import Account, FeedPoll, FeedPost, Run
from govinspect.store.units import sync_registry
from tests.test_checks_fixtures import unit

AS_OF = date(2026, 11, 20)
RULES = NewMediaRules.packaged()
EXPORT_KEYS = {"name", "platform", "feed", "last_post", "stale", "error"}


def at(day: date, hour: int = 10) -> datetime:
    """10:00 Shanghai time on ``day``, as aware UTC."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI).astimezone(UTC)


def days_before(n: int) -> date:
    return AS_OF - timedelta(days=n)


def post(n: int | None, title: str = "", url: str | None = None) -> PostFact:
    """A post ``n`` days before as-of (None: undated)."""
    return PostFact(
        published_at=at(days_before(n)) if n is not None else None,
        title=title or (f"{n}天前的文章" if n is not None else "无日期文章"),
        url=url or f"http://mp.example/{n}",
    )


def ok_poll(n: int = 0, **kw: Any) -> PollFact:
    return PollFact(fetched_at=at(days_before(n), 2), ok=True, status=200, **kw)


def failed_poll(n: int = 0, error: str = "HTTP 503 Service Unavailable") -> PollFact:
    return PollFact(fetched_at=at(days_before(n), 2), ok=False, status=503, error=error)


def account(
    posts: list[PostFact], polls: list[PollFact] | None = None, name: str = "示范县发布"
) -> AccountFacts:
    return AccountFacts(
        name=name,
        platform="wechat",
        feed="http://rsshub.example/wechat/sfx",
        posts=tuple(posts),
        polls=tuple(polls if polls is not None else [ok_poll()]),
    )


def judge(facts: AccountFacts, rules: NewMediaRules = RULES):
    return check_account(facts, AS_OF, rules)


def rubric_with(severities: dict[str, str] | None = None, **new_media_thresholds: Any):
    """The packaged county rubric with other new-media thresholds or rule severities."""
    data = yaml.safe_load((RUBRICS / "county.yaml").read_text(encoding="utf-8"))
    data["thresholds"]["new_media"].update(new_media_thresholds)
    for rule, severity in (severities or {}).items():
        data["rules"][rule]["severity"] = severity
    return parse_rubric(data, "test")


def findings(facts: AccountFacts, rubric=None):
    """The unit-level findings of one account, worded and graded by the rubric."""
    rubric = rubric or load_rubric(None, "county")
    return new_media.check(UnitFacts(unit=unit(), accounts=(facts,)), AS_OF, rubric).findings


def rules_of(result) -> list[str]:
    return [f.rule for f in result.findings]


# --------------------------------------------------------------------------------------------
# the 14-day rule
# --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("days", "stale"), [(0, False), (13, False), (14, False), (15, True)])
def test_stale_edges(days, stale):
    result = judge(account([post(days, "最新"), post(days + 3)]))
    assert result.stale is stale
    assert result.last_post == days_before(days)
    assert result.days_since_last_post == days
    assert result.error is None
    assert rules_of(result) == (["new_media_stale"] if stale else [])


def test_veto_names_the_post_and_its_date():
    [finding] = findings(account([post(15, "秋季防火通知", "http://mp.example/a1"), post(30)]))
    assert finding.check == "new_media" and finding.rule == "new_media_stale"
    assert finding.indicator == "政务新媒体内容不更新"
    assert finding.severity == "veto"
    assert "「示范县发布」（微信公众号）" in finding.message and "2026-11-05" in finding.message
    assert "《秋季防火通知》" in finding.message and "已 15 天" in finding.message
    assert "超过 14 天未更新（单项否决）" in finding.message
    assert finding.urls == ("http://rsshub.example/wechat/sfx", "http://mp.example/a1")
    evidence = finding.evidence
    assert evidence["last_post"]["date"] == "2026-11-05"
    assert evidence["last_post"]["title"] == "秋季防火通知"
    assert evidence["days_since_last_post"] == 15 and evidence["stale_days"] == 14
    assert evidence["account"] == "示范县发布" and evidence["platform"] == "wechat"


def test_wording_follows_the_severity_the_rubric_sets():
    # A province that only deducts for a silent account: the message must not say 单项否决.
    rubric = rubric_with({"new_media_stale": "notice"})
    [finding] = findings(account([post(15, "秋季防火通知")]), rubric)
    assert finding.severity == "notice"
    assert "（提示）" in finding.message and "单项否决" not in finding.message
    [empty] = findings(account([], [ok_poll(0, entries=0)]), rubric)
    assert "（提示）" in empty.message and "单项否决" not in empty.message


def test_stale_days_come_from_the_rubric():
    rubric = rubric_with(stale_days=7)
    [finding] = findings(account([post(8, "旧闻")]), rubric)
    assert "超过 7 天未更新" in finding.message and "至少每 7 天更新一次" in finding.message
    assert findings(account([post(8)])) == []  # the packaged 14 days


def test_days_are_shanghai_calendar_days():
    # 2026-11-05 17:30 UTC is 2026-11-06 01:30 in Shanghai: 14 days before as-of, not 15.
    late = PostFact(published_at=datetime(2026, 11, 5, 17, 30, tzinfo=UTC), title="深夜")
    result = judge(account([late]))
    assert result.last_post == date(2026, 11, 6) and not result.stale
    assert local_day(datetime(2026, 11, 5, 15, 59)) == date(2026, 11, 5)  # naive = UTC


def test_posts_after_as_of_do_not_count():
    result = judge(account([post(-2, "未来"), post(20)]))
    assert result.last_post == days_before(20) and result.stale


def test_304_polls_count_as_successful():
    polls = [PollFact(fetched_at=at(AS_OF, 2), ok=True, not_modified=True, status=304)]
    assert judge(account([post(20)], polls)).stale


def test_a_poll_one_day_before_as_of_still_covers_it():
    assert judge(account([post(20)], [ok_poll(1)])).stale
    late = judge(account([post(20)], [ok_poll(2)]))
    assert late.state == "unknown" and not late.stale


def test_polls_after_as_of_are_evidence():
    # The demo case: polled a week after the monitoring point.
    result = judge(account([post(23), post(25)], [ok_poll(-7)]))
    assert result.stale and result.last_post == days_before(23)


# --------------------------------------------------------------------------------------------
# unknown: never stale
# --------------------------------------------------------------------------------------------
def test_all_polls_failed_cannot_be_checked():
    polls = [
        failed_poll(0, "HTTP 503 Service Unavailable"),
        failed_poll(1, "timeout after 20 s"),
        failed_poll(2, "HTTP 503 Service Unavailable"),
        failed_poll(30, "old error"),
    ]
    result = judge(account([post(40)], polls))
    assert result.state == "unknown" and not result.stale
    assert result.last_post == days_before(40)
    assert "2026-11-06以来的3次订阅源采集均失败" in result.error
    assert "HTTP 503 Service Unavailable; timeout after 20 s" in result.error
    assert "old error" not in result.error
    [notice] = findings(account([post(40)], polls))
    assert notice.severity == "notice" and notice.rule == "new_media_unknown"
    assert "无法检查" in notice.message and "不计为未更新" in notice.message
    assert result.error in notice.message
    assert [e["error"] for e in notice.evidence["failed_polls"]] == [
        "HTTP 503 Service Unavailable",
        "timeout after 20 s",
        "HTTP 503 Service Unavailable",
    ]


def test_no_poll_in_the_window_cannot_be_checked():
    result = judge(account([post(40)], [ok_poll(20)]))
    assert result.state == "unknown" and "2026-11-06以来没有订阅源采集记录" in result.error


def test_feed_failing_since_an_earlier_success_cannot_be_checked():
    polls = [failed_poll(0), failed_poll(2), ok_poll(5)]
    result = judge(account([post(20)], polls))
    assert result.state == "unknown" and not result.stale
    assert result.error.startswith("订阅源自2026-11-15以来未能成功采集：HTTP 503")


def test_recent_post_is_proof_even_when_the_feed_now_fails():
    polls = [failed_poll(0), ok_poll(3)]
    result = judge(account([post(3)], polls))
    assert result.state == "ok" and result.findings == []


def test_bozo_poll_with_entries_is_checked():
    polls = [ok_poll(0, bozo="SAXParseException: not well-formed", entries=2)]
    assert judge(account([post(2), post(4)], polls)).state == "ok"
    stale = judge(account([post(16)], polls))
    assert stale.stale and rules_of(stale) == ["new_media_stale"]


def test_only_undated_posts_cannot_be_checked():
    result = judge(account([post(None), post(None, "另一篇")]))
    assert result.state == "unknown" and not result.stale
    assert result.undated_posts == 2 and result.last_post is None
    assert "没有发布日期" in result.error


def test_undated_posts_do_not_prove_an_update():
    result = judge(account([post(None), post(20)]))
    assert result.stale and result.undated_posts == 1
    assert result.findings[0].evidence["undated_posts"] == 1


def test_history_starting_after_as_of_cannot_be_checked():
    result = judge(account([post(-1), post(-3)], [ok_poll(-5)]))
    assert result.state == "unknown" and "均晚于监测时间点" in result.error


def test_working_feed_without_posts_is_stale():
    result = judge(account([], [ok_poll(0, entries=0)]))
    assert result.stale and result.last_post is None
    [finding] = findings(account([], [ok_poll(0, entries=0)]))
    assert finding.severity == "veto" and finding.evidence["last_post"] is None
    assert "没有任何已发布内容" in finding.message and "（单项否决）" in finding.message


# --------------------------------------------------------------------------------------------
# figures and the weekly frequency rule
# --------------------------------------------------------------------------------------------
def test_figures():
    posts = [post(n) for n in (0, 2, 6, 7, 30, 50, 100)]
    result = judge(account(posts))
    assert result.posts_last_7_days == 3  # days 0, 2, 6
    # The quarter is the rubric's frequency.quarter_days (90 days up to as-of).
    assert result.period_from == days_before(89)
    assert result.posts_per_week == round(6 * 7 / 90, 2)  # day 100 is before the quarter
    # Gaps: period start(89)->50 = 39, 50->30 = 20, 30->7 = 23, ...
    assert result.longest_gap_days == 39
    assert result.longest_gap == (days_before(89), days_before(50))


def test_open_gap_to_as_of_counts():
    result = judge(account([post(n) for n in (20, 21, 22)]))
    assert result.longest_gap_days == 20 and result.longest_gap == (days_before(20), AS_OF)


def test_figures_use_only_the_history_on_record():
    result = judge(account([post(n) for n in range(0, 21)]))  # history starts 20 days ago
    assert result.period_from == days_before(20)
    assert result.posts_per_week == 7.0
    assert result.longest_gap_days == 1


def test_several_posts_a_day_count_as_posts():
    posts = [post(1, "早"), post(1, "晚"), post(3)]
    assert judge(account(posts)).posts_last_7_days == 3


def test_frequency_rule_is_off_by_default():
    result = judge(account([post(0), post(12), post(30)]))
    assert rules_of(result) == []


def test_frequency_rule_judges_full_weeks_on_record():
    posts = [post(n) for n in (0, 3, 12, 16, 24, 27)]  # on record from day 27: 4 full weeks
    assert judge(account(posts), replace(RULES, min_posts_per_week=1)).findings == []
    assert findings(account(posts), rubric_with(min_posts_per_week=1)) == []
    [finding] = findings(account(posts), rubric_with(min_posts_per_week=2))
    assert finding.rule == "new_media_frequency" and finding.severity == "notice"
    assert finding.indicator == "政务新媒体更新频率不足" and finding.count == 2
    assert "4 周中，有 2 周发布少于 2 条" in finding.message and "（提示）" in finding.message
    evidence = finding.evidence
    assert evidence["weeks_checked"] == 4 and evidence["count"] == 2
    assert [(w["from"], w["posts"]) for w in evidence["short_weeks"]] == [
        ("2026-11-07", 1),
        ("2026-10-31", 1),
    ]


def test_frequency_rule_finds_a_silent_week():
    rubric = rubric_with(min_posts_per_week=1)
    posts = [post(n) for n in (1, 5, 15, 16, 20, 22, 30)]  # nothing in days 7..13
    [finding] = [f for f in findings(account(posts), rubric) if f.rule == "new_media_frequency"]
    assert finding.evidence["short_weeks"] == [
        {"from": "2026-11-07", "to": "2026-11-13", "posts": 0}
    ]
    assert finding.evidence["weeks_checked"] == 4
    assert "每周至少发布 1 条" in finding.message


def test_frequency_rule_with_stale_account_adds_to_the_veto():
    rules = replace(RULES, min_posts_per_week=3)
    result = judge(account([post(n) for n in (16, 17, 18, 19)]), rules)
    assert rules_of(result) == ["new_media_stale", "new_media_frequency"]


def test_frequency_rule_is_not_judged_when_unknown():
    rules = replace(RULES, min_posts_per_week=1)
    result = judge(account([post(30), post(40)], [failed_poll(0)]), rules)
    assert rules_of(result) == ["new_media_unknown"]


# --------------------------------------------------------------------------------------------
# rules and export
# --------------------------------------------------------------------------------------------
def test_rules_come_from_the_rubric_only():
    rubric = load_rubric(None, "county")
    assert NewMediaRules.of(rubric) == RULES
    assert (RULES.stale_days, RULES.window_days, RULES.recent_days) == (14, 14, 7)
    assert RULES.poll_grace_days == 1 and RULES.min_posts_per_week is None
    # One quarter for every figure: the columns' and the accounts'.
    assert RULES.period_days == rubric.thresholds.frequency.quarter_days == 90
    assert NewMediaRules.of(rubric_with(min_posts_per_week=1)).min_posts_per_week == 1


def test_custom_stale_days():
    assert judge(account([post(8)]), replace(RULES, stale_days=7)).stale


def test_export_keeps_the_contract_keys():
    results = check_accounts(
        [account([post(15)]), account([], [failed_poll()], name="抖音")], AS_OF
    )
    stale, unknown = (r.export() for r in results)
    assert set(stale) >= EXPORT_KEYS
    assert stale["last_post"] == "2026-11-05" and stale["stale"] is True
    assert stale["error"] is None
    assert unknown["stale"] is False and "采集均失败" in unknown["error"]
    assert unknown["last_post"] is None and unknown["state"] == "unknown"
    assert {"posts_last_7_days", "longest_gap_days", "posts_per_week"} <= set(stale)


def test_check_accounts_keeps_order_and_uses_default_rules():
    facts = [account([post(1)], name="甲"), account([post(20)], name="乙")]
    assert [(r.name, r.stale) for r in check_accounts(facts, AS_OF)] == [
        ("甲", False),
        ("乙", True),
    ]


# --------------------------------------------------------------------------------------------
# the loader
# --------------------------------------------------------------------------------------------
@pytest.fixture
def store(db_url):
    """SQLite and PostgreSQL (skipped when the server is absent)."""
    s = open_store(db_url)
    yield s
    s.dispose()


def test_load_account_facts(store):
    registry = parse_registry(
        {
            "units": [
                {
                    "id": "town",
                    "name": "示范县",
                    "category": "county",
                    "website": "http://www.x.gov.cn/",
                    "new_media": [
                        {"name": "甲", "platform": "wechat", "feed": "http://rss.example/a"},
                        {"name": "乙", "platform": "douyin", "feed": "http://rss.example/b"},
                    ],
                }
            ]
        }
    )
    sync_registry(store, registry)
    with store.session() as session:
        accounts = {a.name: a.id for a in session.query(Account)}
        run = Run(kind="feeds", unit_id="town")
        session.add(run)
        session.flush()
        old = FeedPoll(
            run_id=run.id,
            account_id=accounts["甲"],
            fetched_at=at(days_before(30)),
            ok=True,
            status=200,
            entries=1,
        )
        new = FeedPoll(
            run_id=run.id,
            account_id=accounts["甲"],
            fetched_at=at(days_before(-3)),
            ok=True,
            not_modified=True,
            status=304,
            entries=1,
        )
        failed = FeedPoll(
            run_id=run.id,
            account_id=accounts["乙"],
            fetched_at=at(AS_OF),
            ok=False,
            status=404,
            error="HTTP 404 Not Found",
        )
        session.add_all([old, new, failed])
        session.flush()
        session.add_all(
            [
                FeedPost(
                    account_id=accounts["甲"],
                    guid="g1",
                    title="旧",
                    url="http://x/1",
                    published_at=at(days_before(40)),
                    first_seen_at=old.fetched_at,
                    first_poll_id=old.id,
                ),
                FeedPost(
                    account_id=accounts["甲"],
                    guid="g2",
                    title="无日期",
                    published_at=None,
                    first_seen_at=old.fetched_at,
                    first_poll_id=old.id,
                ),
            ]
        )
    # 乙 leaves the registry: inactive accounts are not loaded.
    facts = load_account_facts(store, "town", AS_OF, window_days=14)
    assert [f.name for f in facts] == ["甲", "乙"]
    a, b = facts
    assert a.platform == "wechat" and a.feed == "http://rss.example/a" and a.unit_id == "town"
    assert len(a.posts) == 2 and all(p.first_seen_at.tzinfo for p in a.posts)
    assert {p.published_at for p in a.posts} == {at(days_before(40)), None}
    assert [p.not_modified for p in a.polls] == [True]  # the 30-day-old poll is outside
    assert b.polls[0].error == "HTTP 404 Not Found" and b.posts == ()

    results = {r.name: r for r in check_accounts(facts, AS_OF)}
    assert results["甲"].stale and results["甲"].undated_posts == 1
    assert results["乙"].state == "unknown" and "HTTP 404" in results["乙"].error

    sync_registry(
        store,
        parse_registry(
            {
                "units": [
                    {
                        "id": "town",
                        "name": "示范县",
                        "category": "county",
                        "website": "http://www.x.gov.cn/",
                        "new_media": [
                            {"name": "甲", "platform": "wechat", "feed": "http://rss.example/a"}
                        ],
                    }
                ]
            }
        ),
    )
    assert [f.name for f in load_account_facts(store, "town", AS_OF)] == ["甲"]
    assert load_account_facts(store, "nobody", AS_OF) == []
    # Without a window every poll is loaded.
    assert len(load_account_facts(store, "town", AS_OF)[0].polls) == 2
