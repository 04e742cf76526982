"""The briefing page in Chromium, and its PDF (needs the /briefing route in callbacks/router.py).

Two tests on the session's gunicorn server and browser (tests/conftest.py): the page, and the PDF made
from it by dashboard.pdf (the code behind `mtm briefing`).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from dashboard.briefing import FINDINGS_TITLE, SECTIONS, SOURCES_TITLE
from dashboard.catalogue import catalogue
from dashboard.pdf import ALL_CHARTS_DRAWN, render_pdf

pytestmark = pytest.mark.browser

QUARTER = "2023-Q2"
NUMBERS = ("308,710", "254,393", "253.8")
HEADINGS = [FINDINGS_TITLE, *(catalogue().domain(s.domain).title for s in SECTIONS), SOURCES_TITLE]


def _open(page, base_url: str) -> None:
    page.goto(f"{base_url}/briefing?period={QUARTER}")
    try:
        page.wait_for_selector(f".briefing[data-period='{QUARTER}']", timeout=10_000)
    except Exception:
        pytest.fail("no briefing at /briefing: is the route wired in callbacks/router.py?")
    page.wait_for_function(ALL_CHARTS_DRAWN)


def test_briefing_page(page, base_url):
    _open(page, base_url)
    headings = page.locator(".briefing h2").all_inner_texts()
    assert headings == HEADINGS
    text = page.locator(".briefing").inner_text()
    for number in NUMBERS:
        assert number in text
    assert page.locator(".briefing-chart .main-svg").count() >= 7  # every chart drawn
    assert page.locator(".briefing-quarters a").count() >= 5  # links to the other quarters
    assert page.watch.console_errors == []
    assert page.watch.external_requests == []  # offline: nothing fetched from outside 127.0.0.1


def test_briefing_pdf(browser, base_url, tmp_path):
    out = tmp_path / "briefing.pdf"
    steps: list[str] = []
    result = render_pdf(base_url, QUARTER, out, progress=steps.append, browser=browser)
    assert out.exists() and out.read_bytes().startswith(b"%PDF")
    assert result.pages >= 2 and result.size > 20_000
    assert any(s.startswith("writing") for s in steps)
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be checked")
    text = subprocess.run(
        ["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in HEADINGS:
        assert heading in text
    for number in NUMBERS:
        assert number in text
