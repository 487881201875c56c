"""Layout variety: every extractor and check across the families of ``govinspect.demo.layouts``.

Two halves.  The extractors (list items and their dates, article dates, breadcrumbs, the
list/article verdict) run on every page of every family for several seeds, without a server.
Then every family site is served, crawled ONCE (one subprocess per site, four at a time),
checked in ONE check run and exported; each measure of docs/accuracy.md is one test per
family.  A failure names the family and seed: ``bench/eval_layouts.py --seed N --family F
--details`` reproduces it.
"""

from __future__ import annotations

from datetime import date

import pytest

from govinspect.crawler import sources
from govinspect.crawler.cms import hanweb_datastores, trs_list_model
from govinspect.crawler.column_pages import is_content_column
from govinspect.crawler.columns import breadcrumb, classify_column, column_meta, inline_column
from govinspect.crawler.dates import article_date
from govinspect.crawler.listing import extract_items
from govinspect.crawler.urls import normalize_url
from govinspect.demo.layouts import DIMENSIONS, FAMILIES, build_site
from govinspect.demo.layouts.build import Built, page_key
from govinspect.demo.layouts.evaluate import MEASURES, inspect_families, url_id
from govinspect.demo.layouts.model import page_items, pager_of
from govinspect.demo.layouts.server import today

NAMES = [f.name for f in FAMILIES]
SEED = 0  # the crawled seed; the extractor tests also run on EXTRA_SEEDS
EXTRA_SEEDS = (1, 2)
BASE, REFUSED = "http://127.0.0.1:8000/", "http://127.0.0.1:9/"
AS_OF = today()

_BUILT: dict[tuple[str, int], Built] = {}


def built(name: str, seed: int) -> Built:
    if (name, seed) not in _BUILT:
        fam = next(f for f in FAMILIES if f.name == name)
        _BUILT[name, seed] = build_site(fam, seed, BASE, REFUSED, AS_OF)
    return _BUILT[name, seed]


def html_of(b: Built, path: str) -> str:
    return b.pages[page_key(path)]


# --- the families themselves ---------------------------------------------------------------


def test_at_least_twelve_distinct_families_use_every_option():
    assert len(FAMILIES) >= 12
    assert len(set(NAMES)) == len(NAMES)
    assert len({tuple(f.choices().values()) for f in FAMILIES}) == len(FAMILIES)
    for dimension, options in DIMENSIONS.items():
        used = {getattr(f, dimension) for f in FAMILIES}
        assert used <= set(options), dimension
        assert set(options) <= used, f"{dimension}: {set(options) - used} used by no family"


@pytest.mark.parametrize("name", NAMES)
def test_a_seed_gives_one_site(name):
    fam = next(f for f in FAMILIES if f.name == name)
    again = build_site(fam, SEED, BASE, REFUSED, AS_OF)
    assert again.pages == built(name, SEED).pages
    assert again.truth == built(name, SEED).truth
    assert built(name, 1).pages != built(name, SEED).pages


# --- extractors on every page, several seeds (no server) -------------------------------------


def _expected(b: Built, items) -> list[tuple[str, date | None]]:
    dated = b.site.family.date_format != "none"
    return [(normalize_url(b.site.url(i.path)), i.date if dated else None) for i in items]


def _found(items) -> list[tuple[str, date | None]]:
    return [(normalize_url(i.url), i.date) for i in items]


@pytest.mark.parametrize("seed", (SEED, *EXTRA_SEEDS))
@pytest.mark.parametrize("name", NAMES)
def test_list_pages_give_their_items_and_dates(name, seed):
    b = built(name, seed)
    site = b.site
    for col in site.columns:
        if col.content is not None:
            continue
        for n, path in enumerate(col.pages):
            html, url = html_of(b, path), site.url(path)
            result = extract_items(html, url, AS_OF)
            where = f"{name} seed {seed} {col.name} page {n}"
            assert result.is_list, (where, result.notes)
            if not col.items:
                assert result.items == [], where
                if col.placeholder:
                    assert result.placeholder and col.placeholder in result.placeholder, where
                continue
            kind = pager_of(site, col)
            if kind == "json_api":
                model = trs_list_model(html, url)
                assert model is not None and model.script_filled, where
                continue
            items = result.items
            if kind == "hanweb":
                items = sources.datastore_items(hanweb_datastores(html, url), url, AS_OF)
            assert _found(items) == _expected(b, page_items(site, col, n)), where


@pytest.mark.parametrize("seed", (SEED, *EXTRA_SEEDS))
@pytest.mark.parametrize("name", NAMES)
def test_articles_are_articles_with_their_dates(name, seed):
    b = built(name, seed)
    for item in (i for c in b.site.columns for i in c.items):
        html, url = html_of(b, item.path), b.site.url(item.path)
        result = extract_items(html, url, AS_OF)
        assert not result.is_list, (name, seed, item.key, result.notes)
        found = article_date(html, normalize_url(url), AS_OF)
        assert found.date == item.date, (name, seed, item.key, found.source, found.candidates)


@pytest.mark.parametrize("name", NAMES)
def test_breadcrumbs_name_the_column_and_its_section(name):
    b = built(name, SEED)
    site = b.site
    for col in site.columns:
        crumbs = breadcrumb(html_of(b, col.path), site.url(col.path))
        if site.family.crumb_label == "none":
            assert crumbs == [], col.name
            continue
        section = site.section(col.section)
        assert [n for n, _ in crumbs] == ["首页", section.name, col.name], col.name
        assert normalize_url(crumbs[1][1]) == normalize_url(site.url(section.path))


@pytest.mark.parametrize("name", NAMES)
def test_the_inline_guide_is_a_content_column(name):
    b = built(name, SEED)
    guide = b.site.column("guide")
    html, url = html_of(b, guide.path), normalize_url(b.site.url(guide.path))
    assert not extract_items(html, url, AS_OF).is_list
    meta = column_meta(html)
    crumbs = breadcrumb(html, url)
    assert is_content_column(meta, crumbs, url) or inline_column(url, classify_column(guide.name))


# --- the whole inspection: one crawl per family, one check run --------------------------------


@pytest.fixture(scope="session")
def inspected(tmp_path_factory):
    return inspect_families(tmp_path_factory.mktemp("layouts"), FAMILIES, seed=SEED, parallel=4)


@pytest.mark.parametrize("name", NAMES)
def test_crawl_completes(inspected, name):
    result = inspected[name]
    assert result.status == "complete", result.error


@pytest.mark.parametrize("measure", list(MEASURES))
@pytest.mark.parametrize("name", NAMES)
def test_measure_is_exact(inspected, name, measure):
    found = inspected[name].measures()[measure]
    assert found.ok, f"{name} seed {SEED} {measure}: missing {found.missing}, extra {found.extra}"


@pytest.mark.parametrize("name", NAMES)
def test_no_article_is_a_column(inspected, name):
    result = inspected[name]
    site = built(name, SEED).site  # same seed and dates: the same paths on another port
    articles = {url_id(site.url(i.path)).split("/", 3)[3] for c in site.columns for i in c.items}
    columns = {url_id(c["url"]).split("/", 3)[3] for c in result.columns}
    assert columns.isdisjoint(articles)
    assert all(row["url"] for row in result.unit["columns"])


@pytest.mark.parametrize("name", NAMES)
def test_interpretation_sets_name_only_documents_and_interpretations(inspected, name):
    result = inspected[name]
    column_pages = {url_id(p) for c in result.columns for p in (c["url"], *c["list_pages"])}
    report = result.unit["interpretation"]
    for key in (
        "interpretations_without_backlink",
        "documents_without_interpretation",
        "copied_interpretations",
        "documents_without_link",
    ):
        assert column_pages.isdisjoint(url_id(u) for u in report[key]), key
