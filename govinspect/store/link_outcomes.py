"""The outcome classes of a verified link target (``LinkCheck.outcome``), defined once.

The crawler writes these values and the checks count them; the two layers never import each
other, so the vocabulary of the stored column lives here, with the store both of them use.
``crawler/outcomes.py`` decides which class a server's answer falls into; ``checks/dead_links``
counts the ``DEAD`` ones and lists the ``UNKNOWN`` ones apart.
"""

from __future__ import annotations

OK = "ok"
HTTP_ERROR = "http_error"
SOFT_404 = "soft_404"
DNS_ERROR = "dns_error"
CONNECTION_REFUSED = "connection_refused"
CONNECTION_ERROR = "connection_error"
TIMEOUT = "timeout"
TLS_ERROR = "tls_error"
REDIRECT_LOOP = "redirect_loop"
BLOCKED = "blocked"
ROBOTS_EXCLUDED = "robots_excluded"
#: A link no browser can follow (``http://``, ``http://localhost]``, ``file:``): recorded from
#: the page, never fetched.
INVALID_URL = "invalid_url"
#: A link the crawler does not fetch: ``mailto:``, ``tel:``, ``ftp:`` ..., or a target only
#: linked from pages whose ``<meta name="robots">`` says nofollow.
NOT_CHECKED = "not_checked"
#: ``page.html#part``: the page is there, the anchor ``part`` is not (crawler/anchors.py).
MISSING_ANCHOR = "missing_anchor"

#: Outcomes that make a target dead (counted against the site).
DEAD = frozenset(
    {
        HTTP_ERROR,
        SOFT_404,
        DNS_ERROR,
        CONNECTION_REFUSED,
        CONNECTION_ERROR,
        TIMEOUT,
        TLS_ERROR,
        REDIRECT_LOOP,
        INVALID_URL,
    }
)
#: Outcomes that say nothing about the target: we were not allowed to look.  Listed apart,
#: never counted as dead.
UNKNOWN = frozenset({BLOCKED, ROBOTS_EXCLUDED})
#: Outcomes listed apart as their own kind, never counted as dead: not fetched on purpose, or
#: a missing place in a page that exists (each under its own report key, checks/data/tables.yaml).
NOTED = frozenset({NOT_CHECKED, MISSING_ANCHOR})
#: Every other outcome (``ok``) is not reported.
