"""Briefing-ready chart images: the on-screen figure inside a frame that carries its own title, period, unit,
selected countries, sources, notes, data date and the link to the exact view.

A pasted image loses everything around it, so everything a reader needs is drawn into the picture itself.
"""

from __future__ import annotations

import copy
import textwrap
from dataclasses import dataclass, field
from datetime import date, datetime

import plotly.graph_objects as go
from babel.dates import format_date

from dashboard import i18n, theme
from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.figures.events import event_notes
from dashboard.i18n import _
from dashboard.panel_builders import Panel
from dashboard.periods import parse_period, period_label
from dashboard.release_text import release_date
from dashboard.state import ExplorerState

SIZES = {"wide": (1600, 900), "square": (1080, 1080)}
FORMATS = ("png", "svg")
SUB_STYLE = f"font-size:18px;color:{theme.MUTED_TEXT_COLOR}"


@dataclass(frozen=True)
class Caption:
    title: str
    subtitle: str
    sources: list[str]
    notes: list[str] = field(default_factory=list)
    data_date: str = ""
    link: str = ""


def data_date_text(when: date | None) -> str:
    """'sources published up to 05 Sep 2023' in the language in force (date by Babel); '' without one."""
    if when is None:
        return ""
    lang = i18n.current()
    day = format_date(when, "dd MMM y" if lang == i18n.DEFAULT else "medium", locale=lang)
    return _("sources published up to {date}").format(date=day)


def release_caption(number: int | None, at: datetime | None, latest: int | None) -> str:
    """'The data as it was at release 1 (3 Dec 2026), not the latest.' for an image of an earlier
    release; '' for the latest."""
    if number is None or latest is None or number == latest:
        return ""
    if at is None:
        return _("The data as it was at release {n}, not the latest.").format(n=number)
    return _("The data as it was at release {n} ({date}), not the latest.").format(
        n=number, date=release_date(at)
    )


def caption_for(
    s: ExplorerState,
    chart: str,
    panel: Panel,
    documents: list[str],
    data_date: str,
    link: str,
    release_note: str = "",
) -> Caption:
    """``release_note``: what release the image shows, when not the latest (release_caption())."""
    cat = catalogue()
    ind = cat.indicator(s.indicator)
    unit = cat.unit(s.unit)
    if chart == "series" and s.drill:
        period = _("months of {quarter}").format(quarter=period_label(parse_period(s.drill, "quarter")))
    elif chart == "series":
        first, last = parse_period(s.first, "quarter"), parse_period(s.last, "quarter")
        period = f"{period_label(first)}–{period_label(last)}"
    elif chart == "spans":
        period = _("half-years, years and year to date")
    else:
        period = period_label(parse_period(s.period, s.period_type))
    measure = cat.measure(s.measure).label
    countries = ", ".join(country_name(c) for c in s.countries) if s.countries else _("all countries")
    subtitle = f"{measure} ({unit.label}) · {period} · {countries}"
    if chart == "donut":
        share = f"{cat.measure('share_pct').label} ({cat.unit('percent').label})"  # "Share of total (%)"
        subtitle = f"{share} · {period} · {countries}"
    notes = []
    if panel.derived:
        notes.append(
            _("Some values are derived: computed here from published figures (e.g. a share of a total).")
        )
    if panel.conflicting:
        notes.append(
            _(
                "Some values were chosen among sources that differ (IOM report first, then the agency, "
                "then news; ties to the later publication)."
            )
        )
    notes += [_("Revised: {what}").format(what=what) for what in panel.revised]
    if release_note:
        notes.insert(0, release_note)
    notes += event_notes(panel.figure)  # the markers' hover texts, which an image cannot show
    notes += list(ind.notes)
    return Caption(ind.title, subtitle, documents, notes, data_date, link)


def _lines(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width) or [""]


def framed(panel_figure: go.Figure, caption: Caption, size: str = "wide") -> go.Figure:
    """A copy of the figure sized for a slide or page, with the caption drawn into it."""
    width, height = SIZES[size]
    fig = go.Figure(copy.deepcopy(panel_figure.to_dict()))
    chars = int(width / 11)  # characters per line at the caption's font size
    title = "<br>".join(_lines(caption.title, int(width / 16)))
    sub = "<br>".join(_lines(caption.subtitle, chars))
    if caption.sources:
        src = _("Source: {sources}").format(sources="; ".join(caption.sources))
    else:
        src = _("Source: none reported")
    foot = _lines(src, chars + 20)
    for note in caption.notes:
        foot += _lines(_("Note: {note}").format(note=note), chars + 20)
    data = _("Data: {date}").format(date=caption.data_date) if caption.data_date else ""
    tail = " · ".join(x for x in (data, caption.link) if x)
    if tail:
        foot += _lines(tail, chars + 20)
    foot_text = "<br>".join(foot)
    axis_space = 80 if _has_axes(fig) else 16  # tick and axis labels live just below the plot area
    fig.update_layout(
        width=width,
        height=height,
        font={"size": 16},
        title={
            "text": f"<b>{title}</b><br><span style='{SUB_STYLE}'>{sub}</span>",
            "font": {"size": 28},
            "x": 0.02,
            "xref": "container",
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "automargin": True,
            "pad": {"b": 16},
        },
        # the legend goes above the plot, right-aligned: the bottom margin holds the caption
        legend={
            "yref": "paper",
            "y": 1.0,
            "yanchor": "bottom",
            "x": 1,
            "xanchor": "right",
            "font": {"size": 14},
        },
        margin={"l": 90, "r": 60, "t": 40, "b": axis_space + 20 * len(foot) + 30},
    )
    fig.add_annotation(
        text=foot_text,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-axis_space,
        showarrow=False,
        align="left",
        font={"size": 14, "color": theme.MUTED_TEXT_COLOR},
    )
    return fig


def _has_axes(fig: go.Figure) -> bool:
    return any(t.type in ("scatter", "bar") for t in fig.data)
