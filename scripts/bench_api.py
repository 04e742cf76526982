"""Benchmark the data API (/api/v1/figures): server time of single-indicator queries, in-process.

    .venv/bin/python scripts/bench_api.py [--data-dir DIR] [--reps N]   # one data set
    .venv/bin/python scripts/bench.py --api-only                        # shipped data and the 2M-row set

For every indicator of the catalogue: its default view (JSON and CSV), the view with three countries, in
Russian, drilled into a quarter, at the first release, and each of up to four periods it has figures for
(a quarter, a month, a year...). Each request goes through app.server.test_client() with Accept-Encoding
gzip (compression counted), as scripts/bench.py replays callbacks: Flask handling time, no network. The
first call of each request is timed on its own (nothing of it remembered yet), then ``reps`` more.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.app_factory import create_app  # noqa: E402
from dashboard.catalogue import catalogue  # noqa: E402
from dashboard.countries import TOTAL  # noqa: E402
from dashboard.data import DEFAULT_DIR, get_store  # noqa: E402
from dashboard.state import parse_query, period_choices  # noqa: E402

TARGETS = {"api_p95_ms": 20.0, "api_2m_p95_ms": 60.0}
PATH = "/api/v1/figures"


def queries(data_dir: Path) -> list[str]:
    """The single-indicator queries timed, from the data (periods, countries and quarters it holds)."""
    store = get_store(data_dir)
    out = []
    for ind in catalogue().indicators:
        state = parse_query(f"?indicator={ind.id}", store)
        base = {"indicator": ind.id}
        out += [urlencode(base), urlencode(base | {"format": "csv"}), urlencode(base | {"lang": "ru"})]
        rows = store.breakdown(ind.id, state.period, state.period_type, state.measure, state.unit)
        codes = [c for c in rows["country_iso3"].to_list() if c != TOTAL][:3]
        if codes:
            out.append(urlencode(base | {"countries": ",".join(codes)}))
        out.append(urlencode(base | {"drill": state.last}))
        if store.latest_release and store.latest_release > 1:
            out.append(urlencode(base | {"release": 1}))
        choices = period_choices(store, ind, state.measure, state.unit)
        by_type: dict[str, str] = {}
        for pid, ptype in choices:
            by_type.setdefault(ptype, pid)
        for ptype, pid in list(by_type.items())[:4]:
            out.append(urlencode(base | {"period": pid, "period_type": ptype}))
    return out


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else 0.0


def run(data_dir: Path, reps: int = 5, log=print) -> dict:
    """Time every query on one data set; the p50 / p95 of all timed calls and of the first calls."""
    app = create_app(data_dir)
    client = app.server.test_client()
    headers = {"Accept-Encoding": "gzip"}
    qs = queries(data_dir)
    first, times, errors = [], [], []
    for q in qs:
        t0 = time.perf_counter()
        resp = client.get(f"{PATH}?{q}", headers=headers)
        first.append((time.perf_counter() - t0) * 1000)
        if resp.status_code != 200:
            errors.append(f"{resp.status_code} {q}")
    for _ in range(reps):  # round robin: drift during the run hits every query alike
        for q in qs:
            t0 = time.perf_counter()
            client.get(f"{PATH}?{q}", headers=headers)
            times.append((time.perf_counter() - t0) * 1000)
    worst = max(zip(first, qs, strict=True))
    log(f"  {len(qs)} queries x {reps} reps on {data_dir}; slowest first call {worst[0]:.1f} ms: {worst[1]}")
    return {
        "queries": len(qs),
        "p50_ms": round(statistics.median(times), 2),
        "p95_ms": round(pct(times, 0.95), 2),
        "first_call_p50_ms": round(statistics.median(first), 2),
        "first_call_p95_ms": round(pct(first, 0.95), 2),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=DEFAULT_DIR)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)
    print(json.dumps(run(args.data_dir, args.reps)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
