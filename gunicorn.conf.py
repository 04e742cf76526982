"""gunicorn settings for `make run` (override with GUNICORN_CMD_ARGS or env vars)."""

import os

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
# A per-instance control socket: gunicorn 27's default path is shared by every instance on the machine.
control_socket_disable = True
