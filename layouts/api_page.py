"""The data API's page (``/api``): what the API is, its endpoints and parameters, examples in curl and
Python with this host's address, errors and caching, and the link to the OpenAPI document. The examples'
view is the explorer's default one, from the data (no period is written here)."""

from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import html

from dashboard import i18n
from dashboard.api.paths import EXPLAIN_PATH, FIGURES_PATH, OPENAPI_PATH, PREFIX
from dashboard.catalogue import catalogue
from dashboard.data import DataStore
from dashboard.i18n import N_, _
from dashboard.state import DEFAULT_INDICATOR, MAX_COUNTRIES, MAX_TREND_QUARTERS, default_period

ENDPOINTS = (
    ("/indicators", N_("The indicator catalogue: ids, titles, definitions, units, measures, period types, "
                       "cadence, what the counterpart country means, and what the data holds.")),
    ("/indicators/{id}", N_("One indicator of the catalogue.")),
    ("/figures", N_("The figures of an explorer view, one record per figure, with its sources (JSON, or "
                    "CSV with format=csv: the explorer's CSV download).")),
    ("/explain", N_("What drove a view's change, as the explorer's explainer says it: the total change, "
                    "each country's part, the sentences and the explorer views that prove them. Two periods "
                    "that cannot be compared are answered with refused: true and the reason.")),
    ("/countries", N_("Counterpart countries with figures, country groups and the codes TOT (total) and "
                      "OTH (other countries).")),
    ("/sources", N_("Every source document: title, publisher, kind, publication date, links.")),
    ("/releases", N_("Every release (import), newest first, with the figures it added, revised and "
                     "withdrew.")),
)  # fmt: skip

FIGURE_PARAMETERS = (
    ("indicator", N_("Indicator id (see /indicators). Default: the explorer's first indicator.")),
    ("measure, unit", N_("What is counted and in which unit, e.g. count in persons, amount in USD_mn, "
                         "share_pct in percent. Default: the indicator's own.")),
    ("period", N_("The period of the breakdown by country: a quarter, month, half-year, year, year to "
                  "date or a day, as the indicator is published. Default: the latest quarter with a "
                  "breakdown.")),
    ("period_type", N_("The period's type when its id is ambiguous: a bare year is a year, or year to "
                       "date with period_type=ytd.")),
    ("countries", N_("Comma-separated ISO 3166-1 alpha-3 codes, at most {n}. Default: every country of "
                     "the breakdown.")),
    ("from, to", N_("The quarters of the trend (at most {quarters}). Default: the explorer's window.")),
    ("drill", N_("A quarter of the trend whose months are added.")),
    ("format", N_("json (default) or csv.")),
    ("lang", N_("en, ru or kk: the language of titles, names and labels (codes stay codes).")),
    ("release", N_("The data as it was at release N (see /releases). Default: the latest.")),
)  # fmt: skip

EXPLAIN_PARAMETERS = (
    ("indicator, measure, unit, period, period_type, lang, release", N_("As for /figures.")),
    ("vs", N_("Compared with: prev (the previous period, the default), year (the same period a year "
              "earlier) or a period id of the view's type.")),
)  # fmt: skip


def _code(text: str) -> html.Pre:
    return html.Pre(html.Code(text), className="api-code border rounded p-2 small", tabIndex="0")


def _table(caption: str, head: tuple[str, str], rows: list[tuple[str, str]]) -> dbc.Table:
    return dbc.Table(
        [
            html.Caption(caption, className="visually-hidden"),
            html.Thead(html.Tr([html.Th(h, scope="col") for h in head])),
            html.Tbody([html.Tr([html.Th(html.Code(k), scope="row"), html.Td(v)]) for k, v in rows]),
        ],
        size="sm",
        className="api-table",
    )


def example_query(store: DataStore) -> dict[str, str]:
    """The example view: the explorer's first indicator in its latest period with a breakdown."""
    ind = catalogue().indicator(DEFAULT_INDICATOR)
    period, _ptype = default_period(store, ind, ind.default.measure, ind.default.unit)
    return {"indicator": ind.id, "period": period}


def _examples(host: str, query: dict[str, str]) -> list:
    url = f"{host}{FIGURES_PATH}?{urlencode(query)}"
    lang = i18n.current()  # the examples ask in the page's language
    curl = "\n".join(
        (
            f'curl -s "{url}&lang={lang}"',
            f'curl -s "{url}&format=csv" -o figures.csv',
            f'curl -s -H \'If-None-Match: W/"…"\' -o /dev/null -w "%{{http_code}}\\n" "{url}"  # 304',
            f'curl -s "{host}{EXPLAIN_PATH}?{urlencode(query)}&vs=year&lang={lang}"',
        )
    )
    python = "\n".join(
        (
            "import json, urllib.request",
            "",
            f'url = "{url}&lang={lang}"',
            "with urllib.request.urlopen(url) as answer:",
            "    body = json.load(answer)",
            'print(body["meta"]["data_version"], body["meta"]["release"])',
            'for f in body["data"]:',
            '    source = f["sources"][0]["document"] if f["sources"] else ""',
            '    print(f["country"], f["period"]["label"], f["value"], f["status"], source)',
            "",
            "import pandas as pd  # or polars: pl.read_csv(…)",
            "",
            f'table = pd.read_csv("{url}&format=csv")',
        )
    )
    return [
        html.H2(_("Examples"), className="h5 mt-4"),
        html.H3("curl", className="h6"),
        _code(curl),
        html.H3("Python", className="h6"),
        _code(python),
    ]


ERROR_EXAMPLE = """HTTP/1.1 400 BAD REQUEST
{"error": {"status": 400, "message": "countries: unknown or repeated country code",
  "problems": [{"parameter": "countries", "value": "XYZ",
    "allowed": "ISO 3166-1 alpha-3 codes (see /api/v1/countries), comma-separated",
    "message": "unknown or repeated country code"}]}}"""


def layout(store: DataStore, host: str) -> html.Div:
    """The page; ``host``: this server's address as the reader reached it (``https://…``, no slash)."""
    host = host.rstrip("/")
    rows = [(PREFIX + path, _(text)) for path, text in ENDPOINTS]
    params = [
        (name, _(text).format(n=MAX_COUNTRIES, quarters=MAX_TREND_QUARTERS))
        for name, text in FIGURE_PARAMETERS
    ]
    return html.Div(
        [
            html.H1(_("Data API"), className="h4 mb-3"),
            html.P(
                _(
                    "Every figure of this dashboard, with its source, for scripts and other sites: read-only "
                    "HTTP, JSON or CSV, no key. Each figure comes with its value (null when no source "
                    "reported it: not reported is not zero), unit, period, country, whether it was "
                    "published or derived here (and how), whether sources disagree (with each one's value "
                    "and document), its revisions, and its source: document, publisher, date, link and "
                    "the sentence it was read from."
                )
            ),
            html.P(
                [
                    _("The machine-readable description (OpenAPI 3.1):"),
                    " ",
                    html.A(host + OPENAPI_PATH, href=OPENAPI_PATH),
                ]
            ),
            html.H2(_("Endpoints"), className="h5 mt-4"),
            html.P(_("All take lang= (en, ru, kk) and release= (the data as it was at release N).")),
            _table(_("Endpoints"), (_("Path"), _("What it answers")), rows),
            html.H2(_("Parameters of /figures"), className="h5 mt-4"),
            html.P(
                _(
                    "The same parameters and defaults as the explorer's address: the API link under an "
                    "explorer view's table opens that view's figures here."
                )
            ),
            _table(_("Parameters of /figures"), (_("Parameter"), _("Meaning")), params),
            html.H2(_("Parameters of /explain"), className="h5 mt-4"),
            _table(
                _("Parameters of /explain"),
                (_("Parameter"), _("Meaning")),
                [(name, _(text)) for name, text in EXPLAIN_PARAMETERS],
            ),
            *_examples(host, example_query(store)),
            html.H2(_("Errors"), className="h5 mt-4"),
            html.P(
                _(
                    "A parameter the API does not know, given twice, or with a value it cannot answer (an "
                    "unknown indicator or country, a malformed period, from after to, more than {n} "
                    "countries, an unknown release) is answered 400 with every problem: the parameter, "
                    "the value and what is allowed."
                ).format(n=MAX_COUNTRIES)
            ),
            _code(ERROR_EXAMPLE),
            html.H2(_("Versions and caching"), className="h5 mt-4"),
            html.P(
                _(
                    "Every answer names the data version and release it comes from (in meta, and in the "
                    "X-Data-Version and X-Data-Release headers), carries an ETag and Cache-Control, and "
                    "is compressed with gzip when the client accepts it. Send the ETag back in "
                    "If-None-Match: an unchanged answer is 304, with no body. A new import changes the "
                    "data version; release=N keeps an answer fixed."
                )
            ),
        ],
        className="api-page",
    )
