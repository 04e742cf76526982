"""Country profile: every indicator reported for one counterpart country, over time, with sources."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.catalogue import catalogue
from dashboard.countries import country_name, is_valid_code
from dashboard.data import DataStore
from dashboard.views import countries_with_data, country_rows
from layouts.tables import figures_table

COUNTRY_SELECT = "country-select"


def layout(iso3: str, store: DataStore, config: dict) -> html.Div:
    cat = catalogue()
    options = [{"label": country_name(c), "value": c} for c in countries_with_data(store)]
    picker = html.Div(
        [
            html.Label("Country", htmlFor=COUNTRY_SELECT, className="form-label small fw-semibold"),
            dcc.Dropdown(
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
                html.H1("Country profile", className="h4"),
                picker,
                dbc.Alert(
                    f"{iso3[:10]!r} is not an ISO 3166 country code; choose a country.", color="warning"
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
                                f"{country_name(iso3)} as {counterpart[ind.counterpart].lower()}",
                                className="small text-muted",
                            ),
                        ]
                    ),
                    dbc.CardBody(
                        [
                            figures_table(part, store.sources, label=f"{ind.title}: figures", scroll=False),
                            dcc.Link(
                                "Open in the explorer →",
                                href=f"/explore?indicator={ind.id}&countries={iso3}",
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
            html.H1(f"{country_name(iso3)}: country profile", className="h4"),
            picker,
            html.P(
                f"{rows.height} figures for {country_name(iso3)} across {len(sections)} indicators.",
                className="small text-muted",
            ),
            *sections,
            html.P(
                ["Not reported for this country: ", ", ".join(missing) + "."], className="small text-muted"
            )
            if missing
            else None,
        ]
    )
