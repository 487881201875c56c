"""The dashboard application (Starlette): routes, access rules, security headers.

Every route but ``/login`` and ``/static`` needs a session; unit-scoped routes answer 404 for a
unit the user may not see, exactly as for a unit that does not exist.  Pages redirect an
anonymous visitor to ``/login``; ``/api/`` answers 401.  Every POST needs the session's CSRF
token.  See docs/dashboard.md.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govinspect.errors import GovinspectError
from govinspect.reports.render import evidence_text, link, status_text
from govinspect.reports.texts import data as report_data
from govinspect.reports.texts import number
from govinspect.settings import Settings
from govinspect.store.db import Store, open_store
from govinspect.web import users
from govinspect.web.auth import LoginLimiter, Session, Sessions, csrf_ok
from govinspect.web.data import NotFound

STATIC = Path(__file__).with_name("static")
#: No inline script or style anywhere: the templates carry none, and crawled text is escaped.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


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


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("govinspect.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = number
    env.filters["evidence"] = evidence_text
    env.filters["status"] = status_text
    env.filters["q"] = lambda value: quote(str(value), safe="")
    env.globals["link"] = link
    env.globals["missing"] = report_data()["missing"]
    env.globals["severities"] = report_data()["severities"]
    env.globals["role_labels"] = users.ROLE_LABELS
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


def _web(request: Request) -> Web:
    return request.app.state.web


def _not_found(request: Request, api: bool) -> Response:
    if api:
        return JSONResponse({"error": "not found"}, status_code=404)
    return _web(request).render(request, "error.html", 404, title="未找到", message="页面不存在。")


def _endpoint(handler: Handler, *, api: bool, roles: tuple[str, ...] | None = None) -> Callable:
    """Session, login, role, CSRF (POST) and NotFound → 404 around a synchronous handler."""

    @functools.wraps(handler)
    async def endpoint(request: Request) -> Response:
        web = _web(request)
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

    return endpoint


def page(path: str, methods: tuple[str, ...] = ("GET",), roles: tuple[str, ...] | None = None):
    def wrap(handler: Handler) -> Route:
        return Route(path, _endpoint(handler, api=False, roles=roles), methods=list(methods))

    return wrap


def api(path: str):
    def wrap(handler: Handler) -> Route:
        return Route(path, _endpoint(handler, api=True), methods=["GET"])

    return wrap


# --- login ------------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    """Only a path of this site (never //host or a scheme): no open redirect."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    parts = urlsplit(value)
    return value if not parts.scheme and not parts.netloc else "/"


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def login(request: Request) -> Response:
    web = _web(request)
    session = web.sessions.load(request)
    request.state.session = session
    request.state.account = None
    nxt = _safe_next(request.query_params.get("next"))
    if request.method == "GET":
        return web.render(request, "login.html", title="登录", next=nxt, error=None, username="")
    form = await request.form()
    nxt = _safe_next(str(form.get("next") or "/"))
    name = str(form.get("username") or "").strip()[:100]
    password = str(form.get("password") or "")
    token = form.get("csrf_token")
    if not csrf_ok(session, token if isinstance(token, str) else None):
        return web.render(
            request, "login.html", 403, title="登录", next=nxt, username=name,
            error="登录表单已过期，请重新输入。",
        )  # fmt: skip
    address = _client(request)
    if web.limiter.blocked(name, address):
        return web.render(
            request, "login.html", 429, title="登录", next=nxt, username=name,
            error="登录失败次数过多，请 15 分钟后再试。",
        )  # fmt: skip
    account = await run_in_threadpool(users.authenticate, web.store, name, password)
    if account is None:
        web.limiter.failed(name, address)
        return web.render(
            request,
            "login.html",
            401,
            title="登录",
            next=nxt,
            username=name,
            error="用户名或密码错误。",
        )
    web.limiter.succeeded(name)
    import secrets

    # A new session (and CSRF token) at login: a token seen before login is worth nothing.
    fresh = Session(user=account.name, stamp=account.stamp, csrf=secrets.token_urlsafe(32))
    response = RedirectResponse(nxt, 303)
    web.sessions.save(request, response, fresh)
    return response


async def logout(request: Request) -> Response:
    web = _web(request)
    session = web.sessions.load(request)
    form = await request.form()
    token = form.get("csrf_token")
    if not csrf_ok(session, token if isinstance(token, str) else None):
        request.state.session, request.state.account = session, None
        return web.render(request, "error.html", 403, title="请求被拒绝", message="缺少校验码。")
    response = RedirectResponse("/login", 303)
    web.sessions.clear(request, response)
    return response


# --- headers ----------------------------------------------------------------------------------


class SecurityHeaders:
    """CSP and friends on every response (a route may set its own, stricter CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope.get("path", "").startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                defaults = {
                    b"content-security-policy": CSP.encode(),
                    b"x-content-type-options": b"nosniff",
                    b"x-frame-options": b"DENY",
                    b"referrer-policy": b"same-origin",
                    b"cache-control": b"public, max-age=3600" if static else b"no-store",
                }
                headers.extend((k, v) for k, v in defaults.items() if k not in names)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- the app ----------------------------------------------------------------------------------


def routes() -> list[Route | Mount]:
    from govinspect.web import api as api_routes
    from govinspect.web import pages

    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *pages.ROUTES,
        *api_routes.ROUTES,
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    """The dashboard over ``settings``' store (opened and migrated here unless given)."""
    store = store or open_store(settings.database_url, settings.sqlite_busy_timeout_ms)
    app = Starlette(routes=routes())
    app.state.web = Web(
        settings=settings,
        store=store,
        sessions=Sessions(settings),
        limiter=LoginLimiter(settings.web_login_attempts, settings.web_login_attempts_per_address),
        templates=_environment(),
    )

    async def handle_error(request: Request, exc: Exception) -> Response:
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=500)
        request.state.session = getattr(request.state, "session", None)
        return _web(request).render(request, "error.html", 500, title="出错了", message=str(exc))

    app.add_exception_handler(GovinspectError, handle_error)
    return app


def asgi(settings: Settings, store: Store | None = None) -> ASGIApp:
    """The app with its security headers, behind the trusted proxies' forwarded headers."""
    app: ASGIApp = SecurityHeaders(create_app(settings, store))
    proxies = [p.strip() for p in settings.web_trusted_proxies.split(",") if p.strip()]
    if proxies:
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app = ProxyHeadersMiddleware(app, trusted_hosts=proxies)
    return app
