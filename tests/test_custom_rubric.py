"""A city's own rubric: through `check --rubric`, the setting, the registry, and the nightly job.

Issue 15, items 2 and 3: a copy of the packaged county.yaml (file form) and a folder with only
department.yaml must work, the other category keeping its packaged default; a broken rubric
fails before anything is written; the nightly job scores with the configured rubric.
"""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from govinspect.checks.plan import rubric_source
from govinspect.checks.rubric import RUBRICS, load_rubrics
from govinspect.errors import ConfigError
from govinspect.registry import load_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Run, Score
from tests.fixture_site import FixtureServer, html
from tests.test_cli import assert_clean_error, run


def packaged(category: str) -> dict:
    return yaml.safe_load((RUBRICS / f"{category}.yaml").read_text(encoding="utf-8"))


def city_rubric(category: str = "county") -> dict:
    """A city's copy: another name, and 网页元数据标签 worth 14 points (网站规范 max 35)."""
    data = packaged(category)
    data["name"] = f"某市{category}评分规则"
    items = next(d for d in data["dimensions"] if d["name"] == "网站规范")["items"]
    next(i for i in items if i["name"] == "网页元数据标签")["points"] = 14
    return data


def write_yaml(path: Path, data: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def registry(tmp_path: Path, base: str = "http://127.0.0.1:9", **schedule) -> Path:
    data = {
        "units": [
            {"id": "xian", "name": "示范县人民政府", "category": "county", "website": f"{base}/"},
            {
                "id": "bumen",
                "name": "示范县教育局",
                "category": "department",
                "website": f"{base}/",
            },
        ]
    }
    if schedule:
        data["schedule"] = schedule
    return write_yaml(tmp_path / "govinspect.yaml", data)


def check_and_export(tmp_path: Path, *check_args: str, env: dict | None = None) -> dict:
    base = ("--config", str(tmp_path / "govinspect.yaml"), "--data-dir", str(tmp_path / "var"))
    result = run(*base, "check", "--as-of", "2026-11-20", *check_args, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    exported = run(*base, "export", "--format", "json", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    return {k: (v["name"], v["source"]) for k, v in json.loads(exported.stdout)["rubrics"].items()}


# --- `check --rubric`: the forms docs/rubric.md tells users to write -----------------------------


def test_a_copy_of_the_county_rubric_works_and_departments_keep_theirs(tmp_path):
    registry(tmp_path)
    mine = write_yaml(tmp_path / "mine.yaml", city_rubric("county"))
    rubrics = check_and_export(tmp_path, "--rubric", str(mine))
    assert rubrics == {
        "county": ("某市county评分规则", str(mine)),
        "department": (packaged("department")["name"], "packaged:department"),
    }


def test_a_folder_with_only_department_yaml_works(tmp_path):
    registry(tmp_path)
    folder = tmp_path / "rubrics"
    write_yaml(folder / "department.yaml", city_rubric("department"))
    rubrics = check_and_export(tmp_path, "--rubric", str(folder))
    assert rubrics == {
        "county": (packaged("county")["name"], "packaged:county"),
        "department": ("某市department评分规则", str(folder / "department.yaml")),
    }


@pytest.mark.parametrize("form", ["file", "folder"])
def test_a_broken_rubric_fails_before_anything_is_written(tmp_path, form):
    registry(tmp_path)
    data = city_rubric("department")
    data["rules"]["homepage_stale"]["severity"] = "fatal"
    data["pass_score"] = 500
    del data["thresholds"]["new_media"]["recent_days"]
    path = tmp_path / ("bad.yaml" if form == "file" else "bad/department.yaml")
    write_yaml(path, data)
    given = path if form == "file" else path.parent
    result = run(
        "--config", str(tmp_path / "govinspect.yaml"), "--data-dir", str(tmp_path / "var"),
        "check", "--rubric", str(given), cwd=tmp_path,
    )  # fmt: skip
    assert_clean_error(result, 2, f"{path}: rules.homepage_stale.severity")
    lines = result.stderr.strip().splitlines()
    assert all(line.startswith(f"error: {path}: ") for line in lines), lines
    assert any("thresholds.new_media.recent_days: missing required key" in x for x in lines)
    assert not (tmp_path / "var").exists()  # no database, no check run


def test_every_consistency_problem_is_its_own_line(tmp_path):
    data = packaged("county")
    data["pass_score"] = 500
    data["rules"]["homepage_stale"]["severity"] = "deduction"  # a deduction outside any item
    data["dimensions"][0]["items"][0]["rules"].append("nope")
    path = write_yaml(tmp_path / "mine.yaml", data)
    with pytest.raises(ConfigError) as info:
        load_rubrics(path, ["county"])
    lines = str(info.value).splitlines()
    assert len(lines) == 4, lines
    assert all(line.startswith(f"{path}: ") for line in lines)
    for fragment in (
        "pass_score: 500 is above the total",
        "unknown rule 'nope'",
        "rules.homepage_stale: a deduction rule must be listed in an item",
        "rules.homepage_stale.deduct: a deduction rule needs deduct > 0",
    ):
        assert any(fragment in line for line in lines), fragment


def test_a_rubric_with_a_mistyped_category_is_not_silently_ignored(tmp_path):
    data = packaged("county")
    data["category"] = "city"
    path = write_yaml(tmp_path / "mine.yaml", data)
    with pytest.raises(ConfigError, match="category"):
        load_rubrics(path, ["department"])


def test_a_folder_without_rubrics_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="must hold county.yaml and/or department.yaml"):
        load_rubrics(tmp_path, ["county"])


# --- the configured rubric: setting, registry key, precedence ---------------------------------


def test_check_uses_the_registry_rubric_relative_to_the_registry(tmp_path):
    write_yaml(tmp_path / "rubrics" / "county.yaml", city_rubric("county"))
    registry(tmp_path, rubric="rubrics")
    rubrics = check_and_export(tmp_path)
    assert rubrics["county"] == ("某市county评分规则", str(tmp_path / "rubrics" / "county.yaml"))
    # GOVINSPECT_RUBRIC beats the registry (and `check --rubric` beats it: see below).
    env_rubric = write_yaml(tmp_path / "env.yaml", {**city_rubric("county"), "name": "环境变量"})
    env = {"GOVINSPECT_RUBRIC": str(env_rubric)}
    assert check_and_export(tmp_path, env=env)["county"] == ("环境变量", str(env_rubric))


def test_precedence_of_the_rubric_sources(tmp_path, monkeypatch):
    write_yaml(tmp_path / "rubrics" / "county.yaml", city_rubric("county"))
    config = registry(tmp_path, rubric="rubrics")
    reg = load_registry(config)
    assert reg.schedule.rubric == tmp_path / "rubrics"
    assert rubric_source(load_settings(config=config), reg) == tmp_path / "rubrics"
    monkeypatch.setenv("GOVINSPECT_RUBRIC", str(tmp_path / "env.yaml"))
    assert rubric_source(load_settings(config=config), reg) == tmp_path / "env.yaml"
    assert rubric_source(load_settings(rubric=tmp_path / "cli.yaml"), reg) == tmp_path / "cli.yaml"
    monkeypatch.delenv("GOVINSPECT_RUBRIC")
    assert rubric_source(load_settings(config=config), load_registry(registry(tmp_path))) is None


def test_a_missing_registry_rubric_is_one_line(tmp_path):
    config = registry(tmp_path, rubric="nowhere.yaml")
    with pytest.raises(ConfigError) as info:
        load_registry(config)
    assert str(info.value) == (
        f"{config}: field schedule.rubric: {tmp_path / 'nowhere.yaml'}: no such file or folder"
    )


# --- the scheduler ----------------------------------------------------------------------------


def test_the_nightly_job_scores_with_the_city_rubric(tmp_path):
    from govinspect.scheduler import context_for, job_crawl_and_check

    write_yaml(tmp_path / "rubrics" / "county.yaml", city_rubric("county"))
    page = html("<a href='/a.html'>甲</a><p>2026-11-19</p>", title="示范县人民政府")
    with FixtureServer({"/": page, "/a.html": html("<p>内容</p>")}) as server:
        config = write_yaml(
            tmp_path / "govinspect.yaml",
            {
                "units": [
                    {
                        "id": "xian",
                        "name": "示范县人民政府",
                        "category": "county",
                        "website": f"{server.base}/",
                    }
                ],
                "schedule": {"rubric": "rubrics"},
            },
        )
        settings = load_settings(config=config, data_dir=tmp_path / "var", timeout=3.0)
        outcome = job_crawl_and_check(context_for(settings))
    assert outcome["crawls"] == {"xian": "complete"}
    store = open_store(settings.database_url)
    try:
        with store.session() as session:
            check = session.get(Run, outcome["check_run"])
            info = check.summary["rubrics"]["county"]
            scores = {
                s.dimension: s.max
                for s in session.scalars(select(Score).where(Score.run_id == check.id))
            }
    finally:
        store.dispose()
    assert (info["name"], info["source"]) == (
        "某市county评分规则",
        str(tmp_path / "rubrics" / "county.yaml"),
    )
    assert scores["网站规范"] == 35 and info["max"] == 125  # the packaged 115 + 10


def test_the_service_refuses_a_broken_rubric(tmp_path):
    registry(tmp_path)
    bad = write_yaml(tmp_path / "bad.yaml", {**packaged("county"), "pass_score": -1})
    result = run(
        "--config", str(tmp_path / "govinspect.yaml"), "--data-dir", str(tmp_path / "var"),
        "schedule", "--list", "--rubric", str(bad), cwd=tmp_path,
    )  # fmt: skip
    assert_clean_error(result, 2, f"{bad}: pass_score: Input should be greater than or equal to 0")


def test_jobs_stored_by_an_older_version_still_load(tmp_path):
    """A job context pickled before the rubric field existed gets rubric None."""
    from govinspect.scheduler import JobContext

    old = JobContext.__new__(JobContext)
    old.__setstate__(["g.yaml", "sqlite:///x.db", "var"])
    assert old == JobContext("g.yaml", "sqlite:///x.db", "var", None)
    new = JobContext("g.yaml", "sqlite:///x.db", "var", "/srv/rubrics")
    assert pickle.loads(pickle.dumps(new)) == new
