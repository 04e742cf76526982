"""The world map of a country breakdown (chart kind "map")."""

from __future__ import annotations

from dataclasses import dataclass, field

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.catalogue import Indicator, Unit
from dashboard.countries import OTHER, REPORTING_COUNTRY, TOTAL
from dashboard.figures.common import (
    TEMPLATE,
    _centre_message,
    _conflict_key,
    _esc,
    _finish,
    _hover,
    _measure_label,
    _measure_unit,
    _missing,
    _name,
    _note,
    _provenance,
    _title,
    _unit,
    counterpart_phrase,
    new_figure,
    value_text,
)
from dashboard.formatting import not_reported
from dashboard.i18n import _


@dataclass
class _Countries:
    """The breakdown's rows sorted into the map's layers and the notes under it."""

    coloured: list[dict] = field(default_factory=list)  # on the value scale
    grey: dict[str, str] = field(default_factory=dict)  # code -> why it is grey ("not selected")
    not_drawn: list[dict] = field(default_factory=list)  # too small for the base map: listed in a note
    other: dict | None = None  # the "Other countries" group: listed in a note
    reporting: dict | None = None  # Kazakhstan, never coloured by value

    @property
    def conflicting(self) -> list[str]:
        return [r["country_iso3"] for r in self.coloured if r.get("conflict")]

    @property
    def listed(self) -> list[dict]:
        """The rows written in the note rather than drawn."""
        other = self.other
        return [*self.not_drawn, *([other] if other is not None and not _missing(other["value"]) else [])]


def _can_draw(code: str, drawable: frozenset[str] | None) -> bool:
    return drawable is None or code in drawable


def _flat_scale(color: str) -> list[list]:
    return [[0, color], [1, color]]


def _sort_countries(
    rows: pl.DataFrame, chosen: frozenset[str], drawable: frozenset[str] | None
) -> _Countries:
    c = _Countries()
    for r in rows.iter_rows(named=True):
        code = r["country_iso3"]
        if code == TOTAL:
            continue
        if code == OTHER:
            c.other = r
        elif code == REPORTING_COUNTRY:
            c.reporting = r
        elif _missing(r["value"]):
            continue  # stays grey "not reported" land
        elif not _can_draw(code, drawable):
            c.not_drawn.append(r)
        elif chosen and code not in chosen:
            c.grey[code] = _("not selected")
        else:
            c.coloured.append(r)
    # conflicting countries last, so their dark outline is drawn over their neighbours' borders
    c.coloured.sort(key=lambda r: bool(r.get("conflict")))
    return c


def _not_selected_layer(c: _Countries, drawable: frozenset[str] | None) -> go.Choropleth | None:
    """Countries with a figure that the selection leaves out: grey, "not selected" on hover."""
    codes = sorted(code for code in c.grey if _can_draw(code, drawable))
    if not codes:
        return None
    return go.Choropleth(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        name=_("not selected"),
        locationmode="ISO-3",
        locations=codes,
        z=[1] * len(codes),  # a colour index for the flat grey scale, not a value
        text=[f"{_esc(_name(code))}: {c.grey[code]}" for code in codes],
        hovertemplate="%{text}<extra></extra>",
        colorscale=_flat_scale(theme.NOT_REPORTED_COLOR),
        showscale=False,
        marker={"line": {"color": theme.BORDER_COLOR, "width": 0.5}},
    )


def _value_layer(coloured: list[dict], measure: str, u: Unit) -> go.Choropleth:
    """The countries with a figure, on the sequential scale."""
    values = [float(r["value"]) for r in coloured]
    zmin, zmax = min(0.0, min(values)), max(values)
    if zmax <= zmin:
        zmax = zmin + 1.0
    return go.Choropleth(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        name=_measure_label(measure),
        locationmode="ISO-3",
        locations=[r["country_iso3"] for r in coloured],
        z=values,
        customdata=[r["country_iso3"] for r in coloured],
        text=[
            _hover(f"<b>{_esc(_name(r['country_iso3']))}</b>", value_text(r["value"], u), *_provenance(r, u))
            for r in coloured
        ],
        hovertemplate="%{text}<extra></extra>",
        colorscale=[list(s) for s in theme.SEQUENTIAL],
        zmin=zmin,
        zmax=zmax,
        colorbar={
            "title": {"text": _esc(u.label), "side": "top"},
            "thickness": 12,
            "len": 0.6,
            "x": 1.0,
            "xanchor": "left",
            "tickfont": {"size": 11},
            "outlinewidth": 0,
        },
        # a value chosen among differing sources: a thick dark outline (and the key names them)
        marker={
            "line": {
                "color": [theme.OUTLINE_COLOR if r.get("conflict") else theme.BORDER_COLOR for r in coloured],
                "width": [2.5 if r.get("conflict") else 0.5 for r in coloured],
            }
        },
    )


def _reporting_layer(reporting: dict | None, u: Unit) -> go.Choropleth:
    """Kazakhstan as the reporting country, with its own figure in the hover when the source gives one."""
    kaz = _("{country} — reporting country").format(country=_esc(_name(REPORTING_COUNTRY)))
    kaz_lines = [kaz]
    if reporting is not None and not _missing(reporting["value"]):
        kaz_lines.append(_("figure in the source: {value}").format(value=value_text(reporting["value"], u)))
    return go.Choropleth(
        _validate=False,  # plain data of the right shape: plotly's checks cost most of a draw
        name=_("reporting country"),
        locationmode="ISO-3",
        locations=[REPORTING_COUNTRY],
        z=[1],
        text=[_hover(*kaz_lines)],
        hovertemplate="%{text}<extra></extra>",
        colorscale=_flat_scale(theme.REPORTING_COLOR),
        showscale=False,
        marker={"line": {"color": theme.BORDER_COLOR, "width": 0.5}},
    )


def _swatch(color: str) -> str:
    """A coloured square for a key written in an annotation."""
    return f'<span style="color:{color}">■</span>'


def _key_lines(c: _Countries, chosen: frozenset[str], u: Unit) -> list[str]:
    """The key and the notes under the map: colours, the conflict mark, countries not drawn, the group."""
    grey_meaning = _("not selected or not reported") if chosen else not_reported()
    reporting_key = _("{country} (reporting country)").format(country=_esc(_name(REPORTING_COUNTRY)))
    key = (
        f"{_swatch(theme.REPORTING_COLOR)} {reporting_key}"
        f"   {_swatch(theme.NOT_REPORTED_COLOR)} {grey_meaning}"
    )
    lines = [key]
    mark = f" {theme.CONFLICT_MARK}"
    if c.conflicting:
        lines.append(
            f"<b>{theme.CONFLICT_MARK}</b> "
            + _("dark outline: chosen among sources that differ ({countries})").format(
                countries=", ".join(_esc(_name(code)) for code in c.conflicting)
            )
        )
    elif any(r.get("conflict") for r in c.listed):
        lines.append(_conflict_key())
    if c.not_drawn:
        items = ", ".join(
            f"{_esc(_name(r['country_iso3']))} {value_text(r['value'], u)}{mark if r.get('conflict') else ''}"
            for r in c.not_drawn
        )
        lines.append(_("Not drawn on the map (too small at this scale): {items}").format(items=items))
    other = c.other
    if other is not None and not _missing(other["value"]):
        lines.append(
            _("{group} (a group, not on the map): {value}").format(
                group=_esc(_name(OTHER)), value=value_text(other["value"], u)
            )
            + (mark if other.get("conflict") else "")
        )
    return lines


def _geo() -> dict:
    return {
        "projection": {"type": "natural earth"},
        "fitbounds": False,
        # A country with no figure is grey land with the world's borders over it: one land and one border
        # path, where a layer of ~190 grey countries (a path each, re-projected on every update) cost
        # ~10 ms more of each map redraw in Chromium. The key under the map says what grey means.
        "showcountries": True,
        "countrycolor": theme.BORDER_COLOR,
        "countrywidth": 0.5,
        "showland": True,
        "landcolor": theme.NOT_REPORTED_COLOR,
        "showframe": False,
        "showcoastlines": False,
        "showocean": False,
        "showlakes": False,
        "resolution": 110,
        "lataxis": {"range": [-58, 84]},  # the whole inhabited world (Antarctica has no figures)
        "lonaxis": {"range": [-180, 180]},
        "domain": {"x": [0, 1], "y": [0, 1]},
    }


def choropleth(
    rows: pl.DataFrame,
    indicator: Indicator,
    measure: str,
    unit: str,
    period_label: str,
    selected: tuple[str, ...] = (),
    drawable: frozenset[str] | None = None,
) -> go.Figure:
    """World map of a country breakdown (rows = ``DataStore.breakdown``).

    Countries with no figure are the grey land of the base map ("not reported" in the key). Traces: the
    countries the selection leaves out (grey, "not selected"; only with a selection), the values on a
    sequential scale (only when there are any), Kazakhstan as the reporting country, never coloured by
    value. Countries the base map cannot draw and the "Other countries" group are listed in a note under
    the map, not dropped.
    """
    u = _unit(unit)
    chosen = frozenset(selected)
    c = _sort_countries(rows, chosen, drawable)
    left_out = _not_selected_layer(c, drawable)
    traces = [left_out] if left_out is not None else []
    if c.coloured:
        traces.append(_value_layer(c.coloured, measure, u))
    if _can_draw(REPORTING_COUNTRY, drawable):
        traces.append(_reporting_layer(c.reporting, u))

    lines = _key_lines(c, chosen, u)
    annotations = [_note("<br>".join(lines), x=0, y=0, xanchor="left", yanchor="top", align="left")]
    if rows.is_empty():
        annotations.append(
            _centre_message(_("No country breakdown reported for {period}").format(period=period_label))
        )

    subtitle = " · ".join(p for p in (_measure_unit(measure, u), counterpart_phrase(indicator)) if p)
    fig = new_figure(
        traces,
        dict(  # given at construction: update_layout after the traces costs ~10x
            template=TEMPLATE,
            title=_title(f"{indicator.title}, {period_label}", subtitle),
            geo=_geo(),
            margin={"l": 8, "r": 8, "t": 16, "b": 20 + 16 * len(lines)},
            annotations=annotations,
            showlegend=False,
            meta={
                "indicator": indicator.id,
                "measure": measure,
                "unit": u.id,
                "period": period_label,
                "coloured": sorted({r["country_iso3"] for r in c.coloured}),
                "not_drawn": [r["country_iso3"] for r in c.not_drawn],
                "conflicts": len(c.conflicting) + sum(bool(r.get("conflict")) for r in c.listed),
            },
        ),
    )
    return _finish(fig)
