"""Engine, sessions and migrations.

Every command opens the store through :func:`open_store`, which migrates an empty or old
database to the newest schema first, so users never run a separate step by accident.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from govinspect.errors import StoreError
from govinspect.redaction import redact as redact_text

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


def _sqlite_pragmas(busy_timeout_ms: int):
    def on_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
        # WAL lets the scheduler and a CLI command write at the same time; the busy timeout
        # makes a writer wait for the other instead of failing with "database is locked".
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    return on_connect


def redact(url: str) -> str:
    """The URL with its password masked, also when it does not parse (see redaction.py)."""
    return redact_text(url, url)


def make_engine(url: str, busy_timeout_ms: int = 30_000) -> Engine:
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError) as exc:
        # ValueError: a port that is not a number; SQLAlchemy's text quotes the whole URL.
        reason = redact_text(str(exc), url)
        raise StoreError(f"invalid database URL {redact(url)!r}: {reason}") from None
    if parsed.drivername == "postgresql":
        # psycopg 3 is the driver we ship; plain postgresql:// would ask for psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    kwargs: dict = {"future": True}
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        db_path = Path(parsed.database)
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create database folder {db_path.parent}: {exc}") from None
    try:
        engine = create_engine(parsed, **kwargs)
    except (ArgumentError, ImportError) as exc:
        reason = redact_text(str(exc), url)
        raise StoreError(f"cannot use database {redact(url)}: {reason}") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas(busy_timeout_ms))
    return engine


# Alembic is imported where a migration is run or the head is read: a crawl subprocess only
# checks the stored revision, and importing alembic cost it 0.15 s per unit.
def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS))
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    """The revision stamped in the database (alembic's version table), None before any."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        rows = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    if len(rows) > 1:  # the history is linear: two heads mean a database from elsewhere
        raise StoreError(f"database has several schema revisions: {', '.join(sorted(rows))}")
    return rows[0] if rows else None


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str | None]:
    """Migrate to ``revision``; returns (before, after)."""
    from alembic import command

    try:
        before = current_revision(engine)
        command.upgrade(alembic_config(engine), revision)
        return before, current_revision(engine)
    except DBAPIError as exc:
        raise StoreError(f"cannot migrate {redact(str(engine.url))}: {_reason(exc)}") from None


def _reason(exc: DBAPIError) -> str:
    text = str(exc.orig) if exc.orig is not None else str(exc)
    return redact_text(" ".join(text.split()))[:300]


class Store:
    """A migrated database with a session factory."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on any error."""
        session = self.sessions()
        try:
            yield session
            session.commit()
        except DBAPIError as exc:
            session.rollback()
            raise StoreError(f"database error: {_reason(exc)}") from None
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


def open_store(url: str, busy_timeout_ms: int = 30_000, migrate: bool = True) -> Store:
    """Connect, check reachability, and bring the schema up to date."""
    engine = make_engine(url, busy_timeout_ms)
    try:
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        reason = _reason(exc) if isinstance(exc, DBAPIError) else str(exc)
        raise StoreError(
            f"cannot open database {redact(url)}: {redact_text(reason, url)}"
        ) from None
    if migrate and current != head_revision():
        upgrade(engine)
    return Store(engine)
