"""What every chart kind shares: titles, notes, hover lines, the conflict mark and its key, the empty figure,
the finishing touches (number marks, text alternative) and the sources line under a chart."""

from __future__ import annotations

import copy
import html
import math
import textwrap
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import plotly.graph_objects as go
import plotly.io as pio

from dashboard import a11y, theme
from dashboard.catalogue import Indicator, Unit, catalogue
from dashboard.countries import country_name
from dashboard.data import DERIVED, Figure
from dashboard.derivations import describe as derivation_text
from dashboard.formatting import value_text
from dashboard.i18n import _, ngettext
from dashboard.release_text import revised_short

__all__ = [
    "TEMPLATE",
    "counterpart_phrase",
    "derivation_text",
    "empty_figure",
    "new_figure",
    "value_text",
]

TEMPLATE = theme.TEMPLATE_NAME


@lru_cache(maxsize=4)
def _template_json(name: str) -> dict:
    return pio.templates[name].to_plotly_json()


def new_figure(data: Sequence, layout: dict) -> go.Figure:
    """A figure of traces and a layout, built without plotly's validation layer: its checks and copies (the
    named template is copied and validated again for every figure) were most of a first visit's server time.
    The traces are plotly objects (validated when made) and the layout is the builders' own; the JSON is the
    same as validated (tests/test_figures.py). The named template is given as its JSON."""
    layout = {k: v for k, v in layout.items() if not (isinstance(v, list | tuple) and not v)}  # as validated
    if isinstance(layout.get("template"), str):
        layout["template"] = copy.deepcopy(_template_json(layout["template"]))
    return go.Figure(data=list(data), layout=layout, _validate=False)


def figure_json(fig: go.Figure) -> dict[str, Any]:
    """``fig.to_plotly_json()`` without its deep copy and base64 walk, for a figure made for one answer and
    dropped after (a panel builder's): the figure's own dicts are handed over (the copy was ~1-6 ms a chart on
    a first visit). The same dicts (tests/test_speed_first.py compares them on every chart kind's views)."""
    return {"data": fig._data, "layout": fig._layout}


# -- small helpers ------------------------------------------------------------------------------------
def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _esc(text: Any) -> str:
    """Escape data text for Plotly's HTML-like labels."""
    return html.escape(str(text), quote=False)


def _unit(unit: str | Unit) -> Unit:
    return unit if isinstance(unit, Unit) else catalogue().unit(unit)


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


def _provenance(row: Mapping[str, Any], unit: str | Unit | None = None) -> list[str]:
    """Hover lines for how a value was obtained: derivation, source conflicts, and a revision (the value it
    replaced, in ``unit``, else the row's own)."""
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
    if row.get("revised_in") is not None:
        lines.append(_esc(revised_short(row, unit)))
    return lines


def _figure_provenance(f: Figure) -> list[str]:
    return _provenance(
        {
            "status": f.status,
            "derivation": f.derivation,
            "conflict": f.conflict,
            "n_sources": len(f.alternatives) or None,
            "previous_value": f.previous_value,
            "revised_in": f.revised_in,
        },
        f.unit,
    )


def _hover(*lines: str) -> str:
    return "<br>".join(line for line in lines if line)


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


def _hatch(shapes: Sequence[str], background: str | Sequence[str]) -> dict:
    """A marker pattern: white hatching where the shape is "/" (a derived value). plotly.js paints a patterned
    bar or slice transparent unless its background is given."""
    return {
        "shape": shapes,
        "fgcolor": "#FFFFFF",
        "bgcolor": background,
        "size": 12,
        "solidity": 0.25,
    }


# -- the conflict mark ‡ ------------------------------------------------------------------------------
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


# -- empty figure and finishing -----------------------------------------------------------------------
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


def empty_figure(message: str) -> go.Figure:
    """Blank figure (axes hidden) with a centred message."""
    fig = new_figure(
        [],
        dict(
            template=TEMPLATE,
            xaxis={"visible": False},
            yaxis={"visible": False},
            annotations=[_centre_message(message)],
            showlegend=False,
            meta={"empty": True, "message": message},
        ),
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


# -- under a chart ------------------------------------------------------------------------------------
