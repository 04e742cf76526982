"""View models: exactly the rows each explorer panel shows, assembled from the data API."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import polars as pl

from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL
from dashboard.data import REVISION_COLUMNS, DataStore
from dashboard.formatting import fmt_value
from dashboard.i18n import _
from dashboard.periods import parse_period, period_label
from dashboard.state import ExplorerState

ASSETS = Path(__file__).resolve().parent.parent / "assets"
SPAN_TYPES = ("half", "year", "ytd", "date")

TABLE_COLUMNS = (
    "country_iso3",
    "period",
    "period_type",
    "measure",
    "unit",
    "value",
    "status",
    "derivation",
    "conflict",
    "n_sources",
    "source_ids",
    *REVISION_COLUMNS,  # a figure that revised an earlier statement: the value it replaced, why, when
)


@cache
def drawable_codes(map_name: str = "world_110m") -> frozenset[str]:
    """ISO3 ids the served base map can draw (the coarse map lacks ~60 small countries)."""
    topo = json.loads((ASSETS / "topojson" / f"{map_name}.json").read_text())
    geoms = topo["objects"]["countries"]["geometries"]
    return frozenset(g["id"] for g in geoms if isinstance(g.get("id"), str))


def with_revision_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with the revision columns (null where absent: data with no revision history)."""
    types = {"previous_value": pl.Float64, "revision_reason": pl.String, "revised_in": pl.Int16}
    missing = [pl.lit(None, dtype=types[c]).alias(c) for c in REVISION_COLUMNS if c not in frame.columns]
    return frame.with_columns(missing) if missing else frame


def _sources_of(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `status` (published / derived), `source_ids` (the rows a figure rests on) and the revision
    columns."""
    return with_revision_columns(frame).with_columns(
        pl.col("method").alias("status"),
        pl.when(pl.col("derived_from").is_not_null())
        .then(pl.col("derived_from"))
        .otherwise(pl.concat_list(pl.col("source_id")))
        .alias("source_ids"),
    )


def shown_rows(store: DataStore, s: ExplorerState) -> pl.DataFrame:
    """Every figure the explorer shows for a state: the period's breakdown and total, the reported points of
    the trend, and the drilled months, one row each with its sources (documents, agencies, links)."""
    base = (
        (pl.col("indicator") == s.indicator) & (pl.col("measure") == s.measure) & (pl.col("unit") == s.unit)
    )
    countries = list(s.countries)
    in_period = base & (pl.col("period") == s.period) & (pl.col("period_type") == s.period_type)
    if countries:
        in_period &= pl.col("country_iso3").is_in([*countries, TOTAL])
    series_countries = countries or [TOTAL]
    quarters = pl.col("period_type") == "quarter"
    in_trend = base & quarters & pl.col("country_iso3").is_in(series_countries)
    first, last = parse_period(s.first, "quarter").start, parse_period(s.last, "quarter").end
    in_trend &= (pl.col("period_start") >= first) & (pl.col("period_start") <= last)
    parts = [in_period, in_trend]
    if s.drill:
        q = parse_period(s.drill, "quarter")
        parts.append(
            base
            & (pl.col("period_type") == "month")
            & pl.col("country_iso3").is_in(series_countries[:1])
            & (pl.col("period_start") >= q.start)
            & (pl.col("period_start") <= q.end)
        )
    cond = parts[0]
    for p in parts[1:]:
        cond |= p
    # the rows the condition can keep, through the store's indexes (in the indicator's row order, as a scan)
    where, period_rows = store.period_index(s.indicator)
    i = where.get((s.period, s.period_type))
    candidates = store.country_rows(
        s.indicator,
        series_countries,
        ("quarter", "month") if s.drill else ("quarter",),
        extra=None if i is None else period_rows[i],
    )
    # the chosen period first (total, then largest), then the trend and months in time order
    rows = (
        _sources_of(candidates.filter(cond))
        .with_columns(
            ((pl.col("period") == s.period) & (pl.col("period_type") == s.period_type)).alias("_focus"),
            (pl.col("country_iso3") == TOTAL).alias("_total"),
        )
        .sort(
            ["_focus", "period_start", "period_type", "_total", "value"],
            descending=[True, False, False, True, True],
        )
    )
    return rows.select(*TABLE_COLUMNS, "period_start")


def with_revisions(store: DataStore, rows: pl.DataFrame, s: ExplorerState) -> pl.DataFrame:
    """Chart rows (store.breakdown / store.series of the state's indicator, measure and unit) with the
    revision columns of the figures they show, matched by country and period (the map's rows are all of
    the state's period)."""
    revised = store.revised(s.indicator)
    if "revised_in" not in revised.columns or rows.is_empty():
        return rows
    keys = ["country_iso3", "period"] if "period" in rows.columns else ["country_iso3"]
    f = (pl.col("measure") == s.measure) & (pl.col("unit") == s.unit) & pl.col("preferred")
    if "period" not in rows.columns:
        f &= (pl.col("period") == s.period) & (pl.col("period_type") == s.period_type)
    else:
        f &= pl.col("period_type") == "quarter"
    found = revised.filter(f).select(*keys, *REVISION_COLUMNS).unique(subset=keys)
    if found.is_empty():
        return rows
    return rows.drop(REVISION_COLUMNS, strict=False).join(found, on=keys, how="left")


def withdrawn_rows(store: DataStore, s: ExplorerState) -> pl.DataFrame:
    """Figures of the view's indicator and period withdrawn up to the release shown (any measure or
    country): the ``changes`` rows, oldest release first."""
    frame = store.withdrawn(s.indicator)
    if frame.is_empty():
        return frame
    return frame.filter((pl.col("period") == s.period) & (pl.col("period_type") == s.period_type))


def spans_rows(store: DataStore, s: ExplorerState) -> pl.DataFrame:
    """Figures for half-years, years, year-to-date and as-of dates, for the total or the chosen countries."""
    countries = list(s.countries) or [TOTAL]
    return (
        store.country_rows(s.indicator, countries, SPAN_TYPES)  # the rows the filter keeps, in order
        .filter(
            (pl.col("measure") == s.measure)
            & (pl.col("unit") == s.unit)
            & pl.col("period_type").is_in(SPAN_TYPES)
            & pl.col("country_iso3").is_in(countries)
        )
        .with_columns(pl.col("method").alias("status"))
        .sort("period_start")
    )


def label_of(period: str, period_type: str) -> str:
    return period_label(parse_period(period, period_type))


def country_rows(store: DataStore, iso3: str) -> pl.DataFrame:
    """Every preferred figure for one counterpart country, all indicators and periods, with sources."""
    rows = store.preferred.filter(pl.col("country_iso3") == iso3)
    return (
        _sources_of(rows)
        .sort(["indicator", "period_start", "period_type", "measure", "unit"])
        .select("indicator", *TABLE_COLUMNS, "period_start")
    )


def countries_with_data(store: DataStore) -> list[str]:
    codes = store.preferred["country_iso3"].unique().to_list()
    return sorted(c for c in codes if c not in (TOTAL, "OTH"))


def donut_rows(store: DataStore, s: ExplorerState) -> pl.DataFrame:
    """Shares by country for the period: as published; else computed from the countries' published levels
    and the published total (marked derived, with how). Never from a different period or unit."""
    shares = store.breakdown(s.indicator, s.period, s.period_type, "share_pct", "percent")
    if not shares.is_empty():
        return shares
    ind = catalogue().indicator(s.indicator)
    units = sorted(ind.level_units, key=lambda u: u != s.unit)  # the unit on screen first
    for unit in units:
        for measure in ("count", "amount"):
            if measure not in ind.measures:
                continue
            total = store.figure(ind.id, s.period, s.period_type, TOTAL, measure, unit)
            levels = store.breakdown(ind.id, s.period, s.period_type, measure, unit)
            if not total.reported or levels.is_empty():
                continue
            label = label_of(s.period, s.period_type)
            derivation = [
                _("{value} of the total {total} ({period})").format(
                    value=fmt_value(v, unit), total=fmt_value(total.value, unit), period=label
                )
                for v in levels["value"].to_list()
            ]
            # a share computed here revises nothing itself (a revised level says so where it is shown)
            return levels.drop(REVISION_COLUMNS, strict=False).with_columns(
                (pl.col("value") / total.value * 100.0).alias("value"),
                pl.lit("derived").alias("status"),
                pl.Series("derivation", derivation),
                pl.concat_list(pl.col("source_id"), pl.lit(total.source_ids[0])).alias("derived_from"),
            )
    return shares
