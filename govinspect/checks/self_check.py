"""自查整改情况: the unit's own quarterly self-check publication.

The supervising rule ("每季度……开展检查，及时整改，并于每季度第2个月月底前通过本县区、本部门政府网站
公开自查整改情况") asks every unit to publish, on its own site, what its quarterly self-check found
and fixed.  The crawler records the items of every column; a post is an item whose title names
a quarter and a self-check report (``tables.yaml`` ``self_check``), e.g.
``2021年第一季度政府网站自查整改情况报告`` or
``关于2026年第三季度政府网站和政务新媒体检查情况的通报``.

Each quarter that began within ``thresholds.self_check.lookback_days`` before as-of and whose
deadline (the end of the ``deadline_month``-th month of the next quarter) has passed must have a
post; a missing one is a finding of rule ``self_check_missing`` (a notice in the default rubrics:
the 管理情况 it belongs to is scored by hand).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from typing import Any

from govinspect.checks import tables
from govinspect.checks.facts import ColumnFact, ItemFact, UnitFacts
from govinspect.checks.findings import CheckResult, Reporter, clean_url
from govinspect.checks.rubric import Rubric

CHECK = "self_check"
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")


@dataclass(frozen=True, slots=True)
class Quarter:
    year: int
    number: int

    @property
    def code(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def start(self) -> date:
        return date(self.year, self.number * 3 - 2, 1)

    @property
    def end(self) -> date:
        following = self.next().start
        return following - timedelta(days=1)

    def next(self) -> Quarter:
        return (
            Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)
        )

    @classmethod
    def of(cls, day: date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)


@dataclass(frozen=True, slots=True)
class Post:
    quarter: Quarter
    item: ItemFact
    column: ColumnFact


def _conf() -> dict[str, Any]:
    return tables.tables()["self_check"]


@cache
def _cn_digits() -> dict[int, str]:
    return str.maketrans(tables.tables()["annual_report"]["cn_digits"])


def post_quarter(title: str, published: date | None) -> Quarter | None:
    """The quarter a self-check post covers, from its title (and its date when the title has
    no year); None when the title is not such a post."""
    conf = _conf()
    compact = "".join(title.split())
    if not any(w in compact for w in conf["report_words"]):
        return None
    if not any(w in compact for w in conf["subject_words"]):
        return None
    number = next(
        (int(q) for q, words in conf["quarter_words"].items() if any(w in compact for w in words)),
        None,
    )
    if number is None:
        return None
    match = _YEAR.search(compact.translate(_cn_digits()))
    if match:
        return Quarter(int(match.group(1)), number)
    if published is None:
        return None
    # No year: the latest quarter of that number that had ended by the post's date.
    year = published.year
    while Quarter(year, number).end > published:
        year -= 1
    return Quarter(year, number)


def find_posts(facts: UnitFacts) -> dict[Quarter, Post]:
    """The earliest post per quarter among the items of every readable column."""
    found: dict[Quarter, Post] = {}
    for column in facts.columns:
        if not column.is_list or column.script_filled:
            continue
        for item in column.items:
            quarter = post_quarter(item.title, item.published)
            if quarter is None:
                continue
            known = found.get(quarter)
            if known is None or (
                item.published is not None
                and (known.item.published is None or item.published < known.item.published)
            ):
                found[quarter] = Post(quarter, item, column)
    return found


def judged_quarters(as_of: date, rubric: Rubric) -> list[tuple[Quarter, date]]:
    """(quarter, deadline) of every quarter that must have its post by as-of, oldest first."""
    t = rubric.thresholds.self_check
    quarter = Quarter.of(as_of - timedelta(days=t.lookback_days))
    if quarter.start < as_of - timedelta(days=t.lookback_days):
        quarter = quarter.next()
    out = []
    while quarter.start <= as_of:
        deadline = t.deadline(quarter.year, quarter.number)
        if deadline < as_of:
            out.append((quarter, deadline))
        quarter = quarter.next()
    return out


def _where(facts: UnitFacts) -> list[str]:
    names = _conf()["column_names"]
    urls = [c.url for c in facts.columns if any(n in c.name for n in names)]
    return urls or [facts.unit.website]


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    reporter = Reporter(CHECK, rubric, degraded=bool(facts.truncated))
    posts = find_posts(facts)
    numbers = _conf()["cn_numbers"]
    deadline_month = rubric.thresholds.self_check.deadline_month
    rows = []
    for quarter, deadline in judged_quarters(as_of, rubric):
        post = posts.get(quarter)
        row: dict[str, Any] = {
            "quarter": quarter.code,
            "deadline": deadline.isoformat(),
            "post": None,
            "missing": post is None,
        }
        if post is not None:
            published = post.item.published
            row["post"] = {
                "title": post.item.title,
                "url": clean_url(post.item.url) if post.item.url else None,
                "published": published.isoformat() if published else None,
                "column": post.column.name,
                "late": bool(published and published > deadline),
            }
        else:
            reporter.add(
                "self_check_missing",
                subject=f"quarter:{quarter.code}",
                urls=_where(facts),
                absence=True,
                evidence={
                    "quarter": quarter.code,
                    "deadline": deadline,
                    "columns": _where(facts),
                    "posts_found": sorted(q.code for q in posts),
                },
                year=quarter.year,
                quarter_cn=numbers[quarter.number],
                deadline=deadline,
                deadline_month_cn=numbers[deadline_month],
            )
        rows.append(row)
    reporter.result.report["self_check"] = {"quarters": rows}
    return reporter.result
