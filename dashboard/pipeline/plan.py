"""``plan_import``: read an import file and check it against the catalogue and the existing data; the plan
says what the import would add. Nothing is written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from dashboard.catalogue import Catalogue, catalogue
from dashboard.pipeline.build import BuildError, Document, load_documents, read_source_csv
from dashboard.pipeline.documents import NewDocument, check_documents
from dashboard.pipeline.hints import country_names
from dashboard.pipeline.paths import DEFAULT_PATHS, DataPaths
from dashboard.pipeline.problems import ImportRejected, Problem
from dashboard.pipeline.reading import Progress, read_import
from dashboard.pipeline.record import ReleaseLog, load_log
from dashboard.pipeline.revising import (
    Revision,
    Withdrawal,
    active_by_figure,
    describe,
    find_revisions,
    find_withdrawals,
    split_actions,
)
from dashboard.pipeline.validation import (
    add_unreported,
    check_rows,
    near_duplicates,
    share_sums,
    split_known,
)
from dashboard.releases import ReleaseRecordError


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
    log: ReleaseLog | None = None  # the releases before the import
    revisions: list[Revision] = field(default_factory=list)  # their new rows are in ``added`` too
    withdrawals: list[Withdrawal] = field(default_factory=list)

    @property
    def changes(self) -> bool:
        """True when the import changes the data (adds, revises or withdraws a figure)."""
        return bool(self.added or self.withdrawals)


@dataclass(frozen=True)
class _Existing:
    """The data the import adds to: observations.csv, documents.yaml, country name -> ISO3 as used, the
    release log, and the figures published now (figure + document -> data rows)."""

    rows: list[dict[str, str]]
    documents: dict[str, Document]
    known: dict[str, str]
    log: ReleaseLog
    active: dict[tuple, list[int]]

    def current(self, revised: set[int] | frozenset[int] = frozenset()) -> list[dict[str, str]]:
        """The rows published now (not revised or withdrawn), less those this import revises."""
        live = {n for ns in self.active.values() for n in ns} - revised
        return [r for n, r in enumerate(self.rows, start=1) if n in live]


def plan_import(
    path: Path | str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    documents: Path | str | None = None,
    today: date | None = None,
    cat: Catalogue | None = None,
    progress: Progress | None = None,
    every: int = 1000,
    revise: bool = False,
) -> Plan:
    """Read and validate an import file against the catalogue and the existing data; raise ImportRejected
    listing every problem (a revision without ``revise`` or without a reason, a withdrawal of a figure that
    is not published...). Nothing is written."""
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
    read.rows, withdraws, more = split_actions(read.rows)
    problems += more
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
    revisions, more = find_revisions(added, existing.rows, existing.active, revise)
    problems += more
    withdrawals, more = find_withdrawals(withdraws, existing.rows, existing.active)
    problems += more
    current = existing.current({n for rv in revisions for n in rv.old_rows})
    problems += share_sums(current, added, read.rows, reported)
    warnings += near_duplicates(current, added)
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
        log=existing.log,
        revisions=revisions,
        withdrawals=withdrawals,
    )


def _read_existing(paths: DataPaths, name: str) -> _Existing:
    try:
        rows = read_source_csv(paths.csv)
    except BuildError as exc:
        raise ImportRejected(
            name, [Problem(None, None, p, "a valid observations.csv (run `mtm build`)") for p in exc.problems]
        ) from None
    try:
        log = load_log(paths.csv, len(rows))
    except ReleaseRecordError as exc:
        raise ImportRejected(name, [Problem(None, None, str(exc), "an intact release record")]) from None
    active = active_by_figure(rows, set(log.ends()))
    return _Existing(rows, load_documents(paths.documents), country_names(rows), log, active)


def _unused_documents(new_docs: dict[str, NewDocument], used: set[str], where: str) -> list[Problem]:
    """Warnings: documents described by the import that no added row cites (they are not added)."""
    return [
        Problem(nd.row, "document", repr(title), "a document cited by a new row; not added", where)
        for title, nd in new_docs.items()
        if title not in used
    ]


def plan_withdrawal(rows: list[int], reason: str, paths: DataPaths = DEFAULT_PATHS) -> Plan:
    """``mtm withdraw``: the published figures at these observations.csv data rows, withdrawn with a
    reason. Raises ImportRejected naming each row that is not a figure published now."""
    name = "mtm withdraw"
    existing = _read_existing(paths, name)
    live = {n for ns in existing.active.values() for n in ns}
    problems = []
    if not reason.strip():
        problems.append(Problem(None, "reason", repr(reason), "why the figures are withdrawn (a reason)"))
    withdrawals = []
    for n in dict.fromkeys(rows):
        if not 1 <= n <= len(existing.rows):
            problems.append(
                Problem(n, None, f"row {n}", f"a data row of observations.csv (1 to {len(existing.rows)})")
            )
        elif n not in live:
            problems.append(
                Problem(
                    n,
                    None,
                    f"{describe(existing.rows[n - 1])}, already revised or withdrawn",
                    "a figure published now",
                )
            )
        else:
            r = existing.rows[n - 1]
            withdrawals.append(Withdrawal(n, (n,), (r["value"],), " ".join(reason.split()), describe(r)))
    if problems:
        raise ImportRejected(name, problems)
    return Plan(
        file=Path(name),
        sha256="",
        rows_in_file=0,
        added=[],
        unchanged=[],
        new_documents=[],
        warnings=[],
        existing_rows=len(existing.rows),
        log=existing.log,
        withdrawals=withdrawals,
    )
