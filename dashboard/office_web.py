"""The briefing kit's web routes: the briefing as a deck or Word file, explorer charts as slides and decks.

The chart pictures are drawn by the reader's browser with the page's own plotly.js (as the explorer's PNG
export is): a server-side browser per worker (kaleido) would cost ~150 MB and seconds of CPU per deck on a
shared 2-core machine. The server sends the figures to draw (``…/slide-figure(s)``); the browser posts back
PNGs; the server checks each picture (a PNG, at most ``office.MAX_IMAGE_BYTES``, of a chart the content names)
and rebuilds every word from the data, never from the browser's text. Decks are built in memory and sent;
nothing is stored on the server (a reader's collected charts live in the browser's sessionStorage).

    GET  /export/slide-figure?view=<explorer query>&chart=map      the figure of one explorer chart
    POST /export/deck   {"items": [{"query", "chart", "png"}, …]}  a deck, a slide per chart (≤ 20)
    GET  /briefing/slide-figures?period=2023-Q2&lang=ru[&release=N]  the briefing's chart figures
    POST /briefing/file {"period", "lang", "release", "format": "pptx"|"docx", "images": {key: png}}

A deck route accepts larger bodies than the app's callbacks (MTM_MAX_DECK_BYTES, default 28 MB: 20 pictures
of at most 900 KB, as base64); every other path keeps MTM_MAX_BODY_BYTES.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from pathlib import Path

from dash import Dash
from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard import i18n, office, slides
from dashboard.briefing import Briefing, build_briefing, resolve_quarter
from dashboard.data import DataStore, get_store
from dashboard.i18n import _
from dashboard.state import file_stem, parse_release, view_store

SLIDE_FIGURE_PATH = "/export/slide-figure"
DECK_PATH = "/export/deck"
BRIEFING_FIGURES_PATH = "/briefing/slide-figures"
BRIEFING_FILE_PATH = "/briefing/file"
MAX_DECK_ITEMS = office.MAX_DECK_ITEMS
DEFAULT_MAX_DECK_BYTES = 28 * 1024 * 1024
PNG_PREFIX = "data:image/png;base64,"


class BadRequest(ValueError):
    """What was wrong with a request, in the reader's language (answered as a plain-text 400)."""


def _bad(message: str, status: int = 400) -> Response:
    return Response(message, status=status, mimetype="text/plain; charset=utf-8")


def _json(data: object) -> Response:
    return Response(json.dumps(data, separators=(",", ":")), mimetype="application/json")


def _file(data: bytes, fmt: str, name: str) -> Response:
    return Response(
        data,
        mimetype=office.MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _lang(given: object) -> str:
    lang = i18n.valid(given)
    if given not in (None, "") and lang is None:
        raise BadRequest(_("Unknown language {lang}; use en, ru or kk.").format(lang=repr(str(given)[:10])))
    return i18n.activate(lang or i18n.current())


def _png(value: object, what: str) -> bytes:
    """A picture sent as a data: URL, decoded and checked."""
    if not isinstance(value, str) or not value.startswith(PNG_PREFIX):
        raise BadRequest(_("The picture of the chart {chart} is not a PNG image.").format(chart=what))
    try:
        data = base64.b64decode(value[len(PNG_PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise BadRequest(
            _("The picture of the chart {chart} is not a PNG image.").format(chart=what)
        ) from None
    return office.check_png(data, what)


def _body(cap: int) -> Mapping:
    request.max_content_length = cap  # this route's own cap (Flask 3.1: per request)
    try:
        body = request.get_json(force=True, silent=True)
    except RequestEntityTooLarge:
        raise BadRequest(_("The request is too large.")) from None
    if not isinstance(body, Mapping):
        raise BadRequest(_("The request must be a JSON object."))
    return body


def _briefing(base: DataStore, period: object, release: object) -> tuple[DataStore, Briefing, int | None]:
    number, notice = parse_release(release if release not in ("", None) else None, base)
    if notice:
        raise BadRequest(notice)
    store = view_store(base, number)
    quarter, notice = resolve_quarter(store, period if isinstance(period, str) else None)
    if quarter is None or notice:  # the page would show another quarter: say so rather than answer with it
        raise BadRequest(notice or _("No quarterly figures are available."))
    return store, build_briefing(store, quarter), number


def _deck(base: DataStore, body: Mapping) -> tuple[bytes, str]:
    items = body.get("items")
    if not isinstance(items, list) or not items:
        raise BadRequest(_("The deck is empty: add charts to it first."))
    if len(items) > MAX_DECK_ITEMS:
        raise BadRequest(_("A deck holds at most {n} charts.").format(n=MAX_DECK_ITEMS))
    made = []
    for n, item in enumerate(items, 1):
        try:
            if not isinstance(item, Mapping):
                raise office.OfficeError(_("not a chart"))
            query, chart = str(item.get("query") or ""), str(item.get("chart") or "")
            png = _png(item.get("png"), chart)
            made.append(office.explorer_slide(base, query, chart, png, request.host_url))
        except (office.OfficeError, BadRequest) as exc:
            raise BadRequest(_("Chart {n} of the deck: {problem}").format(n=n, problem=exc)) from None
    if len(items) == 1:  # one chart: named like its PNG export
        _store, state = office.explorer_view(base, str(items[0]["query"]), str(items[0]["chart"]))
        name = file_stem(state, str(items[0]["chart"])) + ".pptx"
    else:
        name = f"mtm-deck-{len(items)}-charts.pptx"
    return slides.to_bytes(slides.charts_deck(made)), name


def register(app: Dash, data_dir: Path, env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    server = app.server
    cap = int(env.get("MTM_MAX_DECK_BYTES") or DEFAULT_MAX_DECK_BYTES)
    topojson = app.get_asset_url("topojson/")
    width, height = slides.IMAGE_PX

    def answer(make):
        try:
            return make()
        except (BadRequest, office.OfficeError) as exc:
            return _bad(str(exc))

    @server.get(SLIDE_FIGURE_PATH)
    def slide_figure():
        def make():
            fig, state = office.explorer_figure(
                get_store(data_dir), request.args.get("view", ""), request.args.get("chart", "")
            )
            return _json(
                {
                    "figure": json.loads(fig.to_json()),
                    "query": state.to_query(),
                    "chart": request.args.get("chart", ""),
                    "width": width,
                    "height": height,
                    "scale": slides.IMAGE_SCALE,
                    "topojsonURL": topojson,
                }
            )

        return answer(make)

    @server.post(DECK_PATH)
    def deck():
        def make():
            body = _body(cap)
            _lang(body.get("lang"))
            data, name = _deck(get_store(data_dir), body)
            return _file(data, "pptx", name)

        return answer(make)

    @server.get(BRIEFING_FIGURES_PATH)
    def briefing_figures():
        def make():
            lang = _lang(request.args.get("lang"))
            _store, b, _number = _briefing(
                get_store(data_dir), request.args.get("period"), request.args.get("release")
            )
            figures = [
                {"key": c.key, "figure": json.loads(slides.slide_figure(c.figure).to_json())}
                for s in b.sections
                for c in s.charts
            ]
            return _json(
                {
                    "charts": figures,
                    "width": width,
                    "height": height,
                    "scale": slides.IMAGE_SCALE,
                    "topojsonURL": topojson,
                    "lang": lang,
                }
            )

        return answer(make)

    @server.post(BRIEFING_FILE_PATH)
    def briefing_file():
        def make():
            body = _body(cap)
            lang = _lang(body.get("lang"))
            fmt = body.get("format")
            if fmt not in office.FORMATS:
                raise BadRequest(_("Unknown format; use pptx or docx."))
            base = get_store(data_dir)
            store, b, number = _briefing(base, body.get("period"), body.get("release"))
            given = body.get("images")
            if not isinstance(given, Mapping):
                raise BadRequest(_("The request must be a JSON object."))
            keys = {c.key for s in b.sections for c in s.charts}
            unknown = sorted(str(k)[:40] for k in given if k not in keys)
            if unknown:
                raise BadRequest(_("Unknown chart(s): {names}.").format(names=", ".join(unknown[:5])))
            images = {k: _png(v, k) for k, v in given.items()}
            note = office.release_note(store, base, number)
            items = office.briefing_chart_slides(store, b, images, request.host_url, number, note)
            data = office.briefing_bytes(fmt, b, items, note)
            return _file(data, fmt, office.file_name(b.quarter, fmt, lang))

        return answer(make)
