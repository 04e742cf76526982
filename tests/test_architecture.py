"""The web app never loads the data pipeline's write side (``dashboard.pipeline``: build, import, publish).

What the app reads it reads through read-side modules outside the pipeline (``dashboard.data`` for the tables,
``dashboard.history`` for the import history). Each check imports the web entry in a fresh interpreter
(``python -c``), so modules imported earlier by this test session cannot leak into the answer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterable

import pytest

from tests.fixtures_data import ROOT

PIPELINE = "dashboard.pipeline"

# What a serving worker loads: the gunicorn entry (which calls create_app and registers every callback), every
# layout and callback module, and the panel builders (imported lazily by the start-up warm-up, off here).
WEB_ENTRIES = ("app", "dashboard.app_factory", "dashboard.panels", "callbacks", "layouts")


def pipeline_modules(modules: Iterable[str]) -> list[str]:
    """The modules of ``modules`` that belong to the data pipeline (the package itself included)."""
    return sorted(m for m in modules if m == PIPELINE or m.startswith(PIPELINE + "."))


def _loaded_after_importing(entries: Iterable[str]) -> list[str]:
    """``sys.modules`` of a fresh interpreter after importing ``entries`` (packages: with every module)."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"for name in {list(entries)!r}:\n"
        "    module = importlib.import_module(name)\n"
        "    for info in pkgutil.iter_modules(getattr(module, '__path__', [])):\n"
        "        importlib.import_module(f'{name}.{info.name}')\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATA_URL", "MTM_DATA_DIR", "REDIS_URL")}
    env["MTM_WARM"] = "0"  # the warm-up only draws panels; dashboard.panels is imported above anyway
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_web_app_loads_no_pipeline_module():
    loaded = _loaded_after_importing(WEB_ENTRIES)
    assert "app" in loaded and "callbacks.router" in loaded and "dashboard.history" in loaded
    assert pipeline_modules(loaded) == [], "the web app imports the data pipeline's write side"


@pytest.mark.parametrize(
    ("modules", "violations"),
    [
        (["app", "dashboard.data", "dashboard.history"], []),
        (["app", "dashboard.pipeline"], ["dashboard.pipeline"]),
        (
            ["dashboard.pipeline.importer", "dashboard.pipeline.build", "app"],
            ["dashboard.pipeline.build", "dashboard.pipeline.importer"],
        ),
        (["dashboard.pipelines", "dashboard.pipeline_notes"], []),  # a name that only starts alike
    ],
)
def test_the_check_reports_pipeline_modules(modules, violations):
    assert pipeline_modules(modules) == violations


def test_the_check_fails_when_the_app_side_imports_the_pipeline():
    """The same subprocess check catches a violation: here a web-side import pulls in the importer."""
    loaded = _loaded_after_importing(["dashboard.history", "dashboard.pipeline.importer"])
    assert "dashboard.pipeline.importer" in pipeline_modules(loaded)
    assert "dashboard.pipeline.build" in pipeline_modules(loaded)  # and what it needs
