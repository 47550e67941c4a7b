"""Fast time arithmetic on POSIX timestamps in Japan Standard Time (UTC+9, no DST).

The models step many thousands of times per simulated year, so they work on float timestamps internally and turn a
timestamp into a JST day number and seconds-of-day with two float operations. Per-day facts (the date, day of year,
day type) are cached by day number.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from virtual_home.clock import JST
from virtual_home.physics.jp_calendar import is_day_off

DAY_S = 86400.0
HOUR_S = 3600.0
JST_OFFSET_S = 9 * 3600.0
_EPOCH = date(1970, 1, 1)


def to_timestamp(when: datetime) -> float:
    """POSIX timestamp of an aware datetime (naive datetimes are refused: the home lives in JST)."""
    if when.tzinfo is None:
        raise ValueError("the simulation needs timezone-aware datetimes")
    return when.timestamp()


def from_timestamp(ts: float) -> datetime:
    """The JST datetime of a POSIX timestamp."""
    return datetime.fromtimestamp(ts, JST)


def jst_day_and_seconds(ts: float) -> tuple[int, float]:
    """JST day number (days since 1970-01-01 in JST) and seconds since local midnight."""
    local = ts + JST_OFFSET_S
    day = int(local // DAY_S)
    return day, local - day * DAY_S


@dataclass(frozen=True, slots=True)
class DayInfo:
    """Calendar facts of one JST day."""

    date: date
    month: int
    day_of_year: int  # 1..366
    day_off: bool  # weekend, national holiday or New Year break (jp_calendar.is_day_off)


@lru_cache(maxsize=2048)
def day_info(day: int) -> DayInfo:
    """Calendar facts of JST day number `day`."""
    current = _EPOCH + timedelta(days=day)
    return DayInfo(current, current.month, current.timetuple().tm_yday, is_day_off(current))
