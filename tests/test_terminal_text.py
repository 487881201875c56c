"""Outside text reaches the terminal without control characters (issue 15 item 18).

A feed server may be hostile: its status line, content type, bozo-provoking charset and titles
can carry ANSI escapes that clear the screen (``ESC [2J``), ring the bell or start a C1 CSI.
"""

from __future__ import annotations

import re
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest
import yaml

from govinspect.text import for_console, printable
from tests.test_cli import run
from tests.test_feeds import ago, rss

HOSTILE = "\x1b[2J\x07\x9b"
#: Any C0/C1 control but the newline rich ends its lines with.
CONTROLS = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (f"a{HOSTILE}标", "a标"),
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b]0;new title\x07text", "text"),  # OSC: retitles the terminal
        ("\x1b]8;;http://evil/\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST-ended
        ("\x9b2Jx", "x"),  # the one-character C1 CSI
        ("\x1b]unterminated", "unterminated"),  # only the introducer goes
        ("one\ntwo\r\nthree\tfour", "one two three four"),
        ("back\x08space\x00nul\x7fdel\x85nel", "backspacenuldel nel"),
        ("示范县发布 [red]不是标记[/]", "示范县发布 [red]不是标记[/]"),
    ],
)
def test_printable(raw, expected):
    assert printable(raw) == expected


def test_for_console_also_escapes_markup():
    assert for_console(f"[red]x{HOSTILE}[/]") == "\\[red]x/]"  # the C1 CSI ends at "["
    assert for_console(f"[red]{HOSTILE}标[/]") == "\\[red]标\\[/]"


class _Hostile(BaseHTTPRequestHandler):
    """Answers with control characters in the places a feed server controls."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        feed = rss([("标题", ago(1))])
        titled = rss([(f"标题{HOSTILE}", ago(1))], channel=f"频道{HOSTILE}")
        answers = {
            # A charset nobody knows: feedparser's bozo text quotes it.
            "/bozo.xml": (200, "OK", f"application/rss+xml; charset=x{HOSTILE}", feed),
            # Controls in the titles (not well-formed XML: a bozo feed with its entries).
            "/titles.xml": (200, "OK", "application/rss+xml; charset=utf-8", titled),
            # An HTML page: the error quotes the content type.
            "/page.html": (200, "OK", f"text/html{HOSTILE}", f"<title>{HOSTILE}</title>".encode()),
            # The reason phrase is quoted in the error.
            "/busy.xml": (404, f"Gone{HOSTILE}", "text/plain", b"gone"),
        }
        status, reason, content_type, body = answers[self.path]
        self.send_response(status, reason)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hostile_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hostile)
    server.daemon_threads = True
    Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_feed_errors_reach_the_screen_without_controls(tmp_path: Path, hostile_server: str):
    config = tmp_path / "govinspect.yaml"
    accounts = [
        {"name": f"账号{n}", "platform": "wechat", "feed": f"{hostile_server}{path}"}
        for n, path in enumerate(("/bozo.xml", "/titles.xml", "/page.html", "/busy.xml"))
    ]
    unit = {
        "id": "town",
        "name": "示范县人民政府",
        "category": "county",
        "website": "http://127.0.0.1:9/",
        "new_media": accounts,
    }
    config.write_text(yaml.safe_dump({"units": [unit]}, allow_unicode=True), encoding="utf-8")

    result = run(
        "--config", str(config), "--data-dir", str(tmp_path / "var"), "feeds", cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert not CONTROLS.search(out), repr(out)
    assert "[2J" not in out
    # The texts themselves are still shown, only their control characters are gone.
    flat = " ".join(out.split())
    assert "CharacterEncodingOverride" in flat and "declared as x" in flat
    assert "not a feed (text/html" in flat
    assert "HTTP 404 Gone" in flat
    assert flat.count(" ok ") == 2  # both feeds with entries were read and stored
