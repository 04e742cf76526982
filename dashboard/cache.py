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


_shared: SharedCache | None = None
_shared_lock = threading.Lock()


def shared() -> SharedCache:
    """This process's shared cache, configured from ``REDIS_URL`` on first use."""
    global _shared
    if _shared is None:
        with _shared_lock:
            if _shared is None:
                _shared = SharedCache(os.environ.get("REDIS_URL"))
    return _shared


def configure(url: str | None = None, **options) -> SharedCache:
    """Replace this process's shared cache (tests; ``url=None`` with no options re-reads ``REDIS_URL``)."""
    global _shared
    with _shared_lock:
        _shared = SharedCache(url, **options) if url or options else None
    return shared()
