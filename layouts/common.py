"""Page shell pieces shared by every page: navigation, footer, chart cards. No data reads here."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import i18n
from dashboard.i18n import N_, _
from dashboard.release_text import release_date
from layouts.attrs import attrs
from layouts.office import slide_menu_items

NAV = (
    ("/", N_("Overview")),
    ("/explore", N_("Explorer")),
    ("/country", N_("Country profiles")),
    ("/briefing", N_("Quarterly briefing")),
    ("/releases", N_("What's new")),
)


# The earlier release a request shows (None: the latest). Like the language, links carry it, so that a
# reader who opened a page at release 1 stays at release 1 when following its links. Every request starts
# with None (app_factory's before_request hook), so it never leaks from one request into the next.
_release: ContextVar[int | None] = ContextVar("mtm_release", default=None)


def activate_release(number: int | None) -> None:
    """The release the links of this request carry (None: the latest data, no ``release=``)."""
    _release.set(number)


def with_lang(href: str, lang: str | None = None, *, release: bool = True) -> str:
    """``href`` with ``lang=`` set to ``lang`` (default: the language in force), other parameters kept, and
    the release shown (``activate_release``) unless the link has its own or ``release`` is False."""
    path, _sep, query = href.partition("?")
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "lang"]
    shown = _release.get()
    if release and shown is not None and not any(k == "release" for k, _v in pairs):
        pairs.append(("release", str(shown)))
    pairs.append(("lang", lang or i18n.current()))
    return path + "?" + urlencode(pairs, safe=",")


def without_release(href: str) -> str:
    """``href`` showing the latest data: its ``release=`` dropped, other parameters kept."""
    path, _sep, query = href.partition("?")
    pairs = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "release"]
    return path + ("?" + urlencode(pairs, safe=",") if pairs else "")


def release_banner(number: int, at: datetime | None, path: str, search: str | None) -> html.Div:
    """The notice on a page that shows the data as it was at an earlier release, linking to the latest."""
    when = release_date(at)
    text = (
        _("Showing the data as it was at release {n} ({date}).").format(n=number, date=when)
        if when
        else _("Showing the data as it was at release {n}.").format(n=number)
    )
    # a plain link (a page load): the router redraws on a new path, and this one keeps its path
    latest = html.A(
        _("See the latest."), href=with_lang(without_release(path + (search or "")), release=False)
    )
    alert = dbc.Alert([text, " ", latest], color="info", className="py-2 small mb-2")
    return html.Div(alert, className="release-banner", role="status")


def dropdown_labels() -> dcc.Dropdown.Labels:
    """Dash's own dropdown texts (search box, select all, count, …) in the language in force."""
    return {
        "select_all": _("Select All"),
        "deselect_all": _("Deselect All"),
        "selected_count": _("{num_selected} selected"),
        "search": _("Search"),
        "clear_search": _("Clear search"),
        "clear_selection": _("Clear selection"),
        "no_options_found": _("No options found"),
    }


def language_switch(path: str, search: str | None) -> html.Nav:
    """EN / RU / KK links to this same view in another language (assets/url_state.js keeps the filters the
    explorer pushed into the address bar since the page was drawn)."""
    here = path + (search or "")
    current = i18n.current()
    return html.Nav(
        [
            html.A(
                i18n.SHORT[lang],
                href=with_lang(here, lang),
                lang=lang,
                hrefLang=lang,
                title=i18n.NAMES[lang],
                className="lang-link" + (" active" if lang == current else ""),
                **attrs({"data-lang": lang, "aria-current": "true" if lang == current else None}),
            )
            for lang in i18n.LANGUAGES
        ],
        className="lang-switch",
        **attrs({"aria-label": _("Language")}),
    )


def navbar(path: str = "/", search: str | None = None) -> html.Header:
    return html.Header(
        dbc.Navbar(
            dbc.Container(
                [
                    dcc.Link(
                        [
                            html.Span("MTM", className="brand-mark"),
                            " ",
                            _("Migration Tracking Matrix · Kazakhstan"),
                        ],
                        href=with_lang("/"),
                        className="navbar-brand",
                    ),
                    html.Nav(
                        [
                            dcc.Link(_(label), href=with_lang(href), className="nav-link")
                            for href, label in NAV
                        ],
                        className="nav",
                        **attrs({"aria-label": _("Main")}),
                    ),
                    language_switch(path, search),
                ],
                fluid=True,
            ),
            color="dark",
            dark=True,
            className="py-1",
        )
    )


def footer(data_version: str) -> html.Footer:
    return html.Footer(
        dbc.Container(
            [
                html.P(
                    [
                        _(
                            "Every figure is traced to a cited source: IOM MTM reports, official releases "
                            "and news reports quoting them. Values marked derived were computed here from "
                            "published figures. Not reported is not zero."
                        ),
                        " ",
                        html.Span(
                            _("Data version {version}.").format(version=data_version), className="text-nowrap"
                        ),
                        " ",
                        html.A(_("Data API"), href=with_lang("/api")),
                    ],
                    className="small text-muted mb-0",
                )
            ],
            fluid=True,
        ),
        className="site-footer py-3 mt-4 border-top",
    )


def graph(
    graph_id: str, config: dcc.Graph.Config, height: str = "420px", label: str = "", **kwargs
) -> html.Div:
    """A chart with its text alternative: a named ``figure`` region and a visually hidden summary.

    The summary (dashboard.a11y.summarize, carried in the figure's ``layout.meta.summary``) is copied into
    the paragraph by assets/a11y.js each time the chart is drawn; screen readers read it in place and as the
    region's description. The table of figures holds every number. While its answer is out for more than
    0.3 s a spinner covers the chart (assets/style.css, on Dash's ``data-dash-is-loading``): CSS rather than a
    dcc.Loading component around each graph, which the renderer would visit on every update of the page.
    """
    summary_id = f"{graph_id}-summary"
    return html.Div(
        [
            dcc.Graph(id=graph_id, config=config, style={"height": height}, **kwargs),
            html.P(
                id=summary_id, className="visually-hidden chart-summary", **attrs({"data-graph": graph_id})
            ),
        ],
        role="figure",
        className="mtm-chart",
        **attrs(
            {
                "aria-label": _("Chart: {title}").format(title=label) if label else _("Chart"),
                "aria-describedby": summary_id,
            }
        ),
    )


EXPORT_FORMATS = (
    ("png-wide", N_("PNG image, 16:9 (1600×900)")),
    ("png-square", N_("PNG image, square (1080×1080)")),
    ("svg-wide", N_("SVG image, 16:9")),
    ("copy", N_("Copy image to clipboard")),
)


def export_menu(chart: str, export_id: str) -> dbc.DropdownMenu:
    """Download or copy a chart as a self-describing image (title, period, unit, sources, link inside)."""
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(_(label), id={"type": export_id, "chart": chart, "fmt": fmt}, n_clicks=0)
            for fmt, label in EXPORT_FORMATS
        ]
        + slide_menu_items(chart),
        label=_("Export"),
        size="sm",
        color="light",
        align_end=True,
        className="export-menu",
        toggle_class_name="py-0",
    )


def html_slot(slot_id: str, store_id: str) -> html.Div:
    """An element that shows the HTML a callback writes into the ``store_id`` store (one mounted component
    for a whole table): assets/html_slots.js puts it in place as the answer arrives."""
    return html.Div(id=slot_id, **attrs({"data-html-from": store_id}))


def chart_card(title: str, body, footer_id: str | None = None, footer_children=None, tools=None) -> dbc.Card:
    header = html.Div(
        [html.H2(title, className="h6 mb-0"), tools], className="d-flex justify-content-between"
    )
    parts = [dbc.CardHeader(header), dbc.CardBody(body, className="p-2")]
    if footer_id:
        parts.append(dbc.CardFooter(footer_children, id=footer_id, className="small text-muted"))
    return dbc.Card(parts, className="h-100 shadow-sm")
