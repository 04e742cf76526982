"""Route the URL path to a page layout."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from pathlib import Path
from urllib.parse import parse_qs, unquote

from dash import Dash, Input, Output, State, dcc, html
from flask import request

from dashboard import i18n
from dashboard.briefing import quarters_with_data
from dashboard.countries import all_codes
from dashboard.data import get_store
from dashboard.freshness import built_on, freshness
from dashboard.graph_config import graph_config
from dashboard.history import read_history
from dashboard.i18n import _
from dashboard.ids import Ids
from dashboard.state import MAX_QUERY_LENGTH, parse_query, parse_release, query_language, view_store
from layouts import api_page, briefing, country, explorer, overview, releases
from layouts.common import activate_release, footer, navbar, release_banner, with_lang

_COUNTRY = re.compile(r"^/country/([^/]*)/?$")  # any text: a code that names no country gets a clear page


def not_found(path: str) -> html.Div:
    return html.Div(
        [
            html.H1(_("Page not found"), className="h4"),
            html.P(_("There is no page at {path}.").format(path=path[:80])),
            html.A(_("Go to the overview"), href=with_lang("/")),
        ],
        className="py-4",
    )


def _release_param(search: str | None) -> str | None:
    """The raw ``release=`` of a query string (the last one), or None."""
    try:
        values = parse_qs((search or "").lstrip("?")[:MAX_QUERY_LENGTH]).get("release")
    except ValueError:
        return None
    return values[-1] if values else None


def _with_banner(page, store, latest: int | None, path: str, search: str | None):
    """The page, under a banner when it shows an earlier release than ``latest`` (``store`` is that
    release's store)."""
    if store.release is None or latest is None or store.release == latest:
        return page
    info = store.release_info(store.release)
    return html.Div([release_banner(store.release, info.at, path, search), page])


def overview_freshness(store, data_dir) -> dict:
    """Per indicator: last period, last import and whether it looks out of date (computed once a day)."""
    today = date.today()

    def compute() -> dict:
        history = read_history(Path(data_dir).parent / "history.jsonl")
        return {
            f.indicator: f
            for f in freshness(store, today=today, history=history, built_at=built_on(data_dir))
        }

    return store.memo(("freshness", today), compute)


def register(app: Dash) -> None:
    config = graph_config(app)
    data_dir = app.server.config["MTM_DATA_DIR"]

    @app.callback(
        Output(Ids.PAGE, "children"),
        Output(Ids.HEADER, "children"),
        Output(Ids.FOOTER, "children"),
        Input(Ids.URL, "pathname"),
        State(Ids.URL, "search"),
    )
    def route(pathname: str | None, search: str | None):
        store = get_store(data_dir)
        # a hand-crafted request may send anything: non-strings count as absent
        path = pathname if isinstance(pathname, str) and pathname else "/"
        search = search if isinstance(search, str) else None
        # the page's language: lang= in the URL, else the browser's (set by app_factory before the request)
        lang = i18n.activate(query_language(search, i18n.current())[0])
        page = _page(path, search, store, {**config, "locale": lang})
        return page, navbar(path, search), footer(store.version)

    def _page(path: str, search: str | None, base, config: dcc.Graph.Config):
        """The page with, above it, what release= made of it: the data as it was at an earlier release (a
        banner), or a notice that the release asked for does not exist (the latest data is shown)."""
        if path.rstrip("/") == "/explore":  # the explorer's state carries the release and its notice
            state = parse_query(search, base, i18n.current())
            store = view_store(base, state.release)
            activate_release(state.release)  # the page's links (and the header's) stay at that release
            return _with_banner(
                explorer.layout(state, store, config), store, base.latest_release, path, search
            )
        release, problem = parse_release(_release_param(search), base)
        store = view_store(base, release)
        activate_release(release)
        page = _content(path, search, store, release, base.latest_release, config)
        if problem:
            return html.Div([*explorer.notice([problem]), page])
        return _with_banner(page, store, base.latest_release, path, search)

    def _content(
        path: str,
        search: str | None,
        store,
        release: int | None,
        latest: int | None,
        config: dcc.Graph.Config,
    ):
        # Pages are pure functions of (data version, release, page, language, day): remembered per store,
        # like the panels, so a crowd opening the same briefing costs one build. A release's store is a
        # store of its own (its own memo), and the keys name the release too. Only well-formed keys are
        # remembered (a hand-crafted period or code is answered, not stored).
        lang, today = i18n.current(), date.today()
        if path in ("/", ""):
            return store.memo(
                ("page", "overview", release, lang, today),
                lambda: overview.layout(store, config, overview_freshness(store, data_dir)),
            )
        if path.rstrip("/") == "/releases":
            return store.memo(("page", "releases", release, lang), lambda: releases.layout(store, latest))
        if path.rstrip("/") == "/briefing":
            period = briefing.period_from_search(search)
            build = partial(briefing.layout, store, period, config)
            if period is None or period in quarters_with_data(store):
                return store.memo(("page", "briefing", period, release, lang, today), build)
            return build()
        if path.rstrip("/") == "/api":  # the data API's page: examples with this host's address
            return api_page.layout(store, request.host_url)
        if path.rstrip("/") == "/country":
            return store.memo(("page", "countries", release, lang), lambda: country.listing(store))
        if m := _COUNTRY.match(path):
            code = unquote(m.group(1))
            build = partial(country.layout, code, store, config)
            if code.upper() in all_codes():
                return store.memo(("page", "country", code, release, lang), build)
            return build()
        return not_found(path)
