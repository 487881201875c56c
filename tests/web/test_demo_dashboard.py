"""`govinspect demo` ends with how to open the dashboard (a demo user that works), and
`demo --serve` keeps the dashboard up beside the town; `serve` and `users` have help."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import urllib.request

import pytest

from govinspect.errors import ConfigError
from tests.web.conftest import login


def test_demo_prints_a_working_login(town, capsys):
    from govinspect.cli_web import print_demo_dashboard

    folder = town.settings.data_dir
    print_demo_dashboard(town.settings, folder, 8080, serving=False)
    out = capsys.readouterr().out
    assert re.search(
        rf"dashboard: \S*govinspect --config \S+ --data-dir {folder} serve --port 8080", out
    )
    assert "http://127.0.0.1:8080/" in out
    name, password = re.search(r"log in as (\S+) / (\S+)", out).groups()
    assert login(town.client(), name, password).status_code == 303
    # a second demo run resets the password: the old one no longer works
    print_demo_dashboard(town.settings, folder, 8080, serving=True)
    assert login(town.client(), name, password).status_code == 401


def test_dashboard_beside_the_demo_town(town):
    from govinspect.cli_web import start_dashboard

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    stop = start_dashboard(town.settings, "127.0.0.1", port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10) as response:
            assert response.status == 200
            assert "登录" in response.read().decode("utf-8")
        with pytest.raises(ConfigError, match=f"--port {port}: cannot listen"):
            start_dashboard(town.settings, "127.0.0.1", port)
    finally:
        stop()


@pytest.mark.parametrize("command", [["serve"], ["users", "add"], ["users", "list"],
                                     ["users", "remove"], ["users", "passwd"]])  # fmt: skip
def test_help_with_example(tmp_path, command):
    result = subprocess.run(
        [sys.executable, "-m", "govinspect.cli", *command, "--help"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0 and "Example:" in result.stdout


def test_serve_command(tmp_path):
    """`govinspect serve` on an empty data folder: migrates, says how to add a user, serves."""
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "govinspect.cli", "--data-dir", str(tmp_path / "var"), "serve",
         "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as page:
                    assert page.status == 200
                    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
                    break
            except OSError:
                assert process.poll() is None, process.communicate()
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.2)
    finally:
        process.terminate()
        out, err = process.communicate(timeout=30)
    assert "no dashboard user yet" in out and f"http://127.0.0.1:{port}/" in out
    assert "Traceback" not in err
