"""The explorer's chart kinds, said once: the panels, the page's cards and draw callbacks, the export menu,
`mtm chart`, the browser tests and the benchmark all read this list.

Adding a chart kind touches four code files: its figure builder (``dashboard/figures/<kind>.py``), its panel
builder (``dashboard/panel_builders.py``), its component ids (``dashboard/ids.py``) and one entry here; plus
the translations of its new words (``dashboard/locale``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from dashboard.data import DataStore
from dashboard.i18n import N_
from dashboard.ids import Ids
from dashboard.panel_builders import (
    Panel,
    compare_bars_panel,
    donut_panel,
    map_panel,
    ranking_panel,
    series_panel,
    slope_panel,
    spans_panel,
)
from dashboard.state import ExplorerState


@dataclass(frozen=True)
class ChartKind:
    id: str  # the chart's key: the export menu's items, the panel cache, file names, `mtm chart --chart`
    name: str  # English (shown as _(name)): the graph's accessible name "Chart: …" and the export frame
    build: Callable[[DataStore, ExplorerState], Panel]
    graph_id: str  # the dcc.Graph's component id
    height: str  # the graph's height on the page
    width: int  # its card's columns (of 12) on a wide screen; the cards fill the rows in this order
    footer_id: str | None = None  # the card footer that holds its sources line (None: no footer)
    heading: str = ""  # English: the card's heading when it says more than the name
    drawn_with: str | None = None  # drawn by that chart's callback, in the same request (one round trip less)
    # The state's fields the chart does not show: a change of only these leaves it as it is (no request, no
    # redraw). Listed as what it ignores, so a field added to the state is shown by every chart until said.
    ignores: tuple[str, ...] = ()
    # Shown only in this view mode (state.mode; None: the explorer's own): in another mode its card is hidden
    # and its view store is not written (callbacks/explorer.py _views), so it is not drawn for nothing.
    mode: str | None = None

    @property
    def view_id(self) -> str:
        """The page's store of the state this chart is drawn for (written only when chart_key changes)."""
        return f"{self.graph_id}-view"

    @property
    def card_title(self) -> str:
        """The card's heading (English; shown as _(card_title))."""
        return self.heading or self.name


KINDS: tuple[ChartKind, ...] = (
    ChartKind(
        "map",
        N_("Map"),
        map_panel,
        Ids.MAP,
        "440px",
        8,
        Ids.MAP_FOOTER,
        ignores=("first", "last", "drill", "events", "vs", "mode"),
    ),
    ChartKind(
        "donut",
        N_("Shares by country"),
        donut_panel,
        Ids.DONUT,
        "440px",
        4,
        Ids.DONUT_FOOTER,
        ignores=("countries", "first", "last", "drill", "events", "vs", "mode"),
        drawn_with="map",
    ),
    ChartKind(  # the countries of the period ranked: readable beyond the donut's five or six slices
        "ranking",
        N_("Ranking"),
        ranking_panel,
        Ids.RANKING,
        "380px",
        12,
        Ids.RANKING_FOOTER,
        heading=N_("Ranking of countries"),
        ignores=("first", "last", "drill", "events", "vs", "mode"),
        drawn_with="map",  # a period switch stays at two requests (tests/test_speed_browser.py)
    ),
    ChartKind(
        "series",
        N_("Trend"),
        series_panel,
        Ids.SERIES,
        "380px",
        7,
        Ids.SERIES_FOOTER,
        ignores=("period", "period_type", "vs", "mode"),
    ),
    ChartKind(
        "spans",
        N_("Longer periods"),
        spans_panel,
        Ids.SPANS,
        "380px",
        5,
        heading=N_("Longer periods (half-years, years, year to date)"),
        drawn_with="series",
        ignores=("period", "period_type", "first", "last", "drill", "vs", "mode"),
    ),
    # compare mode (dashboard/compare.py): the view's period and its "Compared with", side by side
    ChartKind(
        "compare_bars",
        N_("Two periods ranked"),
        compare_bars_panel,
        Ids.COMPARE_BARS,
        "440px",
        7,
        Ids.COMPARE_BARS_FOOTER,
        ignores=("countries", "first", "last", "drill", "events", "mode"),
        drawn_with="map",
        mode="compare",
    ),
    ChartKind(
        "slope",
        N_("Change by country"),
        slope_panel,
        Ids.SLOPE,
        "440px",
        5,
        Ids.SLOPE_FOOTER,
        heading=N_("Change by country (top countries)"),
        ignores=("countries", "first", "last", "drill", "events", "mode"),
        drawn_with="map",
        mode="compare",
    ),
)
IDS: tuple[str, ...] = tuple(k.id for k in KINDS)
EXPLORE_KINDS: tuple[ChartKind, ...] = tuple(k for k in KINDS if k.mode is None)  # the explorer's own cards
BY_ID: dict[str, ChartKind] = {k.id: k for k in KINDS}


def drawn_with(kind: ChartKind) -> tuple[ChartKind, ...]:
    """The chart kinds drawn in the same callback as ``kind``."""
    return tuple(k for k in KINDS if k.drawn_with == kind.id)


_KEYED = tuple(f.name for f in fields(ExplorerState) if f.name != "notices")  # notices: words of one parse


def _key(skip: frozenset[str] | tuple[str, ...], state: ExplorerState) -> tuple:
    return tuple((k, getattr(state, k)) for k in _KEYED if k not in skip)


def chart_key(kind: ChartKind, state: ExplorerState) -> tuple:
    """What the chart shows of a state: equal keys, equal charts. Its view store on the page is written only
    when this changes, and its drawn panel is remembered under it."""
    return _key(kind.ignores, state)


def shown_in(kind: ChartKind, state: ExplorerState) -> bool:
    """Whether the chart's card is shown in the state's view mode."""
    return kind.mode is None or kind.mode == state.mode
