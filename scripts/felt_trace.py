"""Trace the explorer's indicator changes as scripts/felt.py times them, with what happens inside each one.

    .venv/bin/python scripts/felt_trace.py [--changes 16]

A diagnostic, not a benchmark: for each indicator change it prints felt.py's time (pointerup to every
changed chart drawn), the frame at which felt.py saw each chart hold its new data and drawn, the callback
requests (start and end, ms after pointerup, from Resource Timing) and every ``Plotly.react`` call seen
through a wrapper around ``window.Plotly.react`` (graph, called, returned, promise settled). Written to look
into why the same change takes ~110 ms in some runs and ~230-290 ms in others (README, Speed): felt.py and
the wrapper disagree on when the trend is drawn.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):  # this checkout's code first
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import felt  # noqa: E402

from dashboard import charts, serve  # noqa: E402
from dashboard.data import DEFAULT_DIR  # noqa: E402
from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

INDICATORS = ("trp_issued", "visas_issued", "border_arrivals", "remittance_outflow")
PERIODS = ("quarter|2022-Q2", "quarter|2023-Q2")  # on felt.VIEW: the bench's repeat period switch

# Installed before the page's scripts: every Plotly.react call, with its graph and times.
REACT_WRAPPER = """
window.__reacts = [];
setInterval(() => {
  if (!window.Plotly || window.Plotly.__traced) return;
  const react = window.Plotly.react; window.Plotly.__traced = true;
  window.Plotly.react = function (gd) {
    const t0 = performance.now(); const out = react.apply(this, arguments); const t1 = performance.now();
    const id = (gd && (gd.id || (gd.parentElement && gd.parentElement.id))) || '?';
    Promise.resolve(out).then(() => window.__reacts.push([id, t0, t1, performance.now()]));
    return out;
  };
}, 5);
"""

# Read after felt.py's result: per changed graph the first frame it was done, the requests and the reacts.
DETAIL = """() => {
  const f = window.__felt, fr = f.frames, first = fr[0][1], last = fr[fr.length - 1][1];
  const done = {};
  GRAPHS.forEach((id, i) => {
    if (first.g[i][0] === last.g[i][0]) return;
    for (const [ts, s] of fr) {
      if (ts >= f.t0 && s.g[i][0] === last.g[i][0] && s.g[i][1]) { done[id] = Math.round(ts - f.t0); break; }
    }
  });
  const ms = x => Math.round(x - f.t0);
  const requests = performance.getEntriesByType('resource')
    .filter(e => e.name.includes('_dash-update-component') && e.startTime >= f.t0 - 5)
    .map(e => [ms(e.startTime), ms(e.responseEnd)]);
  performance.clearResourceTimings();
  const reacts = window.__reacts.filter(r => r[1] >= f.t0 - 5).map(r => [r[0], ms(r[1]), ms(r[2]), ms(r[3])]);
  window.__reacts = [];
  return {done, requests, reacts};
}""".replace("GRAPHS", json.dumps([k.graph_id for k in charts.KINDS]))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--changes", type=int, default=16, help="changes to trace")
    ap.add_argument("--kind", choices=("indicator", "period"), default="indicator", help="what to change")
    args = ap.parse_args(argv)
    env = {"MTM_WARM": "1", "MTM_DATA_DIR": str(DEFAULT_DIR)}
    with serve.gunicorn(2, env) as srv, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            cpu = felt.ServerCPU(srv.proc.pid)
            cpu.wait_idle()
            session = felt.Session(browser, srv.base, cpu)
            page = session.page
            page.add_init_script(REACT_WRAPPER)
            session.load()
            values = INDICATORS if args.kind == "indicator" else PERIODS
            for i in range(args.changes):
                ind = values[i % len(values)]
                item = session.timed(
                    args.kind, ind, felt._open(page, args.kind), felt._option(page, args.kind, ind)
                )
                d = page.evaluate(DETAIL)
                print(f"{ind:20s} felt {item.ms:5.0f} ms  drawn at {d['done']}")
                print(f"{'':20s} requests {d['requests']}")
                print(f"{'':20s} Plotly.react [graph, called, returned, settled] {d['reacts']}")
            session.close()
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
