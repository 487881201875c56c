"""Migration 0003_finding_lifecycle on SQLite and PostgreSQL; registry keys of issue 19; help."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text

from govinspect.checks.findings import Reporter
from govinspect.checks.rubric import load_rubric
from govinspect.errors import ConfigError
from govinspect.linkpatterns import first_match, parse_pattern
from govinspect.registry import parse_registry
from govinspect.store.db import current_revision, head_revision, open_store, upgrade

NEW_TABLES = {"finding_states", "finding_actions", "digests", "outbox"}


def test_migration_keeps_old_findings_and_goes_both_ways(db_url):
    from alembic import command

    from govinspect.store.db import alembic_config

    store = open_store(db_url, migrate=False)
    try:
        upgrade(store.engine, "0001")
        with store.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO units (id, name, category, website, config, active, updated_at) "
                    "VALUES ('u', '单位', 'county', 'http://a/', '{}', true, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO runs (id, kind, started_at, status, summary) "
                    "VALUES (1, 'check', CURRENT_TIMESTAMP, 'complete', '{}')"
                )
            )
            conn.execute(
                text(
                    'INSERT INTO findings (run_id, unit_id, "check", indicator, severity, '
                    "message, urls, evidence) VALUES (1, 'u', 'c', 'i', 'notice', 'm', '[]', '{}')"
                )
            )
        upgrade(store.engine)
        assert current_revision(store.engine) == head_revision()
        assert set(inspect(store.engine).get_table_names()) >= NEW_TABLES
        columns = {c["name"] for c in inspect(store.engine).get_columns("findings")}
        assert {"key", "status", "first_seen", "last_seen", "deadline"} <= columns
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT key, message FROM findings")).all() == [(None, "m")]
        command.downgrade(alembic_config(store.engine), "0001")
        assert not NEW_TABLES & set(inspect(store.engine).get_table_names())
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT message FROM findings")).scalar() == "m"
        upgrade(store.engine)
        assert current_revision(store.engine) == head_revision()
    finally:
        store.dispose()


UNIT = {"id": "u", "name": "单位", "category": "county", "website": "http://www.a.gov.cn/"}


def registry_error(**extra) -> str:
    with pytest.raises(ConfigError) as info:
        parse_registry({"units": [{**UNIT, **extra.pop("unit", {})}], **extra}, "g.yaml")
    return str(info.value)


def test_registry_validates_exclusions_contacts_and_quiet_hours():
    message = registry_error(unit={"exclude_links": ["http://a/x", "re:(", "nothing"]})
    assert "g.yaml: unit 'u', field exclude_links.1: 're:(' is not a valid regular expression" in (
        message
    )
    assert "field exclude_links.2: 'nothing' is not an http(s) URL, a glob" in message
    message = registry_error(unit={"contacts": {"webmaster": {"name": "王"}}})
    assert "contacts.webmaster: a contact needs an email, a webhook or both" in message
    message = registry_error(unit={"contacts": {"others": [{"email": "a@b.cn"}] * 4}})
    assert "contacts.others" in message and "at most 3" in message
    message = registry_error(
        unit={"contacts": {"webmaster": {"email": "not-an-address"}}},
        notifications={"quiet_hours": "22:00-22:00"},
    )
    assert "'not-an-address' is not an e-mail address" in message
    assert "notifications.quiet_hours: '22:00-22:00' is not a time range" in message
    message = registry_error(
        notifications={
            "office": [{"webhook": {"type": "wecom", "url": "http://w/", "secret": "s"}}]
        }
    )
    assert "only a dingtalk webhook is signed" in message
    message = registry_error(notifications={"office": [{"webhook": {"type": "sms", "url": "x"}}]})
    assert "notifications.office.0.webhook.type" in message
    ok = parse_registry(
        {
            "units": [
                {
                    **UNIT,
                    "exclude_links": ["http://www.a.gov.cn/old/*", r"re:\.invalid/"],
                    "contacts": {"webmaster": {"email": "w@a.gov.cn"}},
                }
            ],
            "notifications": {"quiet_hours": "22:00-07:30"},
        }
    )
    assert ok.has_contacts and ok.units[0].contacts.all()[0][0] == "webmaster"


@pytest.mark.parametrize(
    ("pattern", "url", "matches"),
    [
        ("http://a.gov.cn/x.html", "http://a.gov.cn/x.html#top", True),
        ("http://a.gov.cn/x.html", "http://a.gov.cn/x.html?y=1", False),
        ("http://a.gov.cn/old/*", "http://a.gov.cn/old/2019/x.html", True),
        ("http://a.gov.cn/old/*", "http://a.gov.cn/new/x.html", False),
        (r"re:\.invalid(/|$)", "http://www.sfxly.invalid/", True),
        ("http://a.gov.cn/list?page=2", "http://a.gov.cn/list?page=2", True),
    ],
)
def test_link_patterns(pattern, url, matches):
    assert parse_pattern(pattern).matches(url) is matches
    assert (first_match([pattern], url) == pattern) is matches


def test_every_finding_needs_a_subject():
    reporter = Reporter("x", load_rubric(None, "county"))
    with pytest.raises(TypeError):
        reporter.add("https_missing", urls=["http://a/"], url="http://a/")  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="has no subject"):
        reporter.add("https_missing", subject="", urls=["http://a/"], url="http://a/")


@pytest.mark.parametrize(
    "command",
    [["findings"], ["findings", "ignore"], ["findings", "accept"], ["findings", "claim-fixed"],
     ["findings", "confirm"], ["digest"]],
)  # fmt: skip
def test_new_commands_have_help_with_example(command, tmp_path):
    from tests.test_cli import run

    result = run(*command, "--help", cwd=tmp_path)
    assert result.returncode == 0 and "Example:" in result.stdout
