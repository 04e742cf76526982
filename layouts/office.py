"""The briefing kit's controls: the explorer's slide items and deck bar, the briefing's Slides / Word buttons.

What they do is in ``assets/office.js`` (the browser draws each chart to PNG with its own plotly.js and posts
it to ``dashboard.office_web``'s routes); the words it says come from here, translated, in ``data-messages``.
"""

from __future__ import annotations

import json

import dash_bootstrap_components as dbc
from dash import html

from dashboard import i18n
from dashboard.i18n import _
from dashboard.office import MAX_DECK_ITEMS
from layouts.attrs import attrs

SLIDE_ID, DECK_ADD_ID = "export-slide-{chart}", "deck-add-{chart}"
DECK_BAR, DECK_DOWNLOAD, DECK_CLEAR = "deck-bar", "deck-download", "deck-clear"
BRIEFING_FILES, BRIEFING_STATUS = "briefing-office", "briefing-office-status"


def messages() -> str:
    """What assets/office.js says, in the language in force ({n}, {file} and {error} filled in there)."""
    return json.dumps(
        {
            "working": _("Preparing the file…"),
            "drawing": _("Drawing the charts ({n})…"),
            "downloaded": _("Downloaded {file}"),
            "added": _("Added to the deck: {n} chart(s)."),
            "full": _("A deck holds at most {n} charts: download it, or clear it.").replace(
                "{n}", str(MAX_DECK_ITEMS)
            ),
            "storage_full": _("This browser cannot keep more charts in the deck: download it now."),
            "failed": _("The file could not be made: {error}"),
            "download": _("Download deck ({n})"),
            "cleared": _("The deck is empty."),
        },
        ensure_ascii=False,
    )


def slide_menu_items(chart: str) -> list:
    """Appended to a chart's Export menu: one slide now, or the chart kept for a deck."""
    return [
        dbc.DropdownMenuItem(divider=True),
        dbc.DropdownMenuItem(_("PowerPoint slide"), id=SLIDE_ID.format(chart=chart), n_clicks=0),
        dbc.DropdownMenuItem(_("Add to deck"), id=DECK_ADD_ID.format(chart=chart), n_clicks=0),
    ]


def deck_bar() -> html.Div:
    """'Download deck (N)' and 'Clear' for the charts this browser tab collected (kept in sessionStorage)."""
    return html.Div(
        [
            html.Button(
                _("Download deck ({n})").format(n=0),
                id=DECK_DOWNLOAD,
                className="btn btn-outline-secondary btn-sm",
                disabled=True,
                title=_("One PowerPoint file with every chart you added (kept in this browser tab)"),
            ),
            html.Button(_("Clear deck"), id=DECK_CLEAR, className="btn btn-link btn-sm", disabled=True),
        ],
        id=DECK_BAR,
        className="deck-bar d-flex gap-2 align-items-center my-1",
        **attrs({"data-messages": messages()}),
    )


def briefing_buttons(quarter: str) -> html.Div:
    """'Slides' and 'Word' on the briefing: the server builds the file, the browser supplies the pictures."""
    return html.Div(
        [
            html.Span(_("Download as:"), className="me-1 small"),
            html.Button(
                _("Slides (PowerPoint)"),
                className="btn btn-outline-primary btn-sm",
                **attrs({"data-format": "pptx"}),
            ),
            html.Button(
                _("Word"), className="btn btn-outline-primary btn-sm", **attrs({"data-format": "docx"})
            ),
            html.Span(id=BRIEFING_STATUS, role="status", className="small text-muted ms-2"),
        ],
        id=BRIEFING_FILES,
        className="briefing-office d-flex gap-2 align-items-center my-2 d-print-none",
        **attrs({"data-period": quarter, "data-lang": i18n.current(), "data-messages": messages()}),
    )
