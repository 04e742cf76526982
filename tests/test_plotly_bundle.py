"""The partial plotly.js bundle (assets/vendor/plotly-mtm.min.js) covers every trace type the app draws."""

from __future__ import annotations

import re
from pathlib import Path

from dash import Dash
from plotly.offline import get_plotlyjs_version

from dashboard.graph_config import graph_config

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "scripts" / "plotly-partial.js"
BUNDLE = ROOT / "assets" / "vendor" / "plotly-mtm.min.js"
# graph_objects classes that are not trace types
NOT_TRACES = {"Figure", "FigureWidget", "Layout", "Frame"}


def registered_traces() -> set[str]:
    return set(re.findall(r"require\('plotly\.js/lib/([a-z0-9]+)'\)", ENTRY.read_text())) - {"core"}


def used_traces() -> set[str]:
    used: set[str] = set()
    for folder in ("dashboard", "callbacks", "layouts"):
        for path in (ROOT / folder).rglob("*.py"):
            used |= {name.lower() for name in re.findall(r"\bgo\.([A-Z][A-Za-z0-9]*)\(", path.read_text())}
    return used - {name.lower() for name in NOT_TRACES}


def test_every_trace_type_the_app_draws_is_in_the_bundle():
    used = used_traces()
    assert {"scatter", "bar", "pie", "choropleth"} <= used  # the scan itself works
    missing = used - registered_traces()
    fix = "add them to scripts/plotly-partial.js and run scripts/build_plotly_bundle.sh"
    assert not missing, f"{sorted(missing)} not in the partial plotly.js bundle: {fix}"


def test_the_built_bundle_is_served_from_assets():
    head = BUNDLE.read_text(encoding="utf-8")[:400]
    assert "plotly.js v4.1.1 partial bundle" in head and "var Plotly=" in head


def test_bundle_matches_the_plotly_version_dash_would_load():
    assert f"plotly.js v{get_plotlyjs_version()} " in BUNDLE.read_text(encoding="utf-8")[:200]


def test_bundle_registers_russian_and_kazakh_and_never_offers_cloud_upload():
    text = BUNDLE.read_text(encoding="utf-8")
    assert 'name:"ru"' in text and 'name:"kk"' in text  # chart controls in both languages
    # plotly.js 4's "Share chart..." button uploads to Plotly Cloud: off by default in our bundle
    assert 'showSendToCloud:{valType:"boolean",dflt:!1' in text


def test_every_graph_config_turns_the_cloud_button_off():
    config = graph_config(Dash(__name__))
    assert config["showSendToCloud"] is False and config["plotlyServerURL"] == ""
    assert "sendChartToCloud" in config["modeBarButtonsToRemove"]
