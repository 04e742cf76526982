"""Import new figures into the shipped source data (``mtm import``, ``mtm validate``, ``mtm history``).

This module is the public face of the import; the steps live beside it: ``reading`` (CSV/XLSX), ``validation``
and ``hints`` (row checks and suggestions), ``documents`` (new documents), ``plan`` (``plan_import``),
``conflicts``, ``commit`` (staging, the atomic switch, the lock), ``report`` (text and history record) and
``templates``. The history is read by ``dashboard.history`` (the web app reads it too).

The source of truth stays ``data/sources/observations.csv`` (+ ``documents.yaml``); an import appends rows to
it and rebuilds the Parquet tables with ``build.build_tables`` and ``build.write_tables``.

* **Input**: a CSV (UTF-8 with or without a byte-order mark, ``\\r\\n`` or ``\\n``; comma, semicolon or
  tab separated; UTF-16 "Unicode text" from Excel too) or an XLSX workbook (sheet ``observations``, else the
  first sheet) with exactly the columns of the source CSV, in any order. Excel cells typed as dates are
  converted where the reading is certain (a ``month`` period stored as the 1st of that month, a ``date``
  period, a document's publication date) and rejected with the reason otherwise.
* **New documents**: a row may cite a document that ``documents.yaml`` does not describe only if the import
  describes it: the XLSX sheet ``documents`` or, for a CSV, ``--documents FILE`` (columns ``DOC_COLUMNS``).
  Its kind and publication date decide the precedence rule, so they are never guessed. An import never
  changes the description of a document that is already there.
* **Validation** reports every problem at once, each as ``row N, column C: <found> — expected <what>`` (row =
  the file's line for a CSV, the sheet's row for an XLSX; the header is row 1). The row checks of the build
  (``build.validate_rows``) are reused and enriched with suggestions; the import adds its own: empty country
  name or agency, periods that have not begun, shares over 100% (alone, or summed with the other shares of
  the same indicator, period and document, existing rows included, with a tolerance of half a unit in the last
  printed decimal of each share), exact duplicates within the file, the documents' descriptions.
* **Idempotent**: a row equal in every column to a row of ``observations.csv`` (the value compared as a
  number) is *unchanged* and not added again; importing the same file twice adds nothing the second time.
* **All or nothing**: the new CSV (and ``documents.yaml`` when documents are added) is written aside and the
  tables are built from it in memory first; only then are the files switched, each by an atomic rename:
  ``documents.yaml`` (only adds documents, harmless alone), ``observations.csv`` (the commit point: the
  source of truth), ``history.jsonl``, and last the tables (``write_tables`` switches ``manifest.json``
  atomically). Any exception on the way restores every file already switched, byte for byte. After a hard
  kill between the CSV and the tables, the tables are still a consistent older set; the next ``mtm import``
  (of any file) or ``mtm build`` brings them up to date (``tables_in_sync``). Imports are serialised by a
  lock on ``data/sources``.
* **History**: every import that passed validation appends a JSON line to ``data/history.jsonl`` (when, file
  name and sha256, rows added / unchanged, figures in conflict and those whose shown value was replaced, new
  documents, rows added per indicator).
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow as pa

from dashboard.catalogue import Catalogue
from dashboard.history import read_history
from dashboard.pipeline.build import LINE, build_tables
from dashboard.pipeline.columns import (
    DOC_COLUMNS,
    DOC_REQUIRED,
    DOCUMENTS_SHEET,
    OBSERVATIONS_SHEET,
    PUBLISHED_BASIS,
)
from dashboard.pipeline.commit import (
    ReleaseFiles,
    history_bytes,
    locked,
    stage,
    stage_release,
    switch,
    tables_in_sync,
)
from dashboard.pipeline.conflicts import Conflict, classify
from dashboard.pipeline.documents import NewDocument
from dashboard.pipeline.hints import country_hint, number_hint, period_hint
from dashboard.pipeline.paths import DEFAULT_DATA_DIR, DEFAULT_PATHS, DataPaths
from dashboard.pipeline.plan import Plan, plan_import, plan_withdrawal
from dashboard.pipeline.problems import ImportBusy, ImportRejected, Problem
from dashboard.pipeline.reading import Progress
from dashboard.pipeline.report import (
    ImportReport,
    format_history,
    format_report,
    history_record,
    make_report,
)
from dashboard.pipeline.templates import TEMPLATES_DIR, write_templates

__all__ = [
    "DEFAULT_DATA_DIR",
    "DEFAULT_PATHS",
    "DOCUMENTS_SHEET",
    "DOC_COLUMNS",
    "DOC_REQUIRED",
    "OBSERVATIONS_SHEET",
    "PUBLISHED_BASIS",
    "TEMPLATES_DIR",
    "Conflict",
    "DataPaths",
    "ImportBusy",
    "ImportRejected",
    "ImportReport",
    "NewDocument",
    "Plan",
    "Problem",
    "Progress",
    "country_hint",
    "format_history",
    "format_report",
    "import_file",
    "number_hint",
    "period_hint",
    "plan_import",
    "read_history",
    "tables_in_sync",
    "validate_file",
    "withdraw",
    "write_templates",
]


def _row_map(plan: Plan) -> dict[int, int]:
    """observations.csv row (after the import) -> the import file's row, for the added rows."""
    return {plan.existing_rows + k: int(r[LINE]) for k, r in enumerate(plan.added, start=1)}


def validate_file(
    path: Path | str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    documents: Path | str | None = None,
    today: date | None = None,
    cat: Catalogue | None = None,
    progress: Progress | None = None,
    every: int = 1000,
    revise: bool = False,
) -> ImportReport:
    """Check a file as ``import_file`` would, and say what it would change; nothing is written under the
    data directory (the trial build goes to a temporary directory). Raises ImportRejected."""
    plan = plan_import(
        path, paths, documents=documents, today=today, cat=cat, progress=progress, every=every, revise=revise
    )
    conflicts: list[Conflict] = []
    corroborated = 0
    if plan.added:
        with tempfile.TemporaryDirectory(prefix="mtm-validate-") as tmp:
            csv_tmp, docs_tmp = stage(plan, paths, Path(tmp), today or date.today())
            if progress:
                progress("building", 0, 1)
            release = stage_release(
                plan, paths, csv_tmp.read_bytes(), now=datetime.now(UTC), by=None, note=""
            )
            tables = build_tables(csv_tmp, docs_tmp or paths.documents, cat, log=release.log)
            conflicts, corroborated = classify(tables, plan.existing_rows, _row_map(plan))
    report = make_report(plan, conflicts, corroborated, read_history(paths.history))
    if not plan.changes and not tables_in_sync(paths):
        report.warnings.append(
            Problem(
                None,
                None,
                "tables that are not a build of observations.csv (an interrupted import or a hand edit)",
                "tables in step with the CSV: `mtm import` or `mtm build` rebuilds them",
            )
        )
    return report


def import_file(
    path: Path | str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    documents: Path | str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    cat: Catalogue | None = None,
    progress: Progress | None = None,
    every: int = 1000,
    revise: bool = False,
    by: str | None = None,
    note: str = "",
) -> ImportReport:
    """Validate a file and, when it is all right, append its new rows to observations.csv (and its new
    documents to documents.yaml), record the release (releases.jsonl, revisions.csv) and the import
    (history.jsonl) and rewrite the tables. ``revise``: rows that restate a published figure with another
    value (and give a reason) revise it. ``by``: who imports (default: the OS user); ``note``: one line.
    All or nothing: raises ImportRejected (nothing written) or re-raises any failure after restoring every
    file."""
    now = now or datetime.now(UTC)
    today = today or now.date()
    with locked(paths):
        plan = plan_import(
            path,
            paths,
            documents=documents,
            today=today,
            cat=cat,
            progress=progress,
            every=every,
            revise=revise,
        )
        return _commit(plan, paths, today=today, now=now, cat=cat, progress=progress, by=by, note=note)


def withdraw(
    rows: list[int],
    reason: str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    by: str | None = None,
    note: str = "",
    now: datetime | None = None,
    cat: Catalogue | None = None,
) -> ImportReport:
    """Withdraw published figures by their observations.csv data rows (``obs-00012`` is row 12), with a
    reason: a release of its own. Raises ImportRejected (nothing written) for a row that is not a figure
    published now, or an empty reason."""
    now = now or datetime.now(UTC)
    with locked(paths):
        plan = plan_withdrawal(rows, reason, paths)
        return _commit(plan, paths, today=now.date(), now=now, cat=cat, by=by, note=note, kind="withdraw")


def _commit(
    plan: Plan,
    paths: DataPaths,
    *,
    today: date,
    now: datetime,
    cat: Catalogue | None,
    by: str | None,
    note: str,
    progress: Progress | None = None,
    kind: str = "import",
) -> ImportReport:
    """Write a validated plan, all or nothing (the caller holds the lock)."""
    history = read_history(paths.history)
    csv_tmp = docs_tmp = None
    release = None
    try:
        if plan.changes:
            csv_tmp, docs_tmp = stage(plan, paths, paths.csv.parent, today)
            release = stage_release(plan, paths, csv_tmp.read_bytes(), now=now, by=by, note=note, kind=kind)
        tables, report = _build(plan, paths, csv_tmp, docs_tmp, cat, progress, history, release)
        new_csv = csv_tmp.read_bytes() if csv_tmp else paths.csv.read_bytes()
        record = history_record(plan, report, new_csv, now)
        old_history, new_history = history_bytes(paths.history, record)
        if progress:
            progress("writing", 0, 1)
        rewrite = tables if plan.changes or report.repaired else None
        switch(paths, csv_tmp, docs_tmp, old_history, new_history, rewrite, release)
    finally:
        for p in (csv_tmp, docs_tmp):
            if p is not None:
                p.unlink(missing_ok=True)
    report.written = plan.changes
    report.record = record
    report.release = release.record if release else None
    report.tables = {name: t.num_rows for name, t in tables.items()}
    return report


def _build(
    plan: Plan,
    paths: DataPaths,
    csv_tmp: Path | None,
    docs_tmp: Path | None,
    cat: Catalogue | None,
    progress: Progress | None,
    history: list[dict],
    release: ReleaseFiles | None,
) -> tuple[dict[str, pa.Table], ImportReport]:
    """The tables after the import and its report. With nothing to change, the tables of the current CSV:
    ``repaired`` when the ones on disk are behind it (an interrupted import) and are to be rewritten."""
    if csv_tmp is None or release is None:
        tables = build_tables(paths.csv, paths.documents, cat)
        report = make_report(plan, [], 0, history)
        report.repaired = not tables_in_sync(paths, tables)
        return tables, report
    if progress:
        progress("building", 0, 1)
    tables = build_tables(csv_tmp, docs_tmp or paths.documents, cat, log=release.log)
    conflicts, corroborated = classify(tables, plan.existing_rows, _row_map(plan))
    return tables, make_report(plan, conflicts, corroborated, history)
