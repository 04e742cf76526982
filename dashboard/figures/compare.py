"""The compare mode's charts (chart kinds "compare_bars" and "slope"): two periods' rankings as grouped
horizontal bars, and the top countries' change between the two as a slope chart. Input: a
``dashboard.compare.Comparison`` (both periods' breakdown rows, country by country)."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go

from dashboard import theme
from dashboard.catalogue import Indicator
from dashboard.compare import Comparison, Row
from dashboard.data import DERIVED
from dashboard.figures.common import (
    TEMPLATE,
    _conflict_legend,
    _esc,
    _finish,
    _hover,
    _measure_unit,
    _name,
    _note,
    _provenance,
    _title,
    _unit,
    _with_title,
    counterpart_phrase,
    empty_figure,
    new_figure,
    value_text,
)
from dashboard.figures.ranking import BAR_PX, bar_trace, derived_note
from dashboard.formatting import fmt_change_pct
from dashboard.i18n import _

SLOPE_TOP = 8  # countries drawn in the slope chart: beyond this the lines cannot be told apart
CURRENT_COLOR = theme.PALETTE[0]  # the view's period
BASE_COLOR = theme.PALETTE[4]  # the period compared with (lighter: the earlier / other one)


def _subtitle(indicator: Indicator, c: Comparison) -> str:
    return " · ".join(p for p in (_measure_unit(c.measure, c.unit), counterpart_phrase(indicator)) if p)


def _refused(c: Comparison, title: str, subtitle: str) -> go.Figure | None:
    """The figure saying why nothing is drawn: the periods cannot be compared, or nothing is listed."""
    if not c.ok:
        message = (c.message or _("{period} has nothing to compare with.").format(period=c.label)).rstrip(".")
        return _with_title(_wrapped_message(empty_figure(message), message), title, subtitle)
    if not c.rows:
        message = _("No figures by country reported for {period} or {other}").format(
            period=c.label, other=c.other_label
        )
        return _with_title(_wrapped_message(empty_figure(message), message), title, subtitle)
    return None


def _not_listed(rows: list[Row], side: str, when: str, yshift: int) -> list[dict]:
    """'Not listed in Q1 2023: …' under the bars, for the countries with no bar of that period (never 0)."""
    missing = [_name(r.country) for r in rows if r.value(side) is None]
    if not missing:
        return []
    names = ", ".join(missing[:6]) + ("…" if len(missing) > 6 else "")
    text = _("Not listed in {period}: {names}").format(period=when, names=names)
    return [_note(_esc(text), x=0, y=0, xanchor="left", yanchor="top", yshift=yshift)]


def _wrapped_message(fig: go.Figure, message: str) -> go.Figure:
    """The empty figure's message in lines that fit a half-width card."""
    fig.layout.annotations[0].text = "<br>".join(_esc(line) for line in textwrap.wrap(message, 48))
    return fig


def compare_bars(c: Comparison, indicator: Indicator) -> go.Figure:
    """Both periods' figures by country, the view's period on top of each pair, largest first (by the view's
    period, then by the other). A country listed in one period only says so instead of a bar."""
    u = _unit(c.unit)
    title = _("{title}: {period} and {other}").format(
        title=indicator.title, period=c.label, other=c.other_label or "…"
    )
    subtitle = _subtitle(indicator, c)
    refused = _refused(c, title, subtitle)
    if refused is not None:
        return refused
    rows = list(c.rows)
    traces = []
    for side, label, color in (("current", c.label, CURRENT_COLOR), ("base", c.other_label, BASE_COLOR)):
        listed = [getattr(r, side) for r in rows if getattr(r, side) is not None]
        traces.append(bar_trace(listed, u, _esc(label), color, when=label, short=True))
    n_conflicts = sum(bool(r.get("conflict")) for t in (c.frames or ()) for r in t.iter_rows(named=True))
    n_derived = sum(r.derived for r in rows)
    values = [v for r in rows for v in (r.value("current"), r.value("base")) if v is not None]
    top = max(values)
    fig = new_figure(
        [*traces, _conflict_legend()] if n_conflicts else traces,
        dict(
            template=TEMPLATE,
            title=_title(title, subtitle),
            barmode="group",
            yaxis={
                "autorange": "reversed",
                "automargin": True,
                "type": "category",
                "categoryorder": "array",
                "categoryarray": [_esc(_name(r.country)) for r in rows],
            },
            xaxis={
                "title": {"text": _esc(u.label)},
                "range": [min(0.0, *values), top * 1.3 if top > 0 else 1],
                "tickformat": ",",
            },
            annotations=_not_listed(rows, "current", c.label, -48)
            + _not_listed(rows, "base", c.other_label, -62)
            + derived_note(n_derived, yshift=-76),
            showlegend=True,  # which bar is which period
            legend={"traceorder": "normal"},  # the template puts it at the bottom
            margin={"l": 16, "r": 24, "t": 16, "b": 110},
            meta={
                "indicator": indicator.id,
                "unit": u.id,
                "periods": [c.period, c.other],
                "countries": [r.country for r in rows],
                "conflicts": n_conflicts,
                "height": 140 + 2 * BAR_PX * len(rows),
            },
        ),
    )
    return _finish(fig)


def _slope_hover(r: Row, c: Comparison) -> str:
    u = _unit(c.unit)
    change = r.change
    lines = [
        f"<b>{_esc(_name(r.country))}</b>",
        f"{_esc(c.other_label)}: {value_text(r.value('base'), u)}",
        f"{_esc(c.label)}: {value_text(r.value('current'), u)}",
    ]
    if change is not None:
        sign = "+" if change > 0 else ("−" if change < 0 else "")
        lines.append(
            _("change: {change} ({pct})").format(
                change=sign + value_text(abs(change), u), pct=fmt_change_pct(r.change_pct)
            )
        )
    for row in (r.base, r.current):
        if row is not None:
            lines += _provenance(row, u)
    return _hover(*lines)


def _slope_line(i: int, r: Row, c: Comparison) -> go.Scatter:
    """One country: its value in the other period (left) to the view's period (right); a derived end is an
    open marker; the country's name and value are written at the right end."""
    u = _unit(c.unit)
    color = theme.LINE_PALETTE[i % len(theme.LINE_PALETTE)]
    symbol = theme.SERIES_SYMBOLS[i % len(theme.SERIES_SYMBOLS)]
    ends = (r.base, r.current)
    symbols = [symbol + ("-open" if row and row["status"] == DERIVED else "") for row in ends]
    mark = f" {theme.CONFLICT_MARK}" if r.conflict else ""
    return go.Scatter(
        name=_esc(_name(r.country)),
        x=[c.other_label, c.label],
        y=[r.value("base"), r.value("current")],
        mode="lines+markers",
        text=["", f"{_esc(_name(r.country))}: {value_text(r.value('current'), u)}{mark}"],  # the summary's
        line={"color": color, "width": 2, "dash": theme.SERIES_DASHES[i % len(theme.SERIES_DASHES)]},
        marker={"symbol": symbols, "size": 10, "color": color, "line": {"color": color, "width": 2}},
        hovertext=[_slope_hover(r, c)] * 2,
        hovertemplate="%{hovertext}<extra></extra>",
        customdata=[r.country, r.country],
        showlegend=False,
        meta={"country": r.country},
    )


def _end_labels(shown: list[Row], c: Comparison) -> list[dict]:
    """Each line's country at its right end, moved apart where values are close (a label's height is about a
    twentieth of the axis), with a ‡ where a value was chosen among differing sources."""
    values = [v for r in shown for v in (r.value("current"), r.value("base")) if v is not None]
    gap = (max(values) - min(0.0, *values)) / 18 or 1.0
    out, last = [], None
    for i, r in sorted(enumerate(shown), key=lambda p: -(p[1].value("current") or 0.0)):
        y = r.value("current") or 0.0
        y = y if last is None else min(y, last - gap)
        last = y
        mark = f" {theme.CONFLICT_MARK}" if r.conflict else ""
        out.append(
            _note(
                _esc(_name(r.country)) + mark,
                x=c.label,
                xref="x",
                y=y,
                yref="y",
                xanchor="left",
                xshift=10,
                font={"size": theme.NOTE_SIZE + 1, "color": theme.LINE_PALETTE[i % len(theme.LINE_PALETTE)]},
            )
        )
    return out


def slope(c: Comparison, indicator: Indicator) -> go.Figure:
    """The top countries (by either period) listed in both periods, a line each from the other period to the
    view's; a country listed in one period only has no line (no change can be drawn) and is named below."""
    title = _("{title}: change by country").format(title=indicator.title)
    subtitle = _subtitle(indicator, c)
    refused = _refused(c, title, subtitle)
    if refused is not None:
        return refused
    both = [r for r in c.rows if r.change is not None]
    both.sort(key=lambda r: -max(r.value("current") or 0.0, r.value("base") or 0.0))
    shown = both[:SLOPE_TOP]
    if not shown:
        message = _("No country is listed in both {period} and {other}").format(
            period=c.label, other=c.other_label
        )
        return _with_title(empty_figure(message), title, subtitle)
    u = _unit(c.unit)
    notes = []
    one_side = [r for r in c.rows if r.change is None]
    if one_side:
        names = ", ".join(_name(r.country) for r in one_side[:6]) + ("…" if len(one_side) > 6 else "")
        notes.append(
            _note(
                _esc(_("Listed in one period only: {names}").format(names=names)),
                x=0,
                y=0,
                xanchor="left",
                yanchor="top",
                yshift=-30,
            )
        )
    fig = new_figure(
        [_slope_line(i, r, c) for i, r in enumerate(shown)],
        dict(
            template=TEMPLATE,
            title=_title(title, subtitle),
            xaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": [c.other_label, c.label],
                "showgrid": False,
                "range": [-0.15, 1.6],  # room for the names at the right end
            },
            yaxis={"title": {"text": _esc(u.label)}, "tickformat": ",", "rangemode": "tozero"},
            annotations=notes + _end_labels(shown, c),
            showlegend=False,
            margin={"l": 56, "r": 16, "t": 16, "b": 64},
            meta={
                "indicator": indicator.id,
                "unit": u.id,
                "periods": [c.other, c.period],
                "countries": [r.country for r in shown],
                "conflicts": sum(r.conflict for r in shown),
                "quarters": [c.other, c.period],  # read as lines from one period to the other (a11y.py)
            },
        ),
    )
    return _finish(fig)
