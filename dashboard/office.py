"""The briefing kit: the quarterly briefing as an editable PowerPoint deck or Word document, and explorer
charts as slides. Glue between the content (``dashboard.briefing``, ``dashboard.export``'s frame text), the
images and the two pure writers (``dashboard.slides``, ``dashboard.briefing_docx``).

Every text is rebuilt here from the data, in the language asked for; only the chart pictures may come from
elsewhere (kaleido on the command line, the browser's plotly.js in the web app), and they are checked to be
PNG images of the charts the content names.

    mtm briefing --period 2023-Q2 --format pptx --out briefing.pptx [--lang ru]
    mtm briefing --period 2023-Q2 --format docx --out briefing.docx
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path

from dashboard import briefing_docx, charts, export, i18n, slides
from dashboard.a11y import summarize
from dashboard.atomic import write_bytes_atomic
from dashboard.briefing import (
    Briefing,
    Chart,
    build_briefing,
    indicator_quarter,
    quarters_with_data,
    resolve_quarter,
)
from dashboard.data import DataStore
from dashboard.findings import key_findings
from dashboard.i18n import _
from dashboard.panel_builders import Panel
from dashboard.state import ExplorerState, parse_query, view_store

FORMATS = ("pptx", "docx")
MIMETYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MAX_IMAGE_BYTES = 900 * 1024  # one chart picture (a 1600×900 chart PNG is ~30-200 KB): 20 stay under 20 MB
MAX_DECK_ITEMS = 20  # charts in one deck: with pictures of at most MAX_IMAGE_BYTES, under 20 MB
Progress = Callable[[str], None]


class OfficeError(ValueError):
    """The file cannot be made; the message says why, in words for the person who asked."""


def _say(message: str) -> None:
    print(message, flush=True)


def chart_indicator(key: str) -> str:
    """The indicator of a briefing chart key ('trp_issued-donut' -> 'trp_issued')."""
    return key.rsplit("-", 1)[0]


def explorer_kind(chart: Chart) -> str:
    """The explorer chart that shows a briefing chart's figures (its frame text is that chart's)."""
    return "donut" if chart.kind == "donut" else "series"


# -- frame text ---------------------------------------------------------------------------------------------
def _caption(
    store: DataStore, state: ExplorerState, chart: str, panel: Panel, link_base: str, release_note: str
) -> export.Caption:
    return export.caption_for(
        state,
        chart,
        panel,
        store.documents_for(panel.source_ids),
        export.data_date_text(store.latest_source_date),
        link_base.rstrip("/") + "/explore" + state.to_query(),
        release_note,
    )


def release_note(store: DataStore, base: DataStore, release: int | None) -> str:
    if release is None:
        return ""
    return export.release_caption(release, store.release_info(release).at, base.latest_release)


def briefing_chart_slides(
    store: DataStore,
    b: Briefing,
    images: Mapping[str, bytes],
    link_base: str,
    release: int | None = None,
    note: str = "",
) -> dict[str, slides.ChartSlide]:
    """Each section chart's slide content: the frame text of the same explorer view, the chart's partial
    note, its picture, and the findings about its indicator (speaker notes). In the language in force."""
    out = {}
    for section in b.sections:
        for c in section.charts:
            png = images.get(c.key)
            if png is None:
                raise OfficeError(_("The picture of the chart {chart} is missing.").format(chart=c.key))
            view = c.view + (f"&release={release}" if release is not None else "")
            state = parse_query(view, store, i18n.current())
            panel = Panel(c.figure, c.source_ids, c.derived, c.conflicting)
            caption = _caption(store, state, explorer_kind(c), panel, link_base, note)
            if c.partial:
                caption.notes.insert(0, c.partial)
            notes = (*slides.findings_of(b, [chart_indicator(c.key)]), summarize(c.figure))
            out[c.key] = slides.ChartSlide(caption, check_png(png, c.key), notes, c.key, i18n.current())
    return out


def check_png(data: bytes, what: str) -> bytes:
    if len(data) > MAX_IMAGE_BYTES:
        raise OfficeError(_("The picture of the chart {chart} is too large.").format(chart=what))
    try:
        slides.png_size(data)
    except ValueError:
        raise OfficeError(
            _("The picture of the chart {chart} is not a PNG image.").format(chart=what)
        ) from None
    return data


# -- explorer charts ---------------------------------------------------------------------------------------
def explorer_view(base: DataStore, query: str, chart: str) -> tuple[DataStore, ExplorerState]:
    """The store and state of one explorer chart view; an invalid query or chart is an OfficeError (a deck
    item must say exactly what it shows, never a fallback view)."""
    if chart not in charts.BY_ID:
        raise OfficeError(
            _("Unknown chart {chart}; use one of {charts}.").format(
                chart=repr(chart[:20]), charts=", ".join(charts.IDS)
            )
        )
    state = parse_query(query if isinstance(query, str) else "", base, i18n.current())
    if state.notices:
        raise OfficeError(" ".join(state.notices))
    return view_store(base, state.release), state


def explorer_figure(base: DataStore, query: str, chart: str):
    """The figure a slide's picture is drawn from (the on-screen figure, sized for a slide)."""
    store, state = explorer_view(base, query, chart)
    with i18n.use(state.lang):
        return slides.slide_figure(charts.BY_ID[chart].build(store, state).figure), state


def explorer_slide(base: DataStore, query: str, chart: str, png: bytes, link_base: str) -> slides.ChartSlide:
    """One explorer chart's slide: the export frame's text as text boxes, the findings of its quarter (when
    its period is a quarter) and its numbers in words as speaker notes."""
    store, state = explorer_view(base, query, chart)
    with i18n.use(state.lang):
        panel = charts.BY_ID[chart].build(store, state)
        caption = _caption(store, state, chart, panel, link_base, release_note(store, base, state.release))
        notes: list[str] = []
        if state.period_type == "quarter":
            notes += [f.text for f in key_findings([indicator_quarter(store, state.indicator, state.period)])]
        notes.append(summarize(panel.figure))
        return slides.ChartSlide(caption, check_png(png, chart), tuple(notes), chart, state.lang)


# -- files ---------------------------------------------------------------------------------------------------
def briefing_bytes(
    fmt: str, b: Briefing, chart_slides: Mapping[str, slides.ChartSlide], note: str = ""
) -> bytes:
    """The deck or the Word document of a built briefing (in the language in force)."""
    if fmt == "pptx":
        return slides.to_bytes(slides.briefing_deck(b, dict(chart_slides), date.today(), note))
    if fmt == "docx":
        return briefing_docx.to_bytes(briefing_docx.briefing_document(b, chart_slides, date.today(), note))
    raise OfficeError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")


def file_name(quarter: str | None, fmt: str, lang: str) -> str:
    """'mtm-briefing-2023-Q2.pptx' ('-ru' / '-kk' added in Russian or Kazakh, like the other exports)."""
    return f"mtm-briefing-{quarter or 'none'}{'' if lang == i18n.DEFAULT else '-' + lang}.{fmt}"


def render_png(fig) -> bytes:
    """A slide picture with kaleido (one browser for the process, local map files: ``dashboard.render``)."""
    from dashboard import render  # noqa: PLC0415  (kaleido and its browser only on the command line)

    w, h = slides.IMAGE_PX
    return render.to_image(slides.slide_figure(fig, w, h), "png", w, h, slides.IMAGE_SCALE)


def _writable(out: Path) -> None:
    parent = out.resolve().parent
    if out.is_dir():
        raise OfficeError(f"{out} is a directory: give a file name, e.g. {out / 'briefing.pptx'}")
    if not parent.is_dir():
        raise OfficeError(f"cannot write {out}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise OfficeError(f"cannot write {out}: the folder {parent} is not writable")


def write_briefing(
    period: str | None,
    fmt: str,
    out: Path,
    lang: str = i18n.DEFAULT,
    data_dir: Path | None = None,
    link_base: str = "http://127.0.0.1:8050",
    progress: Progress = _say,
) -> Path:
    """`mtm briefing --format pptx|docx`: build the briefing, draw its charts with kaleido, write the file
    atomically (a failure leaves no file, or the old one)."""
    from dashboard.data import DEFAULT_DIR, DataUnavailable, get_store  # noqa: PLC0415  (polars: only here)

    if i18n.valid(lang) is None:
        raise OfficeError(f"unknown language {lang!r}: use one of {', '.join(i18n.LANGUAGES)}")
    if fmt not in FORMATS:
        raise OfficeError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    out = Path(out)
    _writable(out)
    t0 = time.monotonic()
    try:
        store = get_store(Path(data_dir) if data_dir else DEFAULT_DIR)
    except DataUnavailable as exc:
        raise OfficeError(str(exc)) from None
    quarter, notice = resolve_quarter(store, period)
    if (
        quarter is None or notice
    ):  # the page would show another quarter: refuse rather than write the wrong one
        have = quarters_with_data(store)
        span = f", from {have[0]} to {have[-1]}" if have else ""
        raise OfficeError(f"no briefing for {period!r}: give a quarter such as 2023-Q2{span}")
    with i18n.use(lang):
        b = build_briefing(store, quarter)
        keys = [c for s in b.sections for c in s.charts]
        progress(
            f"briefing for {quarter}, data version {store.version}: drawing {len(keys)} chart(s) with kaleido"
        )
        images = {c.key: render_png(c.figure) for c in keys}
        data = briefing_bytes(fmt, b, briefing_chart_slides(store, b, images, link_base))
    try:
        write_bytes_atomic(out, data)
    except OSError as exc:
        raise OfficeError(f"cannot write {out}: {exc.strerror or exc}") from None
    progress(f"done: {out} ({len(data) / 1024:.0f} KB) in {time.monotonic() - t0:.1f}s")
    return out


def run(args) -> int:
    """The `mtm briefing` command for --format pptx or docx."""
    try:
        write_briefing(
            args.period,
            args.format,
            Path(args.out),
            getattr(args, "lang", None) or i18n.DEFAULT,
            Path(args.data) if args.data else None,
        )
    except OfficeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0
