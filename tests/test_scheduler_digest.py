"""The nightly job sends the digests right after the check; a failing send never fails it."""

from __future__ import annotations

import socket
from datetime import datetime

from sqlalchemy import select

from govinspect.checks.timeutil import SHANGHAI
from govinspect.registry import load_registry
from govinspect.scheduler import context_for, desired_jobs, job_crawl_and_check
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Digest, OutboxMessage, Run
from govinspect.store.units import sync_registry
from tests.lifecycle_site import at, record_crawl, write_registry

CONTACTS = {
    "unit": {"contacts": {"webmaster": {"email": "webmaster@sfz.gov.cn"}}},
    "notifications": {"office": [{"email": "gkk@city.gov.cn"}]},
}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_nightly_job_checks_then_digests_and_a_down_mail_server_is_only_recorded(
    tmp_path, monkeypatch
):
    config = write_registry(tmp_path / "g.yaml", **CONTACTS)
    settings = load_settings(
        config=config, data_dir=tmp_path / "var", smtp_host="127.0.0.1", smtp_port=closed_port()
    )
    monkeypatch.setenv("GOVINSPECT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("GOVINSPECT_SMTP_PORT", str(settings.smtp_port))
    registry = load_registry(config)
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    today = datetime.now(SHANGHAI).date()
    record_crawl(store, at(today), {"a.html": 404})
    # The crawls themselves are the subject of test_scheduler.py: here the job's crawl step
    # finds the crawl above already recorded.
    monkeypatch.setattr("govinspect.pipeline.crawl_all", lambda *args, **kwargs: [])
    outcome = job_crawl_and_check(context_for(settings))
    with store.session() as session:
        check = session.get(Run, outcome["check_run"])
        assert check.kind == "check" and check.status == "complete"
        digests = list(session.scalars(select(Digest).order_by(Digest.id)))
        assert [d.scope for d in digests] == ["sfz", "office"]
        assert {d.run_id for d in digests} == {outcome["check_run"]}
        messages = list(session.scalars(select(OutboxMessage)))
        assert {(m.channel, m.status, m.attempts) for m in messages} == {("email", "pending", 1)}
        assert all(m.last_error for m in messages)
    store.dispose()


def test_the_outbox_job_exists_only_with_contacts(tmp_path):
    settings = load_settings(config=tmp_path / "g.yaml", data_dir=tmp_path / "var")
    ctx = context_for(settings)
    without = load_registry(write_registry(tmp_path / "g.yaml"))
    assert "outbox" not in {job["id"] for job in desired_jobs(without, ctx)}
    with_contacts = load_registry(write_registry(tmp_path / "g.yaml", **CONTACTS))
    assert "outbox" in {job["id"] for job in desired_jobs(with_contacts, ctx)}
