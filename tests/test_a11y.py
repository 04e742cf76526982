"""Accessibility (issue 8, WCAG 2.1 AA): axe-core on every page, keyboard use, chart text alternatives,
reflow at 320 px and at 200 % zoom, colour contrast and colour-vision-deficiency simulation.

The browser tests use the session's gunicorn server and Chromium (tests/conftest.py); axe-core is vendored
in tests/vendor/ (see its README) and injected into the page, so they run offline.
"""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path

import pytest

from tests.browser import watch

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGES = ("/", "/explore", "/country/UZB", "/briefing?period=2023-Q2")
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


# -- charts: text alternatives ----------------------------------------------------------------------
CHART_IDS = ("map", "donut", "series", "spans")


@pytest.mark.browser
def test_every_explorer_chart_has_a_name_and_a_summary(page, base_url):
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2")
    wait_ready(page, "/explore")
    for gid in CHART_IDS:
        box = page.locator(f".mtm-chart:has(#{gid})")
        assert box.get_attribute("role") == "figure"
        assert box.get_attribute("aria-label").startswith("Chart: ")
        assert box.get_attribute("aria-describedby") == f"{gid}-summary"
        page.wait_for_function(f"() => document.getElementById('{gid}-summary').textContent.length > 20")
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
    import polars as pl

    from dashboard import a11y, figures
    from dashboard.catalogue import catalogue

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
    except (pl.exceptions.ColumnNotFoundError, KeyError):
        pytest.skip("choropleth needs more columns than this minimal frame")
    text = a11y.summarize(fig)
    assert text.startswith("Temporary residence permits issued, Q2 2023.")
    assert (
        "4 countries have a figure. Highest: Uzbekistan 300 permits; Russian Federation 200 permits" in text
    )
    assert "Tajikistan" not in text  # only the top three


def test_plain_text_of_plotly_rich_text():
    from dashboard.a11y import plain

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
    import numpy as np

    c = np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb):
    import numpy as np

    rgb = np.clip(linear_rgb, 0, 1)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
    xyz = xyz / np.array([0.95047, 1.0, 1.08883])  # D65 white
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _delta_e(a: str, b: str, matrix=None) -> float:
    """CIE76 colour difference, after simulating a colour-vision deficiency (matrix) if given."""
    import numpy as np

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
    from dashboard import theme

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
    from dashboard import theme

    for _, colour in theme.SEQUENTIAL:
        for other in (theme.NOT_REPORTED_COLOR, theme.BORDER_COLOR, "#FFFFFF"):
            assert contrast(colour, other) >= 3.0, (
                f"map class {colour} vs {other}: {contrast(colour, other):.2f}"
            )
    # more is darker: the ramp's relative luminance falls monotonically
    lum = [contrast(c, "#FFFFFF") for _, c in theme.SEQUENTIAL]
    assert lum == sorted(lum)


@pytest.mark.parametrize("deficiency", [None, *CVD])
def test_palette_stays_distinguishable_under_colour_vision_deficiencies(deficiency):
    from dashboard import theme

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
