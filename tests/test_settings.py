"""Settings precedence: CLI option > environment > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from govinspect.errors import ConfigError
from govinspect.settings import load_settings


def test_defaults(monkeypatch):
    for name in ("GOVINSPECT_CONFIG", "GOVINSPECT_DB", "GOVINSPECT_DATA_DIR", "GOVINSPECT_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    settings = load_settings()
    assert settings.config == Path("govinspect.yaml")
    assert settings.data_dir == Path("var")
    assert settings.database_url == f"sqlite:///{Path('var/govinspect.db').resolve()}"
    assert settings.timeout == 15.0
    assert settings.obey_robots is True
    assert "govinspect/" in settings.user_agent


def test_environment_beats_defaults(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVINSPECT_CONFIG", str(tmp_path / "env.yaml"))
    monkeypatch.setenv("GOVINSPECT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GOVINSPECT_TIMEOUT", "7.5")
    monkeypatch.setenv("GOVINSPECT_CONTACT", "webmaster@example.gov.cn")
    settings = load_settings()
    assert settings.config == tmp_path / "env.yaml"
    assert settings.database_url == f"sqlite:///{(tmp_path / 'data' / 'govinspect.db')}"
    assert settings.timeout == 7.5
    assert "webmaster@example.gov.cn" in settings.user_agent


def test_cli_beats_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GOVINSPECT_CONFIG", str(tmp_path / "env.yaml"))
    monkeypatch.setenv("GOVINSPECT_DB", "sqlite:///env.db")
    settings = load_settings(config=tmp_path / "cli.yaml", db=str(tmp_path / "cli.db"))
    assert settings.config == tmp_path / "cli.yaml"
    assert settings.database_url == f"sqlite:///{tmp_path / 'cli.db'}"


def test_none_means_not_given(monkeypatch):
    monkeypatch.setenv("GOVINSPECT_DB", "postgresql+psycopg://127.0.0.1/test")
    assert load_settings(db=None).database_url == "postgresql+psycopg://127.0.0.1/test"


def test_bad_environment_value_is_one_clear_error(monkeypatch):
    monkeypatch.setenv("GOVINSPECT_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match=r"setting timeout \(GOVINSPECT_TIMEOUT\)"):
        load_settings()


def test_every_setting_is_documented():
    from govinspect.settings import Settings

    doc = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"`GOVINSPECT_{name.upper()}`" in doc, name
