"""The build: every CSV row kept with its source, committed tables reproducible, the precedence rule, honest
derivations, validation that names line and column, and an atomic write."""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from datetime import date

import polars as pl
import pyarrow.parquet as pq
import pytest

import dashboard.build as build
from dashboard.build import BuildError, build_tables, derive_counts_from_shares, derive_quarters_from_months
from dashboard.data import DataStore, DataUnavailable
from dashboard.periods import months_of_quarter, parse_period
from dashboard.schema import FIGURE_KEY, OBSERVATION_SCHEMA, SOURCE_SCHEMA
from tests.fixtures_data import (
    KIND_ORDER,
    PARQUET_DIR,
    TABLE_NAMES,
    committed_store,
    csv_header,
    csv_raw_rows,
    csv_rows,
    documents_by_title,
    file_digests,
    fresh_tables,
    write_csv,
    write_fresh,
)

N_CSV_ROWS = 450


def _published_with_sources() -> pl.DataFrame:
    s = committed_store()
    pub = s.observations.filter(pl.col("method") == "published")
    return pub.join(s.sources, on="source_id", how="left", validate="1:1")


def _obs_by_id() -> dict[str, dict]:
    return {r["obs_id"]: r for r in committed_store().observations.iter_rows(named=True)}


# -- 2. round trip -------------------------------------------------------------------------------------


def test_counts_of_rows():
    s = committed_store()
    assert len(csv_rows()) == N_CSV_ROWS
    assert s.observations.filter(pl.col("method") == "published").height == N_CSV_ROWS
    assert s.sources.height == N_CSV_ROWS
    assert s.sources["source_id"].n_unique() == N_CSV_ROWS


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
    assert rows["csv_row"].to_list() == list(range(1, N_CSV_ROWS + 1))
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
    committed = pq.read_table(PARQUET_DIR / f"{name}.parquet")
    write_fresh(tmp_path)
    rebuilt = pq.read_table(tmp_path / f"{name}.parquet")
    assert committed.schema.equals(SOURCE_SCHEMA if name == "sources" else OBSERVATION_SCHEMA)
    assert rebuilt.equals(committed), f"{name}.parquet is stale: run `mtm build`"
    assert fresh_tables()[name].equals(committed)


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
    share_derived = [o for o in _derived_rows() if not o["derivation"].startswith("sum of the three")]
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
    assert f.derivation == (
        "sum of the three reported months: Jul 2022 485,000 + Aug 2022 400,000 + Sep 2022 400,000"
    )
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
    assert q["derivation"] == "sum of the three reported months: Apr 2023 10 + May 2023 20 + Jun 2023 30"
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
    assert d["derivation"].startswith("12.5% of 1,000 ")
    # a share and a total from different documents describe different bases: nothing derived
    other_doc = {**share, "_document": "Doc B"}
    assert derive_counts_from_shares([total, other_doc]) == []
    # a published level for the country: nothing derived
    level = _o("l", "2023-Q2", 130, period_type="quarter")
    assert derive_counts_from_shares([total, share, level]) == []
    # a total of another period does not apply
    total_q1 = _o("t1", "2023-Q1", 1000, period_type="quarter", country_iso3="TOT")
    assert derive_counts_from_shares([total_q1, share]) == []


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


def test_value_with_thousands_underscore_is_rejected(tmp_path):
    # The validator's own rule: "a number with a dot as decimal separator and no thousands separator".
    # Python's float() accepts "1_234" (PEP 515), so this must be checked explicitly.
    path = _corrupt(tmp_path, "value", "1_234")
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    assert exc.value.problems[0].startswith("line 3, column value: '1_234'")


def test_row_with_too_few_fields_is_a_build_error(tmp_path):
    header = list(csv_header())
    rows = [list(r) for r in csv_raw_rows()[:3]]
    rows[1] = rows[1][:-1]  # the quote is missing
    path = write_csv(tmp_path / "observations.csv", header, rows)
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    assert any(p.startswith("line 3") for p in exc.value.problems), exc.value.problems


def test_row_with_too_many_fields_is_a_build_error(tmp_path):
    # e.g. an unquoted comma in the quote: the extra field must not be dropped silently
    header = list(csv_header())
    rows = [list(r) for r in csv_raw_rows()[:3]]
    rows[1] = [*rows[1], "rest of the quote"]
    path = write_csv(tmp_path / "observations.csv", header, rows)
    with pytest.raises(BuildError) as exc:
        build_tables(path)
    assert any(p.startswith("line 3") for p in exc.value.problems), exc.value.problems


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


def test_failed_write_leaves_previous_data_intact_and_readable(tmp_path, monkeypatch):
    tables = fresh_tables()
    write_fresh(tmp_path)
    before = file_digests(tmp_path)
    assert set(before) == {f"{n}.parquet" for n in TABLE_NAMES} | {"manifest.json"}

    # a different set, so that a replaced file would show
    changed = {name: t.slice(0, max(1, t.num_rows // 2)) for name, t in tables.items()}
    real_replace = os.replace
    calls = []

    def failing_replace(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return real_replace(src, dst)

    monkeypatch.setattr(build.os, "replace", failing_replace)
    with pytest.raises(OSError, match="simulated"):
        build.write_tables(changed, tmp_path)
    monkeypatch.setattr(build.os, "replace", real_replace)

    assert len(calls) == 2
    after = file_digests(tmp_path)
    assert {name: after.get(name) for name in before} == before  # byte for byte
    assert [n for n in after if n.endswith(".tmp")] == []  # no temporaries left behind
    store = DataStore.load(tmp_path)
    assert store.observations.height == committed_store().observations.height


def test_write_then_load_round_trip(tmp_path):
    store = DataStore.load(write_fresh(tmp_path))
    assert store.observations.height == committed_store().observations.height
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("name", ["flows", "sources"])
def test_load_names_a_missing_table(tmp_path, name):
    write_fresh(tmp_path)
    (tmp_path / f"{name}.parquet").unlink()
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert f"{name}.parquet" in str(exc.value)
    assert "mtm build" in str(exc.value)


def test_load_names_a_corrupted_table(tmp_path):
    write_fresh(tmp_path)
    (tmp_path / "visas.parquet").write_bytes(b"\x00garbage, not parquet\xff" * 10)
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert "visas.parquet" in str(exc.value)
    assert "mtm build" in str(exc.value)


def test_load_names_an_unreadable_table_even_if_the_manifest_matches(tmp_path):
    import hashlib
    import json

    write_fresh(tmp_path)
    garbage = b"PAR1 not really parquet PAR1"
    (tmp_path / "labour.parquet").write_bytes(garbage)
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    manifest["tables"]["labour.parquet"] = hashlib.sha256(garbage).hexdigest()
    (tmp_path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(DataUnavailable) as exc:
        DataStore.load(tmp_path)
    assert "labour.parquet" in str(exc.value)
    assert "mtm build" in str(exc.value)


@pytest.mark.parametrize("content", [None, "{not json", '{"other": 1}'])
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
