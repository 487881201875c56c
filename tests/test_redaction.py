"""No password of a database or Redis URL is ever printed (issue 15, item 18).

The URLs are unreachable or malformed on purpose: those are the ones that end up in errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from govinspect.redaction import redact
from govinspect.store.db import redact as redact_url
from tests.test_cli import run
from tests.test_registry import VALID

SECRET = "s3cret"

BAD_DATABASES = [
    f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/x",  # unreachable
    f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/x?connect_timeout=2&sslmode=bogus",
    f"postgresql+psycopg://u:{SECRET}@127.0.0.1:port/x",  # the port is not a number
    f"postgresql+psycopg://u:{SECRET}@[::1/x",  # broken IPv6 literal
    f"postgresql+psycopg://u@127.0.0.1:1/x?password={SECRET}",  # password in the query
    f"postgresql:/u:{SECRET}@127.0.0.1/x",  # "//" missing: not a file name either
    f"nosuch://u:{SECRET}@127.0.0.1/x",  # unknown dialect
    f"postgresql+psycopg2://u:{SECRET}@127.0.0.1:1/x",  # driver not installed
    # Passwords written unencoded: an "@" (the driver quotes the tail as the host it cannot
    # resolve) and a space (the patterns for URLs in text stop at spaces).
    f"postgresql+psycopg://u:pw@{SECRET}@127.0.0.1:1/x",
    f"postgresql+psycopg://u:pw {SECRET}@127.0.0.1:1/x",
]


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "govinspect.yaml"
    path.write_text(VALID, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("command", "url"),
    [(["db", "upgrade"], url) for url in BAD_DATABASES]
    + [(["check"], BAD_DATABASES[0]), (["check"], BAD_DATABASES[2])],
)
def test_a_bad_database_url_never_shows_its_password(tmp_path, config, command, url):
    result = run("--config", str(config), "--db", url, *command, cwd=tmp_path)
    assert result.returncode in (2, 3), result.stderr
    assert result.stderr.startswith("error:") and len(result.stderr.splitlines()) == 1
    assert SECRET not in result.stdout + result.stderr


def test_units_does_not_show_it_either(tmp_path, config):
    result = run("--config", str(config), "--db", BAD_DATABASES[0], "units", cwd=tmp_path)
    assert result.returncode == 0 and SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize("env", [{"GOVINSPECT_DEBUG": "1"}, {"GOVINSPECT_VERBOSE": "1"}])
@pytest.mark.parametrize("url", [BAD_DATABASES[0], BAD_DATABASES[2]])
def test_nor_does_the_debug_traceback_or_the_verbose_log(tmp_path, config, url, env):
    result = run("--config", str(config), "--db", url, "db", "upgrade", cwd=tmp_path, env=env)
    assert result.returncode != 0
    assert SECRET not in result.stdout + result.stderr


def test_the_database_url_from_the_environment_is_redacted_too(tmp_path, config):
    env = {"GOVINSPECT_DB": BAD_DATABASES[2]}
    result = run("--config", str(config), "check", cwd=tmp_path, env=env)
    assert result.returncode == 3 and "invalid database URL" in result.stderr
    assert SECRET not in result.stderr and "u:***@127.0.0.1:port" in result.stderr


@pytest.mark.parametrize(
    "url",
    [
        f"redis://:{SECRET}@127.0.0.1:1/0",  # unreachable
        f"redis://u:{SECRET}@127.0.0.1:port/0",  # the port is not a number
        f"http://u:{SECRET}@127.0.0.1/0",  # not a Redis URL
        f"redis://127.0.0.1:1/0?password={SECRET}",
    ],
)
def test_a_bad_redis_url_never_shows_its_password(tmp_path, config, url):
    env = {"GOVINSPECT_REDIS_URL": url}
    result = run("--config", str(config), "crawl", "--distributed", cwd=tmp_path, env=env)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("error:") and len(result.stderr.splitlines()) == 1
    assert SECRET not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("postgresql+psycopg://u:pw@h:5432/db", "postgresql+psycopg://u:***@h:5432/db"),
        ("'postgresql://u:pw@h:port/db' is bad", "'postgresql://u:***@h:port/db' is bad"),
        ("redis://:pw@h:6379/0", "redis://:***@h:6379/0"),
        ("rediss://default:p:w@h", "rediss://default:***@h"),
        ("postgresql://u@h/db?password=pw&sslmode=x", "postgresql://u@h/db?password=***&sslmode=x"),
        (
            "at postgresql://u@h/db?password=pw: refused",
            "at postgresql://u@h/db?password=***: refused",
        ),
        ("host=h password=pw dbname=x", "host=h password=*** dbname=x"),
        # nothing to hide: left alone
        (
            "postgresql+psycopg://u@127.0.0.1:5432/test",
            "postgresql+psycopg://u@127.0.0.1:5432/test",
        ),
        ("redis://127.0.0.1:6379/0 (ask a:b@c)", "redis://127.0.0.1:6379/0 (ask a:b@c)"),
        ("sqlite:////var/lib/govinspect.db", "sqlite:////var/lib/govinspect.db"),
    ],
)
def test_redact(text, expected):
    assert redact(text) == expected


def test_store_redact_handles_urls_that_do_not_parse():
    assert redact_url("postgresql://u:pw@h:port/db") == "postgresql://u:***@h:port/db"


def test_redact_knows_the_whole_password_of_the_url_it_is_about():
    url = "postgresql+psycopg://u:pass@word 1@db.example:5432/x"
    text = f"cannot open {url}: failed to resolve host 'word 1@db.example'"
    assert redact(text, url) == (
        "cannot open postgresql+psycopg://u:***@db.example:5432/x: "
        "failed to resolve host '***@db.example'"
    )
    assert redact_url(url) == "postgresql+psycopg://u:***@db.example:5432/x"
