"""Country names and codes, from pycountry (ISO 3166-1), plus the two pseudo-codes of the data."""

from __future__ import annotations

from functools import cache

import pycountry

TOTAL = "TOT"
OTHER = "OTH"
PSEUDO = {TOTAL: "Total", OTHER: "Other countries"}
REPORTING_COUNTRY = "KAZ"


def is_valid_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-3 code or one of the pseudo-codes TOT / OTH."""
    return code in PSEUDO or _lookup(code) is not None


@cache
def _lookup(code: str) -> pycountry.db.Record | None:
    if not isinstance(code, str) or len(code) != 3 or not code.isalpha() or not code.isupper():
        return None
    return pycountry.countries.get(alpha_3=code)


@cache
def country_name(code: str) -> str:
    """Short English name: the common name where ISO has one ('South Korea'), else the ISO name."""
    if code in PSEUDO:
        return PSEUDO[code]
    rec = _lookup(code)
    if rec is None:
        return code
    return getattr(rec, "common_name", None) or rec.name


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
