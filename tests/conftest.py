"""Shared fixtures.

PostgreSQL and Redis tests skip with a reason when the servers cannot be used, except when
``CI=true``: there they must run, so an unusable server fails the test instead.  "Usable" is
probed for real, once per session: a login to the test database as the tests' user, a Redis
PING; an open port with a server that refuses the tests' user is a skip with that reason, not
a pile of errors.

Where the servers are (README, "Running the tests"):

* ``GOVINSPECT_TEST_PG``: the PostgreSQL database the tests use, as a URL
  (default ``postgresql://postgres@127.0.0.1:5432/test``); each test gets a schema of its own
  in it, dropped afterwards.
* ``GOVINSPECT_TEST_REDIS``: the Redis server (default ``redis://127.0.0.1:6379/0``); each test
  uses a key namespace of its own.

The real pages of one county site and the reference texts live in the ``shared/`` folder next
to the repository (``/work/main`` next to ``/work/shared``): ``GOVINSPECT_SHARED`` names it,
else it is looked for beside the repository and its parent folders.  Tests that read it skip
when it is absent, and fail when ``CI=true``.
"""

from __future__ import annotations

import functools
import json
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
REPO = Path(__file__).resolve().parents[1]

PG_URL = os.environ.get("GOVINSPECT_TEST_PG") or "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("GOVINSPECT_TEST_REDIS") or "redis://127.0.0.1:6379/0"


def _unusable(what: str, problem: str) -> None:
    """Skip (fail under CI=true) because a server or folder the test needs is not usable."""
    if IN_CI:
        pytest.fail(f"{what} is required when CI=true: {problem}", pytrace=False)
    pytest.skip(f"{what}: {problem}", allow_module_level=True)


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_conninfo() -> str:
    """``PG_URL`` as libpq takes it (no SQLAlchemy driver suffix)."""
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


@functools.cache
def pg_problem(url: str | None = None) -> str | None:
    """Why the tests cannot log in to their PostgreSQL database, or None when they can."""
    from govinspect.redaction import redact

    try:
        import psycopg

        conninfo = _pg_conninfo() if url is None else url
        with psycopg.connect(conninfo, connect_timeout=3, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure is the reason to skip
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return redact(f"cannot log in to {url or PG_URL}: {reason}")
    return None


def require_postgres() -> None:
    problem = pg_problem()
    if problem is not None:
        _unusable("PostgreSQL", problem + " (set GOVINSPECT_TEST_PG)")


@contextmanager
def pg_schema(prefix: str = "gi_test") -> Iterator[str]:
    """A database URL on a fresh PostgreSQL schema of the test database, dropped afterwards."""
    require_postgres()
    import psycopg
    from sqlalchemy.engine import make_url

    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _pg_conninfo()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(PG_URL).set(drivername="postgresql+psycopg")
    url = url.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


# --- Redis --------------------------------------------------------------------------------------


@functools.cache
def redis_problem(url: str = REDIS_URL) -> str | None:
    """Why the tests cannot use their Redis server (a real PING), or None when they can."""
    from govinspect.redaction import redact

    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            client.ping()
        finally:
            client.close()
    except Exception as exc:  # noqa: BLE001 - any failure is the reason to skip
        reason = " ".join(str(exc).split()) or type(exc).__name__
        return redact(f"cannot PING {url}: {reason}")
    return None


def require_redis() -> str:
    """The tests' Redis URL, or a skip (a failure under CI=true) with the reason."""
    problem = redis_problem()
    if problem is not None:
        _unusable("Redis", problem + " (set GOVINSPECT_TEST_REDIS)")
    return REDIS_URL


# --- the shared folder (real pages, reference texts) ---------------------------------------------


def find_shared() -> Path | None:
    """``GOVINSPECT_SHARED``, else the first ``shared/`` beside the repository or a parent."""
    named = os.environ.get("GOVINSPECT_SHARED")
    if named:
        return Path(named).expanduser()
    for folder in REPO.parents:
        candidate = folder / "shared"
        if (candidate / "corpus").is_dir() or (candidate / "reference").is_dir():
            return candidate
    return None


def shared_path(relative: str) -> Path:
    """Where ``shared/<relative>`` is (may not exist: see :func:`require_shared`)."""
    return (find_shared() or REPO.parent / "shared") / relative


def require_shared(path: Path) -> Path:
    """``path`` (under the shared folder) if it exists, else a skip (a failure under CI=true)."""
    if not path.exists():
        _unusable("the shared folder", f"{path} not found (set GOVINSPECT_SHARED)")
    return path


def corpus_manifest(corpus: Path) -> list[dict[str, Any]]:
    """The files of a corpus manifest, for parametrising; empty when the corpus is absent.

    Under CI=true an absent corpus fails the collection instead of leaving no tests.
    """
    manifest = corpus / "manifest.json"
    if not manifest.is_file():
        if IN_CI:
            raise FileNotFoundError(f"{manifest} is required when CI=true (set GOVINSPECT_SHARED)")
        return []
    return json.loads(manifest.read_text(encoding="utf-8"))["files"]


# --- fixtures -----------------------------------------------------------------------------------


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'govinspect.db'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    with pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def db_url(request) -> str:
    """Run a store test on both backends."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")
