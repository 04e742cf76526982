"""scripts/check_types.py: an error outside the mypy baseline fails; a fixed one says the list can shrink."""

from __future__ import annotations

import importlib.util
from collections import Counter

from tests.fixtures_data import ROOT

_spec = importlib.util.spec_from_file_location("check_types", ROOT / "scripts" / "check_types.py")
assert _spec is not None and _spec.loader is not None
check_types = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_types)

A = ("a.py: Bad thing  [arg-type]", "a.py:3: error: Bad thing  [arg-type]")
B = ("b.py: Other thing  [index]", "b.py:9: error: Other thing  [index]")


def test_known_errors_pass_and_new_ones_are_reported_with_their_line():
    assert check_types.compare([A], Counter([A[0]])) == ([], [])
    assert check_types.compare([A, B], Counter([A[0]])) == ([B[1]], [])


def test_an_error_counts_as_often_as_it_is_listed():
    assert check_types.compare([A, A], Counter([A[0]])) == ([A[1]], [])


def test_fixed_errors_are_what_the_baseline_can_lose():
    assert check_types.compare([], Counter([A[0], B[0]])) == ([], sorted([A[0], B[0]]))


def test_the_baseline_ignores_comments_and_blank_lines(tmp_path):
    path = tmp_path / "baseline.txt"
    path.write_text(f"# why\n\n{A[0]}\n{A[0]}\n", encoding="utf-8")
    assert check_types.read_baseline(path) == Counter({A[0]: 2})
