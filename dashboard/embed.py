"""Embeddable charts: ``/embed/<chart>?<the explorer's query>`` and the oEmbed endpoint ``/oembed``.

An embed page is one explorer chart and what a reader needs around it (title, measure, period, countries, the
source line, the derived / conflict / revision notes, a link to the full view) as plain server-rendered
HTML with two local scripts: the app's own plotly.js bundle and ``dashboard/embed_static/embed.js``, which
draws the figure embedded in the page as JSON. No Dash renderer, no header, no controls; nothing from another
host. The chart is the explorer's (same query parser, same cached panel); only its in-figure title is left to
the page, whose text wraps to any frame width.

It is the one place the app may be framed by other sites (``MTM_EMBED_ANCESTORS``, see dashboard/security.py).
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from urllib.parse import SplitResult, urlencode, urlsplit

from dash import Dash
from flask import Blueprint, Response, request
from plotly.io.json import to_json_plotly

from dashboard import charts, i18n, panels
from dashboard.a11y import plain
from dashboard.catalogue import catalogue
from dashboard.data import DataStore, get_store
from dashboard.export import caption_for, release_caption
from dashboard.graph_config import graph_config
from dashboard.i18n import _
from dashboard.security import EMBED_PREFIX
from dashboard.sources_text import sources_line
from dashboard.state import MAX_QUERY_LENGTH, ExplorerState, parse_query, view_store

STATIC = Path(__file__).with_name("embed_static")
STATIC_PATH = "/embed-static"
OEMBED_PATH = "/oembed"
OEMBED_MIMETYPE = "application/json+oembed"
TEXT_HEIGHT = 190  # px around the chart in a frame: title, subtitle, source line, a note, the link
DEFAULT_WIDTH = 720  # an oEmbed answer's width when the consumer sets no maxwidth
MAX_SIZE = 10_000  # largest maxwidth / maxheight taken as meant


# -- what an embed shows ------------------------------------------------------------------------------------
def kind_of(chart: str) -> charts.ChartKind | None:
    return charts.BY_ID.get(chart)


def embed_height(kind: charts.ChartKind, figure: dict | None = None) -> int:
    """A frame height that shows the whole chart and its text: the figure's own height when it sets one
    (the longer-periods chart grows with its rows), else the chart's height on the explorer page."""
    layout = (figure or {}).get("layout") or {}
    chart = layout.get("height") or int(kind.height.removesuffix("px"))
    return int(chart) + TEXT_HEIGHT


def embed_url(host_url: str, chart: str, s: ExplorerState) -> str:
    return f"{host_url.rstrip('/')}{EMBED_PREFIX}{chart}{s.to_query()}"


def explore_url(host_url: str, s: ExplorerState) -> str:
    return f"{host_url.rstrip('/')}/explore{s.to_query()}"


def iframe_html(src: str, title: str, height: int, width: int | None = None) -> str:
    """The snippet a site pastes: full width of its column (or ``width`` px), the chart's height."""
    size = f'width="{width}"' if width else 'width="100%"'
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" {size} height="{height}" '
        'style="border:0;max-width:100%" loading="lazy"></iframe>'
    )


def frame_title(kind: charts.ChartKind, s: ExplorerState) -> str:
    """The iframe's accessible name: 'Map: Temporary residence permits issued'."""
    return _("{chart}: {indicator}").format(
        chart=_(kind.name), indicator=catalogue().indicator(s.indicator).title
    )


def _json_script(value) -> str:
    """JSON safe inside <script type="application/json">: '<' only occurs in strings, where \\u003c is it."""
    return to_json_plotly(value).replace("<", "\\u003c")


def _head(title: str, lang: str, plotly_src: str | None) -> str:
    """The page's head up to (not including) </head>; with the chart's two scripts when ``plotly_src``."""
    scripts = (
        f'<script src="{plotly_src}" defer></script>\n<script src="{STATIC_PATH}/embed.js" defer></script>\n'
        if plotly_src
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n"
        f'<link rel="stylesheet" href="{STATIC_PATH}/embed.css">\n{scripts}'
    )


def page_html(app: Dash, base: DataStore, s: ExplorerState, kind: charts.ChartKind) -> str:
    """The embed page of one chart of a view (words in the language in force)."""
    store = view_store(base, s.release)
    drawn = panels.drawn(store, kind.id, s)  # the explorer's own (cached) figure
    release_note = ""
    if s.release is not None:
        release_note = release_caption(s.release, store.release_info(s.release).at, base.latest_release)
    # the words around it as the exported image says them: title, subtitle, derived / conflict / revised
    caption = caption_for(s, kind.id, panels.BUILDERS[kind.id](store, s), [], "", "", release_note)
    figure = {**drawn.figure, "layout": {**drawn.figure.get("layout", {}), "title": {"text": ""}}}
    summary = plain((drawn.figure.get("layout", {}).get("meta") or {}).get("summary", ""))
    config = {**graph_config(app), "locale": i18n.current()}
    spec = {"figure": figure, "config": config}
    sources = sources_line(store.documents_for(drawn.source_ids)) or _("Source: none reported")
    full = f"/explore{s.to_query()}"
    name = _("Chart: {title}").format(title=_(kind.name))
    # words outside the f-strings below, where gettext's extractor finds them
    note, link, new_tab = _("Note: {note}"), _("Full view"), _("(opens in a new tab)")
    provider = _("MTM Dashboard · Kazakhstan")
    version = _("Data version {version}.").format(version=store.version)
    parts = [
        _head(
            caption.title + " · " + _(kind.name),
            i18n.current(),
            app.get_asset_url("vendor/plotly-mtm.min.js"),
        ),
        '</head>\n<body>\n<main class="mtm-embed">\n<header>',
        f"<h1>{escape(caption.title)}</h1>",
        f'<p class="sub">{escape(caption.subtitle)}</p></header>\n',
        *(f'<p class="notice" role="status">{escape(n)}</p>\n' for n in s.notices),
        f'<div class="chart-box" role="figure" aria-label="{escape(name)}" aria-describedby="chart-summary">',
        f'<div id="chart" class="chart" data-chart="{kind.id}"></div>',
        f'<p id="chart-summary" class="visually-hidden">{escape(summary)}</p></div>\n<footer>',
        f'<p class="source">{escape(sources)}</p>',
        *(f'<p class="note">{escape(note.format(note=n))}</p>' for n in caption.notes),
        f'<p class="links"><a href="{escape(full)}" target="_blank" rel="noopener">{escape(link)}'
        f'<span class="visually-hidden"> {escape(new_tab)}</span></a>'
        f" · {escape(provider)} · {escape(version)}</p>",
        "</footer>\n</main>\n",
        f'<script type="application/json" id="chart-spec">{_json_script(spec)}</script>\n</body>\n</html>\n',
    ]
    return "".join(parts)


def problem_page(status: int, heading: str, text: str) -> Response:
    """A small page saying what is wrong (unknown chart kind): never a traceback, never a 500."""
    kinds = ", ".join(f"{EMBED_PREFIX}{k.id}" for k in charts.KINDS)
    listed = _("Charts that can be embedded: {kinds}.").format(kinds=kinds)
    explorer = _("Open the explorer")
    body = (
        _head(heading, i18n.current(), None) + '</head>\n<body>\n<main class="mtm-embed">\n'
        f"<h1>{escape(heading)}</h1>\n<p>{escape(text)}</p>\n"
        f"<p>{escape(listed)}</p>\n"
        f'<p><a href="/explore?lang={i18n.current()}">{escape(explorer)}</a></p>\n'
        "</main>\n</body>\n</html>\n"
    )
    return Response(body, status=status, mimetype="text/html")


# -- oEmbed -------------------------------------------------------------------------------------------------
class OEmbedError(ValueError):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def _size(name: str) -> int | None:
    given = request.args.get(name)
    if given is None or given == "":
        return None
    if not given.isdigit() or not 0 < int(given) <= MAX_SIZE:
        raise OEmbedError(
            400, f"{name} must be a whole number of pixels from 1 to {MAX_SIZE}, not {given[:20]!r}"
        )
    return int(given)


def _target(url: str) -> SplitResult:
    """The URL asked about, when it is this host's explorer or embed page (else 404; unreadable: 400)."""
    if not url:
        raise OEmbedError(400, "url is required: the address of an /explore or /embed/… page of this site")
    if len(url) > MAX_QUERY_LENGTH:
        raise OEmbedError(400, f"url is longer than {MAX_QUERY_LENGTH} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (reading it validates the port)
    except ValueError as exc:
        raise OEmbedError(400, f"url is not a readable address: {url[:80]!r}") from exc
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OEmbedError(400, f"url must be an absolute http(s) address, not {url[:80]!r}")
    if parts.netloc.lower() != request.host.lower():
        raise OEmbedError(404, f"url is not an address of this site ({request.host})")
    return parts


def oembed(app: Dash, base: DataStore) -> dict:
    """The oEmbed 1.0 answer (type rich) for ``url=``; OEmbedError(status, message) when there is none."""
    fmt = request.args.get("format") or "json"
    if fmt != "json":
        raise OEmbedError(501, f"format {fmt[:20]!r} is not available here; use format=json")
    maxwidth, maxheight = _size("maxwidth"), _size("maxheight")
    parts = _target(request.args.get("url", ""))
    path = parts.path.rstrip("/")
    if path == "/explore":
        kind = charts.KINDS[0]  # an explorer link embeds its first chart
    elif path.startswith(EMBED_PREFIX) and (found := kind_of(path.removeprefix(EMBED_PREFIX))):
        kind = found
    else:
        raise OEmbedError(404, "url is not a page that can be embedded: use an /explore or /embed/… address")
    s = parse_query("?" + parts.query, base, i18n.current())
    i18n.activate(s.lang)
    drawn = panels.drawn(view_store(base, s.release), kind.id, s)
    width = min(maxwidth or DEFAULT_WIDTH, DEFAULT_WIDTH)
    height = min(maxheight or embed_height(kind, drawn.figure), embed_height(kind, drawn.figure))
    host = f"{parts.scheme}://{parts.netloc}"
    title = frame_title(kind, s)
    return {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "provider_name": _("MTM Dashboard · Kazakhstan"),
        "provider_url": host + "/",
        "cache_age": 3600,
        "html": iframe_html(embed_url(host, kind.id, s), title, height, width),
        "width": width,
        "height": height,
    }


def discovery_link() -> str:
    """The oEmbed discovery <link> for the page being served (explorer and embed pages; '' for others)."""
    path = request.path.rstrip("/")
    if path != "/explore" and not path.startswith(EMBED_PREFIX):
        return ""
    href = f"{request.host_url.rstrip('/')}{OEMBED_PATH}?{urlencode({'url': request.url, 'format': 'json'})}"
    title = escape(_("Embed this chart (oEmbed)"), quote=True)
    return f'<link rel="alternate" type="{OEMBED_MIMETYPE}" href="{escape(href)}" title="{title}">'


# -- routes -------------------------------------------------------------------------------------------------
def register(app: Dash) -> None:
    """The embed pages, their two static files and /oembed, on the app's Flask server."""
    server = app.server
    data_dir = server.config["MTM_DATA_DIR"]
    server.register_blueprint(
        Blueprint("embed", __name__, static_folder=str(STATIC), static_url_path=STATIC_PATH)
    )

    def chart_page(chart: str) -> Response:
        base = get_store(data_dir)
        search = request.query_string.decode("latin-1")
        s = parse_query(search, base, i18n.current())
        lang = i18n.activate(s.lang)
        kind = kind_of(chart)
        if kind is None:
            return problem_page(
                404,
                _("No such chart"),
                _("There is no chart {chart} to embed.").format(chart=repr(chart[:40])),
            )
        # the page is a pure function of (data version, chart, view, language): remembered like the panels
        key = ("embed", kind.id, s.to_query(), s.notices, lang)
        body = base.memo(key, lambda: page_html(app, base, s, kind))
        return Response(body.replace("</head>", discovery_link() + "\n</head>", 1), mimetype="text/html")

    server.add_url_rule(f"{EMBED_PREFIX}<path:chart>", "embed_chart", chart_page)
    server.add_url_rule(EMBED_PREFIX, "embed_index", lambda: chart_page(""))
    server.add_url_rule(EMBED_PREFIX.rstrip("/"), "embed_bare", lambda: chart_page(""))

    @server.get(OEMBED_PATH)
    def oembed_endpoint():
        try:
            answer = oembed(app, get_store(data_dir))
        except OEmbedError as exc:
            return Response(json.dumps({"error": str(exc)}), status=exc.status, mimetype="application/json")
        return Response(json.dumps(answer, ensure_ascii=False), mimetype="application/json")
