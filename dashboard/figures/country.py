"""A country's figures of one indicator over time (chart kind "country": the small charts of a country page).

Every figure is drawn over the dates it covers, on one date axis, and never split: quarters and months are
points on a line of their own (at the middle of the period), stocks are points on their day, and half-years,
years and year-to-date spans are level segments from their first to their last day, labelled with their
value. A line is broken wherever the next period of its kind was not reported (a gap, never a zero), and the
unreported quarters or months between two reported ones are shaded. Derived values are open markers or
dashed segments; values chosen among sources that differ are marked ‡ and outlined, with a legend entry.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
import polars as pl

from dashboard import theme
from dashboard.catalogue import Indicator
from dashboard.data import DERIVED
from dashboard.figures.common import (
    TEMPLATE,
    _conflict_legend,
    _esc,
    _finish,
    _hover,
    _measure_unit,
    _provenance,
    _unit,
    empty_figure,
    new_figure,
    value_text,
)
from dashboard.i18n import N_, _
from dashboard.periods import Period, parse_period

# Period types in legend order: (name, colour, marker); points first, then spans.
KINDS: dict[str, tuple[str, str, str]] = {
    "quarter": (N_("By quarter"), theme.PALETTE[0], "circle"),
    "month": (N_("By month"), theme.PALETTE[1], "square"),
    "date": (N_("As of a date (stock)"), theme.PALETTE[1], "diamond"),
    "half": (N_("Half-year"), theme.PALETTE[2], "line-ns"),
    "year": (N_("Year"), theme.PALETTE[3], "line-ns"),
    "ytd": (N_("Year to date"), theme.PALETTE[4 % len(theme.PALETTE)], "line-ns"),
}
POINT_KINDS = ("quarter", "month", "date")
_NEXT_WITHIN = {"quarter": 100, "month": 35, "date": 35}  # days to the next period's start: still adjacent


def _mid(p: Period) -> date:
    end = p.end or p.start
    return p.start + (end - p.start) / 2


def _point_x(p: Period) -> date:
    return p.start if p.type == "date" else _mid(p)


def _label(r: dict, p: Period, unit: Any) -> tuple[str, str]:
    """(value label, hover) of one figure."""
    text = value_text(r["value"], unit)
    label = f"{text} {theme.CONFLICT_MARK}" if r.get("conflict") else text
    return label, _hover(f"<b>{_esc(p.label)}</b>", _esc(text), *_provenance(r, unit))


def _points(kind: str, rows: list[dict], unit: Any) -> tuple[go.Scatter, list[dict]]:
    """A line of points of one period type, broken where the next period was not reported; and the shaded
    bands over the unreported periods between two reported ones."""
    name, color, symbol = KINDS[kind]
    xs: list[str | None] = []
    ys: list[float | None] = []
    texts: list[str] = []
    symbols: list[str] = []
    lines: list[str] = []
    bands: list[dict] = []
    prev: Period | None = None
    for r in rows:
        p = parse_period(r["period"], r["period_type"])
        if prev is not None and (p.start - prev.start).days > _NEXT_WITHIN[kind]:
            xs.append(None)  # a gap, never bridged
            ys.append(None)
            texts.append("")
            symbols.append(symbol)
            lines.append("")
            if kind != "date":  # quarters and months not reported between two reported ones
                bands.append(_band((prev.end or prev.start) + timedelta(days=1), p.start - timedelta(days=1)))
        label, hover = _label(r, p, unit)
        xs.append(_point_x(p).isoformat())
        ys.append(float(r["value"]))
        texts.append(label)
        symbols.append(f"{symbol}-open" if r["status"] == DERIVED else symbol)
        lines.append(hover)
        prev = p
    trace = go.Scatter(
        name=_(name),
        x=xs,
        y=ys,
        text=texts,
        hovertext=lines,
        hovertemplate="%{hovertext}<extra></extra>",
        mode="lines+markers+text" if len(rows) <= 3 else "lines+markers",
        textposition="top center",
        connectgaps=False,
        line={"color": color, "width": 2},
        marker={"color": color, "size": 9, "symbol": symbols, "line": {"color": color, "width": 2}},
        cliponaxis=False,
        meta={"kind": kind},
    )
    return trace, bands


def _band(first: date, last: date) -> dict:
    return {
        "type": "rect",
        "xref": "x",
        "yref": "paper",
        "x0": first.isoformat(),
        "x1": last.isoformat(),
        "y0": 0,
        "y1": 1,
        "fillcolor": theme.NOT_REPORTED_COLOR,
        "opacity": 0.5,
        "line": {"width": 0},
        "layer": "below",
    }


def _spans(kind: str, rows: list[dict], unit: Any) -> go.Scatter:
    """Level segments over the dates each figure covers, each labelled at its end; a derived one dashed
    (its own segment style cannot vary within a trace, so the label says '(derived)' too)."""
    name, color, _symbol = KINDS[kind]
    xs: list[str | None] = []
    ys: list[float | None] = []
    texts: list[str] = []
    hovers: list[str] = []
    for r in rows:
        p = parse_period(r["period"], r["period_type"])
        start = r.get("period_start") or p.start
        end = r.get("period_end") or p.end or start  # a year to date with no stated end: a point
        label, hover = _label(r, p, unit)
        if r["status"] == DERIVED:
            label = _("{value} (derived)").format(value=label)
        xs += [start.isoformat(), end.isoformat(), None]
        ys += [float(r["value"]), float(r["value"]), None]
        texts += ["", label, ""]
        hovers += [hover, hover, ""]
    return go.Scatter(
        name=_(name),
        x=xs,
        y=ys,
        text=texts,
        hovertext=hovers,
        hovertemplate="%{hovertext}<extra></extra>",
        mode="lines+markers+text",
        textposition="top left",
        line={"color": color, "width": 4},
        marker={"color": color, "size": 10, "symbol": "line-ns", "line": {"color": color, "width": 2}},
        cliponaxis=False,
        connectgaps=False,
        meta={"kind": kind},
    )


def _summary(title: str, rows: pl.DataFrame, unit: Any) -> str:
    """The chart's text alternative: its figures, latest first (at most six)."""
    items = []
    for r in rows.sort("period_start", descending=True).head(6).iter_rows(named=True):
        p = parse_period(r["period"], r["period_type"])
        items.append(f"{p.label}: {value_text(r['value'], unit)}")
    more = rows.height - len(items)
    body = "; ".join(items) + (_("; and {n} more").format(n=more) if more > 0 else "")
    return f"{title}. {body}."


def country_chart(rows: pl.DataFrame, indicator: Indicator, measure: str, unit: str, title: str) -> go.Figure:
    """The figures of one country, indicator, measure and unit (preferred rows of any period type, with
    ``status``), each over its own dates. ``title`` names the chart for its text alternative and export."""
    u = _unit(unit)
    rows = rows.filter(
        (pl.col("measure") == measure) & (pl.col("unit") == u.id) & pl.col("value").is_not_null()
    )
    if rows.is_empty():
        return empty_figure(_("Not reported for this country"))
    rows = rows.sort(["period_start", "period_type"])
    traces: list[go.Scatter] = []
    shapes: list[dict] = []
    for kind in KINDS:
        part = rows.filter(pl.col("period_type") == kind).to_dicts()
        if not part:
            continue
        if kind in POINT_KINDS:
            trace, bands = _points(kind, part, u)
            traces.append(trace)
            shapes += bands
        else:
            traces.append(_spans(kind, part, u))
    conflicts = int(rows["conflict"].fill_null(False).sum())
    if conflicts:
        traces.append(_conflict_legend())
    values = rows["value"].to_list()
    yaxis: dict[str, Any] = {"title": {"text": _esc(_measure_unit(measure, u))}, "separatethousands": True}
    if min(values) >= 0:
        yaxis["rangemode"] = "tozero"
    yaxis["range"] = [0, max(values) * 1.25] if min(values) >= 0 else None
    starts: list[date] = rows["period_start"].to_list()
    ends: list[date] = [d for d in rows["period_end"].to_list() if d is not None]
    first, last = min(starts), max(starts + ends)
    pad = timedelta(days=max(45, round((last - first).days * 0.06)))
    fig = new_figure(
        traces,
        dict(
            template=TEMPLATE,
            xaxis={"type": "date", "range": [(first - pad).isoformat(), (last + pad).isoformat()]},
            yaxis={k: v for k, v in yaxis.items() if v is not None},
            shapes=shapes,
            hovermode="closest",
            showlegend=True,
            legend={"orientation": "h", "y": -0.18, "x": 0},
            margin={"l": 56, "r": 16, "t": 16, "b": 16},
            meta={
                "indicator": indicator.id,
                "measure": measure,
                "unit": u.id,
                "periods": rows["period"].to_list(),
                "conflicts": conflicts,
            },
        ),
    )
    fig = _finish(fig)
    meta = dict(fig.layout.meta)
    meta["summary"] = _summary(title, rows, u)
    fig.update_layout(meta=meta)
    return fig


def money_chart(sent: pl.DataFrame, received: pl.DataFrame, unit: str, labels: tuple[str, str]) -> go.Figure:
    """Money sent to a country and received from it, side by side, for the periods both were reported in
    ``unit`` (a period with one side only is not drawn: its balance is unknown, not zero)."""
    u = _unit(unit)
    key = ["period", "period_type"]
    both = sent.join(received, on=key, how="inner", suffix="_in").sort("period_start")
    if both.is_empty():
        return empty_figure(_("No period with money reported both ways"))
    cats = [parse_period(p, t).label for p, t in zip(both["period"], both["period_type"], strict=True)]
    traces = []
    for i, (col, name) in enumerate((("", labels[0]), ("_in", labels[1]))):
        rows = both.select(
            pl.col(f"value{col}").alias("value"),
            pl.col(f"status{col}").alias("status"),
            pl.col(f"derivation{col}").alias("derivation"),
            pl.col(f"conflict{col}").alias("conflict"),
            pl.col(f"n_sources{col}").alias("n_sources"),
        ).to_dicts()
        color = theme.PALETTE[i * 2]
        texts = [
            value_text(r["value"], u) + (f" {theme.CONFLICT_MARK}" if r["conflict"] else "") for r in rows
        ]
        traces.append(
            go.Bar(
                name=_esc(name),
                x=cats,
                y=[r["value"] for r in rows],
                text=texts,
                textposition="outside",
                hovertext=[
                    _hover(f"<b>{_esc(name)}</b>, {c}", t, *_provenance(r, u))
                    for c, t, r in zip(cats, texts, rows, strict=True)
                ],
                hovertemplate="%{hovertext}<extra></extra>",
                marker={
                    "color": color,
                    "pattern": {
                        "shape": ["/" if r["status"] == DERIVED else "" for r in rows],
                        "fgcolor": "#FFFFFF",
                        "bgcolor": color,
                        "solidity": 0.25,
                    },
                },
                cliponaxis=False,
            )
        )
    top = max(v for t in traces for v in t.y)
    fig = new_figure(
        traces,
        dict(
            template=TEMPLATE,
            barmode="group",
            xaxis={"type": "category"},
            yaxis={"title": {"text": _esc(u.label)}, "range": [0, top * 1.25], "separatethousands": True},
            legend={"orientation": "h", "y": -0.18, "x": 0},
            margin={"l": 56, "r": 16, "t": 16, "b": 16},
            meta={"unit": u.id, "periods": both["period"].to_list()},
        ),
    )
    return _finish(fig)
