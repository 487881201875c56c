"""The dashboard on PostgreSQL (the team setup): every page and API route answers."""

from __future__ import annotations

from datetime import date

import pytest
from starlette.testclient import TestClient

from tests.web.conftest import PASSWORD, login

pytestmark = pytest.mark.postgres

REGISTRY = {
    "units": [
        {"id": "alpha", "name": "甲单位", "category": "county", "website": "http://127.0.0.1:9/"},
        {"id": "beta", "name": "乙单位", "category": "department",
         "website": "http://127.0.0.1:9/"},
    ]
}  # fmt: skip


def test_pages_on_postgres(postgres_url, tmp_path):
    from govinspect.checks.run import run_checks
    from govinspect.registry import parse_registry
    from govinspect.settings import load_settings
    from govinspect.store.db import open_store
    from govinspect.web.app import asgi
    from govinspect.web.users import add_user

    settings = load_settings(db=postgres_url, data_dir=tmp_path / "var")
    store = open_store(postgres_url)
    try:
        registry = parse_registry(REGISTRY)
        run_checks(store, registry, date(2026, 11, 20), None, settings.data_dir)
        add_user(store, "office", "office", [], PASSWORD)
        add_user(store, "wm", "webmaster", ["alpha"], PASSWORD)
        client = TestClient(asgi(settings, store), follow_redirects=False)
        assert login(client, "office", PASSWORD).status_code == 303
        for path in ("/", "/units/alpha", "/units/beta", "/health", "/reports", "/users",
                     "/api/ranking", "/api/units/alpha", "/api/units/alpha/export",
                     "/api/health"):  # fmt: skip
            assert client.get(path).status_code == 200, path
        webmaster = TestClient(asgi(settings, store), follow_redirects=False)
        assert login(webmaster, "wm", PASSWORD).status_code == 303
        assert webmaster.get("/units/beta").status_code == 404
        assert [u["unit"] for u in webmaster.get("/api/ranking").json()["units"]] == ["alpha"]
    finally:
        store.dispose()
