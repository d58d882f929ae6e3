"""Working days in England and Wales: plangov.calendar.add_working_days."""

from __future__ import annotations

import datetime

import pytest

from plangov.calendar import add_working_days, is_working_day, working_days_between


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # York's Executive, Thursday 14 July 2016: five working days end on Thursday 21 July.
        ("2016-07-14", 5, "2016-07-21"),
        ("2016-07-14", 1, "2016-07-15"),
        # Over a weekend: Friday plus one is Monday.
        ("2016-07-15", 1, "2016-07-18"),
        # A start on a weekend counts from the next working day.
        ("2016-07-16", 1, "2016-07-18"),
        ("2016-07-17", 5, "2016-07-22"),
        # Two weekends.
        ("2016-07-14", 10, "2016-07-28"),
    ],
)
def test_it_skips_weekends(start, days, end):
    assert add_working_days(d(start), days) == d(end)


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        # Christmas 2016 was a Sunday: Boxing Day on Monday 26, the substitute Christmas Day on
        # Tuesday 27 December.
        ("2016-12-23", 1, "2016-12-28"),
        ("2016-12-21", 5, "2016-12-30"),
        # Christmas Day and Boxing Day 2017 on Monday and Tuesday; New Year's Day substitute
        # on Monday 2 January 2017 as well.
        ("2016-12-30", 1, "2017-01-03"),
        ("2017-12-22", 1, "2017-12-27"),
        # Good Friday 25 March and Easter Monday 28 March 2016.
        ("2016-03-24", 1, "2016-03-29"),
        ("2016-03-24", 5, "2016-04-04"),
        # Good Friday 14 April and Easter Monday 17 April 2017.
        ("2017-04-13", 2, "2017-04-19"),
        # Early May bank holiday, Monday 2 May 2016.
        ("2016-04-29", 1, "2016-05-03"),
        ("2016-04-28", 5, "2016-05-06"),
        # The early May holiday moved to Friday 8 May 2020 for VE day; Monday 4 May worked.
        ("2020-05-01", 1, "2020-05-04"),
        ("2020-05-07", 1, "2020-05-11"),
        # Spring and Platinum Jubilee bank holidays, Thursday 2 and Friday 3 June 2022.
        ("2022-06-01", 1, "2022-06-06"),
    ],
)
def test_it_skips_england_and_wales_bank_holidays(start, days, end):
    assert add_working_days(d(start), days) == d(end)


@pytest.mark.parametrize(
    "holiday",
    [
        "2016-12-26",  # Boxing Day
        "2016-12-27",  # Christmas Day, substitute
        "2016-03-25",  # Good Friday
        "2016-03-28",  # Easter Monday
        "2016-05-02",  # Early May bank holiday
        "2016-08-29",  # Summer bank holiday
    ],
)
def test_it_knows_bank_holidays_are_not_working_days(holiday):
    assert not is_working_day(d(holiday))


def test_it_uses_england_and_wales_not_scotland():
    # 2 January and St Andrew's Day are Scottish bank holidays only; the Summer bank holiday
    # is on the last Monday of August in England and Wales (Scotland's is on the first).
    assert is_working_day(d("2019-01-02"))
    assert is_working_day(d("2016-11-30"))
    assert is_working_day(d("2016-08-01"))
    assert not is_working_day(d("2016-08-29"))
    # St Patrick's Day is a holiday in Northern Ireland only.
    assert is_working_day(d("2016-03-17"))


@pytest.mark.parametrize("start", ["2016-07-14", "2016-07-16", "2016-12-25", "2016-03-25"])
def test_it_ends_a_zero_day_period_on_its_first_day(start):
    # Even on a weekend or a holiday: a period of no working days ends where it starts.
    assert add_working_days(d(start), 0) == d(start)


@pytest.mark.parametrize("days", [-1, -5])
def test_it_refuses_a_negative_number_of_days(days):
    with pytest.raises(ValueError, match="negative number of working days"):
        add_working_days(d("2016-07-14"), days)


def test_it_always_ends_on_a_working_day_after_the_start():
    day = d("2016-01-01")
    while day < d("2018-01-01"):
        for days in (1, 5):
            end = add_working_days(day, days)
            assert end > day
            assert is_working_day(end)
            between = [
                day + datetime.timedelta(days=n) for n in range(1, (end - day).days + 1)
            ]
            assert sum(is_working_day(x) for x in between) == days
        day += datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("due", "today", "late"),
    [
        (datetime.date(2016, 7, 28), datetime.date(2016, 7, 28), 0),
        (datetime.date(2016, 7, 28), datetime.date(2016, 7, 27), 0),
        (datetime.date(2016, 7, 28), datetime.date(2016, 7, 29), 1),
        (datetime.date(2016, 7, 29), datetime.date(2016, 8, 1), 1),  # over a weekend
        (datetime.date(2016, 8, 26), datetime.date(2016, 8, 30), 1),  # and a bank holiday
    ],
)
def test_it_counts_working_days_late(due, today, late):
    assert working_days_between(due, today) == late
