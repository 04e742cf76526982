"""Conflicts an import takes part in: figures whose sources now disagree, and which value the precedence
rule shows (read from the tables built with the import)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa

from dashboard.countries import country_name
from dashboard.formatting import fmt_value
from dashboard.schema import FIGURE_KEY, SOURCES_TABLE, TABLES


@dataclass(frozen=True)
class Conflict:
    """A figure whose sources disagree because of the import, and the value the precedence rule shows."""

    figure: str
    rows: tuple[int, ...]  # the file rows of the new values
    outcome: str  # replaced (the shown value changed) | kept (the existing value stays shown) | new
    shown: str  # the value shown now, with its document
    others: tuple[str, ...]

    def __str__(self) -> str:
        rows = ", ".join(map(str, self.rows))
        head = {
            "replaced": "the new value is now shown",
            "kept": "the existing value stays shown",
            "new": "values differ within this file",
        }[self.outcome]
        return f"row {rows}: {self.figure}: {head}: {self.shown}; also {'; '.join(self.others)}"


def _describe(o: dict, docs_of: dict[str, dict]) -> str:
    s = docs_of[o["source_id"]]
    return f"{fmt_value(o['value'], o['unit'])} from {s['document']!r} ({s['kind']}, {s['published']})"


def classify(tables: dict[str, pa.Table], n_old: int, row_of: dict[int, int]) -> tuple[list[Conflict], int]:
    """Conflicts the added rows (csv rows > n_old; row_of maps csv row -> file row) take part in."""
    src = {s["source_id"]: s for s in tables[SOURCES_TABLE].to_pylist()}
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for name in TABLES:
        for o in tables[name].to_pylist():
            if o["method"] == "published" and o.get("valid_to") is None:  # the rows shown now
                groups[tuple(o[k] for k in FIGURE_KEY)].append(o)
    conflicts, corroborated = [], 0
    for key, group in groups.items():
        new = [o for o in group if src[o["source_id"]]["csv_row"] > n_old]
        if not new:
            continue
        old = [o for o in group if src[o["source_id"]]["csv_row"] <= n_old]
        shown = min(group, key=lambda o: o["rank"])
        label = f"{key[0]} {key[1]} ({key[2]}) {country_name(key[3])} {key[4]}"
        rows = tuple(sorted(row_of[src[o["source_id"]]["csv_row"]] for o in new))
        others = tuple(_describe(o, src) for o in sorted(group, key=lambda o: o["rank"]) if o is not shown)
        if not old:
            if len({o["value"] for o in new}) > 1:
                conflicts.append(Conflict(label, rows, "new", _describe(shown, src), others))
            continue
        was = min(old, key=lambda o: o["rank"])
        if shown in new and shown["value"] != was["value"]:
            conflicts.append(Conflict(label, rows, "replaced", _describe(shown, src), others))
        elif any(o["value"] != was["value"] for o in new):
            conflicts.append(Conflict(label, rows, "kept", _describe(shown, src), others))
        else:
            corroborated += 1
    return conflicts, corroborated
