"""Render the quarterly briefing page (``/briefing?period=…``) to an A4 PDF with headless Chromium.

The PDF is the page itself, printed by Debian's Chromium through Playwright (no browser download): the
dashboard is started with gunicorn on a free loopback port, the page is loaded with requests outside
127.0.0.1 blocked, the charts are awaited, ``page.pdf(format="A4")`` writes the file, and the server is
stopped. One progress line is printed per step.

    mtm briefing --period 2023-Q2 --out briefing.pdf
    mtm briefing --period 2023-Q2 --lang ru --out briefing-ru.pdf   (English, Russian or Kazakh)
    python -m dashboard.pdf --period 2023-Q2 --out briefing.pdf

The PDF's language is the page's (``lang=`` in its address); the browser asks for the same language. The
progress lines are for the person running the command and stay in English.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlparse

from dashboard import i18n
from dashboard.i18n import _
from dashboard.serve import ServeError
from dashboard.serve import gunicorn as served

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Flags for Debian's chromium (also used by the browser tests): no sandbox as root, nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
# A4 is 210 mm wide; with 12 mm margins the printed column is 186 mm = 703 CSS px. The page is laid out at
# that width so the charts (sized when drawn) are exactly as wide as the printed column.
PRINT_WIDTH_PX = 703
MARGIN = {"top": "12mm", "right": "12mm", "bottom": "14mm", "left": "12mm"}
FOOTER = (
    '<div style="font-size:7.5px;color:#6b6b6b;width:100%;padding:0 12mm;display:flex;'
    'justify-content:space-between;font-family:system-ui,sans-serif">'
    "<span>{title}</span><span>{page_of}</span>"
    "</div>"
)
# The browser's locale for each language (Accept-Language, number and date formats in the page).
BROWSER_LOCALES = {"en": "en-GB", "ru": "ru-RU", "kk": "kk-KZ"}
LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "kk": "Kazakh"}  # for the (English) progress lines


def footer(title: str, lang: str = i18n.DEFAULT) -> str:
    """The printed footer: the briefing's title and 'page 2 of 5', in ``lang``."""
    with i18n.use(lang):
        page_of = _("page {page} of {pages}").format(
            page="<span class=pageNumber></span>", pages="<span class=totalPages></span>"
        )
    return FOOTER.format(title=_escape(title), page_of=page_of)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def briefing_url(base_url: str, quarter: str, lang: str = i18n.DEFAULT) -> str:
    return f"{base_url.rstrip('/')}/briefing?" + urlencode({"period": quarter, "lang": lang})


ALL_CHARTS_DRAWN = """() => {
  const root = document.querySelector('.briefing[data-period]');
  if (!root || document.querySelector('._dash-loading')) return false;
  const charts = root.querySelectorAll('.briefing-chart');
  return [...charts].every(c => c.querySelector('.js-plotly-plot .main-svg'));
}"""

Progress = Callable[[str], None]


class BriefingPdfError(RuntimeError):
    """The PDF could not be made; the message says why and what to do."""


def _say(message: str) -> None:
    print(message, flush=True)


@dataclass(frozen=True)
class PdfResult:
    path: Path
    quarter: str
    pages: int
    size: int
    notice: str | None  # the page's own notice (e.g. no figure at all for the quarter)


# -- the server -------------------------------------------------------------------------------------------
@contextmanager
def serve(data_dir: Path | None = None, progress: Progress = _say, timeout: float = 60.0) -> Iterator[str]:
    """Run the dashboard with gunicorn (one worker) on a free loopback port; yield its base URL."""
    env = {"MTM_DATA_DIR": str(Path(data_dir).resolve())} if data_dir is not None else {}
    progress("starting the dashboard (gunicorn)")
    t0 = time.monotonic()
    try:
        with served(workers=1, env=env, timeout=timeout) as server:
            progress(f"dashboard ready on {server.base} in {time.monotonic() - t0:.1f}s")
            try:
                yield server.base
            finally:
                progress("dashboard stopped")
    except ServeError as exc:
        raise BriefingPdfError(str(exc)) from exc


# -- the browser ------------------------------------------------------------------------------------------
def _guard(route) -> None:
    """Only the local server: the briefing must render offline."""
    url = route.request.url
    if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOCAL_HOSTS:
        route.continue_()
    else:
        route.abort()


def _count_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def render_pdf(
    base_url: str,
    quarter: str,
    out: Path,
    progress: Progress = _say,
    browser=None,
    timeout_ms: int = 30_000,
    lang: str = i18n.DEFAULT,
) -> PdfResult:
    """Print ``base_url/briefing?period=quarter&lang=lang`` to ``out`` (A4). Uses ``browser`` (a Playwright
    browser) when given, else launches Debian's Chromium for this one file."""
    lang = i18n.valid(lang) or i18n.DEFAULT
    if browser is None:
        if not os.path.exists(CHROMIUM):
            raise BriefingPdfError(
                f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)."
            )
        try:
            from playwright.sync_api import sync_playwright  # noqa: PLC0415  (only to print a PDF; a clear error if missing)
        except ImportError:
            raise BriefingPdfError(
                "the PDF needs Playwright (it drives Debian's chromium; no browser download): "
                "pip install playwright"
            ) from None
        progress(f"launching Chromium ({CHROMIUM})")
        with sync_playwright() as pw:
            b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            try:
                return render_pdf(base_url, quarter, out, progress, b, timeout_ms, lang)
            finally:
                b.close()

    url = briefing_url(base_url, quarter, lang)
    context = browser.new_context(
        viewport={"width": PRINT_WIDTH_PX, "height": 1000}, locale=BROWSER_LOCALES[lang]
    )
    try:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        page.route("**/*", _guard)
        page.emulate_media(media="print")  # lay out with the print styles before the charts are drawn
        progress(f"loading {url}")
        page.goto(url, wait_until="load")
        try:
            page.wait_for_selector(".briefing[data-period], .briefing", state="attached")
        except Exception as exc:
            raise BriefingPdfError(
                f"{url} shows no briefing (is the /briefing route wired in callbacks/router.py?): {exc}"
            ) from None
        shown = page.get_attribute(".briefing", "data-period")
        if shown != quarter:
            raise BriefingPdfError(f"the page shows {shown!r} instead of {quarter!r}")
        n = page.locator(".briefing-chart").count()
        progress(f"waiting for {n} chart{'s' if n != 1 else ''} to be drawn")
        page.wait_for_function(ALL_CHARTS_DRAWN)
        page.evaluate("document.fonts.ready.then(() => true)")
        notice = page.locator(".briefing-notice")
        notice_text = notice.first.inner_text().strip() if notice.count() else None
        title = page.locator(".briefing-title").inner_text().strip()
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        progress(f"writing {out} (A4)")
        pdf = page.pdf(
            path=str(out),
            format="A4",
            print_background=True,
            margin=MARGIN,
            display_header_footer=True,
            header_template="<span></span>",
            footer_template=footer(title, lang),
        )
    finally:
        context.close()
    return PdfResult(out, quarter, _count_pages(pdf), len(pdf), notice_text)


# -- the command ------------------------------------------------------------------------------------------
def briefing_pdf(
    period: str | None,
    out: Path,
    data_dir: Path | None = None,
    progress: Progress = _say,
    lang: str = i18n.DEFAULT,
) -> PdfResult:
    """The whole job: check the period against the data, serve the app, print the page (in ``lang``), stop
    the server.

    An invalid period is an error here (the page would quietly show another quarter)."""
    if i18n.valid(lang) is None:
        raise BriefingPdfError(f"unknown language {lang!r}: use one of {', '.join(i18n.LANGUAGES)}")
    # heavy (briefing -> figures -> plotly, data -> polars) and only for `mtm briefing`: the cli imports this
    # module for its arguments whatever the command
    from dashboard.briefing import quarter_months_label, quarters_with_data, resolve_quarter  # noqa: PLC0415
    from dashboard.data import DEFAULT_DIR, DataUnavailable, get_store  # noqa: PLC0415

    t0 = time.monotonic()
    try:
        store = get_store(Path(data_dir) if data_dir else DEFAULT_DIR)
    except DataUnavailable as exc:
        raise BriefingPdfError(str(exc)) from None
    quarter, notice = resolve_quarter(store, period)
    if quarter is None:
        raise BriefingPdfError(notice or "no quarter to show")
    if notice:  # the page would show another quarter: refuse rather than print the wrong one
        have = quarters_with_data(store)
        raise BriefingPdfError(
            f"no briefing for {period!r}: give a quarter such as 2023-Q2, from {have[0]} to {have[-1]}"
        )

    months = quarter_months_label(quarter)  # the progress lines are in English, whatever the PDF's language
    in_lang = f" in {LANGUAGE_NAMES[lang]}" if lang != i18n.DEFAULT else ""
    progress(f"briefing for {quarter} ({months}){in_lang}, data version {store.version}")
    with serve(data_dir, progress) as base:
        result = render_pdf(base, quarter, Path(out), progress, lang=lang)
    if result.notice:
        progress(f"note: {result.notice}")
    pages = f"{result.pages} page{'s' if result.pages != 1 else ''}, " if result.pages else ""
    progress(f"done: {result.path} ({pages}{result.size / 1024:.0f} KB) in {time.monotonic() - t0:.1f}s")
    return result


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--period", help="quarter, e.g. 2023-Q2 (default: the latest quarter with data)")
    parser.add_argument("--out", default="briefing.pdf", help="PDF file to write (default: briefing.pdf)")
    parser.add_argument(
        "--data", default=None, help="directory of the Parquet tables (default: data/parquet)"
    )
    parser.add_argument(
        "--lang",
        default=i18n.DEFAULT,
        choices=i18n.LANGUAGES,
        help="language of the briefing: en (English), ru (Russian) or kk (Kazakh); default en",
    )


def run(args: argparse.Namespace) -> int:
    try:
        briefing_pdf(
            args.period,
            Path(args.out),
            Path(args.data) if args.data else None,
            lang=getattr(args, "lang", None) or i18n.DEFAULT,
        )
    except BriefingPdfError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="mtm briefing", description="Render the quarterly briefing to an A4 PDF."
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
