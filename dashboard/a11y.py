"""Text alternatives for charts (WCAG 1.1.1): a short summary a screen reader can read, made from the figure.

``summarize(fig)`` is a pure function of a Plotly figure built by ``dashboard.figures``: it reads the same
traces the chart draws (no second data path), so the words cannot drift from the picture. The explorer puts
it in a visually hidden paragraph next to each graph (``layouts.common.graph``; copied from the figure's
``layout.meta.summary`` by ``assets/a11y.js``), the briefing under each static chart. The figures table
lists every number in full; the summary names the title, the largest values and the change, and how many
values are marked ‡ (chosen among sources that differ).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Any

from babel.numbers import format_decimal, format_percent
from plotly.basedatatypes import BaseFigure

from dashboard import i18n
from dashboard.countries import country_name
from dashboard.formatting import fmt_value, value_text
from dashboard.i18n import _, ngettext

TOP = 3
_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")


def plain(text: Any) -> str:
    """Plotly rich text to plain text: tags and line breaks dropped, entities decoded, spaces collapsed."""
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", str(text or "")))).strip()


def _fmt(value: float, unit: str | None) -> str:
    if unit:
        try:
            return value_text(value, unit)
        except (KeyError, ValueError):
            pass
    loc = i18n.current()
    if abs(value) >= 100:
        return format_decimal(value, format="#,##0", locale=loc)
    return format_decimal(float(f"{value:.4g}"), format="#,##0.######", locale=loc)  # 4 significant digits


def _number(v: Any) -> float | None:
    if v is None or isinstance(v, bool):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if f != f else f  # NaN


def _as_dict(fig: Any) -> Mapping[str, Any]:
    """The figure's data and layout to read. A plotly figure's own (not to_plotly_json()'s deep copy: a trend
    of ten countries is ~15,000 objects copied for a summary that only reads them)."""
    if isinstance(fig, BaseFigure):
        return {"data": fig._data, "layout": fig._layout}  # read only, never changed here
    return fig.to_plotly_json() if hasattr(fig, "to_plotly_json") else fig


def title_of(fig: Any) -> str:
    """'Title. Subtitle' from the figure's title (the subtitle is the second, smaller block)."""
    layout = _as_dict(fig).get("layout") or {}
    title = layout.get("title") or {}
    text = title.get("text", "") if isinstance(title, Mapping) else str(title)
    head, _, sub = str(text).partition("<span")
    head, sub = plain(head), plain("<span" + sub) if sub else ""
    return f"{head}. {sub}" if sub else head


def _share(value: float) -> str:
    """A share with one decimal: 68.8% / 68,8 % (Babel, in the language in force)."""
    return fmt_value(value, "percent")


def _listing(pairs: list[tuple[str, str]]) -> str:
    return "; ".join(f"{label} {value}" for label, value in pairs)


def _map(traces: list, unit: str | None) -> str:
    values = [t for t in traces if t.get("type") == "choropleth" and t.get("customdata") is not None]
    if not values:
        return _("No country has a figure for this period.")
    pairs = [
        (code, z)
        for t in values
        for code, z in zip(t.get("locations") or [], t.get("z") or [], strict=False)
        if _number(z) is not None
    ]
    pairs.sort(key=lambda p: -float(p[1]))
    top = [(country_name(c), _fmt(float(z), unit)) for c, z in pairs[:TOP]]
    n = len(pairs)
    return ngettext(
        "{n} country has a figure. Highest: {top}.", "{n} countries have a figure. Highest: {top}.", n
    ).format(n=n, top=_listing(top))


def _pie(traces: list) -> str:
    pie = next(t for t in traces if t.get("type") == "pie")
    items = [
        (plain(label), float(v))
        for label, v in zip(pie.get("labels") or [], pie.get("values") or [], strict=False)
        if _number(v) is not None
    ]
    total = sum(v for _, v in items) or 1.0
    items.sort(key=lambda p: -p[1])
    # the slices are shares: say them as percentages (as published when they already add up to 100)
    scale = 1.0 if abs(total - 100) <= 1.5 else 100 / total
    top = [(label, _share(v * scale)) for label, v in items[:TOP]]
    return _("Largest shares: {shares}.").format(shares=_listing(top)) if top else _("No shares reported.")


def _series(traces: list, unit: str | None) -> str:
    lines = [t for t in traces if t.get("type") == "scatter" and (t.get("meta") or {}).get("country")]
    out = []
    for t in lines[: TOP + 1]:
        points = [
            (plain(x), float(y))
            for x, y in zip(t.get("x") or [], t.get("y") or [], strict=False)
            if _number(y) is not None
        ]
        if not points:
            continue
        name = plain(t.get("name"))
        (x0, y0), (x1, y1) = points[0], points[-1]
        if len(points) == 1:
            out.append(_("{name}: {value} in {period}").format(name=name, value=_fmt(y1, unit), period=x1))
            continue
        text = _("{name}: from {first} in {first_period} to {last} in {last_period}").format(
            name=name, first=_fmt(y0, unit), first_period=x0, last=_fmt(y1, unit), last_period=x1
        )
        if y0:
            pct = format_percent(abs(y1 / y0 - 1), locale=i18n.current())
            text += f" ({'+' if y1 >= y0 else '−'}{pct})"
        out.append(text)
    if not out:
        return _("No figure reported in this range.")
    more = len(lines) - TOP - 1
    if more > 0:
        return ngettext("{lines}; and {n} more line.", "{lines}; and {n} more lines.", more).format(
            lines="; ".join(out), n=more
        )
    return "; ".join(out) + "."


def _labelled(traces: list, unit: str | None) -> str:
    pairs: list[tuple[str, str]] = []
    for t in traces:
        horizontal = t.get("orientation") == "h" or (t.get("type") == "scatter" and t.get("text") is not None)
        labels = t.get("y") if horizontal else t.get("x")
        values = t.get("text") if horizontal else t.get("y")
        for label, v in zip(labels or [], values or [], strict=False):
            if label is None or v is None:
                continue
            n = _number(v)
            pairs.append((plain(label), _fmt(n, unit) if n is not None else plain(v)))
    if not pairs:
        return _("No figure reported.")
    shown = pairs[:6]
    if len(pairs) > len(shown):
        return _("{items}; and {n} more.").format(items=_listing(shown), n=len(pairs) - len(shown))
    return f"{_listing(shown)}."


def summarize(fig: Any) -> str:
    """One or two sentences: what the chart shows and its main numbers (see the module docstring)."""
    d = _as_dict(fig)
    layout = d.get("layout") or {}
    meta = layout.get("meta") or {}
    meta = meta if isinstance(meta, Mapping) else {}
    title = title_of(d)
    head = f"{title}." if title and not title.endswith(".") else title
    if meta.get("empty"):
        return " ".join(p for p in (head, plain(meta.get("message")) + ".") if p.strip("."))
    # the event markers are said once, after the numbers (not read as values)
    traces = [dict(t) for t in d.get("data") or [] if (t.get("meta") or {}).get("role") != "events"]
    types = {t.get("type") for t in traces}
    unit = meta.get("unit")
    if "choropleth" in types:
        body = _map(traces, unit)
    elif "pie" in types:
        body = _pie(traces)
    elif "quarters" in meta:
        body = _series(traces, unit)
    else:
        body = _labelled(traces, unit)
    n = meta.get("conflicts") or 0
    if isinstance(n, int) and n > 0:  # the ‡ mark, said in words (the chart shows it by symbol and outline)
        body += " " + ngettext(
            "{n} value, marked ‡, was chosen among sources that differ.",
            "{n} values, marked ‡, were chosen among sources that differ.",
            n,
        ).format(n=n)
    body += _events(meta.get("events"))
    return f"{head} {body}".strip()


def _events(marked: Any) -> str:
    """' Marked events: 1. Title (21 Sep 2022): its sentence' for the events drawn (figures/events.py)."""
    if not isinstance(marked, list) or not marked:
        return ""
    items = [
        _("{n}. {title} ({when}): {text}").format(
            n=e.get("n"), title=plain(e.get("title")), when=plain(e.get("when")), text=plain(e.get("text"))
        )
        for e in marked
        if isinstance(e, Mapping)
    ]
    return " " + _("Marked events: {events}").format(events=" ".join(items))


def with_summary(fig: Any) -> Any:
    """The figure with its summary in ``layout.meta.summary`` (for the page and for exports alike)."""
    meta = fig.layout.meta
    meta = dict(meta) if isinstance(meta, Mapping) else {}
    meta.pop("summary", None)
    fig.update_layout(meta=meta | {"summary": summarize(fig)})
    return fig
