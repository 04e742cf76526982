"""The compare mode's callbacks: what the two-period chart's draw writes besides its figure (the section's
heading and the table of changes, in the same request), the section shown or hidden with the mode, and the
table put in place as HTML (sorted in the browser by assets/compare_table.js)."""

from __future__ import annotations

from dash import Dash, Input, Output
from flask import current_app

from dashboard import compare, panels
from dashboard.data import get_store
from dashboard.ids import Ids
from dashboard.state import ExplorerState, view_store
from layouts import compare as compare_layout
from layouts.html_text import to_html

EXTRA_OUTPUTS = (Output(Ids.COMPARE_HEADING, "children"), Output(Ids.COMPARE_TABLE_HTML, "data"))


def extras(s: ExplorerState, _panel: panels.Drawn) -> list:
    """The heading and the table's HTML of a state (empty outside compare mode: the section is hidden)."""
    if s.mode != compare.COMPARE:
        return ["", ""]
    store = view_store(get_store(current_app.config["MTM_DATA_DIR"]), s.release)
    c = compare.comparison(store, s)
    return [compare_layout.heading(c), to_html(compare_layout.table(c))]


SHOW_SECTION = """
function(state) {
    return !(state && state.mode === 'compare');
}
"""


def register(app: Dash) -> None:
    app.clientside_callback(SHOW_SECTION, Output(Ids.COMPARE_SECTION, "hidden"), Input(Ids.STATE, "data"))
    # the table's HTML (COMPARE_TABLE_HTML) is put in place by assets/html_slots.js as its answer arrives
