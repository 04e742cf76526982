"""Helpers for browser tests: serve the app with gunicorn, drive Debian's Chromium with Playwright."""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# one list of browser flags for the product (mtm briefing) and the tests; re-exported for the tests
from dashboard import serve
from dashboard.pdf import CHROMIUM as CHROMIUM
from dashboard.pdf import CHROMIUM_ARGS as CHROMIUM_ARGS
from dashboard.pdf import LOCAL_HOSTS

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def gunicorn(workers: int = 2, env: dict | None = None, wait_health: bool = True):
    """Serve app:server with the repo's gunicorn.conf.py on a free loopback port; yields the base URL.
    Served apps warm their caches as in production (in-process test apps do not: tests/conftest.py)."""
    with serve.gunicorn(workers, {"MTM_WARM": "1", **(env or {})}, wait_health) as server:
        yield server.base


@dataclass
class PageWatch:
    """What a page did that a test must check: console errors, page errors, requests that left 127.0.0.1."""

    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)  # no answer at all (refused, aborted)
    error_responses: list[str] = field(default_factory=list)  # answered 4xx or 5xx


def watch(page) -> PageWatch:
    w = PageWatch()
    page.on("console", lambda m: w.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.console_errors.append(str(e)))
    page.on("requestfailed", lambda r: w.failed_requests.append(r.url))
    page.on("response", lambda r: r.status >= 400 and w.error_responses.append(f"{r.status} {r.url}"))

    def guard(route):
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            w.external_requests.append(url)
            route.abort()

    page.route("**/*", guard)
    return w


# Every explorer chart's text alternative (layout.meta.summary) has been copied into its hidden paragraph:
# assets/a11y.js does it shortly after each chart draws. True at once on pages without such paragraphs.
# A chart in a hidden section (compare mode's, in the explorer's own mode) is drawn once shown: not awaited.
CHART_SUMMARIES_SHOWN = """() => Array.from(document.querySelectorAll('p.chart-summary[data-graph]'))
.filter(p => !p.closest('[hidden]'))
.every(p => {
  const gd = document.querySelector('#' + CSS.escape(p.dataset.graph) + ' .js-plotly-plot');
  const summary = gd && gd.layout && gd.layout.meta && gd.layout.meta.summary;
  return Boolean(summary) && p.textContent === summary;
})"""


def wait_for_chart_summaries(page) -> None:
    page.wait_for_function(CHART_SUMMARIES_SHOWN)
