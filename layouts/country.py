"""Country profile: a brief first (headline with ranks, written summary, money both ways, a small chart per
indicator), then every figure in tables with sources and downloads; the listing of all countries at
/country; and a clear page for a code that names no country. No data logic here: dashboard.country_profile
and dashboard.country_charts say what is shown."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import i18n
from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.country_charts import CountryChart, indicator_charts, money_charts
from dashboard.country_profile import (
    HeadlineRow,
    MoneyRow,
    Profile,
    Sentence,
    countries_with_data,
    coverage,
    is_country,
    profile,
    suggest,
)
from dashboard.data import DERIVED, DataStore
from dashboard.formatting import fmt_change_pct, fmt_plain, fmt_value, not_reported
from dashboard.i18n import _, ngettext
from dashboard.sources_text import sources_line
from layouts.attrs import attrs
from layouts.common import dropdown_labels, export_menu, with_lang
from layouts.tables import figures_table

COUNTRY_SELECT = "country-select"
TABLES = "country-tables"
DOWNLOAD = "country-download"
DOWNLOAD_CSV = "country-download-csv"
DOWNLOAD_XLSX = "country-download-xlsx"
EXPORT = "country-export"  # pattern-matching: {"type": EXPORT, "chart": <chart key>, "fmt": <format>}
EXPORT_DATA = "country-export-data"
EXPORT_STATUS = "country-export-status"
CHART_HEIGHT = "300px"


# -- picker --------------------------------------------------------------------------------------------------
def picker_options(store: DataStore) -> list[dict]:
    """Every country with figures, by name in the reader's alphabet; found by its name in the page's
    language, in English, or by its ISO code."""
    lang = i18n.current()
    options = []
    for c in countries_with_data(store):
        name = country_name(c)
        words = {name, country_name(c, i18n.DEFAULT), c}
        options.append({"label": f"{name} ({c})", "value": c, "search": " ".join(sorted(words))})
    return sorted(options, key=lambda o: i18n.sort_key(o["label"]) if lang else o["label"])


def picker(store: DataStore, value: str | None, listing_link: bool = True) -> html.Div:
    return html.Div(
        [
            html.Label(
                _("Find a country by name or ISO code"),
                htmlFor=COUNTRY_SELECT,
                className="form-label small fw-semibold",
            ),
            dcc.Dropdown(
                labels=dropdown_labels(),
                id=COUNTRY_SELECT,
                options=picker_options(store),
                value=value,
                clearable=False,
                placeholder=_("Type a name or a code, e.g. UZB"),
            ),
            dcc.Link(_("All countries with figures"), href=with_lang("/country"), className="small")
            if listing_link
            else None,
        ],
        className="mb-3 country-picker",
    )


# -- headline ------------------------------------------------------------------------------------------------
def _value(f) -> str:
    return fmt_value(f.value, f.unit)


def _marks(f) -> list:
    marks = []
    if f.status == DERIVED:
        marks.append(
            html.Span(
                _("derived"),
                className="badge text-bg-light border ms-1",
                title=_("computed here from published figures"),
            )
        )
    if f.conflict:
        marks.append(html.Span("‡", className="ms-1", title=_("chosen among sources that differ")))
    return marks


def _change_line(h: HeadlineRow):
    c = h.change
    if c.value is None:
        return html.Div(_("No comparable earlier figure"), className="small text-muted")
    against = h.earlier.period_label if h.earlier is not None else ""
    how = _("as published") if c.status != DERIVED else _("computed")
    return html.Div(
        [
            html.Span(fmt_change_pct(c.value), className="fw-semibold"),
            " ",
            _("on {period} ({how})").format(period=against, how=how),
        ],
        className="small",
    )


def headline_card(h: HeadlineRow) -> dbc.Col:
    f = h.current
    body = [
        html.H3(h.indicator.short_title, className="h6 text-muted mb-1"),
        html.Div([html.Span(_value(f), className="headline-value"), *_marks(f)]),
        html.Div(f.period_label, className="small"),
    ]
    if h.other_units:
        body.append(html.Div(" · ".join(_value(o) for o in h.other_units), className="small text-muted"))
    if h.share is not None:
        body.append(
            html.Div(
                _("{share} of the total").format(share=fmt_value(h.share.value, "percent")), className="small"
            )
        )
    body.append(_change_line(h))
    if h.rank is not None:
        body.append(
            html.Div(html.Span(h.rank.text, className="badge text-bg-primary rank-badge"), className="mt-1")
        )
    return dbc.Col(
        dbc.Card(dbc.CardBody(body, className="p-2"), className="h-100 shadow-sm"), className="mb-2"
    )


def headline(p: Profile) -> html.Section:
    return html.Section(
        [
            html.H2(_("Latest figures"), className="h5", id="headline-title"),
            dbc.Row([headline_card(h) for h in p.headline], className="row-cols-2 row-cols-lg-4 g-2"),
            html.P(
                _(
                    "Ranks are among the countries the source lists for that period, largest first; a source "
                    "that lists only its top countries leaves the others out. Changes are on the same period "
                    "a year earlier (else the previous period of the same length), as published or computed."
                ),
                className="small text-muted mt-1",
            ),
        ],
        className="mb-3",
        **attrs({"aria-labelledby": "headline-title"}),
    )


# -- summary -------------------------------------------------------------------------------------------------
def _sentence_item(s: Sentence, store: DataStore) -> html.Li:
    docs = store.documents_for(s.source_ids)
    children: list = [s.text]
    if docs:
        children += [" ", html.Span(sources_line(docs, compact=True), className="small text-muted")]
    return html.Li(children, **attrs({"data-rule": s.rule}))


def summary(p: Profile, store: DataStore) -> html.Section:
    return html.Section(
        [
            html.H2(_("In brief"), className="h5", id="brief-title"),
            html.Ul([_sentence_item(s, store) for s in p.summary], className="country-brief"),
        ],
        className="mb-3",
        **attrs({"aria-labelledby": "brief-title"}),
    )


# -- money both ways -----------------------------------------------------------------------------------------
def _money_cell(side: dict, units: tuple[str, ...]) -> html.Td:
    """Every unit the side was published in, one per line; 'not reported' when none."""
    shown = [html.Div([_value(side[u]), *_marks(side[u])]) for u in units if u in side]
    return html.Td(shown or not_reported(), className="text-end" if shown else "text-end text-muted")


def money_section(p: Profile, store: DataStore, config: dcc.Graph.Config) -> html.Section | None:
    if not p.money:
        return None
    name = country_name(p.iso3)
    units = catalogue().indicator("remittance_outflow").level_units
    head = html.Tr(
        [
            html.Th(_("Period"), scope="col"),
            html.Th(_("Sent to {country}").format(country=name), scope="col", className="text-end"),
            html.Th(_("Received from {country}").format(country=name), scope="col", className="text-end"),
            html.Th(_("Balance (computed)"), scope="col", className="text-end"),
        ]
    )

    def row(m: MoneyRow) -> html.Tr:
        balances = [fmt_value(b, u) for u in units if (b := m.balance(u)) is not None]
        return html.Tr(
            [
                html.Th(m.period.label, scope="row"),
                _money_cell(m.sent, units),
                _money_cell(m.received, units),
                html.Td([html.Div(b) for b in balances] or "–", className="text-end"),
            ]
        )

    table = html.Div(
        html.Table(
            [html.Thead(head), html.Tbody([row(m) for m in p.money])], className="table table-sm small mb-1"
        ),
        className="table-responsive",
        tabIndex="0",
        role="region",
        **attrs({"aria-label": _("Money sent and received, by period")}),
    )
    charts = [_chart_block(c, config) for c in money_charts(store, p.iso3)[:1]]
    return html.Section(
        [
            html.H2(_("Money both ways"), className="h5", id="money-title"),
            html.P(
                _(
                    "Remittances sent from Kazakhstan to {country} and received from it, as published in "
                    "each unit; the balance is computed only where both were reported for the same period."
                ).format(country=name),
                className="small text-muted",
            ),
            dbc.Row([dbc.Col(charts, lg=6), dbc.Col(table, lg=6)], className="g-2") if charts else table,
        ],
        className="mb-3",
        **attrs({"aria-labelledby": "money-title"}),
    )


# -- charts --------------------------------------------------------------------------------------------------
def _graph(c: CountryChart, config: dcc.Graph.Config) -> html.Div:
    summary_id = f"chart-{c.key.replace('.', '-')}-summary"
    return html.Div(
        [
            dcc.Graph(
                figure=c.figure, config={**config, "displayModeBar": False}, style={"height": CHART_HEIGHT}
            ),
            html.P(c.figure.layout.meta["summary"], id=summary_id, className="visually-hidden"),
        ],
        role="figure",
        className="mtm-chart",
        **attrs(
            {
                "aria-label": _("Chart: {title}").format(title=f"{c.title}, {c.subtitle}"),
                "aria-describedby": summary_id,
            }
        ),
    )


def _chart_block(c: CountryChart, config: dcc.Graph.Config) -> html.Div:
    return html.Div(
        [
            html.Div(
                [html.Span(c.subtitle, className="small text-muted"), export_menu(c.key, EXPORT)],
                className="d-flex justify-content-between align-items-center",
            ),
            _graph(c, config),
        ]
    )


def indicator_card(
    h: HeadlineRow, charts: list[CountryChart], store: DataStore, iso3: str, config: dcc.Graph.Config
) -> dbc.Col:
    # the level first; the share of the total, where the country has shares, as a second view one click away
    # (a native <details>: keyboard and screen readers know it)
    body: list = [_chart_block(charts[0], config)]
    body += [
        html.Details(
            [html.Summary(_("Share of total"), className="small"), _chart_block(c, config)],
            className="share-view",
        )
        for c in charts[1:]
    ]
    docs = store.documents_for(tuple(sid for c in charts for sid in c.source_ids))
    return dbc.Col(
        dbc.Card(
            [
                dbc.CardHeader(html.H3(h.indicator.title, className="h6 mb-0")),
                dbc.CardBody(body, className="p-2"),
                dbc.CardFooter(
                    [
                        html.Span(sources_line(docs, compact=True)),
                        " ",
                        dcc.Link(
                            _("Open in the explorer →"),
                            href=with_lang(f"/explore?indicator={h.indicator.id}&countries={iso3}"),
                        ),
                    ],
                    className="small text-muted",
                ),
            ],
            className="h-100 shadow-sm",
        ),
        className="mb-3",
    )


def _single_figures(rows: list[HeadlineRow]) -> html.P | None:
    """Indicators with a single figure for the country: said in a line, not drawn as a lone point."""
    if not rows:
        return None
    items = "; ".join(
        _("{indicator} ({value}, {period})").format(
            indicator=h.indicator.title, value=_value(h.current), period=h.current.period_label
        )
        for h in rows
    )
    return html.P(_("One figure only, so no chart: {items}.").format(items=items), className="small")


def charts_section(p: Profile, store: DataStore, config: dcc.Graph.Config) -> html.Section:
    drawn_all = [(h, indicator_charts(store, p.iso3, h)) for h in p.headline]
    drawn = [(h, charts) for h, charts in drawn_all if charts]
    return html.Section(
        [
            html.H2(_("Over time"), className="h5", id="charts-title"),
            html.P(
                _(
                    "Each figure is drawn over the dates it covers and never split: quarters and months as "
                    "points on a line, stocks on their day, half-years, years and year-to-date figures as "
                    "segments. A break in a line or a grey band is a period not reported, never a zero."
                ),
                className="small text-muted",
            ),
            dbc.Row(
                [indicator_card(h, charts, store, p.iso3, config) for h, charts in drawn],
                className="row-cols-1 g-2",  # one card a row: Tab order is the reading order
            ),
            _single_figures([h for h, charts in drawn_all if not charts]),
            dcc.Store(id=EXPORT_DATA),
            html.Div(id=EXPORT_STATUS, role="status", className="small text-muted"),
        ],
        className="mb-3",
        **attrs({"aria-labelledby": "charts-title"}),
    )


# -- tables --------------------------------------------------------------------------------------------------
def tables_section(p: Profile, store: DataStore) -> html.Details:
    cards = []
    for h in p.headline:
        part = p.rows.filter(p.rows["indicator"] == h.indicator.id)
        cards.append(
            html.Div(
                [
                    html.H3(h.indicator.title, className="h6 mt-2"),
                    figures_table(
                        part,
                        store.sources,
                        label=_("{indicator}: figures").format(indicator=h.indicator.title),
                        scroll=False,
                    ),
                ]
            )
        )
    n = p.rows.height
    return html.Details(
        [
            html.Summary(
                ngettext("All {n} figure, with sources", "All {n} figures, with sources", n).format(
                    n=fmt_plain(n, 0)
                ),
                className="h5",
            ),
            html.Div(
                [
                    dbc.Button(
                        _("Download CSV"),
                        id=DOWNLOAD_CSV,
                        size="sm",
                        color="dark",
                        outline=True,
                        className="me-2",
                    ),
                    dbc.Button(_("Download XLSX"), id=DOWNLOAD_XLSX, size="sm", color="dark", outline=True),
                    dcc.Download(id=DOWNLOAD),
                ],
                className="my-2",
            ),
            *cards,
        ],
        id=TABLES,
        open=False,  # opened on a wide screen by the browser (callbacks/country.py); a phone keeps it closed
        className="country-tables",
    )


def _missing(p: Profile) -> html.P | None:
    if not p.missing:
        return None
    return html.P(
        _("Not reported for this country: {indicators}.").format(
            indicators=", ".join(i.short_title for i in p.missing)
        ),
        className="small text-muted",
    )


# -- pages ---------------------------------------------------------------------------------------------------
def _title(p: Profile) -> html.Div:
    name = country_name(p.iso3)
    n = p.rows.height
    sub = [_("Country profile"), p.iso3, ngettext("{n} figure", "{n} figures", n).format(n=fmt_plain(n, 0))]
    return html.Div(
        [html.H1(name, className="h3 mb-0"), html.P(" · ".join(sub), className="text-muted small")]
    )


def single_page(p: Profile, store: DataStore) -> list:
    """One figure in all: say what exists and what does not; no chart."""
    h = p.headline[0]
    return [
        html.P(
            _("Only one figure is reported for {country}: {indicator}, {value}, {period}.").format(
                country=country_name(p.iso3),
                indicator=h.indicator.title,
                value=_value(h.current),
                period=h.current.period_label,
            ),
            className="lead",
        ),
        dbc.Row([headline_card(h)], className="row-cols-2 row-cols-lg-4 g-2"),
        summary(p, store),
        _missing(p),
        tables_section(p, store),
    ]


def layout(raw: str, store: DataStore, config: dcc.Graph.Config) -> html.Div:
    code = raw.upper() if raw.isascii() else raw
    if not is_country(code):
        return bad_code(raw, store)
    p = profile(store, code)
    if not p.headline:
        return html.Div(
            [
                html.H1(country_name(code), className="h3"),
                dbc.Alert(
                    _("No figure is reported for {country} ({code}).").format(
                        country=country_name(code), code=code
                    ),
                    color="info",
                ),
                picker(store, None),
            ],
            className="country-page",
        )
    if p.single:
        body = single_page(p, store)
    else:
        body = [
            headline(p),
            summary(p, store),
            money_section(p, store, config),
            charts_section(p, store, config),
            _missing(p),
            tables_section(p, store),
        ]
    return html.Div([_title(p), picker(store, code), *body], className="country-page")


def bad_code(raw: str, store: DataStore) -> html.Div:
    shown = raw[:20]
    hint = suggest(raw, countries_with_data(store))
    children: list = [_("“{code}” is not the ISO code of a country with figures.").format(code=shown)]
    if hint:
        children += [
            " ",
            _("Did you mean"),
            " ",
            dcc.Link(f"{country_name(hint)} ({hint})", href=with_lang(f"/country/{hint}")),
            "?",
        ]
    return html.Div(
        [
            html.H1(_("Country profile"), className="h3"),
            dbc.Alert(children, color="warning"),
            picker(store, None),
        ],
        className="country-page",
    )


def listing(store: DataStore) -> html.Div:
    """Every country with figures, most indicators first."""
    rows = [
        html.Tr(
            [
                html.Th(dcc.Link(country_name(c.iso3), href=with_lang(f"/country/{c.iso3}")), scope="row"),
                html.Td(c.iso3),
                html.Td(fmt_plain(c.indicators, 0), className="text-end"),
                html.Td(fmt_plain(c.figures, 0), className="text-end"),
            ]
        )
        for c in coverage(store)
    ]
    table = html.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(_("Country"), scope="col"),
                        html.Th(_("ISO code"), scope="col"),
                        html.Th(_("Indicators"), scope="col", className="text-end"),
                        html.Th(_("Figures"), scope="col", className="text-end"),
                    ]
                )
            ),
            html.Tbody(rows),
        ],
        className="table table-sm",
    )
    return html.Div(
        [
            html.H1(_("Countries"), className="h3"),
            html.P(
                ngettext(
                    "{n} country has figures; sorted by how many indicators report it.",
                    "{n} countries have figures; sorted by how many indicators report them.",
                    len(rows),
                ).format(n=len(rows)),
                className="text-muted",
            ),
            picker(store, None),
            html.Div(
                table,
                className="table-responsive",
                tabIndex="0",
                role="region",
                **attrs({"aria-label": _("Countries with figures")}),
            ),
        ],
        className="country-page",
    )
