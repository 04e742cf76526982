"""Data freshness per indicator: the last period with data, when its figures last arrived, and whether the
next figure is overdue by the catalogue's reporting ``cadence`` ("possibly stale").

The rule: after the last period with data, the next figure expected is the one for the cadence period (month,
quarter or year) containing the day after that period's end — the first one not fully covered. It is due one
reporting lag after that period ends (:data:`LAG`: 45 days for a month, 3 months for a quarter, 6 months for a
year, roughly how long the statistics bureau, the ministries and IOM take). An indicator is *possibly stale*
when today is past that date. Example: quarterly, last data Q1 2025 (ends 31 Mar) → Q2 2025 is due by
30 Jun + 92 days = 30 Sep 2025; stale from 1 Oct 2025.

Everything here is pure: the caller passes the store (its release record says when each indicator last
changed; a store without one falls back on the import history, ``history.read_history``), the date the
tables were built and today. :func:`built_on` is the one helper that reads a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import cast

import polars as pl
from babel.dates import format_date

from dashboard import i18n
from dashboard.catalogue import Catalogue, catalogue
from dashboard.data import MANIFEST, DataStore
from dashboard.i18n import _
from dashboard.periods import parse_period, period_label

LAG = {"month": timedelta(days=45), "quarter": timedelta(days=92), "year": timedelta(days=183)}


@dataclass(frozen=True)
class Freshness:
    indicator: str
    cadence: str  # month | quarter | year, from the catalogue
    last_period: str | None  # id of the last period with a published figure (None: no data)
    last_period_type: str | None
    last_period_label: str | None  # e.g. "Q3 2025"
    last_period_end: date | None
    last_import: date | None  # the last `mtm import` that added rows for this indicator
    last_update: date | None  # the last import, else the date the tables were built
    latest_source: date | None  # the newest publication date among the indicator's sources
    next_due: str | None  # label of the period expected next, e.g. "Q4 2025"
    due_by: date | None
    possibly_stale: bool

    @property
    def last_label(self) -> str | None:
        """The last period with data, labelled in the language in force (``last_period_label`` keeps the
        language the record was computed in, and records are remembered across requests)."""
        if self.last_period is None or self.last_period_type is None:
            return self.last_period_label
        return period_label(parse_period(self.last_period, self.last_period_type))

    @property
    def due_label(self) -> str | None:
        """The period expected next, labelled in the language in force."""
        if self.last_period_end is None:
            return self.next_due
        return cadence_period(self.last_period_end + timedelta(days=1), self.cadence)[0]

    @property
    def note(self) -> str:
        """One sentence for the page, in the language in force, e.g. 'Latest data Q3 2025, imported
        10 Jan 2026; Q4 2025 expected by 2 Apr 2026.'"""
        if self.last_period is None:
            return _("No data yet.")
        if self.last_import:
            head = _("Latest data {period}, imported {date}").format(
                period=self.last_label, date=_day(self.last_import)
            )
        elif self.latest_source:
            head = _("Latest data {period}, latest source published {date}").format(
                period=self.last_label, date=_day(self.latest_source)
            )
        else:
            head = _("Latest data {period}").format(period=self.last_label)
        if self.possibly_stale:
            return _("{latest}. Possibly out of date: {period} was expected by {date}.").format(
                latest=head, period=self.due_label, date=_day(self.due_by)
            )
        return _("{latest}; {period} expected by {date}.").format(
            latest=head, period=self.due_label, date=_day(self.due_by)
        )


def _day(d: date | None) -> str:
    """'2 Apr 2026' (Russian '2 апр. 2026'), by Babel in the language in force."""
    return format_date(d, "d MMM y", locale=i18n.current()) if d else "?"


def cadence_period(day: date, cadence: str) -> tuple[str, date, date]:
    """The cadence period (label in the language in force, first day, last day) that contains ``day``."""
    if cadence == "month":
        start = day.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return period_label(parse_period(f"{start:%Y-%m}", "month")), start, end
    if cadence == "quarter":
        q = (day.month - 1) // 3 + 1
        start = date(day.year, 3 * q - 2, 1)
        end = (date(day.year, 3 * q, 28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        return period_label(parse_period(f"{day.year}-Q{q}", "quarter")), start, end
    if cadence == "year":
        return str(day.year), date(day.year, 1, 1), date(day.year, 12, 31)
    raise ValueError(f"unknown cadence {cadence!r}")


def last_period(store: DataStore, indicator: str, cadence: str | None = None) -> tuple[str, str, date] | None:
    """(period id, period type, last day) of the latest published figure of an indicator, any country or
    measure. Among periods ending the same day the one of the cadence's length is taken, else the shortest.
    A year-to-date figure with no stated end counts from its first day."""
    df = store.observations.filter((pl.col("indicator") == indicator) & (pl.col("method") == "published"))
    if df.is_empty():
        return None
    df = (
        df.select("period", "period_type", "period_start", "period_end")
        .unique()
        .with_columns(
            pl.coalesce("period_end", "period_start").alias("_end"),
            (pl.col("period_type") != (cadence or "")).alias("_other"),
        )
        .sort(["_end", "_other", "period_start"], descending=[True, False, True])
    )
    r = df.row(0, named=True)
    return r["period"], r["period_type"], r["_end"]


def latest_source(store: DataStore, indicator: str) -> date | None:
    """The newest publication date (documents.yaml) among the sources of an indicator's published figures."""
    ids = store.observations.filter((pl.col("indicator") == indicator) & (pl.col("method") == "published"))[
        "source_id"
    ]
    if ids.is_empty() or "published" not in store.sources.columns:
        return None
    newest = store.sources.filter(pl.col("source_id").is_in(ids.to_list()))["published"].max()
    return cast(date | None, newest)  # the max of a date32 column (dashboard/schema.py)


def last_imports(history: Iterable[Mapping]) -> dict[str, date]:
    """Indicator -> the (UTC) date of the last recorded import that added rows for it."""
    out: dict[str, date] = {}
    for rec in history:
        try:
            at = datetime.fromisoformat(str(rec["at"]))
        except (KeyError, ValueError):
            continue
        day = (at.astimezone(UTC) if at.tzinfo else at).date()
        indicators = rec.get("indicators")
        if not isinstance(indicators, Mapping):
            continue
        for ind, n in indicators.items():
            if isinstance(n, int) and n > 0 and (ind not in out or out[ind] < day):
                out[ind] = day
    return out


def release_imports(store: DataStore) -> dict[str, date]:
    """Indicator -> the (UTC) date of the last release that added, revised or withdrawn one of its figures,
    from the store's release record (it travels with the data set, DATA_URL included). The initial build
    (release 1 of data recorded before releases existed) is not an import."""
    out: dict[str, date] = {}
    for rel in store.releases():
        if rel.at is None or rel.kind == "build":
            continue
        day = rel.at.astimezone(UTC).date() if rel.at.tzinfo else rel.at.date()
        for change in rel.changes:
            if change.indicator not in out or out[change.indicator] < day:
                out[change.indicator] = day
    return out


def imports_of(store: DataStore, history: Iterable[Mapping]) -> dict[str, date]:
    """The last import per indicator: from the store's releases when it has a release record, else from the
    import history (data/history.jsonl)."""
    return release_imports(store) if store.latest_release is not None else last_imports(history)


def indicator_freshness(
    store: DataStore,
    indicator: str,
    today: date,
    history: Iterable[Mapping] = (),
    built_at: date | None = None,
    cat: Catalogue | None = None,
    imports: Mapping[str, date] | None = None,
) -> Freshness:
    cat = cat or catalogue()
    cadence = cat.indicator(indicator).cadence
    imports = imports if imports is not None else imports_of(store, history)
    imported = imports.get(indicator)
    last = last_period(store, indicator, cadence)
    if last is None:
        return Freshness(
            indicator,
            cadence,
            None,
            None,
            None,
            None,
            imported,
            imported or built_at,
            None,
            None,
            None,
            False,
        )
    pid, ptype, end = last
    due_label, _, due_end = cadence_period(end + timedelta(days=1), cadence)
    due_by = due_end + LAG[cadence]
    return Freshness(
        indicator=indicator,
        cadence=cadence,
        last_period=pid,
        last_period_type=ptype,
        last_period_label=period_label(parse_period(pid, ptype)),
        last_period_end=end,
        last_import=imported,
        last_update=imported or built_at,
        latest_source=latest_source(store, indicator),
        next_due=due_label,
        due_by=due_by,
        possibly_stale=today > due_by,
    )


def freshness(
    store: DataStore,
    today: date,
    history: Iterable[Mapping] = (),
    built_at: date | None = None,
    cat: Catalogue | None = None,
) -> tuple[Freshness, ...]:
    """Freshness of every indicator of the catalogue, in catalogue order."""
    cat = cat or catalogue()
    imports = imports_of(store, history)
    return tuple(
        indicator_freshness(store, ind.id, today, built_at=built_at, cat=cat, imports=imports)
        for ind in cat.indicators
    )


def built_on(parquet_dir: Path) -> date | None:
    """The (UTC) date the tables in ``parquet_dir`` were last written: the manifest's modification time."""
    try:
        json.loads((parquet_dir / MANIFEST).read_text())
        return datetime.fromtimestamp((parquet_dir / MANIFEST).stat().st_mtime, UTC).date()
    except (OSError, ValueError):
        return None
