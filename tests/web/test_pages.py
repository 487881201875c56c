"""The dashboard's pages and API on the demo town: what each role sees, escaping, CSRF."""

from __future__ import annotations

import re

from tests.web.conftest import PASSWORD, QUOTED_URL, SCRIPT, csrf_of, login


def test_login_then_ranking(town):
    client = town.client()
    assert client.get("/").status_code == 303
    assert client.get("/").headers["location"] == "/login?next=%2F"
    page = client.get("/login")
    assert 'name="username"' in page.text and 'name="password"' in page.text
    response = login(client, "office", PASSWORD)
    assert response.status_code == 303 and response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    overview = client.get("/")
    assert overview.status_code == 200
    for text in ("示范县人民政府", "示范县教育局", "示范县发展和改革委员会", "网站日常管理", "总分",
                 "结论", "单项否决", "首页不更新", "<svg class=\"spark\"",
                 "新增", "逾期", "预警"):  # fmt: skip
        assert text in overview.text, text


def test_wrong_password_and_rate_limit(town):
    client = town.client()
    assert login(client, "office", "wrong password!").status_code == 401
    for _ in range(5):  # web_login_attempts: 5 failures, then refused
        assert login(client, "locked_user", "nope nope nope").status_code == 401
    assert login(client, "locked_user", "nope nope nope").status_code == 429
    # the lock is per user name: another user from the same address still gets in
    assert login(client, "assessor", PASSWORD).status_code == 303


def test_rate_limit_per_address(town):
    from govinspect.web.app import asgi

    settings = town.settings.model_copy(update={"web_login_attempts_per_address": 3})
    from starlette.testclient import TestClient

    client = TestClient(asgi(settings, town.store), follow_redirects=False)
    for i in range(3):
        assert login(client, f"guess{i}", "nope nope nope").status_code == 401
    assert login(client, "office", PASSWORD).status_code == 429


def test_unit_page_sections(town):
    client = town.login("office")
    page = client.get("/units/county")
    assert page.status_code == 200
    for text in ("一、得分情况", "扣分明细", "三、整改清单", "四、栏目更新情况", "五、不可用链接",
                 "六、政务新媒体", "运行记录", "所在页面"):  # fmt: skip
        assert text in page.text, text
    # deductions name their rule and finding
    assert re.search(
        r"<code>dead_link_\w+</code> · <a href=\"/units/county/findings/\d+\">", page.text
    )
    sorted_page = client.get("/units/county?sort=age&dir=desc")
    assert "距今（天） ▼" in sorted_page.text


def test_unknown_sections_are_shown_generically(town, monkeypatch):
    from govinspect.web import data

    real = data.export

    def with_section(store, run_id, data_dir):
        exported = real(store, run_id, data_dir)
        for unit in exported["units"]:
            unit["interaction"] = {"mailboxes": [{"name": f"县长信箱{SCRIPT}", "answered": 3}]}
        return exported

    monkeypatch.setattr(data, "export", with_section)
    page = town.login("office").get("/units/county")
    assert 'id="section-interaction"' in page.text and "县长信箱" in page.text
    assert SCRIPT not in page.text


def test_escaping_everywhere(town):
    client = town.login("office")
    unit = client.get("/units/county")
    finding = client.get(f"/units/county/findings/{town.hostile}")
    evidence = client.get(f"/units/county/findings/{town.hostile}/evidence/0")
    for page in (unit, finding, evidence):
        assert page.status_code == 200
        assert SCRIPT not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert QUOTED_URL not in page.text  # quotes are escaped in text and attributes
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "<script" not in page.text  # no script of our own either
    assert "&lt;script&gt;document.title" in evidence.text  # the body as escaped source
    assert 'sandbox=""' in evidence.text
    body = client.get(f"/units/county/findings/{town.hostile}/evidence/0/body")
    assert body.headers["content-security-policy"].startswith("sandbox;")
    assert "default-src 'none'" in body.headers["content-security-policy"]
    api = client.get(f"/api/units/county/findings/{town.hostile}/evidence/0")
    assert api.json()["body"].startswith("<html>")  # JSON carries it as data


def test_warc_record_download(town):
    import io

    from warcio.archiveiterator import ArchiveIterator

    client = town.login("assessor")
    response = client.get(f"/units/county/findings/{town.hostile}/evidence/0/record.warc.gz")
    assert response.status_code == 200
    assert "attachment" in response.headers["content-disposition"]
    records = list(ArchiveIterator(io.BytesIO(response.content)))
    assert records[0].rec_headers.get_header("WARC-Target-URI") == QUOTED_URL


def test_csrf_required(town):
    client = town.login("office")
    assert client.post("/logout", data={}).status_code == 403
    assert client.get("/").status_code == 200  # still logged in
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303
    # the login form too
    fresh = town.client()
    fresh.get("/login")
    refused = fresh.post("/login", data={"username": "office", "password": PASSWORD})
    assert refused.status_code == 403


def test_secure_cookie_behind_a_trusted_proxy(town):
    from starlette.testclient import TestClient

    from govinspect.web.app import asgi

    proxied = town.settings.model_copy(update={"web_trusted_proxies": "testclient"})
    client = TestClient(asgi(proxied, town.store), follow_redirects=False)
    token = csrf_of(client.get("/login", headers={"X-Forwarded-Proto": "https"}).text)
    response = client.post(
        "/login",
        data={"username": "office", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "Secure" in response.headers["set-cookie"]
    # an untrusted client cannot claim HTTPS
    plain = town.client()
    token = csrf_of(plain.get("/login").text)
    response = plain.post(
        "/login",
        data={"username": "office", "password": PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-Proto": "https"},
    )
    assert "Secure" not in response.headers["set-cookie"]


def test_api(town):
    client = town.client()
    assert client.get("/api/ranking").status_code == 401
    client = town.login("wm_county")
    ranking = client.get("/api/ranking").json()
    assert [u["unit"] for u in ranking["units"]] == ["county"]
    export = client.get("/api/units/county/export").json()
    assert [u["id"] for u in export["units"]] == ["county"]
    assert export["run_id"] == town.run_id
    assert client.get("/api/units/dept/export").status_code == 404
    assert client.get("/api/me").json() == {"name": "wm_county", "role": "webmaster",
                                            "units": ["county"]}  # fmt: skip


def test_health(town):
    page = town.login("office").get("/health")
    assert page.status_code == 200
    assert "最近采集" in page.text and "失败的任务" in page.text


def test_report_download_on_demand(town):
    client = town.login("wm_county")
    response = client.get(f"/reports/{town.period}/county/html")
    assert response.status_code == 200
    assert "自查整改情况" in response.text
    assert (town.settings.reports_dir / f"county-{town.period}-self-check.html").is_file()
    assert client.get(f"/reports/{town.period}/ranking.xlsx").status_code == 404
    office = town.login("office")
    xlsx = office.get(f"/reports/{town.period}/ranking.xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pack = office.get(f"/units/dept/evidence.zip?period={town.period}")
    assert pack.status_code == 200 and pack.content[:2] == b"PK"
    docx = office.get(f"/reports/{town.period}/dept/docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = office.get(f"/reports/{town.period}/dept/pdf")  # WeasyPrint with Pango, as CI has
    assert pdf.status_code == 200 and pdf.content[:4] == b"%PDF"
    assert office.get(f"/reports/{town.period}/dept/odt").status_code == 404
    assert office.get("/reports/2026Q9/dept/html").status_code == 404


def test_office_manages_users(town):
    client = town.login("office")
    page = client.get("/users")
    assert page.status_code == 200 and "wm_county" in page.text
    token = csrf_of(page.text)
    refused = client.post("/users", data={"name": "zhao", "role": "webmaster",
                                          "unit": "nope", "password": PASSWORD})  # fmt: skip
    assert refused.status_code == 403  # no CSRF token
    bad = client.post("/users", data={"csrf_token": token, "name": "zhao", "role": "webmaster",
                                      "unit": "nope", "password": PASSWORD})  # fmt: skip
    assert bad.status_code == 400 and "unknown unit &#39;nope&#39;" in bad.text
    added = client.post("/users", data={"csrf_token": token, "name": "zhao", "role": "webmaster",
                                        "unit": "modern", "password": PASSWORD})  # fmt: skip
    assert added.status_code == 303
    zhao = town.login("zhao")
    assert zhao.get("/units/modern").status_code == 200
    assert zhao.get("/units/county").status_code == 404
    assert zhao.get("/users").status_code == 403
    assert client.post("/users/zhao/remove", data={"csrf_token": token}).status_code == 303
    assert zhao.get("/").status_code == 303  # the session ended with the user
    assert client.post("/users/nobody/remove", data={"csrf_token": token}).status_code == 404


def test_sessions_expire(town):
    from datetime import UTC, datetime, timedelta

    import time_machine

    client = town.login("assessor")
    assert client.get("/").status_code == 200
    later = datetime.now(UTC) + timedelta(minutes=town.settings.web_session_minutes + 1)
    with time_machine.travel(later, tick=False):
        response = client.get("/")
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_login_redirects_only_within_the_site(town):
    for target, expected in (("//evil.example/x", "/"), ("https://evil.example/", "/"),
                             ("/units/county?run=1", "/units/county?run=1")):  # fmt: skip
        client = town.client()  # a login renews the session and its CSRF token
        token = csrf_of(client.get("/login").text)
        response = client.post("/login", data={"username": "office", "password": PASSWORD,
                                               "csrf_token": token, "next": target})  # fmt: skip
        assert response.headers["location"] == expected


def test_health_shows_failed_runs_and_hides_other_units_from_a_webmaster(town):
    from datetime import UTC, datetime, timedelta

    from govinspect.store.models import Run

    with town.store.session() as session:
        session.add(Run(kind="crawl", unit_id="dept", status="failed", error="dept 采集失败 x1"))
        session.add(Run(kind="check", status="failed", error="checking dept failed x2"))
        session.add(Run(kind="feeds", unit_id="dept", status="running", error="stuck x3",
                        started_at=datetime.now(UTC) - timedelta(days=2)))  # fmt: skip
    office = town.login("office").get("/health").text
    assert "dept 采集失败 x1" in office and "checking dept failed x2" in office
    assert "stuck x3" in office  # a run still "running" two days later
    webmaster = town.login("wm_county").get("/health").text
    assert "x1" not in webmaster and "x2" not in webmaster and "详情仅监管办公室可见" in webmaster
    with town.store.session() as session:  # the masking never reached the store
        assert session.query(Run).filter(Run.error == "checking dept failed x2").count() == 1
        session.query(Run).filter(
            Run.error.in_(("dept 采集失败 x1", "checking dept failed x2", "stuck x3"))
        ).delete(synchronize_session=False)


def test_a_report_that_cannot_be_written_is_one_line(town, monkeypatch):
    """Without WeasyPrint's libraries the PDF link answers 503 with the reason, as one line."""
    import sys

    # As on a machine without Pango: importing WeasyPrint fails.
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    client = town.login("office")
    for path in town.settings.reports_dir.glob("modern-*-self-check.pdf"):
        path.unlink()
    response = client.get(f"/reports/{town.period}/modern/pdf")
    assert response.status_code == 503
    assert "cannot write the PDF: WeasyPrint cannot load its libraries" in response.text
