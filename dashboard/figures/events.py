"""Events and reference lines on the time charts (pure: figure and entries in, figure out).

An event is a dotted vertical line at its day (a shaded band over a span; a dashed line for a series break)
with a numbered marker at the top of the plot whose hover says what happened, when, and the source. On the
quarterly trend an event sits on the quarter that holds its day. The figure's ``layout.meta.events`` lists
what was drawn, for the screen-reader summary (dashboard/a11y.py) and the notes of exported images.
A reference line (threshold) is a row of the longer-periods timeline over its own dates, labelled with its
value and its source: the timeline has no value axis to draw a line on, and a number is never invented.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go
from babel.dates import format_date

from dashboard import i18n
from dashboard.events import Event, Threshold
from dashboard.figures.common import _esc, _hover, _wrap
from dashboard.formatting import babel_locale_data, value_text
from dashboard.i18n import _

EVENT_COLOR = "#5D3A9B"  # a purple apart from the line palette (7.6:1 on white)
EVENT_AXIS = "yaxis9"  # an invisible 0..1 axis over the plot, for the markers at its top
_MARK_Y = 0.97  # at the top of the plot area (an axis clips what lies outside its range)
_LABEL_CHARS = 28  # an event's title beside its marker, shortened (the hover has it whole)
_DAY_MS = 86_400_000


def _date_text(d: date) -> str:
    """As the timeline says dates (dashboard/figures/spans.py): '21 Sep 2022', '21 сент. 2022 г.'."""
    lang = i18n.current()
    return format_date(d, "d MMM y" if lang == i18n.DEFAULT else "medium", locale=babel_locale_data(lang))


def when_text(e: Event | Threshold) -> str:
    """'21 Sep 2022', or '1 Aug 2025 – 31 Aug 2025' for a span, in the language in force."""
    if e.date is not None:
        return _date_text(e.date)
    return f"{_date_text(e.first)} – {_date_text(e.last)}"


def _source_line(e: Event | Threshold) -> str:
    return _("Source: {source}").format(source=_esc(e.source.title))


def event_hover(e: Event) -> str:
    text = e.localized(i18n.current())
    kind = _("Series break") if e.kind == "break" else _("Event")
    return _hover(
        f"<b>{_esc(text.title)}</b>",
        f"{kind} · {when_text(e)}",
        _wrap(_esc(text.text), 60),
        _wrap(_source_line(e), 60),
    )


def _meta(marks: Sequence[tuple[int, Event]]) -> list[dict[str, str]]:
    lang = i18n.current()
    return [
        {
            "n": str(n),
            "id": e.id,
            "kind": e.kind,
            "when": when_text(e),
            "title": e.localized(lang).title,
            "text": e.localized(lang).text,
            "source": e.source.title,
            "url": str(e.source.url),
        }
        for n, e in marks
    ]


def _shape(x0: Any, x1: Any, e: Event) -> dict[str, Any]:
    if x0 != x1:  # a span: a light band over it
        return {
            "type": "rect",
            "xref": "x",
            "yref": "paper",
            "x0": x0,
            "x1": x1,
            "y0": 0,
            "y1": 1,
            "fillcolor": EVENT_COLOR,
            "opacity": 0.08,
            "line": {"width": 0},
            "layer": "below",
            "name": f"event:{e.id}",
        }
    return {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": x0,
        "x1": x0,
        "y0": 0,
        "y1": 1,
        "line": {"color": EVENT_COLOR, "width": 1.5, "dash": "dash" if e.kind == "break" else "dot"},
        "layer": "below",
        "name": f"event:{e.id}",
    }


def _markers(xs: list[Any], marks: Sequence[tuple[int, Event]]) -> go.Scatter:
    return go.Scatter(
        name=_("Events"),
        x=xs,
        y=[_MARK_Y] * len(xs),
        yaxis=EVENT_AXIS.replace("axis", ""),
        mode="markers+text",
        text=[str(n) for n, _e in marks],
        textposition="middle center",
        textfont={"size": 10, "color": "#FFFFFF"},
        marker={
            "symbol": "circle",
            "size": 16,
            "color": EVENT_COLOR,
            "line": {"color": "#FFFFFF", "width": 1},
        },
        hovertext=[event_hover(e) for _n, e in marks],
        hovertemplate="%{hovertext}<extra></extra>",
        cliponaxis=False,
        showlegend=True,
        meta={"role": "events", "ids": [e.id for _n, e in marks]},
    )


def _overlay() -> dict[str, Any]:
    return {"overlaying": "y", "range": [0, 1], "visible": False, "fixedrange": True}


def _apply(
    fig: go.Figure, shapes: list[dict], xs: list[Any], marks: list[tuple[int, Event]], titled: bool = True
) -> go.Figure:
    if not marks:
        return fig
    meta = dict(fig.layout.meta) if isinstance(fig.layout.meta, dict) else {}
    fig.add_trace(_markers(xs, marks))
    lang = i18n.current()
    labels = [
        {
            "x": x,
            "xref": "x",
            "yref": "paper",
            "y": 1.0,
            "xanchor": "left",
            "yanchor": "bottom",
            "xshift": 10,
            "showarrow": False,
            "text": _esc(textwrap.shorten(e.localized(lang).title, _LABEL_CHARS, placeholder="…")),
            "font": {"size": 11, "color": EVENT_COLOR},
            "name": f"event:{e.id}",
        }
        for x, (_n, e) in zip(xs, marks, strict=True)
        if titled
    ]
    fig.update_layout(
        {
            "annotations": [*(fig.layout.annotations or ()), *labels],
            "shapes": [*(fig.layout.shapes or ()), *shapes],
            EVENT_AXIS: _overlay(),
            "showlegend": True,
            "meta": meta | {"events": _meta(marks)},
        }
    )
    return fig


def on_categories(
    fig: go.Figure, events: Sequence[Event], spans: Sequence[tuple[date, date]], labels: Sequence[str]
) -> go.Figure:
    """Mark ``events`` on a category axis whose categories cover the dates ``spans`` (e.g. quarters): each at
    the category that holds its day, a span over the categories it touches. Events outside are left out."""
    shapes: list[dict] = []
    xs: list[Any] = []
    marks: list[tuple[int, Event]] = []
    for e in sorted(events, key=lambda e: e.first):
        hit = [i for i, (a, b) in enumerate(spans) if a <= e.last and e.first <= b]
        if not hit:
            continue
        i0, i1 = hit[0], hit[-1]
        shapes.append(_shape(i0 - 0.5, i1 + 0.5, e) if (i0 != i1 or e.date is None) else _shape(i0, i0, e))
        xs.append(labels[i0])
        marks.append((len(marks) + 1, e))
    return _apply(fig, shapes, xs, marks)


def on_dates(fig: go.Figure, events: Sequence[Event], first: date, last: date) -> go.Figure:
    """Mark ``events`` on a date axis shown from ``first`` to ``last``."""
    shapes: list[dict] = []
    xs: list[Any] = []
    marks: list[tuple[int, Event]] = []
    for e in sorted(events, key=lambda e: e.first):
        if e.last < first or e.first > last:
            continue
        if e.date is not None:
            shapes.append(_shape(e.date.isoformat(), e.date.isoformat(), e))
        else:
            shapes.append(_shape(e.first.isoformat(), (e.last + timedelta(days=1)).isoformat(), e))
        xs.append(e.first.isoformat())
        marks.append((len(marks) + 1, e))
    # the timeline is a narrow card: numbered markers only, their titles in the hover (and the summary)
    return _apply(fig, shapes, xs, marks, titled=False)


def threshold_label(t: Threshold) -> str:
    return t.localized(i18n.current()).title


def threshold_bars(thresholds: Sequence[Threshold], unit) -> go.Bar | None:
    """The reference rows of the timeline: one outlined bar per threshold over its dates, labelled with its
    value, the hover saying what it is and its source."""
    if not thresholds:
        return None
    lang = i18n.current()
    rows = sorted(thresholds, key=lambda t: t.first)
    texts = [value_text(t.value, unit) for t in rows]
    return go.Bar(
        name=_("Reference (e.g. a quota)"),
        orientation="h",
        y=[_esc(threshold_label(t)) for t in rows],
        base=[t.first.isoformat() for t in rows],
        x=[((t.last + timedelta(days=1)) - t.first).days * _DAY_MS for t in rows],
        text=texts,
        textposition="outside",
        texttemplate="%{text}",
        textfont={"size": 12, "color": EVENT_COLOR},
        constraintext="none",
        hovertext=[
            _hover(
                f"<b>{_esc(t.localized(lang).title)}</b>",
                f"{when_text(t)} · {v}",
                _wrap(_esc(t.localized(lang).text), 60),
                _wrap(_source_line(t), 60),
            )
            for t, v in zip(rows, texts, strict=True)
        ],
        hovertemplate="%{hovertext}<extra></extra>",
        marker={
            "color": "rgba(0,0,0,0)",
            "line": {"color": EVENT_COLOR, "width": 2},
            "pattern": {"shape": ".", "fgcolor": EVENT_COLOR, "size": 6, "solidity": 0.15},
        },
        cliponaxis=False,
        meta={"role": "thresholds", "ids": [t.id for t in rows]},
    )


def event_notes(fig: go.Figure) -> list[str]:
    """The events a figure marks, one note each with its source (the notes of an exported image)."""
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    return [
        _("Event {n}, {when}: {title}. {text} Source: {source}").format(
            n=e["n"], when=e["when"], title=e["title"], text=e["text"], source=e["source"]
        )
        for e in meta.get("events") or ()
    ]
