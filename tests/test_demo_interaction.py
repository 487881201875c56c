"""互动交流 on the demo town: what the manifest plants, as the export must report it.

The crawl-and-check fixture lives in tests/test_demo_accuracy.py (one crawl for all); these
helpers turn the manifest's ``interaction`` truth into expected findings and compare the export.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from govinspect.crawler.urls import normalize_url

SCHEMA = json.loads((Path(__file__).parents[1] / "docs" / "export.schema.json").read_text("utf-8"))

PROBLEM_RULES = {
    "no_dates": "consultation_no_dates",
    "too_short": "consultation_too_short",
    "no_feedback": "consultation_no_feedback",
}


def interaction_rules(truth: dict[str, Any]) -> list[tuple[str, str | None]]:
    """(rule, url or None) of every planted interaction fault."""
    want: list[tuple[str, str | None]] = []
    letters = truth["letters"]
    for late in letters["unanswered"] if letters else []:
        want.append(("interaction_unanswered", normalize_url(late["url"])))
    if letters and letters["unanswered"]:
        # One veto finding names every late message: the rule is expected once.
        want = want[:1]
    if letters and (letters["latency"]["within_limit_share"] or 1) < 1:
        want.append(("interaction_reply_slow", None))  # a notice, with the distribution
    for problem, rule in PROBLEM_RULES.items():
        hits = [c for c in truth["consultations"] if problem in c["problems"]]
        if hits:
            want.append((rule, normalize_url(hits[0]["url"])))
    if not truth["consultations"]:
        want.append(("consultation_none", None))
    if not truth["interviews"] or not truth["interviews"]["count_365d"]:
        want.append(("interview_none", None))
    return want


def _by_url(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {normalize_url(r["url"]): {**r, "url": normalize_url(r["url"])} for r in rows}


def assert_interaction_matches(unit: dict[str, Any], truth: dict[str, Any]) -> None:
    got = unit["interaction"]
    if truth["letters"] is None:
        assert got["letters"] is None
    else:
        letters, want = got["letters"], truth["letters"]
        assert normalize_url(letters["column_url"]) == normalize_url(want["column_url"])
        assert letters["script_filled"] is False
        assert letters["messages"] == want["messages"]
        assert letters["newest_reply"] == want["newest_reply"]
        assert _by_url(letters["unanswered"]) == _by_url(want["unanswered"])
        assert letters["missing_fields"] == want["missing_fields"]
        assert letters["latency"] == want["latency"]
    consultations = _by_url(got["consultations"])
    expected = _by_url(truth["consultations"])
    assert set(consultations) == set(expected)
    for url, row in expected.items():
        seen = consultations[url]
        for key in ("start", "end", "days", "problems"):
            assert seen[key] == row[key], (url, key, seen[key], row[key])
        feedback = seen["feedback_url"] and normalize_url(seen["feedback_url"])
        assert feedback == (row["feedback_url"] and normalize_url(row["feedback_url"])), url
    if truth["interviews"] is None:
        assert got["interviews"] is None
    else:
        interviews = got["interviews"]
        assert interviews["count_365d"] == truth["interviews"]["count_365d"]
        assert interviews["newest"] == truth["interviews"]["newest"]
        assert normalize_url(interviews["column_url"]) == normalize_url(
            truth["interviews"]["column_url"]
        )
    vetoes = {v["indicator"] for v in unit["vetoes"]}
    planted = bool(truth["letters"] and truth["letters"]["unanswered"])
    assert ("互动回应差" in vetoes) == planted


def validate_export(data: dict[str, Any]) -> None:
    jsonschema.Draft202012Validator(SCHEMA).validate(data)
