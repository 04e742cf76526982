"""What keeps a click on the explorer fast (issue 14), checked in Chromium as counts, not timings: a period
switch is one request, whose answer brings the new state, the table, the map and the donut; the trend and
longer-periods charts are not sent or redrawn; the table is one mounted component."""

from __future__ import annotations

import json

import pytest

from tests.test_browser import wait_explorer

pytestmark = pytest.mark.browser

VIEW = "/explore?indicator=remittance_outflow&period=2023-Q2"
MAX_REQUESTS_PER_PERIOD_SWITCH = 1  # the state with the table and the charts that changed


def test_a_period_switch_sends_few_requests_and_leaves_the_trend_alone(page, base_url):
    page.goto(base_url + VIEW)
    wait_explorer(page)
    page.wait_for_load_state("networkidle")
    page.evaluate(
        """() => { for (const id of ['series', 'spans', 'map']) {
             const gd = document.querySelector('#' + id + ' .js-plotly-plot'); gd.__before = gd.data; } }"""
    )
    callbacks: list = []
    page.on("request", lambda r: callbacks.append(r) if "_dash-update-component" in r.url else None)
    page.click("#period")
    page.click('.dash-dropdown-option:has(input[value="quarter|2022-Q2"])')
    page.wait_for_function("() => new URLSearchParams(location.search).get('period') === '2022-Q2'")
    page.wait_for_function("() => document.querySelector('#table').innerText.includes('Q2 2022')")
    page.wait_for_load_state("networkidle")
    outputs = [json.loads(r.post_data or "{}").get("output", "") for r in callbacks]
    answers = [r.response().text() for r in callbacks if r.response() and r.response().status == 200]
    assert 0 < len(outputs) <= MAX_REQUESTS_PER_PERIOD_SWITCH, outputs
    assert any("table-html.data" in o and "explorer-state.data" in o for o in outputs), outputs
    assert len(answers) == len(outputs)
    charts = ("map", "donut", "series", "spans")
    drawn = {k for a in answers for k in json.loads(a)["response"] if k in charts}
    assert drawn == {"map", "donut"}, drawn  # the trend and the longer periods are not sent
    unchanged = page.evaluate(
        """() => ['series', 'spans', 'map'].map(id =>
             document.querySelector('#' + id + ' .js-plotly-plot').data
             === document.querySelector('#' + id + ' .js-plotly-plot').__before)"""
    )
    assert unchanged == [True, True, False]  # the trend and the longer periods were not redrawn; the map was
    # the table is plain HTML inside one component (layouts/html_text.py), named for screen readers
    region = page.locator("#table > div[role=region]")
    assert region.get_attribute("aria-label") and region.get_attribute("tabindex") == "0"
    assert page.locator("#table th[scope=col]").count() == 6


def test_a_table_answer_goes_in_place_unless_a_newer_request_was_sent(page, base_url):
    """assets/html_slots.js (Dash's request hooks): the table's HTML is shown as its answer arrives, in the
    task that draws the charts; an answer to an older request that arrives after a newer one was sent is not
    shown (two workers can answer out of order)."""
    page.goto(base_url + VIEW)
    wait_explorer(page)
    shown = page.evaluate(
        """() => {
          const box = document.createElement('div'); box.setAttribute('data-html-from', 'probe-html');
          document.body.appendChild(box);
          const slots = window.mtmHtmlSlots, out = [];
          const ask = () => ({outputs: [{id: 'probe-html', property: 'data@1a2b'},
                                        {id: 'x', property: 'children'}]});
          const older = ask(), newer = ask();
          slots.pre(older); slots.pre(newer);
          slots.post(older, {'probe-html': {data: '<b>old</b>'}}); out.push(box.innerHTML);
          slots.post(newer, {'probe-html': {data: '<b>new</b>'}}); out.push(box.innerHTML);
          slots.post(newer, {'probe-html': {data: 42}}); out.push(box.innerHTML);  // not markup: kept
          box.remove(); return out;
        }"""
    )
    assert shown == ["", "<b>new</b>", "<b>new</b>"]


def test_a_chart_whose_answer_is_slow_shows_a_spinner(page, base_url):
    """No dcc.Loading around each graph (a component the renderer visits on every update): a spinner drawn
    by CSS covers a chart whose answer is out for more than 0.3 s (assets/style.css), and goes with it."""
    page.goto(base_url + VIEW)
    wait_explorer(page)
    page.wait_for_load_state("networkidle")
    spinner = """() => { const s = getComputedStyle(document.getElementById('map'), '::after');
                         return s.content !== 'none' && s.opacity === '1'; }"""
    assert page.evaluate(spinner) is False
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 2000, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.click("#period")
    page.click('.dash-dropdown-option:has(input[value="quarter|2022-Q2"])')
    page.wait_for_function(spinner, timeout=5000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.wait_for_function("() => document.querySelector('#table').innerText.includes('Q2 2022')")
    page.wait_for_function(f"() => !({spinner})()")
