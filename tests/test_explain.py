"""The change explainer (dashboard/explain.py) on the shipped data, with every figure worked out by hand from
data/sources/observations.csv (the rows are quoted above each case), in three languages; each sentence's link
opens a view (parsed by dashboard/state.py) whose numbers prove it.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import urlparse

import polars as pl
import pytest

from dashboard import downloads, i18n
from dashboard.briefing import build_briefing
from dashboard.countries import OTHER
from dashboard.data import DataStore
from dashboard.explain import comparison_period, country_change, explain, explain_view
from dashboard.partial import is_partial, partial_note
from dashboard.state import parse_query
from dashboard.views import shown_rows
from layouts.briefing import layout as briefing_layout
from layouts.html_text import to_html
from layouts.tables import figures_table
from tests.fixtures_data import committed_store

# observations.csv rows used (line numbers of the file):
#  251 foreign_workers_permit_holders,2023-08-01,date,Total,TOT,count,14702   (Liter.kz)
#  252 ... 2023-08-01 CHN count 3768 · 253 CHN share_pct 25.6 · 254 UZB 2016 · 256 TUR 1411
#  572 ... 2023-08-01 IND count 1391 (Silkway.news)
#  258 ... 2023-09-01 Total 14571 (KazTAG) · 259 CHN 3771 · 261 UZB 2002 · 263 TUR 1370 · 265 IND 1363
#  260 ... 2023-09-01 CHN share_pct 26.2 (KazTAG) and 401 CHN share_pct 26 (Times of Central Asia): they
# differ
# total: 14571 - 14702 = -131, -131 / 14702 = -0.89 % ("fell by 0.9%")
# TUR 1370 - 1411 = -41 (41 / 131 = 31.3 %), IND 1363 - 1391 = -28 (21.4 %), UZB 2002 - 2016 = -14 (10.7 %),
# CHN 3771 - 3768 = +3 (against the change); other countries (14571 - 8506) - (14702 - 8586) = 6065 -
# 6116 = -51
# (38.9 %); -41 - 28 - 14 + 3 - 51 = -131. China 3771 < the 6065 not itemised: the largest listed, not
# proven first.
STOCK = ("foreign_workers_permit_holders", "count", "persons", "2023-09-01", "date", "2023-08-01", "date")
# rows 347 remittance_inflow,2023-Q1,quarter,Russia,RUS,amount,33.9,KZT_bn (SocialBites; no Q1 total
# anywhere);
# 85 2023-Q2 Total 80.9 KZT_bn, 93 RUS 31.2, 95 KOR 8.8, 97 USA 8.5, 99 UZB 8.06, 101 TUR 4.9, 103 DEU 4.2,
# 105 KGZ 3.69 (IOM Q2 2023 report). RUS 31.2 - 33.9 = -2.7 bn KZT, 31.2 / 33.9 - 1 = -7.96 % ("−8.0%").
REMIT = ("remittance_inflow", "amount", "KZT_bn", "2023-Q2", "quarter", "2023-Q1", "quarter")
# rows 10 trp_issued,2023-Q1,quarter,Total,TOT,count,82000 and 2 2023-Q2 Total 308710 (IOM), 3-9 the Q2 shares
# UZB 68.8, RUS 22.3, KGZ 3.9, TJK 3, AZE 1, ARM 0.7, BLR 0.4 (no Q1 country list).
# 308710 - 82000 = +226,710; 308710 / 82000 = 3.76 ("rose about fourfold", +276.5 %);
# UZB 68.8 % x 308710 = 212,392.48 (derived), RUS 22.3 % x 308710 = 68,842.33 (derived).
TRP = ("trp_issued", "count", "permits", "2023-Q2", "quarter", "2023-Q1", "quarter")


@pytest.fixture(scope="module")
def store() -> DataStore:
    return committed_store()


def _texts(e) -> list[str]:
    return [s.text for s in e.sentences]


# -- the three cases of the issue, in English ---------------------------------------------------------------
def test_stock_between_two_dates(store):
    assert comparison_period(store, *STOCK[:5], "prev") == ("2023-08-01", "date")  # the latest earlier date
    e = explain(store, *STOCK)
    assert e.ok and e.total is not None
    assert (e.total.absolute, e.total.status) == (-131.0, "derived")
    assert round(e.total.pct or 0, 2) == -0.89
    by = {c.country: c for c in e.contributions}
    assert [c.country for c in e.contributions] == ["TUR", "IND", "UZB", "CHN", OTHER]
    assert {k: (c.before, c.after, c.change) for k, c in by.items()} == {
        "TUR": (1411, 1370, -41),
        "IND": (1391, 1363, -28),
        "UZB": (2016, 2002, -14),
        "CHN": (3768, 3771, 3),
        OTHER: (6116, 6065, -51),
    }
    assert [round(by[k].share_of_change or 0, 1) for k in ("TUR", "IND", "UZB", OTHER)] == [
        31.3,
        21.4,
        10.7,
        38.9,
    ]
    assert sum(c.change or 0 for c in e.contributions) == e.total.absolute
    assert by[OTHER].derived and not by["TUR"].derived
    assert by["IND"].other_documents  # Silkway.news on 1 August, KazTAG on 1 September
    conc = e.concentration
    assert conc is not None and conc.country == "CHN" and not conc.proven and conc.conflict
    assert (conc.before, conc.after, conc.before_status, conc.after_status) == (
        25.6,
        26.0,
        "published",
        "published",
    )
    assert _texts(e) == [
        "Foreign workers holding work permits (stock) fell by 0.9% from 14,702 as of 1 August 2023 "
        "to 14,571 as of "
        "1 September 2023 (−131; computed from the two levels).",
        "Of the change, the largest parts were Türkiye (−41, 31.3% of the change), India (−28, 21.4% "
        "of the change), "
        "Uzbekistan (−14, 10.7% of the change); all other countries together −51 (derived), 38.9% of "
        "the change.",
        "China, the largest country listed, saw its share rise from 25.6% to 26.0% (a share chosen "
        "among differing "
        "sources).",
    ]
    json.dumps(e.to_dict())  # the API's answer is plain JSON


def test_remittances_received_q1_against_q2(store):
    e = explain(store, *REMIT)
    assert e.ok and e.total is not None and e.total.absolute is None and e.total.status == "not_reported"
    assert [(c.country, c.before, c.after, round(c.change or 0, 1)) for c in e.contributions] == [
        ("RUS", 33.9, 31.2, -2.7)
    ]
    assert e.contributions[0].other_documents  # SocialBites against the IOM report: said
    assert [x.country for x in e.listed_once] == ["KOR", "USA", "UZB", "TUR", "DEU", "KGZ"]
    assert all(x.period == "2023-Q2" for x in e.listed_once)
    assert e.concentration is None  # no Q1 total: no share
    assert _texts(e) == [
        "No total of remittances received in Kazakhstan was reported in Q1 2023, so the change of "
        "the total cannot "
        "be stated (Q2 2023: 80.9 bn KZT).",
        "Listed in both periods, from Q1 2023 to Q2 2023: the Russian Federation 33.9 bn KZT → 31.2 "
        "bn KZT (−8.0%) "
        "(figures from different documents).",
        "Listed only in Q2 2023, not in the list of Q1 2023: South Korea 8.8 bn KZT, the United "
        "States 8.5 bn KZT, "
        "Uzbekistan 8.1 bn KZT, Türkiye 4.9 bn KZT and 2 more.",
    ]
    assert not any("100" in t for t in _texts(e))  # a country new to the list is never "+100%"


def test_temporary_residence_permits_q1_against_q2(store):
    e = explain(store, *TRP)
    assert e.ok and e.total is not None
    assert (e.total.absolute, e.total.status, round(e.total.pct or 0, 1)) == (226710.0, "derived", 276.5)
    assert e.contributions == ()  # no Q1 list: no country's part can be stated
    assert [(x.country, round(x.value or 0, 2), x.derived) for x in e.listed_once[:2]] == [
        ("UZB", 212392.48, True),
        ("RUS", 68842.33, True),
    ]
    assert _texts(e) == [
        "Temporary residence permits issued rose about fourfold from 82,000 in Q1 2023 to 308,710 in Q2 2023 "
        "(+226,710; computed from the two levels).",
        "Q1 2023 has no country list, so no country's part in the change can be stated (Q2 2023: Uzbekistan "
        "212,392 (derived), the Russian Federation 68,842 (derived), Kyrgyzstan 12,040 (derived), Tajikistan "
        "9,261 (derived) and 3 more).",
    ]
    assert e.caveats == ("Q1 2023 (82,000) looks back-computed as H1 minus Q2 in the IOM report.",)


# -- the same in Russian and Kazakh -------------------------------------------------------------------------
EXPECTED = {
    ("ru", STOCK): ["14 702", "14 571", "−131", "0,9 %", "Турция", "31,3 %", "−51", "25,6 %", "26,0 %"],
    ("kk", STOCK): ["14 702", "14 571", "−131", "0,9%", "Түркия", "31,3%", "−51", "25,6%", "26,0%"],
    ("ru", REMIT): ["80,9 млрд ₸", "33,9 млрд ₸", "31,2 млрд ₸", "−8,0 %", "Южная Корея"],
    ("kk", REMIT): ["80,9 млрд ₸", "33,9 млрд ₸", "31,2 млрд ₸", "−8,0%", "Оңтүстік Корея"],
    ("ru", TRP): ["82 000", "308 710", "+226 710", "212 392"],
    ("kk", TRP): ["82 000", "308 710", "+226 710", "212 392"],
}


@pytest.mark.parametrize(("lang", "case"), list(EXPECTED), ids=lambda x: x if isinstance(x, str) else x[0])
def test_sentences_in_russian_and_kazakh(store, lang, case):
    with i18n.use("en"):
        english = _texts(explain(store, *case))
    with i18n.use(lang):
        texts = _texts(explain(store, *case))
    joined = " ".join(texts).replace("\xa0", " ").replace("\u202f", " ")  # Babel's no-break spaces
    assert len(texts) == len(english)
    for number in EXPECTED[(lang, case)]:
        assert number in joined, (number, joined)
    for word in (" from ", " to ", "the change", "computed", "Listed", "derived", "country list"):
        assert word not in joined, (word, joined)  # nothing left in English


# -- each sentence opens the view that proves it ------------------------------------------------------------
@pytest.mark.parametrize("case", [STOCK, REMIT, TRP], ids=lambda c: c[0])
@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_each_link_opens_the_view_that_proves_its_sentence(store, case, lang):
    with i18n.use(lang):
        e = explain(store, *case)
    indicator, measure, unit, period, ptype, base, _btype = case
    for sentence in e.sentences:
        link = urlparse(sentence.href)
        assert link.path == "/explore"
        s = parse_query(link.query, store)
        assert s.notices == ()
        assert (s.indicator, s.measure, s.unit, s.period, s.period_type, s.vs, s.lang) == (
            indicator,
            measure,
            unit,
            period,
            ptype,
            base,
            lang,
        )
        # the view's own explanation says the same sentence, from the same numbers
        with i18n.use(lang):
            again = explain_view(store, s)
        assert sentence.text in _texts(again)
        # and the countries the sentence names are the view's countries, with the figures it states
        for code in s.countries:
            now = store.figure(indicator, period, ptype, code, measure, unit)
            then = store.figure(indicator, base, ptype, code, measure, unit)
            line = next((c for c in e.contributions if c.country == code), None)
            if line is not None:
                assert (line.before, line.after) == (then.value, now.value)
            else:
                listed = next(x for x in e.listed_once if x.country == code)
                assert listed.value == (now if listed.period == period else then).value


def test_a_year_earlier_prefers_the_change_the_source_printed(store):
    # row 108 remittance_inflow,2023-Q2,…,TOT,change_pct_yoy,-62.11 beside row 85 (80.9) and row 107
    # 2022-Q2 213.5
    s = parse_query("?indicator=remittance_inflow&measure=amount&unit=KZT_bn&period=2023-Q2&vs=year", store)
    e = explain_view(store, s)
    assert e.total is not None and (e.total.pct, e.total.status, e.total.conflict) == (
        -62.11,
        "published",
        False,
    )
    assert round(e.total.absolute or 0, 1) == -132.6
    assert "change as published" in e.sentences[0].text


def test_a_printed_change_that_the_levels_do_not_give_is_marked_conflicting(store):
    # rows 213/214 departures 2025-01..2025-09 5900 and -41.4 %; row 182 2024-01..2024-09 10200:
    # 5900/10200 - 1
    # = -42.2 %, 0.8 points from the printed -41.4 %. Both are years to date to September: partial, said.
    e = explain(store, "departures", "count", "persons", "2025-01..2025-09", "ytd", "2024-01..2024-09", "ytd")
    assert e.ok and e.total is not None and e.total.conflict and e.total.pct == -41.4
    assert round(e.total.computed_pct or 0, 1) == -42.2
    assert "the levels themselves give −42.2%, which does not match the printed −41.4%" in e.sentences[0].text
    assert e.caveats == (
        "partial: Jan–Sep 2024 only, not the full year",
        "partial: Jan–Sep 2025 only, not the full year",
    )


# -- refusals: a reason, never a wrong sentence -------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("nope", "count", "persons", "2023-Q2", "quarter", "2023-Q1", "quarter"),
            "unknown_indicator",
            "Unknown indicator 'nope'.",
        ),
        (
            ("trp_issued", "share_pct", "percent", "2023-Q2", "quarter", "2023-Q1", "quarter"),
            "not_a_level",
            "A change can be explained for a count or an amount, not for Share of total.",
        ),
        (
            ("trp_issued", "count", "KZT_bn", "2023-Q2", "quarter", "2023-Q1", "quarter"),
            "unknown_measure",
            "Temporary residence permits is not published as 'count' in 'KZT_bn'.",
        ),
        (
            ("trp_issued", "count", "permits", "2023-Q5", "quarter", "2023-Q1", "quarter"),
            "bad_period",
            "The period '2023-Q5' cannot be read: write it like 2023-Q2.",
        ),
        (
            ("trp_issued", "count", "permits", "2023-Q2", "quarter", "2023-Q2", "quarter"),
            "same_period",
            "Both periods are Q2 2023: choose another period to compare with.",
        ),
        (
            ("trp_issued", "count", "permits", "2023-Q2", "quarter", "2023", "ytd"),
            "period_types",
            "Q2 2023 (quarter) and 2023 year to date (end not stated) (year to date) are not periods "
            "of the same kind "
            "and length: they cannot be compared.",
        ),
        (
            ("trp_issued", "count", "permits", "2023-Q2", "quarter", "2023-H1", "half"),
            "period_types",
            "Q2 2023 (quarter) and H1 2023 (half-year) are not periods of the same kind and length: "
            "they cannot be "
            "compared.",
        ),
        (
            ("remittance_inflow", "amount", "KZT_bn", "2022-01..2022-07", "ytd", "2022-01..2022-05", "ytd"),
            "ytd_length",
            "Jan–Jul 2022 and Jan–May 2022 are years to date of different lengths: only the same "
            "months can be compared.",
        ),
        (
            ("trp_issued", "count", "permits", "2024-Q2", "quarter", "2024-Q1", "quarter"),
            "no_data",
            "Nothing was reported for Temporary residence permits in Q2 2024: there is nothing to compare.",
        ),
        # rows 211 arrivals 2025-01..2025-09 (Bureau of National Statistics) and the 2024-01..2024-09 total
        # credited by Orda.kz to the First Credit Bureau: a break in source
        (
            ("arrivals", "count", "persons", "2025-01..2025-09", "ytd", "2024-01..2024-09", "ytd"),
            "source_break",
            "The totals come from different agencies (Bureau of National Statistics in Jan–Sep 2025, "
            "First Credit "
            "Bureau in Jan–Sep 2024): a break in source, so the change is not stated.",
        ),
    ],
    ids=lambda x: x if isinstance(x, str) and " " not in x else None,
)
def test_refusals_say_why(store, args, code, message):
    e = explain(store, *args)
    assert (e.ok, e.refusal, e.message, e.sentences) == (False, code, message, ())
    json.dumps(e.to_dict())


def test_a_break_in_definition_between_the_periods_refuses(store):
    e = explain(store, *TRP, breaks=(date(2023, 4, 1),))
    assert e.refusal == "definition_break"
    assert explain(store, *TRP, breaks=(date(2023, 7, 1),)).ok  # after both: no break between them


def test_counts_derived_from_shares_of_another_total_refuse(store):
    """Q2's country counts are 68.8 % … of 308,710; with Q2's total restated the two no longer fit."""
    obs = store.observations.with_columns(
        pl.when(
            (pl.col("indicator") == "trp_issued")
            & (pl.col("period") == "2023-Q2")
            & (pl.col("country_iso3") == "TOT")
        )
        .then(300000.0)
        .otherwise(pl.col("value"))
        .alias("value")
    )
    e = explain(DataStore(obs, store.sources), *TRP)
    assert e.refusal == "share_base"
    assert e.message == (
        "The country figures of Q2 2023 are derived from shares of another total (308,710) than the "
        "total compared "
        "(300,000): they cannot be compared."
    )


def test_nothing_in_common_refuses(store):
    # remittance_inflow 2023-Q1 lists only Russia; 2022-Q4 has no figure in KZT bn at all -> no_data;
    # Q1 against 2022-Q2 (a total, no list): no total on the Q1 side and no country in both
    e = explain(store, "remittance_inflow", "amount", "KZT_bn", "2023-Q1", "quarter", "2022-Q2", "quarter")
    assert e.refusal == "nothing_common"
    assert (
        e.message == "No total was reported in Q1 2023 and no country is listed in both periods: nothing can "
        "be compared."
    )


def test_a_view_without_a_comparison_period_says_so(store):
    s = parse_query("?indicator=trp_issued&period=2023&ptype=ytd", store)
    assert s.period_type == "ytd"
    e = explain_view(store, s)
    assert (e.refusal, e.message) == (
        "no_comparison",
        "2023 year to date (end not stated) has no previous period to compare with.",
    )


# -- partial periods ----------------------------------------------------------------------------------------
def test_partial_periods():
    assert partial_note("2022-01..2022-05", "ytd") == "partial: Jan–May 2022 only, not the full year"
    assert (
        partial_note("2024-01-01..2024-05-10", "ytd") == "partial: 1 Jan–10 May 2024 only, not the full year"
    )
    assert partial_note("2023", "ytd") == "partial: year to date, end not stated (not the full year)"
    assert not is_partial("2022-01..2022-12", "ytd")  # a year to date to 31 December is the whole year
    assert partial_note("2023-Q1", "quarter", 2) == "partial: only 2 of the quarter's 3 months reported"
    assert not is_partial("2023-Q1", "quarter", 3) and not is_partial("2023-Q1", "quarter", 0)
    assert not is_partial("2023-Q1", "quarter") and not is_partial("2023", "year")
    with i18n.use("ru"):
        assert partial_note("2022-01..2022-05", "ytd") != "partial: Jan–May 2022 only, not the full year"


def test_a_partial_period_is_flagged_in_the_table_and_the_downloads(store):
    # rows 312-314 remittance_inflow 2022-01..2022-05 ytd (Astana Times): January to May, not the full year
    s = parse_query("?indicator=remittance_inflow&measure=amount&unit=KZT_bn&period=2022-01..2022-05", store)
    assert (s.period_type, s.notices) == ("ytd", ())
    rows = shown_rows(store, s)
    frame = downloads.download_frame(rows, store, s.indicator)
    ytd = frame.filter(pl.col("period") == s.period)
    assert not ytd.is_empty()
    assert set(ytd["partial"].to_list()) == {"partial: Jan–May 2022 only, not the full year"}
    assert set(frame.filter(pl.col("period_type") == "quarter")["partial"].to_list()) <= {""}
    header = downloads.to_csv(frame).splitlines()[0].split(",")
    assert header[-4:] == [
        "partial",
        "previous_value",
        "revision_reason",
        "revised_in",
    ]  # revisions stay last
    assert "partial: Jan–May 2022 only, not the full year" in to_html([figures_table(rows, store.sources)])
    whole = parse_query("?indicator=remittance_inflow&measure=amount&unit=KZT_bn&period=2023-Q2", store)
    assert set(downloads.download_frame(shown_rows(store, whole), store, s.indicator)["partial"]) == {""}


def test_the_briefing_explains_the_quarters_changes(store):
    b = build_briefing(store, "2023-Q2")
    rules = [(f.rule, f.indicators) for f in b.findings]
    explained = [f for f in b.findings if f.rule.startswith("explain_")]
    # Q2 2023 against Q1: only remittances received have a country in both quarters' lists (Russia); the
    # others' Q1 has no list, which the briefing's own breakdown sentences already make plain
    assert {f.indicators for f in explained} == {("remittance_inflow",)}
    assert [f.rule for f in explained] == ["explain_drivers", "explain_listed"]
    drivers = next(
        f for f in explained if f.rule == "explain_drivers" and f.indicators == ("remittance_inflow",)
    )
    assert drivers.text == _texts(explain(store, *REMIT))[1]
    assert drivers.href is not None and parse_query(urlparse(drivers.href).query, store).countries == ("RUS",)
    # each after its indicator's own findings, before the findings about several indicators
    at = rules.index(("explain_drivers", ("remittance_inflow",)))
    assert (
        rules[at - 1][1] == ("remittance_inflow",)
        and rules.index(("balance", ("remittance_outflow", "remittance_inflow"))) > at
    )
    links = _links(briefing_layout(store, "2023-Q2", {}))
    shown = parse_query(urlparse(links[drivers.text]).query, store)  # the sentence is a link on the page
    assert (shown.period, shown.vs, shown.countries) == ("2023-Q2", "2023-Q1", ("RUS",))


def _links(component) -> dict[str, str]:
    """text -> href of every link in a component tree."""
    out: dict[str, str] = {}
    stack = [component]
    while stack:
        c = stack.pop()
        if isinstance(c, (list, tuple)):
            stack += list(c)
            continue
        if getattr(c, "href", None) and isinstance(getattr(c, "children", None), str):
            out[c.children] = c.href
        children = getattr(c, "children", None)
        if children is not None and not isinstance(children, str):
            stack.append(children)
    return out


def test_a_countrys_part_for_the_country_page(store):
    # rows 457-459 foreign_workers_permit_holders 2025-11-01 Total 14463, UZB 2455 (Zakon.kz); rows 460-462
    # 2025-12-01 Total 14103, UZB 2110 (Zakon.kz, another article): UZB 2110 - 2455 = -345 of 14103 - 14463 =
    # -360, 95.8 % of the change; 2110 / 2455 - 1 = -14.1 %
    c = country_change(store, "UZB", "foreign_workers_permit_holders")
    assert c is not None and c.contribution is not None
    assert (c.contribution.before, c.contribution.after, c.contribution.change) == (2455, 2110, -345)
    assert round(c.contribution.share_of_change or 0, 1) == 95.8
    assert c.text == (
        "Listed in both periods, from as of 1 November 2025 to as of 1 December 2025: Uzbekistan 2,455 → "
        "2,110 (−14.1%) (figures from different documents) (−345, 95.8% of the change)."
    )
    s = parse_query(urlparse(c.href).query, store)
    assert (s.period, s.vs, s.countries) == ("2025-12-01", "2025-11-01", ("UZB",))
    json.dumps(c.to_dict())
    # TRPs: Q1 2023 has no list at all, so Uzbekistan's derived Q2 count is said without a change
    trp = country_change(store, "UZB", "trp_issued")
    assert trp is not None and trp.contribution is None and trp.text.startswith("Q1 2023 has no country list")
    assert country_change(store, "UZB", "nope") is None and country_change(store, "ATA", "trp_issued") is None
