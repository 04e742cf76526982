"""Accessibility (issue 8, WCAG 2.1 AA): axe-core on every page, keyboard use, chart text alternatives,
reflow at 320 px and at 200 % zoom, colour contrast and colour-vision-deficiency simulation.

The browser tests use the session's gunicorn server and Chromium (tests/conftest.py); axe-core is vendored
in tests/vendor/ (see its README) and injected into the page, so they run offline.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from dash import html

from dashboard import a11y, charts, figures, panels, theme
from dashboard.a11y import plain
from dashboard.catalogue import catalogue
from dashboard.data import get_store
from dashboard.state import parse_query
from dashboard.views import shown_rows
from layouts.tables import figures_table
from tests.browser import watch

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGES = ("/", "/explore", "/country/UZB", "/briefing?period=2023-Q2", "/api")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def wait_ready(page, path: str) -> None:
    page.wait_for_selector("#page > *")
    if path.startswith("/explore"):
        page.wait_for_selector("#map .js-plotly-plot")
        page.wait_for_selector("#series .js-plotly-plot .main-svg")
        page.wait_for_selector("#table table, #table p")
    if path.startswith("/briefing"):
        page.wait_for_selector(".briefing[data-period]")
    page.wait_for_function("() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0")


def run_axe(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({len(v['nodes'])} nodes) {v['helpUrl']}")
        for n in v["nodes"][:5]:
            lines.append(f"    {' > '.join(map(str, n['target']))}: {n['failureSummary'].splitlines()[-1]}")
    return "\n".join(lines)


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 375])
@pytest.mark.parametrize("path", PAGES)
def test_axe_finds_no_serious_violation(browser, base_url, path, width):
    # bypass_csp: the app's Content-Security-Policy (rightly) blocks the injected axe script
    ctx = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    watch(page)
    page.goto(base_url + path)
    wait_ready(page, path)
    violations = run_axe(page)
    ctx.close()
    counts = Counter(v["id"] for v in violations)
    print(f"axe {path} @{width}: {dict(counts)}")
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, f"axe-core violations on {path} at {width}px:\n{describe(blocking)}"


# -- keyboard ------------------------------------------------------------------------------------------------
FOCUSED_JS = """() => {
  const el = document.activeElement;
  const cs = getComputedStyle(el);
  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
  const shadow = cs.boxShadow && cs.boxShadow !== 'none';
  return {tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '',
          text: (el.innerText || '').trim().slice(0, 40), visible: outline || shadow};
}"""


def _key(f: dict) -> str:
    generated = f["id"].startswith(("{", "react-aria"))  # pattern-matching ids, library ids
    return f["name"] or (f["id"] if f["id"] and not generated else f["text"])


@pytest.mark.browser
def test_keyboard_skip_link_and_control_order(page, base_url):
    page.goto(base_url + "/explore")
    wait_ready(page, "/explore")
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED_JS)
    assert first["tag"] == "a" and first["text"] == "Skip to content", first
    assert first["visible"], "the skip link shows no focus indicator"
    assert page.evaluate("() => document.activeElement.getBoundingClientRect().left >= 0"), (
        "skip link off-screen"
    )
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "page"  # focus moved to <main id=page>
    order, seen = [], []
    for _ in range(40):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED_JS)
        if f["tag"] == "body":  # past the last stop of the page
            break
        seen.append(f)
        order.append(_key(f))
    # every stop shows where the focus is (outline or box-shadow under :focus-visible)
    invisible = [f for f in seen if not f["visible"]]
    assert not invisible, f"focus not visible on: {invisible}"
    expected = ["domain", "indicator", "measure", "period", "range-first", "range-last", "countries"]
    positions = [next((i for i, k in enumerate(order) if k == e), None) for e in expected]
    assert None not in positions, (
        f"controls not reachable by Tab: {dict(zip(expected, positions, strict=True))}; order {order}"
    )
    assert positions == sorted(positions), f"controls in an unexpected Tab order: {order}"
    assert order.count("domain") == 1, f"a radio group is one Tab stop (arrow keys move inside): {order}"
    # then the presets, the chart export menus and the table region
    after = order[positions[-1] + 1 :]
    assert "Clear" in after, order
    assert any(k == "Export" for k in after), order
    assert page.watch.console_errors == []


# Every element the keyboard can reach, in DOM order, each tagged data-kb=<index> (a radio group counts
# once: its checked radio, else its first). Visible ones only: display:none, visibility:hidden and inert are
# skipped.
TAB_STOPS_JS = """() => {
  const sel = 'a[href], area[href], button, input, select, textarea, iframe, summary, [tabindex], '
            + '[contenteditable=""], [contenteditable="true"]';
  const out = [];
  for (const el of document.querySelectorAll(sel)) {
    if (el.tabIndex < 0 || el.disabled || el.type === 'hidden' || el.closest('[inert]')) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden' || el.getClientRects().length === 0) continue;
    // inside a closed <details> (other than its own summary): not reachable until opened, as intended
    const shut = el.closest('details:not([open])');
    if (shut && !(el.tagName === 'SUMMARY' && el.parentElement === shut)) continue;
    if (el.type === 'radio' && el.name) {
      const group = Array.from(document.querySelectorAll('input[type=radio]'))
                         .filter(r => r.name === el.name);
      if (el !== (group.find(r => r.checked) || group[0])) continue;
    }
    el.setAttribute('data-kb', String(out.length));
    const label = el.innerText || el.getAttribute('aria-label') || el.getAttribute('href') || '';
    out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' + label.trim().slice(0, 40));
  }
  return out;
}"""
# Where the focus is: its data-kb index, whether it shows a focus indicator, its box in page coordinates.
ACTIVE_JS = """() => {
  const el = document.activeElement;
  const cs = getComputedStyle(el);
  const r = el.getBoundingClientRect();
  return {tag: el.tagName.toLowerCase(), kb: el.getAttribute('data-kb'), href: el.getAttribute('href') || '',
          text: (el.innerText || '').trim().slice(0, 40),
          visible: (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0)
                   || (cs.boxShadow && cs.boxShadow !== 'none'),
          top: r.top + window.scrollY, left: r.left + window.scrollX};
}"""
# Controls taken out of the Tab order (tabindex=-1) though visible and not hidden from assistive technology:
# a mouse user could use them, a keyboard user could not.
UNREACHABLE_JS = """() => Array.from(document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [role=button], [role=link], [role=tab]'))
  .filter(el => el.tabIndex < 0 && !el.disabled && el.type !== 'hidden' && el.getClientRects().length > 0
                && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[aria-hidden=true], [inert]'))
  .map(el => el.outerHTML.slice(0, 120))"""
KEYBOARD_PAGES = ("/", "/country/UZB", "/briefing?period=2023-Q2")


def tab_walk(page, limit: int) -> list[dict]:
    """Tab from the top of the page until the focus leaves it (the body has it again); at most ``limit``
    stops."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = page.evaluate(ACTIVE_JS)
        if f["tag"] == "body":
            break
        stops.append(f)
    return stops


def reading_order_breaks(stops: list[dict], line: float = 24) -> list[tuple[dict, dict]]:
    """Pairs of consecutive stops where the second comes before the first when read (left to right on a
    line, lines top to bottom; stops whose tops differ by less than ``line`` px are on one line)."""
    out = []
    for a, b in itertools.pairwise(stops):
        if b["top"] < a["top"] - line or (abs(b["top"] - a["top"]) < line and b["left"] < a["left"] - 4):
            out.append((a, b))
    return out


@pytest.mark.browser
@pytest.mark.parametrize("path", KEYBOARD_PAGES)
def test_keyboard_reaches_everything_in_order_with_a_visible_focus_and_no_trap(page, base_url, path):
    page.goto(base_url + path)
    wait_ready(page, path)
    dom = page.evaluate(TAB_STOPS_JS)
    assert len(dom) > 10, dom
    assert page.evaluate(UNREACHABLE_JS) == []
    stops = tab_walk(page, limit=len(dom) + 10)
    assert stops and stops[0]["text"] == "Skip to content", stops[:1]
    # every interactive element, each once, in DOM order (no positive tabindex, nothing skipped)
    order = [int(f["kb"]) if f["kb"] is not None else None for f in stops]
    missed = [dom[i] for i in range(len(dom)) if i not in order]
    assert order == list(range(len(dom))), f"Tab order {order}; not reached: {missed}"
    # ... which is also the visual reading order
    breaks = reading_order_breaks(stops)
    assert not breaks, f"Tab goes back up or left: {[(a['text'], b['text']) for a, b in breaks]}"
    invisible = [dom[int(f["kb"])] for f in stops if not f["visible"]]
    assert not invisible, f"focus not visible on: {invisible}"
    # no trap: the last Tab left the page (loop above ended at the body, not at the limit), and Shift+Tab
    # walks back through the last stops
    assert len(stops) == len(dom)
    for expected in (len(dom) - 1, len(dom) - 2, len(dom) - 3):
        page.keyboard.press("Shift+Tab")
        assert page.evaluate(ACTIVE_JS)["kb"] == str(expected)
    assert page.watch.console_errors == []


def tab_to(page, href_part: str, limit: int = 80) -> dict:
    """Press Tab until the focused link's href contains ``href_part``; the focused element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        f = page.evaluate(ACTIVE_JS)
        if href_part in f["href"]:
            return f
    raise AssertionError(f"no link to {href_part!r} within {limit} Tab presses")


@pytest.mark.browser
def test_enter_on_an_overview_card_opens_the_explorer(page, base_url):
    page.goto(base_url + "/")
    wait_ready(page, "/")
    card = tab_to(page, "indicator=trp_issued")
    assert card["visible"]
    page.keyboard.press("Enter")
    page.wait_for_url("**/explore?indicator=trp_issued*")
    wait_ready(page, "/explore")
    assert "Temporary residence permits issued" in page.text_content("#indicator")
    assert page.watch.console_errors == []


@pytest.mark.browser
def test_enter_on_a_briefing_quarter_opens_that_quarter(page, base_url):
    page.goto(base_url + "/briefing?period=2023-Q2")
    wait_ready(page, "/briefing")
    tab_to(page, "period=2023-Q1")
    page.keyboard.press("Enter")
    page.wait_for_url("**/briefing?period=2023-Q1*")
    page.wait_for_selector('.briefing[data-period="2023-Q1"]')
    assert page.watch.console_errors == []


@pytest.mark.browser
def test_enter_on_the_language_switch_changes_the_language(page, base_url):
    page.goto(base_url + "/country/UZB")
    wait_ready(page, "/country/UZB")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    tab_to(page, "lang=ru")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.documentElement.lang === 'ru'")
    assert "lang=ru" in page.url and "/country/UZB" in page.url
    page.wait_for_function(
        "() => document.querySelector('h1') && document.querySelector('h1').textContent"
        ".includes('Узбекистан')"
    )
    assert page.watch.console_errors == []


# -- charts: text alternatives ----------------------------------------------------------------------
CHART_IDS = charts.IDS


@pytest.mark.browser
def test_every_explorer_chart_has_a_name_and_a_summary(page, base_url):
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2")
    wait_ready(page, "/explore")
    for gid in CHART_IDS:
        box = page.locator(f".mtm-chart:has(#{gid})")
        assert box.get_attribute("role") == "figure"
        assert box.get_attribute("aria-label").startswith("Chart: ")
        assert box.get_attribute("aria-describedby") == f"{gid}-summary"
    for k in charts.EXPLORE_KINDS:  # a compare-mode chart is drawn (and summarised) when its mode is chosen
        page.wait_for_function(
            f"() => document.getElementById('{k.graph_id}-summary').textContent.length > 20"
        )
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2&mode=compare&vs=2022-Q2")
    wait_ready(page, "/explore")
    for k in charts.KINDS:
        page.wait_for_function(
            f"() => document.getElementById('{k.graph_id}-summary').textContent.length > 20"
        )
    summary = page.text_content("#map-summary")
    assert "Temporary residence permits issued, Q2 2023" in summary
    assert "Highest: Uzbekistan 212,392 permits" in summary
    # a new selection re-writes the summaries (the same data as the chart: Visas, 2023-Q2)
    page.goto(base_url + "/explore?indicator=visas_issued&measure=count&unit=visas&period=2023-Q2")
    wait_ready(page, "/explore")
    page.wait_for_function(
        "() => document.getElementById('map-summary').textContent.includes('Visas issued')"
    )
    assert page.watch.console_errors == []


@pytest.mark.browser
def test_briefing_charts_are_images_with_alt_text_and_a_summary(page, base_url):
    page.goto(base_url + "/briefing?period=2023-Q2")
    wait_ready(page, "/briefing")
    charts = page.locator(".briefing-chart [role=img]")
    assert charts.count() >= 4
    for i in range(charts.count()):
        img = charts.nth(i)
        assert img.get_attribute("aria-label")
        described = page.text_content("#" + img.get_attribute("aria-describedby"))
        assert described and len(described) > 20


def test_summaries_are_made_from_the_figure():
    ind = catalogue().indicator("trp_issued")
    empty = figures.empty_figure("Nothing reported for Q1 2020")
    assert a11y.summarize(empty) == "Nothing reported for Q1 2020."
    assert empty.layout.meta["summary"] == a11y.summarize(empty)
    rows = pl.DataFrame(
        {
            "country_iso3": ["UZB", "RUS", "KGZ", "TJK"],
            "value": [300.0, 200.0, 50.0, 10.0],
            "status": ["published"] * 4,
            "derivation": [None] * 4,
            "conflict": [False] * 4,
            "n_sources": [1] * 4,
        }
    )
    try:
        fig = figures.choropleth(rows, ind, "count", "permits", "Q2 2023")
    except (pl.exceptions.ColumnNotFoundError, KeyError) as exc:
        # a changed builder input must fail here, not hide the summary check: update the frame above
        pytest.fail(f"figures.choropleth no longer accepts the rows {rows.columns}: {exc!r}")
    text = a11y.summarize(fig)
    assert text.startswith("Temporary residence permits issued, Q2 2023.")
    assert (
        "4 countries have a figure. Highest: Uzbekistan 300 permits; Russian Federation 200 permits" in text
    )
    assert "Tajikistan" not in text  # only the top three


def test_plain_text_of_plotly_rich_text():
    assert plain("A<br>b &amp; c <span style='x'>sub</span>") == "A b & c sub"


# -- reflow: 320 px and 200 % zoom ------------------------------------------------------------------
@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 640])  # 640 CSS px = a 1280 px window at 200 % zoom
@pytest.mark.parametrize("path", PAGES)
def test_no_horizontal_page_scroll_at_320px_and_200_percent_zoom(browser, base_url, path, width):
    ctx = browser.new_context(viewport={"width": width, "height": 800})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    w = watch(page)
    page.goto(base_url + path)
    wait_ready(page, path)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"{path} scrolls sideways by {overflow}px at {width}px"
    assert w.console_errors == []
    ctx.close()


# -- colour: contrast (WCAG 1.4.3, 1.4.11) and colour-vision deficiencies ------------------------------
# Machado, Oliveira & Fernandes (2009), severity 1.0, applied to linear RGB.
CVD = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}


def _linear(hex_color: str):
    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    rgb = np.clip(linear_rgb, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])  # D65 white
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta_e(a: str, b: str, matrix=None) -> float:
    """CIE76 colour difference, after simulating a colour-vision deficiency (matrix) if given."""
    m = np.array(matrix) if matrix is not None else np.eye(3)
    return float(np.linalg.norm(_lab(m @ _linear(a)) - _lab(m @ _linear(b))))


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two opaque sRGB colours."""
    lum = sorted((float(_linear(c) @ (0.2126, 0.7152, 0.0722)) for c in (a, b)), reverse=True)
    return (lum[0] + 0.05) / (lum[1] + 0.05)


def test_contrast_helper_matches_wcag():
    assert contrast("#000000", "#FFFFFF") == pytest.approx(21.0)
    assert contrast("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)


def test_text_colours_meet_aa():
    page_bg, white = "#F6F7F9", "#FFFFFF"
    texts = {
        "chart text": theme.TEXT_COLOR,
        "chart notes": theme.MUTED_TEXT_COLOR,
        # Bootstrap 5.3 .text-muted is rgba(33, 37, 41, .75): on the page grey it blends to #565A5D
        "Bootstrap text-muted": "#565A5D",
        "briefing grey": "#555555",
        "briefing muted": "#6B6B6B",
        "briefing empty quarter": "#6B6B6B",
        "links / kicker": "#0072B2",
    }
    for name, colour in texts.items():
        for bg in (white, page_bg):
            assert contrast(colour, bg) >= 4.5, f"{name} {colour} on {bg}: {contrast(colour, bg):.2f}"


def test_map_classes_meet_non_text_contrast():
    """Every value colour of the map stands out 3:1 from 'not reported' land, white borders and the page."""
    for _, colour in theme.SEQUENTIAL:
        for other in (theme.NOT_REPORTED_COLOR, theme.BORDER_COLOR, "#FFFFFF"):
            assert contrast(colour, other) >= 3.0, (
                f"map class {colour} vs {other}: {contrast(colour, other):.2f}"
            )
    # more is darker: the ramp's relative luminance falls monotonically
    lum = [contrast(c, "#FFFFFF") for _, c in theme.SEQUENTIAL]
    assert lum == sorted(lum)


# Views whose charts, between them, draw every kind of mark: many trend lines (all the line colours, symbols
# and dashes), derived and conflicting values, a donut with light slices, spans, the months of a quarter.
CHART_VIEWS = (
    "?indicator=trp_issued&countries=UZB,RUS,KGZ,TJK,CHN,IND,TUR,AZE,BLR&period=2023-Q2",
    "?indicator=foreign_workers_permit_holders&measure=share_pct&unit=percent&period=2023-09-01&ptype=date",
    "?indicator=remittance_inflow&measure=amount&unit=USD_mn&period=2025-H1&ptype=half",
    "?indicator=remittance_outflow&period=2023-Q2",
    "?indicator=arrivals",
    "?indicator=remittance_outflow&period=2023-Q2&drill=2023-Q2",
)


@pytest.fixture(scope="module")
def chart_figures():
    store = get_store()
    out = []
    for view in CHART_VIEWS:
        state = parse_query(view, store)
        for chart in CHART_IDS:
            out.append((f"{view} {chart}", panels.BUILDERS[chart](store, state).figure))
    return out


def _each(value, n: int) -> list:
    return list(value) if isinstance(value, list | tuple) else [value] * n


def drawn_marks(trace) -> list[tuple[str, list[str]]]:
    """Every mark a trace draws (a line, each marker, bar or slice; legend-only entries included) with the
    colours that draw it: its fill and, when it has one, its outline (an open marker: its colour only)."""
    marks = []
    if trace.type == "scatter":
        n = len(trace.x or ())
        mode = trace.mode or "lines+markers"
        if "lines" in mode:
            marks.append((f"{trace.name}: line", [trace.line.color]))
        if "markers" in mode:
            m = trace.marker
            symbols, fills = _each(m.symbol or "circle", n), _each(m.color, n)
            edges, widths = _each(m.line.color, n), _each(m.line.width or 0, n)
            for i in range(n):
                colours = [fills[i]] + (
                    [edges[i]] if widths[i] and not str(symbols[i]).endswith("-open") else []
                )
                marks.append((f"{trace.name}: marker {i}", colours))
    elif trace.type == "bar":
        n = len(trace.x or ())
        fills, edges = _each(trace.marker.color, n), _each(trace.marker.line.color, n)
        widths = _each(trace.marker.line.width or 0, n)
        marks += [
            (f"{trace.name}: bar {i}", [fills[i]] + ([edges[i]] if widths[i] else [])) for i in range(n)
        ]
    elif trace.type == "pie":
        n = len(trace.values or ())
        edges, widths = _each(trace.marker.line.color, n), _each(trace.marker.line.width or 0, n)
        marks += [
            (f"slice {trace.labels[i]}", [trace.marker.colors[i]] + ([edges[i]] if widths[i] else []))
            for i in range(n)
        ]
    return [(what, [c for c in colours if c]) for what, colours in marks]


def test_every_line_marker_bar_and_slice_meets_non_text_contrast(chart_figures):
    """WCAG 1.4.11: each mark that carries data has a fill or an outline of at least 3:1 on the plot."""
    seen = Counter()
    for name, fig in chart_figures:
        background = fig.layout.plot_bgcolor or fig.layout.template.layout.plot_bgcolor
        for trace in fig.data:
            for what, colours in drawn_marks(trace):
                seen[trace.type] += 1
                assert colours, f"{name}: {what} has no colour"
                best = max(contrast(c, background) for c in colours)
                assert best >= 3.0, f"{name}: {what} {colours} on {background}: {best:.2f}"
            if trace.type == "choropleth":  # a conflict outline stands out from the land and the borders
                widths = _each(trace.marker.line.width, len(trace.locations))
                edges = _each(trace.marker.line.color, len(trace.locations))
                for code, width, edge in zip(trace.locations, widths, edges, strict=True):
                    if width > 0.5:
                        seen["conflict outline"] += 1
                        for other in ("#FFFFFF", theme_colour("NOT_REPORTED_COLOR")):
                            assert contrast(edge, other) >= 3.0, f"{name}: outline of {code}"
    # the views drew every kind of mark, and many of them (the test cannot pass by drawing nothing)
    assert seen["scatter"] > 30 and seen["bar"] >= 5 and seen["pie"] >= 10, seen
    assert seen["conflict outline"] >= 1, seen  # the map's outline check ran on at least one country


def theme_colour(name: str) -> str:
    return getattr(theme, name)


def test_trend_lines_differ_by_symbol_and_dash_not_by_colour_only(chart_figures):
    trends = [(n, f) for n, f in chart_figures if "quarters" in (f.layout.meta or {})]
    assert any(len([t for t in f.data if (t.meta or {}).get("country")]) >= 8 for _, f in trends)
    for name, fig in trends:
        lines = [t for t in fig.data if (t.meta or {}).get("country")]
        styles = []
        for t in lines:
            base = {str(s).removesuffix("-open") for s in _each(t.marker.symbol, len(t.x))}
            assert len(base) == 1, f"{name}: {t.name} changes symbol along the line: {base}"
            styles.append((base.pop(), t.line.dash or "solid"))
        assert len(set(styles)) == len(styles), f"{name}: two lines look alike but for colour: {styles}"


def test_derived_and_conflicting_values_are_marked_by_more_than_colour(chart_figures):
    """Each figure with a value chosen among differing sources shows the ‡ mark and says what it means."""
    marked = 0
    for name, fig in chart_figures:
        meta = fig.layout.meta or {}
        n = meta.get("conflicts") or 0
        keys = [t.name or "" for t in fig.data if t.showlegend is not False]
        keys += [a.text or "" for a in fig.layout.annotations]
        keys.append(fig.layout.legend.title.text or "")
        explained = any("‡" in k and "chosen among sources that differ" in k for k in keys)
        assert explained == bool(n), f"{name}: {n} conflicting values, key shown: {explained}"
        if not n:
            continue
        marked += 1
        assert "marked ‡" in meta["summary"]
        templates = [
            x
            for t in fig.data
            if t.type != "choropleth"
            for x in _each(t.texttemplate, len(t.values if t.type == "pie" else t.x or ()))
        ]
        texts = [x for t in fig.data if t.type == "scatter" for x in _each(t.text, len(t.x or ()))]
        outlined = [
            w
            for t in fig.data
            if t.type == "choropleth"
            for w in _each(t.marker.line.width, len(t.locations))
        ]
        assert (
            any(x and x.endswith("‡") for x in templates) or "‡" in texts or any(w > 0.5 for w in outlined)
        ), f"{name}: the ‡ mark is not drawn"
    assert marked >= 4  # map, donut and spans of the shipped conflicts, at least


def test_figures_table_shows_the_conflict_mark_with_words():
    store = get_store()
    state = parse_query(CHART_VIEWS[1], store)
    rows = shown_rows(store, state)
    table = figures_table(rows, store.sources)

    def texts(node) -> str:
        if isinstance(node, str):
            return node
        children = getattr(node, "children", None)
        children = children if isinstance(children, list) else [children] if children is not None else []
        return "".join(texts(c) for c in children)

    body = table.children[0].children[1].children
    by_country = {texts(tr.children[0]): tr for tr in body}
    china = by_country["China"]
    value, how = china.children[3], china.children[4]
    assert texts(value) == "26.0% ‡" and texts(how) == "‡ Published; chosen among 2 sources that differ"
    mark = value.children[1]
    assert (
        isinstance(mark, html.Span) and getattr(mark, "aria-hidden") == "true"
    )  # the words are read instead
    assert mark.title == "chosen among sources that differ"
    assert "‡" not in texts(by_country["India"])


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_line_palette_stays_distinguishable_under_colour_vision_deficiencies(deficiency):
    matrix = CVD.get(deficiency) if deficiency else None
    colours = [*theme.LINE_PALETTE, theme.TOTAL_COLOR]
    worst = min((_delta_e(a, b, matrix), a, b) for i, a in enumerate(colours) for b in colours[i + 1 :])
    assert worst[0] >= 12, (
        f"{deficiency or 'normal vision'}: lines {worst[1]} and {worst[2]} ({worst[0]:.1f})"
    )
    for line, fill in zip(theme.LINE_PALETTE, theme.PALETTE, strict=True):  # the same hue, darker if need be
        assert contrast(line, "#FFFFFF") >= 3.0
        assert contrast(line, "#FFFFFF") >= contrast(fill, "#FFFFFF")
        assert abs(_hue(line) - _hue(fill)) <= 10, (line, fill, _hue(line), _hue(fill))


def _hue(colour: str) -> float:
    """CIELAB hue angle in degrees."""
    lab = _lab(_linear(colour))
    return math.degrees(math.atan2(lab[2], lab[1])) % 360


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_palette_stays_distinguishable_under_colour_vision_deficiencies(deficiency):
    matrix = CVD.get(deficiency) if deficiency else None
    colours = [*theme.PALETTE, theme.REPORTING_COLOR, theme.TOTAL_COLOR]
    worst = min((_delta_e(a, b, matrix), a, b) for i, a in enumerate(colours) for b in colours[i + 1 :])
    assert worst[0] >= 12, (
        f"{deficiency or 'normal vision'}: {worst[1]} and {worst[2]} look alike ({worst[0]:.1f})"
    )
    ramp = [c for _, c in theme.SEQUENTIAL]
    for a, b in itertools.pairwise(ramp):
        assert _delta_e(a, b, matrix) >= 8, f"{deficiency}: map steps {a} and {b} too close"
    assert _delta_e(ramp[0], theme.NOT_REPORTED_COLOR, matrix) >= 20  # smallest value vs not reported
    assert _delta_e(theme.REPORTING_COLOR, ramp[0], matrix) >= 20  # Kazakhstan is never read as a value


@pytest.mark.browser
def test_dropdowns_are_named_by_their_label_and_work_by_keyboard(page, base_url):
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2")
    wait_ready(page, "/explore")
    for control, label in (("indicator", "Indicator"), ("period", "Period"), ("range-first", "From")):
        ids = page.get_attribute(f"#{control}", "aria-labelledby").split()
        assert page.text_content(f"#{ids[0]}").startswith(label), (control, ids)
        assert page.get_attribute(f"#{control}", "tabindex") == "0"  # the button itself is the Tab stop
    page.focus("#indicator")
    page.keyboard.press("Enter")
    page.wait_for_selector("#indicator[aria-expanded=true]")
    page.keyboard.press("Escape")
    page.wait_for_selector("#indicator[aria-expanded=false]")
    # focus returns to the control (the dropdown hands it back a tick after closing: wait, then assert)
    page.wait_for_function(
        "() => document.activeElement && document.activeElement.id === 'indicator'", timeout=3000
    )
    assert page.evaluate("() => document.activeElement.id") == "indicator"
    assert page.watch.console_errors == []
