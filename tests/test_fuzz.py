"""Hand-crafted POSTs to Dash's callback endpoint: never a 5xx, a traceback or a slow answer.

In-process through the Flask test client. Hypothesis builds >= 1,000 bodies: random JSON, well-formed requests
for each server callback with random values, and well-formed requests with one part broken.
"""

from __future__ import annotations

import json
import time

import pytest
from dash._utils import split_callback_id
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dashboard.app_factory import create_app
from dashboard.security import callback_specs
from tests.dash_requests import table_request

URL = "/_dash-update-component"
SLOW_S = 5.0  # generous: the suite may share the cores with browsers
N_EXAMPLES = 1100


@pytest.fixture(scope="module")
def app():
    return create_app()


@pytest.fixture(scope="module")
def client(app):
    return app.server.test_client()


def post(client, body) -> tuple[int, bytes, float]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    t = time.perf_counter()
    r = client.post(URL, data=data, content_type="application/json")
    return r.status_code, r.data, time.perf_counter() - t


def assert_harmless(status: int, body: bytes, seconds: float, what) -> None:
    assert status < 500, (status, body[:300], str(what)[:300])
    text = body.decode("utf-8", "replace")
    assert "Traceback" not in text and 'File "' not in text, text[:300]
    assert seconds < SLOW_S, (seconds, str(what)[:300])


# -- strategies ---------------------------------------------------------------------------------------------
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "/",
            "/explore",
            "/country/UZB",
            "/briefing",
            "?indicator=x",
            "trp_issued",
            "quarter|2023-Q2",
            "stock|persons",
            "UZB",
            "2023-Q2",
            "9999-Q4",
            "0001-Q1",
            "clear",
            "cis",
            "png-wide",
            "copy",
        ]
    ),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6),
    max_leaves=25,
)


def skeleton(output: str, spec: dict, draw) -> dict:
    """A request shaped like the renderer's, for one server callback, with random values."""

    def item(dep):
        if isinstance(dep["id"], dict):
            ids = [
                {k: (draw(st.text(max_size=8)) if isinstance(v, list) else v) for k, v in dep["id"].items()}
                for _ in range(draw(st.integers(0, 3)))
            ]
            return [{"id": i, "property": dep["property"], "value": draw(json_values)} for i in ids]
        return {"id": dep["id"], "property": dep["property"], "value": draw(json_values)}

    inputs = [item(d) for d in spec["inputs"]]
    changed = []
    for i in inputs:
        for one in i if isinstance(i, list) else [i]:
            if draw(st.booleans()):
                oid = one["id"]
                sid = json.dumps(oid, sort_keys=True, separators=(",", ":")) if isinstance(oid, dict) else oid
                changed.append(f"{sid}.{one['property']}")
    return {
        "output": output,
        "outputs": split_callback_id(output),
        "inputs": inputs,
        "state": [item(d) for d in spec["state"]],
        "changedPropIds": changed,
    }


@st.composite
def bodies(draw, specs: dict):
    kind = draw(st.sampled_from(["random", "values", "broken", "broken", "values"]))
    if kind == "random":
        return draw(json_values)
    output = draw(st.sampled_from(sorted(specs)))
    body = skeleton(output, specs[output], draw)
    if kind == "broken":
        key = draw(st.sampled_from(["output", "outputs", "inputs", "state", "changedPropIds", "extra"]))
        how = draw(st.sampled_from(["drop", "replace", "truncate", "unknown-id"]))
        if how == "drop":
            body.pop(key, None)
        elif how == "replace":
            body[key] = draw(json_values)
        elif how == "truncate" and isinstance(body.get(key), list):
            body[key] = body[key][:-1]
        elif how == "unknown-id":
            body["output"] = draw(st.sampled_from(["zzz.children", "map.id", "page.children@x", ""]))
    return body


# -- tests -------------------------------------------------------------------------------------------------
def test_fuzz_callback_requests(app, client):
    specs = callback_specs(app)
    assert len(specs) >= 8
    seen = {"n": 0, "ok": 0}

    @settings(
        max_examples=N_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(bodies(specs))
    def one(body):
        status, data, seconds = post(client, body)
        assert_harmless(status, data, seconds, body)
        seen["n"] += 1
        seen["ok"] += status == 200

    one()
    assert seen["n"] >= 1000
    assert seen["ok"] > 50  # the well-formed ones really reached the callbacks


ROUTE_OUTPUT = "..page.children...site-header.children...site-footer.children.."


def _route_body(pathname, search=None) -> dict:
    return {
        "output": ROUTE_OUTPUT,
        "outputs": [
            {"id": "page", "property": "children"},
            {"id": "site-header", "property": "children"},
            {"id": "site-footer", "property": "children"},
        ],
        "inputs": [{"id": "url", "property": "pathname", "value": pathname}],
        "state": [{"id": "url", "property": "search", "value": search}],
        "changedPropIds": ["url.pathname"],
    }


def test_megabyte_string_is_refused(client):
    status, data, seconds = post(client, _route_body("/explore", "?indicator=" + "x" * 1_000_000))
    assert status == 413
    assert_harmless(status, data, seconds, "megabyte")


def test_long_string_under_the_cap_gets_a_default(client):
    status, data, seconds = post(client, _route_body("/" + "x" * 60_000, "?" + "y" * 1000))
    assert status == 200 and b"Page not found" in data
    assert_harmless(status, data, seconds, "long")


def test_deep_nesting_is_a_400(client):
    deep = b'{"output": "' + ROUTE_OUTPUT.encode() + b'", "x": ' + b"[" * 20_000 + b"]" * 20_000 + b"}"
    status, data, seconds = post(client, deep)
    assert status == 400
    assert_harmless(status, data, seconds, "deep")
    nested = _route_body("/explore", None)
    v: list = []
    nested["inputs"][0]["value"] = v
    for _ in range(100):
        v.append([])
        v = v[0]
    status, data, seconds = post(client, nested)
    assert status == 400
    assert_harmless(status, data, seconds, "deep value")


@pytest.mark.parametrize(
    "output", ["zzz.children", "map.id", "", "..map.figure...zzz.children..", "country-select.id"]
)
def test_unknown_or_clientside_output_is_a_400(client, output):
    body = _route_body("/") | {"output": output}
    status, data, seconds = post(client, body)
    assert status == 400
    assert_harmless(status, data, seconds, output)


def test_wrong_types_get_the_default_view(client):
    status, data, _ = post(client, _route_body(5, ["?indicator=x"]))
    assert status == 200 and b"Migration in Kazakhstan" in data
    state = table_request({"indicator": {"a": [1]}, "countries": 7}, changed=["explorer-state.id"])
    status, data, seconds = post(client, state)
    assert status == 200
    assert_harmless(status, data, seconds, state)


def test_malformed_pattern_id_in_changed_props_is_a_400(client):
    body = _route_body("/") | {"changedPropIds": ["{not json.pathname"]}
    assert post(client, body)[0] == 400
