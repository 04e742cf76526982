"""The briefing as a PowerPoint deck and explorer charts as slides (dashboard.slides, office, office_web).

Decks are built from the shipped data with stand-in pictures (no browser), written, opened again with
python-pptx and checked against the briefing's own content in English, Russian and Kazakh; every text box
is re-measured with the real font. The pictures drawn by kaleido and the browser are tested in
test_slides_browser.py.
"""

from __future__ import annotations

import importlib.util
import io
import shutil
from pathlib import Path

import pytest
from dash import Dash, html
from pptx import Presentation

from dashboard import cli, i18n, office, office_web, slides
from dashboard.briefing import (
    FINDINGS_TITLE,
    SOURCES_TITLE,
    build_briefing,
    fullest_quarter,
    quarter_choices,
)
from dashboard.charts import IDS as CHART_IDS
from dashboard.countries import country_name
from dashboard.data import DEFAULT_DIR
from dashboard.export import Caption
from dashboard.i18n import _
from dashboard.state import MAX_COUNTRIES
from tests.fixtures_data import committed_store
from tests.office_helpers import fake_png, links, misfits, pictures, slide_texts, slide_title

LINK = "http://dashboard.example"
SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
LANGS = i18n.LANGUAGES


@pytest.fixture(scope="module")
def store():
    return committed_store()


@pytest.fixture(scope="module")
def quarter(store):
    return fullest_quarter(store)


@pytest.fixture(scope="module")
def empty_quarter(store):
    """A quarter inside the data's range with no figure at all (the page says so per section)."""
    return next(c.quarter for c in quarter_choices(store) if not c.has_data)


def build(store, quarter, lang):
    """(briefing, chart slides, reopened deck) in ``lang``."""
    with i18n.use(lang):
        b = build_briefing(store, quarter)
        images = {c.key: fake_png() for s in b.sections for c in s.charts}
        items = office.briefing_chart_slides(store, b, images, LINK)
        data = slides.to_bytes(slides.briefing_deck(b, items))
    return b, items, Presentation(io.BytesIO(data))


@pytest.fixture(scope="module", params=LANGS)
def deck(request, store, quarter):
    return (request.param, *build(store, quarter, request.param))


def _plain_titles(prs, lang):
    """Slide titles after the title slide, a continued slide counted once."""
    with i18n.use(lang):
        cont = _("{title} (continued)").format(title="\0")
    head, tail = cont.split("\0")
    out = []
    for slide in list(prs.slides)[1:]:
        t = slide_title(slide)
        if head + tail and t.startswith(head) and t.endswith(tail) and len(t) > len(head + tail):
            t = t[len(head) : len(t) - len(tail)] if tail else t[len(head) :]
            assert out and out[-1] == t, f"a continued slide follows its own: {t}"
            continue
        out.append(t)
    return out


def test_the_deck_has_a_slide_per_part_in_order(deck):
    lang, b, items, prs = deck
    with i18n.use(lang):
        expected = [_(FINDINGS_TITLE)]
        for s in b.sections:
            expected += [s.title, *(items[c.key].caption.title for c in s.charts)]
        expected.append(_(SOURCES_TITLE))
        title = _("Migration in Kazakhstan, {quarter}").format(quarter=b.label)
    assert _plain_titles(prs, lang) == expected
    first = "\n".join(slide_texts(prs.slides[0]))
    assert title in first and b.months_label in first and b.data_version in first
    assert prs.slide_width * 9 == prs.slide_height * 16  # 16:9


def test_findings_tables_and_sources_are_real_text(deck):
    _lang, b, _items, prs = deck
    text = "\n".join(t for s in prs.slides for t in slide_texts(s))
    for f in b.findings:
        assert f.text in text
    for s in b.sections:
        for r in s.rows:
            assert r.value_text in text
            for c in r.comparisons:
                assert c.level_text in text
            for d in r.details:
                assert d in text
        if s.missing:
            assert s.missing in text
    for e in b.sources:
        assert e.document in text
    tables = [sh for s in prs.slides for sh in s.shapes if sh.has_table]
    assert len(tables) >= sum(1 for s in b.sections if s.has_data)


def test_every_chart_slide_says_what_the_chart_is(deck, store):
    lang, b, items, prs = deck
    by_title = {slide_title(s): s for s in prs.slides if pictures(s)}
    charts = [c for s in b.sections for c in s.charts]
    assert len(by_title) == len(charts) > 0
    for c in charts:
        cap = items[c.key].caption
        slide = by_title[cap.title]
        text = "\n".join(slide_texts(slide))
        assert cap.subtitle in text
        with i18n.use(lang):
            source = _("Source: {sources}").format(sources="; ".join(cap.sources))
            for doc in store.documents_for(c.source_ids):
                assert doc in source
            assert source in text
            for note in cap.notes:
                assert _("Note: {note}").format(note=note) in text
        if c.partial:
            assert c.partial in text
        (link,) = links(slide)
        assert link.startswith(LINK + "/explore?") and f"indicator={office.chart_indicator(c.key)}" in link
        assert f"lang={lang}" in link
        notes = slide.notes_slide.notes_text_frame.text
        for finding in slides.findings_of(b, [office.chart_indicator(c.key)]):
            assert finding in notes


def test_every_text_box_fits(deck):
    _lang, _b, _items, prs = deck
    assert misfits(prs) == []


def test_a_quarter_without_data_says_so_per_section(store, empty_quarter):
    for lang in LANGS:
        b, items, prs = build(store, empty_quarter, lang)
        assert items == {} and not any(pictures(s) for s in prs.slides)
        text = "\n".join(t for s in prs.slides for t in slide_texts(s))
        assert b.notice and b.notice in text
        for s in b.sections:
            assert s.missing and s.missing in text
        assert [f.rule for f in b.findings] == ["not_reported"]  # the one finding: nothing was reported
        assert b.findings[0].text in text
        assert misfits(prs) == []


def test_long_titles_country_lists_and_notes_wrap_inside_the_slide():
    names = [country_name(c) for c in ("UZB", "RUS", "KGZ", "TJK", "TKM", "CHN", "TUR", "DEU", "USA", "KOR")]
    cap = Caption(
        "Very long indicator title that goes on " * 6,
        "Count (persons) · Q2 2023 · " + ", ".join(names * 4),
        ["IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"] * 6,
        [f"Note number {i}: " + "a caveat that a careful reader must not miss " * 3 for i in range(14)],
        "sources published up to 18 Mar 2026",
        LINK + "/explore?" + "indicator=x&" * 30,
    )
    prs = slides.new_presentation()
    slides.chart_slide(prs, slides.ChartSlide(cap, fake_png(), ("a finding",)))
    assert misfits(prs) == []
    slide = prs.slides[0]
    text, notes = "\n".join(slide_texts(slide)), slide.notes_slide.notes_text_frame.text
    assert cap.title.strip() in text.replace("\n", " ") or cap.title in text
    for note in cap.notes:  # every note is on the slide or, when it cannot fit, in the speaker notes
        assert note in text or note in notes
    assert "a finding" in notes and cap.link in text


def test_an_explorer_slide_of_many_countries_fits(store):
    codes = ["UZB", "RUS", "KGZ", "TJK", "TUR", "CHN", "GEO", "DEU", "USA", "KOR", "AZE", "BLR"][
        :MAX_COUNTRIES
    ]
    query = "?indicator=remittance_outflow&countries=" + ",".join(codes) + "&lang=kk"
    item = office.explorer_slide(store, query, "series", fake_png(), LINK)
    with i18n.use("kk"):
        assert all(country_name(c) in item.caption.subtitle for c in codes)
    prs = slides.charts_deck([item] * 3)
    assert len(prs.slides) == 3 and misfits(prs) == []


# -- the web routes -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    from dashboard.app_factory import create_app  # noqa: PLC0415  (the whole app, only for these tests)

    return create_app().server.test_client()


def _data_url(png: bytes) -> str:
    import base64  # noqa: PLC0415

    return office_web.PNG_PREFIX + base64.b64encode(png).decode()


def _twenty_views(store):
    """20 distinct explorer views: every chart kind of indicators that have data."""
    inds = [
        i for i in ("remittance_outflow", "remittance_inflow", "trp_issued", "visas_issued", "prp_issued")
    ]
    return [(f"?indicator={i}&lang=ru", c) for i in inds for c in CHART_IDS][:20]


def test_twenty_collected_charts_make_one_deck_under_20_mb(client, store):
    png = fake_png(540, 540, noise=True)  # incompressible and just under the cap: the worst a picture gets
    assert len(png) <= office.MAX_IMAGE_BYTES
    items = [{"query": q, "chart": c, "png": _data_url(png)} for q, c in _twenty_views(store)]
    assert len(items) == office.MAX_DECK_ITEMS == 20
    r = client.post(office_web.DECK_PATH, json={"items": items})
    assert r.status_code == 200, r.data[:300]
    assert len(r.data) < 20 * 1024 * 1024
    assert r.headers["Content-Type"].startswith(office.MIMETYPES["pptx"])
    prs = Presentation(io.BytesIO(r.data))
    assert len(prs.slides) == 20 and all(len(pictures(s)) == 1 for s in prs.slides)
    assert misfits(prs) == []
    with i18n.use("ru"):  # every slide names its sources, in the deck's language
        said = (_("Source: {sources}").split("{")[0], _("Source: none reported"))
    assert all(any(w in "\n".join(slide_texts(s)) for w in said) for s in prs.slides)


def test_one_slide_is_named_like_the_chart(client):
    item = {"query": "?indicator=visas_issued&lang=kk", "chart": "donut", "png": _data_url(fake_png())}
    r = client.post(office_web.DECK_PATH, json={"items": [item]})
    assert r.status_code == 200
    assert (
        'filename="mtm-visas_issued-' in r.headers["Content-Disposition"]
        and "-donut-kk.pptx" in r.headers["Content-Disposition"]
    )


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"items": []}, "empty"),
        ({"items": [{"query": "?indicator=nope", "chart": "map", "png": ""}]}, "Chart 1"),
        ({"items": [{"query": "?indicator=visas_issued", "chart": "pie3d", "png": "x"}]}, "pie3d"),
        (
            {
                "items": [
                    {"query": "?indicator=visas_issued", "chart": "map", "png": "data:image/png;base64,AAAA"}
                ]
            },
            "PNG",
        ),
        ({"items": "everything"}, "empty"),
        ([1, 2], "JSON"),
    ],
)
def test_bad_deck_items_are_a_clear_400(client, body, says):
    r = client.post(office_web.DECK_PATH, json=body)
    assert r.status_code == 400 and says in r.data.decode()


def test_more_than_twenty_charts_are_refused(client):
    item = {"query": "?indicator=visas_issued", "chart": "map", "png": _data_url(fake_png())}
    r = client.post(office_web.DECK_PATH, json={"items": [item] * 21})
    assert r.status_code == 400 and "20" in r.data.decode()


def test_a_deck_route_has_its_own_body_cap(store, tmp_path):
    app = Dash(__name__)
    app.layout = html.Div()
    office_web.register(app, DEFAULT_DIR, env={"MTM_MAX_DECK_BYTES": "2000"})
    r = app.server.test_client().post(office_web.DECK_PATH, data=b'{"items": "' + b"x" * 5000 + b'"}')
    assert r.status_code == 400 and "too large" in r.data.decode()


def test_the_briefing_file_route_rebuilds_the_text_from_the_data(client, store, quarter):
    r = client.get(f"{office_web.BRIEFING_FIGURES_PATH}?period={quarter}&lang=kk")
    assert r.status_code == 200
    keys = [c["key"] for c in r.get_json()["charts"]]
    images = {k: _data_url(fake_png()) for k in keys}
    body = {"period": quarter, "lang": "kk", "format": "pptx", "images": images, "title": "ignored text"}
    r = client.post(office_web.BRIEFING_FILE_PATH, json=body)
    assert r.status_code == 200, r.data[:300]
    _b, _items, local = build(store, quarter, "kk")
    prs = Presentation(io.BytesIO(r.data))
    assert [slide_title(s) for s in prs.slides] == [slide_title(s) for s in local.slides]
    assert f"mtm-briefing-{quarter}-kk.pptx" in r.headers["Content-Disposition"]
    r = client.post(office_web.BRIEFING_FILE_PATH, json={**body, "format": "docx"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith(office.MIMETYPES["docx"])


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"lang": "xx"}, "xx"),
        ({"period": "2999-Q9"}, "2999-Q9"),
        ({"format": "odp"}, "pptx"),
        ({"images": {"not-a-chart": "x"}}, "not-a-chart"),
        ({"images": {}}, "missing"),
    ],
)
def test_bad_briefing_file_requests_are_a_clear_400(client, quarter, change, says):
    body = {"period": quarter, "lang": "en", "format": "pptx", "images": {}, **change}
    r = client.post(office_web.BRIEFING_FILE_PATH, json=body)
    assert r.status_code == 400 and says in r.data.decode()


# -- the command --------------------------------------------------------------------------------------------
@pytest.fixture
def no_kaleido(monkeypatch):
    monkeypatch.setattr(office, "render_png", lambda fig: fake_png())


def test_the_command_writes_a_deck_and_a_word_file(tmp_path, quarter, no_kaleido, store):
    for fmt in ("pptx", "docx"):
        out = tmp_path / f"b.{fmt}"
        assert (
            cli.main(["briefing", "--period", quarter, "--format", fmt, "--lang", "ru", "--out", str(out)])
            == 0
        )
        assert out.stat().st_size > 0
    _b, _items, local = build(store, quarter, "ru")
    assert len(Presentation(str(tmp_path / "b.pptx")).slides) == len(local.slides)


def test_command_errors_are_clear_and_leave_no_file(tmp_path, quarter, no_kaleido, capsys, monkeypatch):
    missing = tmp_path / "no-such-folder" / "b.pptx"
    assert cli.main(["briefing", "--period", quarter, "--format", "pptx", "--out", str(missing)]) == 2
    assert "does not exist" in capsys.readouterr().err and not missing.exists()
    out = tmp_path / "b.pptx"
    assert cli.main(["briefing", "--period", "2999-Q1", "--format", "pptx", "--out", str(out)]) == 2
    assert "no briefing for '2999-Q1'" in capsys.readouterr().err and not out.exists()
    with pytest.raises(SystemExit) as exc:
        cli.main(["briefing", "--period", quarter, "--format", "pptx", "--lang", "xx", "--out", str(out)])
    assert exc.value.code == 2 and "xx" in capsys.readouterr().err
    with pytest.raises(office.OfficeError, match="unknown language"):
        office.write_briefing(quarter, "pptx", out, "xx")
    assert cli.main(["briefing", "--period", quarter, "--format", "pptx", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err

    # a failure while the file is being put in place: the old file stays, no temporary file is left
    out.write_bytes(b"old")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("os.replace", refuse)
    assert cli.main(["briefing", "--period", quarter, "--format", "pptx", "--out", str(out)]) == 2
    assert "cannot write" in capsys.readouterr().err
    assert out.read_bytes() == b"old" and sorted(p.name for p in tmp_path.iterdir()) == ["b.pptx"]


def test_the_default_file_name_follows_the_format(tmp_path, quarter, no_kaleido, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["briefing", "--period", quarter, "--format", "docx"]) == 0
    assert Path("briefing.docx").exists() and not Path("briefing.pdf").exists()


# -- a look at the deck -------------------------------------------------------------------------------------
def test_libreoffice_draws_every_slide(tmp_path, store, quarter):
    """The deck opens in another office suite, one page per slide (scripts/deck_pictures.py: to look at)."""
    if not (shutil.which("soffice") and shutil.which("pdftoppm")):
        pytest.skip(
            "soffice (LibreOffice) or pdftoppm missing: `make test` installs them where root+apt allow"
        )
    spec = importlib.util.spec_from_file_location("deck_pictures", SCRIPTS / "deck_pictures.py")
    assert spec is not None and spec.loader is not None
    deck_pictures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(deck_pictures)
    _b, _items, prs = build(store, quarter, "kk")
    deck_path = tmp_path / "deck.pptx"
    prs.save(deck_path)
    pages = deck_pictures.render(deck_path, tmp_path / "pictures", dpi=20)
    assert len(pages) == len(prs.slides)
    assert all(slides.png_size(p.read_bytes()) for p in pages)
