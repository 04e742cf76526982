"""Each explorer chart for a state: the figure and the source rows behind it.

The on-screen chart and its exported image both come from here (the export adds a frame around the
same figure). Which builder draws which chart kind is said in ``dashboard.charts``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from dashboard import compare, figures
from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL, country_name
from dashboard.data import DataStore
from dashboard.figures.compare import compare_bars, slope
from dashboard.periods import parse_period, period_label
from dashboard.release_text import revised_note
from dashboard.state import ExplorerState
from dashboard.views import donut_rows, drawable_codes, spans_rows, with_revisions


@dataclass(frozen=True)
class Panel:
    figure: go.Figure
    source_ids: tuple[str, ...]
    derived: bool  # some value shown was computed here
    conflicting: bool  # some value shown was chosen among sources that differ
    revised: tuple[str, ...] = ()  # what was revised among the values shown, one note each (exports)


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


def revised_notes(rows: pl.DataFrame, unit: str) -> tuple[str, ...]:
    """'Uzbekistan, Q2 2023: revised in release 3, was 308,710: <reason>' for each revised row shown."""
    if rows.is_empty() or "revised_in" not in rows.columns:
        return ()
    out = []
    for r in rows.filter(pl.col("revised_in").is_not_null()).iter_rows(named=True):
        where = [country_name(r["country_iso3"])] if r.get("country_iso3") else []
        if r.get("period") and r.get("period_type"):
            where.append(period_label(parse_period(r["period"], r["period_type"])))
        elif r.get("period"):
            where.append(period_label(parse_period(r["period"], "quarter")))
        out.append(f"{', '.join(where)}: {revised_note(r, r.get('unit') or unit)}")
    return tuple(out)


def _panel(fig: go.Figure, rows: pl.DataFrame, unit: str) -> Panel:
    return Panel(fig, tuple(source_ids(rows)), *_flags(rows), revised_notes(rows, unit))


def map_panel(store: DataStore, s: ExplorerState) -> Panel:
    ind = catalogue().indicator(s.indicator)
    rows = with_revisions(store, store.breakdown(s.indicator, s.period, s.period_type, s.measure, s.unit), s)
    label = period_label(parse_period(s.period, s.period_type))
    return _panel(
        figures.choropleth(rows, ind, s.measure, s.unit, label, s.countries, drawable_codes()),
        rows,
        s.unit,
    )


def donut_panel(store: DataStore, s: ExplorerState) -> Panel:
    ind = catalogue().indicator(s.indicator)
    rows = donut_rows(store, s)
    return _panel(
        figures.donut(rows, ind, period_label(parse_period(s.period, s.period_type))), rows, "percent"
    )


def series_panel(store: DataStore, s: ExplorerState) -> Panel:
    """The quarterly trend, or the months of the drilled quarter."""
    ind = catalogue().indicator(s.indicator)
    countries = s.countries or (TOTAL,)
    if s.drill:
        months = store.months_of_quarter(s.indicator, s.drill, countries[0], s.measure, s.unit)
        qlabel = period_label(parse_period(s.drill, "quarter"))
        fig = figures.months_bar(months, ind, s.unit, qlabel)
        ids = tuple(sid for m in months for sid in m.source_ids)
        revised = tuple(
            f"{m.period_label}: {note}"
            for m in months
            if (note := revised_note(dataclasses.asdict(m), m.unit)) is not None
        )
        return Panel(
            fig, ids, any(m.status == "derived" for m in months), any(m.conflict for m in months), revised
        )
    series = store.series(s.indicator, s.measure, s.unit, countries, "quarter", s.first, s.last)
    series = with_revisions(store, series, s)
    reported = series.filter(pl.col("value").is_not_null())
    fig = figures.time_series(series, ind, s.measure, s.unit, events=s.events)
    return _panel(fig, reported, s.unit)


def spans_panel(store: DataStore, s: ExplorerState) -> Panel:
    ind = catalogue().indicator(s.indicator)
    rows = spans_rows(store, s)
    return _panel(figures.spans_chart(rows, ind, s.unit, events=s.events), rows, s.unit)


def ranking_panel(store: DataStore, s: ExplorerState) -> Panel:
    """The countries of the view's period ranked (the map's rows: "not reported" is no bar)."""
    ind = catalogue().indicator(s.indicator)
    rows = with_revisions(store, store.breakdown(s.indicator, s.period, s.period_type, s.measure, s.unit), s)
    label = period_label(parse_period(s.period, s.period_type))
    shown = rows.filter(pl.col("value").is_not_null())
    return _panel(figures.ranking(rows, ind, s.measure, s.unit, label, s.countries), shown, s.unit)


def _compare_panel(store: DataStore, s: ExplorerState, build) -> Panel:
    """A compare-mode chart: the view's period against its "Compared with" (whatever the state's mode: an
    embed or export of this chart kind is a comparison)."""
    c = compare.comparison(store, s)
    rows = compare.frames(c) if c.ok else pl.DataFrame()
    return _panel(build(c, catalogue().indicator(s.indicator)), rows, s.unit)


def compare_bars_panel(store: DataStore, s: ExplorerState) -> Panel:
    return _compare_panel(store, s, compare_bars)


def slope_panel(store: DataStore, s: ExplorerState) -> Panel:
    return _compare_panel(store, s, slope)
