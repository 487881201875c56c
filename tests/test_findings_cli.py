"""`govinspect findings`: the list, the operators' actions with who/when/why, one-line errors;
an ignored finding stays out of the scores until its subject changes."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from govinspect.checks.run import run_checks
from govinspect.checks.timeutil import SHANGHAI
from govinspect.reports.export import export_json
from govinspect.store.db import open_store
from govinspect.store.units import sync_registry
from tests.lifecycle_site import BASE, at, record_crawl, registry_at
from tests.test_cli import assert_clean_error, run

TODAY = datetime.now(SHANGHAI).date()


@pytest.fixture
def world(tmp_path, capsys, monkeypatch):
    registry = registry_at(tmp_path / "govinspect.yaml")
    db = tmp_path / "var" / "govinspect.db"
    store = open_store(f"sqlite:///{db}")
    sync_registry(store, registry)
    record_crawl(store, at(TODAY - timedelta(days=1)), {"a.html": 404, "b.html": 404})
    run_checks(store, registry, TODAY, None, tmp_path / "var")
    args = ("--config", str(tmp_path / "govinspect.yaml"), "--db", str(db))
    yield {
        "store": store, "registry": registry, "args": args, "tmp": tmp_path, "capsys": capsys,
        "monkeypatch": monkeypatch,
    }  # fmt: skip
    store.dispose()


def cli(world, *args: str) -> subprocess.CompletedProcess:
    """``govinspect`` in this process (``cli.main``, as the console script runs it)."""
    from govinspect import cli as cli_module

    argv = ["govinspect", *world["args"], "--data-dir", str(world["tmp"] / "var"), *args]
    world["monkeypatch"].setattr(sys, "argv", argv)
    world["capsys"].readouterr()
    try:
        cli_module.main()
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    out = world["capsys"].readouterr()
    return subprocess.CompletedProcess(argv, code, out.out, out.err)


def listed(world, *args: str) -> dict[str, dict]:
    result = cli(world, "findings", "--json", *args)
    assert result.returncode == 0, result.stderr
    return {row["subject"]: row for row in json.loads(result.stdout)["findings"]}


def unit_export(store) -> dict:
    (unit,) = export_json(store)["units"]
    return unit


def test_actions_are_recorded_and_errors_are_one_line(world):
    rows = listed(world)
    a, b = rows[f"{BASE}a.html"], rows[f"{BASE}b.html"]
    assert a["status"] == "new" and a["severity"] == "deduction"
    assert [x["action"] for x in a["actions"]] == ["new"]

    assert_clean_error(cli(world, "findings", "ignore", a["key"], "--reason", "x"), 2, "--by")
    assert_clean_error(
        cli(world, "findings", "ignore", "sfz:nope", "--by", "张三", "--reason", "x"),
        2,
        "unknown finding key 'sfz:nope'",
    )
    assert_clean_error(
        cli(world, "findings", "accept", a["key"], "--by", "张三", "--deadline", "2026-13-01"),
        2,
        "--deadline: '2026-13-01' is not a date",
    )
    past = (TODAY - timedelta(days=1)).isoformat()
    assert_clean_error(
        cli(world, "findings", "accept", a["key"], "--by", "张三", "--deadline", past),
        2,
        "is in the past",
    )
    assert_clean_error(
        cli(world, "findings", "confirm", a["key"], "--by", "张三"), 2, "needs no confirmation"
    )
    assert_clean_error(cli(world, "findings", "--status", "later"), 2, "--status")

    result = cli(world, "findings", "ignore", a["key"], "--by", "张三", "--reason", "链接实际可用")
    assert result.returncode == 0, result.stderr
    deadline = (TODAY + timedelta(days=10)).isoformat()
    result = cli(
        world, "findings", "accept", b["key"], "--by", "李四", "--deadline", deadline,
        "--reason", "下周改版时修复",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    result = cli(world, "findings", "claim-fixed", b["key"], "--by", "李四")
    assert result.returncode == 0, result.stderr
    assert_clean_error(
        cli(world, "findings", "claim-fixed", b["key"], "--by", "李四"), 2, "not allowed"
    )

    rows = listed(world, "--status", "all")
    a, b = rows[f"{BASE}a.html"], rows[f"{BASE}b.html"]
    assert a["shown_status"] == "ignored" and a["ignored_because"] == "链接实际可用"
    ignore = a["actions"][-1]
    assert (ignore["action"], ignore["by"], ignore["reason"]) == ("ignore", "张三", "链接实际可用")
    assert ignore["at"].startswith(str(TODAY.year))
    assert [x["action"] for x in b["actions"]] == ["new", "accept", "claim_fixed"]
    assert b["actions"][1]["deadline"] == deadline and b["deadline"] == deadline
    assert set(listed(world, "--status", "ignored")) == {f"{BASE}a.html"}
    assert listed(world, "--overdue") == {}

    # The real command, in its own process.
    table = run(*world["args"], "findings", "--unit", "sfz", cwd=world["tmp"])
    assert table.returncode == 0 and a["key"] in table.stdout and "ignored" in table.stdout


def test_an_ignored_finding_stays_out_of_scores_until_its_subject_changes(world):
    store, registry = world["store"], world["registry"]
    before = unit_export(store)
    key = next(f["key"] for f in before["findings"] if f["subject"] == f"{BASE}a.html")
    result = cli(world, "findings", "ignore", key, "--by", "张三", "--reason", "误报")
    assert result.returncode == 0, result.stderr

    run_checks(store, registry, TODAY, None, world["tmp"] / "var")  # the same crawl again
    again = unit_export(store)
    ignored = next(f for f in again["findings"] if f["key"] == key)
    assert ignored["suppressed"] == "ignored" and ignored["severity"] == "notice"
    assert again["total"] == before["total"] + 1  # the 1 point of a homepage dead link is back
    assert [d["url"] for d in again["dead_links"]] == [f"{BASE}a.html", f"{BASE}b.html"]

    # A new crawl where the target answers 500 instead of 404: the subject changed.
    record_crawl(store, at(TODAY), {"a.html": 500, "b.html": 404})
    run_checks(store, registry, TODAY, None, world["tmp"] / "var")
    later = unit_export(store)
    back = next(f for f in later["findings"] if f["key"] == key)
    assert back["suppressed"] is None and back["severity"] == "deduction"
    assert later["total"] == before["total"]
    assert [a["action"] for a in back["actions"]] == ["new", "ignore", "ignore_lapsed"]
