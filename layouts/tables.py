"""The table of figures shown: one row per figure, with its value, how it was obtained and its source."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import polars as pl
from dash import html

from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.formatting import fmt_value
from dashboard.views import label_of


def _how(row: dict) -> str:
    if row["status"] == "derived":
        return f"Derived: {row['derivation']}"
    if row["conflict"]:
        return f"Published; chosen among {row['n_sources']} sources that differ"
    if row["n_sources"] > 1:
        return f"Published by {row['n_sources']} sources that agree"
    return "Published"


MAX_ROWS = 60  # a longer table is for the download, not the page (it would also weigh >50 KB per update)


def figures_table(
    rows: pl.DataFrame,
    sources: pl.DataFrame,
    max_rows: int = MAX_ROWS,
    label: str = "Figures shown",
    scroll: bool = True,
) -> html.Div:
    """rows: dashboard.views.shown_rows(); sources: the sources table (source_id, document, agency, url).

    The table scrolls inside its box (sideways on a phone; also down past 28rem with ``scroll``), so the box
    is a keyboard-focusable, named region (WCAG 2.1.1: a scrolled area must be reachable by keyboard)."""
    if rows.is_empty():
        return html.P("No figures reported for this selection.", className="text-muted small m-2")
    total = rows.height
    rows = rows.head(max_rows)
    cat = catalogue()
    by_id = {
        r["source_id"]: r
        for r in sources.filter(
            pl.col("source_id").is_in([i for ids in rows["source_ids"].to_list() for i in ids])
        ).iter_rows(named=True)
    }
    head = html.Thead(
        html.Tr(
            [
                html.Th(h, scope="col")
                for h in ("Country", "Period", "Measure", "Value", "How obtained", "Source")
            ]
        )
    )
    body = []
    for r in rows.iter_rows(named=True):
        srcs = [by_id[i] for i in r["source_ids"] if i in by_id]
        # one line per document; the verbatim quotes are its tooltip
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for src in srcs:
            grouped.setdefault((src["document"], src["agency"], src["url"]), []).append(src["quote"])
        source_cells = []
        for (document, agency, url), quotes in grouped.items():
            title = f"{document} — {agency}"
            link = (
                html.A(title, href=url, target="_blank", rel="noopener noreferrer")
                if url.startswith("http")
                else html.Span(title)
            )
            source_cells.append(html.Div(link, title=" … ".join(f"“{q}”" for q in quotes)))
        body.append(
            html.Tr(
                [
                    html.Td(country_name(r["country_iso3"])),
                    html.Td(label_of(r["period"], r["period_type"])),
                    html.Td(cat.measure(r["measure"]).label),
                    html.Td(
                        fmt_value(r["value"], r["unit"]),
                        className="text-end text-nowrap",
                        **{"data-value": repr(r["value"])},
                    ),
                    html.Td(_how(r)),
                    html.Td(source_cells),
                ]
            )
        )
    table = dbc.Table([head, html.Tbody(body)], size="sm", striped=True, hover=True, className="mb-0 small")
    more = (
        html.P(
            f"Showing the first {max_rows} of {total} figures; the CSV and XLSX downloads hold all of them.",
            className="small text-muted m-2",
        )
        if total > max_rows
        else None
    )
    return html.Div(
        [table, more],
        className="table-responsive" + (" table-scroll" if scroll else ""),
        tabIndex="0",
        role="region",
        **{"aria-label": label},
    )
