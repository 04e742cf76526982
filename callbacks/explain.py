"""The change explainer's callback: "Compared with" changes the state; the state draws the sentences.

One callback both reads and writes the state (Dash allows a callback's output to be its own input, not a
cycle across two callbacks): a choice in "Compared with" writes the new state; a new state (any control, Back
or Forward) sets the control's options and value and the sentences. No chart is redrawn: every chart kind
ignores ``vs`` (dashboard/charts.py)."""

from __future__ import annotations

from dash import Dash, Input, Output, ctx, no_update

from callbacks.explorer import state_from_store
from dashboard.data import get_store
from dashboard.explain import explain_view
from dashboard.ids import Ids
from dashboard.state import to_store, transition, view_store
from layouts.explain import content, vs_options


def register(app: Dash) -> None:
    data_dir = app.server.config["MTM_DATA_DIR"]

    @app.callback(
        Output(Ids.STATE, "data", allow_duplicate=True),
        Output(Ids.VS, "options"),
        Output(Ids.VS, "value"),
        Output(Ids.EXPLAIN, "children"),
        Input(Ids.STATE, "data"),
        Input(Ids.VS, "value"),
        prevent_initial_call="initial_duplicate",
    )
    def explain_changes(data, vs):
        base = get_store(data_dir)
        prev = state_from_store(data, base)
        chose = ctx.triggered_id == Ids.VS
        state = transition(prev, Ids.VS, vs, base) if chose and vs != prev.vs else prev
        store = view_store(base, state.release)
        panel = content(explain_view(store, state))
        written = to_store(state) if state != prev else no_update
        return written, vs_options(store, state), no_update if chose and state.vs == vs else state.vs, panel
