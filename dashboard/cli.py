"""The `mtm` command: build the Parquet tables from the cited source CSV, check them, and import new figures
(`mtm validate FILE`, `mtm import FILE`, `mtm history`; see docs/importing.md); render the quarterly briefing
(`mtm briefing --lang ru`) and explorer charts (`mtm chart --lang kk`) in English, Russian or Kazakh; publish
the tables to an S3 bucket for DATA_URL (`mtm publish s3://bucket/prefix`)."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

from dashboard.i18n import LANGUAGES
from dashboard.pipeline.build import PARQUET_DIR, SOURCE_CSV, BuildError, build_tables, write_tables


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


class _Progress:
    """A progress line on stderr for large files: rewritten in place on a terminal, one line per stage
    otherwise. Small files (no reading/validating report) print nothing."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.stage: str | None = None
        self.large = False

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if stage in ("reading", "validating"):
            self.large = True
            text = f"{stage}: {done:,}" + (f" of {total:,}" if total else "") + " rows"
        elif not self.large:
            return
        else:
            text = f"{stage}…"
        if self.tty:
            print("\r" + text.ljust(48), end="", file=self.stream, flush=True)
        elif stage != self.stage:
            print(text, file=self.stream, flush=True)
        self.stage = stage

    def done(self) -> None:
        if self.tty and self.stage:
            print("\r" + " " * 48 + "\r", end="", file=self.stream, flush=True)


def _rejected(exc) -> int:
    print(f"error: {exc.file} has {len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
    for p in exc.problems:
        print(f"  {p}", file=sys.stderr)
    for w in exc.warnings:
        print(f"  warning: {w}", file=sys.stderr)
    return 2


def _import(args: argparse.Namespace, dry_run: bool = False) -> int:
    from dashboard.pipeline.importer import (
        DataPaths,
        ImportBusy,
        ImportRejected,
        format_report,
        import_file,
        validate_file,
    )

    paths = DataPaths.under(args.data)
    run = validate_file if dry_run else import_file
    print(f"{'validating' if dry_run else 'importing'} {args.file}", flush=True)
    progress = _Progress()
    try:
        report = run(args.file, paths, documents=args.documents, progress=progress)
    except ImportRejected as exc:
        progress.done()
        return _rejected(exc)
    except ImportBusy as exc:
        progress.done()
        print(f"error: {exc}", file=sys.stderr)
        return 1
    progress.done()
    print(format_report(report, dry_run=dry_run))
    if dry_run:
        print(f"{args.file} is valid; nothing was written (run `mtm import {args.file}` to import it).")
    elif report.written:
        docs = f", {len(report.new_documents)} documents to documents.yaml" if report.new_documents else ""
        print(
            f"wrote {report.added} rows to {paths.csv}{docs}, and the tables in {paths.parquet}; "
            f"recorded in {paths.history}"
        )
    else:
        print(f"no figures changed; the import was recorded in {paths.history}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    return _import(args, dry_run=True)


def _history(args: argparse.Namespace) -> int:
    import json

    from dashboard.pipeline.importer import DataPaths, format_history, read_history

    records = read_history(DataPaths.under(args.data).history)
    if args.json:
        for r in records:
            print(json.dumps(r, ensure_ascii=False, sort_keys=True))
    else:
        print(format_history(records))
    return 0


def _publish(args: argparse.Namespace) -> int:
    """Upload data/parquet to the bucket that instances read with DATA_URL: files first, manifest last."""
    from dashboard.pipeline.publish import PublishError, publish

    t0 = time.perf_counter()
    print(f"publishing {args.data} to {args.url}", flush=True)
    try:
        version = publish(Path(args.data), args.url, say=lambda line: print(line, flush=True))
    except PublishError as exc:
        print(f"error: {exc}; the bucket's data set was not switched.", file=sys.stderr)
        return 2
    print(f"published data version {version} in {time.perf_counter() - t0:.2f}s")
    return 0


def view_with_lang(view: str, lang: str | None) -> str:
    """An explorer query string with ``lang=`` set (the chart's language); None leaves the view as given."""
    if not lang:
        return view
    pairs = [(k, v) for k, v in parse_qsl((view or "").lstrip("?"), keep_blank_values=True) if k != "lang"]
    return "?" + urlencode([*pairs, ("lang", lang)], safe=",")


def _chart(args: argparse.Namespace) -> int:
    from dashboard import render

    args.view = view_with_lang(args.view, args.lang)
    return render.run(args)


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
    from dashboard.pipeline.importer import DEFAULT_DATA_DIR

    data_help = "the data directory holding sources/, parquet/ and history.jsonl"
    docs_help = "for a CSV: a CSV/XLSX describing documents not yet in documents.yaml (see docs/importing.md)"
    for name, func, what in (
        (
            "validate",
            _validate,
            "check a CSV/XLSX of new figures and say what an import would change; writes nothing",
        ),
        (
            "import",
            _import,
            "validate a CSV/XLSX of new figures and add them: all or nothing, recorded in history",
        ),
    ):
        i = sub.add_parser(name, help=what)
        i.add_argument("file", help="a .csv or .xlsx with the columns of data/templates/observations.csv")
        i.add_argument("--documents", default=None, help=docs_help)
        i.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=data_help)
        i.set_defaults(func=func)
    h = sub.add_parser("history", help="list the recorded imports")
    h.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=data_help)
    h.add_argument("--json", action="store_true", help="one JSON record per line")
    h.set_defaults(func=_history)
    p = sub.add_parser(
        "publish", help="upload the Parquet tables to an S3 bucket for DATA_URL (files first, manifest last)"
    )
    p.add_argument("url", help="s3://bucket/prefix (endpoint: DATA_S3_ENDPOINT or AWS_ENDPOINT_URL)")
    p.add_argument("--data", default=str(PARQUET_DIR), help="the Parquet directory to upload")
    p.set_defaults(func=_publish)
    from dashboard import pdf

    br = sub.add_parser("briefing", help="render the quarterly briefing to an A4 PDF (headless Chromium)")
    pdf.add_arguments(br)
    br.set_defaults(func=pdf.run)
    from dashboard import render

    ch = sub.add_parser(
        "chart", help="render explorer charts as framed PNG/SVG images (kaleido, local Chromium)"
    )
    render.add_arguments(ch)
    with contextlib.suppress(argparse.ArgumentError):  # unless dashboard.render defines --lang itself
        ch.add_argument(
            "--lang",
            default=None,
            choices=LANGUAGES,
            help="language of the charts: en, ru or kk (default: the view's lang=, else English)",
        )
    ch.set_defaults(func=_chart)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
