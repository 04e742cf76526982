"""The whole data set as a Frictionless Data Package (v2; readable by v1 tools): one zip per data version
and release, with ``datapackage.json`` (a Table Schema per table: types, descriptions, missing values,
primary and foreign keys), every figure as CSV and Parquet with its status, derivation, conflict flag and
source (document and verbatim quote), the source rows, the documents, the indicator catalogue (CSV with the
Russian and Kazakh titles, and the whole catalogue as JSON), the units, the release record and its changes,
a README, the code's licence and the citation of the data.

Read side only: built from a DataStore and the catalogue (never from ``dashboard.pipeline``), so it travels
with ``DATA_URL`` like the tables. The bytes depend only on the data version and the release (fixed zip
timestamps, no build time), so the ETag is known without building, and one zip is remembered per version.
Served at ``/api/v1/datapackage.zip[?release=N]``; ``mtm package --out DIR`` writes the same files.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections import OrderedDict
from datetime import datetime
from pathlib import Path

import polars as pl
from flask import Flask, Response, jsonify, request

from dashboard import i18n
from dashboard.atomic import write_bytes_atomic
from dashboard.catalogue import Catalogue, english_catalogue
from dashboard.countries import country_name
from dashboard.data import DataStore, DataUnavailable, get_store
from dashboard.downloads import COLUMNS as DOWNLOAD_COLUMNS
from dashboard.figures import derivation_text
from dashboard.partial import partial_note
from dashboard.periods import parse_period, period_label
from dashboard.releases import UnknownRelease

ROUTE = "/api/v1/datapackage.zip"
# Bumped whenever the package's layout changes: part of the ETag, so a client never keeps a stale layout.
FORMAT = 1
LICENSE_FILE = Path(__file__).resolve().parent.parent / "LICENSE"
PACKAGE_NAME = "mtm-kazakhstan"
AUTHOR = "MTM Dashboard contributors"  # as in LICENSE
TITLE = "Kazakhstan Migration Tracking Matrix: figures with their sources"
TABLE_SCHEMA = "https://datapackage.org/profiles/2.0/tableschema.json"
PACKAGE_SCHEMA = "https://datapackage.org/profiles/2.0/datapackage.json"
MISSING = [""]  # an empty cell: no value (e.g. a year-to-date whose end was not printed); never zero

# -- the tables' fields: (name, Table Schema type, description) -----------------------------------------
_FIGURE_DESCRIPTIONS = {
    "obs_id": "Id of the figure's row: obs-NNNNN is row NNNNN of observations.csv (printed by a source); "
    "der-... is a value derived at build from the rows in derived_from",
    "indicator": "Indicator id (see indicators.csv)",
    "indicator_title": "Indicator title (English; Russian and Kazakh in indicators.csv)",
    "country_iso3": "Counterpart country, ISO 3166-1 alpha-3; TOT = the total, OTH = other countries",
    "country": "Counterpart country name (English)",
    "period": "Period id (2023-Q2, 2023-04, 2023-H1, 2023, 2023-YTD-09, or a date for a stock)",
    "period_type": "month | quarter | half | ytd | year | date",
    "period_label": "The period in words (English)",
    "period_start": "First day of the period",
    "period_end": "Last day of the period (empty: a year-to-date whose end the source did not print)",
    "measure": "count | amount | share_pct | change_pct_prev | change_pct_yoy | change_abs_prev",
    "value": "The figure, in the unit of the unit column. A figure nobody published has no row here: "
    "not reported is not zero",
    "unit": "Unit id (see units.csv): persons, permits, visas, transactions, KZT_bn, USD_mn, percent",
    "status": "published = printed by the source as it stands; derived = computed at build from "
    "published figures (see derivation)",
    "derivation": "How a derived value was computed, in words (empty when published)",
    "conflict": "true when the sources printing this figure disagree on its value",
    "n_sources": "How many source rows print this figure (all kept; see rank and preferred)",
    "source_document": "The source document(s), ' | ' between several",
    "source_agency": "The agency the source attributes the figure to",
    "source_url": "Link to the source document ('seed': the IOM report the project started from)",
    "source_quote": "The source's words, verbatim",
    "partial": "Why the period is not complete in the data (a year to date short of the year), else empty",
    "previous_value": "On a revised figure: the value it replaced",
    "revision_reason": "On a revised figure: why it was revised",
    "revised_in": "On a revised figure: the release that revised it",
    "derivation_data": "A derived value's inputs as JSON (kind and input numbers)",
    "derived_from": "obs_ids a derived value was computed from, space-separated",
    "rank": "1 = the row chosen among the sources of this figure by the precedence rule",
    "preferred": "true for the chosen row of each figure (rank 1); the dashboard shows these",
    "source_id": "The source row (sources.csv) of a published value; a derived value's first input",
    "document_id": "The document (documents.csv) of source_id",
    "country_source_name": "The country as printed in the source (empty when derived)",
    "valid_from": "The release since which this row holds",
}
_FIGURE_TYPES = {
    "period_start": "date",
    "period_end": "date",
    "value": "number",
    "previous_value": "number",
    "conflict": "boolean",
    "preferred": "boolean",
    "n_sources": "integer",
    "revised_in": "integer",
    "rank": "integer",
    "valid_from": "integer",
}
# The explorer's download columns first (same names and order), then what only the whole set needs.
FIGURE_COLUMNS = (
    "obs_id",
    *DOWNLOAD_COLUMNS,
    "derivation_data",
    "derived_from",
    "rank",
    "preferred",
    "source_id",
    "document_id",
    "country_source_name",
    "valid_from",
)

SOURCE_FIELDS = (
    ("source_id", "string", "Id of a row of observations.csv: obs-NNNNN"),
    ("csv_row", "integer", "Its data row number in observations.csv (1-based)"),
    ("document_id", "string", "The document it was read from (documents.csv)"),
    ("document", "string", "The document's title"),
    ("publisher", "string", "Who published the document"),
    ("kind", "string", "iom_report | agency_release | news (the precedence order among conflicting sources)"),
    ("published", "date", "The document's publication date (see published_basis)"),
    ("published_basis", "string", "url: a date in the link; text: printed in it; estimated: not printed"),
    ("agency", "string", "The agency the figure is attributed to"),
    ("url", "string", "Link to the document"),
    ("quote", "string", "The source's words, verbatim"),
)
DOCUMENT_FIELDS = (SOURCE_FIELDS[2], *SOURCE_FIELDS[3:8], SOURCE_FIELDS[9])
RELEASE_FIELDS = (
    ("release", "integer", "Release number (1 = the initial build)"),
    ("at", "datetime", "When it was made (UTC; empty: built before releases were recorded)"),
    ("kind", "string", "build | import | withdraw"),
    ("file", "string", "The file imported"),
    ("file_sha256", "string", "Its SHA-256"),
    ("by", "string", "Who made the release"),
    ("note", "string", "A line on the release"),
    ("rows_first", "integer", "First observations.csv row it appended"),
    ("rows_last", "integer", "Last observations.csv row it appended (below rows_first: none)"),
    ("added", "integer", "Figures added"),
    ("revised", "integer", "Figures revised"),
    ("withdrawn", "integer", "Figures withdrawn"),
    ("observations_sha256", "string", "SHA-256 of observations.csv after the release"),
    ("revisions_sha256", "string", "SHA-256 of revisions.csv after the release"),
    ("prev", "string", "The previous record's sha256 (a hash chain)"),
    ("sha256", "string", "SHA-256 of record"),
    ("record", "string", "The canonical JSON of the release record"),
)
CHANGE_FIELDS = (
    ("release", "integer", "The release (releases.csv)"),
    ("change", "string", "added | revised | withdrawn"),
    ("source_id", "string", "The row added, the revising row, or the row withdrawn (sources.csv)"),
    ("previous_source_id", "string", "Revised: the row it replaced"),
    ("csv_row", "integer", "observations.csv row of source_id"),
    ("indicator", "string", "Indicator id"),
    ("period", "string", "Period id"),
    ("period_type", "string", "Period type"),
    ("country_iso3", "string", "Counterpart country (ISO3, TOT, OTH)"),
    ("measure", "string", "Measure id"),
    ("unit", "string", "Unit id"),
    ("document", "string", "The document"),
    ("value", "number", "The value after the release (empty: withdrawn)"),
    ("previous_value", "number", "Revised: the old value; withdrawn: the value withdrawn"),
    ("reason", "string", "Revised or withdrawn: why"),
)
_TRANSLATED = ("ru", "kk")
INDICATOR_FIELDS = (
    ("id", "string", "Indicator id"),
    ("title", "string", "Title (English)"),
    *((f"title_{lang}", "string", f"Title ({lang})") for lang in _TRANSLATED),
    ("short_title", "string", "Short title (English)"),
    ("definition", "string", "Definition (English), in the sources' own terms"),
    *((f"definition_{lang}", "string", f"Definition ({lang})") for lang in _TRANSLATED),
    ("domain", "string", "flows | permits | visas | labour | remittances"),
    ("kind", "string", "flow (counted over a span of time) | stock (counted on a day)"),
    ("counterpart", "string", "What the counterpart country means"),
    ("measures", "string", "Measures its publisher can print, space-separated"),
    ("units", "string", "Units, space-separated (units.csv)"),
    ("period_types", "string", "Period types its publisher can print, space-separated"),
    ("cadence", "string", "Expected publication cadence"),
    ("default_measure", "string", "The measure shown first"),
    ("default_unit", "string", "The unit shown first"),
    ("notes", "string", "Caveats (English), ' | ' between several"),
)
UNIT_FIELDS = (
    ("id", "string", "Unit id"),
    ("label", "string", "Label (English)"),
    *((f"label_{lang}", "string", f"Label ({lang})") for lang in _TRANSLATED),
    ("kind", "string", "count | money | percent"),
    ("decimals", "integer", "Decimals shown"),
)


class PackageError(ValueError):
    """A request for a package that cannot exist (an unknown release); the message says what does."""


def _schema(fields, primary_key=None, foreign_keys=()) -> dict:
    out: dict = {
        "$schema": TABLE_SCHEMA,
        "fields": [{"name": n, "type": t, "description": d} for n, t, d in fields],
        "missingValues": MISSING,
    }
    if primary_key:
        out["primaryKey"] = list(primary_key)
    if foreign_keys:
        out["foreignKeys"] = [
            {"fields": list(f), "reference": {"resource": res, "fields": list(rf)}}
            for f, res, rf in foreign_keys
        ]
    return out


def figure_fields() -> tuple[tuple[str, str, str], ...]:
    return tuple((c, _FIGURE_TYPES.get(c, "string"), _FIGURE_DESCRIPTIONS[c]) for c in FIGURE_COLUMNS)


FIGURE_KEYS = (
    (("indicator",), "indicators", ("id",)),
    (("unit",), "units", ("id",)),
    (("source_id",), "sources", ("source_id",)),
    (("document_id",), "documents", ("document_id",)),
)


# -- tables -------------------------------------------------------------------------------------------------
def figures_frame(store: DataStore) -> pl.DataFrame:
    """Every figure row of the store (alternatives included: ``preferred`` marks the chosen one), with its
    status, derivation and source, in English."""
    cat = english_catalogue()
    by_id = {r["source_id"]: r for r in store.sources.iter_rows(named=True)}
    titles = {i.id: i.title for i in cat.indicators}
    rows = []
    with i18n.use("en"):
        for r in store.observations.sort("obs_id").iter_rows(named=True):
            rows.append(_figure_row(r, by_id, titles))
    schema = {c: pl.String for c in FIGURE_COLUMNS} | {
        "period_start": pl.Date,
        "period_end": pl.Date,
        "value": pl.Float64,
        "previous_value": pl.Float64,
        "conflict": pl.Boolean,
        "preferred": pl.Boolean,
        "n_sources": pl.Int64,
        "revised_in": pl.Int64,
        "rank": pl.Int64,
        "valid_from": pl.Int64,
    }
    return pl.DataFrame(rows, schema=schema)


def _figure_row(r: dict, by_id: dict, titles: dict) -> dict:
    # a derived value's sources are those of its inputs; a published value's, its own row
    ids = [i for i in (r["derived_from"] or [r["source_id"]]) if i in by_id]
    srcs = [by_id[i] for i in ids]

    def joined(key: str) -> str:
        return " | ".join(dict.fromkeys(s[key] for s in srcs))

    own = by_id.get(r["source_id"])
    p = parse_period(r["period"], r["period_type"])
    return {
        "obs_id": r["obs_id"],
        "indicator": r["indicator"],
        "indicator_title": titles[r["indicator"]],
        "country_iso3": r["country_iso3"],
        "country": country_name(r["country_iso3"]),
        "period": r["period"],
        "period_type": r["period_type"],
        "period_label": period_label(p),
        "period_start": r["period_start"],
        "period_end": r["period_end"],
        "measure": r["measure"],
        "value": r["value"],
        "unit": r["unit"],
        "status": r["method"],
        "derivation": derivation_text(r["derivation"]) if r["derivation"] else None,
        "conflict": bool(r["conflict"]),
        "n_sources": int(r["n_sources"]),
        "source_document": joined("document"),
        "source_agency": joined("agency"),
        "source_url": joined("url"),
        "source_quote": joined("quote"),
        "partial": partial_note(r["period"], r["period_type"]) or None,
        "previous_value": r.get("previous_value"),
        "revision_reason": r.get("revision_reason"),
        "revised_in": r.get("revised_in"),
        "derivation_data": r["derivation"],
        "derived_from": " ".join(r["derived_from"]) if r["derived_from"] else None,
        "rank": int(r["rank"]),
        "preferred": bool(r["preferred"]),
        "source_id": r["source_id"],
        "document_id": own["document_id"] if own else None,
        "country_source_name": r["country_source_name"],
        "valid_from": int(r["valid_from"]),
    }


def documents_frame(store: DataStore) -> pl.DataFrame:
    """One row per source document (the sources table's document columns, which each document states once)."""
    cols = [n for n, _t, _d in DOCUMENT_FIELDS]
    return store.sources.select(cols).unique(subset="document_id", keep="first").sort("document_id")


def indicators_frame(cat: Catalogue) -> pl.DataFrame:
    rows = []
    for ind in cat.indicators:
        loc = {lang: ind.localized(lang) for lang in _TRANSLATED}
        rows.append(
            {
                "id": ind.id,
                "title": ind.title,
                **{f"title_{lang}": loc[lang].title for lang in _TRANSLATED},
                "short_title": ind.short_title,
                "definition": ind.definition,
                **{f"definition_{lang}": loc[lang].definition for lang in _TRANSLATED},
                "domain": ind.domain,
                "kind": ind.kind,
                "counterpart": cat.counterparts[ind.counterpart],
                "measures": " ".join(ind.measures),
                "units": " ".join(ind.units),
                "period_types": " ".join(ind.granularities),
                "cadence": ind.cadence,
                "default_measure": ind.default.measure,
                "default_unit": ind.default.unit,
                "notes": " | ".join(ind.notes),
            }
        )
    return pl.DataFrame(rows, schema={n: pl.String for n, _t, _d in INDICATOR_FIELDS})


def units_frame(cat: Catalogue) -> pl.DataFrame:
    rows = [
        {
            "id": u.id,
            "label": u.label,
            **{f"label_{lang}": u.localized(lang).label for lang in _TRANSLATED},
            "kind": u.kind,
            "decimals": u.decimals,
        }
        for u in cat.units
    ]
    return pl.DataFrame(
        rows, schema={n: (pl.Int64 if t == "integer" else pl.String) for n, t, _d in UNIT_FIELDS}
    )


def _release_tables(store: DataStore) -> tuple[pl.DataFrame, pl.DataFrame]:
    names = [n for n, _t, _d in RELEASE_FIELDS]
    releases = (
        store.release_table.select(names).sort("release")
        if store.release_table is not None
        else pl.DataFrame(schema={n: pl.String for n in names})
    )
    cnames = [n for n, _t, _d in CHANGE_FIELDS]
    changes = (
        store.change_table.select(cnames).sort(["release", "csv_row"])
        if store.change_table is not None
        else pl.DataFrame(schema={n: pl.String for n in cnames})
    )
    return releases, changes


# -- the package --------------------------------------------------------------------------------------------
def base_version(store: DataStore) -> str:
    """The data set's version (an earlier release's store says ``<version>@rN``)."""
    return store.version.split("@", 1)[0]


def etag(store: DataStore) -> str:
    return f'"datapackage-{FORMAT}-{base_version(store)}-r{store.release or 0}"'


def file_stem(store: DataStore) -> str:
    return f"{PACKAGE_NAME}-{base_version(store)}-release-{store.release or 0}"


def _release_at(store: DataStore) -> datetime | None:
    if store.release_table is None or store.release is None:
        return None
    rows = store.release_table.filter(pl.col("release") == store.release)
    return rows["at"][0] if len(rows) else None


def citation(store: DataStore) -> tuple[str, str]:
    """The data's citation: plain text and BibTeX (no URL: the package may be served from any host)."""
    at = _release_at(store)
    year = at.year if at else (store.latest_source_date.year if store.latest_source_date else None)
    made = at.date().isoformat() if at else "date not recorded"
    rel, ver = store.release or 0, base_version(store)
    plain = (
        f"{AUTHOR} ({year or 'n.d.'}). {TITLE}. Data package, release {rel} ({made}), data version {ver}. "
        "Figures as printed in the documents listed in documents.csv (IOM MTM reports, government agencies' "
        "releases and news reports), each row with its source and verbatim quote."
    )
    bibtex = (
        f"@misc{{mtm_kazakhstan_release_{rel},\n"
        f"  author = {{{{{AUTHOR}}}}},\n"
        f"  title = {{{{{TITLE}}}}},\n"
        f"  year = {{{year or 'n.d.'}}},\n"
        f"  howpublished = {{Frictionless Data Package}},\n"
        f"  note = {{Release {rel} ({made}), data version {ver}; figures quoted from the documents in "
        f"documents.csv}}\n}}\n"
    )
    return plain, bibtex


def _resource(name: str, path: str, title: str, description: str, schema: dict, rows: int) -> dict:
    fmt = path.rsplit(".", 1)[1]
    media = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}[fmt]
    extra = {"encoding": "utf-8", "dialect": {"header": True, "delimiter": ","}} if fmt == "csv" else {}
    return {
        "name": name,
        "path": path,
        "type": "table",
        "format": fmt,
        "mediatype": media,
        **extra,
        "title": title,
        "description": description,
        "schema": schema,
        "rows": rows,
    }


def _tables(store: DataStore) -> dict[str, pl.DataFrame]:
    cat = english_catalogue()
    releases, changes = _release_tables(store)
    return {
        "figures": figures_frame(store),
        "sources": store.sources.select([n for n, _t, _d in SOURCE_FIELDS]).sort("csv_row"),
        "documents": documents_frame(store),
        "indicators": indicators_frame(cat),
        "units": units_frame(cat),
        "releases": releases,
        "changes": changes,
    }


def descriptor(store: DataStore, tables: dict[str, pl.DataFrame]) -> dict:
    """datapackage.json for these tables."""
    n = {name: t.height for name, t in tables.items()}
    figures = _schema(figure_fields(), ("obs_id",), FIGURE_KEYS)
    fig_text = (
        "Every figure row held in this release: one per figure as printed by each source (alternatives kept; "
        "preferred marks the one chosen by the precedence rule) and the values derived at build."
    )
    at = _release_at(store)
    resources = [
        _resource("figures", "figures.csv", "Figures", fig_text, figures, n["figures"]),
        # readers that go through pandas (frictionless among them) see a null integer as NaN
        _resource(
            "figures-parquet",
            "figures.parquet",
            "Figures (Parquet)",
            fig_text,
            {**figures, "missingValues": [*MISSING, "nan"]},
            n["figures"],
        ),
        _resource(
            "sources",
            "sources.csv",
            "Source rows",
            "One row per row of observations.csv: where a figure was read, verbatim.",
            _schema(SOURCE_FIELDS, ("source_id",), [(("document_id",), "documents", ("document_id",))]),
            n["sources"],
        ),
        _resource(
            "documents",
            "documents.csv",
            "Source documents",
            "Every document a figure comes from.",
            _schema(DOCUMENT_FIELDS, ("document_id",)),
            n["documents"],
        ),
        _resource(
            "indicators",
            "indicators.csv",
            "Indicator catalogue",
            "What each indicator counts; catalogue.json holds the whole catalogue in three languages.",
            _schema(INDICATOR_FIELDS, ("id",)),
            n["indicators"],
        ),
        _resource(
            "units",
            "units.csv",
            "Units",
            "The units figures are stated in.",
            _schema(UNIT_FIELDS, ("id",)),
            n["units"],
        ),
        _resource(
            "releases",
            "releases.csv",
            "Release record",
            "Every release (import) up to this one, hash-chained.",
            _schema(RELEASE_FIELDS, ("release",)),
            n["releases"],
        ),
        _resource(
            "changes",
            "changes.csv",
            "Changes by release",
            "What each release added, revised and withdrew, one row per figure.",
            _schema(
                CHANGE_FIELDS,
                ("release", "change", "source_id"),
                [(("release",), "releases", ("release",)), (("source_id",), "sources", ("source_id",))],
            ),
            n["changes"],
        ),
        {
            "name": "catalogue",
            "path": "catalogue.json",
            "type": "json",
            "format": "json",
            "mediatype": "application/json",
            "title": "Indicator catalogue (JSON)",
            "description": "The dashboard's whole catalogue: domains, units, measures, country groups, "
            "indicators, with their Russian and Kazakh translations.",
        },
    ]
    plain, _bib = citation(store)
    return {
        "$schema": PACKAGE_SCHEMA,
        "name": PACKAGE_NAME,
        "title": TITLE,
        "description": (
            "Kazakhstan's Migration Tracking Matrix figures (flows, residence and work permits, visas, "
            "labour migration, remittances) by period and counterpart country, every figure with its source "
            "document and verbatim quote. Not reported is not zero: a figure no source printed has no row. "
            "Derived values are marked status=derived with their derivation; conflicting sources are all "
            "kept. See README.md."
        ),
        "version": f"{base_version(store)}-r{store.release or 0}",
        "created": at.isoformat().replace("+00:00", "Z") if at else None,
        "keywords": ["migration", "Kazakhstan", "IOM", "Migration Tracking Matrix", "remittances"],
        "contributors": [{"title": AUTHOR, "roles": ["creator"]}],
        "sources": [{"title": "The documents listed in documents.csv", "path": "documents.csv"}],
        "citation": plain,
        "code_licence": "MIT (LICENSE): the code that built this package; the figures are quoted from the "
        "documents cited, whose rights stay with their publishers",
        "data_version": base_version(store),
        "release": store.release,
        "resources": resources,
    }


def readme(store: DataStore, tables: dict[str, pl.DataFrame]) -> str:
    plain, bibtex = citation(store)
    n = {name: t.height for name, t in tables.items()}
    preferred = int(tables["figures"]["preferred"].sum()) if n["figures"] else 0
    derived = int((tables["figures"]["status"] == "derived").sum()) if n["figures"] else 0
    conflicts = (
        int(tables["figures"].filter(pl.col("preferred") & pl.col("conflict")).height) if n["figures"] else 0
    )
    return f"""# {TITLE}

Data package of the MTM Dashboard, release {store.release or 0}, data version {base_version(store)}.

## What it is

Kazakhstan's Migration Tracking Matrix figures: arrivals and departures, residence and work permits, visas,
labour migrants and remittances, by period and counterpart country. Every figure is traced to the document
that printed it, with the document's words verbatim.

| file | rows | what |
|---|---|---|
| figures.csv, figures.parquet | {n["figures"]} | every figure row: {preferred} figures (preferred=true), \
{derived} rows derived |
| sources.csv | {n["sources"]} | one row per source row read: document, agency, link, verbatim quote |
| documents.csv | {n["documents"]} | the source documents: publisher, kind, publication date |
| indicators.csv, catalogue.json | {n["indicators"]} | what each indicator counts (English, Russian, Kazakh) |
| units.csv | {n["units"]} | units |
| releases.csv, changes.csv | {n["releases"]}, {n["changes"]} | the release record; what each release \
added, revised and withdrew |

`datapackage.json` describes every column (type, meaning, missing values, keys): the package is a
Frictionless Data Package (`frictionless validate datapackage.json`).

## How it was made

The figures were read from IOM MTM reports, government agencies' releases and news reports, one row per
figure as printed, with the verbatim quote (`observations.csv` of the project). `mtm build` validated them
against the indicator catalogue, ranked the sources of each figure and derived what the rules below allow;
every later change is a numbered release (releases.csv). This package is written from the same tables the
dashboard reads.

## Honesty rules

1. **Not reported is not zero.** A figure no source printed has no row. An empty `value` never occurs; an
   empty cell elsewhere means "not stated" (e.g. `period_end` of a year-to-date whose end was not printed).
2. **Derived values are marked.** `status` = `derived` for a value computed here: a country's count from
   its published share and the total printed by the same document, or a quarter as the sum of its three
   reported months. `derivation` says how in words, `derivation_data` gives the inputs, `derived_from` the
   rows. A half-year, year-to-date or annual figure is never split into quarters.
3. **Conflicts are kept.** When several sources print the same figure, all rows are here. The chosen one
   (`preferred` = true, `rank` = 1) is the IOM MTM report's, then the agency's own release, then a news report
   quoting it; ties go to the later publication. `conflict` = true says the sources disagree
   ({conflicts} chosen figures in this release).
4. **Revisions and withdrawals are kept.** A revised figure carries `previous_value`, `revision_reason` and
   `revised_in`; withdrawn figures are listed in changes.csv with their reason.

## Licence and citation

The code that built this package is under the MIT licence (LICENSE). The figures are quoted from the
documents in documents.csv; their rights stay with their publishers: cite them with the figures.

Cite this package as:

{plain}

```bibtex
{bibtex}```
"""


def _zip_time(store: DataStore) -> tuple[int, int, int, int, int, int]:
    at = _release_at(store)
    if at is None or at.year < 1980:  # the zip format starts in 1980
        return (1980, 1, 1, 0, 0, 0)
    return (at.year, at.month, at.day, at.hour, at.minute, at.second)


def package_files(store: DataStore) -> dict[str, bytes]:
    """Every file of the package, by name (datapackage.json first)."""
    tables = _tables(store)
    files: dict[str, bytes] = {}
    files["datapackage.json"] = (
        json.dumps(descriptor(store, tables), ensure_ascii=False, indent=2) + "\n"
    ).encode()
    for name, frame in tables.items():
        files[f"{name}.csv"] = frame.write_csv(datetime_format="%Y-%m-%dT%H:%M:%SZ").encode()
    buf = io.BytesIO()
    tables["figures"].write_parquet(buf, statistics=False)
    files["figures.parquet"] = buf.getvalue()
    catalogue_json = english_catalogue().model_dump(mode="json")
    files["catalogue.json"] = (json.dumps(catalogue_json, ensure_ascii=False, indent=1) + "\n").encode()
    files["README.md"] = readme(store, tables).encode()
    plain, bibtex = citation(store)
    files["CITATION.txt"] = f"{plain}\n\n{bibtex}".encode()
    files["LICENSE"] = LICENSE_FILE.read_bytes()
    return files


def build_zip(store: DataStore) -> bytes:
    """The package as one zip; the same bytes for the same data version and release."""
    when = _zip_time(store)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in package_files(store).items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def write_package(store: DataStore, out: Path, as_zip: bool = False) -> list[Path]:
    """``mtm package``: the package's files into ``out`` (or the zip), each written atomically."""
    out.mkdir(parents=True, exist_ok=True)
    if as_zip:
        target = out / f"{file_stem(store)}.zip"
        write_bytes_atomic(target, build_zip(store))
        return [target]
    written = []
    for name, data in package_files(store).items():
        write_bytes_atomic(out / name, data)
        written.append(out / name)
    return written


# -- cache and route ----------------------------------------------------------------------------------------
_CACHE_SIZE = 4  # zips remembered per process: the latest and a few earlier releases
_cache: OrderedDict[str, bytes] = OrderedDict()
_cache_lock = threading.Lock()


def cached_zip(store: DataStore) -> bytes:
    """The zip of this store, built once per data version and release (a new version is a new key)."""
    key = etag(store)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    data = build_zip(store)  # outside the lock: two threads may build the same bytes
    with _cache_lock:
        _cache[key] = data
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return data


def store_at(store: DataStore, release: str | None) -> DataStore:
    """The store at ``release=`` (None or empty: the latest); PackageError for anything else."""
    if release in (None, ""):
        return store
    assert release is not None
    known = f"1 to {store.latest_release}" if store.latest_release else "none"
    if not release.isdigit():
        raise PackageError(f"release must be a release number ({known}), not {release!r}")
    try:
        return store.at_release(int(release))
    except UnknownRelease:
        raise PackageError(f"release {release} does not exist: releases are {known}") from None


def _error(status: int, parameter: str | None, value: str | None, message: str) -> Response:
    response = jsonify(error=message, parameter=parameter, value=value)
    response.status_code = status
    return response


def register(server: Flask, data_dir: Path) -> None:
    """``GET /api/v1/datapackage.zip[?release=N]``: the package, with an ETag (304 on If-None-Match)."""

    @server.get(ROUTE)
    def datapackage_zip():
        unknown = sorted(set(request.args) - {"release"})
        if unknown:
            return _error(
                400, unknown[0], request.args.get(unknown[0]), "unknown parameter; allowed: release"
            )
        try:
            store = store_at(get_store(data_dir), request.args.get("release"))
        except PackageError as exc:
            return _error(400, "release", request.args.get("release"), str(exc))
        except DataUnavailable:
            return _error(503, None, None, "the data is not available; try again later")
        tag = etag(store)
        headers = {"ETag": tag, "Cache-Control": "public, max-age=300"}
        if tag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
            return Response(status=304, headers=headers)
        return Response(
            cached_zip(store),
            mimetype="application/zip",
            headers={
                **headers,
                "Content-Disposition": f'attachment; filename="{file_stem(store)}.zip"',
                "X-Data-Version": base_version(store),
                "X-Release": str(store.release or 0),
            },
        )
