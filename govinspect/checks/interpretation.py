"""政策解读 and 解读关联: every policy document has an interpretation, linked both ways.

A document and an interpretation are paired by a link between their pages (either way), by
title (the 《name》 of the document, or its core title, inside the interpretation's title) or
by 文号.  Then: the document must link to its interpretation, the interpretation must link back,
it must not be a near-verbatim copy of the document (照抄照搬: Jaccard similarity of 4-character
shingles of the body texts, or the share of the interpretation found in the document), and it
must follow the document within 3 working days (local rule; weekends only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Any

from govinspect.checks import tables
from govinspect.checks.facts import ItemFact, PageFact, UnitFacts
from govinspect.checks.findings import CheckResult, Reporter, clean_url
from govinspect.checks.rubric import Rubric
from govinspect.checks.text import main_text, shingles, similarity, visible_text
from govinspect.checks.workdays import calendar_basis, calendar_phrase, working_days_between

CHECK = "interpretation"
#: The link kind of files (an interpretation may be a PDF or an image page of 图解).
LINKED_FILE = "attachment"
_SPACE = re.compile(r"\s+")
_BOOK_TITLE = re.compile(r"《([^《》]{4,})》")
_OPEN = str.maketrans({c: "〔" for c in "[［(（【"} | {c: "〕" for c in "]］)）】"})


@cache
def _conf() -> dict[str, Any]:
    return tables.tables()["interpretation"]


@cache
def _number_pattern() -> re.Pattern[str]:
    return re.compile(_conf()["doc_number_pattern"])


def normalise_number(text: str) -> str:
    """A 文号 in one spelling: no spaces, 〔〕 brackets."""
    return _SPACE.sub("", text).translate(_OPEN)


def doc_number(title: str, page: PageFact | None) -> str | None:
    """The document's 文号: from its metadata table, else from its title."""
    table = (page.meta.get("disclosure") or {}) if page else {}
    for text in (str(table.get("发文字号") or ""), title):
        match = _number_pattern().search(text)
        if match:
            return normalise_number(match.group(0))
    return None


def is_interpretation_title(title: str) -> bool:
    return any(word in title for word in _conf()["words"])


@cache
def core_title(title: str) -> str:
    """The part of a title that names the matter (示范县人民政府关于XX的通知 -> XX)."""
    text = _SPACE.sub("", title)
    for lead in _conf()["title_lead"]:
        if lead in text:
            text = text.rsplit(lead, 1)[1]
    for noise in sorted(_conf()["title_noise"], key=len, reverse=True):
        text = text.replace(noise, "")
    return text.strip("《》〈〉“”\"' ：:")


@dataclass(frozen=True)
class Entry:
    """A policy document or an interpretation: its item (if listed) and its fetched page."""

    url: str
    title: str
    published: date | None
    page: PageFact | None
    urls: frozenset[str] = field(default_factory=frozenset)

    @staticmethod
    def of(url: str, title: str, published: date | None, page: PageFact | None) -> Entry:
        forms = {clean_url(url)}
        if page is not None:
            forms |= {clean_url(page.url), clean_url(page.final_url or page.url)}
        date_ = published or (page.published if page else None)
        return Entry(clean_url(url), title, date_, page, frozenset(forms))


def _entry(facts: UnitFacts, item: ItemFact) -> Entry:
    assert item.url is not None
    return Entry.of(item.url, item.title, item.published, facts.page(item.url))


def _judged_document(facts: UnitFacts, item: ItemFact, since: date, as_of: date) -> bool:
    """A document of the unit's own site, fetched, recent, and not merely forwarded.

    Items linking to other sites (higher-level documents listed for reference) or to pages the
    crawl did not fetch cannot be judged; forwarded documents are interpreted by their drafter.
    """
    if item.published is not None and not since <= item.published <= as_of:
        return False
    if any(word in item.title for word in _conf()["document_exclude_words"]):
        return False
    page = facts.page(item.url)
    return page is not None and page.ok


def collect(facts: UnitFacts, as_of: date, lookback: int) -> tuple[list[Entry], list[Entry]]:
    """(documents published within the lookback, interpretations) of the unit."""
    since = as_of - timedelta(days=lookback)
    docs: dict[str, Entry] = {}
    interps: dict[str, Entry] = {}
    for column in facts.columns:
        for item in column.items:
            if not item.url:
                continue
            if facts.is_column_page(item.url):
                continue  # a list's link to a sub-column or to itself names no document
            if column.type == "interpretation" or (
                column.type == "policy" and is_interpretation_title(item.title)
            ):
                interps.setdefault(clean_url(item.url), _entry(facts, item))
            elif column.type == "policy" and _judged_document(facts, item, since, as_of):
                docs.setdefault(clean_url(item.url), _entry(facts, item))
    words = _conf()["words"]
    for doc in docs.values():
        for link in facts.links_from(doc.page.url if doc.page else doc.url):
            target = clean_url(link.target_url)
            if target in interps or target in docs or facts.is_column_page(target):
                continue  # a column is never an interpretation (政策解读 in every page's menu)
            if not any(w in (link.anchor_text or "") for w in words):
                continue
            if link.kind == LINKED_FILE:
                # An interpretation published as a file (图解.pdf): there, but no page to judge.
                interps[target] = Entry.of(target, link.anchor_text or "", None, None)
                continue
            page = facts.page(link.target_url)
            if link.kind == "page" and page is not None and page.ok:
                interps[target] = Entry.of(target, page.title or link.anchor_text or "", None, page)
    return list(docs.values()), list(interps.values())


class _Links:
    """Page-link targets of each fetched page, collected once."""

    def __init__(self, facts: UnitFacts) -> None:
        self.facts = facts
        self._targets: dict[str, frozenset[str]] = {}

    def targets(self, entry: Entry) -> frozenset[str]:
        if entry.page is None:
            return frozenset()
        url = entry.page.url
        if url not in self._targets:
            self._targets[url] = frozenset(
                clean_url(link.target_url)
                for link in self.facts.links_from(url)
                if link.kind in ("page", LINKED_FILE)
            )
        return self._targets[url]

    def links_to(self, source: Entry, target: Entry) -> bool:
        """Whether ``source``'s page has a page link to ``target``."""
        return not self.targets(source).isdisjoint(target.urls)


@cache
def _compact(text: str) -> str:
    return _SPACE.sub("", text)


def title_match(doc: Entry, interp: Entry) -> bool:
    title = _compact(interp.title)
    names = _BOOK_TITLE.findall(_compact(doc.title))
    if any(name in title for name in names):
        return True
    shortest = _conf()["min_title_chars"]
    core = core_title(doc.title)
    if len(core) >= shortest and core in title:
        return True
    interp_core = core_title(interp.title)
    return len(interp_core) >= shortest and interp_core in _compact(doc.title)


class _Texts:
    """Body texts of fetched pages, parsed once each."""

    def __init__(self, facts: UnitFacts) -> None:
        self.facts = facts
        self._texts: dict[str, str] = {}

    def body(self, entry: Entry) -> str:
        if entry.page is None:
            return ""
        if entry.url not in self._texts:
            self._texts[entry.url] = main_text(self.facts.html(entry.page) or "")
        return self._texts[entry.url]


@dataclass
class Pairing:
    doc: Entry
    number: str | None
    interps: list[Entry] = field(default_factory=list)
    linked: list[Entry] = field(default_factory=list)  # interpretations the document links to
    strong: set[str] = field(default_factory=set)  # interpretations linked either way


def pair(docs: list[Entry], interps: list[Entry], links: _Links, texts: _Texts) -> list[Pairing]:
    """Each document with the interpretations that belong to it (by link, title or 文号)."""
    out = []
    for doc in docs:
        number = doc_number(doc.title, doc.page)
        pairing = Pairing(doc, number)
        for interp in interps:
            forward = links.links_to(doc, interp)
            if forward:
                pairing.linked.append(interp)
            if forward or links.links_to(interp, doc):
                pairing.strong.add(interp.url)
            elif not (
                title_match(doc, interp)
                or (
                    number
                    and (
                        number in normalise_number(interp.title)
                        or number in normalise_number(texts.body(interp))
                    )
                )
            ):
                continue
            pairing.interps.append(interp)
        out.append(pairing)
    return out


def documents_by_interpretation(
    pairings: list[Pairing],
) -> dict[str, tuple[Entry, list[Entry], list[Entry]]]:
    """For each paired interpretation: (itself, all its documents, those linked either way)."""
    out: dict[str, tuple[Entry, list[Entry], list[Entry]]] = {}
    for pairing in pairings:
        for interp in pairing.interps:
            _, docs, strong = out.setdefault(interp.url, (interp, [], []))
            docs.append(pairing.doc)
            if interp.url in pairing.strong:
                strong.append(pairing.doc)
    return out


def document_of(interp: Entry, docs: list[Entry], strong: list[Entry]) -> Entry | None:
    """The document an interpretation belongs to, when that is unambiguous.

    A link between the two pages decides; otherwise the only document paired by title or
    文号.  An interpretation matching several documents by title only (a policy re-issued each
    year) is not timed against any of them.
    """
    candidates = strong or docs
    if len(candidates) == 1:
        return candidates[0]
    dated = [
        d for d in strong if d.published and interp.published and d.published <= interp.published
    ]
    return max(dated, key=lambda d: d.published or date.min) if dated else None


def _template(facts: UnitFacts, size: int) -> frozenset[str]:
    """Shingles of the site's boilerplate, learnt from its homepage."""
    html = facts.html(facts.homepage)
    return shingles(visible_text(html), size) if html else frozenset()


def check(facts: UnitFacts, as_of: date, rubric: Rubric) -> CheckResult:
    t = rubric.thresholds.interpretation
    reporter = Reporter(CHECK, rubric, degraded=bool(facts.truncated))
    column = next((c for c in facts.columns if c.type == "interpretation"), None)
    report: dict[str, Any] = {
        "column_url": column.url if column else None,
        "documents_checked": 0,
        "documents_without_interpretation": [],
        "documents_without_link": [],
        "interpretations_without_backlink": [],
        "copied_interpretations": [],
        "late_interpretations": [],
    }
    reporter.result.report["interpretation"] = report
    if column is None:
        reporter.add(
            "interpretation_column_missing",
            subject="interpretation:column",
            urls=[facts.unit.website],
            absence=True,
            evidence={"column_types": [c.type for c in facts.columns]},
        )
    docs, interps = collect(facts, as_of, t.document_lookback_days)
    report["documents_checked"] = len(docs)
    texts, links = _Texts(facts), _Links(facts)
    template = _template(facts, t.shingle_size) if docs else frozenset()
    pairings = pair(docs, interps, links, texts)
    for pairing in pairings:
        _judge_document(reporter, pairing, links, report)
    for interp, paired, strong in documents_by_interpretation(pairings).values():
        copied_from = next(
            (d for d in paired if _is_copy(d, interp, texts, template, rubric)), None
        )
        if copied_from is not None:
            _copied(reporter, copied_from, interp, texts, template, rubric, report)
        doc = document_of(interp, paired, strong)
        if doc is not None:
            _late(reporter, doc, interp, rubric, report)
    return reporter.result


def _judge_document(
    reporter: Reporter, pairing: Pairing, links: _Links, report: dict[str, Any]
) -> None:
    doc = pairing.doc
    evidence = {
        "document": doc.url,
        "title": doc.title,
        "published": doc.published,
        "doc_number": pairing.number,
        "interpretations": [i.url for i in pairing.interps],
    }
    if doc.page is not None and doc.page.warc:
        evidence["warc"] = doc.page.warc
    if not pairing.interps:
        reporter.add(
            "interpretation_missing",
            subject=doc.url,
            urls=[doc.url],
            evidence=evidence,
            absence=True,
            title=doc.title,
        )
        report["documents_without_interpretation"].append(doc.url)
        return
    if not pairing.linked and doc.page is not None:
        first = pairing.interps[0]
        reporter.add(
            "interpretation_link_missing",
            subject=doc.url,
            urls=[doc.url, first.url],
            evidence=evidence,
            title=doc.title,
            interp_title=first.title,
        )
        report["documents_without_link"].append(doc.url)
    for interp in pairing.linked:
        if interp.page is not None and not links.links_to(interp, doc):
            reporter.add(
                "interpretation_backlink_missing",
                subject=interp.url,
                urls=[interp.url, doc.url],
                evidence={**evidence, "interpretation": interp.url},
                title=interp.title,
                doc_title=doc.title,
            )
            report["interpretations_without_backlink"].append(interp.url)


def _is_copy(
    doc: Entry, interp: Entry, texts: _Texts, template: frozenset[str], rubric: Rubric
) -> bool:
    t = rubric.thresholds.interpretation
    doc_text, interp_text = texts.body(doc), texts.body(interp)
    if min(len(doc_text), len(interp_text)) < t.min_text_chars:
        return False
    sim = similarity(doc_text, interp_text, t.shingle_size, template)
    return sim.jaccard >= t.copy_jaccard or sim.containment >= t.copy_containment


def _copied(
    reporter: Reporter,
    doc: Entry,
    interp: Entry,
    texts: _Texts,
    template: frozenset[str],
    rubric: Rubric,
    report: dict[str, Any],
) -> None:
    t = rubric.thresholds.interpretation
    sim = similarity(texts.body(doc), texts.body(interp), t.shingle_size, template)
    reporter.add(
        "interpretation_copied",
        subject=interp.url,
        urls=[interp.url, doc.url],
        evidence={
            "interpretation": interp.url,
            "document": doc.url,
            "jaccard": round(sim.jaccard, 3),
            "containment": round(sim.containment, 3),
            "shingle_size": t.shingle_size,
            "thresholds": {"jaccard": t.copy_jaccard, "containment": t.copy_containment},
        },
        title=interp.title,
        doc_title=doc.title,
        similarity=f"{sim.jaccard:.2f}",
        containment=f"{sim.containment:.0%}",
    )
    report["copied_interpretations"].append(interp.url)


def _late(
    reporter: Reporter, doc: Entry, interp: Entry, rubric: Rubric, report: dict[str, Any]
) -> None:
    limit = rubric.thresholds.interpretation.max_working_days
    if doc.published is None or interp.published is None:
        return
    days = working_days_between(doc.published, interp.published)
    if days <= limit:
        return
    basis = calendar_basis([(doc.published, interp.published)])
    reporter.add(
        "interpretation_late",
        subject=interp.url,
        fingerprint={"document_date": doc.published, "interpretation_date": interp.published},
        urls=[interp.url, doc.url],
        evidence={
            "interpretation": interp.url,
            "document": doc.url,
            "document_date": doc.published,
            "interpretation_date": interp.published,
            "working_days": days,
            **basis,
        },
        calendar=calendar_phrase(basis),
        title=interp.title,
        interp_date=interp.published,
        doc_title=doc.title,
        doc_date=doc.published,
        days=days,
        limit=limit,
    )
    report["late_interpretations"].append(interp.url)
