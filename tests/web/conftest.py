"""One demo town for every dashboard test: crawled, checked and served once per session.

The town is crawled with short timeouts, checked for the previous quarter and for its date (so
the trend has two points), and gets a hostile finding: a page titled
``<script>alert(1)</script>`` whose archived body carries scripts, with a URL holding quotes.
Users: an office, an assessor and a webmaster of each of county and dept.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

SCRIPT = "<script>alert(1)</script>"
QUOTED_URL = "http://127.0.0.1/x?a=1&b=\"q\"&c='r'"
PASSWORD = "correct horse battery"
USERS = {
    "office": ("office", []),
    "assessor": ("assessor", []),
    "wm_county": ("webmaster", ["county"]),
    "wm_dept": ("webmaster", ["dept"]),
}
HOSTILE_BODY = (
    f"<html><head><title>{SCRIPT}</title></head><body><h1>{SCRIPT}</h1>"
    f"<script>document.title='pwned'</script><img src=x onerror=\"alert(3)\">"
    f"<a href='{QUOTED_URL}'>link</a></body></html>"
).encode()


@dataclass
class Town:
    settings: Any
    store: Any
    run_id: int
    previous_run: int
    period: str
    hostile: int  # finding id of the hostile page (county)
    findings: dict[str, int]  # unit id -> one finding id with an archived record

    def client(self) -> TestClient:
        from govinspect.web.app import asgi

        return TestClient(asgi(self.settings, self.store), follow_redirects=False)

    def login(self, name: str) -> TestClient:
        client = self.client()
        assert login(client, name, PASSWORD).status_code == 303
        return client


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def login(client: TestClient, name: str, password: str):
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token})


def _hostile_record(data_dir: Path) -> tuple[str, int]:
    relative = "warc/county/hostile.warc.gz"
    path = data_dir / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("X-Note", SCRIPT)],
            protocol="HTTP/1.1",
        )  # fmt: skip
        record = writer.create_warc_record(
            QUOTED_URL, "response", payload=io.BytesIO(HOSTILE_BODY),
            http_headers=headers,
        )  # fmt: skip
        writer.write_record(record)
    return relative, 0


@pytest.fixture(scope="session")
def town(tmp_path_factory) -> Iterator[Town]:
    from sqlalchemy import select

    from govinspect.checks.run import run_checks
    from govinspect.crawler.feeds import poll_feeds
    from govinspect.demo import AS_OF, DemoServer, build_town
    from govinspect.pipeline import crawl_all
    from govinspect.registry import load_registry
    from govinspect.reports.period import period_of
    from govinspect.settings import load_settings
    from govinspect.store.db import open_store
    from govinspect.store.models import Finding
    from govinspect.web.users import add_user

    tmp = tmp_path_factory.mktemp("web")
    with DemoServer(build_town(scale=1), slow_seconds=0.2, hang_seconds=4) as server:
        server.write_config(tmp / "govinspect.yaml")
        registry = load_registry(tmp / "govinspect.yaml")
        settings = load_settings(
            config=tmp / "govinspect.yaml", data_dir=tmp / "var", timeout=2.0, recheck_delay=0.2,
            web_secret_key="test-secret-key-test-secret-key",
        )  # fmt: skip
        store = open_store(settings.database_url)
        crawl_all(settings, registry, store, parallel=3)
        poll_feeds(store, registry, None, settings)
    previous = run_checks(store, registry, AS_OF - timedelta(days=92), None, settings.data_dir)
    run_id = run_checks(store, registry, AS_OF, None, settings.data_dir)
    warc_file, offset = _hostile_record(settings.data_dir)
    with store.session() as session:
        row = Finding(
            run_id=run_id, unit_id="county", check="site_norms", indicator=f"标题{SCRIPT}",
            severity="notice", message=f"页面标题为“{SCRIPT}”，网址 {QUOTED_URL}",
            urls=[QUOTED_URL],
            evidence={"rule": "injected", "count": 1,
                      "warc": {"warc_file": warc_file, "warc_offset": offset}},
        )  # fmt: skip
        session.add(row)
        session.flush()
        hostile = row.id
        findings = {}
        for unit_id in ("county", "dept", "modern"):
            for finding in session.scalars(
                select(Finding).where(Finding.run_id == run_id, Finding.unit_id == unit_id)
            ):
                if "warc" in (finding.evidence or {}) or finding.urls:
                    findings[unit_id] = finding.id
                    break
    for name, (role, units) in USERS.items():
        add_user(store, name, role, units, PASSWORD)
    yield Town(settings, store, run_id, previous, period_of(AS_OF).code, hostile, findings)
    store.dispose()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each test's call report on the item: the browser tests screenshot a failure."""
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.rep_call = report
