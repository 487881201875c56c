"""What every dashboard handler needs: the ``Web`` context, templates and the access wrappers
(``page``/``api``: session, login, role, CSRF for POST, NotFound → 404).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from govinspect.reports.render import base_environment
from govinspect.reports.texts import data as report_data
from govinspect.settings import Settings
from govinspect.store.db import Store
from govinspect.web import users
from govinspect.web.auth import LoginLimiter, Session, Sessions, csrf_ok
from govinspect.web.data import NotFound
from govinspect.web.lifecycle import labels as web_labels


@dataclass
class Web:
    """What every request needs: settings, the store, sessions, the login limiter."""

    settings: Settings
    store: Store
    sessions: Sessions
    limiter: LoginLimiter
    templates: Environment
    locks: dict[str, Any] = field(default_factory=dict)

    @property
    def data_dir(self) -> Path:
        return Path(self.settings.data_dir)

    def current(self, session: Session) -> users.Account | None:
        if not session.user:
            return None
        account = users.account(self.store, session.user)
        if account is None or account.stamp != session.stamp:
            return None  # removed, or the password changed since this login
        return account

    def render(
        self, request: Request, template: str, status: int = 200, **context: Any
    ) -> Response:
        session: Session | None = getattr(request.state, "session", None)
        body = self.templates.get_template(template).render(
            request=request,
            account=getattr(request.state, "account", None),
            csrf=session.csrf if session else "",
            **context,
        )
        response = HTMLResponse(body, status_code=status)
        if session is not None and session.fresh:
            self.sessions.save(request, response, session)
            session.fresh = False
        return response


def environment() -> Environment:
    env = base_environment("govinspect.web")
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.globals["missing"] = report_data()["missing"]
    env.globals["severities"] = report_data()["severities"]
    env.globals["role_labels"] = users.ROLE_LABELS
    env.globals["categories"] = report_data()["text"]["categories"]
    env.globals["labels"] = web_labels()
    env.filters["when"] = _when
    return env


def _when(value: Any) -> str:
    """A time in Beijing time to the minute (UTC in the store)."""
    from datetime import UTC, datetime

    from govinspect.checks.timeutil import SHANGHAI

    if value is None:
        return report_data()["missing"]
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    return str(value)


# --- access wrappers --------------------------------------------------------------------------

Handler = Callable[..., Response]


def web_of(request: Request) -> Web:
    return request.app.state.web


def _not_found(request: Request, api: bool) -> Response:
    if api:
        return JSONResponse({"error": "not found"}, status_code=404)
    return web_of(request).render(
        request, "error.html", 404, title="未找到", message="页面不存在。"
    )


def _endpoint(handler: Handler, *, api: bool, roles: tuple[str, ...] | None = None) -> Callable:
    """Session, login, role, CSRF (POST) and NotFound → 404 around a synchronous handler."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        web = web_of(request)
        session = web.sessions.load(request)
        request.state.session = session
        account = await run_in_threadpool(web.current, session)
        if account is None:
            if api:
                return JSONResponse({"error": "login required"}, status_code=401)
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response = RedirectResponse(f"/login?next={quote(target, safe='')}", 303)
            return response
        request.state.account = account
        form = None
        if request.method == "POST":
            form = await request.form()
            token = form.get("csrf_token") or request.headers.get("x-csrf-token")
            if not csrf_ok(session, token if isinstance(token, str) else None):
                return web.render(
                    request, "error.html", 403, title="请求被拒绝",
                    message="表单已过期或缺少校验码，请刷新页面后重试。",
                )  # fmt: skip
        if roles is not None and account.role not in roles:
            # Not allowed is "not there" for units; for actions it is a plain refusal.
            if api:
                return JSONResponse({"error": "forbidden"}, status_code=403)
            return web.render(
                request, "error.html", 403, title="无权操作", message="您的角色不能执行此操作。"
            )
        try:
            return await run_in_threadpool(handler, request, web, account, form)
        except NotFound:
            return _not_found(request, api)

    endpoint.roles = roles  # type: ignore[attr-defined] - read by the access test
    return endpoint


def page(path: str, methods: tuple[str, ...] = ("GET",), roles: tuple[str, ...] | None = None):
    def wrap(handler: Handler) -> Route:
        return Route(path, _endpoint(handler, api=False, roles=roles), methods=list(methods))

    return wrap


def api(path: str):
    def wrap(handler: Handler) -> Route:
        return Route(path, _endpoint(handler, api=True), methods=["GET"])

    return wrap
