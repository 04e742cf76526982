"""The shared panel cache against a real redis-server (Debian's; `make redis` installs it): panels drawn by
one instance are served to another, keys carry the data version, and a dead Redis never stops the app."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest
import redis.connection

from dashboard import cache, panels
from dashboard.app_factory import create_app
from dashboard.data import DataStore
from dashboard.serve import free_port
from dashboard.state import parse_query
from tests.fixtures_data import PARQUET_DIR

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(
    shutil.which(REDIS_SERVER) is None,
    reason="redis-server is not installed and could not be (`make redis` installs it; needs root + apt)",
)
RETRY_S = 0.3  # the cache's cool-down in these tests (10 s in service)


class RedisServer:
    """A throwaway redis-server on a loopback port, nothing written to disk; stop() and start() again."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        self.proc = subprocess.Popen(
            [REDIS_SERVER, *args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.02)
        self.stop()
        pytest.fail(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=5)
            self.proc = None


@pytest.fixture
def redis_server():
    server = RedisServer(free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def shared(redis_server):
    yield cache.configure(redis_server.url, retry_after=RETRY_S)
    cache.configure()  # back to REDIS_URL of the environment (unset: in-process)


class FakeClock:
    """The cache's time.monotonic(): the cool-down passes when a test says so, not after a sleep."""

    def __init__(self):
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(cache, "time", fake)  # the cache module's clock only, not redis-py's or the tests'
    return fake


@pytest.fixture
def redis_calls(monkeypatch):
    """Every command the cache sent to Redis, by name (a refused connection counts: it was tried)."""
    sent: list[str] = []
    execute = redis.Redis.execute_command

    def counted(self, *args, **options):
        sent.append(str(args[0]))
        return execute(self, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


@pytest.fixture
def built(monkeypatch):
    """Counts the panel builders' calls, per chart."""
    calls: dict[str, int] = {}
    for chart, builder in dict(panels.BUILDERS).items():

        def counted(store, s, chart=chart, builder=builder):
            calls[chart] = calls.get(chart, 0) + 1
            return builder(store, s)

        monkeypatch.setitem(panels.BUILDERS, chart, counted)
    return calls


def instance() -> DataStore:
    """What another worker or machine has: its own store (and memo) loaded from the same data."""
    return DataStore.load(PARQUET_DIR)


def test_a_panel_drawn_by_one_instance_is_served_to_another(shared, built, redis_server):
    first, second = instance(), instance()
    state = parse_query("?indicator=trp_issued", first)
    drawn = panels.drawn(first, "map", state)
    assert built == {"map": 1}
    cache.configure(redis_server.url, retry_after=RETRY_S)  # a fresh client, as in another process
    again = panels.drawn(second, "map", state)
    assert built == {"map": 1}, "the second instance rebuilt a panel Redis had"
    assert again == drawn
    key = cache.panel_key(first.version, "map", state.to_query())
    assert key.startswith(f"mtm:{first.version}:map:")


def test_the_key_carries_the_data_version(shared, built):
    store = instance()
    state = parse_query("?indicator=trp_issued", store)
    panels.drawn(store, "donut", state)
    other = DataStore(store.observations, store.sources, version="another-version")
    panels.drawn(other, "donut", state)
    assert built == {"donut": 2}, "a new data version was served a figure of the previous one"


def test_a_long_state_is_hashed_but_keeps_its_version():
    key = cache.panel_key("abc123", "series", "?" + "countries=UZB,RUS&" * 40)
    assert key.startswith("mtm:abc123:series:sha256:") and len(key) < 120


def test_redis_down_then_back(shared, built, redis_server, monkeypatch, clock, redis_calls):
    monkeypatch.setenv("MTM_WARM", "0")

    client = create_app().server.test_client()
    assert client.get("/healthz").get_json()["cache"] == cache.OK

    redis_server.stop()
    store = instance()
    state = parse_query("?indicator=trp_issued", store)
    redis_calls.clear()
    assert panels.drawn(store, "series", state).figure["data"]  # computed without the shared cache
    r = client.get("/healthz")
    assert r.status_code == 200 and r.get_json()["status"] == "ok"
    assert r.get_json()["cache"] == cache.DOWN
    # a dead Redis costs one failed command; the panel's SET and the health PING skip it while it cools down
    assert redis_calls == ["GET"], "a dead Redis was asked again during its cool-down"

    redis_server.start()  # an empty Redis on the same port
    assert client.get("/healthz").get_json()["cache"] == cache.DOWN  # still cooling down: not tried yet
    assert redis_calls == ["GET"]
    clock.advance(RETRY_S)
    assert client.get("/healthz").get_json()["cache"] == cache.OK
    built.clear()
    panels.drawn(instance(), "series", state)  # stored in the restarted Redis
    panels.drawn(instance(), "series", state)  # served from it
    assert built == {"series": 1}, "hits did not resume after Redis returned"


def test_without_redis_url_the_cache_is_in_process(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    c = cache.configure()
    assert not c.enabled and c.status() == cache.LOCAL and c.get("x") is None


def test_an_unreachable_redis_answers_at_once_and_is_skipped_while_cooling_down(clock, monkeypatch):
    # "at once": one connection attempt, bounded by the short timeouts, no client-side retry; then none at
    # all until the cool-down has passed (counted, not timed: the machine may be busy)
    attempts: list[tuple[float, float]] = []
    connect = redis.connection.Connection._connect

    def counted(self):
        attempts.append((self.socket_connect_timeout, self.socket_timeout))
        return connect(self)

    monkeypatch.setattr(redis.connection.Connection, "_connect", counted)
    assert cache.TIMEOUT_S <= 0.5, "a dead Redis would hold each request this long"
    once = [(cache.TIMEOUT_S, cache.TIMEOUT_S)]
    c = cache.SharedCache(f"redis://127.0.0.1:{free_port()}/0", retry_after=60)
    assert c.get("x") is None and c.status() == cache.DOWN
    c.set("x", b"1")
    assert attempts == once, "an unreachable Redis was tried more than once"
    clock.advance(59)
    assert c.get("x") is None and attempts == once, "tried again while cooling down"
    clock.advance(1)  # the cool-down is over: the next call tries Redis again
    assert c.get("x") is None and attempts == once * 2


# -- without Redis: the workers of one server share drawn panels through that server's directory ----------
def test_server_files_round_trip_and_survive_a_bad_directory(tmp_path):
    files = cache.ServerFiles(str(tmp_path))
    assert files.enabled and files.get("k") is None
    files.set("k", b"value")
    assert files.get("k") == b"value"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # written aside, then renamed
    gone = cache.ServerFiles(str(tmp_path / "missing"))
    gone.set("k", b"value")  # cannot write: logged, no exception
    assert gone.get("k") is None


def test_server_files_stay_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "MAX_FILES", 10)
    files = cache.ServerFiles(str(tmp_path))
    for i in range(500):  # the 500th write prunes
        files.set(f"k{i}", b"x")
    assert len(list(tmp_path.iterdir())) <= 10


@pytest.mark.parametrize(
    ("redis_url", "with_dir", "kind"),
    [
        (None, True, "ServerFiles"),
        (None, False, "SharedCache"),
        ("redis://127.0.0.1:1/0", True, "SharedCache"),
    ],
)
def test_the_second_level_is_redis_else_the_servers_files_else_none(
    tmp_path, monkeypatch, redis_url, with_dir, kind
):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv(cache.SERVER_DIR_ENV, raising=False)
    if redis_url:
        monkeypatch.setenv("REDIS_URL", redis_url)
    if with_dir:
        monkeypatch.setenv(cache.SERVER_DIR_ENV, str(tmp_path))
    monkeypatch.setattr(cache, "_shared", None)
    try:
        assert type(cache.shared()).__name__ == kind
    finally:
        monkeypatch.setattr(cache, "_shared", None)
