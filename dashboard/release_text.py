"""What a release changed, said in words in the language in force: shared by the "What's new" page
(layouts/releases.py), the Atom feed (dashboard/feed.py) and the revision marks of tables, charts, downloads
and the briefing.

Added figures are summarised per indicator (periods and countries, never one line per figure); every
revision and withdrawal is said in full, with its values and reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from babel.dates import format_date

from dashboard import i18n
from dashboard.catalogue import Unit, catalogue
from dashboard.countries import TOTAL, country_name
from dashboard.formatting import fmt_value
from dashboard.i18n import N_, _, ngettext
from dashboard.periods import PeriodError, parse_period, period_label
from dashboard.releases import ADDED, INITIAL_NOTE, REVISED, WITHDRAWN, Release, ReleaseChange

KINDS = {"build": N_("initial build"), "import": N_("import"), "withdraw": N_("withdrawal")}
MAX_NAMES = 4  # countries or periods named before "and N more"


def release_date(at: datetime | None) -> str:
    """A release's day in the language in force ('3 Dec 2026', '3 дек. 2026 г.'); '' when unknown."""
    if at is None:
        return ""
    lang = i18n.current()
    return format_date(at.date(), "d MMM y" if lang == i18n.DEFAULT else "medium", locale=lang)


def kind_label(kind: str) -> str:
    return _(KINDS[kind]) if kind in KINDS else kind


def _period(period: str, period_type: str) -> str:
    try:
        return period_label(parse_period(period, period_type))
    except PeriodError:  # a record is data: never let a label break a page
        return period


def _indicator(indicator: str) -> str:
    cat = catalogue()
    return cat.indicator(indicator).short_title if cat.has_indicator(indicator) else indicator


def _measure(measure: str) -> str:
    try:
        return catalogue().measure(measure).label
    except (KeyError, LookupError, StopIteration):  # a unit or measure the catalogue no longer has
        return measure


def _value(value: float | None, unit: str | Unit) -> str:
    try:
        return fmt_value(value, unit)
    except (KeyError, LookupError, StopIteration):  # a unit or measure the catalogue no longer has
        return "" if value is None else f"{value:g}"


def figure_label(c: ReleaseChange) -> str:
    """'TRPs issued · Q2 2023 · Uzbekistan · Share of total' (the total's country is said as such)."""
    country = _("Total") if c.country_iso3 == TOTAL else country_name(c.country_iso3)
    return " · ".join(
        (_indicator(c.indicator), _period(c.period, c.period_type), country, _measure(c.measure))
    )


def counts_text(r: Release) -> str:
    """'123 figures added, 1 revised, 0 withdrawn'."""
    added = ngettext("{n} figure added", "{n} figures added", r.added).format(n=r.added)
    return _("{added}, {revised} revised, {withdrawn} withdrawn").format(
        added=added, revised=r.revised, withdrawn=r.withdrawn
    )


@dataclass(frozen=True)
class AddedGroup:
    """The figures a release added for one indicator, in brief."""

    indicator: str
    title: str
    figures: int
    periods: str
    countries: str


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:MAX_NAMES])
    rest = len(items) - MAX_NAMES
    return _("{names} and {n} more").format(names=shown, n=rest) if rest > 0 else shown


def _periods_text(changes: list[ReleaseChange]) -> str:
    spans = {(c.period, c.period_type) for c in changes}

    def start(p: tuple[str, str]):
        try:
            return parse_period(*p).start.toordinal(), p
        except PeriodError:
            return 0, p

    ordered = sorted(spans, key=start)
    labels = [_period(*p) for p in ordered]
    if len(labels) <= MAX_NAMES:
        return ", ".join(labels)
    return _("{first} to {last} ({n} periods)").format(first=labels[0], last=labels[-1], n=len(labels))


def _countries_text(changes: list[ReleaseChange]) -> str:
    codes = sorted({c.country_iso3 for c in changes})
    names = sorted(country_name(c) for c in codes if c != TOTAL)
    parts = [_("Total")] if TOTAL in codes else []
    if names:
        parts.append(
            ngettext("{n} country: {names}", "{n} countries: {names}", len(names)).format(
                n=len(names), names=_names(names)
            )
        )
    return "; ".join(parts)


def added_groups(changes: Iterable[ReleaseChange]) -> list[AddedGroup]:
    """The added figures per indicator, in the catalogue's order: how many, which periods, which countries."""
    by_ind: dict[str, list[ReleaseChange]] = {}
    for c in changes:
        if c.change == ADDED:
            by_ind.setdefault(c.indicator, []).append(c)
    order = {ind.id: n for n, ind in enumerate(catalogue().indicators)}
    return [
        AddedGroup(ind, _indicator(ind), len(cs), _periods_text(cs), _countries_text(cs))
        for ind, cs in sorted(by_ind.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    ]


def revisions(r: Release) -> list[ReleaseChange]:
    return [c for c in r.changes if c.change == REVISED]


def withdrawals(r: Release) -> list[ReleaseChange]:
    return [c for c in r.changes if c.change == WITHDRAWN]


def old_value(c: ReleaseChange) -> str:
    return _value(c.previous_value, c.unit)


def new_value(c: ReleaseChange) -> str:
    return _value(c.value, c.unit)


def revision_line(c: ReleaseChange) -> str:
    """'TRPs issued · Q2 2023 · Total · Count: 308,710 → 308,800 (reason). Document'."""
    return _("{figure}: {old} → {new} ({reason}). {document}").format(
        figure=figure_label(c), old=old_value(c), new=new_value(c), reason=c.reason or "", document=c.document
    )


def withdrawal_line(c: ReleaseChange) -> str:
    """'<figure> (was 68.8%): <reason>. <document>' (listed under "Withdrawn:")."""
    return _("{figure} (was {value}): {reason}. {document}").format(
        figure=figure_label(c), value=old_value(c), reason=c.reason or "", document=c.document
    )


def release_title(r: Release) -> str:
    """'Release 2: <note>' ('Release 2' without a note). Notes are shown as typed, except the one `mtm build`
    writes for release 1, which is the app's own words and so is shown in the reader's language."""
    if r.note:
        note = _(INITIAL_NOTE) if r.kind == "build" and r.note == INITIAL_NOTE else r.note
        return _("Release {n}: {note}").format(n=r.number, note=note)
    return _("Release {n}").format(n=r.number)


def release_text(r: Release) -> str:
    """A release's changes as plain text (the feed's content): counts, added figures per indicator, every
    revision and withdrawal."""
    lines = [counts_text(r)]
    groups = added_groups(r.changes)
    if groups:
        lines += ["", _("Added:")]
        lines += [
            _("{indicator}: {n} figures; {periods}; {countries}").format(
                indicator=g.title, n=g.figures, periods=g.periods, countries=g.countries
            )
            for g in groups
        ]
    if revs := revisions(r):
        lines += ["", _("Revised:")] + [revision_line(c) for c in revs]
    if wds := withdrawals(r):
        lines += ["", _("Withdrawn:")] + [withdrawal_line(c) for c in wds]
    return "\n".join(lines)


# -- the marks on a figure shown: revised (in release N, was X, why) -------------------------------------


def revised_note(row: Mapping[str, Any], unit: str | Unit | None = None) -> str | None:
    """'revised in release 3, was 308,710: <reason>' for a row (or Figure fields) that revised an earlier
    statement; None otherwise (a chart's hover says revised_short, without the reason)."""
    n = row.get("revised_in")
    if n is None:
        return None
    text = revised_short(row, unit)
    reason = row.get("revision_reason")
    return _("{revised}: {reason}").format(revised=text, reason=reason) if reason else text


def revised_short(row: Mapping[str, Any], unit: str | Unit | None = None) -> str:
    """'revised in release 3, was 308,710' (``unit``: the row's own ``unit`` unless given)."""
    unit = unit if unit is not None else str(row.get("unit") or "")
    return _("revised in release {n}, was {value}").format(
        n=row.get("revised_in"), value=_value(row.get("previous_value"), unit)
    )


def withdrawn_note(c: Mapping[str, Any]) -> str:
    """'Withdrawn in release 4: <figure> (was 68.8%): <reason>' for a row of ``store.withdrawn()``."""
    # a row of store.withdrawn() has every field of a ReleaseChange (its columns are the changes table's)
    change = ReleaseChange(**{k: c.get(k) for k in ReleaseChange.__dataclass_fields__})  # type: ignore[arg-type]
    return _("Withdrawn in release {n}: {figure} (was {value}): {reason}").format(
        n=c.get("release"), figure=figure_label(change), value=old_value(change), reason=c.get("reason") or ""
    )
