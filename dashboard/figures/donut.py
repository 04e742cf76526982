"""Published shares by country as a donut (chart kind "donut")."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.catalogue import Indicator, Unit
from dashboard.countries import OTHER, REPORTING_COUNTRY, TOTAL
from dashboard.data import DERIVED
from dashboard.figures.common import (
    TEMPLATE,
    _conflict_key,
    _esc,
    _finish,
    _hatch,
    _hover,
    _marked_text,
    _measure_label,
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
from dashboard.i18n import N_, _

SHARE_TOLERANCE_LOW = 0.05  # shares summing to less than 100 - this get a computed remainder slice
SHARE_TOLERANCE_HIGH = 0.5  # shares summing to more than 100 + this get a warning
# "No … shares reported" for the donut, by the indicator's counterpart (English; shown as _(message)).
NO_SHARES = {
    "nationality": N_("No nationality shares reported for {period}"),
    "origin": N_("No origin shares reported for {period}"),
    "destination": N_("No destination shares reported for {period}"),
    "sending_country": N_("No sending country shares reported for {period}"),
    "receiving_country": N_("No receiving country shares reported for {period}"),
    "citizenship": N_("No citizenship shares reported for {period}"),
    "country": N_("No country shares reported for {period}"),
}


@dataclass
class _Slices:
    """The donut's slices, column by column."""

    labels: list[str] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)  # ISO3 for click-to-select; "" for the remainder
    colors: list[str] = field(default_factory=list)
    hovers: list[str] = field(default_factory=list)
    patterns: list[str] = field(default_factory=list)
    conflicts: list[bool] = field(default_factory=list)

    def add(
        self, label: str, value: float, code: str, color: str, hover: str, pattern: str, conflict: bool
    ) -> None:
        self.labels.append(label)
        self.values.append(value)
        self.codes.append(code)
        self.colors.append(color)
        self.hovers.append(hover)
        self.patterns.append(pattern)
        self.conflicts.append(conflict)


def _slice_color(i: int, code: str) -> str:
    if code == OTHER:
        return theme.OTHER_COLOR
    if code == REPORTING_COUNTRY:
        return theme.REPORTING_COLOR
    return theme.palette_color(i)


def _country_slices(rows: pl.DataFrame, u: Unit) -> _Slices:
    """Named countries by share, then "Other countries"."""
    named = [
        r for r in rows.sort("value", descending=True).iter_rows(named=True) if r["country_iso3"] != OTHER
    ]
    others = [r for r in rows.iter_rows(named=True) if r["country_iso3"] == OTHER]
    s = _Slices()
    for i, r in enumerate(named + others):
        code = r["country_iso3"]
        hover = _hover(
            f"<b>{_esc(_name(code))}</b>",
            _("{value} of the total").format(value=value_text(r["value"], u)),
            *_provenance(r, "percent"),
        )
        pattern = "/" if r["status"] == DERIVED else ""
        color = _slice_color(i, code)
        s.add(_esc(_name(code)), float(r["value"]), code, color, hover, pattern, bool(r.get("conflict")))
    return s


def _add_remainder(s: _Slices, total: float, u: Unit) -> float:
    """A grey "Not itemised in the source" slice: 100% minus the published shares."""
    remainder = round(100 - total, u.decimals)
    hover = _hover(
        f"<b>{_esc(_('Not itemised in the source'))}</b>",
        value_text(remainder, u),
        _("computed: 100% minus the published shares ({total})").format(total=value_text(total, u)),
    )
    s.add(_esc(_("Not itemised in the source")), remainder, "", theme.NOT_REPORTED_COLOR, hover, "", False)
    return remainder


def _period_in_hole(period_label: str) -> dict:
    """The period in the hole, in lines short enough to fit it."""
    return _note(
        "<b>" + "<br>".join(_esc(line) for line in textwrap.wrap(period_label, 12)) + "</b>",
        x=0.5,
        y=0.5,
        xanchor="center",
        yanchor="middle",
        font={"size": 13, "color": theme.TEXT_COLOR},
    )


def _over_100_warning(total: float, u: Unit) -> dict:
    return _note(
        _("⚠ The published shares add up to {total}, more than 100%.").format(total=value_text(total, u)),
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-6,
        font={"size": theme.NOTE_SIZE, "color": theme.OKABE_ITO["vermillion"]},
    )


def _pie(s: _Slices, u: Unit) -> go.Pie:
    return go.Pie(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        labels=s.labels,
        values=s.values,
        customdata=s.codes,
        hole=0.55,
        sort=False,
        direction="clockwise",
        rotation=0,
        text=[value_text(v, u) for v in s.values],
        textinfo="text",
        texttemplate=_marked_text(s.conflicts),
        textposition="inside",
        insidetextorientation="horizontal",
        hovertext=s.hovers,
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "colors": s.colors,
            "line": {"color": theme.OUTLINE_COLOR, "width": [2.5 if c else 0.75 for c in s.conflicts]},
            "pattern": _hatch(s.patterns, s.colors),
        },
        pull=[0.06 if c else 0 for c in s.conflicts],
        showlegend=True,
    )


def donut(rows: pl.DataFrame, indicator: Indicator, period_label: str) -> go.Figure:
    """Published shares by country (rows = ``DataStore.breakdown(..., "share_pct", "percent")``).

    Named countries are sorted by share, then "Other countries", then - when the published shares add up to
    less than 100% - a grey "Not itemised in the source" remainder (computed: 100% minus the shares).
    ``customdata`` is the ISO3 code ("OTH" for other countries, "" for the remainder) for click-to-select.
    Every slice has a thin dark outline (a light slice still has a 3:1 edge); a derived share is hatched; a
    share chosen among differing sources is pulled out, outlined thicker and marked ‡ after its value.
    """
    u = _unit("percent")
    counterpart = counterpart_phrase(indicator)
    subtitle = " · ".join(p for p in (_measure_label("share_pct"), counterpart) if p)
    title = f"{indicator.title}, {period_label}"
    rows = rows.filter(pl.col("value").is_not_null() & (pl.col("country_iso3") != TOTAL))
    if rows.is_empty():
        message = NO_SHARES.get(indicator.counterpart, NO_SHARES["country"])
        return _with_title(empty_figure(_(message).format(period=period_label)), title, subtitle)

    slices = _country_slices(rows, u)
    total = round(sum(slices.values), u.decimals + 1)
    annotations = [_period_in_hole(period_label)]
    remainder = None
    if total < 100 - SHARE_TOLERANCE_LOW:
        remainder = _add_remainder(slices, total, u)
    elif total > 100 + SHARE_TOLERANCE_HIGH:
        annotations.append(_over_100_warning(total, u))

    fig = new_figure(
        [_pie(slices, u)],
        dict(  # given at construction: update_layout after the traces costs ~10x
            template=TEMPLATE,
            title=_title(title, subtitle),
            annotations=annotations,
            uniformtext={"mode": "hide", "minsize": 10},
            margin={"l": 16, "r": 16, "t": 16, "b": 32},
            # the key of the ‡ mark heads the legend of the slices
            legend={
                "title": {
                    "text": _conflict_key() if any(slices.conflicts) else "",
                    "side": "top",
                    "font": {"size": theme.NOTE_SIZE, "color": theme.MUTED_TEXT_COLOR},
                }
            },
            meta={
                "indicator": indicator.id,
                "period": period_label,
                "sum": total,
                "remainder": remainder,
                "conflicts": sum(slices.conflicts),
            },
        ),
    )
    return _finish(fig)
