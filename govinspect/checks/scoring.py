"""Points per dimension from the findings and the rubric.

Each rubric item starts at its points; every finding of a ``deduction`` rule listed in the
item takes ``deduct × count`` off, and an item never loses more than its points (2019 指标:
单项指标扣分不超过该指标分值).  A veto fails the unit (不合格) whatever its points, and so does
a total below the rubric's pass score.  Every deduction names the finding that caused it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from govinspect.checks.findings import Finding
from govinspect.checks.rubric import DimensionSpec, Rubric
from govinspect.checks.tables import label

PLACES = 2  # points are shown with two decimals (0.1 per dead link adds up exactly)


@dataclass
class DimensionScore:
    name: str
    max: float
    score: float
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class UnitScore:
    dimensions: list[DimensionScore]
    vetoes: list[int]  # finding ids
    total: float
    max: float
    failed: bool
    below_pass: bool

    @property
    def verdict(self) -> str:
        return label("verdicts", "failed" if self.failed else "passed")


def _dimension(
    dimension: DimensionSpec, findings: Sequence[tuple[int, Finding]], rubric: Rubric
) -> DimensionScore:
    items = []
    for item in dimension.items:
        deductions = []
        for finding_id, finding in findings:
            if finding.rule not in item.rules or finding.severity != "deduction":
                continue
            per = rubric.rule(finding.rule).deduct
            deductions.append(
                {
                    "finding_id": finding_id,
                    "rule": finding.rule,
                    "indicator": finding.indicator,
                    "count": finding.count,
                    "per_occurrence": per,
                    "points": round(per * finding.count, PLACES),
                }
            )
        wanted = round(sum(d["points"] for d in deductions), PLACES)
        deducted = min(item.points, wanted)
        items.append(
            {
                "indicator": item.name,
                "points": item.points,
                "deducted": deducted,
                "score": round(item.points - deducted, PLACES),
                "capped": wanted > item.points,
                "rules": list(item.rules),
                "deductions": deductions,
            }
        )
    score = round(sum(i["score"] for i in items), PLACES)
    return DimensionScore(dimension.name, dimension.max, score, items)


def score_unit(findings: Sequence[tuple[int, Finding]], rubric: Rubric) -> UnitScore:
    """Score one unit; ``findings`` are (finding id, finding) pairs."""
    dimensions = [_dimension(d, findings, rubric) for d in rubric.dimensions]
    vetoes = [fid for fid, f in findings if f.severity == "veto" and rubric.rule(f.rule).fails_unit]
    total = round(sum(d.score for d in dimensions), PLACES)
    below = total < rubric.pass_score
    return UnitScore(
        dimensions=dimensions,
        vetoes=vetoes,
        total=total,
        max=rubric.max_total,
        failed=bool(vetoes) or below,
        below_pass=below,
    )
