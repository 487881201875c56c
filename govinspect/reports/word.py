"""The self-check report as a Word document (python-docx), with the same content as the HTML.

python-docx writes every value as text runs, so crawled titles can never become markup or
fields; control characters XML cannot hold are dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell

from govinspect.reports.model import UnitReport
from govinspect.reports.render import evidence_text
from govinspect.reports.texts import data, number, text, xml_safe

GREY = RGBColor(0x55, 0x55, 0x55)
RED = RGBColor(0x9B, 0x1C, 0x1C)


def _east_asian(style_element: object, font: str) -> None:
    rpr = style_element.get_or_add_rPr()  # type: ignore[attr-defined]
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _setup(doc: DocumentType) -> None:
    fonts = data()["docx_fonts"]
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        style = doc.styles[name]
        style.font.name = fonts["latin"]
        _east_asian(style.element, fonts["body"] if name == "Normal" else fonts["heading"])
    doc.styles["Normal"].font.size = Pt(10.5)


def _table(doc: DocumentType, headers: Sequence[str]) -> Table:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(xml_safe(header))
        run.bold = True
    return table


def _row(table: Table, values: Sequence[object]) -> list[_Cell]:
    cells = table.add_row().cells
    for cell, value in zip(cells, values, strict=True):
        cell.text = xml_safe(value)
    return cells


def _note(doc: DocumentType, words: str) -> None:
    run = doc.add_paragraph().add_run(xml_safe(words))
    run.font.size = Pt(9)
    run.font.color.rgb = GREY


def _header(doc: DocumentType, r: UnitReport) -> None:
    t, missing = data()["text"], data()["missing"]
    title = doc.add_heading(xml_safe(f"{r.unit['name']}\n{t['title']}"), level=0)
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub = doc.add_paragraph(text("subtitle", period=r.period.label, as_of=r.as_of.isoformat()))
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    rows = [
        (t["unit"], r.unit["name"], t["category"], r.category),
        (t["website"], r.unit["website"], t["site_code"], r.unit.get("site_code") or missing),
        (t["period"], f"{r.period.label}（{r.period.start} 至 {r.period.end}）",
         t["as_of"], r.as_of.isoformat()),
        (t["run"], f"{r.run_id}（{t['crawl']} {r.crawl_run or missing}）",
         t["generated"], r.generated),
        (t["verdict"], r.verdict, t["total"], f"{number(r.total.score)} / {number(r.total.max)}"),
    ]  # fmt: skip
    table = doc.add_table(rows=0, cols=4)
    table.style = "Table Grid"
    for values in rows:
        cells = _row(table, values)
        for cell in (cells[0], cells[2]):
            cell.paragraphs[0].runs[0].bold = True


def _scores(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["scores"], level=1)
    if not r.unit.get("assessed"):
        _note(doc, t["not_assessed_note"])
    previous = (
        text("previous", period=r.previous_period.label) if r.previous else t["previous_none"]
    )
    table = _table(doc, [t["dimension"], t["this_period"], t["max"], previous, t["change"]])
    for row in (*r.scores, r.total, r.dead_links_row):
        _row(
            table, [row.name, number(row.score), number(row.max), number(row.previous), row.change]
        )
    _note(doc, t["partial_note"])


def _vetoes(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["vetoes"], level=1)
    if not r.vetoes:
        doc.add_paragraph(t["vetoes_none"])
        return
    table = _table(doc, [t["finding_id"], t["indicator"], t["problem"]])
    for veto in r.vetoes:
        cells = _row(table, [veto.get("finding_id", ""), veto["indicator"], veto["detail"]])
        cells[1].paragraphs[0].runs[0].font.color.rgb = RED


def _fixes(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["fixes"], level=1)
    if not r.groups:
        doc.add_paragraph(t["fixes_none"])
        return
    _note(doc, t["fixes_note"])
    for index, group in enumerate(r.groups, start=1):
        doc.add_heading(
            xml_safe(f"{index}. {group.indicator}【{group.severity_label}】{group.summary}"),
            level=2,
        )
        table = _table(doc, [t["finding_id"], t["problem"], t["points"], t["evidence"]])
        for item in group.items:
            message = (
                f"{item.message}（{item.evidence_age}）" if item.evidence_age else item.message
            )
            cells = _row(table, [item.finding_id, message, number(item.points), ""])
            cell = cells[3]
            first = True
            for ref in item.refs:
                paragraph = cell.paragraphs[0] if first else cell.add_paragraph()
                first = False
                paragraph.add_run(xml_safe(ref.url)).font.size = Pt(8.5)
                detail = paragraph.add_run("\n" + xml_safe(evidence_text(ref)))
                detail.font.size = Pt(7.5)
                detail.font.color.rgb = GREY


def _columns(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["columns"], level=1)
    if not r.columns:
        doc.add_paragraph(t["columns_none"])
        return
    table = _table(
        doc,
        [t["column_name"], t["column_type"], t["level"], t["last_update"], t["items"], t["age"],
         t["window"], t["state"]],
    )  # fmt: skip
    for c in r.columns:
        cells = _row(
            table,
            [f"{c.name}\n{c.url}", c.type, c.level, c.last_update, c.items, c.age_days,
             c.window_days, c.state],
        )  # fmt: skip
        if c.problem:
            cells[7].paragraphs[0].runs[0].font.color.rgb = RED


def _dead_links(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["dead_links"], level=1)
    if not r.dead_links:
        doc.add_paragraph(t["dead_links_none"])
        return
    table = _table(doc, [t["link_text"], t["link_url"], t["link_reason"], t["found_on"]])
    for d in r.dead_links:
        pages = "\n".join(d.found_on)
        if d.found_on_total > len(d.found_on):
            pages += "\n" + text("found_on_more", total=d.found_on_total)
        reason = d.reason
        if d.excluded is not None:
            reason += "\n" + text("excluded_link", pattern=d.excluded)
        if d.ignored:
            reason += "\n" + text("ignored_link")
        _row(table, [d.text, d.url, reason, pages])


def _accounts(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["new_media"], level=1)
    if not r.accounts:
        doc.add_paragraph(t["new_media_none"])
        return
    table = _table(
        doc, [t["account"], t["platform"], t["last_post"], t["days_since"], t["state"], t["note"]]
    )
    for a in r.accounts:
        _row(table, [a.name, a.platform, a.last_post, a.days_since, a.state, a.note])


def _interaction(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["interaction"], level=1)
    if not r.interaction:
        doc.add_paragraph(t["interaction_none"])
        return
    table = _table(doc, [t["interaction_item"], t["interaction_value"], t["link_url"]])
    for row in r.interaction:
        _row(table, [row.item, row.value, row.url])


def _content_safety(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["content_safety"], level=1)
    if not r.safety:
        doc.add_paragraph(t["content_safety_none"])
        return
    table = _table(doc, [t["safety_category"], t["link_url"], t["safety_detail"], t["found_on"]])
    for line in r.safety:
        _row(table, [line.category, line.url, line.detail, "\n".join(line.found_on)])
    _note(doc, t["content_safety_note"])


def _trend(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["trend"], level=1)
    if r.chart_png:
        doc.add_picture(BytesIO(r.chart_png), width=Cm(16.5))
    else:
        doc.add_paragraph(t["trend_none"])
    names = [row.name for row in r.scores]
    table = _table(doc, [t["trend_period"], t["as_of"], *names, t["total"], t["dead_link_count"]])
    for point in r.trend:
        result = point.result
        _row(
            table,
            [
                point.period.label,
                result.as_of.isoformat() if result else data()["missing"],
                *(number(result.scores.get(n) if result else None) for n in names),
                number(result.total if result else None),
                number(result.dead_links if result else None),
            ],
        )
    _note(doc, t["trend_note"])


def _rectification(doc: DocumentType, r: UnitReport) -> None:
    t = data()["text"]
    doc.add_heading(t["rectification"], level=1)
    fates = r.rectification
    if fates is None or not fates.rows:
        doc.add_paragraph(t["rectification_none"])
        return
    doc.add_paragraph(xml_safe(fates.summary))
    _note(doc, t["rectification_note"])
    table = _table(doc, [t["indicator"], t["problem"], t["first_seen"], t["fate"], t["evidence"]])
    for row in fates.rows:
        cells = _row(
            table, [row.indicator, row.message, row.first_seen, row.fate_label, row.detail]
        )
        if row.fate in ("overdue", "open"):
            cells[3].paragraphs[0].runs[0].font.color.rgb = RED


def write_docx(report: UnitReport, path: Path) -> None:
    """Write the self-check report as a .docx file."""
    doc = Document()
    _setup(doc)
    _header(doc, report)
    for section in (
        _scores, _vetoes, _fixes, _columns, _dead_links, _accounts, _interaction,
        _content_safety, _trend,
        _rectification,
    ):  # fmt: skip
        section(doc, report)
    _note(doc, data()["text"]["footer"])
    doc.core_properties.title = xml_safe(f"{report.unit['name']} {data()['text']['title']}")
    doc.core_properties.author = "govinspect"
    doc.save(str(path))
