"""A crawl killed mid-way (SIGKILL) resumes from the store and ends with the same facts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from govinspect.crawler.launch import build_plan, open_run, run_crawl
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Link, LinkCheck, Page, Run
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html, slow

SECTIONS, PER_SECTION = 12, 40


def build_site() -> dict:
    routes: dict = {}
    nav = "".join(f'<a href="/s{s}/">栏目{s}</a>' for s in range(SECTIONS))
    routes["/"] = html(nav, title="首页")
    for s in range(SECTIONS):
        items = "".join(
            f'<li><a href="/s{s}/a{i}.html">文章{s}-{i}</a>'
            f"<span>2026-11-{1 + i % 20:02d}</span></li>"
            for i in range(PER_SECTION)
        )
        routes[f"/s{s}/"] = html(f"<ul>{items}</ul>{nav}", title=f"栏目{s}")
        for i in range(PER_SECTION):
            body = f'<p>正文{s}-{i}</p><a href="/s{s}/">返回</a><img src="/img/{s}-{i % 7}.png">'
            if i % 9 == 0:
                body += f'<a href="/s{s}/missing{i}.html">坏链</a>'
            routes[f"/s{s}/a{i}.html"] = slow(0.01, html(body, title=f"文章{s}-{i}"))
    for s in range(SECTIONS):
        for k in range(7):
            routes[f"/img/{s}-{k}.png"] = (200, {"Content-Type": "image/png"}, b"\x89PNG")
    return routes


def facts(store, run_id: int) -> dict:
    with store.session() as session:
        pages = set(session.scalars(select(Page.url).where(Page.run_id == run_id)))
        links = set(
            session.execute(
                select(Page.url, Link.target_url, Link.kind)
                .join(Page, Page.id == Link.page_id)
                .where(Link.run_id == run_id)
            ).all()
        )
        checks = set(
            session.execute(
                select(LinkCheck.target_url, LinkCheck.outcome, LinkCheck.status).where(
                    LinkCheck.run_id == run_id
                )
            ).all()
        )
        link_rows = session.scalar(
            select(func.count()).select_from(Link).where(Link.run_id == run_id)
        )
    return {"pages": pages, "links": links, "checks": checks, "link_rows": link_rows}


def settings_for(tmp, name):
    return load_settings(
        data_dir=tmp / name,
        db=str(tmp / name / "g.db"),
        timeout=5.0,
        recheck_delay=0.2,
        concurrency_per_host=2,
    )


@pytest.fixture(scope="module")
def site():
    with FixtureServer(build_site()) as server:
        yield server


def test_killed_crawl_resumes_to_the_same_facts(site, tmp_path):
    registry = parse_registry(
        {"units": [{"id": "big", "name": "大站", "category": "county", "website": site.base + "/"}]}
    )
    unit = registry.units[0]

    reference_settings = settings_for(tmp_path, "ref")
    reference_store = open_store(reference_settings.database_url)
    sync_registry(reference_store, registry)
    reference = run_crawl(reference_settings, reference_store, unit, progress=False)
    assert reference.status == "complete"
    expected = facts(reference_store, reference.run_id)
    assert len(expected["pages"]) > SECTIONS * PER_SECTION

    settings = settings_for(tmp_path, "killed")
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    run_id, _ = open_run(store, unit.id, resume=True)
    plan_file = tmp_path / "plan.json"
    plan_file.write_text(build_plan(settings, unit, run_id, resume=False).to_json())
    child = subprocess.Popen(
        [sys.executable, "-m", "govinspect.crawler.runner", str(plan_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with store.session() as session:
        session.get(Run, run_id).summary = {"pid": child.pid}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with store.session() as session:
            done = session.scalar(
                select(func.count()).select_from(Page).where(Page.run_id == run_id)
            )
        if done >= 150:
            break
        time.sleep(0.05)
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    partial = facts(store, run_id)
    assert 0 < len(partial["pages"]) < len(expected["pages"]), "killed mid-way"

    resumed = run_crawl(settings, store, unit, progress=False)
    assert resumed.resumed and resumed.run_id == run_id
    assert resumed.status == "complete", resumed.error
    got = facts(store, run_id)
    assert got["pages"] == expected["pages"]
    assert got["links"] == expected["links"]
    assert got["link_rows"] == expected["link_rows"], "no link written twice"
    assert got["checks"] == expected["checks"]
    reference_store.dispose()
    store.dispose()


def test_per_host_concurrency_limit_holds(site, tmp_path):
    """Never more requests in flight at one host than concurrency_per_host."""
    registry = parse_registry(
        {"units": [{"id": "big", "name": "大站", "category": "county", "website": site.base + "/"}]}
    )
    settings = settings_for(tmp_path, "polite")  # concurrency_per_host=2
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    site.peak = 0
    result = run_crawl(settings, store, registry.units[0], progress=False)
    store.dispose()
    assert result.status == "complete"
    assert site.peak <= 2, f"{site.peak} requests at once"
