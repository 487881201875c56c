"""The assessors' manual scores (``--manual scores.csv``): one row per unit and dimension.

Format: a header ``unit,dimension,score[,note]`` (Chinese headers 单位,指标,得分,备注 too),
then rows such as ``qixian,办事服务,22.5,在线办事系统抽查``.  ``unit`` is a unit id or its
exact name.  Every problem is reported as ``FILE:LINE:COLUMN: problem``, all at once.
UTF-8 (with or without BOM) is read first; GB18030 (Excel's default on Chinese Windows) next.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from govinspect.errors import ConfigError
from govinspect.reports.texts import data

MAX_ERRORS = 20  # problems listed before the rest are only counted
FIELDS = ("unit", "dimension", "score", "note")


@dataclass(frozen=True, slots=True)
class ManualScore:
    unit_id: str
    dimension: str
    score: float
    note: str
    line: int


@dataclass(frozen=True, slots=True)
class ManualUnit:
    """What the CSV may say about one unit: its name and which dimensions are automatic."""

    id: str
    name: str
    automatic: frozenset[str]


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the manual scores: {exc.strerror or exc}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ConfigError(f"{path}: the manual scores are neither UTF-8 nor GB18030 text")


def _header(row: list[str]) -> list[str] | None:
    """The canonical field names of a header row, or None when it is not the header."""
    aliases = {
        alias.strip().lower(): name
        for name, names in data()["workbook"]["manual_header"].items()
        for alias in names
    }
    names = [aliases.get(cell.strip().lower()) for cell in row]
    if names[:3] != ["unit", "dimension", "score"] or names[3:] not in ([], ["note"]):
        return None
    return names  # type: ignore[return-value]


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _known(units: Mapping[str, ManualUnit]) -> str:
    ids = sorted(units)
    shown = ", ".join(ids[:10])
    return shown + (f", … ({len(ids)} units)" if len(ids) > 10 else "")


class _Problems:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lines: list[str] = []

    def add(self, line: int, column: int, problem: str) -> None:
        self.lines.append(f"{self.path}:{line}:{column}: {problem}")

    def raise_if_any(self) -> None:
        if not self.lines:
            return
        shown = self.lines[:MAX_ERRORS]
        if len(self.lines) > MAX_ERRORS:
            shown.append(f"{self.path}: … and {len(self.lines) - MAX_ERRORS} more problems")
        raise ConfigError("\n".join(shown))


def _resolve_unit(cell: str, units: Mapping[str, ManualUnit]) -> tuple[str | None, str | None]:
    """(unit id, problem) for the unit cell: an id or an exact, unambiguous name."""
    value = cell.strip()
    if value in units:
        return value, None
    named = [u.id for u in units.values() if u.name == value]
    if len(named) == 1:
        return named[0], None
    if named:
        return None, f"unit name {value!r} is ambiguous ({', '.join(named)}): use the unit id"
    return None, f"unknown unit {value!r} (known: {_known(units)})"


def load_manual(path: Path, units: Mapping[str, ManualUnit]) -> dict[tuple[str, str], ManualScore]:
    """Read and validate the manual scores; ``units`` are the units of the check run by id."""
    limits: dict[str, float] = {
        name: float(limit) for name, limit in data()["workbook"]["manual_max"].items()
    }
    problems = _Problems(path)
    reader = csv.reader(io.StringIO(_read(path), newline=""))
    header: list[str] | None = None
    scores: dict[tuple[str, str], ManualScore] = {}
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if header is None:
            header = _header(row)
            if header is None:
                problems.add(line, 1, "expected the header unit,dimension,score[,note]")
                problems.raise_if_any()
            continue
        if len(row) not in (3, 4):
            problems.add(
                line, 1, f"expected 3 or 4 fields (unit,dimension,score[,note]), got {len(row)}"
            )
            continue
        score = _row(row, line, units, limits, problems)
        if score is None:
            continue
        key = (score.unit_id, score.dimension)
        if key in scores:
            problems.add(
                line, 1, f"duplicate row for unit {score.unit_id!r} and dimension "
                f"{score.dimension!r} (first on line {scores[key].line})",
            )  # fmt: skip
            continue
        scores[key] = score
    if header is None:
        problems.add(1, 1, "no header and no rows (expected unit,dimension,score[,note])")
    problems.raise_if_any()
    return scores


def _row(
    row: list[str],
    line: int,
    units: Mapping[str, ManualUnit],
    limits: Mapping[str, float],
    problems: _Problems,
) -> ManualScore | None:
    unit_id, unit_problem = _resolve_unit(row[0], units)
    if unit_problem:
        problems.add(line, 1, unit_problem)
    dimension = row[1].strip()
    ok = unit_id is not None
    if dimension not in limits:
        problems.add(line, 2, f"unknown dimension {dimension!r} (one of: {', '.join(limits)})")
        ok = False
    elif unit_id is not None and dimension in units[unit_id].automatic:
        problems.add(
            line, 2, f"dimension {dimension!r} is scored automatically by govinspect for "
            f"unit {unit_id!r}: remove this row",
        )  # fmt: skip
        ok = False
    score = _number(row[2])
    if score is None:
        problems.add(line, 3, f"score {row[2].strip()!r} is not a number")
        ok = False
    elif dimension in limits and not 0 <= score <= limits[dimension]:
        problems.add(
            line, 3, f"score {row[2].strip()} is outside 0–{limits[dimension]:g} for {dimension}"
        )
        ok = False
    if not ok or unit_id is None or score is None:
        return None
    note = row[3].strip() if len(row) > 3 else ""
    return ManualScore(unit_id=unit_id, dimension=dimension, score=score, note=note, line=line)
