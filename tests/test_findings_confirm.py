"""`govinspect findings confirm` end to end: a custom rubric marks the dead-link rules 疑似
(needs_confirmation); their findings are notices until a person confirms one from the CLI, and
from the next check run on the confirmed one takes its rule's severity (the others stay 疑似)."""

from __future__ import annotations

from datetime import timedelta

import yaml

from govinspect.checks.rubric import RUBRICS
from govinspect.checks.run import run_checks
from govinspect.store.db import open_store
from govinspect.store.units import sync_registry
from tests.lifecycle_site import at, record_crawl, registry_at
from tests.test_cli import assert_clean_error
from tests.test_findings_cli import TODAY, cli, listed, unit_export


def test_a_suspected_finding_counts_once_confirmed(tmp_path, capsys, monkeypatch):
    data = yaml.safe_load((RUBRICS / "county.yaml").read_text(encoding="utf-8"))
    for rule in ("dead_link_homepage", "dead_link_other"):
        data["rules"][rule]["needs_confirmation"] = True
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    registry = registry_at(tmp_path / "govinspect.yaml")
    db = tmp_path / "var" / "govinspect.db"
    store = open_store(f"sqlite:///{db}")
    sync_registry(store, registry)
    record_crawl(store, at(TODAY - timedelta(days=1)), {"a.html": 404, "b.html": 404})
    run_checks(store, registry, TODAY, rubric, tmp_path / "var")
    world = {
        "args": ("--config", str(tmp_path / "govinspect.yaml"), "--db", str(db)),
        "tmp": tmp_path, "capsys": capsys, "monkeypatch": monkeypatch,
    }  # fmt: skip

    dead = {
        f["subject"]: f for f in unit_export(store)["findings"] if f["rule"].startswith("dead_")
    }
    assert len(dead) == 2
    assert {(f["severity"], f["suppressed"]) for f in dead.values()} == {("notice", "unconfirmed")}
    a, b = sorted(dead)
    rows = listed(world, "--status", "all")
    result = cli(world, "findings", "confirm", rows[a]["key"], "--by", "王五", "--reason", "已核实")
    assert result.returncode == 0, result.stderr
    assert_clean_error(
        cli(world, "findings", "confirm", rows[a]["key"], "--by", "王五"), 2, "not allowed"
    )
    trail = listed(world, "--status", "all")[a]["actions"]
    assert [(x["action"], x["by"], x["reason"]) for x in trail][-1] == ("confirm", "王五", "已核实")

    run_checks(store, registry, TODAY, rubric, tmp_path / "var")
    again = {f["subject"]: f for f in unit_export(store)["findings"]}
    assert again[a]["severity"] == "deduction" and again[a]["suppressed"] is None
    assert again[b]["severity"] == "notice" and again[b]["suppressed"] == "unconfirmed"
    store.dispose()
