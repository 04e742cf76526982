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
# Request line and headers bounded (bodies are capped by the app: MTM_MAX_BODY_BYTES, default 64 KB).
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
# Trust X-Forwarded-* only from the reverse proxy (comma-separated IPs; default: a proxy on this machine).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
# A per-instance control socket: gunicorn 27's default path is shared by every instance on the machine.
control_socket_disable = True
