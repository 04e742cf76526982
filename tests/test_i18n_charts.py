"""Charts, exported images and downloads in Russian and Kazakh: titles, axes, legends, hovers, empty states,
map notes, screen-reader summaries, the export frame, CSV/XLSX headers and the About sheet; numbers by Babel;
no English text of this area left in a figure (checked against the msgids of charts.po)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from openpyxl import load_workbook

from dashboard import a11y, derivations, downloads, export, figures, i18n, panels, theme
from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.data import get_store
from dashboard.periods import parse_period, period_label
from dashboard.render import framed_figure, view_language
from dashboard.state import parse_query
from dashboard.views import shown_rows

LANGS = ["ru", "kk"]
LOCALE = Path(__file__).resolve().parent.parent / "dashboard" / "locale"
REMIT_IN = "?indicator=remittance_inflow&measure=amount&unit=USD_mn&period=2025-H1&ptype=half"
REMIT_OUT = "?indicator=remittance_outflow&measure=amount&unit=KZT_bn&period=2023-Q2"
ARRIVALS = "?indicator=border_arrivals&countries=RUS,UZB,KGZ"
NBSP = "\xa0"


@pytest.fixture(scope="module")
def store():
    return get_store()


def state(store, view: str, lang: str):
    return parse_query(f"{view}&lang={lang}", store)


def build(store, chart: str, view: str, lang: str):
    with i18n.use(lang):
        return panels.BUILDERS[chart](store, state(store, view, lang))


def tr(lang: str, msgid: str) -> str:
    with i18n.use(lang):
        return i18n.gettext(msgid)


# -- "no English left": the fixed words of every msgid of this area ------------------------------------------
def _fragments(lang: str) -> set[str]:
    """The English words of charts.po's msgids (the text between placeholders) that the language does not
    write the same way; only runs of at least 4 letters, so that short words and symbols do not match data."""
    with (LOCALE / lang / "LC_MESSAGES" / "charts.po").open("rb") as fh:
        catalogue_ = read_po(fh, locale=lang)
    out = set()
    for message in catalogue_:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid in ids:
            if msgid in strings:
                continue
            for part in re.split(r"\{[^}]*\}", msgid):
                part = part.strip(" ,.:;()·—–⚠%")
                if sum(ch.isalpha() for ch in part) >= 4 and not any(part in s for s in strings):
                    out.add(part)
    return out


FRAGMENTS = {lang: _fragments(lang) for lang in LANGS}


def visible_texts(fig) -> list[str]:
    """Every text a person sees in a figure (or hears: the summary), not ids, colours or codes."""
    d = fig if isinstance(fig, dict) else fig.to_plotly_json()
    layout = d.get("layout") or {}
    out = []

    def add(v):
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, list | tuple):
            out.extend(x for x in v if isinstance(x, str))

    add((layout.get("title") or {}).get("text"))
    for a in layout.get("annotations") or []:
        add(a.get("text"))
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            add((axis.get("title") or {}).get("text"))
            add(axis.get("ticktext"))
    meta = layout.get("meta") or {}
    add(meta.get("summary"))
    add(meta.get("message"))
    for t in d.get("data") or []:
        for key in ("name", "text", "hovertext", "labels", "hovertemplate"):
            add(t.get(key))
        add(((t.get("colorbar") or {}).get("title") or {}).get("text"))
    return out


def english_left(texts: list[str], lang: str) -> list[tuple[str, str]]:
    found = []
    for text in texts:
        for frag in FRAGMENTS[lang]:
            if re.search(rf"(?<![A-Za-z]){re.escape(frag)}(?![A-Za-z])", text):
                found.append((frag, text[:160]))
    return found


def test_the_fragment_lists_are_not_empty():
    assert "not selected or not reported" in FRAGMENTS["ru"]
    assert "months of" in FRAGMENTS["kk"] and "reporting country" in FRAGMENTS["kk"]
    assert "URL" not in FRAGMENTS["ru"]  # written the same in every language


def test_english_is_unchanged(store):
    """English output stays what it was (the existing tests check more of it)."""
    fig = build(store, "donut", REMIT_IN, "en").figure
    assert "Not itemised in the source" in list(fig.data[0].labels)
    assert fig.layout.separators == ".,"
    assert figures.sources_line(["A", "B", "C", "D"]) == "Sources: A; B; C; and 1 more"
    assert export.data_date_text(store.latest_source_date) == (
        f"sources published up to {store.latest_source_date:%d %b %Y}"
    )
    with i18n.use("en"):
        assert figures.derivation_text("1.0% of 5 (share of India × total, Q2 2023)") == (
            "1.0% of 5 (share of India × total, Q2 2023)"
        )


# -- figures ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_map(store, lang):
    fig = build(store, "map", REMIT_IN, lang).figure
    with i18n.use(lang):
        title = catalogue().indicator("remittance_inflow").title
        unit = catalogue().unit("USD_mn")
        counterpart = catalogue().counterparts["sending_country"]
    assert fig.layout.title.text.replace("<br>", " ").startswith(title.split()[0])
    assert a11y.title_of(fig).startswith(f"{title}, ")
    assert counterpart[1:] in a11y.title_of(fig)  # "by …" carries the translated breakdown
    names = [t.name for t in fig.data]
    assert names == [catalogue_measure(lang, "amount"), tr(lang, "reporting country")]
    assert fig.data[0].colorbar.title.text == unit.label
    hovers = " | ".join(fig.data[0].text)
    assert "46,0 млн $" in hovers  # Babel: decimal comma, then the unit's short form
    assert tr(lang, "derived: {how}").split("{")[0] in hovers
    assert fig.layout.separators == theme.separators(lang) == "," + NBSP
    assert (
        tr(lang, "{country} (reporting country)").replace("{country}", "") in fig.layout.annotations[0].text
    )
    assert tr(lang, "not reported") in fig.layout.annotations[0].text  # the key says what grey land means
    assert not english_left(visible_texts(fig), lang)


def catalogue_measure(lang: str, measure: str) -> str:
    with i18n.use(lang):
        return catalogue().measure(measure).label


@pytest.mark.parametrize("lang", LANGS)
def test_map_notes_name_what_the_map_cannot_draw(store, lang):
    rows = store.breakdown("trp_issued", "2023-Q2", "quarter", "count", "permits")
    with i18n.use(lang):
        ind = catalogue().indicator("trp_issued")
        codes = set(rows["country_iso3"].to_list()) - {"TOT", "OTH", "KAZ"}
        drawable = frozenset(codes - {sorted(codes)[0]})  # one country the map "cannot draw"
        fig = figures.choropleth(rows, ind, "count", "permits", "Q2", ("RUS",), drawable)
    note = fig.layout.annotations[0].text
    assert tr(lang, "Not drawn on the map (too small at this scale): {items}").split("{")[0] in note
    assert tr(lang, "not selected or not reported") in note
    assert not english_left(visible_texts(fig), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_donut(store, lang):
    fig = build(store, "donut", REMIT_IN, lang).figure
    labels = list(fig.data[0].labels)
    assert labels[-1] == tr(lang, "Not itemised in the source")
    text = list(fig.data[0].text)
    percent = "24,0" + (NBSP + "%" if lang == "ru" else "%")  # each language's own percent pattern
    assert percent in text
    assert tr(lang, "{value} of the total").replace("{value}", percent) in fig.data[0].hovertext[0]
    assert (
        tr(lang, "computed: 100% minus the published shares ({total})").split("(")[0]
        in (fig.data[0].hovertext[-1])
    )
    assert not english_left(visible_texts(fig), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_series_with_gaps_and_a_derived_point(store, lang):
    fig = build(store, "series", ARRIVALS, lang).figure
    names = [t.name for t in fig.data]
    with i18n.use(lang):
        assert names[:3] == [country_name("RUS"), country_name("UZB"), country_name("KGZ")]
        unit = catalogue().unit("persons")
    assert tr(lang, "derived (computed here)") in names and tr(lang, "not reported") in names
    assert fig.layout.yaxis.title.text == unit.label
    assert list(fig.layout.yaxis2.ticktext) == [f"<i>{tr(lang, 'not reported')}</i>"]
    subtitle = a11y.title_of(fig)
    assert tr(lang, "{measure_unit}, by quarter").replace("{measure_unit}", "") in subtitle
    hovers = " | ".join(t for t in fig.data[0].text if t)
    assert f"1{NBSP}285{NBSP}000" in hovers  # Russian/Kazakh digit groups
    assert "485 000" not in hovers and "485,000" not in hovers
    assert f"485{NBSP}000" in hovers  # the build's English derivation, said again in the language
    assert fig.layout.separators == "," + NBSP
    assert not english_left(visible_texts(fig), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_months_of_a_quarter(store, lang):
    fig = build(store, "series", "?indicator=border_arrivals&countries=RUS&drill=2022-Q3", lang).figure
    quarter = tr(lang, "{title}, months of {quarter}").split("}")[1].split("{")[0]
    assert quarter.strip(" ,") in a11y.title_of(fig)
    assert not english_left(visible_texts(fig), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_spans(store, lang):
    fig = build(store, "spans", REMIT_IN, lang).figure
    assert fig.layout.title.text.startswith(tr(lang, "Figures reported for longer periods"))
    names = [t.name for t in fig.data]
    assert tr(lang, "Half-year") in names and tr(lang, "Year to date") in names
    # date ticks written by Babel (plotly.js has no Kazakh locale, and server-side images none at all)
    assert fig.layout.xaxis.tickmode == "array" and len(fig.layout.xaxis.ticktext) >= 2

    assert format_date(date(2025, 1, 1), "medium", locale=lang) in fig.data[0].hovertext[0]
    assert not english_left(visible_texts(fig), lang)


@pytest.mark.parametrize("lang", LANGS)
def test_empty_states(store, lang):
    donut = build(store, "donut", "?indicator=border_arrivals&period=2022-Q3", lang).figure
    assert donut.layout.meta["empty"] is True
    message = donut.layout.meta["message"]
    assert message == tr(lang, "No citizenship shares reported for {period}").format(
        period=i18n_period(lang, "2022-Q3")
    )
    with i18n.use(lang):
        ind = catalogue().indicator("trp_issued")
        empty_rows = store.breakdown("trp_issued", "1999-Q1", "quarter", "count", "permits")
        figs = [
            donut,
            figures.choropleth(empty_rows, ind, "count", "permits", "Q1"),
            figures.spans_chart(empty_rows.with_columns(pl.lit(None).alias("period")), ind, "permits"),
            figures.time_series(
                pl.DataFrame({"value": []}, schema={"value": pl.Float64}), ind, "count", "permits"
            ),
            figures.months_bar([], ind, "permits", "Q1"),
        ]
    texts = [t for f in figs for t in visible_texts(f)]
    joined = " | ".join(texts)
    for msgid in (
        "No country breakdown reported for {period}",
        "No figures reported for longer periods",
        "Not reported for any quarter in this range",
        "Monthly figures were not reported for {quarter}",
    ):
        assert tr(lang, msgid).split("{")[0].split("(")[0].strip() in joined, msgid
    assert not english_left(texts, lang)


def i18n_period(lang: str, qid: str) -> str:
    with i18n.use(lang):
        return period_label(parse_period(qid, "quarter"))


@pytest.mark.parametrize("lang", LANGS)
def test_screen_reader_summaries(store, lang):
    fig = build(store, "map", REMIT_IN, lang).figure
    summary = fig.layout.meta["summary"]
    with i18n.use(lang):
        assert summary == a11y.summarize(fig)
        assert (
            i18n.ngettext(
                "{n} country has a figure. Highest: {top}.", "{n} countries have a figure. Highest: {top}.", 3
            )
            .split("{top}")[0]
            .format(n=3)
            in summary
        )
    series = build(store, "series", REMIT_OUT, lang).figure.layout.meta["summary"]
    assert "306,3 млрд ₸" in series and ("(−17\xa0%)" if lang == "ru" else "(−17%)") in series
    assert not english_left([summary, series], lang)


# -- the export frame --------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("chart", panels.CHARTS)
def test_export_frame(store, lang, chart):
    view = REMIT_OUT if chart != "spans" else REMIT_IN
    with i18n.use(lang):
        s = state(store, view, lang)
        panel = panels.BUILDERS[chart](store, s)
        docs = store.documents_for(panel.source_ids)
        when = export.data_date_text(store.latest_source_date)
        caption = export.caption_for(s, chart, panel, docs, when, "/explore" + s.to_query())
        fig = export.framed(panel.figure, caption, "wide")
        title = catalogue().indicator(s.indicator).title
    assert caption.title == title
    assert format_date(store.latest_source_date, "medium", locale=lang) in when
    assert when == tr(lang, "sources published up to {date}").format(
        date=format_date(store.latest_source_date, "medium", locale=lang)
    )
    foot = fig.layout.annotations[-1].text.replace("<br>", " ")
    assert tr(lang, "Source: {sources}").split("{")[0] in foot
    assert tr(lang, "Data: {date}").split("{")[0] in foot and "lang=" + lang in foot
    if chart == "series":
        assert "2022" in caption.subtitle and tr(lang, "all countries") in caption.subtitle
    if chart == "donut":
        with i18n.use(lang):
            assert caption.subtitle.startswith(catalogue().measure("share_pct").label)
    # sources are document titles (data, not translated) and the link is an address: leave them out
    texts = [without(t, docs, s.to_query()) for t in visible_texts(fig)]
    assert not english_left(texts, lang), english_left(texts, lang)[:3]


def without(text: str, docs: list[str], query: str) -> str:
    for d in [*docs, query]:
        text = text.replace(d, " ").replace(d.replace("&", "&amp;"), " ")
    return text


@pytest.mark.parametrize("lang", LANGS)
def test_export_notes_are_translated(store, lang):
    with i18n.use(lang):
        s = state(store, REMIT_IN, lang)
        panel = panels.BUILDERS["map"](store, s)
        caption = export.caption_for(s, "map", panel, [], "", "")
        fig = export.framed(panel.figure, caption, "square")
    assert panel.derived and panel.conflicting
    foot = fig.layout.annotations[-1].text.replace("<br>", " ")
    assert tr(lang, "Source: none reported") in foot
    assert tr(lang, "Note: {note}").split("{")[0] in foot
    assert not english_left([foot], lang)


def test_the_cli_renders_in_the_language_of_the_view(store):
    assert view_language("?indicator=trp_issued&lang=kk") == "kk"
    assert view_language("?indicator=trp_issued&lang=xx") == "en"
    assert view_language("") == "en"
    fig = framed_figure(REMIT_OUT + "&lang=kk", "map", "wide", "http://d.example")
    with i18n.use("kk"):
        title = catalogue().indicator("remittance_outflow").title
    assert title.split()[0] in fig.layout.title.text
    foot = fig.layout.annotations[-1].text
    assert "lang=kk" in foot
    assert not english_left([t for t in visible_texts(fig) if t != foot], "kk")
    assert i18n.current() == "en"  # the language is set for the image only


# -- caches --------------------------------------------------------------------------------------------------
def test_drawn_panels_are_remembered_per_language(store):
    s = parse_query(REMIT_OUT, store)  # the same state in every language in force
    en = panels.drawn(store, "spans", s).figure["layout"]["title"]["text"]
    with i18n.use("ru"):
        ru = panels.drawn(store, "spans", s).figure["layout"]["title"]["text"]
    with i18n.use("kk"):
        kk = panels.drawn(store, "spans", s).figure["layout"]["title"]["text"]
    assert en.startswith("Figures reported for longer periods")
    assert ru.startswith(tr("ru", "Figures reported for longer periods"))
    assert kk.startswith(tr("kk", "Figures reported for longer periods"))


# -- downloads -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_csv_headers_translated_values_kept(store, lang):
    with i18n.use(lang):
        s = state(store, REMIT_IN, lang)
        frame = downloads.download_frame(shown_rows(store, s), store, s.indicator)
        text = downloads.to_csv(frame)
        title = catalogue().indicator("remittance_inflow").title
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header == [tr(lang, c) for c in downloads.COLUMNS]
    assert header != list(downloads.COLUMNS) and len(set(header)) == len(header)
    body = [dict(zip(downloads.COLUMNS, r, strict=True)) for r in rows[1:]]
    uzb = next(r for r in body if r["country_iso3"] == "UZB" and r["period"] == "2025-H1")
    assert uzb["indicator"] == "remittance_inflow" and uzb["indicator_title"] == title
    assert uzb["status"] == "derived" and uzb["measure"] == "amount" and uzb["unit"] == "USD_mn"
    assert float(uzb["value"]) == pytest.approx(10.14, abs=0.01)  # numbers stay numbers: no digit groups
    assert "share of" not in uzb["derivation"] and "195,0" in uzb["derivation"]
    assert uzb["period_label"] == tr(lang, "H{half} {year}").format(half=1, year=2025)
    with i18n.use("en"):
        english = downloads.to_csv(frame)
    assert english.splitlines()[0] == ",".join(downloads.COLUMNS)


@pytest.mark.parametrize("lang", LANGS)
def test_xlsx_sheets_and_about_translated(store, lang):
    with i18n.use(lang):
        s = state(store, REMIT_OUT, lang)
        frame = downloads.download_frame(shown_rows(store, s), store, s.indicator)
        wb = load_workbook(io.BytesIO(downloads.to_xlsx(frame, store, s.indicator)))
        ind = catalogue().indicator("remittance_outflow")
    assert wb.sheetnames == [tr(lang, "Figures"), tr(lang, "About")]
    figures_sheet = wb[tr(lang, "Figures")]
    header = [c.value for c in figures_sheet[1]]
    assert header == [tr(lang, c) for c in downloads.COLUMNS]
    values = [
        r[downloads.COLUMNS.index("value")] for r in figures_sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert values and all(isinstance(v, int | float) for v in values)
    statuses = {
        r[downloads.COLUMNS.index("status")] for r in figures_sheet.iter_rows(min_row=2, values_only=True)
    }
    assert statuses <= {"published", "derived"}
    about = wb[tr(lang, "About")]
    cells = {r[0]: r[1] for r in about.iter_rows(values_only=True) if r and r[0]}
    assert cells[tr(lang, "Indicator")] == ind.title
    assert cells[tr(lang, "Definition")] == ind.definition
    assert tr(lang, "Missing") in cells and "published" in cells[tr(lang, "Status")]
    # the status codes stay as they are in the status column, so its explanation names them
    shown = [str(k) for k in cells] + [str(v) for k, v in cells.items() if k != tr(lang, "Status")]
    assert not english_left(shown, lang)
    assert cells[tr(lang, "Status")] == tr(
        lang, "published = printed by the source; derived = computed here from published ones"
    )


# -- derivations recorded by the build, said in the reader's language ----------------------------------------
def _share(value, n=1, **kw):
    return {"value": value, "country_iso3": "UZB", "conflict": n > 1, "n_sources": n, **kw}


@pytest.mark.parametrize(
    ("how", "en", "ru"),
    [
        (
            derivations.share_of_total(
                _share(5.2),
                {
                    "value": 195.0,
                    "unit": "USD_mn",
                    "period": "2025-H1",
                    "period_type": "half",
                    "conflict": True,
                    "n_sources": 2,
                },
            ),
            "5.2% of 195.0 mn USD (share of Uzbekistan × total, H1 2025); "
            "the total was chosen among 2 differing sources",
            f"5,2{NBSP}% от 195,0 млн $ (доля страны Узбекистан × итог, 1-е полугодие 2025); "
            "итог выбран из 2 расходящихся источников",
        ),
        (
            derivations.share_of_total(
                _share(10.8, country_iso3="IND"),
                {
                    "value": 13090.0,
                    "unit": "persons",
                    "period": "2023-Q2",
                    "period_type": "quarter",
                    "conflict": False,
                    "n_sources": 1,
                },
            ),
            "10.8% of 13,090 (share of India × total, Q2 2023)",
            f"10,8{NBSP}% от 13{NBSP}090 (доля страны Индия × итог, 2-й кв. 2023)",
        ),
        (
            derivations.sum_of_months(
                [
                    {"period": p, "value": v, "conflict": False}
                    for p, v in (("2022-07", 485000.0), ("2022-08", 400000.0), ("2022-09", 400000.0))
                ],
                "persons",
            ),
            "sum of the three reported months: Jul 2022 485,000 + Aug 2022 400,000 + Sep 2022 400,000",
            f"сумма трёх опубликованных месяцев: июль 2022 485{NBSP}000 + авг. 2022 400{NBSP}000 + "
            f"сент. 2022 400{NBSP}000",
        ),
        # a plain text (a share computed on screen, already in the reader's language) is shown as it is
        ("something said on screen", "something said on screen", "something said on screen"),
    ],
)
def test_derivations_are_said_in_the_language(how, en, ru):
    assert figures.derivation_text(how) == en
    with i18n.use("ru"):
        assert figures.derivation_text(how) == ru


def test_an_unknown_derivation_kind_is_shown_as_recorded_never_guessed():
    how = '{"kind":"from_the_future","x":1}'
    with i18n.use("ru"):
        assert figures.derivation_text(how) == how


def test_plural_forms():
    with i18n.use("ru"):
        got = [figures._provenance({"conflict": True, "n_sources": n})[0] for n in (2, 5, 21)]
    assert got == ["выбрано из 2 источников", "выбрано из 5 источников", "выбрано из 21 источника"]
    with i18n.use("kk"):
        assert figures._provenance({"conflict": True, "n_sources": 3}) == ["3 дереккөздің ішінен таңдалды"]
