"""Country profiles (issue 18): headline, ranks, changes, money both ways, the written summary, the charts,
the /country listing and the pages for codes that name no country.

Values are worked out by hand from data/sources/observations.csv; "line N" is the file's line (the header is
line 1, so line N is the build's obs-0000(N-1)):

* UZB, temporary residence permits, Q2 2023: line 2 total 308,710 (TOT); line 3 UZB share 68.8% -> derived
  212,392 (0.688 x 308,710 = 212,392.48); lines 3-9 list 7 countries (UZB 68.8, RUS 22.3, KGZ 3.9, TJK 3,
  AZE 1, ARM 0.7, BLR 0.4) -> UZB 1st of 7 listed, RUS 2nd of 7.
* UZB, remittances sent, 2025: line 404 903 mn USD, line 405 +13.6% a year earlier (same document), the only
  country that document lists for 2025 -> "the only country listed".
* UZB, remittances received, H1 2025: line 385 13.2 bn KZT, line 386 -5.2% a year earlier; KZT rows for H1
  2025 list RUS 30.6 (line 381), USA 19 (383), UZB 13.2 (385), KOR 9.4 (387) -> UZB 3rd of 4, RUS 1st of 4.
* Money both ways, H1 2025, KZT: sent to UZB 125.3 (line 371) vs received 13.2 (line 385): 9.49 -> "about
  nine times"; RUS: sent 119.7 (line 373) vs received 30.6 (line 381): 3.91 -> "about four times".
* CHN, visas issued Q2 2023: lines 16-22 list 7 named countries (CHN 50.3% first; line 23 is "other") ->
  1st of 7 listed. CHN arrivals 2025: 2,600 (line 563), +29% published (line 564); 2024: 2,000 (line 512).
* DEU: arrivals 2024 (line 515: 403), departures Jan-Sep 2025 (line 438: 870), remittances received Q2 2023
  (lines 103-104: 4.2 bn KZT, 9.24 mn USD): 3 indicators.
* MDA: one row in all (line 430: border entries 1 Jan-10 May 2024, 3,059).
"""

from __future__ import annotations

import csv
from collections import Counter

import polars as pl
import pytest

from dashboard import i18n
from dashboard.catalogue import catalogue
from dashboard.country_charts import indicator_charts, money_charts, views
from dashboard.country_downloads import country_csv, country_frame, country_xlsx
from dashboard.country_profile import Rank, countries_with_data, coverage, profile, suggest
from dashboard.data import DERIVED, PUBLISHED
from layouts import country as page
from tests.fixtures_data import SOURCE_CSV, committed_store


@pytest.fixture(scope="module")
def store():
    return committed_store()


def by_indicator(p):
    return {h.indicator.id: h for h in p.headline}


def texts(component) -> list[str]:
    out: list[str] = []

    def walk(c):
        if isinstance(c, str):
            out.append(c)
        elif isinstance(c, list | tuple):
            for x in c:
                walk(x)
        elif c is not None and hasattr(c, "children"):
            walk(c.children)
            for tab_label in (getattr(c, "label", None), getattr(c, "summary", None)):
                if isinstance(tab_label, str):
                    out.append(tab_label)

    walk(component)
    return out


def test_uzbekistan_headline_ranks_and_changes(store):
    with i18n.use("en"):
        h = by_indicator(profile(store, "UZB"))
    trp = h["trp_issued"]
    assert trp.current.period == "2023-Q2" and trp.current.status == DERIVED
    assert trp.current.value == pytest.approx(0.688 * 308710)
    assert trp.share is not None and trp.share.value == 68.8
    assert (trp.rank.position, trp.rank.listed) == (1, 7)
    assert trp.change.value is None  # no Q2 2022 and no Q1 2023 figure for UZB: no change is invented
    out = h["remittance_outflow"]
    assert (out.current.period, out.current.unit, out.current.value) == ("2025", "USD_mn", 903.0)
    assert out.change.value == 13.6 and out.change.status == PUBLISHED
    assert out.rank.listed == 1
    with i18n.use("en"):
        assert out.rank.text == "the only country listed"
    inflow = h["remittance_inflow"]
    assert (inflow.current.period, inflow.current.unit, inflow.current.value) == ("2025-H1", "KZT_bn", 13.2)
    assert inflow.change.value == -5.2
    assert [o.unit for o in inflow.other_units] == ["USD_mn"]  # the same half-year as published in USD
    assert (inflow.rank.position, inflow.rank.listed) == (3, 4)


def test_ranks_match_the_source_csv(store):
    """The listed count is the number of named countries the CSV has for that figure (independent read)."""
    with open(SOURCE_CSV, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    listed = Counter(
        (r["indicator"], r["period"], r["measure"])
        for r in rows
        if r["country_iso3"] not in ("TOT", "OTH") and r["measure"] == "share_pct"
    )
    h = by_indicator(profile(store, "CHN"))
    assert listed[("visas_issued", "2023-Q2", "share_pct")] == h["visas_issued"].rank.listed == 7
    assert h["visas_issued"].rank.position == 1
    assert (
        listed[("trp_issued", "2023-Q2", "share_pct")]
        == by_indicator(profile(store, "RUS"))["trp_issued"].rank.listed
    )


def test_russia_china_germany(store):
    rus = by_indicator(profile(store, "RUS"))
    assert (rus["trp_issued"].rank.position, rus["trp_issued"].rank.listed) == (2, 7)
    assert rus["remittance_inflow"].current.value == 30.6 and rus["remittance_inflow"].rank.position == 1
    chn = by_indicator(profile(store, "CHN"))
    arrivals = chn["arrivals"]
    assert (arrivals.current.period, arrivals.current.value) == ("2025", 2600.0)
    # the change printed by the same document (29%) is taken, not the 30% computed from 2,000
    assert arrivals.change.value == 29.0 and arrivals.change.status == PUBLISHED
    assert arrivals.earlier is not None and arrivals.earlier.value == 2000.0
    deu = profile(store, "DEU")
    assert {h.indicator.id for h in deu.headline} == {"arrivals", "departures", "remittance_inflow"}
    assert len(deu.missing) == len(catalogue().indicators) - 3
    assert by_indicator(deu)["departures"].current.value == 870.0


def test_money_both_ways_and_balance(store):
    uzb = profile(store, "UZB")
    h1 = next(m for m in uzb.money if m.period.id == "2025-H1")
    assert h1.sent["KZT_bn"].value == 125.3 and h1.received["KZT_bn"].value == 13.2
    assert h1.balance("KZT_bn") == pytest.approx(112.1)
    only_sent = next(m for m in uzb.money if m.period.id == "2025")
    assert only_sent.received == {} and only_sent.balance("USD_mn") is None  # not reported is not zero
    with i18n.use("en"):
        summary = {s.rule: s.text for s in profile(store, "UZB").summary}
        rus = {s.rule: s.text for s in profile(store, "RUS").summary}
    assert "about nine times" in summary["balance"] and "125.3 bn KZT vs 13.2 bn KZT" in summary["balance"]
    assert "about four times" in rus["balance"]


def test_summary_sentences_carry_sources(store):
    with i18n.use("en"):
        p = profile(store, "UZB")
    rules = [s.rule for s in p.summary]
    assert rules[0] == "rank" and rules[-1] == "coverage"
    first = p.summary[0]
    assert first.text.startswith(
        "Temporary residence permits issued: Uzbekistan was 1st of 7 listed in Q2 2023"
    )
    assert "(68.8% of the total)" in first.text
    assert store.documents_for(first.source_ids)  # every sentence but the coverage one names its documents
    assert all(s.source_ids for s in p.summary if s.rule != "coverage")
    change = next(s for s in p.summary if s.rule == "change")
    assert "rose by 13.6%" in change.text and "as published" in change.text
    with i18n.use("ru"):
        ru = profile(store, "UZB").summary
    plain = ru[0].text.replace("\xa0", " ").replace("\u202f", " ")
    assert plain == (
        "Выдано разрешений на временное проживание: Узбекистан — 1-е место из 7 указанных за 2-й кв. 2023 "
        "(68,8 % от общего числа)."
    )
    assert "изменение к периоду 2024: рост на 13,6" in next(s.text for s in ru if s.rule == "change")
    with i18n.use("kk"):
        kk = profile(store, "UZB").summary
    assert "Өзбекстан" in kk[0].text


def test_single_figure_country(store):
    p = profile(store, "MDA")
    assert p.single and len(p.headline) == 1 and p.rows.height == 1
    assert p.headline[0].current.value == 3059.0
    with i18n.use("en"):
        shown = page.layout("MDA", store, {})
    strings = texts(shown)
    assert any(s.startswith("Only one figure is reported for Moldova") for s in strings)
    assert any(s.startswith("Not reported for this country: ") for s in strings)
    assert "Over time" not in strings  # no charts at all, so no empty ones


def test_charts_per_indicator(store):
    uzb = profile(store, "UZB")
    h = by_indicator(uzb)
    stock = indicator_charts(store, "UZB", h["foreign_workers_permit_holders"])
    assert [c.key for c in stock] == [
        "foreign_workers_permit_holders.level",
        "foreign_workers_permit_holders.share",
    ]
    fig = stock[0].figure
    ys = fig.data[0].y
    assert None in ys  # a gap between dates more than a month apart: never bridged, never zero
    assert 0 not in [y for y in ys if y is not None]
    # a single figure is said, not drawn
    assert indicator_charts(store, "UZB", h["migrant_workers_cis"]) == []
    # the arrivals chart holds each period type in its own trace: the half-year and the years are never split
    arrivals = indicator_charts(store, "UZB", h["arrivals"])[0].figure
    kinds = [t.meta["kind"] for t in arrivals.data if t.meta]
    assert kinds == ["quarter", "half", "year", "ytd"]
    assert arrivals.layout.shapes  # the unreported quarters between 2022-Q1 and 2025-Q1 are shaded
    money = money_charts(store, "UZB")
    assert money and money[0].key == "money.KZT_bn"
    assert [t.y for t in money[0].figure.data] == [(80.5, 125.3), (8.06, 13.2)]  # Q2 2023 and H1 2025


def test_views_need_two_figures(store):
    h = by_indicator(profile(store, "DEU"))["remittance_inflow"]
    rows = store.rows("remittance_inflow").filter(pl.col("country_iso3") == "DEU")
    assert views(h, rows) == []


def test_listing_sorted_by_indicators(store):
    cov = coverage(store)
    assert {c.iso3 for c in cov} == set(countries_with_data(store))
    counts = [c.indicators for c in cov]
    assert counts == sorted(counts, reverse=True)
    assert cov[0].iso3 in ("RUS", "UZB")  # 10 indicators each; RUS has more figures (75 vs 71)
    assert cov[0].iso3 == "RUS"
    with i18n.use("en"):
        strings = texts(page.listing(store))
    assert "Uzbekistan" in strings and any("sorted by how many indicators" in s for s in strings)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ZZZ", None),
        ("uzb", "UZB"),
        ("UZV", "UZB"),
        ("Узбекистан", "UZB"),
        ("UZ", "UZB"),
        ("<script>", None),
        ("DEN", "DEU"),
        ("", None),
        ("x" * 500, None),
    ],
)
def test_suggestions(store, raw, expected):
    assert suggest(raw, countries_with_data(store)) == expected


@pytest.mark.parametrize("raw", ["ZZZ", "<script>alert(1)</script>", "UZV", "../../etc", "   "])
def test_bad_codes_get_a_clear_page(store, raw):
    with i18n.use("en"):
        strings = texts(page.layout(raw, store, {}))
    assert any("is not the ISO code of a country with figures" in s for s in strings)
    assert "Find a country by name or ISO code" in strings
    if raw == "UZV":
        assert "Uzbekistan (UZB)" in strings


def test_lower_case_resolves(store):
    with i18n.use("en"):
        assert "Uzbekistan" in texts(page.layout("uzb", store, {}))


def test_picker_finds_by_name_and_code(store):
    with i18n.use("ru"):
        options = page.picker_options(store)
    uzb = next(o for o in options if o["value"] == "UZB")
    assert uzb["label"] == "Узбекистан (UZB)"
    assert "Узбекистан" in uzb["search"] and "UZB" in uzb["search"] and "Uzbekistan" in uzb["search"]
    labels = [o["label"] for o in options]
    with i18n.use("ru"):
        assert labels == sorted(labels, key=i18n.sort_key)  # the reader's alphabet


def test_rank_words():
    with i18n.use("en"):
        assert Rank(1, 7).text == "1st of 7 listed"
        assert Rank(22, 30).text == "22nd of 30 listed"


def test_downloads_hold_every_figure(store):
    frame = country_frame(store, "UZB")
    assert frame.height == profile(store, "UZB").rows.height
    assert set(frame["country_iso3"].to_list()) == {"UZB"}
    assert "obs" not in country_csv(store, "UZB").splitlines()[0]
    assert country_xlsx(store, "UZB")[:2] == b"PK"  # a zip (xlsx) file


def test_release_store_is_honoured(store):
    """The data as at release 1: figures added later are not in the profile."""
    if store.latest_release is None or store.latest_release < 2:
        pytest.skip("one release only")
    older = store.at_release(1)
    assert profile(older, "UZB").rows.height <= profile(store, "UZB").rows.height
