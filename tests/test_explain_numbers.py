"""The explainer's "The numbers" table (layouts/explain.py): the largest changes itemised, the other countries
listed in both periods summed into one derived line, the remainder as the sentences say it, and a link to the
API's explanation that itemises every country. On the shipped data (rows quoted in tests/test_explain.py):
foreign workers, 1 Sept 2023 against 1 Aug 2023: TUR −41, IND −28, UZB −14, CHN +3, other countries −51,
total −131."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlsplit

import pytest
from dash import html

from dashboard import i18n
from dashboard.app_factory import create_app
from dashboard.countries import OTHER
from dashboard.data import DataStore
from dashboard.explain import explain
from layouts import explain as explain_layout
from tests.fixtures_data import committed_store

STOCK = ("foreign_workers_permit_holders", "count", "persons", "2023-09-01", "date", "2023-08-01", "date")


@pytest.fixture(scope="module")
def store() -> DataStore:
    return committed_store()


def _find(node, kind) -> list:
    """Every component of a type in a Dash tree."""
    found = [node] if isinstance(node, kind) else []
    children = getattr(node, "children", None)
    if isinstance(children, list | tuple):
        for c in children:
            found += _find(c, kind)
    elif children is not None and not isinstance(children, str):
        found += _find(children, kind)
    return found


def _rows(content: list) -> list[list[str]]:
    body = _find(html.Div(content), html.Tbody)[0]
    return [[str(cell.children) for cell in tr.children] for tr in body.children]


def test_few_countries_are_all_itemised(store):
    with i18n.use("en"):
        e = explain(store, *STOCK)
        rows = _rows(explain_layout.content(e))
    assert [r[0] for r in rows] == ["Türkiye", "India", "Uzbekistan", "China", "other countries", "Total"]
    notes = [p for p in _find(html.Div(explain_layout.content(e)), html.P) if p.className]
    assert not any("explain-folded" in p.className for p in notes)  # nothing summed: no pointer to the API


def test_beyond_the_limit_the_rest_is_one_summed_line(store, monkeypatch):
    monkeypatch.setattr(explain_layout, "NUMBERS_SHOWN", 2)
    with i18n.use("en"):
        e = explain(store, *STOCK)
        content = explain_layout.content(e)
        rows = _rows(content)
    # TUR and IND itemised; UZB + CHN summed: 2016 + 3768 = 5784 → 2002 + 3771 = 5773, −11 (derived),
    # −11 / −131 = 8.4 % of the change; the remainder as before (−51, 38.9 %); the total last
    assert [r[0] for r in rows] == [
        "Türkiye",
        "India",
        "2 more countries listed in both periods",
        "other countries",
        "Total",
    ]
    assert rows[0][1:] == ["1,411", "1,370", "−41", "−2.9%", "31.3%"]
    assert rows[2][1:] == ["5,784 (derived)", "5,773 (derived)", "−11 (derived)", "−0.2%", "8.4%"]
    assert rows[3][1:4] == ["6,116 (derived)", "6,065 (derived)", "−51 (derived)"]
    assert rows[4][1:4] == ["14,702", "14,571", "−131"]
    # the sentences are the explanation's own, untouched by the table's folding
    sentences = _find(html.Div(content), html.Li)
    assert [li.children.children for li in sentences] == [s.text for s in e.sentences]
    assert e.contributions[-1].country == OTHER and len(e.contributions) == 5  # the data keeps every country
    # under the table: where every country is itemised, the API's explanation of the same view
    links = [a for a in _find(html.Div(content), html.A) if a.className == "explain-api"]
    assert len(links) == 1
    href = links[0].href
    assert dict(parse_qsl(urlsplit(href).query))["vs"] == "2023-08-01"
    answer = create_app().server.test_client().get(href)  # the committed data, as the store
    assert answer.status_code == 200
    countries = [c["country"] for c in json.loads(answer.data)["data"]["contributions"]]
    assert countries == ["TUR", "IND", "UZB", "CHN", OTHER]


def test_russian_plural_of_the_summed_line(store, monkeypatch):
    monkeypatch.setattr(explain_layout, "NUMBERS_SHOWN", 2)
    with i18n.use("ru"):
        rows = _rows(explain_layout.content(explain(store, *STOCK)))
    assert rows[2][0] == "Ещё 2 страны, указанные в обоих периодах"
