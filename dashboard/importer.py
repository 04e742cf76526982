"""Import new figures into the shipped source data (``mtm import``, ``mtm validate``, ``mtm history``).

The source of truth stays ``data/sources/observations.csv`` (+ ``documents.yaml``); an import appends rows to
it and rebuilds the Parquet tables with ``build.build_tables`` and ``build.write_tables``.

* **Input**: a CSV (UTF-8 with or without a byte-order mark, ``\\r\\n`` or ``\\n``; comma, semicolon or
  tab separated; UTF-16 "Unicode text" from Excel too) or an XLSX workbook (sheet ``observations``, else the
  first sheet) with exactly the columns of the source CSV, in any order. Excel cells typed as dates are
  converted where the reading is certain (a ``month`` period stored as the 1st of that month, a ``date``
  period, a document's publication date) and rejected with the reason otherwise.
* **New documents**: a row may cite a document that ``documents.yaml`` does not describe only if the import
  describes it: the XLSX sheet ``documents`` or, for a CSV, ``--documents FILE`` (columns ``DOC_COLUMNS``).
  Its kind and publication date decide the precedence rule, so they are never guessed. An import never
  changes the description of a document that is already there.
* **Validation** reports every problem at once, each as ``row N, column C: <found> — expected <what>`` (row =
  the file's line for a CSV, the sheet's row for an XLSX; the header is row 1). The row checks of the build
  (``build.validate_rows``) are reused and enriched with suggestions; the import adds its own: empty country
  name or agency, periods that have not begun, shares over 100% (alone, or summed with the other shares of
  the same indicator, period and document, existing rows included, with a tolerance of half a unit in the last
  printed decimal of each share), exact duplicates within the file, the documents' descriptions.
* **Idempotent**: a row equal in every column to a row of ``observations.csv`` (the value compared as a
  number) is *unchanged* and not added again; importing the same file twice adds nothing the second time.
* **All or nothing**: the new CSV (and ``documents.yaml`` when documents are added) is written aside and the
  tables are built from it in memory first; only then are the files switched, each by an atomic rename:
  ``documents.yaml`` (only adds documents, harmless alone), ``observations.csv`` (the commit point: the
  source of truth), ``history.jsonl``, and last the tables (``write_tables`` switches ``manifest.json``
  atomically). Any exception on the way restores every file already switched, byte for byte. After a hard
  kill between the CSV and the tables, the tables are still a consistent older set; the next ``mtm import``
  (of any file) or ``mtm build`` brings them up to date (``tables_in_sync``). Imports are serialised by a
  lock on ``data/sources``.
* **History**: every import that passed validation appends a JSON line to ``data/history.jsonl`` (when, file
  name and sha256, rows added / unchanged, figures in conflict and those whose shown value was replaced, new
  documents, rows added per indicator).
"""

from __future__ import annotations

import contextlib
import csv
import difflib
import hashlib
import io
import json
import math
import os
import re
import stat
import sys
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from dashboard.build import (
    LINE,
    MANIFEST,
    NUMBER,
    ROOT,
    BuildError,
    Document,
    build_tables,
    load_documents,
    read_source_csv,
    validate_rows,
    write_tables,
)
from dashboard.catalogue import Catalogue, catalogue
from dashboard.countries import OTHER, PSEUDO, TOTAL, country_name, is_valid_code, suggest_code
from dashboard.formatting import fmt_value
from dashboard.periods import PERIOD_EXAMPLES, PERIOD_TYPES, PeriodError, parse_period
from dashboard.schema import FIGURE_KEY, KIND_RANK, SOURCE_COLUMNS, SOURCES_TABLE, TABLES

# Columns of a documents sheet / --documents file; id and language may be left out.
DOC_COLUMNS = ("id", "document", "url", "publisher", "kind", "language", "published", "published_basis")
DOC_REQUIRED = ("document", "url", "publisher", "kind", "published", "published_basis")
PUBLISHED_BASIS = ("url", "text", "estimated")
OBSERVATIONS_SHEET = "observations"
DOCUMENTS_SHEET = "documents"
TEMPLATES_DIR = ROOT / "data" / "templates"

Progress = Callable[[str, int, "int | None"], None]


@dataclass(frozen=True)
class DataPaths:
    """Where an import reads and writes; ``DataPaths.under(dir)`` for a copy (tests use tmp copies)."""

    csv: Path
    documents: Path
    parquet: Path
    history: Path

    @classmethod
    def under(cls, data_dir: Path | str) -> DataPaths:
        d = Path(data_dir)
        return cls(
            csv=d / "sources" / "observations.csv",
            documents=d / "sources" / "documents.yaml",
            parquet=d / "parquet",
            history=d / "history.jsonl",
        )


DEFAULT_DATA_DIR = ROOT / "data"
DEFAULT_PATHS = DataPaths.under(DEFAULT_DATA_DIR)


# -- problems --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem (or warning) in an import file: where, what is there, and what was expected."""

    row: int | None  # the file's row (CSV line / sheet row; header = 1); None for the whole file
    column: str | None
    found: str  # what is there, e.g. "'1,234'" or "missing"
    expected: str
    where: str = ""  # "" for the observations; "documents sheet" or a file name for the documents

    @property
    def location(self) -> str:
        parts = [self.where] if self.where else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        return ", ".join(parts) or "file"

    def __str__(self) -> str:
        return f"{self.location}: {self.found} — expected {self.expected}"

    def sort_key(self) -> tuple:
        cols = (*SOURCE_COLUMNS, *DOC_COLUMNS)
        col = cols.index(self.column) if self.column in cols else -1
        return (self.where != "", self.where, self.row or 0, col)


class ImportRejected(Exception):
    """The file is not valid; nothing was written. ``problems`` lists every problem found."""

    def __init__(self, file: str, problems: list[Problem], warnings: list[Problem] | None = None):
        self.file = file
        self.problems = sorted(problems, key=Problem.sort_key)
        self.warnings = sorted(warnings or [], key=Problem.sort_key)
        super().__init__(
            f"{file}: {len(self.problems)} problem(s); nothing was written:\n"
            + "\n".join(str(p) for p in self.problems)
        )


class ImportBusy(RuntimeError):
    """Another import holds the lock on the data directory."""


# -- reading the file ------------------------------------------------------------------------------------


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
    from openpyxl import load_workbook  # only needed for .xlsx

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
    expected = f"exactly the columns {', '.join(columns)} (the template's header row)"
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
            example = PERIOD_EXAMPLES.get(ptype, "2023-Q2")
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


# -- hints -----------------------------------------------------------------------------------------------

_SPACES = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})


def number_hint(text: str, measure: str = "", unit_kind: str = "") -> str:
    """What a value that is not a plain number probably meant (the value is still rejected)."""
    s = unicodedata.normalize("NFKC", text).translate(_SPACES).strip()
    if not s:
        return "the cell is empty"
    if s != text.strip() and NUMBER.match(s):
        return f"did you mean {s}? (written with full-width or unusual characters)"
    if s.endswith("%") and NUMBER.match(s[:-1].strip()):
        return f"write {s[:-1].strip()} without the % sign (the unit says what the number is)"
    if re.fullmatch(r"-?\d{1,3}( \d{3})+([.,]\d+)?", s):
        return f"did you mean {s.replace(' ', '').replace(',', '.')}? (no spaces between digits)"
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+\.\d+", s):
        return f"did you mean {s.replace(',', '')}? (commas as thousands separators)"
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+,\d+", s):
        return f"did you mean {s.replace('.', '').replace(',', '.')}? (dots as thousands, comma as decimal)"
    if re.fullmatch(r"-?\d{1,3}(,\d{3}){2,}", s):
        return f"did you mean {s.replace(',', '')}? (commas as thousands separators)"
    if re.fullmatch(r"-?\d{1,3}(\.\d{3}){2,}", s):
        return f"did you mean {s.replace('.', '')}? (dots as thousands separators)"
    if re.fullmatch(r"-?\d{1,3},\d{3}", s):
        whole, frac = s.replace(",", ""), s.replace(",", ".")
        if measure == "count" or unit_kind == "count":
            return f"did you mean {whole}? (a count is a whole number; write it without the comma)"
        return (
            f"{s!r} is ambiguous: {whole} (comma as thousands separator) or {frac} (decimal comma); "
            "write the one meant"
        )
    if re.fullmatch(r"-?\d+,\d+", s):
        return f"did you mean {s.replace(',', '.')}? (a comma as decimal separator)"
    if "_" in s and NUMBER.match(s.replace("_", "")):
        return f"did you mean {s.replace('_', '')}? (no underscores)"
    if s.startswith("#"):
        return "an Excel error value: fix the formula or type the number"
    if s.lower().lstrip("+-") in ("inf", "infinity", "nan") or re.fullmatch(r"-?[0-9.]+[eE]\+?\d{3,}", s):
        return "a finite number"
    return "a number such as 1234 or 12.5"


def period_hint(text: str, ptype: str) -> str | None:
    """The period id a mistyped or Excel-formatted period probably meant, if the reading is clear."""
    s = text.strip()
    m = None
    if ptype == "quarter":
        m = re.fullmatch(r"(?i)q([1-4])[\s-]*(\d{4})", s) or re.fullmatch(r"(?i)(\d{4})[\s-]*q([1-4])", s)
        if m:
            q, y = (m.group(1), m.group(2)) if s[:1].lower() == "q" else (m.group(2), m.group(1))
            return f"{y}-Q{q}"
    if ptype == "half":
        m = re.fullmatch(r"(?i)h([12])[\s-]*(\d{4})", s) or re.fullmatch(r"(?i)(\d{4})[\s-]*h([12])", s)
        if m:
            h, y = (m.group(1), m.group(2)) if s[:1].lower() == "h" else (m.group(2), m.group(1))
            return f"{y}-H{h}"
    if ptype == "month":
        if m := re.fullmatch(r"(\d{4})-(\d{2})-01", s):
            return f"{m.group(1)}-{m.group(2)}"
        if m := re.fullmatch(r"(?:01[./])?(\d{1,2})[./](\d{4})", s):
            return f"{m.group(2)}-{int(m.group(1)):02d}" if 1 <= int(m.group(1)) <= 12 else None
        if m := re.fullmatch(r"(\d{4})[./](\d{1,2})", s):
            return f"{m.group(1)}-{int(m.group(2)):02d}" if 1 <= int(m.group(2)) <= 12 else None
    if ptype == "date" and (m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", s)):
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    return None


def _country_names(rows: list[dict[str, str]]) -> dict[str, str]:
    """Country name as printed -> ISO3, where the existing rows always map it to one code."""
    seen: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        seen[r["country"].strip().casefold()].add(r["country_iso3"])
    return {name: next(iter(codes)) for name, codes in seen.items() if len(codes) == 1}


def country_hint(code: str, name: str, known: Mapping[str, str]) -> str | None:
    """A suggested ISO3 code for a bad code: from the code itself, the existing data, or the name."""
    import pycountry

    if is_valid_code(code.strip().upper()):
        return f"did you mean {code.strip().upper()!r}? (capital letters)"
    if len(code.strip()) == 2 and (rec := pycountry.countries.get(alpha_2=code.strip().upper())):
        name_of = country_name(rec.alpha_3)
        return f"did you mean {rec.alpha_3!r}? ({code.strip()!r} is the two-letter code of {name_of})"
    if name.strip().casefold() in known:
        iso = known[name.strip().casefold()]
        return f"did you mean {iso!r}? ({name.strip()!r} is {iso} in observations.csv)"
    if name.strip().casefold() in {p.casefold() for p in PSEUDO.values()} | {"other"}:
        return f"did you mean {TOTAL if name.strip().casefold() == 'total' else OTHER!r}?"
    try:
        guess = suggest_code(name.strip()) if name.strip() else None
    except Exception:  # pycountry's fuzzy search can fail on odd input
        guess = None
    if guess:
        return f"did you mean {guess!r}? (from the name {name.strip()!r}: {country_name(guess)})"
    return None


# -- documents described by the import -------------------------------------------------------------------


@dataclass(frozen=True)
class NewDocument:
    row: int
    doc: Document
    language: str


def _slug(text: str) -> str:
    ascii_ = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_.lower()).strip("-")[:40].strip("-")


def _check_documents(
    rows: list[dict[str, str]], existing: dict[str, Document], where: str, today: date
) -> tuple[dict[str, NewDocument], list[Problem], list[Problem]]:
    """Documents described by the import (title -> NewDocument) that documents.yaml does not have yet."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    new: dict[str, NewDocument] = {}
    ids = {d.id for d in existing.values()}
    first_row: dict[str, int] = {}
    for r in rows:
        n = int(r[LINE])

        def bad(col: str, expected: str, _n: int = n, _r: dict = r) -> None:
            problems.append(Problem(_n, col, repr(_r.get(col, "")), expected, where))

        title = r["document"]
        if not title:
            bad("document", "the document's title, exactly as in the rows' document column")
            continue
        if title in first_row:
            bad("document", f"each document once (already described on row {first_row[title]})")
            continue
        first_row[title] = n
        url = r["url"]
        if not re.match(r"^https?://\S+$", url):
            bad("url", "a link to the document (http:// or https://), without spaces")
        if not r["publisher"]:
            bad("publisher", "who published the document (the outlet or agency)")
        if r["kind"] not in KIND_RANK:
            bad("kind", f"one of {', '.join(KIND_RANK)} (it decides the precedence rule)")
        published = None
        try:
            published = date.fromisoformat(r["published"])
            if published > today:
                bad("published", f"a publication date that is not in the future (today is {today})")
        except ValueError:
            hint = period_hint(r["published"], "date")
            bad("published", "a date YYYY-MM-DD" + (f"; did you mean {hint}?" if hint else ""))
        if r["published_basis"] not in PUBLISHED_BASIS:
            bad(
                "published_basis",
                "url (the date is in the link), text (printed in the document) or estimated "
                "(not printed: the day after the latest period the document covers)",
            )
        if title in existing:
            old = existing[title]
            same = (old.url, old.publisher, old.kind, old.published, old.published_basis) == (
                url,
                r["publisher"],
                r["kind"],
                published,
                r["published_basis"],
            )
            if not same:
                bad(
                    "document",
                    "a document that documents.yaml does not describe yet, or exactly its description there "
                    f"(url {old.url!r}, publisher {old.publisher!r}, kind {old.kind}, published "
                    f"{old.published}, {old.published_basis}); an import never changes a document's "
                    "description: edit documents.yaml and run `mtm build`",
                )
            continue
        doc_id = r.get("id", "")
        if doc_id:
            if not re.fullmatch(r"[a-z][a-z0-9-]*", doc_id):
                bad("id", "lower-case letters, digits and dashes, starting with a letter (or leave it empty)")
            elif doc_id in ids:
                bad("id", "an id that no other document has (or leave it empty to have one made)")
        else:
            base = f"{_slug(r['publisher']) or 'doc'}-{published or 'undated'}"
            base = base if base[:1].isalpha() else f"doc-{base}"
            doc_id, k = base, 2
            while doc_id in ids:
                doc_id, k = f"{base}-{k}", k + 1
        ids.add(doc_id)
        doc = Document(
            id=doc_id,
            document=title,
            url=url,
            publisher=r["publisher"],
            kind=r["kind"] if r["kind"] in KIND_RANK else "news",
            published=published or today,
            published_basis=r["published_basis"],
        )
        new[title] = NewDocument(n, doc, r.get("language", ""))
    return new, problems, warnings


def _yaml_text(old_text: str, docs: list[NewDocument], source_name: str, when: date) -> str:
    """documents.yaml with the new documents appended as text (its comments kept), checked by re-parsing."""

    def q(s: str) -> str:
        return json.dumps(s, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar

    lines = []
    for nd in docs:
        d = nd.doc
        lines.append(f"  # added by `mtm import` from {q(source_name)} on {when.isoformat()}")
        lines.append(f"  - id: {q(d.id)}")
        lines.append(f"    document: {q(d.document)}")
        lines.append(f"    url: {q(d.url)}")
        lines.append(f"    publisher: {q(d.publisher)}")
        lines.append(f"    kind: {d.kind}")
        if nd.language:
            lines.append(f"    language: {q(nd.language)}")
        lines.append(f"    published: {d.published.isoformat()}")
        lines.append(f"    published_basis: {d.published_basis}")
    sep = "" if old_text.endswith("\n") else "\n"
    new_text = old_text + sep + "\n".join(lines) + "\n"
    old = yaml.safe_load(old_text)["documents"]
    got = yaml.safe_load(new_text)
    want_new = [(d.doc.id, d.doc.document, d.doc.url, d.doc.kind, d.doc.published) for d in docs]
    got_new = [
        (e["id"], e["document"], e["url"], e["kind"], e["published"]) for e in got["documents"][len(old) :]
    ]
    if list(got) != ["documents"] or got["documents"][: len(old)] != old or got_new != want_new:
        raise RuntimeError(
            "appending to documents.yaml would not give the documents intended; nothing written"
        )
    return new_text


# -- validation ------------------------------------------------------------------------------------------


def _row_key(r: Mapping[str, str]) -> tuple:
    """Every column, the value as a number (so 308710 and 308710.0 are the same row)."""
    try:
        value: object = float(r["value"])
    except ValueError:
        value = r["value"]
    return tuple(value if c == "value" else r[c] for c in SOURCE_COLUMNS)


_LINE_PREFIX = re.compile(r"^line (\d+), column (\w+): ")


def _from_build(message: str, by_line: dict[int, dict[str, str]], cat: Catalogue, known: dict[str, str]):
    """A problem of build.validate_rows as a Problem, with a suggestion added where there is one."""
    m = _LINE_PREFIX.match(message)
    if not m:
        return Problem(None, None, message, "a valid row")
    n, col = int(m.group(1)), m.group(2)
    r = by_line[n]
    prefix = f"line {n}, column {col}: {r.get(col)!r} — expected "
    expected = message[len(prefix) :] if message.startswith(prefix) else message[m.end() :]
    hint = None
    value = r.get(col, "")
    if col == "indicator":
        close = difflib.get_close_matches(value, [i.id for i in cat.indicators], n=1, cutoff=0.6)
        hint = f"did you mean {close[0]!r}?" if close else None
    elif col in ("measure", "unit", "period_type") and cat.has_indicator(r["indicator"]):
        ind = cat.indicator(r["indicator"])
        allowed = {"measure": ind.measures, "unit": ind.units, "period_type": ind.granularities}[col]
        close = difflib.get_close_matches(value, allowed, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else None
        if col == "period_type" and value in PERIOD_TYPES:
            hint = f"the catalogue declares no {value} figures for {ind.id}"
    elif col == "value":
        if expected.startswith("a number"):
            kind = cat.unit(r["unit"]).kind if r["unit"] in {u.id for u in cat.units} else ""
            hint = number_hint(value, r["measure"], kind)
        elif r["measure"] in ("count", "amount", "share_pct"):
            hint = f"a {r['measure']} cannot be negative; a fall is stored as a change measure"
    elif col == "period":
        why = re.sub(r" \(expected e\.g\. [^)]*\)", "", expected)  # the example is given here
        ptype = r["period_type"]
        expected = f"a valid {ptype} period, e.g. {PERIOD_EXAMPLES.get(ptype, '2023-Q2')} ({why})"
        guess = period_hint(value, ptype)
        hint = f"did you mean {guess!r}?" if guess else None
    elif col == "country_iso3":
        hint = country_hint(value, r["country"], known)
    elif col == "document":
        hint = (
            "a new document must be described in the import: the XLSX sheet 'documents' or, for a CSV, "
            "`--documents FILE` (columns " + ", ".join(DOC_COLUMNS) + ")"
        )
    elif col == "url":
        hint = "the url documents.yaml gives for this document"
    return Problem(n, col, repr(value), expected + (f"; {hint}" if hint else ""))


def _generic_checks(r: dict[str, str], n: int, docs: dict[str, Document], known: dict[str, str]) -> list:
    """Checks that need no catalogue: run for rows whose indicator is unknown (validate_rows skips them)."""
    out = []
    v = r["value"].strip()
    if not NUMBER.match(v) or not math.isfinite(float(v)):
        expected = "a number with a dot as decimal separator and no thousands separator"
        out.append(Problem(n, "value", repr(r["value"]), f"{expected}; {number_hint(r['value'])}"))
    if not is_valid_code(r["country_iso3"]):
        hint = country_hint(r["country_iso3"], r["country"], known)
        out.append(
            Problem(
                n,
                "country_iso3",
                repr(r["country_iso3"]),
                "an ISO 3166-1 alpha-3 code, TOT or OTH" + (f"; {hint}" if hint else ""),
            )
        )
    if r["document"] not in docs:
        out.append(Problem(n, "document", repr(r["document"]), "a document described in documents.yaml"))
    if not r["quote"].strip():
        out.append(Problem(n, "quote", repr(r["quote"]), "the verbatim text the figure was read from"))
    return out


def _decimals(text: str) -> int:
    t = text.strip().lower()
    mantissa, _, exp = t.partition("e")
    d = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return max(0, d - int(exp or 0))


@dataclass
class Plan:
    """A validated import: what it would add, what is already there, and what it warns about."""

    file: Path
    sha256: str
    rows_in_file: int
    added: list[dict[str, str]]  # rows to append, in file order (with LINE = the file's row)
    unchanged: list[int]  # file rows already in observations.csv
    new_documents: list[NewDocument]
    warnings: list[Problem]
    existing_rows: int


def _valid_numbers(r: Mapping[str, str]) -> float | None:
    v = r["value"].strip()
    return float(v) if NUMBER.match(v) and math.isfinite(float(v)) else None


def plan_import(
    path: Path | str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    documents: Path | str | None = None,
    today: date | None = None,
    cat: Catalogue | None = None,
    progress: Progress | None = None,
    every: int = 1000,
) -> Plan:
    """Read and validate an import file against the catalogue and the existing data; raise ImportRejected
    listing every problem. Nothing is written."""
    path = Path(path)
    today = today or date.today()
    cat = cat or catalogue()
    name = path.name
    if not path.is_file():
        raise ImportRejected(
            name, [Problem(None, None, f"no file {str(path)!r}", "an existing .csv or .xlsx file")]
        )
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()

    # 1. read
    problems: list[Problem] = []
    doc_sheet, doc_where = None, ""
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        sheet, doc_sheet, problems = _read_xlsx(path, progress, every)
        doc_where = f"{DOCUMENTS_SHEET} sheet"
    elif suffix == ".xls":
        raise ImportRejected(
            name,
            [Problem(None, None, "an old Excel .xls file", "an .xlsx workbook or a CSV (Save As in Excel)")],
        )
    else:
        sheet, problems = _read_csv(path, "", progress, every)
    if documents is not None:
        dpath = Path(documents)
        doc_where = dpath.name
        if doc_sheet is not None:
            problems.append(
                Problem(None, None, "a documents sheet and a --documents file", "one of them", doc_where)
            )
        elif not dpath.is_file():
            problems.append(
                Problem(None, None, f"no file {str(dpath)!r}", "a documents .csv or .xlsx", doc_where)
            )
        elif dpath.suffix.lower() in (".xlsx", ".xlsm"):
            first_sheet, docs_sheet, more = _read_xlsx(dpath, None, every)
            doc_sheet = docs_sheet or first_sheet
            problems += [Problem(p.row, p.column, p.found, p.expected, doc_where) for p in more]
        else:
            doc_sheet, more = _read_csv(dpath, doc_where, None, every)
            problems += more
    if sheet is None:
        raise ImportRejected(name, problems)

    index, col_problems, fatal = _map_columns(sheet, SOURCE_COLUMNS, (), "")
    problems += col_problems
    rows: list[dict[str, str]] = []
    if not fatal:
        rows, cell_problems = _records(sheet, index, SOURCE_COLUMNS, "")
        problems += cell_problems
        if not rows and not sheet.records:
            problems.append(Problem(None, None, "a header but no rows", "at least one row of figures"))
    doc_rows: list[dict[str, str]] = []
    if doc_sheet is not None:
        dindex, dproblems, dfatal = _map_columns(doc_sheet, DOC_COLUMNS, ("id", "language"), doc_where)
        problems += dproblems
        if not dfatal:
            doc_rows, more = _records(doc_sheet, dindex, DOC_COLUMNS, doc_where)
            problems += more

    # 2. the existing data
    try:
        existing = read_source_csv(paths.csv)
    except BuildError as exc:
        raise ImportRejected(
            name, [Problem(None, None, p, "a valid observations.csv (run `mtm build`)") for p in exc.problems]
        ) from None
    docs = load_documents(paths.documents)
    known = _country_names(existing)

    # 3. documents described by the import
    new_docs, dproblems, warnings = _check_documents(doc_rows, docs, doc_where, today)
    problems += dproblems
    all_docs = {**docs, **{t: nd.doc for t, nd in new_docs.items()}}

    # 4. the rows: the build's checks (with suggestions), then the import's own
    reported = {(p.where, p.row, p.column) for p in problems}
    checkable = rows  # a cell already reported (an Excel date...) is not reported twice: see `reported`
    by_line = {int(r[LINE]): r for r in rows}
    found: list[Problem] = []
    for k in range(0, len(checkable), every):
        chunk = checkable[k : k + every]
        found += [_from_build(m, by_line, cat, known) for m in validate_rows(chunk, all_docs, cat)]
        if progress and len(checkable) >= every:
            progress("validating", min(k + every, len(checkable)), len(checkable))
    for r in checkable:
        n = int(r[LINE])
        if not cat.has_indicator(r["indicator"]):
            found += _generic_checks(r, n, all_docs, known)
            continue
        if not r["country"]:
            found.append(
                Problem(n, "country", "''", "the country name as printed in the source (Total, Other)")
            )
        if not r["source_agency"]:
            found.append(Problem(n, "source_agency", "''", "the agency the source credits for the figure"))
        value = _valid_numbers(r)
        if value is not None and r["measure"] == "share_pct" and value > 100:
            found.append(Problem(n, "value", repr(r["value"]), "a share of at most 100 (percent)"))
        if value is not None and r["measure"] == "count" and not value.is_integer():
            warnings.append(
                Problem(
                    n,
                    "value",
                    repr(r["value"]),
                    "a whole number for a count (was '16.1 thousand' meant 16100?)",
                )
            )
        try:
            p = parse_period(r["period"], r["period_type"])
        except PeriodError:
            p = None
        if p is not None and p.start > today:
            found.append(
                Problem(
                    n, "period", repr(r["period"]), f"a period that has begun (today is {today.isoformat()})"
                )
            )
        elif p is not None and p.end is not None and p.end > today:
            warnings.append(
                Problem(
                    n, "period", repr(r["period"]), f"a period that has ended (it ends {p.end.isoformat()})"
                )
            )
        iso = r["country_iso3"]
        named = known.get(r["country"].casefold())
        if is_valid_code(iso) and named and named != iso:
            warnings.append(
                Problem(n, "country_iso3", repr(iso), f"{named} for {r['country']!r}, as in observations.csv")
            )
    for p in found:
        if (p.where, p.row, p.column) not in reported:
            reported.add((p.where, p.row, p.column))
            problems.append(p)

    # 5. duplicates within the file; rows already in observations.csv
    existing_keys: dict[tuple, int] = {}
    for r in existing:
        existing_keys.setdefault(_row_key(r), int(r[LINE]))
    seen: dict[tuple, int] = {}
    added, unchanged = [], []
    for r in rows:
        n, key = int(r[LINE]), _row_key(r)
        if key in seen:
            problems.append(
                Problem(
                    n,
                    None,
                    f"an exact duplicate of row {seen[key]} (every column equal)",
                    "each row once: delete one of them",
                )
            )
            continue
        seen[key] = n
        if key in existing_keys:
            unchanged.append(n)
        else:
            added.append(r)

    # 6. shares of one indicator, period and document must not add up to more than 100%
    problems += _share_sums(existing, added, rows, reported)

    # 7. near-duplicates: the same figure from the same document, differing only in wording
    by_fig_doc: dict[tuple, list[dict[str, str]]] = defaultdict(list)
    for r in existing:
        by_fig_doc[(*(r[k] for k in FIGURE_KEY), r["document"])].append(r)
    for r in added:
        for old in by_fig_doc.get((*(r[k] for k in FIGURE_KEY), r["document"]), []):
            if _valid_numbers(old) == _valid_numbers(r):
                differ = [c for c in SOURCE_COLUMNS if old[c] != r[c] and c != "value"]
                warnings.append(
                    Problem(
                        int(r[LINE]),
                        differ[0] if differ else None,
                        f"the figure, value and document of observations.csv line {old[LINE]}, "
                        f"with a different {', '.join(differ) or 'value format'}",
                        "a new figure; it is added as a second row (to correct that line, edit "
                        "observations.csv and run `mtm build`)",
                    )
                )
                break

    used = {r["document"] for r in added}
    for title, nd in new_docs.items():
        if title not in used:
            warnings.append(
                Problem(
                    nd.row, "document", repr(title), "a document cited by a new row; not added", doc_where
                )
            )
    if problems:
        raise ImportRejected(name, problems, warnings)
    return Plan(
        file=path,
        sha256=sha,
        rows_in_file=len(rows),
        added=added,
        unchanged=unchanged,
        new_documents=[nd for t, nd in new_docs.items() if t in used],
        warnings=sorted(warnings, key=Problem.sort_key),
        existing_rows=len(existing),
    )


def _share_sums(
    existing: list[dict[str, str]], added: list[dict[str, str]], rows: list[dict[str, str]], reported: set
) -> list[Problem]:
    """Shares by country (not the total) of one indicator, period, unit and document, existing rows
    included, that add up to more than 100% beyond rounding (half a unit in the last printed decimal)."""
    groups: dict[tuple, dict[str, tuple[float, str, str]]] = defaultdict(
        dict
    )  # country -> (value, text, where)
    touched: dict[tuple, dict[str, str]] = {}
    for origin, rs in (("csv", existing), ("file", added)):
        for r in rs:
            if (
                r["measure"] != "share_pct"
                or r["country_iso3"] == TOTAL
                or not is_valid_code(r["country_iso3"])
            ):
                continue
            value = _valid_numbers(r)
            if value is None:
                continue
            key = (r["indicator"], r["period"], r["period_type"], r["unit"], r["document"])
            where = f"observations.csv line {r[LINE]}" if origin == "csv" else f"row {r[LINE]}"
            prev = groups[key].get(r["country_iso3"])
            if prev is None or value > prev[0]:
                groups[key][r["country_iso3"]] = (value, r["value"], where)
            if origin == "file":
                touched[key] = r
    out = []
    for key, last in touched.items():
        shares = groups[key]
        total = sum(v for v, _, _ in shares.values())
        tolerance = sum(0.5 * 10 ** -_decimals(t) for _, t, _ in shares.values())
        if total <= 100 + tolerance + 1e-9 or ("", int(last[LINE]), "value") in reported:
            continue
        ind, period, ptype, _, doc = key
        parts = ", ".join(f"{iso} {t} ({w})" for iso, (_, t, w) in sorted(shares.items()))
        out.append(
            Problem(
                int(last[LINE]),
                "value",
                f"{last['value']!r}: the shares of {ind} {period} ({ptype}) in {doc!r} "
                f"add up to {total:.2f}%",
                f"at most 100% (allowing {tolerance:.2f} points for rounding): {parts}",
            )
        )
    return out


# -- building and classifying ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A figure whose sources disagree because of the import, and the value the precedence rule shows."""

    figure: str
    rows: tuple[int, ...]  # the file rows of the new values
    outcome: str  # replaced (the shown value changed) | kept (the existing value stays shown) | new
    shown: str  # the value shown now, with its document
    others: tuple[str, ...]

    def __str__(self) -> str:
        rows = ", ".join(map(str, self.rows))
        head = {
            "replaced": "the new value is now shown",
            "kept": "the existing value stays shown",
            "new": "values differ within this file",
        }[self.outcome]
        return f"row {rows}: {self.figure}: {head}: {self.shown}; also {'; '.join(self.others)}"


@dataclass
class ImportReport:
    file: str
    sha256: str
    rows_in_file: int
    added: int
    unchanged: int
    conflicts: list[Conflict]
    corroborated: int
    new_documents: list[str]
    indicators: dict[str, int]
    warnings: list[Problem]
    written: bool = False
    repaired: bool = False  # the tables were behind observations.csv and were rebuilt
    previous: dict | None = None  # an earlier import of the same file (by sha256)
    record: dict | None = None  # the history record written
    tables: dict[str, int] = field(default_factory=dict)  # rows per table after the import

    @property
    def replaced(self) -> int:
        return sum(c.outcome == "replaced" for c in self.conflicts)


def _csv_bytes(old: bytes, rows: list[dict[str, str]]) -> bytes:
    """observations.csv with rows appended, in its own line endings."""
    first = old.split(b"\n", 1)[0]
    terminator = "\r\n" if first.endswith(b"\r") else "\n"
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=terminator)
    for r in rows:
        w.writerow([r[c] for c in SOURCE_COLUMNS])
    sep = b"" if not old or old.endswith(b"\n") else terminator.encode()
    return old + sep + buf.getvalue().encode("utf-8")


def _describe(o: dict, docs_of: dict[str, dict]) -> str:
    s = docs_of[o["source_id"]]
    return f"{fmt_value(o['value'], o['unit'])} from {s['document']!r} ({s['kind']}, {s['published']})"


def _classify(tables: dict[str, pa.Table], n_old: int, row_of: dict[int, int]) -> tuple[list[Conflict], int]:
    """Conflicts the added rows (csv rows > n_old; row_of maps csv row -> file row) take part in."""
    src = {s["source_id"]: s for s in tables[SOURCES_TABLE].to_pylist()}
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for name in TABLES:
        for o in tables[name].to_pylist():
            if o["method"] == "published":
                groups[tuple(o[k] for k in FIGURE_KEY)].append(o)
    conflicts, corroborated = [], 0
    for key, group in groups.items():
        new = [o for o in group if src[o["source_id"]]["csv_row"] > n_old]
        if not new:
            continue
        old = [o for o in group if src[o["source_id"]]["csv_row"] <= n_old]
        shown = min(group, key=lambda o: o["rank"])
        label = f"{key[0]} {key[1]} ({key[2]}) {country_name(key[3])} {key[4]}"
        rows = tuple(sorted(row_of[src[o["source_id"]]["csv_row"]] for o in new))
        others = tuple(_describe(o, src) for o in sorted(group, key=lambda o: o["rank"]) if o is not shown)
        if not old:
            if len({o["value"] for o in new}) > 1:
                conflicts.append(Conflict(label, rows, "new", _describe(shown, src), others))
            continue
        was = min(old, key=lambda o: o["rank"])
        if shown in new and shown["value"] != was["value"]:
            conflicts.append(Conflict(label, rows, "replaced", _describe(shown, src), others))
        elif any(o["value"] != was["value"] for o in new):
            conflicts.append(Conflict(label, rows, "kept", _describe(shown, src), others))
        else:
            corroborated += 1
    return conflicts, corroborated


def _stage(plan: Plan, paths: DataPaths, directory: Path, when: date) -> tuple[Path, Path | None]:
    """Write the new observations.csv (and documents.yaml) aside in ``directory``; return their paths."""
    staged: list[Path] = []
    try:
        data = _csv_bytes(paths.csv.read_bytes(), plan.added)
        csv_tmp = _write_aside(directory, ".observations.csv.", data, _mode_of(paths.csv))
        staged.append(csv_tmp)
        docs_tmp = None
        if plan.new_documents:
            text = _yaml_text(
                paths.documents.read_text(encoding="utf-8"), plan.new_documents, plan.file.name, when
            )
            mode = _mode_of(paths.documents)
            docs_tmp = _write_aside(directory, ".documents.yaml.", text.encode("utf-8"), mode)
            staged.append(docs_tmp)
        return csv_tmp, docs_tmp
    except BaseException:
        for p in staged:
            p.unlink(missing_ok=True)
        raise


def _mode_of(target: Path) -> int:
    """The permissions to give a new version of ``target``: its own, else rw-r--r--."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        return 0o644


def _write_aside(directory: Path, prefix: str, data: bytes, mode: int = 0o644) -> Path:
    """``data`` in a new temporary file of ``directory`` (same file system: it can be renamed into place),
    flushed to disk, with permissions ``mode`` (mkstemp makes it owner-only)."""
    fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.chmod(tmp, mode)
            os.fsync(fh.fileno())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _replace_with(target: Path, data: bytes | None) -> None:
    """Atomically give ``target`` these bytes (or remove it when None)."""
    if data is None:
        target.unlink(missing_ok=True)
        return
    tmp = _write_aside(target.parent, f".{target.name}.", data, _mode_of(target))
    try:
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def tables_in_sync(paths: DataPaths = DEFAULT_PATHS, tables: dict[str, pa.Table] | None = None) -> bool:
    """True when the tables named by the manifest are exactly a build of the current observations.csv."""
    try:
        tables = tables or build_tables(paths.csv, paths.documents)
        entries = json.loads((paths.parquet / MANIFEST).read_text())["tables"]
        return set(entries) == set(tables) and all(
            pq.read_table(paths.parquet / entries[n]["file"]).equals(t) for n, t in tables.items()
        )
    except Exception:
        return False


@contextlib.contextmanager
def _locked(paths: DataPaths) -> Iterator[None]:
    """One import at a time per data directory (a flock on data/sources; no lock file is left behind)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    fd = os.open(paths.csv.parent, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ImportBusy(f"another `mtm import` is running on {paths.csv.parent}; try again") from None
        yield
    finally:
        os.close(fd)


# -- history ---------------------------------------------------------------------------------------------


def read_history(path: Path | str = DEFAULT_PATHS.history) -> list[dict]:
    """The recorded imports, oldest first (lines that are not JSON objects are skipped)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    out = []
    for line in text.splitlines():
        with contextlib.suppress(ValueError):
            rec = json.loads(line)
            if isinstance(rec, dict):
                out.append(rec)
    return out


def _history_bytes(path: Path, record: dict) -> tuple[bytes | None, bytes]:
    old = path.read_bytes() if path.exists() else None
    base = old or b""
    if base and not base.endswith(b"\n"):
        base += b"\n"
    return old, base + (json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")


def format_history(records: list[dict]) -> str:
    if not records:
        return "no imports recorded"
    lines = [f"{'when (UTC)':20s} {'added':>6s} {'same':>6s} {'confl':>6s} {'repl':>5s} {'docs':>4s}  file"]
    for r in records:
        when = str(r.get("at", "?")).replace("T", " ")[:19]
        note = " (tables rebuilt)" if r.get("repaired") else ""
        lines.append(
            f"{when:20s} {r.get('added', 0):6d} {r.get('unchanged', 0):6d} {r.get('conflicts', 0):6d} "
            f"{r.get('replaced', 0):5d} {len(r.get('new_documents', [])):4d}  {r.get('file', '?')} "
            f"[{str(r.get('sha256', ''))[:12]}]{note}"
        )
    return "\n".join(lines)


# -- the commands ----------------------------------------------------------------------------------------


def _report(plan: Plan, conflicts: list[Conflict], corroborated: int, history: list[dict]) -> ImportReport:
    previous = next((h for h in reversed(history) if h.get("sha256") == plan.sha256), None)
    return ImportReport(
        file=plan.file.name,
        sha256=plan.sha256,
        rows_in_file=plan.rows_in_file,
        added=len(plan.added),
        unchanged=len(plan.unchanged),
        conflicts=conflicts,
        corroborated=corroborated,
        new_documents=[nd.doc.id for nd in plan.new_documents],
        indicators=dict(Counter(r["indicator"] for r in plan.added)),
        warnings=plan.warnings,
        previous=previous,
    )


def _row_map(plan: Plan) -> dict[int, int]:
    return {plan.existing_rows + k: int(r[LINE]) for k, r in enumerate(plan.added, start=1)}


def validate_file(
    path: Path | str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    documents: Path | str | None = None,
    today: date | None = None,
    cat: Catalogue | None = None,
    progress: Progress | None = None,
    every: int = 1000,
) -> ImportReport:
    """Check a file as ``import_file`` would, and say what it would change; nothing is written under the
    data directory (the trial build goes to a temporary directory). Raises ImportRejected."""
    plan = plan_import(path, paths, documents=documents, today=today, cat=cat, progress=progress, every=every)
    conflicts, corroborated = [], 0
    if plan.added:
        with tempfile.TemporaryDirectory(prefix="mtm-validate-") as tmp:
            csv_tmp, docs_tmp = _stage(plan, paths, Path(tmp), today or date.today())
            if progress:
                progress("building", 0, 1)
            tables = build_tables(csv_tmp, docs_tmp or paths.documents, cat)
            conflicts, corroborated = _classify(tables, plan.existing_rows, _row_map(plan))
    report = _report(plan, conflicts, corroborated, read_history(paths.history))
    if not plan.added and not tables_in_sync(paths):
        report.warnings.append(
            Problem(
                None,
                None,
                "tables that are not a build of observations.csv (an interrupted import or a hand edit)",
                "tables in step with the CSV: `mtm import` or `mtm build` rebuilds them",
            )
        )
    return report


def import_file(
    path: Path | str,
    paths: DataPaths = DEFAULT_PATHS,
    *,
    documents: Path | str | None = None,
    today: date | None = None,
    now: datetime | None = None,
    cat: Catalogue | None = None,
    progress: Progress | None = None,
    every: int = 1000,
) -> ImportReport:
    """Validate a file and, when it is all right, append its new rows to observations.csv (and its new
    documents to documents.yaml), record the import in history.jsonl and rewrite the tables. All or nothing:
    raises ImportRejected (nothing written) or re-raises any failure after restoring every file."""
    now = now or datetime.now(UTC)
    today = today or now.date()
    with _locked(paths):
        plan = plan_import(
            path, paths, documents=documents, today=today, cat=cat, progress=progress, every=every
        )
        history = read_history(paths.history)
        staged: list[Path] = []
        try:
            repaired = False
            if plan.added:
                csv_tmp, docs_tmp = _stage(plan, paths, paths.csv.parent, today)
                staged = [p for p in (csv_tmp, docs_tmp) if p]
                if progress:
                    progress("building", 0, 1)
                tables = build_tables(csv_tmp, docs_tmp or paths.documents, cat)
                conflicts, corroborated = _classify(tables, plan.existing_rows, _row_map(plan))
            else:
                csv_tmp = docs_tmp = None
                tables = build_tables(paths.csv, paths.documents, cat)
                conflicts, corroborated = [], 0
                repaired = not tables_in_sync(paths, tables)
            report = _report(plan, conflicts, corroborated, history)
            report.repaired = repaired
            new_csv = csv_tmp.read_bytes() if csv_tmp else paths.csv.read_bytes()
            record = {
                "at": now.astimezone(UTC).isoformat(timespec="seconds"),
                "file": plan.file.name,
                "sha256": plan.sha256,
                "rows_in_file": plan.rows_in_file,
                "added": report.added,
                "unchanged": report.unchanged,
                "conflicts": len(conflicts),
                "replaced": report.replaced,
                "corroborated": corroborated,
                "new_documents": report.new_documents,
                "indicators": report.indicators,
                "source_csv_sha256": hashlib.sha256(new_csv).hexdigest(),
                "repaired": repaired,
            }
            old_history, new_history = _history_bytes(paths.history, record)
            if progress:
                progress("writing", 0, 1)
            _commit(
                paths, csv_tmp, docs_tmp, old_history, new_history, tables if plan.added or repaired else None
            )
        finally:
            for p in staged:
                p.unlink(missing_ok=True)
    report.written = bool(plan.added)
    report.record = record
    report.tables = {name: t.num_rows for name, t in tables.items()}
    return report


def _commit(
    paths: DataPaths,
    csv_tmp: Path | None,
    docs_tmp: Path | None,
    old_history: bytes | None,
    new_history: bytes,
    tables: dict[str, pa.Table] | None,
) -> None:
    """Switch every file by an atomic rename, in an order that keeps the data consistent at each step;
    on any exception restore the files already switched, byte for byte, and re-raise."""
    manifest = paths.parquet / MANIFEST
    old_manifest = manifest.read_bytes() if manifest.exists() else None
    old_files = set(os.listdir(paths.parquet)) if paths.parquet.is_dir() else set()
    undo: list[tuple[Path, bytes | None]] = []
    try:
        if docs_tmp is not None:  # only adds documents: harmless before the CSV cites them
            undo.append((paths.documents, paths.documents.read_bytes()))
            os.replace(docs_tmp, paths.documents)
        if csv_tmp is not None:  # the commit point: the source of truth now holds the import
            undo.append((paths.csv, paths.csv.read_bytes()))
            os.replace(csv_tmp, paths.csv)
            _fsync_dir(paths.csv.parent)
        undo.append((paths.history, old_history))
        _replace_with(paths.history, new_history)
        if tables is not None:  # readers switch to the new set with the manifest's rename
            write_tables(tables, paths.parquet)
    except BaseException:
        errors = []
        for target, data in reversed(undo):
            try:
                _replace_with(target, data)
            except Exception as exc:  # keep restoring the others
                errors.append(f"{target}: {exc}")
        try:
            if (manifest.read_bytes() if manifest.exists() else None) != old_manifest:
                _replace_with(manifest, old_manifest)
            # table files this import wrote (named by no manifest now): leave the directory as it was
            for name in set(os.listdir(paths.parquet)) - old_files:
                (paths.parquet / name).unlink(missing_ok=True)
        except Exception as exc:
            errors.append(f"{manifest}: {exc}")
        if errors:
            print(
                "error: the import failed and some files could not be restored; run `mtm build`: "
                + "; ".join(errors),
                file=sys.stderr,
            )
        raise


# -- the report as text ----------------------------------------------------------------------------------


def format_report(report: ImportReport, dry_run: bool = False) -> str:
    verb = "would add" if dry_run else "added"
    lines = []
    if report.added == 0:
        prev = report.previous
        since = f" (imported {str(prev.get('at', ''))[:10]} from {prev.get('file')})" if prev else ""
        lines.append(f"nothing new: all {report.unchanged} rows are already in observations.csv{since}")
    else:
        per = ", ".join(f"{k} {v}" for k, v in sorted(report.indicators.items()))
        lines.append(f"  {verb:10s} {report.added:6d} rows ({per})")
        lines.append(f"  {'unchanged':10s} {report.unchanged:6d} rows already in observations.csv")
        lines.append(f"  {'agreeing':10s} {report.corroborated:6d} figures now confirmed by another source")
        lines.append(
            f"  {'conflicts':10s} {len(report.conflicts):6d} figures whose sources disagree, resolved by the "
            f"precedence rule ({report.replaced} now show the new value)"
        )
        for c in report.conflicts:
            lines.append(f"    {c}")
        if report.new_documents:
            lines.append(
                f"  {'documents':10s} {len(report.new_documents):6d} new: {', '.join(report.new_documents)}"
            )
    if report.repaired:
        lines.append("  the tables were behind observations.csv (an interrupted import?) and were rebuilt")
    for w in report.warnings:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)


# -- templates -------------------------------------------------------------------------------------------

_COLUMN_HELP = {
    "indicator": ("an indicator id of the catalogue", "trp_issued"),
    "period": ("2023-Q2, 2023-04, 2023-H1, 2023, 2023-01..2023-05 (ytd), 2023-08-01 (date)", "2025-Q3"),
    "period_type": ("quarter, month, half, year, ytd or date", "quarter"),
    "country": ("the country name as printed in the source; Total; Other", "Total"),
    "country_iso3": ("ISO 3166-1 alpha-3 code; TOT for the total; OTH for other countries", "TOT"),
    "measure": ("count, amount, share_pct, change_pct_yoy, change_pct_prev, change_abs_prev", "count"),
    "value": ("a number: dot as decimal separator, no thousands separator, no % sign", "308710"),
    "unit": ("persons, permits, visas, transactions, KZT_bn, USD_mn, percent", "permits"),
    "source_agency": (
        "the agency the source credits",
        "Ministry of Internal Affairs (Migration Service Committee)",
    ),
    "document": (
        "the document's title: as in documents.yaml, or described on the documents sheet",
        "IOM MTM …",
    ),
    "url": ("the link to the document (as in documents.yaml)", "https://…"),
    "quote": ("the verbatim text the figure was read from", "in Q3 of 2025, … individuals received …"),
}
_DOC_HELP = {
    "id": ("optional: a short id (made from publisher and date when empty)", "iom-mtm-2025-q3"),
    "document": ("the title, exactly as in the rows' document column", "IOM MTM Kazakhstan — Report Q3 2025"),
    "url": ("the link (http:// or https://)", "https://…"),
    "publisher": ("who published it", "IOM"),
    "kind": ("iom_report, agency_release or news (decides which source is shown)", "iom_report"),
    "language": ("optional: en, ru, kk…", "en"),
    "published": ("publication date YYYY-MM-DD", "2025-10-15"),
    "published_basis": ("url, text (printed in the document) or estimated", "text"),
}


def write_templates(directory: Path = TEMPLATES_DIR, cat: Catalogue | None = None) -> list[Path]:
    """The empty import templates: observations.csv, documents.csv and observations.xlsx (two sheets with the
    header row, columns formatted as text so Excel keeps 2023-04 as typed, drop-downs from the catalogue,
    and a help sheet)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    cat = cat or catalogue()
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, cols in (("observations.csv", SOURCE_COLUMNS), ("documents.csv", DOC_COLUMNS)):
        p = directory / name
        with open(p, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, lineterminator="\r\n").writerow(cols)
        out.append(p)

    wb = Workbook()
    lists = {
        "indicator": [i.id for i in cat.indicators],
        "period_type": list(PERIOD_TYPES),
        "measure": [m.id for m in cat.measures],
        "unit": [u.id for u in cat.units],
        "kind": list(KIND_RANK),
        "published_basis": list(PUBLISHED_BASIS),
    }
    for title, cols in ((OBSERVATIONS_SHEET, SOURCE_COLUMNS), (DOCUMENTS_SHEET, DOC_COLUMNS)):
        ws = wb.active if title == OBSERVATIONS_SHEET else wb.create_sheet(title)
        ws.title = title
        ws.append(list(cols))
        ws.freeze_panes = "A2"
        for i, col in enumerate(cols, start=1):
            ws.cell(row=1, column=i).font = Font(bold=True)
            letter = ws.cell(row=1, column=i).column_letter
            dim = ws.column_dimensions[letter]
            dim.width = {"quote": 60, "document": 50, "url": 40, "source_agency": 35}.get(col, 16)
            if col not in ("value",):
                dim.number_format = "@"  # text: Excel must not turn 2023-04 into a date or 0012 into 12
            if col in lists:
                src = chr(ord("A") + list(lists).index(col))  # its column on the hidden lists sheet
                dv = DataValidation(
                    type="list",
                    formula1=f"lists!${src}$2:${src}${len(lists[col]) + 1}",
                    allow_blank=True,
                    showErrorMessage=False,
                )
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}10000")
    ls = wb.create_sheet("lists")
    for i, (name, values) in enumerate(lists.items(), start=1):
        ls.cell(row=1, column=i, value=name)
        for k, v in enumerate(values, start=2):
            ls.cell(row=k, column=i, value=v)
    ls.sheet_state = "hidden"
    help_ = wb.create_sheet("help")
    help_.append(["sheet", "column", "what to type", "example"])
    for sheet, table in ((OBSERVATIONS_SHEET, _COLUMN_HELP), (DOCUMENTS_SHEET, _DOC_HELP)):
        for col, (what, example) in table.items():
            help_.append([sheet, col, what, example])
    help_.append([])
    help_.append(["", "", "Check with `mtm validate FILE`, then `mtm import FILE` (docs/importing.md)."])
    for letter, width in (("A", 14), ("B", 16), ("C", 80), ("D", 50)):
        help_.column_dimensions[letter].width = width
    p = directory / "observations.xlsx"
    wb.save(p)
    out.append(p)
    return out


if __name__ == "__main__":  # python -m dashboard.importer templates
    if sys.argv[1:] == ["templates"]:
        for p in write_templates():
            print(f"wrote {p}")
    else:
        print("usage: python -m dashboard.importer templates   (the CLI is `mtm import|validate|history`)")
