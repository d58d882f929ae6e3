"""Working days in England and Wales, for call-in periods and deadlines.

Bank holidays come from govuk-bank-holidays' bundled copy (``use_cached_holidays``), so
nothing here reaches the network; the package is refreshed with each release."""

from __future__ import annotations

import datetime
from functools import lru_cache

from govuk_bank_holidays.bank_holidays import BankHolidays


@lru_cache(maxsize=1)
def _holidays() -> frozenset[datetime.date]:
    calendar = BankHolidays(use_cached_holidays=True)
    return frozenset(
        h["date"] for h in calendar.get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    )


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _holidays()


def add_working_days(start: datetime.date, days: int) -> datetime.date:
    """The working day that ends a period of ``days`` working days counted after ``start``.

    A decision taken on Thursday 14 July 2016 with a five-day call-in period can be called in
    until the end of Thursday 21 July 2016. With ``days == 0`` the period ends on ``start``."""
    if days < 0:
        raise ValueError("A period cannot have a negative number of working days.")
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end``: how late a task due on
    ``start`` is on ``end``. Zero when ``end`` is not after ``start``."""
    days = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            days += 1
    return days
