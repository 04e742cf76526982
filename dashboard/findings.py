"""Key findings of a quarterly briefing, written from the data by small rules.

A rule is a plain function: the facts of one quarter in, one sentence (with its numbers, in the language
in force) or ``None`` out. A rule never invents a figure: when a number it needs was not reported it
returns ``None`` (or, for the gap rules, says that it was not reported). Nothing here is written for one
quarter. Each sentence is one gettext message with named placeholders, so Russian and Kazakh can order it
their own way (dashboard/locale/*/LC_MESSAGES/briefing.po).

The facts (``IndicatorQuarter``) are assembled from the data API by ``dashboard.briefing``; they can also be
built by hand, which is how the rules are unit-tested. The wording of ratios is in ``change_phrase`` and
``times_phrase`` ("rose about fourfold", "doubled", "rose by 38.8%").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from dashboard import i18n
from dashboard.catalogue import Indicator, catalogue, english_catalogue
from dashboard.countries import OTHER, TOTAL, country_name
from dashboard.data import DERIVED, NOT_REPORTED, Change, Figure
from dashboard.formatting import fmt_plain, fmt_value, unit_word
from dashboard.i18n import N_, _, ngettext
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
    href: str | None = None  # the explorer view that proves it (the change explainer's findings)


# -- wording ----------------------------------------------------------------------------------------------
# Whole phrases rather than a number word in a frame: Russian and Kazakh build multiples their own way.
_ROSE_ABOUT = {
    3: N_("rose about threefold"),
    4: N_("rose about fourfold"),
    5: N_("rose about fivefold"),
    6: N_("rose about sixfold"),
    7: N_("rose about sevenfold"),
    8: N_("rose about eightfold"),
    9: N_("rose about ninefold"),
    10: N_("rose about tenfold"),
}
_ABOUT_TIMES = {
    3: N_("about three times"),
    4: N_("about four times"),
    5: N_("about five times"),
    6: N_("about six times"),
    7: N_("about seven times"),
    8: N_("about eight times"),
    9: N_("about nine times"),
    10: N_("about ten times"),
}
OTHER_COUNTRIES = N_("other countries")  # "other countries" inside a sentence


def _pct(value: float) -> str:
    """An unsigned percentage in the locale's style: '38.8%', Russian '38,8 %'."""
    return fmt_value(abs(value), "percent")


def _round_half_up(x: float) -> int:
    return math.floor(x + 0.5)


def change_phrase(ratio: float | None) -> str | None:
    """How a level moved, from the ratio new / old.

    ``rose by 38.8%`` below 1.9x; ``doubled`` for 1.9-2.1x; ``more than doubled`` below 2.5x; ``rose about
    fourfold`` for 3.5-4.5x (the nearest whole multiple, three to ten); ``rose more than tenfold`` beyond;
    ``halved`` for 0.475-0.525x; ``fell by 17.1%`` for any other fall; ``was unchanged`` within 0.05%.
    In the language in force.
    """
    if ratio is None or not math.isfinite(ratio) or ratio <= 0:
        return None
    pct = (ratio - 1.0) * 100.0
    if abs(pct) < 0.05:
        return _("was unchanged")
    if ratio < 1.0:
        if 0.475 <= ratio <= 0.525:
            return _("halved")
        return _("fell by {pct}").format(pct=_pct(pct))
    if ratio < 1.9:
        return _("rose by {pct}").format(pct=_pct(pct))
    if ratio <= 2.1:
        return _("doubled")
    if ratio < 2.5:
        return _("more than doubled")
    n = _round_half_up(ratio)
    if n > 10:
        return _("rose more than tenfold")
    return _(_ROSE_ABOUT[n])


def times_phrase(ratio: float | None) -> str | None:
    """How many times one amount is another: ``1.6 times``, ``twice``, ``more than twice``,
    ``about three times`` (nearest whole multiple from 2.5x), ``more than ten times``."""
    if ratio is None or not math.isfinite(ratio) or ratio <= 0:
        return None
    if ratio < 1.9:
        return _("{times} times").format(times=fmt_plain(ratio, 1))
    if ratio <= 2.1:
        return _("twice")
    if ratio < 2.5:
        return _("more than twice")
    n = _round_half_up(ratio)
    if n > 10:
        return _("more than ten times")
    return _(_ABOUT_TIMES[n])


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
    """A country name as it reads in a sentence: 'the Russian Federation', 'Uzbekistan' (Russian and Kazakh
    have no article: 'Российская Федерация')."""
    name = country_name(code)
    if code == OTHER:
        name = _(OTHER_COUNTRIES)
    elif i18n.current() == i18n.DEFAULT and name.startswith(_THE):
        name = f"the {name}"
    return name[:1].upper() + name[1:] if start else name


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text and not text[:2].isupper() else text


def _when_label(label: str, is_date: bool = False) -> str:
    """'in Q2 2023', 'in May 2023', or 'as of 1 August 2023' for a stock (a date's label says "as of")."""
    return label if is_date else _("in {period}").format(period=label)


def when(f: Figure) -> str:
    return _when_label(f.period_label, f.period_type == "date")


def _subject(iq: IndicatorQuarter) -> str:
    return iq.indicator.title


def _value(value: float | None, unit: str) -> str:
    return fmt_value(value, unit)


def _derived(text: str) -> str:
    """'300,000 (derived)': a value computed here rather than published."""
    return _("{value} (derived)").format(value=text)


def _figure_value(f: Figure) -> str:
    """'308,710', '253.8 bn KZT'; '(derived)' after a value computed here rather than published."""
    text = _value(f.value, f.unit)
    return _derived(text) if f.status == DERIVED else text


def _at(f: Figure) -> str:
    """'308,710 in Q2 2023' (Kazakh puts the period first)."""
    return _("{value} {when}").format(value=_figure_value(f), when=when(f))


def _and_list(names: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c' (no serial comma)."""
    if len(names) == 1:
        return names[0]
    return _("{items} and {last}").format(items=", ".join(names[:-1]), last=names[-1])


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


# -- the rules --------------------------------------------------------------------------------------------
def _ratio(change: Change, cur: Figure, other: Figure | None) -> float | None:
    if change.value is not None:
        return 1.0 + change.value / 100.0
    if cur.value is not None and other is not None and other.reported and other.value:  # value: "reported"
        return cur.value / other.value
    return None


def _clause(
    change: Change, cur: Figure, other: Figure | None, against: str, with_current: bool
) -> str | None:
    """'rose about fourfold on the previous quarter (308,710 in Q2 2023 vs 82,000 in Q1 2023)';
    ``against`` is "previous" or "year"."""
    phrase = change_phrase(_ratio(change, cur, other))
    if phrase is None or not cur.reported:
        return None
    now = _at(cur)
    if other is not None and other.reported:
        then = _at(other)
        numbers = _("{now} vs {then}").format(now=now, then=then) if with_current else then
    else:  # a change the source printed without the earlier level
        missing = (
            _("the level of {period} was not reported").format(period=other.period_label)
            if other is not None
            else ""
        )
        numbers = "; ".join(p for p in (now if with_current else "", missing, _("change as published")) if p)
    if against == "previous":
        return _("{change} on the previous quarter ({numbers})").format(change=phrase, numbers=numbers)
    return _("{change} compared with a year earlier ({numbers})").format(change=phrase, numbers=numbers)


def rule_change(iq: IndicatorQuarter) -> str | None:
    """The total against the previous quarter and a year earlier, in one sentence."""
    if not iq.reported:
        return None
    prev = _clause(iq.change_prev, iq.current, iq.previous, "previous", True)
    yoy = _clause(iq.change_yoy, iq.current, iq.year_ago, "year", prev is None)
    if prev is None and yoy is None:
        return None
    if prev and yoy:
        r_prev = _ratio(iq.change_prev, iq.current, iq.previous) or 1.0
        r_yoy = _ratio(iq.change_yoy, iq.current, iq.year_ago) or 1.0
        if (r_prev - 1.0) * (r_yoy - 1.0) < 0:
            text = _("{subject} {previous} but {year_ago}")
        else:
            text = _("{subject} {previous} and {year_ago}")
        return _sentence(text.format(subject=_subject(iq), previous=prev, year_ago=yoy))
    return _sentence(_("{subject} {change}").format(subject=_subject(iq), change=prev or yoy))


# The first country, by the counterpart's role: (was, remained, replaced) — whole sentences, because Russian
# and Kazakh put the title, the country and the period in their own order.
_LEADS = {
    "destination": (
        N_("{place} was the first destination of {title} {when}: {amount}"),
        N_("{place} remained the first destination of {title} {when} (as in {earlier}): {amount}"),
        N_(
            "{place} replaced {before} as the first destination of {title} {when} "
            "(first in {earlier}): {amount}"
        ),
    ),
    "source": (
        N_("{place} was the first source of {title} {when}: {amount}"),
        N_("{place} remained the first source of {title} {when} (as in {earlier}): {amount}"),
        N_("{place} replaced {before} as the first source of {title} {when} (first in {earlier}): {amount}"),
    ),
    "origin": (
        N_("{place} was the first country of origin of {title} {when}: {amount}"),
        N_("{place} remained the first country of origin of {title} {when} (as in {earlier}): {amount}"),
        N_(
            "{place} replaced {before} as the first country of origin of {title} {when} "
            "(first in {earlier}): {amount}"
        ),
    ),
}
_ROLE = {
    "destination": "destination",
    "receiving_country": "destination",
    "sending_country": "source",
    "origin": "origin",
}
_GROUP = ("nationality", "citizenship")


def _share_text(p: Part) -> str:
    return _pct(p.share or 0.0)


def _group_lead(iq: IndicatorQuarter, b: Breakdown, top: Part, second: Part | None) -> str:
    """'Nationals of Uzbekistan accounted for 73.8% of the 254,393 migrant workers from CIS countries in
    Q2 2023'."""
    nationals = iq.indicator.counterpart == "nationality"
    if b.total is not None:
        text = (
            _("Nationals of {country} accounted for {share} of the {total} {title} {when}")
            if nationals
            else _("Citizens of {country} accounted for {share} of the {total} {title} {when}")
        )
    else:
        text = (
            _("Nationals of {country} accounted for {share} of {title} {when}")
            if nationals
            else _("Citizens of {country} accounted for {share} of {title} {when}")
        )
    return text.format(
        country=country_phrase(top.country),
        share=_share_text(top),
        total=_value(b.total, b.unit) if b.total is not None else "",
        title=_lower_first(iq.indicator.title),
        when=_when_label(b.label, b.period_type == "date"),
    )


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
        text = _group_lead(iq, b, top, second)
        if second is not None:
            text += _(", followed by {country} ({share})").format(
                country=country_phrase(second.country), share=_share_text(second)
            )
        if earlier is not None and kept:
            text += _("; they were also the largest group in {period}").format(period=earlier.label)
        elif earlier is not None and before is not None:  # set together, above
            tail = (
                _("; in {period} the largest group were nationals of {country}")
                if iq.indicator.counterpart == "nationality"
                else _("; in {period} the largest group were citizens of {country}")
            )
            text += tail.format(period=earlier.label, country=country_phrase(before.country))
        return _sentence(text)

    role = _ROLE.get(iq.indicator.counterpart)
    if role is None:
        return None
    was, remained, replaced = _LEADS[role]
    template = was if earlier is None else (remained if kept else replaced)
    if top.value is not None and b.total is not None:
        amount = _("{value} of {total} ({share})").format(
            value=_value(top.value, b.unit), total=_value(b.total, b.unit), share=_share_text(top)
        )
    else:
        amount = _("{share} of the total").format(share=_share_text(top))
    text = _(template).format(
        place=country_phrase(top.country, start=True),
        before=country_phrase(before.country) if before is not None else "",
        title=title,
        when=_when_label(b.label, b.period_type == "date"),
        earlier=earlier.label if earlier is not None else "",
        amount=amount,
    )
    if second is not None:
        runner = _value(second.value, b.unit) if second.value is not None else _share_text(second)
        text += _(", ahead of {country} ({value})").format(
            country=country_phrase(second.country), value=runner
        )
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
        value += f" {unit_word(iq.current.value, unit)}"  # '296,000 transactions': a bare count needs a unit
    if iq.current.status == DERIVED:
        value = _derived(value)
    prev, yago = (
        f.period_label if f is not None else _("the previous quarter") for f in (iq.previous, iq.year_ago)
    )
    return _sentence(
        _(
            "{subject}: {value} {when}; not reported for {previous} or {year_ago}, "
            "so no comparison can be made"
        ).format(subject=_subject(iq), value=value, when=when(iq.current), previous=prev, year_ago=yago)
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
        _("{country} {value}").format(
            country=country_phrase(p.country),
            value=(_derived if p.value_status == DERIVED else str)(_value(p.value, iq.breakdown.unit)),
        )
        for p in shown
    )
    more = len(parts) - len(shown)
    args = {"title": _lower_first(iq.indicator.title), "period": iq.label, "items": items, "n": more}
    if more:
        return _sentence(
            ngettext(
                "No total was reported for {title} in {period}, only figures for some countries: "
                "{items} and {n} more",
                "No total was reported for {title} in {period}, only figures for some countries: "
                "{items} and {n} more",
                more,
            ).format(**args)
        )
    return _sentence(
        _("No total was reported for {title} in {period}, only figures for some countries: {items}").format(
            **args
        )
    )


def month_value(label: str, value: str) -> str:
    """'Apr 2023 76.4 bn KZT' (Russian 'апр. 2023 — 76,4 млрд ₸')."""
    return _("{period} {value}").format(period=label, value=value)


def rule_months(iq: IndicatorQuarter) -> str | None:
    """With all three months reported: the highest month, with the other two."""
    months = [m for m in iq.months if m.reported]
    if len(months) != 3 or len(iq.months) != 3:
        return None
    top = max(months, key=lambda m: cast(float, m.value))  # reported months: a value, never None
    if sum(1 for m in months if m.value == top.value) > 1:
        return None
    others = ", ".join(month_value(m.period_label, _value(m.value, m.unit)) for m in months if m is not top)
    return _sentence(
        _("Month by month, {title} peaked in {month} at {value} ({others})").format(
            title=_lower_first(iq.indicator.title),
            month=top.period_label,
            value=_value(top.value, top.unit),
            others=others,
        )
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
    text = _("In {period} the {larger} was {how} the {smaller} ({larger_value} vs {smaller_value}, computed)")
    if ratio >= 1:
        args = (out_t, in_t, times_phrase(ratio), sent, got)
    else:
        args = (in_t, out_t, times_phrase(1 / ratio), got, sent)
    larger, smaller, how, larger_value, smaller_value = args
    return _sentence(
        text.format(
            period=outflow.label,
            larger=larger,
            smaller=smaller,
            how=how,
            larger_value=larger_value,
            smaller_value=smaller_value,
        )
    )


def rule_not_reported(facts: Sequence[IndicatorQuarter]) -> str | None:
    """The indicators with nothing at all for the quarter (not reported is not zero)."""
    missing = [iq for iq in facts if not iq.has_any]
    if not missing or not facts:
        return None
    names = [_lower_first(iq.indicator.short_title) for iq in missing]
    return _sentence(
        _(
            "No quarterly or monthly figure was reported for {period} on {indicators} "
            "(not reported, which is not zero)"
        ).format(period=facts[0].label, indicators=_and_list(names))
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
    """Catalogue notes naming a quarter the sentence relies on (e.g. a back-computed Q1 figure), in the
    language in force. The notes are matched in English ('Q1 2023'), where the catalogue writes the periods
    the same way as the period labels; the translated note in the same place is returned."""
    used = [period_label(parse_period(iq.quarter, "quarter"), i18n.DEFAULT)]
    if rule == "change":
        used += [
            period_label(parse_period(f.period, f.period_type), i18n.DEFAULT)
            for f in (iq.previous, iq.year_ago)
            if f is not None and f.reported
        ]
    shown = iq.indicator.notes
    cat = english_catalogue()
    english = cat.indicator(iq.indicator.id).notes if cat.has_indicator(iq.indicator.id) else shown
    if len(english) != len(shown):  # a translation that does not follow the English notes one to one
        english = shown
    return tuple(shown[i] for i, n in enumerate(english) if any(label in n for label in used))


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
