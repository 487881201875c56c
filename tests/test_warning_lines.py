"""Early warnings (预警) at their lines: a quiet account, blank columns, failed probes.

The homepage and column warnings have their edge tests next to their checks
(test_checks_homepage, test_checks_frequency); these had none at their lines.
"""

from __future__ import annotations

import pytest

from govinspect.checks import availability, column_freshness
from tests.test_checks_availability import probes
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


@pytest.mark.parametrize(
    ("failures", "warned"),
    [(20, False), (21, True), (34, True), (35, False)],  # of 700: 2.86 %, 3 %, 4.86 %, 5 %
)
def test_three_percent_failed_probes_are_warned_below_the_veto(failures, warned):
    result = availability.check(facts(probes=probes(100, failures=failures)), AS_OF, RUBRIC)
    warning = by_rule(result.findings, "availability_warning")
    assert bool(warning) is warned
    assert bool(by_rule(result.findings, "site_unreachable")) is (failures == 35)
    if warned:
        assert warning[0].severity == "warning" and "预警" in warning[0].message
