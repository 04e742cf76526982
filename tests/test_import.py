"""`mtm import` / `mtm validate` / `mtm history`: new figures from a CSV or XLSX are validated (every problem
at once, each naming row and column), added all-or-nothing, idempotently, with a history record; the running
store and the explorer see them. Every test works on a copy of data/ in tmp_path: the shipped data is never
touched.

The rows below are made in the shipped CSV's format; their documents and figures are test fixtures (the urls
point to example.org), not real publications.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook, load_workbook

import dashboard.pipeline.build as build
import dashboard.pipeline.commit as commit
from dashboard.catalogue import catalogue
from dashboard.cli import main
from dashboard.data import DataStore, get_store
from dashboard.pipeline.build import load_documents
from dashboard.pipeline.importer import (
    DOC_COLUMNS,
    DataPaths,
    ImportBusy,
    ImportRejected,
    format_report,
    import_file,
    number_hint,
    period_hint,
    read_history,
    tables_in_sync,
    validate_file,
)
from dashboard.schema import SOURCE_COLUMNS
from dashboard.state import parse_query
from dashboard.views import shown_rows
from tests.fixtures_data import ROOT

TODAY = date(2025, 11, 25)
NOW = datetime(2025, 11, 25, 9, 30, tzinfo=UTC)

SEED = "IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"
MIA = "Ministry of Internal Affairs (Migration Service Committee)"
BNS = "Bureau of National Statistics"

IOM = {
    "id": "",
    "document": "IOM MTM Kazakhstan — Migration Situation Report (July - September 2025) [test fixture]",
    "url": "https://example.org/iom-mtm-kazakhstan-2025-q3",
    "publisher": "IOM",
    "kind": "iom_report",
    "language": "en",
    "published": "2025-10-20",
    "published_basis": "text",
}
NEWS = {
    "id": "kazinform-kk-2025-q3",
    "document": "Kazinform (kk): 2025 жылғы үшінші тоқсандағы көші-қон [test fixture]",
    "url": "https://example.org/kazinform-kk-2025-q3",
    "publisher": "Kazinform",
    "kind": "news",
    "language": "kk",
    "published": "2025-10-25",
    "published_basis": "url",
}


def _row(indicator, period, ptype, country, iso3, measure, value, unit, agency, doc, quote) -> list[str]:
    return [
        indicator,
        period,
        ptype,
        country,
        iso3,
        measure,
        value,
        unit,
        agency,
        doc["document"],
        doc["url"],
        quote,
    ]


NEW_ROWS = [
    _row(
        "trp_issued",
        "2025-Q3",
        "quarter",
        "Total",
        "TOT",
        "count",
        "301500",
        "permits",
        MIA,
        IOM,
        "in Q3 of 2025, 301,500 individuals received the temporary residence permits in Kazakhstan",
    ),
    _row(
        "trp_issued",
        "2025-Q3",
        "quarter",
        "Uzbekistan",
        "UZB",
        "share_pct",
        "66.4",
        "percent",
        MIA,
        IOM,
        "nationals of Uzbekistan (66.4%)",
    ),
    _row(
        "trp_issued",
        "2025-Q3",
        "quarter",
        "Russian Federation",
        "RUS",
        "share_pct",
        "21.7",
        "percent",
        MIA,
        IOM,
        "the Russian Federation (21.7%)",
    ),
    _row(
        "border_arrivals",
        "2025-07",
        "month",
        "Total",
        "TOT",
        "count",
        "1100000",
        "persons",
        "Border Service",
        IOM,
        "in July 2025, 1.1 million foreign citizens entered Kazakhstan",
    ),
    _row(
        "arrivals",
        "2025-Q3",
        "quarter",
        "Өзбекстан",
        "UZB",
        "count",
        "2900",
        "persons",
        BNS,
        NEWS,
        "Өзбекстаннан 2 900 адам көшіп келді",
    ),
    _row(
        "arrivals",
        "2025-Q3",
        "quarter",
        "Барлығы",
        "TOT",
        "count",
        "5100",
        "persons",
        BNS,
        NEWS,
        "үшінші тоқсанда елге 5 100 адам көшіп келді",
    ),
    # prints a figure that only news reports had: the IOM report now wins the precedence rule (replaced)
    _row(
        "arrivals",
        "2024",
        "year",
        "Total",
        "TOT",
        "count",
        "29500",
        "persons",
        BNS,
        IOM,
        "29,500 persons arrived for permanent residence in 2024",
    ),
    # prints a figure of the seed IOM report differently: the IOM report keeps it (kept)
    _row(
        "trp_issued",
        "2023-Q2",
        "quarter",
        "Total",
        "TOT",
        "count",
        "308000",
        "permits",
        MIA,
        NEWS,
        "2023 жылдың екінші тоқсанында 308 000 рұқсат берілді",
    ),
]
N_NEW = len(NEW_ROWS)


# -- helpers ---------------------------------------------------------------------------------------------


@pytest.fixture
def data(tmp_path) -> DataPaths:
    """A copy of data/sources and data/parquet (no history yet)."""
    root = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "sources", root / "sources")
    shutil.copytree(ROOT / "data" / "parquet", root / "parquet")
    return DataPaths.under(root)


def tree_digests(paths: DataPaths) -> dict[str, str]:
    """sha256 of every file under the data directory (hidden temporaries included), by relative path."""
    root = paths.csv.parent.parent
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def write_csv(path: Path, rows, header=SOURCE_COLUMNS, encoding="utf-8", terminator="\r\n", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh, lineterminator=terminator, delimiter=delimiter)
        w.writerow(header)
        w.writerows(rows)
    return path


def write_docs(path: Path, docs=(IOM, NEWS)) -> Path:
    return write_csv(path, [[d[c] for c in DOC_COLUMNS] for d in docs], header=DOC_COLUMNS)


def new_files(tmp_path, rows=None, docs=(IOM, NEWS)) -> tuple[Path, Path]:
    return write_csv(tmp_path / "new.csv", NEW_ROWS if rows is None else rows), write_docs(
        tmp_path / "new-documents.csv", docs
    )


def do_import(path, data, docs=None, **kw):
    return import_file(path, data, documents=docs, today=TODAY, now=NOW, **kw)


def rejected(path, data, docs=None) -> ImportRejected:
    """Validate and import a bad file: both reject it with the same problems, and nothing changes."""
    before = tree_digests(data)
    with pytest.raises(ImportRejected) as v:
        validate_file(path, data, documents=docs, today=TODAY)
    with pytest.raises(ImportRejected) as exc:
        do_import(path, data, docs)
    assert [str(p) for p in exc.value.problems] == [str(p) for p in v.value.problems]
    assert tree_digests(data) == before  # byte for byte: CSV, documents, tables, no history, no temporaries
    return exc.value


def problem_at(exc: ImportRejected, location: str):
    """The one problem reported at a location ('row 3, column value'); its message names row and column."""
    hits = [p for p in exc.problems if p.location == location]
    assert len(hits) == 1, [str(p) for p in exc.problems]
    assert str(hits[0]).startswith(f"{location}: ")
    return hits[0]


def bad_rows(tmp_path, data, change, docs=True) -> ImportRejected:
    """NEW_ROWS with ``change(rows)`` applied, written as CSV, which must be rejected."""
    rows = [list(r) for r in NEW_ROWS]
    change(rows)
    path, dpath = new_files(tmp_path, rows)
    return rejected(path, data, dpath if docs else None)


COL = {c: i for i, c in enumerate(SOURCE_COLUMNS)}


def setcell(row: int, column: str, value: str):
    """A change to NEW_ROWS: file row ``row`` (header = row 1), ``column`` := value."""

    def change(rows):
        rows[row - 2][COL[column]] = value

    return change


# -- a good import ---------------------------------------------------------------------------------------


def test_new_rows_import_and_show_up_through_the_data_api(tmp_path, data):
    old_csv, old_docs = data.csv.read_bytes(), data.documents.read_text(encoding="utf-8")
    path, dpath = new_files(tmp_path)
    report = do_import(path, data, dpath)

    assert (report.added, report.unchanged, report.written) == (N_NEW, 0, True)
    assert report.indicators == {"trp_issued": 4, "border_arrivals": 1, "arrivals": 3}
    assert report.new_documents == ["iom-2025-10-20", "kazinform-kk-2025-q3"]
    outcome = {c.figure: (c.outcome, c.rows) for c in report.conflicts}
    assert outcome == {
        "arrivals 2024 (year) Total count": ("replaced", (8,)),
        "trp_issued 2023-Q2 (quarter) Total count": ("kept", (9,)),
    }
    assert report.replaced == 1

    # the source of truth: rows appended in the CSV's own format, documents appended, comments kept
    new_csv = data.csv.read_bytes()
    assert new_csv.startswith(old_csv)
    appended = list(csv.reader(new_csv[len(old_csv) :].decode("utf-8").splitlines()))
    assert appended == NEW_ROWS
    assert b"\r\n" in new_csv[len(old_csv) :] and b"\n\n" not in new_csv
    assert data.documents.read_text(encoding="utf-8").startswith(old_docs)
    docs = load_documents(data.documents)
    assert docs[IOM["document"]].kind == "iom_report" and docs[IOM["document"]].published == date(
        2025, 10, 20
    )
    assert docs[NEWS["document"]].id == "kazinform-kk-2025-q3"
    assert tables_in_sync(data)

    store = DataStore.load(data.parquet)
    f = store.figure("trp_issued", "2025-Q3")
    assert (f.value, f.status) == (301500, "published")
    assert store.documents_for(f.source_ids) == [IOM["document"]]
    uzb = store.figure("trp_issued", "2025-Q3", country="UZB")
    assert uzb.status == "derived" and uzb.value == pytest.approx(0.664 * 301500)
    assert store.figure("border_arrivals", "2025-07", "month").value == 1_100_000
    assert store.figure("arrivals", "2025-Q3", country="UZB").value == 2900
    src = store.source_rows(store.figure("arrivals", "2025-Q3").source_ids).row(0, named=True)
    assert (src["kind"], src["agency"], src["quote"]) == ("news", BNS, NEW_ROWS[5][-1])
    # the precedence rule: the IOM report now beats the news reports; the seed IOM report keeps its figure
    replaced = store.figure("arrivals", "2024", "year")
    assert replaced.value == 29500 and replaced.conflict and 29948 in {a.value for a in replaced.alternatives}
    kept = store.figure("trp_issued", "2023-Q2")
    assert kept.value == 308710 and 308000 in {a.value for a in kept.alternatives}
    # earlier rows keep their ids (links and bookmarks stay valid)
    old = DataStore.load(ROOT / "data" / "parquet")
    assert store.sources.head(old.sources.height).equals(old.sources)

    (rec,) = read_history(data.history)
    assert rec["file"] == "new.csv" and rec["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert (rec["added"], rec["unchanged"], rec["conflicts"], rec["replaced"]) == (N_NEW, 0, 2, 1)
    assert rec["at"] == "2025-11-25T09:30:00+00:00"
    assert rec["new_documents"] == report.new_documents
    assert rec["source_csv_sha256"] == hashlib.sha256(new_csv).hexdigest()
    assert "resolved by the precedence rule (1 now show the new value)" in format_report(report)
    assert oct(data.csv.stat().st_mode & 0o777) == oct(
        (ROOT / "data/sources/observations.csv").stat().st_mode & 0o777
    )


def test_the_explorer_shows_the_imported_quarter(tmp_path, data):
    before = DataStore.load(data.parquet)
    assert parse_query("?indicator=trp_issued", before).period == "2023-Q2"
    path, dpath = new_files(tmp_path)
    do_import(path, data, dpath)
    store = DataStore.load(data.parquet)
    state = parse_query("?indicator=trp_issued", store)
    assert (state.period, state.period_type) == ("2025-Q3", "quarter")  # the latest quarter opens by default
    rows = shown_rows(store, state)
    tot = rows.filter((pl.col("country_iso3") == "TOT") & (pl.col("period") == "2025-Q3"))
    assert tot["value"].to_list() == [301500]


def test_second_import_changes_nothing_and_says_so(tmp_path, data):
    path, dpath = new_files(tmp_path)
    do_import(path, data, dpath)
    before = tree_digests(data)
    again = do_import(path, data, dpath)
    assert (again.added, again.unchanged, again.conflicts, again.written) == (0, N_NEW, [], False)
    assert again.previous is not None and again.previous["added"] == N_NEW
    text = format_report(again)
    assert text.startswith(
        f"nothing new: all {N_NEW} rows are already in observations.csv (imported 2025-11-25"
    )
    after = tree_digests(data)
    assert {k: v for k, v in after.items() if k != "history.jsonl"} == {
        k: v for k, v in before.items() if k != "history.jsonl"
    }
    first, second = read_history(data.history)  # the attempt is recorded, adding nothing
    assert (second["added"], second["unchanged"], second["sha256"]) == (0, N_NEW, first["sha256"])


def test_same_rows_with_numbers_written_differently_are_unchanged(tmp_path, data):
    path, dpath = new_files(tmp_path)
    do_import(path, data, dpath)
    rows = [list(r) for r in NEW_ROWS]
    rows[0][COL["value"]] = "301500.0"
    rows[1][COL["value"]] = "66.40"
    report = do_import(write_csv(tmp_path / "again.csv", rows), data)
    assert (report.added, report.unchanged) == (0, N_NEW)


def test_the_running_store_picks_up_an_import_without_restart(tmp_path, data):
    first = get_store(data.parquet)
    assert not first.figure("trp_issued", "2025-Q3").reported
    path, dpath = new_files(tmp_path)
    do_import(path, data, dpath)
    second = get_store(data.parquet)
    assert second.version != first.version
    assert second.figure("trp_issued", "2025-Q3").value == 301500


def test_bom_crlf_semicolons_and_cyrillic_names(tmp_path, data):
    path = write_csv(tmp_path / "excel.csv", NEW_ROWS, encoding="utf-8-sig", delimiter=";")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    report = do_import(path, data, write_docs(tmp_path / "docs.csv"))
    assert report.added == N_NEW
    store = DataStore.load(data.parquet)
    names = store.observations.filter(pl.col("indicator") == "arrivals")["country_source_name"].to_list()
    assert {"Өзбекстан", "Барлығы"} <= set(names)


def test_utf16_unicode_text_from_excel(tmp_path, data):
    path = write_csv(tmp_path / "unicode.txt", NEW_ROWS, encoding="utf-16", delimiter="\t")
    assert validate_file(path, data, documents=write_docs(tmp_path / "docs.csv"), today=TODAY).added == N_NEW


def _workbook(path: Path, rows, docs=(IOM, NEWS), header=SOURCE_COLUMNS) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "observations"
    ws.append(list(header))
    for r in rows:
        ws.append(r)
    if docs is not None:
        ds = wb.create_sheet("documents")
        ds.append(list(DOC_COLUMNS))
        for d in docs:
            ds.append([datetime.fromisoformat(d[c]) if c == "published" else d[c] for c in DOC_COLUMNS])
    wb.save(path)
    return path


def _typed(rows):
    """Rows as Excel holds them when typed in: numbers as numbers, 2025-07 as the date 1 July 2025."""
    out = []
    for r in rows:
        r = list(r)
        v = float(r[COL["value"]])
        r[COL["value"]] = int(v) if v.is_integer() else v
        if r[COL["period_type"]] == "month":
            y, m = map(int, r[COL["period"]].split("-"))
            r[COL["period"]] = datetime(y, m, 1)
        if r[COL["period_type"]] == "year":
            r[COL["period"]] = int(r[COL["period"]])
        out.append(r)
    return out


def test_xlsx_with_a_documents_sheet_numbers_and_excel_dates(tmp_path, data):
    path = _workbook(tmp_path / "new.xlsx", _typed(NEW_ROWS))
    assert isinstance(load_workbook(path)["observations"]["B5"].value, datetime)  # the month is a date cell
    report = do_import(path, data)
    assert (report.added, len(report.new_documents)) == (N_NEW, 2)
    appended = list(csv.DictReader(data.csv.read_text(encoding="utf-8").splitlines()))[-N_NEW:]
    assert [r["period"] for r in appended] == [r[COL["period"]] for r in NEW_ROWS]
    assert [r["value"] for r in appended] == [r[COL["value"]] for r in NEW_ROWS]
    assert DataStore.load(data.parquet).figure("border_arrivals", "2025-07", "month").value == 1_100_000
    # the same figures again, from the CSV: nothing new
    assert do_import(write_csv(tmp_path / "same.csv", NEW_ROWS), data).added == 0


def test_progress_is_reported_for_large_files(tmp_path, data):
    calls = []
    path, dpath = new_files(tmp_path)
    do_import(path, data, dpath, progress=lambda *a: calls.append(a), every=3)
    stages = [c[0] for c in calls]
    assert stages[:2] == ["reading", "reading"] and "validating" in stages
    assert stages[-2:] == ["building", "writing"]


# -- validation: one test per rule, each naming row and column, nothing written ---------------------------


def test_missing_column(tmp_path, data):
    drop = COL["unit"]
    rows = [[v for i, v in enumerate(r) if i != drop] for r in NEW_ROWS]
    header = [c for c in SOURCE_COLUMNS if c != "unit"]
    exc = rejected(write_csv(tmp_path / "f.csv", rows, header=header), data)
    p = problem_at(exc, "row 1, column unit")
    assert p.found == "missing" and "indicator, period" in p.expected


def test_extra_column(tmp_path, data):
    rows = [[*r, "note"] for r in NEW_ROWS]
    exc = rejected(write_csv(tmp_path / "f.csv", rows, header=[*SOURCE_COLUMNS, "comment"]), data)
    assert "extra column 'comment'" in str(problem_at(exc, "row 1, column comment"))


def test_misnamed_column_gets_a_suggestion(tmp_path, data):
    header = [("units" if c == "unit" else c) for c in SOURCE_COLUMNS]
    exc = rejected(write_csv(tmp_path / "f.csv", NEW_ROWS, header=header), data)
    assert "did you mean 'unit'" in str(problem_at(exc, "row 1, column units"))
    problem_at(exc, "row 1, column unit")


def test_row_with_too_many_fields(tmp_path, data):
    exc = bad_rows(tmp_path, data, lambda rows: rows[2].append("rest of an unquoted quote"))
    assert "13 fields" in str(problem_at(exc, "row 4"))


@pytest.mark.parametrize(
    ("row", "value", "says"),
    [
        (2, "1,234", "did you mean 1234? (a count is a whole number"),  # a count: thousands separator
        (3, "12,5", "did you mean 12.5? (a comma as decimal separator)"),
        (
            3,
            "66,400",
            "'66,400' is ambiguous: 66400 (comma as thousands separator) or 66.400 (decimal comma)",
        ),
        (2, "301 500", "did you mean 301500? (no spaces between digits)"),
        (2, "301\u00a0500", "did you mean 301500?"),
        (3, "66.4%", "write 66.4 without the % sign"),
        (2, "1.234.567", "did you mean 1234567?"),
        (2, "n/a", "a number such as 1234 or 12.5"),
        (2, "", "the cell is empty"),
    ],
)
def test_value_that_is_not_a_number(tmp_path, data, row, value, says):
    exc = bad_rows(tmp_path, data, setcell(row, "value", value))
    p = problem_at(exc, f"row {row}, column value")
    assert p.found == repr(value)
    assert "a number with a dot as decimal separator and no thousands separator" in p.expected
    assert says in p.expected


def test_unknown_indicator(tmp_path, data):
    exc = bad_rows(tmp_path, data, setcell(2, "indicator", "trp_isued"))
    p = problem_at(exc, "row 2, column indicator")
    assert "an indicator of the catalogue; did you mean 'trp_issued'?" in p.expected


def test_unknown_indicator_does_not_hide_the_other_problems_of_its_row(tmp_path, data):
    def change(rows):
        rows[0][COL["indicator"]] = "nonsense"
        rows[0][COL["value"]] = "12,5"
        rows[0][COL["country_iso3"]] = "XXX"

    exc = bad_rows(tmp_path, data, change)
    assert [p.location for p in exc.problems] == [
        "row 2, column indicator",
        "row 2, column country_iso3",
        "row 2, column value",
    ]


def test_unknown_measure(tmp_path, data):
    exc = bad_rows(tmp_path, data, setcell(2, "measure", "counts"))
    expected = problem_at(exc, "row 2, column measure").expected
    assert expected.startswith("one of count, share_pct") and expected.endswith("did you mean 'count'?")


def test_unknown_unit(tmp_path, data):
    exc = bad_rows(tmp_path, data, setcell(5, "unit", "people"))
    assert "one of persons, percent for border_arrivals" in problem_at(exc, "row 5, column unit").expected


def test_granularity_not_in_the_catalogue(tmp_path, data):
    # border_arrivals is a flow: counted over spans of time, never "as of" a day
    exc = bad_rows(tmp_path, data, setcell(5, "period_type", "date"))
    assert "the catalogue declares no date figures" in problem_at(exc, "row 5, column period_type").expected


@pytest.mark.parametrize(
    ("iso", "name", "says"),
    [
        ("UZ", "Uzbekistan", "did you mean 'UZB'? ('UZ' is the two-letter code of Uzbekistan)"),
        ("uzb", "Uzbekistan", "did you mean 'UZB'? (capital letters)"),
        ("XXX", "Россия", "did you mean 'RUS'? ('Россия' is RUS in observations.csv)"),
        ("NRW", "Norway", "did you mean 'NOR'? (from the name 'Norway': Norway)"),
        ("ZZZ", "Atlantis", "ISO 3166-1 alpha-3"),
    ],
)
def test_country_code_that_is_not_iso3(tmp_path, data, iso, name, says):
    def change(rows):
        rows[1][COL["country_iso3"]], rows[1][COL["country"]] = iso, name

    p = problem_at(bad_rows(tmp_path, data, change), "row 3, column country_iso3")
    assert p.found == repr(iso) and says in p.expected


@pytest.mark.parametrize(
    ("row", "period", "says"),
    [
        (2, "2025-Q5", "'2025-Q5' is not a period: a quarter is Q1..Q4"),
        (5, "2025-13", "month 13 is not 01-12"),
        (5, "2025-07-01", "did you mean '2025-07'?"),
        (2, "Q3 2025", "did you mean '2025-Q3'?"),
        (2, "2026-Q1", "a period that has begun (today is 2025-11-25)"),
    ],
)
def test_malformed_or_impossible_period(tmp_path, data, row, period, says):
    p = problem_at(bad_rows(tmp_path, data, setcell(row, "period", period)), f"row {row}, column period")
    assert p.found == repr(period) and says in p.expected


def test_period_ending_before_it_starts(tmp_path, data):
    row = _row(
        "border_arrivals", "2025-05..2025-02", "ytd", "Total", "TOT", "count", "5", "persons", "MIA", IOM, "q"
    )
    exc = bad_rows(tmp_path, data, lambda rows: rows.append(row))
    assert "end is before start" in problem_at(exc, f"row {N_NEW + 2}, column period").expected


def test_negative_count(tmp_path, data):
    p = problem_at(bad_rows(tmp_path, data, setcell(6, "value", "-2900")), "row 6, column value")
    assert "a non-negative number for a level" in p.expected


def test_single_share_over_100(tmp_path, data):
    p = problem_at(bad_rows(tmp_path, data, setcell(3, "value", "166.4")), "row 3, column value")
    assert "a share of at most 100" in p.expected


def test_shares_of_one_indicator_and_period_adding_up_to_more_than_100(tmp_path, data):
    exc = bad_rows(tmp_path, data, setcell(4, "value", "41.7"))  # 66.4 + 41.7 = 108.1
    p = problem_at(exc, "row 4, column value")
    assert "add up to 108.10%" in p.found
    assert "allowing 0.10 points for rounding" in p.expected and "UZB 66.4 (row 3)" in p.expected


def test_shares_are_summed_with_the_existing_rows_of_the_same_document(tmp_path, data):
    # the seed's TRP shares for Q2 2023 already add up to 100.1% (rounded); one more share cannot fit
    row = _row(
        "trp_issued",
        "2023-Q2",
        "quarter",
        "Kazakhstan",
        "KAZ",
        "share_pct",
        "5.0",
        "percent",
        MIA,
        {"document": SEED, "url": "seed"},
        "Kazakhstan (5.0%)",
    )
    exc = bad_rows(tmp_path, data, lambda rows: rows.append(row))
    p = problem_at(exc, f"row {N_NEW + 2}, column value")
    assert "add up to 105.10%" in p.found and "observations.csv line" in p.expected


def test_shares_within_rounding_are_accepted(tmp_path, data):
    rows = [list(r) for r in NEW_ROWS]
    rows.append(
        _row(
            "trp_issued",
            "2025-Q3",
            "quarter",
            "Kyrgyzstan",
            "KGZ",
            "share_pct",
            "12",
            "percent",
            MIA,
            IOM,
            "Kyrgyzstan (12%)",
        )
    )
    # 66.4 + 21.7 + 12 = 100.1: within rounding (0.05 + 0.05 + 0.5)
    path, dpath = new_files(tmp_path, rows)
    assert validate_file(path, data, documents=dpath, today=TODAY).added == N_NEW + 1


def test_exact_duplicate_rows_in_the_file(tmp_path, data):
    exc = bad_rows(tmp_path, data, lambda rows: rows.insert(3, list(rows[1])))
    p = problem_at(exc, "row 5")
    assert "an exact duplicate of row 3" in p.found


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("quote", "   ", "the verbatim text the figure was read from"),
        ("url", "", "the document's url 'https://example.org/iom-mtm-kazakhstan-2025-q3'"),
        ("country", "", "the country name as printed in the source"),
        ("source_agency", "", "the agency the source credits"),
    ],
)
def test_source_without_link_quote_or_names(tmp_path, data, column, value, says):
    p = problem_at(bad_rows(tmp_path, data, setcell(2, column, value)), f"row 2, column {column}")
    assert says in p.expected


def test_document_without_a_description(tmp_path, data):
    exc = bad_rows(tmp_path, data, lambda rows: None, docs=False)
    p = problem_at(exc, "row 2, column document")
    assert "a document described in documents.yaml" in p.expected and "--documents FILE" in p.expected
    assert len(exc.problems) == N_NEW  # every row cites one of the two new documents


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("url", "", "a link to the document (http:// or https://)"),
        ("kind", "blog", "one of iom_report, agency_release, news"),
        ("published", "20.10.2025", "a date YYYY-MM-DD; did you mean 2025-10-20?"),
        ("published", "2026-01-01", "not in the future"),
        ("published_basis", "guess", "url (the date is in the link)"),
        ("id", "Bad Id", "lower-case letters"),
        ("id", "iom-mtm-2023-q2", "an id that no other document has"),
    ],
)
def test_bad_document_description(tmp_path, data, column, value, says):
    docs = ({**IOM, column: value}, NEWS)
    path, dpath = new_files(tmp_path, docs=docs)
    if column == "url":  # the rows cite the document with its (empty) link
        rows = [
            [
                value if (i == COL["url"] and r[COL["document"]] == IOM["document"]) else v
                for i, v in enumerate(r)
            ]
            for r in NEW_ROWS
        ]
        path = write_csv(tmp_path / "new.csv", rows)
    p = problem_at(rejected(path, data, dpath), f"new-documents.csv, row 2, column {column}")
    assert says in p.expected


def test_an_import_cannot_change_a_document_already_described(tmp_path, data):
    seed = {**IOM, "document": SEED, "url": "seed", "kind": "news", "published": "2023-07-01"}
    path, dpath = new_files(tmp_path, docs=(IOM, NEWS, seed))
    p = problem_at(rejected(path, data, dpath), "new-documents.csv, row 4, column document")
    assert "an import never changes a document's description" in p.expected


def test_documents_sheet_problems_are_named_in_an_xlsx(tmp_path, data):
    path = _workbook(tmp_path / "f.xlsx", _typed(NEW_ROWS), docs=({**IOM, "kind": "blog"}, NEWS))
    problem_at(rejected(path, data), "documents sheet, row 2, column kind")


def test_excel_date_in_a_quarter_period_is_rejected_clearly(tmp_path, data):
    rows = _typed(NEW_ROWS)
    rows[0][COL["period"]] = datetime(2025, 7, 1)
    p = problem_at(rejected(_workbook(tmp_path / "f.xlsx", rows), data), "row 2, column period")
    assert "Excel stored this cell as the date 2025-07-01, which is not a quarter id" in p.expected
    assert "e.g. 2023-Q2" in p.expected


def test_excel_date_in_the_value_column_is_rejected_clearly(tmp_path, data):
    rows = _typed(NEW_ROWS)
    rows[1][COL["value"]] = datetime(2025, 5, 12)  # "12.5" typed into a Russian-locale Excel
    p = problem_at(rejected(_workbook(tmp_path / "f.xlsx", rows), data), "row 3, column value")
    assert "Excel stored this cell as the date 2025-05-12" in p.expected


def test_percent_formatted_cell_is_rejected_clearly(tmp_path, data):
    path = _workbook(tmp_path / "f.xlsx", _typed(NEW_ROWS))
    wb = load_workbook(path)
    cell = wb["observations"]["G3"]
    cell.value, cell.number_format = 0.664, "0.0%"
    wb.save(path)
    p = problem_at(rejected(path, data), "row 3, column value")
    assert "formatted as a percentage" in p.expected and "(66.4)" in p.expected


def test_file_that_is_not_utf8(tmp_path, data):
    path = write_csv(tmp_path / "f.csv", NEW_ROWS[:4], encoding="cp1251", terminator="\n")
    p = problem_at(rejected(path, data, write_docs(tmp_path / "d.csv")), "row 2")  # the dash of IOM's title
    assert "a UTF-8 text file" in p.expected and "CSV UTF-8" in p.expected


def test_empty_template_has_no_rows(tmp_path, data):
    for name in ("observations.csv", "observations.xlsx"):
        (p,) = rejected(ROOT / "data" / "templates" / name, data).problems
        assert str(p) == "file: a header but no rows — expected at least one row of figures"


def test_every_problem_is_reported_at_once_in_file_order(tmp_path, data):
    def change(rows):
        rows[0][COL["value"]] = "n/a"
        rows[3][COL["period"]] = "2025-13"
        rows[6][COL["quote"]] = ""
        rows[6][COL["unit"]] = "people"

    exc = bad_rows(tmp_path, data, change)
    assert [p.location for p in exc.problems] == [
        "row 2, column value",
        "row 5, column period",
        "row 8, column unit",
        "row 8, column quote",
    ]
    assert str(exc).startswith(
        "new.csv: 4 problem(s); nothing was written:\nrow 2, column value: 'n/a' — expected"
    )


def test_warnings_do_not_block(tmp_path, data):
    rows = [list(r) for r in NEW_ROWS]
    rows[4][COL["value"]] = "2900.5"  # a count that is not whole
    rows[2][COL["country_iso3"]] = "UKR"  # 'Russian Federation' is RUS in observations.csv
    path, dpath = new_files(tmp_path, rows)
    report = validate_file(path, data, documents=dpath, today=TODAY)
    assert [w.location for w in report.warnings] == ["row 4, column country_iso3", "row 6, column value"]


# -- all or nothing --------------------------------------------------------------------------------------


def _fail_on_replace_to(monkeypatch, name: str):
    real = os.replace

    def replace(src, dst):
        if os.path.basename(dst) == name:
            raise OSError("disk full (simulated)")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)  # the one os module: every rename of build and importer


@pytest.mark.parametrize("failing", ["manifest.json", "observations.csv", "documents.yaml", "history.jsonl"])
def test_failure_between_writing_and_renaming_leaves_everything_intact(tmp_path, data, monkeypatch, failing):
    path, dpath = new_files(tmp_path)
    before = tree_digests(data)
    old = DataStore.load(data.parquet)
    _fail_on_replace_to(monkeypatch, failing)
    with pytest.raises(OSError, match="simulated"):
        do_import(path, data, dpath)
    monkeypatch.undo()
    assert tree_digests(data) == before  # byte for byte, no temporaries left
    store = DataStore.load(data.parquet)  # the old tables, intact and readable
    assert store.observations.equals(old.observations) and store.sources.equals(old.sources)
    assert tables_in_sync(data)
    assert do_import(path, data, dpath).added == N_NEW  # and the import can simply be run again


def test_failure_while_writing_a_table_leaves_everything_intact(tmp_path, data, monkeypatch):
    path, dpath = new_files(tmp_path)
    before = tree_digests(data)
    real, calls = pq.write_table, []

    def write_table(table, where, **kw):
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full (simulated)")
        return real(table, where, **kw)

    monkeypatch.setattr(build.pq, "write_table", write_table)
    with pytest.raises(OSError, match="simulated"):
        do_import(path, data, dpath)
    assert tree_digests(data) == before


def test_interrupt_during_the_switch_restores_everything(tmp_path, data, monkeypatch):
    path, dpath = new_files(tmp_path)
    before = tree_digests(data)

    def interrupted(tables, out_dir):
        raise KeyboardInterrupt

    monkeypatch.setattr(commit, "write_tables", interrupted)
    with pytest.raises(KeyboardInterrupt):
        do_import(path, data, dpath)
    assert tree_digests(data) == before


def test_tables_left_behind_by_a_killed_import_are_caught_up(tmp_path, data):
    """A kill after the source files' renames (CSV and its release record) and before the tables' leaves the
    old tables (consistent) with the new sources; the next import (even of the same file) rebuilds them."""
    path, dpath = new_files(tmp_path)
    scratch = DataPaths.under(tmp_path / "scratch")
    shutil.copytree(data.csv.parent, scratch.csv.parent)
    shutil.copytree(data.parquet, scratch.parquet)
    do_import(path, scratch, dpath)
    shutil.copy(scratch.csv, data.csv)  # the state a kill would leave
    shutil.copy(scratch.documents, data.documents)
    shutil.copy(scratch.releases, data.releases)
    assert not tables_in_sync(data)
    assert "tables that are not a build of observations.csv" in str(
        validate_file(path, data, documents=dpath, today=TODAY).warnings[-1]
    )
    report = do_import(path, data, dpath)
    assert (report.added, report.repaired) == (0, True)
    assert "were rebuilt" in format_report(report)
    assert tables_in_sync(data)
    assert DataStore.load(data.parquet).figure("trp_issued", "2025-Q3").value == 301500


def test_one_import_at_a_time(tmp_path, data):
    path, dpath = new_files(tmp_path)
    before = tree_digests(data)
    fd = os.open(data.csv.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(ImportBusy, match="another `mtm import` is running"):
            do_import(path, data, dpath)
    finally:
        os.close(fd)
    assert tree_digests(data) == before


def test_validate_writes_nothing(tmp_path, data):
    path, dpath = new_files(tmp_path)
    before = tree_digests(data)
    report = validate_file(path, data, documents=dpath, today=TODAY)
    assert (report.added, len(report.conflicts), report.written) == (N_NEW, 2, False)
    assert tree_digests(data) == before


# -- the commands ----------------------------------------------------------------------------------------


def test_cli_validate_import_history(tmp_path, data, capsys):
    path, dpath = new_files(tmp_path)
    d = str(data.csv.parent.parent)
    before = tree_digests(data)
    assert main(["validate", str(path), "--documents", str(dpath), "--data", d]) == 0
    out = capsys.readouterr().out
    assert f"would add       {N_NEW} rows" in out and "nothing was written" in out
    assert tree_digests(data) == before

    assert main(["import", str(path), "--documents", str(dpath), "--data", d]) == 0
    out = capsys.readouterr().out
    assert f"added           {N_NEW} rows" in out and "conflicts       2 figures" in out
    assert f"wrote {N_NEW} rows to" in out

    assert main(["import", str(path), "--documents", str(dpath), "--data", d]) == 0
    assert "nothing new" in capsys.readouterr().out

    assert main(["history", "--data", d]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("when (UTC)") and len(lines) == 3 and "new.csv" in lines[1]
    assert main(["history", "--data", d, "--json"]) == 0
    assert [r["added"] for r in map(json.loads, capsys.readouterr().out.splitlines())] == [N_NEW, 0]


def test_cli_rejects_a_bad_file_with_every_problem(tmp_path, data, capsys):
    rows = [list(r) for r in NEW_ROWS]
    rows[0][COL["value"]] = "1,234"
    path, dpath = new_files(tmp_path, rows)
    before = tree_digests(data)
    code = main(["import", str(path), "--documents", str(dpath), "--data", str(data.csv.parent.parent)])
    err = capsys.readouterr().err
    assert code == 2
    assert "error: new.csv has 1 problem(s); nothing was written." in err
    assert "row 2, column value: '1,234'" in err
    assert tree_digests(data) == before


def test_history_of_a_fresh_checkout_is_empty(data, capsys):
    assert read_history(data.history) == []
    assert main(["history", "--data", str(data.csv.parent.parent)]) == 0
    assert "no imports recorded" in capsys.readouterr().out


# -- templates and hints ---------------------------------------------------------------------------------


def test_shipped_templates_have_the_source_columns_and_the_catalogue_lists():
    t = ROOT / "data" / "templates"
    with open(t / "observations.csv", encoding="utf-8", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == SOURCE_COLUMNS
    with open(t / "documents.csv", encoding="utf-8", newline="") as fh:
        assert tuple(next(csv.reader(fh))) == DOC_COLUMNS
    wb = load_workbook(t / "observations.xlsx")
    assert tuple(c.value for c in wb["observations"][1]) == SOURCE_COLUMNS
    assert tuple(c.value for c in wb["documents"][1]) == DOC_COLUMNS
    lists = {col[0].value: [c.value for c in col[1:] if c.value] for col in wb["lists"].iter_cols()}
    cat = catalogue()
    # when this fails, the catalogue changed: regenerate with `python -m dashboard.pipeline.templates`
    assert lists["indicator"] == [i.id for i in cat.indicators]
    assert lists["unit"] == [u.id for u in cat.units] and lists["measure"] == [m.id for m in cat.measures]
    assert wb["observations"].column_dimensions["B"].number_format == "@"  # periods typed stay text


@pytest.mark.parametrize(
    ("text", "ptype", "meant"),
    [
        ("Q2 2023", "quarter", "2023-Q2"),
        ("2023 q2", "quarter", "2023-Q2"),
        ("H1 2024", "half", "2024-H1"),
        ("01.04.2023", "month", "2023-04"),
        ("4.2023", "month", "2023-04"),
        ("2023-04-01", "month", "2023-04"),
        ("01.08.2023", "date", "2023-08-01"),
        ("2023-Q5", "quarter", None),
    ],
)
def test_period_hint(text, ptype, meant):
    assert period_hint(text, ptype) == meant


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("1,234.5", "did you mean 1234.5?"),
        ("1.234,5", "did you mean 1234.5?"),
        ("１２", "did you mean 12?"),
        ("1_234", "did you mean 1234?"),
        ("#DIV/0!", "an Excel error value"),
        ("inf", "a finite number"),
    ],
)
def test_number_hint(text, says):
    assert says in number_hint(text)
