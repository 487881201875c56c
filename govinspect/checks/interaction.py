"""互动交流: letters (政务咨询), consultations (意见征集) and interviews (在线访谈).

Rules (thresholds in the rubric's ``thresholds.interaction``; sources in docs/checks.md):

* 互动回应差 (veto, 2019 指标): a message asked within the ``lookback_days`` before the
  monitoring point and not answered within ``veto_months`` months (answered late, or still
  unanswered and asked more than ``veto_months`` months before the monitoring point);
* no newly published reply within ``reply_fresh_months`` months (deduction, 2019 指标 互动交流);
* published messages lacking 留言时间, 答复时间, 答复单位 or 答复内容 (deduction per message);
* reply latency in working days: median and share within the local limit (registry key
  ``reply_limit_working_days``, else the rubric's), a notice unless the rubric makes it count;
* consultations without dates, shorter than the minimum (per draft type), ended without
  published feedback, or none in the year; interviews: fewer than the minimum in the year.

A letters column whose list is loaded by script and could not be read is unknown: a notice,
never "no messages".
"""

from __future__ import annotations

import re
import statistics
from calendar import monthrange
from datetime import date, timedelta
from functools import cache
from typing import Any

from govinspect.checks import tables
from govinspect.checks.facts import UnitFacts
from govinspect.checks.facts_interaction import ConsultationFact, InteractionFacts, LetterFact
from govinspect.checks.findings import CheckResult, Reporter, clean_url
from govinspect.checks.rubric import InteractionThresholds, Rubric
from govinspect.checks.workdays import calendar_basis, calendar_phrase, working_days_between

CHECK = "interaction"
#: Field key -> the label a finding names (留言时间 …).
FIELD_LABELS = {
    "asked": "留言时间",
    "replied": "答复时间",
    "unit": "答复单位",
    "content": "答复内容",
}


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


@cache
def _conf() -> dict[str, Any]:
    return tables.tables()["interaction"]


def _topic(title: str) -> str:
    """The matter a consultation is about: its 《name》, else the title without the noise."""
    text = re.sub(r"\s+", "", title or "")
    book = re.search(r"《([^《》]{2,})》", text)
    if book:
        text = book.group(1)
    for noise in sorted(_conf()["title_noise"], key=len, reverse=True):
        text = text.replace(noise, "")
    return text.strip("《》“”\"' ：:（）()")


# --- letters ----------------------------------------------------------------------------------


def unanswered(
    letters: tuple[LetterFact, ...], as_of: date, t: InteractionThresholds
) -> list[dict[str, Any]]:
    """The messages behind the 互动回应差 veto, oldest first."""
    since = as_of - timedelta(days=t.lookback_days)
    out = []
    for letter in letters:
        asked = letter.asked
        if asked is None or not since <= asked <= as_of:
            continue
        deadline = add_months(asked, t.veto_months)
        if letter.replied is not None:
            if letter.replied > deadline:
                out.append(_late(letter, asked, letter.replied))
        elif not letter.answered and as_of > deadline:
            out.append(_late(letter, asked, None, as_of))
    return sorted(out, key=lambda x: (x["asked"], x["url"]))


def _late(letter: LetterFact, asked: date, replied: date | None, until: date | None = None) -> dict:
    end = replied or until
    assert end is not None
    return {
        "url": clean_url(letter.url),  # an API row without a page of its own: the API's URL
        "asked": asked.isoformat(),
        "replied": replied.isoformat() if replied else None,
        "days": (end - asked).days,
    }


def pending(
    letters: tuple[LetterFact, ...], as_of: date, t: InteractionThresholds
) -> list[dict[str, Any]]:
    """Messages not answered yet and not yet late: the 互动回应差 deadline each is heading for.

    A fact for early warnings (预警): ``deadline`` is the last day a reply keeps the message
    out of the veto, ``days_left`` the days from the monitoring point to it.
    """
    since = as_of - timedelta(days=t.lookback_days)
    out = []
    for letter in letters:
        asked = letter.asked
        if asked is None or letter.answered or not since <= asked <= as_of:
            continue
        deadline = add_months(asked, t.veto_months)
        if deadline >= as_of:
            out.append(
                {
                    "url": clean_url(letter.url),
                    "asked": asked.isoformat(),
                    "deadline": deadline.isoformat(),
                    "days_left": (deadline - as_of).days,
                }
            )
    return sorted(out, key=lambda x: (x["deadline"], x["url"]))


def missing_fields(letters: tuple[LetterFact, ...], as_of: date, lookback: int) -> list[dict]:
    """Published messages lacking a field they must show (answered ones: the reply's too).

    A letter seen only on a list is judged on what lists show (留言时间, 答复时间); the reply
    unit and text are judged where a detail page or API record was read.
    """
    since = as_of - timedelta(days=lookback)
    out = []
    for letter in letters:
        if letter.asked is not None and letter.asked < since:
            continue
        missing = []
        if letter.asked is None:
            missing.append("asked")
        if letter.answered:
            if letter.replied is None:
                missing.append("replied")
            if set(letter.sources) & {"detail", "api"}:
                if not letter.reply_unit:
                    missing.append("unit")
                if letter.reply_shown is not True:
                    missing.append("content")
        if missing:
            out.append({"url": clean_url(letter.url), "fields": [FIELD_LABELS[m] for m in missing]})
    return sorted(out, key=lambda x: x["url"])


def latency(
    letters: tuple[LetterFact, ...], as_of: date, lookback: int, limit: int
) -> dict[str, Any]:
    """Working days from asking to the reply of the dated replies in the lookback."""
    since = as_of - timedelta(days=lookback)
    days = [
        max(0, working_days_between(x.asked, x.replied))
        for x in letters
        if x.asked is not None and x.replied is not None and since <= x.asked <= as_of
    ]
    return {
        "median_working_days": float(statistics.median(days)) if days else None,
        "within_limit_share": round(sum(d <= limit for d in days) / len(days), 4) if days else None,
        "limit": limit,
        "replies": len(days),
        "over_limit": sum(d > limit for d in days),
        "distribution": _distribution(days, limit),
    }


def _distribution(days: list[int], limit: int) -> dict[str, int]:
    bands = {f"<={limit}": 0, f"{limit + 1}-{2 * limit}": 0, f">{2 * limit}": 0}
    for d in days:
        key = (
            f"<={limit}"
            if d <= limit
            else (f"{limit + 1}-{2 * limit}" if d <= 2 * limit else f">{2 * limit}")
        )
        bands[key] += 1
    return bands


def _letters(
    reporter: Reporter, facts: UnitFacts, as_of: date, t: InteractionThresholds
) -> dict | None:
    info = facts.interaction
    columns = info.columns_of("letters")
    if not columns and not info.letters:
        reporter.add(
            "interaction_letters_unknown",
            subject="letters",
            urls=[facts.unit.website],
            reason="没有找到政务咨询类栏目（留言、信箱、咨询等）",
        )
        return None
    main = (
        max(columns, key=lambda c: sum(x.column_url == c.url for x in info.letters))
        if columns
        else None
    )
    column_url = main.url if main else (info.letters[0].column_url or info.letters[0].url)
    script_filled = bool(columns) and not info.letters and all(c.script_filled for c in columns)
    limit = facts.unit.reply_limit_working_days or t.reply_limit_working_days
    replies = [x.replied for x in info.letters if x.replied is not None and x.replied <= as_of]
    newest = max(replies) if replies else None
    late = unanswered(info.letters, as_of, t)
    lacking = missing_fields(info.letters, as_of, t.lookback_days)
    figures = latency(info.letters, as_of, t.lookback_days, limit)
    section = {
        "column_url": column_url,
        "script_filled": script_filled,
        "messages": len(info.letters),
        "newest_reply": newest.isoformat() if newest else None,
        "unanswered": late,
        "pending": pending(info.letters, as_of, t),
        "missing_fields": lacking,
        "latency": {k: figures[k] for k in ("median_working_days", "within_limit_share", "limit")},
    }
    if script_filled:
        reporter.add(
            "interaction_letters_unknown",
            subject="letters",
            urls=[column_url],
            reason="留言列表由脚本加载，未能读取其接口",
        )
        return section
    if late:
        reporter.add(
            "interaction_unanswered",
            subject="letters:unanswered",
            fingerprint={"letters": [(x["url"], x["asked"], x["replied"]) for x in late]},
            urls=[x["url"] for x in late],
            evidence={"unanswered": late, "months": t.veto_months},
            count=len(late),
            months=t.veto_months,
            days=t.lookback_days,
            examples=tables.join(_late_text(x) for x in late[:5]),
        )
    _nearing(reporter, section["pending"], t)
    fresh_since = add_months(as_of, -t.reply_fresh_months)
    if newest is None or newest < fresh_since:
        reporter.add(
            "interaction_no_recent_reply",
            subject="letters:replies",
            fingerprint={"newest_reply": newest},
            urls=[column_url],
            evidence={"newest_reply": newest, "since": fresh_since},
            newest=newest or "无",
            months=t.reply_fresh_months,
        )
    if lacking:
        reporter.add(
            "interaction_fields_missing",
            subject="letters:fields",
            fingerprint={"letters": [(x["url"], x["fields"]) for x in lacking]},
            urls=[x["url"] for x in lacking],
            evidence={"missing_fields": lacking},
            count=len(lacking),
            examples=tables.join(f"{x['url']}（缺{'、'.join(x['fields'])}）" for x in lacking[:3]),
        )
    if figures["over_limit"]:
        spans = [(x.asked, x.replied) for x in info.letters if x.asked and x.replied]
        basis = calendar_basis(spans)
        reporter.add(
            "interaction_reply_slow",
            subject="letters:latency",
            fingerprint={"over_limit": figures["over_limit"], "limit": limit},
            urls=[column_url],
            evidence={**figures, "calendar": basis},
            count=figures["over_limit"],
            limit=limit,
            replies=figures["replies"],
            median=figures["median_working_days"],
            share=f"{figures['within_limit_share']:.0%}",
            calendar=calendar_phrase(basis),
        )
    return section


def _nearing(reporter: Reporter, pending_letters: list[dict], t: InteractionThresholds) -> None:
    """预警: unanswered letters whose 互动回应差 deadline is close (``pending`` facts)."""
    days = reporter.rubric.thresholds.warnings.letter_days_left
    near = [x for x in pending_letters if x["days_left"] <= days]
    if not near:
        return
    veto = reporter.rubric.rule("interaction_unanswered").severity
    reporter.add(
        "interaction_warning",
        subject="letters:pending",
        fingerprint={"letters": [(x["url"], x["deadline"]) for x in near]},
        urls=[x["url"] for x in near],
        evidence={"pending": near, "days_left": days, "months": t.veto_months},
        count=len(near),
        months=t.veto_months,
        days=days,
        deadline=near[0]["deadline"],
        examples=tables.join(f"{x['url']}（{x['asked']} 留言）" for x in near[:5]),
        veto_severity=tables.label("severities", veto),
    )


def _late_text(late: dict[str, Any]) -> str:
    reply = f"答复于 {late['replied']}" if late["replied"] else "至今未答复"
    return f"{late['url']} {late['asked']} 留言（{reply}，{late['days']} 天）"


# --- consultations and interviews -------------------------------------------------------------


def consultation_problems(
    item: ConsultationFact, as_of: date, t: InteractionThresholds, feedback: InteractionFacts
) -> list[str]:
    problems = []
    if item.start is None or item.end is None:
        if item.detail_seen:  # a list row alone does not show the period
            problems.append("no_dates")
    else:
        minimum = t.consultation_min_days_by_type.get(
            item.draft_type or "", t.consultation_min_days
        )
        if (item.end - item.start).days < minimum:
            problems.append("too_short")
    over = item.end is not None and item.end < as_of - timedelta(days=t.feedback_grace_days)
    if over and not has_feedback(item, feedback):
        problems.append("no_feedback")
    return problems


def feedback_url(item: ConsultationFact, facts: InteractionFacts) -> str | None:
    """Its feedback: a 反馈/结果 link on its page, or a feedback page titled with its topic."""
    if item.feedback_urls:
        return item.feedback_urls[0]
    topic = _topic(item.title or "")
    if len(topic) < _conf()["min_topic_chars"]:
        return None
    for entry in facts.feedback:
        if topic in re.sub(r"\s+", "", entry.title or ""):
            return entry.url
    return None


def has_feedback(item: ConsultationFact, facts: InteractionFacts) -> bool:
    return feedback_url(item, facts) is not None


def _held(day: date | None, as_of: date, lookback: int) -> bool:
    return day is not None and as_of - timedelta(days=lookback) <= day <= as_of


def _consultations(
    reporter: Reporter, facts: UnitFacts, as_of: date, t: InteractionThresholds
) -> list[dict]:
    info = facts.interaction
    rows = []
    for item in info.consultations:
        start = item.start or item.published
        if start is not None and not _held(start, as_of, t.lookback_days):
            continue
        problems = consultation_problems(item, as_of, t, info)
        days = (item.end - item.start).days if item.start and item.end else None
        rows.append(
            {
                "title": item.title or "",
                "url": item.url,
                "start": item.start.isoformat() if item.start else None,
                "end": item.end.isoformat() if item.end else None,
                "days": days,
                "feedback_url": feedback_url(item, info),
                "problems": problems,
            }
        )
    rows.sort(key=lambda r: (r["start"] or "", r["url"]), reverse=True)
    for rule, problem in (
        ("consultation_no_dates", "no_dates"),
        ("consultation_too_short", "too_short"),
        ("consultation_no_feedback", "no_feedback"),
    ):
        hits = [r for r in rows if problem in r["problems"]]
        if hits:
            reporter.add(
                rule,
                subject=f"consultations:{problem}",
                fingerprint={"consultations": sorted(r["url"] for r in hits)},
                urls=[r["url"] for r in hits],
                evidence={"consultations": hits},
                count=len(hits),
                titles=tables.join(
                    f"《{r['title']}》"
                    + (
                        f"（{r['start']}至{r['end']}，{r['days']}天）"
                        if r["days"] is not None
                        else ""
                    )
                    for r in hits[:5]
                ),
                min_days=t.consultation_min_days,
                grace=t.feedback_grace_days,
            )
    held = [
        r
        for r in rows
        if r["start"] and _held(date.fromisoformat(r["start"]), as_of, t.lookback_days)
    ]
    held += [r for r in rows if not r["start"]]
    if len(held) < t.consultations_min_per_year:
        columns = info.columns_of("consultations")
        reporter.add(
            "consultation_none",
            subject="consultations",
            fingerprint={"held": len(held)},
            urls=[c.url for c in columns] or [facts.unit.website],
            evidence={"held": len(held), "minimum": t.consultations_min_per_year},
            absence=True,
            held=len(held),
            minimum=t.consultations_min_per_year,
            days=t.lookback_days,
        )
    return rows


def _interviews(
    reporter: Reporter, facts: UnitFacts, as_of: date, t: InteractionThresholds
) -> dict | None:
    info = facts.interaction
    columns = info.columns_of("interviews")
    dated = [x.published for x in info.interviews if x.published and x.published <= as_of]
    count = sum(_held(d, as_of, t.lookback_days) for d in dated)
    section = (
        {
            "column_url": columns[0].url
            if columns
            else info.interviews[0].column_url or info.interviews[0].url,
            "count_365d": count,
            "newest": max(dated).isoformat() if dated else None,
        }
        if columns or info.interviews
        else None
    )
    if count < t.interviews_min_per_year:
        reporter.add(
            "interview_none",
            subject="interviews",
            fingerprint={"count": count},
            urls=[section["column_url"]] if section else [facts.unit.website],
            evidence={
                "count": count,
                "minimum": t.interviews_min_per_year,
                "newest": max(dated) if dated else None,
            },
            absence=True,
            count_held=count,
            minimum=t.interviews_min_per_year,
            days=t.lookback_days,
        )
    return section


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    t = rubric.thresholds.interaction
    reporter = Reporter(CHECK, rubric, degraded=bool(facts.truncated))
    section = {
        "letters": _letters(reporter, facts, as_of, t),
        "consultations": _consultations(reporter, facts, as_of, t),
        "interviews": _interviews(reporter, facts, as_of, t),
    }
    reporter.result.report["interaction"] = section
    return reporter.result
