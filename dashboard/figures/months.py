"""Bars for the months of a drilled quarter (chart kind "series", drilled into one quarter)."""

from __future__ import annotations

import plotly.graph_objects as go

from dashboard import theme
from dashboard.catalogue import Indicator, Unit
from dashboard.countries import TOTAL
from dashboard.data import DERIVED, Figure
from dashboard.figures.common import (
    TEMPLATE,
    _conflict_legend,
    _esc,
    _figure_provenance,
    _finish,
    _hatch,
    _hover,
    _marked_text,
    _measure_unit,
    _name,
    _note,
    _title,
    _unit,
    _with_title,
    empty_figure,
    new_figure,
    value_text,
)
from dashboard.formatting import not_reported
from dashboard.i18n import _


def _bar(reported: list[Figure], country: str, u: Unit) -> go.Bar:
    """The reported months; a derived one hatched, one chosen among differing sources outlined and ‡."""
    conflicts = [bool(m.conflict) for m in reported]
    return go.Bar(
        name=_esc(_name(country)),
        x=[m.period_label for m in reported],
        y=[m.value for m in reported],
        text=[value_text(m.value, u) for m in reported],
        texttemplate=_marked_text(conflicts),
        textposition="outside",
        cliponaxis=False,
        customdata=[m.period for m in reported],
        hovertext=[
            _hover(f"<b>{m.period_label}</b>", value_text(m.value, u), *_figure_provenance(m))
            for m in reported
        ],
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "color": theme.PALETTE[0],
            "pattern": _hatch(["/" if m.status == DERIVED else "" for m in reported], theme.PALETTE[0]),
            "line": {
                "color": [theme.OUTLINE_COLOR if c else theme.PALETTE[0] for c in conflicts],
                "width": [2.5 if c else 0 for c in conflicts],
            },
        },
        width=0.6,
        showlegend=False,
    )


def _not_reported_notes(months: list[Figure]) -> list[dict]:
    """'not reported' written at the foot of each unreported month."""
    return [
        _note(
            f"<i>{not_reported()}</i>",
            x=m.period_label,
            xref="x",
            y=0.02,
            yref="paper",
            yanchor="bottom",
            font={"size": 12, "color": theme.MUTED_TEXT_COLOR},
        )
        for m in months
        if not m.reported
    ]


def months_bar(months: list[Figure], indicator: Indicator, unit: str, quarter_label: str) -> go.Figure:
    """Bars for the reported months of a drilled quarter; 'not reported' written at an unreported month."""
    u = _unit(unit)
    measure = months[0].measure if months else indicator.default.measure
    country = months[0].country_iso3 if months else TOTAL
    parts = [_measure_unit(measure, u)]
    if country != TOTAL:
        parts.append(_name(country))
    title = _("{title}, months of {quarter}").format(title=indicator.title, quarter=quarter_label)
    subtitle = " · ".join(parts)
    reported = [m for m in months if m.reported]
    if not reported:
        return _with_title(
            empty_figure(_("Monthly figures were not reported for {quarter}").format(quarter=quarter_label)),
            title,
            subtitle,
        )

    n_conflicts = sum(bool(m.conflict) for m in reported)
    values = [m.value for m in reported if m.value is not None]  # every one: "reported" means it has a value
    top = max(values)
    low = min(0.0, min(values))
    bar = _bar(reported, country, u)
    fig = new_figure(
        [bar, _conflict_legend()] if n_conflicts else [bar],
        dict(  # given at construction: update_layout after the traces costs ~10x
            template=TEMPLATE,
            title=_title(title, subtitle),
            xaxis={
                "type": "category",
                "categoryorder": "array",
                "categoryarray": [m.period_label for m in months],
                "showgrid": False,
            },
            yaxis={
                "title": {"text": _esc(u.label)},
                "range": [low, top * 1.18 if top > 0 else 1],
                "tickformat": ",",
                "rangemode": "tozero",
            },
            annotations=_not_reported_notes(months),
            showlegend=bool(n_conflicts),  # the key of the ‡ mark
            meta={
                "indicator": indicator.id,
                "unit": u.id,
                "months": [m.period for m in months],
                "conflicts": n_conflicts,
            },
        ),
    )
    return _finish(fig)
