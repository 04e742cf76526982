"""What drove a change: an indicator's total between two comparable periods, split by country, in words.

Rule-based (never a language model), from the data API only. For one indicator, one level measure and unit,
and two periods of the same type and length (two quarters, two months, two same-length years to date, a
stock on two dates):

* the **total change**, absolute and relative: the change a source printed beside the level is preferred
  (``change_pct_prev`` for the previous period, ``change_pct_yoy`` for a year earlier, same document as the
  level, as ``DataStore.change`` takes it); otherwise computed from the two levels and marked derived. A
  printed change more than ``CONFLICT_PP`` percentage points from the levels' own change is marked
  conflicting and both are said;
* each **country's contribution**: the countries listed in both periods, each with its own change and its
  share of the total change, ranked by size; everything else is one line, "other countries" (the total
  minus those countries, on each side: derived), so the lines add up to the total change exactly. A country
  listed in one period only is said as such, never as +100 % / −100 % (a list is a source's choice, not a
  count of zero);
* **concentration**: the first country's share in both periods (the printed share where there is one, else
  level / total, derived), only when the data proves it is first (as ``findings.Breakdown.leader``);
* **refusal**, with the reason, when the periods are not comparable: different period types (a year to date
  against a quarter…), years to date of different lengths, the same period twice, a declared break in the
  series between them, totals from different agencies (a break in source), or country counts derived from
  shares of another total than the one compared. Nothing at all on one side is said as such.

The result is plain data (``Explanation.to_dict()`` is JSON) plus 2-4 sentences in the language in force,
each with the explorer link (``/explore?…&vs=…&countries=…``) that shows the two periods and the countries
it names. Numbers are raw floats in the data and formatted by Babel in the sentences.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import date

import polars as pl

from dashboard import derivations, i18n
from dashboard.catalogue import Indicator, catalogue, english_catalogue
from dashboard.countries import OTHER, TOTAL
from dashboard.data import DERIVED, NOT_REPORTED, PUBLISHED, DataStore, Figure
from dashboard.events import events
from dashboard.findings import Finding, change_phrase, country_phrase
from dashboard.formatting import fmt_change_pct, fmt_value
from dashboard.i18n import N_, _
from dashboard.partial import partial_note
from dashboard.periods import (
    PERIOD_EXAMPLES,
    Period,
    PeriodError,
    months_of_quarter,
    parse_period,
    period_label,
    previous_period,
    previous_quarter,
    quarter_of_day,
    year_earlier,
)
from dashboard.state import ExplorerState, infer_period_type, trend_window

CONFLICT_PP = 0.5  # a printed change this far (percentage points) from the levels' own change is conflicting
TOP_DRIVERS = 3  # countries named in the drivers sentence
VS_PREVIOUS, VS_YEAR = "prev", "year"  # the explorer's "Compared with" choices besides a chosen period

# Why an explanation was refused: a code (stable, for the API) and its words.
REFUSALS = {
    "unknown_indicator": N_("Unknown indicator {given}."),
    "not_a_level": N_("A change can be explained for a count or an amount, not for {measure}."),
    "unknown_measure": N_("{indicator} is not published as {measure} in {unit}."),
    "bad_period": N_("The period {given} cannot be read: write it like {example}."),
    "same_period": N_("Both periods are {period}: choose another period to compare with."),
    "period_types": N_(
        "{current} ({current_type}) and {base} ({base_type}) are not periods of the same kind and length: "
        "they cannot be compared."
    ),
    "ytd_length": N_(
        "{current} and {base} are years to date of different lengths: only the same months can be compared."
    ),
    "ytd_end": N_("{period} is a year to date whose end was not stated: it cannot be compared."),
    "no_comparison": N_("{period} has no {choice} to compare with."),
    "source_break": N_(
        "The totals come from different agencies ({current_agency} in {current}, {base_agency} in {base}): "
        "a break in source, so the change is not stated."
    ),
    "definition_break": N_(
        "The series has a break in definition between {base} and {current}: the two are not comparable."
    ),
    "share_base": N_(
        "The country figures of {period} are derived from shares of another total ({other}) than the "
        "total compared ({total}): they cannot be compared."
    ),
    "no_data": N_("Nothing was reported for {indicator} {when}: there is nothing to compare."),
    "nothing_common": N_(
        "No total was reported {when} and no country is listed in both periods: nothing can be compared."
    ),
}
KIND_WORDS = {
    "quarter": N_("quarter"),
    "month": N_("month"),
    "half": N_("half-year"),
    "year": N_("year"),
    "ytd": N_("year to date"),
    "date": N_("date"),
}


# -- the result ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Level:
    """One figure on one side: its value and how it came to be (published, derived, chosen among sources)."""

    value: float | None
    status: str = NOT_REPORTED
    conflict: bool = False
    documents: tuple[str, ...] = ()


@dataclass(frozen=True)
class Side:
    period: str
    period_type: str
    label: str
    total: Level
    countries: dict[str, Level]  # ISO3 -> level (OTH, a printed "other countries", kept apart)
    printed_other: Level | None = None
    shares: dict[str, Level] = field(default_factory=dict)  # printed shares (percent), by ISO3
    partial: str | None = None  # why the period is incomplete in the data (dashboard/partial.py)


@dataclass(frozen=True)
class Contribution:
    country: str  # ISO3, or OTH: "other countries" (the total minus the countries listed in both periods)
    before: float | None
    after: float | None
    change: float | None
    change_pct: float | None  # its own change, percent
    share_of_change: float | None  # percent of the total change (None when the total did not change)
    derived: bool  # a value used was computed (a count from a share, the remainder, …)
    conflict: bool  # a value used was chosen among differing sources
    other_documents: bool = False  # the two periods' figures come from different documents


@dataclass(frozen=True)
class Listed:
    """A country listed by the source in one period only (not a +100 % / −100 % change)."""

    country: str
    period: str  # the period whose list names it
    value: float | None
    derived: bool


@dataclass(frozen=True)
class Concentration:
    """The share of the largest country listed, in both periods (``proven``: the data shows it is first)."""

    country: str
    before: float | None  # share, percent
    after: float | None
    before_status: str  # published (printed share) or derived (level / total)
    after_status: str
    proven: bool = False
    conflict: bool = False  # a share used was chosen among differing sources


@dataclass(frozen=True)
class TotalChange:
    absolute: float | None
    pct: float | None
    status: str  # published (the source printed the change) | derived (computed here) | not_reported
    computed_pct: float | None = None  # the levels' own change, when it differs from a printed one
    conflict: bool = False  # printed and computed changes disagree by more than CONFLICT_PP


@dataclass(frozen=True)
class Sentence:
    text: str
    href: str
    rule: str


@dataclass(frozen=True)
class Explanation:
    indicator: str
    measure: str
    unit: str
    ok: bool
    current: Side | None = None
    base: Side | None = None
    total: TotalChange | None = None
    contributions: tuple[Contribution, ...] = ()
    listed_once: tuple[Listed, ...] = ()
    concentration: Concentration | None = None
    sentences: tuple[Sentence, ...] = ()
    caveats: tuple[str, ...] = ()
    refusal: str | None = None  # a REFUSALS code
    message: str | None = None  # the refusal in words (language in force)
    href: str | None = None  # the explorer view of the two periods

    def to_dict(self) -> dict:
        """Plain JSON-ready data (the API's answer)."""
        return asdict(self)


# -- periods ------------------------------------------------------------------------------------------------
def comparison_period(
    store: DataStore, indicator: str, measure: str, unit: str, period: str, period_type: str, vs: str
) -> tuple[str, str] | None:
    """The period a view is compared with: ``prev`` the previous period of the same length (for a stock,
    the latest earlier date with a figure; for a year to date, the same span a year earlier), ``year`` the
    same period a year earlier, else ``vs`` itself (a period id, of the view's type). None: there is none."""
    try:
        p = parse_period(period, period_type)
    except PeriodError:
        return None
    if vs == VS_YEAR or (vs == VS_PREVIOUS and p.type == "ytd"):
        y = year_earlier(p)
        return (y.id, y.type) if y else None
    if vs == VS_PREVIOUS:
        if p.type == "date":
            earlier = [d for d in store.periods(indicator, "date", measure, unit) if d < p.id]
            return (earlier[-1], "date") if earlier else None
        prev = previous_period(p)
        return (prev.id, prev.type) if prev else None
    ptype = infer_period_type(vs, "ytd" if period_type == "ytd" else None)
    return (vs, ptype) if ptype else None


# -- reading one side ---------------------------------------------------------------------------------------
_AGENCY_NOTE = re.compile(r"\s*\([^)]*\)\s*$")


def _level(store: DataStore, row: dict) -> Level:
    ids = list(row.get("derived_from") or [row["source_id"]])
    return Level(row["value"], row["status"], bool(row["conflict"]), tuple(store.documents_for(ids)))


def _figure_level(store: DataStore, f: Figure) -> Level:
    return Level(f.value, f.status, f.conflict, tuple(store.documents_for(f.source_ids)))


def _side(
    store: DataStore, ind: str, measure: str, unit: str, period: str, ptype: str, total: Figure
) -> Side:
    """One side of a comparison; ``total`` is the side's total figure (asked once by ``explain``: the agency
    and the total's change read it too)."""
    rows = store.breakdown(ind, period, ptype, measure, unit)
    shares = store.breakdown(ind, period, ptype, "share_pct", "percent")
    countries = {r["country_iso3"]: _level(store, r) for r in rows.iter_rows(named=True)}
    other = countries.pop(OTHER, None)
    months = None
    if ptype == "quarter" and not total.reported:
        months = sum(
            store.figure(ind, m, "month", TOTAL, measure, unit).reported for m in months_of_quarter(period)
        )
    return Side(
        period,
        ptype,
        period_label(parse_period(period, ptype)),
        _figure_level(store, total),
        countries,
        other,
        {r["country_iso3"]: _level(store, r) for r in shares.iter_rows(named=True)},
        partial_note(period, ptype, months),
    )


def _agency(store: DataStore, f: Figure) -> str | None:
    """The agency credited with a side's total ``f`` (a "(via …)" or "(…not named…)" remark left out)."""
    if not f.reported:
        return None
    rows = store.source_rows(f.source_ids)
    agencies = {_AGENCY_NOTE.sub("", a) for a in rows["agency"].to_list() if a}
    return sorted(agencies)[0] if len(agencies) == 1 else None


# -- the rules ----------------------------------------------------------------------------------------------
def _refuse(ind: str, measure: str, unit: str, code: str, /, **args: object) -> Explanation:
    return Explanation(ind, measure, unit, False, refusal=code, message=_(REFUSALS[code]).format(**args))


def _when(side: Side) -> str:
    return side.label if side.period_type == "date" else _("in {period}").format(period=side.label)


def _check_periods(cur: Period, base: Period) -> tuple[str, dict] | None:
    """Why two periods cannot be compared (a REFUSALS code and its arguments), or None."""
    labels = {"current": period_label(cur), "base": period_label(base)}
    if cur.id == base.id and cur.type == base.type:
        return "same_period", {"period": labels["current"]}
    if cur.type != base.type:
        return "period_types", labels | {
            "current_type": _(KIND_WORDS[cur.type]),
            "base_type": _(KIND_WORDS[base.type]),
        }
    if cur.type == "ytd":
        for p in (cur, base):
            if p.end is None:
                return "ytd_end", {"period": period_label(p)}
        assert cur.end is not None and base.end is not None
        if (cur.end.month, cur.end.day) != (base.end.month, base.end.day):
            return "ytd_length", labels
    return None


def _derived_total(
    store: DataStore, ind: str, period: str, ptype: str, measure: str, unit: str
) -> float | None:
    """The total a side's derived country counts were computed from (None when none is derived)."""
    rows = store.breakdown(ind, period, ptype, measure, unit).filter(pl.col("status") == DERIVED)
    for how in rows["derivation"].to_list():
        rec = derivations.record(how)
        if rec and rec.get("kind") == derivations.SHARE_OF_TOTAL:
            return float(rec["total"])
    return None


def _pct(after: float | None, before: float | None) -> float | None:
    if after is None or before is None or before == 0:
        return None
    return (after / before - 1.0) * 100.0


def _contributions(cur: Side, base: Side) -> tuple[tuple[Contribution, ...], tuple[Listed, ...]]:
    both = [c for c in cur.countries if c in base.countries]
    out = []
    for c in both:
        a, b = cur.countries[c], base.countries[c]
        if a.value is None or b.value is None:
            continue
        out.append(
            Contribution(
                c,
                b.value,
                a.value,
                a.value - b.value,
                _pct(a.value, b.value),
                None,
                DERIVED in (a.status, b.status),
                a.conflict or b.conflict,
                not set(a.documents) & set(b.documents),
            )
        )
    if cur.total.value is not None and base.total.value is not None:
        rest_after = cur.total.value - sum(cur.countries[c].value or 0.0 for c in both)
        rest_before = base.total.value - sum(base.countries[c].value or 0.0 for c in both)
        if both:
            out.append(
                Contribution(
                    OTHER,
                    rest_before,
                    rest_after,
                    rest_after - rest_before,
                    _pct(rest_after, rest_before),
                    None,
                    True,
                    cur.total.conflict or base.total.conflict,
                )
            )
        total_change = cur.total.value - base.total.value
        if total_change:
            out = [replace(x, share_of_change=(x.change or 0.0) / total_change * 100.0) for x in out]
    named = sorted((x for x in out if x.country != OTHER), key=lambda x: -abs(x.change or 0.0))
    rest = [x for x in out if x.country == OTHER]
    listed = [
        Listed(c, side.period, side.countries[c].value, side.countries[c].status == DERIVED)
        for side, other in ((cur, base), (base, cur))
        for c in sorted(side.countries, key=lambda k: -(side.countries[k].value or 0.0))
        if c not in other.countries
    ]
    return tuple(named + rest), tuple(listed)


def _share(side: Side, country: str) -> tuple[float | None, str, bool]:
    """A country's share of a side's total: printed, else level / total (derived); and whether a value
    used was chosen among differing sources."""
    printed = side.shares.get(country)
    if printed is not None and printed.value is not None:
        return printed.value, PUBLISHED, printed.conflict
    level = side.countries.get(country)
    if level is None or level.value is None or not side.total.value:
        return None, NOT_REPORTED, False
    return level.value / side.total.value * 100.0, DERIVED, level.conflict or side.total.conflict


def _leader(side: Side) -> tuple[str, bool] | None:
    """The largest country a side lists, and whether the data proves it first of all (it is at least the
    part of the total the source did not itemise, as ``findings.Breakdown.leader``). A tie gives none."""
    ranked = sorted(
        ((c, lv.value) for c, lv in side.countries.items() if lv.value is not None), key=lambda x: -x[1]
    )
    if not ranked or side.total.value is None:
        return None
    if len(ranked) > 1 and math.isclose(ranked[0][1], ranked[1][1]):
        return None
    remainder = side.total.value - sum(v for _c, v in ranked)
    return ranked[0][0], ranked[0][1] >= remainder


def _concentration(cur: Side, base: Side) -> Concentration | None:
    lead = _leader(cur)
    if lead is None or lead[0] not in base.countries:
        return None
    top, proven = lead
    after, a_status, a_conflict = _share(cur, top)
    before, b_status, b_conflict = _share(base, top)
    if after is None or before is None:
        return None
    return Concentration(top, before, after, b_status, a_status, proven, a_conflict or b_conflict)


def _total_change(store: DataStore, cur: Side, base: Side, now: Figure, then: Figure) -> TotalChange:
    """The change of the total from ``base`` to ``cur`` (``now`` and ``then``: their total figures)."""
    if cur.total.value is None or base.total.value is None:
        return TotalChange(None, None, NOT_REPORTED)
    absolute = cur.total.value - base.total.value
    computed = _pct(cur.total.value, base.total.value)
    p = parse_period(cur.period, cur.period_type)
    printed_measure = None
    if (prev := previous_period(p)) is not None and prev.id == base.period:
        printed_measure = "change_pct_prev"
    elif (y := year_earlier(p)) is not None and y.id == base.period:
        printed_measure = "change_pct_yoy"
    if printed_measure:
        ch = store.change(now, then, printed_measure, "")
        if ch.status == PUBLISHED and ch.value is not None:
            conflict = computed is not None and abs(ch.value - computed) > CONFLICT_PP
            return TotalChange(absolute, ch.value, PUBLISHED, computed if conflict else None, conflict)
    return TotalChange(absolute, computed, DERIVED)


def _caveats(ind: Indicator, sides: Iterable[Side]) -> tuple[str, ...]:
    """The indicator's catalogue notes that name one of the periods (matched in English, shown translated),
    and each side's partial-period note."""
    used = [period_label(parse_period(s.period, s.period_type), i18n.DEFAULT) for s in sides]
    shown = ind.notes
    cat = english_catalogue()
    english = cat.indicator(ind.id).notes if cat.has_indicator(ind.id) else shown
    if len(english) != len(shown):
        english = shown
    notes = [shown[i] for i, n in enumerate(english) if any(label in n for label in used)]
    partial = [s.partial if s.label in s.partial else f"{s.label}: {s.partial}" for s in sides if s.partial]
    return tuple(notes + partial)


# -- entry point --------------------------------------------------------------------------------------------
def explain(
    store: DataStore,
    indicator: str,
    measure: str,
    unit: str,
    period: str,
    period_type: str,
    base_period: str,
    base_type: str,
    *,
    breaks: Iterable[date] | None = None,
    release: int | None = None,
) -> Explanation:
    """Why ``indicator`` changed from ``base_period`` to ``period`` (see the module's rules). Never raises for
    bad input: a refusal with its reason instead. ``breaks``: days on which the series' definition changed
    (a break between the two periods refuses the comparison); by default the indicator's declared series
    breaks (``kind: break`` in dashboard/events.yaml)."""
    if breaks is None:
        breaks = [e.first for e in events().for_indicator(str(indicator)) if e.kind == "break"]
    cat = catalogue()
    if not cat.has_indicator(indicator):
        return _refuse(indicator, measure, unit, "unknown_indicator", given=repr(str(indicator)[:40]))
    ind = cat.indicator(indicator)
    m = cat.measure(measure) if measure in {x.id for x in cat.measures} else None
    if m is not None and (not m.level or unit == "percent"):
        return _refuse(indicator, measure, unit, "not_a_level", measure=m.label)
    if m is None or measure not in ind.measures or unit not in ind.level_units:
        return _refuse(
            indicator,
            measure,
            unit,
            "unknown_measure",
            indicator=ind.short_title,
            measure=repr(measure)[:30],
            unit=repr(unit)[:30],
        )
    parsed: list[Period] = []
    for pid, ptype in ((period, period_type), (base_period, base_type)):
        try:
            parsed.append(parse_period(pid, ptype))
        except PeriodError:
            example = PERIOD_EXAMPLES.get(str(ptype), PERIOD_EXAMPLES["quarter"])
            return _refuse(indicator, measure, unit, "bad_period", given=repr(str(pid)[:30]), example=example)
    cur_p, base_p = parsed
    why = _check_periods(cur_p, base_p)
    if why:
        return _refuse(indicator, measure, unit, why[0], **why[1])
    early, late = sorted((cur_p, base_p), key=lambda p: p.start)
    if any(early.start < b <= late.start for b in breaks):
        return _refuse(
            indicator,
            measure,
            unit,
            "definition_break",
            base=period_label(base_p),
            current=period_label(cur_p),
        )
    cur_total = store.figure(indicator, period, period_type, TOTAL, measure, unit)
    base_total = store.figure(indicator, base_period, base_type, TOTAL, measure, unit)
    cur = _side(store, indicator, measure, unit, period, period_type, cur_total)
    base = _side(store, indicator, measure, unit, base_period, base_type, base_total)
    for side in (cur, base):
        if side.total.value is None and not side.countries:
            return _refuse(indicator, measure, unit, "no_data", indicator=ind.short_title, when=_when(side))
    for side in (cur, base):
        derived_from = _derived_total(store, indicator, side.period, side.period_type, measure, unit)
        if (
            derived_from is not None
            and side.total.value is not None
            and not math.isclose(derived_from, side.total.value)
        ):
            return _refuse(
                indicator,
                measure,
                unit,
                "share_base",
                period=side.label,
                other=fmt_value(derived_from, unit),
                total=fmt_value(side.total.value, unit),
            )
    a_cur, a_base = _agency(store, cur_total), _agency(store, base_total)
    if a_cur and a_base and a_cur != a_base:
        return _refuse(
            indicator,
            measure,
            unit,
            "source_break",
            current_agency=a_cur,
            base_agency=a_base,
            current=cur.label,
            base=base.label,
        )
    contributions, listed = _contributions(cur, base)
    if (cur.total.value is None or base.total.value is None) and not contributions:
        missing = cur if cur.total.value is None else base
        return _refuse(indicator, measure, unit, "nothing_common", when=_when(missing))
    total = _total_change(store, cur, base, cur_total, base_total)
    result = Explanation(
        indicator,
        measure,
        unit,
        True,
        cur,
        base,
        total,
        contributions,
        listed,
        _concentration(cur, base),
        caveats=_caveats(ind, (base, cur)),
    )
    link = _Links(store, result, release)
    return Explanation(
        **{**_shallow(result), "sentences": tuple(_sentences(ind, result, link)), "href": link.to(())}
    )


def _shallow(e: Explanation) -> dict:
    return {f: getattr(e, f) for f in Explanation.__dataclass_fields__}


# -- links --------------------------------------------------------------------------------------------------
class _Links:
    """The explorer view that proves a sentence: the later period shown, compared with the earlier, the
    countries it names chosen, and a trend range that holds both periods."""

    def __init__(self, store: DataStore, e: Explanation, release: int | None):
        assert e.current is not None and e.base is not None
        self.e, self.release = e, release
        first, last = trend_window(store)
        for side in (e.current, e.base):
            q = quarter_of_day(parse_period(side.period, side.period_type).start)
            first, last = min(first, q, key=_qkey), max(last, q, key=_qkey)
        self.first, self.last = first, last

    def to(self, countries: Iterable[str]) -> str:
        e = self.e
        assert e.current is not None and e.base is not None
        named = tuple(c for c in countries if c not in (OTHER, TOTAL))
        s = ExplorerState(
            e.indicator,
            e.measure,
            e.unit,
            e.current.period,
            e.current.period_type,
            named,
            self.first,
            self.last,
            lang=i18n.current(),
            release=self.release,
            vs=e.base.period,
        )
        return "/explore" + s.to_query()


def _qkey(q: str) -> tuple[int, int]:
    return int(q[:4]), int(q[-1])


# -- sentences ----------------------------------------------------------------------------------------------
def _v(value: float | None, unit: str, derived: bool = False) -> str:
    text = fmt_value(value, unit)
    return _("{value} (derived)").format(value=text) if derived else text


def _signed(value: float, unit: str) -> str:
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + fmt_value(abs(value), unit)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _total_sentence(ind: Indicator, e: Explanation) -> str | None:
    cur, base, t = e.current, e.base, e.total
    assert cur is not None and base is not None and t is not None
    if t.absolute is None:
        missing = [s for s in (base, cur) if s.total.value is None]
        present = [s for s in (base, cur) if s.total.value is not None]
        text = _(
            "No total of {title} was reported {when}, so the change of the total cannot be stated"
        ).format(title=_lower_first(ind.title), when=_when(missing[0]))
        if present:
            text += _(" ({when}: {value})").format(
                when=present[0].label,
                value=_v(present[0].total.value, e.unit, present[0].total.status == DERIVED),
            )
        return _sentence(text)
    ratio = None if t.pct is None else 1.0 + t.pct / 100.0
    phrase = change_phrase(ratio) or _("changed")
    how = _("change as published") if t.status == PUBLISHED else _("computed from the two levels")
    text = _("{subject} {change} from {before} {base} to {after} {current} ({difference}; {how})").format(
        subject=ind.title,
        change=phrase,
        before=_v(base.total.value, e.unit, base.total.status == DERIVED),
        base=_when(base),
        after=_v(cur.total.value, e.unit, cur.total.status == DERIVED),
        current=_when(cur),
        difference=_signed(t.absolute, e.unit),
        how=how,
    )
    if t.conflict and t.computed_pct is not None:
        text += _(
            "; the levels themselves give {computed}, which does not match the printed {printed}"
        ).format(computed=fmt_change_pct(t.computed_pct), printed=fmt_change_pct(t.pct))
    return _sentence(text)


def _driver_item(c: Contribution, unit: str) -> str:
    assert c.change is not None
    amount = _signed(c.change, unit)
    if c.derived:
        amount = _("{value} (derived)").format(value=amount)
    if c.share_of_change is not None and c.share_of_change < 0:
        return _("{country} ({change}, against the overall change)").format(
            country=country_phrase(c.country), change=amount
        )
    if c.share_of_change is not None:
        return _("{country} ({change}, {share} of the change)").format(
            country=country_phrase(c.country), change=amount, share=fmt_value(c.share_of_change, "percent")
        )
    return _("{country} ({change})").format(country=country_phrase(c.country), change=amount)


def _pair_item(c: Contribution, e: Explanation) -> str:
    """'the Russian Federation 33.9 bn KZT → 31.2 bn KZT (−8.0%; figures from different documents)'."""
    assert e.current is not None and e.base is not None
    change = fmt_change_pct(c.change_pct) if c.change_pct is not None else _signed(c.change or 0.0, e.unit)
    text = _("{country} {before} → {after} ({change})").format(
        country=country_phrase(c.country),
        before=_v(c.before, e.unit, e.base.countries[c.country].status == DERIVED),
        after=_v(c.after, e.unit, e.current.countries[c.country].status == DERIVED),
        change=change,
    )
    if c.other_documents:
        text += " " + _("(figures from different documents)")
    return text


def _drivers_sentence(e: Explanation) -> tuple[str, tuple[str, ...]] | None:
    named = [c for c in e.contributions if c.country != OTHER and c.change is not None]
    if not named:
        return None
    top = named[:TOP_DRIVERS]
    if e.total is not None and e.total.absolute is not None:
        items = [_driver_item(c, e.unit) for c in top]
        text = _("Of the change, the largest parts were {items}").format(items=", ".join(items))
        rest = next((c for c in e.contributions if c.country == OTHER), None)
        if rest is not None and rest.change is not None:
            text += _("; all other countries together {change}").format(change=_other_item(rest, e.unit))
    else:
        items = [_pair_item(c, e) for c in top]
        text = _("Listed in both periods, from {base} to {current}: {items}").format(
            base=e.base.label if e.base else "",
            current=e.current.label if e.current else "",
            items="; ".join(items),
        )
    return _sentence(text), tuple(c.country for c in top)


def _other_item(c: Contribution, unit: str) -> str:
    assert c.change is not None
    amount = _("{value} (derived)").format(value=_signed(c.change, unit))
    if c.share_of_change is not None and c.share_of_change < 0:
        return _("{change}, against the overall change").format(change=amount)
    if c.share_of_change is not None:
        return _("{change}, {share} of the change").format(
            change=amount, share=fmt_value(c.share_of_change, "percent")
        )
    return amount


def _listed_sentence(e: Explanation) -> tuple[str, tuple[str, ...]] | None:
    cur, base = e.current, e.base
    assert cur is not None and base is not None
    if not e.listed_once:
        return None
    parts = []
    for side, other in ((cur, base), (base, cur)):
        mine = [x for x in e.listed_once if x.period == side.period]
        if not mine:
            continue
        names = ", ".join(
            _("{country} {value}").format(
                country=country_phrase(x.country), value=_v(x.value, e.unit, x.derived)
            )
            for x in mine[:4]
        )
        more = len(mine) - 4
        if more > 0:
            names += _(" and {n} more").format(n=more)
        if not other.countries:
            parts.append(
                _(
                    "{other} has no country list, so no country's part in the change can be stated "
                    "({period}: {names})"
                ).format(other=other.label, period=side.label, names=names)
            )
        else:
            parts.append(
                _("listed only {when}, not in the list of {other}: {names}").format(
                    when=_when(side), other=other.label, names=names
                )
            )
    return _sentence("; ".join(parts)), tuple(x.country for x in e.listed_once[:8])


def _concentration_sentence(e: Explanation) -> tuple[str, tuple[str, ...]] | None:
    c = e.concentration
    if c is None or c.before is None or c.after is None:
        return None
    before = fmt_value(c.before, "percent")
    after = fmt_value(c.after, "percent")
    if c.before_status == DERIVED:
        before = _("{value} (derived)").format(value=before)
    if c.after_status == DERIVED:
        after = _("{value} (derived)").format(value=after)
    up, down = round(c.after, 1) > round(c.before, 1), round(c.after, 1) < round(c.before, 1)
    if c.proven:
        if up:
            text = _("{country}, the first country, saw its share rise from {before} to {after}")
        elif down:
            text = _("{country}, the first country, saw its share fall from {before} to {after}")
        else:
            text = _("{country}, the first country, kept its share at {after}")
    elif up:
        text = _("{country}, the largest country listed, saw its share rise from {before} to {after}")
    elif down:
        text = _("{country}, the largest country listed, saw its share fall from {before} to {after}")
    else:
        text = _("{country}, the largest country listed, kept its share at {after}")
    text = text.format(country=country_phrase(c.country, start=True), before=before, after=after)
    if c.conflict:
        text += " " + _("(a share chosen among differing sources)")
    return _sentence(text), (c.country,)


def _sentences(ind: Indicator, e: Explanation, link: _Links) -> list[Sentence]:
    out = []
    total = _total_sentence(ind, e)
    if total:
        out.append(Sentence(total, link.to(()), "total"))
    for rule, make in (
        ("drivers", _drivers_sentence),
        ("listed", _listed_sentence),
        ("concentration", _concentration_sentence),
    ):
        got = make(e)
        if got:
            out.append(Sentence(got[0], link.to(got[1]), rule))
    return out[:4]


# -- a view's explanation (the explorer, the API) ------------------------------------------------------------
VS_WORDS = {VS_PREVIOUS: N_("previous period"), VS_YEAR: N_("a year earlier")}


def explain_key(s: ExplorerState) -> tuple:
    """What a view's explanation depends on (not its countries, trend range or drill-down)."""
    return (s.indicator, s.measure, s.unit, s.period, s.period_type, s.vs, s.lang, s.release)


def explain_view(store: DataStore, s: ExplorerState, *, breaks: Iterable[date] | None = None) -> Explanation:
    """The explanation an explorer view shows: its period against its "Compared with" (``s.vs``)."""
    base = comparison_period(store, s.indicator, s.measure, s.unit, s.period, s.period_type, s.vs)
    if base is None:
        label = period_label(parse_period(s.period, s.period_type))
        choice = _(VS_WORDS.get(s.vs, N_("previous period")))
        return _refuse(s.indicator, s.measure, s.unit, "no_comparison", period=label, choice=choice)
    return explain(
        store,
        s.indicator,
        s.measure,
        s.unit,
        s.period,
        s.period_type,
        *base,
        breaks=breaks,
        release=s.release,
    )


# -- the briefing's key findings -----------------------------------------------------------------------------
BRIEFING_RULES = (
    "drivers",
    "listed",
    "concentration",
)  # the total's change is the findings' own "change" rule


def explained_findings(store: DataStore, indicators: Iterable[str], quarter: str) -> list[Finding]:
    """What drove each flow's change on the previous quarter, as key findings of a quarter's briefing: the
    contributions, the countries listed in one quarter only (when some country is listed in both) and the
    first country's share; each with the link to the explorer view that proves it. Refusals are left out: the
    briefing's "change" finding already says what can be said of the total."""
    out = []
    cat = catalogue()
    for ind_id in indicators:
        ind = cat.indicator(ind_id)
        if ind.kind != "flow":  # a stock is counted on days, not quarters
            continue
        e = explain(
            store,
            ind_id,
            ind.default.measure,
            ind.default.unit,
            quarter,
            "quarter",
            previous_quarter(quarter),
            "quarter",
        )
        for s in e.sentences:
            # "no country list on one side" is left to the findings' own breakdown sentences: a briefing
            # names the countries once
            if s.rule in BRIEFING_RULES and (s.rule != "listed" or e.contributions):
                out.append(Finding(f"explain_{s.rule}", s.text, (ind_id,), e.caveats, s.href))
    return out


def with_explanations(findings: Iterable[Finding], explained: Iterable[Finding]) -> list[Finding]:
    """The key findings with each indicator's explained changes placed after its last own finding (an
    indicator with none: at the end, before the findings about several indicators)."""
    out = list(findings)
    for f in explained:
        at = max((i for i, g in enumerate(out) if g.indicators == f.indicators), default=None)
        if at is None:
            at = next((i - 1 for i, g in enumerate(out) if len(g.indicators) != 1), len(out) - 1)
        out.insert(at + 1, f)
    return out


# -- a country's part (the country page) ---------------------------------------------------------------------
@dataclass(frozen=True)
class CountryChange:
    """One country's part in an indicator's latest change: the numbers, one sentence and its proof's link."""

    indicator: str
    country: str
    contribution: Contribution | None  # listed in both periods: its change and share of the total change
    listed_once: Listed | None  # listed in one period only (no change is stated)
    text: str
    href: str
    explanation: Explanation

    def to_dict(self) -> dict:
        return asdict(self)


def country_change(
    store: DataStore, iso3: str, indicator: str, vs: str = VS_PREVIOUS, *, release: int | None = None
) -> CountryChange | None:
    """For a country page: the country's part in the change of ``indicator`` (default measure and unit)
    from the period before its latest figure (``vs``: prev or year) to that figure. None when the country
    has no figure, the indicator no comparison, or the explanation is refused."""
    cat = catalogue()
    if not cat.has_indicator(indicator):
        return None
    ind = cat.indicator(indicator)
    measure, unit = ind.default.measure, ind.default.unit
    latest = store.latest_period(indicator, None, measure, unit, country=iso3)
    if latest is None:
        return None
    base = comparison_period(store, indicator, measure, unit, latest.id, latest.type, vs)
    if base is None:
        return None
    e = explain(store, indicator, measure, unit, latest.id, latest.type, *base, release=release)
    if not e.ok or e.current is None or e.base is None:
        return None
    link = _Links(store, e, release).to((iso3,))
    part = next((c for c in e.contributions if c.country == iso3), None)
    once = next((x for x in e.listed_once if x.country == iso3), None)
    if part is not None:
        item = _pair_item(part, e)
        if part.share_of_change is not None:
            item = (
                _("{country} ({change}, {share} of the change)").format(
                    country=item,
                    change=_signed(part.change or 0.0, unit),
                    share=fmt_value(part.share_of_change, "percent"),
                )
                if part.share_of_change >= 0
                else _("{country} ({change}, against the overall change)").format(
                    country=item, change=_signed(part.change or 0.0, unit)
                )
            )
        text = _("Listed in both periods, from {base} to {current}: {items}").format(
            base=e.base.label, current=e.current.label, items=item
        )
    elif once is not None:
        side, other = (e.current, e.base) if once.period == e.current.period else (e.base, e.current)
        names = _("{country} {value}").format(
            country=country_phrase(iso3), value=_v(once.value, unit, once.derived)
        )
        if other.countries:
            text = _("listed only {when}, not in the list of {other}: {names}").format(
                when=_when(side), other=other.label, names=names
            )
        else:
            text = _(
                "{other} has no country list, so no country's part in the change can be stated "
                "({period}: {names})"
            ).format(other=other.label, period=side.label, names=names)
    else:
        return None
    return CountryChange(indicator, iso3, part, once, _sentence(text), link, e)
