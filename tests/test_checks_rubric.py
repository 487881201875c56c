"""Rubrics: packaged defaults, and one clear line per problem in a user's rubric file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from govinspect.checks import tables
from govinspect.checks.rubric import RUBRICS, load_rubric, rubric_for_category
from govinspect.errors import ConfigError


def default_data(category: str = "county") -> dict:
    return yaml.safe_load((RUBRICS / f"{category}.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, data, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, category: str = "county") -> str:
    with pytest.raises(ConfigError) as info:
        load_rubric(path, category)
    return str(info.value)


@pytest.mark.parametrize("category", ["county", "department"])
def test_packaged_rubrics_are_valid_and_total_115(category):
    rubric = load_rubric(None, category)
    assert rubric.source == f"packaged:{category}"
    assert rubric.max_total == 115 and rubric.pass_score == 69
    assert {d.name: d.max for d in rubric.dimensions} == {
        "网站日常管理": 40,
        "政府信息公开": 23,
        "解读回应": 12,
        "互动交流": 15,
        "网站规范": 25,
    }
    assert set(rubric.rules) >= tables.rule_ids()
    assert len(rubric.digest) == 64


def test_deadlines_differ_by_category():
    county = load_rubric(None, "county").thresholds.disclosure.annual_report_deadline
    department = load_rubric(None, "department").thresholds.disclosure.annual_report_deadline
    assert (county, department) == ("03-31", "01-31")


# Every rule's label and message, formatted with the parameters its check passes:
# tests/test_rule_messages.py.


def test_a_copy_of_the_default_loads(tmp_path):
    path = write(tmp_path, default_data())
    rubric = load_rubric(path, "county")
    assert rubric.source == str(path)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.pop("rules"), "mine.yaml: rules: missing required key"),
        (lambda d: d["rules"].pop("homepage_stale"), "rules.homepage_stale: missing"),
        (
            lambda d: d["rules"].update(foo={"label": "x", "severity": "notice"}),
            "rules.foo: unknown rule",
        ),
        (
            lambda d: d["rules"]["homepage_stale"].update(severity="fatal"),
            "rules.homepage_stale.severity: Input should be 'veto', 'deduction', 'warning' or "
            "'notice'",
        ),
        (
            lambda d: d["rules"]["column_blank"].update(deduct=-1),
            "rules.column_blank.deduct: Input should be greater than or equal to 0",
        ),
        (
            lambda d: d["dimensions"][0]["items"][0].update(points="lots"),
            "dimensions[0].items[0].points: Input should be a valid number",
        ),
        (
            lambda d: d["dimensions"][0]["items"][0]["rules"].append("nope"),
            "dimensions[0].items[0].rules: unknown rule 'nope'",
        ),
        (
            lambda d: d["dimensions"][0]["items"][1]["rules"].append("site_unreachable"),
            "rule 'site_unreachable' is already in item '站点可用性'",
        ),
        (lambda d: d["dimensions"].pop(4), "missing required dimension '网站规范'"),
        (
            lambda d: d["thresholds"]["disclosure"].update(annual_report_deadline="02-30"),
            "thresholds.disclosure.annual_report_deadline: '02-30' is not a valid month-day",
        ),
        (
            lambda d: d["thresholds"]["columns"]["windows"].update(gossip=3),
            "thresholds.columns.windows: unknown column type 'gossip'",
        ),
        (
            lambda d: d["thresholds"]["homepage"].update(max_age_days=0),
            "thresholds.homepage.max_age_days: Input should be greater than or equal to 1",
        ),
        (
            lambda d: d["thresholds"]["homepage"].update(colour="red"),
            "thresholds.homepage.colour: unknown key",
        ),
        (lambda d: d.update(pass_score=120), "pass_score: 120 is above the total"),
        (
            lambda d: d["thresholds"]["columns"]["windows"].update(other=30),
            "rules.column_stale_other: missing",
        ),
        (
            lambda d: d["rules"]["column_blank"].update(severity="deduction", deduct=0),
            "rules.column_blank.deduct: a deduction rule needs deduct > 0",
        ),
    ],
)
def test_validation_errors_name_file_key_and_problem(tmp_path, change, expected):
    data = default_data()
    change(data)
    message = error_of(write(tmp_path, data))
    assert expected in message
    assert message.startswith(str(tmp_path / "mine.yaml"))
    assert "\n" not in message or all(
        line.startswith(str(tmp_path)) for line in message.splitlines()
    )


def test_deduction_rule_outside_any_item(tmp_path):
    data = default_data()
    data["dimensions"][0]["items"][2]["rules"].remove("column_stale_notice")
    assert "rules.column_stale_notice: a deduction rule must be listed in an item" in error_of(
        write(tmp_path, data)
    )


def test_yaml_syntax_error_has_line_and_column(tmp_path):
    message = error_of(write(tmp_path, "name: [unclosed\n"))
    assert message.startswith(f"{tmp_path / 'mine.yaml'}:2:1: invalid YAML")


def test_not_a_mapping_and_missing_file(tmp_path):
    assert "a rubric must be a mapping" in error_of(write(tmp_path, "- a\n- b\n"))
    assert (
        error_of(tmp_path / "absent.yaml") == f"{tmp_path / 'absent.yaml'}: rubric file not found"
    )


def test_category_mismatch_and_fallback(tmp_path):
    path = write(tmp_path, default_data("county"))
    assert "this rubric is for county units, not department units" in error_of(path, "department")
    # run_checks uses the user's county rubric for counties and the default for departments
    assert rubric_for_category(path, "county").source == str(path)
    assert rubric_for_category(path, "department").source == "packaged:department"


def test_rubric_without_category_applies_to_all(tmp_path):
    data = default_data("county")
    data.pop("category")
    path = write(tmp_path, data)
    assert load_rubric(path, "department").source == str(path)


def test_folder_of_rubrics(tmp_path):
    write(tmp_path, default_data("department"), "department.yaml")
    assert rubric_for_category(tmp_path, "department").source == str(tmp_path / "department.yaml")
    assert rubric_for_category(tmp_path, "county").source == "packaged:county"


def test_unknown_category():
    with pytest.raises(ConfigError, match="unknown unit category 'city'"):
        load_rubric(None, "city")
