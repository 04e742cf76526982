"""The data API's answers as plain functions: what the HTTP routes (``dashboard/api/routes.py``) serve, and
what an MCP server or the Data Package builder can call directly.

Every function takes the language (``lang``: en, ru or kk; titles, names and labels follow it, codes never
change) and the release (``release``: the data as it was then; None: the latest), plus an optional
``store`` (default: the app's current data, ``dashboard.data.get_store()``). Every answer is a dict of
plain JSON values (str, int, float, bool, None, lists and dicts; dates as ISO strings) with a ``meta``
entry (the data version and release it comes from) and a ``data`` entry. A figure no source printed is a
record with ``value`` None and ``status`` "not_reported", never 0. A bad argument raises
``dashboard.api.params.ApiError`` naming the parameter, the value and what is allowed.

Answers are pure functions of (data version, release, arguments), remembered per data version where they
are small (the catalogue, countries, sources, releases).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

import polars as pl
from werkzeug.datastructures import MultiDict

from dashboard import i18n, release_text
from dashboard.api import records
from dashboard.api.params import (
    ApiError,
    ExplainParams,
    FiguresParams,
    explain_params,
    figures_params,
    resolve_explain,
    resolve_view,
)
from dashboard.catalogue import Indicator, catalogue
from dashboard.countries import OTHER, PSEUDO, TOTAL, all_codes, country_name
from dashboard.data import DataStore, get_store
from dashboard.explain import explain_key, explain_view
from dashboard.releases import Release, UnknownRelease
from dashboard.state import ExplorerState, Problem, view_store

API_VERSION = "v1"
NOT_REPORTED_NOTE = (
    "A figure with value null and status not_reported was printed by no source: it is not zero. "
    "status derived: computed here from published figures (see derivation)."
)


def _store(store: DataStore | None) -> DataStore:
    return store if store is not None else get_store()


def at_release(store: DataStore, release: int | None) -> DataStore:
    """The data as it was at ``release`` (None: the latest); ApiError for a release that does not exist."""
    if release is None:
        return store
    try:
        return store.at_release(release)
    except UnknownRelease:
        latest = store.latest_release
        allowed = f"1 to {latest}" if latest else "none (no release is recorded)"
        raise ApiError([Problem("release", str(release), allowed, "unknown release")]) from None


def meta(base: DataStore, shown: DataStore, lang: str, **extra) -> dict:
    """What every answer says of itself: the data version and the release it shows."""
    return {
        "api_version": API_VERSION,
        "data_version": base.version,
        "release": shown.release,
        "latest_release": base.latest_release,
        "lang": lang,
        **extra,
    }


def _lang(lang: str | None) -> str:
    if lang is None:
        return i18n.DEFAULT
    if i18n.valid(lang) is None:
        raise ApiError([Problem("lang", str(lang)[:20], ", ".join(i18n.LANGUAGES), "unknown language")])
    return lang


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# -- the catalogue ---------------------------------------------------------------------------------------
def _coverage(view: DataStore, ind: Indicator) -> list[dict]:
    """What the data holds for an indicator: per measure and unit, the figures, period types and span."""
    rows = view.rows(ind.id)
    if rows.is_empty():
        return []
    got = (
        rows.group_by("measure", "unit")
        .agg(
            pl.len().alias("figures"),
            pl.col("period_type").unique().sort().alias("period_types"),
            pl.col("period_start").min().alias("first"),
            pl.coalesce("period_end", "period_start").max().alias("last"),
        )
        .sort("measure", "unit")
    )
    return [
        {
            "measure": r["measure"],
            "unit": r["unit"],
            "figures": r["figures"],
            "period_types": r["period_types"],
            "first_day": _iso(r["first"]),
            "last_day": _iso(r["last"]),
        }
        for r in got.iter_rows(named=True)
    ]


def _indicator_record(view: DataStore, ind: Indicator) -> dict:
    cat = catalogue()
    return {
        "id": ind.id,
        "title": ind.title,
        "short_title": ind.short_title,
        "definition": ind.definition,
        "domain": {"id": ind.domain, "title": cat.domain(ind.domain).title},
        "kind": ind.kind,
        "counterpart": {"id": ind.counterpart, "meaning": cat.counterparts[ind.counterpart]},
        "measures": [
            {"id": m, "label": cat.measure(m).label, "level": cat.measure(m).level} for m in ind.measures
        ],
        "units": [
            {"id": u, "label": cat.unit(u).label, "short": cat.unit(u).short, "kind": cat.unit(u).kind}
            for u in ind.units
        ],
        "period_types": list(ind.granularities),
        "cadence": ind.cadence,
        "default": {"measure": ind.default.measure, "unit": ind.default.unit},
        "notes": list(ind.notes),
        "coverage": _coverage(view, ind),
    }


def indicators(lang: str = i18n.DEFAULT, release: int | None = None, store: DataStore | None = None) -> dict:
    """The indicator catalogue: for each indicator its id, title, definition, domain, kind (flow or stock),
    what its counterpart country means, the measures, units and period types it can be published in, its
    cadence and default measure, notes, and what the data holds for it (``coverage``)."""
    lang, base = _lang(lang), _store(store)
    view = at_release(base, release)
    with i18n.use(lang):
        data = view.memo(
            ("api", "indicators", lang),
            lambda: [_indicator_record(view, ind) for ind in catalogue().indicators],
        )
        return {"meta": meta(base, view, lang), "data": data}


def indicator(
    indicator_id: str, lang: str = i18n.DEFAULT, release: int | None = None, store: DataStore | None = None
) -> dict:
    """One indicator of the catalogue (as in ``indicators``); ApiError naming the ids for an unknown id."""
    lang, base = _lang(lang), _store(store)
    view = at_release(base, release)
    with i18n.use(lang):
        cat = catalogue()
        if not cat.has_indicator(indicator_id):
            ids = ", ".join(i.id for i in cat.indicators)
            raise ApiError([Problem("id", indicator_id[:40], ids, "unknown indicator")], status=404)
        data = view.memo(
            ("api", "indicator", indicator_id, lang),
            lambda: _indicator_record(view, cat.indicator(indicator_id)),
        )
        return {"meta": meta(base, view, lang), "data": data}


# -- figures ---------------------------------------------------------------------------------------------
def figures_view(
    params: FiguresParams | Mapping[str, str], store: DataStore | None = None
) -> tuple[FiguresParams, ExplorerState]:
    """The parameters checked and the view they ask for (ApiError with every problem)."""
    p = params if isinstance(params, FiguresParams) else figures_params(MultiDict(dict(params)))
    return p, resolve_view(p, _store(store))


def figures(params: FiguresParams | Mapping[str, str], store: DataStore | None = None) -> dict:
    """The figures of an explorer view, one record per figure, as JSON.

    ``params``: the explorer link's parameters (indicator, measure, unit, period, period_type, countries,
    from, to, drill, lang, release; all optional, with the explorer's defaults), as a FiguresParams or a
    mapping of strings. The records: the period's breakdown by country and its total (or the chosen
    countries), each quarter of the trend ``from``..``to`` (for the total or the chosen countries) and the
    months of a ``drill``ed quarter; a figure no source printed is there with value None and status
    not_reported. Each record: value, unit, period (id, type, label, start, end), country (ISO3 and name),
    status (published / derived / not_reported / withdrawn), the derivation in words and as data, the
    conflict flag with every alternative source's value and document, the revision history, and the
    sources (document, publisher, date, link, verbatim quote)."""
    base = _store(store)
    _p, state = figures_view(params, base)
    view = view_store(base, state.release)
    with i18n.use(state.lang):
        rows = records.view_rows(view, state)
        data = records.figure_records(view, state, rows)
        ind = catalogue().indicator(state.indicator)
        return {
            "meta": meta(base, view, state.lang, **_view_meta(state, ind), count=len(data)),
            "data": data,
        }


def figures_csv(params: FiguresParams | Mapping[str, str], store: DataStore | None = None) -> str:
    """The same figures as the explorer's CSV download (its columns; headers in the view's language)."""
    base = _store(store)
    _p, state = figures_view(params, base)
    view = view_store(base, state.release)
    with i18n.use(state.lang):
        return records.csv_text(view, state, records.view_rows(view, state))


def _view_meta(state: ExplorerState, ind: Indicator) -> dict:
    return {
        "view": {
            "indicator": state.indicator,
            "indicator_title": ind.title,
            "measure": state.measure,
            "unit": state.unit,
            "period": state.period,
            "period_type": state.period_type,
            "countries": list(state.countries),
            "from": state.first,
            "to": state.last,
            "drill": state.drill,
        },
        "explorer": "/explore" + state.to_query(),
        "note": NOT_REPORTED_NOTE,
    }


# -- the change explainer --------------------------------------------------------------------------------
def explain_state(params: ExplainParams | Mapping[str, str], store: DataStore | None = None) -> ExplorerState:
    """The parameters checked and the view to explain (ApiError with every problem)."""
    p = params if isinstance(params, ExplainParams) else explain_params(MultiDict(dict(params)))
    return resolve_explain(p, _store(store))


def explanation(params: ExplainParams | Mapping[str, str], store: DataStore | None = None) -> dict:
    """What drove a view's change (``dashboard/explain.py``), as JSON.

    ``params``: indicator, measure, unit, period, period_type, lang, release (the explorer's parameters and
    defaults) and ``vs``: prev (default), year or a period id. ``data``: the explainer's result as it is
    (``Explanation.to_dict()``: the total change, published or computed; each country's contribution,
    ranked; the countries listed in one period only; the first country's share; the caveats; two to four
    sentences in ``lang``, each with the explorer path that proves it) and ``refused``. Two periods that
    cannot be compared are an answer, not an error: ``refused`` true, ``refusal`` (a stable code) and
    ``message`` (in words)."""
    base = _store(store)
    state = explain_state(params, base)
    view = view_store(base, state.release)
    with i18n.use(state.lang):
        e = view.memo(("api", "explain", *explain_key(state)), lambda: explain_view(view, state))
        ind = catalogue().indicator(state.indicator)
        about = {
            "view": {
                "indicator": state.indicator,
                "indicator_title": ind.title,
                "measure": state.measure,
                "unit": state.unit,
                "period": state.period,
                "period_type": state.period_type,
                "vs": state.vs,
            },
            "explorer": "/explore" + state.to_query(),
        }
        return {"meta": meta(base, view, state.lang, **about), "data": {"refused": not e.ok, **e.to_dict()}}


# -- countries, sources, releases ------------------------------------------------------------------------
def _countries(view: DataStore) -> dict:
    rows = view.preferred.group_by("country_iso3").agg(
        pl.len().alias("figures"), pl.col("indicator").unique().sort().alias("indicators")
    )
    have = {r["country_iso3"]: r for r in rows.iter_rows(named=True)}
    data = [
        {
            "iso3": code,
            "name": country_name(code),
            "figures": have[code]["figures"],
            "indicators": have[code]["indicators"],
        }
        for code in sorted(c for c in have if c in all_codes())
    ]
    cat = catalogue()
    universe = frozenset(all_codes())
    groups = [
        {"id": g.id, "title": g.title, "members": sorted(cat.group_members(g.id, universe) & set(have))}
        for g in cat.country_groups
    ]
    pseudo = [
        {"code": code, "name": country_name(code), "figures": have[code]["figures"] if code in have else 0}
        for code in (TOTAL, OTHER)
        if code in PSEUDO
    ]
    return {"data": data, "groups": groups, "pseudo_codes": pseudo}


def countries(lang: str = i18n.DEFAULT, release: int | None = None, store: DataStore | None = None) -> dict:
    """Every counterpart country with figures: ISO3 code, name in ``lang``, how many figures and for which
    indicators; the country groups (members with figures) and the two pseudo-codes (TOT: the total, OTH:
    other countries). ``countries=`` of the figures endpoint takes any ISO 3166-1 alpha-3 code."""
    lang, base = _lang(lang), _store(store)
    view = at_release(base, release)
    with i18n.use(lang):
        body = view.memo(("api", "countries", lang), lambda: _countries(view))
        return {"meta": meta(base, view, lang), **body}


def _documents(view: DataStore) -> list[dict]:
    got = (
        view.sources.group_by("document_id")
        .agg(
            pl.col("document").first(),
            pl.col("publisher").first(),
            pl.col("kind").first(),
            pl.col("published").first(),
            pl.col("published_basis").first(),
            pl.col("agency").unique().sort().alias("agencies"),
            pl.col("url").unique().sort().alias("urls"),
            pl.len().alias("figures"),
        )
        .sort("published", "document_id")
    )
    return [
        {
            "document_id": r["document_id"],
            "document": r["document"],
            "publisher": r["publisher"],
            "kind": r["kind"],
            "published": _iso(r["published"]),
            "published_basis": r["published_basis"],
            "agencies": r["agencies"],
            "urls": r["urls"],
            "figures": r["figures"],
        }
        for r in got.iter_rows(named=True)
    ]


def sources(lang: str = i18n.DEFAULT, release: int | None = None, store: DataStore | None = None) -> dict:
    """Every source document the figures were read from: title, publisher, kind (iom_report,
    agency_release, news), publication date and whether that date is printed or estimated
    (``published_basis``), the agencies quoted, the links, and how many figures it printed."""
    lang, base = _lang(lang), _store(store)
    view = at_release(base, release)
    return {"meta": meta(base, view, lang), "data": view.memo(("api", "sources"), lambda: _documents(view))}


def _change(c) -> dict:
    return {
        "indicator": c.indicator,
        "period": c.period,
        "period_type": c.period_type,
        "country_iso3": c.country_iso3,
        "measure": c.measure,
        "unit": c.unit,
        "figure": release_text.figure_label(c),
        "document": c.document,
        "value": c.value,
        "previous_value": c.previous_value,
        "reason": c.reason,
    }


def _release_record(r: Release) -> dict:
    return {
        "release": r.number,
        "at": _iso(r.at),
        "kind": r.kind,
        "kind_label": release_text.kind_label(r.kind),
        "title": release_text.release_title(r),
        "by": r.by,
        "note": r.note,
        "file": r.file,
        "file_sha256": r.file_sha256,
        "sha256": r.sha256,
        "counts": {"added": r.added, "revised": r.revised, "withdrawn": r.withdrawn},
        "summary": release_text.counts_text(r),
        "added": [
            {"indicator": g.indicator, "title": g.title, "figures": g.figures, "periods": g.periods,
             "countries": g.countries}
            for g in release_text.added_groups(r.changes)
        ],
        "revised": [_change(c) for c in release_text.revisions(r)],
        "withdrawn": [_change(c) for c in release_text.withdrawals(r)],
    }  # fmt: skip


def releases(lang: str = i18n.DEFAULT, release: int | None = None, store: DataStore | None = None) -> dict:
    """Every release (numbered import) up to ``release``, newest first: when, who, the file and its
    sha256, the note, and what it changed: figures added (per indicator, in brief), every revision (old
    and new value, reason, document) and every withdrawal (value, reason)."""
    lang, base = _lang(lang), _store(store)
    view = at_release(base, release)
    with i18n.use(lang):
        data = view.memo(("api", "releases", lang), lambda: [_release_record(r) for r in view.releases()])
        return {"meta": meta(base, view, lang), "data": data}
