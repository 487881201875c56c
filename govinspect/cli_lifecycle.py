"""The commands of the finding lifecycle (``govinspect findings``) and of the digests
(``govinspect digest``); ``cli.py`` registers them.

The shared context object (``cli.AppContext``: settings, registry, store) reaches these
commands as ``ctx.obj``; errors are ``govinspect.errors`` exceptions, turned into one line by
``cli.main``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, soft_wrap=True)


def _app(ctx: typer.Context) -> Any:
    """The invocation's ``cli.AppContext`` (set by the main callback)."""
    obj = ctx.find_root().obj
    assert obj is not None, "the main callback always sets the context object"
    return obj


# The help is the callback's docstring (with its example).
findings_app = typer.Typer(invoke_without_command=True)

FINDING_STATUSES = (
    "new", "open", "reopened", "fixed", "ignored", "accepted", "claimed-fixed", "active", "all",
)  # fmt: skip


def _finding_rows(app_ctx: Any, units: list[str] | None, statuses: list[str], overdue: bool):
    from govinspect.checks.evidence_age import evidence_age
    from govinspect.checks.lifecycle import shown_status
    from govinspect.checks.lifecycle_store import _state, actions_of, state_rows
    from govinspect.checks.timeutil import SHANGHAI
    from govinspect.errors import ConfigError

    for status in statuses:
        if status not in FINDING_STATUSES:
            raise ConfigError(
                f"--status: unknown status {status!r} (choose from {', '.join(FINDING_STATUSES)})"
            )
    if units:
        app_ctx.registry.select(units)  # an unknown unit is refused by name
    today = datetime_now(SHANGHAI).date()
    wanted = {s.replace("-", "_") for s in statuses} or {"active"}
    out = []
    with app_ctx.store.session() as session:
        rows = state_rows(session, units)
        actions = actions_of(session, [r.key for r in rows])
        for row in rows:
            state = _state(row)
            shown = shown_status(state)
            if not ("all" in wanted or shown in wanted or row.status in wanted) and not (
                "active" in wanted and state.active
            ):
                continue
            if overdue and not state.overdue(today):
                continue
            reason = next(
                (
                    a["reason"]
                    for a in reversed(actions.get(row.key, []))
                    if a["action"] == "ignore"
                ),
                None,
            )
            out.append(
                {
                    "key": row.key,
                    "unit": row.unit_id,
                    "rule": row.rule,
                    "indicator": row.indicator,
                    "severity": row.severity,
                    "subject": row.subject,
                    "status": row.status,
                    "shown_status": shown,
                    "disposition": row.disposition,
                    "first_seen": row.first_seen.isoformat(),
                    "last_seen": row.last_seen.isoformat(),
                    "fixed_on": row.fixed_on.isoformat() if row.fixed_on else None,
                    "deadline": row.deadline.isoformat() if row.deadline else None,
                    "overdue": state.overdue(today),
                    "confirmed": bool(row.confirmed),
                    "ignored_because": reason if row.disposition == "ignored" else None,
                    "message": row.message,
                    # Facts a crawl plan carried forward: how old they were when last judged.
                    "evidence_age": evidence_age(row.last_evidence, row.last_seen),
                    "first_evidence": row.first_evidence,
                    "last_evidence": row.last_evidence,
                    "fixed_evidence": row.fixed_evidence,
                    "actions": actions.get(row.key, []),
                }
            )
    return out


def datetime_now(zone: Any) -> Any:
    from datetime import datetime

    return datetime.now(zone)


@findings_app.callback()
def findings(
    ctx: typer.Context,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="Unit id (repeat; default: all).")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="new, open, reopened, fixed, ignored, accepted, claimed-fixed, active "
            "(default) or all; repeat for several.",
        ),
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Only findings past their 整改 deadline.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON (with the audit trail).")] = (
        False
    ),
) -> None:
    """List findings across check runs: key, status, first/last seen, deadline.

    Act on one with a subcommand (every action is recorded with who, when and why):
    ignore (a false positive, until its subject changes), accept (a 整改 deadline),
    claim-fixed (the next complete crawl confirms or reopens), confirm (a 疑似 finding).

    Example: govinspect findings --unit county --overdue
    """
    if ctx.invoked_subcommand is not None:
        return
    rows = _finding_rows(_app(ctx), unit, status or [], overdue)
    if as_json:
        typer.echo(json.dumps({"findings": rows}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} findings")
    for name in ("key", "unit", "status", "severity", "indicator", "subject", "first seen",
                 "last seen", "deadline"):  # fmt: skip
        table.add_column(name, overflow="fold")
    for row in rows:
        deadline = row["deadline"] or "-"
        if row["overdue"]:
            deadline = f"[red]{deadline} (overdue)[/]"
        table.add_row(
            escape(row["key"]),
            escape(row["unit"]),
            escape(row["shown_status"]),
            escape(row["severity"]),
            escape(row["indicator"]),
            escape(row["subject"] + (f"\n{row['evidence_age']}" if row["evidence_age"] else "")),
            row["first_seen"],
            row["fixed_on"] and f"fixed {row['fixed_on']}" or row["last_seen"],
            deadline,
        )
    console.print(table)


def _act(ctx: typer.Context, action: str, key: str, by: str | None, reason: str | None,
         deadline: str | None) -> None:  # fmt: skip
    from govinspect.checks.lifecycle_store import act
    from govinspect.checks.rubric import rubric_for_category
    from govinspect.checks.timeutil import SHANGHAI, parse_as_of
    from govinspect.errors import ConfigError

    app_ctx = _app(ctx)
    if not by or not by.strip():
        raise ConfigError("--by: say who takes the action, e.g. --by 张三")
    day = None
    if deadline is not None:
        try:
            day = parse_as_of(deadline)
        except ConfigError:
            raise ConfigError(f"--deadline: {deadline!r} is not a date YYYY-MM-DD") from None
    store = app_ctx.store

    def needs_confirmation(rule: str) -> bool:
        category = _unit_category(store, key)
        rubric = rubric_for_category(_rubric_path(store, category), category)
        spec = rubric.rules.get(rule)
        return bool(spec and spec.needs_confirmation)

    with store.session() as session:
        row = act(
            session,
            key,
            action,
            by,
            today=datetime_now(SHANGHAI).date(),
            reason=reason,
            deadline=day,
            needs_confirmation=needs_confirmation,
        )
        summary = f"{row.key} ({row.unit_id}, {row.indicator}): {action.replace('_', '-')} by {by}"
    console.print(escape(summary))


def _unit_category(store: Any, key: str) -> str:
    from govinspect.store.models import FindingState, Unit

    with store.session() as session:
        state = session.query(FindingState).filter_by(key=key).first()
        unit = session.get(Unit, state.unit_id) if state else None
        return unit.category if unit else "county"


def _rubric_path(store: Any, category: str) -> Path | None:
    """The rubric file the latest check run used for this category (None: packaged)."""
    from govinspect.checks.run import latest_check_run

    with store.session() as session:
        run = latest_check_run(session)
        source = (((run.summary or {}).get("rubrics") or {}).get(category) or {}).get(
            "source"
        ) if run else None  # fmt: skip
    if not source or source.startswith("packaged:"):
        return None
    return Path(source)


_BY = typer.Option("--by", help="Who takes the action (recorded in the audit trail).")
_REASON = typer.Option("--reason", help="Why (recorded; required for ignore).")


@findings_app.command("ignore")
def findings_ignore(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Finding key (govinspect findings).")],
    by: Annotated[str | None, _BY] = None,
    reason: Annotated[str | None, _REASON] = None,
) -> None:
    """Mark a finding as a false positive: out of scores and digests until its subject changes.

    Example: govinspect findings ignore county:3f9a2c1b7d4e --by 张三 --reason 链接实际可用
    """
    _act(ctx, "ignore", key, by, reason, None)


@findings_app.command("accept")
def findings_accept(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Finding key (govinspect findings).")],
    by: Annotated[str | None, _BY] = None,
    reason: Annotated[str | None, _REASON] = None,
    deadline: Annotated[
        str | None, typer.Option("--deadline", help="整改 deadline YYYY-MM-DD (required).")
    ] = None,
) -> None:
    """Accept a finding with a 整改 deadline; past it, the finding is overdue.

    Example: govinspect findings accept county:3f9a2c1b7d4e --by 张三 --deadline 2026-12-31
    """
    _act(ctx, "accept", key, by, reason, deadline)


@findings_app.command("claim-fixed")
def findings_claim_fixed(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Finding key (govinspect findings).")],
    by: Annotated[str | None, _BY] = None,
    reason: Annotated[str | None, _REASON] = None,
) -> None:
    """Say a finding is fixed: the next complete crawl confirms it (fixed) or reopens it.

    Example: govinspect findings claim-fixed county:3f9a2c1b7d4e --by 李四 --reason 已删除链接
    """
    _act(ctx, "claim_fixed", key, by, reason, None)


@findings_app.command("confirm")
def findings_confirm(
    ctx: typer.Context,
    key: Annotated[str, typer.Argument(help="Finding key (govinspect findings).")],
    by: Annotated[str | None, _BY] = None,
    reason: Annotated[str | None, _REASON] = None,
) -> None:
    """Confirm a 疑似 finding (a rule with needs_confirmation): it then takes its rule's severity.

    Example: govinspect findings confirm county:3f9a2c1b7d4e --by 王五 --reason 已核实
    """
    _act(ctx, "confirm", key, by, reason, None)


def digest(
    ctx: typer.Context,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the digests due; store and send nothing.")
    ] = False,
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", "-u", help="Unit id (repeat; default: all units and the office)."),
    ] = None,
) -> None:
    """Send the digests due (what changed since the last one) to the units and the office.

    New findings, vetoes, early warnings, fixed findings and overdue 整改, by e-mail and the
    contacts' webhooks (WeCom, DingTalk, JSON); failed sends are kept and retried. The scheduler
    does this right after the nightly check.

    Example: govinspect digest --dry-run --unit county
    """
    from govinspect.notify import run_digest

    app_ctx = _app(ctx)
    if unit:
        app_ctx.registry.select(unit)
    result = run_digest(
        app_ctx.store, app_ctx.registry, app_ctx.settings, dry_run=dry_run, unit_ids=unit
    )
    for draft in result.drafts:
        if dry_run:
            console.print(escape(draft.text), highlight=False)
            console.print()
        elif draft.scope in result.no_contacts:
            console.print(
                escape(f"{draft.scope}: no contacts in the registry; kept for the next digest")
            )
        else:
            console.print(escape(f"{draft.scope}: {draft.title} ({len(draft.items)} items)"))
    if not result.drafts:
        console.print("nothing changed since the last digest")
    flushed = result.flushed
    if dry_run or flushed is None:
        return
    console.print(
        f"{result.queued} messages queued; sent {flushed.sent}, retrying {flushed.retrying}, "
        f"failed {flushed.failed}"
        + (
            f"; held until {flushed.held_until:%Y-%m-%d %H:%M} UTC (quiet hours)"
            if flushed.held_until
            else ""
        )  # fmt: skip
    )
    for error in flushed.errors:
        err_console.print(f"[yellow]warning:[/] {escape(error)}")
