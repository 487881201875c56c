"""Builders of hand-made facts for the check tests (no crawl, no database)."""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from govinspect.checks.facts import (
    ColumnFact,
    CrawlInfo,
    ItemFact,
    LinkFact,
    MappingHtml,
    PageFact,
    UnitFacts,
    UnitInfo,
)
from govinspect.checks.facts_interaction import (
    ConsultationFact,
    EntryFact,
    InteractionColumnFact,
    InteractionFacts,
    LetterFact,
)
from govinspect.checks.findings import Finding
from govinspect.checks.rubric import load_rubric

AS_OF = date(2026, 11, 20)  # a Friday
SITE = "https://www.sfx.gov.cn/"
CODE = "4102210001"

FOOTER_OK = {
    "site_code": CODE,
    "icp": "豫ICP备05070218号",
    "police": "豫公网安备 41022102000101号",
    "jiucuo": True,
    "jiucuo_sitecode": CODE,
    "jiucuo_src": "https://zfwzgl.www.gov.cn/exposure/jiucuo.js",
    "conac": True,
}
SITE_META = {"SiteName": "示范县人民政府", "SiteDomain": "www.sfx.gov.cn", "SiteIDCode": CODE}


def county_rubric():
    return load_rubric(None, "county")


def department_rubric():
    return load_rubric(None, "department")


def unit(category: str = "county", website: str = SITE, site_code: str | None = CODE) -> UnitInfo:
    return UnitInfo(
        id="sfx", name="示范县人民政府", category=category, website=website, site_code=site_code
    )


def crawl(day: date = AS_OF, **summary: Any) -> CrawlInfo:
    started = datetime(day.year, day.month, day.day, 2, 0, tzinfo=UTC)
    return CrawlInfo(
        id=1, started_at=started, finished_at=started + timedelta(hours=1), summary=summary
    )


def homepage(newest: date | None = AS_OF, footer: dict | None = None, **meta: Any) -> PageFact:
    values = {
        **SITE_META,
        "newest_item": newest.isoformat() if newest else None,
        "footer": FOOTER_OK if footer is None else footer,
        **meta,
    }
    return PageFact(url=SITE, id=1, is_homepage=True, title="示范县人民政府", meta=values)


def item(title: str, days_ago: int | None, url: str | None = None) -> ItemFact:
    published = AS_OF - timedelta(days=days_ago) if days_ago is not None else None
    return ItemFact(
        title=title, url=url, published=published, date_source="list" if published else "none"
    )


def column(
    name: str,
    ctype: str,
    newest_days: int | None = 1,
    *,
    level: int = 1,
    items: int = 5,
    url: str | None = None,
    **kw: Any,
) -> ColumnFact:
    """A list column whose items are dated ``newest_days`` (None: undated) and older."""
    url = url or f"{SITE}{ctype}/{zlib.crc32(name.encode()) % 100_000}/"
    made = kw.pop("item_facts", None)
    if made is None:
        made = tuple(
            item(
                f"{name}{n}",
                None if newest_days is None else newest_days + n * 3,
                f"{url}t{n}.html",
            )
            for n in range(items)
        )
    dated = [i.published for i in made if i.published]
    defaults = {
        "item_count": len(made),
        "newest": max(dated) if dated else None,
        "undated": sum(1 for i in made if i.published is None),
    }
    return ColumnFact(name=name, url=url, type=ctype, level=level, items=made, **{**defaults, **kw})


def blank_column(name: str, ctype: str = "other", **kw: Any) -> ColumnFact:
    return ColumnFact(
        name=name,
        url=f"{SITE}blank/{zlib.crc32(name.encode()) % 100_000}/",
        type=ctype,
        blank=True,
        placeholder="暂无信息",
        item_count=0,
        **kw,
    )


def healthy_interaction() -> InteractionFacts:
    """A letters column answered in time, a proper consultation with feedback, an interview."""
    letters = f"{SITE}hdjl/xzxx/"
    consult = f"{SITE}hdjl/yjzj/202606/t1.html"
    return InteractionFacts(
        columns=(
            InteractionColumnFact("letters", letters, "县长信箱"),
            InteractionColumnFact("consultations", f"{SITE}hdjl/yjzj/", "意见征集"),
            InteractionColumnFact("interviews", f"{SITE}hdjl/zxft/", "在线访谈"),
        ),
        letters=(
            LetterFact(
                f"{letters}t1.html", AS_OF - timedelta(days=10), AS_OF - timedelta(days=8),
                "replied", "已办结", "县政府办", True, "咨询", letters,
                ("asked", "content", "replied", "unit"), ("detail",),
            ),
        ),
        consultations=(
            ConsultationFact(
                consult, "关于《示范县停车管理办法》征求意见的公告", date(2026, 6, 1),
                date(2026, 7, 1), feedback_urls=(f"{SITE}hdjl/yjzj/202608/t2.html",),
                detail_seen=True,
            ),
        ),
        interviews=(EntryFact(f"{SITE}hdjl/zxft/t3.html", "访谈", date(2026, 9, 1)),),
    )  # fmt: skip


def facts(**kw: Any) -> UnitFacts:
    """Facts of a healthy unit, overridden by keyword."""
    html = kw.pop("html", None)
    base: dict[str, Any] = {
        "unit": unit(),
        "crawl": crawl(),
        "homepage": homepage(),
        "columns": (),
        "interaction": healthy_interaction(),
        "source": MappingHtml(html or {}),
    }
    return UnitFacts(**{**base, **kw})


def link(page_url: str, target: str, text: str = "", kind: str = "page") -> LinkFact:
    return LinkFact(page_url=page_url, target_url=target, anchor_text=text, kind=kind)


def rules(findings: list[Finding]) -> list[str]:
    return [f.rule for f in findings]


def by_rule(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]
