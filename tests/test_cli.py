"""The command line: commands work, and bad input is one line and a non-zero exit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_registry import VALID


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(cwd), "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "govinspect", *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "govinspect.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path


def assert_clean_error(result: subprocess.CompletedProcess, code: int, fragment: str) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert fragment in result.stderr
    assert result.stderr.startswith("error:")


def test_units_lists_units_and_accounts(tmp_path, config):
    result = run("--config", str(config), "units", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    for text in ("qixian", "杞县人民政府", "杞县发布", "wechat", "qixian-jyj", "department"):
        assert text in result.stdout


def test_units_json(tmp_path, config):
    result = run("--config", str(config), "units", "--json", cwd=tmp_path)
    data = json.loads(result.stdout)
    assert data["units"][0]["new_media"][0]["name"] == "杞县发布"


def test_config_from_environment(tmp_path, config):
    result = run("units", cwd=tmp_path, env={"GOVINSPECT_CONFIG": str(config)})
    assert result.returncode == 0 and "qixian" in result.stdout


def test_broken_config_is_one_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("category: county", "category: city"), encoding="utf-8")
    result = run("--config", str(bad), "units", cwd=tmp_path)
    assert_clean_error(result, 2, "unit 'qixian', field category")
    assert len(result.stderr.strip().splitlines()) == 1


def test_missing_config(tmp_path):
    assert_clean_error(run("units", cwd=tmp_path), 2, "config file not found")


def test_db_upgrade_creates_and_is_idempotent(tmp_path):
    db = tmp_path / "x" / "g.db"
    first = run("--db", str(db), "db", "upgrade", cwd=tmp_path)
    assert first.returncode == 0 and "migrated empty" in first.stdout
    second = run("--db", str(db), "db", "upgrade", cwd=tmp_path)
    assert second.returncode == 0 and "already at revision" in second.stdout


def test_default_database_lives_in_data_dir(tmp_path):
    result = run("db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "var" / "govinspect.db").exists()


def test_unreachable_database(tmp_path):
    result = run(
        "--db", "postgresql+psycopg://postgres@127.0.0.1:1/test", "db", "upgrade", cwd=tmp_path
    )
    assert_clean_error(result, 3, "cannot open database")


def test_invalid_database_url(tmp_path):
    assert_clean_error(run("--db", "nosuch://x/y", "db", "upgrade", cwd=tmp_path), 3, "database")


def test_bad_setting_in_environment(tmp_path, config):
    result = run("--config", str(config), "units", cwd=tmp_path, env={"GOVINSPECT_TIMEOUT": "soon"})
    assert_clean_error(result, 2, "GOVINSPECT_TIMEOUT")


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["units"],
        ["db", "upgrade"],
        ["demo"],
        ["crawl"],
        ["check"],
        ["export"],
        ["report"],
        ["feeds"],
        ["probe"],
        ["schedule"],
        ["worker"],
    ],
)
def test_every_command_has_help_with_example(tmp_path, command):
    result = run(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0
    if command:
        assert "Example:" in result.stdout


def test_locked_database_is_one_clear_line(tmp_path, config):
    import sqlite3

    db = tmp_path / "locked.db"
    assert run("--db", str(db), "db", "upgrade", cwd=tmp_path).returncode == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run(
            "--config",
            str(config),
            "--db",
            str(db),
            "crawl",
            cwd=tmp_path,
            env={"GOVINSPECT_SQLITE_BUSY_TIMEOUT_MS": "300"},
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_clean_error(result, 3, "database is locked")


@pytest.mark.parametrize(
    ("args", "code", "fragment"),
    [
        (["check", "--as-of", "2026-13-40"], 2, "--as-of"),
        (["check", "--as-of", "yesterday"], 2, "is not a date"),
        (["export", "--format", "pdf"], 2, "--format"),
        (["crawl", "--unit", "nosuch"], 2, "unknown unit 'nosuch'"),
        (["probe", "--unit", "nosuch"], 2, "unknown unit 'nosuch'"),
    ],
)
def test_bad_arguments_are_one_line(tmp_path, config, args, code, fragment):
    result = run("--config", str(config), *args, cwd=tmp_path)
    assert_clean_error(result, code, fragment)


def test_bad_rubric_file(tmp_path, config):
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text("name: x\ndimensions: []\n", encoding="utf-8")
    result = run("--config", str(config), "check", "--rubric", str(rubric), cwd=tmp_path)
    assert_clean_error(result, 2, "rubric.yaml")


def test_distributed_crawl_without_redis_is_one_line(tmp_path, config):
    result = run("--config", str(config), "crawl", "--distributed", cwd=tmp_path)
    assert_clean_error(result, 2, "GOVINSPECT_REDIS_URL")
