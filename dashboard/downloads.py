"""Data downloads: exactly the figures a view shows, one row per figure, with where each came from.

Numbers stay numbers (no thousands separators in cells); derived values say how; several sources of one figure
are listed together in its row. Headers, titles, names, period labels and the "About" sheet are in the
language in force; codes stay codes (indicator and country ids, period ids, measure, unit and status values),
so a file in any language can be read by the same script by column position.
"""

from __future__ import annotations

import io

import polars as pl
from openpyxl import Workbook
from openpyxl.styles import Font

from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.data import DataStore
from dashboard.figures import derivation_text
from dashboard.i18n import N_, _
from dashboard.partial import partial_note
from dashboard.periods import parse_period, period_label

COLUMNS = (
    "indicator",
    "indicator_title",
    "country_iso3",
    "country",
    "period",
    "period_type",
    "period_label",
    "period_start",
    "period_end",
    "measure",
    "value",
    "unit",
    "status",
    "derivation",
    "conflict",
    "n_sources",
    "source_document",
    "source_agency",
    "source_url",
    "source_quote",
    "partial",  # why the period is not complete in the data (dashboard/partial.py), else empty
    # last, so scripts reading the earlier columns by position keep working: a revised figure's previous
    # value, why and in which release (a withdrawn figure: the value withdrawn, why and when)
    "previous_value",
    "revision_reason",
    "revised_in",
)
WITHDRAWN_STATUS = "withdrawn"
# Each column's header: in English the column name itself (as the files always had); translated by gettext.
HEADERS = {
    "indicator": N_("indicator"),
    "indicator_title": N_("indicator_title"),
    "country_iso3": N_("country_iso3"),
    "country": N_("country"),
    "period": N_("period"),
    "period_type": N_("period_type"),
    "period_label": N_("period_label"),
    "period_start": N_("period_start"),
    "period_end": N_("period_end"),
    "measure": N_("measure"),
    "value": N_("value"),
    "unit": N_("unit"),
    "status": N_("status"),
    "derivation": N_("derivation"),
    "conflict": N_("conflict"),
    "n_sources": N_("n_sources"),
    "source_document": N_("source_document"),
    "source_agency": N_("source_agency"),
    "source_url": N_("source_url"),
    "source_quote": N_("source_quote"),
    "previous_value": N_("previous_value"),
    "revision_reason": N_("revision_reason"),
    "revised_in": N_("revised_in"),
    "partial": N_("partial"),
}


def headers(columns: list[str] | tuple[str, ...]) -> list[str]:
    """The header row for these columns, in the language in force."""
    return [_(HEADERS[c]) if c in HEADERS else c for c in columns]


def download_frame(
    rows: pl.DataFrame, store: DataStore, indicator: str, withdrawn: pl.DataFrame | None = None
) -> pl.DataFrame:
    """rows: dashboard.views.shown_rows(); returns one row per figure with its source columns, then one row
    per figure of ``withdrawn`` (dashboard.views.withdrawn_rows()) with status "withdrawn", no value, and
    the value withdrawn as its previous value."""
    wanted = {i for ids in rows["source_ids"].to_list() for i in ids or ()}
    if withdrawn is not None and not withdrawn.is_empty():
        wanted |= set(withdrawn["source_id"].to_list())
    # only the rows cited (a filter): a scan in Python of every source row costs seconds on a large set
    cited = store.sources.filter(pl.col("source_id").is_in(list(wanted)))
    by_id = {r["source_id"]: r for r in cited.iter_rows(named=True)}
    out = [_figure_row(r, indicator, by_id) for r in rows.iter_rows(named=True)]
    if withdrawn is not None and not withdrawn.is_empty():
        out += [_withdrawn_row(w, indicator, by_id) for w in withdrawn.iter_rows(named=True)]
    schema = {c: pl.String for c in COLUMNS} | {
        "value": pl.Float64,
        "period_start": pl.Date,
        "period_end": pl.Date,
        "conflict": pl.Boolean,
        "n_sources": pl.Int64,
        "previous_value": pl.Float64,
        "revised_in": pl.Int64,
    }
    return pl.DataFrame(out, schema=schema)


def _figure_columns(r: dict, indicator: str) -> dict:
    """The columns that say which figure a row is (indicator, country, period, measure, unit)."""
    p = parse_period(r["period"], r["period_type"])
    return {
        "indicator": indicator,
        "indicator_title": catalogue().indicator(indicator).title,
        "country_iso3": r["country_iso3"],
        "country": country_name(r["country_iso3"]),
        "period": r["period"],
        "period_type": r["period_type"],
        "period_label": period_label(p),
        "period_start": p.start,
        "period_end": p.end,
        "measure": r["measure"],
        "unit": r["unit"],
        "partial": partial_note(r["period"], r["period_type"]) or "",
    }


def _source_columns(srcs: list[dict]) -> dict:
    def joined(key: str) -> str:
        return " | ".join(dict.fromkeys(s[key] for s in srcs))

    return {
        "source_document": joined("document"),
        "source_agency": joined("agency"),
        "source_url": joined("url"),
        "source_quote": joined("quote"),
    }


def _figure_row(r: dict, indicator: str, by_id: dict) -> dict:
    srcs = [by_id[i] for i in r["source_ids"] if i in by_id]
    return {
        **_figure_columns(r, indicator),
        "value": r["value"],
        "status": r["status"],
        "derivation": derivation_text(r["derivation"] or ""),
        "conflict": bool(r["conflict"]),
        "n_sources": int(r["n_sources"]),
        **_source_columns(srcs),
        "previous_value": r.get("previous_value"),
        "revision_reason": r.get("revision_reason"),
        "revised_in": r.get("revised_in"),
    }


def _withdrawn_row(w: dict, indicator: str, by_id: dict) -> dict:
    src = by_id.get(w["source_id"])
    sources = _source_columns([src]) if src else {"source_document": w["document"]}
    return {
        **_figure_columns(w, indicator),
        "value": None,
        "status": WITHDRAWN_STATUS,
        "derivation": "",
        "conflict": False,
        "n_sources": 1,
        **sources,
        "previous_value": w["previous_value"],
        "revision_reason": w["reason"],
        "revised_in": w["release"],
    }


def to_csv(frame: pl.DataFrame) -> str:
    """The frame as CSV with its headers in the language in force."""
    return frame.rename(dict(zip(frame.columns, headers(frame.columns), strict=True))).write_csv()


def figures_workbook(frame: pl.DataFrame) -> Workbook:
    """A workbook whose first sheet holds the figures (headers in the language in force; numbers)."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Figures")
    ws.append(headers(frame.columns))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in frame.iter_rows():
        ws.append(list(row))
    ws.freeze_panes = "A2"
    return wb


def to_xlsx(frame: pl.DataFrame, store: DataStore, indicator: str) -> bytes:
    """Sheet 1: the figures. Sheet 2: what the indicator means and every source document used."""
    cat = catalogue()
    ind = cat.indicator(indicator)
    wb = figures_workbook(frame)
    about = wb.create_sheet(_("About"))
    about.append([_("Indicator"), ind.title])
    about.append([_("Id"), ind.id])
    about.append([_("Definition"), ind.definition])
    about.append([_("Counterpart country"), cat.counterparts[ind.counterpart]])
    about.append([_("Units"), ", ".join(cat.unit(u).label for u in ind.units)])
    for note in ind.notes:
        about.append([_("Note"), note])
    about.append(
        [_("Status"), _("published = printed by the source; derived = computed here from published ones")]
    )
    about.append(
        [
            _("Revised"),
            _(
                "revised_in = the release that revised a figure (previous_value: the value it replaced, "
                "revision_reason: why); status withdrawn = retracted by its source in that release"
            ),
        ]
    )
    about.append([_("Missing"), _("A figure not in this file was not reported; it is not zero.")])
    about.append([])
    about.append([_("Document"), _("Publisher"), _("Kind"), _("Published"), _("Agency"), _("URL")])
    return documents_and_bytes(wb, about, frame, store)


def documents_and_bytes(wb: Workbook, about, frame: pl.DataFrame, store: DataStore) -> bytes:
    """Lists on the About sheet every source document the figures cite (once per document and agency), then
    the workbook as bytes."""
    wanted = {d for cell in frame["source_document"].to_list() for d in (cell or "").split(" | ") if d}
    seen = set()
    for r in store.sources.iter_rows(named=True):
        key = (r["document"], r["agency"])
        if r["document"] in wanted and key not in seen:
            seen.add(key)
            about.append([r["document"], r["publisher"], r["kind"], r["published"], r["agency"], r["url"]])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
