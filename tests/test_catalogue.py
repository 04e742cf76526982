"""The catalogue is valid, and the data and the catalogue agree."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq
import pycountry
import pytest

from dashboard.catalogue import catalogue
from dashboard.countries import country_name, is_valid_code
from dashboard.periods import PERIOD_TYPES
from tests.fixtures_data import OBSERVATION_TABLES, PARQUET_DIR, committed_store, table_path

PSEUDO_CODES = {"TOT", "OTH"}


def _is_iso3(code: str) -> bool:
    return pycountry.countries.get(alpha_3=code) is not None


def test_catalogue_lists_the_expected_indicators():
    ids = [i.id for i in catalogue().indicators]
    assert len(ids) == len(set(ids)) == 18
    assert {"trp_issued", "visas_issued", "remittance_outflow", "border_arrivals", "arrivals"} <= set(ids)


def test_catalogue_references_are_consistent():
    cat = catalogue()
    units = {u.id for u in cat.units}
    measures = {m.id for m in cat.measures}
    domains = {d.id for d in cat.domains}
    for ind in cat.indicators:
        assert ind.domain in domains, ind.id
        assert set(ind.units) <= units, ind.id
        assert set(ind.measures) <= measures, ind.id
        assert set(ind.granularities) <= set(PERIOD_TYPES), ind.id
        assert ind.default.measure in ind.measures and ind.default.unit in ind.units, ind.id


def test_every_table_combination_is_allowed_by_the_catalogue():
    cat = catalogue()
    combos = committed_store().observations.select("indicator", "measure", "unit", "period_type").unique()
    bad = []
    for indicator, measure, unit, period_type in combos.iter_rows():
        if not cat.has_indicator(indicator):
            bad.append((indicator, "unknown indicator"))
            continue
        ind = cat.indicator(indicator)
        if measure not in ind.measures:
            bad.append((indicator, f"measure {measure}"))
        if unit not in ind.units:
            bad.append((indicator, f"unit {unit}"))
        if period_type not in ind.granularities:
            bad.append((indicator, f"period_type {period_type}"))
    assert bad == []


def test_share_and_change_measures_are_in_percent_and_levels_are_not():
    obs = committed_store().observations
    pct_measures = ["share_pct", "change_pct_yoy", "change_pct_prev"]
    assert obs.filter(pl.col("measure").is_in(pct_measures) & (pl.col("unit") != "percent")).height == 0
    levels = ["count", "amount"]
    assert obs.filter(pl.col("measure").is_in(levels) & (pl.col("unit") == "percent")).height == 0


def test_every_catalogue_indicator_has_data():
    present = set(committed_store().observations["indicator"].unique().to_list())
    missing = [i.id for i in catalogue().indicators if i.id not in present]
    assert missing == []


@pytest.mark.parametrize("table", OBSERVATION_TABLES)
def test_each_table_holds_only_its_domain(table):
    cat = catalogue()
    column = pq.read_table(table_path(PARQUET_DIR, table), columns=["indicator"])["indicator"]
    indicators = set(column.to_pylist())
    assert indicators, table
    assert {cat.indicator(i).domain for i in indicators} == {table}


def test_every_country_code_is_iso3_or_pseudo():
    codes = set(committed_store().observations["country_iso3"].unique().to_list())
    bad = sorted(c for c in codes if c not in PSEUDO_CODES and not _is_iso3(c))
    assert bad == []
    assert {"TOT", "OTH", "UZB", "RUS"} <= codes


def test_every_group_member_is_iso3():
    cat = catalogue()
    for g in cat.country_groups:
        bad = [m for m in g.members if not _is_iso3(m)]
        assert bad == [], g.id
        if g.complement_of:
            assert g.members == ()
    assert cat.group("CIS").members == ("ARM", "AZE", "BLR", "KAZ", "KGZ", "MDA", "RUS", "TJK", "TKM", "UZB")


def test_complement_group_is_taken_within_the_universe():
    cat = catalogue()
    universe = frozenset({"RUS", "UZB", "CHN", "TUR"})
    assert cat.group_members("NONCIS", universe) == frozenset({"CHN", "TUR"})
    assert cat.group_members("CIS", universe) == frozenset(cat.group("CIS").members)


@pytest.mark.parametrize(
    ("code", "valid"),
    [("UZB", True), ("TOT", True), ("OTH", True), ("XXX", False), ("uzb", False), ("UZ", False), ("", False)],
)
def test_is_valid_code(code, valid):
    assert is_valid_code(code) is valid


def test_country_names():
    assert country_name("TOT") == "Total"
    assert country_name("OTH") == "Other countries"
    assert country_name("UZB") == "Uzbekistan"
    assert country_name("KOR") == "South Korea"


def test_unknown_indicator_is_a_key_error():
    with pytest.raises(KeyError):
        catalogue().indicator("no_such_indicator")
    assert catalogue().has_indicator("trp_issued") is True
    assert catalogue().has_indicator("no_such_indicator") is False
