"""The `mtm` command: build the Parquet tables from the cited source CSV, check them, and import new figures
(`mtm validate FILE`, `mtm import FILE [--revise]`, `mtm withdraw ROW --reason`, `mtm releases`,
`mtm diff R1 R2`, `mtm history`; see docs/importing.md); write the whole data set as a Frictionless Data
Package (`mtm package --out DIR`); serve the data to AI assistants (`mtm mcp`, an MCP server);
render the quarterly briefing
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
from dashboard.pipeline.build import PARQUET_DIR, SOURCE_CSV, BuildError


def _build(args: argparse.Namespace) -> int:
    from dashboard.pipeline.problems import ImportBusy
    from dashboard.pipeline.rebuild import rebuild
    from dashboard.releases import ReleaseRecordError

    t0 = time.perf_counter()
    print(f"reading {args.csv}", flush=True)
    try:
        tables, created = rebuild(Path(args.csv), Path(args.out), by=args.by)
    except BuildError as exc:
        print(f"error: {args.csv} is not valid; nothing was written.", file=sys.stderr)
        for p in exc.problems:
            print(f"  {p}", file=sys.stderr)
        return 2
    except ReleaseRecordError as exc:
        print(f"error: {exc}; nothing was written.", file=sys.stderr)
        return 2
    except ImportBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    if created:
        print(f"recorded release 1 ({created['note']}, rows 1-{created['rows'][1]}) in releases.jsonl")
    for name, t in tables.items():
        print(f"  {name:12s} {t.num_rows:6d} rows")
    print(f"wrote {len(tables)} tables to {args.out} in {time.perf_counter() - t0:.2f}s")
    return 0


def _check(args: argparse.Namespace) -> int:
    from dashboard.data import DataStore, DataUnavailable
    from dashboard.releases import ReleaseRecordError, verify_sources

    try:
        store = DataStore.load(Path(args.out))
        sources = Path(args.out).parent / "sources"
        if sources.is_dir():
            verify_sources(sources)
    except (DataUnavailable, ReleaseRecordError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{args.out}: all tables present and matching the manifest; release record intact "
        f"(release {store.latest_release})"
    )
    return 0


def _load_store(args: argparse.Namespace):
    from dashboard.data import DataStore, DataUnavailable

    try:
        return DataStore.load(Path(args.data) / "parquet")
    except DataUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _releases(args: argparse.Namespace) -> int:
    store = _load_store(args)
    if store is None:
        return 2
    print(f"{'release':>7s}  {'date (UTC)':16s}  {'added':>5s} {'revsd':>5s} {'wdrwn':>5s}  by / file / note")
    for r in store.releases():
        when = r.at.strftime("%Y-%m-%d %H:%M") if r.at else "(not recorded)"
        print(
            f"{r.number:7d}  {when:16s}  {r.added:5d} {r.revised:5d} {r.withdrawn:5d}  "
            f"{r.by or '?'} / {r.file} [{r.file_sha256[:12]}] / {r.note}"
        )
    return 0


DIFF_COLUMNS = (
    "release",
    "change",
    "indicator",
    "period",
    "period_type",
    "country_iso3",
    "measure",
    "unit",
    "document",
    "value",
    "previous_value",
    "reason",
    "source_id",
    "previous_source_id",
)


def _diff(args: argparse.Namespace) -> int:
    from dashboard.releases import UnknownRelease

    store = _load_store(args)
    if store is None:
        return 2
    try:
        changes = store.changes_between(args.first, args.second)
    except UnknownRelease as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.csv:
        sys.stdout.write(changes.select(DIFF_COLUMNS).write_csv())
        return 0
    lo, hi = sorted((args.first, args.second))
    print(f"changes after release {lo} up to release {hi}: {changes.height} figures")
    for c in changes.iter_rows(named=True):
        figure = (
            f"{c['indicator']} {c['period']} ({c['period_type']}) {c['country_iso3']} {c['measure']} "
            f"{c['unit']} [{c['document']}]"
        )
        if c["change"] == "added":
            what = f"added {c['value']:g}"
        elif c["change"] == "revised":
            what = f"revised {c['previous_value']:g} -> {c['value']:g}: {c['reason']}"
        else:
            what = f"withdrawn (was {c['previous_value']:g}): {c['reason']}"
        print(f"  release {c['release']}: {figure}: {what}")
    return 0


def _withdraw(args: argparse.Namespace) -> int:
    from dashboard.pipeline.importer import DataPaths, ImportBusy, ImportRejected, format_report, withdraw

    rows = []
    for text in args.rows:
        digits = text.removeprefix("obs-")
        if not digits.isdigit():
            print(f"error: {text!r} is not a row of observations.csv (e.g. 12 or obs-00012)", file=sys.stderr)
            return 2
        rows.append(int(digits))
    paths = DataPaths.under(args.data)
    try:
        report = withdraw(rows, args.reason, paths, by=args.by, note=args.note)
    except ImportRejected as exc:
        return _rejected(exc)
    except ImportBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(format_report(report))
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
    extra = {} if dry_run else {"by": args.by, "note": args.note}
    try:
        report = run(
            args.file, paths, documents=args.documents, progress=progress, revise=args.revise, **extra
        )
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
        flag = " --revise" if args.revise else ""
        print(f"{args.file} is valid; nothing was written (run `mtm import {args.file}{flag}` to import it).")
    elif report.written:
        docs = f", {len(report.new_documents)} documents to documents.yaml" if report.new_documents else ""
        rel = report.release or {}
        print(
            f"wrote {report.added + len(report.revised)} rows to {paths.csv}{docs}, and the tables in "
            f"{paths.parquet}; recorded as release {rel.get('release')} in {paths.releases}"
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


def _package(args: argparse.Namespace) -> int:
    """The whole data set as a Frictionless Data Package: the same files /api/v1/datapackage.zip serves."""
    from dashboard.datapackage import PackageError, store_at, write_package

    store = _load_store(args)
    if store is None:
        return 2
    try:
        store = store_at(store, None if args.release is None else str(args.release))
    except PackageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    written = write_package(store, Path(args.out), as_zip=args.zip)
    print(f"wrote the data package of release {store.release} ({len(written)} files) to {args.out}")
    return 0


def _mcp(args: argparse.Namespace) -> int:
    """`mtm mcp`: the data API as a read-only MCP server over stdio (dashboard/mcp_server.py)."""
    from dashboard import mcp_server
    from dashboard.data import DataUnavailable

    try:
        return mcp_server.run(Path(args.data), args.lang)
    except DataUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def view_with_lang(view: str, lang: str | None) -> str:
    """An explorer query string with ``lang=`` set (the chart's language); None leaves the view as given."""
    if not lang:
        return view
    pairs = [(k, v) for k, v in parse_qsl((view or "").lstrip("?"), keep_blank_values=True) if k != "lang"]
    return "?" + urlencode([*pairs, ("lang", lang)], safe=",")


def _briefing(args: argparse.Namespace) -> int:
    """`mtm briefing`: the PDF (dashboard.pdf), or the deck / Word document (dashboard.office)."""
    from dashboard import office, pdf

    if args.format == "pdf":
        return pdf.run(args)
    if args.out == "briefing.pdf":  # the default name: the format's own extension
        args.out = f"briefing.{args.format}"
    return office.run(args)


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
    b.add_argument("--by", default=None, help="who builds (release 1, when it is recorded; default: OS user)")
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
        i.add_argument(
            "--revise",
            action="store_true",
            help="rows that restate a published figure with another value revise it (each needs a 'reason')",
        )
        if name == "import":
            i.add_argument("--by", default=None, help="who imports (default: the OS user)")
            i.add_argument("--note", default="", help="one line on the release, e.g. 'Q4 2026 figures'")
        i.set_defaults(func=func)
    r = sub.add_parser("releases", help="list the releases, newest first")
    r.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=data_help)
    r.set_defaults(func=_releases)
    d = sub.add_parser("diff", help="what changed between two releases (added, revised, withdrawn)")
    d.add_argument("first", type=int, help="a release number (0: from the start)")
    d.add_argument("second", type=int, help="a later release number")
    d.add_argument("--csv", action="store_true", help="as CSV, one row per figure")
    d.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=data_help)
    d.set_defaults(func=_diff)
    w = sub.add_parser("withdraw", help="withdraw published figures (rows of observations.csv) with a reason")
    w.add_argument("rows", nargs="+", help="observations.csv data rows, e.g. 12 or obs-00012")
    w.add_argument("--reason", required=True, help="why the figures are withdrawn")
    w.add_argument("--by", default=None, help="who withdraws (default: the OS user)")
    w.add_argument("--note", default="", help="one line on the release")
    w.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=data_help)
    w.set_defaults(func=_withdraw)
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
    pk = sub.add_parser("package", help="write the whole data set as a Frictionless Data Package")
    pk.add_argument("--out", required=True, help="the directory to write the package's files into")
    pk.add_argument("--release", type=int, default=None, help="the data as it was at this release")
    pk.add_argument("--zip", action="store_true", help="write one zip file (as the API serves) instead")
    pk.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=data_help)
    pk.set_defaults(func=_package)
    mc = sub.add_parser("mcp", help="serve the data to AI assistants: a read-only MCP server over stdio")
    mc.add_argument("--data", default=str(DEFAULT_DATA_DIR), help=data_help)
    mc.add_argument("--lang", default="en", choices=LANGUAGES, help="language of the tools' descriptions")
    mc.set_defaults(func=_mcp)
    from dashboard import pdf

    br = sub.add_parser("briefing", help="render the quarterly briefing to an A4 PDF (headless Chromium)")
    pdf.add_arguments(br)
    br.add_argument(
        "--format",
        default="pdf",
        choices=("pdf", "pptx", "docx"),
        help="pdf (default), pptx (an editable PowerPoint deck) or docx (an editable Word document)",
    )
    br.set_defaults(func=_briefing)
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
