"""Key findings of a quarterly briefing, written from the data by small rules.

A rule is a plain function: the facts of one quarter in, one plain-English sentence (with its numbers) or
``None`` out. A rule never invents a figure: when a number it needs was not reported it returns ``None``
(or, for the gap rules, says that it was not reported). Nothing here is written for one quarter.

The facts (``IndicatorQuarter``) are assembled from the data API by ``dashboard.briefing``; they can also be
built by hand, which is how the rules are unit-tested. The wording of ratios is in ``change_phrase`` and
``times_phrase`` ("rose about fourfold", "doubled", "rose by 38.8%").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dashboard.catalogue import Indicator, catalogue
from dashboard.countries import OTHER, TOTAL, country_name
from dashboard.data import DERIVED, NOT_REPORTED, Change, Figure
from dashboard.formatting import fmt_plain, fmt_value
from dashboard.periods import parse_period, period_label

# -- facts ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One counterpart country in a breakdown: its level and/or its share of the total."""

    country: str  # ISO3, or OTH for "other countries"
    value: float | None = None  # level in the breakdown's unit
    value_status: str = NOT_REPORTED
    share: float | None = None  # percent of the total
    share_status: str = NOT_REPORTED  # published, or derived (level / total)


@dataclass(frozen=True)
class Breakdown:
    """The counterpart countries of one indicator in one quarter, largest first."""

    period: str  # a quarter id (or a date, for a stock)
    unit: str
    total: float | None
    parts: tuple[Part, ...]
    period_type: str = "quarter"

    @property
    def label(self) -> str:
        return period_label(parse_period(self.period, self.period_type))

    @property
    def named(self) -> tuple[Part, ...]:
        """Named countries with a share, largest first ("other countries" left out)."""
        named = [p for p in self.parts if p.country not in (TOTAL, OTHER) and p.share is not None]
        return tuple(sorted(named, key=lambda p: -(p.share or 0.0)))

    def leader(self) -> tuple[Part, Part | None] | None:
        """The first country and the runner-up, only when the data proves the order.

        The leader is certain when its share is over 50%, or when it is at least as large as the part of the
        total that the source did not itemise (a country outside the list cannot be larger). A tie, a
        breakdown without shares (levels with no total) or an unitemised remainder larger than the leader
        gives no leader.
        """
        named = self.named
        if not named:
            return None
        top = named[0]
        second = named[1] if len(named) > 1 else None
        if second is not None and math.isclose(second.share or 0.0, top.share or 0.0):
            return None
        if (top.share or 0.0) > 50.0:
            return top, second
        itemised = sum(p.share or 0.0 for p in self.parts if p.share is not None)
        remainder = max(100.0 - itemised, 0.0)
        if second is None or (top.share or 0.0) < remainder:
            return None
        return top, second


@dataclass(frozen=True)
class IndicatorQuarter:
    """What the rules know about one indicator in one quarter (the total, its comparisons, the breakdown
    by country and the months). Comparisons follow ``DataStore.headline``: a change printed by the source
    with the level, else computed here (status derived), else not reported."""

    indicator: Indicator
    quarter: str
    unit: str
    current: Figure
    previous: Figure | None = None
    year_ago: Figure | None = None
    change_prev: Change = field(default_factory=lambda: Change(None, NOT_REPORTED, None))
    change_yoy: Change = field(default_factory=lambda: Change(None, NOT_REPORTED, None))
    breakdown: Breakdown | None = None
    previous_breakdown: Breakdown | None = None
    year_ago_breakdown: Breakdown | None = None
    months: tuple[Figure, ...] = ()

    @property
    def label(self) -> str:
        return period_label(parse_period(self.quarter, "quarter"))

    @property
    def reported(self) -> bool:
        return self.current.reported

    @property
    def has_any(self) -> bool:
        """Anything at all for the quarter: the total, a country or a month."""
        return (
            self.current.reported
            or bool(self.breakdown and self.breakdown.parts)
            or any(m.reported for m in self.months)
        )


@dataclass(frozen=True)
class Finding:
    rule: str
    text: str
    indicators: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()  # catalogue notes about a period the sentence relies on


# -- wording ----------------------------------------------------------------------------------------------
_FOLD = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}


def _pct(value: float) -> str:
    return f"{fmt_plain(abs(value), 1)}%"


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def change_phrase(ratio: float | None) -> str | None:
    """How a level moved, from the ratio new / old.

    ``rose by 38.8%`` below 1.9x; ``doubled`` for 1.9-2.1x; ``more than doubled`` below 2.5x; ``rose about
    fourfold`` for 3.5-4.5x (the nearest whole multiple, three to ten); ``rose more than tenfold`` beyond;
    ``halved`` for 0.475-0.525x; ``fell by 17.1%`` for any other fall; ``was unchanged`` within 0.05%.
    """
    if ratio is None or not math.isfinite(ratio) or ratio <= 0:
        return None
    pct = (ratio - 1.0) * 100.0
    if abs(pct) < 0.05:
        return "was unchanged"
    if ratio < 1.0:
        if 0.475 <= ratio <= 0.525:
            return "halved"
        return f"fell by {_pct(pct)}"
    if ratio < 1.9:
        return f"rose by {_pct(pct)}"
    if ratio <= 2.1:
        return "doubled"
    if ratio < 2.5:
        return "more than doubled"
    n = _round_half_up(ratio)
    if n > 10:
        return "rose more than tenfold"
    return f"rose about {_FOLD[n]}fold"


def times_phrase(ratio: float | None) -> str | None:
    """How many times one amount is another: ``1.6 times``, ``twice``, ``more than twice``,
    ``about three times`` (nearest whole multiple from 2.5x), ``more than ten times``."""
    if ratio is None or not math.isfinite(ratio) or ratio <= 0:
        return None
    if ratio < 1.9:
        return f"{fmt_plain(ratio, 1)} times"
    if ratio <= 2.1:
        return "twice"
    if ratio < 2.5:
        return "more than twice"
    n = _round_half_up(ratio)
    if n > 10:
        return "more than ten times"
    return f"about {_FOLD[n]} times"


_THE = (
    "Russian Federation",
    "United States",
    "United Kingdom",
    "United Arab Emirates",
    "Netherlands",
    "Philippines",
    "Czech Republic",
    "Czechia",
    "Republic of",
    "Kyrgyz Republic",
)


def country_phrase(code: str, start: bool = False) -> str:
    """A country name as it reads in a sentence: 'the Russian Federation', 'Uzbekistan'."""
    name = country_name(code)
    if code == OTHER:
        name = "other countries"
    elif name.startswith(_THE):
        name = f"the {name}"
    return name[:1].upper() + name[1:] if start else name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _when_label(label: str) -> str:
    """'in Q2 2023', 'in May 2023', or 'as of 1 August 2023' for a stock."""
    return label if label.startswith("as of") else f"in {label}"


def when(f: Figure) -> str:
    return _when_label(f.period_label)


def _subject(iq: IndicatorQuarter) -> str:
    return iq.indicator.title


def _value(value: float | None, unit: str) -> str:
    return fmt_value(value, unit)


def _figure_value(f: Figure) -> str:
    """'308,710', '253.8 bn KZT'; '(derived)' after a value computed here rather than published."""
    return _value(f.value, f.unit) + (" (derived)" if f.status == DERIVED else "")


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# -- the rules --------------------------------------------------------------------------------------------
def _ratio(change: Change, cur: Figure, other: Figure | None) -> float | None:
    if change.value is not None:
        return 1.0 + change.value / 100.0
    if cur.reported and other is not None and other.reported and other.value:
        return cur.value / other.value
    return None


def _clause(
    change: Change, cur: Figure, other: Figure | None, against: str, with_current: bool
) -> str | None:
    phrase = change_phrase(_ratio(change, cur, other))
    if phrase is None or not cur.reported:
        return None
    now = f"{_figure_value(cur)} {when(cur)}"
    if other is not None and other.reported:
        then = f"{_figure_value(other)} {when(other)}"
        numbers = f"{now} vs {then}" if with_current else then
    else:  # a change the source printed without the earlier level
        missing = f"the level of {other.period_label} was not reported" if other is not None else ""
        numbers = "; ".join(p for p in (now if with_current else "", missing, "change as published") if p)
    return f"{phrase} {against} ({numbers})"


def rule_change(iq: IndicatorQuarter) -> str | None:
    """The total against the previous quarter and a year earlier, in one sentence."""
    if not iq.reported:
        return None
    prev = _clause(iq.change_prev, iq.current, iq.previous, "on the previous quarter", True)
    yoy = _clause(iq.change_yoy, iq.current, iq.year_ago, "compared with a year earlier", prev is None)
    if prev is None and yoy is None:
        return None
    if prev and yoy:
        r_prev = _ratio(iq.change_prev, iq.current, iq.previous) or 1.0
        r_yoy = _ratio(iq.change_yoy, iq.current, iq.year_ago) or 1.0
        joint = "but" if (r_prev - 1.0) * (r_yoy - 1.0) < 0 else "and"
        return _sentence(f"{_subject(iq)} {prev} {joint} {yoy}")
    return _sentence(f"{_subject(iq)} {prev or yoy}")


_ROLE = {
    "destination": "the first destination of",
    "receiving_country": "the first destination of",
    "sending_country": "the first source of",
    "origin": "the first country of origin of",
}
_GROUP = {"nationality": "Nationals of", "citizenship": "Citizens of"}


def _share_text(p: Part) -> str:
    return _pct(p.share or 0.0)


def rule_leader(iq: IndicatorQuarter) -> str | None:
    """The largest counterpart country, with its share, the runner-up, and whether it kept first place."""
    b = iq.breakdown
    lead = b.leader() if b else None
    if b is None or lead is None:
        return None
    top, second = lead
    title = _lower_first(iq.indicator.title)
    # the comparison that proves a leader: the previous quarter, else a year earlier
    earlier: Breakdown | None = None
    before: Part | None = None
    kept = False
    for cand in (iq.previous_breakdown, iq.year_ago_breakdown):
        lead_then = cand.leader() if cand is not None else None
        if lead_then is not None:
            earlier, before = cand, lead_then[0]
            kept = before.country == top.country
            break

    if iq.indicator.counterpart in _GROUP:
        total = f"the {_value(b.total, b.unit)} " if b.total is not None else ""
        text = (
            f"{_GROUP[iq.indicator.counterpart]} {country_phrase(top.country)} accounted for "
            f"{_share_text(top)} of {total}{title} {_when_label(b.label)}"
        )
        if second is not None:
            text += f", followed by {country_phrase(second.country)} ({_share_text(second)})"
        if earlier is not None and kept:
            text += f"; they were also the largest group in {earlier.label}"
        elif earlier is not None:
            group = _GROUP[iq.indicator.counterpart].lower()
            text += f"; in {earlier.label} the largest group were {group} {country_phrase(before.country)}"
        return _sentence(text)

    role = _ROLE.get(iq.indicator.counterpart)
    if role is None:
        return None
    verb = "was"
    tail = ""
    if earlier is not None and kept:
        verb, tail = "remained", f" (as in {earlier.label})"
    elif earlier is not None:
        verb, tail = "replaced " + country_phrase(before.country) + " as", f" (first in {earlier.label})"
    if top.value is not None and b.total is not None:
        amount = f"{_value(top.value, b.unit)} of {_value(b.total, b.unit)} ({_share_text(top)})"
    else:
        amount = f"{_share_text(top)} of the total"
    place = country_phrase(top.country, start=True)
    text = f"{place} {verb} {role} {title} {_when_label(b.label)}{tail}: {amount}"
    if second is not None:
        runner = _value(second.value, b.unit) if second.value is not None else _share_text(second)
        text += f", ahead of {country_phrase(second.country)} ({runner})"
    return _sentence(text)


def rule_level(iq: IndicatorQuarter) -> str | None:
    """The total alone, when there is neither a comparison nor a proven first country to state it with."""
    if not iq.reported:
        return None
    if _ratio(iq.change_prev, iq.current, iq.previous) or _ratio(iq.change_yoy, iq.current, iq.year_ago):
        return None
    if iq.breakdown is not None and iq.breakdown.leader() is not None:
        return None
    unit = catalogue().unit(iq.unit)
    value = _value(iq.current.value, iq.unit)
    if unit.kind == "count" and unit.label:
        value += f" {unit.label}"  # '296,000 transactions': a bare count needs its unit when alone
    if iq.current.status == DERIVED:
        value += " (derived)"
    prev, yago = (
        f.period_label if f is not None else "the previous quarter" for f in (iq.previous, iq.year_ago)
    )
    return _sentence(
        f"{_subject(iq)}: {value} {when(iq.current)}; not reported for {prev} or {yago}, "
        "so no comparison can be made"
    )


def rule_partial(iq: IndicatorQuarter) -> str | None:
    """When no total was reported but some countries were: say so, with their figures."""
    if iq.reported or iq.breakdown is None:
        return None
    parts = [p for p in iq.breakdown.parts if p.value is not None]
    if not parts:
        return None
    shown = parts[:4]
    items = "; ".join(
        f"{country_phrase(p.country)} {_value(p.value, iq.breakdown.unit)}"
        + (" (derived)" if p.value_status == DERIVED else "")
        for p in shown
    )
    more = f" and {len(parts) - len(shown)} more" if len(parts) > len(shown) else ""
    title = _lower_first(iq.indicator.title)
    return _sentence(
        f"No total was reported for {title} in {iq.label}, only figures for some countries: {items}{more}"
    )


def rule_months(iq: IndicatorQuarter) -> str | None:
    """With all three months reported: the highest month, with the other two."""
    months = [m for m in iq.months if m.reported]
    if len(months) != 3 or len(iq.months) != 3:
        return None
    top = max(months, key=lambda m: m.value)
    if sum(1 for m in months if m.value == top.value) > 1:
        return None
    others = ", ".join(f"{m.period_label} {_value(m.value, m.unit)}" for m in months if m is not top)
    title = _lower_first(iq.indicator.title)
    return _sentence(
        f"Month by month, {title} peaked in {top.period_label} at {_value(top.value, top.unit)} ({others})"
    )


def rule_balance(outflow: IndicatorQuarter, inflow: IndicatorQuarter) -> str | None:
    """Money sent against money received in the same unit: how many times one is the other."""
    if not (outflow.reported and inflow.reported) or outflow.unit != inflow.unit:
        return None
    if not inflow.current.value or not outflow.current.value:
        return None
    ratio = outflow.current.value / inflow.current.value
    unit = outflow.unit
    sent, got = _value(outflow.current.value, unit), _value(inflow.current.value, unit)
    out_t, in_t = _lower_first(outflow.indicator.short_title), _lower_first(inflow.indicator.short_title)
    if ratio >= 1:
        how = times_phrase(ratio)
        return _sentence(f"In {outflow.label} the {out_t} was {how} the {in_t} ({sent} vs {got}, computed)")
    how = times_phrase(1 / ratio)
    return _sentence(f"In {outflow.label} the {in_t} was {how} the {out_t} ({got} vs {sent}, computed)")


def rule_not_reported(facts: Sequence[IndicatorQuarter]) -> str | None:
    """The indicators with nothing at all for the quarter (not reported is not zero)."""
    missing = [iq for iq in facts if not iq.has_any]
    if not missing or not facts:
        return None
    names = [_lower_first(iq.indicator.short_title) for iq in missing]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return _sentence(
        f"No quarterly or monthly figure was reported for {facts[0].label} on {listed} "
        "(not reported, which is not zero)"
    )


# -- running the rules --------------------------------------------------------------------------------------
PER_INDICATOR: tuple[tuple[str, Callable[[IndicatorQuarter], str | None]], ...] = (
    ("change", rule_change),
    ("level", rule_level),
    ("leader", rule_leader),
    ("partial", rule_partial),
    ("months", rule_months),
)
BALANCE_PAIRS = (("remittance_outflow", "remittance_inflow"),)


def _caveats(iq: IndicatorQuarter, rule: str) -> tuple[str, ...]:
    """Catalogue notes naming a quarter the sentence relies on (e.g. a back-computed Q1 figure)."""
    used = [iq.label]
    if rule == "change":
        used += [f.period_label for f in (iq.previous, iq.year_ago) if f is not None and f.reported]
    return tuple(n for n in iq.indicator.notes if any(label in n for label in used))


def key_findings(facts: Sequence[IndicatorQuarter]) -> list[Finding]:
    """Every rule over the quarter's facts, in the order given (the briefing's section order)."""
    out: list[Finding] = []
    by_id = {iq.indicator.id: iq for iq in facts}
    for iq in facts:
        for name, rule in PER_INDICATOR:
            text = rule(iq)
            if text:
                out.append(Finding(name, text, (iq.indicator.id,), _caveats(iq, name)))
        for a, b in BALANCE_PAIRS:
            if iq.indicator.id == b and a in by_id:
                text = rule_balance(by_id[a], iq)
                if text:
                    out.append(Finding("balance", text, (a, b)))
    text = rule_not_reported(facts)
    if text:
        out.append(Finding("not_reported", text, tuple(iq.indicator.id for iq in facts if not iq.has_any)))
    return out
