"""Many rows into one table through the driver's own ``executemany``.

SQLAlchemy's Core ``insert`` with a list of dicts builds and processes a parameter dict per row
in Python; for the link rows of a crawl (twenty per page) that cost more than SQLite's work.
Here the statement is written once per table, dialect and column list, the rows travel as
tuples, and only the columns whose type converts values (booleans, JSON, dates on SQLite) are
passed through the type's own bind processor, so what is stored is exactly what Core stores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

#: Driver parameter styles written here; any other falls back to Core's insert.
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}

Processor = Callable[[Any], Any] | None


def insert_rows(
    session: Session, table: Table, columns: tuple[str, ...], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert ``rows`` (tuples in the order of ``columns``) into ``table``."""
    if not rows:
        return
    connection = session.connection()
    dialect = connection.dialect
    if dialect.paramstyle not in _PLACEHOLDERS:
        session.execute(insert(table), [dict(zip(columns, row, strict=True)) for row in rows])
        return
    sql, processors = _statement(table, columns, dialect)
    if any(processors):
        # Column by column: one map per converting column, the rest untouched.
        columns_of = list(zip(*rows, strict=True))
        for index, process in enumerate(processors):
            if process is not None:
                columns_of[index] = tuple(map(process, columns_of[index]))
        rows = list(zip(*columns_of, strict=True))
    connection.exec_driver_sql(sql, list(rows))


@cache
def _statement(
    table: Table, columns: tuple[str, ...], dialect: Dialect
) -> tuple[str, tuple[Processor, ...]]:
    quote = dialect.identifier_preparer
    mark = _PLACEHOLDERS[dialect.paramstyle]
    names = ", ".join(quote.format_column(table.c[name]) for name in columns)
    marks = ", ".join(mark for _ in columns)
    sql = f"INSERT INTO {quote.format_table(table)} ({names}) VALUES ({marks})"
    processors = tuple(
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns
    )
    return sql, processors
