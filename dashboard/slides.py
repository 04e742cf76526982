"""The quarterly briefing and explorer charts as an editable PowerPoint deck (python-pptx, no office suite).

Pure: the briefing's content (``dashboard.briefing.Briefing``) and, per chart, its frame text
(``export.Caption``) and a PNG in; a ``Presentation`` out. The images come from the same figure builders
(kaleido on the command line, the browser's own plotly.js in the web app); every word around them is a real,
editable text box.

Layout (16:9, 13.33 × 7.5 in): a title slide; the key findings; per briefing section one slide with its
headline numbers as a real table, followed by one slide per chart (a chart with its title, period, unit,
sources, notes and link is not readable at half a slide); the numbered sources. Slides that would overflow
continue on another.

Text never overflows its box: word wrap on, auto-size off, and every box is sized from an estimate of its
wrapped lines (``wrap``: a per-character width table of Arial, the font every office suite has, kept on the
wide side; LibreOffice draws it with the metric-compatible Liberation Sans). Font sizes step down with the
length of the text; what still does not fit continues on the next slide (tables, lists) or moves to the
speaker notes (chart notes). ``tests/test_slides.py`` re-measures every box with the real font.
"""

from __future__ import annotations

import io
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import plotly.graph_objects as go
from babel.dates import format_date
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
from pptx.util import Emu, Inches, Pt

from dashboard import i18n, theme
from dashboard.briefing import FINDINGS_TITLE, SOURCES_TITLE, Briefing, Section, SourceEntry
from dashboard.export import Caption
from dashboard.i18n import _

FONT = "Arial"  # in PowerPoint, Keynote and LibreOffice (which draws it with Liberation Sans, same metrics)
SLIDE_W, SLIDE_H = Emu(12_192_000), Emu(6_858_000)  # PowerPoint's 16:9: 13.333 × 7.5 in
MARGIN = Inches(0.5)
CONTENT_W = SLIDE_W - 2 * MARGIN
INSET_X, INSET_Y = (
    Inches(0.05),
    Inches(0.03),
)  # text box insets (set on every box, so the estimate knows them)
SPACING = 1.15  # line spacing set on every paragraph, in points per point of font size (Arial's own)
LINE = 1.2  # the line height the layout reserves (more than SPACING: room to spare)
# chart images: laid out at 1100×620 (fonts readable on a slide), drawn at 1.5× (~1650 px, slide resolution)
IMAGE_PX, IMAGE_SCALE = (1100, 620), 1.5
ACCENT = RGBColor.from_string(theme.PALETTE[0].lstrip("#"))
TEXT = RGBColor.from_string(theme.TEXT_COLOR.lstrip("#"))
MUTED = RGBColor.from_string(theme.MUTED_TEXT_COLOR.lstrip("#"))
HEAD_FILL = RGBColor.from_string(theme.NOT_REPORTED_COLOR.lstrip("#"))
WHITE = RGBColor(0xFF, 0xFF, 0xFF)

# Advance widths in em, on the wide side of Arial's (narrow and wide glyphs listed; the rest 0.58 em).
_NARROW = set("iljI.,:;'|!` ·ії")
_SEMI = set('frt()[]{}-/"*')
_WIDE = set("mwMW@%ЖШЩЮМжшщюмЫыДдФф—…")


def char_em(c: str) -> float:
    if c in _NARROW:
        return 0.30
    if c in _SEMI:
        return 0.38
    if c in _WIDE:
        return 0.92
    if c.isupper():
        return 0.74
    return 0.58


def text_width(text: str, size: float) -> float:
    """Width in points of one line of ``text`` at ``size`` pt."""
    return sum(char_em(c) for c in text) * size


def wrap(text: str, width: float, size: float) -> list[str]:
    """The lines ``text`` takes in a box ``width`` points wide at ``size`` pt (greedy by words; a word wider
    than the line, e.g. a link, is broken, as office suites do)."""
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate, size) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            while text_width(word, size) > width:  # break a long word character by character
                cut = max(1, next(i for i in range(len(word), 0, -1) if text_width(word[:i], size) <= width))
                lines.append(word[:cut])
                word = word[cut:]
            line = word
        lines.append(line)
    return lines


def text_height(paras: Sequence[Para], width: int) -> int:
    """Height (EMU) of a box ``width`` wide holding ``paras``, insets included."""
    inner = Emu(width - 2 * INSET_X).pt
    pts = sum(
        len(wrap(p.text, inner, p.size)) * p.size * LINE + p.space_before for p in paras if p.text is not None
    )
    return int(Pt(pts) + 2 * INSET_Y) + 1


@dataclass(frozen=True)
class Para:
    text: str
    size: float = 14
    bold: bool = False
    color: RGBColor = TEXT
    link: str | None = None  # the whole paragraph links there
    space_before: float = 0.0  # points


@dataclass(frozen=True)
class ChartSlide:
    """One chart: its frame text, its image (PNG), the speaker notes (findings, numbers in words)."""

    caption: Caption
    image: bytes
    notes: tuple[str, ...] = ()
    key: str = ""
    lang: str = (
        ""  # the caption's language (the words the slide adds: "Source:", "Note:"); "": the one in force
    )


def new_presentation():
    prs = Presentation()
    prs.slide_width, prs.slide_height = SLIDE_W, SLIDE_H
    return prs


def _blank(prs, notes: Iterable[str] = ()):
    slide = prs.slides.add_slide(prs.slide_layouts[6])  # "Blank": nothing to fill or leave empty
    text = "\n\n".join(n for n in notes if n)
    if text:
        slide.notes_slide.notes_text_frame.text = text
    return slide


def add_text(slide, x: int, y: int, w: int, paras: Sequence[Para], h: int | None = None):
    """A text box at (x, y), ``w`` wide and as tall as its text (or ``h``): wrap on, auto-size off."""
    box = slide.shapes.add_textbox(x, y, w, h or text_height(paras, w))
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = MSO_ANCHOR.TOP
    tf.margin_left = tf.margin_right = INSET_X
    tf.margin_top = tf.margin_bottom = INSET_Y
    for i, p in enumerate(paras):
        para = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        para.line_spacing = Pt(p.size * SPACING)  # exact, the same in every office suite
        if p.space_before:
            para.space_before = Pt(p.space_before)
        run = para.add_run()
        run.text = p.text
        font = run.font
        font.name, font.size, font.bold = FONT, Pt(p.size), p.bold
        font.color.rgb = p.color
        if p.link:
            run.hyperlink.address = p.link
    return box


def fit(text: str, width: int, height: int, sizes: Sequence[float]) -> float | None:
    """The largest of ``sizes`` at which ``text`` fits a box ``width`` × ``height`` (EMU), else None."""
    for s in sizes:
        if text_height([Para(text, s)], width) <= height:
            return s
    return None


def _title(slide, text: str, sizes: Sequence[float] = (28, 24, 20, 18, 16)) -> int:
    """The slide's title (accent colour), sized by its length; returns the y below it."""
    size = fit(text, CONTENT_W, Inches(1.3), sizes) or sizes[-1]
    box = add_text(slide, MARGIN, Inches(0.35), CONTENT_W, [Para(text, size, True, ACCENT)])
    return box.top + box.height + Inches(0.12)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels from a PNG's header; ValueError when it is not a PNG."""
    if len(png) < 24 or png[:8] != b"\x89PNG\r\n\x1a\n" or png[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    w, h = struct.unpack(">II", png[16:24])
    if not (0 < w <= 10_000 and 0 < h <= 10_000):
        raise ValueError("PNG dimensions out of range")
    return w, h


# -- chart slides -----------------------------------------------------------------------------------------
def _footer(c: Caption, size: float) -> list[Para]:
    src = (
        _("Source: {sources}").format(sources="; ".join(c.sources))
        if c.sources
        else _("Source: none reported")
    )
    paras = [Para(src, size, color=MUTED)]
    paras += [Para(_("Note: {note}").format(note=n), size, color=MUTED) for n in c.notes]
    if c.data_date:
        paras.append(Para(_("Data: {date}").format(date=c.data_date), size, color=MUTED))
    if c.link:
        paras.append(Para(c.link, size, color=ACCENT, link=c.link))
    return paras


MIN_IMAGE_H = Inches(2.4)
TITLE_SIZES, SUBTITLE_SIZES, FOOT_SIZES = (26, 22, 20, 18, 16), (16, 14, 12, 11, 10), (12, 11, 10, 9, 8)


def chart_slide(prs, item: ChartSlide):
    """One chart: title, subtitle (measure, unit, period, countries), the picture, and below it the sources,
    notes, data date and the link to the exact view; notes that cannot fit go to the speaker notes."""
    with i18n.use(item.lang or i18n.current()):
        return _chart_slide(prs, item)


def _chart_slide(prs, item: ChartSlide):
    c, notes = item.caption, list(item.notes)
    title = [
        Para(c.title, fit(c.title, CONTENT_W, Inches(1.3), TITLE_SIZES) or TITLE_SIZES[-1], True, ACCENT)
    ]
    sub = [
        Para(
            c.subtitle,
            fit(c.subtitle, CONTENT_W, Inches(0.9), SUBTITLE_SIZES) or SUBTITLE_SIZES[-1],
            color=MUTED,
        )
    ]
    title_y = Inches(0.35)
    sub_y = title_y + text_height(title, CONTENT_W)
    top = sub_y + text_height(sub, CONTENT_W) + Inches(0.05)
    bottom = SLIDE_H - Inches(0.3)
    caption = c
    for size in FOOT_SIZES:
        foot_h = text_height(_footer(caption, size), CONTENT_W)
        if bottom - foot_h - top >= MIN_IMAGE_H:
            break
    else:  # even at the smallest size: the sources and link stay on the slide, the caveats go to the notes
        notes = [_("Note: {note}").format(note=n) for n in c.notes] + notes
        caption = Caption(
            c.title,
            c.subtitle,
            c.sources,
            [_("Further notes are in the speaker notes.")],
            c.data_date,
            c.link,
        )
        foot_h = text_height(_footer(caption, size), CONTENT_W)
    slide = _blank(prs, notes)
    add_text(slide, MARGIN, title_y, CONTENT_W, title)
    add_text(slide, MARGIN, sub_y, CONTENT_W, sub)
    foot_y = bottom - foot_h
    add_text(slide, MARGIN, foot_y, CONTENT_W, _footer(caption, size), foot_h)
    _picture(slide, item.image, MARGIN, top, CONTENT_W, max(foot_y - Inches(0.05) - top, Inches(1)))
    return slide


def _picture(slide, png: bytes, x: int, y: int, w: int, h: int):
    """The image inside the box (x, y, w, h), as large as fits with its aspect ratio kept, centred."""
    pw, ph = png_size(png)
    scale = min(w / pw, h / ph)
    iw, ih = int(pw * scale), int(ph * scale)
    return slide.shapes.add_picture(io.BytesIO(png), x + (w - iw) // 2, y + (h - ih) // 2, iw, ih)


def slide_figure(fig: go.Figure | dict, width: int = IMAGE_PX[0], height: int = IMAGE_PX[1]) -> go.Figure:
    """A copy of an on-screen figure for a slide's picture: its title removed (the slide's text boxes carry
    it), sized for the slide, with fonts readable at that size."""
    out = go.Figure(fig if isinstance(fig, dict) else fig.to_dict())
    out.update_layout(
        title={"text": ""},
        width=width,
        height=height,
        margin={"t": 30, "l": 70, "r": 30, "b": 60},
        paper_bgcolor="#FFFFFF",
    )
    out.update_traces(textfont_size=14, selector={"type": "pie"})
    out.update_layout(legend_font_size=14)
    return out


# -- flowing content: blocks placed top-down, continued on a new slide when full ---------------------------
@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...]  # fractions of the content width
    size: float = 12


class _Flow:
    """Places text blocks and tables one under another; a block that does not fit starts a new slide
    titled '<title> (continued)'."""

    def __init__(self, prs, title: str, notes: Sequence[str] = ()) -> None:
        self.prs, self.title, self.notes = prs, title, list(notes)
        self.bottom = SLIDE_H - Inches(0.4)
        self.slides: list = []
        self._new(title)

    def _new(self, title: str) -> None:
        self.slide = _blank(self.prs, self.notes)
        self.slides.append(self.slide)
        self.y = _title(self.slide, title)
        self.top = self.y

    def _continue(self) -> None:
        self._new(_("{title} (continued)").format(title=self.title))

    def text(self, paras: Sequence[Para]) -> None:
        h = text_height(paras, CONTENT_W)
        if self.y + h > self.bottom and self.y > self.top:
            self._continue()
        if self.y + h > self.bottom:  # alone on a slide and still too tall: split it by paragraph
            for p in paras:
                self.text([p])
            return
        add_text(self.slide, MARGIN, self.y, CONTENT_W, paras, h)
        self.y += h + Inches(0.1)

    def table(self, t: Table) -> None:
        widths = [int(CONTENT_W * f) for f in t.widths]

        def row_h(cells: Sequence[str], bold: bool = False) -> int:
            return max(
                text_height([Para(c, t.size, bold or j == 0)], w)  # the first column is bold
                for j, (c, w) in enumerate(zip(cells, widths, strict=True))
            )

        head_h = row_h(t.header, True)
        rows = list(t.rows)
        while rows:
            room = self.bottom - self.y - head_h
            take, used = 0, 0
            for r in rows:
                h = row_h(r)
                if used + h > room:
                    break
                take, used = take + 1, used + h
            if take == 0:
                if self.y > self.top:
                    self._continue()
                    continue
                take, used = 1, row_h(rows[0])  # one row taller than a slide: cannot happen with our texts
            self._place(t, rows[:take], widths, head_h, row_h)
            rows = rows[take:]
            self.y += head_h + used + Inches(0.12)
            if rows:
                self._continue()

    def _place(self, t: Table, rows, widths, head_h, row_h) -> None:
        heights = [head_h, *[row_h(r) for r in rows]]
        shape = self.slide.shapes.add_table(
            len(rows) + 1, len(widths), MARGIN, self.y, CONTENT_W, sum(heights)
        )
        table = shape.table
        table.first_row = True
        for j, w in enumerate(widths):
            table.columns[j].width = w
        for i, h in enumerate(heights):
            table.rows[i].height = h
        for i, cells in enumerate([t.header, *rows]):
            for j, text in enumerate(cells):
                cell = table.cell(i, j)
                cell.margin_left = cell.margin_right = INSET_X
                cell.margin_top = cell.margin_bottom = INSET_Y
                cell.fill.solid()
                cell.fill.fore_color.rgb = HEAD_FILL if i == 0 else WHITE
                tf = cell.text_frame
                tf.word_wrap = True
                p = tf.paragraphs[0]
                p.line_spacing = Pt(t.size * SPACING)
                run = p.add_run()
                run.text = text
                run.font.name, run.font.size, run.font.bold = FONT, Pt(t.size), i == 0 or j == 0
                run.font.color.rgb = TEXT


# -- the briefing deck -------------------------------------------------------------------------------------
def long_date(d: date) -> str:
    return format_date(d, "d MMMM y", locale=i18n.current())


def _refs(numbers: Sequence[int]) -> str:
    return "[" + ", ".join(str(n) for n in numbers) + "]" if numbers else ""


def title_slide(prs, b: Briefing, generated: date, release_note: str = "") -> None:
    slide = _blank(prs)
    bar = slide.shapes.add_shape(1, 0, 0, Inches(0.25), SLIDE_H)  # 1: rectangle
    bar.fill.solid()
    bar.fill.fore_color.rgb = ACCENT
    bar.line.fill.background()
    kicker = _("Migration Tracking Matrix · Kazakhstan · quarterly briefing")
    title = _("Migration in Kazakhstan, {quarter}").format(quarter=b.label)
    meta = _("Generated on {date} from data version {version}.").format(
        date=long_date(generated), version=b.data_version
    )
    if b.latest_source_date:
        meta += " " + _("The newest source document is dated {date}.").format(
            date=long_date(b.latest_source_date)
        )
    intro = _(
        "Every figure below is taken from a cited document; the numbers in brackets refer to "
        "the Sources at the end. Changes are as published by the source where it printed one "
        "with the level, otherwise computed here (marked computed); values marked derived were "
        "computed here from published figures. Not reported is not zero."
    )
    paras = [
        Para(kicker, 16, color=MUTED),
        Para(title, fit(title, CONTENT_W, Inches(1.8), (40, 34, 30, 26)) or 26, True, ACCENT, space_before=6),
        Para(b.months_label, 22, color=TEXT, space_before=4),
    ]
    if b.notice:
        paras.append(Para(_("Note:") + " " + b.notice, 14, color=TEXT, space_before=14))
    paras += [Para(intro, 14, color=TEXT, space_before=18), Para(meta, 14, color=MUTED, space_before=10)]
    if release_note:
        paras.append(Para(release_note, 14, color=MUTED, space_before=4))
    add_text(slide, MARGIN + Inches(0.2), Inches(1.2), CONTENT_W - Inches(0.2), paras)


def findings_slides(prs, b: Briefing) -> None:
    flow = _Flow(prs, _(FINDINGS_TITLE))
    if not b.findings:
        flow.text(
            [
                Para(
                    _("No figure was reported for {quarter}, so no finding can be written.").format(
                        quarter=b.label
                    ),
                    18,
                )
            ]
        )
        return
    size = 16 if len(b.findings) <= 8 else 14
    for n, f in enumerate(b.findings, 1):
        paras = [Para(f"{n}. {f.text}", size)]
        paras += [Para(_("Note: {note}").format(note=c), size - 3, color=MUTED) for c in f.caveats]
        flow.text(paras)


def _section_table(s: Section, b: Briefing) -> Table:
    first = s.rows[0].comparisons
    header = (
        _("Indicator"),
        b.label,
        *(_("{comparison} ({quarter})").format(comparison=c.against, quarter=c.period_label) for c in first),
    )
    rows = []
    for r in s.rows:
        value = "\n".join([r.value_text, *(f"= {a}" for a in r.also), *r.notes])
        cells = [f"{r.title} {_refs(r.sources)}".strip(), value]
        for c in r.comparisons:
            text = c.level_text
            if c.change.value is not None:
                text += f"\n{c.change_text} {c.basis}".rstrip()
            cells.append(text)
        rows.append(tuple(cells))
    return Table(header, tuple(rows), (0.34, 0.22, 0.22, 0.22), 13 if len(s.rows) <= 2 else 12)


def section_slides(prs, s: Section, b: Briefing, notes: Sequence[str] = ()) -> list:
    """The section's headline numbers (a real table), the details, what was not reported, its sources."""
    flow = _Flow(prs, s.title, notes)
    flow.text([Para(s.description, 13, color=MUTED)])
    if not s.has_data:
        flow.text(
            [
                Para(
                    f"{s.missing or _('Nothing was reported for {quarter}.').format(quarter=b.label)} "
                    f"{_refs(s.sources)}".strip(),
                    18,
                )
            ]
        )
        return flow.slides
    flow.table(_section_table(s, b))
    details = [Para(f"{r.title}: {d}", 12) for r in s.rows for d in r.details]
    if details:
        flow.text(details)
    if s.missing:
        flow.text([Para(s.missing, 12, color=MUTED)])
    if s.sources:
        flow.text([Para(_("Sources: {numbers}").format(numbers=_refs(s.sources)), 12, color=MUTED)])
    return flow.slides


def source_line(e: SourceEntry) -> str:
    published = ""
    if e.published:
        published = long_date(e.published)
        if e.published_basis == "estimated":
            published = _("{date} (estimated)").format(date=published)
    agencies = "; ".join(e.agencies)
    if published:
        return _("Agency: {agencies}. Published by {publisher}, {date}.").format(
            agencies=agencies, publisher=e.publisher, date=published
        )
    return _("Agency: {agencies}. Published by {publisher}.").format(agencies=agencies, publisher=e.publisher)


def sources_slides(prs, b: Briefing) -> None:
    flow = _Flow(prs, _(SOURCES_TITLE))
    if not b.sources:
        flow.text([Para(_("No document was used: nothing was reported for this quarter."), 16)])
        return
    for e in b.sources:
        link = e.url or _(
            "No web link: read from the plain-text extraction of the report supplied with the data."
        )
        flow.text(
            [
                Para(f"[{e.number}] {e.document}", 14, True),
                Para(source_line(e), 12),
                Para(link, 12, color=ACCENT if e.url else MUTED, link=e.url),
            ]
        )


def findings_of(b: Briefing, indicators: Iterable[str]) -> tuple[str, ...]:
    """The key findings about any of ``indicators`` (for speaker notes)."""
    wanted = set(indicators)
    return tuple(f.text for f in b.findings if wanted & set(f.indicators))


def briefing_deck(
    b: Briefing, charts: dict[str, ChartSlide], generated: date | None = None, release_note: str = ""
):
    """The whole deck for a built briefing; ``charts``: the section charts' slides by chart key (a chart
    without one is left out)."""
    prs = new_presentation()
    title_slide(prs, b, generated or date.today(), release_note)
    if b.quarter is None:
        return prs
    findings_slides(prs, b)
    for s in b.sections:
        section_slides(prs, s, b, findings_of(b, (r.facts.indicator.id for r in s.rows)))
        for c in s.charts:
            if c.key in charts:
                chart_slide(prs, charts[c.key])
    sources_slides(prs, b)
    return prs


def charts_deck(items: Sequence[ChartSlide]):
    """A deck of explorer charts, one slide each, in the order given."""
    prs = new_presentation()
    for item in items:
        chart_slide(prs, item)
    return prs


def to_bytes(prs) -> bytes:
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
