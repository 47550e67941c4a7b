"""Japanese national holidays and day types (weekday / day off), computed without any package or data file.

The rules follow the Act on National Holidays (国民の祝日に関する法律) as amended up to 2020: fixed-date holidays,
"Happy Monday" holidays, the vernal and autumnal equinox days (the usual approximation, valid 1980-2099),
substitute holidays (振替休日: a holiday falling on a Sunday moves to the next non-holiday) and citizens' holidays
(国民の休日: a day sandwiched between two holidays). The one-off shifts of 2019 (enthronement) and 2020/2021
(Olympic Games) are included. Years before 2000 are not supported.

The *day type* used by the load and hot-water profiles treats Saturdays, Sundays, national holidays and the New Year
break (12-30 … 01-03, when most offices close) as days off.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

_MONDAY = 0
_SATURDAY = 5
_SUNDAY = 6


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (_MONDAY - first.weekday()) % 7
    return first + timedelta(days=offset + 7 * (n - 1))


def _equinox_days(year: int) -> tuple[date, date]:
    """Vernal and autumnal equinox days (the standard approximation for 1980-2099)."""
    delta = year - 1980
    vernal = int(20.8431 + 0.242194 * delta - delta // 4)
    autumnal = int(23.2488 + 0.242194 * delta - delta // 4)
    return date(year, 3, vernal), date(year, 9, autumnal)


def _named_holidays(year: int) -> set[date]:
    days = {
        date(year, 1, 1),
        _nth_monday(year, 1, 2),  # 成人の日
        date(year, 2, 11),  # 建国記念の日
        date(year, 4, 29),  # 昭和の日
        date(year, 5, 3),
        date(year, 5, 4),
        date(year, 5, 5),
        _nth_monday(year, 9, 3),  # 敬老の日
        date(year, 11, 3),
        date(year, 11, 23),
    }
    days.update(_equinox_days(year))
    if year >= 2020:
        days.add(date(year, 2, 23))  # 天皇誕生日 (Reiwa)
    elif year <= 2018:
        days.add(date(year, 12, 23))  # 天皇誕生日 (Heisei)
    # 海の日, 山の日 and スポーツの日 moved for the Tokyo Olympics in 2020 and 2021.
    olympic = {
        2020: (date(2020, 7, 23), date(2020, 8, 10), date(2020, 7, 24)),
        2021: (date(2021, 7, 22), date(2021, 8, 8), date(2021, 7, 23)),
    }
    if year in olympic:
        days.update(olympic[year])
    else:
        days.add(_nth_monday(year, 7, 3))  # 海の日
        days.add(_nth_monday(year, 10, 2))  # スポーツの日 (体育の日)
        if year >= 2016:
            days.add(date(year, 8, 11))  # 山の日
    if year == 2019:
        days.update({date(2019, 5, 1), date(2019, 10, 22)})  # enthronement
    return days


@cache
def national_holidays(year: int) -> frozenset[date]:
    """All national holidays of `year`, including substitute and citizens' holidays."""
    if year < 2000:
        raise ValueError("years before 2000 are not supported")
    named = _named_holidays(year)
    days = set(named)
    # 振替休日: a holiday on a Sunday makes the next day that is not already a holiday a holiday.
    for day in sorted(named):
        if day.weekday() == _SUNDAY:
            substitute = day + timedelta(days=1)
            while substitute in named:
                substitute += timedelta(days=1)
            days.add(substitute)
    # 国民の休日: a weekday (not a Sunday) between two holidays.
    for day in sorted(named):
        between = day + timedelta(days=1)
        after = day + timedelta(days=2)
        if after in named and between not in days and between.weekday() != _SUNDAY:
            days.add(between)
    return frozenset(days)


def is_national_holiday(day: date) -> bool:
    """Whether `day` is a Japanese national holiday (祝日, 振替休日 or 国民の休日)."""
    return day in national_holidays(day.year)


def is_day_off(day: date) -> bool:
    """Whether `day` is a day off for the household profiles: weekend, national holiday or the New Year break."""
    if day.weekday() >= _SATURDAY:
        return True
    if (day.month == 12 and day.day >= 30) or (day.month == 1 and day.day <= 3):
        return True
    return is_national_holiday(day)
