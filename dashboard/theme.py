"""The dashboard's look: one Plotly template registered as ``"mtm"`` and the colours every figure shares.

Colour choices
--------------
* Qualitative: the Okabe-Ito palette (Okabe & Ito 2008), designed to stay distinguishable for the common
  colour-vision deficiencies (protan, deutan, tritan). Its orange is kept apart as ``REPORTING_COLOR``
  (Kazakhstan on the map) and its black as ``TOTAL_COLOR`` (the "Total" line), so neither is reused for a
  counterpart country.
* Sequential (maps): a single-hue blue ramp (ColorBrewer "Blues", its darker half, 6-9). One hue with
  monotonically falling lightness is read correctly by every colour-vision type and in greyscale print, and
  more blue always means more. The ramp deliberately starts at a mid blue, not white: every value colour
  has at least 3:1 contrast (WCAG 1.4.11) against the light grey of "not reported" land, the white country
  borders and the page, so the smallest value is still clearly a value; the reporting country is orange,
  outside the ramp's hue, so it cannot be mistaken for a value. tests/test_a11y.py checks the contrast and
  simulates protan/deutan/tritan vision (Machado et al. 2009) on the palette and the ramp. (Viridis was
  considered; its light end is a yellow close to the grey land in lightness and its dark end dominates
  small values.)
* ``NOT_REPORTED_COLOR``: a light neutral grey, used for every "no figure" mark (map land, remainder slice).
* Lines and markers (WCAG 1.4.11, 3:1 for graphics needed to read the chart): three Okabe-Ito hues are too
  light on the white plot for a 2 px line (sky blue 2.3:1, yellow 1.3:1; orange 2.3:1 is only a map fill).
  The trend draws its lines and markers in ``LINE_PALETTE``: the same hues (within 10 degrees of CIELAB
  hue), with sky blue darkened to 3.1:1 and yellow to a dark olive, 7:1 (which keeps it apart from
  vermillion under protanopia and deuteranopia); tests/test_a11y.py checks the contrast of every drawn
  line, marker and outline and simulates the colour-vision deficiencies on this palette too. Donut
  slices get a thin dark outline (``OUTLINE_COLOR``), so a light slice (yellow, sky blue, the "Other
  countries" grey, the remainder) still has a 3:1 edge against the white page. Bars are already >= 3:1.
* Identity never rests on colour alone: each line of the trend has its own marker symbol and dash pattern
  (``series_style``); a derived value is an open marker or a hatched bar / slice; a value chosen among
  differing sources carries ``CONFLICT_MARK`` (‡) next to it and a dark outline (``OUTLINE_COLOR``) on
  its bar, slice or country, with a legend entry or note that says what the mark means.

Fonts: a system font stack only; the app runs offline, so no web fonts are fetched.
"""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio
from babel.numbers import get_decimal_symbol, get_group_symbol

from dashboard import i18n

TEMPLATE_NAME = "mtm"

# -- colours --------------------------------------------------------------------------------------------
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Colours for counterpart countries, in order of use (Okabe-Ito minus orange and black, which are reserved).
PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["yellow"],
)
REPORTING_COLOR = OKABE_ITO["orange"]  # Kazakhstan, the reporting country: never a value colour
TOTAL_COLOR = OKABE_ITO["black"]  # the "Total" series
NOT_REPORTED_COLOR = "#EDEDED"  # land / marks with no figure (3:1 against the lightest map class)
OTHER_COLOR = "#A6A6A6"  # "Other countries" (published, but not itemised)
MUTED_TEXT_COLOR = "#6B6B6B"  # notes, "not reported" labels
TEXT_COLOR = "#222222"
GRID_COLOR = "#EBEBEB"
BORDER_COLOR = "#FFFFFF"  # country borders on the map

#: Sequential colourscale for choropleths (ColorBrewer Blues 4-9; see the module docstring).
SEQUENTIAL: tuple[tuple[float, str], ...] = (
    (0.0, "#3B8BC2"),
    (0.33, "#2171B5"),
    (0.67, "#08519C"),
    (1.0, "#08306B"),
)

# -- type -----------------------------------------------------------------------------------------------
FONT_FAMILY = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", '
    "Arial, sans-serif"
)
FONT_SIZE = 13
TITLE_SIZE = 15
SUBTITLE_SIZE = 12
NOTE_SIZE = 11

#: The trend's line and marker colours: PALETTE's hues, each at least 3:1 on white (module docstring).
LINE_PALETTE: tuple[str, ...] = (
    OKABE_ITO["blue"],  # 5.2:1
    OKABE_ITO["vermillion"],  # 3.9:1
    OKABE_ITO["bluish_green"],  # 3.4:1
    OKABE_ITO["reddish_purple"],  # 3.1:1
    "#189ADE",  # sky blue, darker: 3.1:1
    "#605A08",  # yellow, darkened to a dark olive: 7.1:1
)
TAIL_LINE_COLORS = ("#767676", "#595959", "#8C8C8C", "#3D3D3D")  # past LINE_PALETTE: greys >= 3:1
#: Per line of the trend, in order: a marker symbol and a dash pattern (24 distinct pairs), so a line is
#: told apart without its colour; a derived point is the symbol's open variant (``<symbol>-open``).
SERIES_SYMBOLS = (
    "circle",
    "square",
    "diamond",
    "triangle-up",
    "triangle-down",
    "pentagon",
    "hexagon",
    "star",
)
SERIES_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
OUTLINE_COLOR = "#222222"  # outlines that must stand out (15.9:1 on white): conflict marks, donut slices
CONFLICT_MARK = "‡"  # next to a value chosen among sources that differ

MARGIN = {"l": 56, "r": 24, "t": 16, "b": 48, "pad": 0}


TAIL_COLORS = ("#9E9E9E", "#B5B5B5", "#7A7A7A", "#C9C9C9")


def separators(lang: str | None = None) -> str:
    """Plotly's ``separators`` (decimal mark, then group mark) for a language, default the language in force:
    '.,' in English, ',' and a no-break space in Russian and Kazakh (as Babel writes their numbers)."""
    loc = i18n.babel_locale(lang)
    return get_decimal_symbol(loc) + get_group_symbol(loc)


def palette_color(i: int) -> str:
    """The i-th qualitative colour; past the palette, greys (a repeated hue would read as one country)."""
    return PALETTE[i] if i < len(PALETTE) else TAIL_COLORS[(i - len(PALETTE)) % len(TAIL_COLORS)]


def line_color(i: int) -> str:
    """The i-th line colour of the trend (>= 3:1 on white); past the palette, greys."""
    if i < len(LINE_PALETTE):
        return LINE_PALETTE[i]
    return TAIL_LINE_COLORS[(i - len(LINE_PALETTE)) % len(TAIL_LINE_COLORS)]


def series_style(i: int) -> tuple[str, str]:
    """(marker symbol, dash pattern) of the i-th line of a chart: a distinct pair for the first 24 lines."""
    return SERIES_SYMBOLS[i % len(SERIES_SYMBOLS)], SERIES_DASHES[i % len(SERIES_DASHES)]


def _axis() -> dict:
    return {
        "showgrid": True,
        "gridcolor": GRID_COLOR,
        "zeroline": False,
        "showline": True,
        "linecolor": "#BDBDBD",
        "ticks": "outside",
        "tickcolor": "#BDBDBD",
        "ticklen": 4,
        "automargin": True,
        "title": {"standoff": 8, "font": {"size": 12, "color": MUTED_TEXT_COLOR}},
    }


def build_template() -> go.layout.Template:
    """The shared template (kept small: it is embedded in every figure's JSON)."""
    layout = go.Layout(
        font={"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT_COLOR},
        title={
            "x": 0.01,
            "xref": "container",  # from the figure's left edge: the whole width is available on a phone
            "xanchor": "left",
            # above the plot area; with automargin, a wrapped (multi-line) title pushes the plot down
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "pad": {"b": 10},
            "font": {"size": TITLE_SIZE},
            "automargin": True,  # a wrapped title pushes the plot down instead of covering it
        },
        colorway=list(PALETTE),
        piecolorway=list(PALETTE),
        colorscale={"sequential": [list(s) for s in SEQUENTIAL]},
        paper_bgcolor="#FFFFFF",
        plot_bgcolor="#FFFFFF",
        margin=MARGIN,
        separators=".,",  # English; each figure sets its language's marks (separators()); labels: Babel
        hovermode="closest",
        hoverlabel={
            "bgcolor": "#FFFFFF",
            "bordercolor": "#8C8C8C",
            "font": {"family": FONT_FAMILY, "size": 12, "color": TEXT_COLOR},
            "align": "left",
            "namelength": -1,
        },
        legend={
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            # at the bottom of the whole figure, below the axis labels (they may be rotated on a phone)
            "yref": "container",
            "y": 0,
            "yanchor": "bottom",
            "font": {"size": 12},
            "bgcolor": "rgba(255,255,255,0)",
        },
        xaxis=_axis(),
        yaxis=_axis(),
        geo={
            "bgcolor": "#FFFFFF",
            "showframe": False,
            "showcoastlines": False,
            "showcountries": True,
            "countrycolor": BORDER_COLOR,
            "countrywidth": 0.5,
            "showland": True,
            "landcolor": NOT_REPORTED_COLOR,
            "showlakes": False,
        },
        annotationdefaults={"font": {"size": NOTE_SIZE, "color": MUTED_TEXT_COLOR}, "showarrow": False},
    )
    return go.layout.Template(layout=layout)


def register() -> None:
    """Register the template as ``pio.templates["mtm"]`` (idempotent; done on import)."""
    pio.templates[TEMPLATE_NAME] = build_template()


register()
