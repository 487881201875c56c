"""User management for the office (`/users`): the same functions as `govinspect users`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from govinspect.errors import ConfigError
from govinspect.store.models import Unit
from govinspect.web import users
from govinspect.web.core import Web, page
from govinspect.web.data import NotFound

OFFICE = ("office",)


def _render(request: Request, web: Web, status: int = 200, **extra: Any) -> Response:
    with web.store.session() as session:
        units = [(u.id, u.name) for u in session.scalars(select(Unit).order_by(Unit.id))]
    context = {"error": None, "done": None, **extra}
    return web.render(
        request, "users.html", status, title="用户管理", people=users.list_users(web.store),
        units=units, roles=users.ROLES, **context,
    )  # fmt: skip


@page("/users", roles=OFFICE)
def users_page(request: Request, web: Web, account: users.Account, form: Any) -> Response:
    return _render(request, web, done=request.query_params.get("done"))


@page("/users", methods=("POST",), roles=OFFICE)
def users_add(request: Request, web: Web, account: users.Account, form: Any) -> Response:
    try:
        users.add_user(
            web.store,
            str(form.get("name") or ""),
            str(form.get("role") or ""),
            [str(u) for u in form.getlist("unit")],
            str(form.get("password") or ""),
        )
    except ConfigError as exc:
        return _render(request, web, 400, error=str(exc))
    return RedirectResponse("/users?done=added", 303)


def _existing(web: Web, name: str) -> str:
    if users.account(web.store, name) is None:
        raise NotFound(name)
    return name


@page("/users/{name}/remove", methods=("POST",), roles=OFFICE)
def users_remove(request: Request, web: Web, account: users.Account, form: Any) -> Response:
    name = _existing(web, request.path_params["name"])
    if name == account.name:
        return _render(request, web, 400, error="不能删除自己的账号。")
    users.remove_user(web.store, name)
    return RedirectResponse("/users?done=removed", 303)


@page("/users/{name}/passwd", methods=("POST",), roles=OFFICE)
def users_passwd(request: Request, web: Web, account: users.Account, form: Any) -> Response:
    name = _existing(web, request.path_params["name"])
    try:
        users.set_password(web.store, name, str(form.get("password") or ""))
    except ConfigError as exc:
        return _render(request, web, 400, error=str(exc))
    return RedirectResponse("/users?done=password", 303)


ROUTES = [users_page, users_add, users_remove, users_passwd]
