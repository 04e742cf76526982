"""The quarterly briefing as an editable Word document (python-docx): the same content as the page and PDF.

Pure: a built ``Briefing`` and the charts' slide content (``slides.ChartSlide``: frame text and PNG) in, a
``Document`` out. Headings are Word headings, the headline numbers real tables, the findings and sources
numbered lists, each chart a picture with its title, period and unit above it and its sources, notes and
link below as text. A4 portrait, Arial (Liberation Sans in LibreOffice), the dashboard's colours.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from dashboard import theme
from dashboard.briefing import FINDINGS_TITLE, SOURCES_TITLE, Briefing, Section
from dashboard.i18n import _
from dashboard.slides import FONT, ChartSlide, long_date, source_line

ACCENT = RGBColor.from_string(theme.PALETTE[0].lstrip("#"))
MUTED = RGBColor.from_string(theme.MUTED_TEXT_COLOR.lstrip("#"))
TEXT = RGBColor.from_string(theme.TEXT_COLOR.lstrip("#"))
PAGE_W, MARGIN = Mm(210), Mm(18)
PICTURE_W = PAGE_W - 2 * MARGIN


def _refs(numbers) -> str:
    return "[" + ", ".join(str(n) for n in numbers) + "]" if numbers else ""


def _styles(doc) -> None:
    """Arial everywhere (also for Cyrillic: the rFonts of every script), headings in the accent colour."""
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "List Number", "Caption"):
        style = doc.styles[name]
        style.font.name = FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(fonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), FONT)
        for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            fonts.attrib.pop(qn(theme_attr), None)
    doc.styles["Normal"].font.size = Pt(10.5)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.color.rgb = ACCENT


def _para(
    doc, text: str, size: float | None = None, color: RGBColor | None = None, bold: bool = False, style=None
):
    p = doc.add_paragraph(style=style)
    run = p.add_run(text)
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    run.bold = bold or None
    return p


def _header(doc, b: Briefing, generated: date, release_note: str) -> None:
    _para(doc, _("Migration Tracking Matrix · Kazakhstan · quarterly briefing"), 10, MUTED)
    doc.add_heading(_("Migration in Kazakhstan, {quarter}").format(quarter=b.label), 0)
    _para(doc, b.months_label, 13)
    if b.notice:
        _para(doc, _("Note:") + " " + b.notice, bold=True)
    _para(
        doc,
        _(
            "Every figure below is taken from a cited document; the numbers in brackets refer to "
            "the Sources at the end. Changes are as published by the source where it printed one "
            "with the level, otherwise computed here (marked computed); values marked derived were "
            "computed here from published figures. Not reported is not zero."
        ),
    )
    meta = _("Generated on {date} from data version {version}.").format(
        date=long_date(generated), version=b.data_version
    )
    if b.latest_source_date:
        meta += " " + _("The newest source document is dated {date}.").format(
            date=long_date(b.latest_source_date)
        )
    _para(doc, " ".join(t for t in (meta, release_note) if t), 9, MUTED)


def _findings(doc, b: Briefing) -> None:
    doc.add_heading(_(FINDINGS_TITLE), 1)
    if not b.findings:
        _para(
            doc,
            _("No figure was reported for {quarter}, so no finding can be written.").format(quarter=b.label),
        )
        return
    for f in b.findings:
        p = doc.add_paragraph(f.text, style="List Number")
        for c in f.caveats:
            run = p.add_run("\n" + _("Note: {note}").format(note=c))
            run.font.size, run.font.color.rgb = Pt(9), MUTED


def _table(doc, s: Section, b: Briefing) -> None:
    first = s.rows[0].comparisons
    header = [
        _("Indicator"),
        b.label,
        *(_("{comparison} ({quarter})").format(comparison=c.against, quarter=c.period_label) for c in first),
    ]
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for r in s.rows:
        cells = table.add_row().cells
        cells[0].text = ""
        cells[0].paragraphs[0].add_run(r.title).bold = True
        if r.sources:
            cells[0].paragraphs[0].add_run(" " + _refs(r.sources)).font.color.rgb = MUTED
        cells[1].text = "\n".join([r.value_text, *(f"= {a}" for a in r.also), *r.notes])
        for cell, c in zip(cells[2:], r.comparisons, strict=True):
            text = c.level_text
            if c.change.value is not None:
                text += f"\n{c.change_text} {c.basis}".rstrip()
            cell.text = text
        if r.details:
            detail = table.add_row().cells
            merged = detail[0].merge(detail[-1])
            merged.text = "\n".join(r.details)
            for p in merged.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)


def _chart(doc, item: ChartSlide) -> None:
    c = item.caption
    _para(doc, c.title, 11, ACCENT, bold=True).paragraph_format.keep_with_next = True
    _para(doc, c.subtitle, 9, MUTED).paragraph_format.keep_with_next = True
    doc.add_picture(io.BytesIO(item.image), width=PICTURE_W)
    doc.paragraphs[-1].paragraph_format.keep_with_next = True
    lines = [
        _("Source: {sources}").format(sources="; ".join(c.sources))
        if c.sources
        else _("Source: none reported")
    ]
    lines += [_("Note: {note}").format(note=n) for n in c.notes]
    if c.data_date:
        lines.append(_("Data: {date}").format(date=c.data_date))
    if c.link:
        lines.append(c.link)
    _para(doc, "\n".join(lines), 8, MUTED)


def _section(doc, s: Section, b: Briefing, chart_items: Mapping[str, ChartSlide]) -> None:
    doc.add_heading(s.title, 1)
    _para(doc, s.description, 9.5, MUTED)
    if not s.has_data:
        text = s.missing or _("Nothing was reported for {quarter}.").format(quarter=b.label)
        _para(doc, f"{text} {_refs(s.sources)}".strip())
        return
    _table(doc, s, b)
    if s.missing:
        _para(doc, s.missing, 9.5, MUTED)
    for c in s.charts:
        if c.key in chart_items:
            _chart(doc, chart_items[c.key])
    if s.sources:
        _para(doc, _("Sources: {numbers}").format(numbers=_refs(s.sources)), 9.5, MUTED)


def _sources(doc, b: Briefing) -> None:
    doc.add_heading(_(SOURCES_TITLE), 1)
    if not b.sources:
        _para(doc, _("No document was used: nothing was reported for this quarter."))
        return
    for e in b.sources:
        p = doc.add_paragraph()
        p.add_run(f"[{e.number}] {e.document}").bold = True
        link = e.url or _(
            "No web link: read from the plain-text extraction of the report supplied with the data."
        )
        p.add_run("\n" + source_line(e) + "\n" + link)


def briefing_document(
    b: Briefing, chart_items: Mapping[str, ChartSlide], generated: date | None = None, release_note: str = ""
):
    doc = Document()
    for sec in doc.sections:
        sec.page_width, sec.page_height = PAGE_W, Mm(297)
        sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = MARGIN
    _styles(doc)
    _header(doc, b, generated or date.today(), release_note)
    if b.quarter is None:
        return doc
    _findings(doc, b)
    for s in b.sections:
        _section(doc, s, b, chart_items)
    _sources(doc, b)
    doc.core_properties.title = _("Migration in Kazakhstan, {quarter}").format(quarter=b.label)
    return doc


def to_bytes(doc) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
