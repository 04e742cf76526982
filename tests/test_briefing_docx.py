"""The briefing as an editable Word document (dashboard.briefing_docx): the page's content, opened again with
python-docx and checked against the briefing in English, Russian and Kazakh."""

from __future__ import annotations

import io

import pytest
from docx import Document

from dashboard import briefing_docx, i18n, office
from dashboard.briefing import FINDINGS_TITLE, SOURCES_TITLE, build_briefing, fullest_quarter, quarter_choices
from dashboard.i18n import _
from tests.fixtures_data import committed_store
from tests.office_helpers import fake_png

LINK = "http://dashboard.example"


@pytest.fixture(scope="module")
def store():
    return committed_store()


def build(store, quarter, lang):
    with i18n.use(lang):
        b = build_briefing(store, quarter)
        images = {c.key: fake_png() for s in b.sections for c in s.charts}
        items = office.briefing_chart_slides(store, b, images, LINK)
        data = briefing_docx.to_bytes(briefing_docx.briefing_document(b, items))
    return b, items, Document(io.BytesIO(data))


def _text(doc) -> str:
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_document_holds_the_briefing(store, lang):
    b, items, doc = build(store, fullest_quarter(store), lang)
    with i18n.use(lang):
        title = _("Migration in Kazakhstan, {quarter}").format(quarter=b.label)
        headings = [_(FINDINGS_TITLE), *(s.title for s in b.sections), _(SOURCES_TITLE)]
    assert [p.text for p in doc.paragraphs if p.style.name == "Title"] == [title]
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == headings
    numbered = [p.text for p in doc.paragraphs if p.style.name == "List Number"]
    assert [t.split("\n")[0] for t in numbered] == [f.text for f in b.findings]

    # the headline numbers are real tables, one per section with data
    with_data = [s for s in b.sections if s.has_data]
    assert len(doc.tables) == len(with_data)
    for table, s in zip(doc.tables, with_data, strict=True):
        cells = [c.text for row in table.rows for c in row.cells]
        assert cells[1] == b.label
        for r in s.rows:
            assert any(c.startswith(r.title) for c in cells)
            assert any(c.startswith(r.value_text) for c in cells)

    # every chart: a picture with its frame text around it
    charts = [c for s in b.sections for c in s.charts]
    assert len(doc.inline_shapes) == len(charts) > 0
    text = _text(doc)
    for c in charts:
        cap = items[c.key].caption
        assert cap.title in text and cap.subtitle in text and cap.link in text
        for doc_title in cap.sources:
            assert doc_title in text
    for e in b.sources:
        assert e.document in text
    assert b.data_version in text


def test_a_quarter_without_data_says_so(store):
    empty = next(c.quarter for c in quarter_choices(store) if not c.has_data)
    b, _items, doc = build(store, empty, "kk")
    text = _text(doc)
    assert not doc.tables and not doc.inline_shapes
    assert b.notice in text
    for s in b.sections:
        assert s.missing in text
