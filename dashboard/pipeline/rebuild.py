"""``mtm build``: rebuild the tables from the source data under the import lock; the first build of data
that has no release record records it as release 1, the initial build."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pyarrow as pa

from dashboard.atomic import write_bytes_atomic
from dashboard.history import HISTORY_FILE
from dashboard.pipeline.build import DOCUMENTS_YAML, build_tables, read_source_csv, write_tables
from dashboard.pipeline.commit import locked
from dashboard.pipeline.paths import DataPaths
from dashboard.pipeline.record import ReleaseLog, appended_record, initial_record
from dashboard.releases import OBSERVATIONS_FILE


def rebuild(
    csv_path: Path,
    out_dir: Path,
    documents: Path = DOCUMENTS_YAML,
    *,
    by: str | None = None,
    now: datetime | None = None,
) -> tuple[dict[str, pa.Table], dict | None]:
    """Validate and write the tables (and releases.jsonl when it is created); returns the tables and the
    release-1 record created (None when the record existed). Raises BuildError, ReleaseRecordError (a
    hand-edited record: nothing written) or ImportBusy (an import or build is running)."""
    paths = DataPaths(csv_path, documents, out_dir, csv_path.parent.parent / HISTORY_FILE)
    with locked(paths):
        if csv_path.name != OBSERVATIONS_FILE or paths.releases.exists():
            tables = build_tables(csv_path, documents)
            write_tables(tables, out_dir)
            return tables, None
        build_tables(csv_path, documents)  # validate first: a bad CSV gets no record
        created = initial_record(csv_path.parent, len(read_source_csv(csv_path)), by=by, now=now)
        tables = build_tables(csv_path, documents, log=ReleaseLog([created]))
        write_bytes_atomic(paths.releases, appended_record(None, created))
        try:
            write_tables(tables, out_dir)
        except BaseException:
            paths.releases.unlink(missing_ok=True)
            raise
        return tables, created
