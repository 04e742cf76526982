"""Period identifiers as the sources print them, parsed into typed spans.

Ids: ``2023-Q2`` quarter, ``2023-04`` month, ``2023-H1`` half, ``2023`` year, ``2022-01..2022-05`` or
``2024-01-01..2024-05-10`` ytd (cumulative from 1 January; a bare ``2023`` ytd has no stated end), and
``2023-08-01`` date (a stock as of that day). Nothing here spreads a span into its parts: a half-year is a
half-year, never two quarters.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from babel.dates import format_date

from dashboard import i18n
from dashboard.i18n import _

PERIOD_TYPES = ("quarter", "month", "half", "year", "ytd", "date")


_RE = {
    "quarter": re.compile(r"^(\d{4})-Q([1-4])$"),
    "month": re.compile(r"^(\d{4})-(\d{2})$"),
    "half": re.compile(r"^(\d{4})-H([12])$"),
    "year": re.compile(r"^(\d{4})$"),
    "date": re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"),
}
_YTD_MONTHS = re.compile(r"^(\d{4})-(\d{2})\.\.(\d{4})-(\d{2})$")
_YTD_DAYS = re.compile(r"^(\d{4})-(\d{2})-(\d{2})\.\.(\d{4})-(\d{2})-(\d{2})$")


class PeriodError(ValueError):
    """A period id that is malformed or impossible (2023-Q5, 2023-13, an end before its start)."""


@dataclass(frozen=True, order=True)
class Period:
    start: date
    type: str
    id: str
    end: date | None  # None only for a year-to-date figure whose end was not stated

    @property
    def label(self) -> str:
        return period_label(self)


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _checked_date(y: int, m: int, d: int, pid: str) -> date:
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise PeriodError(f"impossible date in period {pid!r}: {exc}") from None


def parse_period(pid: str, ptype: str) -> Period:
    """Parse a period id of the given type; raise PeriodError with a readable reason."""
    try:
        return _parse_period(pid, ptype)
    except PeriodError:
        raise
    except ValueError as exc:  # a date Python cannot hold (year 0): the id is no period either
        raise PeriodError(f"impossible date in period {str(pid)[:40]!r}: {exc}") from None


def _parse_period(pid: str, ptype: str) -> Period:
    pid = str(pid).strip()
    if ptype not in PERIOD_TYPES:
        raise PeriodError(f"unknown period type {ptype!r}; expected one of {', '.join(PERIOD_TYPES)}")
    if ptype == "ytd":
        return _parse_ytd(pid)
    m = _RE[ptype].match(pid)
    if not m:
        raise PeriodError(_why_not(pid, ptype))
    year = int(m.group(1))
    if ptype == "quarter":
        q = int(m.group(2))
        return Period(date(year, 3 * q - 2, 1), ptype, pid, _month_end(year, 3 * q))
    if ptype == "month":
        month = int(m.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(f"{pid!r} is not a period: month {month} is not 01-12")
        return Period(date(year, month, 1), ptype, pid, _month_end(year, month))
    if ptype == "half":
        h = int(m.group(2))
        return Period(date(year, 6 * h - 5, 1), ptype, pid, _month_end(year, 6 * h))
    if ptype == "year":
        return Period(date(year, 1, 1), ptype, pid, date(year, 12, 31))
    day = _checked_date(year, int(m.group(2)), int(m.group(3)), pid)
    return Period(day, ptype, pid, day)


# Ids shaped like a period of some type but out of range, with what the range is (named in messages).
_OUT_OF_RANGE = (
    (re.compile(r"^\d{4}-Q\d+$"), "a quarter is Q1..Q4"),
    (re.compile(r"^\d{4}-H\d+$"), "a half-year is H1 or H2"),
)


def _why_not(pid: str, ptype: str) -> str:
    """Why ``pid`` is not a ``ptype``: out of range, a period of another type, or no period at all."""
    expected = f"a {ptype} is written like {PERIOD_EXAMPLES[ptype]}"
    for pattern, rule in _OUT_OF_RANGE:
        if pattern.match(pid) and not any(r.match(pid) for r in _RE.values()):
            return f"{pid!r} is not a period: {rule}"
    other = next((t for t in _RE if t != ptype and _RE[t].match(pid)), None)
    if other:
        return f"{pid!r} is a {other}, not a {ptype}: {expected}"
    return f"{pid!r} is not a {ptype}: {expected}"


PERIOD_EXAMPLES = {  # shown in error messages (here and in the importer)
    "quarter": "2023-Q2",
    "month": "2023-04",
    "half": "2023-H1",
    "year": "2023",
    "date": "2023-08-01",
    "ytd": "2022-01..2022-05",
}


def _parse_ytd(pid: str) -> Period:
    if _RE["year"].match(pid):  # "since the start of the year", end not stated
        year = int(pid)
        return Period(date(year, 1, 1), "ytd", pid, None)
    if m := _YTD_MONTHS.match(pid):
        y1, m1, y2, m2 = map(int, m.groups())
        if not (1 <= m1 <= 12 and 1 <= m2 <= 12):
            raise PeriodError(f"period {pid!r}: month is not 01-12")
        start, end = date(y1, m1, 1), _month_end(y2, m2)
    elif m := _YTD_DAYS.match(pid):
        y1, m1, d1, y2, m2, d2 = map(int, m.groups())
        start, end = _checked_date(y1, m1, d1, pid), _checked_date(y2, m2, d2, pid)
    else:
        raise PeriodError(f"period {pid!r} is not a valid ytd (expected e.g. 2022-01..2022-05)")
    if end < start:
        raise PeriodError(f"period {pid!r}: end is before start")
    if start.month != 1 or start.day != 1 or start.year != end.year:
        raise PeriodError(f"period {pid!r}: a year-to-date span must start on 1 January of its year")
    return Period(start, "ytd", pid, end)


def quarter_id(year: int, q: int) -> str:
    return f"{year}-Q{q}"


def split_quarter(qid: str) -> tuple[int, int]:
    p = parse_period(qid, "quarter")
    return p.start.year, (p.start.month + 2) // 3


def months_of_quarter(qid: str) -> list[str]:
    year, q = split_quarter(qid)
    return [f"{year}-{m:02d}" for m in range(3 * q - 2, 3 * q + 1)]


def quarter_of_day(day: date) -> str:
    """The quarter a day falls in."""
    return quarter_id(day.year, (day.month + 2) // 3)


def quarter_of_month(mid: str) -> str:
    p = parse_period(mid, "month")
    return quarter_id(p.start.year, (p.start.month + 2) // 3)


def previous_quarter(qid: str) -> str:
    year, q = split_quarter(qid)
    return quarter_id(year - 1, 4) if q == 1 else quarter_id(year, q - 1)


def same_quarter_last_year(qid: str) -> str:
    year, q = split_quarter(qid)
    return quarter_id(year - 1, q)


def quarter_range(first: str, last: str) -> list[str]:
    """All quarter ids from first to last inclusive (empty if last is before first)."""
    y, q = split_quarter(first)
    ly, lq = split_quarter(last)
    out = []
    while (y, q) <= (ly, lq):
        out.append(quarter_id(y, q))
        y, q = (y + 1, 1) if q == 4 else (y, q + 1)
    return out


def period_label(p: Period, lang: str | None = None) -> str:
    """Human label in the language in force, formatted by Babel (CLDR): 'Q2 2023', 'Apr 2023', 'H1 2023',
    'Jan–May 2022'; Russian '2-й кв. 2023', 'апр. 2023'; Kazakh 'ІІ тқс. 2023', 'сәу. 2023'."""
    return _period_label(p, i18n.valid(lang) or i18n.current())


@lru_cache(maxsize=8192)  # Babel's formatting is ~40 µs a label; a period list asks for hundreds at once
def _period_label(p: Period, lang: str) -> str:
    with i18n.use(lang) as loc:
        s, e = p.start, p.end
        if p.type == "quarter":
            return format_date(s, "QQQ y", locale=loc)
        if p.type == "month":
            return format_date(s, "LLL y", locale=loc)
        if p.type == "half":
            return _("H{half} {year}").format(half=1 if s.month == 1 else 2, year=s.year)
        if p.type == "year":
            return str(s.year)
        if p.type == "date":
            return _("as of {date}").format(date=format_date(s, "d MMMM y", locale=loc))
        if e is None:
            return _("{year} year to date (end not stated)").format(year=s.year)
        if e.day != calendar.monthrange(e.year, e.month)[1]:
            first = format_date(date(e.year, 1, 1), "d MMM", locale=loc)
            return f"{first}–{format_date(e, 'd MMM y', locale=loc)}"
        return f"{format_date(s, 'LLL', locale=loc)}–{format_date(e, 'LLL y', locale=loc)}"


def previous_period(p: Period) -> Period | None:
    """The previous period of the same length (quarter, month, half, year); None for ytd and dates."""
    y, m = p.start.year, p.start.month
    if p.type == "quarter":
        return parse_period(previous_quarter(p.id), "quarter")
    if p.type == "month":
        return parse_period(f"{y - 1}-12" if m == 1 else f"{y}-{m - 1:02d}", "month")
    if p.type == "half":
        return parse_period(f"{y - 1}-H2" if m == 1 else f"{y}-H1", "half")
    if p.type == "year":
        return parse_period(str(y - 1), "year")
    return None


def year_earlier(p: Period) -> Period | None:
    """The same span one year earlier; None where that cannot be stated (ytd with no end)."""
    if p.type == "ytd" and p.end is None:
        return None
    if p.type in ("quarter", "half", "year", "month"):
        return parse_period(str(p.start.year - 1) + p.id[4:], p.type)
    if p.type == "date":
        return parse_period(f"{p.start.year - 1}{p.id[4:]}", "date") if p.id[5:] != "02-29" else None
    # ytd: same months or days a year earlier (none for a span ending on 29 February)
    start, end = p.id.split("..")
    try:
        return parse_period(f"{int(start[:4]) - 1}{start[4:]}..{int(end[:4]) - 1}{end[4:]}", "ytd")
    except PeriodError:
        return None
