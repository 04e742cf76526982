"""A country's profile: what the data says about one counterpart country, in the order a reader wants it.

Pure functions of a ``DataStore`` (any release) and an ISO3 code: the headline (per indicator its latest
figure, the comparable earlier figure and the change, the country's rank among the countries the source
listed), both directions of money, a short written summary whose sentences carry their sources, the
listing of every country with figures, and what to suggest for a code that names no country.

Honesty: a rank is among the countries *listed* for that period (a source often prints only its top
countries, so "1st of 7 listed" never claims more); a change is taken as published by the same document or
computed from the same period type and length a year earlier (else the previous period of the same length),
and marked so; a figure not reported is never zero.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import polars as pl
import pycountry

from dashboard import i18n
from dashboard.catalogue import Indicator, catalogue
from dashboard.countries import OTHER, TOTAL, all_codes, country_name
from dashboard.data import DERIVED, NOT_REPORTED, Change, DataStore, Figure
from dashboard.findings import change_phrase, country_phrase, times_phrase, when
from dashboard.formatting import fmt_value
from dashboard.i18n import N_, _, ngettext
from dashboard.periods import Period, parse_period, previous_period, year_earlier
from dashboard.views import country_rows

LEVELS = ("count", "amount")  # the measures a headline states, before a share
MONEY = ("remittance_outflow", "remittance_inflow")  # sent to the country, received from it
PSEUDO = (TOTAL, OTHER)


# -- what a country has -------------------------------------------------------------------------------------
def countries_with_data(store: DataStore) -> list[str]:
    """Every named country with at least one figure (not the total, not "other countries")."""
    return sorted(c for c in store.preferred["country_iso3"].unique().to_list() if c not in PSEUDO)


@dataclass(frozen=True)
class Coverage:
    iso3: str
    indicators: int  # how many indicators report the country
    figures: int  # how many figures (preferred rows)


def coverage(store: DataStore) -> list[Coverage]:
    """Every country with figures, most indicators first (then most figures, then by name in the reader's
    alphabet): the order of the /country listing."""
    rows = (
        store.preferred.filter(~pl.col("country_iso3").is_in(PSEUDO))
        .group_by("country_iso3")
        .agg(pl.col("indicator").n_unique().alias("n_ind"), pl.len().alias("n"))
    )
    out = [Coverage(r["country_iso3"], r["n_ind"], r["n"]) for r in rows.iter_rows(named=True)]
    return sorted(out, key=lambda c: (-c.indicators, -c.figures, i18n.sort_key(country_name(c.iso3))))


# -- codes that name no country ----------------------------------------------------------------------------
def _distance(a: str, b: str) -> int:
    """Levenshtein distance (short strings: codes and names)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def suggest(raw: str, with_data: Sequence[str]) -> str | None:
    """The nearest code with figures for what someone typed: its upper case, its ISO alpha-2 form
    ("UZ"), a country's name in any of the three languages, else a code with figures one letter away
    ("UZV" -> UZB). None when nothing is near."""
    text = raw.strip()
    if not text or len(text) > 60:
        return None
    code = text.upper()
    if code in with_data:
        return code
    names = {c: {country_name(c, lang).casefold() for lang in i18n.NAMES} for c in with_data}
    for c, known in names.items():
        if text.casefold() in known:
            return c
    try:
        rec = pycountry.countries.lookup(text)
        if rec.alpha_3 in with_data:
            return rec.alpha_3
    except LookupError:
        pass
    if len(code) == 3 and code.isalpha():
        near = sorted((_distance(code, c), c) for c in with_data)
        if near and near[0][0] == 1:
            return near[0][1]
    return None


def is_country(code: str) -> bool:
    """An ISO 3166-1 alpha-3 code of a country (not the data's pseudo-codes)."""
    return code in all_codes()


# -- the headline ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rank:
    """The country's place among the countries the source listed for one figure (largest first)."""

    position: int
    listed: int
    tied: bool = False

    @property
    def text(self) -> str:
        """'1st of 7 listed', 'the only country listed', '2nd (tied) of 5 listed'."""
        if self.listed <= 1:
            return _("the only country listed")
        text = ngettext("{ordinal} of {n} listed", "{ordinal} of {n} listed", self.listed).format(
            ordinal=ordinal(self.position), n=self.listed
        )
        return _("{rank} (tied)").format(rank=text) if self.tied else text


def ordinal(n: int) -> str:
    """'1st', '2nd', '23rd' in English; Russian and Kazakh put their ordinal mark in the message."""
    if i18n.current() != i18n.DEFAULT:
        return str(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@dataclass(frozen=True)
class HeadlineRow:
    indicator: Indicator
    current: Figure  # the latest figure (a level where one exists)
    other_units: tuple[Figure, ...]  # the same figure as published in another unit (USD beside KZT)
    share: Figure | None  # its share of the total in the same period, where reported
    earlier: Figure | None  # the comparable earlier figure
    change: Change
    rank: Rank | None

    @property
    def period(self) -> Period:
        return parse_period(self.current.period, self.current.period_type)

    @property
    def source_ids(self) -> tuple[str, ...]:
        ids = list(self.current.source_ids) + list(self.change.source_ids)
        if self.share is not None:
            ids += self.share.source_ids
        return tuple(dict.fromkeys(ids))


def _level_measure(ind: Indicator, rows: pl.DataFrame) -> str | None:
    """The measure a headline states: the indicator's level (count or amount), else a share."""
    present = set(rows["measure"].to_list())
    for m in (*LEVELS, "share_pct"):
        if m in ind.measures and m in present:
            return m
    return None


def _latest_row(ind: Indicator, rows: pl.DataFrame, measure: str) -> dict:
    """The latest figure of a measure: latest end, then latest start (the shorter span), then the
    indicator's default unit."""
    units = list(ind.units)
    ranked = rows.filter(pl.col("measure") == measure).with_columns(
        pl.coalesce("period_end", "period_start").alias("_end"),
        pl.col("unit")
        .replace_strict({u: i for i, u in enumerate([ind.default.unit, *units])}, default=99)
        .alias("_unit"),
    )
    return ranked.sort(["_end", "period_start", "_unit"], descending=[True, True, False]).row(0, named=True)


def rank_of(store: DataStore, f: Figure) -> Rank | None:
    """The country's place among the named countries listed for the figure's period, measure and unit
    (the share listing where it names more countries: a level derived from a share lists the same)."""
    best: Rank | None = None
    for measure, unit in ((f.measure, f.unit), ("share_pct", "percent")):
        rows = store.breakdown(f.indicator, f.period, f.period_type, measure, unit).filter(
            pl.col("country_iso3") != OTHER
        )
        mine = rows.filter(pl.col("country_iso3") == f.country_iso3)
        if mine.is_empty():
            continue
        value = mine["value"][0]
        values = rows["value"].to_list()
        rank = Rank(1 + sum(v > value for v in values), len(values), sum(v == value for v in values) > 1)
        if best is None or rank.listed > best.listed:
            best = rank
    return best


def comparison(store: DataStore, cur: Figure) -> tuple[Figure | None, Change]:
    """The change on the comparable earlier period: the same span a year earlier (a stock on the same day a
    year earlier), as published by the same document or computed; else the previous period of the same
    length. (None, not reported) when neither was reported."""
    p = parse_period(cur.period, cur.period_type)
    tried: list[tuple[Period | None, str, str]] = [(year_earlier(p), "change_pct_yoy", N_("a year earlier"))]
    if p.type in ("quarter", "month", "half"):  # a year's previous period is the year earlier, tried above
        tried.append((previous_period(p), "change_pct_prev", N_("previous period")))
    first: Figure | None = None
    for period, published, label in tried:
        if period is None:
            continue
        other = store.figure(cur.indicator, period.id, period.type, cur.country_iso3, cur.measure, cur.unit)
        first = first or other
        change = store.change(cur, other, published, label)
        if change.value is not None:
            return other, change
    return first, Change(None, NOT_REPORTED, first)


def _figure(store: DataStore, row: dict, measure: str | None = None, unit: str | None = None) -> Figure:
    return store.figure(
        row["indicator"], row["period"], row["period_type"], row["country_iso3"], measure or row["measure"],
        unit or row["unit"],
    )  # fmt: skip


def headline_row(store: DataStore, ind: Indicator, rows: pl.DataFrame) -> HeadlineRow | None:
    """The headline of one indicator from the country's rows of it (None when it has none)."""
    measure = _level_measure(ind, rows)
    if measure is None:
        return None
    row = _latest_row(ind, rows, measure)
    cur = _figure(store, row)
    others = tuple(
        f
        for u in ind.units
        if u != cur.unit and u != "percent"
        for f in [_figure(store, row, unit=u)]
        if f.reported
    )
    share = _figure(store, row, "share_pct", "percent") if measure != "share_pct" else None
    earlier, change = comparison(store, cur)
    return HeadlineRow(
        ind, cur, others, share if share and share.reported else None, earlier, change, rank_of(store, cur)
    )


# -- money both ways ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoneyRow:
    """One period's money sent to the country and received from it, per unit as published."""

    period: Period
    sent: dict[str, Figure]  # unit -> figure (reported only)
    received: dict[str, Figure]

    def balance(self, unit: str) -> float | None:
        """Sent minus received, computed, where both were reported in the unit."""
        s, r = self.sent.get(unit), self.received.get(unit)
        if s is None or r is None or s.value is None or r.value is None:
            return None
        return s.value - r.value


def money_rows(store: DataStore, iso3: str) -> list[MoneyRow]:
    """Every period with money sent to or received from the country (amounts), latest first."""
    cat = catalogue()
    if not all(cat.has_indicator(i) for i in MONEY):
        return []
    rows = store.preferred.filter(
        pl.col("indicator").is_in(MONEY) & (pl.col("country_iso3") == iso3) & (pl.col("measure") == "amount")
    )
    out = []
    keys = rows.select("period", "period_type", "period_start").unique()
    for k in keys.iter_rows(named=True):
        sides: list[dict[str, Figure]] = []
        for ind in MONEY:
            part = rows.filter(
                (pl.col("indicator") == ind)
                & (pl.col("period") == k["period"])
                & (pl.col("period_type") == k["period_type"])
            )
            sides.append({u: _figure(store, r) for r in part.iter_rows(named=True) for u in [r["unit"]]})
        out.append(MoneyRow(parse_period(k["period"], k["period_type"]), sides[0], sides[1]))
    return sorted(out, key=lambda m: (m.period.end or m.period.start, m.period.start), reverse=True)


# -- the written summary -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sentence:
    rule: str
    text: str
    source_ids: tuple[str, ...] = ()


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _value(f: Figure) -> str:
    text = fmt_value(f.value, f.unit)
    return _("{value} (derived)").format(value=text) if f.status == DERIVED else text


def rule_rank(iso3: str, h: HeadlineRow) -> Sentence | None:
    """'Temporary residence permits issued: Uzbekistan was 1st of 7 listed in Q2 2023 (68.8% of the
    total).' — for a rank in the top three among at least two listed countries."""
    r = h.rank
    if r is None or r.listed < 2 or r.position > 3:
        return None
    share = _(" ({share} of the total)").format(share=fmt_value(h.share.value, "percent")) if h.share else ""
    text = _("{title}: {country} was {rank} {when}{share}").format(
        title=h.indicator.title, country=country_phrase(iso3), rank=r.text, when=when(h.current), share=share
    )
    return Sentence("rank", _sentence(text), h.source_ids)


def rule_change(h: HeadlineRow) -> Sentence | None:
    """'Arrivals (immigration): 8,300 in Jan–Sep 2025, rose by 11.0% on a year earlier (as published).'"""
    c = h.change
    if c.value is None or not math.isfinite(c.value):
        return None
    phrase = change_phrase(1.0 + c.value / 100.0)
    if phrase is None:
        return None
    then = (
        _("{value} {when}").format(value=_value(h.earlier), when=when(h.earlier))
        if h.earlier is not None and h.earlier.reported
        else _("the earlier level was not reported")
    )
    how = _("as published") if c.status != DERIVED else _("computed")
    text = _("{title}: {value} {when}, which {change} on {earlier} ({then}; {how})").format(
        title=h.indicator.title,
        value=_value(h.current),
        when=when(h.current),
        change=phrase,
        earlier=h.earlier.period_label if h.earlier is not None else _("the comparable period"),
        then=then,
        how=how,
    )
    return Sentence("change", _sentence(text), h.source_ids)


def rule_balance(iso3: str, money: Sequence[MoneyRow]) -> Sentence | None:
    """The latest period with money both ways in one unit: how many times one is the other."""
    for m in money:
        for unit in sorted(set(m.sent) & set(m.received)):
            s, r = m.sent[unit], m.received[unit]
            if not s.value or not r.value:
                continue
            ratio = s.value / r.value
            template = (
                _(
                    "{when} money sent from Kazakhstan to {country} was {how} the money received from it "
                    "({sent} vs {received}, computed)"
                )
                if ratio >= 1
                else _(
                    "{when} money received in Kazakhstan from {country} was {how} the money sent to it "
                    "({received} vs {sent}, computed)"
                )
            )
            text = template.format(
                when=when(s),
                country=country_phrase(iso3),
                how=times_phrase(ratio if ratio >= 1 else 1 / ratio),
                sent=_value(s),
                received=_value(r),
            )
            return Sentence("balance", _sentence(text), (*s.source_ids, *r.source_ids))
    return None


def rule_coverage(iso3: str, headline: Sequence[HeadlineRow], missing: Sequence[Indicator]) -> Sentence:
    """What exists and what does not: 'Figures for Germany are reported for 3 of 18 indicators; none for
    the other 15 (not reported, which is not zero).'"""
    n, total = len(headline), len(headline) + len(missing)
    text = ngettext(
        "Figures for {country} are reported for {n} of {total} indicators",
        "Figures for {country} are reported for {n} of {total} indicators",
        total,
    ).format(country=country_phrase(iso3), n=n, total=total)
    if missing:
        text += ngettext(
            "; none for the other {n} (not reported, which is not zero)",
            "; none for the other {n} (not reported, which is not zero)",
            len(missing),
        ).format(n=len(missing))
    return Sentence("coverage", _sentence(text))


def summary(
    iso3: str, headline: Sequence[HeadlineRow], money: Sequence[MoneyRow], missing: Sequence[Indicator]
) -> list[Sentence]:
    """The profile's written summary: the best ranks (at most three), the changes (at most three), money
    both ways, and what is covered."""
    ranked = sorted(
        (h for h in headline if rule_rank(iso3, h) is not None),
        key=lambda h: (h.rank.position, -h.rank.listed) if h.rank else (99, 0),
    )
    out = [s for h in ranked[:3] if (s := rule_rank(iso3, h))]
    out += [s for h in headline if (s := rule_change(h))][:3]
    if (b := rule_balance(iso3, money)) is not None:
        out.append(b)
    out.append(rule_coverage(iso3, headline, missing))
    return out


# -- the whole profile --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Profile:
    iso3: str
    rows: pl.DataFrame  # every preferred figure of the country, with sources (dashboard.views.country_rows)
    headline: tuple[HeadlineRow, ...]
    missing: tuple[Indicator, ...]  # indicators with no figure for the country
    money: tuple[MoneyRow, ...]
    summary: tuple[Sentence, ...]

    @property
    def single(self) -> bool:
        """Only one figure in all: the page says what exists and what does not, and draws no chart."""
        return self.rows.height <= 1

    @property
    def latest(self) -> date | None:
        ends = [h.period.end or h.period.start for h in self.headline]
        return max(ends) if ends else None


def profile(store: DataStore, iso3: str) -> Profile:
    """Everything the country page shows for a country (in the language in force)."""
    rows = country_rows(store, iso3)
    mine = store.preferred.filter(pl.col("country_iso3") == iso3)
    head, missing = [], []
    for ind in catalogue().indicators:
        part = mine.filter(pl.col("indicator") == ind.id)
        h = headline_row(store, ind, part) if not part.is_empty() else None
        if h is None:
            missing.append(ind)
        else:
            head.append(h)
    money = money_rows(store, iso3)
    return Profile(
        iso3, rows, tuple(head), tuple(missing), tuple(money), tuple(summary(iso3, head, money, missing))
    )
