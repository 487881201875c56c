"""The test suite's own probes (tests/conftest.py): a server that is up but unusable for the
tests is a skip with the reason, found by a real login / PING, not by an open port."""

from __future__ import annotations

import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests import conftest


def test_postgres_probe_logs_in_as_the_tests_user():
    # The port is open (or not: either way) but no such role can log in.
    problem = conftest.pg_problem("postgresql://no_such_role_gi@127.0.0.1:5432/test")
    assert problem is not None and "no_such_role_gi" in problem


def test_postgres_probe_names_a_missing_database():
    if conftest.pg_problem() is not None:
        pytest.skip("the tests' PostgreSQL is not usable here")
    problem = conftest.pg_problem("postgresql://postgres@127.0.0.1:5432/no_such_db_gi")
    assert problem is not None and "no_such_db_gi" in problem


def test_redis_probe_sends_a_real_ping():
    # A port that accepts connections but does not speak Redis: open, yet unusable.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        problem = conftest.redis_problem(f"redis://:pw@127.0.0.1:{port}/0")
    assert problem is not None and f"127.0.0.1:{port}" in problem
    assert ":pw@" not in problem


def _collect(tmp_path: Path, env: dict[str, str], body: str) -> subprocess.CompletedProcess:
    test = tmp_path / "test_probe_case.py"
    test.write_text(textwrap.dedent(body), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(test)],
        cwd=conftest.REPO,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


UNUSABLE = """
    from tests.conftest import require_redis

    def test_needs_redis():
        require_redis()
"""


def test_an_unusable_server_skips_with_the_reason_and_fails_under_ci(tmp_path):
    env = {"GOVINSPECT_TEST_REDIS": "redis://127.0.0.1:1/0"}
    skipped = _collect(tmp_path, {**env, "CI": "false"}, UNUSABLE)
    assert skipped.returncode == 0 and "1 skipped" in skipped.stdout, skipped.stdout
    failed = _collect(tmp_path, {**env, "CI": "true"}, UNUSABLE)
    assert failed.returncode == 1 and "required when CI=true" in failed.stdout, failed.stdout


CORPUS = """
    from tests.conftest import require_shared, shared_path

    CORPUS = require_shared(shared_path("corpus/pingtan"))

    def test_reads_the_corpus():
        assert (CORPUS / "manifest.json").is_file()
"""


def test_the_shared_folder_comes_from_govinspect_shared(tmp_path):
    shared = conftest.find_shared()
    if shared is None or not (shared / "corpus" / "pingtan").is_dir():
        pytest.skip("no shared folder on this machine")
    found = _collect(tmp_path, {"GOVINSPECT_SHARED": str(shared)}, CORPUS)
    assert found.returncode == 0 and "1 passed" in found.stdout, found.stdout
    missing = {"GOVINSPECT_SHARED": str(tmp_path / "nowhere")}
    skipped = _collect(tmp_path, missing, CORPUS)  # the whole module: 5, nothing collected
    assert skipped.returncode == 5 and "1 skipped" in skipped.stdout, skipped.stdout
    failed = _collect(tmp_path, {**missing, "CI": "true"}, CORPUS)
    assert failed.returncode != 0 and "required when CI=true" in failed.stdout, failed.stdout


def test_the_shared_folder_is_found_beside_the_repository():
    shared = conftest.find_shared()
    if shared is None:
        pytest.skip("no shared folder beside this checkout")
    assert shared.name == "shared" and conftest.REPO.is_relative_to(shared.parent)
