"""Benchmark the explorer: server-side callback time (shipped data and a 2M-row SYNTHETIC set), page-ready
time and first-load bytes in headless Chromium, callback payload sizes.

    .venv/bin/python scripts/bench.py          # `make bench`

How:

1. Record: serve the app with gunicorn (tests/browser.py), drive /explore in Debian's Chromium (load, donut
   click, country presets, indicator / measure / period changes, drill into a quarter and back up, browser
   Back, a shared link) and keep every POST to /_dash-update-component (its JSON body).
2. Replay: build the app in-process with create_app(data_dir), send each recorded body through
   app.server.test_client() (with Accept-Encoding, so compression is counted), warm once, then time each
   request many times with time.perf_counter. That is the Flask handling time: no network, no browser.
   Done on the shipped data and on the synthetic set (made by scripts/make_synthetic.py in a temp dir when
   --synthetic-dir has none).
3. Page: load /explore in a fresh browser context ~5 times; time from navigation until every chart in #map
   #donut #series #spans is drawn (main svg of the server's figure) and no component is loading; sum the
   bytes transferred (CDP Network.loadingFinished encodedDataLength, compressed as sent).

Prints a table, then the slowest callback's profile, and as its LAST line one JSON object.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gzip
import io
import json
import logging
import math
import os
import platform
import pstats
import shutil
import statistics
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import dash
import plotly
import polars
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):  # this checkout's code first (not an installed copy)
    if str(p) in sys.path:
        sys.path.remove(str(p))
    sys.path.insert(0, str(p))

import bench_api  # noqa: E402
import felt  # noqa: E402
import make_synthetic  # noqa: E402

from dashboard import charts, serve  # noqa: E402
from dashboard.app_factory import create_app  # noqa: E402
from dashboard.data import DEFAULT_DIR  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS, gunicorn  # noqa: E402
from tests.test_browser import CLICK_POINT_JS  # noqa: E402

DASH_POST = "/_dash-update-component"
ACCEPT_ENCODING = "gzip, deflate, br, zstd"  # what Chromium sends
EXPLORE = "/explore?indicator=trp_issued&period=2023-Q2"

TARGETS = {
    "callback_p95_ms": 10.0,
    "callback_p95_ms_2m": 25.0,
    "page_ready_ms": 1600.0,
    "first_load_kb": 1100.0,
    "payload_kb_max": 50.0,
}
# Felt speed (issue 14): click release to every changed chart drawn, in Chromium (scripts/felt.py).
FELT_TARGETS = {
    "interaction_p50_ms": 120.0,
    "interaction_p95_ms": 200.0,
    "cold_interaction_p50_ms": 150.0,
    "cold_interaction_p95_ms": 250.0,
    "country_p95_ms": 250.0,
    "indicator_p95_ms": 250.0,
    "drill_p95_ms": 250.0,
    "server_cpu_ms_per_interaction": 8.0,
    "server_cpu_ms_cold": 30.0,
    "callback_p95_ms_2m_first_call": 40.0,
}

# Short names for the callbacks, by the first output id of their "output" string.
CALLBACK_NAMES = {
    "page": "route (page layout)",
    "explorer-state": "on_control (state)",
    "indicator": "from_url (Back/Forward)",
    **{  # a chart's draw callback: "draw_series (+spans)"
        k.graph_id: f"draw_{k.id}" + "".join(f" (+{c.id})" for c in charts.drawn_with(k))
        for k in charts.KINDS
        if k.drawn_with is None
    },
    "table-html": "draw_table",
}

READY_JS = """
() => {
  if (document.querySelectorAll('[data-dash-is-loading="true"]').length) return false;
  for (const id of GRAPH_IDS) {
    const plots = document.querySelectorAll('#' + id + ' .js-plotly-plot');
    if (!plots.length) return false;
    for (const gd of plots) {
      if (!gd.querySelector('.main-svg')) return false;
      // the server's figure has arrived (an empty dcc.Graph also draws a main svg, with no template)
      if (!gd.layout || !gd.layout.template) return false;
    }
  }
  return performance.now();
}
""".replace("GRAPH_IDS", json.dumps([k.graph_id for k in charts.KINDS]))
# Added to every page before its scripts run: long tasks of the main thread, and when Plotly became defined.
INIT_JS = """
window.__mtm = {longtasks: [], plotly: null};
try {
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) window.__mtm.longtasks.push([e.startTime, e.duration]);
  }).observe({type: 'longtask', buffered: true});
} catch (e) {}
const __mtmPoll = setInterval(() => {
  if (window.Plotly) { window.__mtm.plotly = performance.now(); clearInterval(__mtmPoll); }
}, 5);
"""
TIMELINE_JS = """
() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const cbs = res.filter(e => e.name.includes('/_dash-update-component'));
  const scripts = res.filter(e => e.initiatorType === 'script');
  const topo = res.filter(e => e.name.includes('/topojson/'));
  return {
    html: nav.responseEnd,
    dom_content_loaded: nav.domContentLoadedEventEnd,
    last_script: scripts.length ? Math.max(...scripts.map(e => e.responseEnd)) : null,
    first_callback_sent: cbs.length ? Math.min(...cbs.map(e => e.startTime)) : null,
    last_callback_answered: cbs.length ? Math.max(...cbs.map(e => e.responseEnd)) : null,
    plotly_js_ready: window.__mtm ? window.__mtm.plotly : null,
    map_topojson_requested: topo.length ? Math.min(...topo.map(e => e.startTime)) : null,
    map_topojson_loaded: topo.length ? Math.max(...topo.map(e => e.responseEnd)) : null,
    long_tasks_total: window.__mtm ? window.__mtm.longtasks.reduce((s, t) => s + t[1], 0) : null,
    long_task_max: window.__mtm ? Math.max(0, ...window.__mtm.longtasks.map(t => t[1])) : null,
  };
}
"""
MAP_SHAPES_JS = (
    "() => document.querySelectorAll('#map path.choroplethlocation').length > 0 && performance.now()"
)


# -- helpers -----------------------------------------------------------------------------------------------
def pct(values: list[float], q: float, weights: list[float] | None = None) -> float:
    """Percentile q (0-100), linear between closest ranks; with weights, the weighted nearest rank."""
    if not values:
        return float("nan")
    if weights is None:
        xs = sorted(values)
        k = (len(xs) - 1) * q / 100
        lo, hi = math.floor(k), math.ceil(k)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)
    pairs = sorted(zip(values, weights, strict=True))
    total, acc = sum(weights), 0.0
    for v, w in pairs:
        acc += w
        if acc >= total * q / 100 - 1e-12:
            return v
    return pairs[-1][0]


def callback_name(output: str) -> str:
    first = output.strip(".").split(".")[0]
    return CALLBACK_NAMES.get(first, output[:40])


def status(value: float, target: float) -> str:
    if value != value:  # nan
        return "n/a"
    if value <= target:
        return "OK"
    return f"MISSED by {value - target:,.1f} ({value / target:.1f}x)"


@dataclass
class Recorded:
    body: str
    output: str
    name: str
    detail: str  # what triggered it (control callbacks) or which view it drew (panels)


@dataclass
class Timed:
    rec: Recorded
    times_ms: list[float] = field(default_factory=list)
    raw_bytes: int = 0
    sent_bytes: int = 0  # compressed, as sent
    encoding: str = ""
    status: int = 0
    error: str = ""  # the server's exception, for a request that failed
    first_ms: float = 0.0  # the first call: a view nobody asked for yet (nothing remembered)


def describe(body: dict) -> str:
    """The trigger of a control callback, or the view a panel callback draws."""
    output = body.get("output", "")
    changed = body.get("changedPropIds") or []
    state = None
    for item in [*body.get("inputs", []), *body.get("state", [])]:
        if isinstance(item, dict) and (
            item.get("id") == "explorer-state" or str(item.get("id")).endswith("-view")
        ):
            state = item.get("value")
    if output.startswith("page.") or output.startswith("..indicator.value"):
        search = next(
            (
                i.get("value")
                for i in [*body.get("inputs", []), *body.get("state", [])]
                if isinstance(i, dict) and i.get("property") in ("search", "data")
            ),
            "",
        )
        return f"query {str(search)[:48]}"
    if output.startswith("..explorer-state"):
        trig = changed[0] if changed else "?"
        if trig.startswith("{"):
            with contextlib.suppress(ValueError):
                trig = "preset " + json.loads(trig.rsplit(".", 1)[0]).get("group", "?")
        ind = state.get("indicator") if isinstance(state, dict) else "?"
        return f"{trig} (from {ind})"
    if isinstance(state, dict):
        bits = [
            state.get("indicator", "?"),
            f"{state.get('measure')}|{state.get('unit')}",
            state.get("period", ""),
        ]
        if state.get("countries"):
            bits.append(f"{len(state['countries'])} countries")
        if state.get("drill"):
            bits.append(f"drill {state['drill']}")
        return " ".join(str(b) for b in bits)
    return ""


# -- 1. record realistic callback requests in Chromium ---------------------------------------------------
class DashTraffic:
    """Callback POSTs of a page: their bodies, and whether any is still in flight."""

    def __init__(self, page):
        self.page = page
        self.bodies: list[str] = []
        self.inflight = 0
        self.last = time.monotonic()
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    @staticmethod
    def _is_dash(r) -> bool:
        return r.method == "POST" and DASH_POST in r.url

    def _start(self, r) -> None:
        if self._is_dash(r):
            self.bodies.append(r.post_data or "")
            self.inflight += 1
            self.last = time.monotonic()

    def _end(self, r) -> None:
        if self._is_dash(r):
            self.inflight -= 1
            self.last = time.monotonic()

    def settle(self, quiet: float = 0.4, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(60)  # lets Playwright deliver the events
            idle = self.inflight <= 0 and time.monotonic() - self.last > quiet
            if idle and self.page.evaluate(
                "() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length === 0"
            ):
                return


def record(browser, base: str, log) -> list[Recorded]:  # noqa: C901  (one scripted browser session)
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    traffic = DashTraffic(page)

    def ready():
        page.wait_for_function(READY_JS, polling="raf")
        traffic.settle()

    def pick(dropdown: str, value: str):
        page.click(f"#{dropdown}")
        page.click(f'.dash-dropdown-option:has(input[value="{value}"])')

    def donut_slice():
        xy = page.evaluate(
            """() => {
              const gd = document.querySelector('#donut .js-plotly-plot');
              if (!gd || !gd.calcdata || !gd.calcdata[0]) return null;
              const rect = gd.getBoundingClientRect(), cd = gd.calcdata[0], c0 = cd[0];
              for (const pt of cd) {
                const code = (gd._fullData[0].customdata || [])[pt.i];
                if (typeof code === 'string' && /^[A-Z]{3}$/.test(code) && code !== 'OTH' && code !== 'TOT')
                  return [rect.left + c0.cx + 0.85 * pt.pxmid[0], rect.top + c0.cy + 0.85 * pt.pxmid[1]];
              }
              return null;
            }"""
        )
        if not xy:
            raise RuntimeError("no country slice in the donut")
        page.mouse.click(*xy)

    def drill(quarter: str):
        page.locator("#series").scroll_into_view_if_needed()
        xy = page.evaluate(CLICK_POINT_JS, ["series", quarter])
        if not xy:
            raise RuntimeError(f"no clickable {quarter} point in the trend")
        page.mouse.click(*xy)

    def pick_period(nth: int):
        page.click("#period")
        page.locator(".dash-dropdown-option").nth(nth).click()

    def load(url: str):
        for attempt in (1, 2):  # a cold Chromium can miss the first load's callbacks; one retry
            page.goto(base + url)
            try:
                ready()
                return
            except Exception:
                if attempt == 2:
                    raise
                log("  first load not ready after 15 s; reloading once")

    preset = lambda name: page.get_by_role("button", name=name, exact=True).click()  # noqa: E731
    steps = [
        ("load /explore (trp_issued)", lambda: load(EXPLORE)),
        ("donut slice click", donut_slice),
        ("preset CIS", lambda: preset("CIS")),
        ("preset Clear", lambda: preset("Clear")),
        ("indicator -> remittance_outflow", lambda: pick("indicator", "remittance_outflow")),
        ("drill into 2023-Q2", lambda: drill("2023-Q2")),
        ("drill up", lambda: page.click("#drill-up")),
        ("period -> 2nd option of the list", lambda: pick_period(1)),
        ("measure -> USD", lambda: page.click('#measure input[value="amount|USD_mn"]')),
        ("measure -> share", lambda: page.click('#measure input[value="share_pct|percent"]')),
        ("indicator -> visas_issued", lambda: pick("indicator", "visas_issued")),
        ("preset EAEU", lambda: preset("EAEU")),
        ("browser Back", lambda: page.go_back()),
        ("indicator -> border_arrivals", lambda: pick("indicator", "border_arrivals")),
        (
            "load a shared link (remittance_outflow, 2 countries)",
            lambda: load(
                "/explore?indicator=remittance_outflow&measure=amount&unit=KZT_bn&period=2023-Q2&countries=UZB,RUS"
            ),
        ),
    ]
    for label, action in steps:
        before = len(traffic.bodies)
        try:
            action()
            ready()
        except Exception as exc:  # keep what was recorded; say what failed
            log(f"  step {label!r} failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
            traffic.settle()
        log(f"  {label:52s} {len(traffic.bodies) - before:2d} callback requests")
    ctx.close()

    out, seen = [], set()
    for body in traffic.bodies:
        if body in seen:
            continue
        seen.add(body)
        d = json.loads(body)
        out.append(Recorded(body, d.get("output", ""), callback_name(d.get("output", "")), describe(d)))
    return out


# -- 2. replay through the Flask test client -------------------------------------------------------------
def decoded_size(data: bytes, encoding: str) -> int | None:
    """Size of a response body once decompressed (None when this Python cannot decode it)."""
    try:
        if encoding in ("", "identity"):
            return len(data)
        if encoding == "gzip":
            return len(gzip.decompress(data))
        if encoding == "deflate":
            return len(zlib.decompress(data))
        if encoding == "br":
            import brotli  # noqa: PLC0415  (only for a br-encoded answer)

            return len(brotli.decompress(data))
        if encoding == "zstd":
            try:
                from compression import zstd  # noqa: PLC0415  (Python 3.14's stdlib, else the backport)
            except ImportError:
                from backports import zstd  # noqa: PLC0415
            return len(zstd.decompress(data))
    except (ImportError, OSError, ValueError, zlib.error):
        return None
    return None


class _Errors(logging.Handler):
    """Keeps the last exception the app logged (its error handler logs, then answers a plain 500)."""

    def __init__(self):
        super().__init__()
        self.last = ""

    def emit(self, record):
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            tb = record.exc_info[2]
            while tb and tb.tb_next:
                tb = tb.tb_next
            where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb else ""
            self.last = f"{type(exc).__name__}: {str(exc)[:100]}{where}"


def replay(data_dir: Path, recs: list[Recorded], reps: int, body_budget_s: float | None, log) -> tuple:
    """Time every recorded request (after one warm-up call); with body_budget_s, fewer repetitions for slow
    requests (at least 3, or 2 for requests over a second). Failed requests are reported, not timed."""
    t0 = time.perf_counter()
    app = create_app(data_dir)
    log(f"  app built on {data_dir} in {time.perf_counter() - t0:.1f}s")
    for thread in threading.enumerate():  # Russian and Kazakh views are drawn in the background: not timed
        if thread.name == "mtm-warm":
            thread.join(300)
    log(f"  warm-up in every language done after {time.perf_counter() - t0:.1f}s")
    client = app.server.test_client()
    headers = {"Content-Type": "application/json", "Accept-Encoding": ACCEPT_ENCODING}
    app_log = logging.getLogger("dashboard.app_factory")
    errors, propagate = _Errors(), app_log.propagate
    app_log.addHandler(errors)
    app_log.propagate = False  # one line per failed request below, not a traceback per call
    results = [Timed(r) for r in recs]
    warm = []
    try:
        for t in results:  # warm-up call: status, sizes, and a first time to size the repetitions
            errors.last = ""
            t0 = time.perf_counter()
            resp = client.post(DASH_POST, data=t.rec.body, headers=headers)
            warm.append((time.perf_counter() - t0) * 1000)
            t.first_ms = warm[-1]
            data = resp.get_data()
            t.status, t.sent_bytes = resp.status_code, len(data)
            t.encoding = resp.headers.get("Content-Encoding", "identity")
            raw = decoded_size(data, t.encoding)
            if raw is None:
                raw = len(
                    client.post(DASH_POST, data=t.rec.body, headers={"Content-Type": "application/json"}).data
                )
            t.raw_bytes = raw
            if t.status not in (200, 204):
                t.error = errors.last or f"HTTP {t.status}"
        wanted = []
        for t, w in zip(results, warm, strict=True):
            n = reps
            if body_budget_s:
                n = max(2 if w > 1000 else 3, min(reps, int(body_budget_s * 1000 / max(w, 0.01))))
            wanted.append(0 if t.error else n)
        for rnd in range(
            max(wanted, default=0)
        ):  # round robin: drift during the run hits every request alike
            for t, n in zip(results, wanted, strict=True):
                if rnd < n:
                    t0 = time.perf_counter()
                    client.post(DASH_POST, data=t.rec.body, headers=headers)
                    t.times_ms.append((time.perf_counter() - t0) * 1000)
    finally:
        app_log.removeHandler(errors)
        app_log.propagate = propagate
    return app, results


def summarise(results: list[Timed]) -> dict:
    """Per callback and pooled percentiles; every recorded request weighs the same."""
    ok = [t for t in results if t.times_ms]
    vals, weights = [], []
    for t in ok:
        vals += t.times_ms
        weights += [1 / len(t.times_ms)] * len(t.times_ms)
    by_cb: dict[str, list[Timed]] = {}
    for t in ok:
        by_cb.setdefault(t.rec.name, []).append(t)
    per_cb = {}
    for name, ts in by_cb.items():
        v = [x for t in ts for x in t.times_ms]
        w = [1 / len(t.times_ms) for t in ts for _ in t.times_ms]
        per_cb[name] = {
            "requests": len(ts),
            "p50_ms": pct(v, 50, w),
            "p95_ms": pct(v, 95, w),
            "max_ms": max(v),
            "raw_kb_max": max(t.raw_bytes for t in ts) / 1024,
            "sent_kb_max": max(t.sent_bytes for t in ts) / 1024,
        }
    return {
        "p50_ms": pct(vals, 50, weights),
        "p95_ms": pct(vals, 95, weights),
        "per_callback": per_cb,
        "raw_kb_max": max(t.raw_bytes for t in results) / 1024,
        "sent_kb_max": max(t.sent_bytes for t in results) / 1024,
        "errors": [t for t in results if t.error],
    }


PROFILE_SHOWN = (
    r"(dashboard|callbacks|layouts)/.*\.py"
    r"|polars/dataframe/frame\.py.*\((filter|sort)\)"
    r"|plotly/basedatatypes\.py.*\((__init__|update_layout)\)"
    r"|dash/_utils\.py.*to_json"
)


def _package(filename: str) -> str:
    """Who a profiled function belongs to: this repo's package, a site-package, or the stdlib module."""
    if filename.startswith("~") or filename.startswith("<"):
        return "C code (polars kernels, json, ...)"
    if "site-packages/" in filename:
        top = filename.split("site-packages/", 1)[1].split("/", 1)[0]
        return "plotly" if top == "_plotly_utils" else top
    if filename.startswith(str(ROOT)):
        return "repo: " + Path(filename).relative_to(ROOT).parts[0]
    return Path(filename).stem


def profile(app, rec: Recorded, calls: int = 3, top: int = 16) -> str:
    """cProfile of one recorded request: self time by package, then this repo's functions, polars filters
    and plotly figure building by cumulative time."""
    client = app.server.test_client()
    headers = {"Content-Type": "application/json", "Accept-Encoding": ACCEPT_ENCODING}
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(calls):
        client.post(DASH_POST, data=rec.body, headers=headers)
    prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    self_time: dict[str, float] = {}
    for (filename, _, _), (_, _, tt, _, _) in st.stats.items():
        self_time[_package(filename)] = self_time.get(_package(filename), 0.0) + tt
    total = sum(self_time.values()) or 1.0
    shares = sorted(self_time.items(), key=lambda kv: -kv[1])[:7]
    head = "self time by package: " + ", ".join(f"{k} {v / total:.0%}" for k, v in shares)
    st.sort_stats("cumulative")
    st.print_stats(PROFILE_SHOWN, top)
    lines = [ln for ln in buf.getvalue().splitlines() if ln.strip()]
    start = next((i for i, ln in enumerate(lines) if ln.lstrip().startswith("ncalls")), 0)
    body = [ln.replace(str(ROOT) + "/", "").replace(_site_packages(), "") for ln in lines[start:]]
    return "\n".join([head, *body])


def _site_packages() -> str:
    return str(Path(polars.__file__).resolve().parent.parent) + "/"


def profile_slowest(app, results: list[Timed], where: str) -> str:
    timed = [t for t in results if t.times_ms]
    slowest = max(timed, key=lambda t: statistics.median(t.times_ms))
    med = statistics.median(slowest.times_ms)
    calls = 1 if med > 1000 else 5
    return (
        f"Profile of the slowest request on the {where}: {slowest.rec.name} [{slowest.rec.detail}], median "
        f"{med:,.1f} ms ({calls} call(s) profiled)\n" + profile(app, slowest.rec, calls=calls)
    )


# -- 3. page ready and first-load bytes ---------------------------------------------------------------
def page_loads(browser, base: str, loads: int, log) -> dict:
    ready, map_drawn, wall, sent_kb, raw_kb, details = [], [], [], [], [], None
    timeline: dict[str, list[float]] = {}
    for i in range(loads + 1):  # the first load only warms the workers; not counted
        ctx = browser.new_context(viewport={"width": 1440, "height": 1000})
        page = ctx.new_page()
        page.set_default_timeout(30000)
        page.add_init_script(INIT_JS)
        cdp = ctx.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        resp: dict[str, dict] = {}
        done: dict[str, float] = {}

        def on_response(ev, resp=resp):
            r = ev["response"]
            headers = {k.lower(): v for k, v in r.get("headers", {}).items()}
            resp[ev["requestId"]] = {"url": r["url"], "encoding": headers.get("content-encoding", "identity")}

        cdp.on("Network.responseReceived", on_response)
        cdp.on(
            "Network.loadingFinished",
            lambda ev, done=done: done.__setitem__(ev["requestId"], ev["encodedDataLength"]),
        )
        t0 = time.perf_counter()
        page.goto(base + EXPLORE, wait_until="commit")
        at_ready = page.wait_for_function(READY_JS, polling="raf").json_value()
        marks = page.evaluate(TIMELINE_JS)
        t_wall = (time.perf_counter() - t0) * 1000
        at_map = page.wait_for_function(MAP_SHAPES_JS, polling="raf").json_value()
        page.wait_for_load_state("networkidle")
        decoded = page.evaluate(
            "() => performance.getEntriesByType('navigation')"
            ".concat(performance.getEntriesByType('resource'))"
            ".reduce((s, e) => s + (e.decodedBodySize || 0), 0)"
        )
        if i > 0:
            for k, v in marks.items():
                if v is not None:
                    timeline.setdefault(k, []).append(v)
            ready.append(at_ready)
            map_drawn.append(at_map)
            wall.append(t_wall)
            sent_kb.append(sum(done.values()) / 1024)
            raw_kb.append(decoded / 1024)
            if details is None:
                rows = [(done[k], resp.get(k, {})) for k in done]
                details = {
                    "requests": len(done),
                    "uncompressed_over_1kb": sorted(
                        {
                            r.get("url", "?").split("?")[0].replace(base, "")
                            for n, r in rows
                            if n > 1024 and r.get("encoding") == "identity"
                        }
                    ),
                    "largest": [
                        (n / 1024, r.get("encoding", "?"), r.get("url", "?").split("?")[0].replace(base, ""))
                        for n, r in sorted(rows, key=lambda x: -x[0])[:6]
                    ],
                }
        log(
            f"  load {i}{' (warm-up, not counted)' if i == 0 else ''}: ready {at_ready:,.0f} ms, "
            f"map shapes {at_map:,.0f} ms, {sum(done.values()) / 1024:,.0f} KB transferred"
        )
        ctx.close()
    return {
        "page_ready_ms": statistics.median(ready),
        "page_ready_runs_ms": [round(x) for x in ready],
        "page_map_drawn_ms": statistics.median(map_drawn),
        "page_ready_wall_ms": statistics.median(wall),
        "first_load_kb": statistics.median(sent_kb),
        "first_load_uncompressed_kb": statistics.median(raw_kb),
        "details": details,
        "timeline": {k: statistics.median(v) for k, v in timeline.items()},
    }


# -- 4. felt speed: click to drawn, in Chromium ----------------------------------------------------------
def felt_run(quick: bool, log) -> dict:
    """scripts/felt.py on a server started for it (so "first visit" means not drawn since it started)."""
    env = {"MTM_WARM": "1", "MTM_DATA_DIR": str(DEFAULT_DIR)}
    with serve.gunicorn(2, env) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            items = felt.run(browser, srv.base, srv.proc.pid, quick, log)
        finally:
            browser.close()
    res = felt.summary(items)
    print()
    print("Felt speed: pointerup on the option -> every changed chart drawn (ms); server CPU (ms, mean);")
    print("KB sent and callback requests per interaction (medians)")
    head = f"{'interaction':12s} {'n':>3s} {'p50':>7s} {'p95':>7s} {'CPU':>6s} {'KB':>6s} {'req':>4s}"
    print(head + "  charts redrawn")
    for kind, label in (
        ("period", "period"),
        ("period_cold", "period 1st"),
        ("country", "country"),
        ("indicator", "indicator"),
        ("drill", "drill"),
    ):
        r = res[kind]
        print(
            f"{label:12s} {r['n']:3d} {r['p50_ms']:7.1f} {r['p95_ms']:7.1f} {r['cpu_ms_mean']:6.1f} "
            f"{r['kb_p50']:6.1f} {r['requests_p50']:4.0f}  {', '.join(r['changed'])}"
        )
    return res


def felt_report(result: dict, res: dict) -> dict:
    keys = dict(res["keys"])
    keys["callback_p95_ms_2m_first_call"] = result["callback_p95_ms_2m_first_call"]
    keys["page_ready_ms"] = result["page_ready_ms"]
    keys["first_load_kb"] = result["first_load_kb"]
    print()
    print(f"{'felt vs targets':32s} {'value':>8s} {'target':>8s}  status")
    for k, target in FELT_TARGETS.items():
        print(f"{k:32s} {keys[k]:8,.1f} {target:8,.0f}  {status(keys[k], target)}")
    return {
        **{k: v for k, v in res["keys"].items()},
        **result,
        "felt": {k: v for k, v in res.items() if k != "keys"},
        "felt_targets": FELT_TARGETS,
        "felt_targets_met": {k: keys[k] <= t for k, t in FELT_TARGETS.items()},
    }


# -- main ------------------------------------------------------------------------------------------------
def synthetic_dir(wanted: Path, rows: int, log) -> tuple[Path, Path | None]:
    """A synthetic set of about `rows` rows: the given dir if it holds one, else a new temp dir to delete."""
    try:
        manifest = json.loads((wanted / "manifest.json").read_text())["tables"]
        have = sum(e["rows"] for n, e in manifest.items() if n != "sources")
        if (wanted / make_synthetic.MARKER).exists() and abs(have - rows) <= 0.1 * rows:
            log(f"  using {wanted} ({have:,} rows)")
            return wanted, None
    except (OSError, ValueError, KeyError, TypeError):
        pass
    tmp = Path(tempfile.mkdtemp(prefix="mtm-synthetic-"))
    t0 = time.perf_counter()
    make_synthetic.write(rows, tmp)
    log(f"  generated {rows:,} SYNTHETIC rows in {tmp} in {time.perf_counter() - t0:.1f}s")
    return tmp, tmp


def report(args, recs, shipped, synth, page, prof_text, started) -> dict:
    s1, s2 = summarise(shipped), summarise(synth)
    print()
    print(
        f"MTM Dashboard bench · {os.cpu_count()} cores · Python {platform.python_version()} · dash "
        f"{dash.__version__} · plotly {plotly.__version__} · polars {polars.__version__}"
    )
    print()
    n2 = [len(t.times_ms) for t in synth if t.times_ms]
    print("Server-side callback time, ms (Flask test client, Accept-Encoding on, warm).")
    print("KB = largest response body, uncompressed / as sent.")
    print(
        f"{len(recs)} distinct requests recorded in Chromium; shipped data: {args.reps} reps each; "
        f"2M synthetic: {min(n2, default=0)}-{max(n2, default=0)} reps each."
    )
    hdr = (
        f"{'callback':24s} {'req':>3s} | {'p50':>6s} {'p95':>6s} {'KB':>6s} {'sent':>5s} | "
        f"{'2M p50':>7s} {'2M p95':>7s} {'2M KB':>6s}"
    )
    print(hdr)
    print("-" * len(hdr))
    order = list(CALLBACK_NAMES.values())
    for name in sorted(s1["per_callback"], key=lambda n: order.index(n) if n in order else 99):
        a, b = s1["per_callback"][name], s2["per_callback"].get(name)
        right = f"{b['p50_ms']:7.1f} {b['p95_ms']:7.1f} {b['raw_kb_max']:6.1f}" if b else f"{'-':>7s}"
        print(
            f"{name:24s} {a['requests']:3d} | {a['p50_ms']:6.1f} {a['p95_ms']:6.1f} {a['raw_kb_max']:6.1f} "
            f"{a['sent_kb_max']:5.1f} | {right}"
        )
    print("-" * len(hdr))
    print(
        f"{'all (each request = 1)':24s} {sum(1 for t in shipped if t.times_ms):3d} | {s1['p50_ms']:6.1f} "
        f"{s1['p95_ms']:6.1f} {s1['raw_kb_max']:6.1f} {s1['sent_kb_max']:5.1f} | {s2['p50_ms']:7.1f} "
        f"{s2['p95_ms']:7.1f} {s2['raw_kb_max']:6.1f}"
    )
    for label, errs in (("shipped", s1["errors"]), ("2M", s2["errors"])):
        for t in errs:
            print(f"  ERROR ({label}): {t.rec.name} [{t.rec.detail}] -> HTTP {t.status}: {t.error}")

    print()
    print(
        "Each recorded request: median ms, response KB (uncompressed), 1st = its first call (not remembered "
        "yet); n = timed reps on the 2M set"
    )
    print(
        f"{'callback':24s} {'what':56s} {'med':>6s} {'1st':>6s} {'KB':>5s} | {'2M med':>7s} {'1st':>6s} "
        f"{'KB':>6s} {'n':>3s}"
    )
    for a, b in zip(shipped, synth, strict=True):
        med_a = f"{statistics.median(a.times_ms):6.1f}" if a.times_ms else f"{'ERR':>6s}"
        med_b = f"{statistics.median(b.times_ms):7.1f}" if b.times_ms else f"{'ERR':>7s}"
        print(
            f"{a.rec.name:24s} {a.rec.detail[:56]:56s} {med_a} {a.first_ms:6.1f} {a.raw_bytes / 1024:5.1f} | "
            f"{med_b} {b.first_ms:6.1f} {b.raw_bytes / 1024:6.1f} {len(b.times_ms):3d}"
        )

    print()
    print("Page /explore in headless Chromium (gunicorn, 2 workers, shipped data, fresh context per load)")
    print(
        f"  ready (all 4 charts drawn, nothing loading): median {page['page_ready_ms']:,.0f} ms of "
        f"{page['page_ready_runs_ms']} (wall clock from goto: {page['page_ready_wall_ms']:,.0f} ms)"
    )
    tl = page["timeline"]
    names = {
        "html": "HTML",
        "dom_content_loaded": "DOMContentLoaded",
        "last_script": "last script loaded",
        "first_callback_sent": "first callback sent",
        "last_callback_answered": "last callback answered",
        "plotly_js_ready": "Plotly seen (5 ms poll)",
        "map_topojson_requested": "topojson requested",
        "map_topojson_loaded": "topojson loaded",
    }
    marks = [f"{label} {tl[k]:,.0f}" for k, label in names.items() if k in tl]
    print("  timeline, median ms from navigation:")
    print("    " + " · ".join(marks[:5]))
    print("    " + " · ".join([*marks[5:], f"ready {page['page_ready_ms']:,.0f}"]))
    if "long_tasks_total" in tl:
        print(
            f"  main thread in long tasks (> 50 ms) until ready: {tl['long_tasks_total']:,.0f} ms in all, "
            f"the largest {tl['long_task_max']:,.0f} ms"
        )
    print(f"  map country shapes drawn: median {page['page_map_drawn_ms']:,.0f} ms")
    d = page["details"]
    print(
        f"  first load: {page['first_load_kb']:,.0f} KB transferred in {d['requests']} requests "
        f"({page['first_load_uncompressed_kb']:,.0f} KB uncompressed); largest:"
    )
    for kb, enc, url in d["largest"]:
        print(f"    {kb:8,.1f} KB  {enc:8s} {url[:88]}")
    if d["uncompressed_over_1kb"]:
        print(f"  sent uncompressed (> 1 KB): {', '.join(u[:60] for u in d['uncompressed_over_1kb'][:6])}")

    def first_call_p95(ts: list[Timed]) -> float:
        firsts = sorted(t.first_ms for t in ts if not t.error)
        return round(firsts[min(len(firsts) - 1, int(0.95 * len(firsts)))], 1) if firsts else float("nan")

    figures = {
        "callback_p50_ms": s1["p50_ms"],
        "callback_p95_ms": s1["p95_ms"],
        "callback_p50_ms_2m": s2["p50_ms"],
        "callback_p95_ms_2m": s2["p95_ms"],
        "page_ready_ms": page["page_ready_ms"],
        "first_load_kb": page["first_load_kb"],
        "payload_kb_max": s1["raw_kb_max"],
        # the first call of each recorded request, before the app remembers that view (default views of every
        # indicator are drawn at start-up, as in production): what a user opening a new view waits for
        "callback_p95_ms_first_call": first_call_p95(shipped),
        "callback_p95_ms_2m_first_call": first_call_p95(synth),
    }
    worst1 = max(s1["per_callback"].items(), key=lambda kv: kv[1]["p95_ms"])
    worst2 = max(s2["per_callback"].items(), key=lambda kv: kv[1]["p95_ms"])
    print()
    print(f"{'vs targets':28s} {'value':>10s} {'target':>8s}  status")
    for key, label in (
        ("callback_p95_ms", "callback p95, shipped (ms)"),
        ("callback_p95_ms_2m", "callback p95, 2M rows (ms)"),
        ("page_ready_ms", "page ready (ms)"),
        ("first_load_kb", "first load (KB sent)"),
        ("payload_kb_max", "largest response (KB)"),
    ):
        print(f"{label:28s} {figures[key]:10,.1f} {TARGETS[key]:8,.0f}  {status(figures[key], TARGETS[key])}")
    print(
        "  first call of each request (not yet remembered): p95 "
        f"{figures['callback_p95_ms_first_call']:,.1f} ms shipped, "
        f"{figures['callback_p95_ms_2m_first_call']:,.1f} ms on 2M rows"
    )
    print(
        f"{'  largest response, 2M (KB)':28s} {s2['raw_kb_max']:10,.1f} {TARGETS['payload_kb_max']:8,.0f}  "
        f"{status(s2['raw_kb_max'], TARGETS['payload_kb_max'])}"
    )
    print(
        f"  worst callback p95: shipped {worst1[0]} {worst1[1]['p95_ms']:.1f} ms; "
        f"2M {worst2[0]} {worst2[1]['p95_ms']:.1f} ms"
    )
    limit = TARGETS["payload_kb_max"]
    over: dict[tuple[str, str], int] = {}
    for where, ts in (("shipped", shipped), ("2M", synth)):
        for t in ts:
            if t.raw_bytes > limit * 1024:
                over[(t.rec.name, where)] = max(over.get((t.rec.name, where), 0), t.raw_bytes)
    for (name, where), size in sorted(over.items(), key=lambda kv: -kv[1]):
        print(f"  responses over {limit:.0f} KB ({where}): {name}, up to {size / 1024:.0f} KB")

    print()
    print(prof_text)

    result = {k: round(v, 1) for k, v in figures.items()}
    result |= {
        "callback_p95_worst_ms": round(worst1[1]["p95_ms"], 1),
        "callback_p95_worst_ms_2m": round(worst2[1]["p95_ms"], 1),
        "payload_kb_max_2m": round(s2["raw_kb_max"], 1),
        "payload_kb_max_sent": round(s1["sent_kb_max"], 1),
        "page_ready_runs_ms": page["page_ready_runs_ms"],
        "page_map_drawn_ms": round(page["page_map_drawn_ms"], 1),
        "first_load_uncompressed_kb": round(page["first_load_uncompressed_kb"], 1),
        "per_callback_ms": {
            n: {
                "p50": round(v["p50_ms"], 1),
                "p95": round(v["p95_ms"], 1),
                "p50_2m": round(s2["per_callback"][n]["p50_ms"], 1) if n in s2["per_callback"] else None,
                "p95_2m": round(s2["per_callback"][n]["p95_ms"], 1) if n in s2["per_callback"] else None,
            }
            for n, v in s1["per_callback"].items()
        },
        "failed_requests": sorted(
            {f"{t.rec.name} [{t.rec.detail}]: {t.error}" for t in s1["errors"] + s2["errors"]}
        ),
        "requests_recorded": len(recs),
        "reps": args.reps,
        "synthetic_rows": args.rows,
        "targets": TARGETS,
        "targets_met": {k: figures[k] <= TARGETS[k] for k in TARGETS},
        "seconds": round(time.perf_counter() - started, 1),
    }
    return result


def api_run(args, log) -> dict:
    """The data API's server time (scripts/bench_api.py) on the shipped data and the synthetic set:
    ``api_p95_ms`` and ``api_2m_p95_ms`` (every timed call) with their first-call p95 and targets."""
    log("data API: single-indicator queries on the shipped data")
    shipped = bench_api.run(DEFAULT_DIR, 3 if args.quick else 5, log)
    syn_dir, to_delete = synthetic_dir(args.synthetic_dir, args.rows, log)
    try:
        log(f"data API: the same queries on the {args.rows:,}-row synthetic set")
        synth = bench_api.run(syn_dir, 2 if args.quick else 3, log)
    finally:
        if to_delete:
            shutil.rmtree(to_delete, ignore_errors=True)
    figures = {
        "api_p95_ms": shipped["p95_ms"],
        "api_2m_p95_ms": synth["p95_ms"],
        "api_first_call_p95_ms": shipped["first_call_p95_ms"],
        "api_2m_first_call_p95_ms": synth["first_call_p95_ms"],
    }
    for key, target in bench_api.TARGETS.items():
        log(f"  {key:28s} {figures[key]:8.1f} ms (target {target:g})")
    met = {k: figures[k] <= t for k, t in bench_api.TARGETS.items()}
    return figures | {"api_targets_met": met, "api": {"shipped": shipped, "synthetic": synth}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=30, help="timed repetitions of each recorded request")
    ap.add_argument("--loads", type=int, default=5, help="timed page loads (fresh context each)")
    ap.add_argument("--rows", type=int, default=2_000_000, help="rows of the synthetic set")
    ap.add_argument("--synthetic-dir", type=Path, default=make_synthetic.DEFAULT_OUT)
    ap.add_argument(
        "--budget",
        type=float,
        default=1.0,
        help="seconds of timing per request on the synthetic set (>= 2-3 reps)",
    )
    ap.add_argument(
        "--save-recording", type=Path, help="write the recorded callback bodies to this JSON file"
    )
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument(
        "--quick",
        action="store_true",
        help="fewer repetitions (development): 5 reps, 2 page loads, 6 interactions of each kind",
    )
    ap.add_argument(
        "--felt-only", action="store_true", help="only the felt-speed interactions in Chromium (no replay)"
    )
    ap.add_argument(
        "--api-only", action="store_true", help="only the data API's server time (scripts/bench_api.py)"
    )
    args = ap.parse_args(argv)
    if args.quick:
        args.reps, args.loads, args.budget = min(args.reps, 5), min(args.loads, 2), min(args.budget, 0.3)
    if not os.path.exists(CHROMIUM):
        print(f"error: {CHROMIUM} is missing (apt-get install chromium, or `make chromium`)", file=sys.stderr)
        return 2

    started = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {msg}", flush=True)

    if args.api_only:
        print(json.dumps(api_run(args, log), ensure_ascii=False))
        return 0

    log("felt speed: interactions in Chromium on a freshly started server (shipped data, gunicorn)")
    felt_res = felt_run(args.quick, log)
    if args.felt_only:
        print(json.dumps(felt_res["keys"] | {"felt": felt_res}, ensure_ascii=False))
        return 0

    log("recording callback requests in Chromium (shipped data, gunicorn)")
    with gunicorn(workers=2, env={"MTM_DATA_DIR": str(DEFAULT_DIR)}) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            recs = record(browser, base, log)
            log(f"recorded {len(recs)} distinct callback requests; page loads:")
            page = page_loads(browser, base, args.loads, log)
        finally:
            browser.close()
    if not recs:
        print("error: no callback request was recorded", file=sys.stderr)
        return 2
    if args.save_recording:
        args.save_recording.write_text(json.dumps([json.loads(r.body) for r in recs], indent=1))

    log(f"replaying on the shipped data ({args.reps} reps each)")
    app1, shipped = replay(DEFAULT_DIR, recs, args.reps, None, log)
    profiles = [profile_slowest(app1, shipped, "shipped data")]
    del app1

    log(f"synthetic set of {args.rows:,} rows")
    syn_dir, to_delete = synthetic_dir(args.synthetic_dir, args.rows, log)
    try:
        log(f"replaying on the synthetic set (<= {args.reps} reps, ~{args.budget:g}s per request)")
        app2, synth = replay(syn_dir, recs, args.reps, args.budget, log)
        log("profiling the slowest request on the 2M set")
        profiles.append(profile_slowest(app2, synth, f"{args.rows / 1e6:g}M synthetic set"))
        del app2
    finally:
        if to_delete:
            shutil.rmtree(to_delete, ignore_errors=True)

    result = report(args, recs, shipped, synth, page, "\n\n".join(profiles), started)
    result = felt_report(result, felt_res)
    result |= api_run(args, log)
    print(json.dumps(result, ensure_ascii=False))
    met = all(result["targets_met"].values()) and all(result["felt_targets_met"].values())
    return 1 if args.strict and not met else 0


if __name__ == "__main__":
    sys.exit(main())
