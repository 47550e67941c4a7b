"""Japanese day types for tariffs and history-based forecasts: weekday or day off.

A day off is a Saturday, a Sunday, a national holiday of Japan (from the ``holidays`` package, which includes
substitute and citizens' holidays) or, optionally, the New Year break (12-30 … 01-03) when most offices close.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cache

import holidays

_SATURDAY = 5


class DayType(StrEnum):
    """Day type used by time-of-use tariffs and by the consumption history."""

    WEEKDAY = "weekday"
    DAY_OFF = "day_off"


@cache
def holidays_of_year(year: int) -> frozenset[date]:
    """Every Japanese national holiday of `year` (the project's one holiday source)."""
    return frozenset(holidays.country_holidays("JP", years=year).keys())


def is_national_holiday(day: date) -> bool:
    """Whether `day` is a Japanese national holiday."""
    return day in holidays_of_year(day.year)


def day_type(day: date, *, new_year_break: bool = True) -> DayType:
    """Weekday or day off (weekend, national holiday, and the New Year break unless disabled)."""
    if day.weekday() >= _SATURDAY or is_national_holiday(day):
        return DayType.DAY_OFF
    if new_year_break and ((day.month == 12 and day.day >= 30) or (day.month == 1 and day.day <= 3)):
        return DayType.DAY_OFF
    return DayType.WEEKDAY
