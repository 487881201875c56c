"""The city ranking workbook (openpyxl), laid out like the annual evaluation notice's annexes.

One sheet for counties and one for departments: 排名 | 单位名称 | the nine dimensions | 总分,
then 结论 and 说明.  A dimension the unit's rubric scores is filled from the check run; the
others come from the assessors' manual CSV.  Passing units are ranked first by 总分, failing
units (单项否决, or govinspect's points below the pass mark) after them, units without a
complete crawl are not ranked.  Then a matrix of findings per indicator, one sheet per
indicator with the underlying counts, and a sheet saying where every number comes from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from govinspect.checks.tables import label
from govinspect.reports.manual import ManualScore
from govinspect.reports.model import SEVERITY_ORDER, finding_points
from govinspect.reports.period import Period
from govinspect.reports.texts import data, number, xml_safe

MAX_CELL = 32_000  # Excel holds 32,767 characters per cell
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")
AUTO_FILL = PatternFill("solid", fgColor="E3EEF9")
FAILED_FONT = Font(color="9B1C1C", bold=True)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


@dataclass(frozen=True)
class RankedUnit:
    unit: dict[str, Any]
    values: dict[str, float | None]  # dimension -> score (automatic or manual)
    automatic: frozenset[str]
    total: float | None
    group: int  # 0 passed, 1 failed, 2 not assessed
    rank: int | None
    remark: str

    @property
    def verdict(self) -> str:
        return label("verdicts", ("passed", "failed", "not_assessed")[self.group])


def put(ws: Worksheet, row: int, column: int, value: Any) -> Any:
    """Write a value; text always stays text (never a formula), minus XML-illegal characters."""
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        cell.value = xml_safe(value)[:MAX_CELL]
        cell.data_type = "s"  # a crawled "=HYPERLINK(...)" must not become a formula
    else:
        cell.value = value
    return cell


def _group(unit: dict[str, Any]) -> int:
    if unit.get("failed"):
        return 1
    return 0 if unit.get("assessed") else 2


def _remark(unit: dict[str, Any], missing: list[str], notes: list[str], pass_score: Any) -> str:
    words = data()["workbook"]
    parts: list[str] = []
    vetoes = list(dict.fromkeys(v["indicator"] for v in unit.get("vetoes") or []))
    if vetoes:
        parts.append(words["veto_remark"].format(indicators="、".join(vetoes)))
    elif unit.get("failed") and unit.get("assessed"):
        parts.append(words["below_pass_remark"].format(pass_score=number(pass_score)))
    if not unit.get("assessed"):
        parts.append(words["not_assessed"])
    if missing:
        parts.append(words["missing_manual"].format(dimensions="、".join(missing)))
    if notes:
        parts.append(words["manual_note"].format(notes="；".join(notes)))
    return "；".join(parts)


def rank_units(
    units: Sequence[dict[str, Any]],
    manual: Mapping[tuple[str, str], ManualScore],
    rubrics: Mapping[str, Any],
) -> list[RankedUnit]:
    """Totals and ranks of one sheet's units (passing first; ties share a rank)."""
    dims = list(data()["workbook"]["dimensions"])
    rows: list[RankedUnit] = []
    for unit in units:
        automatic = frozenset(d for d in unit["scores"] if d in dims)
        values: dict[str, float | None] = {}
        missing, notes = [], []
        for dim in dims:
            if dim in automatic:
                values[dim] = unit["scores"][dim]["score"]
                continue
            entry = manual.get((unit["id"], dim))
            values[dim] = entry.score if entry else None
            if entry is None:
                missing.append(dim)
            elif entry.note:
                notes.append(f"{dim}：{entry.note}")
        if not manual:
            missing = []  # no manual file at all: said once on the about sheet, not per row
        present = [v for v in values.values() if v is not None]
        group = _group(unit)
        total = round(sum(present), 2) if present and unit.get("assessed") else None
        pass_score = (rubrics.get(unit["category"]) or {}).get("pass_score")
        rows.append(
            RankedUnit(
                unit=unit,
                values=values,
                automatic=automatic,
                total=total,
                group=group,
                rank=None,
                remark=_remark(unit, missing, notes, pass_score),
            )
        )
    rows.sort(key=lambda r: (r.group, r.total is None, -(r.total or 0), r.unit["id"]))
    ranked: list[RankedUnit] = []
    previous: tuple[int, float | None] | None = None
    rank = 0
    for position, row in enumerate(rows, start=1):
        if row.group == 2:
            ranked.append(row)
            continue
        key = (row.group, row.total)
        if key != previous:
            rank = position
            previous = key
        ranked.append(replace(row, rank=rank))
    return ranked


def _widths(ws: Worksheet, widths: Sequence[float]) -> None:
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _ranking_sheet(
    ws: Worksheet, title: str, rows: list[RankedUnit], rubrics: Mapping[str, Any]
) -> None:
    words = data()["workbook"]
    dims = list(words["dimensions"])
    headers = [
        words["rank"],
        words["unit"],
        *dims,
        words["total"],
        words["verdict"],
        words["remark"],
    ]
    put(ws, 1, 1, title).font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    automatic = set().union(*(r.automatic for r in rows)) if rows else set()
    maxima = {
        d["name"]: d["max"] for rubric in rubrics.values() for d in rubric.get("dimensions", [])
    }
    for column, header in enumerate(headers, start=1):
        cell = put(ws, 2, column, header)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
        if header in automatic:
            cell.fill = AUTO_FILL
            cell.comment = Comment(
                f"govinspect 自动评分（满分 {number(maxima.get(header))}）", "govinspect"
            )
    for offset, row in enumerate(rows):
        line = 3 + offset
        put(ws, line, 1, row.rank if row.rank is not None else data()["missing"])
        put(ws, line, 2, row.unit["name"])
        for column, dim in enumerate(dims, start=3):
            value = row.values[dim]
            cell = put(ws, line, column, value if value is not None else None)
            if dim in row.automatic:
                cell.fill = AUTO_FILL
        put(ws, line, 3 + len(dims), row.total)
        verdict = put(ws, line, 4 + len(dims), row.verdict)
        if row.group == 1:
            verdict.font = FAILED_FONT
        put(ws, line, 5 + len(dims), row.remark).alignment = WRAP
    ws.freeze_panes = "C3"
    _widths(ws, [6, 24, *([10] * len(dims)), 9, 8, 48])


def _indicators(units: Sequence[dict[str, Any]]) -> list[tuple[str, str]]:
    """(indicator, severity) of every veto or deduction finding of the run, vetoes first."""
    first: dict[tuple[str, str], int] = {}
    for unit in units:
        for f in unit["findings"]:
            if f["severity"] in ("veto", "deduction"):
                first.setdefault((f["indicator"], f["severity"]), f["id"])
    return sorted(first, key=lambda k: (SEVERITY_ORDER.index(k[1]), first[k]))


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_BAD.sub("_", name).strip("'")[:31] or "sheet"
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def _urls_cell(urls: list[str]) -> str:
    limit = int(data()["workbook_urls_per_cell"])
    shown = "\n".join(urls[:limit])
    if len(urls) > limit:
        shown += "\n" + data()["workbook"]["urls_more"].format(total=len(urls))
    return shown


def _indicator_sheets(wb: Workbook, units: Sequence[dict[str, Any]], taken: set[str]) -> None:
    words = data()["workbook"]
    categories = data()["text"]["categories"]
    indicators = _indicators(units)
    matrix = wb.create_sheet(_sheet_name(words["sheets"]["matrix"], taken))
    for column, header in enumerate(
        [words["unit"], words["category"], *(i for i, _ in indicators)], start=1
    ):
        cell = put(matrix, 1, column, header)
        cell.font, cell.fill, cell.alignment = BOLD, HEADER_FILL, WRAP
    counts: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for unit in units:
        for f in unit["findings"]:
            counts.setdefault((unit["id"], f["indicator"], f["severity"]), []).append(f)
    for line, unit in enumerate(units, start=2):
        put(matrix, line, 1, unit["name"])
        put(matrix, line, 2, categories.get(unit["category"], unit["category"]))
        for column, key in enumerate(indicators, start=3):
            found = counts.get((unit["id"], *key), [])
            put(matrix, line, column, sum(int(f.get("count") or 1) for f in found))
    matrix.freeze_panes = "C2"
    _widths(matrix, [24, 18, *([12] * len(indicators))])
    points = {u["id"]: finding_points(u) for u in units}
    severities = data()["severities"]
    for indicator, severity in indicators:
        ws = wb.create_sheet(_sheet_name(indicator, taken))
        headers = [
            words["unit"], words["category"], words["severity"], words["count"], words["points"],
            words["urls"],
        ]  # fmt: skip
        for column, header in enumerate(headers, start=1):
            cell = put(ws, 1, column, header)
            cell.font, cell.fill = BOLD, HEADER_FILL
        for line, unit in enumerate(units, start=2):
            found = counts.get((unit["id"], indicator, severity), [])
            put(ws, line, 1, unit["name"])
            put(ws, line, 2, categories.get(unit["category"], unit["category"]))
            put(ws, line, 3, severities[severity])
            put(ws, line, 4, sum(int(f.get("count") or 1) for f in found))
            put(ws, line, 5, round(sum(points[unit["id"]].get(f["id"], 0) for f in found), 2))
            subjects = [f["urls"][0] for f in found if f.get("urls")]
            put(ws, line, 6, _urls_cell(subjects)).alignment = WRAP
        ws.freeze_panes = "B2"
        _widths(ws, [24, 18, 10, 8, 8, 80])


def _about_sheet(
    ws: Worksheet,
    export: dict[str, Any],
    period: Period,
    manual_file: Path | None,
    automatic: list[str],
    generated: str,
) -> None:
    words = data()["workbook"]
    manual_dims = [d for d in words["dimensions"] if d not in automatic]
    rubrics = "；".join(
        f"{r.get('name')}（{r.get('source')}, sha256 {str(r.get('sha256'))[:12]}…）"
        for r in export.get("rubrics", {}).values()
    )
    values = {
        "run_id": export["run_id"],
        "as_of": export["as_of"],
        "period": f"{period.label}（{period.code}）",
        "automatic": "、".join(automatic),
        "manual": "、".join(manual_dims),
        "manual_file": str(manual_file) if manual_file else words["no_manual_file"],
        "rubrics": rubrics,
        "generated": generated,
    }
    for line, (key, template) in enumerate(words["about"], start=1):
        put(ws, line, 1, key).font = BOLD
        put(ws, line, 2, template.format(**values)).alignment = WRAP
    _widths(ws, [16, 100])


def write_workbook(
    export: dict[str, Any],
    manual: Mapping[tuple[str, str], ManualScore],
    manual_file: Path | None,
    period: Period,
    generated: str,
    path: Path,
) -> dict[str, list[RankedUnit]]:
    """Write the ranking workbook; returns the ranked rows per category (for the caller)."""
    words = data()["workbook"]
    rubrics = export.get("rubrics", {})
    wb = Workbook()
    taken: set[str] = set()
    ranked: dict[str, list[RankedUnit]] = {}
    first = True
    for category in ("county", "department"):
        units = [u for u in export["units"] if u["category"] == category]
        ranked[category] = rank_units(units, manual, rubrics)
        name = _sheet_name(words["sheets"][category], taken)
        if first:
            ws = wb.active
            ws.title = name
            first = False
        else:
            ws = wb.create_sheet(name)
        _ranking_sheet(ws, f"{period.label}{name}检查结果", ranked[category], rubrics)
    ordered = [row.unit for category in ("county", "department") for row in ranked[category]]
    _indicator_sheets(wb, ordered, taken)
    automatic = [d for d in words["dimensions"] if any(d in u["scores"] for u in export["units"])]
    _about_sheet(
        wb.create_sheet(_sheet_name(words["sheets"]["about"], taken)),
        export, period, manual_file, automatic, generated,
    )  # fmt: skip
    wb.save(str(path))
    return ranked
