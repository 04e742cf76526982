"""The quarterly briefing's content for one quarter, assembled from the data API (no Dash here).

Sections follow the IOM MTM quarterly report (migration flows; residence permits; visas; labour migration;
remittances), each with its headline numbers, the comparison with the previous quarter and a year earlier,
up to two charts from ``dashboard.figures``, and the numbers of the documents it rests on; then the key
findings (``dashboard.findings``) and the list of every document used on the page.

Comparisons follow ``DataStore.headline``: a change printed by the source beside the level (published),
else computed here from the two levels (labelled computed), else "not reported". Titles, units and domain
names come from the catalogue; numbers are formatted by ``dashboard.formatting``. Every text is written in the
language in force (``i18n.use``): build the briefing inside the language it is shown in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import urlencode

import plotly.graph_objects as go
import polars as pl
from babel.dates import format_date

from dashboard import chart_notes, figures, i18n
from dashboard.catalogue import Indicator, catalogue, english_catalogue
from dashboard.countries import OTHER, TOTAL, country_name
from dashboard.data import DERIVED, NOT_REPORTED, PUBLISHED, Change, DataStore, Figure
from dashboard.explain import explained_findings, with_explanations
from dashboard.findings import Breakdown, Finding, IndicatorQuarter, Part, key_findings, month_value
from dashboard.formatting import fmt_change_pct, fmt_value, not_reported
from dashboard.i18n import N_, _, ngettext
from dashboard.periods import (
    PeriodError,
    months_of_quarter,
    parse_period,
    period_label,
    previous_quarter,
    quarter_of_month,
    quarter_range,
    same_quarter_last_year,
    split_quarter,
    year_earlier,
)
from dashboard.release_text import revised_note

LEVEL_MEASURES = ("count", "amount", "share_pct")
TREND_QUARTERS = 8  # quarters drawn in a trend chart, ending with the briefing's quarter
MAX_CHARTS = 2  # per section (two side by side fit the width of an A4 page)


@dataclass(frozen=True)
class SectionSpec:
    """One section of the report: a catalogue domain, its indicators, and the chart kinds to try in order."""

    id: str
    domain: str
    indicators: tuple[str, ...]
    charts: tuple[str, ...] = ("donut", "series", "countries")


def _sections() -> tuple[SectionSpec, ...]:
    """The briefing's sections, from the catalogue: a section per domain, its indicators in their order."""
    return tuple(
        SectionSpec(d.id, d.id, tuple(i.id for i in inds), d.briefing_charts)
        for d, inds in english_catalogue().briefing_sections()
    )


SECTIONS: tuple[SectionSpec, ...] = _sections()
FINDINGS_ID, SOURCES_ID = "key-findings", "sources"
FINDINGS_TITLE, SOURCES_TITLE = N_("Key findings"), N_("Sources")  # shown as _(FINDINGS_TITLE)


def briefing_indicators() -> tuple[str, ...]:
    return tuple(i for s in SECTIONS for i in s.indicators)


# -- which quarters ---------------------------------------------------------------------------------------
def quarters_with_data(store: DataStore) -> list[str]:
    """Quarters with any quarter- or month-level figure of a briefing indicator, in time order."""
    rows = store.preferred.filter(
        pl.col("indicator").is_in(list(briefing_indicators()))
        & pl.col("measure").is_in(list(LEVEL_MEASURES))
        & pl.col("period_type").is_in(["quarter", "month", "date"])
    ).select("period", "period_type")
    found = {_quarter_of(r["period"], r["period_type"]) for r in rows.unique().iter_rows(named=True)}
    return sorted(found, key=split_quarter)


def fullest_quarter(store: DataStore) -> str | None:
    """The default briefing: the quarter with quarter- or month-level figures for the most indicators (the
    latest such quarter on a tie) — a stock counted on one day alone does not make a quarterly briefing."""
    rows = (
        store.preferred.filter(
            pl.col("indicator").is_in(list(briefing_indicators()))
            & pl.col("measure").is_in(list(LEVEL_MEASURES))
            & pl.col("period_type").is_in(["quarter", "month"])
        )
        .select("indicator", "period", "period_type")
        .unique()
    )
    count: dict[str, set[str]] = {}
    for r in rows.iter_rows(named=True):
        count.setdefault(_quarter_of(r["period"], r["period_type"]), set()).add(r["indicator"])
    if not count:
        return None
    return max(count, key=lambda q: (len(count[q]), split_quarter(q)))


@dataclass(frozen=True)
class QuarterChoice:
    quarter: str
    label: str
    has_data: bool


def quarter_choices(store: DataStore) -> list[QuarterChoice]:
    """Every quarter from the first to the last with data; those without any figure are marked so."""
    with_data = quarters_with_data(store)
    if not with_data:
        return []
    have = set(with_data)
    return [QuarterChoice(q, _qlabel(q), q in have) for q in quarter_range(with_data[0], with_data[-1])]


def resolve_quarter(store: DataStore, period: str | None) -> tuple[str | None, str | None]:
    """The quarter to show and a notice when the requested one was not usable (it falls back to the latest
    quarter with data). A well-formed quarter inside the data's range is shown even when it has gaps."""
    with_data = quarters_with_data(store)
    if not with_data:
        return None, _("No quarterly figures are available.")
    latest = with_data[-1]
    if period is None or not str(period).strip():
        return fullest_quarter(store) or latest, None
    text = str(period).strip()[:40]
    try:
        q = parse_period(text.upper(), "quarter").id
    except PeriodError:
        return latest, _(
            "“{given}” is not a quarter (expected e.g. 2023-Q2); showing {latest}, "
            "the latest quarter with data."
        ).format(given=text, latest=_qlabel(latest))
    if split_quarter(q) < split_quarter(with_data[0]) or split_quarter(q) > split_quarter(latest):
        return latest, _(
            "The data has no figures for {quarter} (it covers {first} to {last}); showing {latest}, "
            "the latest quarter with data."
        ).format(
            quarter=_qlabel(q), first=_qlabel(with_data[0]), last=_qlabel(latest), latest=_qlabel(latest)
        )
    return q, None


def _quarter_of(period: str, period_type: str) -> str:
    if period_type == "quarter":
        return period
    if period_type == "month":
        return quarter_of_month(period)
    d = parse_period(period, period_type).start  # a stock as of a date
    return f"{d.year}-Q{(d.month + 2) // 3}"


def _qlabel(q: str) -> str:
    return period_label(parse_period(q, "quarter"))


def quarter_months_label(q: str) -> str:
    """'April–June 2023'; Russian 'Апрель–июнь 2023', Kazakh 'Сәуір–маусым 2023' (Babel's month names)."""
    months = months_of_quarter(q)
    a, b = (parse_period(m, "month").start for m in (months[0], months[-1]))
    lang = i18n.current()
    first, last = format_date(a, "LLLL", locale=lang), format_date(b, "LLLL", locale=lang)
    if lang != i18n.DEFAULT:  # month names are common nouns in Russian and Kazakh: only the first is capital
        first, last = first.lower(), last.lower()
    text = f"{first}–{last} {b.year}"
    return text[:1].upper() + text[1:]


# -- sources ----------------------------------------------------------------------------------------------
class _Sources:
    """Source ids in order of first use, per section and for the whole page."""

    def __init__(self) -> None:
        self.ids: dict[str, None] = {}
        self.derived = False  # some value added was computed here
        self.conflicting = False  # some value added was chosen among sources that differ

    def add(self, ids: Iterable[str] | None) -> None:
        for sid in ids or ():
            if sid:
                self.ids.setdefault(sid, None)

    def add_figure(self, f: Figure | None) -> None:
        if f is not None and f.reported:
            self.add(f.source_ids)
            self.derived |= f.status == DERIVED
            self.conflicting |= bool(f.conflict)

    def add_change(self, c: Change) -> None:
        if c.value is not None:
            self.add(c.source_ids)

    def add_rows(self, rows: pl.DataFrame) -> None:
        if rows.is_empty():
            return
        rows = rows.filter(pl.col("value").is_not_null()) if "value" in rows.columns else rows
        if "status" in rows.columns:
            self.derived |= bool((rows["status"] == DERIVED).any())
        if "conflict" in rows.columns:
            self.conflicting |= bool(rows["conflict"].fill_null(False).any())
        if "derived_from" in rows.columns:
            for lst in rows["derived_from"].to_list():
                self.add(lst)
        if "source_id" in rows.columns:
            self.add(s for s in rows["source_id"].to_list() if s)


@dataclass(frozen=True)
class SourceEntry:
    number: int
    document: str
    agencies: tuple[str, ...]
    publisher: str
    kind: str
    url: str | None  # None: the seed text (no link)
    published: date | None
    published_basis: str


def _source_entries(store: DataStore, ids: Iterable[str]) -> tuple[list[SourceEntry], dict[str, int]]:
    """Documents behind some source ids, numbered in order of first use; and source id -> number."""
    ids = list(dict.fromkeys(ids))
    rows = {r["source_id"]: r for r in store.source_rows(ids).iter_rows(named=True)}
    docs: dict[str, dict] = {}
    number_of: dict[str, int] = {}
    for sid in ids:
        r = rows.get(sid)
        if r is None:
            continue
        d = docs.get(r["document_id"])
        if d is None:
            d = docs[r["document_id"]] = {"row": r, "agencies": {}, "number": len(docs) + 1}
        d["agencies"].setdefault(r["agency"], None)
        number_of[sid] = d["number"]
    entries = [
        SourceEntry(
            number=d["number"],
            document=d["row"]["document"],
            agencies=tuple(d["agencies"]),
            publisher=d["row"]["publisher"],
            kind=d["row"]["kind"],
            url=None if d["row"]["url"] in ("", "seed") else d["row"]["url"],
            published=d["row"]["published"],
            published_basis=d["row"]["published_basis"],
        )
        for d in docs.values()
    ]
    return entries, number_of


# -- facts of one indicator -------------------------------------------------------------------------------
def _level(ind: Indicator) -> tuple[str, str]:
    return ind.default.measure, ind.default.unit


def breakdown(
    store: DataStore, ind: Indicator, period: str, period_type: str = "quarter"
) -> tuple[Breakdown | None, pl.DataFrame]:
    """Counterpart countries of a period (levels in the default unit and shares), and the rows used."""
    measure, unit = _level(ind)
    levels = store.breakdown(ind.id, period, period_type, measure, unit).filter(pl.col("value").is_not_null())
    shares = (
        store.breakdown(ind.id, period, period_type, "share_pct", "percent").filter(
            pl.col("value").is_not_null()
        )
        if "share_pct" in ind.measures
        else levels.clear()
    )
    if levels.is_empty() and shares.is_empty():
        return None, levels
    total = store.figure(ind.id, period, period_type, TOTAL, measure, unit)
    by: dict[str, dict] = {}
    for r in levels.iter_rows(named=True):
        by.setdefault(r["country_iso3"], {})["level"] = r
    for r in shares.iter_rows(named=True):
        by.setdefault(r["country_iso3"], {})["share"] = r
    parts = []
    for code, d in by.items():
        lv, sh = d.get("level"), d.get("share")
        value = lv["value"] if lv else None
        share, share_status = (sh["value"], sh["status"]) if sh else (None, NOT_REPORTED)
        if share is None and value is not None and total.reported and total.value:
            share, share_status = value / total.value * 100.0, DERIVED
        parts.append(
            Part(
                code,
                value=value,
                value_status=lv["status"] if lv else NOT_REPORTED,
                share=share,
                share_status=share_status,
            )
        )
    parts.sort(key=lambda p: (p.country == OTHER, -(p.share if p.share is not None else -1), -(p.value or 0)))
    frame = pl.concat([levels, shares], how="vertical")
    return Breakdown(period, unit, total.value, tuple(parts), period_type), frame


def is_stock_by_date(ind: Indicator) -> bool:
    """A stock published only "as of" dates: its quarter figure is the last one dated inside the quarter."""
    return ind.kind == "stock" and "quarter" not in ind.granularities


def _in_quarter(store: DataStore, ind: Indicator, quarter: str) -> Figure:
    """The indicator's total for a quarter: the quarter's figure, or for a stock the last as-of date in it."""
    measure, unit = _level(ind)
    if not is_stock_by_date(ind):
        return store.figure(ind.id, quarter, "quarter", TOTAL, measure, unit)
    q = parse_period(quarter, "quarter")
    dates = store.preferred.filter(
        (pl.col("indicator") == ind.id)
        & (pl.col("period_type") == "date")
        & (pl.col("country_iso3") == TOTAL)
        & (pl.col("measure") == measure)
        & (pl.col("unit") == unit)
        & (pl.col("period_start") >= q.start)
        & (pl.col("period_start") <= q.end)
    ).sort("period_start")
    if dates.is_empty():
        return store.figure(ind.id, quarter, "quarter", TOTAL, measure, unit)  # not reported
    return store.figure(ind.id, dates["period"][-1], "date", TOTAL, measure, unit)


def _year_before(store: DataStore, cur: Figure) -> Figure | None:
    """For a stock counted on a day: the count on the same day a year earlier, when there is one (a printed
    year-on-year change refers to that day, not to the last date of that quarter)."""
    if cur.period_type != "date":
        return None
    day = year_earlier(parse_period(cur.period, "date"))
    if day is None:
        return None
    f = store.figure(cur.indicator, day.id, "date", cur.country_iso3, cur.measure, cur.unit)
    return f if f.reported else None


def _breakdown_of(store: DataStore, ind: Indicator, quarter: str) -> tuple[Breakdown | None, pl.DataFrame]:
    if not is_stock_by_date(ind):
        return breakdown(store, ind, quarter)
    f = _in_quarter(store, ind, quarter)
    if f.period_type != "date":
        return None, pl.DataFrame()
    return breakdown(store, ind, f.period, "date")


def indicator_quarter(store: DataStore, indicator_id: str, quarter: str) -> IndicatorQuarter:
    """The facts of one indicator in one quarter: total, comparisons, breakdowns and months."""
    ind = catalogue().indicator(indicator_id)
    measure, unit = _level(ind)
    prev_q, yoy_q = previous_quarter(quarter), same_quarter_last_year(quarter)
    cur = _in_quarter(store, ind, quarter)
    prev = _in_quarter(store, ind, prev_q)
    yago = _year_before(store, cur) or _in_quarter(store, ind, yoy_q)
    # the data API's comparison rule: published beside the level, else computed, else not reported
    change_prev = store.change(cur, prev, "change_pct_prev", "previous period")
    change_yoy = store.change(cur, yago, "change_pct_yoy", "a year earlier")
    months = (
        tuple(store.months_of_quarter(ind.id, quarter, TOTAL, measure, unit))
        if "month" in store.period_types(ind.id)
        else ()
    )
    return IndicatorQuarter(
        indicator=ind,
        quarter=quarter,
        unit=unit,
        current=cur,
        previous=prev,
        year_ago=yago,
        change_prev=change_prev,
        change_yoy=change_yoy,
        breakdown=_breakdown_of(store, ind, quarter)[0],
        previous_breakdown=_breakdown_of(store, ind, prev_q)[0],
        year_ago_breakdown=_breakdown_of(store, ind, yoy_q)[0],
        months=months,
    )


# -- the content ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Comparison:
    against: str  # "Previous quarter" / "A year earlier" (in the language of the briefing)
    period_label: str
    figure: Figure | None
    change: Change
    how: str = ""  # how the change was obtained (the basis label's tooltip)
    # written when built, in the language in force (like every text of the briefing):
    level_text: str = field(init=False)  # '82,000 permits' or 'not reported'
    change_text: str = field(init=False)  # '+276.5%'
    basis: str = field(init=False)  # 'published' (by the source, with the level), 'computed' (here), or ''

    def __post_init__(self) -> None:
        f, c = self.figure, self.change
        basis = "" if c.value is None else (_("published") if c.status == PUBLISHED else _("computed"))
        object.__setattr__(self, "level_text", value_with_date(f) if f is not None else not_reported())
        object.__setattr__(self, "change_text", fmt_change_pct(c.value))
        object.__setattr__(self, "basis", basis)


@dataclass(frozen=True)
class HeadlineRow:
    facts: IndicatorQuarter
    title: str
    value_text: str
    also: tuple[str, ...]  # the same total in the indicator's other units
    notes: tuple[str, ...]  # derived / chosen among sources
    comparisons: tuple[Comparison, Comparison]
    details: tuple[str, ...]  # breakdown by country, months, figures for some countries only
    sources: tuple[int, ...] = ()  # the page's numbers of source_ids (set by build_briefing)
    source_ids: tuple[str, ...] = ()  # the row's sources, as _section finds them


@dataclass(frozen=True)
class Chart:
    key: str
    figure: go.Figure
    alt: str
    # what a chart needs outside the page (slides, Word): set by _chart
    kind: str = ""  # months, donut, series or countries
    view: str = ""  # the explorer query of the same chart ('?indicator=…'), in the briefing's language
    source_ids: tuple[str, ...] = ()  # the source rows behind the values drawn
    derived: bool = False
    conflicting: bool = False
    partial: str = ""  # what the chart lacks, in words ('' when it shows everything for its period)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    description: str
    rows: tuple[HeadlineRow, ...]
    charts: tuple[Chart, ...]
    missing: str | None  # one line: what was not reported (and longer periods that cover the quarter)
    sources: tuple[int, ...] = ()

    @property
    def has_data(self) -> bool:
        return bool(self.rows)


@dataclass(frozen=True)
class Briefing:
    quarter: str | None
    label: str
    months_label: str
    notice: str | None
    choices: tuple[QuarterChoice, ...]
    sections: tuple[Section, ...]
    findings: tuple[Finding, ...]
    sources: tuple[SourceEntry, ...]
    data_version: str
    latest_source_date: date | None = None
    facts: tuple[IndicatorQuarter, ...] = field(default=(), repr=False)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


def value_with_date(f: Figure) -> str:
    """'308,710 permits'; a stock adds its date: '14,286 persons (as of 1 August 2023)'."""
    text = figures.value_text(f.value, f.unit)
    if f.reported and f.period_type == "date":
        text += f" ({f.period_label})"
    return text


def _period_of(iq: IndicatorQuarter) -> tuple[str, str]:
    """Where the quarter's figure sits: the quarter, or the as-of date of a stock."""
    if iq.reported:
        return iq.current.period, iq.current.period_type
    return iq.quarter, "quarter"


def _counterpart_heading(ind: Indicator) -> str:
    meaning = catalogue().counterparts.get(ind.counterpart, "")
    return meaning if meaning and ind.counterpart != "none" else _("By country")


def _breakdown_text(b: Breakdown | None, ind: Indicator, limit: int = 5) -> str | None:
    if b is None or not b.parts:
        return None
    items = []
    for p in b.parts[:limit]:
        name = country_name(p.country)
        if p.share is not None and p.share_status == PUBLISHED:
            items.append(_("{country} {value}").format(country=name, value=fmt_value(p.share, "percent")))
        elif p.value is not None:
            marks = [
                _("derived") if p.value_status == DERIVED else "",
                fmt_value(p.share, "percent") if p.share is not None else "",
            ]
            suffix = ", ".join(m for m in marks if m)
            value = figures.value_text(p.value, b.unit) + (f" ({suffix})" if suffix else "")
            items.append(_("{country} {value}").format(country=name, value=value))
        elif p.share is not None:
            items.append(
                _("{country} {value} (computed)").format(country=name, value=fmt_value(p.share, "percent"))
            )
    if not items:
        return None
    if len(b.parts) > limit:
        n = len(b.parts) - limit
        items.append(ngettext("and {n} more", "and {n} more", n).format(n=n))
    text = _("{heading}: {items}") if b.total is not None else _("{heading} (no total reported): {items}")
    return text.format(heading=_counterpart_heading(ind), items="; ".join(items))


def _months_text(months: tuple[Figure, ...]) -> str | None:
    if not months or not any(m.reported for m in months):
        return None
    items = "; ".join(month_value(m.period_label, figures.value_text(m.value, m.unit)) for m in months)
    return _("Months: {months}").format(months=items)


def _notes(f: Figure) -> tuple[str, ...]:
    out = []
    if f.status == DERIVED:  # the data's own record of how, said in the reader's language
        how = figures.derivation_text(f.derivation) if f.derivation else None
        out.append(_("derived: {how}").format(how=how) if how else _("derived (computed here)"))
    if f.conflict:
        n = len(f.alternatives)
        out.append(
            ngettext(
                "chosen among {n} sources that differ", "chosen among {n} sources that differ", n
            ).format(n=n)
            if n > 1
            else _("chosen among sources that differ")
        )
    revised = revised_note(
        {
            "revised_in": f.revised_in,
            "previous_value": f.previous_value,
            "revision_reason": f.revision_reason,
        },
        f.unit,
    )
    if revised:
        out.append(revised)
    return tuple(out)


def _other_units(store: DataStore, iq: IndicatorQuarter, sources: _Sources) -> tuple[str, ...]:
    out = []
    for unit in iq.indicator.level_units:
        if unit == iq.unit:
            continue
        f = store.figure(iq.indicator.id, *_period_of(iq), TOTAL, iq.current.measure, unit)
        if f.reported:
            sources.add_figure(f)
            out.append(figures.value_text(f.value, unit))
    return tuple(out)


def _country_months(store: DataStore, iq: IndicatorQuarter, sources: _Sources) -> str | None:
    """Month figures for single countries that have no figure for the whole quarter (e.g. one sender)."""
    ind = iq.indicator
    if "month" not in store.period_types(ind.id):
        return None
    in_quarter = {c.country for c in (iq.breakdown.parts if iq.breakdown else ())}
    rows = store.preferred.filter(
        (pl.col("indicator") == ind.id)
        & (pl.col("period_type") == "month")
        & pl.col("period").is_in(months_of_quarter(iq.quarter))
        & pl.col("measure").is_in(list(LEVEL_MEASURES))
        & (pl.col("country_iso3") != TOTAL)
        & ~pl.col("country_iso3").is_in(list(in_quarter))
    ).sort("period", "country_iso3", "unit")
    if rows.is_empty():
        return None
    sources.add_rows(rows)
    items = [
        _("{country}, {period}: {value}").format(
            country=country_name(r["country_iso3"]),
            period=period_label(parse_period(r["period"], "month")),
            value=figures.value_text(r["value"], r["unit"]),
        )
        for r in rows.iter_rows(named=True)
    ]
    return _("Reported for single countries and months only: {items}").format(items="; ".join(items))


def _longer_periods(store: DataStore, iq: IndicatorQuarter, sources: _Sources) -> str | None:
    """The shortest half-year, year-to-date or year total containing the quarter, as context (never split)."""
    q = parse_period(iq.quarter, "quarter")
    measure, unit = _level(iq.indicator)
    rows = store.preferred.filter(
        (pl.col("indicator") == iq.indicator.id)
        & (pl.col("country_iso3") == TOTAL)
        & (pl.col("measure") == measure)
        & (pl.col("unit") == unit)
        & pl.col("period_type").is_in(["half", "ytd", "year"])
        & pl.col("period_end").is_not_null()
        & (pl.col("period_start") <= q.start)
        & (pl.col("period_end") >= q.end)
    )
    if rows.is_empty():
        return None
    r = (
        rows.with_columns((pl.col("period_end") - pl.col("period_start")).alias("_len"))
        .sort("_len")
        .row(0, named=True)
    )
    sources.add([*(r["derived_from"] or []), r["source_id"]])
    label = period_label(parse_period(r["period"], r["period_type"]))
    return f"{iq.indicator.short_title}, {label}: {figures.value_text(r['value'], unit)}"


def _how(iq: IndicatorQuarter, other: Figure | None, change: Change, published: str) -> str:
    """The tooltip of a change: as published by the source, or computed from the two levels."""
    if change.value is None:
        return ""
    if change.status == PUBLISHED:
        return published
    return _("computed: {current} against {other}").format(
        current=iq.current.period_label, other=other.period_label if other is not None else ""
    )


def _comparisons(iq: IndicatorQuarter) -> tuple[Comparison, Comparison]:
    return (
        Comparison(
            _("Previous quarter"),
            _qlabel(previous_quarter(iq.quarter)),
            iq.previous,
            iq.change_prev,
            _how(iq, iq.previous, iq.change_prev, _("as published (previous period)")),
        ),
        Comparison(
            _("A year earlier"),
            _qlabel(same_quarter_last_year(iq.quarter)),
            iq.year_ago,
            iq.change_yoy,
            _how(iq, iq.year_ago, iq.change_yoy, _("as published (a year earlier)")),
        ),
    )


def _shares_rows(store: DataStore, iq: IndicatorQuarter) -> pl.DataFrame:
    """Shares for the donut: as published; else computed from published levels and the published total."""
    ind = iq.indicator
    period, ptype = _period_of(iq)
    if "share_pct" in ind.measures:
        shares = store.breakdown(ind.id, period, ptype, "share_pct", "percent")
        shares = shares.filter(pl.col("value").is_not_null())
        if not shares.is_empty():
            return shares
    measure, unit = _level(ind)
    total = iq.current
    levels = store.breakdown(ind.id, period, ptype, measure, unit).filter(pl.col("value").is_not_null())
    if not total.reported or not total.value or levels.is_empty():
        return levels.clear()
    derivation = [
        _("{value} of the total {total} ({period})").format(
            value=fmt_value(v, unit), total=fmt_value(total.value, unit), period=total.period_label
        )
        for v in levels["value"].to_list()
    ]
    return levels.with_columns(
        (pl.col("value") / total.value * 100.0).alias("value"),
        pl.lit(DERIVED).alias("status"),
        pl.Series("derivation", derivation, dtype=pl.String),
        pl.concat_list(pl.col("source_id"), pl.lit(total.source_ids[0])).alias("derived_from"),
    )


def _trend_range(store: DataStore, ind: Indicator, quarter: str) -> tuple[str, str]:
    """Up to TREND_QUARTERS quarters ending with the briefing's, none before the indicator's first."""
    first = quarter
    for _step in range(TREND_QUARTERS - 1):
        first = previous_quarter(first)
    known = store.periods(ind.id, "quarter")
    if known and split_quarter(known[0]) > split_quarter(first):
        first = known[0]
    return first, quarter


def _view(ind: Indicator, period: str, **more: str) -> str:
    """The explorer query showing the same figures as a briefing chart."""
    measure, unit = _level(ind)
    params = {"indicator": ind.id, "measure": measure, "unit": unit, "period": period, **more}
    return "?" + urlencode({**params, "lang": i18n.current()}, safe=",")


def _partial(kind: str, iq: IndicatorQuarter, chart: Chart) -> str:
    """What a drawn chart lacks: months or quarters not reported, or countries without a total."""
    if kind == "months":
        n = sum(1 for m in iq.months if m.reported)
        if n < len(iq.months):
            return chart_notes.months_missing(n, len(iq.months))
    elif kind == "countries":
        return chart_notes.countries_only()
    elif kind == "series" and any(None in (t.y or ()) for t in chart.figure.data):
        return chart_notes.quarters_missing()
    return ""


def _chart(store: DataStore, iq: IndicatorQuarter, kind: str, sources: _Sources) -> Chart | None:
    """A chart of the section, with its own sources, marks and explorer view (added to ``sources``)."""
    own = _Sources()
    chart = _chart_figure(store, iq, kind, own)
    if chart is None:
        return None
    sources.add(own.ids)
    ind, q = iq.indicator, iq.quarter
    first, _last = _trend_range(store, ind, q)
    if kind == "donut":
        view = _view(ind, iq.current.period if iq.reported else q)
    elif kind == "countries":
        view = chart.view  # the countries drawn are chosen there
    else:
        view = _view(ind, q, **{"from": first, "to": q}, **({"drill": q} if kind == "months" else {}))
    return replace(
        chart,
        kind=kind,
        view=view,
        source_ids=tuple(own.ids),
        derived=own.derived,
        conflicting=own.conflicting,
        partial=_partial(kind, iq, chart),
    )


def _chart_figure(store: DataStore, iq: IndicatorQuarter, kind: str, sources: _Sources) -> Chart | None:
    ind = iq.indicator
    measure, unit = _level(ind)
    if kind == "months":
        if not any(m.reported for m in iq.months):
            return None
        for m in iq.months:
            sources.add_figure(m)
        fig = figures.months_bar(list(iq.months), ind, unit, iq.label)
        return Chart(
            f"{ind.id}-months",
            fig,
            _("{title}, months of {quarter}").format(title=ind.title, quarter=iq.label),
        )
    if kind == "donut":
        rows = _shares_rows(store, iq)
        if rows.is_empty():
            return None
        sources.add_rows(rows)
        label = iq.current.period_label if iq.reported else iq.label
        fig = figures.donut(rows, ind, label)
        # on paper, half an A4 column wide: the legend beside the ring leaves the ring readable
        fig.update_layout(
            legend={
                "orientation": "v",
                "x": 1.0,
                "xanchor": "left",
                "y": 0.0,  # grows upwards from the foot of the ring, clear of the (wrapped) title
                "yanchor": "bottom",
                "yref": "paper",
                "font": {"size": 11},
            },
            margin={"l": 8, "r": 8, "t": 16, "b": 8},
        )
        return Chart(
            f"{ind.id}-donut", fig, _("{title}, shares, {period}").format(title=ind.title, period=label)
        )
    if kind == "series":
        if not iq.reported or iq.current.period_type != "quarter":
            return None
        first, last = _trend_range(store, ind, iq.quarter)
        rows = store.series(ind.id, measure, unit, (TOTAL,), "quarter", first, last)
        sources.add_rows(rows)
        fig = figures.time_series(rows, ind, measure, unit)
        alt = _("{title}, {first} to {last}").format(title=ind.title, first=_qlabel(first), last=iq.label)
        return Chart(f"{ind.id}-series", fig, alt)
    if kind == "countries":
        b = iq.breakdown
        if iq.reported or b is None:
            return None
        codes = tuple(p.country for p in b.parts if p.value is not None and p.country != OTHER)[:5]
        if not codes:
            return None
        first, last = _trend_range(store, ind, iq.quarter)
        rows = store.series(ind.id, measure, unit, codes, "quarter", first, last)
        sources.add_rows(rows)
        fig = figures.time_series(rows, ind, measure, unit)
        fig.update_layout(showlegend=True)  # the line is a country, not the total: say which
        alt = _("{title} by country, {first} to {last}").format(
            title=ind.title, first=_qlabel(first), last=iq.label
        )
        view = _view(ind, iq.quarter, **{"from": first, "to": last, "countries": ",".join(codes)})
        return Chart(f"{ind.id}-countries", fig, alt, view=view)
    raise ValueError(f"unknown chart kind {kind!r}")


def _section(
    store: DataStore, spec: SectionSpec, facts: list[IndicatorQuarter], quarter: str
) -> tuple[Section, _Sources]:
    dom = catalogue().domain(spec.domain)
    sources = _Sources()
    rows: list[HeadlineRow] = []
    missing: list[IndicatorQuarter] = []
    for iq in facts:
        if not iq.has_any:
            missing.append(iq)
            continue
        row_sources = _Sources()
        for f in (iq.current, iq.previous, iq.year_ago):
            row_sources.add_figure(f)
        row_sources.add_change(iq.change_prev)
        row_sources.add_change(iq.change_yoy)
        b, b_rows = _breakdown_of(store, iq.indicator, quarter)
        row_sources.add_rows(b_rows)
        for m in iq.months:
            row_sources.add_figure(m)
        also = _other_units(store, iq, row_sources)
        details = [
            t
            for t in (
                _breakdown_text(b, iq.indicator),
                _months_text(iq.months),
                _country_months(store, iq, row_sources),
                None if iq.reported else _longer_periods(store, iq, row_sources),
            )
            if t
        ]
        sources.add(row_sources.ids)
        rows.append(
            HeadlineRow(
                facts=iq,
                title=iq.indicator.title,
                value_text=figures.value_text(iq.current.value, iq.unit),
                also=also,
                notes=(
                    ((iq.current.period_label,) if iq.current.period_type == "date" else ())
                    + _notes(iq.current)
                    if iq.reported
                    else ()
                ),
                comparisons=_comparisons(iq),
                details=tuple(details),
                source_ids=tuple(row_sources.ids),  # numbered in build_briefing
            )
        )

    charts: list[Chart] = []
    for iq in facts:
        if len(charts) >= MAX_CHARTS:
            break
        if not iq.has_any:
            continue
        for kind in spec.charts:
            chart = _chart(store, iq, kind, sources)
            if chart is not None:
                charts.append(chart)
                break

    missing_line = None
    if missing:
        label = _qlabel(quarter)
        context = [t for iq in missing if (t := _longer_periods(store, iq, sources))]
        if rows:
            names = "; ".join(iq.indicator.title for iq in missing)
            missing_line = _("Not reported for {period}: {indicators}.").format(
                period=label, indicators=names
            )
        else:
            missing_line = _("No quarterly or monthly figure on {topic} was reported for {period}.").format(
                topic=dom.title.lower(), period=label
            )
        if context:
            missing_line += " " + _("Reported only for longer periods: {figures}.").format(
                figures="; ".join(context)
            )
    section = Section(
        id=spec.id,
        title=dom.title,
        description=dom.description,
        rows=tuple(rows),
        charts=tuple(charts),
        missing=missing_line,
    )
    return section, sources


def build_briefing(store: DataStore, period: str | None) -> Briefing:
    """Everything the briefing page shows for a requested period (an invalid one: the latest quarter, with a
    notice)."""
    quarter, notice = resolve_quarter(store, period)
    choices = tuple(quarter_choices(store))
    if quarter is None:
        return Briefing(None, "", "", notice, choices, (), (), (), store.version, store.latest_source_date)

    all_facts: list[IndicatorQuarter] = []
    built: list[tuple[Section, _Sources]] = []
    for spec in SECTIONS:
        facts = [indicator_quarter(store, i, quarter) for i in spec.indicators]
        all_facts += facts
        built.append(_section(store, spec, facts, quarter))

    page_ids: dict[str, None] = {}
    for _section_built, src in built:
        page_ids.update(src.ids)
    entries, number_of = _source_entries(store, page_ids)

    def numbers(ids: Iterable[str]) -> tuple[int, ...]:
        return tuple(sorted({number_of[s] for s in ids if s in number_of}))

    sections = []
    for section, src in built:
        rows = tuple(replace(r, sources=numbers(r.source_ids)) for r in section.rows)
        sections.append(replace(section, rows=rows, sources=numbers(src.ids)))
    if all(not s.has_data for s in sections) and notice is None:
        notice = _("No quarterly or monthly figure was reported for {period} in any section.").format(
            period=_qlabel(quarter)
        )

    return Briefing(
        quarter=quarter,
        label=_qlabel(quarter),
        months_label=quarter_months_label(quarter),
        notice=notice,
        choices=choices,
        sections=tuple(sections),
        findings=tuple(
            with_explanations(
                key_findings(all_facts),
                explained_findings(store, [f.indicator.id for f in all_facts], quarter),
            )
        ),
        sources=tuple(entries),
        data_version=store.version,
        latest_source_date=store.latest_source_date,
        facts=tuple(all_facts),
    )
