"""Felt speed of the explorer, for scripts/bench.py: how long a click takes to show, as a user sees it.

Each interaction is timed in Chromium from the ``pointerup`` on the option (or chart point) to the first
``requestAnimationFrame`` in which every chart that changed holds its final data and has drawn it (the time
read with ``performance.now()`` in that frame's callback: the callback's own argument is the frame's start,
which can precede the end of the long task that drew the charts):

* a graph holds its final data when its ``gd.data`` is the last one Dash gave it, and has drawn it when
  plotly's ``plotly_afterplot`` fired for that data, the graph is not ``dash-graph--pending``, the map shows
  one ``path.choroplethlocation`` per location and the donut one slice per label;
* the table of figures holds its final rows when no DOM mutation inside ``#table`` is still to come.

"Final" is what the page shows once the network and the page are quiet after the click. Server CPU is the
psutil CPU time (user + system) of the gunicorn master and workers from the click to the last callback
answer of the interaction; bytes are the
callback responses' encodedDataLength (CDP), i.e. as sent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from dashboard import charts

VIEW = "/explore?indicator=remittance_outflow&period=2023-Q2"
DASH_POST = "/_dash-update-component"

# Installed before the page's scripts: a per-frame record of what each graph and the table show.
MONITOR_JS = """
(() => {
  const GRAPHS = GRAPH_IDS;
  const ids = new WeakMap(); let next = 1;
  const idOf = o => { if (!o || typeof o !== 'object') return 0; let v = ids.get(o);
                      if (!v) { v = next++; ids.set(o, v); } return v; };
  let tableGen = 0, observed = null;
  const mo = new MutationObserver(() => { tableGen++; });
  const felt = {armed: false, t0: null, frames: [], requests: 0};
  function graphState(id) {
    const gd = document.querySelector('#' + id + ' .js-plotly-plot');
    if (!gd) return [0, true];
    if (!gd.__felt && gd.on) {
      gd.__felt = true; gd.on('plotly_afterplot', () => { gd.__feltDrawn = gd.data; });
    }
    let ok = gd.__feltDrawn === gd.data && !gd.closest('.dash-graph--pending')
             && !document.querySelector('#' + id + '.dash-graph--pending');
    const data = gd.data || [];
    if (ok && id === 'map') {
      const locs = data.reduce((s, t) => s + ((t.locations || []).length), 0);
      ok = gd.querySelectorAll('path.choroplethlocation').length === locs;
    }
    if (ok && id === 'donut' && data[0] && data[0].labels) {
      ok = gd.querySelectorAll('g.slice').length === data[0].labels.length;
    }
    return [idOf(data), ok];
  }
  function snap() {
    const table = document.getElementById('table');
    if (table && table !== observed) {
      mo.disconnect();
      mo.observe(table, {subtree: true, childList: true, characterData: true, attributes: true});
      observed = table; tableGen++;
    }
    return {g: GRAPHS.map(graphState), t: tableGen};
  }
  // Timed with performance.now() when the frame's callback runs, not with the callback's argument: that is
  // the frame's start, which Chromium sets before a long task (the charts' drawing) ends: ~100 ms early.
  function loop() {
    if (!felt.armed) return;
    felt.frames.push([performance.now(), snap()]);
    requestAnimationFrame(loop);
  }
  document.addEventListener('pointerup', e => {
    if (felt.armed && felt.t0 === null) felt.t0 = e.timeStamp;
  }, true);
  felt.arm = () => {
    felt.armed = true; felt.t0 = null; felt.frames = [[performance.now(), snap()]];
    requestAnimationFrame(loop);
  };
  felt.result = () => {
    felt.armed = false;
    const fr = felt.frames; if (!fr.length || felt.t0 === null) return {error: 'no pointerup'};
    const first = fr[0][1], last = fr[fr.length - 1][1];
    const changed = GRAPHS.filter((id, i) => first.g[i][0] !== last.g[i][0]);
    const tableChanged = first.t !== last.t;
    if (!last.g.every((g, i) => first.g[i][0] === g[0] || g[1])) {
      return {error: 'not drawn at the end', changed};
    }
    for (const [ts, s] of fr) {
      if (ts < felt.t0) continue;
      const graphsDone = s.g.every((g, i) => g[0] === last.g[i][0] && (g[1] || first.g[i][0] === g[0]));
      if (graphsDone && s.t === last.t) return {ms: ts - felt.t0, changed, tableChanged};
    }
    return {error: 'never settled', changed};
  };
  window.__felt = felt;
})();
""".replace("GRAPH_IDS", json.dumps([k.graph_id for k in charts.KINDS]))


@dataclass
class Interaction:
    kind: str  # period, period_cold, country, indicator, drill
    label: str
    ms: float
    cpu_ms: float
    kb: float
    requests: int
    changed: list[str] = field(default_factory=list)


SCHEDSTAT = Path("/proc/self/task").is_dir() and any(Path("/proc/self/task").glob("*/schedstat"))


def _thread_ns(pid: int) -> int:
    """Nanoseconds on CPU of every live thread of a process (gthread workers keep their threads)."""
    total = 0
    for stat in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total


class ServerCPU:
    """CPU time (ms) of a gunicorn master and its workers: on Linux the scheduler's nanosecond count of every
    thread (/proc/<pid>/task/<tid>/schedstat); elsewhere user + system time, which the kernel keeps in 10 ms
    ticks: too coarse for an interaction that costs a few ms (each reading is 0, 10 or 20)."""

    def __init__(self, pid: int):
        self.master = psutil.Process(pid)

    def ms(self) -> float:
        total = 0.0
        for p in [self.master, *self.master.children(recursive=True)]:
            try:
                total += _thread_ns(p.pid) / 1e6 if SCHEDSTAT else sum(p.cpu_times()[:2]) * 1000
            except (psutil.NoSuchProcess, ProcessLookupError):
                continue
        return total

    def wait_idle(self, window: float = 0.5, below_ms: float = 15.0, timeout: float = 120.0) -> None:
        """Until the server spends under ``below_ms`` CPU in ``window`` seconds (start-up warming done)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            a = self.ms()
            time.sleep(window)
            if self.ms() - a < below_ms:
                return


class Session:
    """One browser page on the explorer, with its network and the monitor."""

    def __init__(self, browser, base: str, cpu: ServerCPU):
        self.ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.page = self.ctx.new_page()
        self.page.set_default_timeout(20000)
        self.page.add_init_script(MONITOR_JS)
        self.base, self.cpu = base, cpu
        self.inflight, self.last, self.sent, self.requests = 0, time.monotonic(), 0, 0
        self.cpu_at_answer = 0.0
        self._ids: set[str] = set()
        cdp = self.ctx.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.on("Network.requestWillBeSent", self._req)
        cdp.on("Network.loadingFinished", self._done)
        cdp.on("Network.loadingFailed", self._done)

    def _req(self, ev) -> None:
        if DASH_POST in ev["request"]["url"]:
            self._ids.add(ev["requestId"])
            self.inflight += 1
            self.requests += 1
            self.last = time.monotonic()

    def _done(self, ev) -> None:
        if ev["requestId"] in self._ids:
            self._ids.discard(ev["requestId"])
            self.inflight -= 1
            self.sent += ev.get("encodedDataLength", 0)
            self.last = time.monotonic()
            self.cpu_at_answer = self.cpu.ms()  # the server's CPU up to its last answer (not the idle after)

    def settle(self, quiet: float = 0.35, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.page.wait_for_timeout(40)
            if self.inflight <= 0 and time.monotonic() - self.last > quiet:
                busy = self.page.evaluate(
                    "() => document.querySelectorAll('[data-dash-is-loading=\"true\"]').length"
                )
                if not busy:
                    return

    def load(self, url: str = VIEW) -> None:
        self.page.goto(self.base + url)
        self.page.wait_for_function(
            "() => ['map','donut','series'].every(id => {"
            " const gd = document.querySelector('#' + id + ' .js-plotly-plot');"
            " return gd && gd.layout && gd.layout.template; })",
            polling="raf",
        )
        self.settle(quiet=0.6)

    def timed(
        self, kind: str, label: str, prepare: Callable[[], None], act: Callable[[], None]
    ) -> Interaction:
        prepare()
        self.settle(quiet=0.15)
        cpu0, sent0, req0 = self.cpu.ms(), self.sent, self.requests
        self.cpu_at_answer = cpu0
        self.page.evaluate("() => window.__felt.arm()")
        act()
        self.settle()
        res = self.page.evaluate("() => window.__felt.result()")
        cpu = self.cpu_at_answer - cpu0
        ms = float(res["ms"]) if "ms" in res else float("nan")
        if "error" in res:
            print(f"    {kind} {label}: {res['error']} (changed: {res.get('changed')})", flush=True)
        return Interaction(
            kind, label, ms, cpu, (self.sent - sent0) / 1024, self.requests - req0, res.get("changed", [])
        )

    def close(self) -> None:
        self.ctx.close()


def _option(page, dropdown: str, value: str) -> Callable[[], None]:
    return lambda: page.click(f'.dash-dropdown-option:has(input[value="{value}"])')


def _open(page, dropdown: str, search: str = "") -> Callable[[], None]:
    def go() -> None:
        page.keyboard.press("Escape")
        page.click(f"#{dropdown}")
        page.wait_for_selector(".dash-dropdown-option")
        if search:
            page.keyboard.type(search)
            page.wait_for_timeout(150)

    return go


def _period_values(page) -> list[str]:
    page.click("#period")
    page.wait_for_selector(".dash-dropdown-option")
    values = page.evaluate(
        "() => Array.from(document.querySelectorAll('.dash-dropdown-option input')).map(i => i.value)"
    )
    page.keyboard.press("Escape")
    return values


def run(browser, base: str, pid: int, quick: bool, log) -> list[Interaction]:
    """Every interaction of the felt-speed run, on a server that has drawn nothing but its start-up views."""
    cpu = ServerCPU(pid)
    cpu.wait_idle()
    n = 6 if quick else 15
    s = Session(browser, base, cpu)
    out: list[Interaction] = []
    page = s.page
    try:
        # first visits: periods never drawn since the server started (start-up draws only default views), on
        # the explorer's view and then on two other indicators' when its periods run out
        pair = ("quarter|2022-Q2", "quarter|2023-Q2")
        for url in (VIEW, "/explore?indicator=trp_issued", "/explore?indicator=visas_issued"):
            s.load(url)
            values = _period_values(page)
            current = page.evaluate("() => new URLSearchParams(location.search).get('period')")
            for v in [v for v in values if v not in pair and not v.endswith("|" + str(current))]:
                if sum(1 for i in out if i.kind == "period_cold") >= n:
                    break
                out.append(s.timed("period_cold", v, _open(page, "period"), _option(page, "period", v)))
        s.load()
        # repeat visits: between two views already drawn (by both workers: a few untimed rounds first)
        pair = ("quarter|2022-Q2", "quarter|2023-Q2")
        for i in range(4):
            s.timed("warmup", pair[i % 2], _open(page, "period"), _option(page, "period", pair[i % 2]))
        for i in range(n * 2):
            v = pair[i % 2]
            out.append(s.timed("period", v, _open(page, "period"), _option(page, "period", v)))
        log(f"  period switches done ({len(out)})")

        names = {"UZB": "Uzbek", "RUS": "Russia", "KGZ": "Kyrgyz", "TJK": "Tajik", "CHN": "China"}
        for code, name in list(names.items())[: max(3, n // 2)]:
            pick = _open(page, "countries", name), _option(page, "countries", code)
            out.append(s.timed("country", code, *pick))
            out.append(s.timed("country", f"-{code}", *pick))  # the same option again takes it off
        page.keyboard.press("Escape")
        log("  country changes done")

        inds = ["trp_issued", "visas_issued", "border_arrivals", "remittance_outflow"]
        for i in range(max(4, n)):
            ind = inds[i % len(inds)]
            out.append(s.timed("indicator", ind, _open(page, "indicator"), _option(page, "indicator", ind)))
        page.keyboard.press("Escape")
        log("  indicator changes done")

        s.load()  # remittance_outflow 2023-Q2 again: quarters on the trend
        from tests.test_browser import CLICK_POINT_JS  # noqa: PLC0415  (the tests' helper)

        def drill(q: str) -> Callable[[], None]:
            def go() -> None:
                xy = page.evaluate(CLICK_POINT_JS, ["series", q])
                if not xy:
                    raise RuntimeError(f"no {q} point on the trend")
                page.mouse.click(*xy)

            return go

        def up() -> None:
            if not page.is_hidden("#drill-up"):
                page.click("#drill-up")
                s.settle()
            page.locator("#series").scroll_into_view_if_needed()

        points = page.evaluate(
            """() => { const gd = document.querySelector('#series .js-plotly-plot'); const out = [];
                 for (const t of gd._fullData) (t.customdata || []).forEach((c, i) => {
                   c = Array.isArray(c) ? c[0] : c;
                   if (t.y[i] !== null && t.y[i] !== undefined) out.push(c); });
                 return out; }"""
        )
        recent = [q for q in points if isinstance(q, str)][-4:]
        for q in (recent * 2)[: max(4, n)]:
            out.append(s.timed("drill", q, up, drill(q)))
        log("  drills done")
    finally:
        s.close()
    return out


def summary(items: list[Interaction]) -> dict:
    from bench import pct  # noqa: PLC0415  (one percentile for the whole bench)

    def of(kind: str) -> list[Interaction]:
        return [i for i in items if i.kind == kind and i.ms == i.ms]

    res: dict[str, object] = {}
    for kind in ("period", "period_cold", "country", "indicator", "drill"):
        xs = of(kind)
        res[kind] = {
            "n": len(xs),
            "p50_ms": round(pct([i.ms for i in xs], 50), 1),
            "p95_ms": round(pct([i.ms for i in xs], 95), 1),
            "cpu_ms_mean": _mean([i.cpu_ms for i in xs]),
            "kb_p50": round(pct([i.kb for i in xs], 50), 1),
            "requests_p50": pct([float(i.requests) for i in xs], 50),
            "changed": sorted({c for i in xs for c in i.changed}),
        }
    warm_all = [i for i in items if i.kind in ("period", "country", "indicator", "drill") and i.ms == i.ms]
    res["keys"] = {
        "interaction_p50_ms": res["period"]["p50_ms"],  # type: ignore[index]
        "interaction_p95_ms": res["period"]["p95_ms"],  # type: ignore[index]
        "cold_interaction_p50_ms": res["period_cold"]["p50_ms"],  # type: ignore[index]
        "cold_interaction_p95_ms": res["period_cold"]["p95_ms"],  # type: ignore[index]
        "country_p95_ms": res["country"]["p95_ms"],  # type: ignore[index]
        "indicator_p95_ms": res["indicator"]["p95_ms"],  # type: ignore[index]
        "drill_p95_ms": res["drill"]["p95_ms"],  # type: ignore[index]
        # means: psutil counts CPU time in 10 ms ticks, which a mean over many interactions evens out
        "server_cpu_ms_per_interaction": _mean([i.cpu_ms for i in of("period")]),
        "server_cpu_ms_cold": _mean([i.cpu_ms for i in of("period_cold")]),
        "interaction_kb_p50": round(pct([i.kb for i in warm_all], 50), 1),
    }
    return res


def _mean(xs: list[float]) -> float:
    return round(sum(xs) / len(xs), 1) if xs else float("nan")
