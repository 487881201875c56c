"""The packaged keyword tables and finding messages (``checks/data/*.yaml``), loaded once."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).with_name("data")

# Whitespace left between two CJK (or full-width) characters by YAML line folding.
_CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef“”‘’]"
_FOLDED = re.compile(rf"(?<={_CJK})\s+(?={_CJK})")


def _load(name: str) -> dict[str, Any]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@cache
def tables() -> dict[str, Any]:
    """``tables.yaml``: vocabularies, keyword lists and message labels."""
    return _load("tables.yaml")


@cache
def messages() -> dict[str, dict[str, str]]:
    """``messages.yaml`` as ``{"rules": {rule: text}, "variants": {name: text}}``."""
    data = _load("messages.yaml")
    return {
        part: {key: _FOLDED.sub("", " ".join(text.split())) for key, text in data[part].items()}
        for part in ("rules", "variants")
    }


def rule_ids() -> frozenset[str]:
    """Rules every rubric must define (the ``column_stale_<type>`` rules come from windows)."""
    return frozenset(messages()["rules"])


def column_types() -> tuple[str, ...]:
    return tuple(tables()["column_types"])


def stale_rule(column_type: str) -> str:
    """The rule of a stale column of this type (one rule per type, so each has its points)."""
    return f"column_stale_{column_type}"


def label(group: str, key: str, **params: Any) -> str:
    """A word for a message, e.g. ``label("column_types", "news")``; the key when unknown."""
    text = tables()["labels"].get(group, {}).get(key, key)
    return text.format(**params) if params else text


def phrase(name: str, **params: Any) -> str:
    """A fixed phrase of the labels table, e.g. ``phrase("unset")``."""
    text = tables()["labels"][name]
    return text.format(**params) if params else text


def join(values: Any) -> str:
    """Values joined with the Chinese list separator (、)."""
    return tables()["labels"]["list_separator"].join(str(v) for v in values)
