"""URL normalisation, joining and classification shared by the whole project.

Every URL stored or compared anywhere goes through :func:`normalize_url`, so two spellings of
one resource (raw Chinese path vs percent-encoded, ``:80`` vs no port, ``a/../b`` vs ``b``)
become one string. Query parameter order is kept on purpose: some CMS endpoints
(``dataproxy.jsp``, ``.do`` actions) read parameters positionally.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

# --- data tables (one place) -------------------------------------------------------------

#: Extensions of downloadable documents ("附件"). Checked on the path, and on query values for
#: download endpoints such as Hanweb ``downfile.jsp?filename=x.pdf``.
ATTACHMENT_EXTENSIONS: frozenset[str] = frozenset(
    {
        # word processing / office suites (MS, WPS, OpenDocument) and Chinese e-document formats
        "pdf", "doc", "docx", "docm", "dot", "dotx", "rtf", "odt", "wps", "wpt",
        "xls", "xlsx", "xlsm", "xlt", "csv", "ods", "et", "ett",
        "ppt", "pptx", "pps", "ppsx", "odp", "dps",
        "ofd", "ceb", "caj", "txt",
        # archives and installers
        "zip", "rar", "7z", "gz", "tgz", "tar", "bz2", "xz", "apk", "exe", "msi", "iso",
    }
)  # fmt: skip

IMAGE_EXTENSIONS: frozenset[str] = frozenset(
    {"jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "tif", "tiff", "avif"}
)

MEDIA_EXTENSIONS: frozenset[str] = frozenset(
    {"mp4", "m4v", "webm", "ogv", "flv", "f4v", "avi", "wmv", "mov", "mkv", "m3u8", "ts",
     "mp3", "wav", "wma", "aac", "ogg", "m4a", "swf"}
)  # fmt: skip

#: Page and web-resource extensions (besides documents, images and media).
PAGE_EXTENSIONS: frozenset[str] = frozenset(
    {"html", "htm", "shtml", "shtm", "xhtml", "jhtml", "jsp", "jspx", "php", "asp", "aspx",
     "do", "action", "cgi", "pl", "xml", "json", "js", "css", "rss", "atom"}
)  # fmt: skip

#: Extensions a server plausibly serves. A dotted bare token whose last part is not one of
#: these (``el.url``, ``share.sina``) is a template binding, not a link.
SERVABLE_EXTENSIONS: frozenset[str] = (
    PAGE_EXTENSIONS | ATTACHMENT_EXTENSIONS | IMAGE_EXTENSIONS | MEDIA_EXTENSIONS
)

#: Top-level domains that make a bare ``www.x.gov.cn``-style token a (mistyped) host name:
#: such an href is a real, broken link for users, not a template binding.
HOSTLIKE_TLDS: frozenset[str] = frozenset({"cn", "com", "net", "org", "gov", "edu", "hk", "mo"})

#: Schemes the crawler can fetch. Links with other schemes are recorded but never fetched:
#: ``mailto:``, ``tel:``, ``ftp:``, ``weixin:`` ... as not checked, ``file:`` and Windows drive
#: paths (``C:\\...``: one-letter "schemes") as invalid; ``NOT_LINK_SCHEMES`` are no links.
FETCHABLE_SCHEMES: frozenset[str] = frozenset({"http", "https"})
#: Schemes that run code or carry data inline: no target anybody could check.
NOT_LINK_SCHEMES: frozenset[str] = frozenset({"javascript", "vbscript", "data", "about", "blob"})
#: Schemes no visitor of a public page can follow (an editor's local file).
BROKEN_SCHEMES: frozenset[str] = frozenset({"file"})

#: Bare identifiers that are JavaScript values, never paths.
JS_WORDS: frozenset[str] = frozenset(
    {"undefined", "null", "true", "false", "nan", "void", "this", "none", "javascript"}
)

DEFAULT_PORTS: dict[str, str] = {"http": "80", "https": "443"}

#: Size of the memo caches: site-wide navigation repeats on every page of a site.
CACHE_SIZE = 1 << 15

# --- compiled patterns -------------------------------------------------------------------

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_EMPTY_AUTHORITY_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[/\\]{2,}(?:[/\\?#]|$)")
# http(s), a non-empty host (name or [IPv6]), an optional numeric port, then path/query/end.
_FETCHABLE_URL_RE = re.compile(
    r"^https?://(?:[^/?#@]*@)?(?P<host>\[[0-9A-Fa-f:.]+\]|[^/?#:@\[\]]+)(?::(?P<port>\d{1,5}))?"
    r"(?:[/?]|$)"
)
# A host name as normalize_url leaves it (lowercase, IDNA): labels of letters, digits, - and _
# (seen on real intranet hosts), none empty; one final dot allowed.
_HOST_NAME_RE = re.compile(r"^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$")
_TAB_NEWLINE_RE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(chr(i) for i in range(0x21))
_ESCAPE_RE = re.compile(r"%([0-9A-Fa-f]{2})")
_HOSTPORT_RE = re.compile(r"^(\[[^\]]*\]|[^:]*)(?::(\d*))?$")
_IDENT_CHAIN_RE = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
_CAMEL_RE = re.compile(r"[a-z][A-Z]")
_JS_CALL_RE = re.compile(r"^[A-Za-z_$][\w$.]*\(.*\)$")
# Unrendered template syntax ({{x}}, ${x}, <%=x%>, {$x}, @{x}, [[x]], {id}) and the remains of
# JavaScript string concatenation ("'+url+'").
_TEMPLATE_RE = re.compile(
    r"\{\{|\}\}|\$\{|<%|%>|\{\$|@\{|\[\[|\]\]|\{[A-Za-z_][\w.]*\}|['\"]\s*\+|\+\s*['\"]"
)
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


#: Session identifiers that servers put into URLs: the same page under a new URL on every
#: visit (a crawl trap). Removed from paths (``;jsessionid=...``) and queries. Only names that are
#: never anything but a session id: ``sid`` is a site id on gkmlpt, so it stays.
SESSION_PARAMS: frozenset[str] = frozenset(
    {"jsessionid", "phpsessid", "aspsessionid", "cfid", "cftoken", "sessionid", "session_id"}
)
_SESSION_IN_PATH = re.compile(r";(jsessionid|phpsessid|sessionid)=[^/?#;]*", re.IGNORECASE)

# --- normalisation -----------------------------------------------------------------------


def normalize_url(url: str, encoding: str = "utf-8") -> str:
    """Canonical form of an absolute URL.

    Lowercases scheme and host (IDNA for non-ASCII hosts), drops default ports, the fragment and
    an empty ``?``, percent-encodes non-ASCII (path as UTF-8, query in ``encoding``, which is
    what browsers do on a GBK page), uppercases escapes and decodes escaped unreserved
    characters, resolves ``.``/``..`` segments, and makes an empty path ``/``. Query order is
    kept. Never raises: a URL that cannot be parsed is returned stripped.
    """
    return _normalize(url.strip(_C0_AND_SPACE), encoding)


@lru_cache(maxsize=CACHE_SIZE)
def _normalize(url: str, encoding: str) -> str:
    try:
        safe = safe_url_string(url, encoding=encoding)
        parts = urlsplit(safe)
    except (ValueError, UnicodeError, LookupError):
        return url
    scheme = parts.scheme.lower()
    netloc = _normalize_netloc(parts.netloc, scheme)
    path = _normalize_escapes(_SESSION_IN_PATH.sub("", parts.path))
    if netloc or scheme in DEFAULT_PORTS:
        path = _remove_dot_segments(path) or "/"
    query = _normalize_escapes(_drop_session_params(parts.query))
    return urlunsplit((scheme, netloc, path, query, ""))


def _drop_session_params(query: str) -> str:
    if not query:
        return query
    kept = [
        pair
        for pair in query.split("&")
        if pair.partition("=")[0].lower() not in SESSION_PARAMS
        and not pair.lower().startswith("aspsessionid")
    ]
    return "&".join(kept)


def _normalize_netloc(netloc: str, scheme: str) -> str:
    userinfo, at, hostport = netloc.rpartition("@")
    hostport = hostport.lower()
    match = _HOSTPORT_RE.match(hostport)
    if match:
        host, port = match.group(1), match.group(2)
        if port is not None:
            port = port.lstrip("0") or ("0" if port else "")
        keep_port = port and port != DEFAULT_PORTS.get(scheme)
        hostport = f"{host}:{port}" if keep_port else host
    return f"{userinfo}{at}{hostport}"


def _normalize_escapes(text: str) -> str:
    if "%" not in text:
        return text
    return _ESCAPE_RE.sub(_fix_escape, text)


def _fix_escape(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 for an absolute path; empty segments (``//``) are kept."""
    if "." not in path:
        return path
    segments = path.split("/")
    if not any(seg in (".", "..") for seg in segments):
        return path
    out: list[str] = []
    for seg in segments[1:]:
        if seg == ".":
            continue
        if seg == "..":
            if out:
                out.pop()
            continue
        out.append(seg)
    resolved = "/" + "/".join(out)
    if segments[-1] in (".", "..") and not resolved.endswith("/"):
        resolved += "/"
    return resolved


# --- joining -----------------------------------------------------------------------------

#: ``Target.problem`` values: a reference no browser can follow, and a non-HTTP scheme.
INVALID = "invalid"
OTHER_SCHEME = "scheme"
#: Longest text kept for a reference that is not a fetchable URL (the store's URL columns).
MAX_TEXT = 2048


@dataclass(frozen=True, slots=True)
class Target:
    """Where a reference written on a page points.

    ``problem`` None: ``url`` is the absolute, normalised http(s) URL. ``INVALID``: no browser
    can follow it (``http://``, ``http://localhost]``, ``file:``, ``C:\\a.doc``); ``url`` is the
    text as written, made absolute where joining still worked. ``OTHER_SCHEME``: ``mailto:``,
    ``tel:``, ``ftp:`` ...; ``url`` is the text as written with the scheme lowercased.
    ``fragment`` is the fragment as written ('' when there is none); ``url`` never has one.
    """

    url: str
    problem: str | None = None
    fragment: str = ""


def clean_reference(href: str) -> str:
    """An attribute value as browsers read it: outer spaces and controls off, no tabs/newlines."""
    ref = href.strip(_C0_AND_SPACE)
    if "\t" in ref or "\n" in ref or "\r" in ref:
        ref = _TAB_NEWLINE_RE.sub("", ref)
    return ref


def classify(
    base: str, href: str | None, encoding: str = "utf-8", *, script: bool = False
) -> Target | None:
    """What ``href`` written on a page at ``base`` points to; None when it is no link at all.

    Not links: empty values, same-page fragments (``#x``: the caller decides about anchors),
    ``javascript:``/``data:``/``about:`` and unrendered template syntax (``{{x}}``, ``${x}``,
    ``<%=x%>``). ``script``: the value is a string literal found in script code, where bare
    JavaScript identifiers and calls (``el.url``, ``logoutUrl``, ``openWin(1)``) are not
    links either; in an ``href``/``src`` attribute they are (a browser follows them). Never
    raises.
    """
    if not href:
        return None
    ref = clean_reference(href)
    if not ref or ref[0] == "#":
        return None
    # Memo keys independent of the page where possible: site-wide header/footer links are
    # absolute or root-relative and repeat on every page.
    if ref[:8].lower().startswith(("http://", "https://")):
        return _classify("", ref, encoding, script)
    if ref[0] == "/" and ref[1:2] not in ("/", "\\"):
        return _classify(_origin(base), ref, encoding, script)
    return _classify(base, ref, encoding, script)


def resolve(base: str, href: str | None, encoding: str = "utf-8") -> str | None:
    """Absolute, normalised URL for ``href`` as written on a page at ``base``, if fetchable.

    Removes tabs/newlines anywhere and surrounding spaces (as browsers do), treats ``\\`` as
    ``/`` in the path. Returns None for same-page fragments and empty hrefs, for non-HTTP
    schemes (javascript:, mailto:, tel:, data:, about:, ...), for template pseudo-links
    (``el.url``, ``{{x}}``, ``${x}``, ``logoutUrl``) and for invalid URLs (see :func:`classify`,
    which tells these apart).
    """
    target = classify(base, href, encoding, script=True)
    return target.url if target is not None and target.problem is None else None


@lru_cache(maxsize=CACHE_SIZE)
def _origin(base: str) -> str:
    try:
        parts = urlsplit(base)
    except ValueError:
        return base
    return urlunsplit((parts.scheme, parts.netloc, "/", "", ""))


@lru_cache(maxsize=CACHE_SIZE)
def _classify(base: str, ref: str, encoding: str, script: bool) -> Target | None:
    fragment = ref.partition("#")[2]
    scheme = _SCHEME_RE.match(ref)
    if scheme:
        name = scheme.group(1).lower()
        if name in NOT_LINK_SCHEMES:
            return None
        if name not in FETCHABLE_SCHEMES:
            problem = INVALID if name in BROKEN_SCHEMES or len(name) == 1 else OTHER_SCHEME
            return Target(_text(name + ref[len(name) :]), problem, fragment)
        if _EMPTY_AUTHORITY_RE.match(ref):
            # "http://" or "http:///x": browsers reject these; joining would not.
            return Target(_text(ref), INVALID, fragment)
    elif is_pseudo_link(ref) if script else bool(_TEMPLATE_RE.search(ref)):
        return None
    fixed = _fix_backslashes(ref)
    try:
        joined = urljoin(base, fixed) if base else fixed
    except ValueError:  # "http://localhost]", "//[::1": the host cannot be parsed
        if ref.startswith("//") and base:
            fixed = base.partition(":")[0] + ":" + fixed
        return Target(_text(fixed), INVALID, fragment)
    url = normalize_url(joined, encoding)
    if not is_fetchable(url):
        return Target(_text(joined), INVALID, fragment)
    return Target(url, None, fragment)


def _text(ref: str) -> str:
    return ref.partition("#")[0][:MAX_TEXT]


def is_fetchable(url: str) -> bool:
    """True for an http(s) URL with a valid host and port (what a request can be made for)."""
    match = _FETCHABLE_URL_RE.match(url)
    if match is None:
        return False
    port = match.group("port")
    if port is not None and int(port) > 65535:
        return False
    host = match.group("host")
    return host.startswith("[") or bool(_HOST_NAME_RE.match(host))


def unfetchable_problem(url: str) -> str | None:
    """Why no request can be made for a recorded link target: None (it can), ``OTHER_SCHEME``
    (``mailto:`` ...) or ``INVALID``; from the stored text alone (a resumed run has no more)."""
    if is_fetchable(url):
        return None
    scheme = _SCHEME_RE.match(url)
    name = scheme.group(1).lower() if scheme else ""
    if len(name) > 1 and name not in FETCHABLE_SCHEMES and name not in BROKEN_SCHEMES:
        return OTHER_SCHEME
    return INVALID


def join_url(base: str, ref: str) -> str:
    """``urljoin`` that never raises: a reference that cannot be joined is returned as written.

    For the page analysers (lists, breadcrumbs, navigation): one malformed ``href`` must never
    cost the page (``urljoin`` raises ``ValueError`` on ``http://localhost]``).
    """
    try:
        return urljoin(base, ref)
    except ValueError:
        return ref


def split_url(url: str) -> SplitResult:
    """``urlsplit`` that never raises: what cannot be split is all path, with no host."""
    try:
        return urlsplit(url)
    except ValueError:
        return SplitResult("", "", url, "", "")


def _fix_backslashes(ref: str) -> str:
    if "\\" not in ref:
        return ref
    cut = len(ref)
    for mark in ("?", "#"):
        pos = ref.find(mark)
        if pos != -1:
            cut = min(cut, pos)
    return ref[:cut].replace("\\", "/") + ref[cut:]


def is_pseudo_link(ref: str) -> bool:
    """True for scheme-less hrefs that are template bindings rather than URLs.

    Conservative on purpose: real relative links (``index_1.html``, ``../``,
    ``t20210220_1.html``, ``list.jsp?id=1``, ``news``) are kept; only unrendered template
    syntax, JavaScript identifiers (``el.url``, ``share.sina``, ``logoutUrl``) and call
    expressions are rejected. A mistyped host (``www.gov.cn``) is kept: it is a real broken
    link for users.
    """
    if _TEMPLATE_RE.search(ref):
        return True
    if _JS_CALL_RE.match(ref):
        return True
    if not _IDENT_CHAIN_RE.match(ref):
        return False
    parts = ref.split(".")
    if len(parts) == 1:
        return bool("$" in ref or _CAMEL_RE.search(ref) or ref.lower() in JS_WORDS)
    last = parts[-1].lower()
    if last in SERVABLE_EXTENSIONS:
        return False
    hostlike = parts[0].lower() == "www" or (len(parts) >= 3 and last in HOSTLIKE_TLDS)
    return not hostlike


# --- classification ----------------------------------------------------------------------


def host_key(url: str) -> str:
    """``scheme://host[:port]`` of a URL (default port dropped), for politeness and scope."""
    normalized = normalize_url(url)
    try:
        parts = urlsplit(normalized)
    except ValueError:
        return normalized
    hostport = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{hostport}"


def url_extension(url: str) -> str:
    """Lowercased extension of the last path segment ('' when there is none)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return ""
    return _extension(path)


def _extension(path: str) -> str:
    name = path.rpartition("/")[2]
    if "%" in name:
        name = unquote(name)
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem:
        return ""
    return ext.lower()


@lru_cache(maxsize=CACHE_SIZE)
def is_attachment(url: str) -> bool:
    """True when the URL names a downloadable document, by extension.

    Looks at the path, then at query values (``downfile.jsp?filename=a.pdf``).
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if _extension(parts.path) in ATTACHMENT_EXTENSIONS:
        return True
    if not parts.query:
        return False
    for pair in parts.query.split("&"):
        value = pair.partition("=")[2]
        if value and _extension(value.split("#")[0]) in ATTACHMENT_EXTENSIONS:
            return True
    return False


@lru_cache(maxsize=CACHE_SIZE)
def link_kind_by_extension(url: str) -> str | None:
    """'attachment', 'image' or 'media' when the extension says so, else None."""
    if is_attachment(url):
        return "attachment"
    ext = url_extension(url)
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in MEDIA_EXTENSIONS:
        return "media"
    return None
