"""Figure builders: pure functions from data-API answers + catalogue entries to ``go.Figure``, one module per
chart kind (map, series, months, spans, donut, ranking, compare) and what they share (common).

Rules every builder keeps:

* No data reads and no Dash: the caller passes the frames / dataclasses from ``dashboard.data``.
* Every title and unit comes from the catalogue; only generic words are written here.
* Every number shown (labels and hover) is formatted by ``dashboard.formatting`` (Babel) and passed as text;
  no d3 number formats in hover templates.
* A missing value is never drawn as 0: it is left out (gaps), greyed, or labelled "not reported".
* Colour is never the only carrier of meaning (theme.py): a derived value is an open marker or hatched, a
  value chosen among differing sources is marked ‡ and outlined, with a legend entry or note saying so;
  the trend's lines differ by marker symbol and dash too.
* plotly.graph_objects only (plotly.express costs ~20 ms per figure).

Which chart kinds the explorer shows, and how, is said once in ``dashboard.charts``.
"""

from dashboard.figures.common import (
    TEMPLATE,
    _provenance,
    counterpart_phrase,
    derivation_text,
    empty_figure,
    value_text,
)
from dashboard.figures.donut import NO_SHARES, SHARE_TOLERANCE_HIGH, SHARE_TOLERANCE_LOW, donut
from dashboard.figures.map import choropleth
from dashboard.figures.months import months_bar
from dashboard.figures.ranking import ranking
from dashboard.figures.series import time_series
from dashboard.figures.spans import SPAN_TYPES, spans_chart
from dashboard.sources_text import sources_line

__all__ = [
    "NO_SHARES",
    "SHARE_TOLERANCE_HIGH",
    "SHARE_TOLERANCE_LOW",
    "SPAN_TYPES",
    "TEMPLATE",
    "_provenance",
    "choropleth",
    "counterpart_phrase",
    "derivation_text",
    "donut",
    "empty_figure",
    "months_bar",
    "ranking",
    "sources_line",
    "spans_chart",
    "time_series",
    "value_text",
]
