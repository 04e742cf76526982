"""What an import did (or would do): the report, its history record, and both as text for the terminal."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dashboard.pipeline.conflicts import Conflict
from dashboard.pipeline.plan import Plan
from dashboard.pipeline.problems import Problem
from dashboard.pipeline.revising import describe


@dataclass
class ImportReport:
    file: str
    sha256: str
    rows_in_file: int
    added: int
    unchanged: int
    conflicts: list[Conflict]
    corroborated: int
    new_documents: list[str]
    indicators: dict[str, int]
    warnings: list[Problem]
    written: bool = False
    repaired: bool = False  # the tables were behind observations.csv and were rebuilt
    previous: dict | None = None  # an earlier import of the same file (by sha256)
    record: dict | None = None  # the history record written
    tables: dict[str, int] = field(default_factory=dict)  # rows per table after the import
    revised: list[str] = field(default_factory=list)  # one line per figure revised
    withdrawn: list[str] = field(default_factory=list)  # one line per figure withdrawn
    release: dict | None = None  # the release record written (releases.jsonl)

    @property
    def replaced(self) -> int:
        return sum(c.outcome == "replaced" for c in self.conflicts)


def format_history(records: list[dict]) -> str:
    if not records:
        return "no imports recorded"
    lines = [f"{'when (UTC)':20s} {'added':>6s} {'same':>6s} {'confl':>6s} {'repl':>5s} {'docs':>4s}  file"]
    for r in records:
        when = str(r.get("at", "?")).replace("T", " ")[:19]
        note = " (tables rebuilt)" if r.get("repaired") else ""
        lines.append(
            f"{when:20s} {r.get('added', 0):6d} {r.get('unchanged', 0):6d} {r.get('conflicts', 0):6d} "
            f"{r.get('replaced', 0):5d} {len(r.get('new_documents', [])):4d}  {r.get('file', '?')} "
            f"[{str(r.get('sha256', ''))[:12]}]{note}"
        )
    return "\n".join(lines)


def make_report(
    plan: Plan, conflicts: list[Conflict], corroborated: int, history: list[dict]
) -> ImportReport:
    previous = next((h for h in reversed(history) if h.get("sha256") == plan.sha256), None)
    revised = [
        f"row {rv.file_row}: {describe(rv.row)}: {' / '.join(rv.old_values)} -> {rv.row['value']} "
        f"({rv.reason})"
        for rv in plan.revisions
    ]
    withdrawn = [
        f"row {w.file_row}: {w.figure}: {' / '.join(w.old_values)} withdrawn ({w.reason})"
        for w in plan.withdrawals
    ]
    return ImportReport(
        file=plan.file.name,
        sha256=plan.sha256,
        rows_in_file=plan.rows_in_file,
        revised=revised,
        withdrawn=withdrawn,
        added=len(plan.added) - len(plan.revisions),
        unchanged=len(plan.unchanged),
        conflicts=conflicts,
        corroborated=corroborated,
        new_documents=[nd.doc.id for nd in plan.new_documents],
        indicators=dict(Counter(r["indicator"] for r in plan.added)),
        warnings=plan.warnings,
        previous=previous,
    )


def format_report(report: ImportReport, dry_run: bool = False) -> str:
    verb = "would add" if dry_run else "added"
    lines = []
    lines += _revision_lines(report, dry_run)
    if report.added == 0 and (report.revised or report.withdrawn):
        lines.append(f"  {'unchanged':10s} {report.unchanged:6d} rows already in observations.csv")
    elif report.added == 0:
        prev = report.previous
        since = f" (imported {str(prev.get('at', ''))[:10]} from {prev.get('file')})" if prev else ""
        lines.append(f"nothing new: all {report.unchanged} rows are already in observations.csv{since}")
    else:
        per = ", ".join(f"{k} {v}" for k, v in sorted(report.indicators.items()))
        lines.append(f"  {verb:10s} {report.added:6d} rows ({per})")
        lines.append(f"  {'unchanged':10s} {report.unchanged:6d} rows already in observations.csv")
        lines.append(f"  {'agreeing':10s} {report.corroborated:6d} figures now confirmed by another source")
        lines.append(
            f"  {'conflicts':10s} {len(report.conflicts):6d} figures whose sources disagree, resolved by the "
            f"precedence rule ({report.replaced} now show the new value)"
        )
        for c in report.conflicts:
            lines.append(f"    {c}")
        if report.new_documents:
            lines.append(
                f"  {'documents':10s} {len(report.new_documents):6d} new: {', '.join(report.new_documents)}"
            )
    if report.release:
        lines.append(f"  recorded as release {report.release['release']} ({report.release['by']})")
    if report.repaired:
        lines.append("  the tables were behind observations.csv (an interrupted import?) and were rebuilt")
    for w in report.warnings:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


def _revision_lines(report: ImportReport, dry_run: bool) -> list[str]:
    lines = []
    if report.revised:
        lines.append(f"  {'would revise' if dry_run else 'revised':10s} {len(report.revised):6d} figures")
        lines += [f"    {r}" for r in report.revised]
    if report.withdrawn:
        lines.append(
            f"  {'would withdraw' if dry_run else 'withdrawn':10s} {len(report.withdrawn):6d} figures"
        )
        lines += [f"    {w}" for w in report.withdrawn]
    return lines


def history_record(plan: Plan, report: ImportReport, new_csv: bytes, now: datetime) -> dict:
    """The line ``mtm import`` appends to history.jsonl (``new_csv``: observations.csv after the import)."""
    return {
        "at": now.astimezone(UTC).isoformat(timespec="seconds"),
        "file": plan.file.name,
        "sha256": plan.sha256,
        "rows_in_file": plan.rows_in_file,
        "added": report.added,
        "unchanged": report.unchanged,
        "conflicts": len(report.conflicts),
        "replaced": report.replaced,
        "corroborated": report.corroborated,
        "new_documents": report.new_documents,
        "indicators": report.indicators,
        "source_csv_sha256": hashlib.sha256(new_csv).hexdigest(),
        "repaired": report.repaired,
    }
