"""In the browser: the trend draws the event marker with its hover text, and the button hides it (URL too)."""

from __future__ import annotations

from dashboard.events import events
from tests.test_browser import wait_explorer, wait_ready

VIEW = "/explore?indicator=border_arrivals&countries=RUS&from=2022-Q1&to=2023-Q4"

EVENT_TRACES = """() => {
  const gd = document.querySelector('#series .js-plotly-plot');
  return (gd && gd._fullData ? gd._fullData : [])
    .filter(t => t.meta && t.meta.role === 'events')
    .map(t => ({x: t.x, hover: t.hovertext, visible: t.visible}));
}"""
# the drawn marker: a point of the events trace in the plot's SVG, with its number
MARKER_TEXT = "#series .scatterlayer .trace .textpoint text"


def _mobilisation():
    return next(e for e in events().events if "border_arrivals" in e.indicators)


def test_the_trend_draws_the_event_and_the_button_hides_it(page, base_url):
    e = _mobilisation()
    page.goto(base_url + VIEW)
    wait_explorer(page)
    page.wait_for_function(f"() => ({EVENT_TRACES})().length === 1")
    (trace,) = page.evaluate(EVENT_TRACES)
    assert e.title in trace["hover"][0]
    assert page.locator(MARKER_TEXT, has_text="1").count() >= 1  # drawn, not only in the data
    assert page.locator("#series .shapelayer path").count() >= 1  # the line at the event's quarter

    page.get_by_role("button", name="Hide events").click()
    page.wait_for_function(f"() => ({EVENT_TRACES})().length === 0")
    wait_ready(page)
    # the address bar follows the state (a clientside callback after the answer that drew the trend)
    page.wait_for_function("() => new URLSearchParams(location.search).get('events') === 'off'")
    page.get_by_role("button", name="Show events").click()
    page.wait_for_function(f"() => ({EVENT_TRACES})().length === 1")
    page.wait_for_function("() => !new URLSearchParams(location.search).has('events')")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_a_link_with_events_off_opens_without_them(page, base_url):
    page.goto(base_url + VIEW + "&events=off&lang=ru")
    wait_explorer(page)
    wait_ready(page)
    assert page.evaluate(EVENT_TRACES) == []
    assert page.get_by_role("button", name="Показать события").is_visible()
