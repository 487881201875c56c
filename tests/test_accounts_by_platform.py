"""A realistic registry: accounts of the same name on several platforms (issue 15, item 1).

An account is its platform and name (and its feed): 杞县发布 on WeChat and on Weibo are two
accounts.  Only a true repeat is refused.  The registry contract, the store (its unique key and
the migration that changed it), the commands and the findings all tell such accounts apart.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from govinspect.errors import ConfigError
from govinspect.registry import load_registry, parse_registry
from govinspect.store.db import head_revision, make_engine, open_store, upgrade
from govinspect.store.models import Account, Base, FeedPoll, FeedPost
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html
from tests.test_cli import assert_clean_error, run

README = Path(__file__).parents[1] / "README.md"

ISSUE_REGISTRY = """\
units:
  - id: qixian
    name: 杞县人民政府
    category: county
    website: http://www.qixian.gov.cn/
    new_media:
      - {name: 杞县发布, platform: wechat, feed: "FEEDS/wechat/qixian.xml"}
      - {name: 杞县发布, platform: weibo, feed: "FEEDS/weibo/qixian.xml"}
  - id: kfscjg
    name: 开封市市场监督管理局
    category: department
    website: http://scjg.kaifeng.gov.cn/
    new_media:
      - {name: 开封市场监管, platform: wechat, feed: "FEEDS/wechat/kfscjg.xml"}
      - {name: 开封市场监管, platform: toutiao, feed: "FEEDS/toutiao/kfscjg.xml"}
"""


def issue_registry(feeds: str = "http://rsshub.example") -> dict:
    return yaml.safe_load(ISSUE_REGISTRY.replace("FEEDS", feeds))


def write(path: Path, data: dict | str) -> Path:
    text_ = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True)
    path.write_text(text_, encoding="utf-8")
    return path


# --- the registry contract ----------------------------------------------------------------------


def test_the_registry_from_the_issue_loads(tmp_path):
    registry = load_registry(write(tmp_path / "govinspect.yaml", issue_registry()))
    accounts = [(a.name, a.platform.value) for a in registry.get("qixian").new_media]
    assert accounts == [("杞县发布", "wechat"), ("杞县发布", "weibo")]
    assert len(registry.get("kfscjg").new_media) == 2


def test_the_readme_registry_example_has_one_name_on_two_platforms():
    section = README.read_text(encoding="utf-8").split("## Configuration: the site registry")[1]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    registry = parse_registry(yaml.safe_load(example), "README.md")
    [unit] = registry.units
    names = [(a.name, a.platform.value) for a in unit.new_media]
    assert names == [("杞县发布", "wechat"), ("杞县发布", "weibo")]


@pytest.mark.parametrize(
    ("account", "problem"),
    [
        (
            {"name": "杞县发布", "platform": "wechat", "feed": "http://rsshub.example/other"},
            "new_media.2 repeats new_media.0: '杞县发布' on wechat",
        ),
        (
            {"name": "杞县融媒", "platform": "douyin", "feed": "http://rsshub.example/weibo/qixian.xml"},
            "new_media.2 has the same feed as new_media.1: http://rsshub.example/weibo/qixian.xml",
        ),
    ],
)  # fmt: skip
def test_a_true_duplicate_is_refused_in_one_line(tmp_path, account, problem):
    data = issue_registry()
    data["units"][0]["new_media"].append(account)
    config = write(tmp_path / "govinspect.yaml", data)
    with pytest.raises(ConfigError) as info:
        load_registry(config)
    assert str(info.value) == f"{config}: unit 'qixian', field new_media: {problem}"
    result = run("--config", str(config), "units", cwd=tmp_path)
    assert_clean_error(result, 2, f"unit 'qixian', field new_media: {problem}")
    assert len(result.stderr.strip().splitlines()) == 1


# --- the store ----------------------------------------------------------------------------------


def accounts_of(store) -> dict[tuple[str, str, str], tuple[int, bool]]:
    with store.session() as session:
        return {
            (a.unit_id, a.platform, a.name): (a.id, a.active)
            for a in session.scalars(select(Account))
        }


def test_sync_keys_accounts_by_platform_and_name(db_url):
    store = open_store(db_url)
    try:
        sync_registry(store, parse_registry(issue_registry()))
        first = accounts_of(store)
        assert len(first) == 4 and all(active for _, active in first.values())
        wechat, weibo = (
            first[("qixian", "wechat", "杞县发布")],
            first[("qixian", "weibo", "杞县发布")],
        )
        assert wechat[0] != weibo[0]
        sync_registry(store, parse_registry(issue_registry()))
        assert accounts_of(store) == first  # idempotent: no new rows, no swapped ids
        # Moving an account to another platform makes a new account; the old one keeps its
        # history, inactive.
        moved = issue_registry()
        moved["units"][0]["new_media"][1]["platform"] = "douyin"
        sync_registry(store, parse_registry(moved))
        after = accounts_of(store)
        assert after[("qixian", "weibo", "杞县发布")] == (weibo[0], False)
        assert after[("qixian", "douyin", "杞县发布")][1] is True
        assert after[("qixian", "wechat", "杞县发布")] == wechat
    finally:
        store.dispose()


INSERT_OLD = """
INSERT INTO units (id, name, category, website, config, active, updated_at)
  VALUES ('qixian', '杞县人民政府', 'county', 'http://www.qixian.gov.cn/', '{}', true,
          '2026-11-01 00:00:00');
INSERT INTO accounts (unit_id, name, platform, feed_url, active)
  VALUES ('qixian', '杞县发布', 'wechat', 'http://rsshub.example/wechat/qixian.xml', true);
INSERT INTO runs (kind, unit_id, started_at, status, summary)
  VALUES ('feeds', 'qixian', '2026-11-01 00:00:00', 'complete', '{}');
INSERT INTO feed_polls (run_id, account_id, fetched_at, ok, not_modified, entries)
  VALUES ((SELECT min(id) FROM runs), (SELECT min(id) FROM accounts), '2026-11-01 00:00:00',
          true, false, 1);
INSERT INTO feed_posts (account_id, guid, first_seen_at)
  VALUES ((SELECT min(id) FROM accounts), 'post-1', '2026-11-01 00:00:00');
"""


def test_migration_0002_keeps_the_accounts_and_their_history(db_url):
    """An old database holding accounts, polls and posts is upgraded without losing a row."""
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0001")
        with engine.begin() as conn:
            for statement in filter(str.strip, INSERT_OLD.split(";")):
                conn.execute(text(statement))
            old_id = conn.execute(text("SELECT id FROM accounts")).scalar()
        assert upgrade(engine) == ("0001", head_revision())
        with engine.connect() as conn:
            counts = [
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
                for table in ("accounts", "feed_polls", "feed_posts")
            ]
            assert counts == [1, 1, 1]
            diff = compare_metadata(
                MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
            )
            assert diff == []
        store = open_store(db_url)
        try:
            sync_registry(store, parse_registry(issue_registry()))
            with store.session() as session:
                kept = session.get(Account, old_id)
                assert (kept.platform, kept.name, kept.active) == ("wechat", "杞县发布", True)
                assert session.scalars(select(FeedPoll)).one().account_id == old_id
                assert session.scalars(select(FeedPost)).one().account_id == old_id
                assert len(session.scalars(select(Account)).all()) == 4
            # The key is (unit, platform, name): a true repeat is still refused by the database.
            with pytest.raises(IntegrityError), engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO accounts (unit_id, name, platform, feed_url, active) "
                        "VALUES ('qixian', '杞县发布', 'wechat', 'http://x/', true)"
                    )
                )
        finally:
            store.dispose()
    finally:
        engine.dispose()


# --- the commands -------------------------------------------------------------------------------


def rss(title: str, days_ago: int) -> tuple[int, dict[str, str], bytes]:
    published = datetime.now(UTC) - timedelta(days=days_ago)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>f</title>'
        f"<item><title>{title}</title><link>http://mp.example/{days_ago}</link>"
        f"<guid>{title}-{days_ago}</guid><pubDate>{format_datetime(published)}</pubDate></item>"
        "</channel></rss>"
    )
    return 200, {"Content-Type": "application/rss+xml; charset=utf-8"}, body.encode()


def test_units_feeds_and_check_work_and_tell_the_accounts_apart(tmp_path):
    routes = {
        "/wechat/qixian.xml": rss("微信新闻", 1),
        "/weibo/qixian.xml": rss("微博旧闻", 30),  # the Weibo account is silent
        "/wechat/kfscjg.xml": rss("市场监管", 2),
        "/toutiao/kfscjg.xml": rss("头条", 3),
        "/": html("首页"),
    }
    with FixtureServer(routes) as server:
        config = write(tmp_path / "govinspect.yaml", issue_registry(server.base))
        base = ("--config", str(config), "--data-dir", str(tmp_path / "var"))
        units = run(*base, "units", cwd=tmp_path)
        assert units.returncode == 0, units.stderr
        assert "杞县发布 (wechat)" in units.stdout and "杞县发布 (weibo)" in units.stdout
        feeds = run(*base, "feeds", cwd=tmp_path)
        assert feeds.returncode == 0, feeds.stderr
        assert feeds.stdout.count("杞县发布") == 2 and feeds.stdout.count("开封市场监管") == 2
    check = run(*base, "check", cwd=tmp_path)
    assert check.returncode == 0, check.stderr
    exported = run(*base, "export", "--format", "json", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    units_ = {u["id"]: u for u in json.loads(exported.stdout)["units"]}
    qixian = units_["qixian"]
    states = {(a["platform"], a["name"]): a["stale"] for a in qixian["new_media"]}
    assert states == {("wechat", "杞县发布"): False, ("weibo", "杞县发布"): True}
    [stale] = [f for f in qixian["findings"] if f["evidence"]["rule"] == "new_media_stale"]
    assert "「杞县发布」（微博）" in stale["message"] and "微信" not in stale["message"]
    assert stale["evidence"]["platform"] == "weibo"
    assert [f for f in units_["kfscjg"]["findings"] if "new_media" in f["evidence"]["rule"]] == []
