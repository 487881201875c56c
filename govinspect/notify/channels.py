"""Sending one digest over one channel: e-mail (SMTP) and webhooks.

Webhook bodies follow the formats the field uses:

- 企业微信 (WeCom) group robot: ``{"msgtype": "markdown", "markdown": {"content": …}}``;
- 钉钉 (DingTalk) robot: ``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``, and
  with a 加签 secret the query parameters ``timestamp`` (ms) and ``sign`` =
  base64(HMAC-SHA256(secret, "timestamp\\nsecret")), URL-encoded;
- a plain JSON webhook: the digest's data (scope, date, title, text, counts, items).

Both robots answer HTTP 200 with ``{"errcode": 0, …}`` on success; anything else is a failure.
Errors are reported without the webhook URL (its key is a credential) or SMTP password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import smtplib
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any
from urllib.parse import quote_plus, urlsplit

from govinspect.notify.digest import texts
from govinspect.registry import Contact, Webhook
from govinspect.settings import Settings


class SendError(Exception):
    """A send failed; the message is safe to record (no credentials)."""


def fit(text: str, limit: int) -> str:
    """The text cut at a line so that it stays within ``limit`` UTF-8 bytes, saying so."""
    if len(text.encode()) <= limit:
        return text
    lines = text.split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        note = texts()["cut"].format(more=sum(1 for x in lines[index:] if x.startswith("- ")))
        if len(("\n".join([*kept, line, note])).encode()) > limit:
            return "\n".join([*kept, note])
        kept.append(line)
    return "\n".join(kept)


def _limit(channel: str) -> int:
    return int(texts()["limits"][channel])


def dingtalk_url(url: str, secret: str, now_ms: int | None = None) -> str:
    """The robot URL with ``timestamp`` and ``sign`` (DingTalk's 加签)."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(
        secret.encode(), f"{timestamp}\n{secret}".encode(), digestmod=hashlib.sha256
    ).digest()
    sign = quote_plus(base64.b64encode(digest))
    joiner = "&" if urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp}&sign={sign}"


def webhook_body(webhook: Webhook, title: str, text: str, payload: dict[str, Any]) -> dict:
    kind = webhook.type.value
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": fit(text, _limit("wecom"))}}
    if kind == "dingtalk":
        return {
            "msgtype": "markdown",
            "markdown": {"title": title, "text": fit(text, _limit(kind))},
        }
    return payload


def _host(url: str) -> str:
    return urlsplit(url).hostname or "?"


def post_webhook(
    webhook: Webhook, title: str, text: str, payload: dict[str, Any], settings: Settings
) -> None:
    url = webhook.url
    if webhook.type.value == "dingtalk" and webhook.secret:
        url = dingtalk_url(url, webhook.secret)
    body = json.dumps(webhook_body(webhook, title, text, payload), ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", "User-Agent": "govinspect"},
    )
    where = f"{webhook.type.value} webhook at {_host(webhook.url)}"
    try:
        with urllib.request.urlopen(request, timeout=settings.webhook_timeout) as response:
            answer = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise SendError(f"{where}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise SendError(f"{where}: {type(exc).__name__}: {reason}") from None
    if webhook.type.value in ("wecom", "dingtalk"):
        try:
            result = json.loads(answer.decode("utf-8", "replace") or "{}")
        except ValueError:
            raise SendError(f"{where}: the answer is not JSON") from None
        if result.get("errcode", 0) != 0:
            raise SendError(f"{where}: errcode {result.get('errcode')}: {result.get('errmsg')}")


def send_email(address: str, title: str, text: str, settings: Settings) -> None:
    if not settings.smtp_host:
        raise SendError("e-mail: no SMTP server (set GOVINSPECT_SMTP_HOST)")
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = settings.smtp_from
    message["To"] = address
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="govinspect")
    message.set_content(fit(text, _limit("email")))
    where = f"SMTP {settings.smtp_host}:{settings.smtp_port}"
    try:
        if settings.smtp_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.smtp_host,
                settings.smtp_port,
                timeout=settings.smtp_timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(
                settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout
            )
        with client:
            if settings.smtp_starttls and not settings.smtp_tls:
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                client.login(settings.smtp_user, password)
            client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{where}: login refused ({exc.smtp_code})") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"{where}: {type(exc).__name__}: {exc}") from None


def send(
    channel: str,
    contact: Contact,
    title: str,
    text: str,
    payload: dict[str, Any],
    settings: Settings,
) -> None:
    """Send one digest to one contact over one channel; :class:`SendError` on failure."""
    if channel == "email":
        if not contact.email:
            raise SendError("the contact has no e-mail address any more")
        send_email(contact.email, title, text, settings)
        return
    if contact.webhook is None or contact.webhook.type.value != channel:
        raise SendError(f"the contact has no {channel} webhook any more")
    post_webhook(contact.webhook, title, text, payload, settings)
