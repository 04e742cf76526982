"""Where an import reads and writes: the data directory's files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dashboard.history import HISTORY_FILE
from dashboard.pipeline.build import ROOT


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


DEFAULT_DATA_DIR = ROOT / "data"
DEFAULT_PATHS = DataPaths.under(DEFAULT_DATA_DIR)
