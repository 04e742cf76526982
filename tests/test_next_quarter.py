"""A quarter after the shipped data arrives by import and shows up everywhere, with no code change.

The figures come from a SYNTHETIC test file (tests/data/, never shipped): a quarter after any shipped one,
imported into a copy of the data directory as a data officer would.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from dashboard import briefing
from dashboard.catalogue import catalogue
from dashboard.data import DataStore
from dashboard.ids import Ids
from dashboard.periods import quarter_range, split_quarter
from dashboard.pipeline.importer import DataPaths, import_file
from dashboard.state import parse_query, period_choices, trend_quarters, trend_window
from layouts import briefing as briefing_page
from layouts import explorer as explorer_page
from layouts import overview
from tests.fixtures_data import committed_store
from tests.test_briefing import find, texts

ROOT = Path(__file__).resolve().parent.parent
FILE = ROOT / "tests" / "data" / "synthetic-2026-q1.csv"
DOCUMENTS = ROOT / "tests" / "data" / "synthetic-2026-q1-documents.csv"
NEW_QUARTER = "2026-Q1"  # the synthetic file's quarter (the test checks it is later than the shipped data)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> DataStore:
    root = tmp_path_factory.mktemp("clone") / "data"
    shutil.copytree(ROOT / "data" / "sources", root / "sources")
    shutil.copytree(ROOT / "data" / "parquet", root / "parquet")
    paths = DataPaths.under(root)
    report = import_file(FILE, paths, documents=DOCUMENTS, today=date(2026, 5, 1))
    assert report.added == 2
    return DataStore.load(paths.parquet)


def test_the_synthetic_quarter_is_later_than_the_shipped_data():
    shipped_last = committed_store().quarter_span()[1]
    assert split_quarter(NEW_QUARTER) > split_quarter(shipped_last)


def test_the_trend_and_its_range_pickers_reach_the_new_quarter(store):
    first, last = trend_window(store)
    assert last == NEW_QUARTER
    assert len(quarter_range(first, last)) == catalogue().explorer.trend_quarters
    state = parse_query("?indicator=trp_issued", store)
    assert state.last == NEW_QUARTER
    assert trend_quarters(store, state)[-1] == NEW_QUARTER
    series = store.series("trp_issued", "count", "permits", ("TOT",), "quarter", state.first, state.last)
    point = series.filter((series["period"] == NEW_QUARTER) & (series["country_iso3"] == "TOT"))
    assert point["value"].to_list() == [123456.0]


def test_the_period_picker_offers_it_first_and_the_explorer_opens_on_it(store):
    ind = catalogue().indicator("trp_issued")
    assert period_choices(store, ind, "count", "permits")[0] == (NEW_QUARTER, "quarter")
    state = parse_query("?indicator=trp_issued", store)
    assert (state.period, state.period_type) == (NEW_QUARTER, "quarter")
    page = explorer_page.layout(state, store, {})
    (picker,) = find(page, lambda c: getattr(c, "id", None) == Ids.PERIOD)
    assert picker.value == f"quarter|{NEW_QUARTER}"
    assert picker.options[0]["label"].startswith("Q1 2026")
    (last,) = find(page, lambda c: getattr(c, "id", None) == Ids.LAST)
    assert last.value == NEW_QUARTER and last.options[-1] == NEW_QUARTER


def test_the_overview_card_shows_it(store):
    page = " ".join(texts(overview.layout(store, {}, {})))
    assert "123,456" in page and "Q1 2026" in page


def test_the_briefing_for_the_new_quarter_shows_it(store):
    assert NEW_QUARTER in briefing.quarters_with_data(store)
    page = " ".join(texts(briefing_page.layout(store, NEW_QUARTER, {})))
    assert "123,456" in page and "Q1 2026" in page
