"""The explorer page: controls mirrored in the URL, and the panels they drive."""

from __future__ import annotations

from functools import lru_cache

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import charts, i18n
from dashboard.api.paths import FIGURES_PATH as API_PATH
from dashboard.catalogue import Indicator, catalogue
from dashboard.charts import ChartKind
from dashboard.countries import all_codes, country_name
from dashboard.data import DataStore
from dashboard.i18n import N_, _
from dashboard.ids import Ids
from dashboard.periods import parse_period, period_label
from dashboard.state import ExplorerState, measure_options, period_choices, to_store, trend_quarters
from layouts import compare as compare_layout
from layouts import explain
from layouts.attrs import attrs
from layouts.common import chart_card, dropdown_labels, export_menu, graph, html_slot
from layouts.office import deck_bar
from layouts.share import dialog as share_dialog
from layouts.share import with_share_items

# what kind of period an option of the period dropdown is
PERIOD_KINDS = {
    "quarter": N_("quarter"),
    "month": N_("month"),
    "half": N_("half-year"),
    "year": N_("year"),
    "ytd": N_("year to date"),
    "date": N_("as of date"),
}


def indicator_options() -> list[dict]:
    """Indicators grouped by domain, as dropdown options (group headers disabled)."""
    cat = catalogue()
    out: list[dict] = []
    for dom in cat.domains:
        out.append(
            {"label": html.Strong(dom.title), "value": f"__{dom.id}", "disabled": True, "search": dom.title}
        )
        out += [
            {"label": f"  {i.title}", "value": i.id, "search": f"{i.title} {dom.title}"}
            for i in cat.indicators_in(dom.id)
        ]
    return out


def measure_radio_options(ind: Indicator, store: DataStore) -> list[dict]:
    cat = catalogue()
    out = []
    for m, u in measure_options(ind, store):
        unit = cat.unit(u)
        label = cat.measure(m).label + ("" if u == "percent" and m == "share_pct" else f" ({unit.label})")
        out.append({"label": label, "value": f"{m}|{u}"})
    return out


def period_dropdown_options(store: DataStore, ind: Indicator, measure: str, unit: str) -> list[dict]:
    return [
        {"label": f"{period_label(parse_period(p, t))} ({_(PERIOD_KINDS[t])})", "value": f"{t}|{p}"}
        for p, t in period_choices(store, ind, measure, unit)
    ]


def quarter_options(quarters: list[str]) -> list[dict] | list[str]:
    """The quarters of the trend range: ids as they are in English ('2022-Q1'), labels in another language."""
    if i18n.current() == i18n.DEFAULT:
        return quarters
    return [{"label": period_label(parse_period(q, "quarter")), "value": q} for q in quarters]


def country_options() -> list[dict]:
    """Every country, by name in the reader's alphabet (the same list for every page in a language)."""
    return _country_options(i18n.current())


@lru_cache(maxsize=len(i18n.LANGUAGES))
def _country_options(lang: str) -> list[dict]:
    with i18n.use(lang):
        options = [{"label": country_name(c), "value": c} for c in all_codes()]
    return sorted(options, key=lambda o: i18n.sort_key(o["label"]))


LEGEND_CLASS = "form-label small fw-semibold mb-1 float-none"


def _label(text: str, for_id: str) -> html.Label:
    return html.Label(text, htmlFor=for_id, className="form-label small fw-semibold mb-1")


def controls(state: ExplorerState, store: DataStore) -> dbc.Card:
    cat = catalogue()
    ind = cat.indicator(state.indicator)
    presets = [
        dbc.Button(
            g.title,
            id={"type": Ids.PRESET, "group": g.id},
            size="sm",
            outline=True,
            color="primary",
            className="me-1 mb-1",
        )
        for g in cat.country_groups
    ] + [
        dbc.Button(
            _("Clear"),
            id={"type": Ids.PRESET, "group": "clear"},
            size="sm",
            outline=True,
            color="secondary",
            className="mb-1",
        )
    ]
    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    dbc.Col(
                        html.Fieldset(
                            [
                                html.Legend(_("Theme"), className=LEGEND_CLASS),
                                dbc.RadioItems(
                                    id=Ids.DOMAIN,
                                    name=Ids.DOMAIN,  # one group: a single Tab stop, arrows move
                                    options=[{"label": d.title, "value": d.id} for d in cat.domains],
                                    value=ind.domain,
                                    inline=True,
                                    className="small",
                                ),
                            ],
                            className="mb-0",
                        ),
                        xs=12,
                    ),
                    dbc.Col(
                        [
                            _label(_("Indicator"), Ids.INDICATOR),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id=Ids.INDICATOR,
                                options=indicator_options(),
                                value=ind.id,
                                clearable=False,
                                searchable=True,
                            ),
                        ],
                        xs=12,
                        lg=4,
                    ),
                    dbc.Col(
                        html.Fieldset(
                            [
                                html.Legend(_("Measure"), className=LEGEND_CLASS),
                                dbc.RadioItems(
                                    id=Ids.MEASURE,
                                    name=Ids.MEASURE,
                                    options=measure_radio_options(ind, store),
                                    value=f"{state.measure}|{state.unit}",
                                    inline=True,
                                    className="small",
                                ),
                            ],
                            className="mb-0",
                        ),
                        xs=12,
                        lg=3,
                    ),
                    dbc.Col(
                        [
                            _label(_("Period (map, shares, table)"), Ids.PERIOD),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id=Ids.PERIOD,
                                options=period_dropdown_options(store, ind, state.measure, state.unit),
                                value=f"{state.period_type}|{state.period}",
                                clearable=False,
                            ),
                        ],
                        xs=12,
                        md=6,
                        lg=2,
                    ),
                    dbc.Col(
                        html.Fieldset(
                            [
                                html.Legend(_("Trend from – to"), className=LEGEND_CLASS),
                                html.Div(
                                    [
                                        html.Div(
                                            [
                                                html.Label(
                                                    _("From"), htmlFor=Ids.FIRST, className="visually-hidden"
                                                ),
                                                dcc.Dropdown(
                                                    labels=dropdown_labels(),
                                                    id=Ids.FIRST,
                                                    options=quarter_options(trend_quarters(store, state)),
                                                    value=state.first,
                                                    clearable=False,
                                                ),
                                            ],
                                            className="flex-fill",
                                        ),
                                        html.Div(
                                            [
                                                html.Label(
                                                    _("To"), htmlFor=Ids.LAST, className="visually-hidden"
                                                ),
                                                dcc.Dropdown(
                                                    labels=dropdown_labels(),
                                                    id=Ids.LAST,
                                                    options=quarter_options(trend_quarters(store, state)),
                                                    value=state.last,
                                                    clearable=False,
                                                ),
                                            ],
                                            className="flex-fill",
                                        ),
                                    ],
                                    className="d-flex gap-1",
                                ),
                            ],
                            className="mb-0",
                        ),
                        xs=12,
                        md=6,
                        lg=3,
                    ),
                    dbc.Col(
                        [
                            _label(_("Countries"), Ids.COUNTRIES),
                            dcc.Dropdown(
                                labels=dropdown_labels(),
                                id=Ids.COUNTRIES,
                                options=country_options(),
                                value=list(state.countries),
                                multi=True,
                                placeholder=_("All countries (total)"),
                                searchable=True,
                            ),
                        ],
                        xs=12,
                        lg=8,
                    ),
                    dbc.Col(
                        html.Div(
                            [
                                html.Div(
                                    _("Presets"),
                                    className="form-label small fw-semibold mb-1",
                                    id="presets-label",
                                ),
                                html.Div(presets),
                            ],
                            role="group",
                            **attrs({"aria-labelledby": "presets-label"}),
                        ),
                        xs=12,
                        lg=4,
                    ),
                ],
                className="g-2",
            )
        ),
        className="mb-3 shadow-sm controls",
    )


def events_toggle_label(shown: bool) -> str:
    """What the events button does: hide the events drawn, or show them again."""
    return _("Hide events") if shown else _("Show events")


def breadcrumb() -> html.Nav:
    """'All quarters › Q2 2023' when drilled into a quarter; the button is always in the page."""
    return html.Nav(
        [
            html.Button(
                _("All quarters"),
                id=Ids.DRILL_UP,
                n_clicks=0,
                className="btn btn-link btn-sm p-0 align-baseline",
            ),
            html.Span(id=Ids.BREADCRUMB),
            # marks the trend's and the timeline's events (dashboard/events.yaml); the URL keeps events=off
            html.Button(
                events_toggle_label(True),
                id=Ids.EVENTS_TOGGLE,
                n_clicks=0,
                className="btn btn-link btn-sm p-0 align-baseline float-end events-toggle",
            ),
        ],
        className="small px-2 breadcrumb-bar",
        **attrs({"aria-label": _("Breadcrumb")}),
    )


def notice(notices) -> list:
    """A visible, dismissable notice (e.g. a parameter of the link was invalid and fell back to a default)."""
    if not notices:
        return []
    return [
        dbc.Alert(
            [html.Strong(_("Note:") + " "), " ".join(notices)],
            color="warning",
            dismissable=True,
            className="py-2 small",
            id="notice-alert",
        )
    ]


def _card_body(kind: ChartKind, chart: html.Div):
    """A card's body: the graph, with the map's profile links under it, the trend's breadcrumb above it."""
    if kind.id == "map":
        return [chart, html.Div(id=Ids.COUNTRY_LINK, className="small px-2")]
    if kind.id == "series":
        return [breadcrumb(), chart]
    return chart


def chart_column(kind: ChartKind, config: dcc.Graph.Config) -> dbc.Col:
    """One chart kind's card: heading, export menu, graph, sources line."""
    chart = graph(kind.graph_id, config, kind.height, label=_(kind.name))
    return dbc.Col(
        chart_card(
            _(kind.card_title),
            _card_body(kind, chart),
            kind.footer_id,
            tools=with_share_items(export_menu(kind.id, Ids.EXPORT), kind.id),
        ),
        xs=12,
        xl=kind.width,
        className="mb-3",
    )


def chart_rows(config: dcc.Graph.Config) -> list[dbc.Row]:
    """The chart cards in the registry's order, as many to a row as fit its 12 columns on a wide screen."""
    rows: list[list[dbc.Col]] = [[]]
    used = 0
    for kind in charts.EXPLORE_KINDS:  # the compare mode's cards are in its own section (layouts/compare.py)
        if rows[-1] and used + kind.width > 12:
            rows.append([])
            used = 0
        rows[-1].append(chart_column(kind, config))
        used += kind.width
    return [dbc.Row(cols, className="g-3") for cols in rows if cols]


def layout(state: ExplorerState, store: DataStore, config: dcc.Graph.Config) -> html.Div:
    return html.Div(
        [
            dcc.Store(id=Ids.STATE, data=to_store(state)),
            # each chart's view: the state, written when what the chart shows changes (callbacks/explorer.py)
            *(dcc.Store(id=k.view_id, data=to_store(state)) for k in charts.KINDS),
            dcc.Store(id=Ids.URL_SYNC),
            dcc.Store(id=Ids.URL_POP),
            html.Div(notice(state.notices), id=Ids.NOTICE, role="status"),
            html.H1(_("Explorer"), className="h4 mb-2"),
            controls(state, store),
            html.Div(id=Ids.DEFINITION, className="small text-muted mb-3"),
            compare_layout.mode_switch(state),
            compare_layout.section(state, explain.vs_options(store, state), config, chart_column),
            *chart_rows(config),
            explain.card(state, store),  # "What drove this change", under the trend
            chart_card(
                _("Figures shown"),
                html_slot(Ids.TABLE, Ids.TABLE_HTML),
                tools=html.Div(
                    [
                        dbc.Button(
                            "CSV",
                            id=Ids.DOWNLOAD_CSV,
                            size="sm",
                            color="light",
                            className="py-0 me-1",
                            title=_("Download the figures shown, with their sources, as CSV"),
                        ),
                        dbc.Button(
                            "XLSX",
                            id=Ids.DOWNLOAD_XLSX,
                            size="sm",
                            color="light",
                            className="py-0",
                            title=_("Download the figures shown, with their sources, as an Excel workbook"),
                        ),
                        dbc.Button(  # href follows the view (callbacks/explorer.py API_HREF)
                            "API",
                            id=Ids.API_LINK,
                            href=API_PATH + state.to_query(),
                            external_link=True,
                            size="sm",
                            color="light",
                            className="py-0 ms-1",
                            title=_("The figures shown, with their sources, from the data API (JSON)"),
                        ),
                    ]
                ),
            ),
            dcc.Store(id=Ids.TABLE_HTML),
            dcc.Download(id=Ids.DOWNLOAD),
            dcc.Store(id=Ids.EXPORT_DATA),
            html.Div(id=Ids.EXPORT_STATUS, role="status", className="export-status small"),
            share_dialog(),  # the Export menu's Embed and Cite
            deck_bar(),
        ]
    )
