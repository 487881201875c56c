"""内容安全: hidden links, personal data, wording errors, risky outbound links, defacement.

Judges the facts ``crawler/safety`` recorded (``checks/facts_safety.py``); builds the unit's
``content_safety`` report section (the export's ``units[].content_safety``).  Sources of the
rules: 国办秘函〔2019〕19号 单项否决 "严重表述错误 / 链接非法内容 / 安全、泄密事故",
the 个人信息保护法 and 政府信息公开条例 on personal data; see docs/content-safety.md.

Government hosts are told by their registered-domain suffix (``tldextract`` with its bundled
public-suffix snapshot: never a download) against ``government_suffixes`` in the tables, plus
the unit's own hosts and its ``partner_hosts``.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from govinspect.checks import tables
from govinspect.checks.facts import UnitFacts
from govinspect.checks.facts_safety import HomepageVersion, SafetyFacts
from govinspect.checks.findings import CheckResult, Reporter, clean_url
from govinspect.checks.rubric import Rubric
from govinspect.checks.tables import join, label
from govinspect.store import link_outcomes

CHECK = "content_safety"
SECTION = "content_safety"
DNS_OUTCOMES = frozenset({link_outcomes.DNS_ERROR})
SERIOUS_PRIVACY = ("id_card", "bank_card")


@functools.cache
def _extract() -> Any:
    import tldextract

    # suffix_list_urls=() keeps tldextract on its bundled snapshot (no internet, no cache dir).
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


def is_government(host: str) -> bool:
    name = host.rsplit("@", 1)[-1].split(":", 1)[0].rstrip(".")
    suffix = _extract()(name).suffix.lower()
    return any(
        suffix == s or suffix.endswith("." + s) for s in tables.tables()["government_suffixes"]
    )


def is_partner(url_or_host: str, partners: Iterable[str]) -> bool:
    """On the allow-list: an entry is a host (``www.x.com``, ``127.0.0.1:8004``), a registered
    domain covering its subdomains (``x.com``), or a host/path prefix
    (``127.0.0.1:8004/www.x.com/``)."""
    if "://" in url_or_host:
        host = host_of(url_or_host)
        try:
            path = urlsplit(url_or_host).path or "/"
        except ValueError:
            path = "/"
    else:
        host, path = url_or_host.lower(), "/"
    bare = host.split(":", 1)[0]
    for entry in partners:
        entry = entry.lower().strip().rstrip(".")
        if not entry:
            continue
        if "/" in entry:
            if (host + path).startswith(entry):
                return True
        elif host == entry or bare == entry or bare.endswith("." + entry):
            return True
    return False


def empty_section() -> dict[str, Any]:
    return {"hidden_links": [], "privacy": [], "wording": [], "outbound": [], "defacement": None}


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    reporter = Reporter(CHECK, rubric)
    safety: SafetyFacts | None = facts.safety
    section = empty_section()
    if safety is None or not safety.recorded:
        reporter.add("content_safety_unknown", subject="site", urls=[facts.unit.website])
        reporter.result.report[SECTION] = section
        return reporter.result
    limit = rubric.thresholds.content_safety.found_on_limit
    own = {host_of(facts.unit.website)} | {host_of(r.url) for r in safety.rows}
    trusted = (*facts.unit.partner_hosts, *own)
    section["hidden_links"] = _hidden(reporter, safety, trusted, limit)
    section["privacy"] = _privacy(reporter, safety, limit)
    section["wording"] = _wording(reporter, safety, rubric, limit)
    section["outbound"] = _outbound(reporter, safety, trusted, limit)
    section["defacement"] = _defacement(reporter, safety, rubric)
    reporter.result.report[SECTION] = section
    return reporter.result


# --- hidden links ------------------------------------------------------------------------------


def _hidden(
    reporter: Reporter, safety: SafetyFacts, trusted: tuple[str, ...], limit: int
) -> list[dict]:
    found: dict[str, dict] = {}
    for row in safety.rows:
        for fact in row.facts.get("hidden", ()):
            url, keywords = fact["url"], list(fact.get("keywords") or ())
            host = host_of(url)
            known = is_government(host) or is_partner(url, trusted)
            if fact["how"] == "iframe":
                # A visible frame of a government or partner site is an embed, not a 暗链.
                if known and not fact.get("hidden") and not keywords:
                    continue
            elif known and not keywords:
                continue  # a collapsed 友情链接 menu of government sites
            entry = found.setdefault(
                url,
                {"url": clean_url(url), "found_on": [], "text": fact.get("text") or "",
                 "how": fact["how"], "keywords": []},
            )  # fmt: skip
            if row.url not in entry["found_on"]:
                entry["found_on"].append(row.url)
            entry["keywords"] = list(dict.fromkeys([*entry["keywords"], *keywords]))
    entries = sorted(found.values(), key=lambda e: (not e["keywords"], e["url"]))
    for entry in entries:
        how = label("hidden_how", entry["how"])
        reporter.add(
            "hidden_link_risky" if entry["keywords"] else "hidden_link",
            subject=entry["url"],
            fingerprint={"how": entry["how"], "keywords": entry["keywords"]},
            urls=[entry["url"], *entry["found_on"][:limit]],
            evidence={**entry, "found_on": entry["found_on"][:limit]},
            count=len(entry["found_on"]),
            host=host_of(entry["url"]),
            how=how,
            text=entry["text"] or "-",
            keywords=join(entry["keywords"]),
            pages=join([clean_url(u) for u in entry["found_on"][:3]]),
        )
        entry["found_on"] = [clean_url(u) for u in entry["found_on"][:limit]]
    return entries


# --- personal data -----------------------------------------------------------------------------


def _privacy(reporter: Reporter, safety: SafetyFacts, limit: int) -> list[dict]:
    entries = [
        {
            "url": clean_url(row.url),
            "kind": leak["kind"],
            "count": int(leak["count"]),
            "sample": leak["sample"],
            "in_attachment": row.source == "attachment",
        }
        for row in safety.rows
        for leak in row.facts.get("privacy", ())
    ]
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for entry in entries:
        by_kind[entry["kind"]].append(entry)
    for kind in ("id_card", "bank_card", "mobile"):
        found = by_kind.get(kind)
        if not found:
            continue
        # Attachments first: a 公示 spreadsheet is the typical leak and the one to fix first.
        found.sort(key=lambda e: (not e["in_attachment"], -e["count"], e["url"]))
        reporter.add(
            "privacy_leak" if kind in SERIOUS_PRIVACY else "privacy_mobile",
            subject=f"privacy:{kind}",
            fingerprint={"documents": sorted(e["url"] for e in found)},
            urls=[e["url"] for e in found[:limit]],
            evidence={"kind": kind, "documents": found[:limit], "documents_total": len(found)},
            count=len(found),
            documents=len(found),
            numbers=sum(e["count"] for e in found),
            sample=found[0]["sample"],
            kind_label=label("privacy_kinds", kind),
        )
    return entries


# --- wording -----------------------------------------------------------------------------------


def _wording(reporter: Reporter, safety: SafetyFacts, rubric: Rubric, limit: int) -> list[dict]:
    since = rubric.thresholds.content_safety.abolished_since
    entries = []
    by_term: dict[str, list[dict]] = defaultdict(list)
    for row in safety.rows:
        for hit in row.facts.get("wording", ()):
            if hit["list"] == "abolished" and (row.published is None or row.published < since):
                continue  # an old (or undated) item rightly uses the old name
            entry = {
                "url": clean_url(row.url),
                "term": hit["term"],
                "suggestion": hit.get("suggestion"),
                "excerpt": hit.get("excerpt", ""),
                "list": hit["list"],
            }
            entries.append(entry)
            by_term[hit["term"]].append(entry)
    for term, found in sorted(by_term.items()):
        first = found[0]
        sensitive = first["list"] == "sensitive"
        suggestion = first["suggestion"]
        # The sensitive-word message reads ", suggestion: X" only when the list gives one.
        tail = f"，建议：{suggestion}" if suggestion else ""
        shown = tail if sensitive else suggestion or "-"
        reporter.add(
            "sensitive_word" if sensitive else "wording_suspect",
            subject=f"term:{term}",
            fingerprint={"documents": sorted({e["url"] for e in found})},
            urls=[e["url"] for e in found[:limit]],
            evidence={
                "term": term,
                "suggestion": suggestion,
                "list": first["list"],
                "suspected": True,
                "occurrences": found[:limit],
                "documents_total": len(found),
            },
            count=len(found),
            term=term,
            suggestion=shown,
            list_label=label("wording_lists", first["list"]),
            documents=len(found),
            url=first["url"],
            excerpt=first["excerpt"],
        )
    return entries


# --- outbound links ----------------------------------------------------------------------------


def _outbound(
    reporter: Reporter, safety: SafetyFacts, trusted: tuple[str, ...], limit: int
) -> list[dict]:
    dead = link_outcomes.DEAD
    pages: dict[str, list[str]] = defaultdict(list)
    for row in safety.rows:
        for link in row.facts.get("outbound", ()):
            if row.url not in pages[link["url"]]:
                pages[link["url"]].append(row.url)
    entries = []
    for url in sorted(pages):
        host = host_of(url)
        if not host or is_partner(url, trusted):
            continue
        found_on = [clean_url(u) for u in pages[url][:limit]]
        state = safety.targets.get(url)
        if not is_government(host):
            if state is not None and state.outcome in dead:
                continue  # listed under dead links already: nothing there to review
            entries.append(
                {"url": clean_url(url), "host": host, "found_on": found_on,
                 "kind": "non_government"}
            )  # fmt: skip
            continue
        if state is None:
            continue
        reason = None
        if state.outcome in DNS_OUTCOMES:
            reason = label("lapsed_reasons", "dns")
        elif state.final_url and not is_government(host_of(state.final_url)):
            reason = label("lapsed_reasons", "redirect", host=host_of(state.final_url))
        if reason is None:
            continue
        entries.append(
            {"url": clean_url(url), "host": host, "found_on": found_on,
             "kind": "lapsed_government"}
        )  # fmt: skip
        reporter.add(
            "outbound_lapsed",
            subject=url,
            fingerprint={"outcome": state.outcome, "final_url": state.final_url},
            urls=[url, *found_on],
            evidence={"outcome": state.outcome, "status": state.status,
                      "final_url": state.final_url, "found_on": found_on},
            url=clean_url(url),
            reason=reason,
            pages=join(found_on[:3]),
        )  # fmt: skip
    foreign = [e for e in entries if e["kind"] == "non_government"]
    if foreign:
        hosts = list(dict.fromkeys(e["host"] for e in foreign))
        reporter.add(
            "outbound_non_government",
            subject="outbound",
            fingerprint={"hosts": sorted(hosts)},
            urls=[e["url"] for e in foreign[:limit]],
            evidence={"links": foreign[:limit], "links_total": len(foreign)},
            count=len(foreign),
            hosts=join(hosts[:10]) + ("等" if len(hosts) > 10 else ""),
        )
    return entries


# --- defacement --------------------------------------------------------------------------------


def similarity(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Jaccard similarity estimated from two bottom-k sketches (1.0 for two empty texts)."""
    if not a and not b:
        return 1.0
    k = max(len(a), len(b))
    union = sorted(set(a) | set(b))[:k]
    both = set(a) & set(b)
    return sum(1 for h in union if h in both) / len(union)


def _version(home: HomepageVersion) -> dict[str, Any]:
    return {
        "run_id": home.run_id,
        "url": home.url,
        "title": home.title,
        "fetched_at": home.fetched_at,
        "hosts": list(home.hosts),
        "keywords": list(home.keywords),
        **({"warc": dict(home.warc)} if home.warc else {}),
    }


def _defacement(reporter: Reporter, safety: SafetyFacts, rubric: Rubric) -> dict | None:
    now, before = safety.homepage, safety.previous_homepage
    if now is None or before is None:
        return None
    signals = []
    if now.title != before.title:
        signals.append("title")
    score = similarity(now.sketch, before.sketch)
    if score < rubric.thresholds.content_safety.defacement_text_similarity:
        signals.append("text")
    new_hosts = sorted(set(now.hosts) - set(before.hosts))
    if new_hosts:
        signals.append("hosts")
    new_keywords = [k for k in now.keywords if k not in before.keywords]
    if new_keywords:
        signals.append("keywords")
    changed = bool(signals)
    if changed:
        reporter.add(
            "defacement_suspected",
            subject=now.url,
            fingerprint={"signals": signals, "run": now.run_id},
            urls=[now.url],
            evidence={
                "signals": signals,
                "text_similarity": round(score, 3),
                "new_hosts": new_hosts,
                "new_keywords": new_keywords,
                "current": _version(now),
                "previous": _version(before),
            },
            previous_at=before.fetched_at.date().isoformat() if before.fetched_at else "-",
            signals=join(label("defacement_signals", s) for s in signals)
            + (f"（{join(new_keywords)}）" if new_keywords else ""),
        )
    return {"changed": changed, "previous_run": before.run_id, "signals": signals}
