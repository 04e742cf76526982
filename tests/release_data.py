"""A copy of data/ with one revision and one withdrawal after the shipped releases, for the tests of how the
dashboard shows releases (the values and reasons are labelled as test fixtures; never shipped)."""

from __future__ import annotations

import csv
import shutil
from datetime import UTC, datetime
from pathlib import Path

from dashboard.pipeline.importer import DataPaths, import_file, withdraw
from dashboard.schema import SOURCE_COLUMNS
from tests.fixtures_data import ROOT, csv_rows

REVISED_AT = datetime(2026, 12, 10, 9, 30, tzinfo=UTC)
WITHDRAWN_AT = datetime(2026, 12, 11, 9, 30, tzinfo=UTC)
REVISION_REASON = "corrected by the ministry (test fixture)"
WITHDRAWAL_REASON = "retracted by the publisher (test fixture)"
OLD_VALUE, NEW_VALUE = 308710.0, 308800.0  # trp_issued 2023-Q2 total, the first source row
WITHDRAWN_ROW = 2  # trp_issued 2023-Q2 Uzbekistan share 68.8 %


def make_release_data(root: Path) -> DataPaths:
    """data/ copied under ``root``, then a release revising trp_issued 2023-Q2 (308,710 -> 308,800) and a
    release withdrawing Uzbekistan's share of it (68.8 %). Returns the copy's paths."""
    shutil.copytree(ROOT / "data" / "sources", root / "sources")
    shutil.copytree(ROOT / "data" / "parquet", root / "parquet")
    paths = DataPaths.under(root)
    first = dict(csv_rows()[0])
    revision = root / "revise.csv"
    with open(revision, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=(*SOURCE_COLUMNS, "reason"), extrasaction="ignore")
        w.writeheader()
        w.writerow({**first, "value": "308800", "reason": REVISION_REASON})
    import_file(
        revision, paths, revise=True, by="tester", note="correction", now=REVISED_AT, today=REVISED_AT.date()
    )
    withdraw([WITHDRAWN_ROW], WITHDRAWAL_REASON, paths, by="tester", note="retraction", now=WITHDRAWN_AT)
    return paths
