"""Access control over every route of the app (taken from its route table, so a new route is
covered the day it is added) and every role.

* anonymous: pages redirect to /login, the API answers 401;
* a webmaster of county asking for anything of dept (or a dept finding under county's URL,
  a guessed id): 404, exactly like a unit that does not exist; routes without a unit never
  show dept;
* office and assessor reach every unit.
"""

from __future__ import annotations

import re

import pytest
from starlette.routing import Route

from govinspect.web.app import create_app

OTHER_NAME = "示范县教育局"  # dept's name: never on a page of the county webmaster


def app_routes(town) -> list[Route]:
    app = create_app(town.settings, town.store)
    return [r for r in app.routes if isinstance(r, Route) and r.path not in ("/login", "/logout")]


def fill(route: Route, town, unit: str, finding: int) -> str:
    values = {"unit_id": unit, "finding_id": str(finding), "n": "0", "period": town.period,
              "fmt": "html", "name": "wm_dept"}  # fmt: skip
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values[m.group(1)], route.path)


def call(client, route: Route, path: str):
    method = "GET" if "GET" in (route.methods or ()) else "POST"
    if method == "GET":
        return client.get(path)
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    return client.post(path, data={"csrf_token": token.group(1) if token else ""})


def test_every_route_is_covered(town):
    paths = {r.path for r in app_routes(town)}
    assert {"/", "/units/{unit_id}", "/api/units/{unit_id}/export", "/health", "/reports"} <= paths


def test_anonymous(town):
    client = town.client()
    for route in app_routes(town):
        path = fill(route, town, "county", town.hostile)
        response = call(client, route, path)
        if path.startswith("/api/"):
            assert response.status_code == 401, path
        else:
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login"), path


def _unit_scoped(route: Route) -> bool:
    return "{unit_id}" in route.path


def _roles(route: Route) -> tuple[str, ...] | None:
    """The roles a route is for (None: every role), as its endpoint declares them."""
    return getattr(route.endpoint, "roles", None)


def test_webmaster_cannot_reach_another_unit(town):
    client = town.login("wm_county")
    dept_finding = town.findings["dept"]
    for route in app_routes(town):
        if _unit_scoped(route):
            for path in (
                fill(route, town, "dept", dept_finding),
                fill(route, town, "county", dept_finding),  # a guessed id under their unit
                fill(route, town, "nosuchunit", dept_finding),
            ):
                if (
                    path == fill(route, town, "county", dept_finding)
                    and "{finding_id" not in route.path
                ):
                    continue  # that one is their own unit: allowed
                response = call(client, route, path)
                assert response.status_code == 404, (path, response.status_code)
                assert OTHER_NAME not in response.text, path
        else:
            path = fill(route, town, "dept", dept_finding)
            response = call(client, route, path)
            expected = (403,) if _roles(route) and "webmaster" not in _roles(route) else (200, 404)
            assert response.status_code in expected, (path, response.status_code)
            assert OTHER_NAME not in response.text, path
            assert '"dept"' not in response.text, path


@pytest.mark.parametrize("name", ["office", "assessor", "wm_county"])
def test_allowed_routes_answer(town, name):
    client = town.login(name)
    for route in app_routes(town):
        if "GET" not in (route.methods or ()):
            continue
        path = fill(route, town, "county", town.hostile)
        response = call(client, route, path)
        if name == "wm_county" and route.path.endswith("ranking.xlsx"):
            assert response.status_code == 404, path  # the workbook ranks every unit
            continue
        if _roles(route) and town_role(name) not in _roles(route):
            assert response.status_code == 403, (name, path, response.status_code)
            continue
        assert response.status_code == 200, (name, path, response.status_code)


def town_role(name: str) -> str:
    from tests.web.conftest import USERS

    return USERS[name][0]


def test_office_sees_a_finding_only_under_its_own_unit(town):
    client = town.login("office")
    assert client.get(f"/units/dept/findings/{town.findings['dept']}").status_code == 200
    assert client.get(f"/units/county/findings/{town.findings['dept']}").status_code == 404
    assert client.get("/units/county/findings/999999").status_code == 404
    assert client.get("/units/county/findings/1/evidence/99").status_code == 404
