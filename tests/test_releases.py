"""Every import is a numbered release; every figure keeps its history.

Revisions (``--revise`` + a ``reason``) and withdrawals (``action`` = withdraw, or ``mtm withdraw``) never
delete anything; the tables answer for any release (``DataStore.at_release``); the release record is a
hash chain that a hand edit breaks (refused, the file named); imports and builds take one lock; an import
interrupted at any write step leaves every file byte-identical. Every test works on a copy of data/ as it was
at release 1 (``release_1_data``): one known starting point, whatever later releases shipped.
"""

from __future__ import annotations

import csv
import fcntl
import json
import os
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

import dashboard.data as data_module
from dashboard.cli import main
from dashboard.data import DataStore, DataUnavailable, get_store
from dashboard.freshness import freshness
from dashboard.pipeline.importer import DataPaths, ImportBusy, ImportRejected, import_file, withdraw
from dashboard.releases import UnknownRelease, read_releases
from dashboard.schema import SOURCE_COLUMNS
from tests.fixtures_data import PARQUET_DIR, ROOT, committed_store, csv_rows, manifest_entries, release_1_data
from tests.test_import import new_files, tree_digests

NOW = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
RELEASE_2026_12 = ROOT / "data" / "imports" / "release-2026-12"  # the files release 2 was imported from


@pytest.fixture
def data(tmp_path) -> DataPaths:
    return release_1_data(tmp_path / "data")


def rows_in(data: DataPaths) -> int:
    """The data rows of the copy's observations.csv (release 1's, before a test adds any)."""
    with open(data.csv, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.DictReader(fh))


def write(path: Path, rows: list[dict], columns=(*SOURCE_COLUMNS, "reason")) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)
    return path


FIRST = dict(csv_rows()[0])  # trp_issued 2023-Q2 TOT count, printed by the seed IOM report


def revision_file(tmp_path, value="308800", reason="corrected by the ministry (test fixture)") -> Path:
    return write(tmp_path / "revise.csv", [{**FIRST, "value": value, "reason": reason}])


def run_import(path, data, **kw):
    return import_file(path, data, today=NOW.date(), now=NOW, **kw)


def refused(path, data, **kw) -> ImportRejected:
    before = tree_digests(data)
    with pytest.raises(ImportRejected) as exc:
        run_import(path, data, **kw)
    assert tree_digests(data) == before
    return exc.value


# -- release 1: the shipped data ---------------------------------------------------------------------------


def test_shipped_data_is_release_1_the_initial_build():
    records = read_releases(ROOT / "data" / "sources" / "releases.jsonl")
    assert [(r["release"], r["kind"], r["note"], r["rows"]) for r in records][:1] == [
        (1, "build", "initial build", [1, 450])
    ]
    assert {"releases", "changes"} <= set(manifest_entries(PARQUET_DIR))
    store = DataStore.load(PARQUET_DIR)
    first = store.releases()[-1]
    assert (first.number, first.added, first.revised, first.withdrawn) == (1, 450, 0, 0)
    assert {c.change for c in first.changes} == {"added"} and len(first.changes) == 450
    assert store.at_release(store.latest_release) is store


def test_build_records_release_1_when_no_record_exists(tmp_path, data, capsys):
    data.releases.unlink()
    n = rows_in(data)
    assert main(["build", "--csv", str(data.csv), "--out", str(data.parquet), "--by", "tester"]) == 0
    assert "recorded release 1" in capsys.readouterr().out
    (rec,) = read_releases(data.releases)
    assert (rec["release"], rec["by"], rec["rows"], rec["prev"]) == (1, "tester", [1, n], "")
    assert DataStore.load(data.parquet).releases()[0].by == "tester"


def test_an_import_into_data_without_a_record_makes_it_release_1_first(tmp_path, data):
    data.releases.unlink()
    n = rows_in(data)
    path, dpath = new_files(tmp_path)
    report = run_import(path, data, documents=dpath, by="aigerim", note="Q3 figures")
    assert report.release["release"] == 2
    r2, r1 = DataStore.load(data.parquet).releases()
    assert (r1.number, r1.note, r1.rows) == (1, "initial build", (1, n))
    assert (r2.number, r2.by, r2.note, r2.rows, r2.added) == (2, "aigerim", "Q3 figures", (n + 1, n + 8), 8)


# -- revisions -------------------------------------------------------------------------------------------


def test_a_revision_without_revise_is_refused_naming_row_column_and_values(tmp_path, data):
    exc = refused(revision_file(tmp_path), data)
    (p,) = exc.problems
    assert p.location == "row 2, column value"
    assert "'308800'" in p.found and "already published as 308710 (observations.csv row 1)" in p.found
    assert "--revise" in p.expected


def test_a_revision_without_a_reason_is_refused(tmp_path, data):
    exc = refused(revision_file(tmp_path, reason=""), data, revise=True)
    (p,) = exc.problems
    assert p.location == "row 2, column reason" and "why the figure is revised" in p.expected


def test_a_revision_keeps_the_old_value_as_history(tmp_path, data):
    old_csv, new_row = data.csv.read_bytes(), rows_in(data) + 1
    release_1 = DataStore.load(data.parquet)
    report = run_import(revision_file(tmp_path), data, revise=True, by="aigerim", note="correction")
    assert (report.added, len(report.revised), report.release["release"]) == (0, 1, 2)
    assert data.csv.read_bytes().startswith(old_csv)  # appended to, never rewritten
    (line,) = list(csv.DictReader(data.revisions.read_text(encoding="utf-8").splitlines()))
    assert line == {
        "release": "2",
        "action": "revise",
        "row": "1",
        "new_row": str(new_row),
        "old_value": "308710",
        "new_value": "308800",
        "reason": "corrected by the ministry (test fixture)",
    }
    store = DataStore.load(data.parquet)
    fig = store.figure("trp_issued", "2023-Q2")
    assert (fig.value, fig.previous_value, fig.revised_in) == (308800, 308710, 2)
    assert fig.revision_reason == "corrected by the ministry (test fixture)"
    new_id = f"obs-{new_row:05d}"
    assert fig.source_ids == (new_id,) and not fig.alternatives  # the old statement is not a rival
    assert store.revised("trp_issued")["source_id"].to_list() == [new_id]
    then = store.at_release(1)
    assert (
        then.figure("trp_issued", "2023-Q2").value == 308710
        and then.figure("trp_issued", "2023-Q2").revised_in is None
    )
    assert then.observations.drop("valid_to").equals(
        release_1.observations.drop("valid_to")
    )  # release 1 exactly as it was before (ranks, conflicts, derived values)
    diff = store.changes_between(1, 2)
    assert diff.select("change", "previous_value", "value", "reason").row(0) == (
        "revised",
        308710.0,
        308800.0,
        "corrected by the ministry (test fixture)",
    )
    # derived figures follow: the Uzbek count derived from the share and the revised total
    uzb_now = store.figure("trp_issued", "2023-Q2", country="UZB", measure="count", unit="permits")
    uzb_then = then.figure("trp_issued", "2023-Q2", country="UZB", measure="count", unit="permits")
    assert uzb_now.value == pytest.approx(uzb_then.value / 308710 * 308800)


# -- withdrawals -----------------------------------------------------------------------------------------


def withdrawal_file(tmp_path, row: dict, reason="retracted by the publisher (test fixture)") -> Path:
    cols = (*SOURCE_COLUMNS, "action", "reason")
    keep = {k: row[k] for k in ("indicator", "period", "period_type", "country_iso3", "measure", "unit")}
    return write(
        tmp_path / "withdraw.csv",
        [
            {
                **dict.fromkeys(SOURCE_COLUMNS, ""),
                **keep,
                "document": row["document"],
                "action": "withdraw",
                "reason": reason,
            }
        ],
        cols,
    )


def test_a_withdrawal_by_an_action_column_keeps_the_figure_in_history(tmp_path, data):
    report = run_import(withdrawal_file(tmp_path, FIRST), data)
    assert (report.added, len(report.withdrawn), report.release["release"]) == (0, 1, 2)
    store = DataStore.load(data.parquet)
    assert store.figure("trp_issued", "2023-Q2").source_ids != ("obs-00001",)
    w = store.withdrawn("trp_issued").row(0, named=True)
    assert (w["release"], w["previous_value"], w["reason"], w["source_id"]) == (
        2,
        308710.0,
        "retracted by the publisher (test fixture)",
        "obs-00001",
    )
    assert store.at_release(1).figure("trp_issued", "2023-Q2").value == 308710


def test_a_withdrawal_of_a_figure_that_does_not_exist_is_refused_naming_it(tmp_path, data):
    exc = refused(withdrawal_file(tmp_path, {**FIRST, "period": "2023-Q3"}), data)
    (p,) = exc.problems
    assert p.location == "row 2, column action"
    assert "trp_issued 2023-Q3 (quarter) TOT count permits" in p.found and "not published now" in p.found


def test_a_withdrawal_needs_a_reason(tmp_path, data):
    (p,) = refused(withdrawal_file(tmp_path, FIRST, reason=" "), data).problems
    assert p.location == "row 2, column reason"


def test_mtm_withdraw_and_the_listing_commands(tmp_path, data, capsys):
    d = str(data.csv.parent.parent)
    assert main(["withdraw", "obs-00002", "--reason", "double-counted (test)", "--data", d, "--by", "x"]) == 0
    assert "withdrawn" in capsys.readouterr().out
    assert main(["withdraw", "2", "--reason", "again", "--data", d]) == 2  # already withdrawn
    assert "already revised or withdrawn" in capsys.readouterr().err
    assert main(["releases", "--data", d]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[0] == "2" and out[2].split()[0] == "1"
    assert main(["diff", "1", "2", "--data", d]) == 0
    assert "withdrawn (was 68.8): double-counted (test)" in capsys.readouterr().out
    assert main(["diff", "1", "2", "--csv", "--data", d]) == 0
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert [(r["change"], r["previous_value"], r["reason"]) for r in rows] == [
        ("withdrawn", "68.8", "double-counted (test)")
    ]
    assert main(["diff", "1", "7", "--data", d]) == 2
    assert "release 7 does not exist: releases are 1 to 2" in capsys.readouterr().err


# -- releases in the store -------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, -1, 99, "1", True])
def test_unknown_release_is_a_clear_error(bad):
    store = DataStore.load(PARQUET_DIR)
    with pytest.raises(UnknownRelease, match="does not exist: releases are 1 to"):
        store.at_release(bad)


def test_at_release_is_remembered(tmp_path, data):
    run_import(revision_file(tmp_path), data, revise=True)
    store = DataStore.load(data.parquet)
    assert store.at_release(1) is store.at_release(1)
    assert store.at_release(1).release == 1 and store.release == 2
    assert [r.number for r in store.at_release(1).releases()] == [1]


def test_freshness_uses_the_release_dates_of_the_store(tmp_path, data):
    path, dpath = new_files(tmp_path)
    run_import(path, data, documents=dpath)
    store = DataStore.load(data.parquet)
    by_ind = {f.indicator: f for f in freshness(store, today=date(2026, 12, 4), history=())}
    assert by_ind["trp_issued"].last_import == NOW.date()
    assert by_ind["remittance_inflow"].last_import is None  # not in the import: release 1 is no import


# -- a record edited by hand -----------------------------------------------------------------------------


def _tamper(data: DataPaths) -> None:
    lines = data.releases.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["note"] = "edited"
    lines[0] = json.dumps(rec, ensure_ascii=False, sort_keys=True)
    data.releases.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_hand_edited_record_is_refused_everywhere_naming_the_file(tmp_path, data, capsys):
    _tamper(data)
    before = tree_digests(data)
    d = str(data.csv.parent.parent)
    assert main(["build", "--csv", str(data.csv), "--out", str(data.parquet)]) == 2
    err = capsys.readouterr().err
    assert "releases.jsonl: release 1 was edited by hand" in err and "nothing was written" in err
    assert main(["check", "--out", str(data.parquet)]) == 2
    assert "releases.jsonl" in capsys.readouterr().err
    with pytest.raises(DataUnavailable, match=r"releases\.jsonl: release 1 was edited by hand"):
        DataStore.load(data.parquet)  # the app refuses at start
    path, dpath = new_files(tmp_path)
    assert main(["import", str(path), "--documents", str(dpath), "--data", d]) == 2
    assert "releases.jsonl: release 1 was edited by hand" in capsys.readouterr().err
    assert tree_digests(data) == before


def test_a_hand_edited_source_file_is_refused(tmp_path, data, capsys):
    data.csv.write_bytes(data.csv.read_bytes().replace(b",308710,", b",308711,", 1))  # a figure changed
    assert main(["build", "--csv", str(data.csv), "--out", str(data.parquet)]) == 2
    assert "observations.csv is not the file release 1 recorded" in capsys.readouterr().err


def test_a_running_app_keeps_the_last_good_data_when_the_record_breaks(tmp_path, data, monkeypatch):
    monkeypatch.setattr(data_module, "_current", None)
    good = get_store(data.parquet)
    _tamper(data)
    manifest = data.parquet / "manifest.json"
    manifest.write_bytes(manifest.read_bytes() + b" ")  # a new data set appears
    assert get_store(data.parquet) is good
    with pytest.raises(DataUnavailable):
        DataStore.load(data.parquet)


# -- one at a time; all or nothing -----------------------------------------------------------------------


def test_a_build_or_import_while_another_runs_is_refused(tmp_path, data, capsys):
    fd = os.open(data.csv.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        before = tree_digests(data)
        assert main(["build", "--csv", str(data.csv), "--out", str(data.parquet)]) == 1
        assert "another `mtm import` is running" in capsys.readouterr().err
        with pytest.raises(ImportBusy, match="nothing was written"):
            run_import(revision_file(tmp_path), data, revise=True)
        with pytest.raises(ImportBusy):
            withdraw([1], "test", data)
        assert tree_digests(data) == before
    finally:
        os.close(fd)


def _fail_on_replace_to(monkeypatch, name: str):
    real = os.replace

    def replace(src, dst):
        if os.path.basename(dst) == name:
            raise OSError("disk full (simulated)")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", replace)


@pytest.mark.parametrize(
    "failing", ["revisions.csv", "observations.csv", "releases.jsonl", "history.jsonl", "manifest.json"]
)
def test_a_revision_interrupted_at_any_write_step_changes_nothing(tmp_path, data, monkeypatch, failing):
    path = revision_file(tmp_path)
    before = tree_digests(data)
    _fail_on_replace_to(monkeypatch, failing)
    with pytest.raises(OSError, match="simulated"):
        run_import(path, data, revise=True)
    monkeypatch.undo()
    assert tree_digests(data) == before
    assert run_import(path, data, revise=True).release["release"] == 2  # and it can simply run again


def test_an_interrupted_withdrawal_changes_nothing(tmp_path, data, monkeypatch):
    before = tree_digests(data)
    _fail_on_replace_to(monkeypatch, "releases.jsonl")
    with pytest.raises(OSError, match="simulated"):
        withdraw([1], "test", data)
    monkeypatch.undo()
    assert tree_digests(data) == before


# -- the release of December 2026, tried in a copy (the lead imports it into the shipped data) -----------


def test_release_2026_12_imports_as_release_2(data):
    release_1 = DataStore.load(data.parquet)
    path, dpath = RELEASE_2026_12 / "observations.csv", RELEASE_2026_12 / "documents.csv"
    report = run_import(path, data, documents=dpath, note="2026-12")
    assert (report.release["release"], report.added, report.revised, report.withdrawn) == (2, 123, [], [])
    store = DataStore.load(data.parquet)
    assert store.observations.height > store.at_release(1).observations.height
    assert store.at_release(1).observations.drop("valid_to").equals(release_1.observations.drop("valid_to"))
    # the shipped release 2 is what `mtm import` makes of the files kept in data/imports
    shipped_2 = committed_store().at_release(2).observations.drop("valid_to")
    assert store.observations.drop("valid_to").equals(shipped_2)
    agreeing = store.observations.filter(
        (pl.col("indicator") == "foreign_workers_permit_holders")
        & (pl.col("period") == "2025-08-01")
        & (pl.col("country_iso3") == "TOT")
    )
    assert agreeing["n_sources"].to_list() == [2, 2] and not any(agreeing["conflict"])
