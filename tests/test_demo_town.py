"""The demo town: every truth URL behaves as the manifest says, and the truth is complete.

All requests go to servers started here on 127.0.0.1 (plain http.client / sockets, no crawler).
"""

from __future__ import annotations

import http.client
import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import pytest
import yaml
from lxml import etree
from lxml import html as lxml_html
from w3lib.url import safe_url_string

from govinspect.crawler import columns
from govinspect.demo import AS_OF, DemoServer, build_town
from govinspect.demo.model import Urls
from govinspect.demo.truth import manifest as build_manifest
from govinspect.registry import parse_registry

SLOW = 0.3
HANG = 3.0
LITERAL = ("javascript:", "mailto:", "tel:", "#")
HTML_KINDS = {
    "home",
    "section",
    "list",
    "content",
    "article",
    "sitemap",
    "contact",
    "simple",
    "base_page",
}
FAKE_BASES = {
    "county": "http://127.0.0.1:1001/",
    "dept": "http://127.0.0.1:1002/",
    "modern": "http://127.0.0.1:1003/",
    "feeds": "http://127.0.0.1:1004/",
    "refused": "http://127.0.0.1:1005/",
}


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------
@dataclass
class Fetched:
    status: int
    headers: Message
    body: bytes
    elapsed: float = 0.0


def fetch(
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 5.0,
) -> Fetched:
    """One request, no redirect following."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    start = time.monotonic()
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Fetched(resp.status, resp.headers, data, time.monotonic() - start)
    finally:
        conn.close()


def norm(url: str) -> str:
    return safe_url_string(url.split("#", 1)[0])


def decode(f: Fetched) -> str:
    ctype = f.headers.get("Content-Type", "")
    if "gbk" in ctype.lower() or b'charset="gbk"' in f.body[:400] or b"gb2312" in f.body[:400]:
        return f.body.decode("gbk")
    return f.body.decode("utf-8")


DATE_PATTERNS = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), "ymd"),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})"), "ymd"),
    (re.compile(r"(\d{4})\.(\d{2})\.(\d{2})"), "ymd"),
    (re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日"), "ymd"),
    (re.compile(r"\[(\d{2})-(\d{2})\]"), "md"),
)


def parse_list_date(text: str, href: str) -> date | None:
    for pattern, kind in DATE_PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        if kind == "md":  # year from context: the TRS article URL carries it
            year = re.search(r"/t(\d{4})\d{4}_", href)
            assert year, href
            return date(int(year.group(1)), int(m.group(1)), int(m.group(2)))
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


@dataclass
class ListEntry:
    href: str
    date: date | None


def list_entries(url: str, f: Fetched) -> list[ListEntry]:
    """Items of one list page: plain <li>s, Hanweb datastore records or dataproxy XML."""
    if "dataproxy.jsp" in url:
        return _records(etree.fromstring(f.body))
    doc = lxml_html.fromstring(decode(f))
    stores = doc.xpath('//script[@type="text/xml"]/text()')
    if stores:
        return _records(etree.fromstring(stores[0].encode("utf-8")))
    out = []
    for li in doc.xpath('//ul[@class="list_ul" or @class="list"]/li[a[@href]]'):
        href = li.xpath("a/@href")[0]
        out.append(
            ListEntry(href, parse_list_date(" ".join(li.xpath("span/text()|time/text()")), href))
        )
    return out


def _records(store: Any) -> list[ListEntry]:
    out = []
    for rec in store.iter("record"):
        li = lxml_html.fragment_fromstring(rec.text)
        href = li.xpath("a/@href")[0]
        out.append(ListEntry(href, parse_list_date(" ".join(li.xpath("span/text()")), href)))
    return out


@dataclass
class PageLinks:
    links: set[str] = field(default_factory=set)  # absolute, normalised
    literals: set[str] = field(default_factory=set)  # javascript:/mailto:/tel:/# hrefs
    raw_hrefs: set[str] = field(default_factory=set)  # as written


PAGER4 = re.compile(r'createPageHTML\((\d+),\s*(\d+),\s*"(\w+)",\s*"(\w+)"\)')
PAGER6 = re.compile(r"createPageHTML\('(\w+)',\s*(\d+),\s*(\d+),\s*'(\w+)',\s*'(\w+)',\s*(\d+)\)")
WINDOW_OPEN = re.compile(r"window\.open\('([^']+)'\)")


def extract_links(url: str, f: Fetched) -> PageLinks:
    """Every link a careful crawler can find on a page (incl. script pagers and datastores)."""
    out = PageLinks()
    text = decode(f)
    doc = lxml_html.fromstring(text)
    bases = doc.xpath("//base/@href")
    base = urljoin(url, bases[0]) if bases else url
    hrefs = doc.xpath("//a/@href|//img/@src|//script/@src|//link/@href")
    hrefs += WINDOW_OPEN.findall(text)
    for store in doc.xpath('//script[@type="text/xml"]/text()'):
        xml = etree.fromstring(store.encode("utf-8"))
        for node in [*xml.iter("record"), *xml.iter("nextgroup")]:
            if node.text and node.text.strip():
                hrefs += lxml_html.fragment_fromstring(node.text).xpath("//@href")
    for count, _, name, ext in PAGER4.findall(text):
        hrefs += [f"{name}_{i}.{ext}" for i in range(1, int(count))] + [f"{name}.{ext}"]
    for _, count, _, name, ext, _ in PAGER6.findall(text):
        hrefs += [f"{name}_{i}.{ext}" for i in range(2, int(count) + 1)] + [f"{name}.{ext}"]
    for h in hrefs:
        out.raw_hrefs.add(h)
        if h.startswith(LITERAL):
            out.literals.add(h)
        else:
            out.links.add(norm(urljoin(base, h)))
    return out


def strip_alias(url: str, known: set[str]) -> str:
    if url.endswith("/index.html") and url[: -len("index.html")] in known:
        return url[: -len("index.html")]
    return url


# ---------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def town() -> Any:
    return build_town(1)


@pytest.fixture(scope="module")
def server(town: Any) -> Iterator[DemoServer]:
    with DemoServer(town, slow_seconds=SLOW, hang_seconds=HANG) as srv:
        yield srv


@pytest.fixture(scope="module")
def manifest(server: DemoServer) -> dict[str, Any]:
    return server.manifest()


@dataclass
class Crawl:
    fetched: dict[str, Fetched]
    links: dict[str, PageLinks]
    api_links: set[str]


@pytest.fixture(scope="module")
def crawl(manifest: dict[str, Any]) -> Crawl:
    """Fetch every truth page, list page and API page once; extract their links."""
    urls: list[str] = []
    api: list[str] = []
    for site in manifest["sites"].values():
        urls += [p["url"] for p in site["pages"]]
        for col in site["columns"]:
            urls += [u for u in col["list_pages"] if u not in urls]
            api += col["api_pages"]
    fetched = {u: fetch(u) for u in dict.fromkeys(urls)}
    links = {}
    for u, f in fetched.items():
        ctype = f.headers.get("Content-Type", "")
        if f.status == 200 and ctype.startswith("text/html"):
            links[u] = extract_links(u, f)
        elif "dataproxy.jsp" in u:
            links[u] = PageLinks(links={norm(urljoin(u, e.href)) for e in list_entries(u, f)})
    api_links = set()
    for u in api:
        f = fetch(u)
        assert f.status == 200, u
        for rec in json.loads(f.body)["data"]["list"]:
            api_links.add(norm(urljoin(u, rec["docpuburl"])))
    return Crawl(fetched, links, api_links)


# ---------------------------------------------------------------------------------------------
# shape of manifest and config
# ---------------------------------------------------------------------------------------------
SITE_KEYS = {
    "base_url",
    "category",
    "style",
    "encoding",
    "site_code",
    "homepage",
    "columns",
    "pages",
    "dead_links",
    "not_dead",
    "policies",
    "guide",
    "annual_reports",
    "site_norms",
}
COLUMN_KEYS = {
    "name",
    "url",
    "type",
    "level",
    "parent",
    "list_pages",
    "items",
    "newest",
    "undated",
    "blank",
    "placeholder",
    "script_filled",
}
COLUMN_TYPES = set(columns.COLUMN_TYPES)


def test_manifest_shape(manifest: dict[str, Any], server: DemoServer) -> None:
    assert manifest["as_of"] == AS_OF.isoformat() == "2026-11-20"
    assert manifest["scale"] == 1
    assert set(manifest["sites"]) == {"county", "dept", "modern"}
    json.dumps(manifest)  # JSON-serialisable
    types_seen = set()
    for sid, site in manifest["sites"].items():
        assert set(site) >= SITE_KEYS, sid
        assert site["base_url"] == server.base_url(sid)
        for col in site["columns"]:
            assert set(col) >= COLUMN_KEYS
            assert col["type"] in COLUMN_TYPES
            assert col["level"] in (1, 2)
            assert (col["parent"] is None) == (col["level"] == 1)
            assert col["list_pages"][0] == col["url"]
            types_seen.add(col["type"])
    assert types_seen == COLUMN_TYPES
    for feed in manifest["feeds"]:
        assert {"unit", "name", "platform", "url", "last_post", "stale", "error"} <= set(feed)


def test_config(server: DemoServer, tmp_path: Path) -> None:
    cfg = server.config()
    units = {u["id"]: u for u in cfg["units"]}
    assert [units[k]["category"] for k in ("county", "dept", "modern")] == [
        "county",
        "department",
        "department",
    ]
    assert units["county"]["site_code"] == "4102210001"
    assert [len(units[k]["new_media"]) for k in ("county", "dept", "modern")] == [2, 3, 1]
    # A realistic unit: the same account name on WeChat and on Weibo (two accounts).
    dept = [(m["name"], m["platform"]) for m in units["dept"]["new_media"]]
    assert ("示范县教育", "wechat") in dept and ("示范县教育", "weibo") in dept
    assert len(parse_registry(cfg).get("dept").new_media) == 3  # the registry accepts it
    for unit in units.values():
        assert re.fullmatch(r"[a-z0-9_-]+", unit["id"])
        assert unit["website"] == server.base_url(unit["id"])
        for media in unit["new_media"]:
            assert media["platform"] in {"wechat", "weibo", "douyin", "toutiao", "app", "other"}
    server.write_config(tmp_path / "c.yaml")
    server.write_manifest(tmp_path / "m.json")
    assert yaml.safe_load((tmp_path / "c.yaml").read_text(encoding="utf-8")) == cfg
    assert json.loads((tmp_path / "m.json").read_text(encoding="utf-8")) == server.manifest()


def test_only_loopback(town: Any) -> None:
    with pytest.raises(ValueError):
        DemoServer(town, host="0.0.0.0")


# ---------------------------------------------------------------------------------------------
# pages
# ---------------------------------------------------------------------------------------------
def test_every_page_answers_its_status(manifest: dict[str, Any], crawl: Crawl) -> None:
    for site in manifest["sites"].values():
        for page in site["pages"]:
            f = crawl.fetched[page["url"]]
            assert f.status == page["status"] == 200, page["url"]
            if page["kind"] in HTML_KINDS:
                assert f.headers["Content-Type"].startswith("text/html"), page["url"]


def test_county_pages_are_gbk(manifest: dict[str, Any], crawl: Crawl) -> None:
    county = manifest["sites"]["county"]
    assert county["encoding"] == "gbk"
    seen = set()
    for page in county["pages"]:
        if page["kind"] not in HTML_KINDS:
            continue
        f = crawl.fetched[page["url"]]
        ctype = f.headers["Content-Type"]
        head = f.body[:300]
        mode = page["charset"]
        seen.add(mode)
        if mode == "header":
            assert "charset=GBK" in ctype
        else:
            assert "charset" not in ctype, page["url"]
            marker = b'<meta charset="gbk"' if mode == "meta" else b"charset=gb2312"
            assert marker in head, page["url"]
        text = f.body.decode("gbk")
        assert "示范县" in text
        with pytest.raises(UnicodeDecodeError):
            f.body.decode("utf-8")
    assert seen == {"header", "meta", "http-equiv"}


def test_trs_meta_and_footer(manifest: dict[str, Any], crawl: Crawl) -> None:
    county = manifest["sites"]["county"]
    article = next(
        p for p in county["pages"] if p["kind"] == "article" and p["date"] and p["column"] == "zwyw"
    )
    text = decode(crawl.fetched[article["url"]])
    for name in (
        "SiteName",
        "SiteDomain",
        "SiteIDCode",
        "ColumnName",
        "ColumnType",
        "ArticleTitle",
        "PubDate",
        "ContentSource",
    ):
        assert f'name="{name}"' in text
    assert re.search(r'name="PubDate" content="\d{4}-\d{2}-\d{2} \d{2}:\d{2}"', text)
    assert "发布时间：" in text and 'class="TRS_Editor"' in text
    assert "当前位置：" in text and "&gt;" in text
    assert re.search(r"网站标识码：4102210001", text)
    assert re.search(r"[\u4e00-\u9fa5]ICP备\d{8}号", text)
    assert re.search(r"公网安备 \d{14}号", text)
    assert 'id="_ideConac"' in text
    assert re.search(
        r"<script id=\"_jiucuo_\" sitecode='4102210001' src='[^']*/exposure/"
        r"jiucuo\.js'>",
        text,
    )
    assert re.search(r"/t\d{8}_\d+\.html$", article["url"])
    policy = county["policies"][0]
    text = decode(crawl.fetched[policy["url"]])
    for label in ("索引号", "主题分类", "发布机构", "成文日期", "文号", "发布日期", "有效性"):
        assert label + "：" in text


# ---------------------------------------------------------------------------------------------
# columns and lists
# ---------------------------------------------------------------------------------------------
def test_column_items_match_truth(manifest: dict[str, Any], crawl: Crawl) -> None:
    for sid, site in manifest["sites"].items():
        for col in site["columns"]:
            entries: list[ListEntry] = []
            first = crawl.fetched[col["url"]]
            assert first.status == 200, col["url"]
            if col["script_filled"]:
                for api in col["api_pages"]:
                    entries += [
                        ListEntry(r["docpuburl"], date.fromisoformat(r["docreltime"][:10]))
                        for r in json.loads(fetch(api).body)["data"]["list"]
                    ]
                assert list_entries(col["url"], first) == [], "script list must be empty"
            else:
                for url in col["list_pages"]:
                    entries += list_entries(url, crawl.fetched[url])
            label = f"{sid}/{col['name']}"
            assert len(entries) == col["items"], label
            dates = [e.date for e in entries if e.date]
            assert (max(dates).isoformat() if dates else None) == col["newest"], label
            assert sum(1 for e in entries if e.date is None) == col["undated"], label
            assert col["blank"] == (col["items"] == 0 and not col["content_page"]), label
            if col["placeholder"]:
                assert col["placeholder"] in decode(first), label
            if col["content_page"]:
                assert col["items"] == 0 and not col["blank"]


def test_truth_categories(manifest: dict[str, Any]) -> None:
    county, dept, modern = (manifest["sites"][k] for k in ("county", "dept", "modern"))
    by = {sid: {c["name"]: c for c in s["columns"]} for sid, s in manifest["sites"].items()}
    assert not county["homepage"]["stale"] and dept["homepage"]["stale"]
    assert dept["homepage"]["age_days"] > 14 and not modern["homepage"]["stale"]
    assert by["county"]["乡镇动态"]["script_filled"] and not by["county"]["乡镇动态"]["blank"]
    assert by["county"]["乡镇动态"]["items"] > 0
    assert by["county"]["卫健动态"]["blank"] and by["county"]["卫健动态"]["placeholder"] is None
    placeholders = {c["placeholder"] for s in (county, dept) for c in s["columns"] if c["blank"]}
    assert {"暂无信息", "暂无数据", "栏目建设中"} <= placeholders
    assert by["county"]["便民服务"]["undated"] == by["county"]["便民服务"]["items"] > 0
    stale_types = {c["type"] for s in (county, dept) for c in s["columns"] if c["stale"]}
    assert {"news", "notice", "policy", "personnel", "plan"} <= stale_types
    edu = by["county"]["教育动态"]
    assert edu["level"] == 2 and edu["parent"] == "部门动态"
    for col in modern["columns"]:
        assert not col["stale"] and not col["blank"] and not col["undated"], col["name"]
    assert county["annual_report_missing_latest"] and not modern["annual_report_missing_latest"]
    assert county["guide"]["cites_order_492"] and county["guide"]["missing"]
    assert not modern["guide"]["cites_order_492"] and modern["guide"]["missing"] == []


def test_trs_pagination_only_by_script(manifest: dict[str, Any], crawl: Crawl) -> None:
    county = manifest["sites"]["county"]
    plain_hrefs = set()
    for url in crawl.links:
        if url.startswith(county["base_url"]):
            f = crawl.fetched[url]
            plain_hrefs |= {
                norm(urljoin(url, h)) for h in lxml_html.fromstring(decode(f)).xpath("//a/@href")
            }
    pagers = {c["pager"] for c in county["columns"] if len(c["list_pages"]) > 1}
    assert pagers == {"trs4", "trs6"}
    for col in county["columns"]:
        for n, url in enumerate(col["list_pages"][1:], start=1):
            assert url not in plain_hrefs, url
            text = decode(crawl.fetched[url])
            if col["pager"] == "trs4":
                assert url.endswith(f"/index_{n}.html")
                assert f'createPageHTML({len(col["list_pages"])}, {n}, "index", "html")' in text
            else:
                assert url.endswith(f"_{n + 1}.shtml")
                assert re.search(
                    rf"createPageHTML\('page_div', {len(col['list_pages'])}, "
                    rf"{n + 1}, 'list_\w+', 'shtml', {col['items']}\)",
                    text,
                )


def test_hanweb_dataproxy_get_and_post(manifest: dict[str, Any], crawl: Crawl) -> None:
    dept = manifest["sites"]["dept"]
    multi = [c for c in dept["columns"] if len(c["list_pages"]) > 1]
    assert multi and all("dataproxy.jsp?page=" in u for c in multi for u in c["list_pages"][1:])
    assert len({c["page_size"] for c in dept["columns"] if c["items"]}) >= 3  # mixed sizes
    col = multi[0]
    store = lxml_html.fromstring(decode(crawl.fetched[col["url"]])).xpath(
        '//script[@type="text/xml"]/text()'
    )[0]
    xml = etree.fromstring(store.encode())
    assert int(xml.findtext("totalrecord")) == col["items"]
    assert int(xml.findtext("totalpage")) == -(-col["items"] // col["page_size"])
    nxt = lxml_html.fragment_fromstring(xml.findtext("nextgroup")).get("href")
    assert norm(urljoin(col["url"], nxt)) == col["list_pages"][1]
    column_id = re.search(r"columnid=(\d+)", nxt).group(1)
    unitid = re.search(r"unitid=(\d+)", nxt).group(1)
    form = (
        f"col=1&appid=1&webid=3&path=/&columnid={column_id}&unitid={unitid}&permissiontype=0"
    ).encode()
    post = fetch(
        urljoin(
            dept["base_url"],
            "/module/web/jpage/dataproxy.jsp?startrecord=1"
            f"&endrecord=60&perpage={col['page_size']}",
        ),
        "POST",
        {"Content-Type": "application/x-www-form-urlencoded"},
        form,
    )
    assert post.status == 200 and post.headers["Content-Type"].startswith("text/xml")
    records = list_entries("dataproxy.jsp", post)
    assert len(records) == min(60, col["items"])
    all_get = [e for u in col["list_pages"] for e in list_entries(u, crawl.fetched[u])]
    assert [e.href for e in records] == [e.href for e in all_get][:60]


# ---------------------------------------------------------------------------------------------
# dead links
# ---------------------------------------------------------------------------------------------
def _assert_dead(link: dict[str, Any]) -> None:
    url, outcome = link["url"], link["outcome"]
    if outcome == "dns_error":
        assert urlsplit(url).hostname.endswith(".invalid")
        return
    if outcome == "connection_refused":
        parts = urlsplit(url)
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((parts.hostname, parts.port), timeout=2).close()
        return
    if outcome == "timeout":
        with pytest.raises(TimeoutError):
            fetch(url, timeout=0.3)
        return
    f = fetch(url)
    if outcome == "soft_404":
        assert f.status == 200
        text = decode(f)
        assert "您访问的页面不存在" in text or 'http-equiv="refresh"' in text
        return
    if "redirects_to" in link:
        assert f.status in (301, 302) and f.headers["Location"] == link["redirects_to"]
        f = fetch(link["redirects_to"])
    assert f.status == link["status"] and f.status >= 400, url


def test_dead_links_behave(manifest: dict[str, Any], crawl: Crawl) -> None:
    outcomes = set()
    for sid in ("county", "dept"):
        dead = manifest["sites"][sid]["dead_links"]
        kinds = {
            (
                d["outcome"],
                d["element"],
                d["status"],
                "redirects_to" in d,
                d.get("meta_refresh", False),
            )
            for d in dead
        }
        assert {k[0] for k in kinds} == {
            "http_error",
            "soft_404",
            "dns_error",
            "connection_refused",
            "timeout",
        }
        assert {k[1] for k in kinds} >= {"a", "img", "attachment"}
        assert {404, 500} <= {k[2] for k in kinds}
        assert any(k[3] for k in kinds) and any(k[4] for k in kinds)
        assert any(d["on_homepage"] for d in dead)
        assert any(len(d["found_on"]) >= 3 for d in dead)
        for link in dead:
            _assert_dead(link)
            outcomes.add(link["outcome"])
            for page in link["found_on"]:
                assert link["url"] in crawl.links[page].links, (link["url"], page)
    assert manifest["sites"]["modern"]["dead_links"] == []


# ---------------------------------------------------------------------------------------------
# traps that are not dead (a fresh server: "first request of the server lifetime" matters)
# ---------------------------------------------------------------------------------------------
def _check_trap(entry: dict[str, Any], crawl: Crawl, to_crawl: Callable[[str], str]) -> None:
    """Behaviour on the fresh server; presence on the pages of the crawled server."""
    trap, url = entry["trap"], entry["url"]
    found_on = [to_crawl(p) for p in entry["found_on"]]
    if trap == "transient_503":
        assert fetch(url).status == 503 and fetch(url).status == 200
    elif trap == "retry_after_429":
        first = fetch(url)
        assert first.status == 429 and first.headers["Retry-After"] == "1"
        assert fetch(url).status == 200
    elif trap == "slow_page":
        f = fetch(url, timeout=SLOW + 5)
        assert f.status == 200 and f.elapsed >= SLOW * 0.9
    elif trap == "head_405":
        assert fetch(url, "HEAD").status == 405 and fetch(url).status == 200
    elif trap == "redirect_chain":
        hops = []
        f = fetch(url)
        while f.status in (301, 302):
            hops.append(f.status)
            f = fetch(urljoin(url, f.headers["Location"]))
        assert f.status == 200 and hops == entry["hops"] and len(hops) == 3
    elif trap == "percent_encoded_path":
        assert fetch(url).status == 200
        assert len(entry["forms"]) == 2 and any("%" not in x for x in entry["forms"])
        raw = {h for p in found_on for h in crawl.links[p].raw_hrefs}
        assert set(entry["forms"]) <= raw
    elif trap == "base_href":
        assert fetch(url).status == 200 and fetch(entry["naive_url"]).status == 404
        assert "<base href=" in decode(crawl.fetched[found_on[0]])
    elif trap in ("javascript", "mailto", "tel", "fragment"):
        assert url.startswith(LITERAL)
        for page in found_on:
            assert url in crawl.links[page].literals, (url, page)
    elif trap == "template_pseudo_link":
        assert not url.startswith("http")
        for page in found_on:
            assert f'ms-attr-href="{url}"' in decode(crawl.fetched[page])
    elif trap == "mentions_404":
        f = fetch(url)
        assert f.status == 200 and "404" in decode(f) and "页面不存在" not in decode(f)
    elif trap == "tiny_attachment":
        f = fetch(url)
        assert f.status == 200 and len(f.body) == 2
    elif trap == "onclick_window_open":
        assert fetch(url).status == 200
        for page in found_on:
            assert "window.open('" in decode(crawl.fetched[page])
    else:
        raise AssertionError(f"untested trap {trap}")
    if url.startswith("http"):
        for page in found_on:
            assert to_crawl(url) in crawl.links[page].links, (url, page)


def test_traps_are_not_dead(town: Any, manifest: dict[str, Any], crawl: Crawl) -> None:
    with DemoServer(town, slow_seconds=SLOW, hang_seconds=HANG) as fresh:
        bases = {
            fresh.base_url(sid): manifest["sites"][sid]["base_url"] for sid in manifest["sites"]
        }

        def to_crawl(url: str) -> str:
            return next(
                (new + url[len(old) :] for old, new in bases.items() if url.startswith(old)), url
            )

        seen = set()
        for site in fresh.manifest()["sites"].values():
            for entry in site["not_dead"]:
                seen.add(entry["trap"])
                _check_trap(entry, crawl, to_crawl)
    assert seen == {
        "transient_503",
        "retry_after_429",
        "slow_page",
        "head_405",
        "redirect_chain",
        "percent_encoded_path",
        "base_href",
        "javascript",
        "mailto",
        "tel",
        "fragment",
        "template_pseudo_link",
        "mentions_404",
        "tiny_attachment",
        "onclick_window_open",
    }


# ---------------------------------------------------------------------------------------------
# completeness: every link on every page is classified by the truth, every page is reachable
# ---------------------------------------------------------------------------------------------
def test_truth_is_complete(manifest: dict[str, Any], crawl: Crawl) -> None:
    pages = {p["url"] for s in manifest["sites"].values() for p in s["pages"]}
    lists = {
        u
        for s in manifest["sites"].values()
        for c in s["columns"]
        for u in c["list_pages"] + c["api_pages"]
    }
    known = pages | lists
    dead = {d["url"] for s in manifest["sites"].values() for d in s["dead_links"]}
    traps = {t["url"] for s in manifest["sites"].values() for t in s["not_dead"]}
    externals = {e["url"] for s in manifest["sites"].values() for e in s["external_links"]}
    literals = {t["url"] for s in manifest["sites"].values() for t in s["not_dead"]}
    found: set[str] = set(crawl.api_links)
    unclassified = set()
    for page, links in crawl.links.items():
        for link in links.links:
            link = strip_alias(link, known)
            found.add(link)
            if link not in known | dead | traps | externals:
                unclassified.add((page, link))
        # Any javascript: href is inert; other literals (mailto/tel/#) must be in the truth.
        unclassified |= {
            (page, lit)
            for lit in links.literals
            if lit not in literals and not lit.startswith("javascript:")
        }
    assert not unclassified, sorted(unclassified)[:10]
    for site in manifest["sites"].values():
        for page in site["pages"]:
            if page["kind"] in ("home", "robots", "sitemap_xml") or page["found_via"] in (
                "redirect",
            ):
                continue
            assert page["url"] in found, page
    for ext in (e for s in manifest["sites"].values() for e in s["external_links"]):
        assert fetch(ext["url"]).status == 200, ext


def test_policies_and_interpretations(manifest: dict[str, Any], crawl: Crawl) -> None:
    county = {p["title"]: p for p in manifest["sites"]["county"]["policies"]}
    planted = [
        p
        for p in county.values()
        if p["doc_number"] and "〔2026〕" in p["doc_number"] and p["date"] >= "2026-07-01"
    ]
    assert sum(1 for p in planted if p["interpretation"] and p["backlink"]) >= 2
    assert sum(1 for p in planted if p["interpretation"] and not p["backlink"]) == 1
    assert sum(1 for p in planted if p["interpretation"] is None) == 1
    assert sum(1 for p in planted if p["copied"]) == 1
    assert sum(1 for p in planted if p["late"]) == 1
    for sid, site in manifest["sites"].items():
        for p in site["policies"]:
            if not p["interpretation"]:
                continue
            assert p["interpretation"] in crawl.links[p["url"]].links, (sid, p["title"])
            back = p["url"] in crawl.links[p["interpretation"]].links
            assert back == p["backlink"], (sid, p["title"])
    for p in manifest["sites"]["modern"]["policies"]:
        assert p["interpretation"] and p["backlink"] and not p["late"] and not p["copied"]


# ---------------------------------------------------------------------------------------------
# feeds
# ---------------------------------------------------------------------------------------------
def test_feeds(manifest: dict[str, Any]) -> None:
    kinds = set()
    for feed in manifest["feeds"]:
        f = fetch(feed["url"])
        if feed["error"]:
            assert f.status == 404 and feed["last_post"] is None
            kinds.add("missing")
            continue
        assert f.status == 200
        parsed = feedparser.parse(f.body)
        assert len(parsed.entries) == feed["posts"] > 0
        assert bool(parsed.bozo) == feed["bozo"]
        newest = max(date(*e.published_parsed[:3]) for e in parsed.entries)
        # published_parsed is UTC: a post before 08:00 CST falls on the previous UTC day.
        assert (date.fromisoformat(feed["last_post"]) - newest).days in (0, 1)
        kinds.add(
            ("stale" if feed["stale"] else "fresh")
            + ("_bozo" if feed["bozo"] else "")
            + "_"
            + feed["format"]
        )
        etag, modified = f.headers["ETag"], f.headers["Last-Modified"]
        assert fetch(feed["url"], headers={"If-None-Match": etag}).status == 304
        assert fetch(feed["url"], headers={"If-Modified-Since": modified}).status == 304
        assert fetch(feed["url"], headers={"If-None-Match": '"other"'}).status == 200
    assert kinds == {"fresh_rss", "fresh_bozo_rss", "stale_atom", "missing"}
    fresh = [
        f for f in manifest["feeds"] if f["format"] == "rss" and f["last_post"] and not f["bozo"]
    ]
    assert all((AS_OF - date.fromisoformat(f["last_post"])).days <= 7 for f in fresh)


# ---------------------------------------------------------------------------------------------
# determinism, scale, stats, CLI
# ---------------------------------------------------------------------------------------------
def _truth_categories(m: dict[str, Any]) -> Any:
    out = {}
    for sid, site in m["sites"].items():
        out[sid] = {
            "columns": [
                (
                    c["name"],
                    c["type"],
                    c["level"],
                    c["parent"],
                    c["blank"],
                    c["placeholder"],
                    c["script_filled"],
                    c["newest"],
                    c["stale"],
                    c["undated"] > 0,
                    c["content_page"],
                )
                for c in site["columns"]
            ],
            "homepage": site["homepage"],
            "dead": [
                (d["url"], d["outcome"], d["status"], d["on_homepage"], d["found_on"])
                for d in site["dead_links"]
            ],
            "traps": [(t["url"], t["trap"], t["found_on"]) for t in site["not_dead"]],
            "policies": site["policies"],
            "guide": site["guide"],
            "reports": site["annual_reports"],
        }
    out["feeds"] = m["feeds"]
    return out


def test_determinism_and_scale() -> None:
    urls = Urls(FAKE_BASES)
    one = build_manifest(build_town(1), urls)
    assert json.dumps(one, sort_keys=True) == json.dumps(
        build_manifest(build_town(1), urls), sort_keys=True
    )
    three = build_manifest(build_town(3), urls)
    assert three["scale"] == 3
    assert _truth_categories(one) == _truth_categories(three)
    counts = {(sid, c["name"]): c["items"] for sid, s in one["sites"].items() for c in s["columns"]}
    grown = 0
    for sid, site in three["sites"].items():
        for col in site["columns"]:
            assert col["items"] >= counts[(sid, col["name"])]
            grown += col["items"] == 3 * counts[(sid, col["name"])] > 0
    assert grown >= 6
    assert len(three["sites"]["county"]["pages"]) > len(one["sites"]["county"]["pages"])


def test_scale_20_has_thousands_of_county_urls() -> None:
    town = build_town(20)
    assert len(town.sites["county"].pages) >= 3000


def test_stats_count_concurrency(town: Any) -> None:
    with DemoServer(town, slow_seconds=SLOW, hang_seconds=HANG) as srv:
        slow = next(
            t["url"]
            for t in srv.manifest()["sites"]["county"]["not_dead"]
            if t["trap"] == "slow_page"
        )
        fetch(srv.base_url("county"))
        fetch(srv.base_url("county"))
        assert srv.stats()["county"]["max_concurrent"] == 1
        threads = [threading.Thread(target=fetch, args=(slow,)) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stats = srv.stats()["county"]
        assert stats["max_concurrent"] >= 2 and stats["requests"] == 5
        assert stats["in_flight"] == 0 and stats["statuses"] == {200: 5}


def test_cli(tmp_path: Path) -> None:
    cfg, man = tmp_path / "demo.yaml", tmp_path / "truth.json"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "govinspect.demo",
            "--scale",
            "1",
            "--lifetime",
            "0.3",
            "--config-out",
            str(cfg),
            "--manifest-out",
            str(man),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert "county" in proc.stdout and "http://127.0.0.1:" in proc.stdout
    assert {u["id"] for u in yaml.safe_load(cfg.read_text(encoding="utf-8"))["units"]} == {
        "county",
        "dept",
        "modern",
    }
    assert json.loads(man.read_text(encoding="utf-8"))["as_of"] == "2026-11-20"
