"""The dashboard in a real browser: Debian's Chromium driven by Playwright (never a downloaded
browser).  Log in, see the ranking, open a unit and its to-do list, download a report, act on
a finding.

A failing test leaves a screenshot of the page in ``.test-artifacts/browser/`` (or
``$GOVINSPECT_TEST_ARTIFACTS``).  Skipped without Chromium, failed under ``CI=true``
(`make system-deps` installs it).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import IN_CI, REPO
from tests.web.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ARTIFACTS = (
    Path(os.environ.get("GOVINSPECT_TEST_ARTIFACTS") or REPO / ".test-artifacts") / "browser"
)


def _chromium() -> str:
    path = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not path:
        if IN_CI:
            pytest.fail("chromium is required when CI=true (make system-deps)", pytrace=False)
        pytest.skip("chromium not installed (make system-deps)")
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(town) -> Iterator[str]:
    import uvicorn

    from govinspect.web.app import asgi

    port = _free_port()
    config = uvicorn.Config(
        asgi(town.settings, town.store), host="127.0.0.1", port=port, log_level="warning",
        proxy_headers=False,
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the dashboard did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(accept_downloads=True, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        # Our pages must never trip their own CSP; the archived body in its frame may (its
        # images and styles are blocked on purpose).
        where = (message.location or {}).get("url", "")
        if "Content Security Policy" in message.text and not where.endswith("/body"):
            errors.append(f"{where}: {message.text}")

    page.on("console", on_console)
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert errors == [], errors


def log_in(page, base: str, name: str) -> None:
    page.goto(f"{base}/")
    assert page.url.startswith(f"{base}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_log_in_see_ranking_open_unit_download_report(page, server, town):
    log_in(page, server, "office")
    table = page.locator("table.ranking")
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 3
    assert page.locator("table.ranking svg.spark").count() >= 1
    page.click("text=示范县人民政府")
    page.wait_for_url(f"{server}/units/county*")
    assert page.locator("#todo h2").inner_text() == "三、整改清单"
    assert page.locator("#todo table.findings tbody tr").count() > 0
    # the hostile title is text, never a script
    assert page.evaluate("document.title").endswith("govinspect 政府网站监管")
    with page.expect_download() as info:
        page.click("text=自查报告 HTML")
    download = info.value
    assert download.suggested_filename == f"county-{town.period}-self-check.html"
    assert "自查整改情况" in Path(download.path()).read_text(encoding="utf-8")


def test_webmaster_sees_only_their_unit(page, server):
    log_in(page, server, "wm_dept")
    rows = page.locator("table.ranking tbody tr")
    assert rows.count() == 1 and "示范县教育局" in rows.inner_text()
    response = page.goto(f"{server}/units/county")
    assert response is not None and response.status == 404


def test_evidence_viewer_runs_no_script(page, server, town):
    log_in(page, server, "assessor")
    page.goto(f"{server}/units/county/findings/{town.hostile}/evidence/0")
    assert "<script>alert(1)</script>" in page.locator("pre.source").inner_text()
    assert page.frame_locator("iframe.body").locator("a", has_text="link").count() == 1
    frame = next(f for f in page.frames if f.url.endswith("/body"))
    # Its <title> is text; had its script run, the title would be "pwned".
    assert frame.title() == "<script>alert(1)</script>"
    assert page.evaluate("document.title") != "pwned"


def test_office_acts_on_a_finding(page, server, town):
    from tests.web.test_actions import keyed

    finding = keyed(town, "county")[4]
    log_in(page, server, "office")
    page.goto(f"{server}/units/county")
    page.click(f"a[href='/units/county/findings/{finding}'] >> nth=0")
    page.wait_for_url(f"{server}/units/county/findings/{finding}")
    form = page.locator("form.act", has=page.locator("input[value=accept]"))
    form.locator("input[name=deadline]").fill("2099-06-30")
    form.locator("input[name=reason]").fill("已通知网站管理员")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{server}/units/county/findings/{finding}?done=1")
    assert "整改中" in page.locator("dl.facts").inner_text()
    assert "2099-06-30" in page.locator("dl.facts").inner_text()
    assert "已通知网站管理员" in page.content()  # the audit trail: who, when, why
