"""``govinspect users`` and ``govinspect serve``: the dashboard's commands (docs/dashboard.md).

Registered on the main app by ``cli.py``; the context object is cli's ``AppContext``.
"""

from __future__ import annotations

import getpass
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from govinspect.errors import ConfigError
from govinspect.text import for_console as _out

console = Console(width=None if sys.stdout.isatty() else 160)
users_app = typer.Typer(
    help="Dashboard users: office, webmasters of units, assessors.", no_args_is_help=True
)


def _store(ctx: typer.Context) -> Any:
    app_ctx = ctx.obj
    if app_ctx.settings.config.is_file():
        # Unit ids are checked against the store's units: bring them in from the registry.
        from govinspect.store.units import sync_registry

        sync_registry(app_ctx.store, app_ctx.registry)
    return app_ctx.store


def read_password(from_stdin: bool) -> str:
    """The password from standard input (one line), or typed twice at a terminal."""
    if from_stdin:
        line = sys.stdin.readline()
        return line[:-1] if line.endswith("\n") else line
    if not sys.stdin.isatty():
        raise ConfigError("give the password with --password-stdin (never as an argument)")
    first = getpass.getpass("password: ")
    if getpass.getpass("again: ") != first:
        raise ConfigError("the two passwords differ")
    return first


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (login).")],
    role: Annotated[str, typer.Option("--role", help="office, webmaster or assessor.")],
    unit: Annotated[
        list[str] | None,
        typer.Option("--unit", "-u", help="Unit id a webmaster looks after (repeat)."),
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Add a dashboard user.

    Example: govinspect users add wang --role webmaster --unit qixian --password-stdin
    """
    from govinspect.web.users import add_user

    store = _store(ctx)
    account = add_user(store, name, role, unit or [], read_password(password_stdin))
    units = f" for {', '.join(account.units)}" if account.units else ""
    console.print(f"added {_out(account.name)} ({account.role}{_out(units)})", highlight=False)


@users_app.command("list")
def users_list(ctx: typer.Context) -> None:
    """List the dashboard users, their roles and units.

    Example: govinspect users list
    """
    from govinspect.web.users import list_users

    table = Table(title="dashboard users")
    for column in ("name", "role", "units"):
        table.add_column(column)
    for account in list_users(ctx.obj.store):
        table.add_row(_out(account.name), account.role, _out(", ".join(account.units)) or "(all)")
    console.print(table)


@users_app.command("remove")
def users_remove(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="User name.")]
) -> None:
    """Remove a dashboard user (their sessions end at once).

    Example: govinspect users remove wang
    """
    from govinspect.web.users import remove_user

    remove_user(ctx.obj.store, name)
    console.print(f"removed {_out(name)}", highlight=False)


@users_app.command("passwd")
def users_passwd(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a user's password (their other sessions end).

    Example: echo 'another long passphrase' | govinspect users passwd wang --password-stdin
    """
    from govinspect.web.users import account, set_password

    store = ctx.obj.store
    if account(store, name) is None:
        raise ConfigError(f"unknown user {name!r} (see `govinspect users list`)")
    set_password(store, name, read_password(password_stdin))
    console.print(f"password of {_out(name)} changed", highlight=False)


def serve_dashboard(settings: Any, host: str, port: int, store: Any = None) -> None:
    """Run the dashboard with uvicorn until Ctrl-C / SIGTERM."""
    import uvicorn

    from govinspect.web.app import asgi

    app = asgi(settings, store)
    # Forwarded headers are honoured only from GOVINSPECT_WEB_TRUSTED_PROXIES (in asgi()),
    # never by uvicorn's own default.
    uvicorn.run(
        app, host=host, port=port, proxy_headers=False, server_header=False, log_level="warning"
    )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8080,
) -> None:
    """Serve the web dashboard: ranking, unit pages, evidence, report downloads.

    Users come from `govinspect users`; behind nginx with TLS for others (docs/dashboard.md).

    Example: govinspect serve --host 127.0.0.1 --port 8080
    """
    from govinspect.web.users import list_users

    app_ctx = ctx.obj
    store = app_ctx.store
    if not list_users(store):
        console.print(
            "no dashboard user yet: add one with `govinspect users add NAME --role office "
            "--password-stdin`"
        )
    console.print(f"dashboard on http://{host}:{port}/ (Ctrl-C stops)", highlight=False)
    serve_dashboard(app_ctx.settings, host, port, store)


# --- the demo's dashboard ---------------------------------------------------------------------

DEMO_USER = "demo"


def demo_user(settings: Any) -> tuple[str, str]:
    """The demo's office user with a fresh random password (printed by `govinspect demo`)."""
    import secrets

    from govinspect.store.db import open_store
    from govinspect.web.users import account, add_user, set_password

    password = secrets.token_urlsafe(12)
    store = open_store(settings.database_url, settings.sqlite_busy_timeout_ms)
    try:
        if account(store, DEMO_USER) is None:
            add_user(store, DEMO_USER, "office", [], password)
        else:
            set_password(store, DEMO_USER, password)
    finally:
        store.dispose()
    return DEMO_USER, password


def start_dashboard(settings: Any, host: str, port: int) -> Callable[[], None]:
    """The dashboard in a background thread (for `govinspect demo --serve`); returns its stop."""
    import socket
    import threading
    import time

    import uvicorn

    from govinspect.web.app import asgi

    try:
        with socket.socket() as probe:
            probe.bind((host, port))
    except OSError as exc:
        raise ConfigError(
            f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc})"
        ) from None
    server = uvicorn.Server(
        uvicorn.Config(
            asgi(settings), host=host, port=port, proxy_headers=False, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, name="dashboard", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return stop


def _program() -> str:
    """How this command was invoked (``.venv/bin/govinspect`` under `make demo`)."""
    from pathlib import Path

    argv0 = Path(sys.argv[0])
    return str(argv0) if argv0.name == "govinspect" else "govinspect"


def print_demo_dashboard(settings: Any, folder: Any, port: int, serving: bool) -> None:
    """How to open the dashboard on the demo's data, with the demo user's password."""
    name, password = demo_user(settings)
    url = f"http://127.0.0.1:{port}/"
    if serving:
        console.print(f"dashboard: {url}", highlight=False)
    else:
        console.print(
            f"dashboard: {_out(_program())} --config {_out(str(folder / 'govinspect.yaml'))} "
            f"--data-dir {_out(str(folder))} serve --port {port}\n"
            f"           then open {url}",
            highlight=False,
        )
    console.print(f"           log in as {name} / {password} (office; reset at every demo run)")
