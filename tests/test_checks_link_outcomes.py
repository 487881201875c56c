"""The checks side of issue 15's outcome classes: invalid_url is dead, not_checked and
missing_anchor are listed apart (their own report keys, no finding, never dead)."""

from __future__ import annotations

from govinspect.checks import tables
from govinspect.checks.facts import LinkCheckFact
from govinspect.crawler import outcomes
from tests.test_checks_dead_links import SITE, rules, run, target


def test_invalid_url_is_a_dead_link():
    result = run(target("x", "invalid_url", home=True))
    assert rules(result.findings) == ["dead_link_homepage"]
    assert "链接地址格式无效" in result.findings[0].message


def test_unchecked_and_missing_anchor_targets_are_listed_apart():
    result = run(
        target("a.html#%E7%AC%AC%E4%BA%8C%E8%8A%82", "missing_anchor", 200, kinds=("anchor",)),
        target("only.html", "not_checked", error="only linked from pages ... nofollow"),
    )
    assert result.findings == []
    assert result.report["dead_links"] == [] and result.report["unknown_links"] == []
    [anchor] = result.report["missing_anchors"]
    assert (anchor["url"], anchor["anchor"], anchor["outcome"]) == (
        f"{SITE}a.html",
        "第二节",
        "missing_anchor",
    )
    [unchecked] = result.report["not_checked_links"]
    assert unchecked["url"] == f"{SITE}only.html" and "scheme" not in unchecked


def test_other_schemes_carry_their_scheme():
    mail = LinkCheckFact(
        target_url="mailto:zwgk@example.gov.cn",
        outcome="not_checked",
        error="mailto: links are not checked",
        found_on=(SITE,),
        found_on_total=1,
    )
    [row] = run(mail).report["not_checked_links"]
    assert (row["url"], row["scheme"]) == ("mailto:zwgk@example.gov.cn", "mailto")


def test_every_listed_class_has_a_report_key_and_every_class_a_label():
    """The classes are defined once (store/link_outcomes.py); the checks' tables only name the
    report key of each listed-apart class and the words of each class."""
    assert set(tables.tables()["link_report_keys"]) == outcomes.NOTED
    labelled = set(tables.tables()["labels"]["outcomes"])
    assert labelled >= outcomes.DEAD | outcomes.NOTED
