"""How a derived value was computed: recorded by the build as data, said in words in the reader's language.

The build (dashboard/pipeline/build.py) stores each derivation in the ``derivation`` column as a small JSON
object with its inputs, not as a sentence, so the words can be written in any language from the numbers
themselves:

    {"kind": "share_of_total", "share": 68.8, "total": 308710.0, "unit": "permits", "country": "UZB",
     "period": "2023-Q2", "period_type": "quarter", "unsure": [["total", 2]]}
    {"kind": "sum_of_months", "unit": "KZT_bn", "months": [["2023-04", 76.4], ...], "unsure": ["2023-05"]}

``describe`` says it: "68.8% of 308,710 (share of Uzbekistan × total, Q2 2023)" in English, "68,8 % от 308 710
(доля страны Узбекистан × итог, 2-й кв. 2023)" in Russian. A plain text (the share computed on screen from
published amounts, already in the reader's language) is shown as it is.
"""

from __future__ import annotations

import json

from dashboard.countries import country_name
from dashboard.formatting import fmt_value
from dashboard.i18n import _, ngettext
from dashboard.periods import parse_period, period_label

SHARE_OF_TOTAL = "share_of_total"
SUM_OF_MONTHS = "sum_of_months"


def share_of_total(share: dict, total: dict) -> str:
    """The record of a count from a published share and the total printed by the same document."""
    unsure = [[which, o["n_sources"]] for which, o in (("share", share), ("total", total)) if o["conflict"]]
    return _dump(
        {
            "kind": SHARE_OF_TOTAL,
            "share": share["value"],
            "total": total["value"],
            "unit": total["unit"],
            "country": share["country_iso3"],
            "period": total["period"],
            "period_type": total["period_type"],
            "unsure": unsure,
        }
    )


def sum_of_months(months: list[dict], unit: str) -> str:
    """The record of a quarter summed from its three reported months."""
    return _dump(
        {
            "kind": SUM_OF_MONTHS,
            "unit": unit,
            "months": [[m["period"], m["value"]] for m in months],
            "unsure": [m["period"] for m in months if m["conflict"]],
        }
    )


def _dump(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def record(how: str | None) -> dict | None:
    """The derivation's record, or None for a plain text (or nothing)."""
    if not how or not how.startswith("{"):
        return None
    try:
        data = json.loads(how)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def describe(how: str | None) -> str | None:
    """How a derived value was computed, in words, in the language in force."""
    data = record(how)
    if data is None:
        return how
    if data.get("kind") == SHARE_OF_TOTAL:
        text = _("{share} of {total} (share of {country} × total, {period})").format(
            share=fmt_value(data["share"], "percent"),
            total=fmt_value(data["total"], data["unit"]),
            country=country_name(data["country"]),
            period=period_label(parse_period(data["period"], data["period_type"])),
        )
        parts = [_chosen(which, n) for which, n in data.get("unsure", [])]
        return "; ".join([text, *parts])
    if data.get("kind") == SUM_OF_MONTHS:
        unit = data["unit"]
        items = " + ".join(
            f"{period_label(parse_period(m, 'month'))} {fmt_value(v, unit)}" for m, v in data["months"]
        )
        text = _("sum of the three reported months: {parts}").format(parts=items)
        if data.get("unsure"):
            months = ", ".join(period_label(parse_period(m, "month")) for m in data["unsure"])
            text += "; " + _("{months} chosen among differing sources").format(months=months)
        return text
    return how  # a kind this version does not know: the record as stored, never a guess


def _chosen(which: str, n: int) -> str:
    if which == "share":
        msg = ngettext(
            "the share was chosen among {n} differing source",
            "the share was chosen among {n} differing sources",
            n,
        )
    else:
        msg = ngettext(
            "the total was chosen among {n} differing source",
            "the total was chosen among {n} differing sources",
            n,
        )
    return msg.format(n=n)
