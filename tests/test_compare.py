"""The ranking chart and the explorer's compare mode (issue 16 §2): the comparison, its figures and table,
checked against data/sources/observations.csv worked out by hand.

foreign_workers_permit_holders, count in persons, as of 1 Oct 2025 and 1 Dec 2025 (Ministry of Labour):
CHN 5330 -> 5604 (+274, +5.14 %), UZB 2682 -> 2110 (-572, -21.33 %), TUR 1046 -> 1036 (-10, -0.96 %),
IND 1012 -> 943 (-69, -6.82 %). trp_issued Q2 2023: counts derived from printed shares x 308,710 (UZB 68.8 %
-> 212,392); 2023-Q1 lists no country.
"""

from __future__ import annotations

import re

import pytest
from dash import html

from dashboard import charts, compare, panels
from dashboard.catalogue import catalogue
from dashboard.data import get_store
from dashboard.figures.compare import compare_bars, slope
from dashboard.figures.ranking import ranking
from dashboard.state import parse_query
from dashboard.views import shown_rows
from layouts import compare as compare_layout
from layouts.html_text import to_html

WORKERS = "?indicator=foreign_workers_permit_holders&period=2025-12-01&vs=2025-10-01&mode=compare"


@pytest.fixture(scope="module")
def store():
    return get_store()


@pytest.fixture(scope="module")
def workers(store):
    return compare.comparison(store, parse_query(WORKERS, store))


def test_comparison_country_by_country(workers):
    assert workers.ok and (workers.other, workers.label) == ("2025-10-01", "as of 1 December 2025")
    got = {r.country: (r.value("base"), r.value("current"), r.change) for r in workers.rows}
    assert got == {
        "CHN": (5330, 5604, 274),
        "UZB": (2682, 2110, -572),
        "TUR": (1046, 1036, -10),
        "IND": (1012, 943, -69),
    }
    pct = {r.country: r.change_pct for r in workers.rows}
    assert pct["CHN"] == pytest.approx(274 / 5330 * 100) and pct["UZB"] == pytest.approx(-572 / 2682 * 100)
    assert [r.country for r in workers.rows] == ["CHN", "UZB", "TUR", "IND"]  # largest first, now


def test_the_other_period_is_the_explainers_vs(store):
    # vs=prev resolves as the explainer does: for a stock, the latest earlier date with a figure
    s = parse_query(WORKERS.replace("&vs=2025-10-01", ""), store)
    assert s.vs == "prev" and s.mode == "compare"
    c = compare.comparison(store, s)
    assert c.ok and c.other is not None and c.other < s.period
    earlier = [d for d in store.periods(s.indicator, "date", s.measure, s.unit) if d < s.period]
    assert c.other == earlier[-1]


def test_a_country_listed_in_one_period_is_never_a_zero(store):
    s = parse_query("?indicator=trp_issued&period=2023-Q2&mode=compare", store)
    c = compare.comparison(store, s)
    assert c.ok and c.other == "2023-Q1"
    uzb = next(r for r in c.rows if r.country == "UZB")
    assert uzb.value("current") == pytest.approx(308710 * 0.688) and uzb.derived
    assert uzb.value("base") is None and uzb.change is None and uzb.change_pct is None
    bars = compare_bars(c, catalogue().indicator("trp_issued"))
    base = bars.data[1]
    assert list(base.x) == []  # no bar of Q1 2023: nothing drawn as 0
    notes = " | ".join(a.text for a in bars.layout.annotations)
    assert "Not listed in Q1 2023: Uzbekistan" in notes and "derived" in notes
    line = slope(c, catalogue().indicator("trp_issued"))
    assert not line.data and "No country is listed in both" in line.layout.meta["message"]
    row = to_html(compare_layout.table(c))
    assert "not listed" in row and "0.0%" not in row


def test_refused_periods_say_why_and_draw_nothing(store):
    s = parse_query("?indicator=arrivals&period=2025-Q1&mode=compare", store)
    c = compare.comparison(store, s)
    assert not c.ok and c.message and "Nothing was reported" in c.message
    for build in (compare_bars, slope):
        fig = build(c, catalogue().indicator("arrivals"))
        assert not fig.data and fig.layout.meta["empty"]
    assert to_html(compare_layout.table(c)) == f'<p class="small mb-0">{c.message}</p>'
    # the same words as the change explainer's refusal
    assert compare_layout.heading(c) == "These two periods cannot be compared."


def test_ranking_bars_largest_first_with_derived_hatched(store):
    rows = store.breakdown("trp_issued", "2023-Q2", "quarter", "count", "permits")
    fig = ranking(rows, catalogue().indicator("trp_issued"), "count", "permits", "Q2 2023", ("RUS",))
    bar = fig.data[0]
    assert bar.orientation == "h" and list(bar.customdata[:3]) == ["UZB", "RUS", "KGZ"]
    assert bar.x[0] == pytest.approx(212392.48)
    assert set(bar.marker.pattern.shape) == {"/"}  # every count is derived from a printed share
    assert bar.marker.color[1] != bar.marker.color[0]  # the chosen country stands out
    assert "derived: " in bar.hovertext[0]
    assert "Uzbekistan 212,392 permits" in fig.layout.meta["summary"]
    assert "TOT" not in bar.customdata and "OTH" not in bar.customdata


def test_ranking_of_nothing_says_so(store):
    rows = store.breakdown("trp_issued", "2023-Q1", "quarter", "count", "permits")
    fig = ranking(rows, catalogue().indicator("trp_issued"), "count", "permits", "Q1 2023")
    assert not fig.data and "No figures by country reported for Q1 2023" in fig.layout.meta["message"]


def test_compare_figures_of_the_workers(workers):
    ind = catalogue().indicator("foreign_workers_permit_holders")
    bars = compare_bars(workers, ind)
    now, before = bars.data[0], bars.data[1]
    assert list(now.x) == [5604, 2110, 1036, 943] and list(before.x) == [5330, 2682, 1046, 1012]
    assert bars.layout.barmode == "group" and now.name == "as of 1 December 2025"
    line = slope(workers, ind)
    uzb = next(t for t in line.data if t.meta["country"] == "UZB")
    assert list(uzb.y) == [2682, 2110] and list(uzb.x) == ["as of 1 October 2025", "as of 1 December 2025"]
    assert "−572 persons (−21.3%)" in uzb.hovertext[0]
    assert "Uzbekistan: from 2,682 persons" in line.layout.meta["summary"]


def test_table_sorts_by_data_values(workers):
    table = compare_layout.table(workers)
    markup = to_html(table)
    assert markup.count('class="btn btn-link btn-sm p-0 text-reset fw-semibold compare-sort"') == 5
    assert 'aria-sort="descending"' in markup  # the rows come largest first in the view's period
    # each number cell carries its raw value: what assets/compare_table.js sorts by
    values = [float(v) for v in re.findall(r'data-value="(-?[0-9.e+-]+)"', markup)]
    assert any(v == pytest.approx(-572 / 2682 * 100) for v in values) and -572.0 in values
    assert "−21.3%" in markup and "+274" in markup
    assert isinstance(table, html.Div)


def test_panels_and_the_download_carry_both_periods(store):
    s = parse_query(WORKERS, store)
    for chart in ("compare_bars", "slope"):
        p = panels.BUILDERS[chart](store, s)
        docs = store.documents_for(p.source_ids)
        assert len(docs) == 2  # one document per date (Zakon.kz, CentralAsia.media)
    rows = compare.with_other_period(store, s, shown_rows(store, s))
    both = rows.filter(rows["country_iso3"] == "UZB")
    assert sorted(both["period"].to_list()) == ["2025-10-01", "2025-12-01"]
    explore = s.with_(mode="explore")
    assert compare.with_other_period(store, explore, shown_rows(store, explore)).height < rows.height


def test_compare_charts_are_registered_for_compare_mode_only():
    kinds = {k.id: k for k in charts.KINDS}
    assert kinds["ranking"].mode is None and kinds["ranking"].drawn_with == "map"
    assert kinds["compare_bars"].mode == kinds["slope"].mode == "compare"
    assert {k.id for k in charts.EXPLORE_KINDS} == {"map", "donut", "ranking", "series", "spans"}
