"""Working days in the four UK nations, for call-in periods and deadlines, in any year.

Bank holidays come from the rule-based ``holidays`` package (its GB subdivisions ENG, WLS,
SCT and NIR), which knows every year, substitute days and the one-off days (the 2002 Golden
Jubilee, the 2011 royal wedding, the 2022 Platinum Jubilee...). Nothing here reaches the
network. tests/governance/test_calendar.py checks it against govuk-bank-holidays' bundled
copy of GOV.UK's list for every year and nation both hold.

The rules know about years nobody has confirmed yet: a one-off day may still be proclaimed.
``confirmed_until()`` is the last year whose bank holidays are confirmed (the last year in
govuk-bank-holidays' bundled data, or ``PLANGOV_CALENDAR_CONFIRMED_UNTIL``); a period that
ends after it is computed by the rules and flagged as provisional where it is shown.

The nation follows the partnership, and a partnership's own closure days (for example between
Christmas and New Year) are not working days either: pass ``partnership=`` (anything with a
``nation`` and a ``closure_dates()``, i.e. ``governance.models.Partnership``), or ``nation=``
and ``closures=``. With neither, the calendar is England's with no closures."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from functools import lru_cache
from typing import Any

import holidays
from django.conf import settings
from django.db import models


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    WALES = "wales", "Wales"
    SCOTLAND = "scotland", "Scotland"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


SUBDIVISION = {
    Nation.ENGLAND: "ENG",
    Nation.WALES: "WLS",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}

# GOV.UK's divisions (govuk-bank-holidays), for the cross-check and for confirmed_until().
GOVUK_DIVISION = {
    Nation.ENGLAND: "england-and-wales",
    Nation.WALES: "england-and-wales",
    Nation.SCOTLAND: "scotland",
    Nation.NORTHERN_IRELAND: "northern-ireland",
}


@lru_cache(maxsize=512)
def bank_holidays(nation: str, year: int) -> frozenset[datetime.date]:
    """The bank holidays of ``nation`` in ``year`` that fall on a weekday (a holiday on a
    weekend is replaced by its substitute day, which the rules include)."""
    rules = holidays.country_holidays("GB", subdiv=SUBDIVISION[Nation(nation)], years=year)
    return frozenset(day for day in rules if day.weekday() < 5 and day.year == year)


@lru_cache(maxsize=1)
def _govuk_last_year() -> int:
    from govuk_bank_holidays.bank_holidays import BankHolidays

    calendar = BankHolidays(use_cached_holidays=True)
    return max(h["date"].year for h in calendar.get_holidays())


def confirmed_until() -> int:
    """The last year whose bank holidays are confirmed; later years follow the rules only."""
    configured = getattr(settings, "PLANGOV_CALENDAR_CONFIRMED_UNTIL", None)
    return int(configured) if configured else _govuk_last_year()


def is_confirmed(day: datetime.date | None) -> bool:
    """False for a date computed past the confirmed years (shown as provisional)."""
    return day is None or day.year <= confirmed_until()


def _calendar(
    partnership: Any, nation: str | None, closures: Collection[datetime.date] | None
) -> tuple[str, Collection[datetime.date]]:
    if partnership is not None:
        nation = nation or partnership.nation
        if closures is None:
            closures = partnership.closure_dates()
    return nation or Nation.ENGLAND, closures or frozenset()


def is_working_day(
    day: datetime.date,
    *,
    partnership: Any = None,
    nation: str | None = None,
    closures: Collection[datetime.date] | None = None,
) -> bool:
    nation, closures = _calendar(partnership, nation, closures)
    return _working(day, nation, closures)


def _working(day: datetime.date, nation: str, closures: Collection[datetime.date]) -> bool:
    return (day.weekday() < 5 and day not in bank_holidays(nation, day.year)
            and day not in closures)


def add_working_days(
    start: datetime.date,
    days: int,
    *,
    partnership: Any = None,
    nation: str | None = None,
    closures: Collection[datetime.date] | None = None,
) -> datetime.date:
    """The working day that ends a period of ``days`` working days counted after ``start``.

    A decision taken on Thursday 14 July 2016 with a five-day call-in period can be called in
    until the end of Thursday 21 July 2016. With ``days == 0`` the period ends on ``start``."""
    if days < 0:
        raise ValueError("A period cannot have a negative number of working days.")
    nation, closures = _calendar(partnership, nation, closures)
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if _working(day, nation, closures):
            counted += 1
    return day


def working_days_between(
    start: datetime.date,
    end: datetime.date,
    *,
    partnership: Any = None,
    nation: str | None = None,
    closures: Collection[datetime.date] | None = None,
) -> int:
    """Working days after ``start`` up to and including ``end``: how late a task due on
    ``start`` is on ``end``. Zero when ``end`` is not after ``start``."""
    nation, closures = _calendar(partnership, nation, closures)
    days = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if _working(day, nation, closures):
            days += 1
    return days
