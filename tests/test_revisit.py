"""Evidence of a 304: a WARC ``revisit`` record referring to the original capture.

A local site with validators is crawled three times without changing.  The later crawls' pages
must be archived as revisit records (profile server-not-modified) carrying the 304 and
referring to the *first* crawl's response records; the checks must read the original body
through the reference (same findings), and the evidence pack and the self-check report must
hold and show both records.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from govinspect.checks.run import run_checks
from govinspect.checks.timeutil import SHANGHAI
from govinspect.crawler.launch import run_crawl
from govinspect.crawler.warc import WarcLog
from govinspect.registry import parse_registry
from govinspect.reports.build import build_reports
from govinspect.settings import load_settings
from govinspect.store.archive import (
    REFERS_TO_FILE,
    REFERS_TO_OFFSET,
    REVISIT_NOT_MODIFIED,
    page_html,
    read_capture,
    read_record,
)
from govinspect.store.db import open_store
from govinspect.store.models import Finding, Page
from govinspect.store.units import sync_registry
from tests.fixture_site import FixtureServer, html
from tests.test_httpcache import Site

AS_OF = date(2026, 11, 20)
GUIDE = (
    "<h1>政府信息公开指南</h1><p>依据《中华人民共和国政府信息公开条例》（国务院令第492号）编制。"
    "申请人可以通过书面申请、在线申请等方式提出申请。办公地址：测试县人民政府办公室。"
    "办公时间：工作日上午九时至下午五时。联系电话：0371-00000000。"
    + "本指南说明公开的范围和程序。"
    * 8
)


def _routes(site: Site) -> dict:
    home = (
        '<a href="/guide.html">政府信息公开指南</a><a href="/news.html">要闻</a>'
        '<a href="/gone.html">失效链接</a>'
    )
    return {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\n"),
        "/": site.validated("/", lambda v: html(home, title="测试县人民政府")),
        "/guide.html": site.validated("/guide.html", lambda v: html(GUIDE, title="公开指南")),
        "/news.html": site.validated("/news.html", lambda v: html("<p>要闻</p>", title="要闻")),
    }


def _setup(tmp: Path, server: FixtureServer):
    unit = {"id": "u", "name": "测试县人民政府", "category": "county", "website": server.base + "/"}
    registry = parse_registry({"units": [unit]})
    settings = load_settings(data_dir=tmp / "var", timeout=3.0, recheck_delay=0.2, retry_times=0)
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    return registry, settings, store


def _crawl(settings, store, registry) -> int:
    result = run_crawl(settings, store, registry.units[0], progress=False)
    assert result.status == "complete", result.error
    return result.run_id


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("revisit")
    site = Site()
    with FixtureServer(_routes(site)) as server:
        registry, settings, store = _setup(tmp, server)
        first = _crawl(settings, store, registry)
        check1 = run_checks(store, registry, AS_OF, None, settings.data_dir)
        second = _crawl(settings, store, registry)
        check2 = run_checks(store, registry, AS_OF, None, settings.data_dir)
        out = tmp / "reports"
        result = build_reports(
            store, registry, settings, None, None, {"html", "evidence"}, None, out
        )
        third = _crawl(settings, store, registry)
        yield {
            "base": server.base,
            "site": site,
            "store": store,
            "data_dir": Path(settings.data_dir).resolve(),
            "crawls": (first, second, third),
            "checks": (check1, check2),
            "reports": result,
            "out": out,
            "tmp": tmp,
        }
        store.dispose()


def _page(ctx, run: int, path: str) -> Page:
    with ctx["store"].session() as session:
        return session.scalars(
            select(Page).where(Page.run_id == run, Page.url == ctx["base"] + path)
        ).one()


def _warc_record(data_dir: Path, name: str, offset: int):
    with (data_dir / name).open("rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        record.content_stream().read()
        return record


@pytest.mark.parametrize("path", ["/", "/guide.html", "/news.html"])
def test_second_crawl_archives_revisits_of_the_first_capture(crawled, path):
    first, second, _ = crawled["crawls"]
    data_dir = crawled["data_dir"]
    assert crawled["site"].not_modified[path] >= 1
    old, new = _page(crawled, first, path), _page(crawled, second, path)
    assert new.warc_file != old.warc_file  # each crawl run has its own WARC file
    original = _warc_record(data_dir, old.warc_file, old.warc_offset)
    assert original.rec_type == "response"
    revisit = _warc_record(data_dir, new.warc_file, new.warc_offset)
    headers = revisit.rec_headers
    assert revisit.rec_type == "revisit"
    assert headers.protocol == "WARC/1.1"
    assert headers.get_header("WARC-Profile") == REVISIT_NOT_MODIFIED
    assert headers.get_header("WARC-Refers-To") == original.rec_headers.get_header("WARC-Record-ID")
    assert headers.get_header("WARC-Refers-To-Target-URI") == crawled["base"] + path
    assert headers.get_header("WARC-Refers-To-Date") == original.rec_headers.get_header("WARC-Date")
    assert (headers.get_header(REFERS_TO_FILE), headers.get_header(REFERS_TO_OFFSET)) == (
        old.warc_file,
        str(old.warc_offset),
    )
    # The 304's own status line and headers, dated by this crawl.
    assert revisit.http_headers.statusline == "304 Not Modified"
    assert revisit.http_headers.get_header("ETag").startswith(f'"{path}-')
    assert revisit.http_headers.get_header("Content-Length") == "0"
    assert headers.get_header("WARC-Date") >= headers.get_header("WARC-Refers-To-Date")
    # The request that got it was conditional.
    with (data_dir / new.warc_file).open("rb") as fh:
        requests = [
            r.http_headers.get_header("If-None-Match")
            for r in ArchiveIterator(fh)
            if r.rec_type == "request"
            and r.rec_headers.get_header("WARC-Concurrent-To")
            == headers.get_header("WARC-Record-ID")
        ]
    assert requests == [revisit.http_headers.get_header("ETag")]


def test_later_revisits_still_refer_to_the_first_capture(crawled):
    first, _, third = crawled["crawls"]
    old, new = _page(crawled, first, "/guide.html"), _page(crawled, third, "/guide.html")
    record = read_record(crawled["data_dir"], new.warc_file, new.warc_offset)
    assert record.rec_type == "revisit" and record.refers_to_location == (
        old.warc_file,
        old.warc_offset,
    )


def test_checks_read_the_original_body(crawled):
    first, second, _ = crawled["crawls"]
    old, new = _page(crawled, first, "/guide.html"), _page(crawled, second, "/guide.html")
    assert "国务院令第492号" in page_html(crawled["data_dir"], new.warc_file, new.warc_offset, None)
    assert page_html(crawled["data_dir"], new.warc_file, new.warc_offset, None) == page_html(
        crawled["data_dir"], old.warc_file, old.warc_offset, None
    )


def _findings(store, run_id: int) -> set[tuple]:
    with store.session() as session:
        return {
            (f.check, f.indicator, f.severity, f.message, tuple(f.urls))
            for f in session.scalars(select(Finding).where(Finding.run_id == run_id))
        }


def test_checks_on_the_second_crawl_give_the_same_findings(crawled):
    check1, check2 = crawled["checks"]
    first = _findings(crawled["store"], check1)
    assert first == _findings(crawled["store"], check2)
    # Among them, one that needs the archived HTML of a revalidated page.
    assert any("国务院令第711号" in finding[3] for finding in first)


def test_pack_holds_the_revisit_and_the_original_and_verifies(crawled, tmp_path):
    first, second, _ = crawled["crawls"]
    pack = crawled["out"] / "u-2026Q4-evidence.zip"
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(tmp_path)
    folder = tmp_path / "u-2026Q4-evidence"
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    check = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", "-v", str(folder / "evidence.warc.gz")],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    document = json.loads((folder / "findings.json").read_text(encoding="utf-8"))
    records = {r["number"]: r for r in document["records"]}
    guide = crawled["base"] + "/guide.html"
    refs = [
        ref
        for f in document["findings"]
        for ref in f["evidence_records"]
        if ref["url"] == guide and ref["revisit"]
    ]
    assert refs, "the guide's finding cites its revisit record"
    ref = refs[0]
    revisit, original = records[ref["record"]], records[ref["original_record"]]
    assert revisit["rec_type"] == "revisit" and revisit["status"] == 304
    assert revisit["source_warc_file"] == _page(crawled, second, "/guide.html").warc_file
    assert revisit["refers_to_record"] == original["number"]
    assert original["rec_type"] == "response" and original["status"] == 200
    assert original["source_warc_file"] == _page(crawled, first, "/guide.html").warc_file
    assert revisit["refers_to"] == original["record_id"]
    assert revisit["refers_to_date"] == original["date"] < revisit["date"]
    assert ref["original_warc_offset"] == original["warc_offset"]
    # Both records are in evidence.warc.gz where findings.json says.
    with (folder / "evidence.warc.gz").open("rb") as fh:
        for number in (revisit["number"], original["number"]):
            fh.seek(records[number]["warc_offset"])
            record = next(iter(ArchiveIterator(fh)))
            assert record.rec_headers.get_header("WARC-Record-ID") == records[number]["record_id"]
    # index.html shows both dates: the original capture and the revalidation.
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert ref["original_fetched_at_local"] in index and ref["fetched_at_local"] in index
    assert f'href="#r{original["number"]}"' in index and "304" in index
    assert "国务院令第492号" in index  # the original's text excerpt


def test_self_check_report_shows_the_revalidation_and_the_original(crawled):
    first, second, _ = crawled["crawls"]
    report = (crawled["out"] / "u-2026Q4-self-check.html").read_text(encoding="utf-8")
    old = _page(crawled, first, "/guide.html")
    assert f"{old.warc_file} @ {old.warc_offset}" in report
    assert "304（未修改" in report and "原始采集" in report
    capture = read_record(crawled["data_dir"], old.warc_file, old.warc_offset).date
    local = datetime.fromisoformat(capture.replace("Z", "+00:00")).astimezone(SHANGHAI)
    assert local.strftime("%Y-%m-%d %H:%M:%S") in report


# --- a cache written before captures were recorded ------------------------------------------


def test_a_page_without_an_archived_capture_is_fetched_in_full(tmp_path):
    site = Site()
    with FixtureServer(_routes(site)) as server:
        registry, settings, store = _setup(tmp_path, server)
        _crawl(settings, store, registry)
        # The cache as an older version wrote it: no capture columns.
        cache = tmp_path / "var" / "httpcache" / "u.sqlite"
        db = sqlite3.connect(cache)
        db.executescript(
            "CREATE TABLE old AS SELECT key, url, status, headers, body, stored_at FROM responses;"
            "DROP TABLE responses; ALTER TABLE old RENAME TO responses;"
        )
        db.close()
        second = _crawl(settings, store, registry)
        assert site.not_modified["/guide.html"] == 0  # asked for in full, not revalidated
        page = _page({"store": store, "base": server.base}, second, "/guide.html")
        assert read_record(settings.data_dir, page.warc_file, page.warc_offset).status == 200
        third = _crawl(settings, store, registry)
        page = _page({"store": store, "base": server.base}, third, "/guide.html")
        record = read_record(settings.data_dir, page.warc_file, page.warc_offset)
        assert site.not_modified["/guide.html"] == 1
        assert record.rec_type == "revisit" and record.refers_to_location[0].endswith(
            f"run-{second}.warc.gz"
        )
        store.dispose()


def test_a_revisit_without_an_archived_capture_says_so(tmp_path):
    log = WarcLog(tmp_path / "warc" / "x.warc.gz", tmp_path, 1000)
    stored = datetime(2026, 11, 19, 2, 0, tzinfo=UTC)
    ref = log.revisit(
        url="http://a.test/x.html",
        method="GET",
        status=304,
        headers=[("ETag", '"1"')],
        fetched_at=datetime(2026, 11, 20, 2, 0, tzinfo=UTC),
        request_headers=[("If-None-Match", '"1"')],
        refers_to=None,
        stored_at=stored.timestamp(),
    )
    log.close()
    record = read_record(tmp_path, ref.file, ref.offset)
    assert (record.rec_type, record.status, record.refers_to) == ("revisit", 304, None)
    assert record.refers_to_date == "2026-11-19T02:00:00Z"
    assert record.refers_to_uri == "http://a.test/x.html"
    with pytest.raises(ValueError, match="names no archived capture"):
        read_capture(tmp_path, ref.file, ref.offset)
