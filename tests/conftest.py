"""Browser fixtures: one gunicorn server and one Chromium for the session; a watched page per test."""

from __future__ import annotations

import os

import pytest

from tests.browser import CHROMIUM, CHROMIUM_ARGS, gunicorn, watch

# Apps created inside the test process do not warm their caches: a background warm-up thread would keep
# drawing into later tests' counters. Served apps (tests/browser.gunicorn) warm as in production.
os.environ.setdefault("MTM_WARM", "0")


@pytest.fixture(scope="session")
def base_url():
    with gunicorn() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: `make test` installs Debian's chromium (apt-get install chromium)"
        )
    from playwright.sync_api import sync_playwright  # noqa: PLC0415  (browser tests only: unit runs skip it)

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(15000)
    p.watch = watch(p)
    yield p
    context.close()
