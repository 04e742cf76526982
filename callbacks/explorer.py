"""Explorer callbacks: keep controls, URL and state in step; draw each panel from the state.

Callbacks stay thin: read the state, ask the data API, call a pure figure builder, return.
"""

from __future__ import annotations

from dataclasses import asdict

from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from dashboard import figures
from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL, all_codes, country_name
from dashboard.data import get_store
from dashboard.ids import Ids
from dashboard.periods import parse_period, period_label
from dashboard.state import MAX_COUNTRIES, ExplorerState, parse_query
from dashboard.views import donut_rows, drawable_codes, shown_rows, spans_rows
from layouts.explorer import measure_radio_options, notice, period_dropdown_options
from layouts.tables import figures_table


def state_from_store(data: dict | None, store) -> ExplorerState:
    """The state a panel callback received, re-validated (a hand-crafted request gets the default view)."""
    if isinstance(data, dict) and _well_formed(data):
        given = {k: data[k] for k in ExplorerState.__dataclass_fields__ if k in data and k != "notices"}
        given["countries"] = tuple(given.get("countries") or ())
        return parse_query(ExplorerState(**given).to_query(), store)
    return parse_query("", store)


def _well_formed(data: dict) -> bool:
    fields = ExplorerState.__dataclass_fields__
    scalar = ("indicator", "measure", "unit", "period", "period_type", "first", "last")
    return (
        all(isinstance(data.get(k), str) and len(data[k]) < 60 for k in scalar)
        and isinstance(data.get("countries", []), list)
        and len(data.get("countries", [])) <= MAX_COUNTRIES * 2
        and all(isinstance(c, str) for c in data.get("countries", []))
        and (data.get("drill") is None or isinstance(data.get("drill"), str))
        and set(data) <= set(fields) | {"query"}
    )


def _state_data(state: ExplorerState) -> dict:
    return asdict(state) | {
        "countries": list(state.countries),
        "notices": list(state.notices),
        "query": state.to_query(),
    }


def _control_values(state: ExplorerState, store) -> tuple:
    ind = catalogue().indicator(state.indicator)
    return (
        state.indicator,
        measure_radio_options(ind),
        f"{state.measure}|{state.unit}",
        period_dropdown_options(store, ind, state.measure, state.unit),
        f"{state.period_type}|{state.period}",
        list(state.countries),
        state.first,
        state.last,
        ind.domain,
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


NAVIGATE_TO_COUNTRY = """
function(click) {
    const code = click && click.points && click.points[0] && click.points[0].location;
    if (typeof code === 'string' && /^[A-Z]{3}$/.test(code)) { window.mtmNavigate('/country/' + code); }
    return window.dash_clientside.no_update;
}
"""


def register(app: Dash) -> None:
    data_dir = app.server.config["MTM_DATA_DIR"]

    # Back / forward: the browser changed the query string (assets/url_state.js); set every control from it.
    # (dcc.Location is not used for this: the query is pushed client-side, so its `search` prop goes stale.)
    @app.callback(
        *(Output(i, p, allow_duplicate=True) for i, p in CONTROL_OUTPUTS),
        Output(Ids.STATE, "data", allow_duplicate=True),
        Output(Ids.NOTICE, "children", allow_duplicate=True),
        Input(Ids.URL_POP, "data"),
        prevent_initial_call=True,
    )
    def from_url(search):
        if not isinstance(search, str):
            return (no_update,) * (len(CONTROL_OUTPUTS) + 2)
        store = get_store(data_dir)
        state = parse_query(search, store)
        return (*_control_values(state, store), _state_data(state), notice(state.notices))

    # A control changed or a chart was clicked: the new state, validated; controls follow it.
    @app.callback(
        Output(Ids.STATE, "data"),
        *(Output(i, p) for i, p in CONTROL_OUTPUTS),
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
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
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
        previous,
    ):
        store = get_store(data_dir)
        trigger = ctx.triggered_id
        prev = state_from_store(previous, store)
        if trigger == Ids.DOMAIN and isinstance(domain, str):
            # a new theme opens its first indicator
            in_domain = [i.id for i in catalogue().indicators if i.domain == domain]
            if in_domain and catalogue().indicator(prev.indicator).domain != domain:
                trigger, indicator = Ids.INDICATOR, in_domain[0]
        state = _apply(
            prev,
            trigger,
            indicator,
            measure,
            period,
            countries,
            first,
            last,
            series_click,
            donut_click,
            store,
        )
        return (_state_data(state), *_control_values(state, store))

    app.clientside_callback(PUSH_URL, Output(Ids.URL_SYNC, "data"), Input(Ids.STATE, "data"))
    # Clicking a country on the map opens its profile, as a link would (a history entry, Back returns).
    app.clientside_callback(
        NAVIGATE_TO_COUNTRY, Output(Ids.MAP, "id"), Input(Ids.MAP, "clickData"), prevent_initial_call=True
    )

    @app.callback(
        Output(Ids.MAP, "figure"),
        Output(Ids.MAP_FOOTER, "children"),
        Output(Ids.COUNTRY_LINK, "children"),
        Input(Ids.STATE, "data"),
    )
    def draw_map(data):
        store = get_store(data_dir)
        s = state_from_store(data, store)
        ind = catalogue().indicator(s.indicator)
        rows = store.breakdown(s.indicator, s.period, s.period_type, s.measure, s.unit)
        label = period_label(parse_period(s.period, s.period_type))
        fig = figures.choropleth(rows, ind, s.measure, s.unit, label, s.countries, drawable_codes())
        ids = _source_ids(rows)
        links = [
            dcc.Link(f"{country_name(c)} profile →", href=f"/country/{c}", className="me-3")
            for c in (s.countries or [r for r in rows["country_iso3"].to_list() if r != "OTH"][:3])
        ]
        return fig, figures.sources_line(store.documents_for(ids)), links

    @app.callback(
        Output(Ids.DONUT, "figure"),
        Output(Ids.DONUT_FOOTER, "children"),
        Input(Ids.STATE, "data"),
    )
    def draw_donut(data):
        store = get_store(data_dir)
        s = state_from_store(data, store)
        ind = catalogue().indicator(s.indicator)
        rows = donut_rows(store, s)
        fig = figures.donut(rows, ind, period_label(parse_period(s.period, s.period_type)))
        return fig, figures.sources_line(store.documents_for(_source_ids(rows)))

    @app.callback(
        Output(Ids.SERIES, "figure"),
        Output(Ids.SERIES_FOOTER, "children"),
        Output(Ids.BREADCRUMB, "children"),
        Output(Ids.DRILL_UP, "hidden"),
        Output(Ids.SPANS, "figure"),
        Input(Ids.STATE, "data"),
    )
    def draw_series(data):
        store = get_store(data_dir)
        s = state_from_store(data, store)
        ind = catalogue().indicator(s.indicator)
        countries = s.countries or (TOTAL,)
        spans = figures.spans_chart(spans_rows(store, s), ind, s.unit)
        if s.drill:
            months = store.months_of_quarter(s.indicator, s.drill, countries[0], s.measure, s.unit)
            qlabel = period_label(parse_period(s.drill, "quarter"))
            fig = figures.months_bar(months, ind, s.unit, qlabel)
            ids = [sid for m in months for sid in m.source_ids]
            crumb = [" › ", html.Span(f"{qlabel}: months", **{"aria-current": "page"})]
            return fig, figures.sources_line(store.documents_for(ids)), crumb, False, spans
        series = store.series(s.indicator, s.measure, s.unit, countries, "quarter", s.first, s.last)
        fig = figures.time_series(series, ind, s.measure, s.unit)
        ids = [x for x in _source_ids(series) if x]
        crumb = html.Span("Click a quarter to see its months.", className="text-muted ms-2")
        return fig, figures.sources_line(store.documents_for(ids)), crumb, True, spans

    @app.callback(
        Output(Ids.TABLE, "children"),
        Output(Ids.DEFINITION, "children"),
        Input(Ids.STATE, "data"),
    )
    def draw_table(data):
        store = get_store(data_dir)
        s = state_from_store(data, store)
        ind = catalogue().indicator(s.indicator)
        latest = store.latest_period(s.indicator)
        definition = [
            html.Strong(ind.title + ". "),
            ind.definition,
            " ",
            html.Span(
                f"Last period with data: {latest.label}." if latest else "No data yet.",
                className="fw-semibold",
                id=Ids.LATEST,
            ),
        ]
        return figures_table(shown_rows(store, s), store.sources), definition


def _source_ids(rows) -> list[str]:
    """The source rows behind a panel's rows: a derived value's inputs, else its own source."""
    return [sid for lst in rows["derived_from"].to_list() if lst for sid in lst] + rows["source_id"].to_list()


def _clicked(click: dict | None, key: str) -> str | None:
    try:
        value = click["points"][0][key]
    except (TypeError, KeyError, IndexError):
        return None
    return value if isinstance(value, str) and len(value) < 20 else None


def _apply(
    prev: ExplorerState,
    trigger,
    indicator,
    measure,
    period,
    countries,
    first,
    last,
    series_click,
    donut_click,
    store,
) -> ExplorerState:
    """The state after one control changed, then re-validated through the URL parser."""
    s = prev
    if trigger == Ids.INDICATOR and isinstance(indicator, str) and indicator != prev.indicator:
        # a new indicator starts from its own defaults, keeping the countries and range
        s = ExplorerState(indicator, "", "", "", "", prev.countries, prev.first, prev.last)
        return parse_query(_query_without(s, "measure", "unit", "period"), store)
    if trigger == Ids.MEASURE and isinstance(measure, str) and "|" in measure:
        m, u = measure.split("|", 1)
        s = prev.with_(measure=m, unit=u)
        q = parse_query(s.to_query(), store)
        return q.with_(notices=()) if q.period != s.period else q
    if trigger == Ids.PERIOD and isinstance(period, str) and "|" in period:
        t, p = period.split("|", 1)
        s = prev.with_(period=p, period_type=t)
    elif trigger == Ids.COUNTRIES and isinstance(countries, list):
        s = prev.with_(countries=tuple(str(c) for c in countries[: MAX_COUNTRIES + 1]))
    elif trigger == Ids.FIRST and isinstance(first, str):
        s = prev.with_(first=first, drill=None)
    elif trigger == Ids.LAST and isinstance(last, str):
        s = prev.with_(last=last, drill=None)
    elif isinstance(trigger, dict) and trigger.get("type") == Ids.PRESET:
        group = trigger.get("group")
        if group == "clear":
            s = prev.with_(countries=())
        else:
            with_data = store.breakdown(
                prev.indicator, prev.period, prev.period_type, prev.measure, prev.unit
            )
            universe = frozenset(all_codes())
            members = catalogue().group_members(str(group), universe)
            # a preset keeps the countries that have data in this view first, so the list stays useful
            have = [c for c in with_data["country_iso3"].to_list() if c in members]
            rest = sorted(members - set(have))
            s = prev.with_(countries=tuple((have + rest)[:MAX_COUNTRIES]))
    elif trigger == Ids.SERIES:
        q = _clicked(series_click, "customdata")
        if q:
            s = prev.with_(drill=q)
    elif trigger == Ids.DRILL_UP:
        s = prev.with_(drill=None)
    elif trigger == Ids.DONUT:
        code = _clicked(donut_click, "customdata")
        if code and code in all_codes():
            s = prev.with_(countries=(code,))
    return parse_query(s.to_query(), store)


def _query_without(s: ExplorerState, *keys: str) -> str:
    from urllib.parse import parse_qsl, urlencode

    pairs = [(k, v) for k, v in parse_qsl(s.to_query().lstrip("?")) if k not in keys]
    return "?" + urlencode(pairs, safe=",")
