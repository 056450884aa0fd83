"""Working days in Wales: weekdays that are not Welsh bank holidays."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _bank_holidays(year: int) -> frozenset[datetime.date]:
    return frozenset(holidays.UK(subdiv="WLS", years=year))


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def working_day_on_or_before(day: datetime.date) -> datetime.date:
    """The day itself if it is a working day, otherwise the last working day before it, so a
    reminder for a Saturday or a bank holiday arrives while someone can still act on it."""
    while not is_working_day(day):
        day -= datetime.timedelta(days=1)
    return day


def monday_of(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


def working_day_on_or_after(day: datetime.date) -> datetime.date:
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day
