"""Fault drills against gunicorn on a loopback port (the repo's gunicorn.conf.py).

    .venv/bin/python scripts/faults.py                     # both drills
    .venv/bin/python scripts/faults.py --restarts 10 --parallel 40 --kill-seconds 20

1. Restarts: start the server N times; the moment its port accepts connections, send P parallel first
   requests (the page, Dash's layout and dependencies, every JS bundle the page loads, a callback POST).
   Counts failures (status != 200 or no answer). Guards Dash issue #3971 (parallel first bundle requests
   answered 500 by a fresh worker).
2. Worker killed mid-load: the load of scripts/load.py (same requests) for --kill-seconds; after a third of
   it one worker gets SIGKILL (by its pid, a child of the gunicorn master this script started). A request
   in flight on the killed worker, or sent on a keep-alive connection it held, sees its connection reset
   with no answer; the client retries it once on a new connection as browsers do (scripts/load.py), and
   it counts as failed only if that retry fails too. gunicorn starts a replacement worker.

Prints the figures; the LAST line is one JSON object.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for p in (ROOT, ROOT / "scripts"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import load  # noqa: E402

from dashboard.serve import gunicorn  # noqa: E402


@contextmanager
def serve(workers: int = 2):
    """gunicorn with gunicorn.conf.py on a free loopback port; yields (host, port, master Popen)."""
    with gunicorn(workers, wait_health=False) as server:
        yield server.host, server.port, server.proc


def workers_of(master: int) -> list[int]:
    try:
        text = Path(f"/proc/{master}/task/{master}/children").read_text()
    except OSError:
        return []
    return [int(x) for x in text.split()]


def first_requests(host: str, port: int) -> list[tuple[str, str, bytes | None]]:
    """What a browser asks for first: the page, Dash's JSON, every script of the page, a callback."""
    with urllib.request.urlopen(f"http://{host}:{port}/", timeout=30) as r:
        html = r.read().decode()
    scripts = re.findall(r'<script src="([^"]+)"', html)
    # the router's callback as the served app declares it (its outputs change with the page shell)
    with urllib.request.urlopen(f"http://{host}:{port}/_dash-dependencies", timeout=30) as r:
        deps = json.loads(r.read())
    dep = next(d for d in deps if [(i["id"], i["property"]) for i in d["inputs"]] == [("url", "pathname")])
    parts = dep["output"][2:-2].split("...") if dep["output"].startswith("..") else [dep["output"]]
    route = {
        "output": dep["output"],
        "outputs": [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts],
        "inputs": [{"id": "url", "property": "pathname", "value": "/explore"}],
        "state": [{"id": "url", "property": "search", "value": ""}],
        "changedPropIds": ["url.pathname"],
    }
    reqs = [("GET", p, None) for p in ["/", "/_dash-layout", "/_dash-dependencies", *scripts]]
    return [*reqs, ("POST", load.URL, json.dumps(route).encode())]


def one(host: str, port: int, req) -> str | None:
    method, path, data = req
    try:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        conn.request(method, path, data, load.HEADERS)
        r = conn.getresponse()
        r.read()
        conn.close()
        return None if r.status == 200 else f"{r.status} {path}"
    except (OSError, http.client.HTTPException) as exc:
        return f"{type(exc).__name__} {path}"


def restarts(n: int, parallel: int) -> dict:
    with serve() as (host, port, _):
        reqs = first_requests(host, port)
    failures: list[str] = []
    times = []
    for _ in range(n):
        t = time.monotonic()
        with serve() as (host, port, _), ThreadPoolExecutor(parallel) as pool:
            batch = [reqs[i % len(reqs)] for i in range(parallel)]
            failures += [f for f in pool.map(lambda r: one(host, port, r), batch) if f]
        times.append(time.monotonic() - t)
    return {
        "restarts": n,
        "parallel_first_requests": parallel,
        "requests": n * parallel,
        "failures": len(failures),
        "failure_examples": sorted(set(failures))[:5],
        "slowest_restart_s": round(max(times), 1),
    }


def kill_worker(seconds: float, clients: int) -> dict:
    with serve() as (host, port, master):
        deadline = time.monotonic() + 60
        while len(workers_of(master.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        before = workers_of(master.pid)
        result: dict = {}
        t = threading.Thread(target=lambda: result.update(load.run(host, port, seconds, clients)))
        t.start()
        time.sleep(seconds / 3)
        victim = before[0]
        os.kill(victim, signal.SIGKILL)
        t.join(seconds + 120)
        after = workers_of(master.pid)
    return {
        "kill_load_seconds": seconds,
        "kill_clients": clients,
        "killed_worker": victim,
        "workers_before": len(before),
        "workers_after": len(after),
        "replacement_started": victim not in after and len(after) == len(before),
        "kill_requests": result.get("requests"),
        "kill_failed_requests": result.get("errors"),
        "kill_failure_examples": result.get("error_examples"),
        "kill_retried_after_reset": result.get("retried_after_reset"),
        "kill_requests_per_s": result.get("requests_per_s"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--restarts", type=int, default=10)
    ap.add_argument("--parallel", type=int, default=40)
    ap.add_argument("--kill-seconds", type=float, default=15.0)
    ap.add_argument("--kill-clients", type=int, default=20)
    args = ap.parse_args(argv)
    if not (0 < args.restarts <= 50 and 0 < args.parallel <= 200 and 0 < args.kill_seconds <= 600):
        ap.error("out of bounds: --restarts <= 50, --parallel <= 200, --kill-seconds <= 600")
    result = restarts(args.restarts, args.parallel) | kill_worker(args.kill_seconds, args.kill_clients)
    for k, v in result.items():
        print(f"{k:>26}: {v}")
    print(json.dumps(result))
    return 1 if result["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
