"""The change explainer in the browser: under the trend at 1440 and 375 px, its "Compared with" control used
by keyboard (the URL follows), its sentences links to the views that prove them, axe-core clean."""

from __future__ import annotations

from collections import Counter
from urllib.parse import urlparse

import pytest

from dashboard.data import get_store
from dashboard.state import parse_query
from tests.browser import watch
from tests.test_a11y import BLOCKING, describe, run_axe, wait_ready

STOCK = (
    "/explore?indicator=foreign_workers_permit_holders&measure=count&unit=persons&period=2023-09-01"
    "&vs=2023-08-01"
)


def _box(page, selector: str) -> dict:
    return page.eval_on_selector(selector, "e => e.getBoundingClientRect().toJSON()")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1440, 375])
def test_the_explainer_sits_under_the_trend_and_is_axe_clean(browser, base_url, width):
    ctx = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    w = watch(page)
    page.goto(base_url + STOCK + "&lang=en")
    wait_ready(page, "/explore")
    page.wait_for_selector(".explain-sentences li a")
    texts = page.locator(".explain-sentences li a").all_text_contents()
    assert texts[0].startswith("Foreign workers holding work permits (stock) fell by 0.9% from 14,702")
    assert len(texts) == 3
    card, trend = _box(page, ".explain-card"), _box(page, "#series")
    assert card["top"] >= trend["bottom"]  # under the trend
    assert (
        card["right"] <= width + 0.5 and page.evaluate("() => document.documentElement.scrollWidth") <= width
    )
    violations = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    print(f"axe explainer @{width}: {dict(Counter(v['id'] for v in violations))}")
    assert violations == [], describe(violations)
    assert w.console_errors == [] and w.external_requests == []
    ctx.close()


@pytest.mark.browser
def test_compared_with_works_by_keyboard_and_the_url_follows(page, base_url):
    page.goto(
        base_url + "/explore?indicator=remittance_inflow&measure=amount&unit=KZT_bn&period=2023-Q2&lang=en"
    )
    wait_ready(page, "/explore")
    page.wait_for_selector(".explain-sentences li a")
    assert page.text_content(".explain-sentences li").startswith("No total of remittances received")
    ids = page.get_attribute("#compare-with", "aria-labelledby").split()
    assert page.text_content(f"#{ids[0]}").startswith("Compared with")
    page.focus("#compare-with")
    page.keyboard.press("Enter")
    page.wait_for_selector("#compare-with[aria-expanded=true]")
    # the list takes the focus on its chosen option (slow under load), then moves down to "a year earlier"
    focused = "() => document.activeElement && document.activeElement.value"
    page.wait_for_function(f"() => ({focused})() === 'prev'")
    page.keyboard.press("ArrowDown")
    page.wait_for_function(f"() => ({focused})() === 'year'")
    page.keyboard.press("Enter")
    page.wait_for_url("**vs=year**")
    page.wait_for_function(
        "() => (document.querySelector('.explain-sentences li') || {}).textContent"
        "?.startsWith('Remittances received in Kazakhstan fell by 62.1% from 213.5 bn KZT in Q2 2022')"
    )
    # Back returns to the previous comparison, and the sentences follow
    page.go_back()
    page.wait_for_function("() => !location.search.includes('vs=')")
    page.wait_for_function(
        "() => (document.querySelector('.explain-sentences li') || {}).textContent?.startsWith('No total')"
    )
    assert page.watch.console_errors == []


@pytest.mark.browser
def test_a_sentence_opens_the_view_that_proves_it(page, base_url):
    page.goto(base_url + STOCK + "&lang=kk")
    wait_ready(page, "/explore")
    link = page.locator(".explain-sentences li a").nth(1)  # the drivers: Türkiye, India, Uzbekistan
    href = link.get_attribute("href") or ""
    state = parse_query(urlparse(href).query, get_store())
    assert (state.period, state.vs, state.countries, state.lang) == (
        "2023-09-01",
        "2023-08-01",
        ("TUR", "IND", "UZB"),
        "kk",
    )
    said = link.text_content()
    link.click()
    page.wait_for_url("**countries=TUR,IND,UZB**")
    wait_ready(page, "/explore")
    page.wait_for_selector(".explain-sentences li a")
    # the opened view says the same sentence, and its table holds the countries' figures it is made of
    assert page.locator(".explain-sentences li a").nth(1).text_content() == said
    table = page.text_content("#table")
    for number in ("1 370", "1 363", "2 002"):
        assert number in table.replace("\xa0", " ")
    assert page.watch.console_errors == []
