"""The shared panel cache: a second level behind each store's in-process memo, shared by every worker and
instance through Redis when ``REDIS_URL`` is set.

Keys carry the data version (``mtm:<version>:<chart>:<state query>``), so an import never serves a stale
figure: a new version simply misses. Without ``REDIS_URL`` there is no second level ("in-process": each
worker's memo is the only cache).

Redis is an optimisation, never a dependency of a request: short socket timeouts, no client-side retries, and
on any error the cache logs once, marks itself unavailable and is skipped until a cool-down has passed; the
first call after it tries Redis again, so the cache recovers by itself when Redis returns. ``/healthz``
reports ``status()``.

redis-py is used directly rather than flask-caching: the cache is read outside a Flask app context (the
start-up warm-up), flask-caching's Redis backend pickles values and would still need this error handling
and cool-down around it, and it would add two packages (flask-caching, cachelib) for one GET and one SET.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time

log = logging.getLogger(__name__)

PREFIX = "mtm"
TIMEOUT_S = 0.2  # connect and read: a dead or hung Redis costs a request at most this, then is skipped
RETRY_AFTER_S = 10.0  # cool-down before trying an unavailable Redis again
TTL_S = 7 * 24 * 3600  # old data versions age out even without an eviction policy on the server
MAX_KEY = 200  # longer keys keep the version in clear and hash the state

OK = "redis ok"
DOWN = "redis unavailable (serving without shared cache)"
LOCAL = "in-process"


def panel_key(version: str, chart: str, query: str) -> str:
    raw = f"{PREFIX}:{version}:{chart}:{query}"
    if len(raw) <= MAX_KEY:
        return raw
    return f"{PREFIX}:{version}:{chart}:sha256:{hashlib.sha256(query.encode()).hexdigest()}"


class SharedCache:
    """Redis-backed bytes cache that never raises and never makes a request wait more than ``timeout``."""

    def __init__(
        self,
        url: str | None,
        *,
        timeout: float = TIMEOUT_S,
        retry_after: float = RETRY_AFTER_S,
        ttl: int = TTL_S,
    ):
        self.url = url or None
        self.retry_after = retry_after
        self.ttl = ttl
        self._lock = threading.Lock()
        self._healthy = True
        self._down_until = 0.0  # time.monotonic() after which an unavailable Redis is tried again
        self._client = None
        self._where = ""
        if self.url is None:
            return
        # only with REDIS_URL set: a single-worker deployment never loads the redis client
        import redis  # noqa: PLC0415
        from redis.backoff import NoBackoff  # noqa: PLC0415
        from redis.retry import Retry  # noqa: PLC0415

        try:
            self._client = redis.Redis.from_url(
                self.url,
                socket_timeout=timeout,
                socket_connect_timeout=timeout,
                retry=Retry(NoBackoff(), 0),
                health_check_interval=0,
            )
        except ValueError as exc:  # a malformed REDIS_URL: keep serving, say so in /healthz
            log.error("shared cache: REDIS_URL is not a valid Redis URL (%s); serving without it", exc)
            self._healthy = False
            return
        kw = self._client.connection_pool.connection_kwargs
        self._where = kw.get("path") or f"{kw.get('host')}:{kw.get('port')}"  # never the password

    @property
    def enabled(self) -> bool:
        """True when Redis is configured (whether or not it is reachable right now)."""
        return self._client is not None

    def _usable(self) -> bool:
        return self._client is not None and (self._healthy or time.monotonic() >= self._down_until)

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            if self._healthy:
                log.warning(
                    "shared cache: Redis at %s unavailable (%s); serving without it, retrying every %gs",
                    self._where,
                    exc,
                    self.retry_after,
                )
            self._healthy = False
            self._down_until = time.monotonic() + self.retry_after

    def _worked(self) -> None:
        if not self._healthy:
            with self._lock:
                if not self._healthy:
                    log.warning("shared cache: Redis at %s is back", self._where)
                    self._healthy = True

    def _call(self, op, *args, **kwargs):
        if not self._usable():
            return None
        from redis.exceptions import RedisError  # noqa: PLC0415  (loaded with the client above, REDIS_URL only)

        try:
            result = getattr(self._client, op)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            self._failed(exc)
            return None
        self._worked()
        return result

    def get(self, key: str) -> bytes | None:
        return self._call("get", key)

    def set(self, key: str, value: bytes) -> None:
        self._call("set", key, value, ex=self.ttl)

    def status(self) -> str:
        """For /healthz: pings Redis unless it is cooling down after an error."""
        if self.url is None:
            return LOCAL
        return OK if self._call("ping") else DOWN


SERVER_FILES = "drawn panels shared by this server's workers (no REDIS_URL)"
SERVER_DIR_ENV = "MTM_SERVER_CACHE_DIR"  # set by gunicorn.conf.py for one server run (its workers share it)
MAX_FILES = 20_000  # ~10 KB each: past this (checked every 500 writes) the oldest go, down to half of it


class ServerFiles:
    """Without Redis, the workers of one gunicorn server share drawn panels through files in a directory
    made for that server run (gunicorn.conf.py makes it at start and removes it at exit, so a restart with new
    code never serves old figures). A view drawn by one worker is then read, not drawn again, by the others.
    Writes are atomic (temp file + rename); any error only costs a rebuild."""

    def __init__(self, directory: str):
        self.directory = directory
        self._sets = 0

    enabled = True

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, hashlib.sha256(key.encode()).hexdigest())

    def get(self, key: str) -> bytes | None:
        try:
            with open(self._path(key), "rb") as fh:
                return fh.read()
        except OSError:
            return None

    def set(self, key: str, value: bytes) -> None:
        path = self._path(key)
        tmp = f"{path}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(tmp, "wb") as fh:
                fh.write(value)
            os.replace(tmp, path)
        except OSError as exc:
            log.warning("server panel cache: cannot write in %s (%s)", self.directory, exc)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return
        self._sets += 1
        if self._sets % 500 == 0:
            self._prune()

    def _prune(self) -> None:
        """Keep the directory bounded: past MAX_FILES entries, the oldest go, down to half of MAX_FILES."""
        try:
            entries = sorted(os.scandir(self.directory), key=lambda e: e.stat().st_mtime)
        except OSError:
            return
        if len(entries) > MAX_FILES:
            for e in entries[: len(entries) - MAX_FILES // 2]:
                with contextlib.suppress(OSError):
                    os.unlink(e.path)

    def status(self) -> str:
        return SERVER_FILES


_shared: SharedCache | ServerFiles | None = None
_shared_lock = threading.Lock()


def shared() -> SharedCache | ServerFiles:
    """This process's second-level cache, configured on first use: Redis when ``REDIS_URL`` is set, else the
    files of this server run when gunicorn made their directory, else none (each worker's memo alone)."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                url, directory = os.environ.get("REDIS_URL"), os.environ.get(SERVER_DIR_ENV)
                _shared = (
                    ServerFiles(directory)
                    if not url and directory and os.path.isdir(directory)
                    else SharedCache(url)
                )
    return _shared


def configure(url: str | None = None, **options) -> SharedCache | ServerFiles:
    """Replace this process's shared cache (tests; ``url=None`` with no options re-reads ``REDIS_URL``)."""
    global _shared
    with _shared_lock:
        _shared = SharedCache(url, **options) if url or options else None
    return shared()
