"""Quarterly lines, one per country (chart kind "series", the trend)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.catalogue import Indicator, Unit, catalogue
from dashboard.countries import TOTAL
from dashboard.data import DERIVED
from dashboard.events import events as declared_events
from dashboard.figures import events as event_marks
from dashboard.figures.common import (
    TEMPLATE,
    _conflict_key,
    _esc,
    _finish,
    _hover,
    _measure_unit,
    _missing,
    _name,
    _provenance,
    _title,
    _unit,
    _with_title,
    empty_figure,
    new_figure,
    value_text,
)
from dashboard.formatting import not_reported
from dashboard.i18n import _
from dashboard.periods import parse_period
from dashboard.periods import period_label as _period_label


@dataclass
class _Plot:
    """The quarters on the x axis, and what the lines leave for the rest of the chart: the unreported points
    for the strip under it, the values chosen among differing sources for the ‡ rings, the quarters no line
    reported (greyed), the values seen (for the axis range) and whether any point is derived."""

    quarters: list[str]
    labels: list[str]
    unit: Unit
    reported_any: list[bool]
    gaps: dict[str, list] = field(default_factory=lambda: {"x": [], "y": [], "text": [], "color": []})
    conflicts: dict[str, list] = field(default_factory=lambda: {"x": [], "y": []})
    values_seen: list[float] = field(default_factory=list)
    any_derived: bool = False


def _quarter_label(qid: str) -> str:
    return _period_label(parse_period(qid, "quarter"))


def _runs(indices: Sequence[int]) -> list[tuple[int, int]]:
    """Contiguous runs of sorted integers, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _line(plot: _Plot, ci: int, code: str, name: str, color: str, rows: pl.DataFrame) -> go.Scatter:
    """One country's line (``rows``: its rows of the series); its gaps and marks are noted in ``plot``."""
    symbol, dash = theme.series_style(ci)
    by_q = {r["period"]: r for r in rows.iter_rows(named=True)}
    ys: list[float | None] = []
    symbols: list[str] = []
    texts: list[str] = []
    for qi, (q, label) in enumerate(zip(plot.quarters, plot.labels, strict=True)):
        r = by_q.get(q)
        v = None if r is None or _missing(r["value"]) else float(r["value"])
        ys.append(v)
        if r is None or v is None:  # the same test: v is None whenever r is
            symbols.append(symbol)
            texts.append("")
            plot.gaps["x"].append(label)
            plot.gaps["y"].append(ci)
            plot.gaps["text"].append(f"<b>{_esc(name)}</b>, {label}: {not_reported()}")
            plot.gaps["color"].append(color)
            continue
        plot.reported_any[qi] = True
        plot.values_seen.append(v)
        derived = r["status"] == DERIVED
        plot.any_derived |= derived
        symbols.append(f"{symbol}-open" if derived else symbol)
        texts.append(
            _hover(f"<b>{_esc(name)}</b>, {label}", value_text(v, plot.unit), *_provenance(r, plot.unit))
        )
        if r.get("conflict"):
            plot.conflicts["x"].append(label)
            plot.conflicts["y"].append(v)
    return go.Scatter(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        name=_esc(name),
        x=plot.labels,
        y=ys,
        customdata=plot.quarters,
        text=texts,
        hovertemplate="%{text}<extra></extra>",
        mode="lines+markers",
        connectgaps=False,
        line={"color": color, "width": 2, "dash": dash},
        marker={"color": color, "size": 8, "symbol": symbols, "line": {"color": color, "width": 2}},
        legendgroup=code,
        meta={"country": code},
    )


def _derived_key() -> go.Scatter:
    """A legend-only entry for the open marker of a derived value."""
    return go.Scatter(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        name=_("derived (computed here)"),
        x=[None],
        y=[None],
        mode="markers",
        marker={
            "symbol": "circle-open",
            "size": 8,
            "color": theme.MUTED_TEXT_COLOR,
            "line": {"width": 2},
        },
        hoverinfo="skip",
    )


def _conflict_rings(conflicts: dict[str, list]) -> go.Scatter:
    """A dark ring and ‡ over each value chosen among differing sources (also the mark's legend entry)."""
    return go.Scatter(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        name=_conflict_key(),
        x=conflicts["x"],
        y=conflicts["y"],
        mode="markers+text",
        text=[theme.CONFLICT_MARK] * len(conflicts["x"]),
        textposition="top center",
        textfont={"size": 14, "color": theme.OUTLINE_COLOR},
        marker={
            "symbol": "circle-open",
            "size": 17,
            "color": theme.OUTLINE_COLOR,
            "line": {"width": 1.5, "color": theme.OUTLINE_COLOR},
        },
        hoverinfo="skip",  # the point under the ring keeps its hover and click
        cliponaxis=False,
        meta={"role": "conflict"},
    )


def _gap_strip(gaps: dict[str, list]) -> go.Scatter:
    """An "×" per unreported (country, quarter), on the strip's own axis under the plot."""
    return go.Scatter(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        name=not_reported(),
        x=gaps["x"],
        y=gaps["y"],
        yaxis="y2",
        mode="markers",
        text=gaps["text"],
        hovertemplate="%{text}<extra></extra>",
        marker={
            "symbol": "x-thin-open",
            "size": 9,
            "color": gaps["color"],
            "line": {"width": 1.5, "color": gaps["color"]},
        },
        meta={"role": "not_reported"},
    )


def _unreported_bands(reported_any: list[bool]) -> list[dict]:
    """A light grey band over the quarters where no plotted country reported anything."""
    return [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": a - 0.5,
            "x1": b + 0.5,
            "y0": 0,
            "y1": 1,
            "fillcolor": theme.NOT_REPORTED_COLOR,
            "opacity": 0.5,
            "line": {"width": 0},
            "layer": "below",
        }
        for a, b in _runs([i for i, seen in enumerate(reported_any) if not seen])
    ]


def _value_axis(measure: str, plot: _Plot) -> dict[str, Any]:
    """The y axis; a level (not a change) of values that are all >= 0 starts at 0."""
    measures = catalogue().measures
    level = catalogue().measure(measure).level if measure in {m.id for m in measures} else False
    yaxis: dict[str, Any] = {
        "title": {"text": _esc(plot.unit.label)},
        "tickformat": ",",
        "separatethousands": True,
    }
    if level and min(plot.values_seen) >= 0:
        yaxis["rangemode"] = "tozero"
    return yaxis


def _strip_axis(n: int) -> dict[str, Any]:
    """The "not reported" strip's axis: one row per line, no value scale."""
    return {
        "domain": [0.0, min(0.05 + 0.03 * n, 0.2)],
        "range": [-0.6, n - 0.4],
        "fixedrange": True,
        "showgrid": False,
        "zeroline": False,
        "showline": False,
        "ticks": "",
        "tickvals": [(n - 1) / 2],
        "ticktext": [f"<i>{not_reported()}</i>"],
        "tickfont": {"size": theme.NOTE_SIZE, "color": theme.MUTED_TEXT_COLOR},
    }


def _layout(
    plot: _Plot, indicator: Indicator, measure: str, subtitle: str, n_lines: int, strip: bool
) -> dict[str, Any]:
    yaxis = _value_axis(measure, plot)
    layout: dict[str, Any] = {
        "template": TEMPLATE,
        "title": _title(indicator.title, subtitle),
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": plot.labels,
            "showgrid": False,
        },
        "yaxis": yaxis,
        "shapes": _unreported_bands(plot.reported_any),
        "hovermode": "closest",
        # one line needs no legend unless a mark needs its key; the "not reported" strip has its own axis
        "showlegend": n_lines > 1 or plot.any_derived or bool(plot.conflicts["x"]),
        "meta": {
            "indicator": indicator.id,
            "measure": measure,
            "unit": plot.unit.id,
            "quarters": plot.quarters,
            "conflicts": len(plot.conflicts["x"]),
        },
    }
    if strip:
        strip_axis = _strip_axis(n_lines)
        yaxis["domain"] = [strip_axis["domain"][1] + 0.06, 1.0]
        layout["xaxis"]["anchor"] = "y2"
        layout["yaxis2"] = strip_axis
    return layout


def time_series(
    series: pl.DataFrame,
    indicator: Indicator,
    measure: str,
    unit: str,
    names: dict[str, str] | None = None,
    events: bool = True,
) -> go.Figure:
    """Quarterly lines, one per country (rows = ``DataStore.series(..., granularity="quarter")``).

    Gaps are not bridged. Unreported quarters are shown honestly, never as 0:
    * a thin strip under the plot, on its own axis with no value scale, holds an "×" per unreported
      (country, quarter) with hover "not reported" — it sits outside the value axis, so it cannot be read as
      a value of 0;
    * quarters where no plotted country reported anything get a light grey band over the whole plot.
    Each line has its own colour (>= 3:1 on white), marker symbol and dash (theme.series_style). Derived
    points are open markers with "derived: …" in the hover; a value chosen among differing sources gets a
    dark ring and "‡" (one extra trace, also its legend entry). Each real point's ``customdata`` is the
    quarter id (e.g. "2023-Q2") for drill-down. With ``events``, the events declared for the indicator
    (dashboard/events.yaml) are marked on the quarters that hold them (dashboard/figures/events.py).
    """
    u = _unit(unit)
    subtitle = _("{measure_unit}, by quarter").format(measure_unit=_measure_unit(measure, u))
    if series.is_empty() or series["value"].is_null().all():
        return _with_title(
            empty_figure(_("Not reported for any quarter in this range")), indicator.title, subtitle
        )

    order = series.select("period", "period_start").unique().sort("period_start")
    quarters: list[str] = order["period"].to_list()
    plot = _Plot(quarters, [_quarter_label(q) for q in quarters], u, [False] * len(quarters))
    countries: list[str] = series["country_iso3"].unique(maintain_order=True).to_list()
    countries.sort(key=lambda c: c != TOTAL)  # Total first, then in the caller's order

    traces: list[go.Scatter] = []
    for ci, code in enumerate(countries):
        color = theme.TOTAL_COLOR if code == TOTAL else theme.line_color(ci - (TOTAL in countries))
        rows = series.filter(pl.col("country_iso3") == code)
        traces.append(_line(plot, ci, code, _name(code, names), color, rows))
    if plot.any_derived:
        traces.append(_derived_key())
    if plot.conflicts["x"]:
        traces.append(_conflict_rings(plot.conflicts))
    strip = bool(plot.gaps["x"])
    if strip:
        traces.append(_gap_strip(plot.gaps))

    fig = new_figure(traces, _layout(plot, indicator, measure, subtitle, len(countries), strip))
    if events:
        # a quarter always has its end (only a year-to-date may lack one)
        spans = [(p.start, p.end or p.start) for p in (parse_period(q, "quarter") for q in quarters)]
        event_marks.on_categories(fig, declared_events().for_indicator(indicator.id), spans, plot.labels)
    return _finish(fig)
