"""The Arrow schemas of the Parquet tables, and which table holds which domain."""

from __future__ import annotations

import pyarrow as pa

# Columns of the shipped source CSV, exactly, in order.
SOURCE_COLUMNS = (
    "indicator",
    "period",
    "period_type",
    "country",
    "country_iso3",
    "measure",
    "value",
    "unit",
    "source_agency",
    "document",
    "url",
    "quote",
)

# One tidy observation per row. A "figure" is identified by FIGURE_KEY; several sources may print the same
# figure, all are kept and ranked, and exactly one per figure has preferred = true.
OBSERVATION_SCHEMA = pa.schema(
    [
        pa.field("obs_id", pa.string(), nullable=False),
        pa.field("indicator", pa.string(), nullable=False),
        pa.field("period", pa.string(), nullable=False),
        pa.field("period_type", pa.string(), nullable=False),
        pa.field("period_start", pa.date32(), nullable=False),
        pa.field("period_end", pa.date32()),  # null: a year-to-date figure whose end was not stated
        pa.field("country_iso3", pa.string(), nullable=False),  # ISO3, TOT total, OTH other
        pa.field("country_source_name", pa.string()),  # as printed in the source; null when derived
        pa.field("measure", pa.string(), nullable=False),
        pa.field("value", pa.float64(), nullable=False),
        pa.field("unit", pa.string(), nullable=False),
        pa.field("source_id", pa.string(), nullable=False),  # -> sources.source_id
        pa.field("method", pa.string(), nullable=False),  # published | derived
        pa.field("derivation", pa.string()),  # how a derived value was computed
        pa.field("derived_from", pa.list_(pa.string())),  # obs_ids a derived value was computed from
        pa.field("n_sources", pa.int16(), nullable=False),  # rows printing this figure
        pa.field("conflict", pa.bool_(), nullable=False),  # those rows disagree on the value
        pa.field("rank", pa.int16(), nullable=False),  # 1 = chosen by the precedence rule
        pa.field("preferred", pa.bool_(), nullable=False),
        # Releases (numbered imports, ``data/sources/releases.jsonl``): a row holds for the releases
        # valid_from <= r < valid_to (valid_to null: it holds now). A row whose rank, conflict or value
        # changed with a release is stored once per interval, so any release's figure set is a filter.
        pa.field("valid_from", pa.int16(), nullable=False),
        pa.field("valid_to", pa.int16()),
        # On a published row that revised an earlier statement of the same figure by the same document:
        pa.field("previous_value", pa.float64()),  # the value it replaced
        pa.field("revision_reason", pa.string()),  # why (as given to `mtm import --revise`)
        pa.field("revised_in", pa.int16()),  # the release that revised it
    ]
)

FIGURE_KEY = ("indicator", "period", "period_type", "country_iso3", "measure", "unit")

# One row per source CSV row: where the figure was read, verbatim.
SOURCE_SCHEMA = pa.schema(
    [
        pa.field("source_id", pa.string(), nullable=False),
        pa.field("csv_row", pa.int32(), nullable=False),  # 1-based data row of observations.csv
        pa.field("document_id", pa.string(), nullable=False),
        pa.field("document", pa.string(), nullable=False),
        pa.field("publisher", pa.string(), nullable=False),
        pa.field("kind", pa.string(), nullable=False),  # iom_report | agency_release | news
        pa.field("published", pa.date32(), nullable=False),
        pa.field("published_basis", pa.string(), nullable=False),  # url | text | estimated
        pa.field("agency", pa.string(), nullable=False),
        pa.field("url", pa.string(), nullable=False),
        pa.field("quote", pa.string(), nullable=False),
    ]
)

# Table name -> catalogue domains stored in it.
TABLES: dict[str, tuple[str, ...]] = {
    "flows": ("flows",),
    "permits": ("permits",),
    "visas": ("visas",),
    "labour": ("labour",),
    "remittances": ("remittances",),
}
SOURCES_TABLE = "sources"

# One row per release, oldest first: the record of releases.jsonl, with its hash chain (``record`` is the
# canonical JSON that ``sha256`` hashes; ``dashboard.releases.record_hash``).
RELEASES_TABLE = "releases"
RELEASE_SCHEMA = pa.schema(
    [
        pa.field("release", pa.int16(), nullable=False),
        pa.field("at", pa.timestamp("ms", tz="UTC")),  # null: data built before releases were recorded
        pa.field("kind", pa.string(), nullable=False),  # build (release 1) | import | withdraw
        pa.field("file", pa.string(), nullable=False),  # the imported file's name
        pa.field("file_sha256", pa.string(), nullable=False),
        pa.field("by", pa.string(), nullable=False),
        pa.field("note", pa.string(), nullable=False),
        pa.field("rows_first", pa.int32(), nullable=False),  # observations.csv data rows it appended
        pa.field("rows_last", pa.int32(), nullable=False),  # (rows_first > rows_last: none)
        pa.field("added", pa.int32(), nullable=False),  # figures added
        pa.field("revised", pa.int32(), nullable=False),  # figures revised
        pa.field("withdrawn", pa.int32(), nullable=False),  # figures withdrawn
        pa.field("observations_sha256", pa.string(), nullable=False),  # observations.csv after it
        pa.field("revisions_sha256", pa.string(), nullable=False),  # revisions.csv after it
        pa.field("prev", pa.string(), nullable=False),  # the previous record's sha256 ("" for release 1)
        pa.field("sha256", pa.string(), nullable=False),
        pa.field("record", pa.string(), nullable=False),
    ]
)

# What each release changed, one row per figure: added | revised | withdrawn.
CHANGES_TABLE = "changes"
CHANGE_SCHEMA = pa.schema(
    [
        pa.field("release", pa.int16(), nullable=False),
        pa.field("change", pa.string(), nullable=False),  # added | revised | withdrawn
        pa.field(
            "source_id", pa.string(), nullable=False
        ),  # the row added, the revising row, the withdrawn row
        pa.field("previous_source_id", pa.string()),  # revised: the row it replaced
        pa.field("csv_row", pa.int32(), nullable=False),  # observations.csv data row of source_id
        pa.field("indicator", pa.string(), nullable=False),
        pa.field("period", pa.string(), nullable=False),
        pa.field("period_type", pa.string(), nullable=False),
        pa.field("country_iso3", pa.string(), nullable=False),
        pa.field("measure", pa.string(), nullable=False),
        pa.field("unit", pa.string(), nullable=False),
        pa.field("document", pa.string(), nullable=False),
        pa.field("value", pa.float64()),  # the figure's value after the release (null: withdrawn)
        pa.field("previous_value", pa.float64()),  # revised: the old value; withdrawn: the value withdrawn
        pa.field("reason", pa.string()),  # revised / withdrawn: why
    ]
)

# Every table of a data set, as named in manifest.json.
ALL_TABLES = (*TABLES, SOURCES_TABLE, RELEASES_TABLE, CHANGES_TABLE)

# Precedence of source kinds when several sources print the same figure (lower wins).
KIND_RANK = {"iom_report": 0, "agency_release": 1, "news": 2}
