"""The explorer's filter state: one frozen object, parsed from and written to the URL query string, kept in
the page's store, changed by its controls, and naming the files exported from it.

Parsing never fails: every invalid parameter falls back to a default and adds a notice the page shows. Every
transition (a control changed, a chart clicked) is a pure function of the previous state and the control's
value that ends in the same parser, so a hand-crafted value gets the same fallbacks as a hand-crafted link.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import cast
from urllib.parse import parse_qs, parse_qsl, urlencode

import polars as pl

from dashboard import i18n
from dashboard.catalogue import Indicator, catalogue, english_catalogue
from dashboard.countries import TOTAL, all_codes, is_valid_code
from dashboard.data import DataStore
from dashboard.i18n import _
from dashboard.ids import Ids
from dashboard.periods import (
    PERIOD_EXAMPLES,
    PERIOD_TYPES,
    PeriodError,
    parse_period,
    quarter_of_day,
    quarter_range,
    split_quarter,
)
from dashboard.releases import UnknownRelease

VS_DEFAULT = "prev"
VS_CHOICES = ("prev", "year")  # besides a period id of the view's own type
MODE_DEFAULT = "explore"
MODES = ("explore", "compare")  # compare: the view's period and its "Compared with" side by side
MAX_COUNTRIES = 12  # beyond this a line chart is unreadable
MAX_QUERY_LENGTH = 2000
MAX_TREND_QUARTERS = 60  # a longer range than fifteen years is refused in a link (a hand-crafted one)
_PERIOD_TYPE_BY_SHAPE = (
    (re.compile(r"^\d{4}-Q[1-4]$"), "quarter"),
    (re.compile(r"^\d{4}-H[12]$"), "half"),
    (re.compile(r"^\d{4}-\d{2}$"), "month"),
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "date"),
    (re.compile(r"^\d{4}-\d{2}(-\d{2})?\.\.\d{4}-\d{2}(-\d{2})?$"), "ytd"),
    (re.compile(r"^\d{4}$"), "year"),
)


# The link's parameters (``period_type`` is the API's spelling of ``ptype``; either may be given).
QUERY_PARAMETERS = (
    "indicator",
    "measure",
    "unit",
    "period",
    "ptype",
    "period_type",
    "countries",
    "from",
    "to",
    "drill",
    "lang",
    "release",
    "events",  # events=off hides the events on the trend (dashboard/events.py)
    "vs",  # "Compared with" of the change explainer (dashboard/explain.py)
    "mode",  # mode=compare: two periods side by side (dashboard/compare.py)
)


@dataclass(frozen=True)
class Problem:
    """Why a link's parameter is refused by the strict parser (the API): which one, the value given, what
    is allowed and a sentence saying so (English: machine readers and logs read it)."""

    parameter: str
    value: str
    allowed: str
    message: str


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
    first: str = ""  # quarter range of the time series ("" until parsed: the data's latest quarters)
    last: str = ""
    drill: str | None = None  # a quarter drilled into months
    lang: str = i18n.DEFAULT  # the page language (EN / RU / KK), kept in the URL like the rest
    release: int | None = None  # the data as it was at this release (None: the latest)
    # "Compared with" (the change explainer, dashboard/explain.py): the previous period, a year earlier, or a
    # period id of the view's type
    vs: str = VS_DEFAULT
    notices: tuple[str, ...] = field(default=(), compare=False)
    events: bool = True  # the trend and timeline mark their events (dashboard/events.yaml); URL: events=off
    mode: str = MODE_DEFAULT  # "compare": the period and the "Compared with" one side by side; URL: mode=

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
        if self.release is not None:
            params["release"] = str(self.release)
        if not self.events:
            params["events"] = "off"
        if self.vs != VS_DEFAULT:
            params["vs"] = self.vs
        if self.mode != MODE_DEFAULT:
            params["mode"] = self.mode
        params["lang"] = self.lang
        return "?" + urlencode(params, safe=",")

    def with_(self, **changes) -> ExplorerState:
        """A copy with some fields changed; notices belong to one parse and are dropped unless given."""
        changes.setdefault("notices", ())
        return replace(self, **changes)


def measure_options(ind: Indicator, store: DataStore | None = None) -> list[tuple[str, str]]:
    """(measure, unit) pairs a user can choose for an indicator: levels in each unit, then shares. With a
    store, only the pairs that have figures (the catalogue says what can be published, the data what was),
    and always the indicator's default, so that a view exists even before its first figure arrives."""
    out = []
    for m in ind.measures:
        if not catalogue().measure(m).level:
            continue
        units = ("percent",) if m == "share_pct" else ind.level_units
        out += [(m, u) for u in units]
    if store is None:
        return out
    default = (ind.default.measure, ind.default.unit)
    return [p for p in out if p == default or store.has_values(ind.id, *p)]


def trend_window(store: DataStore) -> tuple[str, str]:
    """The trend range a view opens with: the catalogue's number of quarters, ending with the latest
    quarter any figure covers (never before the first). Follows the data as new periods arrive."""
    span = store.quarter_span()
    if span is None:  # no data at all: the current quarter alone
        today = quarter_of_day(date.today())
        return today, today
    quarters = quarter_range(*span)
    return quarters[max(0, len(quarters) - catalogue().explorer.trend_quarters)], quarters[-1]


def trend_quarters(store: DataStore, s: ExplorerState) -> list[str]:
    """The quarters the trend range can be chosen from: those the data covers, widened to the state's own
    range when a link asks for more."""
    span = store.quarter_span() or (s.first, s.last)
    return quarter_range(min(span[0], s.first, key=split_quarter), max(span[1], s.last, key=split_quarter))


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
    # newest first; spans starting the same day (year-to-date ones) by id, the longer first: unique() keeps no
    # order, so without the id the list's order changed between runs
    got.sort(key=lambda x: x[0], reverse=True)
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
    return (trend_window(store)[1], "quarter")  # nothing published yet: the latest quarter, shown as missing


DEFAULT_INDICATOR = english_catalogue().explorer.default_indicator
_RELEASE_NUMBER = re.compile(r"^[0-9]{1,6}$")


def parse_release(given: object, store: DataStore) -> tuple[int | None, str | None]:
    """(release, notice) from a link's ``release=``: None when absent; a malformed or unknown one gives None
    (the latest data) and a notice in the language in force. Never raises."""
    if given is None or given == "":
        return None, None
    text = given.strip() if isinstance(given, str) else ""
    if _RELEASE_NUMBER.match(text):
        number = int(text)
        try:
            store.at_release(number)
        except UnknownRelease:
            pass
        else:
            return number, None  # kept even when it is the latest: a shared link stays pinned
    latest = store.latest_release
    shown = repr(given[:20]) if isinstance(given, str) else repr(given)
    if latest is None:
        return None, _("There is no release {given}: no release is recorded; showing the data.").format(
            given=shown
        )
    return None, _(
        "There is no release {given}: releases are 1 to {latest}; showing the latest data."
    ).format(given=shown, latest=latest)


def view_store(store: DataStore, release: int | None) -> DataStore:
    """The store a view reads: the data as it was at ``release`` (a state's, already checked), else as is."""
    if release is None or release == store.release:
        return store
    return store.at_release(release)


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
    the state's language: ``lang=`` of the link, else ``default_lang``, the browser's choice).

    Remembered per store (a parse is a pure function of the query, the data and the browser's language):
    every callback of a click re-parses the state it was given, 0.2 ms each, several per click."""

    def parse() -> ExplorerState:
        lang, bad_lang = query_language(search, default_lang)
        with i18n.use(lang):
            return _parse_query(search, store, lang, bad_lang)

    text = search if isinstance(search, str) else None
    return cast(ExplorerState, store.memo(("explorer-state", text, default_lang), parse))


def parse_query_strict(search: str | None, store: DataStore) -> tuple[ExplorerState, tuple[Problem, ...]]:
    """The same parser for the data API: the state, and every problem a link has (an unknown or repeated
    parameter, an unknown value, a malformed period…) instead of a silent fallback; the caller refuses
    the request when there is any. A well-formed period with no figure is no problem: the API answers
    that it was not reported."""
    lang, bad_lang = query_language(search, None)
    problems: list[Problem] = []
    with i18n.use(lang):
        return _parse_query(search, store, lang, bad_lang, problems), tuple(problems)


def _allowed_periods(ind: Indicator) -> str:
    return ", ".join(f"{t} ({PERIOD_EXAMPLES[t]})" for t in PERIOD_TYPES if t in ind.granularities)


# one pass over the link's parameters, each with its own fallback and notice, in the order they depend on;
# with ``problems`` (the strict parser) each fallback also records a Problem
def _parse_query(  # noqa: C901  (one flat check per parameter, in the order they depend on)
    search: str | None, store: DataStore, lang: str, bad_lang: bool, problems: list[Problem] | None = None
) -> ExplorerState:
    notices: list[str] = []
    strict = problems is not None
    problem = problems.append if problems is not None else (lambda _p: None)
    if bad_lang:
        notices.append(
            _("Unknown language in the link; showing {language}.").format(language=i18n.NAMES[lang])
        )
        given_lang = parse_qs((search or "").lstrip("?")[:MAX_QUERY_LENGTH]).get("lang", [""])[-1]
        problem(Problem("lang", given_lang[:40], ", ".join(i18n.LANGUAGES), "unknown language"))
    search = (search or "").lstrip("?")
    if len(search) > MAX_QUERY_LENGTH:
        notices.append(_("The link was too long and was ignored."))
        problem(
            Problem("query", f"{len(search)} characters", f"at most {MAX_QUERY_LENGTH}", "query too long")
        )
        search = ""
    try:
        lists = parse_qs(search, keep_blank_values=True)
    except ValueError:
        lists = {}
        notices.append(_("The link's parameters could not be read; showing the default view."))
        problem(Problem("query", search[:40], "name=value pairs", "the query cannot be read"))
    raw = {k: v[-1] for k, v in lists.items()}
    unknown = sorted(k for k in raw if k not in QUERY_PARAMETERS)
    if unknown:
        notices.append(_("Ignored unknown parameter(s): {names}.").format(names=", ".join(unknown)[:80]))
    for name in unknown:
        problem(Problem(name[:40], raw[name][:40], ", ".join(QUERY_PARAMETERS), "unknown parameter"))
    for name, values in lists.items():
        if len(values) > 1 and name in QUERY_PARAMETERS:
            problem(Problem(name, ", ".join(values)[:80], "one value", "parameter given more than once"))
    if "period_type" in raw:  # the API's name for ptype
        raw.setdefault("ptype", raw["period_type"])
    # the release first: every other parameter is checked against the data as it was then
    release, store = _release_of(raw, store, notices, problem)

    cat = catalogue()
    ind_id = raw.get("indicator", DEFAULT_INDICATOR)
    if not cat.has_indicator(ind_id):
        ids = ", ".join(i.id for i in cat.indicators)
        problem(Problem("indicator", ind_id[:40], ids, "unknown indicator"))
        notices.append(
            _("Unknown indicator {given}; showing {title}.").format(
                given=repr(ind_id[:40]), title=cat.indicator(DEFAULT_INDICATOR).title
            )
        )
        ind_id = DEFAULT_INDICATOR
    ind = cat.indicator(ind_id)

    options = measure_options(ind, store)
    measure, unit = raw.get("measure", ind.default.measure), raw.get("unit")
    if unit is None:
        unit = "percent" if measure == "share_pct" else ind.default.unit
    if (measure, unit) not in options:
        pairs = ", ".join(f"{m} in {u}" for m, u in options)
        bad = "unit" if measure in {m for m, _u in options} else "measure"
        given = unit if bad == "unit" else measure
        problem(Problem(bad, given[:40], pairs, f"{ind.id} has no figures as {measure} in {unit}"))
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
    if strict:
        pid, ptype = _strict_period(raw, ind, pid, ptype, problem)
    if strict and pid is not None and ptype is not None:
        pass  # the API keeps a well-formed period with no figure: it is answered as not reported
    elif pid is None or ptype is None or (pid, ptype) not in choices:  # choices: (id, type) pairs
        if pid is not None:
            notices.append(
                _(
                    "{indicator}: nothing reported for period {period}; showing the latest period with data."
                ).format(indicator=ind.short_title, period=repr(pid[:20]))
            )
        pid, ptype = default_period(store, ind, measure, unit)

    countries = _countries_of(raw.get("countries") or "", notices, problem)

    default_first, default_last = trend_window(store)
    first, last = raw.get("from", default_first), raw.get("to", default_last)
    try:
        span = quarter_range(first, last)
        if not span or len(span) > MAX_TREND_QUARTERS:
            raise PeriodError("empty or too long")
    except PeriodError:
        notices.append(
            _("The time range in the link is not valid; showing {first} to {last}.").format(
                first=default_first, last=default_last
            )
        )
        if strict:
            _range_problem(first, last, problem)
        first, last = default_first, default_last
        span = quarter_range(first, last)

    drill = raw.get("drill") or None
    if drill is not None and drill not in span:
        problem(
            Problem("drill", drill[:20], f"a quarter from {first} to {last}", "not a quarter of the range")
        )
        notices.append(
            _("Cannot drill into {quarter}: not a quarter of the chosen range.").format(
                quarter=repr(drill[:20])
            )
        )
        drill = None

    events = raw.get("events", "on") != "off"  # anything but "off" shows them (the default)
    vs = _vs_of(raw.get("vs"), pid, ptype, choices, notices)
    mode = _mode_of(raw.get("mode"), notices, problem)
    return ExplorerState(
        ind_id,
        measure,
        unit,
        pid,
        ptype,
        tuple(countries),
        first,
        last,
        drill,
        lang,
        release,
        vs,
        tuple(notices),
        events,
        mode,
    )


def _mode_of(given: str | None, notices: list[str], problem: Callable[[Problem], None]) -> str:
    """The link's view mode: the explorer's charts, or two periods compared (``mode=compare``)."""
    if not given or given in MODES:  # mode= (empty) is no mode given
        return given or MODE_DEFAULT
    notices.append(_("Unknown view mode {given}; showing the explorer.").format(given=repr(given[:20])))
    problem(Problem("mode", given[:40], ", ".join(MODES), "unknown mode"))
    return MODE_DEFAULT


def _vs_of(
    given: str | None, pid: str, ptype: str, choices: list[tuple[str, str]], notices: list[str]
) -> str:
    """The link's "Compared with": prev, year, or another period of the view's type that has data."""
    if given is None or given in VS_CHOICES:
        return given or VS_DEFAULT
    same_kind = infer_period_type(given, "ytd" if ptype == "ytd" else None) == ptype
    if given != pid and same_kind and (given, ptype) in choices:
        return given
    notices.append(
        _(
            "Cannot compare with {given}: not a period of the same kind with data; comparing with the "
            "previous period."
        ).format(given=repr(given[:20]))
    )
    return VS_DEFAULT


def _release_of(
    raw: dict[str, str], store: DataStore, notices: list[str], problem: Callable[[Problem], None]
) -> tuple[int | None, DataStore]:
    """The link's release (a notice for a bad one) and the store of the data as it was then."""
    release, notice = parse_release(raw.get("release"), store)
    if notice:
        notices.append(notice)
        latest = store.latest_release
        allowed = f"1 to {latest}" if latest else "none (no release is recorded)"
        problem(Problem("release", raw["release"][:20], allowed, "unknown release"))
    return release, view_store(store, release)


def _strict_period(
    raw: dict[str, str],
    ind: Indicator,
    pid: str | None,
    ptype: str | None,
    problem: Callable[[Problem], None],
) -> tuple[str | None, str | None]:
    """The strict parser's period: a type given (``ptype`` / ``period_type``) must be known and agree with
    the id's shape, and the period must be a real one of a type the indicator is published for. Returns
    (None, None) after recording a problem, else the period and its type (None, None when not given)."""
    hint = raw.get("ptype")
    if hint is not None and hint not in PERIOD_TYPES:
        name = "period_type" if "period_type" in raw else "ptype"
        problem(Problem(name, hint[:20], ", ".join(PERIOD_TYPES), "unknown period type"))
        return None, None
    if pid is None:
        return None, None
    allowed = _allowed_periods(ind)
    try:
        if ptype is None:
            raise PeriodError("not a period id")
        parse_period(pid, ptype)
    except PeriodError:
        problem(Problem("period", pid[:20], allowed, "malformed period"))
        return None, None
    if hint is not None and hint != ptype:
        name = "period_type" if "period_type" in raw else "ptype"
        problem(Problem(name, hint, ptype, f"{pid} is a period of type {ptype}"))
        return None, None
    if ptype not in ind.granularities:
        problem(Problem("period", pid[:20], allowed, f"{ind.id} is not published by {ptype}"))
        return None, None
    return pid, ptype


def _range_problem(first: str, last: str, problem: Callable[[Problem], None]) -> None:
    """The strict parser's problem with a trend range: which end is malformed, or the order, or the length."""
    for name, value in (("from", first), ("to", last)):
        try:
            parse_period(value, "quarter")
        except PeriodError:
            example = PERIOD_EXAMPLES["quarter"]
            problem(Problem(name, value[:20], f"a quarter such as {example}", "malformed quarter"))
            return
    if not quarter_range(first, last):
        problem(Problem("from", first, f"a quarter not after to={last}", "from is after to"))
    else:
        allowed = f"at most {MAX_TREND_QUARTERS} quarters"
        problem(Problem("to", last, allowed, "the range is too long"))


def _countries_of(
    given: str, notices: list[str], problem: Callable[[Problem], None] = lambda _p: None
) -> list[str]:
    """The link's country codes: valid, distinct, at most MAX_COUNTRIES (notices say what was dropped)."""
    countries: list[str] = []
    bad: list[str] = []
    for code in given.split(","):
        code = code.strip().upper()
        if not code:
            continue
        if code != TOTAL and is_valid_code(code) and code not in countries:
            countries.append(code)
        else:
            bad.append(code[:10])
    if bad:
        notices.append(_("Ignored unknown country code(s): {codes}.").format(codes=", ".join(bad[:5])))
        allowed = "ISO 3166-1 alpha-3 codes (see /api/v1/countries), comma-separated"
        problem(Problem("countries", ",".join(bad[:5]), allowed, "unknown or repeated country code"))
    if len(countries) > MAX_COUNTRIES:
        problem(
            Problem("countries", f"{len(countries)} codes", f"at most {MAX_COUNTRIES}", "too many countries")
        )
        notices.append(
            _("At most {n} countries can be compared; kept the first {n}.").format(n=MAX_COUNTRIES)
        )
        countries = countries[:MAX_COUNTRIES]
    return countries


# -- the stored state: what the page's dcc.Store holds between callbacks -------------------------------------
_STORED_TEXT = ("indicator", "measure", "unit", "period", "period_type", "first", "last")


def to_store(state: ExplorerState) -> dict:
    """The state as JSON for the page's store; ``query`` is what the address bar shows (assets: PUSH_URL).
    ``release`` only when the view shows an earlier release (absent: the latest)."""
    stored = asdict(state)
    if state.release is None:
        del stored["release"]
    if state.events:  # the default: kept only when the events are hidden
        del stored["events"]
    if state.mode == MODE_DEFAULT:  # kept only in compare mode
        del stored["mode"]
    return stored | {
        "countries": list(state.countries),
        "notices": list(state.notices),
        "query": state.to_query(),
    }


def from_store(data: object, store: DataStore, default_lang: str | None = None) -> ExplorerState:
    """The state a callback received from the store, re-validated through the URL parser: the store's data
    comes from the browser, and a hand-crafted request gets the default view (in ``default_lang``)."""
    if isinstance(data, dict) and _well_formed(data):
        given = {k: data[k] for k in ExplorerState.__dataclass_fields__ if k in data and k != "notices"}
        given["countries"] = tuple(given.get("countries") or ())
        # well formed: text, ints and a tuple of text, so the items make a key (no query string built)
        key = ("stored-state", tuple(sorted(given.items())))
        return cast(
            ExplorerState, store.memo(key, lambda: parse_query(ExplorerState(**given).to_query(), store))
        )
    return parse_query("", store, default_lang)


def _well_formed(data: dict) -> bool:
    countries = data.get("countries", [])
    return (
        all(isinstance(data.get(k), str) and len(data[k]) < 60 for k in _STORED_TEXT)
        and isinstance(countries, list)
        and len(countries) <= MAX_COUNTRIES * 2
        and all(isinstance(c, str) for c in countries)
        and (data.get("drill") is None or isinstance(data.get("drill"), str))
        and (data.get("lang") is None or isinstance(data.get("lang"), str))
        and (data.get("release") is None or type(data.get("release")) is int)
        and (data.get("events") is None or type(data.get("events")) is bool)
        and (data.get("vs") is None or (isinstance(data.get("vs"), str) and len(data["vs"]) < 60))
        and (data.get("mode") is None or (isinstance(data.get("mode"), str) and len(data["mode"]) < 20))
        and set(data) <= set(ExplorerState.__dataclass_fields__) | {"query"}
    )


# -- transitions: a control changed or a chart was clicked -> the next state ---------------------------------
# Each one takes the control's raw value as the browser sent it (any JSON), never fails, and ends in
# parse_query: a value that makes no sense leaves the state as it was (re-validated).


def unchanged(prev: ExplorerState, store: DataStore) -> ExplorerState:
    """The previous state, re-validated (what an invalid or meaningless control value leads to)."""
    return parse_query(prev.to_query(), store)


def choose_domain(prev: ExplorerState, domain: object, store: DataStore) -> ExplorerState:
    """A theme was picked: a new theme opens its first indicator; the current theme or an unknown one
    changes nothing."""
    if isinstance(domain, str):
        cat = catalogue()
        in_domain = [i.id for i in cat.indicators if i.domain == domain]
        if in_domain and cat.indicator(prev.indicator).domain != domain:
            return choose_indicator(prev, in_domain[0], store)
    return unchanged(prev, store)


def choose_indicator(prev: ExplorerState, indicator: object, store: DataStore) -> ExplorerState:
    """A new indicator starts from its own default measure and period, keeping the countries, the trend
    range and the language; a drill-down is dropped. An unknown id falls back to the default indicator."""
    if not isinstance(indicator, str) or indicator == prev.indicator:
        return unchanged(prev, store)
    s = ExplorerState(
        indicator,
        "",
        "",
        "",
        "",
        prev.countries,
        prev.first,
        prev.last,
        lang=prev.lang,
        release=prev.release,
        events=prev.events,
        mode=prev.mode,
        vs=prev.vs if prev.vs in VS_CHOICES else VS_DEFAULT,  # a chosen period belongs to the old indicator
    )
    return parse_query(_query_without(s, "measure", "unit", "period"), store)


def choose_measure(prev: ExplorerState, value: object, store: DataStore) -> ExplorerState:
    """``measure|unit`` was picked. When the period has no value in the new measure the latest one is shown,
    silently (the user did not ask for that period in that measure)."""
    if not (isinstance(value, str) and "|" in value):
        return unchanged(prev, store)
    measure, unit = value.split("|", 1)
    s = prev.with_(measure=measure, unit=unit)
    q = parse_query(s.to_query(), store)
    return q.with_(notices=()) if q.period != s.period else q


def choose_period(prev: ExplorerState, value: object, store: DataStore) -> ExplorerState:
    """``type|period`` was picked for the map, donut and table (the trend and its drill-down stay)."""
    if not (isinstance(value, str) and "|" in value):
        return unchanged(prev, store)
    ptype, period = value.split("|", 1)
    # a chosen comparison period belongs to the old period's kind: another kind compares with its previous
    vs = prev.vs if prev.vs in VS_CHOICES or (ptype == prev.period_type and period != prev.vs) else VS_DEFAULT
    return parse_query(prev.with_(period=period, period_type=ptype, vs=vs).to_query(), store)


def choose_countries(prev: ExplorerState, countries: object, store: DataStore) -> ExplorerState:
    """The country list changed; one code too many is kept so the parser says it cut the list."""
    if not isinstance(countries, list):
        return unchanged(prev, store)
    chosen = tuple(str(c) for c in countries[: MAX_COUNTRIES + 1])
    return parse_query(prev.with_(countries=chosen).to_query(), store)


def choose_first(prev: ExplorerState, first: object, store: DataStore) -> ExplorerState:
    """The trend's first quarter changed: the drill-down is closed (its quarter may have left the range)."""
    if not isinstance(first, str):
        return unchanged(prev, store)
    return parse_query(prev.with_(first=first, drill=None).to_query(), store)


def choose_last(prev: ExplorerState, last: object, store: DataStore) -> ExplorerState:
    """The trend's last quarter changed: the drill-down is closed, as for the first."""
    if not isinstance(last, str):
        return unchanged(prev, store)
    return parse_query(prev.with_(last=last, drill=None).to_query(), store)


def apply_preset(prev: ExplorerState, group: object, store: DataStore) -> ExplorerState:
    """A preset button: ``clear`` empties the country list; a country group selects its members, those with
    data in this view first (so the list stays useful), at most MAX_COUNTRIES; an unknown group changes
    nothing."""
    cat = catalogue()
    if group == "clear":
        return parse_query(prev.with_(countries=()).to_query(), store)
    if not any(g.id == group for g in cat.country_groups):
        return unchanged(prev, store)
    with_data = store.breakdown(prev.indicator, prev.period, prev.period_type, prev.measure, prev.unit)
    members = cat.group_members(str(group), frozenset(all_codes()))
    have = [c for c in with_data["country_iso3"].to_list() if c in members]
    rest = sorted(members - set(have))
    return parse_query(prev.with_(countries=tuple((have + rest)[:MAX_COUNTRIES])).to_query(), store)


def choose_vs(prev: ExplorerState, value: object, store: DataStore) -> ExplorerState:
    """ "Compared with" changed: prev, year or a period id of the view's type (the parser checks it)."""
    if not isinstance(value, str) or not value:
        return unchanged(prev, store)
    return parse_query(prev.with_(vs=value[:40]).to_query(), store)


def choose_mode(prev: ExplorerState, value: object, store: DataStore) -> ExplorerState:
    """The view mode changed: the explorer's charts, or the view's period and its "Compared with" side by
    side (an unknown mode is refused by the parser, with a notice)."""
    if not isinstance(value, str) or not value:
        return unchanged(prev, store)
    return parse_query(prev.with_(mode=value[:20]).to_query(), store)


def drill_into(prev: ExplorerState, click: object, store: DataStore) -> ExplorerState:
    """A quarter of the trend was clicked (its id is the point's customdata): show its months. A quarter
    outside the trend range is refused with a notice, by the parser."""
    quarter = clicked(click, "customdata")
    if not quarter:
        return unchanged(prev, store)
    return parse_query(prev.with_(drill=quarter).to_query(), store)


def drill_up(prev: ExplorerState, store: DataStore) -> ExplorerState:
    """'All quarters': back from a quarter's months to the quarters."""
    return parse_query(prev.with_(drill=None).to_query(), store)


def pick_country(prev: ExplorerState, click: object, store: DataStore) -> ExplorerState:
    """A slice of the donut was clicked: compare that one country ('other' and the remainder are no country
    and change nothing)."""
    code = clicked(click, "customdata")
    if not (code and code in all_codes()):
        return unchanged(prev, store)
    return parse_query(prev.with_(countries=(code,)).to_query(), store)


def transition(prev: ExplorerState, control: object, value: object, store: DataStore) -> ExplorerState:
    """The state after the control with id ``control`` (an Ids member, or a preset button's
    ``{"type": "preset", "group": …}``) took ``value`` (a chart's clickData for the trend and the donut;
    ignored for buttons). Anything else leaves the state as it was, re-validated."""
    store = view_store(store, prev.release)  # a preset reads the data of the release shown
    if isinstance(control, dict):
        if control.get("type") == Ids.PRESET:
            return apply_preset(prev, control.get("group"), store)
        return unchanged(prev, store)
    choose = _TRANSITIONS.get(control) if isinstance(control, str) else None
    return choose(prev, value, store) if choose else unchanged(prev, store)


_TRANSITIONS: dict[str, Callable[..., ExplorerState]] = {  # a control's id -> (prev, value, store) -> state
    Ids.DOMAIN: choose_domain,
    Ids.INDICATOR: choose_indicator,
    Ids.MEASURE: choose_measure,
    Ids.PERIOD: choose_period,
    Ids.COUNTRIES: choose_countries,
    Ids.FIRST: choose_first,
    Ids.LAST: choose_last,
    Ids.SERIES: drill_into,
    Ids.DRILL_UP: lambda prev, _clicks, store: drill_up(prev, store),
    Ids.DONUT: pick_country,
    Ids.EVENTS_TOGGLE: lambda prev, value, store: show_events(prev, value, store),
    Ids.VS: choose_vs,
    Ids.COMPARE_VS: choose_vs,  # the compare mode's own "Compared with": the same state field
    Ids.MODE: choose_mode,
}


def show_events(prev: ExplorerState, _clicks: object, store: DataStore) -> ExplorerState:
    """The "Hide events" / "Show events" button: the trend and the timeline mark their events, or not."""
    return parse_query(prev.with_(events=not prev.events).to_query(), store)


def clicked(click: object, key: str) -> str | None:
    """``key`` of the first point of a chart's clickData, if it is a short string (else None)."""
    try:
        value = click["points"][0][key]  # type: ignore[index]
    except (TypeError, KeyError, IndexError):
        return None
    return value if isinstance(value, str) and len(value) < 20 else None


def _query_without(s: ExplorerState, *keys: str) -> str:
    pairs = [(k, v) for k, v in parse_qsl(s.to_query().lstrip("?")) if k not in keys]
    return "?" + urlencode(pairs, safe=",")


# -- file names ----------------------------------------------------------------------------------------------
def file_stem(state: ExplorerState, *parts: str) -> str:
    """The name (without extension) of a file made from a view: ``mtm-{indicator}-{period}`` (the drilled
    quarter when drilled into one), then ``parts`` (chart, size…), then ``-{lang}`` unless English, so an
    image or table in another language never overwrites the English one. Browser export, download and
    `mtm chart` all name their files here."""
    release = (f"r{state.release}",) if state.release is not None else ()
    stem = "-".join(("mtm", state.indicator, state.drill or state.period, *release, *parts))
    return stem + (f"-{state.lang}" if state.lang != i18n.DEFAULT else "")
