"""The data API over HTTP: a Flask blueprint at ``/api/v1/`` serving ``dashboard/api/service.py``.

Every answer carries the data version and release (``meta`` in JSON, ``X-Data-Version`` /
``X-Data-Release`` headers), a weak ``ETag`` made of the data version and the normalized query (two links
meaning the same view share it; a new data version changes it), ``Cache-Control``, and answers
``If-None-Match`` with 304 before any work. JSON is gzip-compressed by the app's flask-compress; CSV (a type
flask-compress leaves alone) here. Bad input is a 400 JSON error naming the parameter, the value and what
is allowed; nothing answers a traceback.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Callable
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from dashboard.api import openapi, service
from dashboard.api.params import (
    ApiError,
    common_params,
    explain_params,
    figures_params,
    lang_of,
    resolve_explain,
    resolve_view,
)
from dashboard.api.paths import PREFIX
from dashboard.data import DataStore, DataUnavailable, get_store
from dashboard.explain import explain_key
from dashboard.state import Problem

log = logging.getLogger(__name__)


MAX_AGE_LATEST = 300  # seconds: a new import may change the latest data; the ETag revalidates cheaply
MAX_AGE_RELEASE = 86400  # the data as at a past release does not change within a data version
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv"

bp = Blueprint("api_v1", __name__, url_prefix=PREFIX)


def init_app(server: Flask) -> None:
    """Serve the API: the blueprint, and JSON for the routing errors of its paths (a method other than
    GET), which happen before any blueprint is chosen."""
    server.register_blueprint(bp)

    @server.errorhandler(405)
    def _method_not_allowed(exc: HTTPException):
        if request.path.startswith(PREFIX + "/"):
            return _http_error(exc)
        return exc


def _store() -> DataStore:
    return get_store(Path(current_app.config["MTM_DATA_DIR"]))


def _json(body: dict, status: int = 200) -> Response:
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return Response(text, status=status, mimetype=JSON_TYPE)


def error_response(exc: ApiError) -> Response:
    return _json(exc.body(), exc.status)


def _etag(store: DataStore, endpoint: str, query: str) -> str:
    return hashlib.sha256(f"{store.version}|{endpoint}|{query}".encode()).hexdigest()[:24]


def _fresh(etag: str) -> bool:
    """The client already holds this answer (If-None-Match lists the tag, or *)."""
    return request.if_none_match.contains_weak(etag) or request.if_none_match.star_tag


def _finish(response: Response, store: DataStore, release: int | None, etag: str) -> Response:
    response.set_etag(etag, weak=True)
    response.headers["X-Data-Version"] = store.version
    shown = release if release is not None else store.latest_release
    response.headers["X-Data-Release"] = "" if shown is None else str(shown)
    age = MAX_AGE_RELEASE if release is not None else MAX_AGE_LATEST
    scope = "private" if request.authorization is not None else "public"
    response.headers["Cache-Control"] = f"{scope}, max-age={age}"
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any page may fetch it
    response.headers["Access-Control-Expose-Headers"] = "ETag, X-Data-Version, X-Data-Release"
    return response


def _answer(
    endpoint: str, query: str, release: int | None, make: Callable[[DataStore], Response]
) -> Response:
    """304 when the client holds this answer, else the answer ``make`` builds, with the cache headers."""
    store = _store()
    etag = _etag(store, endpoint, query)
    if _fresh(etag):
        return _finish(Response(status=304), store, release, etag)
    return _finish(make(store), store, release, etag)


def _gzipped(text: str, mimetype: str) -> Response:
    """A text answer, gzip-compressed when the client accepts it (for types flask-compress skips)."""
    data = text.encode("utf-8")
    response = Response(mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    if "gzip" in request.accept_encodings and len(data) >= 500:
        response.set_data(gzip.compress(data, compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(data)
    return response


# -- endpoints -------------------------------------------------------------------------------------------
@bp.get("/figures")
def figures() -> Response:
    params = figures_params(request.args)
    state = resolve_view(params, _store())
    query = f"{state.to_query()}&format={params.format}"

    def make(store: DataStore) -> Response:
        if params.format == "csv":
            response = _gzipped(service.figures_csv(params, store), CSV_TYPE)
            name = f"mtm-{state.indicator}-{state.period}.csv"
            response.headers["Content-Disposition"] = f'inline; filename="{name}"'
            return response
        return _json(service.figures(params, store))

    return _answer("figures", query, state.release, make)


@bp.get("/explain")
def explain() -> Response:
    params = explain_params(request.args)
    state = resolve_explain(params, _store())
    query = "|".join(str(k) for k in explain_key(state))  # what the explanation depends on
    return _answer("explain", query, state.release, lambda store: _json(service.explanation(params, store)))


def _common(endpoint: str, call: Callable[[str, int | None, DataStore], dict], key: str = "") -> Response:
    params = common_params(request.args)
    lang = lang_of(params)
    query = f"{key}|lang={lang}&release={params.release}"
    return _answer(endpoint, query, params.release, lambda store: _json(call(lang, params.release, store)))


@bp.get("/indicators")
def indicators() -> Response:
    return _common("indicators", lambda lang, release, store: service.indicators(lang, release, store))


@bp.get("/indicators/<indicator_id>")
def indicator(indicator_id: str) -> Response:
    return _common(
        "indicator",
        lambda lang, release, store: service.indicator(indicator_id, lang, release, store),
        key=indicator_id,
    )


@bp.get("/countries")
def countries() -> Response:
    return _common("countries", lambda lang, release, store: service.countries(lang, release, store))


@bp.get("/sources")
def sources() -> Response:
    return _common("sources", lambda lang, release, store: service.sources(lang, release, store))


@bp.get("/releases")
def releases() -> Response:
    return _common("releases", lambda lang, release, store: service.releases(lang, release, store))


@bp.get("/openapi.json")
def openapi_json() -> Response:
    params = common_params(request.args)  # no parameters but the common ones (which it ignores)
    del params
    document = openapi.document(request.host_url.rstrip("/"))
    return _answer("openapi", request.host_url, None, lambda _store: _json(document))


@bp.route("/", defaults={"rest": ""})
@bp.route("/<path:rest>")
def not_found(rest: str) -> Response:
    allowed = ", ".join(openapi.PATHS)
    return error_response(
        ApiError([Problem("path", f"{PREFIX}/{rest}"[:80], allowed, "no such endpoint")], 404)
    )


# -- errors: JSON, never a traceback ---------------------------------------------------------------------
@bp.errorhandler(ApiError)
def _api_error(exc: ApiError) -> Response:
    return error_response(exc)


@bp.errorhandler(DataUnavailable)
def _no_data(exc: DataUnavailable) -> Response:
    log.error("data unavailable: %s", exc)
    problem = Problem("data", "", "", "the data is not available now; try again later")
    return error_response(ApiError([problem], 503))


@bp.errorhandler(HTTPException)
def _http_error(exc: HTTPException) -> Response:
    code = exc.code or 500
    problem = Problem("request", request.method, "GET", exc.name or "error")
    return error_response(ApiError([problem], code))


@bp.errorhandler(Exception)
def _internal(exc: Exception) -> Response:
    log.exception("API error")
    return error_response(ApiError([Problem("request", "", "", "internal error; it was logged")], 500))
