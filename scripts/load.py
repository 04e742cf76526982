"""Load test: N concurrent clients replaying real interactions against gunicorn on a loopback port.

    .venv/bin/python scripts/load.py                      # 60 s, 50 clients, 2 workers (gunicorn.conf.py)
    .venv/bin/python scripts/load.py --seconds 20 --clients 50 --workers 2

The app is served by the repo's gunicorn.conf.py on a free 127.0.0.1 port (tests/browser.py) and stopped at
the end. The requests are the ones a browser makes: page loads (/, /explore, /country/<iso3>, /briefing and
Dash's /_dash-layout, /_dash-dependencies) and callback POSTs to /_dash-update-component: the page router,
the explorer state from a link (Back/Forward) and the map / donut / series / table panels for a dozen
explorer views. The views' states are taken from the server itself (the Back/Forward callback returns them).

Prints requests/s (all, and callbacks only), p50/p95/p99 latency, and errors (status >= 400 or no answer);
a request whose kept-alive connection breaks before any answer is retried once on a new connection, as
browsers do, and counted as `retried_after_reset` (an error only if the retry fails too). The LAST line is
one JSON object. Bounded: stops after --seconds; loopback only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.browser import gunicorn  # noqa: E402

URL = "/_dash-update-component"
HEADERS = {"Accept-Encoding": "gzip, deflate, br, zstd", "Content-Type": "application/json"}
PAGES = ["/", "/explore", "/country/UZB", "/country/RUS", "/briefing", "/_dash-layout", "/_dash-dependencies"]
ROUTES = ["/", "/explore", "/country/UZB", "/country/TJK", "/briefing", "/nowhere"]
VIEWS = [
    "",
    "?indicator=trp_issued&period=2023-Q2",
    "?indicator=trp_issued&countries=UZB,TJK,KGZ",
    "?indicator=remittance_outflow&measure=amount&unit=KZT_bn&period=2023-Q2",
    "?indicator=trp_issued&from=2023-Q1&to=2024-Q4",
    "?indicator=trp_issued&drill=2023-Q2",
    "?indicator=trp_issued&countries=RUS",
    "?indicator=trp_issued&countries=CHN,TUR,UZB,RUS",
    "?indicator=bogus",
    "?countries=UZB",
    "?period=2023-Q1",
    "?from=2022-Q1&to=2023-Q4",
]
PANELS = ("map", "donut", "series", "table")


def pct(xs: list[float], q: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round((len(xs) - 1) * q / 100))]


def _post(conn: http.client.HTTPConnection, body: dict) -> tuple[int, bytes]:
    conn.request("POST", URL, json.dumps(body), {"Content-Type": "application/json"})
    r = conn.getresponse()
    return r.status, r.read()


def build_requests(host: str, port: int) -> list[tuple[str, str, bytes | None]]:
    """(method, path, body) of the interactions to replay, built from the served dependencies."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/_dash-dependencies")
    deps = json.loads(conn.getresponse().read())

    def dep_for(input_id: str, first_output: str | None = None) -> dict:
        for d in deps:
            if [i["id"] for i in d["inputs"]] != [input_id] or d.get("clientside_function"):
                continue
            if not first_output or d["output"].lstrip(".").startswith(first_output + "."):
                return d
        raise LookupError(input_id, first_output)

    def outputs(d: dict):
        out = d["output"]
        if out.startswith(".."):
            parts = out[2:-2].split("...")
            return [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
        i, p = out.rsplit(".", 1)
        return {"id": i, "property": p}

    def body(d: dict, values: list, states: list | None = None) -> dict:
        return {
            "output": d["output"],
            "outputs": outputs(d),
            "inputs": [i | {"value": v} for i, v in zip(d["inputs"], values, strict=True)],
            "state": [s | {"value": v} for s, v in zip(d["state"], states or [], strict=True)],
            "changedPropIds": [f"{d['inputs'][0]['id']}.{d['inputs'][0]['property']}"],
        }

    reqs: list[tuple[str, str, bytes | None]] = [("GET", p, None) for p in PAGES]
    route = dep_for("url", "page")
    for path in ROUTES:
        reqs.append(("POST", URL, json.dumps(body(route, [path], [""])).encode()))
    from_url = dep_for("url-pop")
    for view in VIEWS:
        b = body(from_url, [view])
        status, raw = _post(conn, b)
        if status != 200:
            raise RuntimeError(f"from_url answered {status} for {view!r}")
        reqs.append(("POST", URL, json.dumps(b).encode()))
        state = json.loads(raw)["response"]["explorer-state"]["data"]
        for panel in PANELS:
            reqs.append(("POST", URL, json.dumps(body(dep_for("explorer-state", panel), [state])).encode()))
    conn.close()
    return reqs


def run(host: str, port: int, seconds: float, clients: int, seed: int = 1) -> dict:
    reqs = build_requests(host, port)
    gets = [r for r in reqs if r[0] == "GET"]
    posts = [r for r in reqs if r[0] == "POST"]
    lock = threading.Lock()
    lat: dict[str, list[float]] = {"GET": [], "POST": []}
    errors: list[str] = []
    start = time.monotonic()
    deadline = start + seconds

    retried: list[str] = []

    def send(conn: http.client.HTTPConnection, method: str, path: str, data) -> int:
        conn.request(method, path, data, HEADERS)
        r = conn.getresponse()
        r.read()
        if r.getheader("Connection", "").lower() == "close":
            conn.close()
        return r.status

    def client(n: int) -> None:
        rnd = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection(host, port, timeout=30)
        reused = False  # has this connection answered a request already?
        mine: dict[str, list[float]] = {"GET": [], "POST": []}
        errs: list[str] = []
        again: list[str] = []
        while time.monotonic() < deadline:
            # a user: one page load in ten requests, the rest callbacks
            method, path, data = rnd.choice(gets) if rnd.random() < 0.1 else rnd.choice(posts)
            t = time.perf_counter()
            try:
                status = send(conn, method, path, data)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(host, port, timeout=30)
                if not reused:
                    errs.append(f"{type(exc).__name__} {method} {path}")
                    continue
                # As browsers do: a kept-alive connection that breaks before any answer (its worker died or
                # closed it) is retried once on a new connection; these requests are pure, so that is safe.
                again.append(f"{type(exc).__name__} {method} {path}")
                try:
                    status = send(conn, method, path, data)
                except (OSError, http.client.HTTPException) as exc2:
                    errs.append(f"{type(exc2).__name__} {method} {path} (after a retry)")
                    conn.close()
                    conn = http.client.HTTPConnection(host, port, timeout=30)
                    reused = False
                    continue
            reused = conn.sock is not None
            if status >= 400:
                errs.append(f"{status} {method} {path}")
            mine[method].append(time.perf_counter() - t)
        conn.close()
        with lock:
            lat["GET"] += mine["GET"]
            lat["POST"] += mine["POST"]
            errors.extend(errs)
            retried.extend(again)

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.monotonic() - start
    every = lat["GET"] + lat["POST"]
    ms = lambda xs, q: round(pct(xs, q) * 1000, 1)  # noqa: E731
    return {
        "seconds": round(elapsed, 1),
        "clients": clients,
        "requests": len(every) + len(errors),
        "requests_per_s": round(len(every) / elapsed, 1),
        "callback_requests_per_s": round(len(lat["POST"]) / elapsed, 1),
        "p50_ms": ms(every, 50),
        "p95_ms": ms(every, 95),
        "p99_ms": ms(every, 99),
        "callback_p50_ms": ms(lat["POST"], 50),
        "callback_p95_ms": ms(lat["POST"], 95),
        "callback_p99_ms": ms(lat["POST"], 99),
        "errors": len(errors),
        "error_examples": sorted(set(errors))[:5],
        "retried_after_reset": len(retried),  # answered on the browser-like retry: not errors
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers (threads: GUNICORN_THREADS)")
    args = ap.parse_args(argv)
    if not (0 < args.seconds <= 3600 and 0 < args.clients <= 500):
        ap.error("--seconds must be in (0, 3600] and --clients in (0, 500]")
    with gunicorn(workers=args.workers) as base:
        host, port = base.removeprefix("http://").split(":")
        result = run(host, int(port), args.seconds, args.clients) | {"workers": args.workers}
    for k, v in result.items():
        print(f"{k:>24}: {v}")
    print(json.dumps(result))
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
