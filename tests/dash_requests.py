"""Callback requests as the explorer's page sends them, for tests that post them by hand."""

from __future__ import annotations

from dashboard.ids import Ids


def table_request(state: object = None, changed: list[str] | None = None) -> dict:
    """The figures table's first drawing (the state store's id as input, its data as state): the body of the
    request the page sends once at load, with ``state`` as the stored explorer state."""
    return {
        "output": f"..{Ids.TABLE_HTML}.data...{Ids.DEFINITION}.children..",
        "outputs": [
            {"id": Ids.TABLE_HTML, "property": "data"},
            {"id": Ids.DEFINITION, "property": "children"},
        ],
        "inputs": [{"id": Ids.STATE, "property": "id", "value": Ids.STATE}],
        "changedPropIds": changed or [],
        "state": [{"id": Ids.STATE, "property": "data", "value": state}],
    }
