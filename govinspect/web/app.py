"""The dashboard application (Starlette): routes, access rules, security headers.

Every route but ``/login`` and ``/static`` needs a session; unit-scoped routes answer 404 for a
unit the user may not see, exactly as for a unit that does not exist.  Pages redirect an
anonymous visitor to ``/login``; ``/api/`` answers 401.  Every POST needs the session's CSRF
token.  See docs/dashboard.md.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from govinspect.errors import GovinspectError
from govinspect.settings import Settings
from govinspect.store.db import Store, open_store
from govinspect.web import admin, pages, users
from govinspect.web import api as api_routes
from govinspect.web.auth import LoginLimiter, Session, Sessions, csrf_ok
from govinspect.web.core import Web, environment, web_of

STATIC = Path(__file__).with_name("static")
#: No inline script or style anywhere: the templates carry none, and crawled text is escaped.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "frame-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


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
    web = web_of(request)
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
    # A new session (and CSRF token) at login: a token seen before login is worth nothing.
    fresh = Session(user=account.name, stamp=account.stamp, csrf=secrets.token_urlsafe(32))
    response = RedirectResponse(nxt, 303)
    web.sessions.save(request, response, fresh)
    return response


async def logout(request: Request) -> Response:
    web = web_of(request)
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
    return [
        Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]),
        *pages.ROUTES,
        *admin.ROUTES,
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
        templates=environment(),
    )

    async def handle_error(request: Request, exc: Exception) -> Response:
        # One line, as the CLI would say it (e.g. why the PDF cannot be written here).
        status = getattr(exc, "http_status", 500)
        if request.url.path.startswith("/api/"):
            return JSONResponse({"error": str(exc)}, status_code=status)
        request.state.session = getattr(request.state, "session", None)
        return web_of(request).render(
            request, "error.html", status, title="无法完成", message=str(exc)
        )

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
