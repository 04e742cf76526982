"""Freshness: per indicator the last period with data, the date of the last import, and whether the next
figure is overdue by the catalogue's cadence (possibly stale), relative to a given day."""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime

import polars as pl
import pytest

from dashboard.catalogue import catalogue
from dashboard.data import DataStore
from dashboard.freshness import (
    LAG,
    built_on,
    cadence_period,
    freshness,
    indicator_freshness,
    last_imports,
    last_period,
)
from dashboard.pipeline.build import build_tables, write_tables
from dashboard.pipeline.importer import import_file, read_history
from dashboard.schema import SOURCE_COLUMNS, SOURCES_TABLE, TABLES
from tests.fixtures_data import committed_store, release_1_data

SEED = ("IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)", "seed")


def row(indicator, period, ptype, value="100", measure="count", unit="persons", iso="TOT") -> list[str]:
    return [indicator, period, ptype, "Total", iso, measure, value, unit, "agency", *SEED, "a quote"]


def store_of(tmp_path, rows) -> DataStore:
    """A store built (in memory) from source rows citing the seed document."""
    path = tmp_path / "observations.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SOURCE_COLUMNS)
        w.writerows(rows)
    t = build_tables(path)
    obs = pl.concat([pl.from_arrow(t[n]) for n in TABLES], how="vertical")
    return DataStore(obs, pl.from_arrow(t[SOURCES_TABLE]))


@pytest.mark.parametrize(
    ("day", "cadence", "expected"),
    [
        (date(2023, 7, 1), "quarter", ("Q3 2023", date(2023, 7, 1), date(2023, 9, 30))),
        (date(2023, 12, 31), "quarter", ("Q4 2023", date(2023, 10, 1), date(2023, 12, 31))),
        (date(2024, 2, 10), "month", ("Feb 2024", date(2024, 2, 1), date(2024, 2, 29))),
        (date(2023, 12, 5), "month", ("Dec 2023", date(2023, 12, 1), date(2023, 12, 31))),
        (date(2025, 6, 30), "year", ("2025", date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_cadence_period(day, cadence, expected):
    assert cadence_period(day, cadence) == expected


def test_quarterly_indicator_is_stale_once_the_next_quarter_is_overdue(tmp_path):
    store = store_of(
        tmp_path,
        [
            row("visas_issued", "2023-Q1", "quarter", unit="visas"),
            row("visas_issued", "2023-Q2", "quarter", unit="visas"),
        ],
    )
    due = date(2023, 9, 30) + LAG["quarter"]
    assert due == date(2023, 12, 31)
    on_time = indicator_freshness(store, "visas_issued", today=due)
    assert (on_time.last_period, on_time.last_period_label, on_time.last_period_end) == (
        "2023-Q2",
        "Q2 2023",
        date(2023, 6, 30),
    )
    assert (on_time.cadence, on_time.next_due, on_time.due_by, on_time.possibly_stale) == (
        "quarter",
        "Q3 2023",
        due,
        False,
    )
    late = indicator_freshness(store, "visas_issued", today=date(2024, 1, 1))
    assert late.possibly_stale
    assert late.note == (
        "Latest data Q2 2023, latest source published 1 Jul 2023. "
        "Possibly out of date: Q3 2023 was expected by 31 Dec 2023."
    )


def test_among_periods_ending_together_the_cadence_length_is_shown(tmp_path):
    rows = [
        row("trp_issued", "2023-H1", "half", unit="permits"),
        row("trp_issued", "2023-06", "month", unit="permits"),
        row("trp_issued", "2023-Q2", "quarter", unit="permits"),
    ]
    assert last_period(store_of(tmp_path, rows), "trp_issued", "quarter") == (
        "2023-Q2",
        "quarter",
        date(2023, 6, 30),
    )
    assert last_period(store_of(tmp_path, rows[:2]), "trp_issued", "quarter") == (
        "2023-06",
        "month",
        date(2023, 6, 30),
    )


def test_a_year_to_date_ending_mid_quarter_makes_that_quarter_due(tmp_path):
    store = store_of(tmp_path, [row("border_arrivals", "2025-01..2025-10", "ytd")])
    f = indicator_freshness(store, "border_arrivals", today=date(2026, 4, 2))
    assert (f.last_period_label, f.next_due, f.due_by, f.possibly_stale) == (
        "Jan–Oct 2025",
        "Q4 2025",
        date(2026, 4, 2),
        False,
    )
    assert indicator_freshness(store, "border_arrivals", today=date(2026, 4, 3)).possibly_stale


def test_yearly_cadence(tmp_path):
    store = store_of(tmp_path, [row("citizens_working_abroad", "2025-01..2025-09", "ytd")])
    f = indicator_freshness(store, "citizens_working_abroad", today=date(2026, 7, 2))
    assert (f.cadence, f.next_due, f.due_by, f.possibly_stale) == ("year", "2025", date(2026, 7, 2), False)
    assert indicator_freshness(store, "citizens_working_abroad", today=date(2026, 7, 3)).possibly_stale


def test_year_to_date_without_a_stated_end_counts_from_its_start(tmp_path):
    store = store_of(tmp_path, [row("trp_issued", "2023", "ytd", unit="permits")])
    f = indicator_freshness(store, "trp_issued", today=date(2023, 7, 1))
    assert (f.last_period_end, f.next_due, f.due_by) == (date(2023, 1, 1), "Q1 2023", date(2023, 7, 1))


def test_derived_figures_do_not_count_as_data(tmp_path):
    rows = [row("border_arrivals", f"2023-{m:02d}", "month") for m in (4, 5, 6)]  # derive Q2 2023
    store = store_of(tmp_path, rows)
    assert store.observations.filter(pl.col("method") == "derived").height == 1
    assert last_period(store, "border_arrivals", "quarter") == ("2023-06", "month", date(2023, 6, 30))


def test_indicator_without_data(tmp_path):
    store = store_of(tmp_path, [row("visas_issued", "2023-Q2", "quarter", unit="visas")])
    f = indicator_freshness(store, "imts_total", today=date(2030, 1, 1), built_at=date(2024, 5, 1))
    assert (f.last_period, f.due_by, f.possibly_stale, f.last_update) == (None, None, False, date(2024, 5, 1))
    assert f.note == "No data yet."


def test_last_import_per_indicator_from_the_history():
    history = [
        {"at": "2025-01-10T08:00:00+00:00", "indicators": {"arrivals": 3, "trp_issued": 1}},
        {"at": "2025-03-02T23:30:00-02:00", "indicators": {"arrivals": 2}},  # 3 March in UTC
        {"at": "2025-04-01T10:00:00+00:00", "indicators": {"trp_issued": 0}},  # added nothing
        {"at": "2025-04-02T10:00:00+00:00", "added": 0, "indicators": {}},
        {"at": "not a date", "indicators": {"visas_issued": 1}},
        {"indicators": {"visas_issued": 1}},
        {"at": "2025-05-01T10:00:00+00:00", "indicators": ["not", "a", "mapping"]},
    ]
    assert last_imports(history) == {"arrivals": date(2025, 3, 3), "trp_issued": date(2025, 1, 10)}


def test_last_import_and_update_date(tmp_path):
    store = store_of(tmp_path, [row("visas_issued", "2023-Q2", "quarter", unit="visas")])
    history = [{"at": "2023-08-15T10:00:00+00:00", "indicators": {"visas_issued": 4}}]
    f = indicator_freshness(
        store, "visas_issued", today=date(2023, 9, 1), history=history, built_at=date(2023, 9, 1)
    )
    assert (f.last_import, f.last_update) == (date(2023, 8, 15), date(2023, 8, 15))
    assert f.note == "Latest data Q2 2023, imported 15 Aug 2023; Q3 2023 expected by 31 Dec 2023."
    g = indicator_freshness(store, "visas_issued", today=date(2023, 9, 1), built_at=date(2023, 9, 1))
    assert (g.last_import, g.last_update) == (None, date(2023, 9, 1))


def test_every_indicator_of_the_shipped_data():
    store = committed_store()
    rows = freshness(store, today=date(2025, 11, 25))
    assert [f.indicator for f in rows] == [i.id for i in catalogue().indicators]
    assert all(f.last_period is not None for f in rows)
    # the last import of an indicator: the day of the latest release (not the initial build) that added,
    # revised or withdrew one of its figures; none for an indicator that no import touched
    imported: dict[str, date] = {}
    for rel in store.releases():
        if rel.kind == "build":
            continue
        day = rel.at.astimezone(UTC).date()
        for c in rel.changes:
            imported[c.indicator] = max(imported.get(c.indicator, day), day)
    shown = {f.indicator: f.last_import for f in rows}
    assert shown == {ind: imported.get(ind) for ind in shown}


def test_every_indicator_as_shipped_in_release_1():
    store = committed_store().at_release(1)  # fixed data, whatever later releases bring
    rows = freshness(store, today=date(2025, 11, 25))
    assert [f.indicator for f in rows] == [i.id for i in catalogue().indicators]
    by_id = {f.indicator: f for f in rows}
    trp = by_id["trp_issued"]
    assert (trp.last_period, trp.next_due, trp.possibly_stale) == ("2025-01..2025-10", "Q4 2025", False)
    assert trp.latest_source == date(2025, 10, 31)
    visas = by_id["visas_issued"]
    assert (visas.last_period, visas.possibly_stale) == ("2023-Q2", True)
    assert all(f.last_import is None for f in rows)  # nothing imported yet
    assert all(f.last_period is not None for f in rows)


def test_after_an_import(tmp_path):
    paths = release_1_data(tmp_path / "data")  # a known starting point: nothing imported yet
    new = tmp_path / "new.csv"
    with open(new, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(SOURCE_COLUMNS)
        w.writerow(row("visas_issued", "2025-Q3", "quarter", value="41000", unit="visas"))
    now = datetime(2025, 11, 20, 12, 0, tzinfo=UTC)
    import_file(new, paths, today=now.date(), now=now)
    store = DataStore.load(paths.parquet)
    rows = freshness(
        store, today=date(2025, 11, 25), history=read_history(paths.history), built_at=built_on(paths.parquet)
    )
    visas = next(f for f in rows if f.indicator == "visas_issued")
    assert (visas.last_period, visas.last_import, visas.possibly_stale) == ("2025-Q3", now.date(), False)
    assert visas.note == "Latest data Q3 2025, imported 20 Nov 2025; Q4 2025 expected by 2 Apr 2026."
    assert all(f.last_import is None for f in rows if f.indicator != "visas_issued")


def test_built_on(tmp_path):
    assert built_on(tmp_path) is None
    write_tables(build_tables(), tmp_path)
    assert built_on(tmp_path) == datetime.now(UTC).date()
