"""Countries ranked by their figure, as horizontal bars (chart kind "ranking"): easier to read than a donut
beyond five categories, and for any measure (the donut shows shares only)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.catalogue import Indicator, Unit
from dashboard.countries import OTHER, TOTAL
from dashboard.data import DERIVED
from dashboard.figures.common import (
    TEMPLATE,
    _conflict_legend,
    _esc,
    _finish,
    _hatch,
    _hover,
    _marked_text,
    _measure_unit,
    _name,
    _note,
    _provenance,
    _title,
    _unit,
    _with_title,
    counterpart_phrase,
    empty_figure,
    new_figure,
    value_text,
)
from dashboard.formatting import fmt_value
from dashboard.i18n import _

BAR_PX = 26  # a bar's height in the figure's own sizing hint (layout.meta.height)


def bar_trace(
    rows: Sequence[Mapping[str, Any]],
    u: Unit,
    name: str,
    color: str,
    *,
    when: str = "",
    short: bool = False,
    fill: Sequence[str] | None = None,
) -> go.Bar:
    """Horizontal bars of breakdown rows (ISO3 in ``country_iso3``): a derived value hatched, one chosen
    among differing sources outlined and marked ‡; ``when`` heads each hover (the period, when two are drawn);
    ``short``: the bars' labels without the unit (the axis says it), to fit two bars a country on a phone;
    ``fill``: each bar's own colour (default ``color``).

    Built without plotly's validation (``_validate=False``): its checks and copies of a few hundred bars were
    most of a ranking's first draw; every property here is plain data of the right shape, and the JSON is
    the validated one (tests/test_speed_first.py)."""
    conflicts = [bool(r.get("conflict")) for r in rows]
    names = [_esc(_name(r["country_iso3"])) for r in rows]
    fills: str | list[str] = list(fill) if fill is not None else color
    return go.Bar(
        _validate=False,
        name=name,
        orientation="h",
        y=names,
        x=[r["value"] for r in rows],
        text=[fmt_value(r["value"], u) if short else value_text(r["value"], u) for r in rows],
        texttemplate=_marked_text(conflicts),
        textposition="outside",
        cliponaxis=False,
        customdata=[r["country_iso3"] for r in rows],
        hovertext=[
            _hover(
                f"<b>{n}</b>" + (f" · {_esc(when)}" if when else ""),
                value_text(r["value"], u),
                *_provenance(r, u),
            )
            for n, r in zip(names, rows, strict=True)
        ],
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "color": fills,
            "pattern": _hatch(["/" if r["status"] == DERIVED else "" for r in rows], fills),
            "line": {
                "color": [theme.OUTLINE_COLOR if c else color for c in conflicts],
                "width": [2.5 if c else 0 for c in conflicts],
            },
        },
    )


def ranked_rows(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """The named countries with a value, largest first ("other countries" and the total are no rank)."""
    shown = rows.filter(pl.col("value").is_not_null() & ~pl.col("country_iso3").is_in([TOTAL, OTHER]))
    return list(shown.sort(["value", "country_iso3"], descending=[True, False]).iter_rows(named=True))


def _other_note(rows: pl.DataFrame, u: Unit) -> list[dict]:
    """'Other countries (not itemised): N' under the bars, when the source printed such a line."""
    other = rows.filter((pl.col("country_iso3") == OTHER) & pl.col("value").is_not_null())
    if other.is_empty():
        return []
    text = _("{other} (not ranked): {value}").format(
        other=_esc(_name(OTHER)), value=value_text(other["value"][0], u)
    )
    return [_note(text, x=0, y=0, xanchor="left", yanchor="top", yshift=-28)]


def derived_note(n: int, yshift: int = -48) -> list[dict]:
    """'Hatched: derived (computed here), not published' under a chart with derived bars."""
    if not n:
        return []
    text = _("Hatched bars: derived (computed here), not published as such")
    return [_note(_esc(text), x=1, y=0, xanchor="right", yanchor="top", yshift=yshift)]


def ranking(
    rows: pl.DataFrame,
    indicator: Indicator,
    measure: str,
    unit: str,
    period_label: str,
    chosen: Sequence[str] = (),
) -> go.Figure:
    """Countries by their figure for one period, largest at the top (rows = ``DataStore.breakdown``).

    Only countries with a value are drawn (not reported is never a zero-length bar); the view's chosen
    countries stand out in a second colour (and are named in the summary as every bar is)."""
    u = _unit(unit)
    subtitle = " · ".join(p for p in (_measure_unit(measure, u), counterpart_phrase(indicator)) if p)
    title = _("{title}, {period}: ranking").format(title=indicator.title, period=period_label)
    ranked = ranked_rows(rows)
    if not ranked:
        message = _("No figures by country reported for {period}").format(period=period_label)
        return _with_title(empty_figure(message), title, subtitle)
    base, pick = theme.PALETTE[0], theme.PALETTE[1]
    colors = [pick if r["country_iso3"] in chosen else base for r in ranked]
    bar = bar_trace(ranked, u, _esc(period_label), base, fill=colors)
    n_conflicts = sum(bool(r.get("conflict")) for r in ranked)
    top = max(r["value"] for r in ranked)
    fig = new_figure(
        [bar, _conflict_legend()] if n_conflicts else [bar],
        dict(  # given at construction: update_layout after the traces costs ~10x
            template=TEMPLATE,
            title=_title(title, subtitle),
            yaxis={"autorange": "reversed", "automargin": True, "type": "category"},
            xaxis={
                "title": {"text": _esc(u.label)},
                "range": [min(0.0, min(r["value"] for r in ranked)), top * 1.25 if top > 0 else 1],
                "tickformat": ",",
            },
            annotations=_other_note(rows, u) + derived_note(sum(r["status"] == DERIVED for r in ranked)),
            showlegend=bool(n_conflicts),  # the key of the ‡ mark
            margin={"l": 16, "r": 24, "t": 16, "b": 72},
            meta={
                "indicator": indicator.id,
                "unit": u.id,
                "period": period_label,
                "countries": [r["country_iso3"] for r in ranked],
                "derived": sum(r["status"] == DERIVED for r in ranked),
                "conflicts": n_conflicts,
                "height": 120 + BAR_PX * len(ranked),
            },
        ),
    )
    return _finish(fig)
