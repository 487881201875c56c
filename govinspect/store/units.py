"""Keep the units and accounts tables in step with the site registry."""

from __future__ import annotations

from sqlalchemy import select

from govinspect.registry import Registry
from govinspect.store.db import Store
from govinspect.store.models import Account, Unit


def sync_registry(store: Store, registry: Registry) -> None:
    """Upsert every unit and account; ones no longer in the registry are marked inactive.

    Nothing is deleted: their history (runs, findings) stays queryable.
    """
    with store.session() as session:
        known = {unit.id: unit for unit in session.scalars(select(Unit))}
        for entry in registry.units:
            row = known.pop(entry.id, None) or Unit(id=entry.id)
            row.name = entry.name
            row.category = entry.category.value
            row.website = entry.website
            row.site_code = entry.site_code
            row.config = entry.model_dump(mode="json")
            row.active = True
            session.add(row)
            session.flush()
            _sync_accounts(session, row, entry)
        for stale in known.values():
            stale.active = False


def _sync_accounts(session, row: Unit, entry) -> None:  # type: ignore[no-untyped-def]
    """Accounts are keyed by (platform, name): 杞县发布 on WeChat and on Weibo are two accounts,
    each with its own history; an account moved to another platform is a new account."""
    existing = {
        (account.platform, account.name): account
        for account in session.scalars(select(Account).where(Account.unit_id == row.id))
    }
    for media in entry.new_media:
        key = (media.platform.value, media.name)
        account = existing.pop(key, None) or Account(
            unit_id=row.id, platform=media.platform.value, name=media.name
        )
        account.feed_url = media.feed
        account.active = True
        session.add(account)
    for gone in existing.values():
        gone.active = False
