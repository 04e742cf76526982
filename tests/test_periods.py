"""Period ids: parsing of every type, labels, quarter arithmetic, and rejection of impossible ids."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dashboard.periods import (
    Period,
    PeriodError,
    months_of_quarter,
    parse_period,
    period_label,
    previous_period,
    previous_quarter,
    quarter_of_month,
    quarter_range,
    same_quarter_last_year,
    year_earlier,
)


@pytest.mark.parametrize(
    ("pid", "ptype", "start", "end"),
    [
        ("2023-Q2", "quarter", date(2023, 4, 1), date(2023, 6, 30)),
        ("2023-Q4", "quarter", date(2023, 10, 1), date(2023, 12, 31)),
        ("2023-04", "month", date(2023, 4, 1), date(2023, 4, 30)),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),  # leap year
        ("2023-02", "month", date(2023, 2, 1), date(2023, 2, 28)),
        ("2023-H1", "half", date(2023, 1, 1), date(2023, 6, 30)),
        ("2023-H2", "half", date(2023, 7, 1), date(2023, 12, 31)),
        ("2023", "year", date(2023, 1, 1), date(2023, 12, 31)),
        ("2022-01..2022-05", "ytd", date(2022, 1, 1), date(2022, 5, 31)),
        ("2024-01-01..2024-05-10", "ytd", date(2024, 1, 1), date(2024, 5, 10)),
        ("2023", "ytd", date(2023, 1, 1), None),  # year to date, end not stated
        ("2023-08-01", "date", date(2023, 8, 1), date(2023, 8, 1)),
    ],
)
def test_parse_each_type(pid, ptype, start, end):
    p = parse_period(pid, ptype)
    assert isinstance(p, Period)
    assert (p.id, p.type, p.start, p.end) == (pid, ptype, start, end)


def test_parse_strips_whitespace():
    assert parse_period(" 2023-Q2 ", "quarter").id == "2023-Q2"


@pytest.mark.parametrize(
    ("pid", "ptype", "label"),
    [
        ("2023-Q2", "quarter", "Q2 2023"),
        ("2023-04", "month", "Apr 2023"),
        ("2023-H1", "half", "H1 2023"),
        ("2023-H2", "half", "H2 2023"),
        ("2023", "year", "2023"),
        ("2022-01..2022-05", "ytd", "Jan–May 2022"),
        ("2024-01-01..2024-05-10", "ytd", "1 Jan–10 May 2024"),
        ("2023", "ytd", "2023 year to date (end not stated)"),
        ("2023-08-01", "date", "as of 1 August 2023"),
    ],
)
def test_labels(pid, ptype, label):
    p = parse_period(pid, ptype)
    assert period_label(p) == label
    assert p.label == label


def test_months_of_quarter():
    assert months_of_quarter("2023-Q2") == ["2023-04", "2023-05", "2023-06"]
    assert months_of_quarter("2022-Q1") == ["2022-01", "2022-02", "2022-03"]
    assert months_of_quarter("2022-Q4") == ["2022-10", "2022-11", "2022-12"]


def test_quarter_of_month():
    assert [quarter_of_month(m) for m in ("2023-01", "2023-03", "2023-04", "2023-12")] == [
        "2023-Q1",
        "2023-Q1",
        "2023-Q2",
        "2023-Q4",
    ]


def test_previous_quarter_crosses_year():
    assert previous_quarter("2023-Q1") == "2022-Q4"
    assert previous_quarter("2023-Q3") == "2023-Q2"


def test_same_quarter_last_year():
    assert same_quarter_last_year("2023-Q2") == "2022-Q2"
    assert same_quarter_last_year("2024-Q1") == "2023-Q1"


def test_quarter_range():
    assert quarter_range("2022-Q3", "2023-Q2") == ["2022-Q3", "2022-Q4", "2023-Q1", "2023-Q2"]
    assert quarter_range("2023-Q2", "2023-Q2") == ["2023-Q2"]
    assert quarter_range("2023-Q2", "2023-Q1") == []
    assert len(quarter_range("2022-Q1", "2025-Q4")) == 16


@pytest.mark.parametrize(
    ("pid", "ptype", "prev_id", "yago_id"),
    [
        ("2023-Q1", "quarter", "2022-Q4", "2022-Q1"),
        ("2023-01", "month", "2022-12", "2022-01"),
        ("2023-05", "month", "2023-04", "2022-05"),
        ("2023-H1", "half", "2022-H2", "2022-H1"),
        ("2023-H2", "half", "2023-H1", "2022-H2"),
        ("2023", "year", "2022", "2022"),
    ],
)
def test_previous_period_and_year_earlier(pid, ptype, prev_id, yago_id):
    p = parse_period(pid, ptype)
    assert previous_period(p) == parse_period(prev_id, ptype)
    assert year_earlier(p) == parse_period(yago_id, ptype)


def test_year_earlier_of_ytd_and_dates():
    assert year_earlier(parse_period("2022-01..2022-05", "ytd")) == parse_period("2021-01..2021-05", "ytd")
    assert year_earlier(parse_period("2024-01-01..2024-05-10", "ytd")) == parse_period(
        "2023-01-01..2023-05-10", "ytd"
    )
    assert year_earlier(parse_period("2023", "ytd")) is None  # end not stated: no comparable span
    assert year_earlier(parse_period("2023-08-01", "date")) == parse_period("2022-08-01", "date")
    assert year_earlier(parse_period("2024-02-29", "date")) is None
    # a span ending on 29 February has no same span a year earlier (2023-02-29 does not exist)
    assert year_earlier(parse_period("2024-01-01..2024-02-29", "ytd")) is None
    assert year_earlier(parse_period("2028-01-01..2028-02-29", "ytd")) is None
    # ... but a span of whole months ending in February does, and other days keep their date
    assert year_earlier(parse_period("2024-01..2024-02", "ytd")) == parse_period("2023-01..2023-02", "ytd")
    assert year_earlier(parse_period("2024-01-01..2024-02-28", "ytd")) == parse_period(
        "2023-01-01..2023-02-28", "ytd"
    )
    assert year_earlier(parse_period("2025-01-01..2025-02-28", "ytd")) == parse_period(
        "2024-01-01..2024-02-28", "ytd"
    )
    assert previous_period(parse_period("2022-01..2022-05", "ytd")) is None
    assert previous_period(parse_period("2023-08-01", "date")) is None


@pytest.mark.parametrize(
    ("pid", "ptype"),
    [
        ("2023-Q5", "quarter"),
        ("2023-Q0", "quarter"),
        ("2023-13", "month"),
        ("2023-00", "month"),
        ("2022-05..2022-01", "ytd"),  # end before start
        ("2022-03..2022-05", "ytd"),  # does not start in January
        ("2022-01..2023-05", "ytd"),  # spans two years
        ("2024-01-01..2024-02-30", "ytd"),
        ("2023-02-30", "date"),
        ("2023-H3", "half"),
        ("23", "year"),
        ("2023-Q2", "quarterly"),  # unknown type
        ("2023-04", "quarter"),  # right id, wrong type
    ],
)
def test_impossible_periods_raise(pid, ptype):
    with pytest.raises(PeriodError):
        parse_period(pid, ptype)


def test_period_error_is_a_value_error_with_the_id():
    with pytest.raises(ValueError, match="2023-Q5"):
        parse_period("2023-Q5", "quarter")
    with pytest.raises(PeriodError, match="end is before start"):
        parse_period("2022-05..2022-01", "ytd")


@pytest.mark.parametrize(
    ("pid", "ptype", "message"),
    [
        ("2023-Q5", "quarter", "'2023-Q5' is not a period: a quarter is Q1..Q4"),
        ("2023-Q5", "month", "'2023-Q5' is not a period: a quarter is Q1..Q4"),
        ("2023-H3", "half", "'2023-H3' is not a period: a half-year is H1 or H2"),
        ("2023-13", "month", "'2023-13' is not a period: month 13 is not 01-12"),
        ("2023-Q1", "month", "'2023-Q1' is a quarter, not a month"),
        ("spring", "quarter", "'spring' is not a quarter: a quarter is written like 2023-Q2"),
    ],
)
def test_an_invalid_period_is_named_with_what_is_wrong(pid, ptype, message):
    with pytest.raises(PeriodError, match=re.escape(message)):
        parse_period(pid, ptype)
