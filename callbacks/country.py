"""Country profile callbacks, all thin: picking a country navigates to its page; the tables open by
themselves on a wide screen (collapsed on a phone); CSV/XLSX of the country's figures; the charts' export
menu (the explorer's framed image, drawn by the browser's plotly.js)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote

from dash import ALL, Dash, Input, Output, State, ctx, dcc, no_update
from flask import request

from callbacks.explorer import EXPORT_FORMATS, EXPORT_IMAGE, export_messages
from dashboard import export, i18n
from dashboard.country_charts import find
from dashboard.country_downloads import country_csv, country_xlsx
from dashboard.country_profile import is_country, profile
from dashboard.data import DataStore, get_store
from dashboard.i18n import _
from dashboard.state import MAX_QUERY_LENGTH, parse_release, query_language, view_store
from layouts.country import (
    COUNTRY_SELECT,
    DOWNLOAD,
    DOWNLOAD_CSV,
    DOWNLOAD_XLSX,
    EXPORT,
    EXPORT_DATA,
    EXPORT_STATUS,
    TABLES,
)

NAVIGATE = """
function(code) {
    const target = '/country/' + code;
    if (typeof code === 'string' && /^[A-Z]{3}$/.test(code) && window.location.pathname !== target) {
        window.mtmNavigate(target);
    }
    return window.dash_clientside.no_update;
}
"""

# The full tables are open on a wide screen and collapsed on a phone (a <details>: its summary opens them).
OPEN_ON_WIDE = """
function(_id) { return window.matchMedia('(min-width: 768px)').matches; }
"""

_PATH = re.compile(r"^/country/([A-Za-z]{3})/?$")


def page_view(pathname: object, search: object, data_dir) -> tuple[DataStore, str] | None:
    """(the store at the page's release, the country code) of a country page's URL, with the page's
    language put in force; None for a URL that is not a country's page."""
    path = pathname if isinstance(pathname, str) else ""
    query = search if isinstance(search, str) else ""
    m = _PATH.match(unquote(path))
    if not m or not is_country(m.group(1).upper()):
        return None
    i18n.activate(query_language(query, i18n.current())[0])
    base = get_store(data_dir)
    try:
        given = parse_qs(query.lstrip("?")[:MAX_QUERY_LENGTH]).get("release", [None])[-1]
    except ValueError:
        given = None
    release, _problem = parse_release(given, base)
    return view_store(base, release), m.group(1).upper()


def register(app: Dash) -> None:
    data_dir = app.server.config["MTM_DATA_DIR"]
    app.clientside_callback(
        NAVIGATE, Output(COUNTRY_SELECT, "id"), Input(COUNTRY_SELECT, "value"), prevent_initial_call=True
    )
    app.clientside_callback(OPEN_ON_WIDE, Output(TABLES, "open"), Input(TABLES, "id"))

    @app.callback(
        Output(DOWNLOAD, "data"),
        Input(DOWNLOAD_CSV, "n_clicks"),
        Input(DOWNLOAD_XLSX, "n_clicks"),
        State("url", "pathname"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def download(_csv, _xlsx, pathname, search):
        view = page_view(pathname, search, data_dir)
        if view is None:
            return no_update
        store, code = view
        stem = f"mtm-country-{code}" + (
            f"-release-{store.release}" if store.release != store.latest_release else ""
        )
        if ctx.triggered_id == DOWNLOAD_XLSX:
            return dcc.send_bytes(country_xlsx(store, code), f"{stem}.xlsx")
        return dcc.send_string(country_csv(store, code), f"{stem}.csv")

    @app.callback(
        Output(EXPORT_DATA, "data"),
        Input({"type": EXPORT, "chart": ALL, "fmt": ALL}, "n_clicks"),
        State("url", "pathname"),
        State("url", "search"),
        prevent_initial_call=True,
    )
    def export_chart(clicks, pathname, search):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or ()):
            return no_update
        key, fmt = str(trigger.get("chart")), str(trigger.get("fmt"))
        view = page_view(pathname, search, data_dir)
        if view is None or fmt not in EXPORT_FORMATS:
            return no_update
        store, code = view
        chart = find(store, code, key, profile(store, code).headline)
        if chart is None:
            return no_update
        link = request.host_url.rstrip("/") + str(pathname) + (search if isinstance(search, str) else "")
        notes = []
        if chart.derived:  # the explorer's notes, word for word (dashboard/export.py caption_for)
            notes.append(
                _("Some values are derived: computed here from published figures (e.g. a share of a total).")
            )
        if chart.conflicting:
            notes.append(
                _(
                    "Some values were chosen among sources that differ (IOM report first, then the agency, "
                    "then news; ties to the later publication)."
                )
            )
        caption = export.Caption(
            chart.title,
            chart.subtitle,
            store.documents_for(chart.source_ids),
            notes,
            export.data_date_text(store.latest_source_date),
            link,
        )
        kind, size = EXPORT_FORMATS[fmt]
        fig = export.framed(chart.figure, caption, size)
        width, height = export.SIZES[size]
        return {
            "figure": fig.to_plotly_json(),
            "format": kind,
            "width": width,
            "height": height,
            "filename": f"mtm-country-{code}-{key.replace('.', '-')}",
            "topojsonURL": app.get_asset_url("topojson/"),
            "messages": export_messages(),
        }

    app.clientside_callback(
        EXPORT_IMAGE, Output(EXPORT_STATUS, "children"), Input(EXPORT_DATA, "data"), prevent_initial_call=True
    )
