"""The quarterly briefing's content (dashboard.briefing) and page (layouts.briefing), without a browser."""

from __future__ import annotations

import json
import re

import plotly
import polars as pl
import pytest
from dash import dcc, html

from dashboard import pdf
from dashboard.briefing import (
    FINDINGS_TITLE,
    SECTIONS,
    SOURCES_TITLE,
    build_briefing,
    indicator_quarter,
    quarter_choices,
    quarters_with_data,
    resolve_quarter,
)
from dashboard.catalogue import catalogue
from dashboard.periods import parse_period, quarter_range, split_quarter, year_earlier
from layouts.briefing import layout, period_from_search
from tests.fixtures_data import committed_store

CONFIG = {"topojsonURL": "/assets/topojson/", "displaylogo": False, "responsive": True}


@pytest.fixture(scope="module")
def store():
    return committed_store()


@pytest.fixture(scope="module")
def seed(store):
    return build_briefing(store, "2023-Q2")


@pytest.fixture(scope="module")
def seed_page(store):
    return layout(store, "2023-Q2", CONFIG)


def texts(component) -> list[str]:
    """Every string in a Dash component tree, in document order."""
    out: list[str] = []

    def walk(node):
        if node is None:
            return
        if isinstance(node, str | int | float):
            out.append(str(node))
        elif isinstance(node, list | tuple):
            for n in node:
                walk(n)
        else:
            walk(getattr(node, "children", None))

    walk(component)
    return out


def find(component, predicate) -> list:
    found = []

    def walk(node):
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
        elif hasattr(node, "to_plotly_json"):
            if predicate(node):
                found.append(node)
            walk(getattr(node, "children", None))

    walk(component)
    return found


def page_text(component) -> str:
    return " ".join(texts(component))


# -- which quarter -------------------------------------------------------------------------------------------
def test_quarters_with_data(store):
    have = quarters_with_data(store)
    assert have and have == sorted(set(have), key=split_quarter)  # each once, in time order
    choices = {c.quarter: c.has_data for c in quarter_choices(store)}
    assert list(choices) == quarter_range(have[0], have[-1])  # first to last with data, none skipped
    assert [q for q, has in choices.items() if has] == have
    for quarter, has in choices.items():  # a quarter "with data" is one whose briefing has a figure to show
        assert (build_briefing(store, quarter).notice is None) == has, quarter


def test_quarters_with_data_at_release_1(store):
    release_1 = store.at_release(1)  # the data as shipped first: fixed, whatever later releases bring
    have = quarters_with_data(release_1)
    assert "2023-Q2" in have and "2022-Q3" in have
    assert "2024-Q4" not in have and "2025-Q2" not in have  # the README's quarters with no figure at all
    choices = {c.quarter: c.has_data for c in quarter_choices(release_1)}
    assert choices["2024-Q4"] is False and choices["2023-Q2"] is True
    ordered = list(choices)
    assert (ordered[0], ordered[-1]) == (have[0], have[-1])


@pytest.mark.parametrize(
    ("asked", "shown", "notice"),
    [
        ("2023-Q2", "2023-Q2", None),
        (" 2023-q2 ", "2023-Q2", None),
        ("2024-Q4", "2024-Q4", None),  # inside the data's range: shown, with its gaps
        (None, "fullest", None),  # no period asked: the quarter with figures for the most indicators
        ("", "fullest", None),
        ("2023-Q5", "latest", "is not a quarter"),
        ("banana", "latest", "is not a quarter"),
        ("2023-06", "latest", "is not a quarter"),
        ("2019-Q1", "latest", "The data has no figures for Q1 2019"),
        ("2031-Q1", "latest", "The data has no figures for Q1 2031"),
    ],
)
def test_resolve_quarter(store, asked, shown, notice):
    latest = quarters_with_data(store)[-1]
    q, note = resolve_quarter(store, asked)
    expected = {"latest": latest, "fullest": "2023-Q2"}.get(shown, shown)  # 2023-Q2: the IOM report's quarter
    assert q == expected
    if notice is None:
        assert note is None
    else:
        assert notice in note and "latest quarter with data" in note


def test_period_from_search():
    assert period_from_search("?period=2023-Q2") == "2023-Q2"
    assert period_from_search("?x=1&period=2024-Q1") == "2024-Q1"
    assert period_from_search("") is None and period_from_search(None) is None


# -- content of the seed quarter -----------------------------------------------------------------------------
def test_sections_follow_the_report(seed):
    assert [s.id for s in seed.sections] == [s.id for s in SECTIONS]
    assert [s.title for s in seed.sections] == [catalogue().domain(s.domain).title for s in SECTIONS]


def _row(b, indicator):
    return next(r for s in b.sections for r in s.rows if r.facts.indicator.id == indicator)


def test_headline_numbers_and_comparisons(seed):
    trp = _row(seed, "trp_issued")
    assert trp.value_text == "308,710 permits"
    prev, yoy = trp.comparisons
    assert (prev.period_label, prev.level_text, prev.change_text, prev.basis) == (
        "Q1 2023",
        "82,000 permits",
        "+276.5%",
        "computed",
    )
    assert (yoy.period_label, yoy.level_text, yoy.basis) == ("Q2 2022", "not reported", "")

    prp = _row(seed, "prp_issued")  # the source printed -25% beside the level
    assert (prp.comparisons[0].change_text, prp.comparisons[0].basis) == ("−25.0%", "published")

    out = _row(seed, "remittance_outflow")
    assert out.value_text == "253.8 bn KZT" and out.also == ("558.4 mn USD",)
    assert [(c.change_text, c.basis) for c in out.comparisons] == [
        ("+38.8%", "published"),
        ("−17.1%", "published"),
    ]
    assert any(d.startswith("Months: Apr 2023 76.4 bn KZT; May 2023 89.9 bn KZT") for d in out.details)
    assert any("Uzbekistan 80.5 bn KZT (31.7%)" in d for d in out.details)

    cis = _row(seed, "migrant_workers_cis")
    assert cis.value_text == "254,393 persons"
    assert any("Uzbekistan 73.8%" in d for d in cis.details)


def test_a_section_without_data_says_so_in_one_line(seed):
    flows = seed.section("flows")
    assert not flows.has_data and not flows.rows and not flows.charts
    assert flows.missing.startswith(
        "No quarterly or monthly figure on migration flows was reported for Q2 2023."
    )
    assert "\n" not in flows.missing
    assert "H1 2023: 13,652 persons" in flows.missing  # the longer period that covers the quarter, as context


def test_charts_come_from_the_figure_builders(seed):
    keys = {s.id: [c.key for c in s.charts] for s in seed.sections}
    assert keys["remittances"] == ["remittance_outflow-months", "remittance_inflow-months"]
    assert keys["permits"] == ["trp_issued-donut", "prp_issued-donut"]
    assert keys["flows"] == []
    for s in seed.sections:
        assert len(s.charts) <= 2


def test_sources_list_every_document_used(store, seed):
    numbers = {e.number for e in seed.sources}
    assert numbers == set(range(1, len(seed.sources) + 1))
    for s in seed.sections:
        assert set(s.sources) <= numbers
        for r in s.rows:
            assert set(r.sources) <= numbers
    docs = {e.document: e for e in seed.sources}
    iom = docs["IOM MTM Kazakhstan Quarterly Report Q2 2023 (April-June 2023)"]
    assert iom.url is None  # the seed text has no link
    assert "National Bank of Kazakhstan" in iom.agencies
    assert "Ministry of Internal Affairs (Migration Service Committee)" in iom.agencies
    # every figure in a headline row rests on a listed document
    for s in seed.sections:
        for r in s.rows:
            for f in (r.facts.current, r.facts.previous, r.facts.year_ago):
                if f is not None and f.reported:
                    assert set(store.documents_for(f.source_ids)) <= set(docs)
    linked = [e for e in seed.sources if e.url]
    assert all(e.url.startswith("https://") for e in linked)


# -- the page ------------------------------------------------------------------------------------------------
def test_page_contains_the_seed_numbers(seed_page):
    text = page_text(seed_page)
    for number in ("308,710", "254,393", "253.8"):
        assert number in text


def test_page_has_every_section_heading(seed_page):
    headings = [h.children for h in find(seed_page, lambda c: isinstance(c, html.H2))]
    expected = [FINDINGS_TITLE, *[catalogue().domain(s.domain).title for s in SECTIONS], SOURCES_TITLE]
    assert headings == expected


def test_page_quarter_selector(store, seed_page):
    links = {
        a.href
        for a in find(seed_page, lambda c: isinstance(c, html.A) and "briefing-q" in (c.className or ""))
    }
    have = set(quarters_with_data(store))
    assert links == {f"/briefing?period={q}&lang=en" for q in have - {"2023-Q2"}}
    current = find(seed_page, lambda c: "current" in (getattr(c, "className", "") or "").split())
    assert [c.children for c in current] == ["Q2"]


def test_page_graphs_are_static_and_keep_the_map_config(seed_page):
    graphs = find(seed_page, lambda c: isinstance(c, dcc.Graph))
    assert len(graphs) == 7
    for g in graphs:
        assert g.config["staticPlot"] is True and g.config["topojsonURL"] == "/assets/topojson/"


def test_empty_sections_are_one_line_on_the_page(seed_page):
    flows = find(seed_page, lambda c: isinstance(c, html.Section) and getattr(c, "id", None) == "flows")[0]
    paragraphs = [c for c in flows.children if isinstance(c, html.P)]
    assert [c.className for c in paragraphs] == ["briefing-description", "briefing-empty"]
    assert not find(flows, lambda c: isinstance(c, html.Table | dcc.Graph))


def test_sources_section_names_agency_and_link(seed_page):
    sources = find(seed_page, lambda c: isinstance(c, html.Section) and getattr(c, "id", None) == "sources")[
        0
    ]
    text = page_text(sources)
    assert "IOM MTM Kazakhstan Quarterly Report Q2 2023" in text
    assert "Agency: " in text and "National Bank of Kazakhstan" in text
    assert "No web link" in text  # the seed
    links = find(sources, lambda c: isinstance(c, html.A))
    assert links and all(a.href == a.children and a.href.startswith("https://") for a in links)


def test_invalid_period_falls_back_with_a_visible_notice(store):
    page = layout(store, "2023-Q9", CONFIG)
    latest = quarters_with_data(store)[-1]
    assert page.to_plotly_json()["props"]["data-period"] == latest
    notice = find(page, lambda c: "briefing-notice" in (getattr(c, "className", "") or ""))
    assert notice and "“2023-Q9” is not a quarter" in page_text(notice[0])


@pytest.mark.parametrize("quarter", [c.quarter for c in quarter_choices(committed_store())])
def test_every_quarter_renders(store, quarter):
    page = layout(store, quarter, CONFIG)
    json.dumps(page, cls=plotly.utils.PlotlyJSONEncoder)  # what Dash sends: must serialise
    text = page_text(page)
    assert not re.search(r"\b(None|nan|NaN|not_reported)\b", text)
    sections = find(page, lambda c: isinstance(c, html.Section) and c.id not in ("key-findings", "sources"))
    assert len(sections) == len(SECTIONS)
    for s in sections:
        if s.to_plotly_json()["props"]["data-has-data"] == "false":
            assert len([c for c in s.children if isinstance(c, html.P)]) == 2  # the description and one line


def test_the_pdf_command_refuses_a_period_it_cannot_print(store, tmp_path, capsys):
    # checked against the data before any server or browser is started
    assert pdf.main(["--period", "2023-Q9", "--out", str(tmp_path / "b.pdf")]) == 2
    err = capsys.readouterr().err
    assert "no briefing for '2023-Q9'" in err and "such as 2023-Q2" in err
    assert not (tmp_path / "b.pdf").exists()


def test_a_stock_is_compared_with_the_same_day_a_year_earlier_when_it_was_counted_then(store):
    """A stock counted on days: a year earlier is the same day a year before when there is a count for it
    (a printed year-on-year change refers to that day), else the last count in that quarter."""
    ind = "foreign_workers_permit_holders"
    days = store.rows(ind).filter(pl.col("period_type") == "date")["period"].unique().to_list()
    pairs = [d for d in days if (y := year_earlier(parse_period(d, "date"))) and y.id in days]
    assert pairs, "the data has counts one year apart"
    for day in pairs:
        q = parse_period(day, "date").start
        quarter = f"{q.year}-Q{(q.month + 2) // 3}"
        iq = indicator_quarter(store, ind, quarter)
        if iq.current.period != day:
            continue  # not the last count of its quarter: the briefing shows another day
        assert iq.year_ago.period == year_earlier(parse_period(day, "date")).id
        if iq.change_yoy.against is not None:
            assert iq.change_yoy.against.period == iq.year_ago.period
