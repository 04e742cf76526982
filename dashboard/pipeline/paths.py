"""Where an import reads and writes: the data directory's files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.history import HISTORY_FILE
from dashboard.pipeline.build import ROOT
from dashboard.releases import RELEASES_FILE, REVISIONS_FILE


@dataclass(frozen=True)
class DataPaths:
    """Where an import reads and writes; ``DataPaths.under(dir)`` for a copy (tests use tmp copies)."""

    csv: Path
    documents: Path
    parquet: Path
    history: Path

    @classmethod
    def under(cls, data_dir: Path | str) -> DataPaths:
        d = Path(data_dir)
        return cls(
            csv=d / "sources" / "observations.csv",
            documents=d / "sources" / "documents.yaml",
            parquet=d / "parquet",
            history=d / HISTORY_FILE,
        )

    @property
    def releases(self) -> Path:
        """The release record, next to observations.csv (see dashboard.releases)."""
        return self.csv.parent / RELEASES_FILE

    @property
    def revisions(self) -> Path:
        return self.csv.parent / REVISIONS_FILE


DEFAULT_DATA_DIR = ROOT / "data"
DEFAULT_PATHS = DataPaths.under(DEFAULT_DATA_DIR)
