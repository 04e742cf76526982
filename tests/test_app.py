"""The app without a browser: factory wiring, layouts, URL state, and hand-crafted callback requests."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from dash.development.base_component import Component

from dashboard.app_factory import create_app
from dashboard.catalogue import catalogue
from dashboard.data import get_store
from dashboard.ids import Ids
from dashboard.state import MAX_COUNTRIES, ExplorerState, parse_query
from layouts import country, explorer, overview


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


@pytest.fixture(scope="module")
def store():
    return get_store()


def ids_in(component) -> set[str]:
    found: set[str] = set()

    def walk(c):
        if isinstance(c, Component):
            cid = getattr(c, "id", None)
            if cid is not None:
                found.add(json.dumps(cid, sort_keys=True) if isinstance(cid, dict) else str(cid))
            for child in (
                c.children
                if isinstance(getattr(c, "children", None), list)
                else [getattr(c, "children", None)]
            ):
                walk(child)
        elif isinstance(c, list | tuple):
            for child in c:
                walk(child)

    walk(component)
    return found


def test_every_callback_output_exists_in_a_page(app, store):
    config = {}
    pages = [
        app.layout,
        overview.layout(store, config),
        explorer.layout(parse_query("", store), store, config),
        country.layout("UZB", store, config),
    ]
    known = set().union(*(ids_in(p) for p in pages))
    outputs = [o for cb in app._callback_list for o in cb["output"].split("...")]
    inputs = [i["id"] for cb in app._callback_list for i in cb["inputs"]]
    assert len(outputs) > 20
    for out in outputs:
        out = out.strip(".")
        cid = out.rsplit(".", 1)[0].split("@")[0]  # "@…" marks allow_duplicate outputs
        assert cid in known, f"callback output {out} has no component in any page"
    for cid in inputs:
        if isinstance(cid, str) and not cid.startswith("{"):  # pattern-matching ids are checked by type below
            assert cid in known, f"callback input {cid} has no component in any page"


def test_preset_buttons_cover_every_country_group(store):
    ids = ids_in(explorer.layout(parse_query("", store), store, {}))

    for g in catalogue().country_groups:
        assert json.dumps({"group": g.id, "type": Ids.PRESET}, sort_keys=True) in ids


def test_pages_answer_and_health_says_data_is_loaded(client, store):
    assert client.get("/").status_code == 200
    health = client.get("/healthz").get_json()
    assert health.pop("cache") in ("in-process", "redis ok")  # "redis ok" when REDIS_URL is set
    assert health == {"status": "ok", "data_version": store.version, "rows": store.observations.height}


def test_served_page_is_production_safe(client, app):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="en"' in html
    assert "cdn." not in html and "unpkg" not in html and "googleapis" not in html
    assert app.server.debug is False
    assert '"debug": true' not in client.get("/_dash-config").get_data(as_text=True)


# -- URL state ----------------------------------------------------------------------------------------------
def test_default_state_is_the_latest_quarter_with_a_breakdown(store):
    s = parse_query("", store)
    assert (s.indicator, s.measure, s.unit, s.period, s.period_type) == (
        "trp_issued",
        "count",
        "permits",
        "2023-Q2",
        "quarter",
    )
    assert s.notices == ()


def test_query_round_trip(store):
    s = parse_query(
        "?indicator=remittance_outflow&measure=amount&unit=USD_mn&period=2023-Q2&countries=UZB,RUS"
        "&from=2022-Q3&to=2024-Q4&drill=2023-Q2",
        store,
    )
    assert s.notices == ()
    assert (s.unit, s.countries, s.first, s.last, s.drill) == (
        "USD_mn",
        ("UZB", "RUS"),
        "2022-Q3",
        "2024-Q4",
        "2023-Q2",
    )
    assert parse_query(s.to_query(), store) == s


def test_ytd_period_with_a_bare_year_keeps_its_type(store):
    s = parse_query("?indicator=trp_issued&period=2023&ptype=ytd", store)
    assert (s.period, s.period_type, s.notices) == ("2023", "ytd", ())
    assert "ptype=ytd" in s.to_query()


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("?indicator=nope", "Unknown indicator"),
        ("?indicator=visas_issued&period=2030-Q1", "Visas: nothing reported for period"),
        ("?indicator=visas_issued&measure=amount&unit=KZT_bn", "not published as"),
        ("?countries=UZB,XXX,TOT,zz", "Ignored unknown country code"),
        ("?from=2023-Q4&to=2022-Q1", "time range"),
        ("?drill=1999-Q1", "Cannot drill"),
        ("?foo=bar", "unknown parameter"),
        ("?" + "a" * 5000, "too long"),
    ],
)
def test_invalid_parameters_fall_back_with_a_notice(store, query, notice):
    s = parse_query(query, store)
    assert any(notice in n for n in s.notices), s.notices
    assert s.indicator  # still a full, valid view


def test_too_many_countries_are_cut(store):
    codes = ["UZB", "RUS", "KGZ", "TJK", "CHN", "TUR", "DEU", "USA", "GBR", "IND", "KOR", "ITA", "POL", "HUN"]
    s = parse_query("?countries=" + ",".join(codes), store)
    assert len(s.countries) == MAX_COUNTRIES and any("At most" in n for n in s.notices)


# -- hand-crafted callback requests -------------------------------------------------------------------------
def _post(client, output: str, outputs, inputs, state=None):
    body = {
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": [],
        "state": state or [],
    }
    return client.post("/_dash-update-component", json=body)


@pytest.mark.parametrize(
    "data",
    [
        None,
        "garbage",
        {"indicator": "'; DROP TABLE", "measure": 1},
        {"indicator": "trp_issued", "countries": ["UZB"] * 1000},
        {"indicator": "x" * 50000},  # bigger bodies get 413 (tests/test_security.py)
        {k: [[[[[]]]]] for k in ("indicator", "measure", "unit", "period", "period_type")},
    ],
)
def test_panel_callbacks_survive_hand_crafted_state(client, data):
    r = _post(
        client,
        "..table-html.data...definition.children..",
        [{"id": Ids.TABLE_HTML, "property": "data"}, {"id": Ids.DEFINITION, "property": "children"}],
        [{"id": Ids.STATE, "property": "id", "value": Ids.STATE}],  # the page's first table
        [{"id": Ids.STATE, "property": "data", "value": data}],
    )
    assert r.status_code == 200
    body = r.get_data(as_text=True)
    assert "Traceback" not in body
    assert "Temporary residence permits issued" in body  # the default view


def test_router_survives_a_bad_path(client):
    r = _post(
        client,
        "..page.children...site-header.children...site-footer.children..",
        [
            {"id": "page", "property": "children"},
            {"id": "site-header", "property": "children"},
            {"id": "site-footer", "property": "children"},
        ],
        [{"id": "url", "property": "pathname", "value": 12345}],
        [{"id": "url", "property": "search", "value": {"x": 1}}],
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    assert "Traceback" not in r.get_data(as_text=True)


def test_an_unhandled_error_is_a_plain_500_and_a_logged_traceback(app, monkeypatch, caplog):
    def broken():
        raise RuntimeError('internals: File "/srv/dashboard/data.py", line 1')

    monkeypatch.setitem(app.server.view_functions, "healthz", broken)
    with caplog.at_level("ERROR"):
        r = app.server.test_client().get("/healthz")
    body = r.get_data(as_text=True)
    assert (r.status_code, r.mimetype) == (500, "text/plain"), body[:300]
    assert body == "Internal error. The incident was logged."
    assert any(rec.exc_info and "internals" in str(rec.exc_info[1]) for rec in caplog.records), "not logged"


def test_state_is_a_frozen_value():
    s = ExplorerState("trp_issued", "count", "permits", "2023-Q2", "quarter")
    with pytest.raises(AttributeError):
        s.indicator = "x"  # type: ignore[misc]


def test_missing_tables_stop_start_up_with_the_file_and_the_fix(tmp_path):
    env = {**os.environ, "MTM_DATA_DIR": str(tmp_path)}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    r = subprocess.run(
        [sys.executable, "-c", "import app"], cwd=root, env=env, capture_output=True, text=True
    )
    assert r.returncode == 3
    assert "manifest.json" in r.stderr and "mtm build" in r.stderr
    assert "Traceback" not in r.stderr
