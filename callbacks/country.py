"""Country profile: picking another country navigates to its page (client-side, like a link)."""

from __future__ import annotations

from dash import Dash, Input, Output

from layouts.country import COUNTRY_SELECT

NAVIGATE = """
function(code) {
    const target = '/country/' + code;
    if (typeof code === 'string' && /^[A-Z]{3}$/.test(code) && window.location.pathname !== target) {
        window.mtmNavigate(target);
    }
    return window.dash_clientside.no_update;
}
"""


def register(app: Dash) -> None:
    app.clientside_callback(
        NAVIGATE, Output(COUNTRY_SELECT, "id"), Input(COUNTRY_SELECT, "value"), prevent_initial_call=True
    )
