"""IPv6 支持: the fact the crawl records (crawler/ipv6.py, against a real server on ::1) and how
site_norms and the scorer judge it (points / deduction / unknown)."""

from __future__ import annotations

import socket

import pytest

from govinspect.checks import site_norms
from govinspect.checks.scoring import score_unit
from govinspect.crawler.ipv6 import record_ipv6, system_resolver
from tests.fixture_site import FixtureServer, html
from tests.test_checks_fixtures import AS_OF, by_rule, county_rubric, crawl, facts, unit

RUBRIC = county_rubric()
HOST = "www.v6.test"  # answered by the test resolver only


def resolver(table: dict[tuple[str, int], list[str] | int]):
    """A resolver for ``record_ipv6``: (host, family) -> addresses, or a getaddrinfo error code."""

    def resolve(host: str, family: int) -> list[str]:
        answer = table.get((host, family), socket.EAI_NONAME)
        if isinstance(answer, int):
            raise socket.gaierror(answer, "test resolver")
        return answer

    return resolve


V6_ONLY = resolver({(HOST, socket.AF_INET6): ["::1"]})


@pytest.fixture(scope="module")
def v6_site():
    hosts: list[str] = []

    def home(method, handler):
        hosts.append(handler.headers["Host"])
        return html("<p>首页</p>", title="示范县人民政府")

    routes = {
        "/": home,
        "/moved/": (302, {"Location": "/index.html"}, b""),
        "/index.html": html("<p>首页</p>"),
        "/away/": (301, {"Location": "https://www.elsewhere.test/"}, b""),
        "/broken/": (503, {}, b"busy"),
    }
    with FixtureServer(routes, host="::1") as server:
        yield server, hosts


def site_url(server, path: str = "/") -> str:
    return f"http://{HOST}:{server.server_address[1]}{path}"


# --- the recorded fact --------------------------------------------------------------------------


def test_host_with_aaaa_answering_over_ipv6(v6_site):
    server, hosts = v6_site
    fact = record_ipv6(site_url(server), timeout=5, resolve=V6_ONLY)
    assert fact["aaaa"] == "yes" and fact["addresses"] == ["::1"]
    assert fact["answered"] == "yes" and fact["status"] == 200 and fact["address"] == "::1"
    assert fact["reason"] is None and fact["error"] is None
    # The request went to ::1 for the site's name, not for the address.
    assert hosts[-1] == f"{HOST}:{server.server_address[1]}"


def test_redirects_followed_on_the_host_only(v6_site):
    server, _ = v6_site
    moved = record_ipv6(site_url(server, "/moved/"), timeout=5, resolve=V6_ONLY)
    assert moved["status"] == 200 and moved["url"] == site_url(server, "/index.html")
    away = record_ipv6(site_url(server, "/away/"), timeout=5, resolve=V6_ONLY)
    assert away["answered"] == "yes" and away["status"] == 301
    assert away["url"] == site_url(server, "/away/")
    broken = record_ipv6(site_url(server, "/broken/"), timeout=5, resolve=V6_ONLY)
    assert broken["answered"] == "yes" and broken["status"] == 503


def test_aaaa_without_an_answer():
    with socket.socket(socket.AF_INET6) as sock:  # bound, not listening: refused
        sock.bind(("::1", 0))
        url = f"http://{HOST}:{sock.getsockname()[1]}/"
        fact = record_ipv6(url, timeout=5, resolve=V6_ONLY)
    assert fact["aaaa"] == "yes" and fact["answered"] == "no"
    assert "ConnectionRefusedError" in fact["error"]


def test_dns_answered_without_aaaa():
    resolve = resolver({(HOST, socket.AF_INET): ["192.0.2.1"]})
    fact = record_ipv6(f"http://{HOST}/", timeout=5, resolve=resolve)
    assert fact["aaaa"] == "no" and fact["answered"] == "no" and fact["reason"] is None


@pytest.mark.parametrize(
    "table",
    [
        {},  # no such name at all
        {(HOST, socket.AF_INET6): socket.EAI_AGAIN, (HOST, socket.AF_INET): ["192.0.2.1"]},
    ],
)
def test_dns_without_an_answer_is_unknown(table):
    fact = record_ipv6(f"http://{HOST}/", timeout=5, resolve=resolver(table))
    assert fact["aaaa"] == "unknown" and fact["answered"] == "unknown"
    assert fact["reason"] == "dns_failed" and "test resolver" in fact["error"]


def test_host_unknown_to_this_machine_is_unknown():
    """The machine's own resolver: a name it cannot resolve is unknown, not a missing AAAA."""
    fact = record_ipv6("http://nosuchhost.invalid/", timeout=5, resolve=system_resolver)
    assert fact["aaaa"] == "unknown" and fact["reason"] == "dns_failed"


def test_machine_without_ipv6_route_is_unknown():
    fact = record_ipv6(
        f"http://{HOST}/", timeout=5, resolve=V6_ONLY, has_route=lambda address: False
    )
    assert fact["aaaa"] == "yes" and fact["answered"] == "unknown"
    assert fact["reason"] == "no_ipv6_route"


@pytest.mark.parametrize("website", ["http://127.0.0.1:8080/", "http://[::1]:8080/"])
def test_ip_literal_is_unknown_without_any_lookup(website):
    def resolve(host, family):
        raise AssertionError("an IP literal is not looked up")

    fact = record_ipv6(website, timeout=5, resolve=resolve)
    assert fact["reason"] == "ip_literal"
    assert fact["aaaa"] == "unknown" and fact["answered"] == "unknown"


# --- the check and the score --------------------------------------------------------------------


def judged(record, website: str = "https://www.sfx.gov.cn/"):
    f = facts(unit=unit(website=website), crawl=crawl(ipv6=record))
    result = site_norms.check(f, AS_OF, RUBRIC)
    score = score_unit(list(enumerate(result.findings, start=1)), RUBRIC)
    (item,) = [i for d in score.dimensions for i in d.items if i["indicator"] == "IPv6 支持"]
    return result, score, item


def fact(**changes):
    base = {
        "host": "www.sfx.gov.cn",
        "aaaa": "yes",
        "addresses": ["2001:db8::1"],
        "answered": "yes",
        "address": "2001:db8::1",
        "status": 200,
        "url": "https://www.sfx.gov.cn/",
        "reason": None,
        "error": None,
    }
    return {**base, **changes}


def test_aaaa_and_an_answer_earn_the_points():
    result, score, item = judged(fact())
    assert by_rule(result.findings, "ipv6_missing") == []
    assert by_rule(result.findings, "ipv6_not_checked") == []
    assert item["status"] == "passed" and item["score"] == 2
    assert result.report["site_norms"]["ipv6"]["answered"] == "yes"


@pytest.mark.parametrize(
    ("record", "words"),
    [
        (fact(aaaa="no", addresses=[], answered="no", address=None, status=None), "没有 AAAA 记录"),
        (fact(answered="no", status=None, error="TimeoutError: timed out"), "timed out"),
        (fact(status=503), "HTTP 状态码 503"),
    ],
)
def test_missing_aaaa_or_failed_request_is_a_deduction(record, words):
    result, score, item = judged(record)
    (finding,) = by_rule(result.findings, "ipv6_missing")
    assert finding.severity == "deduction" and words in finding.message
    assert finding.evidence["ipv6"]["aaaa"] == record["aaaa"]
    assert item["status"] == "deducted" and item["score"] == 0
    assert score.unknown_items == []


@pytest.mark.parametrize(
    ("record", "website", "words"),
    [
        (None, "https://www.sfx.gov.cn/", "采集记录中没有"),
        (
            fact(aaaa="unknown", answered="unknown", addresses=[], reason="ip_literal"),
            "http://127.0.0.1:8080/",
            "IP 地址",
        ),
        (
            fact(aaaa="unknown", answered="unknown", reason="dns_failed", error="gaierror: x"),
            "https://www.sfx.gov.cn/",
            "域名解析失败（gaierror: x）",
        ),
        (
            fact(answered="unknown", status=None, reason="no_ipv6_route"),
            "https://www.sfx.gov.cn/",
            "没有到该网站 IPv6 地址的路由",
        ),
        # A test deployment on localhost: its missing AAAA says nothing about the real site.
        (fact(host="localhost", aaaa="no", answered="no"), "http://localhost:8080/", "本机"),
    ],
)
def test_unknown_is_a_notice_neither_lost_nor_passed(record, website, words):
    result, score, item = judged(record, website)
    assert by_rule(result.findings, "ipv6_missing") == []
    (notice,) = by_rule(result.findings, "ipv6_not_checked")
    assert notice.severity == "notice" and words in notice.message
    assert item["status"] == "unknown" and item["score"] == item["points"] == 2
    assert item["deducted"] == 0 and item["unknown"] == [notice_id(result, notice)]
    assert score.unknown_items == ["网站规范 / IPv6 支持"]


def notice_id(result, finding) -> int:
    return result.findings.index(finding) + 1
