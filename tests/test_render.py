"""Server-side chart images (`mtm chart`: kaleido + Debian's Chromium) and derived-value patterns."""

from __future__ import annotations

import pytest

from dashboard import figures, panels
from dashboard.data import get_store
from dashboard.render import render
from dashboard.state import parse_query

VIEW = "?indicator=remittance_outflow&measure=amount&unit=KZT_bn&period=2023-Q2"


@pytest.mark.browser
def test_svg_carries_title_source_and_view_link():
    svg = render(VIEW, "donut", "svg", "wide", "http://dashboard.example").decode()
    assert "Remittances sent from Kazakhstan" in svg
    assert "Source: IOM MTM Kazakhstan Quarterly Report Q2 2023" in svg
    assert "http://dashboard.example/explore?indicator=remittance_outflow" in svg.replace("&amp;", "&")
    assert "Note: Some values are derived" in svg


@pytest.mark.browser
@pytest.mark.parametrize(("size", "dims"), [("wide", (1600, 900)), ("square", (1080, 1080))])
def test_png_has_the_promised_size(size, dims):
    png = render(VIEW, "map", "png", size)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == dims


def test_derived_slices_keep_their_colour():
    """plotly.js paints a patterned slice transparent without a background colour: derived shares vanished."""
    store = get_store()
    fig = panels.donut_panel(store, parse_query(VIEW, store)).figure
    marker = fig.data[0].marker
    assert (
        "/" in marker.pattern.shape
    )  # the shares were computed from amounts: marked by pattern, not colour only
    assert list(marker.pattern.bgcolor) == list(marker.colors)


def test_render_refuses_an_unknown_chart():
    with pytest.raises(ValueError, match="unknown chart"):
        render(VIEW, "pie3d")
    assert figures.sources_line([]) == ""
