"""The Makefile never deletes user data by accident (issue 15: `make clean` deleted var/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def make(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "--no-print-directory", *args], cwd=cwd, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the Makefile beside a data folder and build leftovers."""
    shutil.copy(REPO / "Makefile", tmp_path / "Makefile")
    (tmp_path / "var" / "warc").mkdir(parents=True)
    (tmp_path / "var" / "govinspect.db").write_bytes(b"runs")
    (tmp_path / "var" / "warc" / "run-1.warc.gz").write_bytes(b"evidence")
    for leftover in (".venv", ".pytest_cache", ".ruff_cache", "bench/out"):
        (tmp_path / leftover).mkdir(parents=True)
    return tmp_path


def test_clean_in_the_repository_does_not_name_the_data_folder():
    result = make("-n", "clean", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert "rm -rf" in result.stdout
    assert "var" not in result.stdout.split()


def test_clean_keeps_the_database_and_the_evidence(checkout):
    assert make("clean", cwd=checkout).returncode == 0
    assert (checkout / "var" / "govinspect.db").read_bytes() == b"runs"
    assert (checkout / "var" / "warc" / "run-1.warc.gz").exists()
    assert not (checkout / ".venv").exists() and not (checkout / "bench" / "out").exists()


def test_deleting_the_data_folder_needs_confirm_yes(checkout):
    refused = make("distclean-data", cwd=checkout)
    assert refused.returncode != 0
    assert "CONFIRM=yes" in refused.stderr and "WARC evidence" in refused.stderr
    assert (checkout / "var" / "govinspect.db").exists()
    assert make("distclean-data", "CONFIRM=yes", cwd=checkout).returncode == 0
    assert not (checkout / "var").exists()
