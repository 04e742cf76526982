"""Figure builders: pure functions from data-API answers + catalogue entries to ``go.Figure``.

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
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl
from babel.dates import format_date

from dashboard import a11y, i18n, theme
from dashboard.catalogue import Indicator, Unit, catalogue
from dashboard.countries import OTHER, REPORTING_COUNTRY, TOTAL, all_codes, country_name
from dashboard.data import DERIVED, Figure
from dashboard.derivations import describe as derivation_text
from dashboard.formatting import fmt_value, not_reported, unit_word
from dashboard.i18n import N_, _, ngettext
from dashboard.periods import parse_period
from dashboard.periods import period_label as _period_label

TEMPLATE = theme.TEMPLATE_NAME
SHARE_TOLERANCE_LOW = 0.05  # shares summing to less than 100 - this get a computed remainder slice
SHARE_TOLERANCE_HIGH = 0.5  # shares summing to more than 100 + this get a warning
_DAY_MS = 86_400_000

# Long-period types, in legend order, with the generic word shown for each (English; shown as _(word)).
SPAN_TYPES = {
    "half": N_("Half-year"),
    "year": N_("Year"),
    "ytd": N_("Year to date"),
    "ytd_open": N_("Year to date (end not stated)"),
    "date": N_("As of a date (stock)"),
}
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
_SPAN_COLORS = {
    "half": theme.PALETTE[0],
    "year": theme.PALETTE[2],
    "ytd": theme.PALETTE[3],
    "ytd_open": theme.PALETTE[3],
    "date": theme.PALETTE[1],
}


# -- small helpers ------------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _esc(text: Any) -> str:
    """Escape data text for Plotly's HTML-like labels."""
    return html.escape(str(text), quote=False)


def _unit(unit: str | Unit) -> Unit:
    return unit if isinstance(unit, Unit) else catalogue().unit(unit)


def value_text(value: float | None, unit: str | Unit) -> str:
    """A formatted value with its unit: '308,710 permits', '253.8 bn KZT', '68.8%', or 'not reported'."""
    u = _unit(unit)
    text = fmt_value(value, u)
    if _missing(value) or u.kind != "count" or not u.label:
        return text
    return f"{text} {unit_word(value, u)}"


def _measure_label(measure: str) -> str:
    try:
        return catalogue().measure(measure).label
    except StopIteration:
        return measure


def _measure_unit(measure: str, unit: str | Unit) -> str:
    """'Share of total (%)', 'Amount (bn KZT)', 'Count (permits)'."""
    return f"{_measure_label(measure)} ({_unit(unit).label})"


def counterpart_phrase(indicator: Indicator) -> str:
    """'by nationality of the person' from the catalogue's counterpart meaning ('' when there is none)."""
    if indicator.counterpart == "none":
        return ""
    meaning = catalogue().counterparts.get(indicator.counterpart, "")
    if not meaning:
        return ""
    return _("by {counterpart}").format(counterpart=meaning[:1].lower() + meaning[1:])


def _name(code: str, names: Mapping[str, str] | None = None) -> str:
    if names and code in names:
        return names[code]
    return country_name(code)


def _provenance(row: Mapping[str, Any]) -> list[str]:
    """Hover lines for how a value was obtained: derivation and source conflicts."""
    lines = []
    if row.get("status") == DERIVED:
        how = row.get("derivation")
        if how:
            lines.append(_("derived: {how}").format(how=_esc(derivation_text(how))))
        else:
            lines.append(_("derived (computed here)"))
    if row.get("conflict"):
        n = row.get("n_sources")
        if n and n > 1:
            lines.append(ngettext("chosen among {n} source", "chosen among {n} sources", n).format(n=n))
        else:
            lines.append(_("chosen among several sources"))
    return lines


def _figure_provenance(f: Figure) -> list[str]:
    return _provenance(
        {
            "status": f.status,
            "derivation": f.derivation,
            "conflict": f.conflict,
            "n_sources": len(f.alternatives) or None,
        }
    )


def _hover(*lines: str) -> str:
    return "<br>".join(line for line in lines if line)


def _quarter_label(qid: str) -> str:
    return _period_label(parse_period(qid, "quarter"))


def _wrap(text: str, width: int) -> str:
    """Plotly never wraps titles: break long ones into lines so they fit a phone screen too."""
    if len(text) <= width:
        return _esc(text)
    head, sep, tail = text.rpartition(", ")
    if sep and len(tail) <= width:  # keep "…, Q2 2023" whole: break before the period
        return _wrap(head + ",", width) + "<br>" + _esc(tail)
    return "<br>".join(_esc(line) for line in textwrap.wrap(text, width))


def _title(text: str, subtitle: str = "") -> dict:
    # The subtitle is a second, smaller block of the title text rather than Plotly's `subtitle`: with a
    # wrapped title, only a single text block is placed above the plot without overlapping it.
    body = _wrap(text, 36)
    if subtitle:
        style = f"font-size:{theme.SUBTITLE_SIZE}px;color:{theme.MUTED_TEXT_COLOR}"
        body += f"<br><span style='{style}'>{_wrap(subtitle, 52)}</span>"
    return {"text": body}


def _note(text: str, **kw: Any) -> dict:
    """A small grey annotation (paper coordinates)."""
    base = {
        "text": text,
        "xref": "paper",
        "yref": "paper",
        "showarrow": False,
        "font": {"size": theme.NOTE_SIZE, "color": theme.MUTED_TEXT_COLOR},
    }
    base.update(kw)
    return base


def _swatch(color: str) -> str:
    """A coloured square for a key written in an annotation."""
    return f'<span style="color:{color}">■</span>'


def _conflict_key() -> str:
    """'‡ chosen among sources that differ': the legend entry / note that explains the mark."""
    return f"{theme.CONFLICT_MARK} {_('chosen among sources that differ')}"


def _conflict_legend(symbol: str = "square") -> go.Scatter:
    """A legend-only entry for the conflict mark (no data: x and y are None)."""
    return go.Scatter(
        name=_conflict_key(),
        x=[None],
        y=[None],
        mode="markers",
        marker={
            "symbol": symbol,
            "size": 11,
            "color": "#FFFFFF",
            "line": {"color": theme.OUTLINE_COLOR, "width": 2},
        },
        hoverinfo="skip",
        meta={"role": "conflict"},
    )


def _marked_text(conflicts: Sequence[bool]) -> list[str]:
    """Per-point text templates: the value text, followed by ‡ where it was chosen among differing sources
    (``text`` itself stays the plain value, for the summary and the tests)."""
    return [f"%{{text}} {theme.CONFLICT_MARK}" if c else "%{text}" for c in conflicts]


def _centre_message(message: str) -> dict:
    return _note(
        _esc(message),
        x=0.5,
        y=0.5,
        xanchor="center",
        yanchor="middle",
        font={"size": 14, "color": theme.MUTED_TEXT_COLOR},
        bgcolor="rgba(255,255,255,0.85)",
        borderpad=6,
    )


# -- 7. empty figure ----------------------------------------------------------------------------------
def empty_figure(message: str) -> go.Figure:
    """Blank figure (axes hidden) with a centred message."""
    fig = go.Figure()
    fig.update_layout(
        template=TEMPLATE,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[_centre_message(message)],
        showlegend=False,
        meta={"empty": True, "message": message},
    )
    return _finish(fig)


def _finish(fig: go.Figure) -> go.Figure:
    """The language's decimal and group marks for Plotly's own numbers (axis ticks, colour bar), and the
    chart's text alternative (dashboard.a11y)."""
    fig.update_layout(separators=theme.separators())
    return a11y.with_summary(fig)


def _with_title(fig: go.Figure, title: str, subtitle: str = "") -> go.Figure:
    fig.update_layout(title=_title(title, subtitle))
    return fig


# -- 1. choropleth ------------------------------------------------------------------------------------
def _flat_scale(color: str) -> list[list]:
    return [[0, color], [1, color]]


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

    Traces: (0) grey countries with no figure ("not reported" / "not selected"), (1) the values on a
    sequential scale, (2) Kazakhstan as the reporting country, never coloured by value. Countries the base
    map cannot draw and the "Other countries" group are listed in a note under the map, not dropped.
    """
    u = _unit(unit)
    chosen = frozenset(selected)

    def can_draw(code: str) -> bool:
        return drawable is None or code in drawable

    coloured: list[dict] = []
    grey: dict[str, str] = {}
    not_drawn: list[dict] = []
    other: dict | None = None
    reporting: dict | None = None
    for r in rows.iter_rows(named=True):
        code = r["country_iso3"]
        if code == TOTAL:
            continue
        if code == OTHER:
            other = r
        elif code == REPORTING_COUNTRY:
            reporting = r
        elif _missing(r["value"]):
            continue  # stays in the grey "not reported" layer
        elif not can_draw(code):
            not_drawn.append(r)
        elif chosen and code not in chosen:
            grey[code] = _("not selected")
        else:
            coloured.append(r)

    # conflicting countries last, so their dark outline is drawn over their neighbours' borders
    coloured.sort(key=lambda r: bool(r.get("conflict")))
    conflicting = [r["country_iso3"] for r in coloured if r.get("conflict")]
    coloured_codes = {r["country_iso3"] for r in coloured}
    world = (all_codes() | set(grey)) - coloured_codes - {REPORTING_COUNTRY}
    grey_codes = sorted(c for c in world if can_draw(c))

    traces: list[go.Choropleth] = [
        go.Choropleth(
            name=not_reported(),
            locationmode="ISO-3",
            locations=grey_codes,
            z=[1] * len(grey_codes),  # a colour index for the flat grey scale, not a value
            text=[f"{_esc(_name(c))}: {grey.get(c, not_reported())}" for c in grey_codes],
            hovertemplate="%{text}<extra></extra>",
            colorscale=_flat_scale(theme.NOT_REPORTED_COLOR),
            showscale=False,
            marker={"line": {"color": theme.BORDER_COLOR, "width": 0.5}},
        )
    ]

    if coloured:
        values = [float(r["value"]) for r in coloured]
        zmin, zmax = min(0.0, min(values)), max(values)
        if zmax <= zmin:
            zmax = zmin + 1.0
        traces.append(
            go.Choropleth(
                name=_measure_label(measure),
                locationmode="ISO-3",
                locations=[r["country_iso3"] for r in coloured],
                z=values,
                customdata=[r["country_iso3"] for r in coloured],
                text=[
                    _hover(
                        f"<b>{_esc(_name(r['country_iso3']))}</b>", value_text(r["value"], u), *_provenance(r)
                    )
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
                        "color": [
                            theme.OUTLINE_COLOR if r.get("conflict") else theme.BORDER_COLOR for r in coloured
                        ],
                        "width": [2.5 if r.get("conflict") else 0.5 for r in coloured],
                    }
                },
            )
        )

    if can_draw(REPORTING_COUNTRY):
        kaz = _("{country} — reporting country").format(country=_esc(_name(REPORTING_COUNTRY)))
        kaz_lines = [kaz]
        if reporting is not None and not _missing(reporting["value"]):
            kaz_lines.append(
                _("figure in the source: {value}").format(value=value_text(reporting["value"], u))
            )
        traces.append(
            go.Choropleth(
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
        )

    # Key and notes under the map.
    grey_meaning = _("not selected or not reported") if chosen else not_reported()
    reporting_key = _("{country} (reporting country)").format(country=_esc(_name(REPORTING_COUNTRY)))
    key = (
        f"{_swatch(theme.REPORTING_COLOR)} {reporting_key}"
        f"   {_swatch(theme.NOT_REPORTED_COLOR)} {grey_meaning}"
    )
    lines = [key]
    mark = f" {theme.CONFLICT_MARK}"
    listed = [*not_drawn, *([other] if other is not None and not _missing(other["value"]) else [])]
    if conflicting:
        lines.append(
            f"<b>{theme.CONFLICT_MARK}</b> "
            + _("dark outline: chosen among sources that differ ({countries})").format(
                countries=", ".join(_esc(_name(c)) for c in conflicting)
            )
        )
    elif any(r.get("conflict") for r in listed):
        lines.append(_conflict_key())
    if not_drawn:
        items = ", ".join(
            f"{_esc(_name(r['country_iso3']))} {value_text(r['value'], u)}{mark if r.get('conflict') else ''}"
            for r in not_drawn
        )
        lines.append(_("Not drawn on the map (too small at this scale): {items}").format(items=items))
    if other is not None and not _missing(other["value"]):
        lines.append(
            _("{group} (a group, not on the map): {value}").format(
                group=_esc(_name(OTHER)), value=value_text(other["value"], u)
            )
            + (mark if other.get("conflict") else "")
        )

    annotations = [_note("<br>".join(lines), x=0, y=0, xanchor="left", yanchor="top", align="left")]
    if rows.is_empty():
        annotations.append(
            _centre_message(_("No country breakdown reported for {period}").format(period=period_label))
        )

    subtitle = " · ".join(p for p in (_measure_unit(measure, u), counterpart_phrase(indicator)) if p)
    fig = go.Figure(data=traces)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(f"{indicator.title}, {period_label}", subtitle),
        geo={
            "projection": {"type": "natural earth"},
            "fitbounds": False,
            "showcountries": True,
            "countrycolor": theme.BORDER_COLOR,
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
        },
        margin={"l": 8, "r": 8, "t": 16, "b": 20 + 16 * len(lines)},
        annotations=annotations,
        showlegend=False,
        meta={
            "indicator": indicator.id,
            "measure": measure,
            "unit": u.id,
            "period": period_label,
            "coloured": sorted(coloured_codes),
            "not_drawn": [r["country_iso3"] for r in not_drawn],
            "conflicts": len(conflicting) + sum(bool(r.get("conflict")) for r in listed),
        },
    )
    return _finish(fig)


# -- 2. time series -----------------------------------------------------------------------------------
def _runs(indices: Sequence[int]) -> list[tuple[int, int]]:
    """Contiguous runs of sorted integers, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for i in indices:
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def time_series(
    series: pl.DataFrame,
    indicator: Indicator,
    measure: str,
    unit: str,
    names: dict[str, str] | None = None,
) -> go.Figure:
    """Quarterly lines, one per country (rows = ``DataStore.series(..., granularity="quarter")``).

    Gaps are not bridged. Unreported quarters are shown honestly, never as 0:
    * a thin strip under the plot, on its own axis with no value scale, holds an "×" per unreported
      (country, quarter) with hover "not reported" — it sits outside the value axis, so it cannot be read as
      a value of 0;
    * quarters where no plotted country reported anything get a light grey band over the whole plot.
    Each line has its own colour (>= 3:1 on white), marker symbol and dash (theme.series_style). Derived
    points are open markers with "derived: …" in the hover; a value chosen among differing sources gets a
    dark ring and "‡" (one extra trace, also its legend entry). Each real point's ``customdata`` is the
    quarter id (e.g. "2023-Q2") for drill-down.
    """
    u = _unit(unit)
    subtitle = _("{measure_unit}, by quarter").format(measure_unit=_measure_unit(measure, u))
    if series.is_empty() or series["value"].is_null().all():
        return _with_title(
            empty_figure(_("Not reported for any quarter in this range")), indicator.title, subtitle
        )

    order = series.select("period", "period_start").unique().sort("period_start")
    quarters: list[str] = order["period"].to_list()
    labels = [_quarter_label(q) for q in quarters]
    countries: list[str] = series["country_iso3"].unique(maintain_order=True).to_list()
    countries.sort(key=lambda c: c != TOTAL)  # Total first, then in the caller's order

    traces: list[go.Scatter] = []
    gaps_x: list[str] = []
    gaps_y: list[int] = []
    gaps_text: list[str] = []
    gaps_color: list[str] = []
    reported_any = [False] * len(quarters)
    any_derived = False
    values_seen: list[float] = []
    conflicts: dict[str, list] = {"x": [], "y": []}
    for ci, code in enumerate(countries):
        name = _name(code, names)
        color = theme.TOTAL_COLOR if code == TOTAL else theme.line_color(ci - (TOTAL in countries))
        symbol, dash = theme.series_style(ci)
        by_q = {r["period"]: r for r in series.filter(pl.col("country_iso3") == code).iter_rows(named=True)}
        ys: list[float | None] = []
        symbols: list[str] = []
        texts: list[str] = []
        for qi, (q, label) in enumerate(zip(quarters, labels, strict=True)):
            r = by_q.get(q)
            v = None if r is None or _missing(r["value"]) else float(r["value"])
            ys.append(v)
            if v is None:
                symbols.append(symbol)
                texts.append("")
                gaps_x.append(label)
                gaps_y.append(ci)
                gaps_text.append(f"<b>{_esc(name)}</b>, {label}: {not_reported()}")
                gaps_color.append(color)
                continue
            reported_any[qi] = True
            values_seen.append(v)
            derived = r["status"] == DERIVED
            any_derived |= derived
            symbols.append(f"{symbol}-open" if derived else symbol)
            texts.append(_hover(f"<b>{_esc(name)}</b>, {label}", value_text(v, u), *_provenance(r)))
            if r.get("conflict"):
                conflicts["x"].append(label)
                conflicts["y"].append(v)
        traces.append(
            go.Scatter(
                name=_esc(name),
                x=labels,
                y=ys,
                customdata=quarters,
                text=texts,
                hovertemplate="%{text}<extra></extra>",
                mode="lines+markers",
                connectgaps=False,
                line={"color": color, "width": 2, "dash": dash},
                marker={"color": color, "size": 8, "symbol": symbols, "line": {"color": color, "width": 2}},
                legendgroup=code,
                meta={"country": code},
            )
        )

    if any_derived:
        traces.append(
            go.Scatter(
                name=_("derived (computed here)"),
                x=[None],
                y=[None],
                mode="markers",
                marker={
                    "symbol": "circle-open",
                    "size": 8,
                    "color": theme.MUTED_TEXT_COLOR,
                    "line": {"width": 2},
                },
                hoverinfo="skip",
            )
        )

    if conflicts["x"]:
        traces.append(
            go.Scatter(
                name=_conflict_key(),
                x=conflicts["x"],
                y=conflicts["y"],
                mode="markers+text",
                text=[theme.CONFLICT_MARK] * len(conflicts["x"]),
                textposition="top center",
                textfont={"size": 14, "color": theme.OUTLINE_COLOR},
                marker={
                    "symbol": "circle-open",
                    "size": 17,
                    "color": theme.OUTLINE_COLOR,
                    "line": {"width": 1.5, "color": theme.OUTLINE_COLOR},
                },
                hoverinfo="skip",  # the point under the ring keeps its hover and click
                cliponaxis=False,
                meta={"role": "conflict"},
            )
        )

    strip = bool(gaps_x)
    if strip:
        traces.append(
            go.Scatter(
                name=not_reported(),
                x=gaps_x,
                y=gaps_y,
                yaxis="y2",
                mode="markers",
                text=gaps_text,
                hovertemplate="%{text}<extra></extra>",
                marker={
                    "symbol": "x-thin-open",
                    "size": 9,
                    "color": gaps_color,
                    "line": {"width": 1.5, "color": gaps_color},
                },
                meta={"role": "not_reported"},
            )
        )

    shapes = [
        {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": a - 0.5,
            "x1": b + 0.5,
            "y0": 0,
            "y1": 1,
            "fillcolor": theme.NOT_REPORTED_COLOR,
            "opacity": 0.5,
            "line": {"width": 0},
            "layer": "below",
        }
        for a, b in _runs([i for i, seen in enumerate(reported_any) if not seen])
    ]

    level = catalogue().measure(measure).level if measure in {m.id for m in catalogue().measures} else False
    yaxis: dict[str, Any] = {"title": {"text": _esc(u.label)}, "tickformat": ",", "separatethousands": True}
    if level and min(values_seen) >= 0:
        yaxis["rangemode"] = "tozero"
    layout: dict[str, Any] = {
        "template": TEMPLATE,
        "title": _title(indicator.title, subtitle),
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": labels,
            "showgrid": False,
        },
        "yaxis": yaxis,
        "shapes": shapes,
        "hovermode": "closest",
        # one line needs no legend unless a mark needs its key; the "not reported" strip has its own axis
        "showlegend": len(countries) > 1 or any_derived or bool(conflicts["x"]),
        "meta": {
            "indicator": indicator.id,
            "measure": measure,
            "unit": u.id,
            "quarters": quarters,
            "conflicts": len(conflicts["x"]),
        },
    }
    if strip:
        n = len(countries)
        strip_top = min(0.05 + 0.03 * n, 0.2)
        yaxis["domain"] = [strip_top + 0.06, 1.0]
        layout["xaxis"]["anchor"] = "y2"
        layout["yaxis2"] = {
            "domain": [0.0, strip_top],
            "range": [-0.6, n - 0.4],
            "fixedrange": True,
            "showgrid": False,
            "zeroline": False,
            "showline": False,
            "ticks": "",
            "tickvals": [(n - 1) / 2],
            "ticktext": [f"<i>{not_reported()}</i>"],
            "tickfont": {"size": theme.NOTE_SIZE, "color": theme.MUTED_TEXT_COLOR},
        }
    fig = go.Figure(data=traces)
    fig.update_layout(**layout)
    return _finish(fig)


# -- 3. longer periods --------------------------------------------------------------------------------
def _span_kind(ptype: str, end: date | None) -> str:
    if ptype == "ytd" and end is None:
        return "ytd_open"
    return ptype


def _date_text(d: date) -> str:
    """'1 Apr 2023'; other languages: their own medium date (Babel): '1 апр. 2023 г.', '2023 ж. 01 сәу.'."""
    lang = i18n.current()
    return format_date(d, "d MMM y" if lang == i18n.DEFAULT else "medium", locale=lang)


def _date_ticks(x_range: list[str]) -> dict:
    """Date-axis ticks labelled by Babel in the language in force (plotly.js may have no locale for it, and
    server-side images have none at all). English keeps plotly.js's own ticks."""
    if i18n.current() == i18n.DEFAULT:
        return {}
    first, last = date.fromisoformat(x_range[0]), date.fromisoformat(x_range[1])
    for step in (1, 3, 6, 12, 24, 60):
        ticks = []
        y, m = first.year, first.month
        while date(y, m, 1) <= last:
            d = date(y, m, 1)
            on_step = (m - 1) % step == 0 if step <= 12 else (m == 1 and y % (step // 12) == 0)
            if d >= first and on_step:
                ticks.append(d)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        if len(ticks) <= 5:  # upright labels that fit a half-width card
            break
    pattern = "y" if step >= 12 else "LLL y"
    loc = i18n.current()
    return {
        "tickmode": "array",
        "tickvals": [d.isoformat() for d in ticks],
        "ticktext": [format_date(d, pattern, locale=loc) for d in ticks],
    }


def _span_tick(label: str) -> str:
    """A span's axis label in lines of at most 18 characters: long labels ("2023, с начала года (конец не
    указан)") would otherwise take the whole width of a phone screen from the bars."""
    return "<br>".join(_esc(line) for line in textwrap.wrap(label, 18)) or _esc(label)


def spans_chart(rows: pl.DataFrame, indicator: Indicator, unit: str) -> go.Figure:
    """A timeline of figures published for half-years, years, year-to-date spans and as-of dates.

    Each figure is one horizontal bar over its own dates, labelled with its value: never split into quarters.
    A year-to-date figure without a stated end is a marker at 1 January (its end is unknown, so no bar
    length is invented); a stock as of a date is a diamond on that day. A derived figure is hatched (or an
    open marker); one chosen among differing sources is outlined and marked ‡ after its value.
    """
    u = _unit(unit)
    subtitle = _("{title} · {unit} · each figure drawn over the dates it covers").format(
        title=indicator.title, unit=u.label
    )
    if "unit" in rows.columns:
        rows = rows.filter(pl.col("unit") == u.id)
    rows = rows.filter(pl.col("value").is_not_null())
    if rows.is_empty():
        return _with_title(
            empty_figure(_("No figures reported for longer periods")),
            _("Figures reported for longer periods"),
            subtitle,
        )

    rows = rows.sort(["period_start", "period_end", "period_type", "country_iso3"], nulls_last=True)
    multi = rows["country_iso3"].n_unique() > 1
    categories: list[str] = []
    groups: dict[str, dict[str, list]] = {}
    for r in rows.iter_rows(named=True):
        p = parse_period(r["period"], r["period_type"])
        start, end = r["period_start"] or p.start, r["period_end"] or p.end
        label = p.label
        if multi:
            label = f"{label} · {_name(r['country_iso3'])}"
        if label in categories:  # same span twice (should not happen for preferred rows): keep both visible
            label = f"{label} ({r['country_iso3']})"
        categories.append(label)
        kind = _span_kind(r["period_type"], end)
        vtext = value_text(r["value"], u)
        dates = (
            _date_text(start) if kind in ("date", "ytd_open") else f"{_date_text(start)} – {_date_text(end)}"
        )
        if kind == "ytd_open":
            dates = _("from {date}, end not stated").format(date=_date_text(start))
        hover = _hover(f"<b>{_esc(label)}</b>", dates, vtext, *_provenance(r))
        keys = ("y", "base", "x", "text", "hover", "derived", "conflict", "id")
        g = groups.setdefault(kind, {k: [] for k in keys})
        g["y"].append(_span_tick(label))
        g["text"].append(vtext)
        g["hover"].append(hover)
        g["derived"].append(r["status"] == DERIVED)
        g["conflict"].append(bool(r.get("conflict")))
        g["id"].append(r["period"])
        if kind in ("date", "ytd_open"):
            g["x"].append(start.isoformat())
        else:
            g["base"].append(start.isoformat())
            g["x"].append(((end + timedelta(days=1)) - start).days * _DAY_MS)

    traces: list[go.BaseTraceType] = []
    for kind in SPAN_TYPES:
        whole = groups.get(kind)
        if not whole:
            continue
        color = _SPAN_COLORS[kind]
        # the figures chosen among differing sources in a trace of their own (same legend group): outlined
        # and marked ‡, while the legend's swatch for the kind keeps the plain style
        shown_in_legend = False
        for conflict in (False, True):
            keep = [i for i, c in enumerate(whole["conflict"]) if c is conflict]
            if not keep:
                continue
            g = {k: [v[i] for i in keep] if v else v for k, v in whole.items()}
            common = {
                "name": _(SPAN_TYPES[kind]),
                "legendgroup": kind,
                "showlegend": not shown_in_legend,
                "y": g["y"],
                "x": g["x"],
                "text": g["text"],
                "texttemplate": f"%{{text}} {theme.CONFLICT_MARK}" if conflict else "%{text}",
                "hovertext": g["hover"],
                "hovertemplate": "%{hovertext}<extra></extra>",
                "customdata": g["id"],
                "cliponaxis": False,
            }
            shown_in_legend = True
            if kind in ("date", "ytd_open"):
                symbol = "diamond" if kind == "date" else "triangle-right"
                traces.append(
                    go.Scatter(
                        **common,
                        mode="markers+text",
                        textposition="middle right",
                        marker={
                            "symbol": [f"{symbol}-open" if d else symbol for d in g["derived"]],
                            "size": 11,
                            "color": color,
                            "line": {
                                "color": theme.OUTLINE_COLOR if conflict else color,
                                "width": 2.5 if conflict else 1.5,
                            },
                        },
                    )
                )
            else:
                traces.append(
                    go.Bar(
                        **common,
                        orientation="h",
                        base=g["base"],
                        textposition="outside",
                        marker={
                            "color": color,
                            "pattern": {
                                "shape": ["/" if d else "" for d in g["derived"]],
                                "fgcolor": "#FFFFFF",
                                "bgcolor": color,
                                "size": 12,
                                "solidity": 0.25,
                            },
                            "line": {"color": theme.OUTLINE_COLOR, "width": 2.5 if conflict else 0},
                        },
                    )
                )
    n_conflicts = sum(sum(g["conflict"]) for g in groups.values())
    if n_conflicts:
        traces.append(_conflict_legend())

    first = rows["period_start"].min()
    last_candidates = [d for d in (rows["period_end"].max(), rows["period_start"].max()) if d is not None]
    last = max(last_candidates)
    # Room on the right for the value written after the last bar / marker.
    pad = timedelta(days=max(120, round((last - first).days * (0.26 if n_conflicts else 0.22))))
    x_range = [(first - timedelta(days=20)).isoformat(), (last + pad).isoformat()]
    fig = go.Figure(data=traces)
    fig.update_layout(
        template=TEMPLATE,
        title=_title(_("Figures reported for longer periods"), subtitle),
        barmode="overlay",
        bargap=0.35,
        xaxis={"type": "date", "range": x_range, "showgrid": True, **_date_ticks(x_range)},
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": [_span_tick(c) for c in categories],
            "autorange": "reversed",
            "showgrid": False,
        },
        height=max(360, 150 + 26 * len(categories)),  # room for a wrapped title and legend on a phone
        meta={
            "indicator": indicator.id,
            "unit": u.id,
            "periods": rows["period"].to_list(),
            "conflicts": n_conflicts,
        },
    )
    return _finish(fig)


# -- 4. months of a quarter ---------------------------------------------------------------------------
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

    labels = [m.period_label for m in months]
    conflicts = [bool(m.conflict) for m in reported]
    bar = go.Bar(
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
            "pattern": {
                "shape": ["/" if m.status == DERIVED else "" for m in reported],
                "fgcolor": "#FFFFFF",
                "bgcolor": theme.PALETTE[0],
                "size": 12,
                "solidity": 0.25,
            },
            "line": {
                "color": [theme.OUTLINE_COLOR if c else theme.PALETTE[0] for c in conflicts],
                "width": [2.5 if c else 0 for c in conflicts],
            },
        },
        width=0.6,
        showlegend=False,
    )
    annotations = [
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
    top = max(m.value for m in reported)
    low = min(0.0, min(m.value for m in reported))
    fig = go.Figure(data=[bar, _conflict_legend()] if any(conflicts) else [bar])
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        xaxis={"type": "category", "categoryorder": "array", "categoryarray": labels, "showgrid": False},
        yaxis={
            "title": {"text": _esc(u.label)},
            "range": [low, top * 1.18 if top > 0 else 1],
            "tickformat": ",",
            "rangemode": "tozero",
        },
        annotations=annotations,
        showlegend=any(conflicts),  # the key of the ‡ mark
        meta={
            "indicator": indicator.id,
            "unit": u.id,
            "months": [m.period for m in months],
            "conflicts": sum(conflicts),
        },
    )
    return _finish(fig)


# -- 5. donut -----------------------------------------------------------------------------------------
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

    named = [
        r for r in rows.sort("value", descending=True).iter_rows(named=True) if r["country_iso3"] != OTHER
    ]
    others = [r for r in rows.iter_rows(named=True) if r["country_iso3"] == OTHER]
    ordered = named + others
    labels, values, codes, colors, hovers, patterns = [], [], [], [], [], []
    conflicts: list[bool] = []
    for i, r in enumerate(ordered):
        code = r["country_iso3"]
        labels.append(_esc(_name(code)))
        values.append(float(r["value"]))
        codes.append(code)
        if code == OTHER:
            colors.append(theme.OTHER_COLOR)
        elif code == REPORTING_COUNTRY:
            colors.append(theme.REPORTING_COLOR)
        else:
            colors.append(theme.palette_color(i))
        patterns.append("/" if r["status"] == DERIVED else "")
        conflicts.append(bool(r.get("conflict")))
        hovers.append(
            _hover(
                f"<b>{_esc(_name(code))}</b>",
                _("{value} of the total").format(value=value_text(r["value"], u)),
                *_provenance(r),
            )
        )

    total = round(sum(values), u.decimals + 1)
    annotations = [  # the period in the hole, in lines short enough to fit it
        _note(
            "<b>" + "<br>".join(_esc(line) for line in textwrap.wrap(period_label, 12)) + "</b>",
            x=0.5,
            y=0.5,
            xanchor="center",
            yanchor="middle",
            font={"size": 13, "color": theme.TEXT_COLOR},
        )
    ]
    remainder = None
    if total < 100 - SHARE_TOLERANCE_LOW:
        remainder = round(100 - total, u.decimals)
        labels.append(_esc(_("Not itemised in the source")))
        values.append(remainder)
        codes.append("")
        colors.append(theme.NOT_REPORTED_COLOR)
        patterns.append("")
        conflicts.append(False)
        hovers.append(
            _hover(
                f"<b>{_esc(_('Not itemised in the source'))}</b>",
                value_text(remainder, u),
                _("computed: 100% minus the published shares ({total})").format(total=value_text(total, u)),
            )
        )
    elif total > 100 + SHARE_TOLERANCE_HIGH:
        annotations.append(
            _note(
                _("⚠ The published shares add up to {total}, more than 100%.").format(
                    total=value_text(total, u)
                ),
                x=0,
                y=0,
                xanchor="left",
                yanchor="top",
                yshift=-6,
                font={"size": theme.NOTE_SIZE, "color": theme.OKABE_ITO["vermillion"]},
            )
        )

    pie = go.Pie(
        labels=labels,
        values=values,
        customdata=codes,
        hole=0.55,
        sort=False,
        direction="clockwise",
        rotation=0,
        text=[value_text(v, u) for v in values],
        textinfo="text",
        texttemplate=_marked_text(conflicts),
        textposition="inside",
        insidetextorientation="horizontal",
        hovertext=hovers,
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "colors": colors,
            "line": {"color": theme.OUTLINE_COLOR, "width": [2.5 if c else 0.75 for c in conflicts]},
            # plotly.js paints a patterned pie slice transparent unless its background is given
            "pattern": {
                "shape": patterns,
                "fgcolor": "#FFFFFF",
                "bgcolor": colors,
                "size": 12,
                "solidity": 0.25,
            },
        },
        pull=[0.06 if c else 0 for c in conflicts],
        showlegend=True,
    )
    fig = go.Figure(data=[pie])
    fig.update_layout(
        template=TEMPLATE,
        title=_title(title, subtitle),
        annotations=annotations,
        uniformtext={"mode": "hide", "minsize": 10},
        margin={"l": 16, "r": 16, "t": 16, "b": 32},
        # the key of the ‡ mark heads the legend of the slices
        legend={
            "title": {
                "text": _conflict_key() if any(conflicts) else "",
                "side": "top",
                "font": {"size": theme.NOTE_SIZE, "color": theme.MUTED_TEXT_COLOR},
            }
        },
        meta={
            "indicator": indicator.id,
            "period": period_label,
            "sum": total,
            "remainder": remainder,
            "conflicts": sum(conflicts),
        },
    )
    return _finish(fig)


def sources_line(documents: Iterable[str], max_items: int = 3) -> str:
    """'Source: A' / 'Sources: A; B; C' / 'Sources: A; B; C; and 2 more' ('' when there are none)."""
    docs = list(dict.fromkeys(d for d in documents if d))
    if not docs:
        return ""
    shown = docs[: max(max_items, 1)]
    rest = len(docs) - len(shown)
    text = "; ".join(shown)
    if rest:
        text = _("{sources}; and {n} more").format(sources=text, n=rest)
    if len(docs) == 1:
        return _("Source: {sources}").format(sources=text)
    return _("Sources: {sources}").format(sources=text)
