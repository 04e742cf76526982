"""Repeated requests of pure callbacks are answered from memory; everything else always runs."""

from __future__ import annotations

import json

import pytest
from dash import Dash, Input, Output, dcc, html

from dashboard import response_cache
from dashboard.app_factory import create_app
from dashboard.response_cache import Answer, ResponseCache, pure, pure_outputs
from tests.dash_requests import table_request

CALLBACK = "/_dash-update-component"


def _body(output: str, value) -> str:
    target, prop = output.split(".")
    return json.dumps(
        {
            "output": output,
            "outputs": {"id": target, "property": prop},
            "inputs": [{"id": "a", "property": "value", "value": value}],
            "changedPropIds": ["a.value"],
            "state": [],
        }
    )


@pytest.fixture
def tiny():
    """A two-callback app: `b` pure, `c` not; the data version is what `version[0]` says."""
    app = Dash(__name__)
    app.layout = html.Div([dcc.Input(id="a"), html.Div(id="b"), html.Div(id="c")])
    calls: list[str] = []
    version = ["v1"]

    @app.callback(Output("b", "children"), Input("a", "value"))
    @pure
    def echo(value):
        calls.append(f"b:{value}")
        return f"{value} (call {len(calls)})"

    @app.callback(Output("c", "children"), Input("a", "value"))
    def stamp(value):
        calls.append(f"c:{value}")
        return f"{value} (call {len(calls)})"

    cache = response_cache.init_app(app, lambda: version[0])
    return app.server.test_client(), calls, version, cache


def test_a_repeated_request_of_a_pure_callback_is_answered_from_memory(tiny):
    client, calls, _version, cache = tiny
    first = client.post(CALLBACK, data=_body("b.children", "x"), content_type="application/json")
    again = client.post(CALLBACK, data=_body("b.children", "x"), content_type="application/json")
    assert first.status_code == again.status_code == 200
    assert again.get_data() == first.get_data() and again.mimetype == "application/json"
    assert calls == ["b:x"] and cache.hits == 1
    other = client.post(CALLBACK, data=_body("b.children", "y"), content_type="application/json")
    assert "y (call 2)" in other.get_data(as_text=True)


def test_another_language_or_data_version_runs_the_callback_again(tiny):
    client, calls, version, _cache = tiny
    body = _body("b.children", "x")
    client.post(CALLBACK, data=body, content_type="application/json")
    client.post(CALLBACK, data=body, content_type="application/json", headers={"Accept-Language": "ru"})
    version[0] = "v2"  # an import: a new data version
    r = client.post(CALLBACK, data=body, content_type="application/json")
    assert calls == ["b:x", "b:x", "b:x"]
    assert "call 3" in r.get_data(as_text=True)


def test_a_callback_not_marked_pure_always_runs(tiny):
    client, calls, _version, cache = tiny
    for _ in range(3):
        client.post(CALLBACK, data=_body("c.children", "x"), content_type="application/json")
    assert calls == ["c:x"] * 3 and len(cache) == 0


def test_the_cache_is_bounded_by_entries_and_bytes():
    cache = ResponseCache(max_entries=3, max_bytes=8000)
    for i in range(5):
        cache.put((i,), Answer(200, "application/json", b"x" * 100))
    assert len(cache) == 3 and cache.get((0,)) is None and cache.get((4,)) is not None
    cache.put(("big",), Answer(200, "application/json", b"x" * 1500))  # > an eighth of the bytes: not kept
    assert cache.get(("big",)) is None
    for i in range(3):
        cache.put(("mid", i), Answer(200, "application/json", b"x" * 900))
    assert len(cache) == 3 and cache._bytes <= 8000


def test_the_explorer_marks_exactly_its_view_callbacks_pure(monkeypatch):
    monkeypatch.setenv("MTM_WARM", "0")
    app = create_app()
    pure_ids = pure_outputs(app)
    names = {app.callback_map[o]["callback"].__name__ for o in pure_ids}  # clientside ones have none
    assert {"on_control", "from_url", "draw_table", "draw_map", "draw_series"} <= names
    # exports, downloads, the page router (host, day) and the country page's callbacks are never remembered
    for output, spec in app.callback_map.items():
        if getattr(spec.get("callback"), "__name__", "") in ("export_chart", "download", "route"):
            assert output not in pure_ids, output


def test_the_explorers_table_request_is_answered_from_memory_the_second_time(monkeypatch):
    monkeypatch.setenv("MTM_WARM", "0")
    app = create_app()
    client = app.server.test_client()
    body = table_request()
    first, again = (client.post(CALLBACK, json=body) for _ in range(2))
    cache = app.server.extensions["mtm_response_cache"]
    assert first.status_code == again.status_code == 200 and cache.hits == 1
    assert first.get_data() == again.get_data()
    assert "Content-Security-Policy" in again.headers  # the security headers still apply
    assert client.post(CALLBACK, data="{not json", content_type="application/json").status_code == 400
