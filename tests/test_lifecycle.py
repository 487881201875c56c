"""The finding lifecycle as pure functions: keys, states, bases, operators' actions."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from govinspect.checks.findings import Finding, normalise_subject
from govinspect.checks.lifecycle import (
    Basis,
    State,
    advance,
    apply_action,
    finding_key,
    keyed,
)
from govinspect.checks.rubric import load_rubric, parse_rubric
from govinspect.errors import ConfigError

RUBRIC = load_rubric(None, "county")
DAY = date(2026, 11, 20)


def dead(url: str, status: int = 404) -> Finding:
    return Finding(
        check="dead_links",
        rule="dead_link_other",
        indicator="其他页面不可用链接",
        severity="deduction",
        message=f"链接无法访问：{url}",
        urls=(url,),
        subject=url,
        fingerprint={"outcome": "http_error", "status": status},
    )


def crawl(n: int, complete: bool = True) -> Basis:
    return Basis("crawl", f"2026-11-{n:02d}T00:00:00+00:00#{n:010d}", complete, {"run": n})


def step(states, findings, basis, day=DAY, rubric=RUBRIC):
    out = advance(states, keyed("u", findings), lambda check, subject: basis, day, rubric)
    return {**states, **out.changed}, out


def test_keys_are_stable_and_subjects_normalised():
    assert normalise_subject("HTTP://WWW.Example.gov.cn:80/a?x=1#top") == (
        "http://www.example.gov.cn/a?x=1"
    )
    assert normalise_subject("https://a.gov.cn:8443") == "https://a.gov.cn:8443/"
    assert normalise_subject(" column:政务要闻 ") == "column:政务要闻"
    one = finding_key("u", "dead_link_other", "http://a/x")
    assert one == finding_key("u", "dead_link_other", "http://a/x")
    assert one.startswith("u:") and len(one) == 14
    assert one != finding_key("u", "dead_link_homepage", "http://a/x")
    # The same subject twice in one run gets distinct keys, deterministically.
    twice = keyed("u", [dead("http://a/x"), dead("http://a/x")])
    assert [k for k, _ in twice] == [one, f"{one}#2"]


def test_new_open_fixed_reopened():
    states, out = step({}, [dead("http://a/1"), dead("http://a/2")], crawl(1))
    assert {s.state.status for s in out.seen} == {"new"}
    assert [e.action for e in out.events] == ["new", "new"]
    states, out = step(states, [dead("http://a/1"), dead("http://a/2")], crawl(2), DAY)
    assert {s.state.status for s in out.seen} == {"open"} and out.events == []
    # /1 is gone from a newer complete crawl: fixed; /2 stays open with its first_seen.
    states, out = step(states, [dead("http://a/2")], crawl(3), DAY + timedelta(days=1))
    (fixed,) = out.fixed
    assert fixed.subject == "http://a/1" and fixed.fixed_on == DAY + timedelta(days=1)
    assert [e.action for e in out.events] == ["fixed"]
    assert out.seen[0].state.first_seen == DAY
    states, out = step(states, [dead("http://a/1"), dead("http://a/2")], crawl(4))
    assert out.seen[0].state.status == "reopened" and out.seen[0].state.fixed_on is None
    assert [e.action for e in out.events] == ["reopened"]


def test_an_incomplete_or_not_newer_crawl_fixes_nothing():
    states, _ = step({}, [dead("http://a/1")], crawl(2))
    for basis in (crawl(3, complete=False), crawl(2), crawl(1), None):
        after, out = step(states, [], basis)
        assert out.fixed == [] and after == states


def test_probe_and_feed_findings_follow_their_own_facts():
    down = Finding(
        "availability",
        "availability_failures",
        "首页访问失败",
        "deduction",
        "失败",
        subject="http://a/",
    )
    window = Basis("probes", "2026-11-19", True)
    states, _ = step({}, [down], window)
    _, out = step(states, [], Basis("probes", "2026-11-19", True))
    assert out.fixed == []  # the same window again
    _, out = step(states, [], Basis("probes", "2026-11-20", False))
    assert out.fixed == []  # a window without full coverage
    _, out = step(states, [], Basis("probes", "2026-11-20", True))
    assert [s.rule for s in out.fixed] == ["availability_failures"]


def test_ignore_suppresses_until_the_subject_changes():
    states, out = step({}, [dead("http://a/1")], crawl(1))
    key = out.seen[0].key
    with pytest.raises(ConfigError, match="--reason is required"):
        apply_action(states[key], "ignore", today=DAY)
    states[key] = apply_action(states[key], "ignore", today=DAY, reason="链接其实可用")
    states, out = step(states, [dead("http://a/1")], crawl(2))
    (seen,) = out.seen
    assert seen.finding.severity == "notice" and seen.finding.suppressed == "ignored"
    assert seen.finding.message.startswith("【已忽略】")
    assert seen.finding.evidence["suppressed"]["severity"] == "deduction"
    assert out.events == []
    # The target now answers 500: the subject changed, the ignore lapses and it counts again.
    states, out = step(states, [dead("http://a/1", status=500)], crawl(3))
    (seen,) = out.seen
    assert seen.finding.severity == "deduction" and seen.state.disposition is None
    assert [e.action for e in out.events] == ["ignore_lapsed"]


def test_claim_fixed_is_confirmed_or_reopened_by_the_next_complete_crawl():
    states, out = step({}, [dead("http://a/1"), dead("http://a/2")], crawl(1))
    k1, k2 = (s.key for s in out.seen)
    for key in (k1, k2):
        states[key] = apply_action(states[key], "claim_fixed", today=DAY)
    with pytest.raises(ConfigError, match="already claimed-fixed"):
        apply_action(states[k1], "claim_fixed", today=DAY)
    # The same crawl checked again decides nothing.
    same, out = step(states, [dead("http://a/1"), dead("http://a/2")], crawl(1))
    assert {s.state.disposition for s in out.seen} == {"claimed_fixed"}
    states, out = step(states, [dead("http://a/2")], crawl(2))
    assert states[k1].status == "fixed"
    assert states[k2].status == "reopened" and states[k2].disposition is None
    assert sorted(e.action for e in out.events) == ["claim_rejected", "fixed"]


def test_accept_deadline_and_overdue_once():
    states, out = step({}, [dead("http://a/1")], crawl(1))
    key = out.seen[0].key
    with pytest.raises(ConfigError, match="--deadline YYYY-MM-DD is required"):
        apply_action(states[key], "accept", today=DAY)
    with pytest.raises(ConfigError, match="is in the past"):
        apply_action(states[key], "accept", today=DAY, deadline=DAY - timedelta(days=1))
    states[key] = apply_action(states[key], "accept", today=DAY, deadline=DAY + timedelta(days=3))
    states, out = step(states, [dead("http://a/1")], crawl(2), DAY + timedelta(days=3))
    assert out.events == []
    states, out = step(states, [dead("http://a/1")], crawl(3), DAY + timedelta(days=4))
    assert [e.action for e in out.events] == ["overdue"]
    assert out.seen[0].state.deadline == DAY + timedelta(days=3)
    states, out = step(states, [dead("http://a/1")], crawl(4), DAY + timedelta(days=5))
    assert out.events == []  # told once


def test_unconfirmed_suspected_findings_never_veto():
    data = RUBRIC.model_dump(mode="json")
    data["rules"]["homepage_stale"]["needs_confirmation"] = True
    rubric = parse_rubric(data, "test")
    stale = Finding(
        "homepage_update", "homepage_stale", "首页不更新", "veto", "首页不更新", subject="homepage"
    )
    states, out = step({}, [stale], crawl(1), rubric=rubric)
    assert out.seen[0].finding.severity == "notice"
    assert out.seen[0].finding.suppressed == "unconfirmed"
    key = out.seen[0].key
    with pytest.raises(ConfigError, match="needs no confirmation"):
        apply_action(states[key], "confirm", today=DAY)
    states[key] = apply_action(states[key], "confirm", today=DAY, needs_confirmation=True)
    _, out = step(states, [stale], crawl(2), rubric=rubric)
    assert out.seen[0].finding.severity == "veto"


def test_actions_on_a_fixed_finding_are_refused():
    state = State(
        key="u:0",
        unit_id="u",
        rule="dead_link_other",
        check="dead_links",
        subject="http://a/",
        severity="deduction",
        status="fixed",
        first_seen=DAY,
        last_seen=DAY,
        fingerprint="x",
    )
    for action in ("ignore", "accept", "claim_fixed", "confirm"):
        with pytest.raises(ConfigError, match="not allowed, the finding is fixed"):
            apply_action(state, action, today=DAY, reason="r", deadline=DAY)
