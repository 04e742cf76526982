"""The data API: seed figures exactly, missing is not zero, headline comparisons, thread safety."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

import dashboard.data as data
from dashboard.catalogue import catalogue
from dashboard.data import DataStore, get_store
from dashboard.derivations import describe
from dashboard.formatting import fmt_change_pct, fmt_value
from dashboard.pipeline.build import build_tables, write_tables
from tests.fixtures_data import PARQUET_DIR, committed_store, csv_header, csv_raw_rows, fresh_store, write_csv


@pytest.fixture(scope="module", params=["committed", "fresh"])
def store(request, tmp_path_factory) -> DataStore:
    """The store from the committed data/parquet, and from a fresh build written to a temporary directory."""
    if request.param == "committed":
        return committed_store()
    return fresh_store(tmp_path_factory.mktemp("fresh_parquet"))


# -- 1. seed figures -----------------------------------------------------------------------------------


def test_trp_total_q2_2023(store):
    f = store.figure("trp_issued", "2023-Q2")
    assert (f.value, f.status, f.unit) == (308710, "published", "permits")
    assert (f.measure, f.country_iso3) == ("count", "TOT")
    assert f.conflict is False and f.alternatives == ()
    (sid,) = f.source_ids
    src = store.source_rows([sid]).row(0, named=True)
    assert src["document"] == "IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"
    assert "308,710" in src["quote"]


def test_trp_uzbekistan_share_and_derived_count(store):
    total = store.figure("trp_issued", "2023-Q2")
    share = store.figure("trp_issued", "2023-Q2", "quarter", "UZB", "share_pct")
    assert (share.value, share.status, share.unit) == (68.8, "published", "percent")

    count = store.figure("trp_issued", "2023-Q2", "quarter", "UZB", "count", "permits")
    assert count.status == "derived"
    assert round(count.value) == 212392
    assert count.value == pytest.approx(0.688 * 308710)
    assert "68.8% of 308,710" in describe(count.derivation)
    assert set(count.source_ids) == {share.source_ids[0], total.source_ids[0]}
    assert len(count.source_ids) == 2
    assert store.documents_for(count.source_ids) == [
        "IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"
    ]


def test_remittance_outflow_months_and_quarter(store):
    months = store.months_of_quarter("remittance_outflow", "2023-Q2")
    assert [(f.period, f.value, f.unit, f.status) for f in months] == [
        ("2023-04", 76.4, "KZT_bn", "published"),
        ("2023-05", 89.9, "KZT_bn", "published"),
        ("2023-06", 87.5, "KZT_bn", "published"),
    ]
    q = store.figure("remittance_outflow", "2023-Q2")
    assert (q.value, q.unit, q.status) == (253.8, "KZT_bn", "published")  # printed, not the sum of months


def test_visas_and_cis_workers_q2_2023(store):
    v = store.figure("visas_issued", "2023-Q2")
    assert (v.value, v.unit, v.status) == (1653, "visas", "published")
    w = store.figure("migrant_workers_cis", "2023-Q2")
    assert (w.value, w.unit, w.status) == (254393, "persons", "published")


# -- 6. missing is not zero ----------------------------------------------------------------------------


def test_unreported_figure_is_none_not_zero(store):
    f = store.figure("visas_issued", "2024-Q1")
    assert f.value is None
    assert f.status == "not_reported"
    assert f.reported is False
    assert f.source_ids == () and f.alternatives == ()


def test_series_gaps_are_null_not_zero(store):
    s = store.series("remittance_outflow", "amount", "KZT_bn", first="2022-Q1", last="2023-Q4")
    assert s.select("country_iso3", "period", "value", "status").rows() == [
        ("TOT", "2022-Q1", None, "not_reported"),
        ("TOT", "2022-Q2", 306.3, "published"),
        ("TOT", "2022-Q3", None, "not_reported"),
        ("TOT", "2022-Q4", None, "not_reported"),
        ("TOT", "2023-Q1", 182.9, "published"),
        ("TOT", "2023-Q2", 253.8, "published"),
        ("TOT", "2023-Q3", None, "not_reported"),
        ("TOT", "2023-Q4", None, "not_reported"),
    ]
    assert s["value"].null_count() == 5
    assert 0 not in s["value"].drop_nulls().to_list()


def test_series_of_several_countries_fills_each(store):
    s = store.series(
        "trp_issued", "count", "permits", countries=("TOT", "UZB"), first="2023-Q1", last="2023-Q2"
    )
    assert s.select("country_iso3", "period", "value", "status").rows() == [
        ("TOT", "2023-Q1", 82000.0, "published"),
        ("TOT", "2023-Q2", 308710.0, "published"),
        ("UZB", "2023-Q1", None, "not_reported"),
        ("UZB", "2023-Q2", pytest.approx(212392.48), "derived"),
    ]


def test_formatting_of_missing_and_values():
    assert fmt_value(None, "persons") == "not reported"
    assert fmt_value(float("nan"), "KZT_bn") == "not reported"
    assert fmt_value(0.0, "persons") == "0"  # a reported zero stays a zero
    assert fmt_value(308710, "permits") == "308,710"
    assert fmt_value(253.8, "KZT_bn") == "253.8 bn KZT"
    assert fmt_value(68.8, "percent") == "68.8%"
    assert fmt_change_pct(None) == "not reported"
    assert fmt_change_pct(12.54) == "+12.5%"
    assert fmt_change_pct(-3.0) == "−3.0%"


# -- 10. headline ------------------------------------------------------------------------------------


def test_headline_trp(store):
    h = store.headline("trp_issued")
    assert (h.current.period, h.current.value, h.current.status) == ("2023-Q2", 308710, "published")
    assert (h.previous.period, h.previous.value, h.previous.status) == ("2023-Q1", 82000, "published")
    assert h.change_prev.status == "derived"
    assert h.change_prev.value == pytest.approx(276.48, abs=0.005)
    assert h.change_prev.value == pytest.approx((308710 / 82000 - 1) * 100)
    assert set(h.change_prev.source_ids) == {h.current.source_ids[0], h.previous.source_ids[0]}
    assert (h.year_ago.period, h.year_ago.value, h.year_ago.status) == ("2022-Q2", None, "not_reported")
    assert h.change_yoy.value is None
    assert h.change_yoy.status == "not_reported"
    assert [f.period for f in h.trend][-1] == "2023-Q2" and len(h.trend) == 9


def test_headline_prefers_a_published_change(store):
    h = store.headline("remittance_outflow")
    assert (h.current.period, h.current.value, h.current.unit) == ("2023-Q2", 253.8, "KZT_bn")
    assert (h.previous.value, h.year_ago.value) == (182.9, 306.3)
    assert (h.change_prev.value, h.change_prev.status) == (38.76, "published")
    assert (h.change_yoy.value, h.change_yoy.status) == (-17.14, "published")
    assert h.change_prev.how == "as published (previous period)"
    quotes = store.source_rows(h.change_yoy.source_ids)["quote"].to_list()
    assert quotes == ["has decreased by 17.14 percent"]


def test_headline_in_usd_takes_a_published_change_only_from_the_level_s_document(store):
    h = store.headline("remittance_outflow", unit="USD_mn")
    assert (h.current.period, h.current.value, h.current.unit) == ("2023-Q2", 558.36, "USD_mn")
    assert (h.year_ago.period, h.year_ago.value) == ("2022-Q2", 673.86)
    # the IOM report prints the USD level and the change beside it: that change may be shown
    doc = store.documents_for(h.current.source_ids)
    assert doc == ["IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"]
    assert (h.change_yoy.value, h.change_yoy.status) == (-17.14, "published")
    assert store.documents_for(h.change_yoy.source_ids) == doc


def test_no_headline_shows_a_published_change_from_another_document(store):
    n_published = 0
    for ind in catalogue().indicators:
        for unit in ind.units:
            if unit == "percent":
                continue
            h = store.headline(ind.id, unit=unit)
            if h is None:
                continue
            for change in (h.change_prev, h.change_yoy):
                if change.status == "published":
                    n_published += 1
                    level_docs = set(store.documents_for(h.current.source_ids))
                    assert set(store.documents_for(change.source_ids)) & level_docs, (ind.id, unit, change)
    assert n_published >= 2


def _row(indicator: str, period: str, country: str, measure: str, unit: str, document: str) -> list[str]:
    """The one source CSV row printing this figure in a document whose title starts with ``document``."""
    h = csv_header()
    want = dict(indicator=indicator, period=period, country_iso3=country, measure=measure, unit=unit)
    (row,) = [
        list(r)
        for r in csv_raw_rows()
        if all(r[h.index(k)] == v for k, v in want.items()) and r[h.index("document")].startswith(document)
    ]
    return row


def _store_of(tmp_path, rows: list[list[str]]) -> DataStore:
    path = write_csv(tmp_path / "observations.csv", csv_header(), rows)
    write_tables(build_tables(path), tmp_path / "parquet")
    return DataStore.load(tmp_path / "parquet")


def test_headline_does_not_show_a_change_printed_by_another_document(tmp_path):
    # H1 2025: Kursiv prints the USD level; CentralAsianLight prints the KZT level and a change of -15.8%
    # (in tenge); H1 2024: another Kursiv article prints the USD level.
    usd_2025 = _row("remittance_outflow", "2025-H1", "TOT", "amount", "USD_mn", "Kursiv")
    usd_2024 = _row("remittance_outflow", "2024-H1", "TOT", "amount", "USD_mn", "Kursiv")
    kzt_2025 = _row("remittance_outflow", "2025-H1", "TOT", "amount", "KZT_bn", "CentralAsianLight")
    change = _row("remittance_outflow", "2025-H1", "TOT", "change_pct_yoy", "percent", "CentralAsianLight")
    store = _store_of(tmp_path, [usd_2025, usd_2024, kzt_2025, change])
    published = store.figure("remittance_outflow", "2025-H1", "half", "TOT", "change_pct_yoy", "percent")
    assert (published.value, published.status) == (-15.8, "published")  # the trap is there

    h = store.headline("remittance_outflow", unit="USD_mn")
    assert (h.current.period, h.current.value) == ("2025-H1", 590)
    assert (h.year_ago.period, h.year_ago.value) == ("2024-H1", 805)
    assert h.change_yoy.value != -15.8
    assert h.change_yoy.status == "derived"
    assert h.change_yoy.value == pytest.approx((590 / 805 - 1) * 100)
    assert h.change_yoy.how.startswith("computed")
    assert set(h.change_yoy.source_ids) == {*h.current.source_ids, *h.year_ago.source_ids}
    assert published.source_ids[0] not in h.change_yoy.source_ids
    assert h.change_prev.status == "not_reported"  # H2 2024 was not printed

    # in tenge the level and the change come from the same article: the printed change is shown
    h = store.headline("remittance_outflow", unit="KZT_bn")
    assert (h.current.value, h.change_yoy.value, h.change_yoy.status) == (391.6, -15.8, "published")
    assert h.change_yoy.source_ids == published.source_ids


def test_headline_of_a_ytd_ending_on_29_february_has_no_year_earlier(tmp_path):
    h = csv_header()
    row = list(csv_raw_rows()[0])  # trp_issued total, which may be reported year to date
    assert row[h.index("indicator")] == "trp_issued" and row[h.index("country_iso3")] == "TOT"
    row[h.index("period")], row[h.index("period_type")] = "2024-01-01..2024-02-29", "ytd"
    store = _store_of(tmp_path, [row])
    head = store.headline("trp_issued")
    assert (head.current.period, head.current.period_type) == ("2024-01-01..2024-02-29", "ytd")
    assert head.year_ago is None and head.previous is None
    assert (head.change_yoy.value, head.change_yoy.status) == (None, "not_reported")


# -- derived counts ------------------------------------------------------------------------------------


def test_count_derived_from_a_total_chosen_among_conflicting_sources_is_a_conflict(store):
    # the USD total of H1 2025 was printed twice by the same Kursiv article: 195 and 190 million
    total = store.figure("remittance_inflow", "2025-H1", "half", "TOT", "amount", "USD_mn")
    assert (total.value, total.conflict) == (195.0, True)
    assert sorted(a.value for a in total.alternatives) == [190.0, 195.0]
    share = store.figure("remittance_inflow", "2025-H1", "half", "UZB", "share_pct", "percent")
    assert (share.value, share.conflict) == (5.2, False)

    f = store.figure("remittance_inflow", "2025-H1", "half", "UZB", "amount", "USD_mn")
    assert f.status == "derived"
    assert f.value == pytest.approx(0.052 * 195)
    assert set(f.source_ids) == {share.source_ids[0], total.source_ids[0]}
    assert f.conflict is True
    assert "the total was chosen among 2 differing sources" in describe(f.derivation)
    assert describe(f.derivation).startswith("5.2% of 195")


def test_headline_of_unknown_indicator_raises():
    with pytest.raises(KeyError):
        committed_store().headline("no_such_indicator")


# -- thread safety --------------------------------------------------------------------------------


def test_concurrent_get_store_and_figure(monkeypatch):
    monkeypatch.setattr(data, "_current", None)  # force a (concurrent) first load
    n = 8
    barrier = threading.Barrier(n)
    queries = [
        ("trp_issued", "2023-Q2", "quarter", "TOT", None, None),
        ("trp_issued", "2023-Q2", "quarter", "UZB", "count", "permits"),
        ("arrivals", "2024", "year", "TOT", None, None),
        ("visas_issued", "2024-Q1", "quarter", "TOT", None, None),
        ("border_arrivals", "2022-Q3", "quarter", "RUS", None, None),
    ]

    def work(_):
        barrier.wait(timeout=10)
        out = []
        for _round in range(3):
            s = get_store(PARQUET_DIR)
            out.append((id(s), tuple(s.figure(*q) for q in queries)))
        return out

    with ThreadPoolExecutor(max_workers=n) as pool:
        results = list(pool.map(work, range(n)))
    flat = [r for rs in results for r in rs]
    assert len({store_id for store_id, _ in flat}) == 1  # one store, loaded once
    answers = {figs for _, figs in flat}
    assert len(answers) == 1
    (figs,) = answers
    assert [f.value for f in figs][:1] == [308710]
    assert round(figs[1].value) == 212392
    assert figs[3].value is None and figs[3].status == "not_reported"
    assert figs[4].value == 1285000
