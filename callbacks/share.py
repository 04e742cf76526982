"""The Export menu's Embed and Cite dialogs: the iframe snippet and the citation of the chart's view."""

from __future__ import annotations

from datetime import date

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from flask import request

from callbacks.explorer import state_from_store
from dashboard import charts, citation, embed, panels
from dashboard.data import get_store
from dashboard.i18n import _
from dashboard.ids import Ids
from dashboard.state import view_store
from layouts import share


def register(app: Dash) -> None:
    data_dir = app.server.config["MTM_DATA_DIR"]

    @app.callback(
        Output(share.MODAL, "is_open"),
        Output(share.TITLE, "children"),
        Output(share.BODY, "children"),
        Input({"type": share.SHARE, "chart": ALL, "what": ALL}, "n_clicks"),
        State(Ids.STATE, "data"),
        prevent_initial_call=True,
    )
    def open_dialog(clicks, data):
        trigger = ctx.triggered_id
        if not isinstance(trigger, dict) or not any(clicks or ()):
            return no_update, no_update, no_update
        kind, what = charts.BY_ID.get(str(trigger.get("chart"))), trigger.get("what")
        if kind is None or what not in share.WHAT:
            return no_update, no_update, no_update
        # the state as the page holds it, re-validated; the rest of the request speaks its language
        base = get_store(data_dir)
        s = state_from_store(data, base)
        store = view_store(base, s.release)
        host = request.host_url
        if what == "embed":
            drawn = panels.drawn(store, kind.id, s)
            src = embed.embed_url(host, kind.id, s)
            snippet = embed.iframe_html(
                src, embed.frame_title(kind, s), embed.embed_height(kind, drawn.figure)
            )
            title = _("Embed: {chart}").format(chart=_(kind.name))
            return True, title, share.embed_body(snippet, src, s.release)
        pinned = s.with_(release=store.release)  # the cited figures stay findable after new imports
        facts = citation.facts_for(
            store,
            s,
            kind.id,
            panels.BUILDERS[kind.id](store, s),
            embed.explore_url(host, pinned),
            date.today(),
        )
        title = _("Cite: {chart}").format(chart=_(kind.name))
        return True, title, share.cite_body(citation.plain_text(facts), citation.bibtex(facts), store.release)
