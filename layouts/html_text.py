"""Dash html components as one HTML string, for a part of a page that is only read, never updated piece by
piece: the explorer's table of figures. The browser then mounts one component for the table instead of ~10
per row (dash_renderer works through every mounted component on every update, so the table's ~90-600
components slowed every click on the page).

Only plain ``dash.html`` components and ``dbc.Table`` are known; anything else raises TypeError (a test
renders every table the app makes). Every text and attribute value is escaped; links keep only http(s),
relative and fragment addresses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from dash import html
from dash.development.base_component import Component

# Component props -> HTML attributes (the rest are written as they are named: title, role, scope, href, …)
_ATTR = {
    "className": "class",
    "htmlFor": "for",
    "tabIndex": "tabindex",
    "colSpan": "colspan",
    "rowSpan": "rowspan",
}
_SKIP = {"children", "n_clicks", "n_clicks_timestamp", "disable_n_clicks", "loading_state", "key", "setProps"}
_ATTR_NAME = re.compile(r"^(?:[a-z]+|data-[a-z0-9_.-]+|aria-[a-z]+)$")
_VOID = {"br", "hr", "img", "col", "wbr"}
_CAMEL = re.compile(r"[A-Z]")
_SAFE_URL = re.compile(r"^(?:https?://|/|#|\?)", re.IGNORECASE)


def _table_class(props: dict) -> str:
    """dbc.Table's classes (dash-bootstrap-components 2: table, table-<size>, table-striped, …)."""
    parts = ["table"]
    if props.get("size"):
        parts.append(f"table-{props['size']}")
    parts += [f"table-{flag}" for flag in ("striped", "bordered", "borderless", "hover") if props.get(flag)]
    if props.get("color"):
        parts.append(f"table-{props['color']}")
    if props.get("className"):
        parts.append(props["className"])
    return " ".join(parts)


def _style(value: dict) -> str:
    return "; ".join(f"{_CAMEL.sub(lambda m: '-' + m.group(0).lower(), k)}: {v}" for k, v in value.items())


def _attrs(props: Mapping[str, Any]) -> str:
    out = []
    for name, value in props.items():
        if name in _SKIP or value is None or value is False:
            continue
        attr = _ATTR.get(name, name)
        if name == "style" and isinstance(value, dict):
            value = _style(value)
        elif not _ATTR_NAME.match(attr) or isinstance(value, dict | list):
            raise TypeError(f"attribute {name!r} cannot be written as HTML")
        if attr == "href" and not _SAFE_URL.match(str(value)):
            continue
        out.append(f' {attr}="{escape(str(value), quote=True)}"' if value is not True else f" {attr}")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class El:
    """A plain HTML element with Dash's prop names (className, tabIndex, data-*, aria-*): written straight to
    HTML by to_html, or made a Dash component by to_dash. For read-only parts built on every click (the
    figures table: hundreds of elements), where making Dash components first cost ~10 ms a table."""

    tag: str
    children: object = None
    props: Mapping[str, Any] = field(default_factory=dict)


def el(tag: str, children: object = None, **props: Any) -> El:
    """``el("td", "text", className="x")``; wildcard props as a mapping: ``**{"data-value": v}``."""
    return El(tag, children, props)


def to_dash(node: object) -> Any:
    """The Dash components of a tree of El (anything else is returned as it is)."""
    if isinstance(node, list | tuple):
        return [to_dash(x) for x in node]
    if not isinstance(node, El):
        return node
    return getattr(html, node.tag.capitalize())(to_dash(node.children), **node.props)


def to_html(node: object) -> str:
    """The HTML of a component tree (strings and numbers as text, lists in order, None as nothing)."""
    if node is None:
        return ""
    if isinstance(node, El):
        inner = to_html(node.children)
        if node.tag in _VOID:
            return f"<{node.tag}{_attrs(node.props)}>"
        return f"<{node.tag}{_attrs(node.props)}>{inner}</{node.tag}>"
    if isinstance(node, str):
        return escape(node, quote=False)
    if isinstance(node, int | float):
        return escape(str(node), quote=False)
    if isinstance(node, list | tuple):
        return "".join(to_html(x) for x in node)
    if not isinstance(node, Component):
        raise TypeError(f"cannot write {type(node).__name__} as HTML")
    spec = node.to_plotly_json()
    props = dict(spec["props"])
    namespace, kind = spec["namespace"], spec["type"]
    if namespace == "dash_bootstrap_components" and kind == "Table":
        tag = "table"
        props["className"] = _table_class(props)
        for name in ("size", "striped", "bordered", "borderless", "hover", "color", "responsive", "dark"):
            props.pop(name, None)
    elif namespace == "dash_html_components":
        tag = kind.lower()
    else:
        raise TypeError(f"{namespace}.{kind} cannot be written as HTML")
    inner = to_html(props.get("children"))
    if tag in _VOID:
        return f"<{tag}{_attrs(props)}>"
    return f"<{tag}{_attrs(props)}>{inner}</{tag}>"
