"""What makes a first visit of a view fast (issue 14), checked for what it must not change: one period's rows
through the store's index are the rows a scan finds, traces built without plotly's validation are the JSON
the validated ones are, remembered number formats are Babel's, and a hidden compare-mode chart is not drawn
until its mode is chosen (nor is any other chart left undrawn)."""

from __future__ import annotations

import textwrap

import plotly.graph_objects as go
import polars as pl
import pytest
from babel.numbers import format_percent
from dash import no_update
from hypothesis import given, settings
from hypothesis import strategies as st

from callbacks import explorer as explorer_callbacks
from dashboard import charts, formatting, i18n, panels
from dashboard.app_factory import create_app
from dashboard.catalogue import catalogue
from dashboard.data import DataStore
from dashboard.figures.common import figure_json
from dashboard.figures.spans import wrap
from dashboard.state import parse_query, to_store
from tests.fixtures_data import committed_store

VIEWS = (
    "?indicator=trp_issued&period=2023-Q2",
    "?indicator=remittance_inflow&period=2023-Q2&countries=RUS,UZB",
    "?indicator=foreign_workers_permit_holders&lang=ru",
    "?indicator=trp_issued&period=2023-Q2&mode=compare&vs=2023-Q1",
)


@pytest.fixture(scope="module")
def store() -> DataStore:
    return committed_store()


def test_a_periods_rows_through_the_index_are_the_scanned_rows(store):
    checked = 0
    for ind in catalogue().indicators:
        for preferred in (True, False):
            frame = store.rows(ind.id) if preferred else store.all_rows(ind.id)
            for period, ptype in frame.select("period", "period_type").unique().iter_rows():
                scanned = frame.filter((pl.col("period") == period) & (pl.col("period_type") == ptype))
                assert store.period_rows(ind.id, period, ptype, preferred).equals(scanned)
                checked += 1
    assert checked > 100
    empty = store.period_rows("trp_issued", "1999-Q1", "quarter")  # no such period: no rows, same columns
    assert empty.is_empty() and empty.columns == store.rows("trp_issued").columns


def test_countries_rows_through_the_index_are_the_scanned_rows(store):
    """Rows of some countries and period types (and a period's rows added) come out as a scan finds them: the
    same rows in the same order (a trend, the longer-periods chart and the table are built from them)."""
    checked = 0
    for ind in catalogue().indicators:
        frame = store.rows(ind.id)
        codes = frame["country_iso3"].unique().sort().to_list()
        types = frame["period_type"].unique().sort().to_list()
        where, period_rows = store.period_index(ind.id)
        for countries in ([], codes[:1], codes[::2], [*codes[1:3], "TOT", "XXX"]):
            for ptypes in ([], types[:1], types, ["quarter", "month"]):
                wanted = pl.col("country_iso3").is_in(countries) & pl.col("period_type").is_in(ptypes)
                got = store.country_rows(ind.id, countries, ptypes)
                assert got.equals(frame.filter(wanted)), (ind.id, countries, ptypes)
                for (period, ptype), i in list(where.items())[:3]:  # with a period's rows (overlapping)
                    also = (pl.col("period") == period) & (pl.col("period_type") == ptype)
                    got = store.country_rows(ind.id, countries, ptypes, extra=period_rows[i])
                    assert got.equals(frame.filter(wanted | also)), (ind.id, countries, ptypes, period)
                checked += 1
    assert checked > 100
    assert store.country_rows("trp_issued", ["XXX"], ["quarter"]).columns == store.rows("trp_issued").columns


def test_the_warm_up_prepares_the_indexes_and_latest_periods(store):
    """prepare() (the warm-up thread) builds what every first view of an indicator asks: its indexes and its
    latest period, so no first click pays for them."""
    fresh = DataStore(store.observations, store.sources)
    panels.prepare(fresh)
    for ind in catalogue().indicators:
        assert ind.id in fresh._country_index and (ind.id, True) in fresh._period_index
        assert ("latest_period", ind.id) in fresh._memo
        assert fresh.latest_any(ind.id) == fresh.latest_period(ind.id)


_PIECES = [*"ab cd·()Q1–é", "  ", "Kyrgyzstan", "Uzbekistan", "\u00a0", "\u2003", "-", "\t", "\n", "x" * 19]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=12).map("".join), st.integers(1, 25))
def test_the_span_labels_fast_wrap_is_textwraps(text, width):
    assert wrap(text, width) == textwrap.wrap(text, width)


def test_the_span_labels_fast_wrap_wraps_real_labels():
    assert wrap("Jan–Sep 2023 (year to date) · Kyrgyzstan", 18) == [
        "Jan–Sep 2023 (year",
        "to date) ·",
        "Kyrgyzstan",
    ]
    assert wrap("Guinea-Bissau and more", 18) == textwrap.wrap("Guinea-Bissau and more", 18)


@pytest.mark.parametrize("query", VIEWS)
def test_unvalidated_traces_are_the_validated_json(store, query):
    s = parse_query(query, store)
    with i18n.use(s.lang):
        for chart, build in panels.BUILDERS.items():
            d = build(store, s).figure.to_plotly_json()
            assert go.Figure(d).to_plotly_json()["data"] == d["data"], chart  # validation changes nothing


@pytest.mark.parametrize("query", VIEWS)
def test_a_panels_figure_is_handed_over_as_its_plotly_json(store, query):
    """figure_json gives the figure's own dicts instead of to_plotly_json()'s deep copy: the same JSON."""
    s = parse_query(query, store)
    with i18n.use(s.lang):
        for chart, build in panels.BUILDERS.items():
            fig = build(store, s).figure
            expected = fig.to_plotly_json()
            assert figure_json(fig) == expected, chart


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_remembered_number_formats_are_babels(lang):
    loc = formatting.babel_locale_data(lang)
    for value in (0, 0.0, 1, 1.0, 3.05, 12.5, -41.0, 308710.0, 253.849, 1e9 + 0.5):
        for decimals in (0, 1, 2):
            grouped = formatting._grouped(decimals).apply(value, loc)
            assert formatting.fmt_plain(value, decimals, lang) == grouped
            pattern = loc.percent_formats[None].pattern.replace(
                "#,##0", "#,##0" + ("." + "0" * decimals if decimals else "")
            )
            assert formatting._percent(value, decimals, lang) == format_percent(
                value / 100, format=pattern, locale=loc
            )


def test_a_hidden_compare_chart_is_drawn_when_its_mode_is_chosen(monkeypatch):
    app = create_app()
    base = app.server.config["MTM_DATA_DIR"]
    built: list[str] = []
    for chart, build in list(panels.BUILDERS.items()):

        def counted(st, s, chart=chart, build=build):
            built.append(chart)
            return build(st, s)

        monkeypatch.setitem(panels.BUILDERS, chart, counted)
    store = committed_store()
    explore = parse_query("?indicator=trp_issued&period=2022-Q3", store)  # not drawn at start-up
    compare = parse_query("?indicator=trp_issued&period=2022-Q3&mode=compare&vs=2022-Q2", store)
    with app.server.test_request_context():
        for kind in charts.KINDS:
            values = explorer_callbacks._chart_values(store, kind, to_store(explore))
            if kind.mode is None:
                assert isinstance(values[0], dict) and values[0]["layout"], kind.id
            else:  # its card is hidden: nothing built, an empty placeholder sent
                rest = [no_update] * (len(explorer_callbacks._chart_outputs(kind)) - 1)
                assert values == [explorer_callbacks.HIDDEN_FIGURE, *rest], kind.id
        assert sorted(built) == sorted(k.id for k in charts.EXPLORE_KINDS)
        for kind in charts.KINDS:
            if kind.mode is not None:
                values = explorer_callbacks._chart_values(store, kind, to_store(compare))
                assert isinstance(values[0], dict) and values[0]["layout"], kind.id
        assert {"compare_bars", "slope"} <= set(built)
    assert base is not None
