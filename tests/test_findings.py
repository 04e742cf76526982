"""Key-findings rules: the ratio wording, each rule on hand-made facts, and the rules on the shipped data
(the seed quarter 2023-Q2 and quarters with gaps)."""

from __future__ import annotations

import math
import re

import pytest

from dashboard.briefing import build_briefing, indicator_quarter, quarter_choices, quarters_with_data
from dashboard.catalogue import catalogue
from dashboard.data import DERIVED, NOT_REPORTED, PUBLISHED, Change, Figure
from dashboard.findings import (
    Breakdown,
    IndicatorQuarter,
    Part,
    change_phrase,
    country_phrase,
    key_findings,
    rule_balance,
    rule_change,
    rule_leader,
    rule_level,
    rule_months,
    rule_not_reported,
    rule_partial,
    times_phrase,
)
from tests.fixtures_data import committed_store


# -- wording -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ratio", "phrase"),
    [
        (308_710 / 82_000, "rose about fourfold"),  # 3.76: the seed's TRPs
        (254_393 / 63_400, "rose about fourfold"),  # 4.01: the seed's CIS workers
        (3.5, "rose about fourfold"),
        (4.49, "rose about fourfold"),
        (4.5, "rose about fivefold"),
        (3.49, "rose about threefold"),
        (2.5, "rose about threefold"),
        (10.4, "rose about tenfold"),
        (10.6, "rose more than tenfold"),
        (1.9, "doubled"),
        (2.0, "doubled"),
        (2.1, "doubled"),
        (2.3, "more than doubled"),
        (1.3876, "rose by 38.8%"),
        (1.899, "rose by 89.9%"),
        (1.0004, "was unchanged"),
        (0.8286, "fell by 17.1%"),
        (0.75, "fell by 25.0%"),
        (0.5, "halved"),
        (0.524, "halved"),
        (0.53, "fell by 47.0%"),
        (0.25, "fell by 75.0%"),
    ],
)
def test_change_phrase(ratio, phrase):
    assert change_phrase(ratio) == phrase


@pytest.mark.parametrize("ratio", [None, 0.0, -1.0, math.nan, math.inf])
def test_change_phrase_refuses_what_is_not_a_ratio(ratio):
    assert change_phrase(ratio) is None


@pytest.mark.parametrize(
    ("ratio", "phrase"),
    [
        (253.8 / 80.9, "about three times"),
        (1.5, "1.5 times"),
        (2.0, "twice"),
        (2.2, "more than twice"),
        (4.4, "about four times"),
        (11.0, "more than ten times"),
    ],
)
def test_times_phrase(ratio, phrase):
    assert times_phrase(ratio) == phrase


def test_country_phrase_reads_in_a_sentence():
    assert country_phrase("RUS") == "the Russian Federation"
    assert country_phrase("RUS", start=True) == "The Russian Federation"
    assert country_phrase("UZB", start=True) == "Uzbekistan"
    assert country_phrase("OTH") == "other countries"


# -- hand-made facts -----------------------------------------------------------------------------------------
def fig(value, period="2023-Q2", indicator="trp_issued", unit="permits", status=PUBLISHED, ptype="quarter"):
    measure = "amount" if unit in ("KZT_bn", "USD_mn") else "count"
    if value is None:
        status = NOT_REPORTED
    return Figure(indicator, period, ptype, "TOT", measure, unit, value, status, source_ids=("s1",))


def facts(indicator="trp_issued", unit="permits", cur=None, prev=None, yago=None, **kw) -> IndicatorQuarter:
    """Facts as the data API would give them: comparisons computed from the two levels."""
    cur = cur or fig(308_710, indicator=indicator, unit=unit)
    prev = prev or fig(None, "2023-Q1", indicator, unit)
    yago = yago or fig(None, "2022-Q2", indicator, unit)

    def computed(other):
        if cur.reported and other.reported:
            return Change((cur.value / other.value - 1) * 100, DERIVED, other)
        return Change(None, NOT_REPORTED, other)

    kw.setdefault("change_prev", computed(prev))
    kw.setdefault("change_yoy", computed(yago))
    return IndicatorQuarter(catalogue().indicator(indicator), "2023-Q2", unit, cur, prev, yago, **kw)


def shares(period="2023-Q2", total=None, unit="permits", **by_code) -> Breakdown:
    parts = tuple(Part(c, share=v, share_status=PUBLISHED) for c, v in by_code.items())
    return Breakdown(period, unit, total, parts)


def amounts(period="2023-Q2", total=None, unit="KZT_bn", **by_code) -> Breakdown:
    parts = tuple(
        Part(
            c, value=v, value_status=PUBLISHED, share=v / total * 100 if total else None, share_status=DERIVED
        )
        for c, v in by_code.items()
    )
    return Breakdown(period, unit, total, parts)


def test_change_rule_writes_the_ratio_and_both_numbers():
    text = rule_change(facts(prev=fig(82_000, "2023-Q1")))
    assert text == (
        "Temporary residence permits issued rose about fourfold on the previous quarter "
        "(308,710 in Q2 2023 vs 82,000 in Q1 2023)."
    )


def test_change_rule_joins_opposite_moves_with_but():
    cur = fig(253.8, indicator="remittance_outflow", unit="KZT_bn")
    iq = facts(
        "remittance_outflow",
        "KZT_bn",
        cur=cur,
        prev=fig(182.9, "2023-Q1", "remittance_outflow", "KZT_bn"),
        yago=fig(306.3, "2022-Q2", "remittance_outflow", "KZT_bn"),
    )
    text = rule_change(iq)
    assert (
        "rose by 38.8% on the previous quarter (253.8 bn KZT in Q2 2023 vs 182.9 bn KZT in Q1 2023)" in text
    )
    assert "but fell by 17.1% compared with a year earlier (306.3 bn KZT in Q2 2022)" in text


def test_change_rule_uses_a_published_change_without_its_level():
    cur = fig(80.9, indicator="remittance_inflow", unit="KZT_bn")
    yago = fig(None, "2022-Q2", "remittance_inflow", "KZT_bn")
    iq = facts(
        "remittance_inflow",
        "KZT_bn",
        cur=cur,
        yago=yago,
        change_yoy=Change(-62.11, PUBLISHED, yago, "as published"),
    )
    text = rule_change(iq)
    assert "fell by 62.1% compared with a year earlier" in text
    assert "the level of Q2 2022 was not reported" in text and "change as published" in text


def test_change_rule_marks_a_derived_level():
    iq = facts(cur=fig(300_000, status=DERIVED), prev=fig(100_000, "2023-Q1"))
    assert "300,000 (derived) in Q2 2023" in rule_change(iq)


def test_change_rule_says_nothing_without_a_comparison_or_a_level():
    assert rule_change(facts()) is None
    assert rule_change(facts(cur=fig(None), prev=fig(82_000, "2023-Q1"))) is None


def test_level_rule_only_when_nothing_else_can_be_said():
    iq = facts("remittance_inflow_transactions", "transactions", cur=fig(296_000, unit="transactions"))
    assert rule_level(iq) == (
        "Money transfers received in Kazakhstan (number): 296,000 transactions in Q2 2023; not reported for "
        "Q1 2023 or Q2 2022, so no comparison can be made."
    )
    assert rule_level(facts(prev=fig(82_000, "2023-Q1"))) is None  # a comparison exists
    assert rule_level(facts(breakdown=shares(total=308_710, UZB=68.8, RUS=22.3))) is None  # a leader exists
    assert rule_level(facts(cur=fig(None))) is None


def test_leader_rule_for_nationalities():
    iq = facts("migrant_workers_cis", "persons", cur=fig(254_393, unit="persons"))
    iq = facts(
        "migrant_workers_cis",
        "persons",
        cur=iq.current,
        breakdown=shares(total=254_393, unit="persons", UZB=73.8, RUS=17.8, KGZ=3.9),
    )
    assert rule_leader(iq) == (
        "Nationals of Uzbekistan accounted for 73.8% of the 254,393 migrant workers from CIS countries in "
        "Q2 2023, followed by the Russian Federation (17.8%)."
    )


def test_leader_rule_for_destinations_with_amounts():
    iq = facts(
        "remittance_outflow",
        "KZT_bn",
        cur=fig(253.8, indicator="remittance_outflow", unit="KZT_bn"),
        breakdown=amounts(total=253.8, UZB=80.5, RUS=60.9, TUR=51.3, GEO=25.6),
    )
    assert rule_leader(iq) == (
        "Uzbekistan was the first destination of remittances sent from Kazakhstan in Q2 2023: "
        "80.5 bn KZT of 253.8 bn KZT (31.7%), ahead of the Russian Federation (60.9 bn KZT)."
    )


def test_leader_rule_says_remained_or_replaced_against_an_earlier_quarter():
    cur = fig(80.9, indicator="remittance_inflow", unit="KZT_bn")
    now = amounts(total=80.9, RUS=31.2, KOR=8.8, USA=8.5, UZB=8.06)
    same = amounts("2023-Q1", total=70.0, RUS=33.9, KOR=10.0, USA=9.0, DEU=5.0)
    other = amounts("2023-Q1", total=70.0, KOR=30.0, RUS=25.0, USA=9.0)
    kept = rule_leader(facts("remittance_inflow", "KZT_bn", cur=cur, breakdown=now, previous_breakdown=same))
    assert kept.startswith(
        "The Russian Federation remained the first source of remittances received in Kazakhstan"
    )
    assert "(as in Q1 2023)" in kept
    changed = rule_leader(
        facts("remittance_inflow", "KZT_bn", cur=cur, breakdown=now, previous_breakdown=other)
    )
    assert changed.startswith("The Russian Federation replaced South Korea as the first source")
    # an earlier breakdown that cannot prove its leader (one country, no total) is not compared with
    unproven = amounts("2023-Q1", total=None, RUS=33.9)
    plain = rule_leader(
        facts("remittance_inflow", "KZT_bn", cur=cur, breakdown=now, previous_breakdown=unproven)
    )
    assert plain.startswith("The Russian Federation was the first source")


@pytest.mark.parametrize(
    "breakdown",
    [
        shares(total=1000, CHN=26.0, UZB=13.0, IND=9.4),  # 51.6% not itemised: another country could lead
        shares(total=1000, CHN=30.0, UZB=30.0, OTH=40.0),  # a tie
        amounts(total=None, RUS=31.2, KOR=8.8),  # levels without a total: no shares, no proof
        shares(total=1000),  # nothing itemised
    ],
)
def test_leader_rule_needs_proof(breakdown):
    assert rule_leader(facts(breakdown=breakdown)) is None


def test_leader_rule_takes_a_majority_and_ignores_other_countries():
    b = shares(total=1653, unit="visas", OTH=12.6, CHN=50.3, TUR=16.9)
    iq = facts("visas_issued", "visas", cur=fig(1653, indicator="visas_issued", unit="visas"), breakdown=b)
    assert rule_leader(iq).startswith("Nationals of China accounted for 50.3% of the 1,653 visas issued")


def test_partial_rule_when_only_some_countries_were_reported():
    b = Breakdown("2023-Q2", "persons", None, (Part("RUS", 1_285_000.0, DERIVED),))
    iq = facts("border_arrivals", "persons", cur=fig(None, unit="persons"), breakdown=b)
    assert rule_partial(iq) == (
        "No total was reported for foreign citizens entering Kazakhstan in Q2 2023, only figures for some "
        "countries: the Russian Federation 1,285,000 (derived)."
    )
    assert rule_partial(facts(breakdown=b)) is None  # a total was reported


def test_months_rule():
    months = tuple(
        fig(v, m, "remittance_outflow", "KZT_bn", ptype="month")
        for v, m in ((76.4, "2023-04"), (89.9, "2023-05"), (87.5, "2023-06"))
    )
    iq = facts(
        "remittance_outflow",
        "KZT_bn",
        cur=fig(253.8, indicator="remittance_outflow", unit="KZT_bn"),
        months=months,
    )
    assert rule_months(iq) == (
        "Month by month, remittances sent from Kazakhstan peaked in May 2023 at 89.9 bn KZT "
        "(Apr 2023 76.4 bn KZT, Jun 2023 87.5 bn KZT)."
    )
    gap = (*months[:2], fig(None, "2023-06", "remittance_outflow", "KZT_bn", ptype="month"))
    assert rule_months(facts(months=gap)) is None
    tie = (*months[:2], fig(89.9, "2023-06", "remittance_outflow", "KZT_bn", ptype="month"))
    assert rule_months(facts(months=tie)) is None


def test_balance_rule():
    out = facts("remittance_outflow", "KZT_bn", cur=fig(253.8, indicator="remittance_outflow", unit="KZT_bn"))
    inn = facts("remittance_inflow", "KZT_bn", cur=fig(80.9, indicator="remittance_inflow", unit="KZT_bn"))
    assert rule_balance(out, inn) == (
        "In Q2 2023 the remittance outflow was about three times the remittance inflow "
        "(253.8 bn KZT vs 80.9 bn KZT, computed)."
    )
    missing = facts(
        "remittance_inflow", "KZT_bn", cur=fig(None, indicator="remittance_inflow", unit="KZT_bn")
    )
    assert rule_balance(out, missing) is None


def test_not_reported_rule_lists_what_is_missing():
    have = facts(cur=fig(308_710))
    none = facts("visas_issued", "visas", cur=fig(None, indicator="visas_issued", unit="visas"))
    text = rule_not_reported([have, none])
    assert text == (
        "No quarterly or monthly figure was reported for Q2 2023 on visas (not reported, which is not zero)."
    )
    assert rule_not_reported([have]) is None


# -- the shipped data ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def store():
    return committed_store()


@pytest.fixture(scope="module")
def seed(store):
    return build_briefing(store, "2023-Q2").findings


def _texts(findings):
    return [f.text for f in findings]


def test_seed_quarter_findings(seed):
    texts = _texts(seed)
    assert (
        "Temporary residence permits issued rose about fourfold on the previous quarter "
        "(308,710 in Q2 2023 vs 82,000 in Q1 2023)."
    ) in texts
    assert (
        "Nationals of Uzbekistan accounted for 73.8% of the 254,393 migrant workers from CIS countries in "
        "Q2 2023, followed by the Russian Federation (17.8%)."
    ) in texts
    assert any(t.startswith("Uzbekistan was the first destination of remittances sent") for t in texts)
    assert any(
        t.startswith("The Russian Federation was the first source of remittances received") for t in texts
    )
    assert any("rose by 38.8% on the previous quarter (253.8 bn KZT" in t for t in texts)
    assert any("fell by 25.0% on the previous quarter (5,852" in t for t in texts)  # published by the source


def test_seed_quarter_findings_carry_the_catalogue_caveat(seed):
    trp = next(f for f in seed if f.rule == "change" and f.indicators == ("trp_issued",))
    assert any("back-computed" in c for c in trp.caveats)


def test_seed_quarter_says_what_was_not_reported(seed):
    gaps = next(f for f in seed if f.rule == "not_reported")
    assert "border entries" in gaps.text and "arrivals (immigrants)" in gaps.text
    assert "trp_issued" not in gaps.indicators


@pytest.mark.parametrize("release", ["latest", 1])
@pytest.mark.parametrize("quarter", ["2022-Q3", "2024-Q3", "2024-Q4", "2025-Q2"])
def test_quarters_with_gaps_are_honest(store, quarter, release):
    data = store if release == "latest" else store.at_release(release)
    b = build_briefing(data, quarter)
    assert b.quarter == quarter
    # a quarter without any figure says so once for the whole briefing; one with some figures does not
    empty = quarter not in quarters_with_data(data)
    if release == 1:  # fixed data: 2024-Q4 and 2025-Q2 have no figure at all (the README's quarters)
        assert empty == (quarter in ("2024-Q4", "2025-Q2"))
    expected = f"No quarterly or monthly figure was reported for {b.label} in any section." if empty else None
    assert b.notice == expected
    texts = _texts(b.findings)
    # and it names what was not reported (at release 1 every one of these quarters lacks some indicator;
    # later releases may complete a quarter)
    gaps = next((f for f in b.findings if f.rule == "not_reported"), None)
    assert gaps is not None or release == "latest"
    if gaps is not None:
        assert gaps.text.startswith(f"No quarterly or monthly figure was reported for {b.label} on ")
        assert "(not reported, which is not zero)" in gaps.text
    for t in texts:
        assert not re.search(r"\b(None|nan|NaN|not_reported)\b", t)
    # no finding compares with a quarter that had no figure
    assert not any("vs not reported" in t for t in texts)


def test_gap_quarter_2022_q3_reports_the_partial_figure(store):
    texts = _texts(build_briefing(store, "2022-Q3").findings)
    assert any("the Russian Federation 1,285,000 (derived)" in t for t in texts)
    assert not any(t.startswith("Foreign citizens entering Kazakhstan rose") for t in texts)


def test_every_quarter_runs_every_rule(store):
    for choice in quarter_choices(store):
        facts_ = [indicator_quarter(store, i, choice.quarter) for i in ("trp_issued", "remittance_outflow")]
        for f in key_findings(facts_):
            assert f.text.endswith(".") and f.text[0].isupper()
