"""The whole data set as a Frictionless Data Package: valid, complete, traced, per release, with an ETag."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import frictionless
import polars as pl
import pytest
from flask import Flask

from dashboard import cli, datapackage
from tests.fixtures_data import PARQUET_DIR, committed_store, csv_rows


@pytest.fixture(scope="module")
def store():
    return committed_store()


@pytest.fixture(scope="module")
def package(store, tmp_path_factory) -> Path:
    """The latest release's zip, unpacked."""
    out = tmp_path_factory.mktemp("package")
    with zipfile.ZipFile(io.BytesIO(datapackage.build_zip(store))) as zf:
        zf.extractall(out)
    return out


def read_csv(package: Path, name: str) -> list[dict[str, str]]:
    with open(package / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_frictionless_finds_no_error_in_the_descriptor_or_any_resource(package):
    report = frictionless.validate(package / "datapackage.json")
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:10]
    names = {t.name for t in report.tasks}
    descriptor = json.loads((package / "datapackage.json").read_text())
    assert names == {r["name"] for r in descriptor["resources"]}
    assert all(t.valid and not t.errors for t in report.tasks)
    # every resource's file is in the zip, and the extra files the README promises
    for r in descriptor["resources"]:
        assert (package / r["path"]).is_file()
    for extra in ("README.md", "LICENSE", "CITATION.txt"):
        assert (package / extra).read_text().strip()


def test_schemas_state_types_descriptions_missing_values_and_keys(package):
    descriptor = json.loads((package / "datapackage.json").read_text())
    by_name = {r["name"]: r for r in descriptor["resources"]}
    figures = by_name["figures"]["schema"]
    assert figures["primaryKey"] == ["obs_id"]
    assert figures["missingValues"] == [""]
    assert all(f["description"] and f["type"] for f in figures["fields"])
    types = {f["name"]: f["type"] for f in figures["fields"]}
    assert types["value"] == "number" and types["period_start"] == "date" and types["conflict"] == "boolean"
    refs = {fk["reference"]["resource"] for fk in figures["foreignKeys"]}
    assert refs == {"indicators", "units", "sources", "documents"}
    assert by_name["sources"]["schema"]["primaryKey"] == ["source_id"]
    # the figures' columns start with the explorer's CSV download columns (after the row id)
    assert [f["name"] for f in figures["fields"]][1 : len(datapackage.DOWNLOAD_COLUMNS) + 1] == list(
        datapackage.DOWNLOAD_COLUMNS
    )


def test_row_counts_equal_the_stores(package, store):
    descriptor = json.loads((package / "datapackage.json").read_text())
    stated = {r["name"]: r.get("rows") for r in descriptor["resources"]}
    expected = {
        "figures": store.observations.height,
        "sources": store.sources.height,
        "documents": store.sources["document_id"].n_unique(),
        "indicators": len(datapackage.english_catalogue().indicators),
        "releases": store.release_table.height,
        "changes": store.change_table.height,
    }
    for name, n in expected.items():
        assert len(read_csv(package, name)) == n == stated[name], name
    parquet = pl.read_parquet(package / "figures.parquet")
    assert parquet.height == store.observations.height == stated["figures-parquet"]
    assert parquet.columns == list(datapackage.FIGURE_COLUMNS)
    assert parquet["preferred"].sum() == store.preferred.height


def _csv_row(indicator: str, period: str, country: str, measure: str) -> tuple[str, dict[str, str]]:
    """The obs id and the row of observations.csv printing this figure (the first such row)."""
    for n, r in enumerate(csv_rows(), start=1):
        key = (r["indicator"], r["period"], r["country_iso3"], r["measure"])
        if key == (indicator, period, country, measure):
            return f"obs-{n:05d}", r
    raise AssertionError(f"no row for {indicator} {period} {country} {measure} in observations.csv")


def test_a_published_figure_is_there_with_its_document_and_quote(package):
    obs_id, src = _csv_row("trp_issued", "2023-Q2", "TOT", "count")
    rows = {r["obs_id"]: r for r in read_csv(package, "figures")}
    got = rows[obs_id]
    assert float(got["value"]) == float(src["value"])
    assert got["status"] == "published"
    assert got["source_quote"] == src["quote"]
    assert got["source_document"] == src["document"]
    assert got["source_id"] == obs_id and got["period_start"] == "2023-04-01"
    source = {r["source_id"]: r for r in read_csv(package, "sources")}[obs_id]
    assert source["quote"] == src["quote"]


def test_a_derived_figure_says_how_and_from_which_rows(package):
    # Uzbekistan's count = its printed share x the total printed by the same document
    total_id, total = _csv_row("trp_issued", "2023-Q2", "TOT", "count")
    share_id, share = _csv_row("trp_issued", "2023-Q2", "UZB", "share_pct")
    derived = [
        r
        for r in read_csv(package, "figures")
        if r["indicator"] == "trp_issued"
        and r["period"] == "2023-Q2"
        and r["country_iso3"] == "UZB"
        and r["measure"] == "count"
    ]
    assert len(derived) == 1
    row = derived[0]
    assert row["status"] == "derived"
    assert float(row["value"]) == pytest.approx(float(share["value"]) / 100 * float(total["value"]))
    assert row["derived_from"].split() == [share_id, total_id]
    assert json.loads(row["derivation_data"])["kind"] == "share_of_total"
    assert share["value"] in row["derivation"] and share["quote"] in row["source_quote"]


def test_an_earlier_release_is_packaged_as_it_was(store, tmp_path):
    first = store.at_release(1)
    with zipfile.ZipFile(io.BytesIO(datapackage.build_zip(first))) as zf:
        zf.extractall(tmp_path)
        descriptor = json.loads(zf.read("datapackage.json"))
    assert descriptor["release"] == 1
    assert len(read_csv(tmp_path, "figures")) == first.observations.height < store.observations.height
    assert len(read_csv(tmp_path, "releases")) == 1
    assert frictionless.validate(tmp_path / "datapackage.json").valid
    with pytest.raises(datapackage.PackageError, match="release"):
        datapackage.store_at(store, str(store.latest_release + 1))
    with pytest.raises(datapackage.PackageError, match="release"):
        datapackage.store_at(store, "latest")


def test_the_zip_is_the_same_bytes_for_the_same_version_and_is_remembered(store):
    assert datapackage.build_zip(store) == datapackage.build_zip(store)
    assert datapackage.cached_zip(store) is datapackage.cached_zip(store)
    assert datapackage.etag(store) != datapackage.etag(store.at_release(1))


@pytest.fixture(scope="module")
def client():
    server = Flask(__name__)
    datapackage.register(server, PARQUET_DIR)
    return server.test_client()


def test_the_route_serves_the_zip_with_an_etag_and_answers_304(client, store):
    r = client.get(datapackage.ROUTE)
    assert r.status_code == 200 and r.mimetype == "application/zip"
    assert r.headers["ETag"] == datapackage.etag(store)
    assert "attachment" in r.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(r.data)) as zf:
        assert "datapackage.json" in zf.namelist()
    again = client.get(datapackage.ROUTE, headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    assert again.headers["ETag"] == r.headers["ETag"]
    old = client.get(f"{datapackage.ROUTE}?release=1", headers={"If-None-Match": r.headers["ETag"]})
    assert old.status_code == 200 and old.headers["ETag"] != r.headers["ETag"]
    with zipfile.ZipFile(io.BytesIO(old.data)) as zf:
        assert json.loads(zf.read("datapackage.json"))["release"] == 1


@pytest.mark.parametrize(
    ("query", "parameter"),
    [("release=0", "release"), ("release=x", "release"), ("release=99999", "release"), ("lang=ru", "lang")],
)
def test_bad_input_is_a_400_naming_the_parameter(client, query, parameter):
    r = client.get(f"{datapackage.ROUTE}?{query}")
    assert r.status_code == 400
    assert r.json["parameter"] == parameter and r.json["error"]


def test_the_app_serves_the_package():
    from dashboard.app_factory import create_app  # noqa: PLC0415  (a whole app: only this test needs one)

    client = create_app().server.test_client()
    r = client.get(datapackage.ROUTE, headers={"If-None-Match": datapackage.etag(committed_store())})
    assert r.status_code == 304


def test_mtm_package_writes_the_same_files(store, tmp_path, capsys):
    data = ["--data", str(PARQUET_DIR.parent)]
    assert cli.main(["package", "--out", str(tmp_path / "pkg"), *data]) == 0
    with zipfile.ZipFile(io.BytesIO(datapackage.build_zip(store))) as zf:
        for name in zf.namelist():
            assert (tmp_path / "pkg" / name).read_bytes() == zf.read(name), name
    assert cli.main(["package", "--out", str(tmp_path / "z"), "--zip", *data]) == 0
    (zipped,) = (tmp_path / "z").iterdir()
    assert zipped.read_bytes() == datapackage.build_zip(store)
    assert cli.main(["package", "--out", str(tmp_path / "x"), "--release", "0"]) == 2
    assert "does not exist" in capsys.readouterr().err
