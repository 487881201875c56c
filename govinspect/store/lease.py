"""Named leases in the database: one holder at a time, taken over only when stale.

Used so that only one scheduler runs per database, whichever machine it is on.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from govinspect.store.db import Store
from govinspect.store.models import Lease


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; they were stored as UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def acquire(store: Store, name: str, holder: str, stale_after: timedelta) -> str | None:
    """Take the lease; return None on success, else who holds it."""
    session = store.sessions()
    try:
        session.add(Lease(name=name, holder=holder, acquired_at=_now(), renewed_at=_now()))
        session.commit()
        return None
    except IntegrityError:
        session.rollback()  # somebody holds it: see whether their lease went stale
    finally:
        session.close()
    with store.session() as session:
        row = session.get(Lease, name)
        if row is None:
            return acquire(store, name, holder, stale_after)
        if row.holder != holder and _now() - _aware(row.renewed_at) < stale_after:
            return row.holder
        # Compare-and-swap on the old renewal time: two takers cannot both win.
        result = session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.renewed_at == row.renewed_at)
            .values(holder=holder, acquired_at=_now(), renewed_at=_now())
        )
        return None if result.rowcount == 1 else row.holder


def renew(store: Store, name: str, holder: str) -> bool:
    with store.session() as session:
        result = session.execute(
            update(Lease)
            .where(Lease.name == name, Lease.holder == holder)
            .values(renewed_at=_now())
        )
        return result.rowcount == 1


def release(store: Store, name: str, holder: str) -> None:
    with store.session() as session:
        session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))


def holder_of(store: Store, name: str) -> str | None:
    with store.session() as session:
        return session.scalar(select(Lease.holder).where(Lease.name == name))
