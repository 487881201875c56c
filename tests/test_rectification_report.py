"""The quarterly self-check report's 整改情况: last quarter's findings and their fate."""

from __future__ import annotations

import re
from datetime import date

from docx import Document

from govinspect.checks.lifecycle_store import act
from govinspect.checks.run import run_checks
from govinspect.reports.build import build_reports
from govinspect.settings import load_settings
from govinspect.store.db import open_store
from govinspect.store.models import FindingState
from govinspect.store.units import sync_registry
from tests.lifecycle_site import BASE, at, record_crawl, registry_at

Q3 = date(2026, 9, 20)
Q4 = date(2026, 11, 20)


def test_the_report_follows_last_quarters_findings(tmp_path):
    registry = registry_at(tmp_path / "govinspect.yaml", unit={"exclude_links": [f"{BASE}old/*"]})
    settings = load_settings(config=tmp_path / "govinspect.yaml", data_dir=tmp_path / "var")
    store = open_store(settings.database_url)
    sync_registry(store, registry)
    record_crawl(store, at(Q3), {"a.html": 404, "b.html": 404, "c.html": 404}, newest=Q3)
    run_checks(store, registry, Q3, None, settings.data_dir)
    with store.session() as session:
        keys = {s.subject: s.key for s in session.query(FindingState)}
        act(session, keys[f"{BASE}b.html"], "accept", "李四", today=date(2026, 9, 21),
            deadline=date(2026, 10, 15), reason="十月改版")  # fmt: skip
        act(session, keys[f"{BASE}c.html"], "ignore", "张三", today=date(2026, 9, 21),
            reason="链接指向内网，外网不可达属正常")  # fmt: skip
    # The next quarter: a.html repaired, b.html still dead past its deadline, c.html ignored.
    record_crawl(
        store, at(Q4), {"a.html": 200, "b.html": 404, "c.html": 404, "old/x.html": 404}, newest=Q4
    )
    run_checks(store, registry, Q4, None, settings.data_dir)
    result = build_reports(
        store, registry, settings, "2026Q4", None, {"html", "docx"}, None, tmp_path / "out"
    )
    html = (tmp_path / "out" / "sfz-2026Q4-self-check.html").read_text(encoding="utf-8")
    assert "十、上期问题整改情况" in html
    found = re.search(r"2026年第三季度检查发现问题 (\d+) 个，已整改 1 个，逾期未整改 1 个", html)
    assert found is not None, html[html.index("九、") : html.index("九、") + 400]
    assert "经核实忽略 1 个" in html

    def row(subject: str) -> str:
        match = re.search(
            rf'<tr class="fate-(\w+)" data-key="{keys[subject]}">(.*?)</tr>', html, re.S
        )
        assert match is not None, subject
        return match.group(1) + match.group(2)

    fixed = row(f"{BASE}a.html")
    assert fixed.startswith("fixed") and "已于 2026-11-20 确认整改" in fixed
    assert "复查状态码 200" in fixed and "2026-09-20" in fixed
    overdue = row(f"{BASE}b.html")
    assert overdue.startswith("overdue") and "整改期限 2026-10-15 已过" in overdue
    ignored = row(f"{BASE}c.html")
    assert ignored.startswith("ignored") and "张三" in ignored and "外网不可达属正常" in ignored
    # The excluded and the ignored links are shown in the dead links, marked, and not counted:
    # of the four dead targets only b.html counts, now and in the trend.
    assert "已按配置排除" in html and f"{BASE}old/x.html" in html
    assert "已忽略（经核实为误报）" in html
    (report,) = [f for f in result.files if f.suffix == ".html"]
    assert report.exists()
    dead_row = re.search(r"<td>不可用链接（个）</td><td class=\"num\">([\d.]+)</td>", html)
    assert dead_row is not None and dead_row.group(1) == "1"

    doc = Document(str(tmp_path / "out" / "sfz-2026Q4-self-check.docx"))
    words = "\n".join(p.text for p in doc.paragraphs)
    assert "十、上期问题整改情况" in words and found.group(0) in words
    assert any(path.suffix == ".docx" for path in result.files)
    store.dispose()
