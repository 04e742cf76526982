"""The explorer's panels ready to send: each chart kind's panel (``dashboard.panel_builders``, listed in
``dashboard.charts``) for a state, remembered per data version and language, and drawn ahead at start-up.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass

from plotly.io.json import to_json_plotly

from dashboard import cache, charts, i18n
from dashboard.catalogue import catalogue
from dashboard.data import DataStore
from dashboard.figures.common import figure_json
from dashboard.panel_builders import Panel, donut_panel, map_panel, series_panel, source_ids, spans_panel
from dashboard.state import ExplorerState, default_period, parse_query, period_choices

__all__ = [
    "BUILDERS",
    "CHARTS",
    "Drawn",
    "Panel",
    "donut_panel",
    "drawn",
    "map_panel",
    "series_panel",
    "source_ids",
    "spans_panel",
    "warm",
]

CHARTS = charts.IDS
# chart id -> panel builder: what `drawn` calls (a plain dict, so a test can count the builders' calls)
BUILDERS = {k.id: k.build for k in charts.KINDS}
log = logging.getLogger(__name__)


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
    # Keyed by what the chart shows (charts.chart_key), not the whole state: the trend of 2023-Q2's view is
    # the trend of 2022-Q2's, so a period switch never rebuilds it.
    key = charts.chart_key(charts.BY_ID[chart], s)
    query = "&".join(f"{k}={v}" for k, v in key)
    if ("lang", lang) not in key:
        query += f"&lang={lang}"  # a state with another lang: the key still names the words in force

    def build() -> Drawn:
        p = BUILDERS[chart](store, s)
        # the figure is this build's own: its dicts are handed over, not copied (figures/common.py)
        return Drawn(figure_json(p.figure), p.source_ids, p.derived, p.conflicting)

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

    return store.memo(("panel", chart, key, lang), shared_or_build)


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

    def warm_others() -> None:
        i18n.sort_key("")  # the collation table (~0.4 s to load): built here, not in the first page's answer
        prepare(store)
        for lang in others:
            _warm(store, lang)

    threading.Thread(target=warm_others, name="mtm-warm", daemon=True).start()


def prepare(store: DataStore) -> None:
    """What a view of any indicator needs whatever its measure and unit, computed once per data version: the
    period and country indexes, the latest period, the period lists and default periods (a first visit of a
    measure otherwise scans the indicator's rows for them: ~10 ms each on millions of rows)."""
    try:
        for ind in catalogue().indicators:
            store.period_index(ind.id, preferred=True)
            store.period_index(ind.id, preferred=False)
            store.country_index(ind.id)
            store.latest_any(ind.id)
            for measure, unit in store.rows(ind.id).select("measure", "unit").unique().iter_rows():
                period_choices(store, ind, measure, unit)
                default_period(store, ind, measure, unit)
    except Exception:  # an optimisation only, as _warm
        log.exception("preparing the views failed")


def _warm(store: DataStore, lang: str) -> None:
    try:
        with i18n.use(lang):
            for ind in catalogue().indicators:
                state = parse_query(f"?indicator={ind.id}&lang={lang}", store)
                for chart in CHARTS:
                    drawn(store, chart, state)
    except Exception:  # an optimisation only: a failure here must never stop a worker
        log.exception("warming the %s views failed", lang)
