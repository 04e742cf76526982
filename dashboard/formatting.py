"""Number formatting, driven by the catalogue's units and done by Babel (locale-aware)."""

from __future__ import annotations

import math
from functools import lru_cache

from babel import Locale
from babel.numbers import NumberPattern, format_percent, parse_pattern

from dashboard.catalogue import Unit, catalogue
from dashboard.i18n import N_, _, babel_locale

NOT_REPORTED = N_("not reported")  # shown as _(NOT_REPORTED): in the language in force


def not_reported() -> str:
    return _(NOT_REPORTED)


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


@lru_cache(maxsize=16)
def babel_locale_data(name: str) -> Locale:
    """A parsed Babel locale (parsing it for every number was most of the time of a long chart's hovers)."""
    return Locale.parse(name)


@lru_cache(maxsize=16)
def _grouped(decimals: int) -> NumberPattern:
    return parse_pattern("#,##0" + ("." + "0" * decimals if decimals else ""))


def fmt_plain(value: float, decimals: int, locale: str | None = None) -> str:
    """Digits grouped in the locale's style (308,710 / 308 710); default locale: the language in force.
    (What babel.numbers.format_decimal does, with the locale and pattern parsed once.)"""
    return _plain(value, decimals, babel_locale(locale))


# Remembered per (value, decimals, locale): a view formats the same few hundred numbers in its map, ranking,
# donut, table and explanation, and Babel's pattern apply is ~20 us a number. typed: 1 and 1.0 stay apart.
FORMAT_CACHE = 65536


@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def _plain(value: float, decimals: int, locale: str) -> str:
    return _grouped(decimals).apply(value, babel_locale_data(locale))


def fmt_value(
    value: float | None, unit: str | Unit, locale: str | None = None, with_unit: bool = True
) -> str:
    """308,710 · 253.8 bn KZT · 68.8% · 'not reported' for a missing value (never 0).

    Russian: 308 710 · 253,8 млрд ₸ · 68,8 % (unit words from the catalogue's translations)."""
    if value is None or _is_missing(value):  # "is None" spelled out for the type checker
        return not_reported()
    u = unit if isinstance(unit, Unit) else catalogue().unit(unit)
    text = fmt_plain(value, u.decimals, locale)
    if not with_unit or not u.short:
        return text
    if u.kind == "percent":
        return _percent(value, u.decimals, locale)
    return f"{text} {u.short}"


def unit_word(value: float | None, unit: str | Unit, locale: str | None = None) -> str:
    """The unit's word after this number, agreeing with it by the language's plural rules (Babel/CLDR):
    '1 visa' / '2 visas'; Russian '1 виза', '1 653 визы', '308 710 разрешений'."""
    u = unit if isinstance(unit, Unit) else catalogue().unit(unit)
    if not u.counted or value is None or _is_missing(value):
        return u.label
    category = _plural(abs(value), babel_locale(locale))
    return u.counted.get(category) or u.counted.get("other") or u.label


# Remembered like the numbers themselves: CLDR's plural rule is ~2 us a call, and a ten-country chart of
# longer periods asks it for every one of its ~550 labels.
@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def _plural(value: float, locale: str) -> str:
    return babel_locale_data(locale).plural_form(value)


def value_text(value: float | None, unit: str | Unit) -> str:
    """A formatted value with its unit: '308,710 permits', '253.8 bn KZT', '68.8%', or 'not reported'."""
    u = unit if isinstance(unit, Unit) else catalogue().unit(unit)
    text = fmt_value(value, u)
    if _is_missing(value) or u.kind != "count" or not u.label:
        return text
    return f"{text} {unit_word(value, u)}"


def fmt_change_pct(value: float | None, locale: str | None = None) -> str:
    """Signed percentage change: +12.5% / −3.0% (typographic minus); Russian +12,5 %."""
    if value is None or _is_missing(value):
        return not_reported()
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + _percent(abs(value), 1, locale)


def _percent(value: float, decimals: int, locale: str | None) -> str:
    """The locale's own percent pattern (68.8% / 68,8 %) with a fixed number of decimals."""
    return _percent_in(value, decimals, babel_locale(locale))


@lru_cache(maxsize=FORMAT_CACHE, typed=True)
def _percent_in(value: float, decimals: int, locale: str) -> str:
    return format_percent(
        value / 100, format=_percent_pattern(decimals, locale), locale=babel_locale_data(locale)
    )


@lru_cache(maxsize=64)
def _percent_pattern(decimals: int, locale: str) -> NumberPattern:
    """The locale's percent pattern with ``decimals`` decimals, parsed once."""
    pattern = babel_locale_data(locale).percent_formats[None].pattern
    return parse_pattern(pattern.replace("#,##0", "#,##0" + ("." + "0" * decimals if decimals else "")))
