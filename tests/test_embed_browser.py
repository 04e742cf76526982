"""Embeds in a real browser (issue 15, part 3): a page on another origin frames /embed/map and the chart is
drawn; the same page cannot frame /explore; the embed page is axe-clean and loads nothing from other hosts;
the Export menu's Embed and Cite dialogs give the snippet and the citation of the view.

Uses the session's gunicorn server and Chromium (tests/conftest.py). The "partner site" is a small HTTP server
on another loopback port: another origin, as far as the browser's frame-ancestors check is concerned.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.browser import watch
from tests.test_a11y import BLOCKING, describe, run_axe

VIEW = "indicator=trp_issued&period=2023-Q2"
TITLE = "Temporary residence permits issued"


@contextmanager
def partner_site(html: str) -> Iterator[str]:
    """Serve one HTML page from another origin (a free loopback port); yields its URL."""
    body = html.encode()

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.browser
def test_another_origin_can_embed_a_chart_but_not_frame_the_explorer(page, base_url):
    html = f"""<!DOCTYPE html><html lang="en"><head><title>Partner</title></head><body>
    <iframe id="chart" title="map" src="{base_url}/embed/map?{VIEW}" width="600" height="630"></iframe>
    <iframe id="explorer" title="explorer" src="{base_url}/explore?{VIEW}" width="600" height="300"></iframe>
    </body></html>"""
    with partner_site(html) as url:
        assert not url.startswith(base_url)
        page.goto(url)
        page.wait_for_load_state("load")  # every frame has loaded (or been refused)
        embeds = [f for f in page.frames if "/embed/map" in f.url]
        assert embeds, f"the embed was refused: {[f.url for f in page.frames]}"
        frame = embeds[0]
        frame.wait_for_selector("#chart[data-drawn] path.choroplethlocation")
        # the map is drawn inside the frame: the world's borders, countries coloured by value
        assert frame.locator(".layer.countries path").count() == 1
        assert frame.locator("path.choroplethlocation").count() > 1
        assert TITLE in frame.inner_text("h1")
        page.wait_for_timeout(300)
        explorer = [f for f in page.frames if f is not page.main_frame and f is not frame]
        assert len(explorer) == 1
        # refused by frame-ancestors: the browser shows its error page, never the explorer's document
        assert not explorer[0].url.startswith(base_url), explorer[0].url
    assert page.watch.external_requests == []


@pytest.mark.browser
@pytest.mark.parametrize("width", [600, 360])
def test_the_embed_page_is_accessible_and_offline(browser, base_url, width):
    # bypass_csp: the page's Content-Security-Policy (rightly) blocks the injected axe script
    ctx = browser.new_context(viewport={"width": width, "height": 640}, bypass_csp=True)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    w = watch(page)
    page.goto(f"{base_url}/embed/donut?{VIEW}&lang=kk")
    page.wait_for_selector("#chart[data-drawn] .pielayer path.surface")
    # the chart fills the frame's width (responsive), whatever it is
    chart_width = page.evaluate("document.querySelector('#chart .main-svg').getBoundingClientRect().width")
    assert width - 40 <= chart_width <= width
    violations = run_axe(page)
    ctx.close()
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    assert not blocking, describe(blocking)
    assert w.external_requests == [] and w.console_errors == [] and w.error_responses == []


def _dialog_text(page, box: str) -> str:
    page.wait_for_selector(f"#{box}")
    return page.input_value(f"#{box}")


@pytest.mark.browser
def test_export_menu_gives_the_embed_snippet_and_the_citation(browser, base_url):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = ctx.new_page()
    page.set_default_timeout(15000)
    w = watch(page)
    page.goto(f"{base_url}/explore?{VIEW}")
    page.wait_for_selector("#map path.choroplethlocation")
    card = page.locator(".card", has=page.locator("h2", has_text="Map"))
    card.get_by_role("button", name="Export").click()
    card.get_by_text("Embed…").click()
    snippet = _dialog_text(page, "share-embed-code")
    assert snippet.startswith(f'<iframe src="{base_url}/embed/map?indicator=trp_issued&amp;')
    assert "period=2023-Q2" in snippet and re.search(r'height="\d+"', snippet)
    page.get_by_role("dialog").get_by_role("button", name="Copy").click()
    page.wait_for_function("() => document.getElementById('share-embed-code-status').textContent !== ''")
    assert page.inner_text("#share-embed-code-status") == "Copied to the clipboard."
    assert page.evaluate("navigator.clipboard.readText()") == snippet
    page.keyboard.press("Escape")
    page.wait_for_selector("#share-modal", state="detached")

    card = page.locator(".card", has=page.locator("h2", has_text="Trend"))
    card.get_by_role("button", name="Export").click()
    card.get_by_text("Cite…").click()
    text = _dialog_text(page, "share-cite-text")
    assert text.startswith("MTM Dashboard · Kazakhstan (") and f"{TITLE}: Count (permits), " in text
    assert f"{base_url}/explore?indicator=trp_issued&" in text and "&release=" in text
    assert "IOM MTM Kazakhstan Quarterly Report Q2 2023" in text
    assert _dialog_text(page, "share-cite-bibtex").startswith("@dataset{mtm-trp_issued-")
    assert w.console_errors == [] and w.external_requests == []
    ctx.close()


@pytest.mark.browser
def test_the_citation_follows_the_pages_language(page, base_url):
    page.goto(f"{base_url}/explore?{VIEW}&lang=ru")
    page.wait_for_selector("#map path.choroplethlocation")
    card = page.locator(".card", has=page.locator("#map"))
    card.get_by_role("button", name="Экспорт").click()
    card.get_by_text("Цитировать…").click()
    text = _dialog_text(page, "share-cite-text")
    assert "Дата обращения:" in text and "[набор данных]" in text and "lang=ru" in text
