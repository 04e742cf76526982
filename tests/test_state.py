"""The explorer's state transitions, stored state and file names, without a browser.

Every control's transition is a pure function of (previous state, control value, data): these tests pin the
exact resulting state, notices included, for the ordinary case and each edge case the page handles.
"""

from __future__ import annotations

import pytest

from dashboard.catalogue import catalogue
from dashboard.ids import Ids
from dashboard.periods import quarter_range
from dashboard.state import (
    MAX_COUNTRIES,
    ExplorerState,
    apply_preset,
    choose_countries,
    choose_domain,
    choose_first,
    choose_indicator,
    choose_last,
    choose_measure,
    choose_mode,
    choose_period,
    choose_vs,
    clicked,
    drill_into,
    drill_up,
    file_stem,
    from_store,
    measure_options,
    parse_query,
    pick_country,
    to_store,
    transition,
    trend_quarters,
    trend_window,
    unchanged,
)
from tests.fixtures_data import committed_store

TRP = ("trp_issued", "count", "permits", "2023-Q2", "quarter")
# permits (theme "permits"), two countries, a narrowed range, drilled into Q2 2023
BASE = "?countries=UZB,RUS&from=2022-Q3&to=2024-Q4&drill=2023-Q2"


@pytest.fixture(scope="module")
def store():
    return committed_store()


@pytest.fixture(scope="module")
def base(store) -> ExplorerState:
    s = parse_query(BASE, store)
    assert s == ExplorerState(*TRP, ("UZB", "RUS"), "2022-Q3", "2024-Q4", "2023-Q2") and s.notices == ()
    return s


def check(got: ExplorerState, expected: ExplorerState, notices: tuple[str, ...] = ()) -> None:
    """Equal field by field, notices too (ExplorerState's equality leaves them out)."""
    assert got == expected
    assert got.notices == notices


# -- theme ---------------------------------------------------------------------------------------------------
def test_a_new_theme_opens_its_first_indicator_with_its_defaults(store, base):
    # keeps countries, range and language; the drill-down belonged to the old indicator
    got = choose_domain(base, "visas", store)
    check(
        got,
        ExplorerState(
            "visas_issued", "count", "visas", "2023-Q2", "quarter", ("UZB", "RUS"), "2022-Q3", "2024-Q4", None
        ),
    )
    got = choose_domain(base.with_(lang="kk"), "remittances", store)
    check(
        got,
        ExplorerState(
            "remittance_outflow",
            "amount",
            "KZT_bn",
            "2023-Q2",
            "quarter",
            ("UZB", "RUS"),
            "2022-Q3",
            "2024-Q4",
            None,
            "kk",
        ),
    )


@pytest.mark.parametrize("domain", ["permits", "no-such-theme", None, 3, ["visas"]])
def test_the_current_an_unknown_or_a_malformed_theme_changes_nothing(store, base, domain):
    check(choose_domain(base, domain, store), base)


# -- indicator -----------------------------------------------------------------------------------------------
def test_a_new_indicator_starts_from_its_defaults_keeping_countries_range_and_language(store, base):
    prev = parse_query(
        "?indicator=remittance_outflow&measure=amount&unit=USD_mn&period=2023-06&countries=UZB"
        "&from=2022-Q2&to=2023-Q4&drill=2023-Q1&lang=ru",
        store,
    )
    got = choose_indicator(prev, "trp_issued", store)
    check(got, ExplorerState(*TRP, ("UZB",), "2022-Q2", "2023-Q4", None, "ru"))


def test_an_indicator_whose_default_period_is_not_a_quarter(store, base):
    got = choose_indicator(base, "citizens_working_abroad", store)
    check(
        got,
        ExplorerState(
            "citizens_working_abroad",
            "count",
            "persons",
            "2025-01..2025-09",
            "ytd",
            ("UZB", "RUS"),
            "2022-Q3",
            "2024-Q4",
        ),
    )


def test_an_unknown_indicator_falls_back_to_the_default_with_a_notice(store, base):
    got = choose_indicator(base, "nope", store)
    check(
        got,
        ExplorerState(*TRP, ("UZB", "RUS"), "2022-Q3", "2024-Q4"),
        ("Unknown indicator 'nope'; showing Temporary residence permits issued.",),
    )


@pytest.mark.parametrize("indicator", ["trp_issued", None, 5, {"id": "visas_issued"}])
def test_the_same_or_a_malformed_indicator_changes_nothing(store, base, indicator):
    check(choose_indicator(base, indicator, store), base)  # the drill-down stays too


# -- measure and unit ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def remit(store) -> ExplorerState:
    return parse_query("?indicator=remittance_outflow&measure=amount&unit=USD_mn&period=2023-06", store)


def test_another_unit_keeps_the_period(store, remit):
    got = choose_measure(remit, "amount|KZT_bn", store)
    check(got, remit.with_(unit="KZT_bn"))
    assert got.period == "2023-06"


def test_a_measure_without_the_period_shows_its_default_period_silently(store, remit):
    # shares are not published for 2023-06: the parser's notice is dropped, the user did not ask for it
    got = choose_measure(remit, "share_pct|percent", store)
    check(got, remit.with_(measure="share_pct", unit="percent", period="2025-H1", period_type="half"))


def test_a_measure_the_indicator_does_not_publish_falls_back_with_a_notice(store):
    prev = parse_query("?indicator=visas_issued", store)
    got = choose_measure(prev, "amount|KZT_bn", store)
    check(got, prev, ("Visas is not published as 'amount' in 'KZT_bn'; showing the default measure.",))


@pytest.mark.parametrize("value", ["amount", "", None, 3, ["amount|KZT_bn"]])
def test_a_malformed_measure_changes_nothing(store, remit, value):
    check(choose_measure(remit, value, store), remit)


# -- period --------------------------------------------------------------------------------------------------
def test_a_period_is_chosen_and_the_trend_and_its_drill_down_stay(store, base):
    check(choose_period(base, "quarter|2023-Q1", store), base.with_(period="2023-Q1"))


def test_a_year_to_date_period_that_looks_like_a_year_keeps_its_type(store, base):
    check(choose_period(base, "ytd|2023", store), base.with_(period="2023", period_type="ytd"))


def test_a_period_without_data_falls_back_to_the_latest_with_a_notice(store, base):
    check(
        choose_period(base, "quarter|2099-Q1", store),
        base,
        (
            "Temporary residence permits: nothing reported for period '2099-Q1'; showing the latest period "
            "with data.",
        ),
    )


def test_notices_speak_the_state_language(store, base):
    check(
        choose_period(base.with_(lang="ru"), "quarter|2099-Q1", store),
        base.with_(lang="ru"),
        (
            "«Разрешения на временное проживание»: нет данных за период '2099-Q1'; показан последний период "
            "с данными.",
        ),
    )


@pytest.mark.parametrize("value", ["2023-Q1", None, 2023, ["quarter|2023-Q1"]])
def test_a_malformed_period_changes_nothing(store, base, value):
    check(choose_period(base, value, store), base)


# -- countries -----------------------------------------------------------------------------------------------
def test_countries_are_chosen_in_order(store, base):
    check(choose_countries(base, ["KGZ", "tjk"], store), base.with_(countries=("KGZ", "TJK")))
    check(choose_countries(base, [], store), base.with_(countries=()))


def test_unknown_and_repeated_codes_are_dropped_with_a_notice(store, base):
    got = choose_countries(base, ["uzb", "XXX", "UZB", "KAZ", 5, "TOT"], store)
    check(got, base.with_(countries=("UZB", "KAZ")), ("Ignored unknown country code(s): XXX, UZB, 5, TOT.",))


def test_too_many_countries_keep_the_first_ones_with_a_notice(store, base):
    codes = ["UZB", "RUS", "KGZ", "TJK", "CHN", "TUR", "DEU", "USA", "GBR", "IND", "KOR", "ITA", "POL", "HUN"]
    got = choose_countries(base, codes, store)
    check(
        got,
        base.with_(countries=tuple(codes[:MAX_COUNTRIES])),
        (f"At most {MAX_COUNTRIES} countries can be compared; kept the first {MAX_COUNTRIES}.",),
    )


@pytest.mark.parametrize("value", ["UZB", None, {"UZB": 1}])
def test_a_malformed_country_list_changes_nothing(store, base, value):
    check(choose_countries(base, value, store), base)


# -- trend range ---------------------------------------------------------------------------------------------
def test_changing_the_range_closes_the_drill_down(store, base):
    check(choose_first(base, "2022-Q1", store), base.with_(first="2022-Q1", drill=None))
    check(choose_last(base, "2025-Q4", store), base.with_(last="2025-Q4", drill=None))


def test_a_range_that_ends_before_it_starts_falls_back_to_the_default_range(store, base):
    first, last = trend_window(store)
    notice = (f"The time range in the link is not valid; showing {first} to {last}.",)
    check(choose_first(base, "2025-Q1", store), base.with_(first=first, last=last, drill=None), notice)
    check(choose_last(base, "2021-Q1", store), base.with_(first=first, last=last, drill=None), notice)
    check(choose_first(base, "soon", store), base.with_(first=first, last=last, drill=None), notice)


@pytest.mark.parametrize("value", [None, 2022, ["2022-Q1"]])
def test_a_malformed_range_end_changes_nothing(store, base, value):
    check(choose_first(base, value, store), base)
    check(choose_last(base, value, store), base)


# -- presets -------------------------------------------------------------------------------------------------
def test_clear_empties_the_country_list(store, base):
    check(apply_preset(base, "clear", store), base.with_(countries=()))


def test_a_group_selects_its_members_with_data_first(store, base):
    # Central Asia; this view has data for UZB, KGZ and TJK (in that order), then the rest A-Z
    check(apply_preset(base, "CA", store), base.with_(countries=("UZB", "KGZ", "TJK", "KAZ", "TKM")))


def test_a_big_group_is_cut_to_the_limit(store, base):
    got = apply_preset(base, "NONCIS", store)
    check(
        got,
        base.with_(
            countries=("ABW", "AFG", "AGO", "AIA", "ALA", "ALB", "AND", "ARE", "ARG", "ASM", "ATA", "ATF")
        ),
    )
    assert len(got.countries) == MAX_COUNTRIES


@pytest.mark.parametrize("group", ["no-such-group", None, ["CA"], 1])
def test_an_unknown_group_changes_nothing(store, base, group):
    check(apply_preset(base, group, store), base)


# -- clicks on the charts ------------------------------------------------------------------------------------
def _click(value) -> dict:
    return {"points": [{"customdata": value, "x": 1}]}


def test_clicking_a_quarter_drills_into_its_months(store, base):
    check(drill_into(base, _click("2023-Q3"), store), base.with_(drill="2023-Q3"))


def test_a_quarter_outside_the_range_is_not_drilled_into(store, base):
    check(
        drill_into(base, _click("2025-Q1"), store),
        base.with_(drill=None),
        ("Cannot drill into '2025-Q1': not a quarter of the chosen range.",),
    )


@pytest.mark.parametrize(
    "click", [None, "junk", {}, {"points": []}, {"points": [{}]}, _click(3), _click(""), _click("x" * 20)]
)
def test_a_malformed_click_changes_nothing(store, base, click):
    check(drill_into(base, click, store), base)
    check(pick_country(base, click, store), base)


def test_all_quarters_closes_the_drill_down(store, base):
    check(drill_up(base, store), base.with_(drill=None))
    check(drill_up(base.with_(drill=None), store), base.with_(drill=None))


def test_clicking_a_donut_slice_compares_that_country(store, base):
    check(pick_country(base, _click("KGZ"), store), base.with_(countries=("KGZ",)))


@pytest.mark.parametrize("code", ["OTH", "TOT", "kgz", "XXX"])
def test_other_countries_the_remainder_and_unknown_codes_are_not_picked(store, base, code):
    check(pick_country(base, _click(code), store), base)


def test_clicked_reads_a_short_string_of_the_first_point():
    assert clicked({"points": [{"customdata": "UZB"}, {"customdata": "RUS"}]}, "customdata") == "UZB"
    assert clicked({"points": [{"customdata": "UZB"}]}, "location") is None
    assert clicked({"points": [{"customdata": "x" * 19}]}, "customdata") == "x" * 19
    assert clicked({"points": [{"customdata": "x" * 20}]}, "customdata") is None
    assert clicked([1], "customdata") is None


# -- the dispatcher the callback calls -----------------------------------------------------------------------
def test_transition_routes_each_control_to_its_rule(store, base):
    assert transition(base, Ids.DOMAIN, "visas", store).indicator == "visas_issued"
    assert transition(base, "indicator", "visas_issued", store).indicator == "visas_issued"  # plain ids work
    assert transition(base, Ids.MEASURE, "share_pct|percent", store).measure == "share_pct"
    assert transition(base, Ids.PERIOD, "quarter|2023-Q1", store).period == "2023-Q1"
    assert transition(base, Ids.COUNTRIES, ["KGZ"], store).countries == ("KGZ",)
    assert transition(base, Ids.FIRST, "2022-Q1", store).first == "2022-Q1"
    assert transition(base, Ids.LAST, "2025-Q4", store).last == "2025-Q4"
    assert transition(base, Ids.SERIES, _click("2023-Q3"), store).drill == "2023-Q3"
    assert transition(base, Ids.DRILL_UP, 3, store).drill is None
    assert transition(base, Ids.DONUT, _click("KGZ"), store).countries == ("KGZ",)
    preset = {"type": Ids.PRESET, "group": "clear"}
    assert transition(base, preset, [None, 1], store).countries == ()


@pytest.mark.parametrize(
    "control", [None, "no-such-control", Ids.PRESET, Ids.MAP, {"type": "export", "group": "clear"}, {}, 5]
)
def test_any_other_control_changes_nothing(store, base, control):
    check(transition(base, control, "clear", store), base)


def test_a_transition_drops_the_notices_of_the_link_it_started_from(store):
    prev = parse_query("?indicator=nope&foo=1", store)
    assert len(prev.notices) == 2
    check(unchanged(prev, store), prev)
    check(transition(prev, Ids.DRILL_UP, 1, store), prev)


# -- "Compared with" (the change explainer) ------------------------------------------------------------------
def test_compared_with_is_in_the_link_only_when_not_the_previous_period(store, base):
    assert base.vs == "prev" and "vs=" not in base.to_query()
    year = choose_vs(base, "year", store)
    check(year, base.with_(vs="year"))
    assert "&vs=year&" in year.to_query()
    check(parse_query(year.to_query(), store), year)
    check(transition(base, Ids.VS, "2023-Q1", store), base.with_(vs="2023-Q1"))


@pytest.mark.parametrize("given", ["2023-Q2", "2023-Q9", "2023-04", "2019-Q1", "nonsense"])
def test_compared_with_a_period_not_of_the_kind_with_data_falls_back_with_a_notice(store, base, given):
    """The view's own period, a malformed id, a month against a quarter, a quarter without data."""
    got = parse_query(base.with_(vs=given).to_query(), store)
    check(
        got,
        base,
        (
            f"Cannot compare with {given!r}: not a period of the same kind with data; comparing with "
            "the previous period.",
        ),
    )


@pytest.mark.parametrize("value", [None, "", 5, ["year"]])
def test_compared_with_a_meaningless_value_changes_nothing(store, base, value):
    check(choose_vs(base, value, store), base)


def test_another_kind_of_period_drops_a_chosen_comparison_but_keeps_prev_or_year(store, base):
    chosen = base.with_(vs="2023-Q1")
    assert choose_period(chosen, "quarter|2022-Q1", store).vs == "2023-Q1"  # same kind: kept (parser checks)
    check(choose_period(chosen, "quarter|2023-Q1", store), base.with_(period="2023-Q1"))  # itself: prev
    assert choose_period(chosen, "half|2023-H1", store).vs == "prev"
    assert choose_period(base.with_(vs="year"), "half|2023-H1", store).vs == "year"
    assert choose_indicator(chosen, "visas_issued", store).vs == "prev"
    assert choose_indicator(base.with_(vs="year"), "visas_issued", store).vs == "year"


# -- the compare mode ----------------------------------------------------------------------------------------
def test_compare_mode_is_in_the_link_with_both_periods(store, base):
    assert base.mode == "explore" and "mode=" not in base.to_query()
    got = choose_mode(base, "compare", store)
    check(got, base.with_(mode="compare"))
    chosen = transition(got, Ids.COMPARE_VS, "2023-Q1", store)  # the compare mode's own "Compared with"
    check(chosen, base.with_(mode="compare", vs="2023-Q1"))
    query = chosen.to_query()
    assert "mode=compare" in query and "period=2023-Q2" in query and "vs=2023-Q1" in query
    check(parse_query(query, store), chosen)
    check(transition(chosen, Ids.MODE, "explore", store), base.with_(vs="2023-Q1"))


def test_compare_mode_survives_a_new_period_and_indicator(store, base):
    s = base.with_(mode="compare")
    assert choose_period(s, "quarter|2022-Q2", store).mode == "compare"
    assert choose_indicator(s, "visas_issued", store).mode == "compare"


@pytest.mark.parametrize("given", ["Compare", "side-by-side", ""])
def test_an_unknown_mode_falls_back_to_the_explorer_with_a_notice(store, base, given):
    got = parse_query(base.to_query() + f"&mode={given}", store)
    if given == "":
        check(got, base)  # an empty value is no mode given
        return
    check(got, base, (f"Unknown view mode {given!r}; showing the explorer.",))


@pytest.mark.parametrize("value", [None, "", 5, ["compare"]])
def test_a_meaningless_mode_changes_nothing(store, base, value):
    check(choose_mode(base, value, store), base)


def test_the_stored_state_keeps_the_mode_only_in_compare_mode(store, base):
    assert "mode" not in to_store(base)
    stored = to_store(base.with_(mode="compare"))
    assert stored["mode"] == "compare"
    check(from_store(stored, store), base.with_(mode="compare"))
    check(from_store(stored | {"mode": "x" * 30}, store), parse_query("", store))  # malformed: default view


# -- the stored state ----------------------------------------------------------------------------------------
def test_to_store_is_the_state_as_json_with_its_query(base):
    s = base.with_(notices=("a note",))
    assert to_store(s) == {
        "indicator": "trp_issued",
        "measure": "count",
        "unit": "permits",
        "period": "2023-Q2",
        "period_type": "quarter",
        "countries": ["UZB", "RUS"],
        "first": "2022-Q3",
        "last": "2024-Q4",
        "drill": "2023-Q2",
        "lang": "en",
        "vs": "prev",
        "notices": ["a note"],
        "query": "?indicator=trp_issued&measure=count&unit=permits&period=2023-Q2&countries=UZB,RUS"
        "&from=2022-Q3&to=2024-Q4&drill=2023-Q2&lang=en",
    }


def test_from_store_reads_back_what_to_store_wrote(store, base):
    for s in (base, base.with_(lang="kk"), parse_query("?indicator=trp_issued&period=2023&ptype=ytd", store)):
        check(from_store(to_store(s), store), s)


def test_from_store_re_validates_the_values(store, base):
    data = to_store(base) | {"countries": ["UZB", "XXX"], "drill": "1999-Q1"}
    check(
        from_store(data, store),
        base.with_(countries=("UZB",), drill=None),
        (
            "Ignored unknown country code(s): XXX.",
            "Cannot drill into '1999-Q1': not a quarter of the chosen range.",
        ),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        "garbage",
        {"indicator": "trp_issued"},  # incomplete
        {"indicator": 1, "measure": "count"},
        {"extra": 1},
        "countries-too-many",
        "unknown-key",
        "drill-not-text",
        "text-too-long",
    ],
)
def test_a_malformed_store_gets_the_default_view_in_the_default_language(store, base, data):
    bad = {
        "countries-too-many": to_store(base) | {"countries": ["UZB"] * (MAX_COUNTRIES * 2 + 1)},
        "unknown-key": to_store(base) | {"evil": 1},
        "drill-not-text": to_store(base) | {"drill": 5},
        "text-too-long": to_store(base) | {"period": "2" * 60},
    }
    data = bad.get(data, data) if isinstance(data, str) else data
    first, last = trend_window(store)
    check(from_store(data, store), ExplorerState(*TRP, first=first, last=last))
    check(from_store(data, store, "ru"), ExplorerState(*TRP, first=first, last=last, lang="ru"))


# -- file names ----------------------------------------------------------------------------------------------
def test_file_stem_names_indicator_period_parts_and_language(base):
    s = base.with_(drill=None)
    assert file_stem(s) == "mtm-trp_issued-2023-Q2"
    assert file_stem(s, "map") == "mtm-trp_issued-2023-Q2-map"
    assert file_stem(s, "series", "wide") == "mtm-trp_issued-2023-Q2-series-wide"
    assert file_stem(base, "series") == "mtm-trp_issued-2023-Q2-series"  # the drilled quarter
    assert file_stem(base.with_(drill="2023-Q3"), "series") == "mtm-trp_issued-2023-Q3-series"
    assert file_stem(s.with_(lang="ru"), "donut") == "mtm-trp_issued-2023-Q2-donut-ru"
    assert file_stem(s.with_(lang="kk")) == "mtm-trp_issued-2023-Q2-kk"


# -- ranges and measures follow the data -------------------------------------------------------------------
def test_the_trend_opens_on_the_catalogues_window_ending_with_the_latest_quarter_in_the_data(store):
    first, last = trend_window(store)
    span = store.quarter_span()
    assert last == span[1]
    n = catalogue().explorer.trend_quarters
    assert quarter_range(first, last) == quarter_range(*span)[-n:]
    assert parse_query("", store).first == first and parse_query("", store).last == last
    # the range a user can pick from is every quarter the data covers, widened by a link's own range
    assert trend_quarters(store, parse_query("", store)) == quarter_range(*span)
    wide = parse_query("?from=2015-Q1&to=2016-Q4", store)
    assert trend_quarters(store, wide)[0] == "2015-Q1" and trend_quarters(store, wide)[-1] == span[1]


def test_measure_choices_are_those_with_figures_and_the_default(store):
    left_out = 0
    for ind in catalogue().indicators:
        default = (ind.default.measure, ind.default.unit)
        offered = measure_options(ind, store)
        assert default in offered, ind.id
        for pair in measure_options(ind):  # what the catalogue allows
            has = store.has_values(ind.id, *pair)
            assert (pair in offered) == (has or pair == default), (ind.id, pair)
            left_out += not has and pair != default
    assert left_out > 0  # the catalogue allows more than was published: the rule above was exercised
