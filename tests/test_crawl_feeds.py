"""``govinspect crawl`` polls the crawled units' feeds, and the nightly job polls them once.

Issue 15 item 6: after ``crawl`` + ``check`` every account was "no feed record"; a six-week-silent
account was not flagged.  One tiny site with two accounts (silent for six weeks, fresh) served
from 127.0.0.1 is crawled through the command line, the scheduler's job and ``run_job``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import FeedPoll, Run
from tests.conftest import require_redis
from tests.fixture_site import FixtureServer, html
from tests.test_cli import run
from tests.test_feeds import rss

SILENT, FRESH = "示范县发布", "示范县政务微博"
ROOT = Path(__file__).resolve().parent.parent


def ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureServer]:
    feed = "application/rss+xml; charset=utf-8"
    routes: dict[str, Any] = {
        "/": html("<p>示范县人民政府</p><a href='/a.html'>新闻</a>", title="示范县人民政府"),
        "/a.html": html("<p>新闻</p>", title="新闻"),
        # Silent for six weeks: the national rule's veto (no post in the last 14 days).
        "/feeds/silent.xml": (200, {"Content-Type": feed}, rss([("旧闻", ago(42))])),
        "/feeds/fresh.xml": (200, {"Content-Type": feed}, rss([("新闻", ago(1))])),
    }
    with FixtureServer(routes) as server:
        yield server


def write_config(path: Path, base: str) -> Path:
    data = {
        "units": [
            {
                "id": "town",
                "name": "示范县人民政府",
                "category": "county",
                "website": f"{base}/",
                "new_media": [
                    {"name": SILENT, "platform": "wechat", "feed": f"{base}/feeds/silent.xml"},
                    {"name": FRESH, "platform": "weibo", "feed": f"{base}/feeds/fresh.xml"},
                ],
            }
        ]
    }
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def accounts_after_check(tmp_path: Path, config: Path, env: dict[str, str] | None = None) -> dict:
    """``check`` then ``export``: the unit's new-media entries and findings, by account name."""
    common = ("--config", str(config), "--data-dir", str(tmp_path / "var"))
    checked = run(*common, "check", cwd=tmp_path, env=env)
    assert checked.returncode == 0, checked.stderr
    exported = run(*common, "export", "--format", "json", cwd=tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    unit = json.loads(exported.stdout)["units"][0]
    accounts = {entry["name"]: entry for entry in unit["new_media"]}
    vetoes = [f for f in unit["findings"] if f["check"] == "new_media" and f["severity"] == "veto"]
    return {"accounts": accounts, "vetoes": vetoes}


def feed_runs(data_dir: Path, db: str | None = None) -> int:
    store = open_store(load_settings(data_dir=data_dir, db=db).database_url)
    with store.session() as session:
        count = session.scalar(select(func.count()).select_from(Run).where(Run.kind == "feeds"))
    store.dispose()
    return count


def assert_judged(result: dict) -> None:
    silent, fresh = result["accounts"][SILENT], result["accounts"][FRESH]
    assert silent["state"] == "stale" and silent["stale"] is True, silent
    assert silent["days_since_last_post"] == 42
    assert fresh["state"] == "ok" and fresh["stale"] is False and fresh["error"] is None, fresh
    assert [v["indicator"] for v in result["vetoes"]] == ["政务新媒体内容不更新"]
    assert SILENT in result["vetoes"][0]["message"]


def test_crawl_polls_the_feeds_and_check_judges_them(tmp_path, site):
    config = write_config(tmp_path / "govinspect.yaml", site.base)
    crawled = run(
        "--config", str(config), "--data-dir", str(tmp_path / "var"), "crawl", cwd=tmp_path
    )
    assert crawled.returncode == 0, crawled.stderr
    assert "feeds poll" in crawled.stdout and SILENT in crawled.stdout

    assert_judged(accounts_after_check(tmp_path, config))
    assert feed_runs(tmp_path / "var") == 1


def test_no_feeds_leaves_the_accounts_unpolled(tmp_path, site):
    config = write_config(tmp_path / "govinspect.yaml", site.base)
    crawled = run(
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "var"),
        "crawl",
        "--no-feeds",
        cwd=tmp_path,
    )
    assert crawled.returncode == 0, crawled.stderr
    assert "feeds poll" not in crawled.stdout

    result = accounts_after_check(tmp_path, config)
    assert feed_runs(tmp_path / "var") == 0
    for name in (SILENT, FRESH):
        account = result["accounts"][name]
        assert account["state"] == "unknown" and account["stale"] is False
        assert "没有订阅源采集记录" in account["error"]
    assert result["vetoes"] == []


def test_the_nightly_job_polls_the_feeds_once(tmp_path, site):
    from govinspect.scheduler import context_for, job_crawl_and_check

    config = write_config(tmp_path / "govinspect.yaml", site.base)
    settings = load_settings(config=config, data_dir=tmp_path / "var")
    outcome = job_crawl_and_check(context_for(settings))

    assert outcome["crawls"] == {"town": "complete"}
    assert outcome["feeds"]["accounts"] == 2 and outcome["feeds"]["errors"] == 0
    assert feed_runs(tmp_path / "var") == 1
    store = open_store(settings.database_url)
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(FeedPoll)) == 2
    store.dispose()
    exported = run(
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "var"),
        "export",
        "--format",
        "json",
        cwd=tmp_path,
    )
    unit = json.loads(exported.stdout)["units"][0]
    states = {entry["name"]: entry["state"] for entry in unit["new_media"]}
    assert states == {SILENT: "stale", FRESH: "ok"}


def test_run_job_probes_checks_and_exports(tmp_path, site):
    from govinspect.pipeline import run_job
    from govinspect.registry import load_registry

    config = write_config(tmp_path / "govinspect.yaml", site.base)
    settings = load_settings(config=config, data_dir=tmp_path / "var")
    store = open_store(settings.database_url)
    steps: list[str] = []
    try:
        result = run_job(
            settings,
            load_registry(config),
            store,
            parallel=1,
            export_to=tmp_path / "out" / "export.json",
            probe=True,
            on_step=lambda step, value: steps.append(step),
        )
    finally:
        store.dispose()
    assert steps == ["crawl", "feeds", "probes", "check", "export"]
    assert result.feeds is not None and result.feeds.accounts == 2
    assert result.probes is not None and [p.ok for p in result.probes] == [True]
    exported = json.loads((tmp_path / "out" / "export.json").read_text(encoding="utf-8"))
    assert exported["run_id"] == result.check_run
    assert feed_runs(tmp_path / "var") == 1


def test_distributed_crawl_polls_the_feeds(tmp_path, site):
    """``crawl --distributed`` with one worker, PostgreSQL and Redis (run when CI=true)."""
    from tests.conftest import pg_schema

    base = require_redis()
    # A Redis database of its own: the default namespace of db 0 may be shared by others.
    redis_url = base.rsplit("/", 1)[0] + "/11"
    config = write_config(tmp_path / "govinspect.yaml", site.base)
    with pg_schema("gi_feeds") as db:
        env = {
            "GOVINSPECT_REDIS_URL": redis_url,
            "GOVINSPECT_DB": db,
            "GOVINSPECT_DATA_DIR": str(tmp_path / "var"),
            "GOVINSPECT_CONFIG": str(config),
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "govinspect", "worker", "--stop-after-idle", "20"],
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            crawled = run("crawl", "--distributed", cwd=tmp_path, env=env)
            assert crawled.returncode == 0, crawled.stdout + crawled.stderr
            assert "feeds poll" in crawled.stdout
            assert_judged(accounts_after_check(tmp_path, config, env))
            assert feed_runs(tmp_path / "var", db) == 1
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=60)
            _flush_redis(redis_url)


def _flush_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(count=1000))
    if keys:
        client.delete(*keys)
    client.close()


def test_crawl_polls_only_the_units_it_crawls(tmp_path, site):
    config = write_config(tmp_path / "govinspect.yaml", site.base)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    data["units"].append(
        {
            "id": "dept",
            "name": "示范县教育局",
            "category": "department",
            "website": f"{site.base}/a.html",
            "new_media": [
                {"name": "教育", "platform": "wechat", "feed": f"{site.base}/feeds/fresh.xml"}
            ],
        }
    )
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    crawled = run(
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "var"),
        "crawl",
        "--unit",
        "dept",
        cwd=tmp_path,
    )
    assert crawled.returncode == 0, crawled.stderr
    store = open_store(load_settings(data_dir=tmp_path / "var").database_url)
    with store.session() as session:
        runs = session.scalars(select(Run).where(Run.kind == "feeds")).all()
        polls = session.scalar(select(func.count()).select_from(FeedPoll))
    store.dispose()
    assert [(r.unit_id, r.summary["accounts"]) for r in runs] == [("dept", 1)]
    assert polls == 1
