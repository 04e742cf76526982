"""The compare mode in the browser (issue 16 §2): switched on from the explorer, the URL holds the mode and
both periods, its charts draw, the table sorts by the relative change, axe-core clean at 1440 and 375 px.

Values from data/sources/observations.csv: foreign workers as of 1 Oct 2025 / 1 Dec 2025 - China 5,330 /
5,604 (+5.1 %), Uzbekistan 2,682 / 2,110 (-21.3 %), Türkiye 1,046 / 1,036 (-1.0 %),
India 1,012 / 943 (-6.8 %).
"""

from __future__ import annotations

from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest

from tests.test_a11y import BLOCKING, describe, run_axe, wait_ready

VIEW = "/explore?indicator=foreign_workers_permit_holders&measure=count&unit=persons&period=2025-12-01"
COMPARE = VIEW + "&vs=2025-10-01&mode=compare"


def _countries(page) -> list[str]:
    return [t.strip() for t in page.locator("#compare-table tbody th").all_text_contents()]


def _wait_drawn(page) -> None:
    for graph in ("compare_bars", "slope"):
        page.wait_for_selector(f"#{graph} .js-plotly-plot .main-svg")
    page.wait_for_selector("#compare-table tbody tr")


@pytest.mark.browser
def test_switch_to_compare_the_url_holds_both_periods_and_the_table_sorts(page, base_url):
    page.goto(base_url + VIEW + "&lang=en")
    wait_ready(page, "/explore")
    assert page.locator("#compare-section").is_hidden()
    page.get_by_label("Compare two periods").check()
    page.wait_for_url("**mode=compare**")
    page.wait_for_selector("#compare-section:not([hidden])")
    page.click("#compare-vs")
    page.get_by_role("option", name="as of 1 October 2025").click()
    page.wait_for_url("**vs=2025-10-01**")
    query = parse_qs(urlparse(page.url).query)
    assert (query["mode"], query["period"], query["vs"]) == (["compare"], ["2025-12-01"], ["2025-10-01"])
    _wait_drawn(page)
    page.wait_for_function("() => document.querySelectorAll('#compare_bars .bars .point').length === 8")
    assert page.locator("#slope .scatterlayer .trace").count() == 4
    assert "as of 1 December 2025 compared with as of 1 October 2025" in page.text_content("#compare-heading")
    assert _countries(page) == ["China", "Uzbekistan", "Türkiye", "India"]
    by_pct = page.locator("#compare-table thead button", has_text="Change, %")
    by_pct.click()  # largest first
    assert _countries(page) == ["China", "Türkiye", "India", "Uzbekistan"]
    assert page.get_attribute("#compare-table thead th:nth-child(5)", "aria-sort") == "descending"
    by_pct.click()  # reversed
    assert _countries(page) == ["Uzbekistan", "India", "Türkiye", "China"]
    assert page.get_attribute("#compare-table thead th:nth-child(5)", "aria-sort") == "ascending"
    # back to the explorer: the section hides, the link drops the mode
    page.get_by_label("Explore one period").check()
    page.wait_for_function("() => !location.search.includes('mode=')")
    page.wait_for_selector("#compare-section[hidden]", state="attached")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 375])
def test_compare_mode_is_axe_clean(browser, base_url, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(base_url + COMPARE + "&lang=ru")
    wait_ready(page, "/explore")
    _wait_drawn(page)
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    print(f"axe compare @{width}: {dict(Counter(v['id'] for v in violations))}")
    assert violations == [], describe(violations)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    ctx.close()
