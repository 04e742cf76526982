"""End-to-end: the app served by gunicorn, driven in Debian's Chromium. Asserts on what a user sees."""

from __future__ import annotations

import csv
import io
import re
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs, urlparse

import pytest
from openpyxl import load_workbook

from dashboard.data import get_store
from tests.browser import gunicorn, watch

pytestmark = pytest.mark.browser

PAGES = ("/", "/explore", "/country/UZB")


def wait_ready(page, selector: str = "#page > *") -> None:
    page.wait_for_selector(selector)
    # Dash marks pending callbacks with data-dash-is-loading; wait until none remain
    page.wait_for_function("() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0")


def wait_explorer(page) -> None:
    wait_ready(page, "#map .js-plotly-plot")
    page.wait_for_selector("#series .js-plotly-plot .main-svg")
    page.wait_for_selector("#table table, #table p")


def query(page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


# -- foundation: loads, offline, production-safe ------------------------------------------------------------
@pytest.mark.parametrize("path", PAGES)
def test_page_loads_offline_without_console_errors(page, base_url, path):
    page.goto(base_url + path)
    wait_ready(page)
    if path == "/explore":
        wait_explorer(page)
    assert page.watch.console_errors == []
    assert page.watch.external_requests == []
    # every script, style, map and callback request was answered, and not with an error
    assert page.watch.failed_requests == [] and page.watch.error_responses == []
    assert page.locator("h1").first.inner_text().strip()


def test_unknown_path_is_a_friendly_page(page, base_url):
    page.goto(base_url + "/no/such/page")
    wait_ready(page)
    assert "Page not found" in page.inner_text("#page")


def test_graphs_use_the_partial_plotly_bundle(page, base_url):
    # assets/vendor/plotly-mtm.min.js defines window.Plotly first: dcc.Graph never fetches Dash's full bundle
    scripts: list[str] = []
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(base_url + "/explore")
    wait_explorer(page)
    assert any("/assets/vendor/plotly-mtm.min.js" in url for url in scripts)
    assert not [url for url in scripts if "plotly.min.js" in url]
    traces = page.evaluate("() => Object.keys(window.Plotly.PlotSchema.get().traces).sort()")
    assert traces == ["bar", "choropleth", "pie", "scatter"]
    # the world from the offline topojson: grey land and every border (countries with no figure), then the
    # countries with a figure
    assert page.locator("#map .layer.land path").count() == 1
    assert page.locator("#map .layer.countries path").count() == 1
    assert page.locator("#map path.choroplethlocation").count() > 1


def test_a_malformed_callback_request_is_refused_without_traceback(base_url):
    # the body is cut short (no closing brace): the served app's request check answers 400 in plain words
    # (an unhandled error's plain 500 is tested in-process: tests/test_app.py)
    req = urllib.request.Request(
        base_url + "/_dash-update-component",
        data=b'{"output": "page.children", "inputs": [{"id": "url", "property": "pathname", "value": 42}]',
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            body, status = r.read().decode(), r.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read().decode(), exc.code
    assert (status, body) == (400, "Bad callback request: the body is not JSON."), (status, body[:300])
    assert "Traceback" not in body and 'File "' not in body


def _first_requests(base: str) -> list[int]:
    with urllib.request.urlopen(base + "/", timeout=20) as r:
        html = r.read().decode()
    urls = [
        "/",
        "/_dash-layout",
        "/_dash-dependencies",
        *re.findall(r'src="(/_dash-component-suites/[^"]+)"', html),
    ]

    def get(u: str) -> int:
        try:
            with urllib.request.urlopen(base + u, timeout=20) as r:
                r.read()
                return r.status
        except urllib.error.HTTPError as exc:
            return exc.code

    with ThreadPoolExecutor(max_workers=16) as pool:
        return list(pool.map(get, urls * 2))


def test_every_first_load_after_a_restart_succeeds(browser):
    """Dash issue #3971: parallel first requests to a fresh worker could get 500s for the JS bundles."""
    for _ in range(3):
        with gunicorn(wait_health=False) as base:
            statuses = _first_requests(base)
            assert set(statuses) == {200}, statuses
            ctx = browser.new_context()
            page = ctx.new_page()
            w = watch(page)
            page.goto(base + "/")
            wait_ready(page, ".headline-card")
            assert w.console_errors == []
            ctx.close()


# -- explorer -----------------------------------------------------------------------------------------------
def test_map_draws_country_shapes_offline(page, base_url):
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2")
    wait_explorer(page)
    # the world's land and borders, and the countries with a figure, from the topojson served here
    page.wait_for_function(
        "() => document.querySelector('#map .layer.countries path')"
        " && document.querySelectorAll('#map path.choroplethlocation').length > 1"
    )
    assert page.watch.external_requests == []
    assert page.watch.console_errors == []


CLICK_POINT_JS = """
([graphId, custom]) => {
  const gd = document.querySelector('#' + graphId + ' .js-plotly-plot');
  const fl = gd._fullLayout, rect = gd.getBoundingClientRect();
  for (const trace of gd._fullData) {
    const cd = trace.customdata || [];
    for (let i = 0; i < cd.length; i++) {
      const c = Array.isArray(cd[i]) ? cd[i][0] : cd[i];
      if (c === custom && trace.y[i] !== null && trace.y[i] !== undefined) {
        const xa = fl[trace.xaxis.replace('x', 'xaxis')], ya = fl[trace.yaxis.replace('y', 'yaxis')];
        return [rect.left + xa._offset + xa.d2p(trace.x[i]), rect.top + ya._offset + ya.d2p(trace.y[i])];
      }
    }
  }
  return null;
}
"""

SLICE_JS = """
(code) => {
  const gd = document.querySelector('#donut .js-plotly-plot');
  const rect = gd.getBoundingClientRect();
  const cd = gd.calcdata[0];
  const c0 = cd[0];
  for (const pt of cd) {
    const custom = gd._fullData[0].customdata[pt.i];
    if (custom === code) {
      return [rect.left + c0.cx + 0.85 * pt.pxmid[0], rect.top + c0.cy + 0.85 * pt.pxmid[1]];
    }
  }
  return null;
}
"""


def test_drill_into_a_quarter_shows_its_months(page, base_url):
    page.goto(base_url + "/explore?indicator=remittance_outflow&measure=amount&unit=KZT_bn&period=2023-Q2")
    wait_explorer(page)
    page.locator("#series").scroll_into_view_if_needed()
    xy = page.evaluate(CLICK_POINT_JS, ["series", "2023-Q2"])
    assert xy, "no clickable 2023-Q2 point in the trend"
    page.mouse.click(*xy)
    page.wait_for_function("() => document.querySelector('#breadcrumb').innerText.includes('Q2 2023')")
    wait_ready(page)
    text = page.inner_text("#series")
    for value in ("76.4", "89.9", "87.5"):
        assert value in text
    assert query(page)["drill"] == ["2023-Q2"]
    assert "Apr 2023" in page.inner_text("#table")
    page.click("#drill-up")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('drill')")


def test_drill_into_a_quarter_without_months_says_so(page, base_url):
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2&drill=2023-Q1")
    wait_explorer(page)
    assert "not reported" in page.inner_text("#series").lower()


def test_donut_click_filters_everything_to_that_country(page, base_url):
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2")
    wait_explorer(page)
    assert "Russian Federation" in page.inner_text("#table")
    page.locator("#donut").scroll_into_view_if_needed()
    xy = page.evaluate(SLICE_JS, "UZB")
    assert xy, "no Uzbekistan slice in the donut"
    page.mouse.click(*xy)
    page.wait_for_function("() => new URLSearchParams(location.search).get('countries') === 'UZB'")
    wait_ready(page)
    page.wait_for_function("() => !document.querySelector('#table').innerText.includes('Russian Federation')")
    table = page.inner_text("#table")
    assert "Uzbekistan" in table and "212,392" in table
    # the map colours only the selected country; the trend has one line, for Uzbekistan
    z = page.evaluate(
        "() => document.querySelector('#map .js-plotly-plot')._fullData.filter(t => t.showscale)[0].locations"
    )
    assert list(z) == ["UZB"]
    names = page.evaluate(
        "() => document.querySelector('#series .js-plotly-plot')._fullData.map(t => t.name)"
    )
    assert "Uzbekistan" in names and "Total" not in names
    assert "Uzbekistan" in page.inner_text("#countries")


def test_shared_url_reproduces_the_view_and_back_returns(page, base_url):
    url = (
        base_url + "/explore?indicator=visas_issued&measure=count&unit=visas&period=2023-Q2&countries=CHN,TUR"
    )
    page.goto(url)
    wait_explorer(page)
    table = page.inner_text("#table")
    assert "China" in table and "Türkiye" in table and "Afghanistan" not in table
    page.reload()
    wait_explorer(page)
    assert page.inner_text("#table") == table
    assert "Visas issued" in page.inner_text("#indicator")
    # change the view with a control, then Back
    page.click('#preset-clear, [id*=\'"group":"clear"\']')
    page.wait_for_function("() => !new URLSearchParams(location.search).has('countries')")
    wait_ready(page)
    page.wait_for_function("() => document.querySelector('#table').innerText.includes('Afghanistan')")
    page.go_back()
    page.wait_for_function("() => new URLSearchParams(location.search).get('countries') === 'CHN,TUR'")
    wait_ready(page)
    page.wait_for_function("() => !document.querySelector('#table').innerText.includes('Afghanistan')")
    assert "China" in page.inner_text("#table")


def test_garbage_query_gives_default_view_and_a_notice(page, base_url):
    page.goto(base_url + "/explore?indicator=%3Cscript%3E&period=2099-Q9&countries=XXX,UZB&from=zz&foo=1")
    wait_explorer(page)
    notice = page.inner_text("#notice")
    assert "Unknown indicator" in notice and "XXX" in notice
    assert "Temporary residence permits issued" in page.inner_text("#indicator")
    assert page.watch.console_errors == []
    assert query(page)["indicator"] == ["trp_issued"]


@pytest.mark.parametrize("width", [375, 1440])
@pytest.mark.parametrize("path", PAGES)
def test_pages_render_at_phone_and_desktop_widths(browser, base_url, path, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900})
    page = ctx.new_page()
    w = watch(page)
    page.goto(base_url + path)
    wait_ready(page)
    if path == "/explore":
        wait_explorer(page)
    assert w.console_errors == []
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"page scrolls horizontally by {overflow}px at {width}px"
    ctx.close()


MAP_COUNTRY_JS = """
(code) => {
  for (const path of document.querySelectorAll('#map path.choroplethlocation')) {
    const d = path.__data__;
    if (d && d.loc === code && d.trace && d.trace.showscale) {
      const r = path.getBoundingClientRect();
      if (r.width > 0) { return [r.left + r.width / 2, r.top + r.height / 2]; }
    }
  }
  return null;
}
"""


def test_map_click_opens_the_country_profile(page, base_url):
    page.goto(base_url + "/explore?indicator=trp_issued&period=2023-Q2")
    wait_explorer(page)
    page.locator("#map").scroll_into_view_if_needed()
    xy = page.evaluate(MAP_COUNTRY_JS, "UZB")
    assert xy, "Uzbekistan is not drawn on the map"
    page.mouse.click(*xy)
    page.wait_for_function("() => location.pathname === '/country/UZB'")
    wait_ready(page, "#page h1")
    text = page.inner_text("#page")
    assert page.inner_text("#page h1") == "Uzbekistan"  # the country profile
    assert "68.8%" in text and "IOM MTM Kazakhstan Quarterly Report Q2 2023" in text
    page.go_back()
    page.wait_for_function("() => location.pathname === '/explore'")
    wait_explorer(page)
    assert query(page)["indicator"] == ["trp_issued"]


def test_theme_and_indicator_controls_change_the_view(page, base_url):
    page.goto(base_url + "/explore")
    wait_explorer(page)
    page.get_by_label("Remittances", exact=True).check()
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('indicator') === 'remittance_outflow'"
    )
    wait_ready(page)
    page.wait_for_function("() => document.querySelector('#table').innerText.includes('bn KZT')")
    assert "Remittances sent from Kazakhstan" in page.inner_text("#definition")
    # measure: the same indicator in US dollars
    page.get_by_label("Amount (mn USD)").check()
    page.wait_for_function("() => new URLSearchParams(location.search).get('unit') === 'USD_mn'")
    wait_ready(page)
    page.wait_for_function("() => document.querySelector('#table').innerText.includes('mn USD')")
    assert page.watch.console_errors == []


# -- briefing-ready outputs ---------------------------------------------------------------------------------
REMITTANCES_Q2 = "/explore?indicator=remittance_outflow&measure=amount&unit=KZT_bn&period=2023-Q2"


def _export(page, card_title: str, item: str):
    card = page.locator(".card", has=page.locator("h2", has_text=card_title))
    card.get_by_role("button", name="Export").click()
    with page.expect_download() as dl:
        card.get_by_text(item).click()
    return dl.value


def test_exported_svg_carries_title_period_source_and_link(page, base_url, tmp_path):
    page.goto(base_url + REMITTANCES_Q2)
    wait_explorer(page)
    download = _export(page, "Shares by country", "SVG image, 16:9")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    assert path.suffix == ".svg"
    svg = path.read_text()
    assert "Remittances sent from Kazakhstan" in svg
    assert "Q2 2023" in svg
    assert "Source: IOM MTM Kazakhstan Quarterly Report Q2 2023" in svg
    assert "Note: Some values are derived" in svg  # the shares were computed from published amounts
    assert "/explore?indicator=remittance_outflow" in svg.replace("&amp;", "&")
    assert 'width="1600"' in svg and 'height="900"' in svg


@pytest.mark.parametrize(
    ("item", "size"), [("PNG image, 16:9", (1600, 900)), ("PNG image, square", (1080, 1080))]
)
def test_exported_png_has_the_promised_size(page, base_url, tmp_path, item, size):
    page.goto(base_url + REMITTANCES_Q2)
    wait_explorer(page)
    download = _export(page, "Map", item)
    data = download.path().read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == size


def _download(page, button: str):
    with page.expect_download() as dl:
        page.click(f"#{button}")
    return dl.value


def test_csv_and_xlsx_downloads_equal_the_data_api(page, base_url):
    page.goto(base_url + REMITTANCES_Q2)
    wait_explorer(page)
    store = get_store()
    api = store.breakdown("remittance_outflow", "2023-Q2", "quarter", "amount", "KZT_bn")
    expected = {r["country_iso3"]: r["value"] for r in api.iter_rows(named=True)}
    expected["TOT"] = store.figure("remittance_outflow", "2023-Q2").value

    rows = list(csv.DictReader(io.StringIO(_download(page, "download-csv").path().read_text())))
    q2 = {r["country_iso3"]: float(r["value"]) for r in rows if r["period"] == "2023-Q2"}
    assert q2 == expected
    uzb = next(r for r in rows if r["period"] == "2023-Q2" and r["country_iso3"] == "UZB")
    assert uzb["status"] == "published" and uzb["source_agency"] == "National Bank of Kazakhstan"
    assert uzb["source_document"] == "IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"

    wb = load_workbook(io.BytesIO(_download(page, "download-xlsx").path().read_bytes()))
    sheet = wb["Figures"]
    header = [c.value for c in sheet[1]]
    got = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        r = dict(zip(header, row, strict=True))
        assert isinstance(r["value"], float | int)  # numbers stay numbers
        if r["period"] == "2023-Q2":
            got[r["country_iso3"]] = r["value"]
    assert got == expected
    assert "About" in wb.sheetnames and "Remittances sent from Kazakhstan" in str(wb["About"]["B1"].value)


def test_copy_image_puts_a_png_on_the_clipboard(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = ctx.new_page()
    page.goto(base_url + REMITTANCES_Q2)
    wait_explorer(page)
    card = page.locator(".card", has=page.locator("h2", has_text="Trend"))
    card.get_by_role("button", name="Export").click()
    card.get_by_text("Copy image to clipboard").click()
    page.wait_for_function("() => document.querySelector('#export-status').innerText.length > 0")
    assert "copied" in page.inner_text("#export-status")
    kinds = page.evaluate("async () => (await navigator.clipboard.read()).flatMap(item => item.types)")
    assert "image/png" in kinds
    ctx.close()
