"""Evidence references of findings: for every URL, the archived record that shows it.

A finding's own evidence names the records its check used (``warc: {warc_file, warc_offset}``
next to ``page``/``url``/``document``).  URLs it does not cover are looked up in the unit's
crawl run: the fetched page (``Page``) or the verified link target (``LinkCheck``).  A URL
with neither (a feed, a page outside the crawl) keeps a reference without a record.

A page the site answered with ``304 Not Modified`` is archived as a ``revisit`` record: its
reference says so (status 304) and names the original capture the revisit refers to, with its
own date, so a report shows both the revalidation and the capture whose body was judged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from warcio.exceptions import ArchiveLoadFailed

from govinspect.checks.timeutil import SHANGHAI, aware
from govinspect.store.archive import ArchivedRecord, read_record
from govinspect.store.models import LinkCheck, Page

CHUNK = 500  # values per IN (...): inside SQLite's and PostgreSQL's limits
_URL_KEYS = ("page", "url", "document")
_TIME_KEYS = ("fetched_at", "checked_at")


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """Where one URL of a finding was seen: the WARC record, its fetch time and status."""

    url: str
    warc_file: str | None = None
    warc_offset: int | None = None
    fetched_at: str | None = None  # ISO 8601, UTC
    status: int | None = None
    outcome: str | None = None
    # The record is a revisit (the site answered 304): the original capture it refers to.
    revisit: bool = False
    original_warc_file: str | None = None
    original_warc_offset: int | None = None
    original_fetched_at: str | None = None  # ISO 8601, UTC

    @property
    def record(self) -> tuple[str, int] | None:
        if not self.warc_file or self.warc_offset is None:
            return None
        return (self.warc_file, self.warc_offset)

    @property
    def original_record(self) -> tuple[str, int] | None:
        if not self.original_warc_file or self.original_warc_offset is None:
            return None
        return (self.original_warc_file, self.original_warc_offset)

    @property
    def fetched_local(self) -> str | None:
        """The fetch time in Beijing time, to the second."""
        return _local(self.fetched_at)

    @property
    def original_fetched_local(self) -> str | None:
        """The original capture's time in Beijing time (a revisit's), to the second."""
        return _local(self.original_fetched_at)


def _local(value: str | None) -> str | None:
    moment = _parse_time(value)
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S") if moment else None


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return aware(value)
    if not value:
        return None
    try:
        return aware(datetime.fromisoformat(str(value).replace("Z", "+00:00")))
    except ValueError:
        return None


def _iso(value: Any) -> str | None:
    moment = _parse_time(value)
    return moment.isoformat() if moment else None


def _warc_of(node: dict[str, Any]) -> tuple[str, int] | None:
    warc = node.get("warc")
    if not isinstance(warc, dict):
        return None
    name, offset = warc.get("warc_file"), warc.get("warc_offset")
    if not name or not isinstance(offset, int):
        return None
    return (str(name), offset)


def embedded_refs(finding: dict[str, Any]) -> list[EvidenceRef]:
    """The records a finding's evidence names, each with the URL it stands for."""
    found: list[EvidenceRef] = []
    urls = finding.get("urls") or []

    def walk(node: Any, top: bool) -> None:
        if isinstance(node, list):
            for value in node:
                walk(value, False)
            return
        if not isinstance(node, dict):
            return
        record = _warc_of(node)
        if record is not None:
            url = next((node[k] for k in _URL_KEYS if isinstance(node.get(k), str)), None)
            if url is None and top and urls:
                url = urls[0]  # e.g. a dead link: the evidence is about the finding's target
            status = node.get("status")
            found.append(
                EvidenceRef(
                    url=url or "",
                    warc_file=record[0],
                    warc_offset=record[1],
                    fetched_at=_iso(next((node[k] for k in _TIME_KEYS if node.get(k)), None)),
                    status=status if isinstance(status, int) else None,
                    outcome=node.get("outcome") if isinstance(node.get("outcome"), str) else None,
                )
            )
        for key, value in node.items():
            if key != "warc":
                walk(value, False)

    walk(finding.get("evidence") or {}, True)
    return found


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _page_ref(url: str, row: Page) -> EvidenceRef:
    return EvidenceRef(
        url=url,
        warc_file=row.warc_file,
        warc_offset=row.warc_offset,
        fetched_at=_iso(row.fetched_at),
        status=row.status,
        outcome=None if row.state == "ok" else row.state,
    )


def store_refs(
    session: Session, crawl_run: int | None, urls: Iterable[str]
) -> dict[str, EvidenceRef]:
    """The crawl's record of each URL: the fetched page, else the verified link target."""
    wanted = sorted(set(urls))
    if crawl_run is None or not wanted:
        return {}
    refs: dict[str, EvidenceRef] = {}
    for chunk in _chunks(wanted):
        for row in session.scalars(
            select(LinkCheck).where(LinkCheck.run_id == crawl_run, LinkCheck.target_url.in_(chunk))
        ):
            refs[row.target_url] = EvidenceRef(
                url=row.target_url,
                warc_file=row.warc_file,
                warc_offset=row.warc_offset,
                fetched_at=_iso(row.checked_at),
                status=row.status,
                outcome=row.outcome,
            )
        # A fetched page is the better evidence of what a page showed; redirects count too.
        for name in ("final_url", "url"):
            column = getattr(Page, name)
            for row in session.scalars(
                select(Page).where(Page.run_id == crawl_run, column.in_(chunk))
            ):
                key = getattr(row, name)
                if key and (row.warc_file or key not in refs):
                    refs[key] = _page_ref(key, row)
    return refs


def read_head(data_dir: Path, warc_file: str, offset: int) -> ArchivedRecord | None:
    """The record's headers (no payload), or None when it cannot be read."""
    try:
        return read_record(data_dir, warc_file, offset, payload=False)
    except (OSError, StopIteration, ValueError, ArchiveLoadFailed):
        return None


Heads = dict[tuple[str, int], ArchivedRecord | None]


def finding_refs(
    finding: dict[str, Any],
    stored: dict[str, EvidenceRef],
    data_dir: Path,
    heads: Heads | None = None,
) -> tuple[EvidenceRef, ...]:
    """One reference per URL of the finding (its order), then records it names for no URL.

    ``heads``: records' headers already read (shared by the findings of one unit).
    """
    embedded = embedded_refs(finding)
    by_url: dict[str, EvidenceRef] = {}
    for ref in embedded:
        by_url.setdefault(ref.url, ref)
    refs: list[EvidenceRef] = []
    for url in dict.fromkeys(finding.get("urls") or []):
        ref = by_url.get(url)
        crawl = stored.get(url)
        if ref is None:
            ref = crawl or EvidenceRef(url=url)
        elif crawl is not None and crawl.record == ref.record:
            # The same record: fill what the check did not copy (fetch time, status).
            ref = replace(
                ref,
                fetched_at=ref.fetched_at or crawl.fetched_at,
                status=ref.status if ref.status is not None else crawl.status,
            )
        refs.append(ref)
    listed = {(r.url, r.record) for r in refs}
    refs.extend(r for r in embedded if (r.url, r.record) not in listed)
    heads = {} if heads is None else heads
    return tuple(_with_record(ref, data_dir, heads) for ref in refs)


def _with_record(ref: EvidenceRef, data_dir: Path, heads: Heads) -> EvidenceRef:
    """What the record itself says: its date when the check named none, and for a revisit
    the site's 304 and the original capture it refers to."""
    if ref.record is None:
        return ref
    if ref.record not in heads:
        heads[ref.record] = read_head(data_dir, *ref.record)
    head = heads[ref.record]
    if head is None:
        return ref
    if head.rec_type == "revisit":
        where = head.refers_to_location
        return replace(
            ref,
            fetched_at=ref.fetched_at or _iso(head.date),
            status=head.status,  # the 304 the site sent, not the stored answer's 200
            revisit=True,
            original_warc_file=where[0] if where else None,
            original_warc_offset=where[1] if where else None,
            original_fetched_at=_iso(head.refers_to_date),
        )
    if ref.fetched_at is not None:
        return ref
    return replace(
        ref,
        fetched_at=_iso(head.date),
        status=ref.status if ref.status is not None else head.status,
    )


def unit_refs(
    session: Session, unit: dict[str, Any], data_dir: Path
) -> dict[int, tuple[EvidenceRef, ...]]:
    """Every finding's references (finding id → refs) for one exported unit."""
    crawl = (unit.get("crawl") or {}).get("run")
    urls = [url for f in unit["findings"] for url in f.get("urls") or []]
    stored = store_refs(session, crawl, urls)
    heads: Heads = {}
    return {f["id"]: finding_refs(f, stored, data_dir, heads) for f in unit["findings"]}
