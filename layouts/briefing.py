"""The quarterly briefing page, ``/briefing?period=2023-Q2``: one quarter laid out as an A4 document.

The content comes from ``dashboard.briefing.build_briefing``; this module only lays it out, in the language in
force (the router calls ``layout`` inside ``i18n.use(lang)``; links keep ``lang=``). Print styles
(A4 page, what is hidden on paper, where pages may break) are in ``assets/briefing.css``, scoped to
``.briefing``. Charts are static (``staticPlot``): a briefing is read, not explored.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

import dash_bootstrap_components as dbc
from babel.dates import format_date
from dash import dcc, html

from dashboard import i18n
from dashboard.a11y import summarize
from dashboard.briefing import (
    FINDINGS_ID,
    FINDINGS_TITLE,
    SOURCES_ID,
    SOURCES_TITLE,
    Briefing,
    Chart,
    Comparison,
    HeadlineRow,
    Section,
    SourceEntry,
    build_briefing,
)
from dashboard.data import DataStore
from dashboard.figures.events import event_notes
from dashboard.i18n import _
from dashboard.periods import parse_period
from layouts.attrs import attrs
from layouts.common import with_lang
from layouts.office import briefing_buttons

PATH = "/briefing"
CHART_HEIGHT = "310px"


def period_from_search(search: str | None) -> str | None:
    """The ``period`` parameter of a query string ('?period=2023-Q2'), or None."""
    values = parse_qs((search or "").lstrip("?")).get("period")
    return values[0] if values else None


def href(quarter: str) -> str:
    """The briefing of a quarter, in the language in force."""
    return with_lang(f"{PATH}?period={quarter}")


def quarter_short(quarter: str) -> str:
    """'Q2' in the language in force (Russian '2-й кв.', Kazakh 'ІІ тқс.'), by Babel."""
    return format_date(parse_period(quarter, "quarter").start, "QQQ", locale=i18n.current())


def long_date(d: date) -> str:
    """'1 August 2023' in the language in force (Babel)."""
    return format_date(d, "d MMMM y", locale=i18n.current())


# -- pieces -----------------------------------------------------------------------------------------------
def _refs(numbers: tuple[int, ...]) -> str:
    return "[" + ", ".join(str(n) for n in numbers) + "]" if numbers else ""


def _ref_span(numbers: tuple[int, ...]) -> html.Span | None:
    if not numbers:
        return None
    return html.Span(
        " " + _refs(numbers),
        className="briefing-ref",
        title=_("Documents in the Sources list at the end"),
    )


def quarter_nav(b: Briefing) -> html.Nav | None:
    """Links to the other quarters (a quarter without any figure is shown but not linked)."""
    if not b.choices:
        return None
    years: dict[str, list] = {}
    for c in b.choices:
        year = c.quarter.split("-")[0]
        q = quarter_short(c.quarter)
        item: html.Span | html.A
        if c.quarter == b.quarter:
            item = html.Span(q, className="briefing-q current", **attrs({"aria-current": "page"}))
        elif c.has_data:
            item = html.A(q, href=href(c.quarter), className="briefing-q", title=c.label)
        else:
            item = html.Span(
                q,
                className="briefing-q empty",
                title=_("No figures reported for {quarter}").format(quarter=c.label),
            )
        years.setdefault(year, []).append(item)
    groups = [
        html.Span([html.Span(y, className="briefing-year"), *items], className="me-3")
        for y, items in years.items()
    ]
    return html.Nav(
        [html.Span(_("Quarter:") + " ", className="me-1"), *groups],
        className="briefing-quarters d-print-none",
        **attrs({"aria-label": _("Quarters")}),
    )


def _header(b: Briefing) -> html.Header:
    as_of = (
        " " + _("The newest source document is dated {date}.").format(date=long_date(b.latest_source_date))
        if b.latest_source_date
        else ""
    )
    return html.Header(
        [
            html.P(
                _("Migration Tracking Matrix · Kazakhstan · quarterly briefing"), className="briefing-kicker"
            ),
            html.H1(
                _("Migration in Kazakhstan, {quarter}").format(quarter=b.label), className="briefing-title"
            ),
            html.P(b.months_label, className="briefing-subtitle"),
            html.P(
                _(
                    "Every figure below is taken from a cited document; the numbers in brackets refer to "
                    "the Sources at the end. Changes are as published by the source where it printed one "
                    "with the level, otherwise computed here (marked computed); values marked derived were "
                    "computed here from published figures. Not reported is not zero."
                ),
                className="briefing-intro",
            ),
            html.P(
                _("Generated on {date} from data version {version}.").format(
                    date=long_date(date.today()), version=b.data_version
                )
                + as_of,
                className="briefing-meta",
            ),
        ],
        className="briefing-header",
    )


def _findings(b: Briefing) -> html.Section:
    body: html.Ol | html.P
    if b.findings:
        body = html.Ol(
            [
                html.Li(
                    [
                        html.A(f.text, href=with_lang(f.href), className="briefing-explain")
                        if f.href
                        else f.text,
                        *[
                            html.Div(_("Note: {note}").format(note=c), className="briefing-caveat")
                            for c in f.caveats
                        ],
                    ],
                    **attrs({"data-rule": f.rule}),
                )
                for f in b.findings
            ],
            className="briefing-findings",
        )
    else:
        body = html.P(
            _("No figure was reported for {quarter}, so no finding can be written.").format(quarter=b.label),
            className="briefing-empty",
        )
    return html.Section(
        [html.H2(_(FINDINGS_TITLE), id=f"{FINDINGS_ID}-title"), body],
        id=FINDINGS_ID,
        className="briefing-section",
    )


def _comparison_cell(c: Comparison) -> html.Td:
    parts: list = [html.Div(c.level_text, className="briefing-level")]
    if c.change.value is not None:
        parts.append(
            html.Div(
                [
                    html.Span(c.change_text, className="briefing-change"),
                    " ",
                    html.Span(c.basis, className="briefing-basis", title=c.how),
                ]
            )
        )
    return html.Td(parts)


def _row(r: HeadlineRow) -> list[html.Tr]:
    value_cell = [html.Div(r.value_text, className="briefing-value")]
    value_cell += [html.Div(f"= {a}", className="briefing-also") for a in r.also]
    value_cell += [html.Div(n, className="briefing-note") for n in r.notes]
    rows = [
        html.Tr(
            [
                html.Th([r.title, _ref_span(r.sources)], scope="row"),
                html.Td(value_cell),
                *[_comparison_cell(c) for c in r.comparisons],
            ],
            className="briefing-headline",
            **attrs({"data-indicator": r.facts.indicator.id}),
        )
    ]
    if r.details:
        rows.append(
            html.Tr(
                html.Td([html.Div(d) for d in r.details], colSpan=4),
                className="briefing-details",
            )
        )
    return rows


def _table(s: Section, b: Briefing) -> html.Div:
    first = s.rows[0].comparisons
    head = html.Thead(
        html.Tr(
            [
                html.Th(_("Indicator"), scope="col"),
                html.Th(b.label, scope="col"),
                *[
                    html.Th(
                        _("{comparison} ({quarter})").format(comparison=c.against, quarter=c.period_label),
                        scope="col",
                    )
                    for c in first
                ],
            ]
        )
    )
    return html.Div(
        html.Table(
            [head, html.Tbody([tr for r in s.rows for tr in _row(r)])],
            className="table table-sm briefing-table",
        ),
        className="table-responsive",
        tabIndex="0",
        role="region",
        **attrs({"aria-label": _("{section}: headline figures").format(section=s.title)}),
    )


def _chart(c: Chart, config: dcc.Graph.Config) -> html.Div:
    # a static picture: role=img named by its alt text, described by a visually hidden summary of its numbers
    summary_id = f"chart-{c.key}-summary"
    events = event_notes(c.figure)
    return html.Div(
        [
            html.Div(
                dcc.Graph(
                    figure=c.figure,
                    config={**config, "staticPlot": True, "displayModeBar": False},
                    style={"height": CHART_HEIGHT},
                    className="briefing-graph",
                ),
                role="img",
                **attrs({"aria-label": c.alt, "aria-describedby": summary_id}),
            ),
            html.P(summarize(c.figure), id=summary_id, className="visually-hidden"),
            # a printed chart has no hover: the events it marks are written under it
            *([html.Ul([html.Li(n) for n in events], className="briefing-events")] if events else []),
        ],
        className="briefing-chart",
        **attrs({"data-chart": c.key}),
    )


def _section(s: Section, b: Briefing, config: dcc.Graph.Config) -> html.Section:
    children: list = [
        html.H2(s.title, id=f"{s.id}-title"),
        html.P(s.description, className="briefing-description"),
    ]
    if not s.has_data:
        children.append(
            html.P(
                [
                    s.missing or _("Nothing was reported for {quarter}.").format(quarter=b.label),
                    _ref_span(s.sources),
                ],
                className="briefing-empty",
            )
        )
    else:
        children.append(_table(s, b))
        if s.missing:
            children.append(html.P(s.missing, className="briefing-missing"))
        if s.charts:
            children.append(
                html.Div([_chart(c, config) for c in s.charts], className=f"briefing-charts n{len(s.charts)}")
            )
        if s.sources:
            children.append(
                html.P(
                    _("Sources: {numbers}").format(numbers=_refs(s.sources)),
                    className="briefing-section-sources",
                )
            )
    return html.Section(
        children,
        id=s.id,
        className="briefing-section",
        **attrs({"data-has-data": "true" if s.has_data else "false"}),
    )


def _source_item(e: SourceEntry) -> html.Li:
    published = ""
    if e.published:
        published = long_date(e.published)
        if e.published_basis == "estimated":
            published = _("{date} (estimated)").format(date=published)
    agencies = "; ".join(e.agencies)  # agency and publisher names are cited as the documents give them
    line = (
        _("Agency: {agencies}. Published by {publisher}, {date}.").format(
            agencies=agencies, publisher=e.publisher, date=published
        )
        if published
        else _("Agency: {agencies}. Published by {publisher}.").format(
            agencies=agencies, publisher=e.publisher
        )
    )
    link = (
        html.A(e.url, href=e.url, className="briefing-url", rel="noopener", target="_blank")
        if e.url
        else html.Span(
            _("No web link: read from the plain-text extraction of the report supplied with the data.")
        )
    )
    return html.Li(
        [
            html.Span(f"[{e.number}] ", className="briefing-ref"),
            html.Span(e.document, className="briefing-doc"),
            html.Br(),
            html.Span(line + " "),
            link,
        ],
        id=f"source-{e.number}",
    )


def _sources(b: Briefing) -> html.Section:
    body = (
        html.Ol([_source_item(e) for e in b.sources], className="briefing-sources")
        if b.sources
        else html.P(
            _("No document was used: nothing was reported for this quarter."), className="briefing-empty"
        )
    )
    return html.Section(
        [html.H2(_(SOURCES_TITLE), id=f"{SOURCES_ID}-title"), body],
        id=SOURCES_ID,
        className="briefing-section",
    )


# -- the page ---------------------------------------------------------------------------------------------
def render(b: Briefing, config: dcc.Graph.Config) -> html.Div:
    notice = (
        html.Div(
            dbc.Alert(
                [html.Strong(_("Note:") + " "), b.notice], color="warning", className="briefing-notice mb-2"
            ),
            role="status",
        )
        if b.notice
        else None
    )
    if b.quarter is None:
        return html.Div([html.H1(_("Quarterly briefing"), className="h4"), notice], className="briefing")
    return html.Div(
        [
            quarter_nav(b),
            briefing_buttons(b.quarter),
            notice,
            _header(b),
            _findings(b),
            *[_section(s, b, config) for s in b.sections],
            _sources(b),
        ],
        className="briefing",
        **attrs({"data-period": b.quarter}),
    )


def layout(store: DataStore, period: str | None, config: dcc.Graph.Config) -> html.Div:
    """The /briefing page for a period id (None or invalid: the latest quarter with data, with a notice), in
    the language in force."""
    return render(build_briefing(store, period), config)
