"""One record per figure of an explorer view: its value (or null, not reported), where it came from, how it
was derived, what else was printed for it, and how it was revised.

The figures are the ones the explorer shows for the same view (``dashboard.views.shown_rows``: the
period's breakdown and total, the trend's quarters, the drilled months), plus one ``not_reported`` record
for every figure the view asks for that no source printed (the total or a chosen country in the period, a
quarter of the trend, a month of the drilled quarter), plus the view's withdrawn figures. The CSV is the
explorer's download (``dashboard.downloads``) of the same rows, so its columns are the download's.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from dashboard import downloads
from dashboard.catalogue import catalogue
from dashboard.countries import TOTAL, country_name
from dashboard.data import NOT_REPORTED, DataStore
from dashboard.derivations import describe, record
from dashboard.periods import Period, months_of_quarter, parse_period, period_label, quarter_range
from dashboard.state import ExplorerState
from dashboard.views import TABLE_COLUMNS, shown_rows, with_revision_columns, withdrawn_rows

WITHDRAWN = downloads.WITHDRAWN_STATUS
_KEY = ("country_iso3", "period", "period_type")


def wanted_figures(s: ExplorerState) -> list[tuple[str, str, str]]:
    """(country, period, type) of every figure the view asks for, whether reported or not: the total and
    the chosen countries in the period, each trend quarter of the total or the chosen countries, and the
    months of a drilled quarter (of the first of them)."""
    series = list(s.countries) or [TOTAL]
    keys = [(c, s.period, s.period_type) for c in (TOTAL, *s.countries)]
    keys += [(c, q, "quarter") for c in series for q in quarter_range(s.first, s.last)]
    if s.drill:
        keys += [(series[0], m, "month") for m in months_of_quarter(s.drill)]
    return list(dict.fromkeys(keys))


def view_rows(store: DataStore, s: ExplorerState) -> pl.DataFrame:
    """The view's figures (``shown_rows``) and a ``not_reported`` row (value null) for every figure it asks
    for that has none, in the table's order: the period first (total, then largest), then time order."""
    rows = shown_rows(store, s)
    have = set(rows.select(*_KEY).iter_rows())
    missing = [k for k in wanted_figures(s) if k not in have]
    if missing:
        starts = [parse_period(p, t).start for _c, p, t in missing]
        filler = pl.DataFrame(
            {
                "country_iso3": [k[0] for k in missing],
                "period": [k[1] for k in missing],
                "period_type": [k[2] for k in missing],
                "measure": [s.measure] * len(missing),
                "unit": [s.unit] * len(missing),
                "status": [NOT_REPORTED] * len(missing),
                "conflict": [False] * len(missing),
                "n_sources": [0] * len(missing),
                "source_ids": [[] for _ in missing],
                "period_start": starts,
            },
            schema_overrides={"source_ids": pl.List(pl.String), "period_start": pl.Date},
        )
        rows = pl.concat([rows, filler.cast({c: rows.schema[c] for c in filler.columns})], how="diagonal")
    focus = (pl.col("period") == s.period) & (pl.col("period_type") == s.period_type)
    return (
        rows.with_columns(focus.alias("_focus"), (pl.col("country_iso3") == TOTAL).alias("_total"))
        .sort(
            ["_focus", "period_start", "period_type", "_total", "value"],
            descending=[True, False, False, True, True],
            nulls_last=True,
        )
        .select(*TABLE_COLUMNS, "period_start")
    )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d is not None else None


def source_index(store: DataStore, ids: set[str]) -> dict[str, dict]:
    """The ``sources`` rows of these ids, by id (a filter, not a scan in Python of every source row)."""
    if not ids:
        return {}
    found = store.sources.filter(pl.col("source_id").is_in(list(ids)))
    return {r["source_id"]: r for r in found.iter_rows(named=True)}


def source_record(src: dict) -> dict:
    """Where a figure was read: the document, who published it and when, the link and the quote."""
    return {
        "source_id": src["source_id"],
        "document_id": src["document_id"],
        "document": src["document"],
        "publisher": src["publisher"],
        "kind": src["kind"],
        "published": _iso(src["published"]),
        "published_basis": src["published_basis"],
        "agency": src["agency"],
        "url": src["url"],
        "quote": src["quote"],
    }


def _period(pid: str, ptype: str) -> dict:
    p: Period = parse_period(pid, ptype)
    return {"id": pid, "type": ptype, "label": period_label(p), "start": _iso(p.start), "end": _iso(p.end)}


def _alternatives(store: DataStore, s: ExplorerState, rows: pl.DataFrame) -> dict[tuple, list[dict]]:
    """Every row printed for the view's figures with more than one source, ranked (1 = chosen)."""
    several = rows.filter(pl.col("n_sources") > 1).select(*_KEY)
    if several.is_empty():
        return {}
    alts = (
        store.all_rows(s.indicator)
        .filter((pl.col("measure") == s.measure) & (pl.col("unit") == s.unit))
        .join(several, on=list(_KEY), how="semi")
        .sort("rank")
    )
    docs = source_index(store, set(alts["source_id"].to_list()))
    out: dict[tuple, list[dict]] = {}
    for r in alts.iter_rows(named=True):
        src = docs.get(r["source_id"])
        out.setdefault(tuple(r[k] for k in _KEY), []).append(
            {
                "value": r["value"],
                "rank": r["rank"],
                "preferred": r["preferred"],
                "source": source_record(src) if src else None,
            }
        )
    return out


def _revisions(store: DataStore, s: ExplorerState) -> dict[tuple, list[dict]]:
    """The revisions and withdrawals recorded for the view's indicator, measure and unit, by figure,
    oldest release first."""
    changes = store.change_table
    if changes is None or changes.is_empty():
        return {}
    found = changes.filter(
        (pl.col("indicator") == s.indicator)
        & (pl.col("measure") == s.measure)
        & (pl.col("unit") == s.unit)
        & pl.col("change").is_in(["revised", "withdrawn"])
    ).sort("release")
    out: dict[tuple, list[dict]] = {}
    for c in found.iter_rows(named=True):
        out.setdefault(tuple(c[k] for k in _KEY), []).append(
            {
                "release": c["release"],
                "change": c["change"],
                "value": c["value"],
                "previous_value": c["previous_value"],
                "reason": c["reason"],
                "document": c["document"],
            }
        )
    return out


def _derivation(how: str | None, status: str, source_ids: list[str]) -> dict | None:
    if status != "derived":
        return None
    return {"text": describe(how), "data": record(how), "from": list(source_ids)}


def figure_records(store: DataStore, s: ExplorerState, rows: pl.DataFrame) -> list[dict]:
    """One plain-JSON record per row of ``view_rows`` (then one per withdrawn figure), in the language
    in force."""
    cat = catalogue()
    unit = cat.unit(s.unit)
    wanted = {i for ids in rows["source_ids"].to_list() for i in ids or ()}
    withdrawn = withdrawn_rows(store, s)
    if not withdrawn.is_empty():
        wanted |= set(withdrawn["source_id"].to_list())
    sources = source_index(store, wanted)
    alternatives = _alternatives(store, s, rows)
    revisions = _revisions(store, s)
    base = {"indicator": s.indicator, "measure": s.measure, "unit": s.unit, "unit_label": unit.label}
    out = []
    for r in rows.iter_rows(named=True):
        key = tuple(r[k] for k in _KEY)
        ids = list(r["source_ids"] or ())
        out.append(
            {
                **base,
                "country_iso3": r["country_iso3"],
                "country": country_name(r["country_iso3"]),
                "period": _period(r["period"], r["period_type"]),
                "value": r["value"],
                "status": r["status"],
                "derivation": _derivation(r["derivation"], r["status"], ids),
                "conflict": bool(r["conflict"]),
                "n_sources": int(r["n_sources"]),
                "alternatives": alternatives.get(key, []),
                "revised": _revised(r),
                "revisions": revisions.get(key, []),
                "sources": [source_record(sources[i]) for i in ids if i in sources],
            }
        )
    for w in withdrawn.iter_rows(named=True):
        src = sources.get(w["source_id"])
        out.append(
            {  # as in the explorer's download: the period's withdrawn figures of any measure
                "indicator": s.indicator,
                "measure": w["measure"],
                "unit": w["unit"],
                "unit_label": cat.unit(w["unit"]).label,
                "country_iso3": w["country_iso3"],
                "country": country_name(w["country_iso3"]),
                "period": _period(w["period"], w["period_type"]),
                "value": None,
                "status": WITHDRAWN,
                "derivation": None,
                "conflict": False,
                "n_sources": 1,
                "alternatives": [],
                "revised": None,
                "revisions": [
                    {
                        "release": w["release"],
                        "change": WITHDRAWN,
                        "value": None,
                        "previous_value": w["previous_value"],
                        "reason": w["reason"],
                        "document": w["document"],
                    }
                ],
                "sources": [source_record(src)] if src else [],
            }
        )
    return out


def _revised(r: dict) -> dict | None:
    if r.get("revised_in") is None:
        return None
    return {"release": r["revised_in"], "previous_value": r["previous_value"], "reason": r["revision_reason"]}


def csv_text(store: DataStore, s: ExplorerState, rows: pl.DataFrame) -> str:
    """The view's figures as the explorer's CSV download (same columns, headers in the language in force),
    with a row for each figure not reported (empty value, status not_reported)."""
    withdrawn = withdrawn_rows(store, s)
    frame = downloads.download_frame(with_revision_columns(rows), store, s.indicator, withdrawn=withdrawn)
    return downloads.to_csv(frame)
