"""The import history, read side: ``data/history.jsonl``, one JSON object per ``mtm import``.

The pipeline (``dashboard.pipeline``) appends the records; the web app only reads them (the overview's
freshness), so reading lives here, outside the pipeline, and the app never imports the write side.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

HISTORY_FILE = "history.jsonl"  # in the data directory, next to sources/ and parquet/
DEFAULT_HISTORY = Path(__file__).resolve().parent.parent / "data" / HISTORY_FILE


def read_history(path: Path | str = DEFAULT_HISTORY) -> list[dict]:
    """The recorded imports, oldest first (lines that are not JSON objects are skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            rec = json.loads(line)
            if isinstance(rec, dict):
                out.append(rec)
    return out
