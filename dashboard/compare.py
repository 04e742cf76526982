"""The explorer's compare mode (``mode=compare``): the view's period and its "Compared with" period (the
change explainer's ``vs``, resolved by ``explain.comparison_period``, so a link has one notion of "the other
period") side by side, country by country. Only comparable periods: the explainer's refusals are reused, with
their words, and no chart is drawn for a refused pair.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from dashboard.countries import OTHER, TOTAL
from dashboard.data import DERIVED, DataStore
from dashboard.explain import comparison_period, explain_key, explain_view
from dashboard.periods import parse_period, period_label
from dashboard.state import ExplorerState
from dashboard.views import shown_rows, with_revisions

COMPARE = "compare"
# "nothing_common": no country listed in both periods is still two rankings worth showing side by side
_SHOWN_ANYWAY = frozenset({"nothing_common"})


@dataclass(frozen=True)
class Row:
    """One country in both periods: its breakdown rows (None: not listed in that period, never 0)."""

    country: str
    current: dict[str, Any] | None
    base: dict[str, Any] | None

    def value(self, side: str) -> float | None:
        row = self.current if side == "current" else self.base
        return None if row is None else row["value"]

    @property
    def change(self) -> float | None:
        a, b = self.value("current"), self.value("base")
        return None if a is None or b is None else a - b

    @property
    def change_pct(self) -> float | None:
        a, b = self.value("current"), self.value("base")
        return None if a is None or b is None or b == 0 else (a / b - 1.0) * 100.0

    @property
    def derived(self) -> bool:
        return any(r is not None and r["status"] == DERIVED for r in (self.current, self.base))

    @property
    def conflict(self) -> bool:
        return any(r is not None and bool(r.get("conflict")) for r in (self.current, self.base))


@dataclass(frozen=True)
class Comparison:
    indicator: str
    measure: str
    unit: str
    period: str
    period_type: str
    label: str  # the view's period in words
    other: str | None  # the period compared with (None: there is none)
    other_label: str
    message: str | None = None  # why the two cannot be compared (the explainer's words); None: they can
    rows: tuple[Row, ...] = ()  # largest first in the view's period, then the others by the other period
    frames: tuple[pl.DataFrame, ...] = field(default=(), compare=False)  # the rows shown (sources, flags)

    @property
    def ok(self) -> bool:
        return self.message is None and self.other is not None


def _rows(store: DataStore, s: ExplorerState, period: str, ptype: str) -> pl.DataFrame:
    rows = store.breakdown(s.indicator, period, ptype, s.measure, s.unit)
    rows = with_revisions(store, rows, s.with_(period=period, period_type=ptype))
    return rows.filter(pl.col("value").is_not_null() & ~pl.col("country_iso3").is_in([TOTAL, OTHER]))


def _order(row: Row) -> tuple:
    a, b = row.value("current"), row.value("base")
    return (a is None, -(a or 0.0), -(b or 0.0), row.country)


def comparison(store: DataStore, s: ExplorerState) -> Comparison:
    """The view's period against its "Compared with", country by country (remembered per view)."""
    key = ("compare", *explain_key(s))
    return store.memo(key, lambda: _comparison(store, s))


def _comparison(store: DataStore, s: ExplorerState) -> Comparison:
    label = period_label(parse_period(s.period, s.period_type))
    base = comparison_period(store, s.indicator, s.measure, s.unit, s.period, s.period_type, s.vs)
    explained = explain_view(store, s)
    refused = None if explained.ok or explained.refusal in _SHOWN_ANYWAY else explained.message
    if base is None:
        return Comparison(s.indicator, s.measure, s.unit, s.period, s.period_type, label, None, "", refused)
    other, other_type = base
    other_label = period_label(parse_period(other, other_type))
    head = (s.indicator, s.measure, s.unit, s.period, s.period_type, label, other, other_label)
    if refused:
        return Comparison(*head, refused)
    cur, old = _rows(store, s, s.period, s.period_type), _rows(store, s, other, other_type)
    by_cur = {r["country_iso3"]: r for r in cur.iter_rows(named=True)}
    by_old = {r["country_iso3"]: r for r in old.iter_rows(named=True)}
    rows = [Row(c, by_cur.get(c), by_old.get(c)) for c in set(by_cur) | set(by_old)]
    return Comparison(*head, None, tuple(sorted(rows, key=_order)), (cur, old))


def frames(c: Comparison) -> pl.DataFrame:
    """Both periods' rows shown, for the sources line and the derived / conflicting flags."""
    shown = [f for f in c.frames if not f.is_empty()]
    return pl.concat(shown, how="diagonal_relaxed") if shown else pl.DataFrame()


def with_other_period(store: DataStore, s: ExplorerState, shown: pl.DataFrame) -> pl.DataFrame:
    """The figures a view shows (``views.shown_rows``), in compare mode with the other period's figures too
    (its breakdown and total, as the view's own period's), for the CSV / XLSX download."""
    if s.mode != COMPARE:
        return shown
    c = comparison(store, s)
    if not c.ok or c.other is None:
        return shown
    other_type = parse_period(c.other, s.period_type).type if s.period_type != "ytd" else s.period_type
    other = shown_rows(store, s.with_(period=c.other, period_type=other_type))
    other = other.filter((pl.col("period") == c.other) & (pl.col("period_type") == other_type))
    return pl.concat([shown, other], how="diagonal_relaxed").unique(maintain_order=True)
