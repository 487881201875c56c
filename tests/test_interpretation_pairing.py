"""Interpretation pairing on unfamiliar layouts (issue 16, defect 1).

Every page of a real site links the 政策解读 column from its menu, so every policy document
"links to" the column's list page with a text containing 解读.  The list page is never an
interpretation: it must not be reported as one without back-link, and it must not pair with
a document that has no interpretation.
"""

from __future__ import annotations

from datetime import date

from govinspect.checks import interpretation
from govinspect.checks.facts import LinkFact, PageFact
from tests.test_checks_fixtures import AS_OF, SITE
from tests.test_checks_interpretation import (
    DOC_BODY,
    I_TITLE,
    INTERP_BODY,
    RUBRIC,
    TITLE,
    Site,
)

LONE = "示范县人民政府办公室关于印发《示范县城乡居民医疗保险实施细则》的通知"
COLUMN = f"{SITE}zcjd/"


def menu_site() -> tuple[Site, str, str, str]:
    """A two-way pair and a document without interpretation; every page has the menu."""
    site = Site()
    doc = site.add("zcwj", 1, TITLE, date(2026, 11, 3), DOC_BODY)
    interp = site.add("zcjd", 1, I_TITLE, date(2026, 11, 4), INTERP_BODY)
    lone = site.add("zcwj", 2, LONE, date(2026, 9, 1), DOC_BODY)
    site.link(doc, interp, I_TITLE)
    site.link(interp, doc, TITLE)
    for page in (doc, interp, lone):
        site.link(page, COLUMN, "政策解读")  # the menu entry
        site.link(page, f"{SITE}zcwj/", "政策文件")
    # The loader reads the column pages (and any page a document links with 解读 in its text).
    for n, url in enumerate((COLUMN, f"{COLUMN}index.html", f"{SITE}zcwj/")):
        site.pages[url] = PageFact(url=url, id=90 + n, title="政策解读_示范县人民政府")
    return site, doc, interp, lone


def test_the_column_page_in_every_menu_is_no_interpretation():
    site, _, _, lone = menu_site()
    report = interpretation.check(site.facts(), AS_OF, RUBRIC).report["interpretation"]
    assert report["interpretations_without_backlink"] == []
    assert report["documents_without_interpretation"] == [lone]
    assert report["documents_without_link"] == []


def test_a_column_reached_under_its_index_page_is_no_interpretation_either():
    site, doc, _, lone = menu_site()
    site.link(doc, f"{COLUMN}index.html", "更多解读")
    report = interpretation.check(site.facts(), AS_OF, RUBRIC).report["interpretation"]
    assert report["interpretations_without_backlink"] == []
    assert report["documents_without_interpretation"] == [lone]


def test_an_interpretation_published_as_a_file_counts():
    site, _, _, lone = menu_site()
    pdf = f"{SITE}upload/P020260901_jd.pdf"
    site.links.setdefault(lone, []).append(
        LinkFact(
            page_url=lone,
            target_url=pdf,
            anchor_text="《示范县城乡居民医疗保险实施细则》政策解读.pdf",
            kind="attachment",
        )
    )
    result = interpretation.check(site.facts(), AS_OF, RUBRIC)
    report = result.report["interpretation"]
    assert report["documents_without_interpretation"] == []
    assert report["documents_without_link"] == []
    assert report["interpretations_without_backlink"] == []  # a file cannot link back
    assert [f.rule for f in result.findings] == []
