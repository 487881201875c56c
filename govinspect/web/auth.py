"""Sessions, CSRF tokens and the login rate limit of the dashboard.

A session is a signed cookie (itsdangerous, HMAC-SHA1 over the content with the server's
secret key) holding the user name, a stamp of the user's password (a new password ends every
older session), a CSRF token and the time it was issued; it expires after
``web_session_minutes``.  Anonymous visitors get one too, so the login form has a CSRF token.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.requests import Request
from starlette.responses import Response

from govinspect.errors import ConfigError
from govinspect.settings import Settings

COOKIE = "govinspect_session"
WINDOW_SECONDS = 15 * 60


def secret_key(settings: Settings) -> str:
    """``web_secret_key``, else a random key kept (mode 0600) in the data folder."""
    if settings.web_secret_key:
        return settings.web_secret_key
    path = Path(settings.data_dir) / "web-secret.key"
    try:
        if path.is_file():
            return path.read_text(encoding="ascii").strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(key + "\n")
        return key
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise ConfigError(
            f"cannot keep the dashboard's secret key in {path}: {exc.strerror or exc} "
            "(set GOVINSPECT_WEB_SECRET_KEY)"
        ) from None


@dataclass
class Session:
    user: str | None
    stamp: str | None
    csrf: str
    fresh: bool = False  # issued by this request: the cookie must be set


class Sessions:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.max_age = settings.web_session_minutes * 60
        self.serializer = URLSafeTimedSerializer(secret_key(settings), salt="govinspect-session")

    def load(self, request: Request) -> Session:
        raw = request.cookies.get(COOKIE)
        if raw:
            try:
                data = self.serializer.loads(raw, max_age=self.max_age)
                return Session(user=data.get("u"), stamp=data.get("s"), csrf=data["c"])
            except (BadSignature, KeyError, TypeError, AttributeError):
                pass
        return Session(user=None, stamp=None, csrf=secrets.token_urlsafe(32), fresh=True)

    def save(self, request: Request, response: Response, session: Session) -> None:
        value = self.serializer.dumps({"u": session.user, "s": session.stamp, "c": session.csrf})
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.secure(request),
        )

    def clear(self, request: Request, response: Response) -> None:
        response.delete_cookie(
            COOKIE, path="/", httponly=True, samesite="lax", secure=self.secure(request)
        )

    def secure(self, request: Request) -> bool:
        mode = self.settings.web_cookie_secure
        if mode == "always":
            return True
        if mode == "never":
            return False
        # "auto": HTTPS seen directly, or per X-Forwarded-Proto of a trusted proxy (the
        # ProxyHeadersMiddleware sets the scheme only for those).
        return request.url.scheme == "https"


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and not session.fresh and hmac.compare_digest(session.csrf, str(token))


class LoginLimiter:
    """Failed logins per user name and per client address in a sliding 15-minute window.

    Kept in memory: one `govinspect serve` process (restart clears it).
    """

    def __init__(self, per_user: int, per_address: int, window: float = WINDOW_SECONDS) -> None:
        self.limits = {"user": per_user, "addr": per_address}
        self.window = window
        self.failures: dict[tuple[str, str], deque[float]] = {}
        self.lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        times = self.failures.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        return times

    def blocked(self, user: str, address: str) -> bool:
        now = time.monotonic()
        with self.lock:
            return (
                len(self._recent(("user", user), now)) >= self.limits["user"]
                or len(self._recent(("addr", address), now)) >= self.limits["addr"]
            )

    def failed(self, user: str, address: str) -> None:
        now = time.monotonic()
        with self.lock:
            self._recent(("user", user), now).append(now)
            self._recent(("addr", address), now).append(now)

    def succeeded(self, user: str) -> None:
        with self.lock:
            self.failures.pop(("user", user), None)
