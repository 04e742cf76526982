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
from dashboard.panel_builders import Panel, donut_panel, map_panel, series_panel, spans_panel
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
        ignores=("first", "last", "drill", "events", "vs"),
    ),
    ChartKind(
        "donut",
        N_("Shares by country"),
        donut_panel,
        Ids.DONUT,
        "440px",
        4,
        Ids.DONUT_FOOTER,
        ignores=("countries", "first", "last", "drill", "events", "vs"),
        drawn_with="map",
    ),
    ChartKind(
        "series",
        N_("Trend"),
        series_panel,
        Ids.SERIES,
        "380px",
        7,
        Ids.SERIES_FOOTER,
        ignores=("period", "period_type", "vs"),
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
        ignores=("period", "period_type", "first", "last", "drill", "vs"),
    ),
)
IDS: tuple[str, ...] = tuple(k.id for k in KINDS)
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
