"""The 内容安全 section of the self-check report, from the export's ``units[].content_safety``.

Every number shown is the export's masked sample: the report never holds a full 身份证号,
mobile or bank-card number.  Wording lines are 疑似 (to be confirmed by a person).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from govinspect.reports.texts import data


@dataclass(frozen=True, slots=True)
class SafetyLine:
    category: str
    url: str
    detail: str
    found_on: tuple[str, ...] = ()
    serious: bool = False


def safety_lines(section: dict[str, Any] | None) -> tuple[SafetyLine, ...]:
    """One line per hidden link, privacy leak, wording suspicion, outbound link, defacement."""
    if not section:
        return ()
    t = data()["content_safety"]
    lines: list[SafetyLine] = []
    for h in section.get("hidden_links", []):
        keywords = "、".join(h.get("keywords") or [])
        detail = t["hidden"].format(how=t["how"].get(h["how"], h["how"]), text=h.get("text") or "-")
        if keywords:
            detail += t["keywords"].format(keywords=keywords)
        lines.append(
            SafetyLine(t["hidden_links"], h["url"], detail, tuple(h.get("found_on") or ()),
                       bool(keywords))
        )  # fmt: skip
    for p in section.get("privacy", []):
        where = t["attachment"] if p.get("in_attachment") else t["page"]
        detail = t["privacy"].format(
            where=where, kind=t["kinds"].get(p["kind"], p["kind"]), count=p["count"],
            sample=p["sample"],
        )  # fmt: skip
        lines.append(SafetyLine(t["privacy_title"], p["url"], detail, (), p["kind"] != "mobile"))
    for w in section.get("wording", []):
        detail = t["wording"].format(
            term=w["term"], suggestion=w.get("suggestion") or "-", excerpt=w.get("excerpt") or ""
        )
        lines.append(SafetyLine(t["wording_title"], w["url"], detail))
    for o in section.get("outbound", []):
        detail = t["outbound"][o["kind"]].format(host=o["host"])
        lines.append(
            SafetyLine(t["outbound_title"], o["url"], detail, tuple(o.get("found_on") or ()),
                       o["kind"] == "lapsed_government")
        )  # fmt: skip
    defacement = section.get("defacement")
    if defacement and defacement.get("changed"):
        signals = "、".join(t["signals"].get(s, s) for s in defacement.get("signals", []))
        lines.append(
            SafetyLine(t["defacement_title"], "",
                       t["defacement"].format(run=defacement["previous_run"], signals=signals),
                       (), True)
        )  # fmt: skip
    return tuple(lines)
