"""The change explainer under the explorer's trend: "Compared with" and 2-4 sentences, each a link to the view
that proves it, and the numbers they use (dashboard/explain.py computes them; no data is read here)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

from dash import dcc, html

from dashboard.api.paths import EXPLAIN_PATH
from dashboard.catalogue import catalogue
from dashboard.countries import OTHER
from dashboard.data import DERIVED, DataStore
from dashboard.explain import Contribution, Explanation, explain_view
from dashboard.findings import OTHER_COUNTRIES, country_phrase
from dashboard.formatting import fmt_change_pct, fmt_value
from dashboard.i18n import _, ngettext
from dashboard.ids import Ids
from dashboard.periods import parse_period, period_label
from dashboard.state import ExplorerState, period_choices
from layouts.attrs import attrs
from layouts.common import chart_card, dropdown_labels

# Countries itemised in "The numbers" (the largest changes first); the others listed in both periods are one
# summed line. A view with hundreds of countries would otherwise send and draw hundreds of rows nobody reads;
# every country is in the API's explanation (linked under the table), the figures table and its downloads.
NUMBERS_SHOWN = 10
FOLDED = "folded"  # the summed line's code (not a country)


def vs_options(store: DataStore, s: ExplorerState) -> list[dict]:
    """The previous period, a year earlier, then every other period of the view's kind with data."""
    ind = catalogue().indicator(s.indicator)
    same_kind = [
        p for p, t in period_choices(store, ind, s.measure, s.unit) if t == s.period_type and p != s.period
    ]
    return [
        {"label": _("the previous period"), "value": "prev"},
        {"label": _("a year earlier"), "value": "year"},
        *({"label": period_label(parse_period(p, s.period_type)), "value": p} for p in same_kind),
    ]


def card(s: ExplorerState, store: DataStore) -> html.Div:
    """The explainer's card: the "Compared with" control and the place its sentences go."""
    control = html.Div(
        [
            html.Label(
                _("Compared with"), htmlFor=Ids.VS, className="form-label small fw-semibold mb-0 me-2"
            ),
            html.Div(
                dcc.Dropdown(
                    labels=dropdown_labels(),
                    id=Ids.VS,
                    options=vs_options(store, s),
                    value=s.vs,
                    clearable=False,
                ),
                className="explain-vs",
            ),
        ],
        className="d-flex align-items-center flex-wrap gap-1",
    )
    body = [
        control,
        html.Div(
            content(explain_view(store, s)),  # drawn with the page; the state's callback redraws it
            id=Ids.EXPLAIN,
            className="mt-2",
            role="status",
            **attrs({"aria-live": "polite"}),
        ),
    ]
    return html.Div(chart_card(_("What drove this change"), body), className="mb-3 explain-card")


def _marked(value: float | None, unit: str, derived: bool) -> str:
    text = fmt_value(value, unit)
    return _("{value} (derived)").format(value=text) if derived else text


def _signed_marked(value: float, unit: str, derived: bool) -> str:
    """'−41', '+3 (derived)': a change with its sign (a typographic minus)."""
    sign = "+" if value > 0 else ("−" if value < 0 else "")
    return sign + _marked(abs(value), unit, derived)


def _name(code: str, folded: int = 0) -> str:
    if code == FOLDED:
        return ngettext(
            "{n} more country listed in both periods", "{n} more countries listed in both periods", folded
        ).format(n=folded)
    return _(OTHER_COUNTRIES) if code == OTHER else country_phrase(code, start=True)


def _row(c: Contribution, unit: str, folded: int = 0) -> html.Tr:
    share = "" if c.share_of_change is None else fmt_value(c.share_of_change, "percent")
    change = "" if c.change is None else _signed_marked(c.change, unit, c.derived)
    return html.Tr(
        [
            html.Th(_name(c.country, folded), scope="row", className="fw-normal"),
            html.Td(_marked(c.before, unit, c.derived), className="text-end"),
            html.Td(_marked(c.after, unit, c.derived), className="text-end"),
            html.Td(change, className="text-end"),
            html.Td(fmt_change_pct(c.change_pct) if c.change_pct is not None else "", className="text-end"),
            html.Td(share, className="text-end"),
        ]
    )


def _folded(rest: list[Contribution], total_change: float | None) -> Contribution:
    """The countries not itemised, summed into one line (derived: added up here)."""
    before = sum(c.before or 0.0 for c in rest)
    after = sum(c.after or 0.0 for c in rest)
    change = after - before
    return Contribution(
        FOLDED,
        before,
        after,
        change,
        None if before == 0 else (after / before - 1.0) * 100.0,
        change / total_change * 100.0 if total_change else None,
        True,
        any(c.conflict for c in rest),
    )


def _shown(e: Explanation) -> tuple[list[Contribution], int]:
    """The table's lines: the NUMBERS_SHOWN largest changes, the other countries listed in both periods
    summed into one line, then the remainder ("other countries", as the sentences say it); and how many
    countries the summed line holds (0: none summed)."""
    named = [c for c in e.contributions if c.country != OTHER]
    if len(named) <= NUMBERS_SHOWN:
        return list(e.contributions), 0
    remainder = [c for c in e.contributions if c.country == OTHER]
    folded = _folded(named[NUMBERS_SHOWN:], e.total.absolute if e.total else None)
    return [*named[:NUMBERS_SHOWN], folded, *remainder], len(named) - NUMBERS_SHOWN


def _numbers(e: Explanation) -> html.Details | None:
    """The contributions as a small table (every number the sentences use, marked as they are; the largest
    changes itemised, the rest summed)."""
    if not e.contributions or e.current is None or e.base is None:
        return None
    head = html.Tr(
        [
            html.Th(_("Country"), scope="col"),
            html.Th(e.base.label, scope="col", className="text-end"),
            html.Th(e.current.label, scope="col", className="text-end"),
            html.Th(_("Change"), scope="col", className="text-end"),
            html.Th("%", scope="col", className="text-end"),
            html.Th(_("Share of the change"), scope="col", className="text-end"),
        ]
    )
    shown, folded = _shown(e)
    rows = [_row(c, e.unit, folded) for c in shown]
    if e.current.total.value is not None and e.base.total.value is not None and e.total is not None:
        rows.append(
            html.Tr(
                [
                    html.Th(_("Total"), scope="row"),
                    html.Td(
                        _marked(e.base.total.value, e.unit, e.base.total.status == DERIVED),
                        className="text-end",
                    ),
                    html.Td(
                        _marked(e.current.total.value, e.unit, e.current.total.status == DERIVED),
                        className="text-end",
                    ),
                    html.Td(
                        "" if e.total.absolute is None else _signed_marked(e.total.absolute, e.unit, False),
                        className="text-end",
                    ),
                    html.Td(fmt_change_pct(e.total.pct), className="text-end"),
                    html.Td("", className="text-end"),
                ],
                className="fw-semibold",
            )
        )
    table = html.Table(
        [html.Thead(head), html.Tbody(rows)], className="table table-sm small mb-0 explain-numbers"
    )
    body: list = [
        html.Summary(_("The numbers"), className="small"),
        html.Div(table, className="table-responsive"),
    ]
    if folded:
        body.append(_full_list_note(e))
    return html.Details(body, className="mt-2")


# The explorer's query names the API's explain endpoint takes (the rest, e.g. the trend range, it refuses).
API_NAMES = {
    "ptype": "period_type",
    **{k: k for k in ("indicator", "measure", "unit", "period", "vs", "lang", "release")},
}


def _api_params(href: str) -> list[tuple[str, str]]:
    """The explanation's explorer link (/explore?…) as the API's parameters."""
    query = parse_qsl(urlsplit(href).query)
    return [(API_NAMES[k], v) for k, v in query if k in API_NAMES]


def _full_list_note(e: Explanation) -> html.P:
    """Where the countries of the summed line are itemised: the API's explanation of this view."""
    api = EXPLAIN_PATH + "?" + urlencode(_api_params(e.href or ""))
    return html.P(
        [
            _("Every country: "),
            html.A(_("the explanation in the data API (JSON)"), href=api, className="explain-api"),
            ".",
        ],
        className="small text-muted mb-0 mt-1 explain-folded",
    )


def content(e: Explanation) -> list:
    """The sentences (each a link to its proof), the notes they rely on, and the numbers; or the refusal."""
    if not e.ok:
        return [html.P(e.message or "", className="small mb-0 explain-refusal")]
    items = [
        html.Li(html.A(x.text, href=x.href, className="explain-link"), **attrs({"data-rule": x.rule}))
        for x in e.sentences
    ]
    out: list = [html.Ul(items, className="explain-sentences small mb-1 ps-3")]
    if e.caveats:
        out.append(
            html.P(
                [html.Strong(_("Note:") + " "), " ".join(e.caveats)],
                className="small text-muted mb-1 explain-caveats",
            )
        )
    numbers = _numbers(e)
    if numbers is not None:
        out.append(numbers)
    return out
