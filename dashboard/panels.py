"""Each explorer chart for a state: the figure and the source rows behind it.

The on-screen chart and its exported image both come from here (the export adds a frame around the
same figure).
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

import plotly.graph_objects as go
import polars as pl
from plotly.io.json import to_json_plotly

from dashboard import cache, figures, i18n
from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL
from dashboard.data import DataStore
from dashboard.periods import parse_period, period_label
from dashboard.state import ExplorerState
from dashboard.views import donut_rows, drawable_codes, spans_rows

CHARTS = ("map", "donut", "series", "spans")
log = logging.getLogger(__name__)


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


BUILDERS = {"map": map_panel, "donut": donut_panel, "series": series_panel, "spans": spans_panel}


@dataclass(frozen=True)
class Drawn:
    """A panel ready to send: the figure already as plain JSON-able data."""

    figure: dict
    source_ids: tuple[str, ...]
    derived: bool
    conflicting: bool


def drawn(store: DataStore, chart: str, s: ExplorerState) -> Drawn:
    """The chart for a state, remembered per data version: people open the same views (the default view of an
    indicator, the quarter in the news), so most requests are answered without rebuilding the figure.

    The figure's words and numbers are in the language in force (``i18n.use``), so both cache keys carry it
    (the state's query carries ``lang=`` too, but the language in force is what the builders read)."""
    lang = i18n.current()
    query = s.to_query()
    if f"lang={lang}" not in query.lstrip("?").split("&"):
        query += f"&lang={lang}"  # a state without (or with another) lang: the key still names the words

    def build() -> Drawn:
        p = BUILDERS[chart](store, s)
        return Drawn(p.figure.to_plotly_json(), p.source_ids, p.derived, p.conflicting)

    def shared_or_build() -> Drawn:
        # Second level: the shared cache (Redis), keyed by data version. A store built in memory has no
        # real version ("memory"), so it never shares.
        shared = cache.shared()
        if not shared.enabled or store.version == "memory":
            return build()
        key = cache.panel_key(store.version, chart, query)
        hit = shared.get(key)
        if hit is not None:
            try:
                return _from_json(hit)
            except (ValueError, KeyError, TypeError):
                log.warning("shared cache: unreadable entry %s; rebuilding it", key)
        value = build()
        shared.set(key, _to_json(value))
        return value

    return store.memo(("panel", chart, query, lang), shared_or_build)


def _to_json(d: Drawn) -> bytes:
    fields = {
        "figure": d.figure,
        "source_ids": d.source_ids,
        "derived": d.derived,
        "conflicting": d.conflicting,
    }
    return to_json_plotly(fields).encode()


def _from_json(raw: bytes) -> Drawn:
    v = json.loads(raw)
    if not isinstance(v["figure"], dict):
        raise TypeError("figure is not an object")
    return Drawn(v["figure"], tuple(v["source_ids"]), bool(v["derived"]), bool(v["conflicting"]))


def warm(store: DataStore) -> None:
    """Draw every indicator's default view once at worker start-up, so a card click is answered at once:
    English before serving, Russian and Kazakh on a background thread (about a second each) right after."""
    _warm(store, i18n.DEFAULT)
    others = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
    threading.Thread(
        target=lambda: [_warm(store, lang) for lang in others], name="mtm-warm", daemon=True
    ).start()


def _warm(store: DataStore, lang: str) -> None:
    from dashboard.state import parse_query

    try:
        with i18n.use(lang):
            for ind in catalogue().indicators:
                state = parse_query(f"?indicator={ind.id}&lang={lang}", store)
                for chart in CHARTS:
                    drawn(store, chart, state)
    except Exception:  # an optimisation only: a failure here must never stop a worker
        log.exception("warming the %s views failed", lang)
