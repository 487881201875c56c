"""checks/content_safety.py: pure judgement of recorded content-safety facts."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from govinspect.checks import content_safety
from govinspect.checks.content_safety import is_government, is_partner, similarity
from govinspect.checks.facts import UnitFacts, UnitInfo
from govinspect.checks.facts_safety import HomepageVersion, SafetyFacts, SafetyRow, TargetState
from govinspect.checks.rubric import load_rubric

AS_OF = date(2026, 11, 20)
SITE = "http://www.sfx.gov.cn/"
UNIT = UnitInfo(
    "sfx", "示范县人民政府", "county", SITE, partner_hosts=("partner.example.org",)
)  # fmt: skip


@pytest.fixture(scope="module")
def rubric():
    return load_rubric(None, "county")


def _run(rubric, safety: SafetyFacts):
    facts = UnitFacts(unit=UNIT, safety=safety)
    return content_safety.check(facts, AS_OF, rubric)


def _home(run_id: int, **kw) -> HomepageVersion:
    base = {"title": "示范县人民政府", "sketch": tuple(range(64)), "hosts": (), "keywords": ()}
    warc = {"warc_file": f"w{run_id}", "warc_offset": 0}
    fetched = datetime(2026, 11, 19 + run_id - 1, tzinfo=UTC)
    return HomepageVersion(run_id=run_id, url=SITE, warc=warc, fetched_at=fetched, **{**base, **kw})


def test_government_and_partner_hosts():
    assert is_government("www.gov.cn") and is_government("www.sfx.gov.cn:8080")
    assert is_government("a.政务")
    assert not is_government("gov.cn.example.com") and not is_government("127.0.0.1:80")
    assert is_partner("www.partner.example.org", ["partner.example.org"])
    assert is_partner("127.0.0.1:8004", ["127.0.0.1:8004"])
    assert not is_partner("127.0.0.1:8005", ["127.0.0.1:8004"])


def test_not_recorded_is_a_notice_not_a_clean_bill(rubric):
    result = _run(rubric, SafetyFacts(recorded=False))
    assert [f.rule for f in result.findings] == ["content_safety_unknown"]
    assert result.report["content_safety"] == content_safety.empty_section()


def full_safety() -> SafetyFacts:
    """Facts on which every content-safety rule but defacement fires."""
    rows = (
        SafetyRow(SITE, is_homepage=True, facts={
            "hidden": [
                {"url": "http://bc.example.com/", "text": "娱乐城", "how": "offscreen",
                 "keywords": ["娱乐城"]},
                {"url": "http://odd.example.net/", "text": "友情", "how": "display_none",
                 "keywords": []},
                {"url": "http://www.henan.gov.cn/", "text": "省政府", "how": "display_none",
                 "keywords": []},
                {"url": "https://map.partner.example.org/", "text": "", "how": "iframe",
                 "hidden": None, "keywords": []},
                {"url": "http://ad.example.net/f", "text": "", "how": "iframe",
                 "hidden": "zero_size", "keywords": []},
            ],
            "privacy": [{"kind": "mobile", "count": 1, "sample": "138****5678"}],
            "outbound": [
                {"url": "http://bc.example.com/", "text": "娱乐城"},
                {"url": "http://partner.example.org/", "text": "合作"},
                {"url": "http://old.gov.cn/", "text": "旧站"},
                {"url": "http://www.henan.gov.cn/", "text": "省政府"},
            ],
            "homepage": {"title": "x"},
        }),
        SafetyRow(SITE + "gs.xlsx", source="attachment",
                  facts={"read": True, "privacy": [
                      {"kind": "id_card", "count": 3, "sample": "4102**********1234"}]}),
        SafetyRow(SITE + "a.html", published=date(2026, 11, 3), facts={"wording": [
            {"term": "中国特色社会主意", "suggestion": "中国特色社会主义", "list": "mistyped",
             "excerpt": "坚持中国特色社会主意道路", "count": 2},
            {"term": "国土资源部", "suggestion": "自然资源部", "list": "abolished",
             "excerpt": "国土资源部印发", "count": 1},
            {"term": "示范敏感词", "suggestion": None, "list": "sensitive",
             "excerpt": "有示范敏感词", "count": 1},
        ]}),
        SafetyRow(SITE + "old.html", published=date(2016, 5, 1), facts={"wording": [
            {"term": "国土资源部", "suggestion": "自然资源部", "list": "abolished",
             "excerpt": "国土资源部印发", "count": 1},
        ]}),
    )  # fmt: skip
    return SafetyFacts(
        recorded=True,
        rows=rows,
        targets={
            "http://old.gov.cn/": TargetState("dns_error"),
            "http://www.henan.gov.cn/": TargetState("ok", 200),
        },
    )


def test_full_judgement(rubric):
    safety = full_safety()
    result = _run(rubric, safety)
    section = result.report["content_safety"]
    assert {(h["url"], h["how"], tuple(h["keywords"])) for h in section["hidden_links"]} == {
        ("http://bc.example.com/", "offscreen", ("娱乐城",)),
        ("http://odd.example.net/", "display_none", ()),
        ("http://ad.example.net/f", "iframe", ()),
    }
    assert section["hidden_links"][0]["found_on"] == [SITE]
    assert {(p["url"], p["kind"], p["count"], p["in_attachment"]) for p in section["privacy"]} == {
        (SITE, "mobile", 1, False),
        (SITE + "gs.xlsx", "id_card", 3, True),
    }
    assert {(w["url"], w["term"]) for w in section["wording"]} == {
        (SITE + "a.html", "中国特色社会主意"),
        (SITE + "a.html", "国土资源部"),
        (SITE + "a.html", "示范敏感词"),
    }
    assert {(o["url"], o["kind"]) for o in section["outbound"]} == {
        ("http://bc.example.com/", "non_government"),
        ("http://old.gov.cn/", "lapsed_government"),
    }
    assert section["defacement"] is None
    rules = sorted(f.rule for f in result.findings)
    assert rules == sorted([
        "hidden_link_risky", "hidden_link", "hidden_link", "privacy_leak", "privacy_mobile",
        "wording_suspect", "wording_suspect", "sensitive_word", "outbound_lapsed",
        "outbound_non_government",
    ])  # fmt: skip
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["hidden_link_risky"].severity == "veto"
    leak = by_rule["privacy_leak"]
    assert leak.severity == "veto" and "4102**********1234" in leak.message
    wording = next(f for f in result.findings if f.evidence.get("term") == "中国特色社会主意")
    assert "建议改为“中国特色社会主义”" in wording.message
    assert "坚持中国特色社会主意道路" in wording.message
    # A veto that needs confirmation: the lifecycle shows it as a notice until confirmed.
    assert wording.severity == "veto" and wording.evidence["suspected"] is True
    assert rubric.rule("wording_suspect").needs_confirmation


def defaced_safety(quiet: SafetyFacts) -> SafetyFacts:
    return SafetyFacts(
        recorded=True,
        rows=quiet.rows,
        homepage=_home(2, title="澳门娱乐城", sketch=tuple(range(1000, 1064)),
                       hosts=("js.bad.example",), keywords=("娱乐城",)),
        previous_homepage=_home(1),
    )  # fmt: skip


def test_defacement_signals(rubric):
    quiet = SafetyFacts(
        recorded=True,
        rows=(SafetyRow(SITE, is_homepage=True, facts={"homepage": {}}),),
        homepage=_home(2, sketch=tuple(range(2, 66))),
        previous_homepage=_home(1),
    )
    result = _run(rubric, quiet)
    assert result.report["content_safety"]["defacement"] == {
        "changed": False, "previous_run": 1, "signals": []
    }  # fmt: skip
    assert not result.findings
    defaced = defaced_safety(quiet)
    result = _run(rubric, defaced)
    assert result.report["content_safety"]["defacement"] == {
        "changed": True,
        "previous_run": 1,
        "signals": ["title", "text", "hosts", "keywords"],
    }
    (finding,) = result.findings
    assert finding.rule == "defacement_suspected"
    assert finding.evidence["current"]["warc"] == {"warc_file": "w2", "warc_offset": 0}
    assert finding.evidence["previous"]["warc"] == {"warc_file": "w1", "warc_offset": 0}


def test_similarity():
    assert similarity((1, 2, 3), (1, 2, 3)) == 1.0
    assert similarity((1, 2, 3), (4, 5, 6)) == 0.0
    assert similarity((), ()) == 1.0


def message_scenarios() -> list[UnitFacts]:
    """Unit facts on which every content-safety rule fires (for tests/test_rule_messages.py)."""
    quiet = SafetyFacts(
        recorded=True,
        rows=(SafetyRow(SITE, is_homepage=True, facts={"homepage": {}}),),
        homepage=_home(2),
        previous_homepage=_home(1),
    )
    return [
        UnitFacts(unit=UNIT, safety=full_safety()),
        UnitFacts(unit=UNIT, safety=defaced_safety(quiet)),
    ]
