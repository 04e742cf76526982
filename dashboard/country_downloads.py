"""A country's figures as files: every figure of the country page (all indicators), one row each with its
sources, in the columns of the explorer's downloads (dashboard.downloads), so the same script reads both."""

from __future__ import annotations

import polars as pl

from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.data import DataStore
from dashboard.downloads import documents_and_bytes, download_frame, figures_workbook, to_csv
from dashboard.i18n import _
from dashboard.views import country_rows


def country_frame(store: DataStore, iso3: str) -> pl.DataFrame:
    """One row per figure of the country (the catalogue's indicator order), with its sources."""
    rows = country_rows(store, iso3)
    parts = [
        download_frame(rows.filter(pl.col("indicator") == ind.id), store, ind.id)
        for ind in catalogue().indicators
        if not rows.filter(pl.col("indicator") == ind.id).is_empty()
    ]
    return pl.concat(parts) if parts else download_frame(rows.clear(), store, catalogue().indicators[0].id)


def country_csv(store: DataStore, iso3: str) -> str:
    return to_csv(country_frame(store, iso3))


def country_xlsx(store: DataStore, iso3: str) -> bytes:
    """Sheet 1: the figures. Sheet 2: the country, each indicator's definition and every source document."""
    frame = country_frame(store, iso3)
    cat = catalogue()
    wb = figures_workbook(frame)
    about = wb.create_sheet(_("About"))
    about.append([_("Country"), f"{country_name(iso3)} ({iso3})"])
    about.append(
        [_("Status"), _("published = printed by the source; derived = computed here from published ones")]
    )
    about.append([_("Missing"), _("A figure not in this file was not reported; it is not zero.")])
    about.append([])
    about.append([_("Indicator"), _("Definition")])
    for ind_id in dict.fromkeys(frame["indicator"].to_list()):
        ind = cat.indicator(ind_id)
        about.append([ind.title, ind.definition])
    about.append([])
    about.append([_("Document"), _("Publisher"), _("Kind"), _("Published"), _("Agency"), _("URL")])
    return documents_and_bytes(wb, about, frame, store)
