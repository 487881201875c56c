"""Parsers for the list-page structures of the common government CMS families.

Each parser reads raw page text (no DOM, no network) and returns a plain dataclass, so the
crawler can see pages that are not reachable through ``<a>`` links: TRS ``createPageHTML``
pagination, TRS 海云 ``listModel`` script lists, Hanweb ``<datastore>`` records and its
``dataproxy.jsp`` paging, Hanweb jpaas ``buildstatic`` units and Guangdong ``gkmlpt``.
The structures are described in the shared reference ``cms-patterns.md``. All regexes of this
concern live in this module.
"""

from __future__ import annotations

import html as html_lib
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlunsplit

from govinspect.crawler.page import ParsedPage
from govinspect.crawler.urls import PAGE_EXTENSIONS, join_url, normalize_url, resolve, split_url

# --- data ----------------------------------------------------------------------------------

#: Upper bound on pages a pager may imply; guards against garbage counts in templates.
MAX_IMPLIED_PAGES = 10_000
#: Hanweb jpage defaults when the page does not state them (jpage plugin defaults).
HANWEB_DEFAULT_PER_PAGE = 20
HANWEB_DEFAULT_GROUP_SIZE = 3
HANWEB_DEFAULT_PROXY_PATH = "/module/web/jpage/dataproxy.jsp"
#: Parameters of a Hanweb dataproxy request, in the order real pages send them.
HANWEB_PROXY_KEYS = (
    "col", "appid", "webid", "path", "columnid", "sourceContentType", "unitid", "webname",
    "permissiontype",
)  # fmt: skip
#: How far after a ``<datastore>`` its jpage configuration is looked for.
HANWEB_CONFIG_WINDOW = 6000
#: Page size used to build jpaas API URLs when the page states none.
JPAAS_DEFAULT_PAGE_SIZE = 50
TRS_QUICK_MODE_DYNAMIC = "动态"
TRS_QUICK_MODE_MIXED = "动静结合"
#: Recursion limit of the small JavaScript literal reader.
_JS_MAX_DEPTH = 8
#: Longest object literal the JavaScript reader scans (characters).
_JS_MAX_SCAN = 50_000

# --- regexes -------------------------------------------------------------------------------

_CREATE_PAGE_RE = re.compile(r"createPageHTML\s*\(([^()]*)\)")
_FUNCTION_TAIL_RE = re.compile(r"function\s*$")
_INT_RE = re.compile(r"^[+-]?\d+$")
_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")
_IDENT_RE = re.compile(r"^[A-Za-z_$][\w$]*$")
_DOTTED_RE = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")
_COUNT_PAGE_RE = re.compile(r"\b(?:var|let|const)\s+countPage\s*=\s*(\d+)")
_CURRENT_PAGE_RE = re.compile(r"\b(?:var|let|const)\s+currentPage\s*=\s*(\d+)")
_PAGER_EXT_HINT_RE = re.compile(r"""_["']\s*\+[^;\n]{0,60}?["']\.?(s?html?|jsp|php|aspx?)["']""")
_PAGE_NAME_RE = re.compile(r"^(?P<stem>.+?)(?:_(?P<num>\d+))?\.(?P<ext>[A-Za-z0-9]+)$")

_DATASTORE_RE = re.compile(r"<datastore\b[^>]*>(.*?)</datastore\s*>", re.S | re.I)
_TOTALRECORD_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_TOTALPAGE_RE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_NEXTGROUP_RE = re.compile(r"<nextgroup\b[^>]*>(.*?)</nextgroup\s*>", re.S | re.I)
_RECORD_RE = re.compile(r"<record\b[^>]*>(.*?)</record\s*>", re.S | re.I)
_CDATA_RE = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_HREF_RE = re.compile(r"""\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_HANWEB_KV_RE = re.compile(
    r"""\b(perPage|perpage|totalRecord|groupSize|proxyUrl|col|appid|webid|path|columnid|"""
    r"""sourceContentType|unitid|webname|permissiontype)\s*:\s*"""
    r"""(?:'([^'\n]*)'|"([^"\n]*)"|([\w./\-]+))"""
)

_JPAGE_CALL_RE = re.compile(r"\.jpage\s*\(\s*\{")
_JPAGE_STORE_VAR_RE = re.compile(r"\bdataStore\s*:\s*([A-Za-z_$][\w$]*)")

_LIST_MODEL_RE = re.compile(r"\blistModel\s*\(\s*\{")
_JS_VAR_OBJECT_RE = re.compile(r"(?:\b(?:var|let|const)\s+|\bwindow\.)([A-Za-z_$][\w$]*)\s*=\s*\{")
_JS_KEY_RE = re.compile(r"[A-Za-z_$][\w$]*|\d+")

_JPAAS_SCRIPT_RE = re.compile(
    r"<script\b[^>]*\bparse[Tt]ype\s*=\s*['\"]?(?:buildstatic|bulidstatic)\b[^>]*>", re.I
)
_ATTR_RE = re.compile(r"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")

_GKMLPT_SID_RE = re.compile(r"""\bSID\s*[:=]\s*['"]?(\d+)""")
_GKMLPT_COLUMN_RE = re.compile(r"""gkmlpt/[\w/]*#(\d+)""")

# --- small JavaScript literal reader --------------------------------------------------------
# CMS templates configure their list scripts with object literals that mix literals, references
# to other objects (``pageChnlInfo.recordCount``) and defaults (``x || 15``). This reader keeps
# each value as raw text and evaluates it on demand; functions and arrays stay raw.


def _skip_blank(text: str, i: int) -> int:
    n = len(text)
    while i < n:
        ch = text[i]
        if ch.isspace() or ch == "\ufeff":
            i += 1
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end == -1 else end + 2
        else:
            break
    return i


def _skip_string(text: str, i: int) -> int:
    quote = text[i]
    n = len(text)
    i += 1
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == quote:
            return i + 1
        if ch == "\n" and quote != "`":
            return i  # unterminated literal: stop at the line end
        i += 1
    return n


def _scan_value(text: str, i: int, limit: int) -> tuple[str, int]:
    """Raw text of one value, up to a top-level ``,`` or closing bracket; comments removed."""
    pieces: list[str] = []
    start = i
    depth = 0
    while i < limit:
        ch = text[i]
        if ch in "\"'`":
            i = _skip_string(text, i)
            continue
        if ch == "/" and text.startswith(("//", "/*"), i):
            pieces.append(text[start:i])
            i = _skip_blank(text, i)
            start = i
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                break
            depth -= 1
        elif ch == "," and depth == 0:
            break
        i += 1
    pieces.append(text[start:i])
    return "".join(pieces).strip(), i


def _parse_object(text: str, i: int, depth: int = 0) -> tuple[dict[str, Any], int]:
    """Parse the object literal starting at ``text[i] == '{'``; values are raw strings or dicts."""
    obj: dict[str, Any] = {}
    limit = min(len(text), i + _JS_MAX_SCAN)
    i += 1
    while True:
        i = _skip_blank(text, i)
        if i >= limit:
            return obj, limit
        ch = text[i]
        if ch == "}":
            return obj, i + 1
        if ch == ",":
            i += 1
            continue
        if ch in "\"'":
            end = _skip_string(text, i)
            key = text[i + 1 : end - 1]
            i = end
        else:
            match = _JS_KEY_RE.match(text, i)
            if not match:  # spread element or other syntax: skip to the next member
                _, end = _scan_value(text, i, limit)
                i = end if end > i else i + 1
                continue
            key = match.group(0)
            i = match.end()
        i = _skip_blank(text, i)
        if i >= limit or text[i] != ":":
            _, i = _scan_value(text, i, limit)  # shorthand property or method definition
            continue
        i = _skip_blank(text, i + 1)
        if i < limit and text[i] == "{" and depth < _JS_MAX_DEPTH:
            value, i = _parse_object(text, i, depth + 1)
        else:
            value, i = _scan_value(text, i, limit)
        obj[key] = value


def _strip_comments(text: str) -> str:
    """JavaScript source without its comments (string literals left intact)."""
    if "/" not in text:
        return text
    pieces: list[str] = []
    start = i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'`":
            i = _skip_string(text, i)
            continue
        if ch == "/" and text.startswith(("//", "/*"), i):
            pieces.append(text[start:i])
            i = _skip_blank(text, i)
            start = i
            continue
        i += 1
    pieces.append(text[start:])
    return " ".join(pieces)


def _closing_bracket(text: str, i: int, limit: int) -> int:
    """Index of the bracket closing the one at ``text[i]`` (``limit`` if unbalanced)."""
    depth = 0
    while i < limit:
        ch = text[i]
        if ch in "\"'`":
            i = _skip_string(text, i)
            continue
        if ch == "/" and text.startswith(("//", "/*"), i):
            i = _skip_blank(text, i)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return limit


def _split_top(raw: str, sep: str) -> list[str]:
    parts: list[str] = []
    start = i = 0
    depth = 0
    n = len(raw)
    while i < n:
        ch = raw[i]
        if ch in "\"'`":
            i = _skip_string(raw, i)
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and raw.startswith(sep, i):
            parts.append(raw[start:i])
            i += len(sep)
            start = i
            continue
        i += 1
    parts.append(raw[start:])
    return [part.strip() for part in parts]


def _js_eval(raw: Any, env: dict[str, Any], depth: int = 0) -> Any:
    """Value of a simple JS expression: literals, dotted references into ``env``, ``a || b``."""
    if isinstance(raw, dict):
        return {key: _js_eval(value, env, depth + 1) for key, value in raw.items()}
    if not isinstance(raw, str) or depth > _JS_MAX_DEPTH:
        return None
    value: Any = None
    for alternative in _split_top(raw, "||"):
        value = _js_literal(alternative, env, depth)
        if value not in (None, "", 0, False):
            return value
    return value


def _js_literal(expr: str, env: dict[str, Any], depth: int) -> Any:
    if len(expr) >= 2 and expr[0] in "\"'`" and expr[-1] == expr[0]:
        return _js_unescape(expr[1:-1])
    if _NUMBER_RE.match(expr):
        return int(expr) if _INT_RE.match(expr) else float(expr)
    constants = {"true": True, "false": False, "null": None, "undefined": None}
    if expr in constants:
        return constants[expr]
    if _DOTTED_RE.match(expr):
        target: Any = env
        for name in expr.split("."):
            if not isinstance(target, dict) or name not in target:
                return None
            target = target[name]
        return _js_eval(target, env, depth + 1)
    return None


def _js_unescape(body: str) -> str:
    if "\\" not in body:
        return body
    try:
        return json.loads('"' + body.replace('"', '\\"').replace("\\'", "'") + '"')
    except ValueError:
        return body.replace("\\", "")


def _js_objects(text: str) -> dict[str, Any]:
    """Top-level ``var NAME = {...}`` objects of a page, as raw value trees."""
    env: dict[str, Any] = {}
    for match in _JS_VAR_OBJECT_RE.finditer(text):
        obj, _ = _parse_object(text, match.end() - 1)
        env.setdefault(match.group(1), obj)
    return env


def _to_int(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    text = str(value).strip()
    return int(text) if _INT_RE.match(text) else None


# --- TRS WCM createPageHTML pagination --------------------------------------------------------


@dataclass(slots=True)
class TrsPager:
    """A TRS list series: every page of it, absolute and normalised.

    ``form`` is ``classic`` (``createPageHTML(count, index0, name, ext)``), ``six_arg``
    (``createPageHTML(div, count, page1, name, ext, records)``) or ``count_var``
    (``var countPage = N``). ``zero_based_suffix`` tells the file numbering:
    True → page i (0-based) is ``name_i.ext``; False → page N (1-based) is ``name_N.ext``.
    """

    form: str
    page_count: int
    current_page: int
    prefix: str
    ext: str
    zero_based_suffix: bool
    record_count: int | None = None
    page_urls: list[str] = field(default_factory=list)


def trs_pagination(html: str, page_url: str) -> TrsPager | None:
    """Parse TRS ``createPageHTML(...)`` (both forms) or ``var countPage = N``; None if absent."""
    if "createPageHTML" in html:
        for match in _CREATE_PAGE_RE.finditer(html):
            if _FUNCTION_TAIL_RE.search(html, max(0, match.start() - 20), match.start()):
                continue  # the pager's own definition, not a call
            pager = _pager_from_call(match.group(1), html, page_url)
            if pager is not None:
                return pager
    if "countPage" in html:
        return _pager_from_count_var(html, page_url)
    return None


def _call_args(arg_text: str, html: str) -> list[Any]:
    """Split call arguments on commas outside quotes and evaluate each."""
    tokens: list[str] = []
    start = i = 0
    while i < len(arg_text):
        ch = arg_text[i]
        if ch in "\"'":
            i = _skip_string(arg_text, i)
            continue
        if ch == ",":
            tokens.append(arg_text[start:i])
            start = i + 1
        i += 1
    tokens.append(arg_text[start:])
    return [_pager_arg(token, html) for token in tokens]


def _pager_arg(token: str, html: str) -> Any:
    token = token.strip()
    if len(token) >= 2 and token[0] in "\"'" and token[-1] == token[0]:
        return token[1:-1].strip()
    if _INT_RE.match(token):
        return int(token)
    if _IDENT_RE.match(token):
        match = _numeric_var_re(token).search(html)
        return int(match.group(1)) if match else None
    return None


@lru_cache(maxsize=64)
def _numeric_var_re(name: str) -> re.Pattern[str]:
    return re.compile(r"\b" + re.escape(name) + r"\s*=\s*(\d+)")


def _pager_from_call(arg_text: str, html: str, page_url: str) -> TrsPager | None:
    args = _call_args(arg_text, html)
    if len(args) >= 5 and isinstance(args[0], str) and not isinstance(args[1], str):
        count, current, prefix, ext = args[1], args[2], args[3], args[4]
        records = args[5] if len(args) > 5 and isinstance(args[5], int) else None
        form, index0 = "six_arg", (current - 1 if isinstance(current, int) else None)
    elif len(args) >= 4 and isinstance(args[0], int):
        count, current, prefix, ext = args[0], args[1], args[2], args[3]
        records = None
        form, index0 = "classic", current if isinstance(current, int) else None
    else:
        return None
    if not isinstance(count, int) or not _is_name(prefix) or not _is_name(ext):
        return None
    return _build_pager(form, count, index0, prefix, ext, records, page_url)


def _is_name(value: Any) -> bool:
    return isinstance(value, str) and bool(value) and "/" not in value and "$" not in value


def _pager_from_count_var(html: str, page_url: str) -> TrsPager | None:
    count_match = _COUNT_PAGE_RE.search(html)
    if not count_match:
        return None
    current_match = _CURRENT_PAGE_RE.search(html)
    ext_hint = _PAGER_EXT_HINT_RE.search(html)
    if current_match is None and ext_hint is None:
        return None  # a bare "countPage" is too common a name to trust alone
    name = split_url(page_url).path.rpartition("/")[2]
    parsed = _PAGE_NAME_RE.match(name)
    if parsed and parsed.group("ext").lower() in PAGE_EXTENSIONS:
        prefix, ext = parsed.group("stem"), parsed.group("ext")
    else:
        prefix, ext = "index", (ext_hint.group(1) if ext_hint else "html")
    index0 = int(current_match.group(1)) if current_match else None
    return _build_pager("count_var", int(count_match.group(1)), index0, prefix, ext, None, page_url)


def _build_pager(
    form: str,
    count: int,
    index0: int | None,
    prefix: str,
    ext: str,
    records: int | None,
    page_url: str,
) -> TrsPager:
    count = max(1, min(count, MAX_IMPLIED_PAGES))
    zero_based = form != "six_arg"
    # The page's own file name settles the numbering when it carries a suffix.
    parsed = _PAGE_NAME_RE.match(split_url(page_url).path.rpartition("/")[2])
    if parsed and parsed.group("num") and parsed.group("stem") == prefix and index0 is not None:
        suffix = int(parsed.group("num"))
        if suffix == index0:
            zero_based = True
        elif suffix == index0 + 1:
            zero_based = False
    if index0 is None:
        index0 = _index_from_name(parsed, prefix, zero_based)
    numbers = range(1, count) if zero_based else range(2, count + 1)
    names = [f"{prefix}.{ext}"] + [f"{prefix}_{n}.{ext}" for n in numbers]
    return TrsPager(
        form=form,
        page_count=count,
        current_page=index0 + 1,
        prefix=prefix,
        ext=ext,
        zero_based_suffix=zero_based,
        record_count=records,
        page_urls=[normalize_url(join_url(page_url, name)) for name in names],
    )


def _index_from_name(parsed: re.Match[str] | None, prefix: str, zero_based: bool) -> int:
    if parsed and parsed.group("num") and parsed.group("stem") == prefix:
        suffix = int(parsed.group("num"))
        return suffix if zero_based else suffix - 1
    return 0


# --- Hanweb (大汉) JCMS datastore and dataproxy ----------------------------------------------


@dataclass(slots=True)
class Datastore:
    """One Hanweb jpage unit: the records inlined in the page and how to fetch the rest."""

    records: list[str] = field(default_factory=list)
    total_records: int | None = None
    total_pages: int | None = None
    nextgroup: str | None = None
    proxy_url: str | None = None
    per_page: int | None = None
    group_size: int | None = None
    columnid: str | None = None
    unitid: str | None = None
    webid: str | None = None
    appid: str | None = None
    path: str | None = None
    webname: str | None = None
    permissiontype: str | None = None
    #: every dataproxy parameter seen (ajaxParam and the nextgroup query), first value wins
    params: dict[str, str] = field(default_factory=dict)

    @property
    def uses_get_paging(self) -> bool:
        """True when the page shows the GET ``dataproxy.jsp?page=N&...`` form."""
        return self.nextgroup is not None and "page" in _query_dict(self.nextgroup)


@dataclass(slots=True)
class ProxyRequest:
    """An HTTP request the crawler should send to get more list records."""

    method: str
    url: str
    body: dict[str, str] | None = None


def hanweb_datastores(html: str, page_url: str) -> list[Datastore]:
    """Every jpage unit of a Hanweb page, in page order.

    Reads the XML ``<datastore>`` form (JCMS) and the older form where the jpage call names a
    JavaScript array of record strings (``dataStore: InitData123`` + ``var InitData123 = [...]``).
    """
    stores: list[tuple[int, Datastore]] = []
    if "datastore" in html:
        matches = list(_DATASTORE_RE.finditer(html))
        for index, match in enumerate(matches):
            window_end = matches[index + 1].start() if index + 1 < len(matches) else len(html)
            window_end = min(window_end, match.end() + HANWEB_CONFIG_WINDOW)
            config = _hanweb_config(html[match.end() : window_end])
            if not config:
                config = _hanweb_config(html[: match.start()][-HANWEB_CONFIG_WINDOW:])
            stores.append((match.start(), _datastore(match.group(1), config, page_url)))
    if "jpage" in html and "dataStore" in html:
        stores.extend(_array_datastores(html, page_url))
    stores.sort(key=lambda item: item[0])
    return [store for _, store in stores]


def _array_datastores(html: str, page_url: str) -> list[tuple[int, Datastore]]:
    stores: list[tuple[int, Datastore]] = []
    for call in _JPAGE_CALL_RE.finditer(html):
        window = html[call.start() : call.start() + HANWEB_CONFIG_WINDOW]
        name = _JPAGE_STORE_VAR_RE.search(window)
        if not name:
            continue
        array = re.search(r"\b" + re.escape(name.group(1)) + r"\s*=\s*\[", html)
        if not array:
            continue  # e.g. the XML form, where the store is read from the DOM
        start = array.end() - 1
        end = _closing_bracket(html, start, min(len(html), start + _JS_MAX_SCAN))
        items = _split_top(_strip_comments(html[start + 1 : end]), ",")
        records = [_js_literal(item, {}, 0) for item in items]
        store = _datastore("", _hanweb_config(window), page_url)
        store.records = [r for r in records if isinstance(r, str) and r.strip()]
        stores.append((array.start(), store))
    return stores


def hanweb_datastore(html: str, page_url: str) -> Datastore | None:
    """The first ``<datastore>`` unit of a page (the column list on JCMS column pages)."""
    stores = hanweb_datastores(html, page_url)
    return stores[0] if stores else None


def _hanweb_config(text: str) -> dict[str, str]:
    config: dict[str, str] = {}
    for match in _HANWEB_KV_RE.finditer(text):
        key = match.group(1)
        value = next(g for g in match.groups()[1:] if g is not None)
        config.setdefault("perPage" if key == "perpage" else key, value)
    return config


def _datastore(body: str, config: dict[str, str], page_url: str) -> Datastore:
    records = [_cdata_text(m.group(1)) for m in _RECORD_RE.finditer(body)]
    store = Datastore(records=[r for r in records if r.strip()])
    total = _TOTALRECORD_RE.search(body)
    pages = _TOTALPAGE_RE.search(body)
    store.total_records = int(total.group(1)) if total else _to_int(config.get("totalRecord"))
    store.total_pages = int(pages.group(1)) if pages else None
    nextgroup = _NEXTGROUP_RE.search(body)
    if nextgroup:
        href = _HREF_RE.search(_cdata_text(nextgroup.group(1)))
        if href:
            raw = html_lib.unescape(next(g for g in href.groups() if g is not None)).strip()
            store.nextgroup = resolve(page_url, raw)
    store.per_page = _to_int(config.get("perPage"))
    store.group_size = _to_int(config.get("groupSize"))
    if config.get("proxyUrl"):
        store.proxy_url = resolve(page_url, config["proxyUrl"])
    elif store.nextgroup:
        parts = split_url(store.nextgroup)
        store.proxy_url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    params = {key: config[key] for key in HANWEB_PROXY_KEYS if key in config}
    if store.nextgroup:
        for key, value in _query_dict(store.nextgroup).items():
            params.setdefault(key, value)
    store.params = params
    for key in ("columnid", "unitid", "webid", "appid", "path", "webname", "permissiontype"):
        setattr(store, key, params.get(key))
    if store.total_pages is None and store.total_records is not None and store.per_page:
        store.total_pages = math.ceil(store.total_records / store.per_page)
    return store


def _cdata_text(text: str) -> str:
    sections = _CDATA_RE.findall(text)
    if sections:
        return "".join(sections)
    return html_lib.unescape(text.strip())


def _query_dict(url: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for key, value in parse_qsl(split_url(url).query, keep_blank_values=True):
        result.setdefault(key, value)
    return result


def hanweb_dataproxy_requests(ds: Datastore, page_url: str) -> list[ProxyRequest]:
    """Requests that fetch every further group of a Hanweb list.

    GET ``dataproxy.jsp?page=N&...`` (N from the nextgroup page to ``total_pages``) when the
    page shows that form; otherwise POST ``?startrecord=a&endrecord=b&perpage=p`` with the
    form body, from the first record not inlined up to ``total_records``. When the total is
    unknown only the next request is returned (its answer carries the total).
    """
    if ds.nextgroup and ds.uses_get_paging:
        return _get_requests(ds.nextgroup, ds.total_pages)
    if not ds.columnid:
        return []
    return _post_requests(ds, page_url)


def _get_requests(nextgroup: str, total_pages: int | None) -> list[ProxyRequest]:
    parts = split_url(nextgroup)
    # Rewrite only the page item, keeping the other items exactly as the site encoded them.
    items = parts.query.split("&")
    page_pos = next(i for i, item in enumerate(items) if item.partition("=")[0] == "page")
    first = _to_int(items[page_pos].partition("=")[2]) or 1
    last = min(total_pages or first, first + MAX_IMPLIED_PAGES - 1)
    requests: list[ProxyRequest] = []
    for page in range(first, last + 1):
        items[page_pos] = f"page={page}"
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(items), ""))
        requests.append(ProxyRequest("GET", url))
    return requests


def _post_requests(ds: Datastore, page_url: str) -> list[ProxyRequest]:
    per_page = ds.per_page or HANWEB_DEFAULT_PER_PAGE
    chunk = per_page * (ds.group_size or HANWEB_DEFAULT_GROUP_SIZE)
    proxy = ds.proxy_url or normalize_url(join_url(page_url, HANWEB_DEFAULT_PROXY_PATH))
    body = _post_body(ds)
    start = len(ds.records) + 1
    total = ds.total_records
    end_limit = total if total is not None else start + chunk - 1
    end_limit = min(end_limit, start + chunk * MAX_IMPLIED_PAGES - 1)
    requests: list[ProxyRequest] = []
    for first in range(start, end_limit + 1, chunk):
        last = min(first + chunk - 1, end_limit)
        query = urlencode({"startrecord": first, "endrecord": last, "perpage": per_page})
        requests.append(ProxyRequest("POST", f"{proxy}?{query}", dict(body)))
    return requests


def _post_body(ds: Datastore) -> dict[str, str]:
    defaults = {"col": "1", "appid": "1", "path": "/", "permissiontype": "0"}
    body: dict[str, str] = {}
    for key in HANWEB_PROXY_KEYS:
        value = ds.params.get(key, defaults.get(key))
        if value is not None:
            body[key] = str(value)
    return body


# --- TRS 海云 listModel ------------------------------------------------------------------------


@dataclass(slots=True)
class ListModel:
    """The ``listModel({...})`` configuration of a TRS 海云 list page.

    ``quick_mode`` "动静结合": the first page(s) are static HTML, later ones come from the API;
    "动态": the list is filled by script only, so an empty static list is NOT a blank column.
    """

    quick_mode: str | None
    max_static_index: int | None = None
    record_count: int | None = None
    per_page: int | None = None
    api_url: str | None = None
    list_args: dict[str, Any] = field(default_factory=dict)
    pagebar: dict[str, Any] = field(default_factory=dict)

    @property
    def script_filled(self) -> bool:
        """True when the static HTML carries no items by design (quickMode "动态")."""
        return self.quick_mode == TRS_QUICK_MODE_DYNAMIC

    @property
    def static_first_page(self) -> bool:
        """True when the static HTML holds the newest items (quickMode "动静结合")."""
        return self.quick_mode == TRS_QUICK_MODE_MIXED

    @property
    def page_count(self) -> int | None:
        if self.record_count is None or not self.per_page:
            return None
        return max(1, math.ceil(self.record_count / self.per_page))


def trs_list_model(html: str | ParsedPage, page_url: str | None = None) -> ListModel | None:
    """Read the TRS 海云 ``listModel({...})`` call of a list page; None when there is none.

    References such as ``pageChnlInfo.recordCount`` or ``SiteInfo.searchId`` are resolved
    against the page's ``var X = {...}`` objects; unresolvable values become None.  Read from
    the page's text (no parse).
    """
    if isinstance(html, ParsedPage):
        html = html.text
    if "listModel" not in html:
        return None
    match = _LIST_MODEL_RE.search(html)
    if not match:
        return None
    raw, _ = _parse_object(html, match.end() - 1)
    env = _js_objects(html)
    value = _js_eval(raw, env)
    pagebar = value.get("pagebar") if isinstance(value.get("pagebar"), dict) else {}
    list_args = value.get("listArgs") if isinstance(value.get("listArgs"), dict) else {}
    list_api = value.get("listApi") if isinstance(value.get("listApi"), dict) else {}
    api = list_api.get("url") or value.get("listUrl")
    api_url = str(api) if isinstance(api, str) and api else None
    if api_url and page_url:
        api_url = resolve(page_url, api_url)
    quick_mode = value.get("quickMode")
    return ListModel(
        quick_mode=str(quick_mode) if quick_mode else None,
        max_static_index=_to_int(value.get("maxStaticIndex")),
        record_count=_to_int(pagebar.get("recordCount", value.get("recordCount"))),
        per_page=_to_int(pagebar.get("prepage", value.get("prepage"))),
        api_url=api_url,
        list_args=list_args,
        pagebar=pagebar,
    )


# --- Hanweb jpaas buildstatic units ---------------------------------------------------------


@dataclass(slots=True)
class JpaasUnit:
    """A ``<script parseType="buildstatic" url=... querydata=...>`` list unit."""

    api_url: str
    query: dict[str, str]
    parse_type: str

    def page_url(self, page_no: int, page_size: int = JPAAS_DEFAULT_PAGE_SIZE) -> str:
        """API URL of one list page (``paramJson={"pageNo":N,"pageSize":S}``)."""
        params = dict(self.query)
        params["paramJson"] = json.dumps(
            {"pageNo": page_no, "pageSize": page_size}, separators=(",", ":")
        )
        joiner = "&" if split_url(self.api_url).query else "?"
        return normalize_url(self.api_url + joiner + urlencode(params))


def jpaas_units(html: str, page_url: str) -> list[JpaasUnit]:
    """Every jpaas ``buildstatic`` (also spelled ``bulidstatic``) unit of a page."""
    if "static" not in html:
        return []
    units: list[JpaasUnit] = []
    for match in _JPAAS_SCRIPT_RE.finditer(html):
        attrs = _tag_attributes(match.group(0))
        url = resolve(page_url, attrs.get("url"))
        if not url:
            continue
        units.append(
            JpaasUnit(
                api_url=url,
                query=_parse_querydata(attrs.get("querydata", "")),
                parse_type=attrs.get("parsetype", ""),
            )
        )
    return units


def _tag_attributes(tag: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    for match in _ATTR_RE.finditer(tag):
        value = next(g for g in match.groups()[1:] if g is not None)
        attrs.setdefault(match.group(1).lower(), html_lib.unescape(value))
    return attrs


def _parse_querydata(text: str) -> dict[str, str]:
    text = text.strip()
    if not text:
        return {}
    for candidate in (text, text.replace("'", '"')):
        try:
            data = json.loads(candidate)
        except ValueError:
            continue
        if isinstance(data, dict):
            return {str(k): _query_value(v) for k, v in data.items()}
    if text.startswith("{"):
        raw, _ = _parse_object(text, 0)
        return {k: _query_value(_js_eval(v, {})) for k, v in raw.items()}
    return {k: v for k, v in parse_qsl(text, keep_blank_values=True)}


def _query_value(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- Guangdong gkmlpt --------------------------------------------------------------------------


@dataclass(slots=True)
class Gkmlpt:
    """A Guangdong 政府信息公开目录 platform instance (``.../gkmlpt/``)."""

    base_url: str
    sid: str | None
    columns: list[str] = field(default_factory=list)

    @property
    def api_template(self) -> str:
        """``{column}`` and ``{page}`` placeholders; ``sid`` filled in when known."""
        return f"{self.base_url}api/all/{{column}}?page={{page}}&sid={self.sid or '{sid}'}"

    def api_url(self, column: str, page: int = 1) -> str:
        return self.api_template.format(column=column, page=page)


def gkmlpt_info(html: str, page_url: str) -> Gkmlpt | None:
    """Detect a gkmlpt UI page (URL under ``/gkmlpt/``); reads its ``SID`` and column ids."""
    parts = split_url(page_url)
    path = parts.path
    pos = path.find("/gkmlpt/")
    if pos == -1 and path.endswith("/gkmlpt"):
        pos = len(path) - len("/gkmlpt")
    if pos == -1:
        return None
    sid_match = _GKMLPT_SID_RE.search(html) if "SID" in html else None
    base_path = path[: pos + len("/gkmlpt/")]
    base_url = urlunsplit((parts.scheme, parts.netloc, base_path, "", ""))
    columns = list(dict.fromkeys(_GKMLPT_COLUMN_RE.findall(html)))
    if parts.fragment.isdigit() and parts.fragment not in columns:
        columns.insert(0, parts.fragment)
    return Gkmlpt(
        base_url=normalize_url(base_url),
        sid=sid_match.group(1) if sid_match else None,
        columns=columns,
    )
