"""The catalogue in Russian and Kazakh: complete, in the agencies' terms, numbers written the locale's way."""

from __future__ import annotations

import re

import pytest

from dashboard import i18n
from dashboard.catalogue import catalogue, english_catalogue
from dashboard.formatting import fmt_change_pct, fmt_plain, fmt_value

OTHER_LANGS = [lang for lang in i18n.LANGUAGES if lang != i18n.DEFAULT]
# Latin words a translation may keep: proper names of transfer systems.
KEPT_LATIN = {"Western", "Union"}


def _texts(cat):
    """(where, text) for every translatable text of the catalogue."""
    for kind, items in (
        ("domain", cat.domains),
        ("unit", cat.units),
        ("measure", cat.measures),
        ("group", cat.country_groups),
        ("indicator", cat.indicators),
    ):
        for item in items:
            for field in item.TEXT:
                value = getattr(item, field)
                if isinstance(value, dict):  # a unit's word by plural category
                    for category, text in value.items():
                        yield f"{kind}:{item.id}.{field}.{category}", text
                    continue
                for text in value if isinstance(value, tuple) else (value,):
                    yield f"{kind}:{item.id}.{field}", text
    for key, text in cat.counterparts.items():
        yield f"counterpart:{key}", text


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_nothing_is_left_untranslated(lang):
    assert english_catalogue().missing_translations(lang) == []


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_translations_are_cyrillic_with_no_english_left(lang):
    for where, text in _texts(english_catalogue().localized(lang)):
        latin = set(re.findall(r"[A-Za-z]+", text)) - KEPT_LATIN
        assert not latin, (where, text)
        if re.search(r"[A-Za-z]", next((t for w, t in _texts(english_catalogue()) if w == where), "")):
            assert re.search(r"[А-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі]", text), (where, text)


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_translations_are_not_copies_of_the_english(lang):
    english = dict(_texts(english_catalogue()))
    for where, text in _texts(english_catalogue().localized(lang)):
        if english.get(where) not in {"%", "", None}:  # (plural categories differ between languages)
            assert text != english[where], where


def test_temporary_residence_permit_uses_the_official_terms():
    with i18n.use("ru"):
        ind = catalogue().indicator("trp_issued")
        assert ind.title == "Выдано разрешений на временное проживание"
        assert "Комитета миграционной службы МВД" in ind.definition
        # the Russian source term quoted in the English definition is not repeated
        assert ind.definition.lower().count("разрешени") == 1
    with i18n.use("kk"):
        ind = catalogue().indicator("trp_issued")
        assert "уақытша тұруға рұқсат" in ind.title.lower()
        assert "ІІМ Көші-қон қызметі комитеті" in ind.definition


@pytest.mark.parametrize(
    ("lang", "terms"),
    [
        (
            "ru",
            {
                "foreign_workers_permit_holders": [
                    "акимат",
                    "Министерства труда и социальной защиты населения",
                ],
                "arrivals": ["Бюро национальной статистики"],
                "migrant_workers_non_cis": ["Комитет национальной безопасности"],
                "migrant_workers_cis": ["ЕАЭС/СНГ"],
                "border_arrivals": ["Пограничная служба"],
                "remittance_outflow": ["Национальный Банк", "«Золотая Корона»", "Western Union"],
            },
        ),
        (
            "kk",
            {
                "foreign_workers_permit_holders": [
                    "әкімдік",
                    "Еңбек және халықты әлеуметтік қорғау министрлігі",
                ],
                "arrivals": ["Ұлттық статистика бюросы"],
                "migrant_workers_non_cis": ["Ұлттық қауіпсіздік комитеті"],
                "migrant_workers_cis": ["ЕАЭО/ТМД"],
                "border_arrivals": ["Шекара қызметі"],
                "remittance_outflow": ["Ұлттық Банк", "«Золотая Корона»", "Western Union"],
            },
        ),
    ],
)
def test_agencies_are_named_as_they_name_themselves(lang, terms):
    cat = english_catalogue().localized(lang)
    for indicator_id, wanted in terms.items():
        for term in wanted:
            assert term in cat.indicator(indicator_id).definition, (indicator_id, term)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ru",
            {
                "persons": ("человек", ""),
                "permits": ("разрешений", ""),
                "visas": ("виз", ""),
                "transactions": ("переводов", ""),
                "KZT_bn": ("млрд тенге", "млрд ₸"),
                "USD_mn": ("млн долл. США", "млн $"),
                "percent": ("%", "%"),
            },
        ),
        (
            "kk",
            {
                "persons": ("адам", ""),
                "permits": ("рұқсат", ""),
                "visas": ("виза", ""),
                "transactions": ("аударым", ""),
                "KZT_bn": ("млрд теңге", "млрд ₸"),
                "USD_mn": ("млн АҚШ доллары", "млн $"),
                "percent": ("%", "%"),
            },
        ),
    ],
)
def test_units(lang, expected):
    cat = english_catalogue().localized(lang)
    assert {u.id: (u.label, u.short) for u in cat.units} == expected
    with i18n.use(lang):
        assert fmt_value(12.34, "USD_mn") == "12,3 млн $"
        assert fmt_value(308710, "persons") == "308\xa0710"  # a count's short unit stays empty


def test_groups_and_counterparts_follow_the_language():
    with i18n.use("ru"):
        cat = catalogue()
        assert [g.title for g in cat.country_groups] == ["СНГ", "ЕАЭС", "Центральная Азия", "вне СНГ"]
        assert cat.counterparts["none"] == "Без разбивки по странам"
        assert set(cat.counterparts) == set(english_catalogue().counterparts)
    with i18n.use("kk"):
        assert [g.title for g in catalogue().country_groups] == ["ТМД", "ЕАЭО", "Орталық Азия", "ТМД-дан тыс"]
    assert catalogue().counterparts["none"] == "No country breakdown"


def _numbers(text: str) -> list[float]:
    """The figures of a note (years and amounts; quarter/half ordinals left out), separators removed."""
    text = re.sub(r"(?<=\d)[,\xa0\u202f ](?=\d{3}\b)", "", text)  # 82,000 / 82 000 -> 82000
    text = re.sub(r"(?<=\d),(?=\d)", ".", text)  # 56,7 -> 56.7
    return sorted(float(n) for n in re.findall(r"\d+(?:\.\d+)?", text) if float(n) > 4)


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_notes_keep_their_order_and_figures(lang):
    localized = english_catalogue().localized(lang)
    for en, tr in zip(english_catalogue().indicators, localized.indicators, strict=True):
        assert len(tr.notes) == len(en.notes), en.id
        for en_note, tr_note in zip(en.notes, tr.notes, strict=True):
            assert _numbers(tr_note) == _numbers(en_note), (en.id, tr_note)
            assert not re.search(r"\d,\d{3}\b", tr_note), tr_note  # no English digit grouping
            assert not re.search(r"-\d", tr_note), tr_note  # typographic minus


@pytest.mark.parametrize("lang", OTHER_LANGS)
def test_numbers_in_notes_look_like_the_dashboards_own(lang):
    with i18n.use(lang):
        departures = catalogue().indicator("departures").notes[0]
        assert fmt_change_pct(-56.7) in departures
        assert fmt_plain(6996, 0) in departures
        assert fmt_plain(82000, 0) in catalogue().indicator("trp_issued").notes[0]


def test_english_is_untouched():
    cat = catalogue()
    assert cat.indicator("trp_issued").title == "Temporary residence permits issued"
    assert cat.unit("KZT_bn").short == "bn KZT"
    assert cat.indicator("departures").notes[0].startswith("H1 2023 '-56.7%'")
