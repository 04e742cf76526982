"""The benchmark's SYNTHETIC data set loads in the app like real data and says it is synthetic."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

from dashboard.data import DataStore

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "make_synthetic.py"


def _module():
    spec = importlib.util.spec_from_file_location("make_synthetic", SCRIPT)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_a_small_synthetic_set_loads_and_is_labelled(tmp_path):
    out = tmp_path / "synthetic"
    _module().write(3000, out, years=3)
    store = DataStore.load(out)
    assert store.observations.height >= 3000 - 1
    assert store.latest_release == 1
    assert all("SYNTHETIC" in r.note for r in store.releases())
    assert store.sources.filter(~pl.col("document").str.contains("SYNTHETIC")).height == 0
