"""Explorer callbacks: keep controls, URL and state in step; draw each panel from the state.

Callbacks stay thin: read the state, ask the data API, call a pure figure builder, return.
"""

from __future__ import annotations

from collections.abc import Callable

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update
from flask import request

from callbacks import compare as compare_callbacks
from dashboard import charts, compare, downloads, export, figures, i18n, panels
from dashboard.api.paths import FIGURES_PATH
from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.data import DataStore, get_store
from dashboard.explain import explain_key, explain_view
from dashboard.i18n import _
from dashboard.ids import Ids
from dashboard.periods import parse_period, period_label
from dashboard.response_cache import pure
from dashboard.state import (
    ExplorerState,
    file_stem,
    from_store,
    parse_query,
    to_store,
    transition,
    view_store,
)
from dashboard.views import shown_rows, withdrawn_rows
from layouts.attrs import attrs
from layouts.common import activate_release, with_lang
from layouts.explain import content as explain_content
from layouts.explain import vs_options
from layouts.explorer import events_toggle_label, measure_radio_options, notice, period_dropdown_options
from layouts.html_text import to_html
from layouts.tables import figures_table_html, withdrawn_notes


def state_from_store(data: dict | None, store) -> ExplorerState:
    """The state a callback received, re-validated (a hand-crafted request gets the default view)."""
    state = from_store(data, store, i18n.current())
    i18n.activate(state.lang)  # the rest of this request speaks the page's language
    activate_release(state.release)  # and its links stay at the state's release
    return state


def view_of(data: dict | None, data_dir) -> tuple[DataStore, ExplorerState]:
    """The one place a callback gets the store for a state: the data as it was at the state's release (the
    latest without one), so panels, tables, downloads and images all show the same release."""
    store = get_store(data_dir)
    s = state_from_store(data, store)
    return view_store(store, s.release), s


def _release_caption(store: DataStore, s: ExplorerState, latest: int | None) -> str:
    """What an exported image says of the release it shows ('' for the latest data)."""
    if s.release is None:
        return ""
    return export.release_caption(s.release, store.release_info(s.release).at, latest)


def _control_values(state: ExplorerState, store, prev: ExplorerState | None = None) -> tuple:
    """What the controls show for a state. With ``prev`` (the state the options on the page were made for),
    options that would come out the same are left alone (no_update): the browser does not re-render them."""
    ind = catalogue().indicator(state.indicator)
    same_measures = prev is not None and prev.indicator == state.indicator
    same_periods = (
        same_measures and prev is not None and (prev.measure, prev.unit) == (state.measure, state.unit)
    )
    return (
        state.indicator,
        no_update if same_measures else measure_radio_options(ind, store),
        f"{state.measure}|{state.unit}",
        no_update if same_periods else period_dropdown_options(store, ind, state.measure, state.unit),
        f"{state.period_type}|{state.period}",
        list(state.countries),
        state.first,
        state.last,
        ind.domain,
        # "Compared with" (the change explainer): its periods are the view's kind with data
        no_update
        if same_periods and prev is not None and prev.period == state.period
        else vs_options(store, state),
        state.vs,
        state.mode,  # the compare mode (dashboard/compare.py): its switch and its own "Compared with"
        no_update
        if same_periods and prev is not None and prev.period == state.period
        else vs_options(store, state),
        state.vs,
    )


def _explained(store: DataStore, state: ExplorerState, prev: ExplorerState | None = None):
    """ "What drove this change" for a state (dashboard/explain.py), remembered per view; no_update when
    nothing it shows changed (the countries, the trend range and a drill-down do not change it)."""
    if prev is not None and explain_key(prev) == explain_key(state):
        return no_update
    return store.memo(("explain", *explain_key(state)), lambda: explain_content(explain_view(store, state)))


def _echo(values: tuple, given: tuple) -> tuple:
    """The controls' new values; no_update where the control already shows it (the value just set)."""
    return tuple(
        no_update if g is not no_update and v == g else v for v, g in zip(values, given, strict=True)
    )


def _views(state: ExplorerState, prev: ExplorerState | None = None) -> tuple:
    """Which charts a click redraws (charts.KINDS order): the new state where what the chart shows changed,
    else no_update (the chart is not built, sent nor redrawn). A chart of another view mode (hidden) is drawn
    when its mode is chosen, not before."""
    data = to_store(state)
    return tuple(
        data
        if prev is None
        or (charts.shown_in(k, state) and not charts.shown_in(k, prev))  # its card appears: draw it now
        or (charts.shown_in(k, state) and charts.chart_key(k, prev) != charts.chart_key(k, state))
        else no_update
        for k in charts.KINDS
    )


# The figures table and definition, written again by the control callbacks (draw_table writes them first).
TABLE_OUTPUTS_AGAIN = (
    Output(Ids.TABLE_HTML, "data", allow_duplicate=True),
    Output(Ids.DEFINITION, "children", allow_duplicate=True),
)


CONTROL_OUTPUTS = (
    (Ids.INDICATOR, "value"),
    (Ids.MEASURE, "options"),
    (Ids.MEASURE, "value"),
    (Ids.PERIOD, "options"),
    (Ids.PERIOD, "value"),
    (Ids.COUNTRIES, "value"),
    (Ids.FIRST, "value"),
    (Ids.LAST, "value"),
    (Ids.DOMAIN, "value"),
    (Ids.VS, "options"),
    (Ids.VS, "value"),
    (Ids.MODE, "value"),
    (Ids.COMPARE_VS, "options"),
    (Ids.COMPARE_VS, "value"),
)

# Writes the state's query string into the address bar. The first write on a page replaces the entry (so a
# bare or corrected link does not leave a history step behind); later ones push, so Back returns.
PUSH_URL = """
function(state) {
    if (!state || !state.query) { return window.dash_clientside.no_update; }
    const path = window.location.pathname.replace(/\\/$/, '');
    if (path !== '/explore') { return window.dash_clientside.no_update; }
    if (window.location.search !== state.query) {
        const url = window.location.pathname + state.query;
        if (window.__mtmExplorerPushed) { window.history.pushState({}, '', url); }
        else { window.history.replaceState({}, '', url); }
    }
    window.__mtmExplorerPushed = true;
    return state.query;
}
"""


# The "API" link of "Figures shown": the data API's answer for the view the state holds.
API_HREF = f"""
function(state) {{
    if (!state || !state.query) {{ return window.dash_clientside.no_update; }}
    return '{FIGURES_PATH}' + state.query;
}}
"""

# format id -> (image format, size)
EXPORT_FORMATS = {
    "png-wide": ("png", "wide"),
    "png-square": ("png", "square"),
    "svg-wide": ("svg", "wide"),
    "copy": ("clipboard", "wide"),
}

# Draw the framed figure off-screen with the page's own plotly.js, then download or copy it. What it says
# comes translated in spec.messages (export_messages(); {file} and {error} are filled in here).
EXPORT_IMAGE = """
async function(spec) {
    if (!spec || !spec.figure || !spec.messages || !window.Plotly) {
        return window.dash_clientside.no_update;
    }
    const msg = spec.messages;
    const div = document.createElement('div');
    div.style.position = 'fixed'; div.style.left = '-10000px'; div.style.top = '0';
    document.body.appendChild(div);
    try {
        const fig = spec.figure;
        await window.Plotly.newPlot(div, fig.data, fig.layout,
            {staticPlot: true, topojsonURL: spec.topojsonURL});
        const opts = {width: spec.width, height: spec.height, filename: spec.filename};
        if (spec.format === 'clipboard') {
            if (!navigator.clipboard || !window.ClipboardItem) {
                return msg.no_clipboard;
            }
            const url = await window.Plotly.toImage(div, Object.assign({format: 'png'}, opts));
            const blob = await (await fetch(url)).blob();
            await navigator.clipboard.write([new ClipboardItem({'image/png': blob})]);
            return msg.copied;
        }
        await window.Plotly.downloadImage(div, Object.assign({format: spec.format}, opts));
        return msg.downloaded.split('{file}').join(spec.filename + '.' + spec.format);
    } catch (err) {
        const why = String(err && err.message ? err.message : err);
        return (spec.format === 'clipboard' ? msg.copy_failed : msg.make_failed).split('{error}').join(why);
    } finally {
        window.Plotly.purge(div); div.remove();
    }
}
"""


def export_messages() -> dict[str, str]:
    """What EXPORT_IMAGE says, in the language in force ({file} and {error} are filled in the browser)."""
    return {
        "no_clipboard": _("This browser does not allow copying images; use the PNG download instead."),
        "copied": _("Image copied to the clipboard: paste it into your document."),
        "downloaded": _("Downloaded {file}"),
        "copy_failed": _("The image could not be copied here ({error}); try the PNG download."),
        "make_failed": _("The image could not be made here ({error}); try the PNG download."),
    }


NAVIGATE_TO_COUNTRY = """
function(click) {
    const code = click && click.points && click.points[0] && click.points[0].location;
    if (typeof code === 'string' && /^[A-Z]{3}$/.test(code)) { window.mtmNavigate('/country/' + code); }
    return window.dash_clientside.no_update;
}
"""


def _map_links(s: ExplorerState, panel: panels.Drawn) -> list:
    """Links to the profiles of the chosen countries, else of the first three on the map."""
    # the layer of values: the one whose points carry their country code (dashboard/figures/map.py)
    values = [t for t in panel.figure.get("data", []) if t.get("customdata") is not None]
    shown = list(values[0].get("locations") or ()) if values else []
    links = [
        dcc.Link(
            _("{country} profile →").format(country=country_name(c)),
            href=with_lang(f"/country/{c}"),
            className="me-3",
        )
        for c in (s.countries or shown[:3])
    ]
    return [links]


def _trend_crumb(s: ExplorerState, panel: panels.Drawn) -> list:
    """The breadcrumb of a drilled quarter (or the hint to click one), whether "All quarters" hides, and what
    the events button says (hide or show them)."""
    crumb: list | html.Span
    if s.drill:
        qlabel = period_label(parse_period(s.drill, "quarter"))
        crumb = [
            " › ",
            html.Span(_("{quarter}: months").format(quarter=qlabel), **attrs({"aria-current": "page"})),
        ]
    else:
        crumb = html.Span(_("Click a quarter to see its months."), className="text-muted ms-2")
    return [crumb, not s.drill, events_toggle_label(s.events)]


# What a chart's draw callback writes besides its figure and sources line (by chart id): outputs and values.
DRAW_EXTRAS: dict[str, tuple[tuple[Output, ...], Callable[[ExplorerState, panels.Drawn], list]]] = {
    "map": ((Output(Ids.COUNTRY_LINK, "children"),), _map_links),
    "series": (
        (
            Output(Ids.BREADCRUMB, "children"),
            Output(Ids.DRILL_UP, "hidden"),
            Output(Ids.EVENTS_TOGGLE, "children"),
        ),
        _trend_crumb,
    ),
    "compare_bars": (compare_callbacks.EXTRA_OUTPUTS, compare_callbacks.extras),
}


def _chart_outputs(kind: charts.ChartKind) -> list[Output]:
    """A chart's outputs in its draw callback: its figure, its sources line, what else it writes."""
    outputs = [Output(kind.graph_id, "figure")]
    if kind.footer_id:
        outputs.append(Output(kind.footer_id, "children"))
    return [*outputs, *DRAW_EXTRAS.get(kind.id, ((), None))[0]]


# What a chart whose card is hidden gets on a page's first draw: nothing built, nothing to read, but a figure
# (a page is "drawn" when every graph holds one: the bench's and the browser tests' readiness checks).
HIDDEN_FIGURE: dict = {"data": [], "layout": {"template": {}, "meta": {"hidden": True}}}


def _chart_values(base: DataStore, kind: charts.ChartKind, data) -> list:
    s = state_from_store(data, base)
    if not charts.shown_in(kind, s):  # its card is hidden (another view mode): drawn when its mode is chosen
        return [HIDDEN_FIGURE] + [no_update] * (len(_chart_outputs(kind)) - 1)
    store = view_store(base, s.release)  # the data as it was at the state's release (the latest without)
    return _panel_values(store, kind, s)


def _panel_values(store: DataStore, kind: charts.ChartKind, s: ExplorerState) -> list:
    """A chart's outputs for a state, from the state's view store."""
    panel = panels.drawn(store, kind.id, s)
    out: list[object] = [panel.figure]  # the figure, then its sources line, then what extras write
    if kind.footer_id:
        out.append(figures.sources_line(store.documents_for(panel.source_ids)))
    extras = DRAW_EXTRAS.get(kind.id, ((), None))[1]
    return out + (extras(s, panel) if extras else [])


# Every chart's outputs, written again by the control callbacks (the draw callbacks write them on the page's
# first load): a click is answered in one request, charts included, not a state and then a request per chart.
CHART_OUTPUTS_AGAIN = tuple(
    Output(o.component_id, o.component_property, allow_duplicate=True)
    for k in charts.KINDS
    for o in _chart_outputs(k)
)


def _charts(view: DataStore, state: ExplorerState, prev: ExplorerState | None = None) -> list:
    """Every chart's outputs for a click: drawn where what the chart shows changed (or its card appears),
    no_update elsewhere (not sent, not redrawn). A chart of a hidden view mode is drawn when it is shown."""
    out: list[object] = []
    for k, v in zip(charts.KINDS, _views(state, prev), strict=True):
        if v is no_update or not charts.shown_in(k, state):
            out += [no_update] * len(_chart_outputs(k))
        else:
            out += _panel_values(view, k, state)
    return out


def _register_draw(app: Dash, data_dir, kind: charts.ChartKind) -> None:
    """The callback that draws a chart and the charts drawn with it (one request), each from its own view
    store: a chart whose view store was not written this time is left as it is (no_update), so a drill
    redraws the trend but not the longer periods, a country the map but not the donut."""
    group = (kind, *charts.drawn_with(kind))
    outputs = [o for k in group for o in _chart_outputs(k)]

    def draw(*views):
        store = get_store(data_dir)
        written = ctx.triggered_prop_ids  # empty on the page's first call: draw every chart
        out: list[object] = []
        for k, data in zip(group, views, strict=True):
            if written and f"{k.view_id}.data" not in written:
                out += [no_update] * len(_chart_outputs(k))
            else:
                out += _chart_values(store, k, data)
        return out

    draw.__name__ = f"draw_{kind.id}"
    app.callback(outputs, *(Input(k.view_id, "data") for k in group))(pure(draw))


def register(app: Dash) -> None:
    data_dir = app.server.config["MTM_DATA_DIR"]

    # Back / forward: the browser changed the query string (assets/url_state.js); set every control from it.
    # (dcc.Location is not used for this: the query is pushed client-side, so its `search` prop goes stale.)
    @app.callback(
        *(Output(i, p, allow_duplicate=True) for i, p in CONTROL_OUTPUTS),
        Output(Ids.STATE, "data", allow_duplicate=True),
        Output(Ids.NOTICE, "children", allow_duplicate=True),
        *CHART_OUTPUTS_AGAIN,
        *TABLE_OUTPUTS_AGAIN,
        Output(Ids.EXPLAIN, "children", allow_duplicate=True),
        Input(Ids.URL_POP, "data"),
        prevent_initial_call=True,
    )
    @pure
    def from_url(search):
        if not isinstance(search, str):
            return (no_update,) * (
                len(CONTROL_OUTPUTS) + 3 + len(CHART_OUTPUTS_AGAIN) + len(TABLE_OUTPUTS_AGAIN)
            )
        store = get_store(data_dir)
        state = parse_query(search, store, i18n.current())
        i18n.activate(state.lang)
        activate_release(state.release)
        view = view_store(store, state.release)
        return (
            *_control_values(state, view),
            to_store(state),
            notice(state.notices),
            *_charts(view, state),
            *_table_values(view, state),
            _explained(view, state),
        )

    # A control changed or a chart was clicked: the new state, validated; controls follow it.
    @app.callback(
        Output(Ids.STATE, "data"),
        *(Output(i, p) for i, p in CONTROL_OUTPUTS),
        *CHART_OUTPUTS_AGAIN,  # the charts, the table and the explanation come in this one answer
        *TABLE_OUTPUTS_AGAIN,
        Output(Ids.EXPLAIN, "children"),
        Input(Ids.DOMAIN, "value"),
        Input(Ids.INDICATOR, "value"),
        Input(Ids.MEASURE, "value"),
        Input(Ids.PERIOD, "value"),
        Input(Ids.COUNTRIES, "value"),
        Input(Ids.FIRST, "value"),
        Input(Ids.LAST, "value"),
        Input({"type": Ids.PRESET, "group": ALL}, "n_clicks"),
        Input(Ids.SERIES, "clickData"),
        Input(Ids.DRILL_UP, "n_clicks"),
        Input(Ids.DONUT, "clickData"),
        Input(Ids.EVENTS_TOGGLE, "n_clicks"),
        Input(Ids.VS, "value"),
        Input(Ids.MODE, "value"),
        Input(Ids.COMPARE_VS, "value"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    @pure
    def on_control(
        domain,
        indicator,
        measure,
        period,
        countries,
        first,
        last,
        _presets,
        series_click,
        _up,
        donut_click,
        _events,
        vs,
        mode,
        compare_vs,
        previous,
    ):
        store = get_store(data_dir)
        values: dict[str, object] = {
            Ids.DOMAIN: domain,
            Ids.INDICATOR: indicator,
            Ids.MEASURE: measure,
            Ids.PERIOD: period,
            Ids.COUNTRIES: countries,
            Ids.FIRST: first,
            Ids.LAST: last,
            Ids.SERIES: series_click,
            Ids.DONUT: donut_click,
            Ids.VS: vs,
            Ids.MODE: mode,
            Ids.COMPARE_VS: compare_vs,
        }
        trigger = ctx.triggered_id  # a component id, or a preset button's {"type": …, "group": …}
        value = values.get(trigger) if isinstance(trigger, str) else None
        prev = state_from_store(previous, store)
        state = transition(prev, trigger, value, store)
        given = (
            indicator,
            no_update,
            measure,
            no_update,
            period,
            countries,
            first,
            last,
            domain,
            no_update,
            vs,
            mode,
            no_update,
            compare_vs,
        )
        view = view_store(store, state.release)
        controls = _echo(_control_values(state, view, prev), given)
        # the table and the explanation ride on this answer (no request of their own); the table is left as
        # it is when the view is the same
        same = state.to_query() == prev.to_query() and state.lang == prev.lang
        table = (no_update, no_update) if same else _table_values(view, state)
        explained = _explained(view, state, prev)
        return (to_store(state), *controls, *_charts(view, state, prev), *table, explained)

    app.clientside_callback(PUSH_URL, Output(Ids.URL_SYNC, "data"), Input(Ids.STATE, "data"))
    app.clientside_callback(API_HREF, Output(Ids.API_LINK, "href"), Input(Ids.STATE, "data"))
    # Clicking a country on the map opens its profile, as a link would (a history entry, Back returns).
    app.clientside_callback(
        NAVIGATE_TO_COUNTRY, Output(Ids.MAP, "id"), Input(Ids.MAP, "clickData"), prevent_initial_call=True
    )

    for kind in charts.KINDS:
        if kind.drawn_with is None:
            _register_draw(app, data_dir, kind)
    compare_callbacks.register(app)

    @app.callback(
        Output(Ids.EXPORT_DATA, "data"),
        Input({"type": Ids.EXPORT, "chart": ALL, "fmt": ALL}, "n_clicks"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def export_chart(clicks, data):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or ()):
            return no_update
        chart, fmt = str(trigger.get("chart")), str(trigger.get("fmt"))
        if chart not in panels.BUILDERS or fmt not in EXPORT_FORMATS:
            return no_update
        store, s = view_of(data, data_dir)
        panel = panels.BUILDERS[chart](store, s)
        link = request.host_url.rstrip("/") + "/explore" + s.to_query()
        caption = export.caption_for(
            s,
            chart,
            panel,
            store.documents_for(panel.source_ids),
            export.data_date_text(store.latest_source_date),
            link,
            _release_caption(store, s, get_store(data_dir).latest_release),
        )
        kind, size = EXPORT_FORMATS[fmt]
        fig = export.framed(panel.figure, caption, size)
        width, height = export.SIZES[size]
        return {
            "figure": fig.to_plotly_json(),
            "format": kind,
            "width": width,
            "height": height,
            "filename": file_stem(s, chart),
            "topojsonURL": app.get_asset_url("topojson/"),
            "messages": export_messages(),
        }

    app.clientside_callback(
        EXPORT_IMAGE,
        Output(Ids.EXPORT_STATUS, "children"),
        Input(Ids.EXPORT_DATA, "data"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output(Ids.DOWNLOAD, "data"),
        Input(Ids.DOWNLOAD_CSV, "n_clicks"),
        Input(Ids.DOWNLOAD_XLSX, "n_clicks"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def download(_csv, _xlsx, data):
        store, s = view_of(data, data_dir)
        rows = compare.with_other_period(store, s, shown_rows(store, s))  # compare mode: both periods
        frame = downloads.download_frame(rows, store, s.indicator, withdrawn=withdrawn_rows(store, s))
        name = file_stem(s)
        if ctx.triggered_id == Ids.DOWNLOAD_XLSX:
            return dcc.send_bytes(downloads.to_xlsx(frame, store, s.indicator), f"{name}.xlsx")
        return dcc.send_string(downloads.to_csv(frame), f"{name}.csv")

    # The page's first table: the store's id never changes, so this runs once, when the page loads; every
    # later table comes with the control's answer (on_control, from_url), not as a request of its own.
    @app.callback(
        Output(Ids.TABLE_HTML, "data"),
        Output(Ids.DEFINITION, "children"),
        Input(Ids.STATE, "id"),
        State(Ids.STATE, "data"),
    )
    @pure
    def draw_table(_id, data):
        store, s = view_of(data, data_dir)
        return _table_values(store, s)


def _table_values(store: DataStore, s: ExplorerState) -> tuple[str, list]:
    """The figures table (one HTML string) and the indicator's definition line, for a state's view store."""
    ind = catalogue().indicator(s.indicator)
    latest = store.latest_any(s.indicator)
    definition = [
        html.Strong(ind.title + ". "),
        ind.definition,
        " ",
        html.Span(
            _("Last period with data: {period}.").format(period=latest.label)
            if latest
            else _("No data yet."),
            className="fw-semibold",
            id=Ids.LATEST,
        ),
    ]
    table = store.memo(
        ("table", s.to_query()),
        lambda: (
            figures_table_html(shown_rows(store, s), store.sources)
            + to_html(withdrawn_notes(withdrawn_rows(store, s)))
        ),
    )
    return table, definition
