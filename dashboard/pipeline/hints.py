"""Suggestions for a rejected cell: the number, period or country code a mistyped value probably meant.

The value is still rejected; the hint only says what to type instead.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Mapping

import pycountry

from dashboard.countries import OTHER, PSEUDO, TOTAL, country_name, is_valid_code, suggest_code
from dashboard.pipeline.build import NUMBER

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def number_hint(text: str, measure: str = "", unit_kind: str = "") -> str:
    """What a value that is not a plain number probably meant (the value is still rejected)."""
    s = unicodedata.normalize("NFKC", text).translate(_SPACES).strip()
    if not s:
        return "the cell is empty"
    if s != text.strip() and NUMBER.match(s):
        return f"did you mean {s}? (written with full-width or unusual characters)"
    if s.endswith("%") and NUMBER.match(s[:-1].strip()):
        return f"write {s[:-1].strip()} without the % sign (the unit says what the number is)"
    if re.fullmatch(r"-?\d{1,3}( \d{3})+([.,]\d+)?", s):
        return f"did you mean {s.replace(' ', '').replace(',', '.')}? (no spaces between digits)"
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d+", s):
        return f"did you mean {s.replace(',', '')}? (commas as thousands separators)"
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+", s):
        return f"did you mean {s.replace('.', '').replace(',', '.')}? (dots as thousands, comma as decimal)"
    if re.fullmatch(r"-?\d{1,3}(,\d{3}){2,}", s):
        return f"did you mean {s.replace(',', '')}? (commas as thousands separators)"
    if re.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}", s):
        return f"did you mean {s.replace('.', '')}? (dots as thousands separators)"
    if re.fullmatch(r"-?\d{1,3},\d{3}", s):
        whole, frac = s.replace(",", ""), s.replace(",", ".")
        if measure == "count" or unit_kind == "count":
            return f"did you mean {whole}? (a count is a whole number; write it without the comma)"
        return (
            f"{s!r} is ambiguous: {whole} (comma as thousands separator) or {frac} (decimal comma); "
            "write the one meant"
        )
    if re.fullmatch(r"-?\d+,\d+", s):
        return f"did you mean {s.replace(',', '.')}? (a comma as decimal separator)"
    if "_" in s and NUMBER.match(s.replace("_", "")):
        return f"did you mean {s.replace('_', '')}? (no underscores)"
    if s.startswith("#"):
        return "an Excel error value: fix the formula or type the number"
    if s.lower().lstrip("+-") in ("inf", "infinity", "nan") or re.fullmatch(r"-?[0-9.]+[eE]\+?\d{3,}", s):
        return "a finite number"
    return "a number such as 1234 or 12.5"


def period_hint(text: str, ptype: str) -> str | None:
    """The period id a mistyped or Excel-formatted period probably meant, if the reading is clear."""
    s = text.strip()
    m = None
    if ptype == "quarter":
        m = re.fullmatch(r"(?i)q([1-4])[\s-]*(\d{4})", s) or re.fullmatch(r"(?i)(\d{4})[\s-]*q([1-4])", s)
        if m:
            q, y = (m.group(1), m.group(2)) if s[:1].lower() == "q" else (m.group(2), m.group(1))
            return f"{y}-Q{q}"
    if ptype == "half":
        m = re.fullmatch(r"(?i)h([12])[\s-]*(\d{4})", s) or re.fullmatch(r"(?i)(\d{4})[\s-]*h([12])", s)
        if m:
            h, y = (m.group(1), m.group(2)) if s[:1].lower() == "h" else (m.group(2), m.group(1))
            return f"{y}-H{h}"
    if ptype == "month":
        if m := re.fullmatch(r"(\d{4})-(\d{2})-01", s):
            return f"{m.group(1)}-{m.group(2)}"
        if m := re.fullmatch(r"(?:01[./])?(\d{1,2})[./](\d{4})", s):
            return f"{m.group(2)}-{int(m.group(1)):02d}" if 1 <= int(m.group(1)) <= 12 else None
        if m := re.fullmatch(r"(\d{4})[./](\d{1,2})", s):
            return f"{m.group(1)}-{int(m.group(2)):02d}" if 1 <= int(m.group(2)) <= 12 else None
    if ptype == "date" and (m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", s)):
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return None


def country_names(rows: list[dict[str, str]]) -> dict[str, str]:
    """Country name as printed -> ISO3, where the existing rows always map it to one code."""
    seen: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        seen[r["country"].strip().casefold()].add(r["country_iso3"])
    return {name: next(iter(codes)) for name, codes in seen.items() if len(codes) == 1}


def country_hint(code: str, name: str, known: Mapping[str, str]) -> str | None:
    """A suggested ISO3 code for a bad code: from the code itself, the existing data, or the name."""
    if is_valid_code(code.strip().upper()):
        return f"did you mean {code.strip().upper()!r}? (capital letters)"
    if len(code.strip()) == 2 and (rec := pycountry.countries.get(alpha_2=code.strip().upper())):
        name_of = country_name(rec.alpha_3)
        return f"did you mean {rec.alpha_3!r}? ({code.strip()!r} is the two-letter code of {name_of})"
    if name.strip().casefold() in known:
        iso = known[name.strip().casefold()]
        return f"did you mean {iso!r}? ({name.strip()!r} is {iso} in observations.csv)"
    if name.strip().casefold() in {p.casefold() for p in PSEUDO.values()} | {"other"}:
        return f"did you mean {TOTAL if name.strip().casefold() == 'total' else OTHER!r}?"
    try:
        guess = suggest_code(name.strip()) if name.strip() else None
    except Exception:  # pycountry's fuzzy search can fail on odd input
        guess = None
    if guess:
        return f"did you mean {guess!r}? (from the name {name.strip()!r}: {country_name(guess)})"
    return None
