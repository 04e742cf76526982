"""The build: every CSV row kept with its source, committed tables reproducible, the precedence rule, honest
derivations, validation that names line and column, and an atomic write."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
from collections import Counter, defaultdict
from datetime import date

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dashboard.pipeline.build as build
from dashboard.data import DataStore, DataUnavailable
from dashboard.derivations import describe, record
from dashboard.periods import months_of_quarter, parse_period
from dashboard.pipeline.build import (
    BuildError,
    build_tables,
    derive_counts_from_shares,
    derive_quarters_from_months,
)
from dashboard.schema import CHANGE_SCHEMA, FIGURE_KEY, OBSERVATION_SCHEMA, RELEASE_SCHEMA, SOURCE_SCHEMA
from tests.fixtures_data import (
    KIND_ORDER,
    MANIFEST,
    OBSERVATION_TABLES,
    PARQUET_DIR,
    TABLE_NAMES,
    committed_store,
    csv_header,
    csv_raw_rows,
    csv_rows,
    documents_by_title,
    file_digests,
    fresh_tables,
    generation_digests,
    manifest_entries,
    manifest_files,
    table_path,
    write_csv,
    write_fresh,
)


def _published_with_sources() -> pl.DataFrame:
    s = committed_store()
    pub = s.observations.filter(pl.col("method") == "published")
    return pub.join(s.sources, on="source_id", how="left", validate="1:1")


def _obs_by_id() -> dict[str, dict]:
    return {r["obs_id"]: r for r in committed_store().observations.iter_rows(named=True)}


# -- 2. round trip -------------------------------------------------------------------------------------


def test_counts_of_rows():
    # one published observation and one source row per CSV row, however many rows the file has
    s = committed_store()
    n_rows = len(csv_rows())
    assert n_rows > 0
    assert s.observations.filter(pl.col("method") == "published").height == n_rows
    assert s.sources.height == n_rows
    assert s.sources["source_id"].n_unique() == n_rows


def test_every_csv_row_is_a_published_observation_with_its_source():
    def from_csv(r: dict[str, str]) -> tuple:
        return (
            r["indicator"],
            r["period"],
            r["period_type"],
            r["country_iso3"],
            r["country"],
            r["measure"],
            float(r["value"]),
            r["unit"],
            r["source_agency"],
            r["document"],
            r["url"],
            r["quote"],
        )

    expected = Counter(from_csv(r) for r in csv_rows())
    cols = [
        "indicator",
        "period",
        "period_type",
        "country_iso3",
        "country_source_name",
        "measure",
        "value",
        "unit",
        "agency",
        "document",
        "url",
        "quote",
    ]
    got = Counter(_published_with_sources().select(cols).iter_rows())
    assert got == expected
    assert max(expected.values()) == 1  # every row appears exactly once


def test_source_rows_follow_the_csv_order():
    s = committed_store()
    rows = s.sources.sort("csv_row")
    assert rows["csv_row"].to_list() == list(range(1, len(csv_rows()) + 1))
    by_row = {r["csv_row"]: r for r in rows.iter_rows(named=True)}
    docs = documents_by_title()
    for n, r in enumerate(csv_rows(), start=1):
        src = by_row[n]
        assert (src["quote"], src["url"], src["document"]) == (r["quote"], r["url"], r["document"])
        doc = docs[r["document"]]
        assert (src["document_id"], src["kind"]) == (doc["id"], doc["kind"])
        assert src["publisher"] == doc["publisher"]
        assert src["published"] == doc["published"]


# -- 3. committed tables equal a fresh build -----------------------------------------------------------


@pytest.mark.parametrize("name", TABLE_NAMES)
def test_committed_table_equals_fresh_build(name, tmp_path):
    committed = pq.read_table(table_path(PARQUET_DIR, name))
    write_fresh(tmp_path)
    rebuilt = pq.read_table(table_path(tmp_path, name))
    schemas = {"sources": SOURCE_SCHEMA, "releases": RELEASE_SCHEMA, "changes": CHANGE_SCHEMA}
    assert committed.schema.equals(schemas.get(name, OBSERVATION_SCHEMA))
    assert rebuilt.equals(committed), f"{table_path(PARQUET_DIR, name).name} is stale: run `mtm build`"
    assert fresh_tables()[name].equals(committed)


def _assert_manifest_describes_its_files(directory):
    """Every table has an entry naming <name>-<sha256[:16]>.parquet, whose bytes hash to sha256 and which
    holds ``rows`` rows."""
    entries = manifest_entries(directory)
    assert set(entries) == set(TABLE_NAMES)
    for name, e in entries.items():
        assert set(e) == {"file", "sha256", "rows"}, name
        assert re.fullmatch(r"[0-9a-f]{64}", e["sha256"]), name
        assert e["file"] == f"{name}-{e['sha256'][:16]}.parquet", name
        raw = (directory / e["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == e["sha256"], name
        assert pq.read_metadata(directory / e["file"]).num_rows == e["rows"], name


def test_committed_manifest_names_each_table_by_its_content():
    _assert_manifest_describes_its_files(PARQUET_DIR)


def test_written_manifest_names_each_table_by_its_content(tmp_path):
    write_fresh(tmp_path)
    _assert_manifest_describes_its_files(tmp_path)
    assert {n: e["rows"] for n, e in manifest_entries(tmp_path).items()} == {
        n: t.num_rows for n, t in fresh_tables().items()
    }
    # nothing but the manifest and the files it names
    assert set(file_digests(tmp_path)) == manifest_files(tmp_path) | {MANIFEST}


# -- 4. precedence rule ------------------------------------------------------------------------------


def _figure(*args, **kw):
    return committed_store().figure(*args, **kw)


def test_iom_report_beats_news_on_a_real_conflict():
    f = _figure("departures", "2022-H1", "half", "TOT", "count", "persons")
    assert f.value == 12339
    assert f.status == "published"
    assert f.conflict is True
    assert [(a.value, a.document, a.rank) for a in f.alternatives] == [
        (12339.0, "IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)", 1),
        (12344.0, "Kazinform: Up to 12 thou people left Kazakhstan in 6 mths (H1 2022)", 2),
    ]
    assert f.source_ids == (f.alternatives[0].source_id,)


def _expected_order(rows: list[tuple[int, dict]]) -> list[int]:
    """CSV row numbers in precedence order, computed from documents.yaml: kind, then later publication,
    then earlier CSV row."""
    docs = documents_by_title()

    def key(item):
        n, r = item
        d = docs[r["document"]]
        return (KIND_ORDER[d["kind"]], -d["published"].toordinal(), n)

    return [n for n, _ in sorted(rows, key=key)]


def test_news_tie_goes_to_the_latest_publication():
    rows = [
        (n, r)
        for n, r in enumerate(csv_rows(), start=1)
        if (r["indicator"], r["period"], r["period_type"], r["country_iso3"], r["measure"])
        == ("arrivals", "2024", "year", "TOT", "count")
    ]
    assert sorted(float(r["value"]) for _, r in rows) == [29282, 29282, 29900, 29948, 30000]
    assert {documents_by_title()[r["document"]]["kind"] for _, r in rows} == {"news"}
    order = _expected_order(rows)
    value_of = {n: float(r["value"]) for n, r in rows}
    doc_of = {n: r["document"] for n, r in rows}

    f = _figure("arrivals", "2024", "year", "TOT", "count", "persons")
    assert f.conflict is True
    assert f.value == value_of[order[0]]
    assert [(a.value, a.document, a.rank) for a in f.alternatives] == [
        (value_of[n], doc_of[n], i) for i, n in enumerate(order, start=1)
    ]
    # the winner as the data stands: ASB-media, published (estimated) 2025-04-01
    assert f.value == 29282
    assert f.alternatives[0].document.startswith("ASB-media")


def test_agreeing_sources_corroborate_without_conflict():
    f = _figure("departures", "2023-H1", "half", "TOT", "count", "persons")
    assert f.value == 6996
    assert f.conflict is False
    assert [a.value for a in f.alternatives] == [6996.0, 6996.0]
    rows = committed_store().observations.filter(
        (pl.col("indicator") == "departures")
        & (pl.col("period") == "2023-H1")
        & (pl.col("country_iso3") == "TOT")
        & (pl.col("measure") == "count")
    )
    assert rows["n_sources"].to_list() == [2, 2]
    assert rows["conflict"].to_list() == [False, False]
    assert sorted(rows["preferred"].to_list()) == [False, True]


def test_precedence_rule_holds_for_every_figure():
    """For every group of published rows printing the same figure: ranks follow kind / later publication /
    CSV order, n_sources is the group size, conflict iff values differ, only rank 1 is preferred."""
    src_row = dict(committed_store().sources.select("source_id", "csv_row").iter_rows())
    groups: dict[tuple, list[dict]] = defaultdict(list)
    pub = committed_store().observations.filter(pl.col("method") == "published")
    for o in pub.iter_rows(named=True):
        groups[tuple(o[k] for k in FIGURE_KEY)].append(o)
    rows = csv_rows()
    n_multi = 0
    for key, group in groups.items():
        n_multi += len(group) > 1
        by_row = {src_row[o["source_id"]]: o for o in group}
        order = _expected_order([(n, rows[n - 1]) for n in by_row])
        assert [by_row[n]["rank"] for n in order] == list(range(1, len(group) + 1)), key
        assert [by_row[n]["preferred"] for n in order] == [True] + [False] * (len(group) - 1), key
        assert {o["n_sources"] for o in group} == {len(group)}, key
        assert {o["conflict"] for o in group} == {len({o["value"] for o in group}) > 1}, key
    assert n_multi >= 5


def test_exactly_one_preferred_row_per_figure():
    obs = committed_store().observations
    counts = obs.group_by(list(FIGURE_KEY)).agg(pl.col("preferred").sum().alias("n"))
    assert counts.filter(pl.col("n") != 1).height == 0


# -- 5. derivations ----------------------------------------------------------------------------------


def _derived_rows() -> list[dict]:
    return [o for o in _obs_by_id().values() if o["method"] == "derived"]


def test_derived_rows_are_marked_and_never_shadow_a_published_level():
    obs = committed_store().observations
    derived = obs.filter(pl.col("method") == "derived")
    assert derived.height > 0
    assert derived.filter(pl.col("derivation").is_null() | pl.col("derived_from").is_null()).height == 0
    assert derived.filter(pl.col("country_source_name").is_not_null()).height == 0
    assert set(derived["rank"].to_list()) == {1} and all(derived["preferred"].to_list())
    published_keys = set(obs.filter(pl.col("method") == "published").select(FIGURE_KEY).iter_rows())
    clash = [k for k in derived.select(FIGURE_KEY).iter_rows() if k in published_keys]
    assert clash == []
    assert derived.filter(pl.col("measure").is_in(["count", "amount"]).not_()).height == 0


def test_share_derivations_use_share_and_total_of_the_same_document():
    obs = _obs_by_id()
    doc = dict(committed_store().sources.select("source_id", "document").iter_rows())
    share_derived = [o for o in _derived_rows() if record(o["derivation"])["kind"] == "share_of_total"]
    assert len(share_derived) >= 40
    for o in share_derived:
        assert len(o["derived_from"]) == 2, o["obs_id"]
        share, total = (obs[i] for i in o["derived_from"])
        assert share["measure"] == "share_pct" and share["unit"] == "percent"
        assert share["country_iso3"] == o["country_iso3"] != "TOT"
        assert total["country_iso3"] == "TOT"
        assert (total["measure"], total["unit"]) == (o["measure"], o["unit"])
        for inp in (share, total):
            assert inp["method"] == "published" and inp["preferred"]
            assert (inp["indicator"], inp["period"], inp["period_type"]) == (
                o["indicator"],
                o["period"],
                o["period_type"],
            )
        assert doc[share["source_id"]] == doc[total["source_id"]], o["obs_id"]
        assert o["value"] == pytest.approx(share["value"] * total["value"] / 100, rel=1e-12)
        # an input chosen among differing sources makes the derived count uncertain too, and says so
        unsure = [inp for inp in (share, total) if inp["conflict"]]
        assert o["conflict"] is bool(unsure), o["obs_id"]
        assert ("chosen among" in describe(o["derivation"])) is bool(unsure), o["obs_id"]


def test_no_derivation_splits_a_longer_period():
    obs = _obs_by_id()
    for o in _derived_rows():
        inputs = [obs[i] for i in o["derived_from"]]
        if o["period_type"] == "quarter":  # never a quarter split out of a half, a year or a ytd span
            assert {i["period_type"] for i in inputs} <= {"quarter", "month"}, o["obs_id"]
        for inp in inputs:
            assert inp["period_start"] >= o["period_start"] and inp["period_end"] <= o["period_end"]
        if all(i["period_type"] == "month" for i in inputs):
            assert o["period_type"] == "quarter"
            assert [i["period"] for i in inputs] == months_of_quarter(o["period"])
            assert o["value"] == pytest.approx(sum(i["value"] for i in inputs), rel=1e-12)
        else:
            assert {i["period"] for i in inputs} == {o["period"]}


def test_border_arrivals_quarter_from_its_three_months():
    f = _figure("border_arrivals", "2022-Q3", "quarter", "RUS", "count", "persons")
    assert f.status == "derived"
    assert f.value == 485000 + 400000 + 400000
    assert describe(f.derivation) == (
        "sum of the three reported months: Jul 2022 485,000 + Aug 2022 400,000 + Sep 2022 400,000"
    )
    # stored as data, not as a sentence: the inputs themselves, words written for the reader
    assert record(f.derivation) == {
        "kind": "sum_of_months",
        "unit": "persons",
        "months": [["2022-07", 485000.0], ["2022-08", 400000.0], ["2022-09", 400000.0]],
        "unsure": [],
    }
    obs = _obs_by_id()
    assert [obs[i]["period"] for i in f.source_ids] == ["2022-07", "2022-08", "2022-09"]
    assert {obs[i]["method"] for i in f.source_ids} == {"published"}


def _o(obs_id, period, value, period_type="month", **kw):
    p = parse_period(period, period_type)
    base = {
        "obs_id": obs_id,
        "indicator": "border_arrivals",
        "period": period,
        "period_type": period_type,
        "period_start": p.start,
        "period_end": p.end,
        "country_iso3": "RUS",
        "country_source_name": "Russia",
        "measure": "count",
        "value": float(value),
        "unit": "persons",
        "source_id": obs_id,
        "method": "published",
        "derivation": None,
        "derived_from": None,
        "_document": "Doc A",
        "n_sources": 1,
        "conflict": False,
        "rank": 1,
        "preferred": True,
    }
    base.update(kw)
    return base


def test_derive_quarters_from_months_unit():
    months = [_o("m6", "2023-06", 30), _o("m4", "2023-04", 10), _o("m5", "2023-05", 20)]
    (q,) = derive_quarters_from_months(months)
    assert (q["period"], q["period_type"], q["value"], q["method"]) == ("2023-Q2", "quarter", 60.0, "derived")
    assert (q["period_start"], q["period_end"]) == (date(2023, 4, 1), date(2023, 6, 30))
    assert q["derived_from"] == ["m4", "m5", "m6"]  # in month order
    assert describe(q["derivation"]) == (
        "sum of the three reported months: Apr 2023 10 + May 2023 20 + Jun 2023 30"
    )
    assert q["country_source_name"] is None
    assert (q["country_iso3"], q["measure"], q["unit"]) == ("RUS", "count", "persons")


def test_derive_quarters_from_months_needs_all_three_and_no_published_quarter():
    two = [_o("m4", "2023-04", 10), _o("m5", "2023-05", 20)]
    assert derive_quarters_from_months(two) == []
    three = [*two, _o("m6", "2023-06", 30)]
    published_q = _o("q2", "2023-Q2", 61, period_type="quarter")
    assert derive_quarters_from_months([*three, published_q]) == []
    # months of different countries / units / quarters do not combine
    mixed = [*two, _o("m6", "2023-06", 30, country_iso3="UZB")]
    assert derive_quarters_from_months(mixed) == []
    across = [_o("m3", "2023-03", 5), *two]
    assert derive_quarters_from_months(across) == []
    shares = [_o(f"s{m}", f"2023-0{m}", 5, measure="share_pct", unit="percent") for m in (4, 5, 6)]
    assert derive_quarters_from_months(shares) == []
    other = [_o(f"o{m}", f"2023-0{m}", 5, country_iso3="OTH") for m in (4, 5, 6)]
    assert derive_quarters_from_months(other) == []


def test_derive_counts_from_shares_unit():
    total = _o("t", "2023-Q2", 1000, period_type="quarter", country_iso3="TOT")
    share = _o("s", "2023-Q2", 12.5, period_type="quarter", measure="share_pct", unit="percent")
    (d,) = derive_counts_from_shares([total, share])
    assert (d["value"], d["measure"], d["unit"], d["country_iso3"]) == (125.0, "count", "persons", "RUS")
    assert d["derived_from"] == ["s", "t"]
    assert describe(d["derivation"]).startswith("12.5% of 1,000 ")
    # a share and a total from different documents describe different bases: nothing derived
    other_doc = {**share, "_document": "Doc B"}
    assert derive_counts_from_shares([total, other_doc]) == []
    # a published level for the country: nothing derived
    level = _o("l", "2023-Q2", 130, period_type="quarter")
    assert derive_counts_from_shares([total, share, level]) == []
    # a total of another period does not apply
    total_q1 = _o("t1", "2023-Q1", 1000, period_type="quarter", country_iso3="TOT")
    assert derive_counts_from_shares([total_q1, share]) == []


def test_derived_count_from_an_input_chosen_among_conflicting_sources_is_a_conflict():
    total = _o("t", "2023-Q2", 1000, period_type="quarter", country_iso3="TOT")
    share = _o("s", "2023-Q2", 12.5, period_type="quarter", measure="share_pct", unit="percent")
    unsure_total = {**total, "conflict": True, "n_sources": 2, "rank": 1}
    unsure_share = {**share, "conflict": True, "n_sources": 3, "rank": 1}

    (d,) = derive_counts_from_shares([total, share])
    assert d["conflict"] is False
    assert "chosen among" not in describe(d["derivation"])

    (d,) = derive_counts_from_shares([unsure_total, share])
    assert (d["value"], d["conflict"], d["method"]) == (125.0, True, "derived")
    assert "the total was chosen among 2 differing sources" in describe(d["derivation"])
    assert "the share was chosen" not in describe(d["derivation"])

    (d,) = derive_counts_from_shares([total, unsure_share])
    assert d["conflict"] is True
    assert "the share was chosen among 3 differing sources" in describe(d["derivation"])
    assert "the total was chosen" not in describe(d["derivation"])

    (d,) = derive_counts_from_shares([unsure_total, unsure_share])
    assert d["conflict"] is True
    assert "the share was chosen among 3" in describe(d["derivation"])
    assert "the total was chosen among 2" in describe(d["derivation"])


# -- 9. validation -------------------------------------------------------------------------------------


def _corrupt(tmp_path, column: str, value: str, row: int = 1):
    """A small CSV (header + 3 real rows) with one field of data row ``row`` (0-based) replaced; the
    corrupted row is on line row + 2."""
    header = list(csv_header())
    rows = [list(r) for r in csv_raw_rows()[:3]]
    rows[row][header.index(column)] = value
    return write_csv(tmp_path / "observations.csv", header, rows)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("indicator", "trp_issued_typo"),
        ("unit", "people"),
        ("value", "1,234"),
        ("value", "inf"),
        ("country_iso3", "XXX"),
        ("measure", "ratio"),
        ("period", "2023-Q5"),
        ("document", "A document nobody described"),
        ("url", "https://example.org/elsewhere"),
        ("quote", "  "),
    ],
)
def test_bad_field_names_line_and_column(tmp_path, column, value):
    path = _corrupt(tmp_path, column, value)
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    problems = exc.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"line 3, column {column}: {value!r}"), problems[0]
    assert f"line 3, column {column}" in str(exc.value)


def test_every_bad_row_is_reported_at_once(tmp_path):
    header = list(csv_header())
    rows = [list(r) for r in csv_raw_rows()[:3]]
    rows[0][header.index("value")] = "n/a"
    rows[2][header.index("country_iso3")] = "XXX"
    path = write_csv(tmp_path / "observations.csv", header, rows)
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    where = [p.split(":")[0] for p in exc.value.problems]
    assert where == ["line 2, column value", "line 4, column country_iso3"]


def test_negative_level_is_rejected(tmp_path):
    path = _corrupt(tmp_path, "value", "-5")
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    assert exc.value.problems[0].startswith("line 3, column value: '-5'")


def test_missing_column_is_named(tmp_path):
    header = list(csv_header())
    drop = header.index("unit")
    rows = [[f for i, f in enumerate(r) if i != drop] for r in csv_raw_rows()[:3]]
    path = write_csv(tmp_path / "observations.csv", [h for h in header if h != "unit"], rows)
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    (problem,) = exc.value.problems
    assert problem.startswith("observations.csv: columns must be exactly")
    assert "missing ['unit']" in problem


@pytest.mark.parametrize(
    ("value", "measure"),
    [
        # The validator's own rule: "a number with a dot as decimal separator and no thousands separator".
        # Python's float() accepts "1_234" (PEP 515), "inf" and "nan", so each must be checked explicitly.
        ("1_234", None),
        ("1,234", None),
        ("12,5", None),
        ("1 234", None),
        ("inf", None),
        ("-inf", "change_pct_yoy"),  # a change may be negative, but not infinite
        ("Infinity", None),
        ("nan", None),
        ("NaN", "change_pct_yoy"),
        ("", None),
        ("1e999", None),
        ("１２", None),
    ],
)
def test_value_that_is_not_a_plain_finite_number_is_rejected(tmp_path, value, measure):
    header = list(csv_header())
    rows = [list(r) for r in csv_raw_rows()[:3]]
    if measure is not None:
        # a real row whose measure allows negatives, so that only the number rule can reject the value
        rows[1] = list(next(r for r in csv_raw_rows() if r[header.index("measure")] == measure))
    rows[1][header.index("value")] = value
    path = write_csv(tmp_path / "observations.csv", header, rows)
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    problems = exc.value.problems
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"line 3, column value: {value!r}"), problems[0]


@pytest.mark.parametrize("value", ["1234", "12.5", "0", "1e3", "2.5E-1"])
def test_plain_numbers_are_accepted(tmp_path, value):
    tables = build_tables(_corrupt(tmp_path, "value", value))
    assert float(value) in {o["value"] for o in tables["permits"].to_pylist() if o["method"] == "published"}


@pytest.mark.parametrize(
    ("change", "found"),
    [
        (lambda r: r[:-1], 11),  # the quote is missing
        (lambda r: r[:-3], 9),
        # e.g. an unquoted comma in the quote: the extra field must not be dropped silently
        (lambda r: [*r, "rest of the quote"], 13),
        (lambda r: [*r, "a", "b"], 14),
    ],
    ids=["one-too-few", "three-too-few", "one-too-many", "two-too-many"],
)
def test_row_with_a_wrong_number_of_fields_names_its_line(tmp_path, change, found):
    header = list(csv_header())
    assert len(header) == 12
    rows = [list(r) for r in csv_raw_rows()[:3]]
    rows[1] = change(rows[1])
    path = write_csv(tmp_path / "observations.csv", header, rows)
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    (problem,) = exc.value.problems
    assert problem.startswith("line 3:"), problem
    assert f"{found} fields, expected 12" in problem
    assert "line 3" in str(exc.value)


def test_bad_field_after_a_blank_line_names_its_physical_line(tmp_path):
    header = list(csv_header())
    rows = [list(r) for r in csv_raw_rows()[:3]]
    rows[1][header.index("unit")] = "people"
    path = write_csv(tmp_path / "observations.csv", header, rows)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join([*lines[:2], "\r\n", *lines[2:]]), encoding="utf-8")  # the bad row is now line 4
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    assert exc.value.problems[0].startswith("line 4, column unit: 'people'"), exc.value.problems


def test_small_valid_csv_builds(tmp_path):
    header = list(csv_header())
    path = write_csv(tmp_path / "observations.csv", header, [list(r) for r in csv_raw_rows()[:3]])
    tables = build_tables(path)
    assert tables["sources"].num_rows == 3
    permits = tables["permits"].to_pylist()
    assert {(o["country_iso3"], o["measure"], o["method"]) for o in permits} == {
        ("TOT", "count", "published"),
        ("UZB", "share_pct", "published"),
        ("RUS", "share_pct", "published"),
        ("UZB", "count", "derived"),
        ("RUS", "count", "derived"),
    }


# -- 9. atomic write -----------------------------------------------------------------------------------
# Layout: each table in <name>-<sha256[:16]>.parquet (never overwritten); manifest.json names the set and its
# atomic replacement is the only switch; files named by neither the new nor the previous manifest go after.


def _changed(tables, keep: float = 0.5):
    """A different set, and a different one for each ``keep`` (every table changes, so every table gets a
    new file): the observation tables keep that share of their rows; the releases table, as small as the
    number of releases (two releases cut by a half or a quarter both keep one), gets notes naming ``keep``."""
    out = {}
    for name, t in tables.items():
        if "note" in t.schema.names:
            notes = pa.array([f"kept {keep}"] * t.num_rows)
            out[name] = t.set_column(t.schema.get_field_index("note"), "note", notes)
        else:
            out[name] = t.slice(0, max(1, int(t.num_rows * keep)))
            assert out[name].num_rows < t.num_rows
    return out


def _parquet_files(directory) -> set[str]:
    return {p.name for p in directory.glob("*.parquet")}


def _temporaries(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def _parquet_bytes(table) -> bytes:
    """The bytes the build writes for a table (zstd), to name the file it must go to."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def _assert_holds(directory, tables) -> None:
    """The manifest in ``directory`` names exactly ``tables`` and DataStore.load serves their values."""
    for name, table in tables.items():
        assert pq.read_table(table_path(directory, name)).equals(table), name
    store = DataStore.load(directory)
    expected_obs = pl.concat([pl.from_arrow(tables[n]) for n in OBSERVATION_TABLES], how="vertical")
    assert store.observations.equals(expected_obs)
    assert store.sources.equals(pl.from_arrow(tables["sources"]))


def test_failed_switch_leaves_previous_set_intact_and_readable(tmp_path, monkeypatch):
    tables = fresh_tables()
    write_fresh(tmp_path)
    before = generation_digests(tmp_path)  # the manifest and every file it names
    before_all = file_digests(tmp_path)
    assert set(before_all) == set(before) == {MANIFEST} | manifest_files(tmp_path)
    assert len(before) == len(TABLE_NAMES) + 1

    changed = _changed(tables)
    real_replace = os.replace
    targets = []

    def replace_failing_at_the_switch(src, dst):
        targets.append(os.path.basename(dst))
        if os.path.basename(dst) == MANIFEST:
            raise OSError("disk full (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_failing_at_the_switch)
    with pytest.raises(OSError, match="simulated"):
        build.write_tables(changed, tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)

    # every new table was written aside under its own name, then the switch failed
    assert targets[-1] == MANIFEST
    assert sorted(targets[:-1]) == sorted(
        f"{n}-{hashlib.sha256(_parquet_bytes(t)).hexdigest()[:16]}.parquet" for n, t in changed.items()
    )
    assert generation_digests(tmp_path) == before  # byte for byte: manifest and every file it names
    after = file_digests(tmp_path)
    assert {name: after.get(name) for name in before_all} == before_all  # no old file replaced
    assert _temporaries(tmp_path) == []  # no temporaries left behind
    _assert_holds(tmp_path, tables)


class _FailingWrites:
    """A file object whose writes fail (a full disk), closing the real file on exit."""

    def __init__(self, fh):
        self._fh = fh

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._fh.close()
        return False

    def write(self, data):
        self._fh.write(data[: len(data) // 2])  # a half-written file
        raise OSError("disk full (simulated)")

    def __getattr__(self, name):
        return getattr(self._fh, name)


@pytest.mark.parametrize("failing_table", [1, 2, len(TABLE_NAMES)])
@pytest.mark.parametrize("how", ["file write", "parquet encoding"])
def test_failure_while_writing_a_table_leaves_previous_set_intact_and_readable(
    tmp_path, monkeypatch, how, failing_table
):
    tables = fresh_tables()
    write_fresh(tmp_path)
    before = generation_digests(tmp_path)
    before_all = file_digests(tmp_path)
    changed = _changed(tables)
    calls = []

    if how == "file write":
        real_fdopen = os.fdopen

        def fdopen(fd, mode="r", *args, **kwargs):
            fh = real_fdopen(fd, mode, *args, **kwargs)
            if "b" not in mode:  # the manifest
                return fh
            calls.append(fd)
            return _FailingWrites(fh) if len(calls) == failing_table else fh

        monkeypatch.setattr(os, "fdopen", fdopen)
    else:
        real_write_table = build.pq.write_table

        def write_table(table, where, *args, **kwargs):
            calls.append(table)
            if len(calls) == failing_table:
                raise OSError("disk full (simulated)")
            return real_write_table(table, where, *args, **kwargs)

        monkeypatch.setattr(build.pq, "write_table", write_table)
    with pytest.raises(OSError, match="simulated"):
        build.write_tables(changed, tmp_path)
    monkeypatch.undo()

    assert len(calls) == failing_table
    assert generation_digests(tmp_path) == before  # manifest and every file it names, byte for byte
    after = file_digests(tmp_path)
    assert {name: after.get(name) for name in before_all} == before_all
    assert _temporaries(tmp_path) == []  # the half-written temporary is gone
    # tables written before the failure are complete files, named by no manifest (a later write removes them)
    orphans = set(after) - set(before_all)
    assert len(orphans) == failing_table - 1
    assert not orphans & manifest_files(tmp_path)
    for orphan in orphans:
        assert pq.read_table(tmp_path / orphan).equals(changed[orphan.rsplit("-", 1)[0]]), orphan
    _assert_holds(tmp_path, tables)


def test_successful_write_switches_and_keeps_only_the_previous_generation(tmp_path, monkeypatch):
    tables = fresh_tables()
    gen_a, gen_b = _changed(tables, 0.5), _changed(tables, 0.25)
    write_fresh(tmp_path)
    files_0, digests_0 = manifest_files(tmp_path), generation_digests(tmp_path)

    # leftovers: the tables of a failed attempt, and a file of an older layout / generation
    real_replace = os.replace

    def replace_failing_at_the_switch(src, dst):
        if os.path.basename(dst) == MANIFEST:
            raise OSError("disk full (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace_failing_at_the_switch)
    with pytest.raises(OSError, match="simulated"):
        build.write_tables(_changed(tables, 0.75), tmp_path)
    monkeypatch.setattr(os, "replace", real_replace)
    (tmp_path / "flows-0123456789abcdef.parquet").write_bytes(b"an older generation")
    (tmp_path / "flows.parquet").write_bytes(b"the layout before content-named files")
    leftovers = _parquet_files(tmp_path) - files_0
    assert len(leftovers) == len(TABLE_NAMES) + 2

    build.write_tables(gen_a, tmp_path)
    files_a = manifest_files(tmp_path)
    assert not files_a & files_0  # every table changed, so every file is new
    _assert_manifest_describes_its_files(tmp_path)
    _assert_holds(tmp_path, gen_a)
    assert _parquet_files(tmp_path) == files_a | files_0  # leftovers removed, previous set kept
    assert {n: hashlib.sha256((tmp_path / n).read_bytes()).hexdigest() for n in files_0} == {
        n: d for n, d in digests_0.items() if n != MANIFEST
    }  # the previous set is untouched, for readers that were loading it
    assert _temporaries(tmp_path) == []

    build.write_tables(gen_b, tmp_path)
    files_b = manifest_files(tmp_path)
    assert not files_b & (files_a | files_0)
    _assert_holds(tmp_path, gen_b)
    assert _parquet_files(tmp_path) == files_b | files_a  # two generations back: removed
    assert _temporaries(tmp_path) == []


def test_rewriting_the_same_tables_overwrites_no_file(tmp_path, monkeypatch):
    write_fresh(tmp_path)
    before = file_digests(tmp_path)
    stats = {p.name: p.stat().st_ino for p in tmp_path.glob("*.parquet")}
    real_replace = os.replace
    targets = []

    def recording_replace(src, dst):
        targets.append(os.path.basename(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", recording_replace)
    write_fresh(tmp_path)
    assert targets == [MANIFEST]  # the only rename is the switch; table files are never overwritten
    assert file_digests(tmp_path) == before
    assert {p.name: p.stat().st_ino for p in tmp_path.glob("*.parquet")} == stats


def test_write_then_load_round_trip(tmp_path):
    store = DataStore.load(write_fresh(tmp_path))
    assert store.observations.height == committed_store().observations.height
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    _assert_holds(tmp_path, fresh_tables())


@pytest.mark.parametrize("name", ["flows", "sources"])
def test_load_names_a_missing_table(tmp_path, name):
    write_fresh(tmp_path)
    path = table_path(tmp_path, name)
    path.unlink()
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert path.name in str(exc.value)
    assert "mtm build" in str(exc.value)


def test_load_names_a_corrupted_table(tmp_path):
    write_fresh(tmp_path)
    path = table_path(tmp_path, "visas")
    path.write_bytes(b"\x00garbage, not parquet\xff" * 10)
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert path.name in str(exc.value)
    assert "mtm build" in str(exc.value)


def test_load_names_an_unreadable_table_even_if_the_manifest_matches(tmp_path):
    write_fresh(tmp_path)
    path = table_path(tmp_path, "labour")
    garbage = b"PAR1 not really parquet PAR1"
    path.write_bytes(garbage)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    manifest["tables"]["labour"]["sha256"] = hashlib.sha256(garbage).hexdigest()
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert path.name in str(exc.value)
    assert "cannot be read" in str(exc.value)
    assert "mtm build" in str(exc.value)


@pytest.mark.parametrize("name", ["labour", "sources"])
def test_load_names_a_table_the_manifest_does_not_name(tmp_path, name):
    write_fresh(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    del manifest["tables"][name]
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert repr(name) in str(exc.value)
    assert "mtm build" in str(exc.value)


@pytest.mark.parametrize(
    "content",
    [
        None,
        "{not json",
        '{"other": 1}',
        "[]",
        "null",
        '{"tables": []}',
        '{"tables": {"flows": "0123"}}',
        # the layout before content-named files: {"tables": {"<name>.parquet": sha}}
        json.dumps({"tables": {f"{n}.parquet": "0" * 64 for n in TABLE_NAMES}}),
    ],
)
def test_load_names_a_missing_or_corrupt_manifest(tmp_path, content):
    write_fresh(tmp_path)
    manifest = tmp_path / "manifest.json"
    if content is None:
        manifest.unlink()
    else:
        manifest.write_text(content)
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert "manifest.json" in str(exc.value)
    assert "mtm build" in str(exc.value)
