"""Malformed link targets (outcome invalid_url, issue 15) as finding subjects (issue 19).

Before the fix, one ``<a href="http://localhost]/x">`` on a site made the whole check run fail
with a traceback (the subject normaliser parsed every URL-looking subject), and so did the
reports (their link helper did the same).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from govinspect.checks.findings import normalise_subject
from govinspect.checks.lifecycle import finding_key
from govinspect.reports.render import link
from tests.test_checks_dead_links import run, target


@pytest.mark.parametrize(
    "url", ["http://localhost]/zwgk/", "http://[::1", "http://example.gov.cn:99999/", "http://a:x/"]
)
def test_a_malformed_url_is_its_own_subject(url):
    assert normalise_subject(f" {url} ") == url


def test_an_invalid_link_is_a_dead_link_finding_with_a_stable_key():
    bad = replace(target("x", "invalid_url", home=True), target_url="http://localhost]/zwgk/")
    result = run(bad)
    (finding,) = [f for f in result.findings if f.rule == "dead_link_homepage"]
    assert finding.subject == "http://localhost]/zwgk/"
    assert finding_key("sfz", finding.rule, finding.subject) == finding_key(
        "sfz", finding.rule, normalise_subject("http://localhost]/zwgk/")
    )


def test_reports_show_a_malformed_url_as_text():
    assert str(link("http://localhost]/zwgk/")) == "http://localhost]/zwgk/"
    assert (
        str(link("http://a.gov.cn/<x>"))
        == '<a href="http://a.gov.cn/&lt;x&gt;">http://a.gov.cn/&lt;x&gt;</a>'
    )
