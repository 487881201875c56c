"""不可用链接: per distinct target, homepage vs other pages, unknown targets apart."""

from __future__ import annotations

from govinspect.checks import dead_links
from govinspect.checks.facts import LinkCheckFact
from tests.test_checks_fixtures import AS_OF, SITE, by_rule, county_rubric, facts, rules

RUBRIC = county_rubric()


def target(
    path: str,
    outcome: str,
    status: int | None = None,
    *,
    home: bool = False,
    pages: tuple[str, ...] = (),
    kinds: tuple[str, ...] = ("page",),
    **kw,
):
    found = (SITE, *pages) if home else pages or (f"{SITE}zwgk/index.html",)
    return LinkCheckFact(
        target_url=f"{SITE}{path}",
        outcome=outcome,
        status=status,
        found_on=found,
        found_on_total=len(found),
        on_homepage=home,
        kinds=kinds,
        anchor_text="链接文字",
        warc_file="warc/crawl-1.warc.gz",
        warc_offset=1234,
        **kw,
    )


def run(*checks):
    return dead_links.check(facts(link_checks=tuple(checks)), AS_OF, RUBRIC)


def test_homepage_and_other_dead_links_are_separate_rules():
    result = run(
        target("a.html", "http_error", 404, home=True, pages=(f"{SITE}b.html",)),
        target("old/", "connection_refused"),
        target("gone.html", "soft_404", 200),
    )
    assert rules(result.findings) == ["dead_link_homepage", "dead_link_other", "dead_link_other"]
    home = result.findings[0]
    assert home.severity == "deduction"
    assert "HTTP 状态码 404" in home.message and "2 个页面" in home.message
    assert home.urls == (f"{SITE}a.html", SITE, f"{SITE}b.html")
    assert home.evidence["warc"] == {"warc_file": "warc/crawl-1.warc.gz", "warc_offset": 1234}
    assert home.evidence["found_on_total"] == 2
    rows = result.report["dead_links"]
    assert [r["url"] for r in rows] == [f"{SITE}a.html", f"{SITE}gone.html", f"{SITE}old/"]
    assert rows[0] == {
        "url": f"{SITE}a.html",
        "found_on": [SITE, f"{SITE}b.html"],
        "found_on_total": 2,
        "on_homepage": True,
        "status": 404,
        "error": None,
        "outcome": "http_error",
        "text": "链接文字",
    }


def test_every_dead_outcome_counts():
    outcomes = [
        "http_error",
        "soft_404",
        "dns_error",
        "connection_refused",
        "connection_error",
        "timeout",
        "tls_error",
        "redirect_loop",
    ]
    result = run(*(target(f"{o}.html", o) for o in outcomes))
    assert len(by_rule(result.findings, "dead_link_other")) == len(outcomes)


def test_blocked_and_robots_targets_are_unknown_never_dead():
    result = run(
        target("waf.html", "blocked", 403, home=True), target("private/", "robots_excluded")
    )
    assert rules(result.findings) == ["links_unknown"]
    notice = result.findings[0]
    assert notice.severity == "notice" and notice.count == 2
    assert result.report["dead_links"] == []
    assert [r["url"] for r in result.report["unknown_links"]] == [
        f"{SITE}waf.html",
        f"{SITE}private/",
    ]


def test_targets_found_only_through_inferred_list_pages_do_not_count():
    inferred = target("list_9.html", "http_error", 404, kinds=("implied",))
    written = target("list_2.html", "http_error", 404, kinds=("implied", "page"))
    result = run(inferred, written)
    assert [f.urls[0] for f in result.findings] == [f"{SITE}list_2.html"]


def test_targets_without_a_linking_page_are_not_reported():
    orphan = LinkCheckFact(
        target_url=f"{SITE}sitemap-only.html",
        outcome="http_error",
        status=404,
        found_on=(),
        found_on_total=0,
    )
    assert run(orphan).findings == []


def test_fragments_are_removed_from_urls():
    result = run(target("a.html#top", "http_error", 404))
    assert result.findings[0].urls[0] == f"{SITE}a.html"
    assert result.report["dead_links"][0]["url"] == f"{SITE}a.html"
