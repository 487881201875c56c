"""Dashboard users: roles, argon2 password hashes, which units a user may see.

Used by ``govinspect users`` and by the dashboard's login.  Roles:

* ``office``: every unit, acts on findings, manages users;
* ``webmaster``: only the units given with ``--unit`` (at least one); claims fixes, comments;
* ``assessor``: reads every unit, its evidence and downloads.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select

from govinspect.errors import ConfigError
from govinspect.store.db import Store
from govinspect.store.models import Unit, User, UserUnit

ROLES = ("office", "webmaster", "assessor")
ROLE_LABELS = {"office": "监管办公室", "webmaster": "网站管理员", "assessor": "评估人员"}
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Verified when a user name is unknown, so a login takes as long whether the name exists or not.
_DUMMY_HASH = _hasher.hash("govinspect-no-such-user")


@dataclass(frozen=True, slots=True)
class Account:
    """A user as the dashboard sees it (no password hash)."""

    name: str
    role: str
    units: tuple[str, ...]
    stamp: str  # changes when the password changes: older sessions end

    @property
    def all_units(self) -> bool:
        return self.role != "webmaster"

    def may_see(self, unit_id: str) -> bool:
        return self.all_units or unit_id in self.units

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


def _stamp(row: User) -> str:
    moment = row.password_changed_at
    return f"{row.id}:{moment.timestamp() if moment else 0:.6f}"


def _account(row: User) -> Account:
    return Account(
        name=row.name,
        role=row.role,
        units=tuple(sorted(link.unit_id for link in row.units)),
        stamp=_stamp(row),
    )


def check_password(name: str, password: str) -> None:
    """Refuse an empty or weak password with one line (ConfigError)."""
    if not password.strip():
        raise ConfigError("password: empty (give it on standard input)")
    if len(password) < MIN_PASSWORD:
        raise ConfigError(f"password: too weak, at least {MIN_PASSWORD} characters")
    if password.strip().lower() == name.strip().lower() or len(set(password)) < 4:
        raise ConfigError("password: too weak (the user name, or too few different characters)")


def _check_name(name: str) -> str:
    name = name.strip()
    if (
        not name
        or len(name) > 100
        or any(ch.isspace() or not ch.isprintable() or ch in "/\\" for ch in name)
    ):
        raise ConfigError(f"user name {name!r}: 1-100 printable characters, no spaces or slashes")
    return name


def _units(session, unit_ids: Iterable[str]) -> list[str]:  # type: ignore[no-untyped-def]
    wanted = list(dict.fromkeys(unit_ids))
    known = set(session.scalars(select(Unit.id)))
    for uid in wanted:
        if uid not in known:
            shown = ", ".join(sorted(known)[:10]) or "none"
            raise ConfigError(f"--unit: unknown unit {uid!r} (known: {shown})")
    return wanted


def add_user(store: Store, name: str, role: str, unit_ids: Iterable[str], password: str) -> Account:
    name = _check_name(name)
    if role not in ROLES:
        raise ConfigError(f"--role: {role!r} is not one of {', '.join(ROLES)}")
    unit_ids = list(unit_ids)
    if role == "webmaster" and not unit_ids:
        raise ConfigError(
            "--role webmaster needs at least one --unit ID (the units they look after)"
        )
    if role != "webmaster" and unit_ids:
        raise ConfigError(f"--unit: only a webmaster is tied to units ({role} sees them all)")
    check_password(name, password)
    with store.session() as session:
        units = _units(session, unit_ids)
        if session.scalars(select(User).where(User.name == name)).first() is not None:
            raise ConfigError(f"user {name!r} exists (change the password with `users passwd`)")
        row = User(name=name, role=role, password_hash=_hasher.hash(password))
        row.units = [UserUnit(unit_id=uid) for uid in units]
        session.add(row)
        session.flush()
        return _account(row)


def _get(session, name: str) -> User:  # type: ignore[no-untyped-def]
    row = session.scalars(select(User).where(User.name == name)).first()
    if row is None:
        raise ConfigError(f"unknown user {name!r} (see `govinspect users list`)")
    return row


def remove_user(store: Store, name: str) -> None:
    with store.session() as session:
        session.delete(_get(session, name))


def set_password(store: Store, name: str, password: str) -> None:
    with store.session() as session:
        row = _get(session, name)
        check_password(name, password)
        row.password_hash = _hasher.hash(password)
        row.password_changed_at = datetime.now(UTC)


def list_users(store: Store) -> list[Account]:
    with store.session() as session:
        return [_account(row) for row in session.scalars(select(User).order_by(User.name))]


def account(store: Store, name: str) -> Account | None:
    """The user of that name, or None."""
    with store.session() as session:
        row = session.scalars(select(User).where(User.name == name)).first()
        return _account(row) if row is not None else None


def authenticate(store: Store, name: str, password: str) -> Account | None:
    """The user when the password is theirs, else None (same work either way)."""
    with store.session() as session:
        row = session.scalars(select(User).where(User.name == name.strip())).first()
        stored = row.password_hash if row is not None else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if row is None:
            return None
        if _hasher.check_needs_rehash(stored):
            row.password_hash = _hasher.hash(password)
        return _account(row)
