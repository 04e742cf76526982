"""Shared by the briefing-kit tests: stand-in chart pictures, text of opened files, and the fit check that
re-measures every text box of a deck with the real font (Liberation Sans: Arial's metrics)."""

from __future__ import annotations

import io
import os
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.util import Emu

from dashboard import slides

FONT_DIR = Path("/usr/share/fonts/truetype/liberation")


def fake_png(width: int = 330, height: int = 186, noise: bool = False) -> bytes:
    """A stand-in chart picture (PNG); ``noise``: incompressible, as large as a picture of that size gets."""
    if noise:
        im = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    else:
        im = Image.new("RGB", (width, height), "white")
        ImageDraw.Draw(im).rectangle((20, 20, width - 20, height - 20), outline="#0072B2", width=4)
    buf = io.BytesIO()
    im.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


@cache
def _font(bold: bool):
    path = FONT_DIR / ("LiberationSans-Bold.ttf" if bold else "LiberationSans-Regular.ttf")
    return ImageFont.truetype(str(path), 1000) if path.exists() else None


def em_width(text: str, bold: bool) -> float:
    """The width of ``text`` in em: measured with the real font when installed, else 0.6 em a character."""
    font = _font(bold)
    return font.getlength(text) / 1000 if font is not None else 0.6 * len(text)


def real_lines(text: str, width_pt: float, size: float, bold: bool) -> int:
    """Lines ``text`` takes when wrapped greedily by words into ``width_pt`` (long words broken)."""
    n = 0
    for para in text.split("\n"):
        line, lines = "", 1
        for word in para.split(" "):
            candidate = f"{line} {word}" if line else word
            if em_width(candidate, bold) * size <= width_pt:
                line = candidate
                continue
            if line:
                lines += 1
            while em_width(word, bold) * size > width_pt and len(word) > 1:
                cut = max(
                    1, max(i for i in range(1, len(word) + 1) if em_width(word[:i], bold) * size <= width_pt)
                )
                word = word[cut:]
                lines += 1
            line = word
        n += lines
    return n


def _text_height(tf, width: int, margins: tuple[int, int, int, int]) -> float:
    """Points the text of a text frame needs at its own sizes (exact line spacing = SPACING × size), with
    its margins (left, right, top, bottom), in a box ``width`` wide."""
    left, right, top, bottom = margins
    inner = Emu(width - left - right).pt
    total = 0.0
    for p in tf.paragraphs:
        for r in p.runs:
            size, bold = r.font.size.pt, bool(r.font.bold)
            total += real_lines(r.text, inner, size, bold) * size * slides.SPACING
        if p.space_before is not None:
            total += p.space_before.pt
    return total + Emu(top + bottom).pt


def misfits(prs) -> list[str]:
    """Every text box or table cell whose text does not fit it, or any shape outside the slide."""
    bad = []
    w, h = prs.slide_width, prs.slide_height
    for n, slide in enumerate(prs.slides, 1):
        for shape in slide.shapes:
            where = f"slide {n}, {shape.shape_type} at {Emu(shape.top).inches:.2f} in"
            if (
                shape.left < 0
                or shape.top < 0
                or shape.left + shape.width > w
                or shape.top + shape.height > h
            ):
                bad.append(f"{where}: outside the slide")
            if shape.has_text_frame and shape.text_frame.text.strip():
                tf = shape.text_frame
                if tf.word_wrap is not True or tf.auto_size != MSO_AUTO_SIZE.NONE:
                    bad.append(f"{where}: word wrap off or auto-size on")
                margins = (tf.margin_left, tf.margin_right, tf.margin_top, tf.margin_bottom)
                need = _text_height(tf, shape.width, margins)
                if need > Emu(shape.height).pt:
                    bad.append(
                        f"{where}: {need:.0f} pt of text in {Emu(shape.height).pt:.0f} pt: {tf.text[:60]!r}"
                    )
            if shape.has_table:
                table = shape.table
                for i, row in enumerate(table.rows):
                    for j, col in enumerate(table.columns):
                        c = table.cell(i, j)
                        margins = (c.margin_left, c.margin_right, c.margin_top, c.margin_bottom)
                        need = _text_height(c.text_frame, col.width, margins)
                        if need > Emu(row.height).pt:
                            bad.append(f"{where}: cell ({i}, {j}) needs {need:.0f} pt: {c.text[:60]!r}")
    return bad


def slide_texts(slide) -> list[str]:
    out = []
    for shape in slide.shapes:
        if shape.has_text_frame:
            out.append(shape.text_frame.text)
        if shape.has_table:
            out += [c.text for row in shape.table.rows for c in row.cells]
    return out


def slide_title(slide) -> str:
    """The first text box of a slide (its title)."""
    return next(s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip())


def links(slide) -> list[str]:
    return [
        r.hyperlink.address
        for s in slide.shapes
        if s.has_text_frame
        for p in s.text_frame.paragraphs
        for r in p.runs
        if r.hyperlink.address
    ]


def pictures(slide) -> list:
    return [s for s in slide.shapes if s.shape_type == 13]  # MSO_SHAPE_TYPE.PICTURE
