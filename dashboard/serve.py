"""Serve the dashboard with gunicorn on a free loopback port, for the tools that need a live server:
`mtm briefing` (PDF), the browser tests, the benchmark, the load and fault scripts.

One place for the command line, the environment, the wait for a healthy answer and the clean stop.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class ServeError(RuntimeError):
    """The server did not start (the message ends with the last lines of its log) or did not answer."""


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:<port>
    host: str
    port: int
    proc: subprocess.Popen  # the gunicorn master


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on port {port} after {timeout}s")


@contextmanager
def gunicorn(
    workers: int = 1, env: dict[str, str] | None = None, wait_health: bool = True, timeout: float = 60.0
) -> Iterator[Served]:
    """app:server under the repo's gunicorn.conf.py on a free 127.0.0.1 port, stopped on exit.

    ``wait_health``: wait for /healthz to answer 200 (else only for the port). Its output goes to a temporary
    file (a pipe nobody reads would block a chatty server), whose tail explains a failed start."""
    if not (ROOT / "app.py").exists():
        raise ServeError(f"{ROOT / 'app.py'} is missing: run this from a checkout of the dashboard.")
    port = free_port()
    cmd = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    if (ROOT / "gunicorn.conf.py").exists():
        cmd[3:3] = ["--config", "gunicorn.conf.py"]
    cmd.append("app:server")
    proc_env = {
        **os.environ,
        "ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "warning",
        "WEB_CONCURRENCY": str(workers),
        **(env or {}),
    }
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=proc_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait(base, port, proc, log, timeout, wait_health)
            yield Served(base, "127.0.0.1", port, proc)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait(base: str, port: int, proc: subprocess.Popen, log, timeout: float, health: bool) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            log.seek(0)
            tail = log.read().decode("utf-8", "replace").strip().splitlines()[-8:]
            raise ServeError("the dashboard did not start:\n  " + "\n  ".join(tail))
        if health:
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
        else:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
        if time.monotonic() > deadline:
            what = f"answer {base}/healthz" if health else f"listen on port {port}"
            raise ServeError(f"the dashboard did not {what} within {timeout:.0f}s")
        time.sleep(0.05)
