"""The "What's new" page (/releases): every release, newest first, with what it changed.

Each release is a section: its number, date, who, note, file and short hash; the counts; the figures it added
summarised per indicator; every revision (old -> new value, reason, document) and withdrawal (value withdrawn,
reason); and links to the pages as they were at that release. Tables have column headers, and scroll sideways
inside a focusable region on a phone."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import release_text as rt
from dashboard.data import DataStore
from dashboard.i18n import _
from dashboard.releases import Release, ReleaseChange
from layouts.attrs import attrs
from layouts.common import with_lang

FEED_PATH = "/releases.atom"
HASH_CHARS = 12


def _table(label: str, headers: list[str], rows: list[list]) -> html.Div:
    head = html.Thead(html.Tr([html.Th(h, scope="col") for h in headers]))
    body = html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows])
    return html.Div(
        dbc.Table([head, body], size="sm", striped=True, className="mb-2 small"),
        className="table-responsive",
        tabIndex="0",
        role="region",
        **attrs({"aria-label": label}),
    )


def _facts(r: Release) -> html.Dl:
    pairs: list[tuple[str, Any]] = [
        (_("Date"), rt.release_date(r.at) or _("not recorded")),
        (_("By"), r.by or "—"),
        (_("Kind"), rt.kind_label(r.kind)),
        (
            _("File"),
            [
                r.file or "—",
                *([" ", html.Code(f"sha256 {r.file_sha256[:HASH_CHARS]}")] if r.file_sha256 else []),
            ],
        ),
    ]
    items = []
    for term, value in pairs:
        items += [html.Dt(term, className="col-sm-2"), html.Dd(value, className="col-sm-10 mb-1")]
    return html.Dl(items, className="row small mb-2")


def _added(r: Release) -> list:
    groups = rt.added_groups(r.changes)
    if not groups:
        return []
    label = _("Figures added in release {n}").format(n=r.number)
    rows = [[g.title, str(g.figures), g.periods, g.countries] for g in groups]
    return [
        html.H3(_("Added"), className="h6 mt-2"),
        _table(label, [_("Indicator"), _("Number of figures"), _("Periods"), _("Countries")], rows),
    ]


def _revised(r: Release, revs: list[ReleaseChange]) -> list:
    if not revs:
        return []
    label = _("Figures revised in release {n}").format(n=r.number)
    rows = [[rt.figure_label(c), rt.old_value(c), rt.new_value(c), c.reason or "", c.document] for c in revs]
    headers = [_("Figure"), _("Previous value"), _("New value"), _("Reason"), _("Document")]
    return [html.H3(_("Revised"), className="h6 mt-2"), _table(label, headers, rows)]


def _withdrawn(r: Release, wds: list[ReleaseChange]) -> list:
    if not wds:
        return []
    label = _("Figures withdrawn in release {n}").format(n=r.number)
    rows = [[rt.figure_label(c), rt.old_value(c), c.reason or "", c.document] for c in wds]
    headers = [_("Figure"), _("Value withdrawn"), _("Reason"), _("Document")]
    return [html.H3(_("Withdrawn"), className="h6 mt-2"), _table(label, headers, rows)]


def _links(r: Release, latest: int | None) -> html.P:
    if r.number == latest:
        return html.P(_("This is the latest release."), className="small mb-0")
    return html.P(
        [
            _("The data as it was at this release:") + " ",
            dcc.Link(_("overview"), href=with_lang(f"/?release={r.number}")),
            " · ",
            dcc.Link(_("explorer"), href=with_lang(f"/explore?release={r.number}")),
            " · ",
            dcc.Link(_("quarterly briefing"), href=with_lang(f"/briefing?release={r.number}")),
        ],
        className="small mb-0",
    )


def release_section(r: Release, latest: int | None) -> html.Section:
    heading_id = f"release-{r.number}"
    return html.Section(
        [
            html.H2(rt.release_title(r), id=heading_id, className="h5"),
            _facts(r),
            html.P(rt.counts_text(r), className="fw-semibold small mb-1"),
            *_added(r),
            *_revised(r, rt.revisions(r)),
            *_withdrawn(r, rt.withdrawals(r)),
            _links(r, latest),
        ],
        className="release border rounded p-3 mb-3",
        **attrs({"aria-labelledby": heading_id}),
    )


def layout(store: DataStore, latest: int | None = None) -> html.Div:
    """The page for the releases the store knows (up to the one it shows), newest first; ``latest``: the
    data's latest release (default: the store's)."""
    releases = store.releases()
    latest = store.latest_release if latest is None else latest
    intro = html.P(
        [
            _(
                "Every import of figures is a numbered release: what it added, which figures it revised "
                "(the previous value is kept, with the reason) and which it withdrew. Newest first."
            ),
            " ",
            html.A(
                _("Follow the releases (Atom feed)"),
                href=with_lang(FEED_PATH),
                rel="alternate",
                className="feed-link",
            ),
        ],
        className="text-muted small",
    )
    body = (
        [release_section(r, latest) for r in releases]
        if releases
        else [html.P(_("No release is recorded for this data."), className="text-muted")]
    )
    return html.Div([html.H1(_("What's new"), className="h4"), intro, *body], className="releases-page")
