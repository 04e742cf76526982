"""The Export menu's "Embed" and "Cite" items and the dialog they open (filled by callbacks/share.py).

The items are appended to a chart's export menu (``with_share_items``), so the menu's other items stay where
they are. Copy buttons are plain buttons: assets/share.js copies the text box they name and says whether it
worked, in the words carried by the button.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.i18n import _
from layouts.attrs import attrs

SHARE = "share"  # pattern-matching: {"type": SHARE, "chart": <chart>, "what": "embed" | "cite"}
MODAL = "share-modal"
TITLE = "share-title"
BODY = "share-body"
WHAT = ("embed", "cite")


def share_items(chart: str) -> list:
    """The menu items (after a divider): Embed… and Cite…."""
    labels = {"embed": _("Embed…"), "cite": _("Cite…")}
    return [
        dbc.DropdownMenuItem(divider=True),
        *(
            dbc.DropdownMenuItem(labels[w], id={"type": SHARE, "chart": chart, "what": w}, n_clicks=0)
            for w in WHAT
        ),
    ]


def with_share_items(menu: dbc.DropdownMenu, chart: str) -> dbc.DropdownMenu:
    """``menu`` with the share items appended."""
    menu.children = [*(menu.children or []), *share_items(chart)]
    return menu


def dialog() -> dbc.Modal:
    """One dialog per explorer page; its title and body are written when an item is chosen."""
    return dbc.Modal(
        [
            dbc.ModalHeader(dbc.ModalTitle(id=TITLE, className="h5")),
            dbc.ModalBody(id=BODY),
        ],
        id=MODAL,
        is_open=False,
        size="lg",
        scrollable=True,
    )


def copy_box(box_id: str, label: str, text: str, rows: int) -> html.Div:
    """A read-only text box with its label, a Copy button and the line that says whether copying worked."""
    return html.Div(
        [
            html.Label(label, htmlFor=box_id, className="form-label small fw-semibold mb-1"),
            dcc.Textarea(
                id=box_id,
                value=text,
                readOnly=True,
                rows=rows,
                className="form-control font-monospace small share-text",
                style={"width": "100%"},
            ),
            html.Div(
                [
                    html.Button(
                        _("Copy"),
                        type="button",
                        className="btn btn-primary btn-sm mt-1 me-2 share-copy",
                        **attrs(
                            {
                                "data-copy-target": box_id,
                                "data-copied": _("Copied to the clipboard."),
                                "data-copy-failed": _(
                                    "Could not copy here: select the text and press Ctrl+C (⌘C on a Mac)."
                                ),
                            }
                        ),
                    ),
                    html.Span(id=f"{box_id}-status", role="status", className="small share-status"),
                ],
                className="d-flex align-items-center",
            ),
        ],
        className="mb-3",
    )


def embed_body(snippet: str, embed_src: str, release: int | None) -> list:
    keep = (
        _("The chart shows the data as it was at release {n}, as in this view.").format(n=release)
        if release is not None
        else _("The chart follows the latest data; add release=N to its address to keep release N.")
    )
    return [
        html.P(
            _("Paste this code into a web page: the chart fills the width of its column."),
            className="small",
        ),
        copy_box("share-embed-code", _("Embed code (HTML)"), snippet, 4),
        html.P(keep, className="small text-muted"),
        html.A(
            _("Open the embedded chart"), href=embed_src, target="_blank", rel="noopener", className="small"
        ),
    ]


def cite_body(text: str, bib: str, release: int | None) -> list:
    return [
        html.P(
            _(
                "The link in the citation keeps release {n}, so that the cited figures can be found again."
            ).format(n=release)
            if release is not None
            else _("Cite this view:"),
            className="small",
        ),
        copy_box("share-cite-text", _("Citation (plain text)"), text, 5),
        copy_box("share-cite-bibtex", _("Citation (BibTeX)"), bib, 10),
    ]
