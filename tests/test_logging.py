"""Ordinary commands print results and errors, not library log lines (issue 15, item 17).

Alembic's "Context impl SQLiteImpl." and the like appear only with ``--verbose`` (or
``GOVINSPECT_VERBOSE=1`` / ``GOVINSPECT_DEBUG=1``); the scheduler, a service, keeps its log.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_cli import run
from tests.test_registry import VALID

ALEMBIC = "Context impl SQLiteImpl."  # logged by a migration
#: Any INFO line of Alembic's: opening a migrated store logs none of ALEMBIC's kind any more
#: (the revision is read with one query), reading the migration scripts' head still logs.
LIBRARY = "INFO alembic."


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "govinspect.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path


def test_db_upgrade_is_quiet_by_default(tmp_path):
    result = run("--db", str(tmp_path / "g.db"), "db", "upgrade", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "migrated empty" in result.stdout


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--verbose"], {}),
        (["-v"], {}),
        ([], {"GOVINSPECT_VERBOSE": "1"}),
        ([], {"GOVINSPECT_DEBUG": "1"}),
    ],
)
def test_verbose_shows_library_log_lines(tmp_path, args, env):
    result = run(*args, "--db", str(tmp_path / "g.db"), "db", "upgrade", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert ALEMBIC in result.stderr
    assert "INFO alembic.runtime.migration" in result.stderr
    assert "sqlalchemy.engine" not in result.stderr  # SQL echo is not what --verbose is for


def test_units_and_check_are_quiet_by_default(tmp_path, config):
    for command in (["units"], ["check"]):
        result = run("--config", str(config), *command, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stderr == "", command


def _holder(db: Path) -> str | None:
    if not db.exists():
        return None
    try:
        with sqlite3.connect(db) as conn:
            row = conn.execute("SELECT holder FROM leases WHERE name = 'scheduler'").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def test_refused_second_scheduler_prints_one_line_and_the_service_keeps_its_log(tmp_path, config):
    db = tmp_path / "g.db"
    common = ["--config", str(config), "--db", str(db)]
    first = subprocess.Popen(
        [sys.executable, "-m", "govinspect", *common, "schedule"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while _holder(db) is None:
            assert first.poll() is None, first.communicate()
            assert time.monotonic() < deadline, "the first scheduler never took its lease"
            time.sleep(0.1)
        refused = run(*common, "schedule", cwd=tmp_path)
        assert refused.returncode == 1
        assert refused.stderr.startswith("error: another scheduler already runs")
        assert len(refused.stderr.splitlines()) == 1, refused.stderr
        verbose = run("--verbose", *common, "schedule", cwd=tmp_path)
        assert verbose.returncode == 1
        assert LIBRARY in verbose.stderr and "another scheduler already runs" in verbose.stderr
    finally:
        first.send_signal(signal.SIGTERM)
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert "scheduler stopped" in out
    # The service's own log (timestamped, for the journal): APScheduler's job lines stay ...
    assert "INFO apscheduler.scheduler: Scheduler started" in err
    # ... the library chatter does not.
    assert LIBRARY not in err
