"""The site registry contract: valid files load, each kind of error is named precisely."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from govinspect.errors import ConfigError, UnknownUnitError
from govinspect.registry import load_registry

VALID = """\
units:
  - id: qixian                 # [a-z0-9_-]+, unique
    name: 杞县人民政府
    category: county           # county | department
    website: http://www.qixian.gov.cn/
    site_code: "4102210001"    # optional, expected 网站标识码
    new_media:                 # optional
      - name: 杞县发布
        platform: wechat       # wechat | weibo | douyin | toutiao | app | other
        feed: http://rsshub.example/wechat/xxx   # RSS/Atom URL
  - id: qixian-jyj
    name: 杞县教育局
    category: department
    website: https://jyj.qixian.gov.cn/
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "govinspect.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as info:
        load_registry(write(tmp_path, text))
    return str(info.value)


def test_valid_registry_loads(tmp_path):
    registry = load_registry(write(tmp_path, VALID))
    assert [u.id for u in registry.units] == ["qixian", "qixian-jyj"]
    county = registry.get("qixian")
    assert county.name == "杞县人民政府"
    assert county.site_code == "4102210001"
    assert county.new_media[0].platform.value == "wechat"
    assert registry.get("qixian-jyj").new_media == []


def test_optional_extension_keys(tmp_path):
    text = VALID.replace(
        "    category: department\n",
        "    category: department\n    extra_hosts: [cdn.qixian.gov.cn]\n"
        "    crawl: {max_pages: 500, obey_robots: false}\n"
        "    column_types: {教育要闻: news}\n",
    )
    unit = load_registry(write(tmp_path, text)).get("qixian-jyj")
    assert unit.crawl.max_pages == 500 and unit.crawl.obey_robots is False
    assert unit.column_types == {"教育要闻": "news"}


def test_duplicate_id(tmp_path):
    text = VALID.replace("id: qixian-jyj", "id: qixian")
    assert "duplicate unit id 'qixian'" in error_of(tmp_path, text)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "website: http://www.qixian.gov.cn/",
            "website: www.qixian.gov.cn",
            "unit 'qixian', field website: not an http(s) URL",
        ),
        (
            "category: county",
            "category: city",
            "unit 'qixian', field category: 'city' is not one of",
        ),
        (
            "platform: wechat",
            "platform: myspace",
            "unit 'qixian', field new_media.0.platform: 'myspace' is not one of",
        ),
        ("    name: 杞县人民政府\n", "", "unit 'qixian', field name: missing required field"),
        ("id: qixian-jyj", "id: Qixian JYJ", "field id: 'Qixian JYJ' must match [a-z0-9_-]+"),
        ('site_code: "4102210001"', "site_code: 12345", "field site_code: '12345' is not"),
        (
            "feed: http://rsshub.example/wechat/xxx",
            "feed: not a url",
            "field new_media.0.feed: not an http(s) URL",
        ),
        (
            "    category: department\n",
            "    category: department\n    colour: red\n",
            "unit 'qixian-jyj', field colour: unknown field",
        ),
    ],
)
def test_field_errors_name_file_unit_and_field(tmp_path, old, new, expected):
    assert old in VALID
    message = error_of(tmp_path, VALID.replace(old, new))
    assert str(tmp_path / "govinspect.yaml") in message
    assert expected in message


def test_missing_id_names_unit_by_position(tmp_path):
    message = error_of(tmp_path, VALID.replace("  - id: qixian-jyj\n    name", "  - name"))
    assert "unit #2, field id: missing required field" in message


def test_invalid_yaml_gives_line(tmp_path):
    message = error_of(tmp_path, "units:\n  - id: [unclosed\n")
    assert "govinspect.yaml:" in message and "invalid YAML" in message


def test_not_a_registry(tmp_path):
    assert "expected a mapping with a 'units:' list" in error_of(tmp_path, "- just a list\n")


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_registry(tmp_path / "absent.yaml")


def test_unknown_unit(tmp_path):
    registry = load_registry(write(tmp_path, VALID))
    with pytest.raises(UnknownUnitError, match="unknown unit 'nope'"):
        registry.select(["nope"])
    assert [u.id for u in registry.select([])] == ["qixian", "qixian-jyj"]
