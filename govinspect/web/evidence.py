"""The archived response behind a finding: located through the finding, never through a path.

A URL names the unit, the finding and the number of the evidence reference; the WARC file and
offset come from the store, so no request can open a file of its choosing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from w3lib.encoding import html_to_unicode
from warcio.exceptions import ArchiveLoadFailed

from govinspect.reports.evidence import EvidenceRef
from govinspect.store.archive import ArchivedRecord, read_record
from govinspect.store.db import Store
from govinspect.store.models import Finding, Run
from govinspect.web.data import NotFound, RunChoice, export, unit_of, unit_report
from govinspect.web.users import Account

#: Characters of an archived body shown as escaped source (the download has it all).
SHOWN_CHARS = 200_000


@dataclass
class FindingView:
    choice: RunChoice
    unit: dict[str, Any]
    finding: dict[str, Any]
    refs: tuple[EvidenceRef, ...]
    points: float | None


def finding_view(
    store: Store, account: Account, unit_id: str, finding_id: int, data_dir: Path
) -> FindingView:
    """A finding of a unit the user may see, with its run and its evidence references."""
    if not account.may_see(unit_id):
        raise NotFound(unit_id)
    with store.session() as session:
        row = session.get(Finding, finding_id)
        if row is None or row.unit_id != unit_id:
            raise NotFound(finding_id)
        run = session.get(Run, row.run_id)
        if run is None or run.status != "complete" or run.as_of is None:
            raise NotFound(finding_id)
        from govinspect.reports.period import period_of

        choice = RunChoice(run.id, run.as_of, period_of(run.as_of))
    unit = unit_of(export(store, choice.run_id, data_dir), unit_id)
    report = unit_report(store, choice, unit, data_dir)
    finding = next(f for f in unit["findings"] if f["id"] == finding_id)
    points = next(
        (
            item.points
            for group in report.groups
            for item in group.items
            if item.finding_id == finding_id
        ),
        None,
    )
    return FindingView(choice, unit, finding, report.refs.get(finding_id, ()), points)


def ref_of(view: FindingView, n: int) -> EvidenceRef:
    if not 0 <= n < len(view.refs) or view.refs[n].record is None:
        raise NotFound(n)
    return view.refs[n]


def _path(data_dir: Path, warc_file: str) -> Path:
    path = Path(warc_file)
    return path if path.is_absolute() else Path(data_dir) / path


@dataclass
class Capture:
    record: ArchivedRecord
    original: ArchivedRecord | None  # a revisit's original capture
    text: str
    truncated: bool
    content_type: str
    error: str | None = None


def _header(record: ArchivedRecord, name: str) -> str:
    return next((v for k, v in record.headers if k.lower() == name.lower()), "")


def capture(data_dir: Path, ref: EvidenceRef) -> Capture:
    assert ref.record is not None
    try:
        record = read_record(data_dir, *ref.record)
        original = None
        body_of = record
        if record.rec_type == "revisit" and record.refers_to_location is not None:
            original = read_record(data_dir, *record.refers_to_location)
            body_of = original
    except (OSError, StopIteration, ValueError, ArchiveLoadFailed) as exc:
        raise NotFound(f"record unreadable: {exc}") from None
    content_type = _header(body_of, "content-type")
    _, text = html_to_unicode(content_type, body_of.payload)
    return Capture(
        record=record,
        original=original,
        text=text[:SHOWN_CHARS],
        truncated=len(text) > SHOWN_CHARS,
        content_type=content_type,
    )


def record_bytes(data_dir: Path, ref: EvidenceRef) -> bytes:
    """The WARC record as one gzip member, copied as the evidence pack copies it."""
    from govinspect.reports.pack import _member

    assert ref.record is not None
    warc_file, offset = ref.record
    try:
        return _member(_path(data_dir, warc_file), offset)[0]
    except (OSError, StopIteration, ValueError, ArchiveLoadFailed) as exc:
        raise NotFound(f"record unreadable: {exc}") from None


def findings_of_unit(store: Store, unit_id: str, run_id: int) -> list[int]:
    with store.session() as session:
        return list(
            session.scalars(
                select(Finding.id).where(Finding.unit_id == unit_id, Finding.run_id == run_id)
            )
        )
