"""The quarterly briefing in Russian and Kazakh: its content (dashboard.briefing), the key-findings
sentences (dashboard.findings), the page (layouts.briefing), the PDF's address, locale and footer
(dashboard.pdf) and the `--lang` options of `mtm briefing` / `mtm chart` (dashboard.cli). No browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from dash import html

from dashboard import i18n, pdf
from dashboard.briefing import FINDINGS_TITLE, SECTIONS, SOURCES_TITLE, build_briefing, resolve_quarter
from dashboard.catalogue import catalogue
from dashboard.cli import view_with_lang
from dashboard.data import DERIVED, NOT_REPORTED, PUBLISHED, Change, Figure
from dashboard.findings import (
    Breakdown,
    IndicatorQuarter,
    Part,
    change_phrase,
    country_phrase,
    rule_change,
    rule_partial,
    times_phrase,
)
from dashboard.i18n_check import gaps, messages
from layouts.briefing import layout
from tests.fixtures_data import committed_store
from tests.test_briefing import find

ROOT = Path(__file__).resolve().parent.parent
OWN = [
    ROOT / "dashboard" / "briefing.py",
    ROOT / "dashboard" / "findings.py",
    ROOT / "dashboard" / "pdf.py",
    ROOT / "layouts" / "briefing.py",
    ROOT / "dashboard" / "cli.py",
]
CONFIG = {"topojsonURL": "/assets/topojson/", "displaylogo": False, "responsive": True}
LANGS = ("ru", "kk")


def plain(text: str) -> str:
    """Babel's non-breaking spaces as ordinary spaces: '308\xa0710' -> '308 710'."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def store():
    return committed_store()


@pytest.fixture(scope="module")
def briefings(store):
    out = {}
    for lang in (*LANGS, "en"):
        with i18n.use(lang):
            out[lang] = build_briefing(store, "2023-Q2")
    return out


@pytest.fixture(scope="module")
def pages(store):
    out = {}
    for lang in (*LANGS, "en"):
        with i18n.use(lang):
            out[lang] = layout(store, "2023-Q2", CONFIG)
    return out


def texts(component, skip=()) -> list[str]:
    """Every string in a Dash component tree (and its title / aria-label attributes), in document order;
    components whose className contains one of ``skip`` are left out."""
    out: list[str] = []

    def walk(node):
        if node is None:
            return
        if isinstance(node, str | int | float):
            out.append(str(node))
        elif isinstance(node, list | tuple):
            for n in node:
                walk(n)
        elif hasattr(node, "to_plotly_json"):
            if any(s in (getattr(node, "className", None) or "").split() for s in skip):
                return
            props = node.to_plotly_json()["props"]
            out.extend(str(props[k]) for k in ("title", "aria-label") if isinstance(props.get(k), str))
            walk(getattr(node, "children", None))

    walk(component)
    return out


def briefing_texts(b) -> list[str]:
    """Every sentence and label of a built briefing."""
    out = [b.label, b.months_label, b.notice or ""]
    for f in b.findings:
        out += [f.text, *f.caveats]
    for s in b.sections:
        out += [s.title, s.missing or "", *(c.alt for c in s.charts)]
        for r in s.rows:
            out += [r.title, r.value_text, *r.also, *r.notes, *r.details]
            for c in r.comparisons:
                out += [c.against, c.period_label, c.level_text, c.basis, c.how]
    return out


# -- what English text of this area may not remain in Russian or Kazakh -----------------------------------
def english_fragments() -> set[str]:
    """The literal words of every message of the briefing's files, between placeholders: runs of two or more
    words, or single words of five letters or more ('derived', 'computed', 'Sources')."""
    out = set()
    for _file, _line, msgid in messages(OWN):
        for text in msgid if isinstance(msgid, tuple) else (msgid,):
            for piece in re.split(r"\{[a-z_]+\}", text):
                words = re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", piece)
                if len(words) >= 2:
                    out.add(" ".join(words))
                elif words and len(words[0]) >= 5:
                    out.add(words[0])
    return out


FRAGMENTS = english_fragments()


def english_left(text: str) -> list[str]:
    words = " ".join(re.findall(r"[A-Za-z]+(?:-[A-Za-z]+)?", text))
    return sorted(f for f in FRAGMENTS if re.search(rf"\b{re.escape(f)}\b", words))


def test_fragments_cover_the_sentences():
    assert {"on the previous quarter", "rose about fourfold", "derived", "Key findings"} <= FRAGMENTS


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_in_the_briefing_content(briefings, lang):
    b = briefings[lang]
    left = {t: english_left(t) for t in briefing_texts(b) if english_left(t)}
    assert left == {}
    assert english_left(" ".join(briefing_texts(briefings["en"])))  # the check does see English


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("quarter", ["2022-Q3", "2024-Q3", "2025-Q2", "2023-Q9", "2031-Q1"])
def test_no_english_in_quarters_with_gaps_and_notices(store, lang, quarter):
    with i18n.use(lang):
        b = build_briefing(store, quarter)
    left = {t: english_left(t) for t in briefing_texts(b) if english_left(t)}
    assert left == {}
    if quarter in ("2023-Q9", "2031-Q1"):
        assert b.notice and "2023-Q2" not in b.label


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_on_the_page(pages, lang):
    # the documents' own titles, links and agency names are cited as written: left out of the check
    text = " ".join(texts(pages[lang], skip=("briefing-doc", "briefing-url", "briefing-sources")))
    assert english_left(text) == []
    assert english_left(" ".join(texts(pages["en"])))


# -- Russian ---------------------------------------------------------------------------------------------
def _finding(b, rule, indicator):
    return next(f for f in b.findings if f.rule == rule and f.indicators == (indicator,))


def test_russian_findings(briefings):
    b = briefings["ru"]
    with i18n.use("ru"):
        trp_title = catalogue().indicator("trp_issued").title
        notes = catalogue().indicator("trp_issued").notes
    trp = _finding(b, "change", "trp_issued")
    assert plain(trp.text) == (
        f"{trp_title}: рост примерно в четыре раза к предыдущему кварталу "
        "(308 710 за 2-й кв. 2023 против 82 000 за 1-й кв. 2023)."
    )
    assert trp.caveats and set(trp.caveats) <= set(notes)  # the catalogue's note, in Russian
    out = plain(_finding(b, "change", "remittance_outflow").text)
    assert "рост на 38,8 % к предыдущему кварталу (253,8 млрд" in out
    assert ", но снижение на 17,1 % по сравнению с годом ранее (306,3 млрд" in out
    cis = plain(_finding(b, "leader", "migrant_workers_cis").text)
    assert "первое место по гражданству — Узбекистан (73,8 % из 254 393), далее — Россия (17,8 %)." in cis
    lead = plain(_finding(b, "leader", "remittance_outflow").text)
    assert "первое место среди стран назначения — Узбекистан, 80,5 млрд ₸ из 253,8 млрд ₸ (31,7 %)" in lead
    months = plain(_finding(b, "months", "remittance_outflow").text)
    assert "по месяцам максимум пришёлся на май 2023 — 89,9 млрд ₸" in months
    balance = plain(next(f for f in b.findings if f.rule == "balance").text)
    assert "примерно в три раза больше" in balance and "(253,8 млрд ₸ против 80,9 млрд ₸, расчёт)" in balance
    gaps = next(f for f in b.findings if f.rule == "not_reported").text
    assert gaps.startswith("За 2-й кв. 2023 не опубликовано ни квартальных, ни месячных данных: ")
    assert gaps.endswith("(нет данных — не значит ноль).")
    for f in b.findings:
        assert not f.text[0].islower() and f.text.endswith(".")


def test_russian_headline_rows(briefings):
    b = briefings["ru"]
    trp = next(r for s in b.sections for r in s.rows if r.facts.indicator.id == "trp_issued")
    prev, yoy = trp.comparisons
    assert (prev.against, prev.period_label, plain(prev.change_text), prev.basis) == (
        "Предыдущий квартал",
        "1-й кв. 2023",
        "+276,5 %",
        "рассчитано",
    )
    assert prev.how == "рассчитано по двум уровням: 2-й кв. 2023; 1-й кв. 2023"
    assert (yoy.against, yoy.level_text, yoy.basis) == ("Годом ранее", "нет данных", "")
    assert any(plain(d).endswith("; и ещё 2 страны") for d in trp.details)
    out = next(r for s in b.sections for r in s.rows if r.facts.indicator.id == "remittance_outflow")
    assert out.comparisons[0].basis == "опубликовано"
    assert any(
        plain(d).startswith("По месяцам: апр. 2023 — 76,4 млрд ₸; май 2023 — 89,9 млрд ₸")
        for d in out.details
    )
    flows = b.section("flows")
    assert flows.missing.startswith("Квартальные и месячные данные по теме «")
    assert "Опубликовано только за более длительные периоды: " in flows.missing
    assert b.months_label == "Апрель–июнь 2023"


def test_russian_notices(store):
    with i18n.use("ru"):
        _q, bad = resolve_quarter(store, "banana")
        _q2, outside = resolve_quarter(store, "2019-Q1")
    assert bad.startswith("«banana» — не квартал (ожидается, например, 2023-Q2); показан ")
    assert outside.startswith("Данных за 1-й кв. 2019 нет")


CODES = ("RUS", "UZB", "KGZ", "TJK", "CHN", "TUR", "DEU", "IND", "KOR")


def test_russian_plurals_of_the_countries_left_out():
    def facts(n_parts):
        parts = tuple(
            Part(c, value=1000.0 * (i + 1), value_status=PUBLISHED) for i, c in enumerate(CODES[:n_parts])
        )
        cur = Figure("border_arrivals", "2023-Q2", "quarter", "TOT", "count", "persons", None, NOT_REPORTED)
        return IndicatorQuarter(
            catalogue().indicator("border_arrivals"),
            "2023-Q2",
            "persons",
            cur,
            breakdown=Breakdown("2023-Q2", "persons", None, parts),
        )

    with i18n.use("ru"):
        assert rule_partial(facts(5)).endswith(" и ещё 1 страна.")
        assert rule_partial(facts(6)).endswith(" и ещё 2 страны.")
        assert rule_partial(facts(9)).endswith(" и ещё 5 стран.")
        assert "Россия — 1 000" in plain(rule_partial(facts(4)))
    with i18n.use("kk"):
        assert rule_partial(facts(6)).endswith(" және тағы 2 ел.")
    assert rule_partial(facts(6)).endswith(" and 2 more.")  # English unchanged


def test_phrases_follow_the_language():
    with i18n.use("ru"):
        assert plain(change_phrase(1.3876)) == "рост на 38,8 %"
        assert change_phrase(4.0) == "рост примерно в четыре раза"
        assert change_phrase(0.5) == "сокращение вдвое"
        assert times_phrase(1.6) == "в 1,6 раза"
        assert country_phrase("RUS") == "Россия" and country_phrase("OTH") == "другие страны"
    with i18n.use("kk"):
        assert change_phrase(1.3876) == "38,8%-ға өсті"
        assert change_phrase(0.8286) == "17,1%-ға азайды"
        assert times_phrase(3.1) == "шамамен үш есе"
    assert change_phrase(4.0) == "rose about fourfold" and country_phrase("RUS") == "the Russian Federation"


def test_a_derived_level_is_marked_in_russian():
    cur = Figure("trp_issued", "2023-Q2", "quarter", "TOT", "count", "permits", 300_000.0, DERIVED)
    prev = Figure("trp_issued", "2023-Q1", "quarter", "TOT", "count", "permits", 100_000.0, PUBLISHED)
    with i18n.use("ru"):
        iq = IndicatorQuarter(
            catalogue().indicator("trp_issued"),
            "2023-Q2",
            "permits",
            cur,
            prev,
            change_prev=Change(200.0, DERIVED, prev),
        )
        assert "300 000 (расчётное) за 2-й кв. 2023" in plain(rule_change(iq))


# -- Kazakh ----------------------------------------------------------------------------------------------
def test_kazakh_findings(briefings):
    b = briefings["kk"]
    trp = plain(_finding(b, "change", "trp_issued").text)
    assert "алдыңғы тоқсанмен салыстырғанда шамамен төрт есе өсті" in trp
    assert "(ІІ тқс. 2023 ішінде 308 710, ал І тқс. 2023 ішінде 82 000)" in trp
    out = plain(_finding(b, "change", "remittance_outflow").text)
    assert "38,8%-ға өсті" in out and "253,8 млрд" in out and "алайда" in out
    gaps = next(f for f in b.findings if f.rule == "not_reported").text
    assert gaps.startswith("ІІ тқс. 2023 үшін тоқсандық та, айлық та деректер жарияланбаған: ")
    assert b.months_label == "Сәуір–маусым 2023"


# -- the page --------------------------------------------------------------------------------------------
EXPECTED_TITLES = {
    "ru": ("Основные выводы", "Источники", "Миграция в Казахстане, 2-й кв. 2023", "Показатель", "Квартал: "),
    "kk": (
        "Негізгі қорытындылар",
        "Дереккөздер",
        "Қазақстандағы көші-қон, ІІ тқс. 2023",
        "Көрсеткіш",
        "Тоқсан: ",
    ),
}


@pytest.mark.parametrize("lang", LANGS)
def test_page_headings_are_translated(pages, lang):
    page = pages[lang]
    findings, sources, title, indicator, quarter = EXPECTED_TITLES[lang]
    with i18n.use(lang):
        domains = [catalogue().domain(s.domain).title for s in SECTIONS]
        assert (i18n.gettext(FINDINGS_TITLE), i18n.gettext(SOURCES_TITLE)) == (findings, sources)
    headings = [h.children for h in find(page, lambda c: isinstance(c, html.H2))]
    assert headings == [findings, *domains, sources]
    assert [h.children for h in find(page, lambda c: isinstance(c, html.H1))] == [title]
    header_cells = [th.children for th in find(page, lambda c: isinstance(c, html.Th) and c.scope == "col")]
    assert indicator in header_cells
    all_text = texts(page)
    assert quarter in all_text
    text = plain(" ".join(all_text))
    for number in ("308 710", "254 393", "253,8"):
        assert number in text


def test_russian_page_details(pages):
    page = pages["ru"]
    cells = [th.children for th in find(page, lambda c: isinstance(c, html.Th) and c.scope == "col")]
    assert "Предыдущий квартал (1-й кв. 2023)" in cells and "Годом ранее (2-й кв. 2022)" in cells
    current = find(page, lambda c: "current" in (getattr(c, "className", "") or "").split())
    assert [c.children for c in current] == ["2-й кв."]
    text = " ".join(texts(page))
    assert "Матрица отслеживания миграции · Казахстан · квартальная сводка" in text
    assert "Сформировано " in text and "Самый новый документ-источник датирован " in text
    assert "Ведомство: " in text and "Издатель: IOM, 1 июля 2023 (приблизительно)." in text
    assert "Без веб-ссылки" in text
    assert "Источники: [2]" in text


@pytest.mark.parametrize("lang", (*LANGS, "en"))
def test_page_links_keep_the_language(pages, lang):
    links = [
        a.href
        for a in find(pages[lang], lambda c: isinstance(c, html.A) and "briefing-q" in (c.className or ""))
    ]
    assert links and all(h.startswith("/briefing?period=") and h.endswith(f"&lang={lang}") for h in links)


def test_english_page_is_unchanged(pages):
    text = " ".join(texts(pages["en"]))
    assert "Migration in Kazakhstan, Q2 2023" in text and "Quarter: " in text
    assert "Previous quarter (Q1 2023)" in text and "Agency: " in text
    current = find(pages["en"], lambda c: "current" in (getattr(c, "className", "") or "").split())
    assert [c.children for c in current] == ["Q2"]


# -- the catalogues ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_every_placeholder(lang):
    path = ROOT / "dashboard" / "locale" / lang / "LC_MESSAGES" / "briefing.po"
    with path.open("rb") as fh:
        cat = read_po(fh, locale=lang)
    ours = {m[0] if isinstance(m, tuple) else m for _f, _l, m in messages(OWN)}
    seen = 0
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = set(re.findall(r"\{[a-z_]+\}", ids[0]))
        for s in strings:
            assert s, m.id
            assert set(re.findall(r"\{[a-z_]+\}", s)) == wanted, (m.id, s)
        seen += ids[0] in ours
    assert seen == len(ours)  # every message of the area is in the file


def test_no_gaps_in_the_area():
    assert [g for lang in LANGS for g in gaps(lang, OWN)] == []


# -- PDF and command line ----------------------------------------------------------------------------------
def test_pdf_address_locale_and_footer():
    assert pdf.briefing_url("http://127.0.0.1:5000/", "2023-Q2", "ru") == (
        "http://127.0.0.1:5000/briefing?period=2023-Q2&lang=ru"
    )
    assert pdf.BROWSER_LOCALES == {"en": "en-GB", "ru": "ru-RU", "kk": "kk-KZ"}
    en = pdf.footer("Migration in Kazakhstan, Q2 2023")
    assert "page <span class=pageNumber></span> of <span class=totalPages></span>" in en
    ru = pdf.footer("Миграция в Казахстане, 2-й кв. 2023", "ru")
    assert "стр. <span class=pageNumber></span> из <span class=totalPages></span>" in ru
    assert "<span>Миграция в Казахстане, 2-й кв. 2023</span>" in ru
    assert "&lt;b&gt;" in pdf.footer("<b>", "kk")


def test_pdf_command_takes_a_language(tmp_path, capsys):
    with pytest.raises(SystemExit):
        pdf.main(["--lang", "de", "--out", str(tmp_path / "b.pdf")])
    # checked against the data before any server or browser is started, whatever the language
    assert pdf.main(["--period", "2023-Q9", "--lang", "ru", "--out", str(tmp_path / "b.pdf")]) == 2
    assert "no briefing for '2023-Q9'" in capsys.readouterr().err


def test_cli_chart_view_gets_the_language():
    assert view_with_lang("?indicator=x&countries=UZB,RUS&lang=en", "ru") == (
        "?indicator=x&countries=UZB,RUS&lang=ru"
    )
    assert view_with_lang("", "kk") == "?lang=kk"
    assert view_with_lang("?indicator=x", None) == "?indicator=x"


@pytest.mark.browser
def test_briefing_pdf_in_russian(browser, base_url, tmp_path):
    """The PDF of `mtm briefing --lang ru` (as tests/test_briefing_browser.py does the English one)."""
    out = tmp_path / "briefing-ru.pdf"
    result = pdf.render_pdf(base_url, "2023-Q2", out, progress=lambda _m: None, browser=browser, lang="ru")
    assert out.read_bytes().startswith(b"%PDF") and result.pages >= 2
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be checked")
    text = plain(
        subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, check=True).stdout
    )
    for expected in (
        "Основные выводы",
        "Миграция в Казахстане, 2-й кв. 2023",
        "стр. 1 из",
        "308 710",
        "253,8",
    ):
        assert expected in text
