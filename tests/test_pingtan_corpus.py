"""The extractors on real pages: the Pingtan 政务公开 corpus (see its SOURCE.md).

Nothing is served: the files are read and the functions applied with ``page_url`` set to the
page's original URL.  The truth is the corpus manifest (list items with dates, ``published``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from govinspect.crawler.columns import breadcrumb, classify_column, column_meta
from govinspect.crawler.dates import article_date, disclosure_metadata
from govinspect.crawler.listing import extract_items
from tests.conftest import corpus_manifest, require_shared, shared_path

#: ``shared/corpus/pingtan`` beside the repository, or under ``GOVINSPECT_SHARED`` (conftest).
#: Without it the module is skipped, and fails when CI=true.
CORPUS = require_shared(shared_path("corpus/pingtan"))
#: The archive was made on this day (manifest ``crawled_at``); articles go up to it.
CRAWL = date(2026, 9, 10)
#: Share of article dates that must be exact.
ARTICLE_TARGET = 0.95

FILES = corpus_manifest(CORPUS)
LISTS = [f for f in FILES if f["kind"] == "list"]
ARTICLES = [f for f in FILES if f["kind"] == "article"]


def _html(entry: dict[str, Any]) -> str:
    return (CORPUS / entry["path"]).read_text(encoding="utf-8")


def _squash(text: str) -> str:
    return re.sub(r"[\s\u200b-\u200f\ufeff]+", "", text)


def _is_content_page(entry: dict[str, Any]) -> bool:
    """The manifest's list pages without an item list and without a list script."""
    items = entry["list_items"]
    return items["count"] == 0 and items["quick_mode"] is None


@pytest.mark.parametrize("entry", LISTS, ids=lambda e: e["url_path"])
def test_list_page_verdict_items_and_newest_date(entry: dict[str, Any]) -> None:
    result = extract_items(_html(entry), entry["original_url"], CRAWL)
    truth = entry["list_items"]
    if _is_content_page(entry):
        assert not result.is_list, "a guide shown inline is a content page, not an empty list"
        return
    assert result.is_list
    assert len(result.items) == truth["count"]
    newest = max((i.date for i in result.items if i.date), default=None)
    assert (newest.isoformat() if newest else None) == truth["newest"]
    assert [(i.url, i.date.isoformat() if i.date else None) for i in result.items] == [
        (i["url"], i["date"]) for i in truth.get("items", [])
    ]
    assert [_squash(i.title) for i in result.items] == [
        _squash(i["title"]) for i in truth.get("items", [])
    ]


def test_script_filled_list_is_a_list_without_items_or_placeholder() -> None:
    entry = next(e for e in LISTS if e["list_items"]["quick_mode"] == "动态")
    result = extract_items(_html(entry), entry["original_url"], CRAWL)
    assert result.is_list and result.items == [] and result.placeholder is None
    assert "script_template" in result.notes


@pytest.mark.parametrize("entry", ARTICLES, ids=lambda e: e["url_path"])
def test_article_pages_are_not_lists(entry: dict[str, Any]) -> None:
    assert not extract_items(_html(entry), entry["original_url"], CRAWL).is_list


def test_article_dates_are_exact() -> None:
    exact = [
        article_date(_html(e), e["original_url"], CRAWL).date == date.fromisoformat(e["published"])
        for e in ARTICLES
    ]
    assert ARTICLES and sum(exact) / len(exact) >= ARTICLE_TARGET


@pytest.mark.parametrize("entry", ARTICLES, ids=lambda e: e["url_path"])
def test_article_date_is_the_visible_one_not_the_url(entry: dict[str, Any]) -> None:
    found = article_date(_html(entry), entry["original_url"], CRAWL)
    assert found.date == date.fromisoformat(entry["published"])
    assert found.source.startswith("label:")


def _has_metadata_table(entry: dict[str, Any]) -> bool:
    return any("metadata table" in d["field"] for d in entry.get("html_dates", []))


@pytest.mark.parametrize(
    "entry", [e for e in ARTICLES if _has_metadata_table(e)], ids=lambda e: e["url_path"]
)
def test_metadata_table(entry: dict[str, Any]) -> None:
    meta = disclosure_metadata(_html(entry))
    assert meta["发文字号"] == entry["doc_number"]
    assert meta["发布日期"] == entry["published"]
    assert "索引号" in meta and "成文日期" in meta


@pytest.mark.parametrize(
    "entry", [e for e in ARTICLES if not _has_metadata_table(e)], ids=lambda e: e["url_path"]
)
def test_no_metadata_table_where_there_is_none(entry: dict[str, Any]) -> None:
    assert disclosure_metadata(_html(entry)) == {}


def test_breadcrumbs_end_with_the_column_name() -> None:
    checked = 0
    for entry in FILES:
        html = _html(entry)
        trail = breadcrumb(html, entry["original_url"])
        name = column_meta(html).get("ColumnName")
        if trail and name:
            assert trail[0][0] == "首页" and trail[-1][0] == name
            assert all(url and url.startswith("https://www.pingtan.gov.cn/") for _, url in trail)
            checked += 1
    assert checked >= len(FILES) // 2


def test_column_classification_of_the_corpus_columns() -> None:
    names = {column_meta(_html(e)).get("ColumnName") for e in LISTS}
    kinds = {name: classify_column(name) for name in names if name}
    assert kinds["平潭要闻"] == "news"
    assert kinds["公示公告"] == "notice"
    assert kinds["区管委会文件"] == "policy" and kinds["行政规范性文件"] == "policy"
    assert kinds["政府信息公开年报"] == "annual_report"
    assert kinds["政府信息公开指南"] == "disclosure_guide"
