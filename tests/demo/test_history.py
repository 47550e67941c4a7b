"""The virtual home's simulated past as hourly statistics."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from demo.history import HourlyEnergy, complete_days, simulate_history, statistics_rows

START = "2026-06-01T12:00:00+09:00"  # 03:00 UTC, a whole hour


@pytest.fixture(scope="module")
def history() -> HourlyEnergy:
    """One simulated June day before noon in Tokyo (the default home)."""
    return simulate_history(["--start", START, "--history-days", "1"])


def test_whole_hours_before_start(history: HourlyEnergy) -> None:
    """24 complete hours ending at the start; nothing of the current hour."""
    assert len(history.hours) == 24
    assert history.hours[0] == datetime(2026, 5, 31, 3, tzinfo=UTC)
    assert history.hours[-1] == datetime(2026, 6, 1, 2, tzinfo=UTC)
    assert all(b - a == timedelta(hours=1) for a, b in zip(history.hours, history.hours[1:], strict=False))


def test_physics_is_plausible(history: HourlyEnergy) -> None:
    """PV only in daylight, a sunny June day's worth of it; the battery both charges and discharges; import > 0."""
    pv = dict(zip(history.hours, history.wh["pv"], strict=True))
    midnight_jst = datetime(2026, 5, 31, 15, tzinfo=UTC)
    noon_jst = datetime(2026, 5, 31, 3, tzinfo=UTC)
    assert pv[midnight_jst] == 0.0
    assert pv[noon_jst] > 2000.0
    assert 15_000 < sum(history.wh["pv"]) < 40_000
    assert sum(history.wh["battery_charged"]) > 0
    assert sum(history.wh["battery_discharged"]) > 0
    assert sum(history.wh["grid_import"]) > 0


def test_same_flags_same_past() -> None:
    """Deterministic: the demo reproduces exactly the past the virtual home simulated."""
    flags = ["--start", "2026-01-10T08:30:00+09:00", "--history-days", "1"]
    first, second = simulate_history(flags), simulate_history(flags)
    assert first == second
    assert len(first.hours) == 23  # 08:30 → the partial first hour (08:30-09:00 the day before) is left out


def test_statistics_rows_end_at_the_current_reading() -> None:
    """Sums grow from 0 in kWh; the last state is the sensor's reading so HA's next compile continues from it."""
    hours = [datetime(2026, 6, 1, hour, tzinfo=UTC) for hour in range(3)]
    rows = statistics_rows(hours, [1000.0, 0.0, 2500.0], current_kwh=10.0)
    assert [row["sum"] for row in rows] == [1.0, 1.0, 3.5]
    assert [row["state"] for row in rows] == [7.5, 7.5, 10.0]
    assert rows[0]["start"] == "2026-06-01T00:00:00+00:00"


def test_statistics_rows_never_negative() -> None:
    """A sensor that reads less than the history holds (e.g. reset) gives states clamped at 0."""
    rows = statistics_rows([datetime(2026, 6, 1, tzinfo=UTC)] * 2, [5000.0, 1000.0], current_kwh=0.5)
    assert rows[0]["state"] == 0.0
    assert rows[1]["state"] == 0.5


def test_one_history_day_is_never_a_complete_calendar_day(history: HourlyEnergy) -> None:
    """24 hours ending at noon span two Japanese dates, neither of them whole: no PV outlook can learn from it."""
    assert complete_days(history.hours) == ()


@pytest.mark.parametrize(
    "start", ["2026-06-01T12:00:00+09:00", "2026-06-01T00:00:30+09:00", "2026-06-01T23:59:00+09:00"]
)
def test_two_history_days_hold_all_of_yesterday(start: str) -> None:
    """The demo's default (2 days) covers the whole of yesterday in Japan, wherever in today the demo starts."""
    hours = simulate_history(["--start", start, "--history-days", "2"]).hours
    assert date(2026, 5, 31) in complete_days(hours)
    assert date(2026, 6, 1) not in complete_days(hours)  # today is never complete: its current hour is HA's


def test_complete_days_follow_japan_time() -> None:
    """A JST day is 15:00 UTC to 15:00 UTC; one missing hour makes it incomplete."""
    first = datetime(2026, 5, 30, 15, tzinfo=UTC)
    day = [first + timedelta(hours=n) for n in range(24)]
    assert complete_days(day) == (date(2026, 5, 31),)
    assert complete_days(day[:-1]) == ()
    assert complete_days(day[1:] + [first + timedelta(hours=24)]) == ()
