"""Build the Dash app: layout shell, routes, callbacks, health check, production-safe error handling."""

from __future__ import annotations

import logging
import os
from html import escape as html_escape
from pathlib import Path

import dash_bootstrap_components as dbc  # noqa: F401  (registers its component suite for serving)
from dash import Dash, dcc, html
from dash.types import RendererHooks
from flask import Response, jsonify, request
from werkzeug.exceptions import HTTPException

from callbacks import country, explorer, router, share
from dashboard import (
    cache,
    datapackage,
    embed,
    events,
    feed,
    i18n,
    office_web,
    remote,
    response_cache,
    security,
)
from dashboard.api import routes as api_routes
from dashboard.data import DEFAULT_DIR, DataUnavailable, get_store
from dashboard.ids import Ids
from dashboard.panels import warm
from dashboard.state import query_language
from layouts.common import activate_release

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger(__name__)

INDEX = """<!DOCTYPE html>
<html lang="en">
<head>
{%metas%}
<title>{%title%}</title>
{%favicon%}
{%feed%}
{%css%}
</head>
<body>
<a class="skip-link" href="#page">{%skip%}</a>
{%app_entry%}
<footer>{%config%}{%scripts%}{%renderer%}</footer>
</body>
</html>"""

# Dash's renderer hooks (documented, Dash(hooks=...)): tables written as HTML go in place as their answer
# arrives (assets/html_slots.js), in the task that draws the charts, not a renderer cycle after it.
RENDERER_HOOKS: RendererHooks = {
    "request_pre": "function (p) { if (window.mtmHtmlSlots) window.mtmHtmlSlots.pre(p); }",
    "request_post": "function (p, answer) { if (window.mtmHtmlSlots) window.mtmHtmlSlots.post(p, answer); }",
}


def create_app(data_dir: Path | None = None) -> Dash:
    """A new app. Raises DataUnavailable (naming the file and the fix) when the tables are missing."""
    # DATA_URL=s3://bucket/prefix: the tables come from a bucket, copied into a local mirror directory that
    # is read like any data directory and re-synced on a background thread (dashboard/remote.py).
    mirror = remote.from_env() if data_dir is None else None
    if mirror is not None:
        data_dir = mirror.start()  # raises DataUnavailable when there is neither bucket nor local mirror
    data_dir = Path(data_dir) if data_dir else Path(os.environ.get("MTM_DATA_DIR", DEFAULT_DIR))
    store = get_store(data_dir)  # fail fast at start-up, with a readable message
    events.events()  # likewise for events.yaml (EventsError names the line and the entry)

    app = Dash(
        __name__,
        title="MTM Dashboard · Kazakhstan",
        assets_folder=str(ROOT / "assets"),
        serve_locally=True,
        compress=True,
        suppress_callback_exceptions=True,
        update_title=None,  # type: ignore[arg-type]  # documented by Dash ("None: no title change"), typed str
        meta_tags=[{"name": "viewport", "content": "width=device-width, initial-scale=1"}],
        hooks=RENDERER_HOOKS,
    )
    app.index_string = INDEX
    app.interpolate_index = _localized_index(app)  # type: ignore[method-assign]  # Dash's documented hook
    app.server.config["MTM_DATA_DIR"] = data_dir
    app.server.config["MTM_MIRROR"] = mirror  # DATA_URL's mirror (None without): /healthz reports the bucket
    app.server.secret_key = os.environ.get("MTM_SECRET_KEY") or os.urandom(32).hex()

    app.layout = html.Div(
        [
            dcc.Location(id=Ids.URL, refresh=False),
            # header and footer are drawn by the router, in the page's language
            html.Div(id=Ids.HEADER, className="site-header-slot"),
            html.Main(id=Ids.PAGE, className="container-fluid py-3", tabIndex="-1"),
            html.Div(id=Ids.FOOTER),
        ]
    )

    router.register(app)
    explorer.register(app)
    country.register(app)
    share.register(app)  # the Export menu's Embed and Cite dialogs
    _add_routes(app, data_dir)
    api_routes.init_app(app.server)  # the data API, /api/v1/
    embed.register(app)  # /embed/<chart> and /oembed
    datapackage.register(app.server, data_dir)  # GET /api/v1/datapackage.zip
    office_web.register(app, data_dir)  # the briefing kit: decks and Word files
    security.init_app(app)  # after every callback: the CSP hashes Dash's inline scripts
    # after the security guard (its checks run first): repeated clicks answered from memory
    response_cache.init_app(app, lambda: get_store(data_dir).version)
    _warm_up(app)
    if os.environ.get("MTM_WARM", "1") != "0":
        warm(store)
    return app


def page_language() -> str:
    """The requested page's language: ``lang=`` in its URL, else the browser's (Accept-Language)."""
    return query_language(request.query_string.decode("latin-1"), i18n.request_language())[0]


def _localized_index(app: Dash):
    """Dash's index page with ``<html lang>`` and the skip link in the page's language (screen readers pick
    their voice from it)."""

    def interpolate_index(**kwargs) -> str:
        lang = i18n.activate(page_language())
        kwargs["title"] = i18n.gettext("MTM Dashboard · Kazakhstan")
        page = Dash.interpolate_index(app, **kwargs)
        title = html_escape(i18n.gettext("What's new (Atom feed)"), quote=True)
        href = f"{feed.FEED_PATH}?lang={lang}"
        link = f'<link rel="alternate" type="{feed.MIMETYPE}" title="{title}" href="{href}">'
        return (
            page.replace('<html lang="en">', f'<html lang="{lang}">', 1)
            .replace("{%skip%}", i18n.gettext("Skip to content"), 1)
            .replace("{%feed%}", link + embed.discovery_link(), 1)
        )

    return interpolate_index


def _add_routes(app: Dash, data_dir: Path) -> None:
    server = app.server

    @server.before_request
    def _browser_language():
        # every request starts in the browser's language and at the latest data; the router and callbacks
        # switch to the URL's
        i18n.activate(i18n.request_language())
        activate_release(None)

    @server.after_request
    def _vary_by_language(response):
        # the page's HTML (lang, title, skip link) depends on Accept-Language: caches must key on it
        if response.mimetype == "text/html":
            response.vary.add("Accept-Language")
        return response

    @server.get("/healthz")
    def healthz():
        # With DATA_URL: the bucket's state ("bucket ok" or why not, and the version served meanwhile).
        mirror = server.config.get("MTM_MIRROR")
        try:
            store = get_store(data_dir)
        except DataUnavailable as exc:
            bucket = {"bucket": mirror.status(None)} if mirror else {}
            return jsonify(status="error", data=str(exc), cache=cache.shared().status(), **bucket), 503
        # The shared cache and the bucket are reported, but never a reason for a non-200 answer while the
        # data is served (from the local mirror when the bucket is away).
        bucket = {"bucket": mirror.status(store.version)} if mirror else {}
        return jsonify(
            status="ok",
            data_version=store.version,
            rows=store.observations.height,
            cache=cache.shared().status(),
            **bucket,
        )

    @server.get(feed.FEED_PATH)
    def releases_feed():
        # the Atom feed of releases, in lang= (else the browser's language), always of the latest data
        body = feed.atom(get_store(data_dir), request.host_url, page_language())
        return Response(body, mimetype=feed.MIMETYPE, content_type=f"{feed.MIMETYPE}; charset=utf-8")

    @server.errorhandler(Exception)
    def _no_tracebacks(exc: Exception):
        # Never send internals to the browser: log the traceback, answer with a plain message.
        if isinstance(exc, HTTPException):
            return exc
        log.exception("unhandled error")
        message = i18n.gettext("Internal error. The incident was logged.")  # in the browser's language
        return Response(message, status=500, mimetype="text/plain; charset=utf-8")


def _warm_up(app: Dash) -> None:
    """One request through the test client before serving: a fresh worker hit by parallel first requests
    can otherwise answer 500 for the JS bundles (Dash issue #3971)."""
    with app.server.test_client() as client:
        client.get("/")
        client.get("/_dash-layout")
        client.get("/_dash-dependencies")
