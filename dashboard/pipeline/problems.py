"""What is wrong with an import file: one ``Problem`` per cell (or row, or file), and the exceptions that
carry them."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.pipeline.columns import DOC_COLUMNS
from dashboard.schema import SOURCE_COLUMNS


@dataclass(frozen=True)
class Problem:
    """One problem (or warning) in an import file: where, what is there, and what was expected."""

    row: int | None  # the file's row (CSV line / sheet row; header = 1); None for the whole file
    column: str | None
    found: str  # what is there, e.g. "'1,234'" or "missing"
    expected: str
    where: str = ""  # "" for the observations; "documents sheet" or a file name for the documents

    @property
    def location(self) -> str:
        parts = [self.where] if self.where else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts) or "file"

    def __str__(self) -> str:
        return f"{self.location}: {self.found} — expected {self.expected}"

    def sort_key(self) -> tuple:
        cols = (*SOURCE_COLUMNS, *DOC_COLUMNS)
        col = cols.index(self.column) if self.column in cols else -1
        return (self.where != "", self.where, self.row or 0, col)


class ImportRejected(Exception):
    """The file is not valid; nothing was written. ``problems`` lists every problem found."""

    def __init__(self, file: str, problems: list[Problem], warnings: list[Problem] | None = None):
        self.file = file
        self.problems = sorted(problems, key=Problem.sort_key)
        self.warnings = sorted(warnings or [], key=Problem.sort_key)
        super().__init__(
            f"{file}: {len(self.problems)} problem(s); nothing was written:\n"
            + "\n".join(str(p) for p in self.problems)
        )


class ImportBusy(RuntimeError):
    """Another import holds the lock on the data directory."""
