"""gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS or env vars)."""

import os
import shutil
import tempfile

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 10
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
# Request line and headers bounded (bodies are capped by the app: MTM_MAX_BODY_BYTES, default 64 KB).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Trust X-Forwarded-* only from the reverse proxy (comma-separated IPs; default: a proxy on this machine).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# A per-instance control socket: gunicorn 27's default path is shared by every instance on the machine.
control_socket_disable = True


# Without Redis, the workers of this server share drawn panels through a directory made for this run
# (dashboard/cache.py ServerFiles): made before the workers start, removed when the server stops, so a restart
# (new code) starts empty. With REDIS_URL the shared cache is Redis and nothing is made here.
_CACHE_ENV = "MTM_SERVER_CACHE_DIR"


def on_starting(server):
    if not os.environ.get("REDIS_URL") and not os.environ.get(_CACHE_ENV):
        os.environ[_CACHE_ENV] = tempfile.mkdtemp(prefix="mtm-panels-")
        server.mtm_cache_dir = os.environ[_CACHE_ENV]


def on_exit(server):
    directory = getattr(server, "mtm_cache_dir", None)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
