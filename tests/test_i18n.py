"""Languages: every message and catalogue text translated, Babel formatting per locale, country names."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import polars as pl
import pytest
from babel.messages.pofile import read_po

from dashboard import i18n
from dashboard.app_factory import create_app
from dashboard.catalogue import catalogue, english_catalogue
from dashboard.countries import country_name, translation_gaps
from dashboard.data import DEFAULT_DIR, get_store
from dashboard.figures import derivation_text
from dashboard.formatting import fmt_change_pct, fmt_value, unit_word
from dashboard.i18n_check import gaps, messages
from dashboard.periods import parse_period, period_label
from layouts.common import dropdown_labels
from layouts.explorer import country_options

OTHER_LANGS = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]


def test_messages_are_extracted_from_the_code():
    ids = {m for _f, _l, m in messages()}
    assert "not reported" in ids and "H{half} {year}" in ids


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_every_message_in_the_code_is_translated(lang):
    missing = gaps(lang)
    assert not missing, f"{len(missing)} untranslated in {lang}, e.g. {missing[:10]}"


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_translations_keep_their_placeholders(lang):
    field = re.compile(r"\{(\w*)[^}]*\}")
    for message in i18n.catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(field.findall(ids[-1]))
        for s in strings:
            assert set(field.findall(s)) <= wanted | set(field.findall(ids[0])), (message.id, s)
            assert set(field.findall(ids[0])) - {"n"} <= set(field.findall(s)) | {"n"}, (message.id, s)


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_every_catalogue_text_is_translated(lang):
    assert english_catalogue().missing_translations(lang) == []


def test_catalogue_follows_the_language_in_force():
    en = catalogue().indicator("trp_issued").title
    with i18n.use("ru"):
        ru = catalogue().indicator("trp_issued")
        assert "разрешени" in ru.title.lower() and "временн" in ru.title.lower()
        assert ru.id == "trp_issued" and ru.units == english_catalogue().indicator("trp_issued").units
    with i18n.use("kk"):
        assert "уақытша тұруға рұқсат" in catalogue().indicator("trp_issued").title.lower()
    assert catalogue().indicator("trp_issued").title == en == "Temporary residence permits issued"


@pytest.mark.parametrize(
    ("lang", "count", "money", "share", "change"),
    [
        ("en", "308,710", "253.8 bn KZT", "68.8%", "−3.0%"),
        ("ru", "308\xa0710", "253,8 млрд ₸", "68,8\xa0%", "−3,0\xa0%"),
        ("kk", "308\xa0710", "253,8 млрд ₸", "68,8%", "−3,0%"),
    ],
)
def test_numbers_are_formatted_for_the_locale(lang, count, money, share, change):
    with i18n.use(lang):
        assert fmt_value(308710, "persons") == count
        assert fmt_value(253.8, "KZT_bn") == money
        assert fmt_value(68.8, "percent") == share
        assert fmt_change_pct(-3.04) == change
        assert fmt_value(None, "persons") == i18n.gettext("not reported") != "0"


@pytest.mark.parametrize(
    ("lang", "quarter", "month", "ytd"),
    [
        ("en", "Q2 2023", "Apr 2023", "Jan–May 2022"),
        ("ru", "2-й кв. 2023", "апр. 2023", "янв.–май 2022"),
        ("kk", "ІІ тқс. 2023", "сәу. 2023", "қаң.–мам. 2022"),
    ],
)
def test_periods_are_labelled_for_the_locale(lang, quarter, month, ytd):
    with i18n.use(lang):
        assert period_label(parse_period("2023-Q2", "quarter")) == quarter
        assert period_label(parse_period("2023-04", "month")) == month
        assert period_label(parse_period("2022-01..2022-05", "ytd")) == ytd
    assert period_label(parse_period("2023-H1", "half"), "ru") == "1-е полугодие 2023"


def test_plural_forms_follow_the_language():
    with i18n.use("ru"):
        t = i18n.translations("ru")
        assert t.ngettext("a", "b", 1) == "a"  # untranslated: English rule still applies
    assert i18n.catalog("ru").num_plurals == 3


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_country_name_gaps_are_listed(lang):
    # pycountry 26 names every ISO 3166 country in Russian and Kazakh; a future gap fails here and is shown
    # visibly as "<English> (EN)" by country_name.
    assert translation_gaps(lang) == []


def test_country_names_use_the_agencies_short_forms():
    assert country_name("KGZ", "ru") == "Кыргызстан"
    assert country_name("UZB", "kk") == "Өзбекстан"
    assert country_name("KOR", "en") == "South Korea"
    with i18n.use("ru"):
        assert country_name("TOT") == "Всего"


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("kk-KZ", "kk"),
        ("kk;q=0.4, ru;q=0.9", "ru"),
        ("de-DE,fr", "en"),
        ("", "en"),
        (None, "en"),
        ("en-US,kk;q=0.5", "en"),
        ("x" * 5000, "en"),
    ],
)
def test_browser_language_is_negotiated(header, lang):
    assert i18n.negotiate(header) == lang


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_a_message_in_two_po_files_has_one_translation(lang):
    # the .po files of a language are merged: the same English must not be said two ways

    seen: dict[str, set[str]] = defaultdict(set)
    for po in sorted((i18n.LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for m in read_po(fh, locale=lang):
                if m.id:
                    seen[m.id if isinstance(m.id, str) else m.id[0]].add(str(m.string))
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_every_shipped_derivation_is_said_in_the_language(lang):
    # the build writes how a value was derived in English (kept in the tables and downloads as the audit
    # text); every one of them must be re-said in Russian and Kazakh, none left in English

    store = get_store(Path(DEFAULT_DIR))
    texts = store.observations.filter(pl.col("derivation").is_not_null())["derivation"].unique().to_list()
    assert len(texts) > 20
    with i18n.use(lang):
        left = [t for t in texts if derivation_text(t) == t]
    assert left == []


def test_dash_dropdown_texts_are_translated():
    english = dropdown_labels()
    assert english["select_all"] == "Select All"  # Dash's own default, unchanged in English
    for lang in OTHER_LANGS:
        with i18n.use(lang):
            local = dropdown_labels()
        assert all(local[k] != english[k] for k in english), local
        assert "{num_selected}" in local["selected_count"]


@pytest.mark.parametrize(
    ("lang", "value", "word"),
    [
        ("en", 1, "visa"),
        ("en", 1653, "visas"),
        ("ru", 1, "виза"),
        ("ru", 1653, "визы"),
        ("ru", 308710, "виз"),
        ("ru", 21, "виза"),
        ("ru", 4923, "визы"),
        ("kk", 1653, "виза"),
    ],
)
def test_unit_words_agree_with_the_number(lang, value, word):
    with i18n.use(lang):
        assert unit_word(value, "visas") == word


def test_the_page_is_served_in_the_browser_language_and_says_it_varies():
    client = create_app().server.test_client()
    r = client.get("/explore", headers={"Accept-Language": "kk-KZ,kk;q=0.9,ru;q=0.8"})
    html = r.get_data(as_text=True)
    assert '<html lang="kk">' in html and "Мазмұнға өту" in html and "MTM дашборды" in html
    assert "Accept-Language" in r.headers.get("Vary", "")
    r = client.get("/explore?lang=ru", headers={"Accept-Language": "kk"})  # the link wins over the browser
    assert '<html lang="ru">' in r.get_data(as_text=True)
    r = client.get("/explore?lang=xx", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in r.get_data(as_text=True)


def test_country_lists_follow_the_readers_alphabet():
    with i18n.use("kk"):
        labels = [o["label"] for o in country_options()]
    # Python's code-point order would put Ә…, Қ…, Ө… after Я…; the reader expects them beside А, К, О
    assert labels.index("Әзірбайжан") < labels.index("Бельгия")
    assert labels.index("Қытай") < labels.index("Латвия")
    assert labels.index("Өзбекстан") < labels.index("Пәкістан")
    with i18n.use("ru"):
        labels = [o["label"] for o in country_options()]
    assert labels.index("Австралия") < labels.index("Узбекистан") < labels.index("Япония")
    assert labels == sorted(labels, key=i18n.sort_key)
