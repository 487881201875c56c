"""Nightly digests end to end: a real local SMTP server (aiosmtpd) and a local HTTP receiver
standing in for the WeCom and DingTalk robots and a plain JSON webhook."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from govinspect.checks.lifecycle_store import act
from govinspect.checks.run import run_checks
from govinspect.notify import flush, run_digest
from govinspect.notify.channels import dingtalk_url, fit
from govinspect.notify.outbox import quiet_until
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Digest, OutboxMessage
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer
from tests.lifecycle_site import BASE, at, record_crawl, registry_at

DAY = datetime(2026, 11, 20, 2, 0, tzinfo=UTC).date()
NOW = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)  # 10:30 in Asia/Shanghai
SECRET = "SEC0123456789abcdef"


class Mailbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            (envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default))
        )
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture
def receiver():
    received: list[tuple[str, dict, dict]] = []

    def robot(method, handler):
        parts = urlsplit(handler.path)
        received.append((parts.path, parse_qs(parts.query), json.loads(handler.body)))
        return 200, {"Content-Type": "application/json"}, b'{"errcode":0,"errmsg":"ok"}'

    routes = {"/wecom": robot, "/dingtalk": robot, "/hook": robot}
    with FixtureServer(routes) as server:
        yield server, received


def contacts(web: str) -> dict:
    return {
        "unit": {
            "contacts": {
                "webmaster": {
                    "name": "王站长",
                    "email": "webmaster@sfz.gov.cn",
                    "webhook": {"type": "wecom", "url": f"{web}/wecom?key=secret-key"},
                },
                "others": [
                    {
                        "webhook": {
                            "type": "dingtalk",
                            "url": f"{web}/dingtalk?access_token=t",
                            "secret": SECRET,
                        }
                    },  # fmt: skip
                    {"webhook": {"type": "json", "url": f"{web}/hook"}},
                ],
            }
        },
        "notifications": {"office": [{"name": "政务公开科", "email": "gkk@city.gov.cn"}]},
    }


@pytest.fixture
def world(tmp_path, smtp, receiver):
    controller, mailbox = smtp
    server, received = receiver
    registry = registry_at(tmp_path / "govinspect.yaml", **contacts(server.base))
    settings = load_settings(
        data_dir=tmp_path / "var",
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        smtp_from="govinspect@city.gov.cn",
        notify_retry_seconds=60,
        notify_max_attempts=3,
    )
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    record_crawl(store, at(DAY), {"a.html": 404, "b.html": 404}, newest=DAY)
    run_checks(store, registry, DAY, None, tmp_path / "var")
    yield {
        "store": store, "registry": registry, "settings": settings, "mailbox": mailbox,
        "received": received, "tmp": tmp_path,
    }  # fmt: skip
    store.dispose()


def test_digest_reaches_smtp_and_webhooks_in_their_formats(world):
    result = run_digest(world["store"], world["registry"], world["settings"], now=NOW)
    assert [d.scope for d in result.drafts] == ["sfz", "office"]
    assert result.queued == 5 and result.flushed.sent == 5, result.flushed.errors

    mails = {tuple(to): message for to, message in world["mailbox"].messages}
    unit_mail = mails[("webmaster@sfz.gov.cn",)]
    assert unit_mail["Subject"] == "示范镇人民政府网站检查日报（2026-11-20）"
    assert unit_mail["From"] == "govinspect@city.gov.cn"
    body = unit_mail.get_content()
    (unit,) = [d for d in result.drafts if d.scope == "sfz"]
    problems = len(unit.items)  # deductions only: no veto, no warning, nothing fixed yet
    assert {i.kind for i in unit.items} == {"new"} and problems >= 2
    assert f"新发现问题 {problems} 个（其中单项否决 0 个）" in body
    assert f"{BASE}a.html" in body and f"{BASE}b.html" in body
    assert "可用性监测数据不足" not in body  # notices never appear
    office = mails[("gkk@city.gov.cn",)]
    assert office["Subject"] == "政府网站检查日报：全部单位（2026-11-20）"
    assert f"示范镇人民政府：新发现 {problems} 个" in office.get_content()

    by_path = {path: (query, body) for path, query, body in world["received"]}
    query, wecom = by_path["/wecom"]
    assert query == {"key": ["secret-key"]}
    assert set(wecom) == {"msgtype", "markdown"} and wecom["msgtype"] == "markdown"
    assert set(wecom["markdown"]) == {"content"}
    assert wecom["markdown"]["content"].startswith("## 示范镇人民政府网站检查日报")
    query, ding = by_path["/dingtalk"]
    assert ding == {
        "msgtype": "markdown",
        "markdown": {
            "title": "示范镇人民政府网站检查日报（2026-11-20）",
            "text": ding["markdown"]["text"],
        },
    }
    assert "首页不可用链接" in ding["markdown"]["text"]
    timestamp, sign = query["timestamp"][0], query["sign"][0]
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{timestamp}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert sign == expected and query["access_token"] == ["t"]
    _, plain = by_path["/hook"]
    assert plain["scope"] == "sfz" and plain["title"].startswith("示范镇人民政府")
    assert {item["kind"] for item in plain["items"]} == {"new"}

    # Only what changed: nothing new since, nothing built, nothing sent.
    again = run_digest(world["store"], world["registry"], world["settings"], now=NOW)
    assert again.drafts == [] and again.queued == 0
    with world["store"].session() as session:
        assert session.query(Digest).count() == 2
        assert {m.status for m in session.scalars(select(OutboxMessage))} == {"sent"}


def test_fixed_findings_and_an_ignored_one_in_the_next_digest(world):
    store, registry, settings = world["store"], world["registry"], world["settings"]
    run_digest(store, registry, settings, now=NOW)
    world["mailbox"].messages.clear()
    with store.session() as session:
        from govinspect.store.models import FindingState

        keys = {s.subject: s.key for s in session.scalars(select(FindingState))}
        act(session, keys[f"{BASE}b.html"], "ignore", "张三", today=DAY, reason="误报")
    # The next night: a.html repaired, c.html newly dead, b.html (ignored) still there.
    later = DAY + timedelta(days=1)
    record_crawl(store, at(later), {"a.html": 200, "b.html": 404, "c.html": 404}, newest=later)
    run_checks(store, registry, later, None, world["tmp"] / "var")
    result = run_digest(store, registry, settings, now=NOW + timedelta(days=1))
    unit = next(d for d in result.drafts if d.scope == "sfz")
    assert sorted((i.kind, i.subject) for i in unit.items) == [
        ("fixed", f"{BASE}a.html"),
        ("new", f"{BASE}c.html"),
    ]
    assert "已整改" in unit.text and f"{BASE}b.html" not in unit.text


def test_a_down_smtp_server_is_retried_and_recorded(world):
    store, registry = world["store"], world["registry"]
    down = world["settings"].model_copy(update={"smtp_port": free_port()})
    result = run_digest(store, registry, down, now=NOW)
    assert result.flushed.sent == 3 and result.flushed.retrying == 2  # the webhooks went out
    with store.session() as session:
        mails = list(session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")))
    assert {(m.status, m.attempts) for m in mails} == {("pending", 1)}
    assert all("Connection refused" in m.last_error or "SMTP" in m.last_error for m in mails)
    assert all(m.next_attempt_at.replace(tzinfo=UTC) == NOW + timedelta(seconds=60) for m in mails)
    # Not due yet: nothing is tried.
    assert flush(store, registry, down, NOW + timedelta(seconds=30)).retrying == 0
    report = flush(store, registry, down, NOW + timedelta(seconds=61))
    assert report.retrying == 2
    report = flush(store, registry, down, NOW + timedelta(hours=1))
    assert report.failed == 2  # the 3rd attempt was the last: failed, kept, never deleted
    with store.session() as session:
        mails = list(session.scalars(select(OutboxMessage).where(OutboxMessage.channel == "email")))
        assert {(m.status, m.attempts) for m in mails} == {("failed", 3)}
        assert all(m.last_error for m in mails)
    assert world["mailbox"].messages == []


def test_a_message_pending_while_the_server_was_down_is_sent_when_it_is_back(world):
    store, registry, settings = world["store"], world["registry"], world["settings"]
    down = settings.model_copy(update={"smtp_port": free_port()})
    run_digest(store, registry, down, now=NOW)
    report = flush(store, registry, settings, NOW + timedelta(minutes=2))
    assert report.sent == 2 and len(world["mailbox"].messages) == 2


def test_quiet_hours_hold_sends_until_they_end(world, tmp_path):
    registry = registry_at(
        tmp_path / "quiet.yaml",
        **{**contacts("http://127.0.0.1:9"), "notifications": {
            "office": [{"email": "gkk@city.gov.cn"}], "quiet_hours": "22:00-07:30"}},
    )  # fmt: skip
    night = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # 23:00 in Asia/Shanghai
    assert quiet_until(registry, night) == datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert quiet_until(registry, NOW) is None
    result = run_digest(world["store"], registry, world["settings"], now=night, unit_ids=None)
    assert result.flushed.held_until == datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert world["mailbox"].messages == []
    report = flush(world["store"], registry, world["settings"], night + timedelta(hours=9))
    assert report.sent >= 1 and len(world["mailbox"].messages) >= 1


def test_dry_run_stores_and_sends_nothing(world):
    result = run_digest(world["store"], world["registry"], world["settings"], dry_run=True, now=NOW)
    assert [d.scope for d in result.drafts] == ["sfz", "office"]
    assert world["mailbox"].messages == [] and world["received"] == []
    with world["store"].session() as session:
        assert session.query(Digest).count() == 0


def test_long_digests_are_cut_for_wecom_and_signatures_follow_dingtalk():
    text = "\n".join(
        ["## 标题", "摘要"] + [f"- 第{n}条问题：" + "很长的说明" * 20 for n in range(100)]
    )
    cut = fit(text, 4000)
    assert len(cut.encode()) <= 4000 and cut.endswith("详见 govinspect findings 或本期报告）")
    url = dingtalk_url("https://oapi.dingtalk.com/robot/send?access_token=x", SECRET, 1700000000000)
    query = parse_qs(urlsplit(url).query)
    assert query["timestamp"] == ["1700000000000"]
    raw = hmac.new(SECRET.encode(), f"1700000000000\n{SECRET}".encode(), hashlib.sha256).digest()
    assert unquote(url.split("sign=")[1]) == base64.b64encode(raw).decode()


def test_digest_command(world, monkeypatch, capsys):
    from govinspect import cli

    write = world["tmp"] / "govinspect.yaml"
    base = ["govinspect", "--config", str(write), "--db", world["settings"].database_url]

    def main(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.argv", [*base, *args])
        try:
            cli.main()
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, _ = main("digest", "--dry-run", "--unit", "sfz")
    assert code == 0 and "示范镇人民政府网站检查日报" in out and "全部单位" not in out
    code, _, err = main("digest", "--unit", "nope")
    assert code == 2 and err.startswith("error:") and "unknown unit 'nope'" in err
    monkeypatch.setenv("GOVINSPECT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVINSPECT_SMTP_PORT", str(free_port()))
    code, out, err = main("digest")
    assert code == 0 and "messages queued" in out and "retrying 2" in out
    assert "secret-key" not in out + err  # a webhook key is a credential


def test_changes_wait_for_a_contact(tmp_path):
    """A scope without contacts keeps its changes: a contact added later hears of them."""
    bare = registry_at(tmp_path / "govinspect.yaml")
    settings = load_settings(data_dir=tmp_path / "var")
    store = open_store(settings.database_url)
    try:
        sync_registry(store, bare)
        record_crawl(store, at(DAY), {"a.html": 404}, newest=DAY)
        run_checks(store, bare, DAY, None, tmp_path / "var")
        first = run_digest(store, bare, settings, now=NOW)
        assert first.drafts and sorted(first.no_contacts) == sorted(d.scope for d in first.drafts)
        assert first.queued == 0
        told = registry_at(
            tmp_path / "govinspect.yaml",
            notifications={"office": [{"name": "政务公开科", "email": "gkk@city.gov.cn"}]},
        )
        later = run_digest(store, told, settings, dry_run=True, now=NOW + timedelta(hours=1))
        assert any(d.scope == "office" and d.items for d in later.drafts)
    finally:
        store.dispose()
