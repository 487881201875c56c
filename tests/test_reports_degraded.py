"""Reports on a machine without WeasyPrint's system libraries (Pango) or a CJK font.

The commands run in a subprocess whose ``PYTHONPATH`` puts a stub ``weasyprint`` first: importing
it fails exactly as WeasyPrint does without Pango (its banner on stdout, then cffi's
``OSError``).  Every other format must still be written, with one line saying why the PDF was
skipped and how to get it; asked for alone, the PDF is a clear error.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import warnings
import zipfile
from datetime import date

import pytest

from govinspect.reports import chart
from govinspect.reports.model import PeriodResult, TrendPoint
from govinspect.reports.period import Period
from govinspect.reports.texts import data
from tests.fixture_site import FixtureServer, html

AS_OF = date(2026, 11, 20)
#: What WeasyPrint 70 does when ``libpango-1.0-0`` is missing (weasyprint/text/ffi.py).
STUB = """
print("\\n-----\\n\\nWeasyPrint could not import some external libraries. Please carefully "
      "follow the installation steps before reporting an issue:\\n\\n-----\\n")
raise OSError(
    "cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file: "
    "No such file or directory.  Additionally, ctypes.util.find_library() did not manage to "
    "locate a library called 'libpango-1.0-0'"
)
"""


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """A one-site registry crawled and checked (a dead link gives a finding to pack)."""
    from govinspect.checks.run import run_checks
    from govinspect.crawler.launch import run_crawl
    from govinspect.registry import load_registry
    from govinspect.settings import load_settings
    from govinspect.store.db import open_store
    from govinspect.store.units import sync_registry

    tmp = tmp_path_factory.mktemp("degraded")
    routes = {
        "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\n"),
        "/": html('<p>首页</p><a href="/gone.html">失效链接</a>', title="测试县人民政府"),
    }
    with FixtureServer(routes) as server:
        config = tmp / "govinspect.yaml"
        config.write_text(
            "units:\n  - id: u\n    name: 测试县人民政府\n    category: county\n"
            f"    website: {server.base}/\n",
            encoding="utf-8",
        )
        registry = load_registry(config)
        settings = load_settings(config=config, data_dir=tmp / "var", timeout=3.0)
        store = open_store(settings.database_url)
        sync_registry(store, registry)
        assert run_crawl(settings, store, registry.units[0], progress=False).status == "complete"
    run_checks(store, registry, AS_OF, None, settings.data_dir)
    store.dispose()
    stub = tmp / "stub" / "weasyprint"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(STUB, encoding="utf-8")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp),
        "COLUMNS": "80",  # a narrow terminal: the line must stay one line
        "PYTHONPATH": str(stub.parent),
        "GOVINSPECT_CONFIG": str(config),
        "GOVINSPECT_DATA_DIR": str(tmp / "var"),
    }
    return {"tmp": tmp, "env": env}


def _run(checked, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "govinspect", *args],
        cwd=checked["tmp"],
        env=checked["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )


def _pdf_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if "PDF" in line or "WeasyPrint" in line]


def test_the_stub_fails_like_weasyprint_without_pango(checked):
    probe = subprocess.run(
        [sys.executable, "-c", "import weasyprint"],
        env=checked["env"],
        capture_output=True,
        text=True,
    )
    assert probe.returncode == 1 and "OSError: cannot load library 'libpango-1.0-0'" in probe.stderr


def test_report_writes_every_other_format_and_says_why_in_one_line(checked):
    out = checked["tmp"] / "all"
    result = _run(checked, "report", "--out", str(out))
    assert result.returncode == 0, result.stderr
    names = {p.name for p in out.iterdir()}
    stem = "u-2026Q4-self-check"
    assert {f"{stem}.html", f"{stem}.docx", "ranking-2026Q4.xlsx", "u-2026Q4-evidence.zip"} <= names
    assert not any(name.endswith((".pdf", ".part")) for name in names)
    with zipfile.ZipFile(out / "u-2026Q4-evidence.zip") as pack:
        assert "u-2026Q4-evidence/SHA256SUMS" in pack.namelist()
    [line] = _pdf_lines(result.stderr)
    assert line.startswith("warning: PDF skipped")
    assert "libpango-1.0-0" in line and "make system-deps" in line
    # WeasyPrint's own banner never reaches the screen.
    assert "-----" not in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_pdf_alone_is_a_clear_error(checked):
    out = checked["tmp"] / "pdf"
    result = _run(checked, "report", "--format", "pdf", "--out", str(out))
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot write the PDF")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "make system-deps" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_pdf_with_another_format_writes_that_format(checked):
    out = checked["tmp"] / "pdf-html"
    result = _run(checked, "report", "--format", "pdf,html", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["u-2026Q4-self-check.html"]
    assert len(_pdf_lines(result.stderr)) == 1


def test_scheduled_report_job_writes_every_other_format(checked):
    code = (
        "import json, logging\n"
        "logging.basicConfig(level=logging.WARNING, format='%(levelname)s %(message)s')\n"
        "from govinspect.scheduler import JobContext, job_reports\n"
        "from govinspect.settings import load_settings\n"
        "s = load_settings()\n"
        "ctx = JobContext(str(s.config), s.database_url, str(s.data_dir))\n"
        "print(json.dumps(job_reports(ctx)))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=checked["tmp"],
        env=checked["env"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["skipped"] == ["pdf"] and summary["files"] == 4
    [line] = _pdf_lines(result.stderr)
    assert line.startswith("WARNING reports for 2026Q4: PDF skipped") and "make system-deps" in line
    reports = checked["tmp"] / "var" / "reports"
    assert (reports / "u-2026Q4-self-check.docx").exists()


# --- no CJK font: the chart falls back quietly -------------------------------------------------


@pytest.fixture
def no_cjk_font(monkeypatch):
    """matplotlib's font lookup misses every CJK font."""
    monkeypatch.setitem(data(), "fonts", ["No Such CJK Font"])
    monkeypatch.setitem(data(), "font_file_hints", ["no-such-font-file"])
    chart.cjk_font.cache_clear()
    yield
    chart.cjk_font.cache_clear()


def test_chart_without_a_cjk_font_emits_no_warnings(no_cjk_font, caplog):
    q3 = PeriodResult(Period(2026, 3), 1, date(2026, 8, 1), 70, {"网站日常管理": 30}, False, 3)
    points = [TrendPoint(Period(2026, 3), q3), TrendPoint(Period(2026, 4), None)]
    caplog.set_level(logging.INFO)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png, warning = chart.trend_png(points, ["网站日常管理", "自定义维度", "Custom"])
    assert png[:4] == b"\x89PNG"
    assert [str(w.message) for w in caught] == []
    assert caplog.records == []
    # Said once, by the caller, in one line.
    assert warning == chart.NO_CJK_FONT and "\n" not in warning
    assert chart._fallback_names(["网站日常管理", "自定义维度", "Custom"]) == [
        "Daily management",
        "Dimension 2",
        "Custom",
    ]
