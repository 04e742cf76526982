"""Revisions and withdrawals in an import.

A row that restates a figure already published (same indicator, period, period type, country, measure, unit
**and document**) with another value is a revision: refused unless the import says ``--revise`` and the row
gives a ``reason``; then the new statement is appended and the old one ends (kept as history, never
overwritten). A row with ``action`` = ``withdraw`` withdraws the figure it names (with a ``reason``); a figure
that is not published now cannot be withdrawn. Nothing is ever deleted from observations.csv.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.pipeline.build import LINE
from dashboard.pipeline.columns import IMPORT_EXTRA
from dashboard.pipeline.problems import Problem
from dashboard.pipeline.validation import valid_number
from dashboard.schema import FIGURE_KEY

ACTION, REASON = IMPORT_EXTRA  # optional columns of an import's observations
ADD_ACTIONS = ("", "add")
WITHDRAW_ACTION = "withdraw"
FIGURE_DOC = (*FIGURE_KEY, "document")


@dataclass(frozen=True)
class Revision:
    """An import row that revises a figure: the csv rows it replaces (with their values)."""

    file_row: int
    row: dict[str, str]  # the new statement (appended to observations.csv)
    old_rows: tuple[int, ...]  # observations.csv data rows it replaces
    old_values: tuple[str, ...]
    reason: str


@dataclass(frozen=True)
class Withdrawal:
    file_row: int
    old_rows: tuple[int, ...]  # observations.csv data rows withdrawn
    old_values: tuple[str, ...]
    reason: str
    figure: str


def figure_doc(r: dict[str, str]) -> tuple:
    return tuple(r.get(k, "").strip() for k in FIGURE_DOC)


def describe(r: dict[str, str]) -> str:
    """'trp_issued 2025-Q3 (quarter) TOT count permits, document "…"'."""
    return (
        f"{r.get('indicator')} {r.get('period')} ({r.get('period_type')}) {r.get('country_iso3')} "
        f"{r.get('measure')} {r.get('unit')}, document {r.get('document')!r}"
    )


def active_by_figure(rows: list[dict[str, str]], ended: set[int]) -> dict[tuple, list[int]]:
    """figure + document -> the observations.csv data rows (1-based) published now."""
    out: dict[tuple, list[int]] = {}
    for n, r in enumerate(rows, start=1):
        if n not in ended:
            out.setdefault(figure_doc(r), []).append(n)
    return out


def split_actions(
    rows: list[dict[str, str]],
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[Problem]]:
    """The rows to add (or revise), the withdrawals, and rows with an unknown action."""
    adds, withdraws, problems = [], [], []
    for r in rows:
        action = r.get(ACTION, "").strip().lower()
        if action in ADD_ACTIONS:
            adds.append(r)
        elif action == WITHDRAW_ACTION:
            withdraws.append(r)
        else:
            problems.append(
                Problem(int(r[LINE]), ACTION, repr(r.get(ACTION)), "empty (add the figure) or 'withdraw'")
            )
    return adds, withdraws, problems


def find_revisions(
    added: list[dict[str, str]],
    existing: list[dict[str, str]],
    active: dict[tuple, list[int]],
    revise: bool,
) -> tuple[list[Revision], list[Problem]]:
    """Added rows that restate a published figure with another value: revisions when allowed, else
    problems naming the row, its value and the published one."""
    revisions, problems = [], []
    for r in added:
        olds = active.get(figure_doc(r), [])
        new = valid_number(r)
        if not olds or new is None or any(valid_number(existing[n - 1]) == new for n in olds):
            continue
        n_file = int(r[LINE])
        values = tuple(existing[n - 1]["value"] for n in olds)
        shown = " and ".join(f"{v} (observations.csv row {n})" for n, v in zip(olds, values, strict=True))
        if not revise:
            problems.append(
                Problem(
                    n_file,
                    "value",
                    f"{r['value']!r} for a figure already published as {shown}: {describe(r)}",
                    "the published value; to correct it: `mtm import --revise`, why in a 'reason' column",
                )
            )
        elif not r.get(REASON, "").strip():
            problems.append(
                Problem(
                    n_file,
                    REASON,
                    f"{r.get(REASON, '')!r} (this row revises {shown})",
                    "why the figure is revised, e.g. 'corrected by the ministry on 2026-12-01'",
                )
            )
        else:
            revisions.append(Revision(n_file, r, tuple(olds), values, r[REASON].strip()))
    return revisions, problems


def find_withdrawals(
    withdraws: list[dict[str, str]], existing: list[dict[str, str]], active: dict[tuple, list[int]]
) -> tuple[list[Withdrawal], list[Problem]]:
    """The published figures the withdrawal rows name (with their value when one is given)."""
    out, problems = [], []
    seen: set[tuple] = set()
    for r in withdraws:
        n_file = int(r[LINE])
        wanted = valid_number(r) if r.get("value", "").strip() else None
        olds = [
            n
            for n in active.get(figure_doc(r), [])
            if wanted is None or valid_number(existing[n - 1]) == wanted
        ]
        if not olds:
            value = f" with value {r['value']!r}" if wanted is not None else ""
            problems.append(
                Problem(
                    n_file,
                    ACTION,
                    f"'withdraw' of {describe(r)}{value}, which is not published now",
                    "a figure in the data: the same indicator, period, period_type, country_iso3, measure, "
                    "unit and document as a current figure",
                )
            )
            continue
        if not r.get(REASON, "").strip():
            problems.append(
                Problem(n_file, REASON, repr(r.get(REASON, "")), "why the figure is withdrawn (a reason)")
            )
            continue
        if figure_doc(r) in seen:
            continue
        seen.add(figure_doc(r))
        values = tuple(existing[n - 1]["value"] for n in olds)
        out.append(Withdrawal(n_file, tuple(olds), values, r[REASON].strip(), describe(r)))
    return out, problems
