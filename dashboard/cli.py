"""The `mtm` command: build the Parquet tables from the cited source CSV, and check them."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from dashboard.build import PARQUET_DIR, SOURCE_CSV, BuildError, build_tables, write_tables


def _build(args: argparse.Namespace) -> int:
    t0 = time.perf_counter()
    print(f"reading {args.csv}", flush=True)
    try:
        tables = build_tables(Path(args.csv))
    except BuildError as exc:
        print(f"error: {args.csv} is not valid; nothing was written.", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    write_tables(tables, Path(args.out))
    for name, t in tables.items():
        print(f"  {name:12s} {t.num_rows:6d} rows")
    print(f"wrote {len(tables)} tables to {args.out} in {time.perf_counter() - t0:.2f}s")
    return 0


def _check(args: argparse.Namespace) -> int:
    from dashboard.data import DataStore, DataUnavailable

    try:
        DataStore.load(Path(args.out))
    except DataUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out}: all tables present and matching the manifest")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mtm", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="validate the source CSV and (re)write the Parquet tables atomically")
    b.add_argument("--csv", default=str(SOURCE_CSV))
    b.add_argument("--out", default=str(PARQUET_DIR))
    b.set_defaults(func=_build)
    c = sub.add_parser("check", help="check that the Parquet tables are present and intact")
    c.add_argument("--out", default=str(PARQUET_DIR))
    c.set_defaults(func=_check)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
