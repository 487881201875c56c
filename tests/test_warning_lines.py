"""Early warnings (预警) at their lines: a quiet account and blank columns, below the veto.

The homepage, column and availability warnings have their edge tests next to their checks
(test_checks_homepage, test_checks_frequency, test_checks_availability); these two had none.
"""

from __future__ import annotations

import pytest

from govinspect.checks import column_freshness
from tests.test_checks_fixtures import AS_OF, blank_column, by_rule, county_rubric, facts
from tests.test_new_media import account, findings, post

RUBRIC = county_rubric()


@pytest.mark.parametrize(
    ("days", "warned", "stale"),
    [
        (9, False, False),
        (10, False, False),
        (11, True, False),
        (14, True, False),
        (15, False, True),
    ],
)
def test_a_quiet_account_is_warned_after_ten_days_below_the_veto(days, warned, stale):
    found = findings(account([post(days, "最新"), post(days + 2)]))
    warning = by_rule(found, "new_media_warning")
    assert bool(warning) is warned
    assert bool(by_rule(found, "new_media_stale")) is stale
    if warned:
        (w,) = warning
        assert w.severity == "warning"
        assert w.evidence["days_since_last_post"] == days
        assert w.evidence["warning_days"] == 10 and w.evidence["stale_days"] == 14
        assert "预警" in w.message


@pytest.mark.parametrize(("blank", "warned"), [(2, False), (3, True), (4, True), (5, False)])
def test_more_than_two_blank_columns_are_warned_below_the_veto(blank, warned):
    columns = tuple(blank_column(f"空白{n}") for n in range(blank))
    result = column_freshness.check(facts(columns=columns), AS_OF, RUBRIC)
    warning = by_rule(result.findings, "columns_blank_warning")
    assert bool(warning) is warned
    if warned:
        (w,) = warning
        assert w.severity == "warning"
        assert w.evidence["count"] == blank
        assert (w.evidence["threshold"], w.evidence["veto"]) == (2, 5)
        assert "预警" in w.message
    else:
        assert all(f.severity != "warning" for f in result.findings)
