"""Acting on findings from the dashboard through the lifecycle's functions: the office
ignores, accepts with a deadline; a webmaster claims a fix with a comment; who/when/why is
recorded; other roles, other units and forms without the CSRF token are refused."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from govinspect.checks.lifecycle import ACTIONS
from govinspect.store.models import Finding, FindingAction
from tests.web.conftest import csrf_of


def keyed(town, unit_id: str) -> list[int]:
    with town.store.session() as session:
        return list(
            session.scalars(
                select(Finding.id)
                .where(Finding.run_id == town.run_id, Finding.unit_id == unit_id,
                       Finding.key.is_not(None), Finding.severity.in_(("deduction", "veto")))
                .order_by(Finding.id)
            )
        )  # fmt: skip


def act(client, unit: str, finding: int, **fields):
    page = client.get(f"/units/{unit}/findings/{finding}")
    assert page.status_code == 200
    token = fields.pop("csrf_token", csrf_of(page.text))
    return client.post(
        f"/units/{unit}/findings/{finding}/act", data={"csrf_token": token, **fields}
    )


def trail(town, finding: int) -> list[FindingAction]:
    with town.store.session() as session:
        key = session.get(Finding, finding).key
        return list(
            session.scalars(
                select(FindingAction).where(
                    FindingAction.key == key, FindingAction.action.in_(ACTIONS)
                )
            )
        )


def test_office_ignores_and_accepts(town):
    first, second = keyed(town, "county")[:2]
    office = town.login("office")
    page = office.get(f"/units/county/findings/{first}")
    assert "忽略（误报）" in page.text and "确认并限期整改" in page.text
    assert "报告已整改" not in page.text
    missing_reason = act(office, "county", first, action="ignore", reason="")
    assert missing_reason.status_code == 400 and "reason is required" in missing_reason.text
    done = act(office, "county", first, action="ignore", reason="链接经核实可以访问")
    assert done.status_code == 303
    page = office.get(done.headers["location"])
    assert "已忽略（误报）" in page.text and "链接经核实可以访问" in page.text
    [row] = trail(town, first)
    assert (row.action, row.by, row.reason) == ("ignore", "office", "链接经核实可以访问")
    accepted = act(office, "county", second, action="accept", deadline="2099-12-31", reason="")
    assert accepted.status_code == 303
    unit = office.get("/units/county")
    assert "2099-12-31" in unit.text and "整改中" in unit.text


def test_webmaster_claims_a_fix_with_a_comment(town):
    finding = keyed(town, "county")[2]
    client = town.login("wm_county")
    page = client.get(f"/units/county/findings/{finding}")
    assert "报告已整改" in page.text and "忽略（误报）" not in page.text
    refused = act(client, "county", finding, action="ignore", reason="不想改")
    assert refused.status_code == 400 and "您的角色不能执行此操作" in refused.text
    done = act(client, "county", finding, action="claim_fixed", reason="已删除该链接")
    assert done.status_code == 303
    [row] = trail(town, finding)
    assert (row.action, row.by, row.reason) == ("claim_fixed", "wm_county", "已删除该链接")
    assert "已报整改，待复查" in client.get(f"/units/county/findings/{finding}").text


@pytest.mark.parametrize("who", ["assessor", "wm_dept"])
def test_others_cannot_act(town, who):
    finding = keyed(town, "county")[3]
    client = town.login(who)
    token = csrf_of(client.get("/").text)
    response = client.post(
        f"/units/county/findings/{finding}/act",
        data={"csrf_token": token, "action": "claim_fixed", "reason": "x"},
    )
    assert response.status_code == (403 if who == "assessor" else 404)
    assert trail(town, finding) == []


def test_acting_needs_the_csrf_token(town):
    finding = keyed(town, "county")[3]
    client = town.login("office")
    response = client.post(
        f"/units/county/findings/{finding}/act", data={"action": "accept", "deadline": "2099-01-01"}
    )
    assert response.status_code == 403
    assert trail(town, finding) == []
