"""The table of figures shown: one row per figure, with its value, how it was obtained and its source.

A value chosen among sources that differ carries the charts' mark, ‡, after the value and before the words
that say so in "How obtained" (the symbol is hidden from screen readers, which read the words)."""

from __future__ import annotations

import polars as pl
from dash import html

from dashboard.catalogue import catalogue
from dashboard.countries import country_name
from dashboard.figures import derivation_text
from dashboard.formatting import fmt_plain, fmt_value
from dashboard.i18n import N_, _, ngettext
from dashboard.partial import partial_note
from dashboard.release_text import revised_note, withdrawn_note
from dashboard.theme import CONFLICT_MARK
from dashboard.views import label_of
from layouts.html_text import El, el, to_dash, to_html


def _period_cell(period: str, period_type: str) -> list:
    """The period, and under it why it is not complete in the data (a year to date short of the year)."""
    note = partial_note(period, period_type)
    label = label_of(period, period_type)
    return [label] if note is None else [label, el("br"), el("small", note, className="partial-mark")]


def _how(row: dict) -> str:
    """How the figure was obtained, in the language in force (a derivation stored in English at build time
    is said again by figures.derivation_text)."""
    n = row["n_sources"]
    if row["status"] == "derived":
        return _("Derived: {how}").format(how=derivation_text(row["derivation"] or ""))
    if row["conflict"]:
        return ngettext(
            "Published; chosen among {n} source that differ",
            "Published; chosen among {n} sources that differ",
            n,
        ).format(n=n)
    if n > 1:
        return ngettext(
            "Published by {n} source that agree", "Published by {n} sources that agree", n
        ).format(n=n)
    # the overview's status word, capitalised: a bare "Published" msgid is the downloads' date column
    return _("published").capitalize()


def _mark(text: str, before: bool) -> El:
    """The visible ‡ of a value chosen among differing sources (aria-hidden: the row says it in words)."""
    return el(
        "span",
        f"{CONFLICT_MARK} " if before else f" {CONFLICT_MARK}",
        className="conflict-mark",
        title=text,
        **{"aria-hidden": "true"},
    )


def _revision(row: dict) -> list:
    """The "revised" mark of a figure that replaced an earlier statement: the previous value, the reason and
    the release, after how it was obtained (nothing for a figure never revised)."""
    note = revised_note(row)
    if note is None:
        return []
    return [el("br"), el("span", note, className="revised-mark")]


def withdrawn_notes(withdrawn: pl.DataFrame) -> html.Div | None:
    """Under the table: the figures of the view's indicator and period that were withdrawn, each with the
    value it had and the reason ("Withdrawn in release 4: … (was 68.8%): …"); None when there are none."""
    if withdrawn.is_empty():
        return None
    return html.Div(
        [
            html.H3(_("Withdrawn figures"), className="h6 mt-2 mb-1"),
            html.Ul(
                [html.Li(withdrawn_note(r)) for r in withdrawn.iter_rows(named=True)],
                className="small mb-2",
            ),
        ],
        className="withdrawn-notes m-2",
    )


def _how_cell(row: dict, conflict: bool, chosen: str):
    how = [_mark(chosen, before=True), _how(row)] if conflict else _how(row)
    revision = _revision(row)
    if not revision:
        return how
    return [*(how if isinstance(how, list) else [how]), *revision]


HEADERS = (N_("Country"), N_("Period"), N_("Measure"), N_("Value"), N_("How obtained"), N_("Source"))


MAX_ROWS = 60  # a longer table is for the download, not the page (it would also weigh >50 KB per update)


def figures_table(
    rows: pl.DataFrame,
    sources: pl.DataFrame,
    max_rows: int = MAX_ROWS,
    label: str | None = None,
    scroll: bool = True,
) -> html.Div | html.P:
    """The table as Dash components (country pages)."""
    return to_dash(_table(rows, sources, max_rows, label, scroll))


def figures_table_html(rows: pl.DataFrame, sources: pl.DataFrame, max_rows: int = MAX_ROWS) -> str:
    """The table as one HTML string (the explorer: written straight, no Dash component made)."""
    return to_html(_table(rows, sources, max_rows))


# Bootstrap's table classes (what dbc.Table size="sm" striped hover writes)
_TABLE_CLASS = "table table-sm table-striped table-hover mb-0 small"


def _table(
    rows: pl.DataFrame,
    sources: pl.DataFrame,
    max_rows: int = MAX_ROWS,
    label: str | None = None,
    scroll: bool = True,
) -> El:
    """rows: dashboard.views.shown_rows(); sources: the sources table (source_id, document, agency, url).

    The table scrolls inside its box (sideways on a phone; also down past 28rem with ``scroll``), so the box
    is a keyboard-focusable, named region (WCAG 2.1.1: a scrolled area must be reachable by keyboard);
    ``label`` names it (default: 'Figures shown')."""
    if rows.is_empty():
        return el("p", _("No figures reported for this selection."), className="text-muted small m-2")
    total = rows.height
    rows = rows.head(max_rows)
    cat = catalogue()
    by_id = {
        r["source_id"]: r
        for r in sources.filter(
            pl.col("source_id").is_in([i for ids in rows["source_ids"].to_list() for i in ids])
        ).iter_rows(named=True)
    }
    head = el("thead", el("tr", [el("th", _(h), scope="col") for h in HEADERS]))
    body = []
    chosen = _("chosen among sources that differ")
    for r in rows.iter_rows(named=True):
        conflict = bool(r["conflict"])
        srcs = [by_id[i] for i in r["source_ids"] if i in by_id]
        # one line per document; the verbatim quotes are its tooltip
        grouped: dict[tuple[str, str, str], list[str]] = {}
        for src in srcs:
            grouped.setdefault((src["document"], src["agency"], src["url"]), []).append(src["quote"])
        source_cells = []
        for (document, agency, url), quotes in grouped.items():
            title = f"{document} — {agency}"
            link = (
                el("a", title, href=url, target="_blank", rel="noopener noreferrer")
                if url.startswith("http")
                else el("span", title)
            )
            source_cells.append(el("div", link, title=" … ".join(f"“{q}”" for q in quotes)))
        body.append(
            el(
                "tr",
                [
                    el("td", country_name(r["country_iso3"])),
                    el("td", _period_cell(r["period"], r["period_type"])),
                    el("td", cat.measure(r["measure"]).label),
                    el(
                        "td",
                        [fmt_value(r["value"], r["unit"]), _mark(chosen, before=False)]
                        if conflict
                        else fmt_value(r["value"], r["unit"]),
                        className="text-end text-nowrap",
                        **{"data-value": repr(r["value"])},
                    ),
                    el("td", _how_cell(r, conflict, chosen)),
                    el("td", source_cells),
                ],
            )
        )
    table = el("table", [head, el("tbody", body)], className=_TABLE_CLASS)
    more = (
        el(
            "p",
            _(
                "Showing the first {shown} of {total} figures; the CSV and XLSX downloads hold all of them."
            ).format(shown=fmt_plain(max_rows, 0), total=fmt_plain(total, 0)),
            className="small text-muted m-2",
        )
        if total > max_rows
        else None
    )
    return el(
        "div",
        [table, more],
        className="table-responsive" + (" table-scroll" if scroll else ""),
        tabIndex="0",
        role="region",
        **{"aria-label": label or _("Figures shown")},
    )
