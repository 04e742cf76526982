"""Tables that know their history: each release's figure set is built as the data stood then (ranked,
derived), and every row is stored once per interval of releases in which it held unchanged
(``valid_from`` <= r < ``valid_to``). Also the ``releases`` and ``changes`` tables."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pyarrow as pa

from dashboard.pipeline.record import ReleaseLog
from dashboard.releases import ADDED, REVISE, REVISED, WITHDRAWN, canonical
from dashboard.schema import CHANGE_SCHEMA, OBSERVATION_SCHEMA, RELEASE_SCHEMA

FigureSet = Callable[[list[tuple[int, dict[str, str]]]], list[dict]]  # numbered rows -> observations
_VERSION_FIELDS = ("valid_from", "valid_to")
_CONTENT = tuple(n for n in OBSERVATION_SCHEMA.names if n not in _VERSION_FIELDS)


def source_id(row: int) -> str:
    return f"obs-{row:05d}"


def _content(o: dict) -> tuple:
    return tuple(tuple(v) if isinstance(v, list) else v for v in (o.get(k) for k in _CONTENT))


def revised_by(log: ReleaseLog, rows: list[dict[str, str]]) -> dict[int, tuple[float, str, int]]:
    """Revising row -> (the value it replaced, the reason, the release); the first replaced row counts."""
    out: dict[int, tuple[float, str, int]] = {}
    for rv in log.revisions:
        if rv["action"] == REVISE and rv["new_row"]:
            old = rows[int(rv["row"]) - 1]
            out.setdefault(int(rv["new_row"]), (float(old["value"]), rv["reason"], int(rv["release"])))
    return out


def versioned_observations(rows: list[dict[str, str]], log: ReleaseLog, figure_set: FigureSet) -> list[dict]:
    """Every observation row of every release, with its validity interval and revision columns."""
    ends = log.ends()
    revisions = revised_by(log, rows)
    open_rows: dict[tuple, dict] = {}
    out: list[dict] = []
    for rec in log.releases:
        r, last = rec["release"], rec["rows"][1]
        active = [(n, rows[n - 1]) for n in range(1, last + 1) if ends.get(n, r + 1) > r]
        current: dict[tuple, dict] = {}
        for o in figure_set(active):
            _mark_revision(o, revisions)
            current[_content(o)] = o
        for key, o in open_rows.items():
            if key not in current:
                o["valid_to"] = r
        kept = {}
        for key, o in current.items():
            if key in open_rows:
                kept[key] = open_rows[key]
            else:
                o.update(valid_from=r, valid_to=None)
                out.append(o)
                kept[key] = o
        open_rows = kept
    return out


def _mark_revision(o: dict, revisions: dict[int, tuple[float, str, int]]) -> None:
    hit = revisions.get(int(o["source_id"][4:])) if o["method"] == "published" else None
    o.update(
        previous_value=hit[0] if hit else None,
        revision_reason=hit[1] if hit else None,
        revised_in=hit[2] if hit else None,
    )


def releases_table(log: ReleaseLog) -> pa.Table:
    rows = []
    for rec in log.releases:
        at = datetime.fromisoformat(rec["at"]) if rec.get("at") else None
        first, last = rec["rows"]
        n_revised = len(rec.get("revised", []))
        rows.append(
            {
                "release": rec["release"],
                "at": at,
                "kind": rec["kind"],
                "file": rec["file"],
                "file_sha256": rec["file_sha256"],
                "by": rec["by"],
                "note": rec["note"],
                "rows_first": first,
                "rows_last": last,
                "added": rec.get("added", (last - first + 1) - n_revised),
                "revised": n_revised,
                "withdrawn": len(rec.get("withdrawn", [])),
                "observations_sha256": rec["observations_sha256"],
                "revisions_sha256": rec["revisions_sha256"],
                "prev": rec["prev"],
                "sha256": rec["sha256"],
                "record": canonical(rec),
            }
        )
    return pa.Table.from_pylist(rows, schema=RELEASE_SCHEMA)


def _change(release: int, change: str, n: int, row: dict[str, str], **more) -> dict:
    keys = ("indicator", "period", "period_type", "country_iso3", "measure", "unit", "document")
    base: dict[str, object] = {k: row[k] for k in keys}
    base.update(release=release, change=change, source_id=source_id(n), csv_row=n, previous_source_id=None)
    base.update(value=None, previous_value=None, reason=None)
    base.update(more)
    return base


def changes_table(rows: list[dict[str, str]], log: ReleaseLog) -> pa.Table:
    """One row per figure added, revised or withdrawn, by release."""
    by_release: dict[int, list[dict[str, str]]] = {}
    for rv in log.revisions:
        by_release.setdefault(int(rv["release"]), []).append(rv)
    out = []
    for rec in log.releases:
        r = rec["release"]
        lines = by_release.get(r, [])
        revising = {int(rv["new_row"]) for rv in lines if rv["action"] == REVISE and rv["new_row"]}
        first, last = rec["rows"]
        for n in range(first, last + 1):
            if n not in revising:
                out.append(_change(r, ADDED, n, rows[n - 1], value=float(rows[n - 1]["value"])))
        for rv in lines:
            old_n = int(rv["row"])
            old = rows[old_n - 1]
            if rv["action"] == REVISE:
                new_n = int(rv["new_row"])
                new = rows[new_n - 1]
                out.append(
                    _change(
                        r,
                        REVISED,
                        new_n,
                        new,
                        previous_source_id=source_id(old_n),
                        value=float(new["value"]),
                        previous_value=float(old["value"]),
                        reason=rv["reason"],
                    )
                )
            else:
                out.append(
                    _change(r, WITHDRAWN, old_n, old, previous_value=float(old["value"]), reason=rv["reason"])
                )
    return pa.Table.from_pylist(out, schema=CHANGE_SCHEMA)
