"""The pages' own texts in Russian and Kazakh: overview, explorer, country profile, figure tables and what the
explorer callbacks draw. Each page is rendered in the language, its component tree walked, and no English
message of the UI (ui.po, shell.po) may be left in it; internal links keep the language; numbers and dates
are the language's own."""

from __future__ import annotations

import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from dash.development.base_component import Component

from callbacks.explorer import EXPORT_IMAGE, _chart_outputs, export_messages
from callbacks.router import overview_freshness
from dashboard import charts, i18n
from dashboard.app_factory import create_app
from dashboard.country_profile import Rank
from dashboard.data import DEFAULT_DIR, get_store
from dashboard.freshness import indicator_freshness
from dashboard.ids import Ids
from dashboard.state import parse_query
from dashboard.state import to_store as _state_data
from dashboard.views import country_rows
from layouts import country, explorer, overview
from layouts.tables import _how, figures_table

LOCALE = Path(__file__).resolve().parent.parent / "dashboard" / "locale"
TEXT_PROPS = ("placeholder", "title", "aria-label", "alt", "label")
LANGS = ("ru", "kk")


@pytest.fixture(scope="module")
def store():
    return get_store()


@pytest.fixture(scope="module")
def client():
    return create_app().server.test_client()


def _po(lang: str, area: str):
    with (LOCALE / lang / "LC_MESSAGES" / f"{area}.po").open("rb") as fh:
        return read_po(fh, locale=lang)


def english_messages(lang: str) -> list[str]:
    """The UI's English msgids (ui.po, shell.po) whose translation differs from the English."""
    out = []
    for area in ("ui", "shell"):
        for m in _po(lang, area):
            if not m.id:
                continue
            ids = m.id if isinstance(m.id, tuple) else (m.id,)
            strings = m.string if isinstance(m.string, tuple) else (m.string,)
            out += [i for i in ids if i not in strings]
    return out


def _template(msgid: str) -> re.Pattern:
    """A msgid with its {placeholders} as wildcards: matches the English sentence however it was filled."""
    parts = re.split(r"\{[a-z_]+\}", msgid)
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$", re.S)


def texts(component) -> list[str]:
    """Every string a reader meets: text children, labels, placeholders, titles, alt and aria-label texts
    and dropdown/radio option labels."""
    out: list[str] = []

    def walk(c):
        if isinstance(c, Component):
            props = c.to_plotly_json()["props"]
            out.extend(props[p] for p in TEXT_PROPS if isinstance(props.get(p), str))
            for o in props.get("options") or ():
                if isinstance(o, dict) and isinstance(o.get("label"), str):
                    out.append(o["label"])
                elif isinstance(o, dict):
                    walk(o.get("label"))
            walk(props.get("children"))
        elif isinstance(c, list | tuple):
            for x in c:
                walk(x)
        elif isinstance(c, str) and c.strip():
            out.append(c)

    walk(component)
    return out


def hrefs(component) -> list[str]:
    out: list[str] = []

    def walk(c):
        if isinstance(c, Component):
            href = getattr(c, "href", None)
            if isinstance(href, str):
                out.append(href)
            walk(getattr(c, "children", None))
        elif isinstance(c, list | tuple):
            for x in c:
                walk(x)

    walk(component)
    return out


def pages(store, lang: str) -> dict:
    with i18n.use(lang):
        return {
            "overview": overview.layout(store, {}, overview_freshness(store, DEFAULT_DIR)),
            "explorer": explorer.layout(
                parse_query(f"?countries=UZB,TJK&drill=2023-Q2&nonsense=1&lang={lang}", store), store, {}
            ),
            "country": country.layout("UZB", store, {}),
            "country-bad": country.layout("XXZ", store, {}),
            "table-long": figures_table(country_rows(store, "UZB"), store.sources, max_rows=3),
            "table-empty": figures_table(country_rows(store, "UZB").head(0), store.sources),
        }


def assert_no_english(strings: list[str], lang: str) -> None:
    english = english_messages(lang)
    exact = set(english)
    # sentences with placeholders, filled in any way (those with little wording of their own, like
    # "{country} as {counterpart}", would also match the English document titles that are shown as printed)
    templates = [_template(m) for m in english if "{" in m and len(re.sub(r"\{[a-z_]+\}|\W", "", m)) >= 8]
    left = sorted({s for s in strings if s.strip() in exact})
    assert not left, f"English UI text left in {lang}: {left}"
    filled = sorted({s for s in strings for t in templates if t.match(s.strip())})
    assert not filled, f"English sentences left in {lang}: {filled}"


@pytest.mark.parametrize("lang", LANGS)
def test_pages_carry_no_english_ui_text(store, lang):
    for name, page in pages(store, lang).items():
        strings = texts(page)
        assert strings, name
        assert_no_english(strings, lang)


def test_english_pages_are_in_english(store):
    """The check above would catch English: the same walk finds the English texts on the English pages."""
    found = [s for page in pages(store, "en").values() for s in texts(page)]
    english = set(english_messages("ru"))
    for text in ("Migration in Kazakhstan: latest figures", "Theme", "All countries (total)", "Presets"):
        assert text in english and text in found
    assert "Latest figures" in found and "In brief" in found  # the country profile's headings


@pytest.mark.parametrize("lang", (*LANGS, "en"))
def test_internal_links_keep_the_language(store, lang):
    links = [h for page in pages(store, lang).values() for h in hrefs(page)]
    internal = [h for h in links if h.startswith("/")]
    assert len(internal) > 10
    assert all(f"lang={lang}" in h for h in internal), [h for h in internal if f"lang={lang}" not in h]


def test_overview_in_russian(store):
    strings = texts(pages(store, "ru")["overview"])
    assert "Миграция в Казахстане: последние данные" in strings
    assert "308\xa0710" in strings  # temporary residence permits, Q2 2023: Russian digit grouping
    assert not any(re.fullmatch(r"[\d,]+", s.strip()) and "," in s for s in strings)
    assert "2-й кв. 2023" in strings
    assert any(s.startswith("к предыдущему (1-й кв. 2023)") for s in strings)
    assert any(s == "рассчитано: 2-й кв. 2023 к 1-й кв. 2023" for s in strings)
    assert any(s.startswith("Последние данные (любой период):") for s in strings)
    assert any(s.startswith("Источник: ") for s in strings)
    assert any(s.startswith("Открыть «") and s.endswith("» в анализе данных") for s in strings)


def test_overview_in_kazakh(store):
    strings = texts(pages(store, "kk")["overview"])
    assert "Қазақстандағы көші-қон: соңғы деректер" in strings
    assert "308\xa0710" in strings
    assert "ІІ тқс. 2023" in strings
    assert any(s.startswith("Дереккөз: ") for s in strings)


def test_explorer_controls_in_russian(store):
    page = pages(store, "ru")["explorer"]
    strings = texts(page)
    for text in (
        "Тема",
        "Показатель",
        "Мера",
        "Период (карта, доли, таблица)",
        "Страны",
        "Все страны (итого)",
        "Группы стран",
        "Сбросить",
        "Все кварталы",
        "Показанные данные",
        "Примечание: ",
    ):
        assert text in strings, text
    assert "2-й кв. 2023 (квартал)" in strings  # period dropdown: Babel label and the kind of period
    assert "1-й кв. 2022" in strings  # trend range: quarters labelled, ids kept as values
    assert any("Проигнорированы неизвестные параметры" in s for s in strings)  # the notice
    assert "Количество (разрешений)" in strings  # measure radio: the catalogue's labels


def test_quarter_range_options_keep_english_ids():
    quarters = ["2022-Q1", "2022-Q2"]
    assert explorer.quarter_options(quarters) == quarters  # English: the ids themselves
    with i18n.use("kk"):
        first = explorer.quarter_options(quarters)[0]
    assert first == {"label": "І тқс. 2022", "value": "2022-Q1"}


def test_country_profile_in_russian(store):
    page = pages(store, "ru")["country"]
    strings = texts(page)
    assert "Узбекистан" in strings  # the page's title: the country's name
    for heading in ("Последние данные", "Кратко", "Переводы в обе стороны", "Во времени"):
        assert heading in strings
    # UZB's share of the TRPs of Q2 2023 (obs-00002: 68.8%) is the largest of the 7 countries listed
    assert "1-е место из 7 указанных" in strings
    assert any(re.fullmatch(r"Все \d+ значени(е|я|й) с источниками", s) for s in strings)
    assert any(s.startswith("Нет данных по этой стране: ") for s in strings)
    for header in ("Страна", "Период", "Мера", "Значение", "Как получено", "Источник"):
        assert header in strings
    # a derivation stored in English at build time is said again in Russian
    assert "Расчётное: 68,8\xa0% от 308\xa0710 (доля страны Узбекистан × итог, 2-й кв. 2023)" in strings
    assert "Опубликовано" in strings
    bad = texts(pages(store, "ru")["country-bad"])
    assert "«XXZ» — не код ISO страны, по которой есть данные." in bad


def test_country_rank_plurals():
    with i18n.use("ru"):
        assert Rank(1, 7).text == "1-е место из 7 указанных"
        assert Rank(2, 21).text == "2-е место из 21 указанной"
        assert Rank(1, 1).text == "единственная указанная страна"
    with i18n.use("kk"):
        assert Rank(3, 4).text == "көрсетілген 4 елдің 3-орны"
    assert Rank(1, 7).text == "1st of 7 listed"
    assert Rank(2, 5).text == "2nd of 5 listed"
    assert Rank(3, 4, tied=True).text == "3rd of 4 listed (tied)"
    assert Rank(11, 12).text == "11th of 12 listed"


def test_how_obtained_plurals():
    row = {"status": "published", "conflict": True, "n_sources": 2, "derivation": None}
    with i18n.use("ru"):
        assert _how(row) == "Опубликовано; выбрано из 2 расходящихся источников"
        assert (
            _how(row | {"conflict": False, "n_sources": 21})
            == "Опубликовано в 21 источнике; значения совпадают"
        )
        assert _how(row | {"conflict": False, "n_sources": 1}) == "Опубликовано"
    with i18n.use("kk"):
        assert _how(row | {"conflict": False, "n_sources": 1}) == "Жарияланған"
    assert _how(row) == "Published; chosen among 2 sources that differ"
    assert _how(row | {"conflict": False, "n_sources": 3}) == "Published by 3 sources that agree"
    assert _how(row | {"conflict": False, "n_sources": 1}) == "Published"


def test_long_table_note_in_russian(store):
    strings = texts(pages(store, "ru")["table-long"])
    assert any(
        re.fullmatch(r"Показаны первые 3 из \d+ значений; файлы CSV и XLSX содержат все\.", s)
        for s in strings
    )
    assert "По этому выбору данных нет." in texts(pages(store, "ru")["table-empty"])


def test_change_wording_follows_the_language(store):
    with i18n.use("ru"):
        trp = store.headline("trp_issued")
        prp = store.headline("prp_issued")
    assert trp.change_prev.how == "рассчитано: 2-й кв. 2023 к 1-й кв. 2023"
    assert prp.change_prev.how == "как опубликовано (к предыдущему периоду)"
    assert store.headline("prp_issued").change_prev.how == "as published (previous period)"


def test_freshness_note_in_the_language_it_is_read_in(store):
    # computed once (in English) and remembered: read in Russian or Kazakh it speaks that language
    f = indicator_freshness(store, "trp_issued", date(2026, 1, 1), built_at=date(2025, 12, 1))
    english = f.note
    assert english.startswith("Latest data ")
    with i18n.use("ru"):
        ru = f.note
    with i18n.use("kk"):
        kk = f.note
    assert ru.startswith("Последние данные: ") and "ожида" in ru
    assert kk.startswith("Соңғы деректер: ") and "мерзімі" in kk
    assert f.note == english
    assert not re.search(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", ru + kk)
    assert not re.search(r"\bQ[1-4]\b", ru + kk)


def test_export_messages_are_translated_and_all_used():
    english = export_messages()
    with i18n.use("ru"):
        ru = export_messages()
    assert set(ru) == set(english)
    for key, text in ru.items():
        assert f"msg.{key}" in EXPORT_IMAGE
        assert text != english[key]
        for placeholder in re.findall(r"\{[a-z]+\}", english[key]):
            assert placeholder in text and f"'{placeholder}'" in EXPORT_IMAGE
    assert english["copied"].startswith("Image copied")  # tests/test_security.py reads the English


# -- the callbacks, as the browser asks them ---------------------------------------------------------------
# the map's draw callback also draws the donut, the ranking and the compare charts (charts.py: drawn_with)
MAP_OUTPUTS = [
    (o.component_id, o.component_property)
    for k in (charts.BY_ID["map"], *charts.drawn_with(charts.BY_ID["map"]))
    for o in _chart_outputs(k)
]


def _call(client, outputs: list[tuple[str, str]], state: dict) -> str:
    """A panel callback of the explorer, asked as the browser asks it (several outputs, the state in: a
    chart's draw callback reads its view store, the table the state store)."""
    views = [k.view_id for k in charts.KINDS if (k.graph_id, "figure") in outputs]
    given = [{"id": v, "property": "data", "value": state} for v in views]
    body = {
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + "..",
        "outputs": [{"id": i, "property": p} for i, p in outputs],
        "inputs": given,
        "changedPropIds": [],
        "state": [],
    }
    if not views:  # the table's first drawing: run once at load (the state store's id), the state as State
        body["inputs"] = [{"id": Ids.STATE, "property": "id", "value": Ids.STATE}]
        body["state"] = [{"id": Ids.STATE, "property": "data", "value": state}]
    r = client.post("/_dash-update-component", json=body)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r.get_data(as_text=True)


def _state(store, query: str) -> dict:
    return _state_data(parse_query(query, store))


def _strings_of(body: str) -> list[str]:
    """Text strings of a callback answer (children and labels of the components it sends)."""
    out: list[str] = []

    def walk(x):
        if isinstance(x, dict):
            if "props" in x and "type" in x:
                props = x["props"]
                out.extend(props[p] for p in TEXT_PROPS if isinstance(props.get(p), str))
                walk(props.get("children"))
            else:
                for k, v in x.items():
                    if k not in ("figure",):
                        walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str) and x.lstrip().startswith("<"):  # the table, sent as HTML
            out.extend(_html_strings(x))
        elif isinstance(x, str) and x.strip():
            out.append(x)

    walk(json.loads(body)["response"])
    return out


def _html_strings(markup: str) -> list[str]:
    """Texts and titles of an HTML string (as _strings_of takes them from components)."""
    out: list[str] = []

    class Texts(HTMLParser):
        def handle_starttag(self, tag, attrs):
            out.extend(v for k, v in attrs if k in ("title", "aria-label") and v)

        def handle_data(self, data):
            if data.strip():
                out.append(data)

    Texts().feed(markup)
    return out


def test_explorer_callbacks_speak_the_states_language(client, store):
    state = _state(store, "?countries=UZB&drill=2023-Q2&lang=ru")
    table = _call(client, [(Ids.TABLE_HTML, "data"), (Ids.DEFINITION, "children")], state)
    strings = _strings_of(table)
    assert any(s.startswith("Последний период с данными: ") for s in strings)
    assert "Страна" in strings and "Как получено" in strings
    assert_no_english(strings, "ru")

    links = _call(
        client,
        MAP_OUTPUTS,
        state,
    )
    answer = json.loads(links)["response"]
    link = answer[Ids.COUNTRY_LINK]["children"][0]["props"]
    assert link["children"] == "Профиль страны: Узбекистан →"
    assert link["href"] == "/country/UZB?lang=ru"

    series = _call(
        client,
        [
            (Ids.SERIES, "figure"),
            (Ids.SERIES_FOOTER, "children"),
            (Ids.BREADCRUMB, "children"),
            (Ids.DRILL_UP, "hidden"),
            (Ids.EVENTS_TOGGLE, "children"),
            (Ids.SPANS, "figure"),
        ],
        state,
    )
    crumb = json.loads(series)["response"][Ids.BREADCRUMB]["children"]
    assert crumb[1]["props"]["children"] == "2-й кв. 2023: по месяцам"
    assert json.loads(series)["response"][Ids.EVENTS_TOGGLE]["children"] == "Скрыть события"

    undrilled = _call(
        client,
        [
            (Ids.SERIES, "figure"),
            (Ids.SERIES_FOOTER, "children"),
            (Ids.BREADCRUMB, "children"),
            (Ids.DRILL_UP, "hidden"),
            (Ids.EVENTS_TOGGLE, "children"),
            (Ids.SPANS, "figure"),
        ],
        _state(store, "?lang=kk"),
    )
    crumb = json.loads(undrilled)["response"][Ids.BREADCRUMB]["children"]
    assert crumb["props"]["children"] == "Айлар бойынша деректерді көру үшін тоқсанды басыңыз."


def test_explorer_callbacks_stay_english_in_english(client, store):
    state = _state(store, "?countries=UZB")
    answer = json.loads(
        _call(
            client,
            MAP_OUTPUTS,
            state,
        )
    )["response"]
    link = answer[Ids.COUNTRY_LINK]["children"][0]["props"]
    assert link["children"] == "Uzbekistan profile →"
    assert link["href"] == "/country/UZB?lang=en"


# -- the translation files themselves -----------------------------------------------------------------------
@pytest.mark.parametrize("lang", LANGS)
def test_ui_translations_keep_their_placeholders(lang):
    cat = _po(lang, "ui")
    nplurals = {"ru": 3, "kk": 2}[lang]
    assert len([m for m in cat if m.id]) > 60
    for m in cat:
        if not m.id:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        if isinstance(m.id, tuple):
            assert len(strings) == nplurals, m.id
        wanted = set(re.findall(r"\{[a-z_]+\}", ids[-1]))
        for s in strings:
            assert s and set(re.findall(r"\{[a-z_]+\}", s)) == wanted, (m.id, s)
            assert not re.search(r"[A-Za-z]{4,}", re.sub(r"\{[a-z_]+\}|CSV|XLSX|PNG|Excel|ISO", "", s)), s
