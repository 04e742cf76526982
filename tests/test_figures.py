"""Figure builders on the real data (no browser): what is drawn, what is said on hover, what is never 0."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta

import plotly.io as pio
import polars as pl
import pytest

from dashboard import figures, theme
from dashboard.catalogue import catalogue
from dashboard.countries import all_codes
from dashboard.data import get_store

SPAN_TYPES = ["half", "year", "ytd", "date"]


@pytest.fixture(scope="module")
def store():
    return get_store()


def ind(indicator_id: str):
    return catalogue().indicator(indicator_id)


def spans_rows(store, indicator_id: str, measure: str, country: str | None = "TOT") -> pl.DataFrame:
    f = (
        (pl.col("indicator") == indicator_id)
        & (pl.col("measure") == measure)
        & pl.col("period_type").is_in(SPAN_TYPES)
    )
    if country:
        f &= pl.col("country_iso3") == country
    return store.preferred.filter(f).select(
        "country_iso3",
        "period",
        "period_type",
        "period_start",
        "period_end",
        "value",
        pl.col("method").alias("status"),
        "derivation",
    )


def trace_named(fig, name):
    return next(t for t in fig.data if t.name == name)


def annotation_texts(fig) -> str:
    return " | ".join(a.text or "" for a in fig.layout.annotations)


def all_hover_templates(fig) -> list[str]:
    return [t.hovertemplate for t in fig.data if getattr(t, "hovertemplate", None)]


# -- theme ----------------------------------------------------------------------------------------------
def test_template_registered_with_okabe_ito_and_system_fonts():
    tpl = pio.templates[theme.TEMPLATE_NAME]
    assert tuple(tpl.layout.colorway) == theme.PALETTE
    assert set(theme.PALETTE) <= set(theme.OKABE_ITO.values())
    assert theme.REPORTING_COLOR not in theme.PALETTE
    assert "system-ui" in tpl.layout.font.family and "url(" not in tpl.layout.font.family
    assert tpl.layout.hoverlabel.bgcolor
    # the sequential scale never starts at the "not reported" grey
    assert theme.SEQUENTIAL[0][1].upper() != theme.NOT_REPORTED_COLOR.upper()


# -- choropleth -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def trp_share_rows(store):
    return store.breakdown("trp_issued", "2023-Q2", "quarter", "share_pct", "percent")


@pytest.fixture(scope="module")
def trp_map(trp_share_rows):
    return figures.choropleth(trp_share_rows, ind("trp_issued"), "share_pct", "percent", "Q2 2023")


def test_choropleth_values_grey_world_and_reporting_country(trp_map):
    fig = trp_map
    values = trace_named(fig, "Share of total")
    z = dict(zip(values.locations, values.z, strict=True))
    assert z["UZB"] == pytest.approx(68.8)
    assert "KAZ" not in values.locations
    assert values.colorbar.title.text == "%"
    assert all(t.locationmode == "ISO-3" for t in fig.data)

    # countries with no figure are the base map's grey land, with the world's borders over it; the key says so
    assert {t.name for t in fig.data} == {"Share of total", "reporting country"}
    assert all("USA" not in t.locations for t in fig.data)
    assert "not reported" in annotation_texts(fig)

    kaz = trace_named(fig, "reporting country")
    assert list(kaz.locations) == ["KAZ"]
    assert kaz.text[0] == "Kazakhstan — reporting country"
    assert kaz.colorscale[0][1] == theme.REPORTING_COLOR

    geo = fig.layout.geo
    assert geo.fitbounds is False
    assert geo.projection.type == "natural earth"
    assert geo.showcountries is True and geo.countrycolor == theme.BORDER_COLOR
    assert values.marker.line.color[0] == theme.BORDER_COLOR and kaz.marker.line.color == theme.BORDER_COLOR
    assert geo.showland is True and geo.landcolor == theme.NOT_REPORTED_COLOR
    assert "Temporary residence permits issued" in fig.layout.title.text
    assert "Q2 2023" in fig.layout.title.text
    assert "nationality" in fig.layout.title.text
    assert len(fig.to_json()) < 50_000


def test_choropleth_hover_uses_babel_text_not_d3(trp_map):
    values = trace_named(trp_map, "Share of total")
    assert any("68.8%" in t for t in values.text)
    for tpl in all_hover_templates(trp_map):
        assert tpl == "%{text}<extra></extra>"


def test_choropleth_lists_countries_the_map_cannot_draw(trp_share_rows):
    bhr = pl.DataFrame(
        {
            "country_iso3": ["BHR"],
            "value": [1.2],
            "status": ["published"],
            "derivation": [None],
            "source_id": ["test"],
            "derived_from": [None],
            "conflict": [False],
            "n_sources": [1],
        },
        schema=trp_share_rows.schema,
    )
    rows = pl.concat([trp_share_rows, bhr])
    fig = figures.choropleth(
        rows, ind("trp_issued"), "share_pct", "percent", "Q2 2023", drawable=all_codes() - {"BHR"}
    )
    notes = annotation_texts(fig)
    assert "Not drawn on the map" in notes
    assert "Bahrain 1.2%" in notes
    assert all("BHR" not in t.locations for t in fig.data)


def test_choropleth_skips_other_countries_and_notes_them(store):
    rows = store.breakdown("prp_issued", "2023-Q2", "quarter", "share_pct", "percent")
    fig = figures.choropleth(rows, ind("prp_issued"), "share_pct", "percent", "Q2 2023")
    assert all("OTH" not in t.locations for t in fig.data)
    assert "Other countries" in annotation_texts(fig)
    assert "17.5%" in annotation_texts(fig)


def test_choropleth_selection_greys_the_rest(trp_share_rows):
    fig = figures.choropleth(
        trp_share_rows, ind("trp_issued"), "share_pct", "percent", "Q2 2023", selected=("RUS",)
    )
    assert list(trace_named(fig, "Share of total").locations) == ["RUS"]
    grey = trace_named(fig, "not selected")
    hover = dict(zip(grey.locations, grey.text, strict=True))
    assert hover["UZB"] == "Uzbekistan: not selected"
    assert "RUS" not in hover and "USA" not in hover  # USA has no figure: grey land, not "not selected"
    assert grey.colorscale[0][1] == theme.NOT_REPORTED_COLOR
    assert "not selected or not reported" in annotation_texts(fig)


def test_choropleth_derived_values_say_so(store):
    rows = store.breakdown("trp_issued", "2023-Q2", "quarter", "count", "permits")
    fig = figures.choropleth(rows, ind("trp_issued"), "count", "permits", "Q2 2023")
    text = dict(zip(trace_named(fig, "Count").locations, trace_named(fig, "Count").text, strict=True))
    assert "212,392 permits" in text["UZB"]
    assert "derived: " in text["UZB"]


def test_choropleth_outlines_values_chosen_among_differing_sources(store):
    """Shipped data: two work-permit shares of 1 Sep 2023 were chosen among sources that differ."""
    rows = store.breakdown("foreign_workers_permit_holders", "2023-09-01", "date", "share_pct", "percent")
    assert set(rows.filter(pl.col("conflict"))["country_iso3"]) == {"CHN", "UZB"}
    fig = figures.choropleth(
        rows, ind("foreign_workers_permit_holders"), "share_pct", "percent", "as of 1 September 2023"
    )
    values = trace_named(fig, "Share of total")
    line = dict(
        zip(
            values.locations,
            zip(values.marker.line.color, values.marker.line.width, strict=True),
            strict=True,
        )
    )
    assert line["CHN"] == line["UZB"] == (theme.OUTLINE_COLOR, 2.5)
    assert line["IND"] == (theme.BORDER_COLOR, 0.5)
    assert list(values.locations)[-2:] in (["CHN", "UZB"], ["UZB", "CHN"])  # drawn last: outline on top
    key = annotation_texts(fig)
    assert "‡</b> dark outline: chosen among sources that differ (China, Uzbekistan)" in key
    assert fig.layout.meta["conflicts"] == 2
    assert "2 values, marked ‡, were chosen among sources that differ." in fig.layout.meta["summary"]
    # the hover says it in words too
    text = dict(zip(values.locations, values.text, strict=True))
    assert "chosen among 2 sources" in text["CHN"]
    # no conflict: no outline, no key line
    clean = rows.with_columns(pl.lit(False).alias("conflict"))
    fig = figures.choropleth(clean, ind("foreign_workers_permit_holders"), "share_pct", "percent", "x")
    assert set(trace_named(fig, "Share of total").marker.line.width) == {0.5}
    assert "‡" not in annotation_texts(fig)


def test_choropleth_marks_conflicts_it_cannot_draw_in_the_note(trp_share_rows):
    rows = _with_conflict(trp_share_rows, pl.col("country_iso3") == "UZB")
    fig = figures.choropleth(
        rows, ind("trp_issued"), "share_pct", "percent", "Q2 2023", drawable=all_codes() - {"UZB"}
    )
    notes = annotation_texts(fig)
    assert "Uzbekistan 68.8% ‡" in notes
    assert "‡ chosen among sources that differ" in notes


def test_choropleth_empty_is_a_grey_world_with_a_message(trp_share_rows):
    fig = figures.choropleth(trp_share_rows.clear(), ind("trp_issued"), "share_pct", "percent", "Q3 2023")
    assert "No country breakdown reported for Q3 2023" in annotation_texts(fig)
    assert {t.name for t in fig.data} == {"reporting country"}  # the rest is grey "not reported" land
    assert fig.layout.geo.fitbounds is False


# -- time series ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def remittance_series(store):
    return store.series("remittance_outflow", "amount", "KZT_bn", first="2022-Q1", last="2023-Q4")


def test_time_series_gaps_are_none_and_points_carry_quarter_ids(remittance_series):
    fig = figures.time_series(remittance_series, ind("remittance_outflow"), "amount", "KZT_bn")
    total = trace_named(fig, "Total")
    x = list(total.x)
    assert x == ["Q1 2022", "Q2 2022", "Q3 2022", "Q4 2022", "Q1 2023", "Q2 2023", "Q3 2023", "Q4 2023"]
    assert total.y[x.index("Q3 2023")] is None
    assert 0 not in total.y
    i = list(total.y).index(253.8)
    assert total.customdata[i] == "2023-Q2"
    assert "253.8 bn KZT" in total.text[i]
    assert total.connectgaps is False
    assert list(fig.layout.xaxis.categoryarray) == x
    assert fig.layout.xaxis.type == "category"
    assert fig.layout.yaxis.title.text == "bn KZT"

    gaps = trace_named(fig, "not reported")
    assert gaps.yaxis == "y2"  # its own strip, off the value axis: never read as 0
    assert set(gaps.x) == {"Q1 2022", "Q3 2022", "Q4 2022", "Q3 2023", "Q4 2023"}
    assert all("not reported" in t for t in gaps.text)
    assert fig.layout.shapes  # grey bands where nothing was reported


def test_time_series_all_null_is_an_empty_state(store):
    s = store.series("remittance_outflow", "amount", "KZT_bn", first="2019-Q1", last="2019-Q4")
    fig = figures.time_series(s, ind("remittance_outflow"), "amount", "KZT_bn")
    assert "Not reported for any quarter in this range" in annotation_texts(fig)
    assert not fig.data


def test_time_series_marks_derived_points(store):
    s = store.series(
        "trp_issued", "count", "permits", countries=("TOT", "UZB"), first="2023-Q1", last="2023-Q2"
    )
    fig = figures.time_series(s, ind("trp_issued"), "count", "permits")
    uzb = trace_named(fig, "Uzbekistan")
    i = list(uzb.customdata).index("2023-Q2")
    # the second line's own symbol (a square), open: derived
    assert uzb.marker.symbol[i] == f"{theme.series_style(1)[0]}-open" == "square-open"
    assert "derived: " in uzb.text[i]
    assert trace_named(fig, "Total").marker.symbol[i] == "circle"
    # the open marker needs its key, even for one line: a legend entry says "derived"
    assert trace_named(fig, "derived (computed here)").marker.symbol == "circle-open"
    assert fig.layout.showlegend is True


def test_time_series_lines_differ_by_symbol_and_dash_not_colour_only(store):
    countries = ("TOT", "UZB", "RUS", "KGZ", "TJK", "CHN", "TUR", "AZE", "IND")
    s = store.series(
        "border_arrivals", "count", "persons", countries=countries, first="2022-Q1", last="2023-Q4"
    )
    fig = figures.time_series(s, ind("border_arrivals"), "count", "persons")
    lines = [t for t in fig.data if (t.meta or {}).get("country")]
    assert len(lines) == len(countries)
    styles = [(t.line.dash, {sym.removesuffix("-open") for sym in t.marker.symbol}) for t in lines]
    assert all(len(symbols) == 1 for _, symbols in styles)  # one symbol per line (open or filled)
    pairs = [(dash, symbols.pop()) for dash, symbols in styles]
    assert len(set(pairs)) == len(pairs), pairs
    assert pairs[0] == ("solid", "circle")  # Total: black, solid, filled circles
    assert lines[0].line.color == theme.TOTAL_COLOR
    assert [t.line.color for t in lines[1:7]] == list(theme.LINE_PALETTE)


def _with_conflict(frame: pl.DataFrame, where: pl.Expr, n: int = 3) -> pl.DataFrame:
    return frame.with_columns(
        pl.when(where).then(True).otherwise(pl.col("conflict")).alias("conflict"),
        pl.when(where).then(n).otherwise(pl.col("n_sources")).alias("n_sources"),
    )


def test_time_series_marks_values_chosen_among_differing_sources(store):
    s = store.series(
        "trp_issued", "count", "permits", countries=("TOT", "UZB"), first="2022-Q1", last="2023-Q2"
    )
    # the shipped quarters have no conflicting value: make Total's Q2 2023 one
    s = _with_conflict(s, (pl.col("country_iso3") == "TOT") & (pl.col("period") == "2023-Q2"))
    fig = figures.time_series(s, ind("trp_issued"), "count", "permits")
    mark = trace_named(fig, "‡ chosen among sources that differ")
    assert list(mark.x) == ["Q2 2023"]
    assert list(mark.y) == [trace_named(fig, "Total").y[-1]]
    assert list(mark.text) == ["‡"]
    assert mark.marker.symbol == "circle-open" and mark.marker.color == theme.OUTLINE_COLOR
    assert mark.hoverinfo == "skip"  # the point under the ring keeps its hover and its click
    assert "chosen among 3 sources" in trace_named(fig, "Total").text[-1]
    assert fig.layout.meta["conflicts"] == 1
    assert "1 value, marked ‡, was chosen among sources that differ." in fig.layout.meta["summary"]
    # without conflicts: no mark, no key
    fig = figures.time_series(
        store.series("trp_issued", "count", "permits", countries=("TOT",), first="2022-Q1", last="2023-Q2"),
        ind("trp_issued"),
        "count",
        "permits",
    )
    assert not any("‡" in (t.name or "") for t in fig.data)
    assert "‡" not in fig.layout.meta["summary"]


# -- months ---------------------------------------------------------------------------------------------
def test_months_bar_real_quarter(store):
    months = store.months_of_quarter("remittance_outflow", "2023-Q2")
    fig = figures.months_bar(months, ind("remittance_outflow"), "KZT_bn", "Q2 2023")
    bar = fig.data[0]
    texts = " ".join(bar.text)
    for v in ("76.4", "89.9", "87.5"):
        assert v in texts
    assert list(bar.x) == ["Apr 2023", "May 2023", "Jun 2023"]
    assert list(bar.customdata) == ["2023-04", "2023-05", "2023-06"]


def test_months_bar_unreported_month_is_labelled_not_zero(store):
    months = store.months_of_quarter("remittance_outflow", "2023-Q2")
    months[1] = dataclasses.replace(months[1], value=None, status="not_reported")
    fig = figures.months_bar(months, ind("remittance_outflow"), "KZT_bn", "Q2 2023")
    assert list(fig.data[0].x) == ["Apr 2023", "Jun 2023"]
    assert list(fig.layout.xaxis.categoryarray) == ["Apr 2023", "May 2023", "Jun 2023"]
    notes = [a for a in fig.layout.annotations if "not reported" in a.text]
    assert len(notes) == 1 and notes[0].x == "May 2023"


def test_months_bar_marks_a_month_chosen_among_differing_sources(store):
    months = store.months_of_quarter("remittance_outflow", "2023-Q2")
    months[1] = dataclasses.replace(months[1], conflict=True)
    fig = figures.months_bar(months, ind("remittance_outflow"), "KZT_bn", "Q2 2023")
    bar = fig.data[0]
    assert list(bar.texttemplate) == ["%{text}", "%{text} ‡", "%{text}"]
    assert "‡" not in " ".join(bar.text)  # the value text itself stays plain (summary, table)
    assert list(bar.marker.line.width) == [0, 2.5, 0]
    assert bar.marker.line.color[1] == theme.OUTLINE_COLOR
    assert fig.layout.showlegend is True and bar.showlegend is False
    assert trace_named(fig, "‡ chosen among sources that differ").x == (None,)
    plain = figures.months_bar(
        store.months_of_quarter("remittance_outflow", "2023-Q2"), ind("remittance_outflow"), "KZT_bn", "Q2"
    )
    assert plain.layout.showlegend is False and len(plain.data) == 1


def test_months_bar_none_reported(store):
    months = [
        dataclasses.replace(m, value=None, status="not_reported")
        for m in store.months_of_quarter("remittance_outflow", "2023-Q2")
    ]
    fig = figures.months_bar(months, ind("remittance_outflow"), "KZT_bn", "Q2 2023")
    assert "not reported" in annotation_texts(fig)
    assert "Monthly figures were not reported for Q2 2023" in annotation_texts(fig)
    assert not fig.data


# -- donut ----------------------------------------------------------------------------------------------
def test_donut_adds_computed_remainder(store):
    rows = store.breakdown("prp_issued", "2023-Q2", "quarter", "share_pct", "percent")
    fig = figures.donut(rows, ind("prp_issued"), "Q2 2023")
    pie = fig.data[0]
    assert pie.hole == 0.55
    labels, values, codes = list(pie.labels), list(pie.values), list(pie.customdata)
    i = labels.index("Not itemised in the source")
    assert values[i] == pytest.approx(2.0)
    assert codes[i] == ""
    assert "computed" in pie.hovertext[i] and "98.0%" in pie.hovertext[i]
    assert codes[labels.index("Other countries")] == "OTH"
    assert pie.marker.colors[i] == theme.NOT_REPORTED_COLOR
    named = [v for c, v in zip(codes, values, strict=True) if c not in ("", "OTH")]
    assert named == sorted(named, reverse=True)


def test_donut_marks_shares_chosen_among_differing_sources(store):
    rows = store.breakdown("foreign_workers_permit_holders", "2023-09-01", "date", "share_pct", "percent")
    fig = figures.donut(rows, ind("foreign_workers_permit_holders"), "as of 1 September 2023")
    pie = fig.data[0]
    codes = list(pie.customdata)
    marked = {c for c, t in zip(codes, pie.texttemplate, strict=True) if t == "%{text} ‡"}
    assert marked == {"CHN", "UZB"}
    for c, pull, width in zip(codes, pie.pull, pie.marker.line.width, strict=True):
        assert (pull > 0, width) == ((True, 2.5) if c in marked else (False, 0.75)), c
    assert pie.marker.line.color == theme.OUTLINE_COLOR  # every slice has a dark edge (3:1 on white)
    assert fig.layout.legend.title.text == "‡ chosen among sources that differ"
    assert fig.layout.meta["conflicts"] == 2
    clean = figures.donut(
        rows.with_columns(pl.lit(False).alias("conflict")), ind("foreign_workers_permit_holders"), "x"
    )
    assert not clean.layout.legend.title.text
    assert set(clean.data[0].texttemplate) == {"%{text}"} and set(clean.data[0].pull) == {0}


def test_donut_customdata_is_iso3(store):
    rows = store.breakdown("trp_issued", "2023-Q2", "quarter", "share_pct", "percent")
    fig = figures.donut(rows, ind("trp_issued"), "Q2 2023")
    pie = fig.data[0]
    assert "UZB" in pie.customdata
    assert pie.labels[list(pie.customdata).index("UZB")] == "Uzbekistan"


def test_donut_warns_when_shares_exceed_100(store):
    rows = store.breakdown("trp_issued", "2023-Q2", "quarter", "share_pct", "percent")
    rows = rows.with_columns(
        pl.when(pl.col("country_iso3") == "UZB").then(70.8).otherwise(pl.col("value")).alias("value")
    )
    fig = figures.donut(rows, ind("trp_issued"), "Q2 2023")
    assert "add up to 102.1%" in annotation_texts(fig)
    assert "Not itemised in the source" not in fig.data[0].labels


def test_donut_empty(store):
    rows = store.breakdown("trp_issued", "2019-Q2", "quarter", "share_pct", "percent")
    fig = figures.donut(rows, ind("trp_issued"), "Q2 2019")
    assert "No nationality shares reported for Q2 2019" in annotation_texts(fig)


# -- spans ----------------------------------------------------------------------------------------------
def test_spans_chart_draws_h1_as_one_span(store):
    fig = figures.spans_chart(spans_rows(store, "departures", "count"), ind("departures"), "persons")
    assert fig.layout.title.text.startswith("Figures reported for longer periods<br>")
    half = trace_named(fig, "Half-year")
    i = list(half.y).index("H1 2023")
    assert half.text[i] == "6,996 persons"
    assert half.base[i] == "2023-01-01"
    assert half.x[i] == 181 * 86_400_000  # 1 Jan - 30 Jun, one bar, not quarters
    assert half.orientation == "h"
    assert "Q1" not in " ".join(fig.layout.yaxis.categoryarray)


def test_spans_chart_keeps_room_for_the_longest_value_after_its_bar(store):
    """The value is written after each bar: the axis runs on past the last date by the share of a narrow
    desktop plot (380 px) that the longest label takes ("12,300,000 persons" was cut off at a fixed fifth)."""
    fig = figures.spans_chart(
        spans_rows(store, "border_arrivals", "count"), ind("border_arrivals"), "persons"
    )
    labels = [t for trace in fig.data for t in (trace.text or ()) if isinstance(t, str)]
    longest = max(labels, key=len)
    first, end = (date.fromisoformat(d) for d in fig.layout.xaxis.range)
    last = max(
        date.fromisoformat(str(b)[:10]) + timedelta(milliseconds=float(x))
        for trace in fig.data
        if trace.type == "bar"
        for b, x in zip(trace.base, trace.x, strict=True)
    )
    assert (end - last) / (end - first) >= min(0.5, len(longest) * 7.5 / 380) - 0.01


def test_spans_chart_open_ytd_and_stocks_are_markers(store):
    fig = figures.spans_chart(spans_rows(store, "trp_issued", "count", None), ind("trp_issued"), "permits")
    open_ytd = trace_named(fig, "Year to date (end not stated)")
    assert open_ytd.type == "scatter"
    assert any("Total" in y for y in open_ytd.y)
    assert "314,741 permits" in open_ytd.text
    fig = figures.spans_chart(
        spans_rows(store, "foreign_workers_permit_holders", "count"),
        ind("foreign_workers_permit_holders"),
        "persons",
    )
    assert trace_named(fig, "As of a date (stock)").type == "scatter"


def test_spans_chart_marks_figures_chosen_among_differing_sources(store):
    rows = store.preferred.filter(
        (pl.col("indicator") == "arrivals")
        & (pl.col("measure") == "count")
        & pl.col("period_type").is_in(SPAN_TYPES)
        & (pl.col("country_iso3") == "TOT")
    ).select(
        "country_iso3",
        "period",
        "period_type",
        "period_start",
        "period_end",
        "value",
        pl.col("method").alias("status"),
        "derivation",
        "conflict",
        "n_sources",
    )
    fig = figures.spans_chart(rows, ind("arrivals"), "persons")
    marked = [t for t in fig.data if t.texttemplate == "%{text} ‡"]
    # shipped: 2022 and 2024 (years) and Jan-Sep 2025 (year to date) were chosen among differing sources
    assert sorted(y for t in marked for y in t.y) == ["2022", "2024", "Jan–Sep 2025"]
    for t in marked:
        assert t.marker.line.color == theme.OUTLINE_COLOR and t.marker.line.width == 2.5
        assert t.showlegend is False  # the kind's legend swatch stays plain
        assert all("chosen among" in h for h in t.hovertext)
    years = [t for t in fig.data if t.name == "Year"]
    assert [t.showlegend for t in years] == [True, False]
    assert years[0].marker.line.width == 0 and years[0].texttemplate == "%{text}"
    assert trace_named(fig, "‡ chosen among sources that differ").meta == {"role": "conflict"}
    assert fig.layout.meta["conflicts"] == 3
    assert "3 values, marked ‡, were chosen among sources that differ." in fig.layout.meta["summary"]
    assert "‡" not in fig.layout.meta["summary"].split(". 3 values")[0]  # values said plainly


def test_spans_chart_empty(store):
    rows = spans_rows(store, "departures", "count").clear()
    fig = figures.spans_chart(rows, ind("departures"), "persons")
    assert "No figures reported for longer periods" in annotation_texts(fig)


# -- empty, sources --------------------------------------------------------------------------
def test_empty_figure():
    fig = figures.empty_figure("Nothing to show")
    assert annotation_texts(fig) == "Nothing to show"
    assert fig.layout.xaxis.visible is False and fig.layout.yaxis.visible is False


def test_sources_line():
    assert figures.sources_line([]) == ""
    assert figures.sources_line(["A"]) == "Source: A"
    assert figures.sources_line(["A", "B", "A"]) == "Sources: A; B"
    assert figures.sources_line(["A", "B", "C", "D", "E"]) == "Sources: A; B; C; and 2 more"
    assert figures.sources_line(["A", "B", "C"], max_items=1) == "Sources: A; and 2 more"


def test_every_figure_uses_the_template_and_serialises(store, trp_map, remittance_series):
    figs = [
        trp_map,
        figures.time_series(remittance_series, ind("remittance_outflow"), "amount", "KZT_bn"),
        figures.months_bar(
            store.months_of_quarter("remittance_outflow", "2023-Q2"),
            ind("remittance_outflow"),
            "KZT_bn",
            "Q2 2023",
        ),
        figures.donut(
            store.breakdown("trp_issued", "2023-Q2", "quarter", "share_pct", "percent"),
            ind("trp_issued"),
            "Q2 2023",
        ),
        figures.spans_chart(spans_rows(store, "departures", "count"), ind("departures"), "persons"),
        figures.empty_figure("x"),
    ]
    for fig in figs:
        assert fig.layout.template.layout.font.family == theme.FONT_FAMILY
        payload = json.loads(fig.to_json())
        assert payload["layout"]["template"]["layout"]["colorway"] == list(theme.PALETTE)
        for tpl in all_hover_templates(fig):
            assert ":," not in tpl and ":." not in tpl  # no d3 number formats: text comes from Babel
