"""The briefing kit in the browser: the briefing's Slides and Word buttons, the explorer's PowerPoint slide,
Add to deck and Download deck (N); and `mtm briefing --format pptx` with kaleido. The pictures are the
browser's (or kaleido's) own drawings; the files are opened with python-pptx / python-docx."""

from __future__ import annotations

import io

import pytest
from docx import Document
from pptx import Presentation

from dashboard import cli, i18n, slides
from dashboard.briefing import fullest_quarter
from dashboard.i18n import _
from tests.fixtures_data import committed_store
from tests.office_helpers import misfits, pictures, slide_title
from tests.test_slides import build

pytestmark = pytest.mark.browser
PICTURE_PX = tuple(round(n * slides.IMAGE_SCALE) for n in slides.IMAGE_PX)


def _download(page, click) -> bytes:
    with page.expect_download(timeout=60_000) as d:
        click()
    return open(d.value.path(), "rb").read()


def _picture_px(shape) -> tuple[int, int]:
    return slides.png_size(shape.image.blob)


def test_the_briefing_buttons_give_the_deck_and_the_word_file(page, base_url):
    store = committed_store()
    quarter = fullest_quarter(store)
    page.goto(f"{base_url}/briefing?period={quarter}&lang=kk")
    page.wait_for_selector(".briefing-chart .main-svg")
    data = _download(page, lambda: page.click("#briefing-office [data-format=pptx]"))
    prs = Presentation(io.BytesIO(data))
    _b, _items, local = build(store, quarter, "kk")
    assert [slide_title(s) for s in prs.slides] == [slide_title(s) for s in local.slides]
    shots = [p for s in prs.slides for p in pictures(s)]
    assert shots and all(_picture_px(p) == PICTURE_PX for p in shots)  # drawn by the page's plotly.js
    assert misfits(prs) == []
    doc = Document(io.BytesIO(_download(page, lambda: page.click("#briefing-office [data-format=docx]"))))
    assert len(doc.inline_shapes) == len(shots)
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def _open_menu(page, chart: str) -> None:
    page.click(
        f"xpath=//*[@id='export-slide-{chart}']/ancestor::*[contains(@class,'export-menu')]"
        "//button[contains(@class,'dropdown-toggle')]"
    )


def test_explorer_charts_go_to_one_slide_or_a_deck(page, base_url):
    page.goto(f"{base_url}/explore?indicator=remittance_outflow&lang=ru")
    page.wait_for_selector("#map .main-svg")
    with i18n.use("ru"):
        label = _("Download deck ({n})")
    assert page.inner_text("#deck-download") == label.format(n=0) and page.is_disabled("#deck-download")
    for n, chart in enumerate(("map", "series"), 1):
        _open_menu(page, chart)
        page.click(f"#deck-add-{chart}")
        page.wait_for_function(f"() => document.getElementById('deck-bar').dataset.count === '{n}'")
    assert page.inner_text("#deck-download") == label.format(n=2)
    deck = Presentation(io.BytesIO(_download(page, lambda: page.click("#deck-download"))))
    assert len(deck.slides) == 2 and all(len(pictures(s)) == 1 for s in deck.slides)
    assert misfits(deck) == []

    # the deck is kept by this tab across pages, and cleared on demand
    page.goto(f"{base_url}/explore?indicator=visas_issued&lang=ru")
    page.wait_for_selector("#map .main-svg")
    page.wait_for_function("() => document.getElementById('deck-bar').dataset.count === '2'")
    _open_menu(page, "donut")
    one = Presentation(io.BytesIO(_download(page, lambda: page.click("#export-slide-donut"))))
    assert len(one.slides) == 1 and _picture_px(pictures(one.slides[0])[0]) == PICTURE_PX
    page.click("#deck-clear")
    page.wait_for_function("() => document.getElementById('deck-bar').dataset.count === '0'")
    assert page.is_disabled("#deck-download")
    assert page.watch.console_errors == [] and page.watch.external_requests == []


def test_the_command_draws_the_charts_with_kaleido(tmp_path):
    quarter = fullest_quarter(committed_store())
    out = tmp_path / "briefing.pptx"
    assert cli.main(["briefing", "--period", quarter, "--format", "pptx", "--out", str(out)]) == 0
    prs = Presentation(str(out))
    shots = [p for s in prs.slides for p in pictures(s)]
    assert shots and all(_picture_px(p) == PICTURE_PX for p in shots)
    assert misfits(prs) == []
