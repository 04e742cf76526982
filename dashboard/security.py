"""Serving safely: request size cap, a shape check of Dash callback requests, security headers, optional
access control. Everything is configured from the environment when the app is created:

    MTM_MAX_BODY_BYTES        largest request body (default 65536); larger gets 413
    MTM_FRAME_ANCESTORS       who may embed the dashboard in a frame (CSP frame-ancestors; default 'self'),
                              e.g. "'self' https://stats.example.gov.kz"; "'none'" forbids framing
    MTM_EMBED_ANCESTORS       who may frame the chart-only embed pages under /embed/ (CSP frame-ancestors;
                              default *: any site); the only pages MTM_FRAME_ANCESTORS does not govern
    MTM_BASIC_AUTH_USER       with MTM_BASIC_AUTH_PASSWORD: HTTP basic auth on every path but /healthz
    MTM_BASIC_AUTH_PASSWORD
    MTM_TRUSTED_USER_HEADER   a header the reverse proxy sets after it authenticated the user (e.g.
                              X-Remote-User); requests without it get 403. The proxy must strip it from
                              client requests.

Call ``init_app(app)`` after every callback is registered: the CSP carries the hashes of Dash's inline scripts
(the clientside callbacks and the renderer), so it must see them all.
"""

from __future__ import annotations

import hmac
import json
import os
import re
from collections.abc import Callable, Mapping

from dash import Dash
from flask import Response, request

DEFAULT_MAX_BODY = 64 * 1024
MAX_DEPTH = 32  # deepest JSON nesting a callback request may have (a real one needs < 10)
CALLBACK_PATH = "/_dash-update-component"
EMBED_PREFIX = "/embed/"  # the chart-only pages other sites may frame (dashboard/embed.py)
OPEN_PATHS = ("/healthz",)  # answered without access control (load balancers, monitoring)
_SOURCE = re.compile(r"^[A-Za-z0-9'*:/.\-_]+$")  # one CSP source expression, no ';' or newlines


class ConfigError(RuntimeError):
    """A security setting in the environment is unusable; raised at start-up, never at request time."""


def init_app(app: Dash, env: Mapping[str, str] | None = None) -> None:
    env = os.environ if env is None else env
    server = app.server
    server.config["MAX_CONTENT_LENGTH"] = int(env.get("MTM_MAX_BODY_BYTES") or DEFAULT_MAX_BODY)
    headers = security_headers(app, env.get("MTM_FRAME_ANCESTORS") or "'self'")
    embed_headers = security_headers(app, env.get("MTM_EMBED_ANCESTORS") or "*", "MTM_EMBED_ANCESTORS")
    specs = callback_specs(app)
    check_access = access_control(env)

    @server.before_request
    def _guard():
        if check_access is not None and request.path not in OPEN_PATHS:
            denied = check_access()
            if denied is not None:
                return denied
        if request.method == "POST" and request.path.endswith(CALLBACK_PATH):
            problem = callback_request_problem(request.get_data(cache=True), specs)
            if problem:
                return Response(f"Bad callback request: {problem}.", status=400, mimetype="text/plain")
        return None

    @server.after_request
    def _headers(response: Response) -> Response:
        chosen = embed_headers if request.path.startswith(EMBED_PREFIX) else headers
        for name, value in chosen.items():
            response.headers.setdefault(name, value)
        return response


# -- headers ----------------------------------------------------------------------------------------------
def frame_ancestors(value: str, variable: str = "MTM_FRAME_ANCESTORS") -> str:
    sources = value.split()
    if not sources or not all(_SOURCE.match(s) for s in sources):
        raise ConfigError(f"{variable} is not a list of CSP sources: {value[:80]!r}")
    return " ".join(sources)


def security_headers(
    app: Dash, ancestors: str = "'self'", variable: str = "MTM_FRAME_ANCESTORS"
) -> dict[str, str]:
    ancestors = frame_ancestors(ancestors, variable)
    csp = {
        "default-src": "'self'",
        # Dash's own inline scripts (clientside callbacks, renderer start-up), by hash; no other inline script
        "script-src": " ".join(["'self'", *app.csp_hashes()]),
        # plotly.js and Dash components set style attributes and inject <style> elements
        "style-src": "'self' 'unsafe-inline'",
        # chart exports draw to data: / blob: URLs; the copy-to-clipboard path fetch()es a data: URL
        "img-src": "'self' data: blob:",
        "font-src": "'self' data:",
        "connect-src": "'self' data: blob:",
        "worker-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": ancestors,
    }
    headers = {
        "Content-Security-Policy": "; ".join(f"{k} {v}" for k, v in csp.items()),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
    }
    # X-Frame-Options for old browsers, only where it can say the same as frame-ancestors (it cannot list
    # partner origins: then modern browsers follow frame-ancestors alone).
    if ancestors == "'self'":
        headers["X-Frame-Options"] = "SAMEORIGIN"
    elif ancestors == "'none'":
        headers["X-Frame-Options"] = "DENY"
    return headers


# -- access control -----------------------------------------------------------------------------------------
def access_control(env) -> Callable[[], Response | None] | None:
    """A check answering a denial Response (or None to let the request through); None when auth is off."""
    user, password = env.get("MTM_BASIC_AUTH_USER"), env.get("MTM_BASIC_AUTH_PASSWORD")
    header = (env.get("MTM_TRUSTED_USER_HEADER") or "").strip()
    if bool(user) != bool(password):
        raise ConfigError("set both MTM_BASIC_AUTH_USER and MTM_BASIC_AUTH_PASSWORD, or neither")
    if header and not re.fullmatch(r"[A-Za-z0-9-]{1,64}", header):
        raise ConfigError(f"MTM_TRUSTED_USER_HEADER is not a header name: {header[:80]!r}")
    if not user and not header:
        return None
    want_user, want_pw = (user or "").encode(), (password or "").encode()

    def check() -> Response | None:
        if header and not request.headers.get(header, "").strip():
            return Response("Sign in through the organisation's portal.", 403, mimetype="text/plain")
        if user:
            auth = request.authorization
            got_user = (auth.username or "") if auth and auth.type == "basic" else ""
            got_pw = (auth.password or "") if auth and auth.type == "basic" else ""
            ok_user = hmac.compare_digest(got_user.encode(), want_user)
            ok_pw = hmac.compare_digest(got_pw.encode(), want_pw)
            if not (ok_user and ok_pw):
                return Response(
                    "Sign-in required.",
                    401,
                    {"WWW-Authenticate": 'Basic realm="MTM Dashboard", charset="UTF-8"'},
                    mimetype="text/plain",
                )
        return None

    return check


# -- callback requests --------------------------------------------------------------------------------------
def callback_specs(app: Dash) -> dict[str, dict]:
    """Server-side callbacks by their output key: the inputs and states they declare."""
    specs = {}
    for cb in app._callback_list:  # the list Dash serves as /_dash-dependencies
        entry = app.callback_map.get(cb["output"], {})
        if "callback" in entry:  # clientside callbacks have no server function
            specs[cb["output"]] = {"inputs": _parsed(cb["inputs"]), "state": _parsed(cb["state"])}
    return specs


def _parsed(deps: list[dict]) -> list[dict]:
    """Dependencies with pattern-matching ids (listed as JSON text) as dicts."""
    return [
        {"id": json.loads(d["id"]) if d["id"].startswith("{") else d["id"], "property": d["property"]}
        for d in deps
    ]


def _depth(value) -> int:
    deepest, todo = 0, [(value, 1)]
    while todo:
        v, d = todo.pop()
        deepest = max(deepest, d)
        if deepest > MAX_DEPTH:
            return deepest
        if isinstance(v, dict):
            todo.extend((x, d + 1) for x in v.values())
        elif isinstance(v, list):
            todo.extend((x, d + 1) for x in v)
    return deepest


def _id_ok(given, declared) -> bool:
    if isinstance(declared, str):
        return given == declared
    # pattern-matching id: same keys, wildcard keys any scalar, fixed keys equal
    if not isinstance(given, dict) or set(given) != set(declared):
        return False
    for k, want in declared.items():
        got = given[k]
        if isinstance(got, bool) or not isinstance(got, str | int | float):
            return False
        if not (isinstance(want, list) or got == want):  # ALL / MATCH / ALLSMALLER are serialised as lists
            return False
    return True


def _items_problem(given, declared: list[dict], what: str) -> str | None:
    if not isinstance(given, list) or len(given) != len(declared):
        return f"{what} do not match the callback"
    for item, spec in zip(given, declared, strict=True):
        wildcard = isinstance(spec["id"], dict) and any(isinstance(v, list) for v in spec["id"].values())
        group = item if wildcard else [item]
        if not isinstance(group, list):
            return f"{what} do not match the callback"
        for one in group:
            if not isinstance(one, dict) or one.get("property") != spec["property"]:
                return f"{what} do not match the callback"
            if not _id_ok(one.get("id"), spec["id"]):
                return f"{what} do not match the callback"
    return None


def _changed_ok(ids) -> bool:
    if not isinstance(ids, list) or len(ids) > 50:
        return False
    for pid in ids:
        if not isinstance(pid, str) or len(pid) > 500 or "." not in pid:
            return False
        component = pid.rpartition(".")[0]
        if component.startswith("{"):  # Dash json.loads a pattern-matching id
            try:
                parsed = json.loads(component)
            except ValueError:
                return False
            if not isinstance(parsed, dict):
                return False
    return True


def callback_request_problem(data: bytes, specs: dict[str, dict]) -> str | None:
    """Why a body is not a request Dash's renderer could have sent to a server callback (None when it is)."""
    try:
        body = json.loads(data)
    except (ValueError, RecursionError):
        return "the body is not JSON"
    if not isinstance(body, dict):
        return "the body is not a JSON object"
    if _depth(body) > MAX_DEPTH:
        return "the body is nested too deeply"
    output = body.get("output")
    if not isinstance(output, str) or output not in specs:
        return "unknown output"
    spec = specs[output]
    outputs = body.get("outputs")
    n_out = len(output[2:-2].split("...")) if output.startswith("..") else 1
    out_list = outputs if isinstance(outputs, list) else [outputs]
    if (n_out > 1) != isinstance(outputs, list) or len(out_list) != n_out:
        return "outputs do not match the callback"
    for o in out_list:
        if not (isinstance(o, dict) and isinstance(o.get("property"), str)):
            return "outputs do not match the callback"
        if not isinstance(o.get("id"), str):  # no server callback has a pattern-matching output
            return "outputs do not match the callback"
    # an absent list counts as empty (Dash reads them with .get(key, [])); null does not
    problem = _items_problem(body.get("inputs", []), spec["inputs"], "inputs") or _items_problem(
        body.get("state", []), spec["state"], "states"
    )
    if problem:
        return problem
    if not _changed_ok(body.get("changedPropIds", [])):
        return "changedPropIds is not a list of property ids"
    return None
