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
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things; batch mode rebuilds tables instead.
            render_as_batch=True,
            compare_type=True,
        )
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("govinspect migrations run online only: use `govinspect db upgrade`")
run_migrations_online()
