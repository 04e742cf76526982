"""Figure builders (moved from dashboard/figures.py; split into one module per chart kind next)."""

from dashboard.figures.common import *  # noqa: F403
from dashboard.figures.common import _provenance  # noqa: F401
