"""Checking the rows of an import: the build's row checks (``build.validate_rows``) with suggestions added,
the import's own (empty names, periods not begun, shares over 100%...), and how the rows relate to
observations.csv (already there, duplicated, near-duplicates)."""

from __future__ import annotations

import difflib
import math
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date

from dashboard.catalogue import Catalogue
from dashboard.countries import TOTAL, is_valid_code
from dashboard.periods import PERIOD_EXAMPLES, PERIOD_TYPES, PeriodError, parse_period
from dashboard.pipeline.build import LINE, NUMBER, Document, validate_rows
from dashboard.pipeline.columns import DOC_COLUMNS
from dashboard.pipeline.hints import country_hint, number_hint, period_hint
from dashboard.pipeline.problems import Problem
from dashboard.pipeline.reading import Progress
from dashboard.schema import FIGURE_KEY, SOURCE_COLUMNS

Where = tuple[str, int | None, str | None]  # (where, row, column): a cell reported once


def row_key(r: Mapping[str, str]) -> tuple:
    """Every column, the value as a number (so 308710 and 308710.0 are the same row)."""
    try:
        value: object = float(r["value"])
    except ValueError:
        value = r["value"]
    return tuple(value if c == "value" else r[c] for c in SOURCE_COLUMNS)


_LINE_PREFIX = re.compile(r"^line (\d+), column (\w+): ")


def from_build(message: str, by_line: dict[int, dict[str, str]], cat: Catalogue, known: dict[str, str]):
    """A problem of build.validate_rows as a Problem, with a suggestion added where there is one."""
    m = _LINE_PREFIX.match(message)
    if not m:
        return Problem(None, None, message, "a valid row")
    n, col = int(m.group(1)), m.group(2)
    r = by_line[n]
    prefix = f"line {n}, column {col}: {r.get(col)!r} — expected "
    expected = message[len(prefix) :] if message.startswith(prefix) else message[m.end() :]
    hint = None
    value = r.get(col, "")
    if col == "indicator":
        close = difflib.get_close_matches(value, [i.id for i in cat.indicators], n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else None
    elif col in ("measure", "unit", "period_type") and cat.has_indicator(r["indicator"]):
        ind = cat.indicator(r["indicator"])
        allowed = {"measure": ind.measures, "unit": ind.units, "period_type": ind.granularities}[col]
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else None
        if col == "period_type" and value in PERIOD_TYPES:
            hint = f"the catalogue declares no {value} figures for {ind.id}"
    elif col == "value":
        if expected.startswith("a number"):
            kind = cat.unit(r["unit"]).kind if r["unit"] in {u.id for u in cat.units} else ""
            hint = number_hint(value, r["measure"], kind)
        elif r["measure"] in ("count", "amount", "share_pct"):
            hint = f"a {r['measure']} cannot be negative; a fall is stored as a change measure"
    elif col == "period":
        why = re.sub(r" \(expected e\.g\. [^)]*\)", "", expected)  # the example is given here
        ptype = r["period_type"]
        expected = f"a valid {ptype} period, e.g. {PERIOD_EXAMPLES.get(ptype, '2023-Q2')} ({why})"
        guess = period_hint(value, ptype)
        hint = f"did you mean {guess!r}?" if guess else None
    elif col == "country_iso3":
        hint = country_hint(value, r["country"], known)
    elif col == "document":
        hint = (
            "a new document must be described in the import: the XLSX sheet 'documents' or, for a CSV, "
            "`--documents FILE` (columns " + ", ".join(DOC_COLUMNS) + ")"
        )
    elif col == "url":
        hint = "the url documents.yaml gives for this document"
    return Problem(n, col, repr(value), expected + (f"; {hint}" if hint else ""))


def generic_checks(r: dict[str, str], n: int, docs: dict[str, Document], known: dict[str, str]) -> list:
    """Checks that need no catalogue: run for rows whose indicator is unknown (validate_rows skips them)."""
    out = []
    v = r["value"].strip()
    if not NUMBER.match(v) or not math.isfinite(float(v)):
        expected = "a number with a dot as decimal separator and no thousands separator"
        out.append(Problem(n, "value", repr(r["value"]), f"{expected}; {number_hint(r['value'])}"))
    if not is_valid_code(r["country_iso3"]):
        hint = country_hint(r["country_iso3"], r["country"], known)
        out.append(
            Problem(
                n,
                "country_iso3",
                repr(r["country_iso3"]),
                "an ISO 3166-1 alpha-3 code, TOT or OTH" + (f"; {hint}" if hint else ""),
            )
        )
    if r["document"] not in docs:
        out.append(Problem(n, "document", repr(r["document"]), "a document described in documents.yaml"))
    if not r["quote"].strip():
        out.append(Problem(n, "quote", repr(r["quote"]), "the verbatim text the figure was read from"))
    return out


def _decimals(text: str) -> int:
    t = text.strip().lower()
    mantissa, _, exp = t.partition("e")
    d = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return max(0, d - int(exp or 0))


def valid_number(r: Mapping[str, str]) -> float | None:
    v = r["value"].strip()
    return float(v) if NUMBER.match(v) and math.isfinite(float(v)) else None


def share_sums(
    existing: list[dict[str, str]], added: list[dict[str, str]], rows: list[dict[str, str]], reported: set
) -> list[Problem]:
    """Shares by country (not the total) of one indicator, period, unit and document, existing rows
    included, that add up to more than 100% beyond rounding (half a unit in the last printed decimal)."""
    groups: dict[tuple, dict[str, tuple[float, str, str]]] = defaultdict(
        dict
    )  # country -> (value, text, where)
    touched: dict[tuple, dict[str, str]] = {}
    for origin, rs in (("csv", existing), ("file", added)):
        for r in rs:
            if (
                r["measure"] != "share_pct"
                or r["country_iso3"] == TOTAL
                or not is_valid_code(r["country_iso3"])
            ):
                continue
            value = valid_number(r)
            if value is None:
                continue
            key = (r["indicator"], r["period"], r["period_type"], r["unit"], r["document"])
            where = f"observations.csv line {r[LINE]}" if origin == "csv" else f"row {r[LINE]}"
            prev = groups[key].get(r["country_iso3"])
            if prev is None or value > prev[0]:
                groups[key][r["country_iso3"]] = (value, r["value"], where)
            if origin == "file":
                touched[key] = r
    out = []
    for key, last in touched.items():
        shares = groups[key]
        total = sum(v for v, _, _ in shares.values())
        tolerance = sum(0.5 * 10 ** -_decimals(t) for _, t, _ in shares.values())
        if total <= 100 + tolerance + 1e-9 or ("", int(last[LINE]), "value") in reported:
            continue
        ind, period, ptype, _, doc = key
        parts = ", ".join(f"{iso} {t} ({w})" for iso, (_, t, w) in sorted(shares.items()))
        out.append(
            Problem(
                int(last[LINE]),
                "value",
                f"{last['value']!r}: the shares of {ind} {period} ({ptype}) in {doc!r} "
                f"add up to {total:.2f}%",
                f"at most 100% (allowing {tolerance:.2f} points for rounding): {parts}",
            )
        )
    return out


# -- the rows, one by one --------------------------------------------------------------------------------


def check_rows(
    rows: list[dict[str, str]],
    docs: dict[str, Document],
    cat: Catalogue,
    known: dict[str, str],
    today: date,
    progress: Progress | None = None,
    every: int = 1000,
) -> tuple[list[Problem], list[Problem]]:
    """Problems and warnings of each row: the build's checks (with suggestions), then the import's own."""
    by_line = {int(r[LINE]): r for r in rows}
    found: list[Problem] = []
    warnings: list[Problem] = []
    for k in range(0, len(rows), every):
        chunk = rows[k : k + every]
        found += [from_build(m, by_line, cat, known) for m in validate_rows(chunk, docs, cat)]
        if progress and len(rows) >= every:
            progress("validating", min(k + every, len(rows)), len(rows))
    for r in rows:
        n = int(r[LINE])
        if not cat.has_indicator(r["indicator"]):
            found += generic_checks(r, n, docs, known)
            continue
        found += _named_checks(r, n)
        _value_checks(r, n, found, warnings)
        _period_checks(r, n, today, found, warnings)
        warnings += _country_checks(r, n, known)
    return found, warnings


def add_unreported(problems: list[Problem], found: list[Problem], reported: set[Where]) -> None:
    """Add the problems ``found`` whose cell was not reported yet (an Excel date is not reported twice)."""
    for p in found:
        if (p.where, p.row, p.column) not in reported:
            reported.add((p.where, p.row, p.column))
            problems.append(p)


def _named_checks(r: dict[str, str], n: int) -> list[Problem]:
    out = []
    if not r["country"]:
        out.append(Problem(n, "country", "''", "the country name as printed in the source (Total, Other)"))
    if not r["source_agency"]:
        out.append(Problem(n, "source_agency", "''", "the agency the source credits for the figure"))
    return out


def _value_checks(r: dict[str, str], n: int, found: list[Problem], warnings: list[Problem]) -> None:
    value = valid_number(r)
    if value is not None and r["measure"] == "share_pct" and value > 100:
        found.append(Problem(n, "value", repr(r["value"]), "a share of at most 100 (percent)"))
    if value is not None and r["measure"] == "count" and not value.is_integer():
        warnings.append(
            Problem(
                n,
                "value",
                repr(r["value"]),
                "a whole number for a count (was '16.1 thousand' meant 16100?)",
            )
        )


def _period_checks(
    r: dict[str, str], n: int, today: date, found: list[Problem], warnings: list[Problem]
) -> None:
    """A period must have begun; one that has not ended yet is only a warning."""
    try:
        p = parse_period(r["period"], r["period_type"])
    except PeriodError:
        return  # reported by the build's checks
    if p.start > today:
        found.append(
            Problem(n, "period", repr(r["period"]), f"a period that has begun (today is {today.isoformat()})")
        )
    elif p.end is not None and p.end > today:
        warnings.append(
            Problem(n, "period", repr(r["period"]), f"a period that has ended (it ends {p.end.isoformat()})")
        )


def _country_checks(r: dict[str, str], n: int, known: dict[str, str]) -> list[Problem]:
    """A warning when the code differs from the one observations.csv always gives the country's name."""
    iso = r["country_iso3"]
    named = known.get(r["country"].casefold())
    if is_valid_code(iso) and named and named != iso:
        return [
            Problem(n, "country_iso3", repr(iso), f"{named} for {r['country']!r}, as in observations.csv")
        ]
    return []


# -- the rows against observations.csv and each other ---------------------------------------------------


def split_known(
    rows: list[dict[str, str]], existing: list[dict[str, str]]
) -> tuple[list[dict[str, str]], list[int], list[Problem]]:
    """The rows to add, the file rows already in observations.csv, and the file's exact duplicates."""
    existing_keys: dict[tuple, int] = {}
    for r in existing:
        existing_keys.setdefault(row_key(r), int(r[LINE]))
    seen: dict[tuple, int] = {}
    added, unchanged, problems = [], [], []
    for r in rows:
        n, key = int(r[LINE]), row_key(r)
        if key in seen:
            problems.append(
                Problem(
                    n,
                    None,
                    f"an exact duplicate of row {seen[key]} (every column equal)",
                    "each row once: delete one of them",
                )
            )
            continue
        seen[key] = n
        if key in existing_keys:
            unchanged.append(n)
        else:
            added.append(r)
    return added, unchanged, problems


def near_duplicates(existing: list[dict[str, str]], added: list[dict[str, str]]) -> list[Problem]:
    """Warnings: the same figure from the same document as a line of observations.csv, differing only in
    wording."""
    by_fig_doc: dict[tuple, list[dict[str, str]]] = defaultdict(list)
    for r in existing:
        by_fig_doc[(*(r[k] for k in FIGURE_KEY), r["document"])].append(r)
    warnings = []
    for r in added:
        for old in by_fig_doc.get((*(r[k] for k in FIGURE_KEY), r["document"]), []):
            if valid_number(old) == valid_number(r):
                differ = [c for c in SOURCE_COLUMNS if old[c] != r[c] and c != "value"]
                warnings.append(
                    Problem(
                        int(r[LINE]),
                        differ[0] if differ else None,
                        f"the figure, value and document of observations.csv line {old[LINE]}, "
                        f"with a different {', '.join(differ) or 'value format'}",
                        "a new figure; it is added as a second row (to correct that line, edit "
                        "observations.csv and run `mtm build`)",
                    )
                )
                break
    return warnings
