"""The country profile in the browser (issue 18): a brief first, the picker by name and by code, bad codes,
phones (320 px), the tables collapsed on a phone, keyboard and axe-core, three languages."""

from __future__ import annotations

import pytest

from tests.browser import watch
from tests.test_a11y import BLOCKING, describe, run_axe

pytestmark = pytest.mark.browser


def ready(page) -> None:
    page.wait_for_selector("#page h1", state="attached", timeout=30000)
    page.wait_for_function("() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0")


def test_uzbekistan_reads_as_a_brief(page, base_url):
    page.goto(base_url + "/country/UZB")
    ready(page)
    assert page.inner_text("#page h1") == "Uzbekistan"
    text = page.inner_text("#page")
    # headline before the brief, the brief before the charts, the tables last
    order = [
        text.index(s)
        for s in ("Latest figures", "In brief", "Money both ways", "Over time", "All 71 figures")
    ]
    assert order == sorted(order)
    assert "1st of 7 listed" in text and "+13.6%" in text
    assert "about nine times" in text
    page.wait_for_selector(".mtm-chart .js-plotly-plot .main-svg")
    assert page.locator(".mtm-chart").count() >= 5
    # the full tables are open on a wide screen
    assert page.evaluate("() => document.getElementById('country-tables').open") is True
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_picker_finds_by_name_in_russian_and_by_code(page, base_url):
    page.goto(base_url + "/country/DEU?lang=ru")
    ready(page)
    assert page.inner_text("#page h1") == "Германия"
    box = page.locator("#country-select")
    box.click()
    page.keyboard.type("Узбекистан")
    page.get_by_role("option", name="Узбекистан (UZB)").click()
    page.wait_for_function("() => location.pathname === '/country/UZB'")
    page.wait_for_function(
        "() => document.querySelector('#page h1').textContent === 'Узбекистан'", timeout=30000
    )
    assert "lang=ru" in page.url
    assert "Кратко" in page.inner_text("#page")
    box = page.locator("#country-select")
    box.click()
    page.keyboard.type("CHN")
    page.get_by_role("option", name="Китай (CHN)").click()
    page.wait_for_function("() => location.pathname === '/country/CHN'")
    assert page.watch.console_errors == []


@pytest.mark.parametrize(
    ("path", "hint"), [("/country/ZZZ", None), ("/country/UZV", "UZB"), ("/country/%3Cscript%3E", None)]
)
def test_bad_codes_get_a_clear_page(page, base_url, path, hint):
    page.goto(base_url + path)
    ready(page)
    text = page.inner_text("#page")
    assert "is not the ISO code of a country with figures" in text
    page.locator("#country-select").wait_for()  # an async component: mounted once its chunk has loaded
    assert page.locator("#country-select").count() == 1
    if hint:
        assert page.get_by_role("link", name="Uzbekistan (UZB)").count() == 1
    assert (
        page.evaluate("() => document.querySelectorAll('script:not([src])').length") < 50
    )  # nothing injected
    assert page.watch.error_responses == []


def test_lower_case_code_and_listing(page, base_url):
    page.goto(base_url + "/country/uzb")
    ready(page)
    assert page.inner_text("#page h1") == "Uzbekistan"
    page.goto(base_url + "/country?lang=kk")
    ready(page)
    first = page.locator("#page tbody tr").first.inner_text()
    assert "RUS" in first  # 10 indicators and the most figures
    assert page.watch.console_errors == []


def test_single_figure_country(page, base_url):
    page.goto(base_url + "/country/MDA")
    ready(page)
    text = page.inner_text("#page")
    assert "Only one figure is reported for Moldova" in text and "3,059" in text
    assert page.locator(".js-plotly-plot").count() == 0


@pytest.mark.parametrize("path", ["/country/UZB", "/country/UZB?lang=ru", "/country/UZB?lang=kk", "/country"])
def test_phone_320_px_and_axe(browser, base_url, path):
    ctx = browser.new_context(viewport={"width": 320, "height": 800}, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    w = watch(page)
    page.goto(base_url + path)
    ready(page)
    page.wait_for_timeout(1500)  # charts drawn and resized to their boxes
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], width
    if path.startswith("/country/"):
        # the full tables are collapsed on a phone; their summary opens them
        page.wait_for_function("() => document.getElementById('country-tables').open === false")
        page.locator("#country-tables summary").click()
        assert page.evaluate("() => document.getElementById('country-tables').open") is True
        page.wait_for_timeout(400)  # Bootstrap's colour transitions end before contrast is measured
    blocking = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    ctx.close()
    assert not blocking, describe(blocking)
    assert w.console_errors == []


def test_keyboard_opens_the_tables_the_share_view_and_the_export_menu(browser, base_url):
    ctx = browser.new_context(viewport={"width": 375, "height": 800})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(base_url + "/country/UZB")
    ready(page)
    page.locator("#country-tables summary").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.getElementById('country-tables').open") is True
    share = page.locator("details.share-view summary").first
    share.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.querySelector('details.share-view').open") is True
    page.get_by_role("button", name="Export").first.focus()
    page.keyboard.press("Enter")
    page.get_by_text("SVG image, 16:9").first.wait_for()
    ctx.close()


def test_exported_money_chart_says_what_it_is(page, base_url, tmp_path):
    page.goto(base_url + "/country/UZB")
    ready(page)
    card = page.locator("section", has=page.locator("h2", has_text="Money both ways"))
    card.get_by_role("button", name="Export").click()
    with page.expect_download() as dl:
        card.get_by_text("SVG image, 16:9").click()
    path = tmp_path / dl.value.suggested_filename
    dl.value.save_as(path)
    svg = path.read_text()
    assert "Money both ways: Uzbekistan" in svg and "/country/UZB" in svg
    assert "Remittances to Uzbekistan" in svg or "IOM MTM Kazakhstan Quarterly Report Q2 2023" in svg
    assert page.watch.console_errors == []
