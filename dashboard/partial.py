"""Partial periods: a period that is not complete in the data, said wherever it is shown.

Two cases exist in the data (data/sources/README.md, dashboard/periods.py):

* a **year to date** that is not the full year: ``2022-01..2022-05`` (January to May),
  ``2024-01-01..2024-05-10`` (to a stated day), or a bare ``2023`` ytd whose end was not printed. A ytd
  ending on 31 December is a whole year and is not partial;
* a **quarter with only some of its months**: no figure for the quarter, but one or two of its months
  reported (the build sums a quarter from its months only when all three were reported).

Everything here is pure: a period (and, for a quarter, how many of its months were reported) in, a flag and
its words (in the language in force) out. The table, the CSV/XLSX, the trend's hover and the change explainer
(dashboard/explain.py) call it.
"""

from __future__ import annotations

from dashboard.i18n import _, ngettext
from dashboard.periods import Period, PeriodError, parse_period, period_label


def is_partial_ytd(p: Period) -> bool:
    """A year to date that is not the whole calendar year (its end before 31 December, or not stated)."""
    return p.type == "ytd" and (p.end is None or (p.end.month, p.end.day) != (12, 31))


def partial_note(period: str, period_type: str, months_reported: int | None = None) -> str | None:
    """Why a period is not complete in the data, in words, or None when it is complete.

    ``months_reported``: for a quarter without a figure of its own, how many of its months were reported
    (1 or 2 makes it partial; ignored for other types)."""
    try:
        p = parse_period(period, period_type)
    except PeriodError:
        return None
    if p.type == "ytd":
        if p.end is None:
            return _("partial: year to date, end not stated (not the full year)")
        if is_partial_ytd(p):
            return _("partial: {span} only, not the full year").format(span=period_label(p))
        return None
    if p.type == "quarter" and months_reported is not None and 0 < months_reported < 3:
        return ngettext(
            "partial: only {n} of the quarter's 3 months reported",
            "partial: only {n} of the quarter's 3 months reported",
            months_reported,
        ).format(n=months_reported)
    return None


def is_partial(period: str, period_type: str, months_reported: int | None = None) -> bool:
    return partial_note(period, period_type, months_reported) is not None
