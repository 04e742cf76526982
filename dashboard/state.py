"""The explorer's filter state: one frozen object, parsed from and written to the URL query string.

Parsing never fails: every invalid parameter falls back to a default and adds a notice the page shows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from urllib.parse import parse_qs, urlencode

import polars as pl

from dashboard import i18n
from dashboard.catalogue import Indicator, catalogue
from dashboard.countries import TOTAL, is_valid_code
from dashboard.data import DataStore
from dashboard.i18n import _
from dashboard.periods import PeriodError, quarter_range

MAX_COUNTRIES = 12  # beyond this a line chart is unreadable
MAX_QUERY_LENGTH = 2000
_PERIOD_TYPE_BY_SHAPE = (
    (re.compile(r"^\d{4}-Q[1-4]$"), "quarter"),
    (re.compile(r"^\d{4}-H[12]$"), "half"),
    (re.compile(r"^\d{4}-\d{2}$"), "month"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "date"),
    (re.compile(r"^\d{4}-\d{2}(-\d{2})?\.\.\d{4}-\d{2}(-\d{2})?$"), "ytd"),
    (re.compile(r"^\d{4}$"), "year"),
)


def infer_period_type(pid: str, hint: str | None = None) -> str | None:
    """The period type an id has by its shape; a bare year is a year unless the hint says ytd."""
    for pattern, ptype in _PERIOD_TYPE_BY_SHAPE:
        if pattern.match(pid):
            return "ytd" if ptype == "year" and hint == "ytd" else ptype
    return None


@dataclass(frozen=True)
class ExplorerState:
    indicator: str
    measure: str
    unit: str
    period: str  # the period of the map, donut and table
    period_type: str
    countries: tuple[str, ...] = ()  # empty = all countries / the total line
    first: str = "2022-Q1"  # quarter range of the time series
    last: str = "2025-Q4"
    drill: str | None = None  # a quarter drilled into months
    lang: str = i18n.DEFAULT  # the page language (EN / RU / KK), kept in the URL like the rest
    notices: tuple[str, ...] = field(default=(), compare=False)

    def to_query(self) -> str:
        params: dict[str, str] = {
            "indicator": self.indicator,
            "measure": self.measure,
            "unit": self.unit,
            "period": self.period,
        }
        if self.period_type == "ytd" and infer_period_type(self.period) == "year":
            params["ptype"] = "ytd"
        if self.countries:
            params["countries"] = ",".join(self.countries)
        params["from"], params["to"] = self.first, self.last
        if self.drill:
            params["drill"] = self.drill
        params["lang"] = self.lang
        return "?" + urlencode(params, safe=",")

    def with_(self, **changes) -> ExplorerState:
        """A copy with some fields changed; notices belong to one parse and are dropped unless given."""
        changes.setdefault("notices", ())
        return replace(self, **changes)


def measure_options(ind: Indicator) -> list[tuple[str, str]]:
    """(measure, unit) pairs a user can choose for an indicator: levels in each unit, then shares."""
    out = []
    for m in ind.measures:
        if not catalogue().measure(m).level:
            continue
        units = ("percent",) if m == "share_pct" else ind.level_units
        out += [(m, u) for u in units]
    return out


def period_choices(store: DataStore, ind: Indicator, measure: str, unit: str) -> list[tuple[str, str]]:
    """(period id, type) with any value for this indicator and measure: quarters first, newest first."""
    return store.memo(
        ("period_choices", ind.id, measure, unit), lambda: _period_choices(store, ind, measure, unit)
    )


_TYPE_ORDER = {"quarter": 0, "month": 1, "half": 2, "year": 3, "ytd": 4, "date": 5}


def _period_choices(store: DataStore, ind: Indicator, measure: str, unit: str) -> list[tuple[str, str]]:
    rows = (
        store.rows(ind.id)
        .filter((pl.col("measure") == measure) & (pl.col("unit") == unit))
        .select("period", "period_type", "period_start")
        .unique()
    )
    got = [(r[0], r[1], r[2]) for r in rows.iter_rows() if r[1] in ind.granularities]
    got.sort(key=lambda x: (_TYPE_ORDER[x[1]], -x[2].toordinal()))
    return [(p, t) for p, t, _ in got]


def default_period(store: DataStore, ind: Indicator, measure: str, unit: str) -> tuple[str, str]:
    """The latest quarter with a country breakdown, else the latest quarter, else the latest period."""
    return store.memo(
        ("default_period", ind.id, measure, unit), lambda: _default_period(store, ind, measure, unit)
    )


def _default_period(store: DataStore, ind: Indicator, measure: str, unit: str) -> tuple[str, str]:
    choices = period_choices(store, ind, measure, unit)
    broken_down = {
        (r[0], r[1])
        for r in store.rows(ind.id)
        .filter((pl.col("measure") == measure) & (pl.col("unit") == unit) & (pl.col("country_iso3") != TOTAL))
        .select("period", "period_type")
        .unique()
        .iter_rows()
    }
    with_breakdown = [c for c in choices if c in broken_down]
    for pool in (with_breakdown, choices):
        quarters = [c for c in pool if c[1] == "quarter"]
        if quarters:
            return quarters[0]
    if choices:
        latest = store.latest_period(ind.id, None, measure, unit, country=TOTAL)
        return (latest.id, latest.type) if latest else choices[0]
    return ("2023-Q2", "quarter")


DEFAULT_INDICATOR = "trp_issued"


def query_language(search: str | None, default: str | None = None) -> tuple[str, bool]:
    """(language, given-but-invalid) from the query's ``lang=``, else ``default`` (the browser's choice)."""
    search = search if isinstance(search, str) else ""
    try:
        given = parse_qs(search.lstrip("?")[:MAX_QUERY_LENGTH]).get("lang", [None])[-1]
    except ValueError:
        given = None
    lang = i18n.valid(given)
    return lang or i18n.valid(default) or i18n.DEFAULT, given is not None and lang is None


def parse_query(search: str | None, store: DataStore, default_lang: str | None = None) -> ExplorerState:
    """An ExplorerState from a query string; invalid parts fall back to defaults, with notices (written in
    the state's language: ``lang=`` of the link, else ``default_lang``, the browser's choice)."""
    lang, bad_lang = query_language(search, default_lang)
    with i18n.use(lang):
        return _parse_query(search, store, lang, bad_lang)


def _parse_query(search: str | None, store: DataStore, lang: str, bad_lang: bool) -> ExplorerState:
    notices: list[str] = []
    if bad_lang:
        notices.append(
            _("Unknown language in the link; showing {language}.").format(language=i18n.NAMES[lang])
        )
    search = (search or "").lstrip("?")
    if len(search) > MAX_QUERY_LENGTH:
        notices.append(_("The link was too long and was ignored."))
        search = ""
    try:
        raw = {k: v[-1] for k, v in parse_qs(search, keep_blank_values=True).items()}
    except ValueError:
        raw = {}
        notices.append(_("The link's parameters could not be read; showing the default view."))
    known = {"indicator", "measure", "unit", "period", "ptype", "countries", "from", "to", "drill", "lang"}
    unknown = sorted(k for k in raw if k not in known)
    if unknown:
        notices.append(_("Ignored unknown parameter(s): {names}.").format(names=", ".join(unknown)[:80]))

    cat = catalogue()
    ind_id = raw.get("indicator", DEFAULT_INDICATOR)
    if not cat.has_indicator(ind_id):
        notices.append(
            _("Unknown indicator {given}; showing {title}.").format(
                given=repr(ind_id[:40]), title=cat.indicator(DEFAULT_INDICATOR).title
            )
        )
        ind_id = DEFAULT_INDICATOR
    ind = cat.indicator(ind_id)

    options = measure_options(ind)
    measure, unit = raw.get("measure", ind.default.measure), raw.get("unit")
    if unit is None:
        unit = "percent" if measure == "share_pct" else ind.default.unit
    if (measure, unit) not in options:
        if "measure" in raw or "unit" in raw:
            notices.append(
                _("{indicator} is not published as {measure} in {unit}; showing the default measure.").format(
                    indicator=ind.short_title, measure=repr(measure[:20]), unit=repr(unit[:20])
                )
            )
        measure, unit = ind.default.measure, ind.default.unit

    choices = period_choices(store, ind, measure, unit)
    pid = raw.get("period")
    ptype = infer_period_type(pid, raw.get("ptype")) if pid else None
    if pid is None or (pid, ptype) not in choices:
        if pid is not None:
            notices.append(
                _(
                    "{indicator}: nothing reported for period {period}; showing the latest period with data."
                ).format(indicator=ind.short_title, period=repr(pid[:20]))
            )
        pid, ptype = default_period(store, ind, measure, unit)

    countries: list[str] = []
    bad: list[str] = []
    for code in (raw.get("countries") or "").split(","):
        code = code.strip().upper()
        if not code:
            continue
        if code != TOTAL and is_valid_code(code) and code not in countries:
            countries.append(code)
        else:
            bad.append(code[:10])
    if bad:
        notices.append(_("Ignored unknown country code(s): {codes}.").format(codes=", ".join(bad[:5])))
    if len(countries) > MAX_COUNTRIES:
        notices.append(
            _("At most {n} countries can be compared; kept the first {n}.").format(n=MAX_COUNTRIES)
        )
        countries = countries[:MAX_COUNTRIES]

    first, last = raw.get("from", "2022-Q1"), raw.get("to", "2025-Q4")
    try:
        span = quarter_range(first, last)
        if not span or len(span) > 60:
            raise PeriodError("empty or too long")
    except PeriodError:
        notices.append(
            _("The time range in the link is not valid; showing {first} to {last}.").format(
                first="2022-Q1", last="2025-Q4"
            )
        )
        first, last = "2022-Q1", "2025-Q4"
        span = quarter_range(first, last)

    drill = raw.get("drill") or None
    if drill is not None and drill not in span:
        notices.append(
            _("Cannot drill into {quarter}: not a quarter of the chosen range.").format(
                quarter=repr(drill[:20])
            )
        )
        drill = None

    return ExplorerState(
        ind_id, measure, unit, pid, ptype, tuple(countries), first, last, drill, lang, tuple(notices)
    )
