"""Each explorer chart for a state: the figure and the source rows behind it.

The on-screen chart and its exported image both come from here (the export adds a frame around the
same figure). Which builder draws which chart kind is said in ``dashboard.charts``.
"""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from dashboard import figures
from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL
from dashboard.data import DataStore
from dashboard.periods import parse_period, period_label
from dashboard.state import ExplorerState
from dashboard.views import donut_rows, drawable_codes, spans_rows


@dataclass(frozen=True)
class Panel:
    figure: go.Figure
    source_ids: tuple[str, ...]
    derived: bool  # some value shown was computed here
    conflicting: bool  # some value shown was chosen among sources that differ


def source_ids(rows: pl.DataFrame) -> list[str]:
    """The source rows behind a panel's rows: a derived value's inputs, else its own source."""
    if rows.is_empty():
        return []
    ids = [sid for lst in rows["derived_from"].to_list() if lst for sid in lst]
    return ids + [x for x in rows["source_id"].to_list() if x]


def _flags(rows: pl.DataFrame) -> tuple[bool, bool]:
    if rows.is_empty():
        return False, False
    return bool((rows["status"] == "derived").any()), bool(rows["conflict"].fill_null(False).any())


def _panel(fig: go.Figure, rows: pl.DataFrame) -> Panel:
    return Panel(fig, tuple(source_ids(rows)), *_flags(rows))


def map_panel(store: DataStore, s: ExplorerState) -> Panel:
    ind = catalogue().indicator(s.indicator)
    rows = store.breakdown(s.indicator, s.period, s.period_type, s.measure, s.unit)
    label = period_label(parse_period(s.period, s.period_type))
    return _panel(
        figures.choropleth(rows, ind, s.measure, s.unit, label, s.countries, drawable_codes()), rows
    )


def donut_panel(store: DataStore, s: ExplorerState) -> Panel:
    ind = catalogue().indicator(s.indicator)
    rows = donut_rows(store, s)
    return _panel(figures.donut(rows, ind, period_label(parse_period(s.period, s.period_type))), rows)


def series_panel(store: DataStore, s: ExplorerState) -> Panel:
    """The quarterly trend, or the months of the drilled quarter."""
    ind = catalogue().indicator(s.indicator)
    countries = s.countries or (TOTAL,)
    if s.drill:
        months = store.months_of_quarter(s.indicator, s.drill, countries[0], s.measure, s.unit)
        qlabel = period_label(parse_period(s.drill, "quarter"))
        fig = figures.months_bar(months, ind, s.unit, qlabel)
        ids = tuple(sid for m in months for sid in m.source_ids)
        return Panel(fig, ids, any(m.status == "derived" for m in months), any(m.conflict for m in months))
    series = store.series(s.indicator, s.measure, s.unit, countries, "quarter", s.first, s.last)
    reported = series.filter(pl.col("value").is_not_null())
    return _panel(figures.time_series(series, ind, s.measure, s.unit), reported)


def spans_panel(store: DataStore, s: ExplorerState) -> Panel:
    ind = catalogue().indicator(s.indicator)
    rows = spans_rows(store, s)
    return _panel(figures.spans_chart(rows, ind, s.unit), rows)
