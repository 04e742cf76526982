"""A timeline of figures published for longer periods (chart kind "spans"): half-years, years, year-to-date
spans and as-of dates."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, cast

import plotly.graph_objects as go
import polars as pl
from babel.dates import format_date

from dashboard import i18n, theme
from dashboard.catalogue import Indicator, Unit
from dashboard.data import DERIVED
from dashboard.events import Threshold
from dashboard.events import events as declared_events
from dashboard.figures import events as event_marks
from dashboard.figures.common import (
    TEMPLATE,
    _conflict_legend,
    _esc,
    _finish,
    _hatch,
    _hover,
    _name,
    _provenance,
    _title,
    _unit,
    _with_title,
    empty_figure,
    new_figure,
    value_text,
)
from dashboard.formatting import babel_locale_data
from dashboard.i18n import N_, _
from dashboard.partial import partial_note
from dashboard.periods import Period, parse_period

_DAY_MS = 86_400_000

# Long-period types, in legend order, with the generic word shown for each (English; shown as _(word)).
SPAN_TYPES = {
    "half": N_("Half-year"),
    "year": N_("Year"),
    "ytd": N_("Year to date"),
    "ytd_open": N_("Year to date (end not stated)"),
    "date": N_("As of a date (stock)"),
}
_SPAN_COLORS = {
    "half": theme.PALETTE[0],
    "year": theme.PALETTE[2],
    "ytd": theme.PALETTE[3],
    "ytd_open": theme.PALETTE[3],
    "date": theme.PALETTE[1],
}
_POINT_KINDS = ("date", "ytd_open")  # drawn as a marker at their start: no end to draw a bar to
_GROUP_KEYS = ("y", "base", "x", "text", "hover", "derived", "conflict", "id")


def _span_kind(ptype: str, end: date | None) -> str:
    if ptype == "ytd" and end is None:
        return "ytd_open"
    return ptype


def _date_text(d: date) -> str:
    """'1 Apr 2023'; other languages: their own medium date (Babel): '1 апр. 2023 г.', '2023 ж. 01 сәу.'."""
    return _date_in(d, i18n.current())


@lru_cache(maxsize=8192)
def _date_in(d: date, lang: str) -> str:
    # remembered: a trend of ten countries writes ~1,000 dates, the same few dozen again and again
    return format_date(d, "d MMM y" if lang == i18n.DEFAULT else "medium", locale=babel_locale_data(lang))


def _dates(kind: str, start: date, end: date | None) -> str:
    """The dates a span covers, for its hover."""
    if kind == "ytd_open" or end is None:  # the same test: only an open year-to-date span lacks an end
        return _("from {date}, end not stated").format(date=_date_text(start))
    if kind == "date":
        return _date_text(start)
    return f"{_date_text(start)} – {_date_text(end)}"


def _month_ticks(first: date, last: date, step: int) -> list[date]:
    """The first days of the months between ``first`` and ``last`` every ``step`` months (every
    ``step // 12`` years, in January, from 24 months on)."""
    ticks = []
    y, m = first.year, first.month
    while date(y, m, 1) <= last:
        d = date(y, m, 1)
        on_step = (m - 1) % step == 0 if step <= 12 else (m == 1 and y % (step // 12) == 0)
        if d >= first and on_step:
            ticks.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return ticks


def _date_ticks(x_range: list[str]) -> dict:
    """Date-axis ticks labelled by Babel in the language in force (plotly.js may have no locale for it, and
    server-side images have none at all). English keeps plotly.js's own ticks."""
    if i18n.current() == i18n.DEFAULT:
        return {}
    first, last = date.fromisoformat(x_range[0]), date.fromisoformat(x_range[1])
    for step in (1, 3, 6, 12, 24, 60):
        ticks = _month_ticks(first, last, step)
        if len(ticks) <= 5:  # upright labels that fit a half-width card
            break
    pattern = "y" if step >= 12 else "LLL y"
    loc = i18n.current()
    return {
        "tickmode": "array",
        "tickvals": [d.isoformat() for d in ticks],
        "ticktext": [format_date(d, pattern, locale=loc) for d in ticks],
    }


@lru_cache(maxsize=8192)
def _span_tick(label: str) -> str:
    """A span's axis label in lines of at most 18 characters: long labels ("2023, с начала года (конец не
    указан)") would otherwise take the whole width of a phone screen from the bars."""
    return "<br>".join(_esc(line) for line in wrap(label, 18)) or _esc(label)


# what the fast wrap below does not handle: whitespace but single spaces between words, and hyphens
_NOT_PLAIN = re.compile(r"[^\S ]|-|  |^ | $")


def wrap(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width)``, the same lines, faster for the labels written here (words of at most
    ``width`` characters between single spaces, no hyphen: a chart of ten countries' spans wraps ~500 new
    labels; textwrap took ~7 ms of its first draw). Any other text goes to textwrap itself."""
    words = text.split(" ")
    if not text or _NOT_PLAIN.search(text) or max(map(len, words)) > width:
        return textwrap.wrap(text, width)
    lines = []
    line = words[0]
    for w in words[1:]:  # textwrap's greedy fill: a word joins the line if it fits with its space
        if len(line) + 1 + len(w) <= width:
            line = f"{line} {w}"
        else:
            lines.append(line)
            line = w
    lines.append(line)
    return lines


def _span_groups(rows: pl.DataFrame, u: Unit) -> tuple[list[str], dict[str, dict[str, list]]]:
    """The y-axis categories (one per figure, in date order) and, per kind of span, its figures' columns."""
    multi = rows["country_iso3"].n_unique() > 1
    categories: list[str] = []
    seen: set[str] = set()  # the labels so far (a list's `in` made this quadratic in the spans shown)
    groups: dict[str, dict[str, list]] = {}
    # each period's parse, label and partial-period note, once (ten countries share the same periods)
    periods: dict[tuple[str, str], tuple[Period, str, str | None]] = {}
    for r in rows.iter_rows(named=True):
        key = (r["period"], r["period_type"])
        if key not in periods:
            parsed = parse_period(*key)
            periods[key] = (parsed, parsed.label, partial_note(*key))  # a year to date short of the year
        p, label, note = periods[key]
        start, end = r["period_start"] or p.start, r["period_end"] or p.end
        if multi:
            label = f"{label} · {_name(r['country_iso3'])}"
        if label in seen:  # same span twice (should not happen for preferred rows): keep both visible
            label = f"{label} ({r['country_iso3']})"
        categories.append(label)
        seen.add(label)
        kind = _span_kind(r["period_type"], end)
        vtext = value_text(r["value"], u)
        g = groups.setdefault(kind, {k: [] for k in _GROUP_KEYS})
        g["y"].append(_span_tick(label))
        g["text"].append(vtext)
        dates = _dates(kind, start, end)
        if note:  # a year to date short of the year: said
            dates += f"<br>{_esc(note)}"
        g["hover"].append(_hover(f"<b>{_esc(label)}</b>", dates, vtext, *_provenance(r)))
        g["derived"].append(r["status"] == DERIVED)
        g["conflict"].append(bool(r.get("conflict")))
        g["id"].append(r["period"])
        if kind in _POINT_KINDS or end is None:  # no end: "ytd_open", one of the point kinds
            g["x"].append(start.isoformat())
        else:
            g["base"].append(start.isoformat())
            g["x"].append(((end + timedelta(days=1)) - start).days * _DAY_MS)
    return categories, groups


def _span_trace(kind: str, g: dict[str, list], conflict: bool, in_legend: bool) -> go.BaseTraceType:
    """The figures of one kind of span: bars over their dates, or markers at their start."""
    color = _SPAN_COLORS[kind]
    common: dict[str, Any] = {
        "name": _(SPAN_TYPES[kind]),
        "legendgroup": kind,
        "showlegend": in_legend,
        "y": g["y"],
        "x": g["x"],
        "text": g["text"],
        "texttemplate": f"%{{text}} {theme.CONFLICT_MARK}" if conflict else "%{text}",
        "hovertext": g["hover"],
        "hovertemplate": "%{hovertext}<extra></extra>",
        "customdata": g["id"],
        "cliponaxis": False,
    }
    if kind in _POINT_KINDS:
        symbol = "diamond" if kind == "date" else "triangle-right"
        return go.Scatter(
            **common,
            _validate=False,  # plain data of the right shape: plotly's checks were most of a first draw
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
    return go.Bar(
        **common,
        _validate=False,  # as above (the JSON is the validated one: tests/test_speed_first.py)
        orientation="h",
        base=g["base"],
        textposition="outside",
        marker={
            "color": color,
            "pattern": _hatch(["/" if d else "" for d in g["derived"]], color),
            "line": {"color": theme.OUTLINE_COLOR, "width": 2.5 if conflict else 0},
        },
    )


def _kind_traces(kind: str, whole: dict[str, list]) -> list[go.BaseTraceType]:
    """A kind's figures, those chosen among differing sources in a trace of their own (same legend group):
    outlined and marked ‡, while the legend's swatch for the kind keeps the plain style."""
    traces: list[go.BaseTraceType] = []
    for conflict in (False, True):
        keep = [i for i, c in enumerate(whole["conflict"]) if c is conflict]
        if not keep:
            continue
        g = {k: [v[i] for i in keep] if v else v for k, v in whole.items()}
        traces.append(_span_trace(kind, g, conflict, in_legend=not traces))
    return traces


# The narrowest plot this chart gets on a desktop card (px) and a value label's character there (px): the
# room kept on the right for the value written after the last bar.
_PLOT_PX, _CHAR_PX = 380, 7.5


def _x_range(
    rows: pl.DataFrame, n_conflicts: int, thresholds: Sequence[Threshold] = (), label_chars: int = 0
) -> list[str]:
    # min/max of Date columns of rows that are not empty (spans_chart returns early otherwise): dates
    first = min([cast(date, rows["period_start"].min()), *(t.first for t in thresholds)])
    last_candidates = [d for d in (rows["period_end"].max(), rows["period_start"].max()) if d is not None]
    last = max([*cast(list[date], last_candidates), *(t.last for t in thresholds)])
    # Room on the right for the value written after the last bar / marker: its share of the plot's width is
    # what the longest value label takes ("12,300,000 persons" was cut off with a fixed fifth of the span).
    share = min(0.5, max(0.26 if n_conflicts else 0.22, (label_chars + 1) * _CHAR_PX / _PLOT_PX))
    pad = timedelta(days=max(120, round((last - first).days * share / (1 - share))))
    return [(first - timedelta(days=20)).isoformat(), (last + pad).isoformat()]


def spans_chart(rows: pl.DataFrame, indicator: Indicator, unit: str, events: bool = True) -> go.Figure:
    """A timeline of figures published for half-years, years, year-to-date spans and as-of dates.

    Each figure is one horizontal bar over its own dates, labelled with its value: never split into quarters.
    A year-to-date figure without a stated end is a marker at 1 January (its end is unknown, so no bar
    length is invented); a stock as of a date is a diamond on that day. A derived figure is hatched (or an
    open marker); one chosen among differing sources is outlined and marked ‡ after its value. With
    ``events``, the indicator's declared events are marked on their days and its reference values
    (thresholds, e.g. a year's quota) are rows of their own over their dates (dashboard/figures/events.py).
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
    categories, groups = _span_groups(rows, u)
    traces = [t for kind in SPAN_TYPES if groups.get(kind) for t in _kind_traces(kind, groups[kind])]
    n_conflicts = sum(sum(g["conflict"]) for g in groups.values())
    if n_conflicts:
        traces.append(_conflict_legend())

    thresholds = declared_events().thresholds_for(indicator.id, u.id) if events else ()
    reference = event_marks.threshold_bars(thresholds, u)
    if reference is not None:
        traces.append(reference)
        categories += [event_marks.threshold_label(t) for t in thresholds]
    labels = [t for trace in traces for t in (trace.text or ()) if isinstance(t, str)]
    x_range = _x_range(rows, n_conflicts, thresholds, max((len(t) for t in labels), default=0))
    fig = new_figure(
        traces,
        dict(  # given at construction: update_layout after the traces costs ~10x
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
        ),
    )
    if events:
        shown = (date.fromisoformat(x_range[0]), date.fromisoformat(x_range[1]))
        event_marks.on_dates(fig, declared_events().for_indicator(indicator.id), *shown)
    return _finish(fig)
