"""Dashboard users: `govinspect users add|list|remove|passwd`, the migration, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest
from alembic import command
from sqlalchemy import inspect

from govinspect.errors import ConfigError
from govinspect.registry import parse_registry
from govinspect.store.db import alembic_config, open_store, upgrade
from govinspect.store.units import sync_registry
from govinspect.web.users import add_user, authenticate, list_users, remove_user, set_password

REGISTRY = """units:
  - {id: alpha, name: 甲单位, category: county, website: "http://alpha.example/"}
  - {id: beta, name: 乙单位, category: department, website: "http://beta.example/"}
"""
GOOD = "correct horse battery"


def run(tmp_path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "govinspect.cli", "--config", str(tmp_path / "g.yaml"),
         "--data-dir", str(tmp_path / "var"), *args],
        input=stdin, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


@pytest.fixture
def registry_dir(tmp_path):
    (tmp_path / "g.yaml").write_text(REGISTRY, encoding="utf-8")
    return tmp_path


def test_users_commands(registry_dir):
    tmp = registry_dir
    added = run(tmp, "users", "add", "wang", "--role", "webmaster", "--unit", "alpha",
                "--password-stdin", stdin=GOOD + "\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "added wang (webmaster for alpha)" in added.stdout
    assert run(tmp, "users", "add", "li", "--role", "office", "--password-stdin",
               stdin=GOOD).returncode == 0  # fmt: skip
    listed = run(tmp, "users", "list")
    assert "wang" in listed.stdout and "alpha" in listed.stdout and "li" in listed.stdout
    assert run(tmp, "users", "passwd", "wang", "--password-stdin", stdin="another passphrase 2\n")
    assert run(tmp, "users", "remove", "li").returncode == 0
    assert "li " not in run(tmp, "users", "list").stdout


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "x", "--role", "webmaster", "--unit", "nope", "--password-stdin"], GOOD,
         "error: --unit: unknown unit 'nope' (known: alpha, beta)"),
        (["add", "x", "--role", "webmaster", "--password-stdin"], GOOD,
         "error: --role webmaster needs at least one --unit ID"),
        (["add", "x", "--role", "boss", "--password-stdin"], GOOD,
         "error: --role: 'boss' is not one of office, webmaster, assessor"),
        (["add", "x", "--role", "office", "--password-stdin"], "\n",
         "error: password: empty"),
        (["add", "x", "--role", "office", "--password-stdin"], "short\n",
         "error: password: too weak, at least 10 characters"),
        (["add", "a/b", "--role", "office", "--password-stdin"], GOOD,
         "error: user name 'a/b': 1-100 printable characters, no spaces or slashes"),
        (["remove", "ghost"], "", "error: unknown user 'ghost'"),
        (["passwd", "ghost", "--password-stdin"], GOOD, "error: unknown user 'ghost'"),
        (["add", "x", "--role", "office"], "", "error: give the password with --password-stdin"),
    ],
)  # fmt: skip
def test_users_errors_are_one_line(registry_dir, args, stdin, message):
    result = run(registry_dir, "users", *args, stdin=stdin)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message), result.stderr
    assert "Traceback" not in result.stderr


def test_passwords_are_argon2_and_changing_one_ends_old_sessions(sqlite_url):
    store = open_store(sqlite_url)
    try:
        sync_registry(store, parse_registry({"units": [
            {"id": "alpha", "name": "甲", "category": "county", "website": "http://a.example/"}
        ]}))  # fmt: skip
        account = add_user(store, "wang", "webmaster", ["alpha"], GOOD)
        with store.engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT password_hash FROM users").scalar()
        assert stored.startswith("$argon2id$") and GOOD not in stored
        assert authenticate(store, "wang", GOOD) == account
        assert authenticate(store, "wang", GOOD + "x") is None
        assert authenticate(store, "nobody", GOOD) is None
        with pytest.raises(ConfigError, match="exists"):
            add_user(store, "wang", "office", [], GOOD)
        set_password(store, "wang", "a different passphrase")
        assert authenticate(store, "wang", GOOD) is None
        assert authenticate(store, "wang", "a different passphrase").stamp != account.stamp
        remove_user(store, "wang")
        assert list_users(store) == []
    finally:
        store.dispose()


def test_migration_both_ways(db_url):
    store = open_store(db_url)
    try:
        assert {"users", "user_units"} <= set(inspect(store.engine).get_table_names())
        command.downgrade(alembic_config(store.engine), "0006_dashboard_users-1")
        assert "users" not in set(inspect(store.engine).get_table_names())
        upgrade(store.engine, "head")
        assert {"users", "user_units"} <= set(inspect(store.engine).get_table_names())
    finally:
        store.dispose()
