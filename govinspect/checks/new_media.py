"""The update check of government new-media accounts (政务新媒体): a pure function of facts.

Rule (indicators.md §3): no post in the 2 weeks before the monitoring point (as-of) is a veto;
some provinces add a weekly-frequency deduction.  An account's history is the union of all its
feed polls, so posts that dropped out of a feed's window still count.

What is known and what is not (accuracy first: a false "not updated" veto costs trust)
-------------------------------------------------------------------------------------
- Calendar days are Asia/Shanghai.  A post counts on the day it was published there; posts
  dated after as-of are ignored; undated posts never prove an update.
- An account is **stale** when its last dated post is more than ``stale_days`` days before
  as-of, *and* the facts cover the whole span: a successful poll (200 or 304) on or after
  as-of minus ``poll_grace_days``, and a history reaching back past the last post (or a
  working feed that lists no posts at all).
- Otherwise, when a post falls inside the span the account is **ok**; when the facts do not
  cover the span it is **unknown** and reported as "cannot be checked" with the errors, never
  as stale: every poll since ``as_of - window_days`` failed (a broken bridge), the feed has
  failed since an earlier successful poll, its entries carry no dates, or the history we hold
  starts after as-of.
- Polls made after as-of are used: they still show the posts published before it.

Findings are plain dicts (check, indicator, severity, message, urls, evidence), stored by the
check runner; :meth:`AccountResult.export` is the ``new_media`` entry of the JSON export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from govinspect.checks import tables
from govinspect.checks.facts import UnitFacts
from govinspect.checks.findings import CheckResult, Finding, jsonable
from govinspect.checks.rubric import Rubric
from govinspect.settings import TIMEZONE
from govinspect.store.db import Store
from govinspect.store.models import Account, FeedPoll, FeedPost

SHANGHAI = ZoneInfo(TIMEZONE)

#: Defaults of the rules (the rubric loader overrides them from YAML via NewMediaRules).
NEW_MEDIA_DEFAULTS: dict[str, Any] = {
    "stale_days": 14,  # last post more than this many days before as-of: veto
    "window_days": 14,  # every poll since as-of minus this failed: cannot be checked
    "min_posts_per_week": None,  # provincial add-on, e.g. 1 (at least one post a week)
    "recent_days": 7,  # the "posts in the last 7 days" figure
    "period_days": 91,  # "the quarter": 13 weeks up to as-of, for gaps and posts per week
    "poll_grace_days": 1,  # a successful poll this many days before as-of still covers it
}

CHECK_UPDATE = "new_media_update"
CHECK_FREQUENCY = "new_media_frequency"
INDICATORS: dict[str, str] = {
    CHECK_UPDATE: "政务新媒体内容不更新",
    CHECK_FREQUENCY: "政务新媒体更新频率",
}
PLATFORM_LABELS: dict[str, str] = {
    "wechat": "微信公众号",
    "weibo": "微博",
    "douyin": "抖音",
    "toutiao": "今日头条",
    "app": "移动客户端",
    "other": "新媒体",
}
#: Failed polls quoted in a "cannot be checked" notice (newest first).
MAX_QUOTED_ERRORS = 5

OK, STALE, UNKNOWN = "ok", "stale", "unknown"


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewMediaRules:
    stale_days: int = NEW_MEDIA_DEFAULTS["stale_days"]
    window_days: int = NEW_MEDIA_DEFAULTS["window_days"]
    min_posts_per_week: float | None = NEW_MEDIA_DEFAULTS["min_posts_per_week"]
    recent_days: int = NEW_MEDIA_DEFAULTS["recent_days"]
    period_days: int = NEW_MEDIA_DEFAULTS["period_days"]
    poll_grace_days: int = NEW_MEDIA_DEFAULTS["poll_grace_days"]

    def __post_init__(self) -> None:
        for name in ("stale_days", "window_days", "recent_days", "period_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"new_media.{name} must be at least 1")
        if self.poll_grace_days < 0:
            raise ValueError("new_media.poll_grace_days must not be negative")
        if self.min_posts_per_week is not None and self.min_posts_per_week <= 0:
            raise ValueError("new_media.min_posts_per_week must be positive (or absent)")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any] | None) -> NewMediaRules:
        """Rules from a rubric's ``new_media:`` mapping; unknown keys are an error."""
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown new_media rule {unknown[0]!r} (known: {sorted(known)})")
        return cls(**data)


@dataclass(frozen=True)
class PostFact:
    """A post seen in the feed; ``published_at`` is aware (UTC) or None when undated."""

    published_at: datetime | None
    url: str | None = None
    title: str | None = None
    guid: str = ""
    first_seen_at: datetime | None = None


@dataclass(frozen=True)
class PollFact:
    """One poll of the feed; ``ok`` is true for a parsed feed and for a 304."""

    fetched_at: datetime
    ok: bool
    not_modified: bool = False
    status: int | None = None
    error: str | None = None
    bozo: str | None = None
    entries: int = 0


@dataclass(frozen=True)
class AccountFacts:
    name: str
    platform: str
    feed: str
    posts: tuple[PostFact, ...] = ()
    polls: tuple[PollFact, ...] = ()
    account_id: int | None = None
    unit_id: str | None = None


# --------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------
@dataclass
class AccountResult:
    name: str
    platform: str
    feed: str
    state: str  # ok | stale | unknown
    last_post: date | None
    stale: bool
    error: str | None
    days_since_last_post: int | None
    posts_last_7_days: int
    longest_gap_days: int | None
    longest_gap: tuple[date, date] | None
    posts_per_week: float | None
    period_from: date | None
    undated_posts: int
    last_ok_poll: date | None
    account_id: int | None = None
    findings: list[dict[str, Any]] = field(default_factory=list)

    def export(self) -> dict[str, Any]:
        """The account's ``new_media`` entry of the JSON export (contract keys first)."""
        gap = self.longest_gap
        return {
            "name": self.name,
            "platform": self.platform,
            "feed": self.feed,
            "last_post": _iso(self.last_post),
            "stale": self.stale,
            "error": self.error,
            "state": self.state,
            "days_since_last_post": self.days_since_last_post,
            "posts_last_7_days": self.posts_last_7_days,
            "longest_gap_days": self.longest_gap_days,
            "longest_gap": [_iso(gap[0]), _iso(gap[1])] if gap else None,
            "posts_per_week": self.posts_per_week,
            "period_from": _iso(self.period_from),
            "undated_posts": self.undated_posts,
            "last_ok_poll": _iso(self.last_ok_poll),
        }


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --------------------------------------------------------------------------------------------
# the check
# --------------------------------------------------------------------------------------------
def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_day(moment: datetime) -> date:
    """The Asia/Shanghai calendar day of a moment (naive moments are UTC, as stored)."""
    return _aware(moment).astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class _Timeline:
    """The dated history up to as-of, in Shanghai days, oldest first."""

    posts: list[tuple[date, PostFact]]
    covered_from: date | None  # oldest dated post seen: the history is complete from here
    undated: int

    @property
    def last(self) -> tuple[date, PostFact] | None:
        return self.posts[-1] if self.posts else None

    def count(self, start: date, end: date) -> int:
        return sum(start <= day <= end for day, _ in self.posts)


def _timeline(facts: AccountFacts, as_of: date) -> _Timeline:
    dated = sorted(
        ((local_day(p.published_at), p) for p in facts.posts if p.published_at is not None),
        key=lambda pair: (pair[0], pair[1].published_at),
    )
    covered_from = dated[0][0] if dated else None
    return _Timeline(
        posts=[pair for pair in dated if pair[0] <= as_of],
        covered_from=covered_from,
        undated=sum(p.published_at is None for p in facts.posts),
    )


def _longest_gap(
    days: list[date], start: date, as_of: date, anchored: bool
) -> tuple[int, tuple[date, date]] | None:
    """Longest run of days without a post in [start, as_of], counting the open gap to as-of.

    ``anchored``: a post exists before ``start``, so the period opens inside a gap.
    """
    points = sorted(set(days))
    if anchored:
        points = [start, *points]
    if not points:
        return None
    points.append(as_of)
    best: tuple[int, tuple[date, date]] | None = None
    for a, b in zip(points, points[1:], strict=False):
        if best is None or (b - a).days > best[0]:
            best = ((b - a).days, (a, b))
    return best


@dataclass(frozen=True)
class _Figures:
    recent: int
    period_from: date | None
    per_week: float | None
    gap: tuple[int, tuple[date, date]] | None


def _figures(line: _Timeline, as_of: date, rules: NewMediaRules) -> _Figures:
    recent = line.count(as_of - timedelta(days=rules.recent_days - 1), as_of)
    period_start = as_of - timedelta(days=rules.period_days - 1)
    if line.covered_from is None or line.covered_from > as_of:
        return _Figures(recent, None, None, None)
    period_from = max(period_start, line.covered_from)
    days = (as_of - period_from).days + 1
    in_period = [day for day, _ in line.posts if day >= period_from]
    per_week = round(len(in_period) * 7 / days, 2)
    gap = _longest_gap(in_period, period_from, as_of, anchored=line.covered_from < period_start)
    return _Figures(recent, period_from, per_week, gap)


def _window_polls(facts: AccountFacts, as_of: date, rules: NewMediaRules) -> list[PollFact]:
    start = as_of - timedelta(days=rules.window_days)
    polls = [p for p in facts.polls if local_day(p.fetched_at) >= start]
    return sorted(polls, key=lambda p: _aware(p.fetched_at), reverse=True)


def _quoted_errors(polls: list[PollFact]) -> list[dict[str, Any]]:
    failed = [p for p in polls if not p.ok][:MAX_QUOTED_ERRORS]
    return [
        {"fetched_at": _aware(p.fetched_at).isoformat(), "status": p.status, "error": p.error}
        for p in failed
    ]


def _distinct_errors(polls: list[PollFact]) -> str | None:
    seen: list[str] = []
    for poll in polls:
        if not poll.ok and poll.error and poll.error not in seen:
            seen.append(poll.error)
    return "; ".join(seen[:3]) or None


def _unknown_reason(
    line: _Timeline, as_of: date, rules: NewMediaRules, polls: list[PollFact]
) -> str | None:
    """Why the facts cannot support a "not updated" verdict (None: they can)."""
    since = as_of - timedelta(days=rules.window_days)
    ok_days = [local_day(p.fetched_at) for p in polls if p.ok]
    if not polls:
        return f"{since}以来没有订阅源采集记录"
    if not ok_days:
        errors = _distinct_errors(polls) or "未知错误"
        return f"{since}以来的{len(polls)}次订阅源采集均失败：{errors}"
    last_ok = max(ok_days)
    if last_ok < as_of - timedelta(days=rules.poll_grace_days):
        after = [p for p in polls if local_day(p.fetched_at) > last_ok]
        errors = _distinct_errors(after) or "此后未再采集"
        return f"订阅源自{last_ok}以来未能成功采集：{errors}"
    if line.last is None and line.undated:
        return "订阅源中的文章均没有发布日期"
    if line.last is None and line.covered_from is not None:
        return f"已采集的文章均晚于监测时间点（最早一篇发布于{line.covered_from}）"
    return None


def _account_label(facts: AccountFacts) -> str:
    return f"「{facts.name}」（{PLATFORM_LABELS.get(facts.platform, facts.platform)}）"


def _post_evidence(day: date, post: PostFact) -> dict[str, Any]:
    published = _aware(post.published_at).isoformat() if post.published_at else None
    return {
        "date": day.isoformat(),
        "published_at": published,
        "title": post.title,
        "url": post.url,
    }


def _stale_finding(
    facts: AccountFacts, line: _Timeline, as_of: date, rules: NewMediaRules, last_ok: date | None
) -> dict[str, Any]:
    label = _account_label(facts)
    evidence: dict[str, Any] = {
        "account": facts.name,
        "platform": facts.platform,
        "feed": facts.feed,
        "as_of": as_of.isoformat(),
        "stale_days": rules.stale_days,
        "last_ok_poll": _iso(last_ok),
        "undated_posts": line.undated,
    }
    urls = [facts.feed]
    if line.last is None:
        message = (
            f"政务新媒体账号{label}的订阅源中没有任何已发布内容，按监测时间点{as_of}前"
            f"{rules.stale_days}天内未更新处理（单项否决）。请尽快发布内容；若账号实际在正常"
            f"更新，请检查订阅源地址（RSSHub 等桥接服务）是否指向正确的账号。"
        )
        evidence["last_post"] = None
        return _finding(CHECK_UPDATE, "veto", message, urls, evidence)
    day, post = line.last
    days = (as_of - day).days
    title = f"《{post.title}》" if post.title else ""
    message = (
        f"政务新媒体账号{label}最近一次发布{title}在{day}，距监测时间点{as_of}已{days}天，"
        f"超过{rules.stale_days}天未更新（单项否决）。请尽快发布内容，并至少每"
        f"{rules.stale_days}天更新一次。"
    )
    evidence.update(last_post=_post_evidence(day, post), days_since_last_post=days)
    if post.url:
        urls.append(post.url)
    return _finding(CHECK_UPDATE, "veto", message, urls, evidence)


def _unknown_finding(
    facts: AccountFacts, as_of: date, rules: NewMediaRules, reason: str, polls: list[PollFact]
) -> dict[str, Any]:
    message = (
        f"无法检查政务新媒体账号{_account_label(facts)}的更新情况：{reason}。此项不计为"
        f"未更新；请检查该账号的订阅源（如 RSSHub 路由、登录 Cookie 是否过期、是否被平台"
        f"反爬拦截），修复后重新采集。"
    )
    evidence = {
        "account": facts.name,
        "platform": facts.platform,
        "feed": facts.feed,
        "as_of": as_of.isoformat(),
        "window_days": rules.window_days,
        "reason": reason,
        "polls_in_window": len(polls),
        "failed_polls": _quoted_errors(polls),
    }
    return _finding(CHECK_UPDATE, "notice", message, [facts.feed], evidence)


def _short_weeks(
    line: _Timeline, as_of: date, period_from: date, minimum: float
) -> tuple[int, list[dict[str, Any]]]:
    """Full 7-day weeks ending at as-of inside the covered period, and those below minimum."""
    weeks, short = 0, []
    end = as_of
    while end - timedelta(days=6) >= period_from:
        start = end - timedelta(days=6)
        posts = line.count(start, end)
        weeks += 1
        if posts < minimum:
            short.append({"from": start.isoformat(), "to": end.isoformat(), "posts": posts})
        end = start - timedelta(days=1)
    return weeks, short


def _frequency_finding(
    facts: AccountFacts,
    line: _Timeline,
    as_of: date,
    rules: NewMediaRules,
    period_from: date | None,
) -> dict[str, Any] | None:
    minimum = rules.min_posts_per_week
    if minimum is None or period_from is None:
        return None
    weeks, short = _short_weeks(line, as_of, period_from, minimum)
    if not short:
        return None
    message = (
        f"政务新媒体账号{_account_label(facts)}在监测时间点{as_of}前的{weeks}周中，有"
        f"{len(short)}周发布少于{minimum:g}条，更新频率不足。请按要求每周至少发布{minimum:g}条。"
    )
    evidence = {
        "account": facts.name,
        "platform": facts.platform,
        "feed": facts.feed,
        "as_of": as_of.isoformat(),
        "min_posts_per_week": minimum,
        "weeks_checked": weeks,
        "short_weeks": short,
        "count": len(short),
    }
    return _finding(CHECK_FREQUENCY, "deduction", message, [facts.feed], evidence)


def _finding(
    check: str, severity: str, message: str, urls: list[str], evidence: dict[str, Any]
) -> dict[str, Any]:
    return {
        "check": check,
        "indicator": INDICATORS[check],
        "severity": severity,
        "message": message,
        "urls": urls,
        "evidence": evidence,
    }


def check_account(facts: AccountFacts, as_of: date, rules: NewMediaRules) -> AccountResult:
    line = _timeline(facts, as_of)
    figures = _figures(line, as_of, rules)
    polls = _window_polls(facts, as_of, rules)
    ok_days = [local_day(p.fetched_at) for p in polls if p.ok]
    last_ok = max(ok_days) if ok_days else None
    last_day = line.last[0] if line.last else None
    days_since = (as_of - last_day).days if last_day else None

    reason = None
    if days_since is not None and days_since <= rules.stale_days:
        state = OK  # a post inside the span proves the account active, whatever the feed does
    else:
        reason = _unknown_reason(line, as_of, rules, polls)
        state = UNKNOWN if reason else STALE

    findings: list[dict[str, Any]] = []
    if state == STALE:
        findings.append(_stale_finding(facts, line, as_of, rules, last_ok))
    elif state == UNKNOWN and reason:
        findings.append(_unknown_finding(facts, as_of, rules, reason, polls))
    if state != UNKNOWN:
        frequency = _frequency_finding(facts, line, as_of, rules, figures.period_from)
        if frequency:
            findings.append(frequency)

    return AccountResult(
        name=facts.name,
        platform=facts.platform,
        feed=facts.feed,
        state=state,
        last_post=last_day,
        stale=state == STALE,
        error=reason,
        days_since_last_post=days_since,
        posts_last_7_days=figures.recent,
        longest_gap_days=figures.gap[0] if figures.gap else None,
        longest_gap=figures.gap[1] if figures.gap else None,
        posts_per_week=figures.per_week,
        period_from=figures.period_from,
        undated_posts=line.undated,
        last_ok_poll=last_ok,
        account_id=facts.account_id,
        findings=findings,
    )


def check_accounts(
    accounts: list[AccountFacts], as_of: date, rules: NewMediaRules | None = None
) -> list[AccountResult]:
    """Judge every account at the monitoring point ``as_of`` (a Shanghai calendar day)."""
    rules = rules or NewMediaRules()
    return [check_account(facts, as_of, rules) for facts in accounts]


# --------------------------------------------------------------------------------------------
# loading the facts
# --------------------------------------------------------------------------------------------
def _utc_start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, SHANGHAI).astimezone(UTC)


def account_facts(
    session: Session, unit_id: str, as_of: date, rules: NewMediaRules | None = None
) -> list[AccountFacts]:
    """The active accounts of a unit with their whole post history and the polls of the window.

    Polls from ``as_of - window_days`` on are loaded, including ones made after as-of.
    """
    rules = rules or NewMediaRules()
    since = _utc_start_of(as_of - timedelta(days=rules.window_days))
    accounts = session.scalars(
        select(Account)
        .where(Account.unit_id == unit_id, Account.active.is_(True))
        .order_by(Account.id)
    ).all()
    ids = [a.id for a in accounts]
    posts: dict[int, list[PostFact]] = {i: [] for i in ids}
    polls: dict[int, list[PollFact]] = {i: [] for i in ids}
    for post in session.scalars(select(FeedPost).where(FeedPost.account_id.in_(ids))):
        posts[post.account_id].append(
            PostFact(
                published_at=_aware(post.published_at) if post.published_at else None,
                url=post.url,
                title=post.title,
                guid=post.guid,
                first_seen_at=_aware(post.first_seen_at),
            )
        )
    query = select(FeedPoll).where(FeedPoll.account_id.in_(ids), FeedPoll.fetched_at >= since)
    for poll in session.scalars(query):
        polls[poll.account_id].append(
            PollFact(
                fetched_at=_aware(poll.fetched_at),
                ok=poll.ok,
                not_modified=poll.not_modified,
                status=poll.status,
                error=poll.error,
                bozo=poll.bozo,
                entries=poll.entries,
            )
        )
    return [
        AccountFacts(
            name=a.name,
            platform=a.platform,
            feed=a.feed_url,
            posts=tuple(posts[a.id]),
            polls=tuple(polls[a.id]),
            account_id=a.id,
            unit_id=a.unit_id,
        )
        for a in accounts
    ]


def load_account_facts(
    store: Store, unit_id: str, as_of: date, rules: NewMediaRules | None = None
) -> list[AccountFacts]:
    """:func:`account_facts` in a session of its own."""
    with store.session() as session:
        return account_facts(session, unit_id, as_of, rules)


# --------------------------------------------------------------------------------------------
# the check runner's hook (checks/run.py calls ``check`` for every unit)
# --------------------------------------------------------------------------------------------
CHECK = "new_media"


#: (finding check, severity as the account check decides it) -> rubric rule.
_RULES = {
    (CHECK_UPDATE, "veto"): "new_media_stale",
    (CHECK_UPDATE, "notice"): "new_media_unknown",
    (CHECK_FREQUENCY, "deduction"): "new_media_frequency",
    (CHECK_FREQUENCY, "notice"): "new_media_frequency",
}


def rules_of(rubric: Rubric) -> NewMediaRules:
    return NewMediaRules.from_mapping(rubric.thresholds.new_media)


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    """Judge the unit's accounts (``facts.accounts``); severities come from the rubric."""
    results = check_accounts(list(facts.accounts), as_of, rules_of(rubric))
    out = CheckResult(report={"new_media": [r.export() for r in results]})
    for result in results:
        for found in result.findings:
            rule = _RULES.get((found["check"], found["severity"]))
            if rule is None:
                continue
            spec = rubric.rule(rule)
            evidence = found.get("evidence") or {}
            out.findings.append(
                Finding(
                    check=CHECK,
                    rule=rule,
                    indicator=spec.label,
                    severity=spec.severity,
                    message=found["message"],
                    urls=tuple(u for u in found.get("urls", ()) if u),
                    evidence=jsonable(evidence),
                    count=int(evidence.get("count", 1) or 1),
                    subject=account_subject(result.name),
                    fingerprint=jsonable({"last_post": result.last_post}),
                )
            )
        warning = _silence_warning(result, as_of, rubric)
        if warning is not None:
            out.findings.append(warning)
    return out


def account_subject(name: str) -> str:
    """The subject of an account's findings (its name is unique within the unit)."""
    return f"account:{name}"


def _silence_warning(result: AccountResult, as_of: date, rubric: Rubric) -> Finding | None:
    """预警: an account still within its window but silent for longer than the warning line."""
    limit = rubric.thresholds.warnings.new_media_silent_days
    days = result.days_since_last_post
    if result.state != OK or days is None or days <= limit:
        return None
    spec = rubric.rule("new_media_warning")
    stale_days = rules_of(rubric).stale_days
    label = f"「{result.name}」（{PLATFORM_LABELS.get(result.platform, result.platform)}）"
    message = tables.messages()["rules"]["new_media_warning"].format(
        account=label,
        last_post=result.last_post,
        days=days,
        days_left=stale_days - days,
        window=stale_days,
    )
    return Finding(
        check=CHECK,
        rule="new_media_warning",
        indicator=spec.label,
        severity=spec.severity,
        message=message,
        urls=(result.feed,),
        evidence=jsonable(
            {
                "account": result.name,
                "feed": result.feed,
                "last_post": result.last_post,
                "days_since_last_post": days,
                "warning_days": limit,
                "stale_days": stale_days,
            }
        ),
        subject=account_subject(result.name),
        fingerprint=jsonable({"last_post": result.last_post}),
    )
