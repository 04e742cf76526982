"""The explorer's compare mode: the mode switch, and the section with the two periods' charts and the table of
changes by country (sortable by either value, the change and the relative change; assets/compare_table.js
sorts it in the browser). No data is read here: dashboard/compare.py computes the comparison."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import charts
from dashboard.catalogue import catalogue
from dashboard.compare import COMPARE, Comparison, Row
from dashboard.countries import country_name
from dashboard.formatting import fmt_change_pct, fmt_value
from dashboard.i18n import _
from dashboard.ids import Ids
from dashboard.state import ExplorerState
from layouts.attrs import attrs
from layouts.common import chart_card, dropdown_labels, html_slot

LEGEND_CLASS = "form-label small fw-semibold mb-1 float-none"


def mode_switch(state: ExplorerState) -> html.Fieldset:
    """Explore (the charts of one period) or compare two periods."""
    return html.Fieldset(
        [
            html.Legend(_("View"), className=LEGEND_CLASS + " me-2 d-inline"),
            dbc.RadioItems(
                id=Ids.MODE,
                name=Ids.MODE,
                options=[
                    {"label": _("Explore one period"), "value": "explore"},
                    {"label": _("Compare two periods"), "value": COMPARE},
                ],
                value=state.mode,
                inline=True,
                className="small d-inline",
            ),
        ],
        className="mb-2",
    )


def _signed(value: float | None, unit: str) -> str:
    if value is None:
        return "–"  # no change can be stated (one side not listed): not a "not reported" figure
    u = catalogue().unit(unit)
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + fmt_value(abs(value), u)


def _cell(text: str, value: float | None) -> html.Td:
    """A number cell; ``data-value`` is what the column sorts by (empty: not reported, sorted last)."""
    return html.Td(text, className="text-end", **attrs({"data-value": "" if value is None else repr(value)}))


def _row(r: Row, unit: str) -> html.Tr:
    u = catalogue().unit(unit)
    a, b = r.value("current"), r.value("base")
    marks = (" *" if r.derived else "") + (" ‡" if r.conflict else "")
    return html.Tr(
        [
            html.Th(
                country_name(r.country) + marks, scope="row", **attrs({"data-value": country_name(r.country)})
            ),
            _cell(fmt_value(b, u) if b is not None else _("not listed"), b),
            _cell(fmt_value(a, u) if a is not None else _("not listed"), a),
            _cell(_signed(r.change, unit), r.change),
            _cell(fmt_change_pct(r.change_pct) if r.change_pct is not None else "–", r.change_pct),
        ]
    )


def _header(text: str, col: int, numeric: bool, sort: str | None = None) -> html.Th:
    """A column heading whose button sorts the table by it (aria-sort says how it is sorted now)."""
    button = html.Button(
        text,
        type="button",
        className="btn btn-link btn-sm p-0 text-reset fw-semibold compare-sort",
        **attrs({"data-col": str(col), "data-numeric": "1" if numeric else "0"}),
    )
    extra = {"aria-sort": sort} if sort else {}
    return html.Th(button, scope="col", className="text-end" if numeric else "", **attrs(extra))


def table(c: Comparison) -> html.Div | html.P:
    """Every country of either period: both values, the change and the relative change; the refusal when the
    periods cannot be compared."""
    if not c.ok:
        return html.P(c.message or "", className="small mb-0")
    if not c.rows:
        return html.P(
            _("No figures by country reported for {period} or {other}").format(
                period=c.label, other=c.other_label
            ),
            className="small mb-0",
        )
    unit = catalogue().unit(c.unit).label
    head = html.Tr(
        [
            _header(_("Country"), 0, False),
            _header(f"{c.other_label} ({unit})", 1, True),
            _header(f"{c.label} ({unit})", 2, True, "descending"),
            _header(_("Change"), 3, True),
            _header(_("Change, %"), 4, True),
        ]
    )
    notes = [_("Click a column's heading to sort by it; click again to reverse.")]
    if any(r.derived for r in c.rows):
        notes.append(_("* derived (computed here), not published as such."))
    if any(r.conflict for r in c.rows):
        notes.append(_("‡ chosen among sources that differ."))
    return html.Div(
        [
            html.Table(
                [
                    html.Caption(
                        _("{period} compared with {other}, by country").format(
                            period=c.label, other=c.other_label
                        )
                    ),
                    html.Thead(head),
                    html.Tbody([_row(r, c.unit) for r in c.rows]),
                ],
                className="table table-sm small mb-1 compare-table",
            ),
            html.P(" ".join(notes), className="small text-muted mb-0"),
        ],
        className="table-responsive",
    )


def heading(c: Comparison) -> str:
    """What the section compares, or why it cannot."""
    if not c.ok:
        return _("These two periods cannot be compared.")
    return _("{period} compared with {other}").format(period=c.label, other=c.other_label)


def section(
    state: ExplorerState, vs_options: list[dict], config: dcc.Graph.Config, chart_column
) -> html.Section:
    """The compare mode's section (hidden in the explorer's own mode; assets follow the state)."""
    kinds = [k for k in charts.KINDS if k.mode == COMPARE]
    control = html.Div(
        [
            html.Label(
                _("Compared with"), htmlFor=Ids.COMPARE_VS, className="form-label small fw-semibold mb-0 me-2"
            ),
            html.Div(
                dcc.Dropdown(
                    labels=dropdown_labels(),
                    id=Ids.COMPARE_VS,
                    options=vs_options,
                    value=state.vs,
                    clearable=False,
                ),
                className="explain-vs",
            ),
        ],
        className="d-flex align-items-center flex-wrap gap-1 mb-2",
    )
    return html.Section(
        [
            html.H2(_("Two periods compared"), className="h5 mb-1"),
            control,
            html.P(id=Ids.COMPARE_HEADING, className="small mb-2", role="status"),
            dbc.Row([chart_column(k, config) for k in kinds], className="g-3"),
            html.Div(
                chart_card(
                    _("Change by country, both periods"), html_slot(Ids.COMPARE_TABLE, Ids.COMPARE_TABLE_HTML)
                ),
                className="mt-3 mb-3",
            ),
            dcc.Store(id=Ids.COMPARE_TABLE_HTML),
        ],
        id=Ids.COMPARE_SECTION,
        hidden=state.mode != COMPARE,
        className="mb-3",
        **attrs({"aria-label": _("Two periods compared")}),
    )
