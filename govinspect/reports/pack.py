"""Evidence packs: one zip per unit and period that an assessor can verify and replay.

Layout (inside the folder ``<unit>-<period>-evidence/``)::

    index.html        every finding with links to its records, fetch times and statuses
    findings.json     the findings (export format) plus their evidence records
    findings.csv      one row per finding (the export's CSV columns plus evidence_records)
    evidence.warc.gz  a warcinfo record, then every referenced record, copied byte for byte
    SHA256SUMS        sha256sum format, every other file: ``sha256sum -c SHA256SUMS`` verifies

Records are copied as their original gzip members, so each keeps its bytes, WARC-Record-ID
and digests; ``warc_offset`` values in the pack point into ``evidence.warc.gz`` and the
original file and offset travel with each record (``source_warc_file``/``source_warc_offset``).
A ``revisit`` record (the site answered 304) comes with the original capture it refers to, so
the pack holds the body that was judged as well as the revalidation.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from w3lib.encoding import html_to_unicode
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.warcwriter import WARCWriter

from govinspect import __version__
from govinspect.reports.evidence import EvidenceRef
from govinspect.reports.export import CSV_FIELDS
from govinspect.reports.model import UnitReport, finding_points
from govinspect.reports.render import render
from govinspect.reports.texts import data
from govinspect.store.archive import REFERS_TO_FILE, REFERS_TO_OFFSET

PACK_WARC = "evidence.warc.gz"
SUMS = "SHA256SUMS"
_GZIP_MAGIC = b"\x1f\x8b"
_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/xhtml",
               "application/javascript", "application/rss", "application/atom")  # fmt: skip


@dataclass
class PackedRecord:
    """One referenced record, where it came from and where it sits in the pack."""

    number: int
    source_warc_file: str
    source_warc_offset: int
    warc_offset: int | None = None
    length: int | None = None
    sha256: str | None = None
    rec_type: str | None = None
    uri: str | None = None
    date: str | None = None
    record_id: str | None = None
    status: int | None = None
    recompressed: bool = False
    error: str | None = None
    # A revisit record: its profile, the record it refers to (WARC-Refers-To, its date) and
    # that record's number in the pack.
    profile: str | None = None
    refers_to: str | None = None
    refers_to_date: str | None = None
    refers_to_record: int | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)
    excerpt: str | None = None
    excerpt_cut: bool = False
    binary: bool = False
    refers_to_source: tuple[str, int] | None = None

    def summary(self) -> dict[str, Any]:
        """The record as listed in findings.json (no headers or excerpt)."""
        out = asdict(self)
        for key in ("headers", "excerpt", "excerpt_cut", "binary", "refers_to_source"):
            out.pop(key)
        return out


def _member(path: Path, offset: int) -> tuple[bytes, bool, tuple[str, int] | None]:
    """The record at ``offset`` as one gzip member: (bytes, whether it had to be recompressed,
    where the capture it refers to is when it is a revisit)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        magic = fh.read(2)
        fh.seek(offset)
        iterator = ArchiveIterator(fh)
        record = next(iter(iterator))
        refers_to = None
        target = record.rec_headers.get_header(REFERS_TO_FILE)
        at = record.rec_headers.get_header(REFERS_TO_OFFSET)
        if record.rec_type == "revisit" and target and at and at.isdigit():
            refers_to = (target, int(at))
        if magic == _GZIP_MAGIC:
            iterator.read_to_end(record)
            length = iterator.get_record_length()
            fh.seek(offset)
            return fh.read(length), False, refers_to
        # An uncompressed WARC: rewrite the record as its own gzip member (same headers).
        buffer = io.BytesIO()
        WARCWriter(buffer, gzip=True).write_record(record)
        return buffer.getvalue(), True, refers_to


def _decode(payload: bytes, content_type: str) -> str:
    _, text = html_to_unicode(content_type, payload)
    return text


def _visible_text(markup: str) -> str:
    """The text a reader sees on an archived HTML page (scripts and styles left out)."""
    try:
        doc = lxml_html.document_fromstring(
            markup.encode("utf-8"), parser=lxml_html.HTMLParser(encoding="utf-8")
        )
    except (etree.ParserError, ValueError):
        return markup
    for node in doc.xpath("//script|//style|//noscript|//template"):
        node.drop_tree()
    lines = (" ".join(line.split()) for line in doc.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def _describe(record: PackedRecord, pack: Path) -> None:
    """Read the copied record back from the pack: headers, status and a text excerpt."""
    limit = int(data()["evidence_excerpt_chars"])
    assert record.warc_offset is not None
    with pack.open("rb") as fh:
        fh.seek(record.warc_offset)
        warc = next(iter(ArchiveIterator(fh)))
        record.rec_type = warc.rec_type
        record.uri = warc.rec_headers.get_header("WARC-Target-URI")
        record.date = warc.rec_headers.get_header("WARC-Date")
        record.record_id = warc.rec_headers.get_header("WARC-Record-ID")
        if warc.rec_type == "revisit":
            record.profile = warc.rec_headers.get_header("WARC-Profile")
            record.refers_to = warc.rec_headers.get_header("WARC-Refers-To")
            record.refers_to_date = warc.rec_headers.get_header("WARC-Refers-To-Date")
        content_type = warc.rec_headers.get_header("Content-Type") or ""
        if warc.http_headers is not None:
            code = warc.http_headers.get_statuscode()
            record.status = int(code) if code and code.isdigit() else None
            record.headers = list(warc.http_headers.headers)
            content_type = warc.http_headers.get_header("Content-Type") or content_type
        payload = warc.content_stream().read()
    if not content_type.lower().startswith(_TEXT_TYPES) and payload:
        record.binary = True
        return
    body = _decode(payload, content_type)
    if "html" in content_type.lower():
        body = _visible_text(body)
    record.excerpt = body[:limit]
    record.excerpt_cut = len(body) > limit


def write_pack_warc(
    refs: list[EvidenceRef], data_dir: Path, out: Path, description: str
) -> dict[tuple[str, int], PackedRecord]:
    """Copy every distinct referenced record into ``out`` (after a warcinfo record).

    A revisit record brings the original capture it refers to (numbered after the records the
    findings reference), so the pack holds the body the checks judged.
    """
    records: dict[tuple[str, int], PackedRecord] = {}
    for ref in refs:
        if ref.record is not None and ref.record not in records:
            records[ref.record] = PackedRecord(len(records) + 1, *ref.record)
    with out.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        writer.write_record(
            writer.create_warcinfo_record(
                out.name, {"software": f"govinspect/{__version__}", "description": description}
            )
        )
        queue = list(records.values())
        for record in queue:  # grows while it is walked: originals of revisits join it
            source = Path(record.source_warc_file)
            if not source.is_absolute():
                source = data_dir / source
            try:
                member, record.recompressed, refers_to = _member(source, record.source_warc_offset)
            except (OSError, StopIteration, ArchiveLoadFailed, ValueError) as exc:
                record.error = f"{type(exc).__name__}: {exc}"[:300]
                continue
            record.warc_offset = fh.tell()
            record.length = len(member)
            record.sha256 = hashlib.sha256(member).hexdigest()
            fh.write(member)
            record.refers_to_source = refers_to
            if refers_to is not None and refers_to not in records:
                records[refers_to] = PackedRecord(len(records) + 1, *refers_to)
                queue.append(records[refers_to])
    for record in records.values():
        if record.error is None:
            _describe(record, out)
    for record in records.values():
        if record.refers_to_source is not None:
            original = records[record.refers_to_source]
            if original.error is None and original.record_id == record.refers_to:
                record.refers_to_record = original.number
    return records


def _ref_entry(ref: EvidenceRef, records: dict[tuple[str, int], PackedRecord]) -> dict[str, Any]:
    packed = records.get(ref.record) if ref.record else None
    usable = packed is not None and packed.error is None
    original = records.get(ref.original_record) if ref.original_record else None
    original_usable = usable and original is not None and packed.refers_to_record == original.number
    return {
        "url": ref.url,
        "record": packed.number if usable else None,
        "warc_file": PACK_WARC if usable else None,
        "warc_offset": packed.warc_offset if usable else None,
        "record_uri": packed.uri if usable else None,  # differs from url after a redirect
        "source_warc_file": ref.warc_file,
        "source_warc_offset": ref.warc_offset,
        "fetched_at": ref.fetched_at,
        "fetched_at_local": ref.fetched_local,
        "status": ref.status,
        "outcome": ref.outcome,
        # A revisit (the site answered 304): the original capture whose body was judged.
        "revisit": ref.revisit,
        "original_record": original.number if original_usable else None,
        "original_warc_offset": original.warc_offset if original_usable else None,
        "original_fetched_at": ref.original_fetched_at,
        "original_fetched_at_local": ref.original_fetched_local,
    }


def _findings(report: UnitReport, records: dict[tuple[str, int], PackedRecord]) -> list[dict]:
    points = finding_points(report.unit)
    return [
        {
            **finding,
            "points": points.get(finding["id"], 0),
            "evidence_records": [
                _ref_entry(ref, records) for ref in report.refs.get(finding["id"], ())
            ],
        }
        for finding in report.findings
    ]


def _write_json(report: UnitReport, findings: list[dict], records: dict, path: Path) -> None:
    unit = report.unit
    document = {
        "schema": "govinspect-evidence-pack/1",
        "unit": {k: unit.get(k) for k in ("id", "name", "category", "website", "site_code")},
        "period": report.period.code,
        "period_start": report.period.start.isoformat(),
        "period_end": report.period.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "run_id": report.run_id,
        "crawl_run": report.crawl_run,
        "rubric": unit.get("rubric"),
        "generated_at": report.generated,
        "warc": PACK_WARC,
        "offsets": "warc_offset: in evidence.warc.gz; source_warc_*: the original archive",
        "findings": findings,
        "records": [r.summary() for r in records.values()],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")


def _write_csv(report: UnitReport, findings: list[dict], path: Path) -> None:
    unit = report.unit
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=[*CSV_FIELDS, "evidence_records"])
        writer.writeheader()
        for f in findings:
            writer.writerow({
                "run_id": report.run_id,
                "as_of": report.as_of.isoformat(),
                "unit_id": unit["id"],
                "unit_name": unit["name"],
                "category": unit["category"],
                "finding_id": f["id"],
                "check": f["check"],
                "indicator": f["indicator"],
                "rule": f["rule"],
                "severity": f["severity"],
                "count": f["count"],
                "points": f["points"],
                "message": f["message"],
                "urls": " ".join(f["urls"]),
                "evidence": json.dumps(f["evidence"], ensure_ascii=False, sort_keys=True),
                "evidence_records": json.dumps(
                    f["evidence_records"], ensure_ascii=False, sort_keys=True
                ),
            })  # fmt: skip


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_sums(folder: Path) -> None:
    """``SHA256SUMS`` of every file under ``folder`` (binary mode marker, sorted paths)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.name != SUMS)
    lines = [f"{_sha256(p)}  {p.relative_to(folder).as_posix()}\n" for p in files]
    (folder / SUMS).write_text("".join(lines), encoding="utf-8")


def _zip(folder: Path, out: Path) -> None:
    with zipfile.ZipFile(out, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if not path.is_file():
                continue
            # The WARC is gzip already: storing it avoids compressing twice.
            method = zipfile.ZIP_STORED if path.name == PACK_WARC else zipfile.ZIP_DEFLATED
            archive.write(path, f"{folder.name}/{path.relative_to(folder).as_posix()}", method)


def pack_name(report: UnitReport) -> str:
    return f"{report.unit['id']}-{report.period.code}-evidence"


def write_evidence_pack(report: UnitReport, data_dir: Path, out: Path) -> None:
    """Write the unit's evidence pack for the report's period to ``out`` (a .zip file)."""
    refs = [ref for f in report.findings for ref in report.refs.get(f["id"], ())]
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".pack-") as tmp:
        folder = Path(tmp) / pack_name(report)
        folder.mkdir()
        description = (
            f"{report.unit['name']} {report.period.code} check run {report.run_id} "
            f"as of {report.as_of.isoformat()}"
        )
        records = write_pack_warc(refs, data_dir, folder / PACK_WARC, description)
        findings = _findings(report, records)
        _write_json(report, findings, records, folder / "findings.json")
        _write_csv(report, findings, folder / "findings.csv")
        (folder / "index.html").write_text(
            render(
                "evidence_index.html",
                r=report,
                findings=findings,
                records=list(records.values()),
                e=data()["evidence"],
                t=data()["text"],
                severities=data()["severities"],
                excerpt_chars=data()["evidence_excerpt_chars"],
                local_time=data()["local_time"],
            ),
            encoding="utf-8",
        )
        write_sums(folder)
        partial = out.with_name(out.name + ".part")
        _zip(folder, partial)
        shutil.move(partial, out)
