"""Data access: the only module that reads Parquet.

Tables are loaded once per worker process into immutable polars frames (polars: the fastest of the engines
measured here for filter + group-by, and its frames are safe to share between threads).
``get_store()`` returns
the current store and reloads it when the manifest written by ``mtm build`` / ``mtm import`` changes, so a
running server picks up new data without a restart and never mixes two versions (the manifest hashes are
checked before a new set is used; a bad set keeps the last good store).

Answers are in the domain's words: a figure, a series, a breakdown, the months of a quarter, the latest
period, a headline with its comparisons. A figure nobody published is returned as "not reported" (value None),
never as 0.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast

import polars as pl

from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL
from dashboard.i18n import N_, _
from dashboard.periods import (
    Period,
    parse_period,
    period_label,
    previous_period,
    quarter_of_day,
    quarter_range,
    year_earlier,
)
from dashboard.periods import months_of_quarter as quarter_months
from dashboard.releases import (
    RELEASES_FILE,
    Release,
    ReleaseChange,
    ReleaseRecordError,
    UnknownRelease,
    read_releases,
    verify_chain,
)
from dashboard.schema import ALL_TABLES, CHANGES_TABLE, RELEASES_TABLE, SOURCES_TABLE, TABLES

log = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "parquet"
MANIFEST = "manifest.json"

PUBLISHED, DERIVED, NOT_REPORTED = "published", "derived", "not_reported"


REVISION_COLUMNS = ("previous_value", "revision_reason", "revised_in")  # on a row that revised an earlier one


class DataUnavailable(RuntimeError):
    """The Parquet tables are missing or corrupt; the message names the file and the fix."""


@dataclass(frozen=True)
class Alternative:
    value: float
    source_id: str
    document: str
    rank: int


@dataclass(frozen=True)
class Figure:
    """One figure, or the explicit statement that it was not reported."""

    indicator: str
    period: str
    period_type: str
    country_iso3: str
    measure: str
    unit: str
    value: float | None
    status: str  # published | derived | not_reported
    derivation: str | None = None
    source_ids: tuple[str, ...] = ()
    conflict: bool = False
    alternatives: tuple[Alternative, ...] = ()
    # a published value that revised the document's earlier statement of this figure: the value it replaced,
    # why, and the release (None: never revised)
    previous_value: float | None = None
    revision_reason: str | None = None
    revised_in: int | None = None

    @property
    def reported(self) -> bool:
        return self.value is not None

    @property
    def period_label(self) -> str:
        return period_label(parse_period(self.period, self.period_type))


@dataclass(frozen=True)
class Change:
    """A change against a comparison period: published by the source, or computed here (derived)."""

    value: float | None  # percent
    status: str  # published | derived | not_reported
    against: Figure | None
    how: str | None = None
    source_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class Headline:
    indicator: str
    current: Figure
    previous: Figure | None
    year_ago: Figure | None
    change_prev: Change
    change_yoy: Change
    trend: tuple[Figure, ...] = field(default=())


def data_version(tables: dict) -> str:
    """A data set's version: a short hash of its manifest's table entries (file names and hashes)."""
    return hashlib.sha256(json.dumps(tables, sort_keys=True).encode()).hexdigest()[:12]


class DataStore:
    """Immutable in-memory tables with the queries the dashboard asks.

    A store shows one release of the data: the latest (``DataStore.load``) or an earlier one
    (``store.at_release(n)``). ``observations`` holds that release's rows; ``versions`` every row of every
    release (``valid_from`` / ``valid_to``); ``release_table`` / ``change_table`` the release record."""

    def __init__(
        self,
        observations: pl.DataFrame,
        sources: pl.DataFrame,
        version: str = "memory",
        *,
        versions: pl.DataFrame | None = None,
        releases: pl.DataFrame | None = None,
        changes: pl.DataFrame | None = None,
        release: int | None = None,
    ):
        self.observations = observations
        self.versions = observations if versions is None else versions
        self.release_table = releases
        self.change_table = changes
        # the release column is a non-null Int16: its max is an int
        latest = cast(int, releases["release"].max()) if releases is not None and len(releases) else None
        self.latest_release: int | None = latest  # None: data with no release record (tests' frames)
        self.release: int | None = release if release is not None else latest  # the release shown
        self._at: dict[int, DataStore] = {}
        self.sources = sources
        self.version = version
        self.preferred = observations.filter(pl.col("preferred"))
        # Every question is about one indicator: split once so a query scans that indicator's rows only.
        self._all_by_ind = observations.partition_by("indicator", as_dict=True)
        self._pref_by_ind = self.preferred.partition_by("indicator", as_dict=True)
        self._empty = observations.clear()
        self._memo: OrderedDict[tuple, object] = OrderedDict()
        self._memo_lock = threading.Lock()
        self._period_index: dict[tuple[str, bool], tuple[dict[tuple[str, str], int], pl.Series]] = {}
        self._country_index: dict[str, dict[tuple[str, str], pl.Series]] = {}
        published = sources["published"] if "published" in sources.columns else None
        # the newest source publication date: what "the data as of" honestly means for cited figures
        # the max of a date32 column (dashboard/schema.py): a date
        self.latest_source_date = cast(
            date | None, published.max() if published is not None and len(published) else None
        )
        self._doc_of = dict(zip(sources["source_id"].to_list(), sources["document"].to_list(), strict=True))

    # -- loading ------------------------------------------------------------------------------------
    @classmethod
    def load(cls, directory: Path = DEFAULT_DIR) -> DataStore:
        manifest_path = directory / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_text())["tables"]
        except FileNotFoundError:
            raise DataUnavailable(
                f"{manifest_path} is missing: the Parquet tables have not been built. Run `mtm build`."
            ) from None
        except (ValueError, KeyError, TypeError) as exc:
            raise DataUnavailable(f"{manifest_path} is corrupt ({exc!r}). Run `mtm build`.") from None
        if not isinstance(manifest, dict):
            raise DataUnavailable(f"{manifest_path} is corrupt (no table list). Run `mtm build`.")
        frames = {}
        for name in ALL_TABLES:
            entry = manifest.get(name)
            if not isinstance(entry, dict) or "file" not in entry or "sha256" not in entry:
                raise DataUnavailable(f"{manifest_path} names no file for table {name!r}. Run `mtm build`.")
            path = directory / str(entry["file"])
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                raise DataUnavailable(f"{path} is missing. Run `mtm build` to rebuild the tables.") from None
            if hashlib.sha256(raw).hexdigest() != entry["sha256"]:
                raise DataUnavailable(
                    f"{path} does not match {MANIFEST} (corrupt or half-written). Run `mtm build`."
                )
            try:
                frames[name] = pl.read_parquet(io.BytesIO(raw))
            except Exception as exc:  # polars raises several kinds for a damaged file
                raise DataUnavailable(f"{path} cannot be read ({exc}). Run `mtm build`.") from None
        version = data_version(manifest)
        releases = frames[RELEASES_TABLE]
        _check_releases(releases, directory)
        versions = pl.concat([frames[n] for n in TABLES], how="vertical")
        return cls(
            versions.filter(pl.col("valid_to").is_null()),
            frames[SOURCES_TABLE],
            version,
            versions=versions,
            releases=releases,
            changes=frames[CHANGES_TABLE],
        )

    # -- releases -----------------------------------------------------------------------------------
    def at_release(self, number: int) -> DataStore:
        """The data as it was at release ``number``: its figures ranked, in conflict and derived as they
        were then (remembered). Raises UnknownRelease (a message for a notice) for a release that does not
        exist; the latest release is this store."""
        latest = self.latest_release
        if (
            latest is None
            or isinstance(number, bool)
            or not isinstance(number, int)
            or not 1 <= number <= latest
        ):
            known = f"releases are 1 to {latest}" if latest else "no release is recorded"
            raise UnknownRelease(f"release {number!r} does not exist: {known}")
        if number == latest or number == self.release:
            return self
        with self._memo_lock:
            if number in self._at:
                return self._at[number]
        store = self._as_of(number)
        with self._memo_lock:
            return self._at.setdefault(number, store)

    def _as_of(self, number: int) -> DataStore:
        assert self.release_table is not None and self.change_table is not None
        rows_last = self.release_table.filter(pl.col("release") == number)["rows_last"][0]
        holds = (pl.col("valid_from") <= number) & (
            pl.col("valid_to").is_null() | (pl.col("valid_to") > number)
        )
        versions = self.versions.filter(pl.col("valid_from") <= number).with_columns(
            pl.when(pl.col("valid_to") > number).then(None).otherwise(pl.col("valid_to")).alias("valid_to")
        )
        return DataStore(
            self.versions.filter(holds),
            self.sources.filter(pl.col("csv_row") <= rows_last),
            f"{self.version}@r{number}",
            versions=versions,
            releases=self.release_table.filter(pl.col("release") <= number),
            changes=self.change_table.filter(pl.col("release") <= number),
            release=number,
        )

    def releases(self) -> tuple[Release, ...]:
        """Every release up to the one shown, newest first, each with the figures it changed."""
        if self.release_table is None:
            return ()
        return self.memo(("releases",), self._releases)

    def _releases(self) -> tuple[Release, ...]:
        if self.release_table is None:
            return ()
        by_release: dict[int, list[ReleaseChange]] = {}
        if self.change_table is not None:
            for c in self.change_table.iter_rows(named=True):
                by_release.setdefault(c["release"], []).append(ReleaseChange(**c))
        out = []
        for r in self.release_table.sort("release", descending=True).iter_rows(named=True):
            out.append(
                Release(
                    number=r["release"],
                    at=r["at"],
                    kind=r["kind"],
                    file=r["file"],
                    file_sha256=r["file_sha256"],
                    by=r["by"],
                    note=r["note"],
                    rows=(r["rows_first"], r["rows_last"]),
                    added=r["added"],
                    revised=r["revised"],
                    withdrawn=r["withdrawn"],
                    sha256=r["sha256"],
                    changes=tuple(by_release.get(r["release"], ())),
                )
            )
        return tuple(out)

    def release_info(self, number: int) -> Release:
        """One release (UnknownRelease when there is no such release up to the one shown)."""
        for r in self.releases():
            if r.number == number:
                return r
        raise UnknownRelease(f"release {number!r} does not exist: releases are 1 to {self.release}")

    def changes_between(self, first: int, last: int) -> pl.DataFrame:
        """What changed after release ``first`` up to ``last`` (first < last): the ``changes`` rows
        (added / revised / withdrawn), oldest release first. UnknownRelease for a release that does not
        exist (0 is allowed for ``first``: everything up to ``last``)."""
        if first != 0:
            self.at_release(first)
        self.at_release(last)
        assert self.change_table is not None
        lo, hi = sorted((first, last))
        return self.change_table.filter((pl.col("release") > lo) & (pl.col("release") <= hi)).sort(
            ["release", "change", "csv_row"]
        )

    def withdrawn(self, indicator: str | None = None) -> pl.DataFrame:
        """Figures withdrawn up to the release shown: figure, document, the value withdrawn
        (``previous_value``), the ``reason`` and the ``release`` (a ``changes`` frame)."""
        if self.change_table is None:
            return pl.DataFrame(schema={"release": pl.Int16, "change": pl.Utf8})
        f = pl.col("change") == "withdrawn"
        if indicator:
            f &= pl.col("indicator") == indicator
        return self.change_table.filter(f).sort(["release", "csv_row"])

    def revised(self, indicator: str | None = None) -> pl.DataFrame:
        """The rows shown now that revised an earlier statement (``previous_value``, ``revision_reason``,
        ``revised_in`` set)."""
        if "revised_in" not in self.observations.columns:
            return self.observations.clear()
        if indicator:  # every chart of a view asks: remembered (a scan of all rows otherwise)
            return self.memo(("revised", indicator), lambda: self._revised(self.all_rows(indicator)))
        return self._revised(self.observations)

    def _revised(self, rows: pl.DataFrame) -> pl.DataFrame:
        return rows.filter(pl.col("revised_in").is_not_null())

    # -- partitions and memo ------------------------------------------------------------------------
    def rows(self, indicator: str) -> pl.DataFrame:
        """The preferred rows of one indicator (empty if none)."""
        return self._pref_by_ind.get((indicator,), self._empty)

    def all_rows(self, indicator: str) -> pl.DataFrame:
        """Every row of one indicator, alternatives included."""
        return self._all_by_ind.get((indicator,), self._empty)

    def period_rows(
        self, indicator: str, period: str, period_type: str, preferred: bool = True
    ) -> pl.DataFrame:
        """The rows of one indicator and period (preferred ones, or every row with alternatives): a lookup
        in a per-indicator index of row numbers, not a scan of the indicator's rows (most questions are
        about one period; on millions of rows the scan was most of a first view's time)."""
        frame = self.rows(indicator) if preferred else self.all_rows(indicator)
        where, rows = self.period_index(indicator, preferred)
        i = where.get((period, period_type))
        return frame.clear() if i is None else frame[rows[i]]

    def period_index(
        self, indicator: str, preferred: bool = True
    ) -> tuple[dict[tuple[str, str], int], pl.Series]:
        """(period, period_type) -> position in a list of row numbers of the indicator's rows. Built once per
        indicator (a few ms; the warm-up builds them all) and kept for the store's life: it is small."""
        index = self._period_index.get((indicator, preferred))
        if index is None:
            frame = self.rows(indicator) if preferred else self.all_rows(indicator)
            g = frame.with_row_index("_row").group_by("period", "period_type").agg("_row")
            keys = zip(g["period"].to_list(), g["period_type"].to_list(), strict=True)
            where = {k: i for i, k in enumerate(keys) if None not in k}  # a null never equals: as a filter
            index = where, g["_row"]
            with self._memo_lock:
                self._period_index[(indicator, preferred)] = index
        return index

    def country_rows(
        self,
        indicator: str,
        countries: Iterable[str],
        period_types: Iterable[str],
        extra: pl.Series | None = None,
    ) -> pl.DataFrame:
        """The preferred rows of one indicator for some countries and period types, in the indicator's row
        order: the rows ``rows(indicator).filter(country_iso3 in countries & period_type in period_types)``
        finds, with the row numbers ``extra`` (e.g. a period's, from ``period_index``) added. A lookup in a
        per-indicator index, not a scan: a trend, a longer-periods chart or a table of a few countries reads a
        few hundred of the indicator's rows (the scan of all of them was ~2-4 ms each on millions of rows)."""
        index = self.country_index(indicator)
        parts = [
            index[k]
            for c in dict.fromkeys(countries)
            for t in dict.fromkeys(period_types)
            if (k := (c, t)) in index
        ]
        if not parts and extra is None:
            return self.rows(indicator).clear()
        rows = pl.concat(parts).sort() if parts else None  # one index entry per key: no row twice
        if extra is not None:
            rows = extra.sort() if rows is None else pl.concat([rows, extra]).unique().sort()
        return self.rows(indicator).gather(rows)

    def country_index(self, indicator: str) -> dict[tuple[str, str], pl.Series]:
        """(country_iso3, period_type) -> the row numbers of the indicator's preferred rows. Built once per
        indicator (the warm-up builds them all) and kept for the store's life: it is small."""
        index = self._country_index.get(indicator)
        if index is None:
            g = (
                self.rows(indicator)
                .with_row_index("_row")
                .group_by("country_iso3", "period_type")
                .agg("_row")
            )
            keys = zip(g["country_iso3"].to_list(), g["period_type"].to_list(), strict=True)
            # a null never equals: as a filter
            index = {k: rows for k, rows in zip(keys, g["_row"], strict=True) if None not in k}
            with self._memo_lock:
                self._country_index[indicator] = index
        return index

    def quarter_span(self) -> tuple[str, str] | None:
        """The first and last quarter any figure covers (None for an empty store): the range of trends and
        period pickers, extended as new periods arrive."""

        def compute() -> tuple[str, str] | None:
            obs = self.observations
            if obs.is_empty():
                return None
            # a year-to-date figure whose end was not printed has no period_end: its start still counts
            first, last = obs.select(
                pl.col("period_start").min(), pl.coalesce("period_end", "period_start").max()
            ).row(0)
            return quarter_of_day(first), quarter_of_day(last)

        return self.memo(("quarter_span",), compute)

    def has_values(self, indicator: str, measure: str, unit: str) -> bool:
        """Whether any figure of the indicator is published (or derived) in this measure and unit."""
        pairs = self.memo(
            ("measure_units", indicator),
            lambda: frozenset(self.rows(indicator).select("measure", "unit").unique().iter_rows()),
        )
        return (measure, unit) in pairs

    def period_types(self, indicator: str) -> frozenset[str]:
        """The period types the indicator has figures for (what was published, not what could be)."""
        return self.memo(
            ("period_types", indicator),
            lambda: frozenset(self.rows(indicator).get_column("period_type").unique().to_list()),
        )

    MEMO_SIZE = 2048

    def memo(self, key: tuple, compute):
        """Remember a derived answer for this immutable store (least recently used entries are dropped).

        Answers depend only on the store, which never changes, so nothing can go stale: a new data version
        is a new store with an empty memo."""
        with self._memo_lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
        value = compute()  # outside the lock: two threads may compute the same answer, both correct
        with self._memo_lock:
            self._memo[key] = value
            while len(self._memo) > self.MEMO_SIZE:
                self._memo.popitem(last=False)
        return value

    # -- single figures -----------------------------------------------------------------------------
    def _rows(self, indicator: str, period: str, period_type: str, country: str, measure: str, unit: str):
        return (
            self.period_rows(indicator, period, period_type, preferred=False)
            .filter(
                (pl.col("country_iso3") == country)
                & (pl.col("measure") == measure)
                & (pl.col("unit") == unit)
            )
            .sort("rank")
        )

    def _figure_from_rows(self, rows: pl.DataFrame, key: dict) -> Figure:
        if rows.is_empty():
            return Figure(**key, value=None, status=NOT_REPORTED)
        best = rows.row(0, named=True)
        alts = tuple(
            Alternative(r["value"], r["source_id"], self._doc_of.get(r["source_id"], ""), r["rank"])
            for r in rows.iter_rows(named=True)
        )
        sources = tuple(best["derived_from"] or [best["source_id"]])
        return Figure(
            **key,
            value=best["value"],
            status=best["method"],
            derivation=best["derivation"],
            source_ids=sources,
            conflict=best["conflict"],
            alternatives=alts if len(alts) > 1 else (),
            previous_value=best.get("previous_value"),
            revision_reason=best.get("revision_reason"),
            revised_in=best.get("revised_in"),
        )

    def figure(
        self,
        indicator: str,
        period: str,
        period_type: str = "quarter",
        country: str = TOTAL,
        measure: str | None = None,
        unit: str | None = None,
    ) -> Figure:
        """The chosen value of one figure with its sources and any alternatives, or not reported."""
        ind = catalogue().indicator(indicator)
        measure = measure or ind.default.measure
        unit = unit or ("percent" if measure.startswith(("share", "change_pct")) else ind.default.unit)
        key = dict(
            indicator=indicator,
            period=period,
            period_type=period_type,
            country_iso3=country,
            measure=measure,
            unit=unit,
        )
        return self._figure_from_rows(self._rows(indicator, period, period_type, country, measure, unit), key)

    # -- collections --------------------------------------------------------------------------------
    def periods(
        self,
        indicator: str,
        granularity: str,
        measure: str | None = None,
        unit: str | None = None,
        country: str | None = None,
    ) -> list[str]:
        """Period ids of a granularity with any preferred value, in time order."""
        f = (pl.col("indicator") == indicator) & (pl.col("period_type") == granularity)
        if measure:
            f &= pl.col("measure") == measure
        if unit:
            f &= pl.col("unit") == unit
        if country:
            f &= pl.col("country_iso3") == country
        df = self.rows(indicator).filter(f).select("period", "period_start").unique().sort("period_start")
        return df["period"].to_list()

    def latest_period(
        self,
        indicator: str,
        granularity: str | None = None,
        measure: str | None = None,
        unit: str | None = None,
        country: str = TOTAL,
    ) -> Period | None:
        """The most recent period with a value (by end date), of a granularity or of any."""
        f = (pl.col("indicator") == indicator) & (pl.col("country_iso3") == country)
        if granularity:
            f &= pl.col("period_type") == granularity
        if measure:
            f &= pl.col("measure") == measure
        if unit:
            f &= pl.col("unit") == unit
        df = self.rows(indicator).filter(f)
        if df.is_empty():
            return None
        df = df.with_columns(pl.coalesce("period_end", "period_start").alias("_end")).sort(
            ["_end", "period_start"], descending=[True, False]
        )
        r = df.row(0, named=True)
        return parse_period(r["period"], r["period_type"])

    def latest_any(self, indicator: str) -> Period | None:
        """The indicator's most recent period of any kind (the total's): remembered per data version (a polars
        query of ~4 ms on millions of rows that every table of the indicator shows; the warm-up asks it)."""
        return self.memo(("latest_period", indicator), lambda: self.latest_period(indicator))

    def series(
        self,
        indicator: str,
        measure: str,
        unit: str,
        countries: tuple[str, ...] = (TOTAL,),
        granularity: str = "quarter",
        first: str | None = None,
        last: str | None = None,
    ) -> pl.DataFrame:
        """One row per (country, period) of the granularity; a period with no value has value null and
        status not_reported (quarters are filled over [first, last] so gaps are explicit)."""
        f = (
            (pl.col("indicator") == indicator)
            & (pl.col("measure") == measure)
            & (pl.col("unit") == unit)
            & (pl.col("period_type") == granularity)
            & pl.col("country_iso3").is_in(list(countries))
        )
        got = (
            self.country_rows(indicator, countries, (granularity,))  # the rows the filter keeps, in order
            .filter(f)
            .select(
                "country_iso3",
                "period",
                "period_start",
                "period_end",
                "value",
                pl.col("method").alias("status"),
                "derivation",
                "source_id",
                "derived_from",
                "conflict",
                "n_sources",
            )
        )
        if granularity != "quarter":
            return got.sort(["country_iso3", "period_start"])
        known = got["period"].to_list()
        if first is None or last is None:
            if not known:
                return got
            ordered = sorted(known)
            first, last = first or ordered[0], last or ordered[-1]
        frame = pl.DataFrame(
            {
                "country_iso3": [c for c in countries for _ in quarter_range(first, last)],
                "period": [q for _ in countries for q in quarter_range(first, last)],
            }
        )
        out = frame.join(got, on=["country_iso3", "period"], how="left").with_columns(
            pl.col("status").fill_null(NOT_REPORTED),
            pl.col("conflict").fill_null(False),
        )
        starts = {q: parse_period(q, "quarter") for q in quarter_range(first, last)}
        return out.with_columns(
            pl.col("period").replace_strict({q: p.start for q, p in starts.items()}).alias("period_start"),
            pl.col("period").replace_strict({q: p.end for q, p in starts.items()}).alias("period_end"),
        )

    def breakdown(
        self, indicator: str, period: str, period_type: str, measure: str, unit: str
    ) -> pl.DataFrame:
        """Values by counterpart country (not the total) for one period, largest first. Remembered: the
        map, donut, ranking, explainer and table of a view all ask for it (~1 ms of polars each time)."""
        return self.memo(
            ("breakdown", indicator, period, period_type, measure, unit),
            lambda: self._breakdown(indicator, period, period_type, measure, unit),
        )

    def _breakdown(
        self, indicator: str, period: str, period_type: str, measure: str, unit: str
    ) -> pl.DataFrame:
        return (
            self.period_rows(indicator, period, period_type)
            .filter(
                (pl.col("measure") == measure) & (pl.col("unit") == unit) & (pl.col("country_iso3") != TOTAL)
            )
            .select(
                "country_iso3",
                "value",
                pl.col("method").alias("status"),
                "derivation",
                "source_id",
                "derived_from",
                "conflict",
                "n_sources",
            )
            .sort("value", descending=True)
        )

    def months_of_quarter(
        self,
        indicator: str,
        quarter: str,
        country: str = TOTAL,
        measure: str | None = None,
        unit: str | None = None,
    ) -> list[Figure]:
        """The three months of a quarter, each a figure or explicitly not reported."""
        return [self.figure(indicator, m, "month", country, measure, unit) for m in quarter_months(quarter)]

    # -- comparisons --------------------------------------------------------------------------------
    def change(self, cur: Figure, other: Figure | None, published_measure: str, label: str) -> Change:
        """The change of ``cur`` against ``other``: as published beside the level by the same document,
        else computed (marked derived), else not reported. ``label`` names the comparison in English
        ("previous period", "a year earlier"); the ``how`` text is written in the language in force."""
        if other is None:
            return Change(None, NOT_REPORTED, None)
        pub = self.figure(
            cur.indicator, cur.period, cur.period_type, cur.country_iso3, published_measure, "percent"
        )
        # a printed change belongs to the level printed beside it: only take it from the same document
        same_doc = set(self.documents_for(pub.source_ids)) & set(self.documents_for(cur.source_ids))
        if pub.reported and same_doc:
            how = _("as published ({comparison})").format(comparison=_(label))
            return Change(pub.value, pub.status, other, how, pub.source_ids)
        if cur.value is not None and other.reported and other.value:  # cur.value: cur.reported
            pct = (cur.value / other.value - 1.0) * 100.0
            how = _("computed: {period} against {other}").format(
                period=cur.period_label, other=other.period_label
            )
            return Change(pct, DERIVED, other, how, cur.source_ids + other.source_ids)
        return Change(None, NOT_REPORTED, other)

    def headline(self, indicator: str, unit: str | None = None) -> Headline | None:
        """Latest total of an indicator (quarter first, else any period) with its two comparisons."""
        ind = catalogue().indicator(indicator)
        measure, unit = ind.default.measure, unit or ind.default.unit
        latest = self.latest_period(indicator, "quarter", measure, unit) or self.latest_period(
            indicator, None, measure, unit
        )
        if latest is None:
            return None
        cur = self.figure(indicator, latest.id, latest.type, TOTAL, measure, unit)
        prev_p, yoy_p = previous_period(latest), year_earlier(latest)
        prev = self.figure(indicator, prev_p.id, prev_p.type, TOTAL, measure, unit) if prev_p else None
        yago = self.figure(indicator, yoy_p.id, yoy_p.type, TOTAL, measure, unit) if yoy_p else None
        trend: tuple[Figure, ...] = ()
        if latest.type == "quarter":
            qs = quarter_range(f"{latest.start.year - 2}-Q{(latest.start.month + 2) // 3}", latest.id)
            trend = tuple(self.figure(indicator, q, "quarter", TOTAL, measure, unit) for q in qs)
        return Headline(
            indicator,
            cur,
            prev,
            yago,
            self.change(cur, prev, "change_pct_prev", N_("previous period")),
            self.change(cur, yago, "change_pct_yoy", N_("a year earlier")),
            trend,
        )

    # -- provenance ---------------------------------------------------------------------------------
    def source_rows(self, source_ids: list[str] | tuple[str, ...]) -> pl.DataFrame:
        return self.sources.filter(pl.col("source_id").is_in(list(source_ids)))

    def documents_for(self, source_ids: list[str] | tuple[str, ...]) -> list[str]:
        """Distinct document titles for some source ids, in order of first appearance."""
        seen: dict[str, None] = {}
        for sid in source_ids:
            if sid in self._doc_of:
                seen.setdefault(self._doc_of[sid], None)
        return list(seen)


def _check_releases(releases: pl.DataFrame, directory: Path) -> None:
    """The release record in the tables must be an intact chain; and where the data directory keeps its
    sources (``../sources/releases.jsonl``, a local install), that file must be intact and hold them."""
    table_records = []
    for rec, sha in zip(releases["record"].to_list(), releases["sha256"].to_list(), strict=True):
        try:
            table_records.append({**json.loads(rec), "sha256": sha})
        except ValueError:
            raise DataUnavailable(
                f"{directory}: the releases table holds a record that is not JSON"
            ) from None
    try:
        verify_chain(table_records, f"{directory}: the releases table")
        sources = directory.parent / "sources" / RELEASES_FILE
        if sources.exists():
            recorded = {r["sha256"] for r in read_releases(sources)}
            # an import writes releases.jsonl just before the tables: the file may be one release ahead
            if table_records and table_records[-1]["sha256"] not in recorded:
                raise ReleaseRecordError(
                    f"{sources} does not hold release {len(table_records)} of the tables (edited by hand?)"
                )
    except ReleaseRecordError as exc:
        raise DataUnavailable(f"{exc}. The data was refused; restore the file and run `mtm build`.") from None


_lock = threading.Lock()
_current: tuple[tuple, DataStore] | None = None


def _stamp(directory: Path) -> tuple:
    st = (directory / MANIFEST).stat()
    return (str(directory), st.st_mtime_ns, st.st_size)


def get_store(directory: Path = DEFAULT_DIR) -> DataStore:
    """The current store of this process; reloaded when the manifest changes. If a new set cannot be
    loaded, the last good store keeps serving (and the error is logged)."""
    global _current
    try:
        stamp = _stamp(directory)
    except FileNotFoundError:
        if _current is not None and _current[0][0] == str(directory):
            return _current[1]
        raise DataUnavailable(
            f"{directory / MANIFEST} is missing: the Parquet tables have not been built. Run `mtm build`."
        ) from None
    if _current is not None and _current[0] == stamp:
        return _current[1]
    with _lock:
        if _current is not None and _current[0] == stamp:
            return _current[1]
        try:
            store = DataStore.load(directory)
        except DataUnavailable:
            if _current is not None and _current[0][0] == str(directory):
                log.exception("new data could not be loaded; serving the previous version")
                return _current[1]
            raise
        _current = (stamp, store)
        return store
