"""The catalogue is valid, and the data and the catalogue agree."""

from __future__ import annotations

import polars as pl
import pyarrow.parquet as pq
import pycountry
import pytest
import yaml
from pydantic import ValidationError

from dashboard.catalogue import CATALOGUE_PATH, Catalogue, catalogue
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


# -- the catalogue describes the domain: what agencies can print, and what makes no sense -------------------
def _yaml() -> dict:
    return yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))


def _with_indicator_change(**changes) -> dict:
    raw = _yaml()
    raw["indicators"][0] = {**raw["indicators"][0], **changes}
    return raw


def test_every_indicator_is_placed_in_the_briefing_or_excluded_with_a_reason():
    for ind in catalogue().indicators:
        place = ind.briefing
        assert (place.order is not None) != bool(place.excluded), ind.id
        if place.excluded:
            assert len(place.excluded.split()) >= 4, f"{ind.id}: say why it is excluded"
    placed = [i.id for _, inds in catalogue().briefing_sections() for i in inds]
    excluded = [i.id for i in catalogue().indicators if i.briefing.excluded]
    assert sorted(placed + excluded) == sorted(i.id for i in catalogue().indicators)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"kind": "stock", "granularities": ["date", "ytd"]}, "a stock has no ytd figures"),
        ({"kind": "flow", "granularities": ["quarter", "date"]}, "a flow has no date figures"),
        ({"units": ["permits"], "measures": ["count", "share_pct"]}, "need the unit percent"),
        (
            {
                "units": ["KZT_bn", "percent"],
                "measures": ["count"],
                "default": {"measure": "count", "unit": "KZT_bn"},
            },
            "needs a count unit",
        ),
        ({"briefing": {"order": 1, "excluded": "both at once is not a decision"}}, "either an order"),
        ({"briefing": {}}, "either an order"),
    ],
)
def test_the_catalogue_refuses_what_makes_no_sense(changes, message):
    with pytest.raises(ValidationError, match=message):
        Catalogue.model_validate(_with_indicator_change(**changes))


def test_a_row_unit_must_fit_its_measure():
    cat = catalogue()
    assert cat.unit_problem("share_pct", "percent") is None
    assert cat.unit_problem("count", "persons") is None
    assert cat.unit_problem("amount", "USD_mn") is None
    assert cat.unit_problem("change_abs_prev", "KZT_bn") is None
    assert "percent" in (cat.unit_problem("share_pct", "persons") or "")
    assert "count unit" in (cat.unit_problem("count", "KZT_bn") or "")
    assert "money unit" in (cat.unit_problem("amount", "persons") or "")
    assert cat.unit_problem("change_abs_prev", "percent") is not None


def test_flows_accept_every_span_an_agency_prints_and_stocks_only_points_in_time():
    for ind in catalogue().indicators:
        if ind.kind == "flow":
            assert {"quarter", "month", "half", "ytd", "year"} <= set(ind.granularities), ind.id
        else:
            assert not {"half", "ytd", "year"} & set(ind.granularities), ind.id
