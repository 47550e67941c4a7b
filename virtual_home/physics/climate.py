"""Outdoor temperature: the mean hourly profile of each month of the Japanese standard year (pyhees region 6, a
Tokyo/Osaka-class climate), interpolated linearly between hours and between mid-months.

It is a climatology (every day of a month looks alike); pass a measured temperature to ``Home.step`` to override it.
"""

from __future__ import annotations

import calendar
from datetime import datetime
from functools import lru_cache

from virtual_home.physics.profiles import climate
from virtual_home.physics.timebase import DAY_S, HOUR_S, JST_OFFSET_S, day_info, jst_day_and_seconds, to_timestamp


@lru_cache(maxsize=1024)
def _month_weights(day: int) -> tuple[int, int, float]:
    """(month index a, month index b, weight of b) for interpolating monthly values on JST day `day` (mid-month)."""
    info = day_info(day)
    days_in_month = calendar.monthrange(info.date.year, info.month)[1]
    position = (info.date.day - 0.5) / days_in_month - 0.5  # -0.5 … +0.5 around mid-month
    here = info.month - 1
    if position >= 0.0:
        return here, (here + 1) % 12, position
    return (here - 1) % 12, here, 1.0 + position


def outdoor_temp_at(ts: float) -> float:
    """Outdoor temperature (°C) at POSIX timestamp `ts`."""
    day, seconds = jst_day_and_seconds(ts)
    month_a, month_b, weight = _month_weights(day)
    hour_f = seconds / HOUR_S
    hour = int(hour_f)
    frac = hour_f - hour
    following = (hour + 1) % 24
    table = climate().temperature_c
    row_a, row_b = table[month_a], table[month_b]
    value_a = row_a[hour] + (row_a[following] - row_a[hour]) * frac
    value_b = row_b[hour] + (row_b[following] - row_b[hour]) * frac
    return value_a + (value_b - value_a) * weight


def outdoor_temp_c(now: datetime) -> float:
    """Outdoor temperature (°C) of the standard-year climatology at `now`."""
    return outdoor_temp_at(to_timestamp(now))


def linke_turbidity_at(ts: float) -> float:
    """Linke turbidity of the clear sky at `ts` (monthly values fitted to pyhees region 6, interpolated)."""
    return _linke_turbidity_on(int((ts + JST_OFFSET_S) // DAY_S))


@lru_cache(maxsize=1024)
def _linke_turbidity_on(day: int) -> float:
    month_a, month_b, weight = _month_weights(day)
    values = climate().linke_turbidity
    return values[month_a] + (values[month_b] - values[month_a]) * weight
