"""The web app never loads the data pipeline's write side (``dashboard.pipeline``: build, import, publish).

What the app reads it reads through read-side modules outside the pipeline (``dashboard.data`` for the tables,
``dashboard.history`` for the import history). Each check imports the web entry in a fresh interpreter
(``python -c``), so modules imported earlier by this test session cannot leak into the answer.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable, Iterator
from pathlib import Path

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


# -- no import cycles --------------------------------------------------------------------------------------
# The import graph of the app's packages, from the source (stdlib ast): module-level imports only (a
# function-level import runs later, and says why it is there: ruff PLC0415), none under `if TYPE_CHECKING:`.
# ``from x import y`` depends on the module x.y when y is one, else on x.

PACKAGES = ("dashboard", "layouts", "callbacks")


def module_files(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Module name -> file, for every .py file of ``packages`` (a package is its ``__init__``)."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _module_level_imports(body: list[ast.stmt]) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If):
            if "TYPE_CHECKING" not in ast.unparse(node.test):
                yield from _module_level_imports(node.body)
            yield from _module_level_imports(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                yield from _module_level_imports(block)


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:  # relative: from the module's package, one level up per extra dot
        package = module.split(".") if is_package else module.split(".")[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([base] if base else [])])
    for alias in node.names:
        yield f"{base}.{alias.name}"  # kept when it is a module, else it falls back to base
    yield base


def import_graph(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports at module level."""
    files = module_files(root, packages)
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        deps: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _module_level_imports(tree.body):
            names = list(_imported(node, module, path.name == "__init__.py"))
            if isinstance(node, ast.ImportFrom):  # x.y if y is a module, else x itself
                submodules = [n for n in names[:-1] if n in files]
                names = submodules if len(submodules) == len(names) - 1 else [*submodules, names[-1]]
            deps.update(n for n in names if n in files and n != module)
        graph[module] = deps
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as [a, b, ..., a], or None (depth-first search, in name order for a stable answer)."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(module: str) -> list[str] | None:
        path.append(module)
        on_path.add(module)
        for dep in sorted(graph.get(module, ())):
            if dep in on_path:
                return [*path[path.index(dep) :], dep]
            if dep not in done and (cycle := visit(dep)):
                return cycle
        on_path.discard(path.pop())
        done.add(module)
        return None

    for module in sorted(graph):
        if module not in done and (cycle := visit(module)):
            return cycle
    return None


def test_the_app_packages_have_no_import_cycle():
    graph = import_graph(ROOT)
    assert {"dashboard.app_factory", "callbacks.router", "dashboard.figures.spans"} <= graph.keys()
    # `from dashboard import i18n` (a module) and `from dashboard.figures.common import …` (names)
    assert {"dashboard.i18n", "dashboard.figures.common"} <= graph["dashboard.figures.spans"]
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_cycle_check_finds_a_crafted_cycle(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg import b\n",  # b is a module: a depends on pkg.b
            "pkg/b.py": "import os\n\nif True:\n    import pkg.c\n",
            "pkg/c.py": "from .a import thing\n",  # relative, and thing is not a module: c depends on pkg.a
            "pkg/d.py": "def f():\n    from pkg import a\n",  # function-level: not an edge
        },
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.c"} and graph["pkg.c"] == {"pkg.a"}
    assert graph["pkg.d"] == set()
    assert find_cycle(graph) == ["pkg.a", "pkg.b", "pkg.c", "pkg.a"]


def test_the_cycle_check_ignores_function_level_and_type_checking_imports(tmp_path):
    _write(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import f\n",
            "pkg/b.py": """\
                from typing import TYPE_CHECKING

                if TYPE_CHECKING:
                    from pkg.a import A


                def f():
                    from pkg import a  # noqa: PLC0415
                """,
        },
    )
    graph = import_graph(tmp_path, ["pkg"])
    assert graph == {"pkg": set(), "pkg.a": {"pkg.b"}, "pkg.b": set()}
    assert find_cycle(graph) is None
    assert find_cycle({"x": {"y"}, "y": {"x"}}) == ["x", "y", "x"]
