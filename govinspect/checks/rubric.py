"""Rubrics: which findings cost points, which fail a unit, and the thresholds of every check.

A rubric is data (``checks/rubrics/<category>.yaml``).  Users may pass their own file with
``--rubric PATH``; it is validated here and every problem is reported as one line naming the
file, the key and what is wrong (:class:`~govinspect.errors.ConfigError`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from govinspect.checks import tables
from govinspect.errors import ConfigError
from govinspect.registry import Category

RUBRICS = Path(__file__).with_name("rubrics")
Severity = Literal["veto", "deduction", "warning", "notice"]
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RuleSpec(_Strict):
    label: str = Field(min_length=1)
    severity: Severity
    deduct: float = Field(0.0, ge=0)
    # A veto about one new-media account fails that account, not the unit's website.
    fails_unit: bool = True
    # 疑似: a person must confirm the finding (`govinspect findings confirm`); until then it is
    # a notice that never vetoes nor costs points, afterwards it takes this rule's severity.
    needs_confirmation: bool = False


class ItemSpec(_Strict):
    name: str = Field(min_length=1)
    points: float = Field(gt=0)
    rules: list[str] = Field(min_length=1)


class DimensionSpec(_Strict):
    name: str = Field(min_length=1)
    items: list[ItemSpec] = Field(min_length=1)

    @property
    def max(self) -> float:
        return sum(item.points for item in self.items)


class AvailabilityThresholds(_Strict):
    window_days: int = Field(ge=1, le=60)
    min_probes_per_day: int = Field(ge=1)
    timeout_ms: float = Field(gt=0)
    veto_failure_share: float = Field(gt=0, le=1)
    deduction_step: float = Field(gt=0, le=1)


class HomepageThresholds(_Strict):
    max_age_days: int = Field(ge=1)


class ColumnThresholds(_Strict):
    windows: dict[str, int]
    first_level_only: list[str]
    key_types: list[str]
    veto_key_stale: int = Field(ge=1)
    veto_stale: int = Field(ge=1)
    veto_blank: int = Field(ge=1)

    @field_validator("windows")
    @classmethod
    def _windows(cls, value: dict[str, int]) -> dict[str, int]:
        for key, days in value.items():
            _known_type(key)
            if not isinstance(days, int) or days < 1:
                raise ValueError(f"window of {key!r} must be a whole number of days >= 1")
        return value

    @field_validator("first_level_only", "key_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        for key in value:
            _known_type(key)
        return value


class FrequencyThresholds(_Strict):
    periods: list[int] = Field(min_length=1)
    quarter_days: int = Field(ge=2)
    warning_days: int = Field(ge=1)

    @field_validator("periods")
    @classmethod
    def _periods(cls, value: list[int]) -> list[int]:
        if any(p < 1 for p in value):
            raise ValueError("periods must be whole numbers of days >= 1")
        return value


class DeadLinkThresholds(_Strict):
    found_on_limit: int = Field(ge=1)


class DisclosureThresholds(_Strict):
    annual_report_deadline: str
    first_report_year: int = Field(ge=2000)
    publish_working_days: int = Field(ge=1)
    document_lookback_days: int = Field(ge=1)

    @field_validator("annual_report_deadline")
    @classmethod
    def _deadline(cls, value: str) -> str:
        match = _MONTH_DAY.match(str(value))
        if not match:
            raise ValueError(f"{value!r} is not a month-day like '03-31'")
        try:
            date(2001, int(match.group(1)), int(match.group(2)))  # a non-leap year
        except ValueError:
            raise ValueError(f"{value!r} is not a valid month-day") from None
        return value

    def deadline(self, year: int) -> date:
        month, day = (int(part) for part in self.annual_report_deadline.split("-"))
        return date(year, month, day)


class InterpretationThresholds(_Strict):
    max_working_days: int = Field(ge=0)
    shingle_size: int = Field(ge=1, le=10)
    copy_jaccard: float = Field(gt=0, le=1)
    copy_containment: float = Field(gt=0, le=1)
    min_text_chars: int = Field(ge=1)
    document_lookback_days: int = Field(ge=1)


class InteractionThresholds(_Strict):
    """互动交流 (checks/interaction.py); defaults and sources in docs/rubric.md."""

    lookback_days: int = Field(ge=1)
    veto_months: int = Field(ge=1)
    reply_fresh_months: int = Field(ge=1)
    reply_limit_working_days: int = Field(ge=1)
    consultation_min_days: int = Field(ge=1)
    # Minimum length per draft type the page names (规章, 重大行政决策, 规范性文件).
    consultation_min_days_by_type: dict[str, int] = Field(default_factory=dict)
    feedback_grace_days: int = Field(ge=0)
    consultations_min_per_year: int = Field(ge=0)
    interviews_min_per_year: int = Field(ge=0)


class FactThresholds(_Strict):
    max_crawl_age_days: int = Field(ge=0)


class ContentSafetyThresholds(_Strict):
    # Old institution names count on items published from this day (2018 机构改革 done).
    abolished_since: date
    # Homepage text whose estimated shingle similarity to the previous crawl's falls below
    # this has "changed drastically" (a defacement signal).
    defacement_text_similarity: float = Field(ge=0, le=1)
    # Pages named per finding and per export entry (found_on).
    found_on_limit: int = Field(ge=1)


class NewMediaThresholds(_Strict):
    """The new-media update rule (indicators.md §3) and the figures around it."""

    stale_days: int = Field(ge=1)  # last post more than this many days before as-of: stale
    window_days: int = Field(ge=1)  # every poll since as-of minus this failed: unknown
    recent_days: int = Field(ge=1)  # the "posts in the last N days" figure
    poll_grace_days: int = Field(ge=0)  # a good poll this many days before as-of still covers it
    # The provincial weekly-frequency add-on; absent (null) means the rule is off.
    min_posts_per_week: float | None = Field(None, gt=0)


class WarningThresholds(_Strict):
    """Early warnings (预警) below the veto lines: findings of severity ``warning``."""

    homepage_age_days: int = Field(ge=1)  # homepage older than this (veto: homepage.max_age_days)
    blank_columns: int = Field(ge=0)  # more blank columns than this (veto: columns.veto_blank)
    availability_failure_share: float = Field(gt=0, le=1)  # probe failures ≥ this share
    new_media_silent_days: int = Field(ge=1)  # account silent longer than this (veto: stale_days)
    # An unanswered letter this many days or fewer before its 3-month deadline (veto: the
    # deadline passes, interaction.veto_months).
    letter_days_left: int = Field(ge=0)


class SelfCheckThresholds(_Strict):
    """The unit's own quarterly self-check publication (自查整改情况)."""

    # Due by the end of this month of the following quarter (2: end of May for Q1).
    deadline_month: int = Field(ge=1, le=3)
    # Quarters that began within this many days before as-of (and are due) are judged.
    lookback_days: int = Field(ge=90, le=1095)

    def deadline(self, year: int, quarter: int) -> date:
        """The last day a quarter's post may appear."""
        month = quarter * 3 + self.deadline_month  # months after the quarter's year start
        year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
        following = date(year + month // 12, month % 12 + 1, 1)
        return following - timedelta(days=1)


class Thresholds(_Strict):
    new_media: NewMediaThresholds
    availability: AvailabilityThresholds
    homepage: HomepageThresholds
    columns: ColumnThresholds
    frequency: FrequencyThresholds
    dead_links: DeadLinkThresholds
    disclosure: DisclosureThresholds
    interpretation: InterpretationThresholds
    interaction: InteractionThresholds
    facts: FactThresholds
    warnings: WarningThresholds
    self_check: SelfCheckThresholds
    content_safety: ContentSafetyThresholds


class Rubric(_Strict):
    """A validated rubric; ``source`` says where it came from (a path or ``packaged:<name>``)."""

    name: str = Field(min_length=1)
    category: Category | None = None
    version: int | str = 1
    pass_score: float = Field(ge=0)
    dimensions: list[DimensionSpec] = Field(min_length=1)
    rules: dict[str, RuleSpec]
    thresholds: Thresholds
    _source: str = PrivateAttr(default="")
    _digest: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _consistent(self) -> Rubric:
        problems = _check_dimensions(self) + _check_rules(self)
        if problems:
            # One line per problem: parse_rubric puts the file name in front of each.
            raise ValueError("\n".join(problems))
        return self

    @property
    def source(self) -> str:
        return self._source

    @property
    def digest(self) -> str:
        return self._digest

    @property
    def max_total(self) -> float:
        return sum(d.max for d in self.dimensions)

    def rule(self, rule_id: str) -> RuleSpec:
        return self.rules[rule_id]

    def item_of(self, rule_id: str) -> tuple[DimensionSpec, ItemSpec] | None:
        for dimension in self.dimensions:
            for item in dimension.items:
                if rule_id in item.rules:
                    return dimension, item
        return None


def _known_type(value: str) -> None:
    if value not in tables.column_types():
        raise ValueError(
            f"unknown column type {value!r} (known: {', '.join(tables.column_types())})"
        )


def _check_dimensions(rubric: Rubric) -> list[str]:
    problems = []
    names = [d.name for d in rubric.dimensions]
    for required in tables.tables()["required_dimensions"]:
        if required not in names:
            problems.append(f"dimensions: missing required dimension {required!r}")
    for dupe in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"dimensions: duplicate dimension {dupe!r}")
    if rubric.pass_score > rubric.max_total:
        problems.append(
            f"pass_score: {rubric.pass_score:g} is above the total of all items "
            f"({rubric.max_total:g})"
        )
    return problems


def _check_rules(rubric: Rubric) -> list[str]:
    problems = []
    required = set(tables.rule_ids()) | {
        tables.stale_rule(kind) for kind in rubric.thresholds.columns.windows
    }
    allowed = set(tables.rule_ids()) | {tables.stale_rule(k) for k in tables.column_types()}
    for rule_id in sorted(required - set(rubric.rules)):
        problems.append(f"rules.{rule_id}: missing (every rule a check emits needs an entry)")
    for rule_id in sorted(set(rubric.rules) - allowed):
        problems.append(f"rules.{rule_id}: unknown rule (no check emits it)")
    placed: dict[str, str] = {}
    for d_index, dimension in enumerate(rubric.dimensions):
        for i_index, item in enumerate(dimension.items):
            where = f"dimensions[{d_index}].items[{i_index}].rules"
            for rule_id in item.rules:
                if rule_id not in rubric.rules:
                    problems.append(f"{where}: unknown rule {rule_id!r}")
                elif rule_id in placed:
                    problems.append(
                        f"{where}: rule {rule_id!r} is already in item {placed[rule_id]!r}"
                    )
                else:
                    placed[rule_id] = item.name
    for rule_id, spec in sorted(rubric.rules.items()):
        if spec.severity == "deduction" and rule_id not in placed:
            problems.append(f"rules.{rule_id}: a deduction rule must be listed in an item")
        if spec.severity == "deduction" and spec.deduct <= 0:
            problems.append(f"rules.{rule_id}.deduct: a deduction rule needs deduct > 0")
        if spec.severity == "warning" and rule_id in placed:
            problems.append(f"rules.{rule_id}: a warning never costs points (not in an item)")
    return problems


# --- loading --------------------------------------------------------------------------------------


def _where(loc: Iterable[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: dict[str, Any]) -> str:
    if error["type"] == "missing":
        return "missing required key"
    if error["type"] == "extra_forbidden":
        return "unknown key"
    return str(error["msg"]).removeprefix("Value error, ")


def parse_rubric(data: Any, source: str) -> Rubric:
    """Validate rubric data; every problem becomes one ``source: key: problem`` line."""
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a rubric must be a mapping (name, dimensions, rules, ...)")
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = _where(err["loc"])
            for problem in _message(err).splitlines():
                lines.append(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")
        raise ConfigError("\n".join(lines)) from None
    rubric._source = source
    return rubric


def _read(path: Path) -> tuple[Any, str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: rubric file not found") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rubric: {exc.strerror or exc}") from None
    try:
        return yaml.safe_load(raw.decode("utf-8")), hashlib.sha256(raw).hexdigest()
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: rubric is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None


def load_rubric(path: Path | None, category: str) -> Rubric:
    """The rubric for units of ``category``: the packaged default when ``path`` is None.

    ``path`` may be a rubric file (its optional ``category`` must match) or a folder holding
    ``<category>.yaml``.
    """
    if category not in {c.value for c in Category}:
        raise ConfigError(f"unknown unit category {category!r}")
    packaged = path is None
    if path is None:
        path = RUBRICS / f"{category}.yaml"
    elif path.is_dir():
        path = path / f"{category}.yaml"
    data, digest = _read(path)
    source = f"packaged:{category}" if packaged else str(path)
    rubric = parse_rubric(data, source)
    if rubric.category is not None and rubric.category.value != category:
        raise ConfigError(
            f"{path}: category: this rubric is for {rubric.category.value} units, "
            f"not {category} units"
        )
    rubric._digest = digest
    return rubric


def _given(path: Path) -> dict[str, Rubric]:
    """Every rubric a user's ``--rubric PATH`` provides, by category, each fully validated.

    A file without ``category`` applies to every category; a file with one, to that category;
    a folder provides ``county.yaml`` and/or ``department.yaml``.  All problems of all files are
    reported together, one line each, before anything runs.
    """
    categories = [c.value for c in Category]
    if path.is_dir():
        files = {c: path / f"{c}.yaml" for c in categories if (path / f"{c}.yaml").is_file()}
        if not files:
            raise ConfigError(
                f"{path}: a rubric folder must hold "
                + " and/or ".join(f"{c}.yaml" for c in categories)
            )
        found: dict[str, Rubric] = {}
        problems: list[str] = []
        for category, file in files.items():
            try:
                found[category] = load_rubric(file, category)
            except ConfigError as exc:
                problems.extend(str(exc).splitlines())
        if problems:
            raise ConfigError("\n".join(problems))
        return found
    data, digest = _read(path)
    rubric = parse_rubric(data, str(path))
    rubric._digest = digest
    if rubric.category is None:
        return dict.fromkeys(categories, rubric)
    return {rubric.category.value: rubric}


def load_rubrics(path: Path | None, categories: Iterable[str]) -> dict[str, Rubric]:
    """The rubric of each of ``categories``: the user's where ``path`` provides one, else the
    packaged default (docs/rubric.md: a county rubric leaves department units on theirs).

    Whatever ``path`` holds is validated first, whether or not a category in use needs it, so a
    broken rubric stops a command before it writes anything.
    """
    wanted = list(dict.fromkeys(categories))
    for category in wanted:
        if category not in {c.value for c in Category}:
            raise ConfigError(f"unknown unit category {category!r}")
    given = _given(path) if path is not None else {}
    return {c: given[c] if c in given else load_rubric(None, c) for c in wanted}


def rubric_for_category(path: Path | None, category: str) -> Rubric:
    """The user's rubric when it applies to ``category``, else the packaged default."""
    return load_rubrics(path, [category])[category]
