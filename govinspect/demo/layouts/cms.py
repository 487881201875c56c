"""CMS list machinery: pagers, Hanweb ``<datastore>`` lists and ``dataproxy.jsp``, the TRS 海云
"动态" list filled from a JSON API (the endpoints answer from the same model)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from govinspect.demo.layouts.markup import anchor, esc, href, record
from govinspect.demo.layouts.model import Column, Site, pager_of

HANWEB_DATAPROXY = "/module/web/jpage/dataproxy.jsp"


LIST_API = "/api/list.jsp"


def _pager_file(path: str) -> tuple[str, str]:
    """(prefix, extension) of a TRS page series from its first page."""
    name = path.rsplit("/", 1)[1] or "index.html"
    stem, _, ext = name.partition(".")
    return stem, ext


def pager(site: Site, here: str, col: Column, n: int) -> str:
    count = len(col.pages)
    kind = pager_of(site, col)
    if count < 2 or kind not in ("numbered", "trs_create", "next_only", "js"):
        return ""
    if kind == "trs_create":
        prefix, ext = _pager_file(col.pages[0] if col.pages[0].endswith("html") else "/index.html")
        return (
            f'<div class="page"><script>createPageHTML({count}, {n}, "{prefix}", "{ext}");'
            "</script></div>"
        )

    def link(target: str, text: str) -> str:
        if kind == "js":
            url = esc(href(site, here, target))
            return f'<a href="javascript:void(0);" onclick="location.href=\'{url}\'">{text}</a>'
        return anchor(site, here, target, text)

    parts = []
    if n > 0:
        parts.append(link(col.pages[n - 1], "上一页"))
    if kind in ("numbered", "js"):
        parts += [
            link(p, str(i + 1)) if i != n else f"<span>{i + 1}</span>"
            for i, p in enumerate(col.pages)
        ]
    if n < count - 1:
        parts.append(link(col.pages[n + 1], "下一页"))
    total = f"<span>共{len(col.items)}条</span> " if kind == "numbered" else ""
    return f'<div class="pagination">{total}{" ".join(parts)}</div>'


def api_list_html(site: Site, col: Column) -> str:
    """TRS 海云 quickMode "动态": an empty list bound by script, filled from the JSON API."""
    return (
        '<ul class="list" ms-controller="list"><li ms-repeat-el="list">'
        '<a ms-attr-href="el.docpuburl">{{el.doctitle}}</a><span>{{el.docreltime}}</span></li>'
        "</ul>\n<script>\nrequire(['list2.trsapi'], function(listModel){\n  listModel({\n"
        '    quickMode: "动态",\n'
        f'    listArgs: {{ channelid: {col.cid}, sortfield: "-docreltime" }},\n'
        f'    listApi: {{ url: "{LIST_API}" }},\n'
        f"    pagebar: {{ prepage: {col.page_size}, recordCount: '{len(col.items)}' }}\n"
        "  });\n});\n</script>\n"
    )


def datastore_xml(site: Site, col: Column, start: int, end: int) -> str:
    here = col.path
    records = "".join(
        f"<record><![CDATA[{_wrap_record(site, record(site, here, i))}]]></record>"
        for i in col.items[start:end]
    )
    nxt = ""
    if end < len(col.items):
        group = end // col.page_size + 1
        nxt = f'<a href="{HANWEB_DATAPROXY}?{_proxy_query(col, group)}"></a>'
    pages = max(1, -(-len(col.items) // col.page_size))
    return (
        f"<datastore><totalrecord>{len(col.items)}</totalrecord><totalpage>{pages}</totalpage>"
        f"<nextgroup><![CDATA[{nxt}]]></nextgroup><recordset>{records}</recordset></datastore>"
    )


def _wrap_record(site: Site, row: str) -> str:
    # A CDATA record is parsed as a fragment: rows need their table, as Hanweb prints them.
    return f"<table>{row}</table>" if site.family.markup == "table" else row


def _proxy_query(col: Column, group: int) -> str:
    return (
        f"col=1&appid=1&webid=1&path=/&columnid={col.cid}&sourceContentType=1"
        f"&unitid=unit{col.cid}&webname=site&permissiontype=0&page={group}"
    )


def hanweb_list_html(site: Site, col: Column) -> str:
    store = datastore_xml(site, col, 0, col.page_size)
    return (
        f'<div class="default_pgContainer" id="unit{col.cid}">'
        f'<script type="text/xml">{store}</script></div>\n'
        '<script type="text/javascript">$(document).ready(function(){'
        f"$('#unit{col.cid}').jpage({{dataStore: dataStore, perPage: {col.page_size}, "
        f"groupSize: 1, proxyUrl: '{HANWEB_DATAPROXY}', "
        f"ajaxParam: {{col: 1, appid: 1, webid: 1, path: '/', columnid: {col.cid}, "
        f"sourceContentType: 1, unitid: 'unit{col.cid}', webname: 'site', permissiontype: 0}}}});"
        "});</script>\n"
    )


def _params(query: str, form: str) -> dict[str, str]:
    return {k: v[-1] for k, v in {**parse_qs(query), **parse_qs(form)}.items()}


def dataproxy(site: Site, query: str, form: str) -> tuple[int, str]:
    """Hanweb ``dataproxy.jsp``: GET ``page=N`` or POST ``startrecord/endrecord``."""
    params = _params(query, form)
    col = next((c for c in site.columns if str(c.cid) == params.get("columnid")), None)
    if col is None:
        return 404, "<datastore><totalrecord>0</totalrecord></datastore>"
    try:
        if "startrecord" in params:
            start = max(1, int(params["startrecord"])) - 1
            end = int(params.get("endrecord", str(start + col.page_size)))
        else:
            group = max(1, int(params.get("page", "1")))
            start, end = (group - 1) * col.page_size, group * col.page_size
    except ValueError:
        return 400, "<datastore><totalrecord>0</totalrecord></datastore>"
    end = min(end, len(col.items))
    return 200, '<?xml version="1.0" encoding="UTF-8"?>' + datastore_xml(site, col, start, end)


def list_api(site: Site, query: str, form: str) -> tuple[int, str]:
    """The JSON list API of a script-filled column: ``?channelid=&page=&prepage=``."""
    params = _params(query, form)
    col = next((c for c in site.columns if c.api and str(c.cid) == params.get("channelid")), None)
    if col is None:
        return 404, json.dumps({"code": 404})
    try:
        page = max(1, int(params.get("page", "1")))
        per = max(1, int(params.get("prepage", str(col.page_size))))
    except ValueError:
        return 400, json.dumps({"code": 400})
    chunk = col.items[(page - 1) * per : page * per]
    data = {
        "recordCount": len(col.items),
        "pageCount": max(1, -(-len(col.items) // per)),
        "list": [
            {"doctitle": i.title, "docpuburl": i.path, "docreltime": f"{i.date} 09:30:00"}
            for i in chunk
        ],
    }
    return 200, json.dumps({"code": 200, "data": data}, ensure_ascii=False)
