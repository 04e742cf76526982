"""``plan_import``: read an import file and check it against the catalogue and the existing data; the plan
says what the import would add. Nothing is written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from dashboard.catalogue import Catalogue, catalogue
from dashboard.pipeline.build import BuildError, Document, load_documents, read_source_csv
from dashboard.pipeline.documents import NewDocument, check_documents
from dashboard.pipeline.hints import country_names
from dashboard.pipeline.paths import DEFAULT_PATHS, DataPaths
from dashboard.pipeline.problems import ImportRejected, Problem
from dashboard.pipeline.reading import Progress, read_import
from dashboard.pipeline.validation import (
    add_unreported,
    check_rows,
    near_duplicates,
    share_sums,
    split_known,
)


@dataclass
class Plan:
    """A validated import: what it would add, what is already there, and what it warns about."""

    file: Path
    sha256: str
    rows_in_file: int
    added: list[dict[str, str]]  # rows to append, in file order (with LINE = the file's row)
    unchanged: list[int]  # file rows already in observations.csv
    new_documents: list[NewDocument]
    warnings: list[Problem]
    existing_rows: int


@dataclass(frozen=True)
class _Existing:
    """The data the import adds to: observations.csv, documents.yaml, and country name -> ISO3 as used."""

    rows: list[dict[str, str]]
    documents: dict[str, Document]
    known: dict[str, str]


def plan_import(
    path: Path | str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    documents: Path | str | None = None,
    today: date | None = None,
    cat: Catalogue | None = None,
    progress: Progress | None = None,
    every: int = 1000,
) -> Plan:
    """Read and validate an import file against the catalogue and the existing data; raise ImportRejected
    listing every problem. Nothing is written."""
    path = Path(path)
    today = today or date.today()
    cat = cat or catalogue()
    name = path.name
    if not path.is_file():
        raise ImportRejected(
            name, [Problem(None, None, f"no file {str(path)!r}", "an existing .csv or .xlsx file")]
        )
    sha = hashlib.sha256(path.read_bytes()).hexdigest()

    read = read_import(path, documents, progress, every)  # raises when there is nothing to check
    problems = read.problems
    existing = _read_existing(paths, name)
    new_docs, doc_problems, warnings = check_documents(
        read.doc_rows, existing.documents, read.doc_where, today
    )
    problems += doc_problems
    all_docs = {**existing.documents, **{t: nd.doc for t, nd in new_docs.items()}}

    # the rows: a cell already reported (an Excel date...) is not reported twice
    reported = {(p.where, p.row, p.column) for p in problems}
    found, row_warnings = check_rows(read.rows, all_docs, cat, existing.known, today, progress, every)
    warnings += row_warnings
    add_unreported(problems, found, reported)

    added, unchanged, duplicates = split_known(read.rows, existing.rows)
    problems += duplicates
    problems += share_sums(existing.rows, added, read.rows, reported)
    warnings += near_duplicates(existing.rows, added)
    used = {r["document"] for r in added}
    warnings += _unused_documents(new_docs, used, read.doc_where)
    if problems:
        raise ImportRejected(name, problems, warnings)
    return Plan(
        file=path,
        sha256=sha,
        rows_in_file=len(read.rows),
        added=added,
        unchanged=unchanged,
        new_documents=[nd for t, nd in new_docs.items() if t in used],
        warnings=sorted(warnings, key=Problem.sort_key),
        existing_rows=len(existing.rows),
    )


def _read_existing(paths: DataPaths, name: str) -> _Existing:
    try:
        rows = read_source_csv(paths.csv)
    except BuildError as exc:
        raise ImportRejected(
            name, [Problem(None, None, p, "a valid observations.csv (run `mtm build`)") for p in exc.problems]
        ) from None
    return _Existing(rows, load_documents(paths.documents), country_names(rows))


def _unused_documents(new_docs: dict[str, NewDocument], used: set[str], where: str) -> list[Problem]:
    """Warnings: documents described by the import that no added row cites (they are not added)."""
    return [
        Problem(nd.row, "document", repr(title), "a document cited by a new row; not added", where)
        for title, nd in new_docs.items()
        if title not in used
    ]
