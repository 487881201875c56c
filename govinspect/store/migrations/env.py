"""Alembic environment: migrations run on the engine handed over by govinspect.store.db."""

from __future__ import annotations

from alembic import context

from govinspect.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` CLI use: build one from sqlalchemy.url
        from govinspect.store.db import make_engine

        engine = make_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # SQLite cannot ALTER most things; batch mode rebuilds a table (copy, DROP, rename).
            # With foreign keys on, that DROP would cascade into every row referring to the
            # table (an account's polls and posts).  The pragma only works outside a
            # transaction, so it is set and committed before the migration's own transaction.
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=True,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
            connection.commit()
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")
                connection.commit()


def _check_foreign_keys(connection) -> None:  # type: ignore[no-untyped-def]
    """A rebuilt table must leave every reference intact (else the migration rolls back)."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")


if context.is_offline_mode():
    raise SystemExit("govinspect migrations run online only: use `govinspect db upgrade`")
run_migrations_online()
