"""The config every dcc.Graph of the app is drawn with (pages and the router pass it down)."""

from __future__ import annotations

from dash import Dash, dcc


def graph_config(app: Dash) -> dcc.Graph.Config:
    """Config of every dcc.Graph: local map files (plotly.js would fetch them from a CDN), no logo."""
    return {
        "topojsonURL": app.get_asset_url("topojson/"),
        "displaylogo": False,
        "responsive": True,
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendChartToCloud"],
        # plotly.js 4 adds a "Share chart..." button that uploads the figure to Plotly Cloud: never, here
        "showSendToCloud": False,
        "plotlyServerURL": "",
        "toImageButtonOptions": {"format": "png", "width": 1600, "height": 900, "scale": 1},
    }
