"""Reading an import file: a CSV (any common encoding and separator from Excel) or an XLSX workbook, into
rows of text ``{column: text, LINE: row}`` and the problems met while reading (cells Excel typed as dates...).
"""

from __future__ import annotations

import csv
import difflib
import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from dashboard.periods import PERIOD_EXAMPLES
from dashboard.pipeline.build import LINE
from dashboard.pipeline.columns import (
    DOC_COLUMNS,
    DOC_OPTIONAL,
    DOCUMENTS_SHEET,
    IMPORT_EXTRA,
    OBSERVATIONS_SHEET,
)
from dashboard.pipeline.problems import ImportRejected, Problem
from dashboard.schema import SOURCE_COLUMNS

Progress = Callable[[str, int, "int | None"], None]  # (stage, done, total or None)


@dataclass
class _Sheet:
    """A table as read: the header (row number and names) and the records (row number, cells, formats)."""

    header_row: int
    header: list[str]
    records: list[tuple[int, list[object], list[str | None]]]
    strict: bool = False  # a CSV: every record must have one field per column


def _clean_header(name: object) -> str:
    return str(name if name is not None else "").replace("\ufeff", "").strip()


def _decode(raw: bytes) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode text" (UTF-16 with a BOM)
        return raw.decode("utf-16")
    return raw.decode("utf-8-sig")  # a UTF-8 byte-order mark is not part of the first column's name


def _read_csv(path: Path, where: str, progress: Progress | None, every: int) -> tuple[_Sheet | None, list]:
    raw = path.read_bytes()
    try:
        text = _decode(raw)
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [
            Problem(
                line,
                None,
                f"byte {raw[exc.start : exc.start + 1]!r} that is not UTF-8",
                "a UTF-8 text file (in Excel: Save As → 'CSV UTF-8 (comma delimited)'; or import the .xlsx)",
                where,
            )
        ]
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if any(d in first for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    total = max(text.rstrip("\r\n").count("\n"), 0) or None  # data lines, about (a quote may span lines)
    header: list[str] | None = None
    header_row = 0
    records: list[tuple[int, list[object], list[str | None]]] = []
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            return None, [Problem(start, None, f"unreadable text ({exc})", "a CSV record", where)]
        if not any(c.strip() for c in cells):
            continue  # a blank line
        if header is None:
            header, header_row = [_clean_header(c) for c in cells], start
            continue
        records.append((start, list(cells), [None] * len(cells)))
        if progress and len(records) % every == 0:
            progress("reading", len(records), total)
    if header is None:
        return None, [
            Problem(None, None, "an empty file", f"a header row: {', '.join(SOURCE_COLUMNS)}", where)
        ]
    return _Sheet(header_row, header, records, strict=True), []


def _read_xlsx_sheet(ws, progress: Progress | None, every: int) -> _Sheet | None:
    ws.reset_dimensions()  # some writers store wrong dimensions; read every row there is
    header: list[str] | None = None
    header_row = 0
    records: list[tuple[int, list[object], list[str | None]]] = []
    for n, row in enumerate(ws.iter_rows(), start=1):
        values = [c.value for c in row]
        if not any(v is not None and str(v).strip() for v in values):
            continue
        if header is None:
            header, header_row = [_clean_header(v) for v in values], n
            while header and not header[-1]:
                header.pop()
            continue
        records.append((n, values, [getattr(c, "number_format", None) for c in row]))
        if progress and len(records) % every == 0:
            progress("reading", len(records), None)
    return None if header is None else _Sheet(header_row, header, records)


def _open_workbook(path: Path):
    from openpyxl import load_workbook  # noqa: PLC0415  (only needed for .xlsx)

    return load_workbook(path, read_only=True, data_only=True)


def _read_xlsx(
    path: Path, progress: Progress | None, every: int
) -> tuple[_Sheet | None, _Sheet | None, list[Problem]]:
    try:
        wb = _open_workbook(path)
    except Exception as exc:  # not a zip, not a workbook, encrypted...
        return None, None, [Problem(None, None, f"a file that cannot be opened ({exc})", "an .xlsx workbook")]
    try:
        names = wb.sheetnames
        ws = wb[OBSERVATIONS_SHEET] if OBSERVATIONS_SHEET in names else wb.worksheets[0]
        obs = _read_xlsx_sheet(ws, progress, every)
        docs = _read_xlsx_sheet(wb[DOCUMENTS_SHEET], None, every) if DOCUMENTS_SHEET in names else None
    finally:
        wb.close()
    if obs is None:
        return (
            None,
            None,
            [Problem(None, None, "an empty sheet", f"a header row: {', '.join(SOURCE_COLUMNS)}")],
        )
    return obs, docs, []


def _map_columns(
    sheet: _Sheet, columns: tuple[str, ...], optional: tuple[str, ...], where: str
) -> tuple[dict[str, int], list[Problem], bool]:
    """Column name -> index; problems for missing, extra and repeated columns; fatal if any is missing."""
    problems, index = [], {}
    listed = ", ".join(c for c in columns if c not in IMPORT_EXTRA)
    extra = [c for c in columns if c in IMPORT_EXTRA]
    also = f"; optionally {', '.join(extra)} (revisions and withdrawals)" if extra else ""
    expected = f"exactly the columns {listed} (the template's header row){also}"
    for i, name in enumerate(sheet.header):
        if not name:
            continue
        if name in index:
            problems.append(
                Problem(sheet.header_row, name, "a column named twice", "each column once", where)
            )
        elif name in columns:
            index[name] = i
        else:
            close = difflib.get_close_matches(name.lower(), columns, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                Problem(sheet.header_row, name, f"an extra column {name!r}", f"{expected}{hint}", where)
            )
    missing = [c for c in columns if c not in index and c not in optional]
    for name in missing:
        problems.append(
            Problem(sheet.header_row, name, "missing", f"a column named {name!r}: {expected}", where)
        )
    return index, problems, bool(missing)


def _number_text(v: int | float) -> str:
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    return repr(v) if isinstance(v, float) else str(v)


def _cell_text(column: str, raw: object, fmt: str | None, ptype: str) -> tuple[str, str | None]:
    """The text of a cell, and the reason it cannot be read (None when it can). CSV cells are text already;
    XLSX cells may be numbers, dates, booleans."""
    if raw is None:
        return "", None
    if isinstance(raw, str):
        return raw.strip(), None
    if isinstance(raw, bool):
        return str(raw), "a TRUE/FALSE cell; expected text or a number"
    if isinstance(raw, datetime | date):
        d = raw.date() if isinstance(raw, datetime) else raw
        midnight = not isinstance(raw, datetime) or raw.time() == time(0)
        if column == "period" and midnight and ptype == "month" and d.day == 1:
            return f"{d.year}-{d.month:02d}", None  # Excel turns "2023-04" into 1 April 2023
        if column == "period" and midnight and ptype == "date":
            return d.isoformat(), None
        if column == "published" and midnight:
            return d.isoformat(), None
        shown = raw.isoformat(sep=" ") if isinstance(raw, datetime) and not midnight else d.isoformat()
        if column == "period":
            example = PERIOD_EXAMPLES.get(ptype, PERIOD_EXAMPLES["quarter"])
            why = (
                f"Excel stored this cell as the date {shown}, which is not a {ptype or 'period'} id; "
                f"type the period as text (format the column as Text), e.g. {example}"
            )
        else:
            why = f"Excel stored this cell as the date {shown}; format the column as Text and type it again"
        return shown, why
    if isinstance(raw, time | timedelta):
        return str(raw), "a time cell; format the column as Text and type it again"
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return str(raw), "a finite number"
        text = _number_text(raw)
        if column == "value" and fmt and "%" in fmt:
            return text, (
                f"the cell is formatted as a percentage, so Excel stores {raw * 100:g}% as {text}; "
                f"type the number of percent ({raw * 100:g}) in a cell formatted as Number"
            )
        return text, None
    return str(raw), "text or a number"


def _records(
    sheet: _Sheet, index: dict[str, int], columns: tuple[str, ...], where: str
) -> tuple[list[dict[str, str]], list[Problem]]:
    """Each record as {column: text, LINE: row}; cell problems found while reading (Excel dates...)."""
    rows, problems = [], []
    width = len(sheet.header)
    for n, cells, formats in sheet.records:
        extra = [c for c in cells[width:] if c is not None and str(c).strip()]
        if extra or (sheet.strict and len(cells) < width):
            problems.append(
                Problem(
                    n,
                    None,
                    f"{len(cells) if sheet.strict else width + len(extra)} fields",
                    f"{width} fields, one per column "
                    "(a text containing the separator must be in double quotes)",
                    where,
                )
            )
            continue
        row: dict[str, str] = {LINE: str(n)}
        ptype = ""
        order = sorted(index, key=lambda c: c != "period_type")  # the period type first: it reads the period
        for col in order:
            i = index[col]
            raw = cells[i] if i < len(cells) else None
            fmt = formats[i] if i < len(formats) else None
            text, why = _cell_text(col, raw, fmt, ptype)
            if col == "period_type":
                ptype = text
            if why:
                problems.append(Problem(n, col, repr(raw), why, where))
            row[col] = text
        for col in columns:
            row.setdefault(col, "")
        rows.append(row)
    return rows, problems


# -- the whole import: the observations and the documents it describes ----------------------------------


@dataclass
class ImportInput:
    """An import file as read: its rows, the rows describing new documents, and the problems so far."""

    rows: list[dict[str, str]] = field(default_factory=list)
    doc_rows: list[dict[str, str]] = field(default_factory=list)
    doc_where: str = ""  # where the documents are described: "documents sheet" or the --documents file
    problems: list[Problem] = field(default_factory=list)


def read_import(
    path: Path, documents: Path | str | None, progress: Progress | None, every: int
) -> ImportInput:
    """Read the file (and the ``--documents`` file); raise ImportRejected when there is nothing to check."""
    sheet, doc_sheet, problems, doc_where = _read_observations(path, progress, every)
    if documents is not None:
        doc_sheet, doc_where, more = _read_documents_file(Path(documents), doc_sheet, every)
        problems += more
    if sheet is None:
        raise ImportRejected(path.name, problems)
    rows, more, fatal = _table_rows(sheet, (*SOURCE_COLUMNS, *IMPORT_EXTRA), IMPORT_EXTRA, "")
    problems += more
    if not fatal and not rows and not sheet.records:
        problems.append(Problem(None, None, "a header but no rows", "at least one row of figures"))
    doc_rows: list[dict[str, str]] = []
    if doc_sheet is not None:
        doc_rows, more, _ = _table_rows(doc_sheet, DOC_COLUMNS, DOC_OPTIONAL, doc_where)
        problems += more
    return ImportInput(rows, doc_rows, doc_where, problems)


def _read_observations(
    path: Path, progress: Progress | None, every: int
) -> tuple[_Sheet | None, _Sheet | None, list[Problem], str]:
    """The observations (and an XLSX's documents sheet), the problems met, where the documents are."""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheet, doc_sheet, problems = _read_xlsx(path, progress, every)
        return sheet, doc_sheet, problems, f"{DOCUMENTS_SHEET} sheet"
    if suffix == ".xls":
        raise ImportRejected(
            path.name,
            [Problem(None, None, "an old Excel .xls file", "an .xlsx workbook or a CSV (Save As in Excel)")],
        )
    sheet, problems = _read_csv(path, "", progress, every)
    return sheet, None, problems, ""


def _read_documents_file(
    dpath: Path, doc_sheet: _Sheet | None, every: int
) -> tuple[_Sheet | None, str, list[Problem]]:
    """The ``--documents`` file (an import describes its documents once: sheet or file, not both)."""
    doc_where = dpath.name
    if doc_sheet is not None:
        return (
            doc_sheet,
            doc_where,
            [Problem(None, None, "a documents sheet and a --documents file", "one of them", doc_where)],
        )
    if not dpath.is_file():
        return (
            None,
            doc_where,
            [Problem(None, None, f"no file {str(dpath)!r}", "a documents .csv or .xlsx", doc_where)],
        )
    if dpath.suffix.lower() in (".xlsx", ".xlsm"):
        first_sheet, docs_sheet, more = _read_xlsx(dpath, None, every)
        return (
            docs_sheet or first_sheet,
            doc_where,
            [Problem(p.row, p.column, p.found, p.expected, doc_where) for p in more],
        )
    sheet, more = _read_csv(dpath, doc_where, None, every)
    return sheet, doc_where, more


def _table_rows(
    sheet: _Sheet, columns: tuple[str, ...], optional: tuple[str, ...], where: str
) -> tuple[list[dict[str, str]], list[Problem], bool]:
    """The sheet's records as rows, the problems of its columns and cells; fatal when a column is missing
    (then no row is read)."""
    index, problems, fatal = _map_columns(sheet, columns, optional, where)
    if fatal:
        return [], problems, True
    rows, more = _records(sheet, index, columns, where)
    return rows, problems + more, False
