"""Hourly statistic rows from half-hourly cumulative registers: sums, wraps, gaps, continuation and the future."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from custom_components.echonet_hems.lib.broute.hourly import (
    HourlyTotal,
    RegisterValue,
    hour_boundaries,
    hourly_totals,
)
from custom_components.echonet_hems.lib.broute.readings import DayHistory, Direction, EnergyScale, HistorySlot
from custom_components.echonet_hems.lib.broute.timing import JST

SCALE = EnergyScale(coefficient=1, unit_kwh=Decimal("0.1"), digits=6, multiplier=Decimal("0.1"))  # wraps at 99999.9
DAY = date(2026, 5, 19)


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=JST) + timedelta(hours=hour, minutes=minute)


def history(import_raw: list[int | None], export_raw: list[int | None] | None = None) -> DayHistory:
    exports = export_raw or [None] * 48
    slots = tuple(
        HistorySlot(at(0, 30 * index), imp, exp, None, None)
        for index, (imp, exp) in enumerate(zip(import_raw, exports, strict=False))
    )
    return DayHistory(DAY, 1, SCALE, slots)


def test_full_hours_only_and_missing_slots_skipped() -> None:
    raws: list[int | None] = list(range(1000, 1048))
    raws[4] = None  # 02:00 unknown
    boundaries = hour_boundaries(history(raws), Direction.IMPORT)
    assert [value.at.hour for value in boundaries] == [0, 1, *range(3, 24)]
    assert boundaries[0] == RegisterValue(at(0), 1000)
    assert boundaries[1] == RegisterValue(at(1), 1002)
    assert hour_boundaries(history(raws), Direction.EXPORT) == []


def test_sum_runs_over_consecutive_hours_and_a_gap_is_left_out() -> None:
    values = [RegisterValue(at(hour), 1000 + 10 * hour) for hour in (0, 1, 2, 4, 5)]
    rows = hourly_totals(reversed(values), SCALE)  # any order
    assert [row.start.hour for row in rows] == [0, 1, 4]
    assert [round(row.sum_kwh, 3) for row in rows] == [1.0, 2.0, 3.0]  # 02-04 unknown: not guessed
    assert rows[-1].state_kwh == pytest.approx(105.0)
    assert rows[-1].end == at(5)


def test_the_register_wraps_at_ten_to_the_digits() -> None:
    values = [RegisterValue(at(0), 999_990), RegisterValue(at(1), 5)]
    (row,) = hourly_totals(values, SCALE)
    assert row.sum_kwh == pytest.approx(1.5)
    assert row.end_raw == 5


def test_continues_from_the_last_row_and_never_writes_the_future() -> None:
    last = HourlyTotal(at(3), 1040, 104.0, 50.0)  # the hour 03-04, register 1040 at 04:00
    values = [RegisterValue(at(hour), 1000 + 10 * hour) for hour in range(8)]
    values.append(RegisterValue(at(4), 9))  # a second value for 04:00 comes after the first: ignored
    rows = hourly_totals(values, SCALE, after=last, until=at(6, 30))
    assert [(row.start.hour, round(row.sum_kwh, 3)) for row in rows] == [(4, 51.0), (5, 52.0)]


def test_across_midnight_with_two_days() -> None:
    next_day = DAY + timedelta(days=1)
    values = [
        RegisterValue(at(23), 2000),
        RegisterValue(at(0, day=next_day), 2007),
        RegisterValue(at(0, day=next_day), 1),
    ]
    (row,) = hourly_totals(values, SCALE)
    assert row.start == at(23)
    assert row.sum_kwh == pytest.approx(0.7)
