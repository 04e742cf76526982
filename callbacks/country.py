"""Country profile: picking another country navigates to its page."""

from __future__ import annotations

from dash import Dash, Input, Output, no_update

from dashboard.countries import all_codes
from dashboard.ids import Ids
from layouts.country import COUNTRY_SELECT


def register(app: Dash) -> None:
    @app.callback(
        Output(Ids.URL, "pathname", allow_duplicate=True),
        Input(COUNTRY_SELECT, "value"),
        prevent_initial_call=True,
    )
    def go(code):
        if isinstance(code, str) and code in all_codes():
            return f"/country/{code}"
        return no_update
