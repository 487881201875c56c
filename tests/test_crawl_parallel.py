"""``govinspect crawl --parallel``: units crawled at once, one failure stops no other.

Small sites on 127.0.0.1 (each its own port: its own host for the politeness limits).  That the
crawls overlapped is shown by the servers, never by timing: each site holds its homepage until
the other site's homepage was asked for too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from govinspect.crawler.parallel import crawled_hosts
from govinspect.registry import load_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Run
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, Handler, Reply, html
from tests.test_cli import assert_clean_error, run

#: Seconds a homepage waits for the other one; only reached when the crawls do not overlap.
MEET_TIMEOUT = 60.0
ENV = {"GOVINSPECT_RECHECK_DELAY": "0", "GOVINSPECT_TIMEOUT": "90"}


class Meeting:
    """Homepages that answer only once every one of them has been asked for (or a timeout)."""

    def __init__(self, parties: int) -> None:
        self.barrier = threading.Barrier(parties, timeout=MEET_TIMEOUT)
        self.outcomes: list[str] = []
        self.lock = threading.Lock()
        self.asked = 0

    def homepage(self, name: str) -> Any:
        page = html(f"<p>{name}</p><a href='/a.html'>新闻</a>", title=name)

        def route(method: str, handler: Handler) -> Reply:
            with self.lock:
                self.asked += 1
                first = self.asked <= self.barrier.parties
            if first and method == "GET":
                try:
                    self.barrier.wait()
                    outcome = "met"
                except threading.BrokenBarrierError:
                    outcome = "timeout"
                with self.lock:
                    self.outcomes.append(outcome)
            return page

        return route


def site(homepage: Any, name: str) -> FixtureServer:
    return FixtureServer({"/": homepage, "/a.html": html(f"<p>{name} 新闻</p>", title="新闻")})


@pytest.fixture
def meeting() -> Meeting:
    return Meeting(2)


@pytest.fixture
def servers(meeting) -> Iterator[list[FixtureServer]]:
    """Two sites whose homepages meet, and a plain one."""
    started = [
        site(meeting.homepage("甲"), "甲"),
        site(meeting.homepage("乙"), "乙"),
        site(html("<p>丙</p><a href='/a.html'>新闻</a>", title="丙"), "丙"),
    ]
    for server in started:
        server.__enter__()
    yield started
    for server in started:
        server.__exit__(None, None, None)


def write_config(path: Path, bases: list[str]) -> Path:
    units = [
        {"id": f"u{n}", "name": f"单位{n}", "category": "county", "website": f"{base}/"}
        for n, base in enumerate(bases, start=1)
    ]
    path.write_text(yaml.safe_dump({"units": units}, allow_unicode=True), encoding="utf-8")
    return path


def crawl(tmp_path: Path, config: Path, *args: str) -> Any:
    common = ("--config", str(config), "--data-dir", str(tmp_path / "var"))
    return run(*common, "crawl", "--no-feeds", *args, cwd=tmp_path, env=ENV)


def crawl_runs(tmp_path: Path) -> dict[str, Run]:
    store = open_store(load_settings(data_dir=tmp_path / "var").database_url)
    with store.session() as session:
        rows = session.scalars(select(Run).where(Run.kind == "crawl").order_by(Run.id)).all()
        session.expunge_all()
    store.dispose()
    return {row.unit_id: row for row in rows}


def test_units_are_crawled_at_once(tmp_path, servers, meeting):
    config = write_config(tmp_path / "govinspect.yaml", [s.base for s in servers[:2]])
    result = crawl(tmp_path, config, "--parallel", "2")
    assert result.returncode == 0, result.stdout + result.stderr
    # Each homepage was held until the other one was asked for: both crawls were running.
    assert meeting.outcomes == ["met", "met"]
    runs = crawl_runs(tmp_path)
    assert {u: r.status for u, r in runs.items()} == {"u1": "complete", "u2": "complete"}
    assert runs["u1"].started_at < runs["u2"].finished_at
    assert runs["u2"].started_at < runs["u1"].finished_at
    for unit in ("u1", "u2"):
        assert f"crawling {unit}" in result.stdout
    # The summary lists the units in registry order, as the sequential crawl did.
    assert result.stdout.index("crawl summary") < result.stdout.rindex("u1")
    assert result.stdout.rindex("u1") < result.stdout.rindex("u2")


def test_a_failing_unit_fails_the_command_and_the_others_finish(tmp_path, servers, meeting):
    bases = [servers[0].base, servers[2].base, servers[1].base]
    config = write_config(tmp_path / "govinspect.yaml", bases)
    # u2's last run is "running" in a live process (this one): its crawl is refused.
    settings = load_settings(config=config, data_dir=tmp_path / "var")
    (tmp_path / "var").mkdir()
    store = open_store(settings.database_url)
    sync_registry(store, load_registry(config))
    with store.session() as session:
        session.add(Run(kind="crawl", unit_id="u2", status="running", summary={"pid": os.getpid()}))
    store.dispose()

    result = crawl(tmp_path, config, "--parallel", "3")
    assert_clean_error(result, 1, "1 of 3 crawls did not complete: u2 (failed)")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "already running" in result.stdout
    assert meeting.outcomes == ["met", "met"]
    runs = crawl_runs(tmp_path)
    assert runs["u1"].status == runs["u3"].status == "complete"
    assert runs["u2"].status == "running"  # untouched: it belongs to the other process


def test_parallel_one_crawls_one_unit_after_the_other(tmp_path, servers):
    with site(html("<p>丁</p>", title="丁"), "丁") as plain:
        config = write_config(tmp_path / "govinspect.yaml", [servers[2].base, plain.base])
        result = crawl(tmp_path, config, "--parallel", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    runs = crawl_runs(tmp_path)
    assert runs["u1"].finished_at <= runs["u2"].started_at
    assert result.stdout.index("crawling u1") < result.stdout.index("crawling u2")


def test_units_sharing_a_host_take_turns():
    from govinspect.crawler.parallel import _startable
    from govinspect.registry import Unit

    def unit(uid: str, website: str, extra: list[str] | None = None) -> Unit:
        return Unit(id=uid, name=uid, category="county", website=website, extra_hosts=extra or [])

    a = unit("a", "http://A.gov.cn/")
    b = unit("b", "http://b.gov.cn/", ["a.gov.cn"])
    c = unit("c", "http://c.gov.cn:8080/")
    assert crawled_hosts(b) == {"b.gov.cn", "a.gov.cn"}
    running = {object(): a}
    # b shares a.gov.cn with the running a: c (another host) goes first, b waits.
    assert _startable([b, c], running, 4) == [c]  # type: ignore[arg-type]
    assert _startable([b, c], {}, 1) == [b]
    assert _startable([b, c], {}, 4) == [b, c]


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--parallel", "0"], "--parallel must be at least 1"),
        (["--parallel", "-2"], "--parallel must be at least 1"),
        (["--distributed", "--parallel", "2"], "--parallel does not apply to --distributed"),
    ],
)
def test_bad_parallel_is_one_line(tmp_path, args, fragment):
    config = write_config(tmp_path / "govinspect.yaml", ["http://127.0.0.1:9/"])
    result = crawl(tmp_path, config, *args)
    assert_clean_error(result, 2, fragment)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_parallel_setting_in_the_environment_is_checked(tmp_path):
    config = write_config(tmp_path / "govinspect.yaml", ["http://127.0.0.1:9/"])
    result = run(
        "--config", str(config), "crawl", cwd=tmp_path, env={"GOVINSPECT_CRAWL_PARALLEL": "0"}
    )
    assert_clean_error(result, 2, "GOVINSPECT_CRAWL_PARALLEL")


def test_progress_keeps_one_line_per_unit_apart():
    import io

    from rich.console import Console

    from govinspect.crawler.launch import CrawlResult
    from govinspect.progress import CrawlProgress

    out = io.StringIO()
    event = {"event": "progress", "pages": 3, "checked": 4, "queued": 5, "seconds": 1.0}
    with CrawlProgress(Console(file=out, width=200)) as progress:
        progress.start("u1")
        progress.start("u2")
        progress.last_plain = {"u1": 0.0, "u2": 0.0}  # both due for a plain line
        progress.update("u2", event)
        progress.update("u1", {**event, "pages": 9})
        progress.update("u1", {**event, "pages": 10})  # within 10 s of the last: not printed
        assert set(progress.lines) == {"u1", "u2"}
        progress.finish(CrawlResult("u2", 7, "complete", False))
        assert set(progress.lines) == {"u1"}
        progress.update("u2", event)  # a late event of a finished unit is dropped
    lines = out.getvalue().splitlines()
    assert lines == [
        "crawling u1 …",
        "crawling u2 …",
        "  u2: 3 pages, 4 links checked, 0 not ok, 5 queued, 7.0 URL/s",
        "  u1: 9 pages, 4 links checked, 0 not ok, 5 queued, 13.0 URL/s",
        "  u2: run 7 complete",
    ]
