"""Entry point: `gunicorn app:server` (see gunicorn.conf.py). Never runs Dash's debug server."""

import sys

from dashboard.app_factory import create_app
from dashboard.data import DataUnavailable

try:
    app = create_app()
except DataUnavailable as exc:
    print(f"MTM Dashboard cannot start: {exc}", file=sys.stderr)
    sys.exit(3)  # gunicorn stops on a worker boot error instead of restarting it forever
server = app.server
