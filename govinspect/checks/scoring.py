"""Points per dimension from the findings and the rubric.

Each rubric item starts at its points; every finding of a ``deduction`` rule listed in the
item takes ``deduct × count`` off, and an item never loses more than its points (2019 指标:
单项指标扣分不超过该指标分值).  A veto fails the unit (不合格) whatever its points, and so does
a total below the rubric's pass score.  Every deduction names the finding that caused it.

Each item has a ``status``: ``failed`` (a veto of one of its rules), ``deducted`` (it lost
points), ``unknown`` or ``passed``, the first that applies.  An item
is unknown when a check could not assess it: a finding of one of its rules came out as a
notice (a rule listed with severity ``notice``, such as ``ipv6_not_checked``, or a deduction
lowered to a notice because the crawl was incomplete).  An unknown item loses no points (the
site is not punished for what could not be measured) but is not counted as passed either:
``unknown`` lists the findings that say why, and :attr:`UnitScore.unknown_items` names the
items.  Notices of rules that no item lists only inform.
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
    unknown_items: list[str] = field(default_factory=list)  # "dimension / item" not assessable

    @property
    def verdict(self) -> str:
        return label("verdicts", "failed" if self.failed else "passed")


def _status(vetoed: bool, deducted: bool, unknown: bool) -> str:
    if vetoed:
        return "failed"
    if deducted:
        return "deducted"
    return "unknown" if unknown else "passed"


def _dimension(
    dimension: DimensionSpec, findings: Sequence[tuple[int, Finding]], rubric: Rubric
) -> DimensionScore:
    items = []
    for item in dimension.items:
        deductions = []
        unknown = []
        vetoed = False
        for finding_id, finding in findings:
            if finding.rule not in item.rules:
                continue
            if finding.severity == "notice":
                unknown.append(finding_id)
            vetoed = vetoed or finding.severity == "veto"
            if finding.severity != "deduction":
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
        status = _status(vetoed, bool(deductions), bool(unknown))
        items.append(
            {
                "indicator": item.name,
                "points": item.points,
                "deducted": deducted,
                "score": round(item.points - deducted, PLACES),
                "capped": wanted > item.points,
                "status": status,
                "unknown": unknown,
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
    unknown = [
        f"{d.name} / {i['indicator']}"
        for d in dimensions
        for i in d.items
        if i["status"] == "unknown"
    ]
    return UnitScore(
        dimensions=dimensions,
        vetoes=vetoes,
        total=total,
        max=rubric.max_total,
        failed=bool(vetoes) or below,
        below_pass=below,
        unknown_items=unknown,
    )
