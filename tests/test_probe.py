"""Availability probes against local servers: ok, error status, slow beyond the limit, refused."""

from __future__ import annotations

import socket

from sqlalchemy import select

from govinspect.crawler.probe import probe_round
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import Probe, Run
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html, slow


def test_probe_round_records_each_outcome(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    refused = sock.getsockname()[1]
    routes = {
        "/ok/": html("首页"),
        "/down/": (503, {}, b"busy"),
        "/slow/": slow(1.5, html("慢")),
    }
    with FixtureServer(routes) as site:
        units = [
            {"id": name, "name": name, "category": "county", "website": f"{site.base}/{name}/"}
            for name in ("ok", "down", "slow")
        ]
        units.append(
            {
                "id": "refused",
                "name": "r",
                "category": "county",
                "website": f"http://127.0.0.1:{refused}/",
            }
        )
        registry = parse_registry({"units": units})
        settings = load_settings(data_dir=tmp_path, probe_timeout=1.0)
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        results = {r.unit_id: r for r in probe_round(store, registry, settings)}
    sock.close()
    assert results["ok"].ok and results["ok"].status == 200 and results["ok"].latency_ms > 0
    assert not results["down"].ok and results["down"].status == 503
    assert not results["slow"].ok and "within 1 s" in results["slow"].error
    assert not results["refused"].ok and results["refused"].error
    with store.session() as session:
        assert len(session.scalars(select(Probe)).all()) == 4
        run = session.scalars(select(Run).where(Run.kind == "probe")).one()
        assert run.status == "complete" and run.summary == {"probes": 4, "failed": 3}
    store.dispose()
