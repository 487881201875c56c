"""The crawler against a local fixture site: one outcome class per target, evidence, resume."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import select

from govinspect.crawler.launch import run_crawl
from govinspect.registry import parse_registry
from govinspect.settings import load_settings
from govinspect.store.archive import read_record
from govinspect.store.db import open_store
from govinspect.store.models import Link, LinkCheck, Page
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, first_then, html


def reserved_refused_port() -> tuple[socket.socket, int]:
    """A bound, non-listening socket: connections to its port are refused."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crawl")
    refused_sock, refused = reserved_refused_port()
    routes: dict = {}
    with FixtureServer(routes) as site:
        base = site.base
        home_links = f"""
        <a href="/a.html">正常页面</a>
        <a href="/missing.html">不存在</a>
        <a href="/err500.html">服务器错误</a>
        <a href="/flaky.html">偶发503</a>
        <a href="/limited.html">限流429</a>
        <a href="/soft.html">软404</a>
        <a href="/doc.pdf">附件</a>
        <img src="/broken.png">
        <a href="http://nosuchhost.invalid/x.html">DNS</a>
        <a href="http://127.0.0.1:{refused}/x.html">拒绝连接</a>
        <a href="/loop">重定向循环</a>
        <a href="/chain1">重定向链</a>
        <a href="/gone">重定向到404</a>
        <a href="/zwgk/202301/t20230105_1.html">已删除文档</a>
        <a href="/private/x.html">robots</a>
        <a href="/附件/通知.pdf">中文路径</a>
        <a href="/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.pdf">中文路径编码</a>
        <a href="javascript:void(0)">菜单</a><a href="mailto:a@b.gov.cn">邮件</a>
        <a href="#top">顶部</a>
        <a href="/gbk.html">GBK页面</a>
        """
        routes.update(
            {
                "/robots.txt": (
                    200,
                    {"Content-Type": "text/plain"},
                    b"User-agent: *\nDisallow: /private/\n",
                ),
                "/": html(home_links, title="示范县人民政府"),
                "/a.html": html("<p>正常页面，正文提到了404这个数字。</p>" * 50, title="正常页面"),
                "/err500.html": (500, {"Content-Type": "text/html"}, b"error"),
                "/flaky.html": first_then((503, {}, b"busy"), html("ok", title="偶发")),
                "/limited.html": first_then(
                    (429, {"Retry-After": "1"}, b"slow down"), html("ok", title="限流")
                ),
                "/soft.html": html("<p>抱歉，您访问的页面不存在！</p>", title="示范县人民政府"),
                "/doc.pdf": lambda m, h: (
                    (405, {}, b"")
                    if m == "HEAD"
                    else (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4 fake")
                ),
                "/loop": (302, {"Location": "/loop"}, b""),
                "/chain1": (301, {"Location": "/chain2"}, b""),
                "/chain2": (302, {"Location": "/chain3"}, b""),
                "/chain3": (302, {"Location": "/a.html"}, b""),
                "/gone": (302, {"Location": "/missing-target.html"}, b""),
                "/zwgk/202301/t20230105_1.html": html(
                    "", title="", head="<meta http-equiv='refresh' content='0;url=../'>"
                ),
                "/zwgk/": html("<p>栏目</p>" * 300, title="政务公开"),
                "/附件/通知.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF"),
                "/gbk.html": (
                    200,
                    {"Content-Type": "text/html"},
                    "<html><head><meta charset='gbk'><title>平潭综合实验区</title>"
                    "</head><body><a href='/a.html'>链接</a></body></html>".encode("gbk"),
                ),
            }
        )
        config = {
            "units": [
                {"id": "fixture", "name": "测试县", "category": "county", "website": f"{base}/"}
            ]
        }
        registry = parse_registry(config)
        settings = load_settings(
            data_dir=tmp / "var",
            db=str(tmp / "var" / "g.db"),
            timeout=5.0,
            recheck_delay=0.5,
            retry_times=1,
        )
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        result = run_crawl(settings, store, registry.units[0], progress=False)
        yield {
            "base": base,
            "result": result,
            "store": store,
            "site": site,
            "settings": settings,
            "refused": refused,
        }
        store.dispose()
    refused_sock.close()


def outcome(crawled, path_or_url: str) -> LinkCheck:
    url = path_or_url if ":" in path_or_url else crawled["base"] + path_or_url
    with crawled["store"].session() as session:
        row = session.scalars(
            select(LinkCheck).where(
                LinkCheck.run_id == crawled["result"].run_id, LinkCheck.target_url == url
            )
        ).first()
    assert row is not None, f"no check for {url}"
    return row


def test_run_completes(crawled):
    assert crawled["result"].status == "complete", crawled["result"].error


@pytest.mark.parametrize(
    ("target", "expected", "status"),
    [
        ("/a.html", "ok", 200),
        ("/missing.html", "http_error", 404),
        ("/err500.html", "http_error", 500),
        ("/flaky.html", "ok", 200),
        ("/limited.html", "ok", 200),
        ("/soft.html", "soft_404", 200),
        ("/doc.pdf", "ok", 200),
        ("/broken.png", "http_error", 404),
        ("/loop", "redirect_loop", None),
        ("/chain1", "ok", 200),
        ("/gone", "http_error", 404),
        ("/zwgk/202301/t20230105_1.html", "soft_404", 200),
        ("/private/x.html", "robots_excluded", None),
        ("/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.pdf", "ok", 200),
        ("/gbk.html", "ok", 200),
    ],
)
def test_outcome_classes(crawled, target, expected, status):
    row = outcome(crawled, target)
    assert (row.outcome, row.status) == (expected, status), row.attempts


def test_dns_and_refused(crawled):
    assert outcome(crawled, "http://nosuchhost.invalid/x.html").outcome == "dns_error"
    refused = f"http://127.0.0.1:{crawled['refused']}/x.html"
    assert outcome(crawled, refused).outcome == "connection_refused"


def test_transient_faults_record_every_attempt(crawled):
    flaky = outcome(crawled, "/flaky.html")
    statuses = [a["status"] for a in flaky.attempts]
    assert statuses[0] == 503 and statuses[-1] == 200
    dead = outcome(crawled, "/err500.html")
    assert {a["pass"] for a in dead.attempts} == {1, 2}, "a 500 is verified again in pass 2"


def test_head_refused_falls_back_to_get(crawled):
    hits = crawled["site"].hits
    assert hits[("HEAD", "/doc.pdf")] >= 1 and hits[("GET", "/doc.pdf")] >= 1


def test_ignored_schemes_are_not_links(crawled):
    with crawled["store"].session() as session:
        targets = set(session.scalars(select(Link.target_url)))
    assert not any(t.startswith("javascript:") or "#" in t for t in targets)
    # mailto: is recorded, never fetched: reports list it as not checked (issue 15).
    assert outcome(crawled, "mailto:a@b.gov.cn").outcome == "not_checked"


def test_chinese_path_spellings_are_one_target(crawled):
    with crawled["store"].session() as session:
        rows = session.scalars(
            select(LinkCheck.target_url).where(LinkCheck.target_url.like("%.pdf"))
        ).all()
    assert sum("%E9%80%9A%E7%9F%A5" in r for r in rows) == 1


def test_gbk_title_is_chinese(crawled):
    with crawled["store"].session() as session:
        page = session.scalars(select(Page).where(Page.url.like("%/gbk.html"))).one()
    assert page.title == "平潭综合实验区"
    assert page.charset in ("gb18030", "gbk")


def test_dead_targets_have_readable_warc_evidence(crawled):
    data_dir = Path(crawled["settings"].data_dir).resolve()
    for target in ("/missing.html", "/soft.html", "http://nosuchhost.invalid/x.html"):
        row = outcome(crawled, target)
        assert row.warc_file and row.warc_offset is not None
        record = read_record(data_dir, row.warc_file, row.warc_offset)
        assert record.uri == row.target_url
        assert record.rec_type in ("response", "metadata")


def test_homepage_links_flagged(crawled):
    with crawled["store"].session() as session:
        on_home = session.scalars(
            select(Link.on_homepage).where(Link.target_url == crawled["base"] + "/missing.html")
        ).all()
    assert on_home and all(on_home)


def test_ipv6_fact_recorded_in_the_run_summary(crawled):
    """The crawl records the site's IPv6 fact (crawler/ipv6.py); on 127.0.0.1 it is unknown."""
    ipv6 = crawled["result"].summary["ipv6"]
    assert ipv6["host"] == "127.0.0.1" and ipv6["reason"] == "ip_literal"
    assert ipv6["aaaa"] == "unknown" and ipv6["answered"] == "unknown"
    assert ipv6["checked_at"]
