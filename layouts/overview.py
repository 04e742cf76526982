"""The overview page: one headline card per indicator, for its latest period with data."""

from __future__ import annotations

from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.catalogue import Indicator, catalogue
from dashboard.data import Change, DataStore, Figure, Headline
from dashboard.formatting import fmt_change_pct, fmt_value, not_reported, unit_word
from dashboard.i18n import N_, _, ngettext
from dashboard.sources_text import sources_line
from layouts.common import with_lang


def sparkline_svg(trend: tuple[Figure, ...], width: int = 120, height: int = 32) -> str | None:
    """A tiny inline SVG line of a trend (gaps stay gaps), as a data URI; None with under two points."""
    values = [f.value for f in trend]
    known = [v for v in values if v is not None]
    if len(known) < 2:
        return None
    lo, hi = min(known), max(known)
    span = (hi - lo) or 1.0
    step = width / max(len(values) - 1, 1)
    segments: list[list[str]] = []
    current: list[str] = []
    for i, v in enumerate(values):
        if v is None:
            if current:
                segments.append(current)
            current = []
            continue
        current.append(f"{i * step:.1f},{height - 3 - (v - lo) / span * (height - 6):.1f}")
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline fill="none" stroke="#0072B2" stroke-width="2" points="{" ".join(s)}"/>'
        if len(s) > 1
        else f'<circle cx="{s[0].split(",")[0]}" cy="{s[0].split(",")[1]}" r="2.5" fill="#0072B2"/>'
        for s in segments
    )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}">{lines}</svg>'
    return "data:image/svg+xml;utf8," + quote(svg)


# the comparison a change line states, with and without the period compared against
_AGAINST = {
    "prev": (N_("vs previous ({period}):"), N_("vs previous:")),
    "yoy": (N_("vs year earlier ({period}):"), N_("vs year earlier:")),
}


def _change_line(kind: str, ch: Change) -> html.Div:
    with_period, bare = _AGAINST[kind]
    if ch.value is None or ch.against is None:  # the same test: a change with a value has its "against"
        label = _(with_period).format(period=ch.against.period_label) if ch.against else _(bare)
        return html.Div([html.Span(label + " "), html.Span(not_reported(), className="text-muted")])
    tag = _("published") if ch.status == "published" else _("computed")
    cls = "text-success" if ch.value > 0 else ("text-danger" if ch.value < 0 else "")
    arrow = "▲" if ch.value > 0 else ("▼" if ch.value < 0 else "■")
    return html.Div(
        [
            html.Span(_(with_period).format(period=ch.against.period_label) + " "),
            html.Span(f"{arrow} {fmt_change_pct(ch.value)}", className=f"fw-semibold {cls}"),
            html.Span(f" {tag}", className="badge text-bg-light ms-1", title=ch.how or ""),
        ]
    )


def freshness_line(fresh) -> html.Div:
    """'Latest figure (any period): 2025 · possibly out of date', the full sentence as a tooltip."""
    parts: list = [_("Latest figure (any period): {period}").format(period=fresh.last_label or _("none"))]
    if fresh.possibly_stale:
        parts += [" ", html.Span(_("possibly out of date"), className="badge text-bg-warning fw-normal")]
    return html.Div(parts, title=fresh.note, className="small text-muted mt-1 freshness")


def _period_line(cur: Figure) -> str:
    """'Q2 2025', 'Q2 2025 (derived)', 'Q2 2025 · chosen among 2 sources'."""
    text = cur.period_label
    if cur.status == "derived":
        text = _("{period} (derived)").format(period=text)
    if cur.conflict:
        n = len(cur.alternatives)
        text += " · " + ngettext("chosen among {n} source", "chosen among {n} sources", n).format(n=n)
    return text


def card(ind: Indicator, h: Headline | None, sources: list[str], fresh=None) -> dbc.Col:
    href = with_lang(f"/explore?indicator={ind.id}")
    body: list[Component | None]  # Dash draws nothing for a None child
    if h is None:
        body = [
            html.H3(ind.short_title, className="h6"),
            html.P(_("No figure reported yet."), className="text-muted"),
        ]
    else:
        cur = h.current
        spark = sparkline_svg(h.trend)
        body = [
            html.H3(ind.short_title, className="h6 mb-1"),
            html.Div(
                [
                    html.Span(fmt_value(cur.value, cur.unit), className="headline-value"),
                    html.Span(
                        f" {unit_word(cur.value, cur.unit)}" if not catalogue().unit(cur.unit).short else "",
                        className="text-muted small",
                    ),
                ]
            ),
            html.Div(_period_line(cur), className="small text-muted mb-1"),
            html.Img(
                src=spark,
                alt=_("Trend of {indicator} over the last quarters").format(indicator=ind.short_title),
                className="spark",
            )
            if spark
            else None,
            html.Div(
                [_change_line("prev", h.change_prev), _change_line("yoy", h.change_yoy)],
                className="small",
            ),
            freshness_line(fresh) if fresh else None,
            html.Div(sources_line(sources, 2, compact=True), className="card-source small text-muted mt-1"),
        ]
    return dbc.Col(
        dcc.Link(
            dbc.Card(dbc.CardBody(body), className="h-100 shadow-sm headline-card"),
            href=href,
            className="text-reset text-decoration-none",
            title=_("Open {indicator} in the explorer").format(indicator=ind.title),
        ),
        xs=12,
        sm=6,
        lg=4,
        xxl=3,
        className="mb-3",
    )


def layout(store: DataStore, config: dcc.Graph.Config, fresh: dict | None = None) -> html.Div:
    cat = catalogue()
    sections = []
    for dom in cat.domains:
        cards = []
        for ind in cat.indicators_in(dom.id):
            h = store.headline(ind.id)
            sources = store.documents_for(h.current.source_ids) if h else []
            cards.append(card(ind, h, sources, (fresh or {}).get(ind.id)))
        sections.append(
            html.Section(
                [
                    html.H2(dom.title, className="h5 mt-2"),
                    html.P(dom.description, className="small text-muted"),
                    dbc.Row(cards, className="g-3"),
                ]
            )
        )
    return html.Div(
        [
            html.H1(_("Migration in Kazakhstan: latest figures"), className="h4"),
            html.P(
                _(
                    "Each card shows the latest period with a published total, its change against the "
                    "previous period and a year earlier (published by the source where it printed one, "
                    "otherwise computed here), and the source. Click a card to explore it."
                ),
                className="text-muted small",
            ),
            *sections,
        ]
    )
