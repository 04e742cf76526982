"""Writing an import, all or nothing: the new files are staged aside, then switched one atomic rename at a
time in an order that keeps the data consistent at each step; any failure restores every file already
switched, byte for byte. One import at a time per data directory."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.atomic import KEEP_MODE, fsync_dir, write_aside, write_bytes_atomic
from dashboard.data import MANIFEST
from dashboard.pipeline.build import build_tables, write_tables
from dashboard.pipeline.documents import yaml_text
from dashboard.pipeline.paths import DEFAULT_PATHS, DataPaths
from dashboard.pipeline.plan import Plan
from dashboard.pipeline.problems import ImportBusy
from dashboard.pipeline.record import (
    ReleaseLog,
    appended_record,
    appended_revisions,
    initial_record,
    load_log,
    new_record,
)
from dashboard.releases import REVISE, WITHDRAW
from dashboard.schema import SOURCE_COLUMNS

# -- staging ---------------------------------------------------------------------------------------------


def csv_bytes(old: bytes, rows: list[dict[str, str]]) -> bytes:
    """observations.csv with rows appended, in its own line endings."""
    first = old.split(b"\n", 1)[0]
    terminator = "\r\n" if first.endswith(b"\r") else "\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=terminator)
    for r in rows:
        w.writerow([r[c] for c in SOURCE_COLUMNS])
    sep = b"" if not old or old.endswith(b"\n") else terminator.encode()
    return old + sep + buf.getvalue().encode("utf-8")


def stage(plan: Plan, paths: DataPaths, directory: Path, when: date) -> tuple[Path, Path | None]:
    """Write the new observations.csv (and documents.yaml) aside in ``directory`` (with the permissions of
    the files they replace); return their paths."""
    staged: list[Path] = []
    try:
        data = csv_bytes(paths.csv.read_bytes(), plan.added)
        csv_tmp = write_aside(paths.csv, lambda fh: fh.write(data), KEEP_MODE, directory)
        staged.append(csv_tmp)
        docs_tmp = None
        if plan.new_documents:
            text = yaml_text(
                paths.documents.read_text(encoding="utf-8"), plan.new_documents, plan.file.name, when
            )
            docs_tmp = write_aside(
                paths.documents, lambda fh: fh.write(text.encode("utf-8")), KEEP_MODE, directory
            )
            staged.append(docs_tmp)
        return csv_tmp, docs_tmp
    except BaseException:
        for p in staged:
            p.unlink(missing_ok=True)
        raise


def history_bytes(path: Path, record: dict) -> tuple[bytes | None, bytes]:
    """history.jsonl as it is (None: no file yet) and with ``record`` appended."""
    old = path.read_bytes() if path.exists() else None
    base = old or b""
    if base and not base.endswith(b"\n"):
        base += b"\n"
    return old, base + (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


@dataclass(frozen=True)
class ReleaseFiles:
    """The release an import records: its record, the log after it, and releases.jsonl / revisions.csv
    as they are (None: no file) and as they will be (revisions_new None: unchanged)."""

    record: dict
    log: ReleaseLog
    releases_old: bytes | None
    releases_new: bytes
    revisions_old: bytes | None
    revisions_new: bytes | None


def _read(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


def _revision_lines(plan: Plan, number: int) -> tuple[list[dict], list[dict], list[dict]]:
    """revisions.csv lines, and the record's ``revised`` and ``withdrawn`` lists."""
    new_row_of = {id(r): plan.existing_rows + k for k, r in enumerate(plan.added, start=1)}
    lines, revised, withdrawn = [], [], []
    for rv in plan.revisions:
        new_n = new_row_of[id(rv.row)]
        for old_n, old_v in zip(rv.old_rows, rv.old_values, strict=True):
            item = {"row": old_n, "new_row": new_n, "old_value": old_v, "new_value": rv.row["value"]}
            revised.append({**item, "reason": rv.reason})
            lines.append({**item, "release": number, "action": REVISE, "reason": rv.reason})
    for w in plan.withdrawals:
        for old_n, old_v in zip(w.old_rows, w.old_values, strict=True):
            withdrawn.append({"row": old_n, "value": old_v, "reason": w.reason})
            lines.append(
                {"release": number, "action": WITHDRAW, "row": old_n, "new_row": "", "old_value": old_v}
                | {"new_value": "", "reason": w.reason}
            )
    return [{k: str(v) for k, v in line.items()} for line in lines], revised, withdrawn


def stage_release(
    plan: Plan,
    paths: DataPaths,
    new_csv: bytes,
    *,
    now: datetime,
    by: str | None,
    note: str,
    kind: str = "import",
) -> ReleaseFiles:
    """The release record of an import (and release 1 first, when the data had no record yet)."""
    log = plan.log or load_log(paths.csv, plan.existing_rows)
    releases_old = _read(paths.releases)
    base = releases_old
    if not log.recorded:  # the data before this import becomes release 1, the initial build
        first = initial_record(paths.csv.parent, plan.existing_rows, by=by, now=now)
        log = ReleaseLog([first], [], recorded=True)
        base = appended_record(None, first)
    number = log.last + 1
    lines, revised, withdrawn = _revision_lines(plan, number)
    revisions_old = _read(paths.revisions)
    revisions_new = appended_revisions(revisions_old, lines) if lines else None
    record = new_record(
        log,
        kind=kind,
        file=plan.file.name,
        file_sha256=plan.sha256,
        rows=(plan.existing_rows + 1, plan.existing_rows + len(plan.added)),
        observations=new_csv,
        revisions=revisions_new if revisions_new is not None else revisions_old,
        added=len(plan.added) - len(plan.revisions),
        revised=revised,
        withdrawn=withdrawn,
        new_documents=[nd.doc.id for nd in plan.new_documents],
        by=by,
        note=note,
        now=now,
    )
    after = ReleaseLog([*log.releases, record], [*log.revisions, *lines], recorded=True)
    return ReleaseFiles(
        record, after, releases_old, appended_record(base, record), revisions_old, revisions_new
    )


# -- the switch ------------------------------------------------------------------------------------------


def switch(
    paths: DataPaths,
    csv_tmp: Path | None,
    docs_tmp: Path | None,
    old_history: bytes | None,
    new_history: bytes,
    tables: dict[str, pa.Table] | None,
    release: ReleaseFiles | None = None,
) -> None:
    """Switch every file by an atomic rename, in an order that keeps the data consistent at each step;
    on any exception restore the files already switched, byte for byte, and re-raise.

    Order: documents.yaml, revisions.csv, observations.csv (the commit point), releases.jsonl (the record
    that vouches for both), history.jsonl, the tables (their manifest last)."""
    manifest = paths.parquet / MANIFEST
    old_manifest = manifest.read_bytes() if manifest.exists() else None
    old_files = set(os.listdir(paths.parquet)) if paths.parquet.is_dir() else set()
    undo: list[tuple[Path, bytes | None]] = []
    try:
        if docs_tmp is not None:  # only adds documents: harmless before the CSV cites them
            undo.append((paths.documents, paths.documents.read_bytes()))
            os.replace(docs_tmp, paths.documents)
        if release is not None and release.revisions_new is not None:
            undo.append((paths.revisions, release.revisions_old))
            replace_with(paths.revisions, release.revisions_new)
        if csv_tmp is not None:  # the commit point: the source of truth now holds the import
            undo.append((paths.csv, paths.csv.read_bytes()))
            os.replace(csv_tmp, paths.csv)
            fsync_dir(paths.csv.parent)
        if release is not None:
            undo.append((paths.releases, release.releases_old))
            replace_with(paths.releases, release.releases_new)
        undo.append((paths.history, old_history))
        replace_with(paths.history, new_history)
        if tables is not None:  # readers switch to the new set with the manifest's rename
            write_tables(tables, paths.parquet)
    except BaseException:
        errors = _restore_files(undo) + _restore_tables(paths.parquet, old_manifest, old_files)
        if errors:
            print(
                "error: the import failed and some files could not be restored; run `mtm build`: "
                + "; ".join(errors),
                file=sys.stderr,
            )
        raise


def replace_with(target: Path, data: bytes | None) -> None:
    """Atomically give ``target`` these bytes, keeping its permissions (or remove it when None)."""
    if data is None:
        target.unlink(missing_ok=True)
    else:
        write_bytes_atomic(target, data, KEEP_MODE)


def _restore_files(undo: list[tuple[Path, bytes | None]]) -> list[str]:
    """Put back the files already switched, last first; the errors met (it keeps restoring the others)."""
    errors = []
    for target, data in reversed(undo):
        try:
            replace_with(target, data)
        except Exception as exc:
            errors.append(f"{target}: {exc}")
    return errors


def _restore_tables(parquet: Path, old_manifest: bytes | None, old_files: set[str]) -> list[str]:
    """Put back the manifest, and remove the table files this import wrote (named by no manifest now)."""
    manifest = parquet / MANIFEST
    try:
        if (manifest.read_bytes() if manifest.exists() else None) != old_manifest:
            replace_with(manifest, old_manifest)
        for name in set(os.listdir(parquet)) - old_files:  # leave the directory as it was
            (parquet / name).unlink(missing_ok=True)
    except Exception as exc:
        return [f"{manifest}: {exc}"]
    return []


# -- consistency and the lock ----------------------------------------------------------------------------


def tables_in_sync(paths: DataPaths = DEFAULT_PATHS, tables: dict[str, pa.Table] | None = None) -> bool:
    """True when the tables named by the manifest are exactly a build of the current observations.csv (and
    release record)."""
    try:
        tables = tables or build_tables(paths.csv, paths.documents)
        entries = json.loads((paths.parquet / MANIFEST).read_text())["tables"]
        return set(entries) == set(tables) and all(
            pq.read_table(paths.parquet / entries[n]["file"]).equals(t) for n, t in tables.items()
        )
    except Exception:
        return False


@contextlib.contextmanager
def locked(paths: DataPaths) -> Iterator[None]:
    """One import or build at a time per data directory (a flock on data/sources; no lock file is left
    behind). A second one is refused at once (ImportBusy), never queued: its data might be stale by then."""
    try:
        import fcntl  # noqa: PLC0415  (POSIX only: elsewhere no lock, below)
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(paths.csv.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy(
                f"another `mtm import` is running on {paths.csv.parent} (or `mtm build` / `mtm withdraw`); "
                "nothing was written: try again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)
