"""What keeps a click on the explorer fast (issue 14), as rules rather than timings: each chart's draw
callback is asked again only when what it shows changed, and the table of figures travels as one HTML string
that says what the components said."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from dash import html, no_update

from callbacks.explorer import _echo, _views
from dashboard import charts, panels
from dashboard.data import get_store
from dashboard.state import parse_query, to_store
from dashboard.views import shown_rows
from layouts.html_text import el, to_dash, to_html
from layouts.tables import figures_table, figures_table_html

VIEW = "?indicator=remittance_outflow&period=2023-Q2"


@pytest.fixture(scope="module")
def store():
    return get_store()


def _written(before: str, after: str, store) -> set[str]:
    prev, new = parse_query(before, store), parse_query(after, store)
    return {k.id for k, v in zip(charts.KINDS, _views(new, prev), strict=True) if v is not no_update}


def test_a_period_switch_asks_only_for_the_map_and_the_donut(store):
    assert _written(VIEW, VIEW.replace("2023-Q2", "2022-Q2"), store) == {"map", "donut", "ranking"}
    # the ranking is drawn in the map's request: a period switch stays at one draw request
    assert charts.BY_ID["ranking"].drawn_with == "map"


def test_compare_mode_charts_are_asked_for_only_in_compare_mode(store):
    compare = VIEW + "&mode=compare"
    assert _written(compare, compare.replace("2023-Q2", "2022-Q2"), store) == {
        "map",
        "donut",
        "ranking",
        "compare_bars",
        "slope",
    }
    assert all(charts.BY_ID[k].drawn_with == "map" for k in ("compare_bars", "slope"))
    # switching the mode redraws only the compare charts; "Compared with" only them outside the explorer
    assert _written(VIEW, compare, store) == {"compare_bars", "slope"}
    assert _written(compare, compare + "&vs=year", store) == {"compare_bars", "slope"}
    assert _written(VIEW, VIEW + "&vs=year", store) == set()
    assert _written(compare, VIEW, store) == set()  # back to the explorer: nothing to redraw


def test_a_drill_asks_only_for_the_trend(store):
    assert _written(VIEW, VIEW + "&drill=2023-Q2", store) == {"series"}
    last = parse_query(VIEW, store).last
    assert _written(VIEW, f"{VIEW}&from={last}&to={last}", store) == {"series"}


def test_a_country_leaves_the_donut_and_an_indicator_redraws_everything(store):
    assert _written(VIEW, VIEW + "&countries=UZB", store) == {"map", "series", "spans", "ranking"}
    shown = {k.id for k in charts.EXPLORE_KINDS}  # the compare mode's charts are hidden: not drawn
    assert _written(VIEW, "?indicator=trp_issued", store) == shown
    assert _written(VIEW, VIEW + "&lang=ru", store) == shown
    compare = VIEW + "&mode=compare"
    assert _written(compare, "?indicator=trp_issued&mode=compare", store) == set(charts.IDS)


def test_a_first_load_writes_every_view(store):
    state = parse_query(VIEW, store)
    assert _views(state) == (to_store(state),) * len(charts.KINDS)


def test_the_chart_key_leaves_out_what_the_chart_ignores_and_nothing_else(store):
    a = parse_query(VIEW, store)
    b = parse_query(VIEW.replace("2023-Q2", "2022-Q2"), store)
    assert charts.chart_key(charts.BY_ID["series"], a) == charts.chart_key(charts.BY_ID["series"], b)
    assert charts.chart_key(charts.BY_ID["map"], a) != charts.chart_key(charts.BY_ID["map"], b)
    for kind in charts.KINDS:
        named = {k for k, _ in charts.chart_key(kind, a)}
        assert named.isdisjoint(kind.ignores) and "lang" in named and "indicator" in named


def test_a_trend_is_drawn_once_for_every_period_of_a_view(store, monkeypatch):
    calls: list[str] = []
    build = panels.BUILDERS["series"]
    monkeypatch.setitem(panels.BUILDERS, "series", lambda st, s: calls.append(s.period) or build(st, s))
    for period in ("2023-Q2", "2022-Q2", "2023-Q1"):
        state = parse_query(f"?indicator=visas_issued&countries=RUS&period={period}", store)
        panels.drawn(store, "series", state)
    assert len(calls) <= 1


def test_controls_echo_only_what_they_do_not_show_already():
    assert _echo((1, [2], "a"), (1, no_update, "b")) == (no_update, [2], "a")


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.texts.append(data)


def _texts(node) -> str:
    if isinstance(node, str | int | float):
        return str(node)
    if isinstance(node, list | tuple):
        return "".join(_texts(c) for c in node)
    return _texts(getattr(node, "children", None) or [])


@pytest.mark.parametrize("query", [VIEW, "?indicator=trp_issued&countries=UZB,RUS", VIEW + "&drill=2023-Q2"])
def test_the_table_as_html_says_what_its_components_say(store, query):
    table = figures_table(shown_rows(store, parse_query(query, store)), store.sources)
    parser = _Texts()
    parser.feed(to_html(table))
    assert "".join(parser.texts) == _texts(table)
    tags = [t for t, _ in parser.tags]
    assert tags[:2] == ["div", "table"] and "th" in tags
    region = parser.tags[0][1]
    assert region["role"] == "region" and region["tabindex"] == "0" and region["aria-label"]
    assert parser.tags[1][1]["class"].startswith("table table-sm table-striped table-hover")
    assert all(a.get("scope") == "col" for t, a in parser.tags if t == "th")
    assert all("data-value" in a for t, a in parser.tags if t == "td" and "text-end" in a.get("class", ""))


@pytest.mark.parametrize(
    "query", [VIEW, "?indicator=trp_issued&countries=UZB,RUS", "?indicator=border_arrivals"]
)
def test_the_explorers_table_written_straight_is_the_table_its_components_write(store, query):
    # the explorer writes the table without making Dash components (layouts/html_text.El): same elements,
    # attributes and texts as the components the country pages mount
    rows = shown_rows(store, parse_query(query, store))
    straight, via_dash = _Texts(), _Texts()
    straight.feed(figures_table_html(rows, store.sources))
    via_dash.feed(to_html(figures_table(rows, store.sources)))
    assert straight.texts == via_dash.texts and straight.texts
    assert straight.tags == via_dash.tags


def test_el_escapes_like_the_components():
    node = el("td", ['<script>x</script> & "q"', el("a", "a", href="javascript:alert(1)")], title='"t"')
    assert to_html(node) == to_html(to_dash(node))
    assert "<script>" not in to_html(node) and "javascript:" not in to_html(node)


def test_html_text_escapes_and_refuses_what_it_does_not_know():
    markup = to_html(
        html.Td(['<script>x</script> & "q"', html.A("a", href="javascript:alert(1)")], title='"t"')
    )
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    assert "javascript:" not in markup and 'title="&quot;t&quot;"' in markup
    with pytest.raises(TypeError):
        to_html(html.Div(object()))
    from dash import dcc  # noqa: PLC0415  (only here)

    with pytest.raises(TypeError):
        to_html(html.Div(dcc.Link("x", href="/")))
