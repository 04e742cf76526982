"""Releases, write side: the release log as the build reads it, and the new records an import appends
(``data/sources/releases.jsonl`` and ``revisions.csv``; the format is described in ``dashboard.releases``)."""

from __future__ import annotations

import csv
import getpass
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dashboard.releases import (
    INITIAL_NOTE,
    OBSERVATIONS_FILE,
    RELEASES_FILE,
    REVISION_COLUMNS,
    REVISIONS_FILE,
    file_sha256,
    read_revisions,
    record_hash,
    sha256_bytes,
    verify_sources,
)


@dataclass(frozen=True)
class ReleaseLog:
    """The releases (records, oldest first) and the revisions/withdrawals (revisions.csv lines)."""

    releases: list[dict]
    revisions: list[dict[str, str]] = field(default_factory=list)
    recorded: bool = True  # False: implied for a CSV that has no release record (one release, every row)

    @property
    def last(self) -> int:
        return len(self.releases)

    def ends(self) -> dict[int, int]:
        """observations.csv row -> the release from which it no longer holds (revised or withdrawn)."""
        out: dict[int, int] = {}
        for rv in self.revisions:
            row, rel = int(rv["row"]), int(rv["release"])
            out[row] = min(out.get(row, rel), rel)
        return out


def default_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without a passwd entry)
        return "unknown"


def implied_log(
    n_rows: int, *, file: str = OBSERVATIONS_FILE, by: str = "", note: str = INITIAL_NOTE
) -> ReleaseLog:
    """A CSV with no release record: one release holding every row (deterministic: no date, no user)."""
    rec = _sealed(
        {
            "release": 1,
            "at": None,
            "kind": "build",
            "file": file,
            "file_sha256": "",
            "by": by,
            "note": note,
            "rows": [1, n_rows],
            "added": n_rows,
            "revised": [],
            "withdrawn": [],
            "new_documents": [],
            "observations_sha256": "",
            "revisions_sha256": "",
            "prev": "",
        }
    )
    return ReleaseLog([rec], [], recorded=False)


def load_log(csv_path: Path, n_rows: int) -> ReleaseLog:
    """The release log of ``csv_path``'s directory, checked (ReleaseRecordError), or the implied one when
    no release was recorded there (or the CSV is not the directory's observations.csv)."""
    sources = csv_path.parent
    if csv_path.name != OBSERVATIONS_FILE or not (sources / RELEASES_FILE).exists():
        return implied_log(n_rows)
    return ReleaseLog(verify_sources(sources), read_revisions(sources / REVISIONS_FILE))


def _sealed(record: dict) -> dict:
    record["sha256"] = record_hash(record)
    return record


def now_iso(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds")


def new_record(
    log: ReleaseLog,
    *,
    kind: str,
    file: str,
    file_sha256: str,
    rows: tuple[int, int],
    observations: bytes,
    revisions: bytes | None,
    added: int,
    revised: Sequence[dict] = (),
    withdrawn: Sequence[dict] = (),
    new_documents: Sequence[str] = (),
    by: str | None = None,
    note: str = "",
    now: datetime | None = None,
) -> dict:
    """The next release's record (numbered after ``log``'s last, chained to it, sealed with its hash)."""
    prev = log.releases[-1]["sha256"] if log.recorded and log.releases else ""
    return _sealed(
        {
            "release": (log.last if log.recorded else 0) + 1,
            "at": now_iso(now),
            "kind": kind,
            "file": file,
            "file_sha256": file_sha256,
            "by": by or default_user(),
            "note": " ".join(note.split()),  # one line
            "rows": list(rows),
            "added": added,
            "revised": list(revised),
            "withdrawn": list(withdrawn),
            "new_documents": list(new_documents),
            "observations_sha256": sha256_bytes(observations),
            "revisions_sha256": sha256_bytes(revisions or b""),
            "prev": prev,
        }
    )


def initial_record(sources: Path, n_rows: int, by: str | None = None, now: datetime | None = None) -> dict:
    """Release 1 of data that has no record yet: the initial build, every row of observations.csv."""
    csv_bytes = (sources / OBSERVATIONS_FILE).read_bytes()
    revisions = sources / REVISIONS_FILE
    return new_record(
        ReleaseLog([], recorded=True),
        kind="build",
        file=OBSERVATIONS_FILE,
        file_sha256=sha256_bytes(csv_bytes),
        rows=(1, n_rows),
        observations=csv_bytes,
        revisions=revisions.read_bytes() if revisions.exists() else None,
        added=n_rows,
        by=by,
        note=INITIAL_NOTE,
        now=now,
    )


def appended_record(old: bytes | None, record: dict) -> bytes:
    """releases.jsonl with ``record`` appended (one JSON object per line, readable)."""
    base = old or b""
    if base and not base.endswith(b"\n"):
        base += b"\n"
    return base + (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def appended_revisions(old: bytes | None, lines: list[dict]) -> bytes:
    """revisions.csv with ``lines`` appended (the header first when the file is new)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    if not old:
        w.writerow(REVISION_COLUMNS)
    for line in lines:
        w.writerow([line.get(c, "") for c in REVISION_COLUMNS])
    base = old or b""
    if base and not base.endswith(b"\n"):
        base += b"\n"
    return base + buf.getvalue().encode("utf-8")


def sources_match(sources: Path, record: dict) -> bool:
    """True when observations.csv and revisions.csv are as ``record`` says."""
    return (
        file_sha256(sources / OBSERVATIONS_FILE) == record["observations_sha256"]
        and file_sha256(sources / REVISIONS_FILE) == record["revisions_sha256"]
    )
