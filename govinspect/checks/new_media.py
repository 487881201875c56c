"""The update check of government new-media accounts (政务新媒体): a pure function of facts.

Rule (indicators.md §3): no post in the 2 weeks before the monitoring point (as-of) is a veto;
some provinces add a weekly-frequency deduction.  An account's history is the union of all its
feed polls, so posts that dropped out of a feed's window still count.  The facts come from
``checks/facts_new_media.py``; every number comes from the rubric (``thresholds.new_media``
and ``thresholds.frequency.quarter_days``); messages from ``checks/data/messages.yaml``.

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

:func:`check_account` judges one account into an :class:`AccountResult` (its
:meth:`~AccountResult.export` is the ``new_media`` entry of the JSON export) with the rules it
breaks; :func:`check` turns those into findings whose severity and wording follow the rubric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from govinspect.checks.facts import UnitFacts
from govinspect.checks.facts_new_media import AccountFacts, PollFact, PostFact
from govinspect.checks.findings import CheckResult, Reporter
from govinspect.checks.rubric import Rubric, load_rubric
from govinspect.checks.tables import label
from govinspect.checks.timeutil import aware
from govinspect.checks.timeutil import local_date as local_day

__all__ = [
    "AccountFacts",
    "AccountResult",
    "NewMediaRules",
    "PollFact",
    "PostFact",
    "check",
    "check_account",
    "check_accounts",
    "local_day",
]

CHECK = "new_media"
STALE_RULE = "new_media_stale"
UNKNOWN_RULE = "new_media_unknown"
FREQUENCY_RULE = "new_media_frequency"
#: Failed polls quoted in a "cannot be checked" notice (newest first).
MAX_QUOTED_ERRORS = 5

OK, STALE, UNKNOWN = "ok", "stale", "unknown"


# --------------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewMediaRules:
    """The numbers of the new-media rules, as one rubric sets them (:meth:`of`)."""

    stale_days: int
    window_days: int
    recent_days: int
    period_days: int  # "the quarter": the rubric's frequency.quarter_days
    poll_grace_days: int
    min_posts_per_week: float | None = None

    @classmethod
    def of(cls, rubric: Rubric) -> NewMediaRules:
        t = rubric.thresholds
        return cls(
            stale_days=t.new_media.stale_days,
            window_days=t.new_media.window_days,
            recent_days=t.new_media.recent_days,
            period_days=t.frequency.quarter_days,
            poll_grace_days=t.new_media.poll_grace_days,
            min_posts_per_week=t.new_media.min_posts_per_week,
        )

    @classmethod
    def packaged(cls) -> NewMediaRules:
        """The rules of the packaged county rubric (the national rule)."""
        return cls.of(load_rubric(None, "county"))


# --------------------------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AccountFinding:
    """A rule an account breaks, with what its message says (``params``) and its evidence."""

    rule: str
    params: dict[str, Any]
    urls: tuple[str, ...]
    evidence: dict[str, Any]
    count: int = 1
    variant: str | None = None


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
    findings: list[AccountFinding] = field(default_factory=list)

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
    return sorted(polls, key=lambda p: aware(p.fetched_at), reverse=True)


def _quoted_errors(polls: list[PollFact]) -> list[dict[str, Any]]:
    failed = [p for p in polls if not p.ok][:MAX_QUOTED_ERRORS]
    return [
        {"fetched_at": aware(p.fetched_at).isoformat(), "status": p.status, "error": p.error}
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
        return label("new_media_unknown", "no_polls", since=since)
    if not ok_days:
        errors = _distinct_errors(polls) or label("new_media_unknown", "unknown_error")
        count = len(polls)
        return label("new_media_unknown", "all_failed", since=since, polls=count, errors=errors)
    last_ok = max(ok_days)
    if last_ok < as_of - timedelta(days=rules.poll_grace_days):
        after = [p for p in polls if local_day(p.fetched_at) > last_ok]
        errors = _distinct_errors(after) or label("new_media_unknown", "not_polled_since")
        return label("new_media_unknown", "failing_since", last_ok=last_ok, errors=errors)
    if line.last is None and line.undated:
        return label("new_media_unknown", "undated")
    if line.last is None and line.covered_from is not None:
        return label("new_media_unknown", "after_as_of", first=line.covered_from)
    return None


def account_label(facts: AccountFacts) -> str:
    """「name」（platform）: the platform tells apart accounts of the same name."""
    platform = label("platforms", facts.platform)
    return label("account", "label", name=facts.name, platform=platform)


def _post_evidence(day: date, post: PostFact) -> dict[str, Any]:
    published = aware(post.published_at).isoformat() if post.published_at else None
    return {
        "date": day.isoformat(),
        "published_at": published,
        "title": post.title,
        "url": post.url,
    }


def _base_evidence(facts: AccountFacts, as_of: date) -> dict[str, Any]:
    return {
        "account": facts.name,
        "platform": facts.platform,
        "feed": facts.feed,
        "as_of": as_of.isoformat(),
    }


def _stale_finding(
    facts: AccountFacts, line: _Timeline, as_of: date, rules: NewMediaRules, last_ok: date | None
) -> AccountFinding:
    evidence: dict[str, Any] = {
        **_base_evidence(facts, as_of),
        "stale_days": rules.stale_days,
        "last_ok_poll": _iso(last_ok),
        "undated_posts": line.undated,
    }
    params: dict[str, Any] = {
        "account": account_label(facts),
        "as_of": as_of,
        "stale_days": rules.stale_days,
    }
    urls = [facts.feed]
    if line.last is None:
        evidence["last_post"] = None
        return AccountFinding(STALE_RULE, params, tuple(urls), evidence, variant="new_media_empty")
    day, post = line.last
    days = (as_of - day).days
    params.update(
        title=label("account", "title", title=post.title) if post.title else "",
        last_post=day,
        days=days,
    )
    evidence.update(last_post=_post_evidence(day, post), days_since_last_post=days)
    if post.url:
        urls.append(post.url)
    return AccountFinding(STALE_RULE, params, tuple(urls), evidence)


def _unknown_finding(
    facts: AccountFacts, as_of: date, rules: NewMediaRules, reason: str, polls: list[PollFact]
) -> AccountFinding:
    evidence = {
        **_base_evidence(facts, as_of),
        "window_days": rules.window_days,
        "reason": reason,
        "polls_in_window": len(polls),
        "failed_polls": _quoted_errors(polls),
    }
    params = {"account": account_label(facts), "reason": reason}
    return AccountFinding(UNKNOWN_RULE, params, (facts.feed,), evidence)


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
) -> AccountFinding | None:
    minimum = rules.min_posts_per_week
    if minimum is None or period_from is None:
        return None
    weeks, short = _short_weeks(line, as_of, period_from, minimum)
    if not short:
        return None
    evidence = {
        **_base_evidence(facts, as_of),
        "min_posts_per_week": minimum,
        "weeks_checked": weeks,
        "short_weeks": short,
        "count": len(short),
    }
    params = {
        "account": account_label(facts),
        "as_of": as_of,
        "weeks": weeks,
        "short": len(short),
        "minimum": f"{minimum:g}",
    }
    return AccountFinding(FREQUENCY_RULE, params, (facts.feed,), evidence, count=len(short))


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

    findings: list[AccountFinding] = []
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
    """Judge every account at the monitoring point ``as_of`` (a Shanghai calendar day).

    Without ``rules``, those of the packaged county rubric (the national rule).
    """
    rules = rules or NewMediaRules.packaged()
    return [check_account(facts, as_of, rules) for facts in accounts]


# --------------------------------------------------------------------------------------------
# the check runner's hook (checks/run.py calls ``check`` for every unit)
# --------------------------------------------------------------------------------------------
def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    """Judge the unit's accounts (``facts.accounts``); severity and wording follow the rubric."""
    results = check_accounts(list(facts.accounts), as_of, NewMediaRules.of(rubric))
    reporter = Reporter(CHECK, rubric)
    reporter.result.report["new_media"] = [r.export() for r in results]
    for result in results:
        for found in result.findings:
            reporter.add(
                found.rule,
                subject=account_subject(result.platform, result.name),
                fingerprint={"last_post": result.last_post},
                urls=found.urls,
                evidence=found.evidence,
                count=found.count,
                variant=found.variant,
                **found.params,
            )
        _silence_warning(reporter, result, rubric)
    return reporter.result


def account_subject(platform: str, name: str) -> str:
    """The subject of an account's findings: platform and name identify it within the unit."""
    return f"account:{platform}:{name}"


def _silence_warning(reporter: Reporter, result: AccountResult, rubric: Rubric) -> None:
    """预警: an account still within its window but silent for longer than the warning line."""
    limit = rubric.thresholds.warnings.new_media_silent_days
    days = result.days_since_last_post
    if result.state != OK or days is None or days <= limit:
        return
    stale_days = NewMediaRules.of(rubric).stale_days
    platform = label("platforms", result.platform)
    reporter.add(
        "new_media_warning",
        subject=account_subject(result.platform, result.name),
        fingerprint={"last_post": result.last_post},
        urls=[result.feed],
        evidence={
            "account": result.name,
            "platform": result.platform,
            "feed": result.feed,
            "last_post": result.last_post,
            "days_since_last_post": days,
            "warning_days": limit,
            "stale_days": stale_days,
        },
        account=label("account", "label", name=result.name, platform=platform),
        last_post=result.last_post,
        days=days,
        days_left=stale_days - days,
        window=stale_days,
        stale_severity=label("severities", rubric.rule("new_media_stale").severity),
    )
