"""Build the Parquet tables from the cited source CSV (``mtm build``).

Steps: validate every row against the catalogue; keep every row as a published observation with its source;
rank rows that print the same figure by the precedence rule; derive what can be derived honestly (a count from
a published share and total, a quarter from its three reported months), marked as derived with how; write the
tables atomically.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from dashboard import derivations, i18n
from dashboard.atomic import write_bytes_atomic
from dashboard.catalogue import Catalogue, catalogue
from dashboard.countries import OTHER, TOTAL, is_valid_code
from dashboard.data import MANIFEST  # the reader's name for it: one name on both sides
from dashboard.events import EventsError, load_events
from dashboard.periods import PeriodError, months_of_quarter, parse_period, quarter_of_month
from dashboard.pipeline.record import ReleaseLog, load_log
from dashboard.pipeline.versions import changes_table, releases_table, source_id, versioned_observations
from dashboard.schema import (
    CHANGES_TABLE,
    FIGURE_KEY,
    KIND_RANK,
    OBSERVATION_SCHEMA,
    RELEASES_TABLE,
    SOURCE_COLUMNS,
    SOURCE_SCHEMA,
    SOURCES_TABLE,
    TABLES,
)

ROOT = Path(__file__).resolve().parents[2]  # the repository (dashboard/pipeline/build.py)
SOURCE_CSV = ROOT / "data" / "sources" / "observations.csv"
DOCUMENTS_YAML = ROOT / "data" / "sources" / "documents.yaml"
PARQUET_DIR = ROOT / "data" / "parquet"

LEVEL_MEASURES = ("count", "amount")
LINE = "__line__"  # key under which read_source_csv keeps each record's line number
NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$")  # no "1,234", "12,5", "1_234", "inf" or "nan"


class BuildError(Exception):
    """The source data is not valid; ``problems`` lists every problem found, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s):\n" + "\n".join(problems))


@dataclass(frozen=True)
class Document:
    id: str
    document: str
    url: str
    publisher: str
    kind: str
    published: date
    published_basis: str


def load_documents(path: Path = DOCUMENTS_YAML) -> dict[str, Document]:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)["documents"]
    docs = {}
    for d in raw:
        pub = d["published"]
        docs[d["document"]] = Document(
            id=d["id"],
            document=d["document"],
            url=d["url"],
            publisher=d["publisher"],
            kind=d["kind"],
            published=pub if isinstance(pub, date) else date.fromisoformat(str(pub)),
            published_basis=d["published_basis"],
        )
    return docs


def read_source_csv(path: Path = SOURCE_CSV) -> list[dict[str, str]]:
    # utf-8-sig: a byte-order mark (Excel) is not part of the first column's name.
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = tuple(reader.fieldnames or ())
        if cols != SOURCE_COLUMNS:
            missing = [c for c in SOURCE_COLUMNS if c not in cols]
            extra = [c for c in cols if c not in SOURCE_COLUMNS]
            raise BuildError(
                [
                    f"{path.name}: columns must be exactly {', '.join(SOURCE_COLUMNS)}; "
                    f"missing {missing}, extra {extra}"
                ]
            )
        rows = []
        for r in reader:
            # DictReader puts surplus fields under None and fills missing ones with None
            if None in r or any(v is None for v in r.values()):
                found = len(SOURCE_COLUMNS) + len(r.get(None) or []) - sum(v is None for v in r.values())
                raise BuildError(
                    [
                        f"line {reader.line_num}: {found} fields, expected {len(SOURCE_COLUMNS)} "
                        "(a quote containing a comma must be in double quotes)"
                    ]
                )
            r[LINE] = str(reader.line_num)  # the file line the record ends on (blank lines are skipped)
            rows.append(r)
        return rows


def validate_rows(rows: list[dict[str, str]], docs: dict[str, Document], cat: Catalogue) -> list[str]:
    """Every problem in the rows, each naming the CSV line (header = line 1)."""
    problems: list[str] = []
    for n, r in enumerate(rows, start=2):
        i = int(r.get(LINE, n))

        def bad(column: str, expected: str, _i: int = i, _r: dict[str, str] = r) -> None:
            problems.append(f"line {_i}, column {column}: {_r.get(column)!r} — expected {expected}")

        if not cat.has_indicator(r["indicator"]):
            bad("indicator", "an indicator of the catalogue")
            continue
        ind = cat.indicator(r["indicator"])
        if r["measure"] not in ind.measures:
            bad("measure", f"one of {', '.join(ind.measures)} for {ind.id}")
        if r["unit"] not in ind.units:
            bad("unit", f"one of {', '.join(ind.units)} for {ind.id}")
        if r["period_type"] not in ind.granularities:
            bad("period_type", f"one of {', '.join(ind.granularities)} for {ind.id}")
        else:
            try:
                parse_period(r["period"], r["period_type"])
            except PeriodError as exc:
                bad("period", str(exc))
        if not is_valid_code(r["country_iso3"]):
            bad("country_iso3", "an ISO 3166-1 alpha-3 code, TOT or OTH")
        if not NUMBER.match(r["value"].strip()) or not math.isfinite(float(r["value"])):
            bad("value", "a number with a dot as decimal separator and no thousands separator")
        elif float(r["value"]) < 0 and r["measure"] in ("count", "amount", "share_pct"):
            bad("value", "a non-negative number for a level")
        if r["document"] not in docs:
            bad("document", "a document described in documents.yaml")
        elif docs[r["document"]].url != r["url"]:
            bad("url", f"the document's url {docs[r['document']].url!r}")
        if not r["quote"].strip():
            bad("quote", "the verbatim text the figure was read from")
    return problems


def _rank_key(row: dict[str, str], csv_row: int, docs: dict[str, Document]) -> tuple:
    doc = docs[row["document"]]
    # IOM report, then the agency's own release, then news; ties go to the later publication, then file order.
    return (KIND_RANK[doc.kind], -doc.published.toordinal(), csv_row)


def _observation(row: dict, source_id: str) -> dict:
    p = parse_period(row["period"], row["period_type"])
    return {
        "obs_id": source_id,
        "indicator": row["indicator"],
        "period": p.id,
        "period_type": p.type,
        "period_start": p.start,
        "period_end": p.end,
        "country_iso3": row["country_iso3"],
        "country_source_name": row["country"],
        "measure": row["measure"],
        "value": float(row["value"]),
        "unit": row["unit"],
        "source_id": source_id,
        "method": "published",
        "derivation": None,
        "derived_from": None,
        "_document": row["document"],  # transient: not a column
    }


def _key(o: dict) -> tuple:
    return tuple(o[k] for k in FIGURE_KEY)


def rank_figures(observations: list[dict], rank_of: dict[str, tuple]) -> None:
    """Set n_sources, conflict, rank and preferred on each observation, in place."""
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for o in observations:
        groups[_key(o)].append(o)
    for group in groups.values():
        group.sort(key=lambda o: rank_of[o["obs_id"]])
        distinct = {o["value"] for o in group}
        for n, o in enumerate(group, start=1):
            o.update(n_sources=len(group), conflict=len(distinct) > 1, rank=n, preferred=n == 1)


def _derived(base: dict, obs_id: str, value: float, how: str, inputs: Iterable[dict], **changes) -> dict:
    o = dict(base)
    o.update(
        obs_id=obs_id,
        value=value,
        method="derived",
        derivation=how,
        derived_from=[i["obs_id"] for i in inputs],
        country_source_name=None,
        n_sources=1,
        conflict=False,
        rank=1,
        preferred=True,
        **changes,
    )
    return o


def derive_counts_from_shares(preferred: list[dict]) -> list[dict]:
    """A level for a country from its published share and the total printed by the same document, where no
    level was printed for that country."""
    by_key = {_key(o): o for o in preferred}
    out = []
    for share in preferred:
        if share["measure"] != "share_pct" or share["country_iso3"] == TOTAL:
            continue
        for total in preferred:
            if (
                total["indicator"] != share["indicator"]
                or total["period"] != share["period"]
                or total["period_type"] != share["period_type"]
                or total["country_iso3"] != TOTAL
                or total["measure"] not in LEVEL_MEASURES
                # only a share and a total printed by the same document describe the same base
                or total["_document"] != share["_document"]
            ):
                continue
            key = (*_key(share)[:4], total["measure"], total["unit"])
            if key in by_key:  # a published level exists: nothing to derive
                continue
            value = share["value"] / 100.0 * total["value"]
            how = derivations.share_of_total(share, total)
            unsure = [o for o in (share, total) if o["conflict"]]
            obs_id = f"der-share-{share['obs_id']}-{total['obs_id']}"
            derived = _derived(
                share, obs_id, value, how, (share, total), measure=total["measure"], unit=total["unit"]
            )
            derived["conflict"] = bool(unsure)
            out.append(derived)
    return out


def derive_quarters_from_months(preferred: list[dict]) -> list[dict]:
    """A quarter's level as the sum of its three reported months, where the quarter itself was not printed."""
    months: dict[tuple, dict[str, dict]] = defaultdict(dict)
    published_quarters = set()
    for o in preferred:
        if o["measure"] not in LEVEL_MEASURES or o["country_iso3"] == OTHER:
            continue
        if o["period_type"] == "month":
            k = (o["indicator"], quarter_of_month(o["period"]), o["country_iso3"], o["measure"], o["unit"])
            months[k][o["period"]] = o
        elif o["period_type"] == "quarter":
            published_quarters.add((o["indicator"], o["period"], o["country_iso3"], o["measure"], o["unit"]))
    out = []
    for k, got in months.items():
        _, qid, _, _, unit = k
        wanted = months_of_quarter(qid)
        if k in published_quarters or any(m not in got for m in wanted):
            continue
        parts = [got[m] for m in wanted]
        p = parse_period(qid, "quarter")
        how = derivations.sum_of_months(parts, unit)
        unsure = [m for m in parts if m["conflict"]]
        obs_id = "der-months-" + "-".join(m["obs_id"] for m in parts)
        derived = _derived(
            parts[0],
            obs_id,
            sum(m["value"] for m in parts),
            how,
            parts,
            period=qid,
            period_type="quarter",
            period_start=p.start,
            period_end=p.end,
        )
        derived["conflict"] = bool(unsure)
        out.append(derived)
    return out


def build_tables(
    csv_path: Path = SOURCE_CSV,
    documents_path: Path = DOCUMENTS_YAML,
    cat: Catalogue | None = None,
    log: ReleaseLog | None = None,
) -> dict[str, pa.Table]:
    """Validate the source CSV and return every table, by name (nothing is written).

    ``log``: the releases and revisions (default: those recorded next to ``csv_path``, checked; raises
    ReleaseRecordError when they were edited by hand; a CSV with no record is one release). Every release's
    figure set is built as the data stood then; the rows carry their validity interval.

    The tables are language-neutral; the derivation texts they keep are English (figures.derivation_text
    says them again in the reader's language), whatever language the caller is working in."""
    with i18n.use(i18n.DEFAULT):
        return _build_tables(csv_path, documents_path, cat, log)


def _build_tables(
    csv_path: Path, documents_path: Path, cat: Catalogue | None, log: ReleaseLog | None
) -> dict[str, pa.Table]:
    cat = cat or catalogue()
    try:  # the events and reference values drawn on the trends: a bad entry refuses the build, named
        load_events(cat=cat)
    except EventsError as exc:
        raise BuildError([str(exc)]) from None
    docs = load_documents(documents_path)
    rows = read_source_csv(csv_path)
    problems = validate_rows(rows, docs, cat)
    if problems:
        raise BuildError(problems)
    log = log or load_log(csv_path, len(rows))
    covered = log.releases[-1]["rows"][1] if log.releases else 0
    if covered != len(rows):
        raise BuildError([f"{csv_path.name} has {len(rows)} rows but releases.jsonl covers {covered}"])
    sources = [_source(n, row, docs[row["document"]]) for n, row in enumerate(rows, start=1)]
    observations = versioned_observations(rows, log, lambda numbered: figure_set(numbered, docs))

    domain_of = {i.id: i.domain for i in cat.indicators}
    tables: dict[str, pa.Table] = {}
    for name, domains in TABLES.items():
        part = [o for o in observations if domain_of[o["indicator"]] in domains]
        part.sort(key=_table_order)
        tables[name] = pa.Table.from_pylist(part, schema=OBSERVATION_SCHEMA)
    tables[SOURCES_TABLE] = pa.Table.from_pylist(sources, schema=SOURCE_SCHEMA)
    tables[RELEASES_TABLE] = releases_table(log)
    tables[CHANGES_TABLE] = changes_table(rows, log)
    return tables


def _table_order(o: dict) -> tuple:
    return (
        o["indicator"],
        o["period_start"],
        o["period_type"],
        o["period"],
        o["country_iso3"],
        o["measure"],
        o["unit"],
        o["rank"],
        o["obs_id"],
        o["valid_from"],
    )


def _source(n: int, row: dict[str, str], doc: Document) -> dict:
    return {
        "source_id": source_id(n),
        "csv_row": n,
        "document_id": doc.id,
        "document": doc.document,
        "publisher": doc.publisher,
        "kind": doc.kind,
        "published": doc.published,
        "published_basis": doc.published_basis,
        "agency": row["source_agency"],
        "url": row["url"],
        "quote": row["quote"],
    }


def figure_set(numbered: list[tuple[int, dict[str, str]]], docs: dict[str, Document]) -> list[dict]:
    """The observations of these rows (each with its observations.csv row number): every row published,
    ranked by the precedence rule, and the values derived from the preferred ones."""
    observations, rank_of = [], {}
    for n, row in numbered:
        sid = source_id(n)
        observations.append(_observation(row, sid))
        rank_of[sid] = _rank_key(row, n, docs)
    rank_figures(observations, rank_of)
    preferred = [o for o in observations if o["preferred"]]
    return observations + derive_counts_from_shares(preferred) + derive_quarters_from_months(preferred)


def write_tables(tables: dict[str, pa.Table], out_dir: Path = PARQUET_DIR) -> None:
    """Write a new set of tables so that readers see either the old set or the new one, never a mix.

    Each table goes to a file named by its content hash (``flows-<sha>.parquet``), written aside and renamed;
    existing files are never overwritten. Then ``manifest.json``, which names the set, is replaced atomically:
    that single rename is the switch. Files named by neither the new nor the previous manifest are removed
    afterwards (the previous set is kept one generation for readers that were loading it).
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = _manifest_files(out_dir)
    entries = {}
    for name, table in tables.items():
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd")
        raw = buf.getvalue()
        digest = hashlib.sha256(raw).hexdigest()
        final = out_dir / f"{name}-{digest[:16]}.parquet"
        if not final.exists():
            write_bytes_atomic(final, raw)
        entries[name] = {"file": final.name, "sha256": digest, "rows": table.num_rows}
    # the manifest last: it is the single switch from the previous data set to this one
    manifest = json.dumps({"tables": entries}, indent=2, sort_keys=True) + "\n"
    write_bytes_atomic(out_dir / MANIFEST, manifest.encode())
    keep = {e["file"] for e in entries.values()} | previous
    for stale in out_dir.glob("*.parquet"):
        if stale.name not in keep:
            stale.unlink(missing_ok=True)


def _manifest_files(out_dir: Path) -> set[str]:
    try:
        return {e["file"] for e in json.loads((out_dir / MANIFEST).read_text())["tables"].values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
