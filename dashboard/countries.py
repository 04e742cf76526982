"""Country names and codes, from pycountry (ISO 3166-1), plus the two pseudo-codes of the data."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry

from dashboard import i18n
from dashboard.i18n import N_

TOTAL = "TOT"
OTHER = "OTH"
PSEUDO = {TOTAL: N_("Total"), OTHER: N_("Other countries")}  # English; shown through gettext
REPORTING_COUNTRY = "KAZ"

# Short names as Kazakhstan's agencies and media write them, where pycountry's translation is the long
# official form or an older name (ISO's Russian says "Киргизия", Kazakh releases say "Кыргызстан").
# English short names come from ISO's common_name.
SHORT_NAMES: dict[str, dict[str, str]] = {
    "ru": {
        "KGZ": "Кыргызстан",
        "RUS": "Россия",
        "USA": "США",
        "GBR": "Великобритания",
        "KOR": "Южная Корея",
        "PRK": "КНДР",
        "MDA": "Молдова",
        "IRN": "Иран",
        "SYR": "Сирия",
        "VNM": "Вьетнам",
        "LAO": "Лаос",
        "TZA": "Танзания",
        "BOL": "Боливия",
        "VEN": "Венесуэла",
        "CZE": "Чехия",
    },
    "kk": {
        "KOR": "Оңтүстік Корея",
        "PRK": "КХДР",
        "MDA": "Молдова",
        "CZE": "Чехия",
    },
}


def is_valid_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-3 code or one of the pseudo-codes TOT / OTH."""
    return code in PSEUDO or _lookup(code) is not None


@cache
def _lookup(code: str) -> pycountry.db.Country | None:
    if not isinstance(code, str) or len(code) != 3 or not code.isalpha() or not code.isupper():
        return None
    return pycountry.countries.get(alpha_3=code)


def country_name(code: str, lang: str | None = None) -> str:
    """Short name in ``lang`` (default: the language in force): English uses ISO's common name where it has
    one ('South Korea'); Russian and Kazakh use pycountry's translations of ISO 3166 with the agencies' short
    forms (SHORT_NAMES). A name with no translation falls back visibly: 'Eswatini (EN)'."""
    return _country_name(code, i18n.valid(lang) or i18n.current())


@cache
def _country_name(code: str, lang: str) -> str:
    if code in PSEUDO:
        with i18n.use(lang):
            return i18n.gettext(PSEUDO[code])
    rec = _lookup(code)
    if rec is None:
        return code
    if lang == i18n.DEFAULT:
        return getattr(rec, "common_name", None) or rec.name
    if code in SHORT_NAMES.get(lang, {}):
        return SHORT_NAMES[lang][code]
    translated = iso_translation(rec, lang)
    if translated is None:
        return f"{_country_name(code, i18n.DEFAULT)} (EN)"
    return translated


def iso_translation(rec: pycountry.db.Country, lang: str) -> str | None:
    """pycountry's translation of a country's name (common name first), or None where it has none."""
    t = _iso_translations(lang)
    for english in (getattr(rec, "common_name", None), rec.name):
        if english and (name := t.gettext(english)) != english:
            return name
    return None


@cache
def _iso_translations(lang: str) -> gettext.NullTranslations:
    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return gettext.NullTranslations()


def translation_gaps(lang: str) -> list[str]:
    """ISO3 codes pycountry has no ``lang`` name for (and SHORT_NAMES does not cover)."""
    return sorted(
        c.alpha_3
        for c in pycountry.countries
        if c.alpha_3 not in SHORT_NAMES.get(lang, {}) and iso_translation(c, lang) is None
    )


@cache
def all_codes() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries)


def suggest_code(name: str) -> str | None:
    """An ISO3 suggestion for a country name, or None (used by validation messages)."""
    try:
        return pycountry.countries.lookup(name).alpha_3
    except LookupError:
        pass
    try:
        hits = pycountry.countries.search_fuzzy(name)
    except LookupError:
        return None
    return hits[0].alpha_3 if hits else None
