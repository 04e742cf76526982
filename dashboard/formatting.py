"""Number formatting, driven by the catalogue's units and done by Babel (locale-aware)."""

from __future__ import annotations

import math

from babel.numbers import format_decimal

from dashboard.catalogue import Unit, catalogue

NOT_REPORTED = "not reported"


def _is_missing(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def fmt_plain(value: float, decimals: int, locale: str = "en") -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale)


def fmt_value(value: float | None, unit: str | Unit, locale: str = "en", with_unit: bool = True) -> str:
    """308,710 · 253.8 bn KZT · 68.8% · 'not reported' for a missing value (never 0)."""
    if _is_missing(value):
        return NOT_REPORTED
    u = unit if isinstance(unit, Unit) else catalogue().unit(unit)
    text = fmt_plain(value, u.decimals, locale)
    if not with_unit or not u.short:
        return text
    return f"{text}%" if u.kind == "percent" else f"{text} {u.short}"


def fmt_change_pct(value: float | None, locale: str = "en") -> str:
    """Signed percentage change: +12.5% / −3.0% (typographic minus)."""
    if _is_missing(value):
        return NOT_REPORTED
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return f"{sign}{fmt_plain(abs(value), 1, locale)}%"
