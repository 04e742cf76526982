"""Shared helpers for the data tests (plain functions, not pytest fixtures, so nothing clashes with conftest).

Everything here reads the shipped files independently of the code under test where it matters: the source
CSV through the csv module and documents.yaml through PyYAML.
"""

from __future__ import annotations

import atexit
import csv
import hashlib
import json
import shutil
import tempfile
from functools import cache
from pathlib import Path

import pyarrow as pa
import yaml

from dashboard.data import DataStore
from dashboard.pipeline.build import build_tables, write_tables
from dashboard.pipeline.paths import DataPaths
from dashboard.pipeline.rebuild import rebuild
from dashboard.releases import read_releases

ROOT = Path(__file__).resolve().parent.parent
PARQUET_DIR = ROOT / "data" / "parquet"
SOURCE_CSV = ROOT / "data" / "sources" / "observations.csv"
DOCUMENTS_YAML = ROOT / "data" / "sources" / "documents.yaml"
MANIFEST = "manifest.json"
TABLE_NAMES = ("flows", "permits", "visas", "labour", "remittances", "sources", "releases", "changes")
OBSERVATION_TABLES = TABLE_NAMES[:5]

# Precedence of source kinds, restated here from the brief (not imported from the code under test).
KIND_ORDER = {"iom_report": 0, "agency_release": 1, "news": 2}


@cache
def committed_store() -> DataStore:
    """The store loaded from the committed data/parquet (loaded once per test session)."""
    return DataStore.load(PARQUET_DIR)


@cache
def fresh_tables() -> dict[str, pa.Table]:
    """A fresh build from the shipped CSV (in memory; pyarrow tables are immutable, so sharing is safe)."""
    return build_tables()


def write_fresh(directory: Path) -> Path:
    """Write a fresh build into ``directory`` and return it."""
    write_tables(fresh_tables(), directory)
    return directory


def fresh_store(directory: Path) -> DataStore:
    return DataStore.load(write_fresh(directory))


@cache
def csv_header() -> tuple[str, ...]:
    with open(SOURCE_CSV, encoding="utf-8-sig", newline="") as fh:
        return tuple(next(csv.reader(fh)))


@cache
def csv_rows() -> tuple[dict[str, str], ...]:
    """The source CSV rows as dicts, in file order (row n is data row n, line n + 1)."""
    with open(SOURCE_CSV, encoding="utf-8-sig", newline="") as fh:
        return tuple(csv.DictReader(fh))


@cache
def csv_raw_rows() -> tuple[tuple[str, ...], ...]:
    """The data rows as lists of fields (no header)."""
    with open(SOURCE_CSV, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return tuple(tuple(r) for r in rows[1:])


@cache
def documents_by_title() -> dict[str, dict]:
    with open(DOCUMENTS_YAML, encoding="utf-8") as fh:
        return {d["document"]: d for d in yaml.safe_load(fh)["documents"]}


def write_csv(path: Path, header: list[str] | tuple[str, ...], rows: list[list[str]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def file_digests(directory: Path) -> dict[str, str]:
    """sha256 of every file in a directory (hidden temporaries included), by name."""
    files = sorted(p for p in directory.iterdir() if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


# -- the Parquet layout: data/parquet/<name>-<sha256[:16]>.parquet, named by manifest.json -----------------
# manifest.json = {"tables": {"<name>": {"file": "<file name>", "sha256": "<full hex>", "rows": N}}}
# Read here with the json module, independently of dashboard.data.


def manifest_entries(directory: Path) -> dict[str, dict]:
    """The manifest's entry of every table, by table name."""
    return json.loads((directory / MANIFEST).read_text(encoding="utf-8"))["tables"]


def table_path(directory: Path, name: str) -> Path:
    """The file that the manifest in ``directory`` names for table ``name``."""
    return directory / manifest_entries(directory)[name]["file"]


def manifest_files(directory: Path) -> set[str]:
    """The names of the files the manifest in ``directory`` names (one per table)."""
    return {e["file"] for e in manifest_entries(directory).values()}


def generation_digests(directory: Path) -> dict[str, str]:
    """sha256 of the manifest and of every file it names, by file name: the set a reader sees."""
    names = [MANIFEST, *sorted(manifest_files(directory))]
    return {n: hashlib.sha256((directory / n).read_bytes()).hexdigest() for n in names}


# -- a known starting point: the data set as it was at release 1 ------------------------------------------
# Tests that import, revise or withdraw start from release 1, whatever later releases brought: its rows are
# the first lines of observations.csv (an import only appends) and its record the first of releases.jsonl
# (a hash chain), so this copy never changes as the shipped data grows.


def _documents_before(text: str, later_ids: set[str]) -> str:
    """documents.yaml without the entries (each with the comment lines just above it) that later releases
    appended as text; everything else byte for byte."""
    lines = text.splitlines(keepends=True)
    starts = []
    for i, line in enumerate(lines):
        if line.startswith("  - id:"):
            while i > 0 and lines[i - 1].startswith("  #"):
                i -= 1
            starts.append(i)
    blocks = [lines[a:b] for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]
    kept = [b for b in blocks if yaml.safe_load("".join(b))[0]["id"] not in later_ids]
    return "".join(lines[: starts[0]] + [line for b in kept for line in b])


@cache
def _release_1_template() -> Path:

    shipped = ROOT / "data" / "sources"
    first, *later = read_releases(shipped / "releases.jsonl")
    root = Path(tempfile.mkdtemp(prefix="mtm-release-1-"))
    atexit.register(shutil.rmtree, root, True)
    sources = root / "sources"
    shutil.copytree(shipped, sources, ignore=shutil.ignore_patterns("revisions.csv"))
    header_and_rows = SOURCE_CSV.read_bytes().split(b"\n")[: first["rows"][1] + 1]
    (sources / "observations.csv").write_bytes(b"\n".join(header_and_rows) + b"\n")
    assert (
        hashlib.sha256((sources / "observations.csv").read_bytes()).hexdigest()
        == (first["observations_sha256"])
    ), "the first rows of observations.csv are not the file release 1 recorded"
    lines = (shipped / "releases.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    (sources / "releases.jsonl").write_text(lines[0], encoding="utf-8")
    later_ids = {d for r in later for d in r["new_documents"]}
    text = DOCUMENTS_YAML.read_text(encoding="utf-8")
    (sources / "documents.yaml").write_text(_documents_before(text, later_ids), encoding="utf-8")
    rebuild(sources / "observations.csv", root / "parquet", sources / "documents.yaml")
    return root


def release_1_data(root: Path):
    """A copy of data/ as it was at release 1 under ``root``: sources and built tables, no import history."""

    template = _release_1_template()
    shutil.copytree(template / "sources", root / "sources")
    shutil.copytree(template / "parquet", root / "parquet")
    return DataPaths.under(root)
