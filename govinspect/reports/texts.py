"""The reports' packaged texts and limits (``reports/data/reports.yaml``), loaded once."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DATA = Path(__file__).with_name("data") / "reports.yaml"

# Characters XML 1.0 forbids (Word and Excel files are XML): crawled text may carry them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@cache
def data() -> dict[str, Any]:
    with DATA.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def text(key: str, **params: Any) -> str:
    """A report phrase, e.g. ``text("previous", period="2026年第三季度")``."""
    phrase = data()["text"][key]
    return phrase.format(**params) if params else phrase


def xml_safe(value: Any) -> str:
    """Text for a Word or Excel cell: as given, minus the control characters XML cannot hold."""
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def number(value: float | None) -> str:
    """A score as people write it: ``27.4``, ``40``; the missing mark when absent."""
    if value is None:
        return data()["missing"]
    return f"{round(value, 2):g}"
