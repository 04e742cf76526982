"""Route the URL path to a page layout."""

from __future__ import annotations

import re
from datetime import date
from functools import partial
from pathlib import Path

from dash import Dash, Input, Output, State, dcc, html

from dashboard import i18n
from dashboard.briefing import quarters_with_data
from dashboard.countries import all_codes
from dashboard.data import get_store
from dashboard.freshness import built_on, freshness
from dashboard.graph_config import graph_config
from dashboard.history import read_history
from dashboard.i18n import _
from dashboard.ids import Ids
from dashboard.state import parse_query, query_language
from layouts import briefing, country, explorer, overview
from layouts.common import footer, navbar, with_lang

_COUNTRY = re.compile(r"^/country/([A-Za-z]{3})/?$")


def not_found(path: str) -> html.Div:
    return html.Div(
        [
            html.H1(_("Page not found"), className="h4"),
            html.P(_("There is no page at {path}.").format(path=path[:80])),
            html.A(_("Go to the overview"), href=with_lang("/")),
        ],
        className="py-4",
    )


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

    def _page(path: str, search: str | None, store, config: dcc.Graph.Config):
        # Pages are pure functions of (data version, page, language, day): remembered per store, like the
        # panels, so a crowd opening the same briefing costs one build. Only well-formed keys are remembered
        # (a hand-crafted period or code is answered, not stored).
        lang, today = i18n.current(), date.today()
        if path in ("/", ""):
            return store.memo(
                ("page", "overview", lang, today),
                lambda: overview.layout(store, config, overview_freshness(store, data_dir)),
            )
        if path.rstrip("/") == "/explore":
            return explorer.layout(parse_query(search, store, lang), store, config)
        if path.rstrip("/") == "/briefing":
            period = briefing.period_from_search(search)
            build = partial(briefing.layout, store, period, config)
            if period is None or period in quarters_with_data(store):
                return store.memo(("page", "briefing", period, lang, today), build)
            return build()
        if m := _COUNTRY.match(path):
            code = m.group(1).upper()
            build = partial(country.layout, code, store, config)
            return store.memo(("page", "country", code, lang), build) if code in all_codes() else build()
        return not_found(path)
