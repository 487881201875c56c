"""The ``govinspect`` command.

Every error reaches the user as one line on stderr and a non-zero exit status; set
``GOVINSPECT_DEBUG=1`` to see the Python traceback of an unexpected failure.
"""

from __future__ import annotations

import json
import sys
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govinspect import __version__, logs
from govinspect.cli_lifecycle import digest, findings_app
from govinspect.errors import ConfigError, GovinspectError
from govinspect.redaction import redact as redact_text
from govinspect.registry import Registry, load_registry
from govinspect.settings import Settings, load_settings
from govinspect.store.db import Store, head_revision, open_store, redact, upgrade

# Outside text (registry, network, files) goes to the console through _out: no terminal
# controls, no Rich markup.
from govinspect.text import for_console as _out

if TYPE_CHECKING:
    from govinspect.crawler.feeds import PollSummary

# Piped output (logs, cron mail, CI) gets wide lines instead of rich's 80-column default, so
# tables with Chinese names stay readable.
console = Console(width=None if sys.stdout.isatty() else 160)
err_console = Console(stderr=True, soft_wrap=True)

app = typer.Typer(
    name="govinspect",
    help="Inspect Chinese government websites and new-media accounts (政府网站与政务新媒体检查).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="rich",
)
db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _register_web() -> None:
    # The dashboard's commands live in cli_web.py (users, serve).
    from govinspect.cli_web import serve, users_app

    app.add_typer(users_app, name="users")
    app.command()(serve)


_register_web()


@dataclass
class AppContext:
    """Lazily opened resources shared by the commands of one invocation."""

    settings: Settings
    _registry: Registry | None = None
    _store: Store | None = field(default=None, repr=False)

    @property
    def registry(self) -> Registry:
        if self._registry is None:
            self._registry = load_registry(self.settings.config)
        return self._registry

    @property
    def store(self) -> Store:
        if self._store is None:
            self._store = open_store(
                self.settings.database_url, self.settings.sqlite_busy_timeout_ms
            )
        return self._store


def _ctx(ctx: typer.Context) -> AppContext:
    obj = ctx.find_object(AppContext)
    assert obj is not None, "main_options always sets the context object"
    return obj


def _version(value: bool) -> None:
    if value:
        console.print(f"govinspect {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    ctx: typer.Context,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Site registry YAML (env GOVINSPECT_CONFIG)."),
    ] = None,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Database URL or SQLite path (env GOVINSPECT_DB)."),
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option("--data-dir", help="Data folder (env GOVINSPECT_DATA_DIR) (default ./var)."),
    ] = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Show library log lines too (env GOVINSPECT_VERBOSE)."
        ),
    ] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show version.")
    ] = False,
) -> None:
    """Inspect government websites: crawl, check against the national rules, report."""
    settings = load_settings(config=config, db=db, data_dir=data_dir, verbose=verbose or None)
    logs.configure(verbose=settings.verbose)
    ctx.obj = AppContext(settings=settings)


@app.command()
def units(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the units in the site registry and their new-media accounts.

    Example: govinspect --config govinspect.yaml units
    """
    registry = _ctx(ctx).registry
    if as_json:
        data = [unit.model_dump(mode="json", exclude_defaults=True) for unit in registry.units]
        typer.echo(json.dumps({"units": data}, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(registry.units)} units in {_out(str(_ctx(ctx).settings.config))}")
    for name in ("id", "name", "category", "website", "site code", "new-media accounts"):
        table.add_column(name, overflow="fold")
    for unit in registry.units:
        accounts = "\n".join(_out(f"{a.name} ({a.platform.value})") for a in unit.new_media)
        table.add_row(
            *(_out(v) for v in (unit.id, unit.name, unit.category.value, unit.website)),
            _out(unit.site_code or "-"),
            accounts or "-",
        )
    console.print(table)


@app.command()
def crawl(
    ctx: typer.Context,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="Unit id (repeat; default: all).")
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Start over instead of resuming an interrupted run.")
    ] = False,
    distributed: Annotated[
        bool,
        typer.Option(
            "--distributed",
            help="Enqueue the runs for `govinspect worker` processes (needs GOVINSPECT_REDIS_URL)"
            " and wait for them.",
        ),
    ] = False,
    no_feeds: Annotated[
        bool, typer.Option("--no-feeds", help="Do not poll the units' new-media feeds.")
    ] = False,
    parallel: Annotated[
        int | None,
        typer.Option(
            "--parallel",
            help="Units crawled at once, one subprocess each (env GOVINSPECT_CRAWL_PARALLEL, "
            "default 4); 1 crawls them one after the other. Units sharing a crawled host never "
            "run at once. Not with --distributed (the workers take the runs).",
        ),
    ] = None,
    plan: Annotated[
        str | None,
        typer.Option(
            "--plan",
            help="quick | full | rolling (default: the crawl_plan setting, full); see "
            "docs/crawler.md, Crawl plans.",
        ),
    ] = None,
    recheck_all: Annotated[
        bool,
        typer.Option("--recheck-all", help="Request every link target again, however recent."),
    ] = False,
) -> None:
    """Crawl the units' websites and verify every link (one subprocess per unit, several units
    at once); poll the units' new-media feeds.

    An interrupted crawl (killed, machine restarted) is resumed where it stopped.  The feeds are
    polled after the crawls (with --distributed: as soon as the runs are enqueued).  A unit whose
    crawl fails fails the command (exit status 1) once every other unit has finished.

    Example: govinspect crawl --unit qixian --parallel 2
    """
    app_ctx = _ctx(ctx)
    app_ctx.settings = _with_plan(app_ctx.settings, plan, recheck_all)
    if parallel is not None and parallel < 1:
        raise ConfigError("--parallel must be at least 1")
    if distributed:
        if parallel is not None:
            raise ConfigError(
                "--parallel does not apply to --distributed (the workers take the runs)"
            )
        _crawl_distributed(app_ctx, unit, restart, feeds=not no_feeds)
        return
    results = _crawl_units(app_ctx, unit, restart, parallel or app_ctx.settings.crawl_parallel)
    if not no_feeds:
        _poll_unit_feeds(app_ctx, unit)
    failed = [r for r in results if r.status != "complete"]
    if failed:
        names = ", ".join(f"{r.unit_id} ({r.status})" for r in failed)
        raise GovinspectError(f"{len(failed)} of {len(results)} crawls did not complete: {names}")


def _crawl_units(
    app_ctx: AppContext, unit: list[str] | None, restart: bool, parallel: int
) -> list[Any]:
    """Crawl the selected units, ``parallel`` at once, with live progress and the summary."""
    from govinspect.crawler.parallel import crawl_units
    from govinspect.progress import CrawlProgress
    from govinspect.store.units import sync_registry

    units = app_ctx.registry.select(unit)
    sync_registry(app_ctx.store, app_ctx.registry)
    with CrawlProgress(console) as progress:
        results = crawl_units(
            app_ctx.settings,
            app_ctx.store,
            units,
            parallel,
            resume=not restart,
            on_start=lambda entry: progress.start(entry.id),
            on_event=progress.update,
            on_done=progress.finish,
        )
    progress.summary(results)
    return results


def _with_plan(settings: Settings, plan: str | None, recheck_all: bool) -> Settings:
    """The settings with ``crawl --plan`` and ``--recheck-all`` applied."""
    from govinspect.crawler.plans import PLANS

    if plan is not None and plan not in PLANS:
        raise ConfigError(f"--plan {plan!r}: expected one of {', '.join(PLANS)}")
    update: dict[str, object] = {"recheck_all": True} if recheck_all else {}
    if plan is not None:
        update["crawl_plan"] = plan
    return settings.model_copy(update=update) if update else settings


def _poll_unit_feeds(app_ctx: AppContext, unit: list[str] | None) -> None:
    """Poll the feeds of the selected units' accounts (if they have any) and print the table."""
    from govinspect.crawler.feeds import poll_feeds
    from govinspect.pipeline import has_feeds

    if not has_feeds(app_ctx.registry, unit):
        return
    console.print("polling the new-media feeds …")
    _print_feeds(poll_feeds(app_ctx.store, app_ctx.registry, unit, app_ctx.settings))


def _ranking_table(rows: list[dict], title: str) -> Table:
    table = Table(title=title)
    for name in ("排名", "单位", "类别"):
        table.add_column(name, no_wrap=True)
    dimensions = list(dict.fromkeys(d for row in rows for d in row["scores"]))
    for name in dimensions:
        table.add_column(name, justify="right")
    for name in ("总分", "结论", "单项否决"):
        table.add_column(name, overflow="fold")
    for row in rows:
        verdict = f"[red]{row['verdict']}[/]" if row["failed"] else row["verdict"]
        total = "-" if row["total"] is None else f"{row['total']:g}/{row['max_total']:g}"
        table.add_row(
            str(row["rank"]),
            _out(row["name"]),
            _out(row["category"]),
            *(
                f"{row['scores'][d]:g}/{row['max'][d]:g}" if d in row["scores"] else "-"
                for d in dimensions
            ),
            total,
            verdict,
            _out("；".join(dict.fromkeys(row["vetoes"])) or "-"),
        )
    return table


@app.command()
def check(
    ctx: typer.Context,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Monitoring date YYYY-MM-DD (default: today, Asia/Shanghai)."),
    ] = None,
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric",
            help="Rubric YAML or a folder of them (env GOVINSPECT_RUBRIC; default: the "
            "registry's schedule.rubric, else the packaged ones).",
        ),
    ] = None,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="Unit id (repeat; default: all).")
    ] = None,
) -> None:
    """Judge the latest facts against the rules; store findings and scores, print the ranking.

    Example: govinspect check --as-of 2026-11-20 --rubric city-rubrics/
    """
    from govinspect.checks.plan import rubric_source
    from govinspect.checks.rubric import load_rubrics
    from govinspect.checks.run import ranking, run_checks
    from govinspect.checks.timeutil import parse_as_of

    app_ctx = _ctx(ctx)
    day = parse_as_of(as_of)
    rubric = rubric or rubric_source(app_ctx.settings, app_ctx.registry)
    load_rubrics(rubric, [])  # everything the rubric path holds is valid, before any write
    units = [u.id for u in app_ctx.registry.select(unit)]
    run_id = run_checks(
        app_ctx.store, app_ctx.registry, day, rubric, app_ctx.settings.data_dir, units
    )
    rows = ranking(app_ctx.store, run_id)
    console.print(_ranking_table(rows, f"check run {run_id}, as of {day.isoformat()}"))
    console.print(f"export: govinspect export --format json --run {run_id}")


@app.command()
def export(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or csv.")] = "json",
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="File to write (default: standard output).")
    ] = None,
    run: Annotated[
        int | None, typer.Option("--run", help="Check run id (default: the latest).")
    ] = None,
) -> None:
    """Write the findings and scores of a check run as JSON (schema docs/export.schema.json) or CSV.

    Example: govinspect export --format json --out var/export.json
    """
    import io

    from govinspect.errors import ConfigError
    from govinspect.reports.export import export_csv, export_json

    if fmt not in ("json", "csv"):
        raise ConfigError(f"--format: {fmt!r} is not one of json, csv")
    app_ctx = _ctx(ctx)
    if fmt == "json":
        data = export_json(app_ctx.store, run, app_ctx.settings.data_dir.resolve())
        text = json.dumps(data, ensure_ascii=False, indent=2)
    else:
        buffer = io.StringIO()
        export_csv(app_ctx.store, run, buffer, app_ctx.settings.data_dir.resolve())
        text = buffer.getvalue()
    if out is None:
        typer.echo(text)
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"--out: cannot write {out}: {exc.strerror or exc}") from None
    err_console.print(f"wrote {_out(str(out))}")


def _crawl_distributed(
    app_ctx: AppContext, unit: list[str] | None, restart: bool, feeds: bool
) -> None:
    from govinspect.crawler.distributed.control import enqueue_units, wait_for_runs
    from govinspect.progress import CrawlProgress

    run_ids = enqueue_units(app_ctx.settings, app_ctx.registry, app_ctx.store, unit, restart)
    console.print(f"enqueued runs {', '.join(map(str, run_ids))}")
    if feeds:
        # While the workers crawl: Ctrl-C stops following the runs, and must not skip the feeds.
        _poll_unit_feeds(app_ctx, unit)
    console.print("waiting for the workers …")
    results = wait_for_runs(
        app_ctx.settings,
        app_ctx.store,
        run_ids,
        on_progress=lambda rows: console.print(
            "  "
            + "; ".join(
                f"run {r.run_id} ({_out(r.unit_id)}): {r.phase}, {r.pages} pages, "
                f"{r.queued} queued, {r.in_flight} in flight, {r.workers} workers"
                for r in rows
            ),
            highlight=False,
        ),
        poll=10.0,
    )
    CrawlProgress(console).summary(results)
    if any(r.status != "complete" for r in results):
        raise typer.Exit(1)


@app.command()
def worker(
    ctx: typer.Context,
    slots: Annotated[int, typer.Option(min=1, max=64, help="Crawl processes at most.")] = 1,
    stop_after_idle: Annotated[
        float | None,
        typer.Option(
            help="Exit after this many seconds without work (default: run until stopped)."
        ),
    ] = None,
) -> None:
    """Run a crawl worker for distributed runs (GOVINSPECT_REDIS_URL and a shared database).

    Takes requests of every enqueued run from Redis and writes facts to the shared store; stop it
    with SIGTERM or Ctrl-C (its in-flight requests are picked up by the other workers).

    Example: GOVINSPECT_REDIS_URL=redis://127.0.0.1:6379/0 govinspect --db URL worker --slots 2
    """
    from govinspect.crawler.distributed.control import run_worker

    app_ctx = _ctx(ctx)
    report = run_worker(app_ctx.settings, stop_after_idle=stop_after_idle, slots=slots)
    console.print(f"worker done after {report.seconds:.0f} s: {len(report.crawls)} crawl processes")


@app.command()
def report(
    ctx: typer.Context,
    period: Annotated[
        str | None,
        typer.Option("--period", help="Quarter, e.g. 2026Q4 (default: the latest check run's)."),
    ] = None,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="Unit id (repeat; default: all).")
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option("--format", "-f", help="html,docx,pdf,xlsx,evidence (default: all)."),
    ] = None,
    manual: Annotated[
        Path | None,
        typer.Option("--manual", help="Manual scores CSV: unit,dimension,score[,note]."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Folder (default: <data dir>/reports).")
    ] = None,
) -> None:
    """Write self-check reports, the city ranking workbook and evidence packs for a period.

    Example: govinspect report --period 2026Q4 --manual scores.csv
    """
    from govinspect.reports.build import build_reports, parse_formats

    app_ctx = _ctx(ctx)
    result = build_reports(
        app_ctx.store,
        app_ctx.registry,
        app_ctx.settings,
        period,
        unit,
        parse_formats(fmt),
        manual,
        out or app_ctx.settings.reports_dir,
        on_file=lambda p: console.print(f"wrote {_out(str(p))}"),
    )
    for warning in result.warnings:
        err_console.print(f"[yellow]warning:[/] {_out(warning)}")
    console.print(
        f"{result.period.code}: check run {result.run_id} as of {result.as_of}, "
        f"{len(result.files)} files in {_out(str(result.out_dir))}"
    )


@app.command()
def feeds(
    ctx: typer.Context,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="Unit id (repeat; default: all).")
    ] = None,
) -> None:
    """Poll the new-media accounts' feeds (RSS/Atom) and store every post seen.

    Unchanged feeds cost a 304; a failing feed makes the account "unknown", never "stale".

    Example: govinspect feeds --unit qixian
    """
    from govinspect.crawler.feeds import poll_feeds

    app_ctx = _ctx(ctx)
    _print_feeds(poll_feeds(app_ctx.store, app_ctx.registry, unit, app_ctx.settings))


def _print_feeds(summary: PollSummary) -> None:
    """The poll summary (a ``PollSummary``) as a table, one row per account."""
    table = Table(title=f"feeds poll (run {summary.run_id}, {summary.seconds:.1f} s)")
    for name in (
        "unit",
        "account",
        "platform",
        "outcome",
        "status",
        "entries",
        "new posts",
        "error",
    ):
        table.add_column(name, overflow="fold")
    colours = {"ok": "green", "not_modified": "cyan", "error": "red"}
    for r in summary.results:
        table.add_row(
            _out(r.unit_id),
            _out(r.name),
            _out(r.platform),
            f"[{colours.get(r.outcome, 'white')}]{_out(r.outcome)}[/]",
            str(r.status or "-"),
            str(r.entries),
            str(r.new_posts),
            _out(r.error or r.bozo or "-"),
        )
    console.print(table)
    if summary.errors:
        console.print(f"{summary.errors} feed(s) failed: those accounts cannot be checked")


@app.command()
def probe(
    ctx: typer.Context,
    unit: Annotated[
        list[str] | None, typer.Option("--unit", "-u", help="Unit id (repeat; default: all).")
    ] = None,
) -> None:
    """Run one availability round: visit each homepage once and store status and latency.

    A visit slower than the rubric's limit (15 s by default) counts as failed; the scheduler
    probes every hour and the availability check judges a week of probes.

    Example: govinspect probe --unit qixian
    """
    from govinspect.checks.plan import check_probe_timeout, rubrics_in_use
    from govinspect.crawler.probe import probe_round
    from govinspect.store.units import sync_registry

    app_ctx = _ctx(ctx)
    units = [u.id for u in app_ctx.registry.select(unit)]
    rubrics = rubrics_in_use(app_ctx.settings, app_ctx.registry, units)
    check_probe_timeout(app_ctx.settings, rubrics)
    limits = {
        u.id: rubrics[u.category.value].thresholds.availability.timeout_ms
        for u in app_ctx.registry.select(units)
    }
    sync_registry(app_ctx.store, app_ctx.registry)
    results = probe_round(app_ctx.store, app_ctx.registry, app_ctx.settings, units)
    table = Table(title="availability probes")
    for name in ("unit", "url", "ok", "status", "latency ms", "error"):
        table.add_column(name, overflow="fold")
    for r in results:
        slow = r.ok and r.latency_ms is not None and r.latency_ms > limits[r.unit_id]
        table.add_row(
            _out(r.unit_id),
            _out(r.url),
            "[yellow]too slow[/]" if slow else "[green]yes[/]" if r.ok else "[red]no[/]",
            str(r.status or "-"),
            f"{r.latency_ms:.0f}" if r.latency_ms is not None else "-",
            _out(r.error or "-"),
        )
    console.print(table)


@app.command()
def schedule(
    ctx: typer.Context,
    list_only: Annotated[
        bool, typer.Option("--list", help="Print every job with its next run time, then exit.")
    ] = False,
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric",
            help="Rubric YAML or folder for the nightly check (env GOVINSPECT_RUBRIC; default: "
            "the registry's schedule.rubric).",
        ),
    ] = None,
) -> None:
    """Run the nightly inspection as a long-lived service (stop with SIGTERM or Ctrl-C).

    Jobs: crawl all units then check (default 01:30), an availability probe per unit every
    60 minutes, feed polling every 6 hours; times come from the registry's `schedule:` section.
    The nightly check uses the same rubric as `govinspect check`. Only one scheduler may run per
    database.

    Example: govinspect --config govinspect.yaml schedule --list
    """
    from govinspect.scheduler import Service, list_jobs

    app_ctx = _ctx(ctx)
    settings = app_ctx.settings
    if rubric is not None:
        settings = settings.model_copy(update={"rubric": rubric})
    if list_only:
        table = Table(title=f"jobs ({_out(app_ctx.registry.schedule.timezone)})")
        for name in ("job", "what", "next run"):
            table.add_column(name)
        for job_id, name, upcoming in list_jobs(settings, app_ctx.registry):
            when = upcoming.strftime("%Y-%m-%d %H:%M:%S %Z") if upcoming else "-"
            table.add_row(_out(job_id), _out(name), when)
        console.print(table)
        return
    logs.configure(verbose=app_ctx.settings.verbose, service=True)
    service = Service(settings, app_ctx.registry)
    jobs = service.start()
    console.print(f"scheduler running with {len(jobs)} jobs; SIGTERM or Ctrl-C stops it")
    service.run_forever()
    console.print("scheduler stopped")


@db_app.command("upgrade")
def db_upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Create or migrate the database schema (other commands also do this on first use).

    Example: govinspect --db postgresql://127.0.0.1/test db upgrade
    """
    settings = _ctx(ctx).settings
    store = open_store(settings.database_url, settings.sqlite_busy_timeout_ms, migrate=False)
    try:
        before, after = upgrade(store.engine, revision)
    finally:
        store.dispose()
    url = redact(settings.database_url)
    if before == after:
        console.print(f"{_out(url)}: already at revision {after} (head {head_revision()})")
    else:
        console.print(f"{_out(url)}: migrated {before or 'empty'} → {after}")


@app.command()
def demo(
    ctx: typer.Context,
    scale: Annotated[int, typer.Option(min=1, max=1000, help="Multiply the articles.")] = 1,
    out: Annotated[
        Path | None,
        typer.Option(help="Folder for the demo's registry, truth, database and results."),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve", help="Keep serving after the job until --lifetime ends.")
    ] = False,
    serve_only: Annotated[
        bool, typer.Option("--serve-only", help="Only serve the town; run no job.")
    ] = False,
    lifetime: Annotated[
        float, typer.Option(min=1, help="Seconds the server lives at most.")
    ] = 3600.0,
    port: Annotated[
        int, typer.Option(min=1, max=65535, help="Port of the dashboard (with --serve).")
    ] = 8080,
) -> None:
    """Serve the demo town (fake government sites on 127.0.0.1) and run the whole job on it.

    Writes the town's registry and ground truth, then crawls every site, polls the feeds,
    probes the homepages, checks as of the town's date and exports the results, all in its own
    folder and database (default <data dir>/demo), prints the ranking and how to open the
    dashboard (with a demo user).  With --serve the town and the dashboard stay up.

    Example: govinspect demo --serve --lifetime 600
    """
    from govinspect.demo import AS_OF, DemoServer, build_town

    app_ctx = _ctx(ctx)
    folder = (out or app_ctx.settings.data_dir / "demo").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    config_path, manifest_path = folder / "govinspect.yaml", folder / "manifest.json"
    # The demo's own database and data: the town's ports change with every run.
    settings = app_ctx.settings.model_copy(
        update={"config": config_path, "data_dir": folder, "db": None, "timeout": 5.0}
    )
    with DemoServer(build_town(scale=scale)) as server:
        server.write_config(config_path)
        server.write_manifest(manifest_path)
        registry = load_registry(config_path)
        console.print(f"[bold]demo town[/] (scale {scale}) serving on 127.0.0.1:")
        for unit in registry.units:
            console.print(f"  {_out(unit.id):8} {_out(unit.name)}  {_out(unit.website)}")
        console.print(f"registry: {_out(str(config_path))}")
        console.print(f"truth:    {_out(str(manifest_path))}")
        if not serve_only:
            _demo_job(settings, registry, AS_OF, folder)
        stop_dashboard = None
        if serve and not serve_only:
            from govinspect.cli_web import start_dashboard

            stop_dashboard = start_dashboard(settings, "127.0.0.1", port)
        if not serve_only:
            from govinspect.cli_web import print_demo_dashboard

            print_demo_dashboard(settings, folder, port, serving=stop_dashboard is not None)
        if serve or serve_only:
            console.print(
                f"serving for {lifetime:.0f} s (Ctrl-C stops); try:\n"
                f"  govinspect --config {_out(str(config_path))} --data-dir "
                f"{_out(str(folder))} crawl --unit county"
            )
            try:
                server.serve_for(lifetime)
            finally:
                if stop_dashboard is not None:
                    stop_dashboard()


def _demo_job(settings: Settings, registry: Registry, as_of: Any, folder: Path) -> None:
    """The scheduler's nightly job (``pipeline.run_job``) plus a probe round and the reports."""
    from govinspect.pipeline import run_job

    export_path, reports_dir = folder / "export.json", folder / "reports"

    def show(step: str, value: Any) -> None:
        if step == "crawl":
            console.print(
                f"  {_out(value.unit_id)}: {value.status}, {value.summary.get('pages', 0)} "
                f"pages, {value.summary.get('checked', 0)} other links, "
                f"{value.summary.get('seconds', '-')} s"
            )
        elif step == "feeds":
            console.print(f"feeds: {value.accounts} accounts, {value.ok} ok, {value.errors} failed")
        elif step == "probes":
            console.print(f"probes: {sum(p.ok for p in value)}/{len(value)} homepages open")
        elif step in ("feeds_failed", "probes_failed"):
            err_console.print(f"[yellow]warning:[/] {step.split('_')[0]}: {_out(value)}")
        elif step == "check":
            run_id, rows = value
            title = f"示范县 ranking (check run {run_id}, as of {as_of})"
            console.print(_ranking_table(rows, title))
        elif step == "export":
            console.print(f"export:   {_out(value)}")
        elif step == "reports":
            for warning in value.warnings:
                err_console.print(f"[yellow]warning:[/] {_out(warning)}")
            kinds = "/".join(k for k in ("HTML", "PDF", "DOCX") if k.lower() not in value.skipped)
            console.print(
                f"reports:  {_out(reports_dir)} ({len(value.files)} files: self-check "
                f"reports in {kinds}, the ranking workbook, evidence packs)"
            )

    store = open_store(settings.database_url, settings.sqlite_busy_timeout_ms)
    try:
        console.print(f"crawling {len(registry.units)} sites (one subprocess each) …")
        run_job(
            settings,
            registry,
            store,
            as_of,
            parallel=len(registry.units),
            export_to=export_path,
            probe=True,
            reports_to=reports_dir,
            on_step=show,
        )
        console.print(f"evidence: {_out(folder / 'warc')}")
    finally:
        store.dispose()


# The finding lifecycle (`findings`) and the digests (`digest`): govinspect/cli_lifecycle.py.
app.add_typer(findings_app, name="findings")
app.command()(digest)


def main() -> None:
    """Console-script entry point: run the app and turn errors into one line each.

    Every line printed here goes through :func:`redact_text`: error texts (ours, SQLAlchemy's,
    redis-py's) may quote a database or Redis URL with its password.
    """
    try:
        app()
    except GovinspectError as exc:
        for line in str(exc).splitlines() or [type(exc).__name__]:
            err_console.print(f"[red]error:[/] {_out(redact_text(line))}", highlight=False)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if logs.debug_requested():
            sys.stderr.write(redact_text(traceback.format_exc()))
            sys.exit(1)
        err_console.print(
            f"[red]error:[/] unexpected {type(exc).__name__}: {_out(redact_text(str(exc)))} "
            "(set GOVINSPECT_DEBUG=1 for the traceback)",
            highlight=False,
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
