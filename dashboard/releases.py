"""Releases, read side: the record of every import (``data/sources/releases.jsonl``), its hash chain, and the
revisions and withdrawals (``data/sources/revisions.csv``).

Every ``mtm import`` is a numbered release. Release 1 is the initial build. The record is append-only and
human-readable, one JSON object per line, oldest first::

    {"release": 2, "at": "2026-12-03T09:30:00+00:00", "kind": "import", "file": "q4.csv",
     "file_sha256": "…", "by": "aigerim", "note": "Q4 figures", "rows": [451, 573], "added": 120,
     "revised": [{"row": 12, "new_row": 572, "old_value": "301500", "new_value": "301800", "reason": "…"}],
     "withdrawn": [{"row": 40, "value": "2900", "reason": "…"}], "new_documents": ["…"],
     "observations_sha256": "…", "revisions_sha256": "…", "prev": "<sha256 of release 1>", "sha256": "…"}

``rows`` is the range of observations.csv data rows (1-based, as ``sources.csv_row`` and ``obs-NNNNN``) the
release appended: its added figures and the new statements of its revised ones. ``sha256`` hashes the
record's canonical JSON (every key but ``sha256``, ``prev`` included), so the records form a chain: editing,
removing or reordering one by hand breaks it, and ``observations_sha256`` / ``revisions_sha256`` name the
source files as the last release left them. ``mtm build``, ``mtm check``, ``mtm import`` and the app refuse a
broken record, naming the file.

The pipeline writes these files; the web app reads the same record from the ``releases`` table of the
Parquet data set (``DataStore.releases()``), so it travels with ``DATA_URL``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

RELEASES_FILE = "releases.jsonl"  # in data/sources, next to observations.csv
REVISIONS_FILE = "revisions.csv"
OBSERVATIONS_FILE = "observations.csv"
# revisions.csv: one line per figure revised or withdrawn. row / new_row: observations.csv data rows.
REVISION_COLUMNS = ("release", "action", "row", "new_row", "old_value", "new_value", "reason")
REVISE, WITHDRAW = "revise", "withdraw"
INITIAL_NOTE = "initial build"  # the note of release 1 made by `mtm build` (shown translated, as N_ below)
ADDED, REVISED, WITHDRAWN = "added", "revised", "withdrawn"  # the changes of a release


class ReleaseRecordError(ValueError):
    """The release record (or a source file it vouches for) is not as the releases left it; the message
    names the file and what does not match."""


class UnknownRelease(LookupError):
    """A release number that does not exist (the message says which do); the UI shows it as a notice."""


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical(record: dict) -> str:
    """The text a record's hash covers: every key but ``sha256``, sorted, compact, UTF-8."""
    content = {k: v for k, v in record.items() if k != "sha256"}
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record_hash(record: dict) -> str:
    return sha256_bytes(canonical(record).encode("utf-8"))


def verify_chain(records: list[dict], where: str) -> None:
    """Raise ReleaseRecordError naming ``where`` unless the records are numbered 1, 2, … and each one's
    hash matches its content and links to the previous one."""
    prev = ""
    for n, rec in enumerate(records, start=1):
        if rec.get("release") != n:
            raise ReleaseRecordError(
                f"{where}: record {n} says release {rec.get('release')!r}; expected {n} "
                "(releases are numbered 1, 2, … in order; a record was removed, added or reordered by hand)"
            )
        if rec.get("prev") != prev:
            raise ReleaseRecordError(
                f"{where}: release {n} does not follow release {n - 1} (its 'prev' hash does not match): "
                "a record was edited, removed or reordered by hand"
            )
        if rec.get("sha256") != record_hash(rec):
            raise ReleaseRecordError(
                f"{where}: release {n} was edited by hand: its sha256 does not match its content"
            )
        prev = rec["sha256"]


def read_releases(path: Path) -> list[dict]:
    """The records of ``releases.jsonl``, oldest first, with the chain checked ([] when there is no file)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    records = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError as exc:
            raise ReleaseRecordError(f"{path}: line {n} is not a JSON record ({exc})") from None
        if not isinstance(rec, dict):
            raise ReleaseRecordError(f"{path}: line {n} is not a JSON object")
        records.append(rec)
    verify_chain(records, str(path))
    return records


def read_revisions(path: Path) -> list[dict[str, str]]:
    """The lines of ``revisions.csv`` ([] when there is no file)."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if tuple(reader.fieldnames or ()) != REVISION_COLUMNS:
                raise ReleaseRecordError(f"{path}: columns must be exactly {', '.join(REVISION_COLUMNS)}")
            return list(reader)
    except FileNotFoundError:
        return []


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes; of no bytes when it does not exist (revisions.csv before any revision)."""
    try:
        return sha256_bytes(path.read_bytes())
    except FileNotFoundError:
        return sha256_bytes(b"")


def verify_sources(sources: Path) -> list[dict]:
    """The release records of a ``data/sources`` directory, checked: the chain, and observations.csv and
    revisions.csv exactly as the last release left them. [] when no release was recorded yet."""
    records = read_releases(sources / RELEASES_FILE)
    if not records:
        return []
    last = records[-1]
    for name, key in ((OBSERVATIONS_FILE, "observations_sha256"), (REVISIONS_FILE, "revisions_sha256")):
        if file_sha256(sources / name) != last.get(key):
            raise ReleaseRecordError(
                f"{sources / name} is not the file release {last['release']} recorded in {RELEASES_FILE} "
                "(edited by hand, or an import was interrupted): restore it (e.g. `git checkout` it); "
                "figures are added, revised and withdrawn with `mtm import`"
            )
    return records


# -- what the app reads: DataStore.releases() -----------------------------------------------------------


@dataclass(frozen=True)
class ReleaseChange:
    """One figure a release added, revised or withdrawn."""

    release: int
    change: str  # added | revised | withdrawn
    indicator: str
    period: str
    period_type: str
    country_iso3: str
    measure: str
    unit: str
    document: str
    value: float | None  # after the release (None: withdrawn)
    previous_value: float | None  # revised: the old value; withdrawn: the value withdrawn
    reason: str | None
    source_id: str  # the row added / the revising row / the withdrawn row
    previous_source_id: str | None  # revised: the row replaced
    csv_row: int


@dataclass(frozen=True)
class Release:
    """A numbered release: when, what file, who, why, and what it changed."""

    number: int
    at: datetime | None  # UTC; None for data built before releases were recorded
    kind: str  # build | import | withdraw
    file: str
    file_sha256: str
    by: str
    note: str
    rows: tuple[int, int]  # observations.csv data rows it appended (first, last); first > last: none
    added: int
    revised: int
    withdrawn: int
    sha256: str
    changes: tuple[ReleaseChange, ...] = ()
