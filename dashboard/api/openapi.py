"""The OpenAPI 3.1 document of the data API, generated from the pydantic models that validate the
parameters (``dashboard/api/params.py``) and describe the answers (``dashboard/api/models.py``): what is
documented is what is checked."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from dashboard.api import models
from dashboard.api.params import CommonParams, ExplainParams, FiguresParams
from dashboard.api.paths import PREFIX
from dashboard.state import MAX_COUNTRIES

REF = "#/components/schemas/{model}"

# path -> (summary, parameters model, answer model, extra description)
ENDPOINTS: dict[str, tuple[str, type[BaseModel], type[BaseModel], str]] = {
    "/indicators": (
        "The indicator catalogue",
        CommonParams,
        models.IndicatorsAnswer,
        "Ids, titles, definitions, units, measures, period types, cadence, what the counterpart country "
        "means, and what the data holds for each indicator.",
    ),
    "/indicators/{id}": ("One indicator", CommonParams, models.IndicatorAnswer, ""),
    "/figures": (
        "The figures of an explorer view",
        FiguresParams,
        models.FiguresAnswer,
        "The explorer's URL parameters and defaults. One record per figure: the period's breakdown and "
        "total (or the chosen countries), the trend's quarters and a drilled quarter's months; a figure no "
        "source printed has value null and status not_reported. format=csv answers the explorer's CSV "
        f"download. countries: at most {MAX_COUNTRIES}.",
    ),
    "/explain": (
        "What drove a view's change",
        ExplainParams,
        models.ExplainAnswer,
        "The change explainer under the explorer's trend: the view's period against vs (prev, year or a "
        "period id). The total change (as the source printed it, else computed from the two levels and "
        "marked derived), each country's contribution ranked (they add up to the total change), the "
        "countries listed in one period only, the first country's share, the caveats, and two to four "
        "sentences in lang, each with the explorer path (on this host) that proves it. Two periods that "
        "cannot be compared are answered 200 with refused true, the reason's code (refusal) and message.",
    ),
    "/countries": ("Counterpart countries with figures", CommonParams, models.CountriesAnswer, ""),
    "/sources": ("Source documents", CommonParams, models.SourcesAnswer, ""),
    "/releases": ("Releases and what each changed", CommonParams, models.ReleasesAnswer, ""),
}
PATHS = tuple(PREFIX + p for p in (*ENDPOINTS, "/openapi.json"))
HEADERS = {
    "ETag": {"description": "Weak tag of the data version and query", "schema": {"type": "string"}},
    "X-Data-Version": {"description": "The data set's version", "schema": {"type": "string"}},
    "X-Data-Release": {"description": "The release shown", "schema": {"type": "string"}},
    "Cache-Control": {"schema": {"type": "string"}},
}  # fmt: skip


def _plain(schema: dict) -> dict:
    """A parameter's schema without pydantic's title and its ``null`` branch (absent means default)."""
    schema = {k: v for k, v in schema.items() if k not in ("title", "description", "default")}
    options = [s for s in schema.pop("anyOf", []) if s.get("type") != "null"]
    if len(options) == 1:
        schema = {**options[0], **schema}
    elif options:
        schema["anyOf"] = options
    return schema


def parameters(model: type[BaseModel]) -> list[dict]:
    """The model's fields as OpenAPI query parameters (names as in the URL: ``from``, not ``from_``)."""
    props = model.model_json_schema(by_alias=True)["properties"]
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": prop.get("description", ""),
            "schema": _plain(prop),
        }
        for name, prop in props.items()
    ]


def _collect(model: type[BaseModel], components: dict[str, Any]) -> dict:
    """A $ref to the model's schema, its definitions added to the components."""
    schema = model.model_json_schema(by_alias=True, ref_template=REF, mode="validation")
    components.update(schema.pop("$defs", {}))
    components[model.__name__] = schema
    return {"$ref": REF.format(model=model.__name__)}


def _error(ref: dict, what: str) -> dict:
    return {"description": what, "content": {"application/json": {"schema": ref}}}


@cache
def _paths() -> tuple[dict, dict]:
    components: dict[str, Any] = {}
    error = _collect(models.ErrorAnswer, components)
    paths: dict[str, Any] = {}
    for path, (summary, params, answer, description) in ENDPOINTS.items():
        content: dict[str, Any] = {"application/json": {"schema": _collect(answer, components)}}
        if path == "/figures":
            content["text/csv"] = {"schema": {"type": "string"}}
        op_params = parameters(params)
        if "{id}" in path:
            op_params.insert(
                0,
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 80}},
            )
        responses: dict[str, Any] = {
            "200": {"description": "The answer", "headers": HEADERS, "content": content},
            "304": {"description": "Not modified (If-None-Match holds the ETag)", "headers": HEADERS},
            "400": _error(error, "Bad parameters: each problem's parameter, value and what is allowed"),
            "503": _error(error, "The data is not available now"),
        }  # fmt: skip
        if "{id}" in path:
            responses["404"] = _error(error, "No such indicator")
        paths[PREFIX + path] = {
            "get": {
                "summary": summary,
                "description": description,
                "operationId": path.strip("/").replace("/{id}", "_one").replace("/", "_"),
                "parameters": op_params,
                "responses": responses,
            }
        }
    return paths, components


def document(server: str = "") -> dict:
    """The OpenAPI 3.1 document, with ``server`` (this host) as its server."""
    paths, components = _paths()
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "MTM Dashboard data API",
            "version": "1",
            "description": (
                "Kazakhstan's Migration Tracking Matrix figures, each with its source document and verbatim "
                "quote. Read-only. lang=en|ru|kk; release=N for the data as it was at release N. A figure "
                "not reported is null with status not_reported, never 0."
            ),
        },
        "servers": [{"url": server or "/"}],
        "paths": paths,
        "components": {"schemas": components},
    }
