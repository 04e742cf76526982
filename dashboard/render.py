"""Server-side chart images (`mtm chart`): the framed export, rendered by kaleido (Debian's Chromium).

The same panel builder and frame as the browser's Export menu; map files come from the local assets (never the
CDN); one long-lived kaleido browser serves every image of a run. The image is in the view's language
(``lang=`` in the query: en, ru or kk; English when not given).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qs

import kaleido
import plotly.io as pio

from dashboard import charts, export, i18n
from dashboard.data import DEFAULT_DIR, DataUnavailable, get_store
from dashboard.state import file_stem, parse_query, view_store

ASSETS = Path(__file__).resolve().parent.parent / "assets"
_started = False


def _kaleido() -> None:
    """Point plotly at the local map files and start one kaleido browser for the process."""
    global _started
    if _started:
        return
    pio.defaults.topojson = (ASSETS / "topojson").resolve().as_uri() + "/"
    kaleido.start_sync_server(silence_warnings=True)
    _started = True


def view_language(view: str, state: object = None) -> str:
    """The view's language: the state's ``lang``, else ``lang=`` in the query, else English."""
    lang = i18n.valid(getattr(state, "lang", None))
    if lang is None:
        given = parse_qs((view or "").lstrip("?")).get("lang", [None])[-1]
        lang = i18n.valid(given) or i18n.DEFAULT
    return lang


def framed_figure(view: str, chart: str, size: str = "wide", link_base: str = "", data_dir=None):
    """The framed figure of one chart of an explorer view, in the view's language (before rendering)."""
    if chart not in charts.BY_ID:
        raise ValueError(f"unknown chart {chart!r}; choose one of {', '.join(charts.IDS)}")
    if size not in export.SIZES:
        raise ValueError(f"size must be one of {tuple(export.SIZES)}")
    base = get_store(Path(data_dir) if data_dir else DEFAULT_DIR)
    state = parse_query(view, base)
    store = view_store(base, state.release)  # release=N: the data as it was then
    for notice in state.notices:
        print(f"note: {notice}", file=sys.stderr)
    with i18n.use(view_language(view, state)):
        panel = charts.BY_ID[chart].build(store, state)
        caption = export.caption_for(
            state,
            chart,
            panel,
            store.documents_for(panel.source_ids),
            export.data_date_text(store.latest_source_date),
            (link_base.rstrip("/") + "/explore" + state.to_query())
            if link_base
            else "/explore" + state.to_query(),
            export.release_caption(
                state.release,
                store.release_info(state.release).at if state.release else None,
                base.latest_release,
            ),
        )
        return export.framed(panel.figure, caption, size)


def render(
    view: str, chart: str, fmt: str = "png", size: str = "wide", link_base: str = "", data_dir=None
) -> bytes:
    """The framed image of one chart of an explorer view (a query string, e.g. '?indicator=visas_issued';
    ``&lang=ru`` or ``&lang=kk`` for Russian or Kazakh)."""
    if chart not in charts.BY_ID:
        raise ValueError(f"unknown chart {chart!r}; choose one of {', '.join(charts.IDS)}")
    if fmt not in export.FORMATS or size not in export.SIZES:
        raise ValueError(f"format must be one of {export.FORMATS} and size one of {tuple(export.SIZES)}")
    fig = framed_figure(view, chart, size, link_base, data_dir)
    width, height = export.SIZES[size]
    return to_image(fig, fmt, width, height)


def to_image(fig, fmt: str, width: int, height: int, scale: float = 1) -> bytes:
    """A figure as an image through the process's one kaleido browser (also the briefing's slides)."""
    _kaleido()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "kopts ignored when using a server": expected
        return fig.to_image(format=fmt, width=width, height=height, scale=scale)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--view",
        default="",
        help="explorer query string, e.g. '?indicator=remittance_outflow&period=2023-Q2'; "
        "add '&lang=ru' or '&lang=kk' for a Russian or Kazakh image",
    )
    p.add_argument("--chart", action="append", choices=charts.IDS, help="chart(s) to render (default: all)")
    p.add_argument("--format", default="png", choices=export.FORMATS)
    p.add_argument("--size", default="wide", choices=tuple(export.SIZES))
    p.add_argument(
        "--link-base", default="http://127.0.0.1:8050", help="address of the dashboard for the view link"
    )
    p.add_argument("--out", default=".", help="folder for the images")
    p.add_argument("--data", default=str(DEFAULT_DIR), help="Parquet tables directory")


def run(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    store_view = args.view if args.view.startswith("?") or not args.view else "?" + args.view
    for chart in args.chart or charts.IDS:
        t0 = time.perf_counter()
        try:
            image = render(store_view, chart, args.format, args.size, args.link_base, args.data)
        except DataUnavailable as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
        state = parse_query(store_view, get_store(Path(args.data)))
        path = out / f"{file_stem(state, chart, args.size)}.{args.format}"
        path.write_bytes(image)
        print(
            f"{chart:7s} {path} ({len(image) / 1024:,.0f} KB) in {time.perf_counter() - t0:.1f}s", flush=True
        )
    return 0
