"""The charts of a country page, said once: which views an indicator gets (its level, and its share of the
total where shares exist), their figures and the source rows behind them. The page and the export menu
both build them here, so an exported image is the chart on the screen."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl

from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.country_profile import MONEY, HeadlineRow
from dashboard.data import DataStore
from dashboard.figures.country import country_chart, money_chart
from dashboard.i18n import _

MIN_FIGURES = 2  # one figure is said in the headline, not drawn as a lone point


@dataclass(frozen=True)
class CountryChart:
    key: str  # "<indicator>.<view>": the export menu's chart id
    indicator: str
    title: str
    subtitle: str
    figure: go.Figure
    source_ids: tuple[str, ...]
    derived: bool
    conflicting: bool


def _rows(store: DataStore, iso3: str, indicator: str) -> pl.DataFrame:
    return (
        store.rows(indicator)
        .filter(pl.col("country_iso3") == iso3)
        .with_columns(pl.col("method").alias("status"))
    )


def _chart(
    key: str, indicator: str, title: str, subtitle: str, fig: go.Figure, rows: pl.DataFrame
) -> CountryChart:
    ids = [sid for lst in rows["derived_from"].to_list() if lst for sid in lst] + rows["source_id"].to_list()
    return CountryChart(
        key,
        indicator,
        title,
        subtitle,
        fig,
        tuple(dict.fromkeys(ids)),
        bool((rows["status"] == "derived").any()),
        bool(rows["conflict"].fill_null(False).any()),
    )


def views(h: HeadlineRow, rows: pl.DataFrame) -> list[tuple[str, str, str]]:
    """(view, measure, unit) of an indicator's charts: its headline measure and unit, then its share of the
    total where the country has shares; a view with fewer than MIN_FIGURES figures is not drawn."""
    cur = h.current
    out = [("level", cur.measure, cur.unit)]
    if cur.measure != "share_pct":
        out.append(("share", "share_pct", "percent"))
    return [
        v
        for v in out
        if rows.filter((pl.col("measure") == v[1]) & (pl.col("unit") == v[2])).height >= MIN_FIGURES
    ]


def indicator_charts(store: DataStore, iso3: str, h: HeadlineRow) -> list[CountryChart]:
    ind = h.indicator
    rows = _rows(store, iso3, ind.id)
    out = []
    for view, measure, unit in views(h, rows):
        part = rows.filter((pl.col("measure") == measure) & (pl.col("unit") == unit))
        title = _("{indicator}: {country}").format(indicator=ind.title, country=country_name(iso3))
        subtitle = f"{catalogue().measure(measure).label} ({catalogue().unit(unit).label})"
        fig = country_chart(part, ind, measure, unit, title)
        out.append(_chart(f"{ind.id}.{view}", ind.id, title, subtitle, fig, part))
    return out


def money_charts(store: DataStore, iso3: str) -> list[CountryChart]:
    """Sent and received side by side, per unit with a period reported both ways."""
    cat = catalogue()
    if not all(cat.has_indicator(i) for i in MONEY):
        return []
    sent, received = (_rows(store, iso3, i).filter(pl.col("measure") == "amount") for i in MONEY)
    name = country_name(iso3)
    labels = (_("Sent to {country}").format(country=name), _("Received from {country}").format(country=name))
    out = []
    for unit in cat.indicator(MONEY[0]).level_units:
        s, r = (f.filter(pl.col("unit") == unit) for f in (sent, received))
        both = s.join(r, on=["period", "period_type"], how="semi")
        if both.is_empty():
            continue
        rows = pl.concat([both, r.join(s, on=["period", "period_type"], how="semi")])
        title = _("Money both ways: {country}").format(country=name)
        fig = money_chart(both, r.join(s, on=["period", "period_type"], how="semi"), unit, labels)
        out.append(_chart(f"money.{unit}", MONEY[0], title, cat.unit(unit).label, fig, rows))
    return out


def find(store: DataStore, iso3: str, key: str, headline: tuple[HeadlineRow, ...]) -> CountryChart | None:
    """One chart of the page by its key (for the export menu); None for a key the page does not have."""
    if key.startswith("money."):
        return next((c for c in money_charts(store, iso3) if c.key == key), None)
    for h in headline:
        if key.startswith(f"{h.indicator.id}."):
            return next((c for c in indicator_charts(store, iso3, h) if c.key == key), None)
    return None
