"""HTML attributes whose names are not Python identifiers (``aria-*``, ``data-*``) for Dash components."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def attrs(props: Mapping[str, Any]) -> dict[str, Any]:
    """``props`` to spread into a component: ``html.Nav(..., **attrs({"aria-label": "Main"}))``.

    Dash's typed constructors name every prop but cannot name ``aria-label``, so a type checker would
    match the spread dict against each named prop's type; a ``dict[str, Any]`` is what they accept."""
    return dict(props)
