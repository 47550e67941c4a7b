"""Japanese national holidays and day types for the simulated home, from the one holiday source of the project.

The holidays come from `lib/energy/calendar.py` (the `holidays` package: fixed-date and "Happy Monday" holidays, the
equinox days, substitute and citizens' holidays, the one-off shifts of 2019-2021), so the simulated home, the planner
and the tariffs agree on every date. The *day type* used by the load and hot-water profiles treats Saturdays, Sundays,
national holidays and the New Year break (12-30 … 01-03, when most offices close) as days off.
"""

from __future__ import annotations

from datetime import date

from custom_components.echonet_hems.lib.energy.calendar import DayType, day_type, holidays_of_year, is_national_holiday

__all__ = ["is_day_off", "is_national_holiday", "national_holidays"]

_FIRST_YEAR = 2000  # the profiles were derived from data of this century; earlier dates are a caller's mistake


def national_holidays(year: int) -> frozenset[date]:
    """Every national holiday of `year` (from 2000)."""
    if year < _FIRST_YEAR:
        raise ValueError(f"years before {_FIRST_YEAR} are not supported: {year}")
    return holidays_of_year(year)


def is_day_off(day: date) -> bool:
    """Weekend, national holiday or New Year break."""
    return day_type(day) is DayType.DAY_OFF
