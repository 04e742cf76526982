"""Helpers for browser tests: serve the app with gunicorn, drive Debian's Chromium with Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

# one list of browser flags for the product (mtm briefing) and the tests; re-exported for the tests
from dashboard.pdf import CHROMIUM as CHROMIUM
from dashboard.pdf import CHROMIUM_ARGS as CHROMIUM_ARGS
from dashboard.pdf import LOCAL_HOSTS

ROOT = Path(__file__).resolve().parent.parent


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
def gunicorn(workers: int = 2, env: dict | None = None, wait_health: bool = True):
    """Serve app:server with the repo's gunicorn.conf.py on a free loopback port; yields the base URL."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        "gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "app:server",
    ]
    proc_env = {
        **os.environ,
        "ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "warning",
        "MTM_WARM": "1",
        **(env or {}),
    }
    proc = subprocess.Popen(cmd, cwd=ROOT, env=proc_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_port(port)
        base = f"http://127.0.0.1:{port}"
        if wait_health:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=5) as r:
                        if r.status == 200:
                            break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class PageWatch:
    """What a page did that a test must check: console errors, page errors, requests that left 127.0.0.1."""

    console_errors: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)


def watch(page) -> PageWatch:
    w = PageWatch()
    page.on("console", lambda m: w.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.console_errors.append(str(e)))
    page.on("requestfailed", lambda r: w.failed_requests.append(r.url))

    def guard(route):
        url = route.request.url
        host = urlparse(url).hostname
        if url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            w.external_requests.append(url)
            route.abort()

    page.route("**/*", guard)
    return w
