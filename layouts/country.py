"""Country profile: every indicator reported for one counterpart country, over time, with sources."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import i18n
from dashboard.catalogue import catalogue
from dashboard.countries import country_name, is_valid_code
from dashboard.data import DataStore
from dashboard.formatting import fmt_plain
from dashboard.i18n import _, ngettext
from dashboard.views import countries_with_data, country_rows
from layouts.common import dropdown_labels, with_lang
from layouts.tables import figures_table

COUNTRY_SELECT = "country-select"


def _summary(n_figures: int, country: str, n_indicators: int) -> str:
    """'123 figures for Uzbekistan across 9 indicators.' (each count with its own plural form)."""
    figures = ngettext("{n} figure", "{n} figures", n_figures).format(n=fmt_plain(n_figures, 0))
    across = ngettext("across {n} indicator", "across {n} indicators", n_indicators).format(
        n=fmt_plain(n_indicators, 0)
    )
    return _("{figures} for {country} {across_indicators}.").format(
        figures=figures, country=country, across_indicators=across
    )


def layout(iso3: str, store: DataStore, config: dcc.Graph.Config) -> html.Div:
    cat = catalogue()
    options = sorted(
        ({"label": country_name(c), "value": c} for c in countries_with_data(store)),
        key=lambda o: i18n.sort_key(o["label"]),  # by name in the reader's alphabet
    )
    picker = html.Div(
        [
            html.Label(_("Country"), htmlFor=COUNTRY_SELECT, className="form-label small fw-semibold"),
            dcc.Dropdown(
                labels=dropdown_labels(),
                id=COUNTRY_SELECT,
                options=options,
                value=iso3 if is_valid_code(iso3) else None,
                clearable=False,
            ),
        ],
        className="mb-3 country-picker",
    )
    if not is_valid_code(iso3) or iso3 in ("TOT", "OTH"):
        return html.Div(
            [
                html.H1(_("Country profile"), className="h4"),
                picker,
                dbc.Alert(
                    _("{code} is not an ISO 3166 country code; choose a country.").format(
                        code=repr(iso3[:10])
                    ),
                    color="warning",
                ),
            ]
        )
    rows = country_rows(store, iso3)
    counterpart = cat.counterparts
    sections = []
    for ind in cat.indicators:
        part = rows.filter(rows["indicator"] == ind.id)
        if part.is_empty():
            continue
        sections.append(
            dbc.Card(
                [
                    dbc.CardHeader(
                        [
                            html.H2(ind.title, className="h6 mb-0"),
                            html.Div(
                                _("{country} as {counterpart}").format(
                                    country=country_name(iso3),
                                    counterpart=counterpart[ind.counterpart].lower(),
                                ),
                                className="small text-muted",
                            ),
                        ]
                    ),
                    dbc.CardBody(
                        [
                            figures_table(
                                part,
                                store.sources,
                                label=_("{indicator}: figures").format(indicator=ind.title),
                                scroll=False,
                            ),
                            dcc.Link(
                                _("Open in the explorer →"),
                                href=with_lang(f"/explore?indicator={ind.id}&countries={iso3}"),
                                className="small",
                            ),
                        ],
                        className="p-2",
                    ),
                ],
                className="mb-3 shadow-sm",
            )
        )
    missing = [i.short_title for i in cat.indicators if rows.filter(rows["indicator"] == i.id).is_empty()]
    return html.Div(
        [
            html.H1(_("{country}: country profile").format(country=country_name(iso3)), className="h4"),
            picker,
            html.P(_summary(rows.height, country_name(iso3), len(sections)), className="small text-muted"),
            *sections,
            html.P(
                _("Not reported for this country: {indicators}.").format(indicators=", ".join(missing)),
                className="small text-muted",
            )
            if missing
            else None,
        ]
    )
