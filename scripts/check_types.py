"""mypy with a baseline: fails on any error not listed in mypy-baseline.txt, so no new one gets in.

    .venv/bin/python scripts/check_types.py            # make lint / make test
    .venv/bin/python scripts/check_types.py --write    # rewrite the baseline from today's errors

mypy's settings are in pyproject.toml ([tool.mypy]). An error is matched on its file and message (not its
line number, which moves with every edit above it), as many times as it is listed. Errors that are listed
but no longer reported are printed with "baseline can shrink": delete those lines (the check still passes).
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
_ERROR = re.compile(r"^(?P<path>[^:\s]+\.py):(?P<line>\d+): error: (?P<message>.+)$")

HEADER = """\
# Known mypy errors, each to be fixed (scripts/check_types.py: no error outside this list gets in).
# One a line, "path: message [code]" (no line number); a "#" line is a comment. It only ever shrinks.
"""


def run_mypy() -> tuple[list[tuple[str, str]], str]:
    """(error key, error line with its number) for every error of one mypy run, and mypy's whole output."""
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-error-summary", "--no-pretty", "--show-error-codes"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode not in (0, 1):  # 2: mypy itself failed (bad settings, crash): nothing was checked
        raise SystemExit(f"mypy did not run (exit {done.returncode}):\n{done.stdout}{done.stderr}")
    errors = []
    for line in done.stdout.splitlines():
        m = _ERROR.match(line)
        if m:
            errors.append((f"{m['path']}: {m['message']}", line))
    return errors, done.stdout


def read_baseline(path: Path = BASELINE) -> Counter[str]:
    if not path.exists():
        return Counter()
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return Counter(line for line in lines if line and not line.startswith("#"))


def compare(current: list[tuple[str, str]], baseline: Counter[str]) -> tuple[list[str], list[str]]:
    """(errors not in the baseline, as mypy printed them; baseline lines no longer reported)."""
    allowed = Counter(baseline)
    new = []
    for key, line in current:
        if allowed[key] > 0:
            allowed[key] -= 1
        else:
            new.append(line)
    return new, sorted(allowed.elements())


def main(argv: list[str]) -> int:
    current, _output = run_mypy()
    if "--write" in argv:
        BASELINE.write_text(HEADER + "".join(f"{key}\n" for key, _line in sorted(current)), encoding="utf-8")
        print(f"{BASELINE.name}: {len(current)} error(s)")
        return 0
    new, fixed = compare(current, read_baseline())
    if fixed:
        print(f"baseline can shrink: {len(fixed)} error(s) fixed; delete them from {BASELINE.name}:")
        print("".join(f"  {key}\n" for key in fixed), end="")
    if new:
        print(f"mypy: {len(new)} error(s) not in {BASELINE.name} (fix them; the baseline only shrinks):")
        print("".join(f"  {line}\n" for line in new), end="")
        return 1
    print(f"mypy: no new errors ({len(current)} known, listed in {BASELINE.name})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
