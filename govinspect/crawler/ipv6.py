"""Whether a site's host has AAAA records and its homepage answers over IPv6: a recorded fact.

Called once per crawl, after it (``crawler/runner.py``), and stored in the run's summary under
``ipv6``; ``checks/site_norms.py`` judges it.  Like the rest of the crawler this records what it
saw and judges nothing.  The record (every key always present)::

    {"host": "www.example.gov.cn",
     "checked_at": "2026-11-20T02:00:00+00:00",
     "aaaa": "yes" | "no" | "unknown",       # DNS answered with AAAA / without / not at all
     "addresses": ["2001:db8::1", ...],       # the AAAA addresses
     "answered": "yes" | "no" | "unknown",   # an HTTP response came back over IPv6
     "address": "2001:db8::1" | None,         # the address asked (the one that answered)
     "status": 200 | None,                    # its HTTP status (after redirects on the host)
     "url": "https://www.example.gov.cn/",    # the URL of that response
     "reason": None | "ip_literal" | "dns_failed" | "no_ipv6_route",   # why "unknown"
     "error": None | "..."}                   # the last error seen

"unknown" is never a failure of the site: the host is an IP literal (no name to look up), DNS
gave no answer at all, or this machine has no route to the host's IPv6 addresses (no IPv6
connectivity here).  The resolver and the route test are arguments, so tests can give a host
AAAA records pointing at ``::1`` without touching system files.
"""

from __future__ import annotations

import errno
import http.client
import ipaddress
import socket
import ssl
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

#: ``resolve(host, family)`` -> addresses of that family; raises ``socket.gaierror``.
Resolver = Callable[[str, int], list[str]]
#: ``has_route(address)`` -> whether this machine can send to that IPv6 address at all.
RouteTest = Callable[[str], bool]

MAX_ADDRESSES = 3  # AAAA addresses tried, in the resolver's order
MAX_REDIRECTS = 5  # redirects followed while they stay on the host
# Errors that mean "this machine cannot speak IPv6 there", not "the site does not answer".
LOCAL_ERRNOS = frozenset({errno.ENETUNREACH, errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT})
# getaddrinfo's "the name exists, without addresses of that family" / "no such name".
NO_ADDRESS = frozenset(
    code
    for code in (getattr(socket, "EAI_NODATA", None), getattr(socket, "EAI_NONAME", None))
    if code is not None
)


def system_resolver(host: str, family: int) -> list[str]:
    """The machine's resolver (hosts file, DNS), one address family, without AI_ADDRCONFIG.

    Without AI_ADDRCONFIG the AAAA records are asked for even on a machine with no IPv6
    address of its own, so the DNS fact does not depend on this machine.
    """
    infos = socket.getaddrinfo(host, None, family, socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def system_route(address: str) -> bool:
    """Whether the kernel has a route to ``address`` (a UDP connect sends no packet)."""
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as sock:
            sock.connect((address, 53))
    except OSError:
        return False
    return True


def _error(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:300]


def _lookup(host: str, resolve: Resolver) -> tuple[str, list[str], str | None, str | None]:
    """(aaaa, addresses, reason, error) for a host name."""
    try:
        addresses = [a for a in resolve(host, socket.AF_INET6) if ":" in a]
    except UnicodeError as exc:  # a name IDNA cannot encode: nothing was asked
        return "unknown", [], "dns_failed", _error(exc)
    except socket.gaierror as exc:
        if exc.errno not in NO_ADDRESS:  # EAI_AGAIN, EAI_FAIL...: DNS gave no answer
            return "unknown", [], "dns_failed", _error(exc)
        addresses, error = [], _error(exc)
    else:
        error = None
    if addresses:
        return "yes", addresses, None, None
    # No AAAA: only an answer for the name (its A records) makes that a fact about the site.
    try:
        resolve(host, socket.AF_INET)
    except socket.gaierror as exc:
        return "unknown", [], "dns_failed", _error(exc)
    return "no", [], None, error


class _Connection(http.client.HTTPConnection):
    """HTTP to one given address, with the host name in the Host header."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _TlsConnection(http.client.HTTPSConnection):
    """HTTPS to one given address, SNI and Host the host name; certificates not verified.

    Reachability is the fact recorded here, as in the crawl (Scrapy does not verify either).
    """

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _get(url: str, address: str, timeout: float, user_agent: str) -> tuple[int, str | None]:
    """One GET of ``url`` sent to ``address``: (status, Location)."""
    parts = urlsplit(url)
    secure = parts.scheme == "https"
    port = parts.port or (443 if secure else 80)
    kind = _TlsConnection if secure else _Connection
    connection = kind(parts.hostname or "", port, address, timeout)
    try:
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        connection.request("GET", path, headers={"User-Agent": user_agent, "Accept": "*/*"})
        response = connection.getresponse()  # the status line and headers: the body is not read
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def _fetch(url: str, host: str, address: str, timeout: float, user_agent: str) -> tuple[int, str]:
    """GET the homepage over ``address``, following redirects only while they stay on the host."""
    for _ in range(MAX_REDIRECTS + 1):
        status, location = _get(url, address, timeout, user_agent)
        if not (300 <= status < 400 and location):
            return status, url
        target = urljoin(url, location)
        if (urlsplit(target).hostname or "").lower() != host or urlsplit(target).scheme not in (
            "http",
            "https",
        ):
            return status, url  # a redirect off the host: the host did answer
        url = target
    return status, url


def record_ipv6(
    website: str,
    timeout: float,
    user_agent: str = "govinspect",
    resolve: Resolver = system_resolver,
    has_route: RouteTest = system_route,
) -> dict[str, Any]:
    """The IPv6 fact of a site (see the module docstring); never raises for network trouble."""
    host = (urlsplit(website).hostname or "").lower()
    fact: dict[str, Any] = {
        "host": host,
        "checked_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "aaaa": "unknown",
        "addresses": [],
        "answered": "unknown",
        "address": None,
        "status": None,
        "url": None,
        "reason": None,
        "error": None,
    }
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        fact["reason"] = "ip_literal"
        return fact
    aaaa, addresses, reason, error = _lookup(host, resolve)
    fact.update(aaaa=aaaa, addresses=addresses, reason=reason, error=error)
    if aaaa != "yes":
        fact["answered"] = "no" if aaaa == "no" else "unknown"
        return fact
    routed = [a for a in addresses[:MAX_ADDRESSES] if has_route(a)]
    if not routed:
        fact.update(reason="no_ipv6_route", error=None)
        return fact
    local_only = True
    for address in routed:
        fact["address"] = address
        try:
            status, url = _fetch(website, host, address, timeout, user_agent)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            fact["error"] = _error(exc)
            if not (isinstance(exc, OSError) and exc.errno in LOCAL_ERRNOS):
                local_only = False
            continue
        fact.update(answered="yes", status=status, url=url, error=None)
        return fact
    if local_only:  # every attempt failed before leaving this machine
        fact.update(answered="unknown", reason="no_ipv6_route")
    else:
        fact["answered"] = "no"
    return fact
