"""Working days in every UK nation and any year: plangov.calendar."""

from __future__ import annotations

import datetime

import holidays
import pytest

from plangov import calendar
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


# Any year, every nation (issue 12, item 8): rules from the `holidays` package, checked
# against GOV.UK's list where it has one.


@pytest.mark.parametrize(
    ("start", "days", "nation", "end"),
    [
        # Christmas 2008: Christmas Day and Boxing Day on Thursday and Friday, New Year's Day
        # on Thursday 1 January 2009; Scotland also keeps Friday 2 January.
        ("2008-12-23", 5, "england", "2009-01-02"),
        ("2008-12-23", 5, "wales", "2009-01-02"),
        ("2008-12-23", 5, "scotland", "2009-01-05"),
        ("2008-12-23", 5, "northern_ireland", "2009-01-02"),
        # Easter 2009: Good Friday 10 April, Easter Monday 13 April (not in Scotland).
        ("2009-04-09", 5, "england", "2009-04-20"),
        ("2009-04-09", 5, "scotland", "2009-04-17"),
        # Christmas 2030 (Wednesday and Thursday) and New Year's Day 2031 (Wednesday).
        ("2030-12-23", 5, "england", "2031-01-02"),
        # The Golden Jubilee, Monday 3 June 2002, and the spring holiday moved to Tuesday 4.
        ("2002-05-31", 1, "england", "2002-06-05"),
        ("2002-05-31", 1, "scotland", "2002-06-05"),
        # The royal wedding, Friday 29 April 2011, then the early May holiday on Monday 2 May.
        ("2011-04-28", 1, "england", "2011-05-03"),
        ("2011-04-28", 1, "northern_ireland", "2011-05-03"),
        # St Patrick's Day (NI) and the Battle of the Boyne, Monday 12 July 2010 (NI).
        ("2010-03-16", 1, "northern_ireland", "2010-03-18"),
        ("2010-07-09", 1, "northern_ireland", "2010-07-13"),
        ("2010-07-09", 1, "england", "2010-07-12"),
        # St Andrew's Day, Monday 30 November 2009 (Scotland).
        ("2009-11-27", 1, "scotland", "2009-12-01"),
        ("2009-11-27", 1, "england", "2009-11-30"),
    ],
)
def test_it_counts_any_year_in_every_nation(start, days, nation, end):
    assert add_working_days(d(start), days, nation=nation) == d(end)


@pytest.mark.parametrize(("day", "name"), [("2002-06-03", "Golden Jubilee"),
                                           ("2011-04-29", "Wedding")])
@pytest.mark.parametrize("nation", list(calendar.Nation))
def test_it_knows_the_one_off_days(day, name, nation):
    assert d(day) in calendar.bank_holidays(nation, d(day).year)
    assert not is_working_day(d(day), nation=nation)
    rules = holidays.country_holidays("GB", subdiv=calendar.SUBDIVISION[nation],
                                      years=d(day).year)
    assert name in rules[d(day)]


# Where the rules and GOV.UK's list disagree, and which plangov follows. GOV.UK's bundled copy
# (govuk-bank-holidays) predates the proclamation of Monday 15 June 2026 as a bank holiday in
# Scotland (Scotland's men's team at the FIFA World Cup); the rules carry it, and so does
# plangov. A newer GOV.UK copy that lists it simply agrees.
RULES_ONLY = {(calendar.Nation.SCOTLAND, datetime.date(2026, 6, 15))}


def govuk() -> dict[str, dict[int, set[datetime.date]]]:
    from govuk_bank_holidays.bank_holidays import BankHolidays

    source = BankHolidays(use_cached_holidays=True)
    held: dict[str, dict[int, set[datetime.date]]] = {}
    for division in ("england-and-wales", "scotland", "northern-ireland"):
        for holiday in source.get_holidays(division=division):
            held.setdefault(division, {}).setdefault(holiday["date"].year, set()).add(
                holiday["date"])
    return held


@pytest.mark.parametrize("nation", list(calendar.Nation))
def test_it_agrees_with_govuk_for_every_year_and_nation_both_hold(nation):
    years = govuk()[calendar.GOVUK_DIVISION[nation]]
    assert len(years) >= 10 and 2012 in years
    for year, official in years.items():
        rules = calendar.bank_holidays(nation, year)
        assert official - rules == set(), (nation, year)
        assert {(nation, day) for day in rules - official} <= RULES_ONLY, (nation, year)


def test_it_confirms_the_years_govuk_holds_and_flags_the_rest(settings):
    last = max(max(years) for years in govuk().values())
    assert calendar.confirmed_until() == last
    assert calendar.is_confirmed(datetime.date(last, 12, 31))
    assert calendar.is_confirmed(datetime.date(2008, 12, 25))  # the past follows the rules
    assert calendar.is_confirmed(None)
    assert not calendar.is_confirmed(datetime.date(last + 1, 1, 1))
    settings.PLANGOV_CALENDAR_CONFIRMED_UNTIL = 2035
    assert calendar.is_confirmed(datetime.date(2035, 12, 31))
    assert not calendar.is_confirmed(datetime.date(2036, 1, 1))


def test_it_counts_closure_days_as_non_working_days():
    # A council closed between Christmas and New Year 2008: a five-day period from Tuesday
    # 23 December runs into the next week.
    closed = {d("2008-12-29"), d("2008-12-30"), d("2008-12-31")}
    assert add_working_days(d("2008-12-23"), 5, closures=closed) == d("2009-01-07")
    assert working_days_between(d("2008-12-23"), d("2009-01-07"), closures=closed) == 5
    assert not is_working_day(d("2008-12-30"), closures=closed)


def test_it_follows_the_partnerships_nation_and_closures():
    class Council:
        nation = "scotland"

        def closure_dates(self) -> frozenset[datetime.date]:
            return frozenset({d("2009-01-05")})

    # Scotland keeps 2 January; the council is closed on Monday 5 January too.
    assert add_working_days(d("2008-12-23"), 5, partnership=Council()) == d("2009-01-06")
    assert add_working_days(d("2008-12-23"), 5) == d("2009-01-02")  # England, no closures


def test_it_builds_each_nations_year_once():
    calendar.bank_holidays.cache_clear()
    add_working_days(d("2016-01-01"), 600, nation="wales")
    info = calendar.bank_holidays.cache_info()
    assert info.misses == 3 and info.hits > 500  # 2016, 2017 and 2018, once each
