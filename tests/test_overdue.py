"""Overdue 整改 end to end: a finding accepted with a deadline that has passed is listed by
`govinspect findings --overdue`, the next check records the `overdue` event once, and the
digest tells it in 整改逾期 (once per deadline)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from govinspect.checks.lifecycle_store import act
from govinspect.checks.run import run_checks
from govinspect.notify import run_digest
from govinspect.settings import load_settings
from tests.lifecycle_site import BASE, registry_at
from tests.test_findings_cli import TODAY, cli, listed, world  # noqa: F401 - the fixture


def test_a_passed_deadline_is_overdue_in_the_list_the_trail_and_the_digest(world):  # noqa: F811
    store = world["store"]
    # Contacts to tell (without them, a digest keeps its changes for later); no SMTP server:
    # the messages wait in the outbox.
    webmaster = {"webmaster": {"name": "王站长", "email": "webmaster@sfz.gov.cn"}}
    office = {"office": [{"name": "政务公开科", "email": "gkk@city.gov.cn"}]}
    registry = registry_at(
        world["tmp"] / "told.yaml", unit={"contacts": webmaster}, notifications=office
    )
    settings = load_settings(data_dir=world["tmp"] / "var")
    key = listed(world)[f"{BASE}a.html"]["key"]
    with store.session() as session:
        # Accepted ten days ago with a deadline five days ago (the CLI refuses a past deadline).
        act(session, key, "accept", "李四", today=TODAY - timedelta(days=10),
            deadline=TODAY - timedelta(days=5), reason="下周改")  # fmt: skip
    now = datetime.now(UTC)
    run_digest(store, registry, settings, now=now)  # what the first check found: told already

    overdue = listed(world, "--overdue")
    assert list(overdue) == [f"{BASE}a.html"] and overdue[f"{BASE}a.html"]["overdue"] is True
    assert "overdue" in cli(world, "findings", "--overdue").stdout

    run_checks(store, registry, TODAY, None, world["tmp"] / "var")
    trail = [a["action"] for a in listed(world, "--status", "all")[f"{BASE}a.html"]["actions"]]
    assert trail == ["new", "accept", "overdue"]
    result = run_digest(store, registry, settings, dry_run=True, now=now + timedelta(minutes=1))
    (unit,) = [d for d in result.drafts if d.scope != "office"]
    assert "整改逾期" in unit.text and key in unit.text
    assert [i.kind for i in unit.items] == ["overdue"]
    # The lines quote the finding's message (words), with the deadline, in both digests.
    (item,) = unit.items
    (office,) = [d for d in result.drafts if d.scope == "office"]
    for text in (unit.text, office.text):
        (line,) = [x for x in text.splitlines() if key in x]
        assert item.message[:20] in line and f"整改期限 {item.deadline}" in line

    # Told once per deadline: the next check and digest say nothing more about it.
    run_digest(store, registry, settings, now=now + timedelta(minutes=2))
    run_checks(store, registry, TODAY, None, world["tmp"] / "var")
    again = run_digest(store, registry, settings, dry_run=True, now=now + timedelta(minutes=3))
    assert not any(i.key == key for d in again.drafts for i in d.items)
