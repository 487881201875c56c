"""Take the dashboard screenshots of docs/dashboard.md from the demo's data.

    make demo            # writes var/demo
    .venv/bin/python docs/img/screenshots.py [var/demo]

Serves the dashboard on the demo's database, logs in as the demo user (its password is reset)
and saves small PNGs next to this file, with Debian's Chromium (never a downloaded browser).
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from govinspect.cli_web import demo_user, start_dashboard
from govinspect.settings import load_settings

HERE = Path(__file__).parent
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


def shoot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """A screenshot, reduced to 64 colours (small enough to commit)."""
    from PIL import Image

    path = HERE / name
    page.screenshot(path=str(path))
    Image.open(path).convert("RGB").quantize(colors=64).save(path, optimize=True)


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "var/demo").resolve()
    settings = load_settings(config=folder / "govinspect.yaml", data_dir=folder)
    name, password = demo_user(settings)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    stop = start_dashboard(settings, "127.0.0.1", port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 680}, locale="zh-CN")
            page.goto(f"{base}/login")
            page.fill("input[name=username]", name)
            page.fill("input[name=password]", password)
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            shoot(page, "dashboard-overview.png")
            page.goto(f"{base}/units/county#todo")
            shoot(page, "dashboard-unit.png")
            page.click("#todo table.findings a >> nth=0")
            page.locator("text=查看").first.click()
            page.wait_for_load_state("load")
            page.locator("iframe.body").scroll_into_view_if_needed()
            shoot(page, "dashboard-evidence.png")
            browser.close()
    finally:
        stop()


if __name__ == "__main__":
    main()
