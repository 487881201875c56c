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
    }
)
#: Outcomes that say nothing about the target: we were not allowed to look.  Listed apart,
#: never counted as dead.
UNKNOWN = frozenset({BLOCKED, ROBOTS_EXCLUDED})
#: Every other outcome (``ok``) is not reported.
