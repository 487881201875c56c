"""The choice dimensions of a layout family, and the families.

A family is one combination of independent choices (a row of ``FAMILIES``); the renderers
(``markup.py``, ``cms.py``, ``render.py``) turn each choice into markup.  ``DIMENSIONS`` lists
every option of every dimension, and ``tests/test_layouts.py`` checks that each option is used
by some family, so an option added here without a family using it fails the suite.
"""

from __future__ import annotations

from typing import NamedTuple

#: Every option of every choice dimension (the renderers' vocabulary).
DIMENSIONS: dict[str, tuple[str, ...]] = {
    # URL scheme of columns and articles (which CMS the site resembles).
    "scheme": ("trs", "hanweb", "plain", "query", "unicode"),
    # Markup of one list record.
    "markup": ("ul", "table", "dl", "cards"),
    # How a list prints an item's date; "md"/"bracket_md" print the year only for items of an
    # earlier year (as real sites do), "none" prints no date (the date is on the article only).
    "date_format": ("iso", "bracket_md", "cn", "slash", "md", "time", "none"),
    "date_position": ("after", "before"),
    # Breadcrumb label ("unlabelled": a trail in a class="position" box, "none": no trail).
    "crumb_label": ("当前位置：", "您现在的位置：", "位置：", "所在位置：", "unlabelled", "none"),
    "crumb_sep": (">", "»", "/", "→", "-"),
    # How hrefs are written.
    "links": ("relative", "root", "absolute", "base_href", "js_open", "blank"),
    # Pagination of the long columns.
    "pager": ("numbered", "trs_create", "hanweb", "next_only", "json_api", "js", "none"),
    # How policy documents and their interpretations link to each other.
    "interp_links": (
        "相关文件",
        "原文链接",
        "相关政策文件",
        "政策原文",
        "相关解读",
        "图解",
        "sidebar",
        "attachment",
        "none",
    ),
    # Article <head>: all 政府网站发展指引 tags, ColumnName only, or nothing (name in <title>).
    "article_head": ("full", "column_meta", "title_only"),
    # How an article's breadcrumb ends: its column, a link to itself (its title), or 正文; or
    # "none": articles carry no breadcrumb although the lists do.
    "article_crumb": ("column", "self", "正文", "none"),
    # The 政府信息公开 metadata table on documents.
    "meta_table": ("yes", "no"),
    # Where an article page shows its date: 发布时间 label, the metadata table only, the PubDate
    # meta only, the URL only, or a bare date line.
    "article_date": ("label", "table", "meta", "url", "plain"),
}


class Family(NamedTuple):
    """One layout family: a name and one option per dimension (see ``DIMENSIONS``)."""

    name: str
    scheme: str
    markup: str
    date_format: str
    date_position: str
    crumb_label: str
    crumb_sep: str
    links: str
    pager: str
    interp_links: str
    article_head: str
    article_crumb: str
    meta_table: str
    article_date: str

    def choices(self) -> dict[str, str]:
        return {k: v for k, v in self._asdict().items() if k != "name"}


def _f(name: str, lists: str, articles: str) -> Family:
    return Family(name, *lists.split(), *articles.split())


# Rows: the family name; its site and list choices (scheme markup date_format date_position
# crumb_label crumb_sep links pager); its article choices (interp_links article_head
# article_crumb meta_table article_date).  Constraints the rows respect: the TRS pager needs a
# file-name series (not "query") and no <base href> (its script writes links relative to the
# page, which a base elsewhere would break); article_date "table" needs meta_table "yes",
# "meta" needs article_head "full", "url" needs a scheme with dates in article URLs.
FAMILIES: tuple[Family, ...] = (
    _f("f01_trs_classic",
       "trs ul iso after 当前位置： > relative trs_create",
       "相关文件 full column yes label"),
    _f("f02_hanweb_datastore",
       "hanweb ul cn after 您现在的位置： » root hanweb",
       "原文链接 full 正文 yes table"),
    _f("f03_plain_selfcrumb",
       "plain table slash after 位置： / absolute numbered",
       "相关政策文件 column_meta self no label"),
    _f("f04_query_dl",
       "query dl bracket_md after 所在位置： > root next_only",
       "政策原文 title_only column yes label"),
    _f("f05_unicode_cards",
       "unicode cards md before 当前位置： → relative numbered",
       "相关解读 column_meta none no plain"),
    _f("f06_trs_basehref",
       "trs table none after 您现在的位置： - base_href numbered",
       "图解 title_only self yes url"),
    _f("f07_hanweb_nocrumb",
       "hanweb cards time after none > js_open hanweb",
       "sidebar full column yes meta"),
    _f("f08_plain_api",
       "plain ul time after 当前位置： > blank json_api",
       "attachment column_meta 正文 yes table"),
    _f("f09_trs_jspager",
       "trs dl iso before 位置： » absolute js",
       "none full column no label"),
    _f("f10_query_onepage",
       "query ul cn before unlabelled / relative none",
       "相关文件 title_only 正文 no plain"),
    _f("f11_unicode_table",
       "unicode table bracket_md after 您现在的位置： > root next_only",
       "sidebar column_meta self yes url"),
    _f("f12_modern_time",
       "trs ul time after 当前位置： > relative numbered",
       "相关政策文件 full column no label"),
    _f("f13_hanweb_dl",
       "hanweb dl slash after 当前位置： - blank js",
       "图解 column_meta column no plain"),
    _f("f14_plain_undated",
       "plain ul none after none > root json_api",
       "原文链接 title_only column yes table"),
)  # fmt: skip


def family(name: str) -> Family:
    for fam in FAMILIES:
        if fam.name == name:
            return fam
    raise KeyError(f"no layout family {name!r}; known: {', '.join(f.name for f in FAMILIES)}")
