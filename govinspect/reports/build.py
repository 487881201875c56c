"""``govinspect report``: self-check reports, the ranking workbook and evidence packs.

:func:`build_reports` is what the CLI and ``govinspect demo`` call.  It picks the check run of
the period, validates the input (period, units, manual CSV) before writing anything, and
writes every file under a temporary name first, so a failure never leaves half a file.

A format whose libraries are missing (WeasyPrint without Pango) is skipped with one warning
saying why and how to get it, and every other format is still written; only when it was the
one format asked for is that an error.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from govinspect.checks.timeutil import SHANGHAI
from govinspect.errors import ConfigError, GovinspectError
from govinspect.registry import Registry
from govinspect.reports.chart import NO_CJK_FONT
from govinspect.reports.export import export_json
from govinspect.reports.history import run_for_period, unit_history
from govinspect.reports.manual import ManualScore, ManualUnit, load_manual
from govinspect.reports.model import UnitReport, build_unit_report
from govinspect.reports.period import Period, parse_period, period_of
from govinspect.reports.texts import data
from govinspect.settings import Settings
from govinspect.store.db import Store

ALL_FORMATS = ("html", "docx", "pdf", "xlsx", "evidence")
UNIT_FORMATS = frozenset({"html", "docx", "pdf", "evidence"})
NO_CJK_FONT_PDF = (
    "no CJK font found (run `make system-deps`, or apt-get install fonts-noto-cjk): the trend "
    "charts' labels are in English and Chinese in the PDF may print as boxes"
)
#: How to get what WeasyPrint needs, for the one line that says why the PDF was skipped.
PDF_HOWTO = "run `make system-deps`, or apt-get install libpango-1.0-0 libpangoft2-1.0-0"


@dataclass
class ReportResult:
    """What one ``build_reports`` call wrote."""

    period: Period
    run_id: int
    as_of: date
    out_dir: Path
    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Formats asked for but not written (their libraries are missing; ``warnings`` says why).
    skipped: list[str] = field(default_factory=list)


def parse_formats(value: str | Iterable[str] | None) -> set[str]:
    """``"html,docx"`` (or a list of such) → the formats; None or empty → all of them."""
    if value is None:
        return set(ALL_FORMATS)
    items = [value] if isinstance(value, str) else list(value)
    names = {part.strip().lower() for item in items for part in item.split(",") if part.strip()}
    unknown = sorted(names - set(ALL_FORMATS))
    if unknown:
        raise ConfigError(
            f"--format: unknown format {unknown[0]!r} (choose from {', '.join(ALL_FORMATS)})"
        )
    return names or set(ALL_FORMATS)


def _select_units(
    export: dict[str, Any], registry: Registry, unit_ids: Iterable[str] | None
) -> list[dict[str, Any]]:
    exported = {u["id"]: u for u in export["units"]}
    wanted = list(dict.fromkeys(unit_ids or []))
    if not wanted:
        return list(export["units"])
    known = {u.id for u in registry.units} | set(exported)
    for uid in wanted:
        if uid not in known:
            shown = ", ".join(sorted(known)[:10]) or "none"
            raise ConfigError(f"--unit: unknown unit {uid!r} (known: {shown})")
        if uid not in exported:
            raise ConfigError(
                f"--unit {uid}: not in check run {export['run_id']} (as of {export['as_of']}); "
                f"run `govinspect check --unit {uid}` first"
            )
    return [exported[uid] for uid in wanted]


def _manual(export: dict[str, Any], path: Path | None) -> dict[tuple[str, str], ManualScore]:
    if path is None:
        return {}
    dims = set(data()["workbook"]["dimensions"])
    units = {
        u["id"]: ManualUnit(
            id=u["id"], name=u["name"], automatic=frozenset(set(u["scores"]) & dims)
        )
        for u in export["units"]
    }
    return load_manual(Path(path), units)


def _atomic(path: Path, write: Callable[[Path], None]) -> Path:
    partial = path.with_name(path.name + ".part")
    try:
        write(partial)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return path


def _unit_report(
    store: Store, settings: Settings, unit: dict[str, Any], export: dict[str, Any],
    period: Period, generated: str, charts: bool,
) -> UnitReport:  # fmt: skip
    from govinspect.reports.chart import trend_png
    from govinspect.reports.evidence import unit_refs
    from govinspect.reports.rectification import rectification

    as_of = date.fromisoformat(export["as_of"])
    with store.session() as session:
        periods = period.last(int(data()["trend_periods"]))
        history = unit_history(session, unit["id"], periods, (export["run_id"], as_of))
        refs = unit_refs(session, unit, Path(settings.data_dir))
        previous = history.get(period.previous())
        fates = rectification(
            session, unit["id"], period.previous(), previous.run_id if previous else None, as_of
        )
    report = build_unit_report(
        unit,
        period=period,
        as_of=as_of,
        run_id=export["run_id"],
        generated=generated,
        history=history,
        refs=refs,
        rectification=fates,
    )
    if not charts:
        return report
    try:
        png, warning = trend_png(report.trend, [row.name for row in report.scores])
    except (ImportError, OSError) as exc:
        # matplotlib (or a library it loads) missing: the report goes out without its chart.
        png, warning = (
            None,
            (
                f"trend charts skipped: matplotlib cannot be loaded ({_short(exc)}); "
                "reinstall with `make install`"
            ),
        )
    return replace(report, chart_png=png, chart_warning=warning)


def _short(exc: BaseException) -> str:
    """The gist of a library-loading error on one line.

    cffi's says ``cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared
    object file: ...  Additionally, ctypes.util.find_library() ...``: the first clause is enough.
    """
    message = " ".join(str(exc).split())
    match = re.match(r"(cannot load library '[^']+')", message)
    if match:
        return match.group(1)
    return (message[:160] + "…") if len(message) > 160 else message or type(exc).__name__


def _pdf_writer() -> tuple[Callable[[str, Path], None] | None, str | None]:
    """(WeasyPrint's writer, None), or (None, why the PDF cannot be written: one line).

    Tried before anything is written, so a missing library is known up front, not halfway.
    """
    try:
        # Without Pango, WeasyPrint prints a banner on stdout before raising: our one line
        # says it instead.
        with contextlib.redirect_stdout(io.StringIO()):
            import weasyprint  # noqa: F401

        from govinspect.reports.render import write_pdf
    except (ImportError, OSError) as exc:
        return None, (
            f"PDF skipped: WeasyPrint cannot load its libraries ({_short(exc)}); {PDF_HOWTO}"
        )
    return write_pdf, None


def _font_warning(formats: set[str]) -> str | None:
    """One line when no CJK font is found for the charts (and the PDF), else None."""
    if not formats & {"html", "docx", "pdf"}:
        return None
    try:
        from govinspect.reports.chart import cjk_font

        found = cjk_font()
    except (ImportError, OSError):
        return None  # no chart at all: the chart's own warning says why
    if found:
        return None
    return NO_CJK_FONT_PDF if "pdf" in formats else NO_CJK_FONT


def _unit_files(
    report: UnitReport,
    formats: set[str],
    out_dir: Path,
    data_dir: Path,
    write_pdf: Callable[[str, Path], None] | None,
) -> list[Path]:
    from govinspect.reports.render import self_check_html

    stem = f"{report.unit['id']}-{report.period.code}-self-check"
    files: list[Path] = []
    if formats & {"html", "pdf"}:
        html = self_check_html(report)
        if "html" in formats:
            files.append(
                _atomic(out_dir / f"{stem}.html", lambda p: p.write_text(html, encoding="utf-8"))
            )
        if write_pdf is not None:
            files.append(_atomic(out_dir / f"{stem}.pdf", lambda p: write_pdf(html, p)))
    if "docx" in formats:
        from govinspect.reports.word import write_docx

        files.append(_atomic(out_dir / f"{stem}.docx", lambda p: write_docx(report, p)))
    if "evidence" in formats:
        from govinspect.reports.pack import pack_name, write_evidence_pack

        files.append(
            _atomic(
                out_dir / f"{pack_name(report)}.zip",
                lambda p: write_evidence_pack(report, data_dir, p),
            )
        )
    return files


def build_reports(
    store: Store,
    registry: Registry,
    settings: Settings,
    period: str | None,
    unit_ids: Iterable[str] | None,
    formats: set[str],
    manual_csv: Path | None,
    out_dir: Path,
    on_file: Callable[[Path], None] | None = None,
) -> ReportResult:
    """Write the reports of one period into ``out_dir``; returns the files written.

    ``period``: ``2026Q4`` (the latest check run with its monitoring date in that quarter), or
    None for the latest check run.  ``unit_ids``: the units given self-check reports and
    evidence packs (default: every unit of the run); the workbook always ranks every unit of
    the run.  ``formats``: any of html, docx, pdf, xlsx, evidence.  Bad input raises
    :class:`ConfigError` before any file is written.  A PDF that cannot be written (WeasyPrint's
    libraries missing) is skipped with a warning (``result.skipped``/``result.warnings``)
    while every other format is written; asked for alone, it raises :class:`GovinspectError`.
    """
    formats = parse_formats(formats)
    wanted = parse_period(period) if period else None
    with store.session() as session:
        run_id = run_for_period(session, wanted).id
    data_dir = Path(settings.data_dir)
    export = export_json(store, run_id, data_dir.resolve())
    as_of = date.fromisoformat(export["as_of"])
    report_period = wanted or period_of(as_of)
    units = _select_units(export, registry, unit_ids)
    manual = _manual(export, manual_csv)
    write_pdf, pdf_problem = _pdf_writer() if "pdf" in formats else (None, None)
    if pdf_problem and formats == {"pdf"}:
        raise GovinspectError(pdf_problem.replace("PDF skipped", "cannot write the PDF", 1))
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"--out: cannot create {out_dir}: {exc.strerror or exc}") from None
    result = ReportResult(report_period, run_id, as_of, out_dir)
    if pdf_problem:
        formats = formats - {"pdf"}
        result.skipped.append("pdf")
        result.warnings.append(pdf_problem)
    generated = datetime.now(SHANGHAI).strftime("%Y-%m-%d %H:%M")

    def done(paths: Iterable[Path]) -> None:
        for path in paths:
            result.files.append(path)
            if on_file:
                on_file(path)

    font_warning = _font_warning(formats)
    if font_warning:
        result.warnings.append(font_warning)
    if formats & UNIT_FORMATS:
        charts = bool(formats & {"html", "pdf", "docx"})
        for unit in units:
            report = _unit_report(store, settings, unit, export, report_period, generated, charts)
            warning = report.chart_warning
            if warning and warning != NO_CJK_FONT and warning not in result.warnings:
                result.warnings.append(warning)
            done(_unit_files(report, formats, out_dir, data_dir, write_pdf))
    if "xlsx" in formats:
        from govinspect.reports.workbook import write_workbook

        path = out_dir / f"ranking-{report_period.code}.xlsx"
        done([
            _atomic(
                path,
                lambda p: write_workbook(export, manual, manual_csv, report_period, generated, p),
            )
        ])  # fmt: skip
    return result
