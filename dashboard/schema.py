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

# Precedence of source kinds when several sources print the same figure (lower wins).
KIND_RANK = {"iom_report": 0, "agency_release": 1, "news": 2}
