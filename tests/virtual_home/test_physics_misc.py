"""Fuel cell, base load, appliances, the Japanese calendar and the outdoor temperature."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from virtual_home.clock import JST
from virtual_home.physics import AirConditioner, BaseLoad, FuelCell, Light, outdoor_temp_c
from virtual_home.physics.jp_calendar import is_day_off, is_national_holiday, national_holidays


def _at(month: int, day: int, hour: float = 0.0, year: int = 2025) -> datetime:
    return datetime(year, month, day, tzinfo=JST) + timedelta(hours=hour)


# --- fuel cell -------------------------------------------------------------------------------------------------------


def test_fuel_cell_disabled_is_stopped() -> None:
    cell = FuelCell(enabled=False)
    assert cell.step(600.0, 500.0) == 0.0
    assert cell.status == "stopped"
    assert cell.gas_m3 == 0.0


def test_fuel_cell_starts_then_follows_the_load() -> None:
    cell = FuelCell()
    assert cell.step(900.0, 500.0) == 0.0
    assert cell.status == "starting"
    # Warm-up ends 15 min into this step, then a 50 s ramp to 500 W.
    power = cell.step(1800.0, 500.0)
    expected_ws = 250.0 * 50.0 + 500.0 * (900.0 - 50.0)
    assert power == pytest.approx(expected_ws / 1800.0)
    assert cell.status == "generating"
    assert cell.step(600.0, 500.0) == pytest.approx(500.0)
    assert cell.step(600.0, 2000.0) <= 700.0  # rated
    assert cell.step(600.0, 2000.0) == pytest.approx(700.0)
    assert cell.step(600.0, 300.0) == pytest.approx(300.0)  # down at once: never above the load
    assert cell.step(600.0, 100.0) == 0.0  # below the minimum output
    assert cell.status == "idling"


def test_fuel_cell_ramp_is_step_size_independent_and_gas_is_consistent() -> None:
    coarse, fine = FuelCell(startup_seconds=0.0), FuelCell(startup_seconds=0.0)
    coarse.step(600.0, 650.0)
    for _ in range(10):
        fine.step(60.0, 650.0)
    assert coarse.generated_wh == pytest.approx(fine.generated_wh)
    assert coarse.output_w == pytest.approx(650.0)
    assert coarse.gas_m3 == pytest.approx(coarse.generated_wh / 0.40 * 0.0036 / 40.6)
    assert coarse.gas_m3_per_h == pytest.approx(coarse.power_w / 0.40 * 0.0036 / 40.6)


def test_fuel_cell_cools_down_when_disabled() -> None:
    cell = FuelCell(startup_seconds=600.0)
    cell.step(1200.0, 500.0)
    cell.enabled = False
    cell.step(60.0, 500.0)
    cell.enabled = True
    assert cell.step(300.0, 500.0) == 0.0
    assert cell.status == "starting"


# --- base load -------------------------------------------------------------------------------------------------------


def test_base_load_is_deterministic_per_seed() -> None:
    times = [_at(3, 1) + timedelta(minutes=7 * i) for i in range(300)]
    first = [BaseLoad(seed=1).power_w(t) for t in times]
    again = [BaseLoad(seed=1).power_w(t) for t in times]
    other = [BaseLoad(seed=2).power_w(t) for t in times]
    assert first == again
    assert sum(abs(a - b) for a, b in zip(first, other, strict=True)) > 0.1 * sum(first)
    assert all(power >= 0.0 for power in first + other)
    # Out of order or from a fresh object: the same value.
    load = BaseLoad(seed=1)
    assert [load.power_w(t) for t in reversed(times)] == list(reversed(first))


def test_base_load_integral_is_step_size_independent() -> None:
    load = BaseLoad(seed=7)
    start = _at(8, 8, 0.2)  # not aligned to the 30-min slots
    fine = sum(load.mean_power_w(start + timedelta(seconds=60 * i), 60.0) for i in range(1440)) / 1440
    coarse = sum(load.mean_power_w(start + timedelta(seconds=1800 * i), 1800.0) for i in range(48)) / 48
    whole = load.mean_power_w(start, 86400.0)
    assert coarse == pytest.approx(fine, rel=1e-9)
    assert whole == pytest.approx(fine, rel=1e-9)
    sampled = sum(load.power_w(start + timedelta(seconds=5 * i + 2.5)) for i in range(17280)) / 17280
    assert sampled == pytest.approx(fine, rel=1e-4)


def test_base_load_slot_mean_and_wiggle() -> None:
    load = BaseLoad(seed=3)
    slot_start = _at(5, 5, 19.5)
    mean = load.mean_power_w(slot_start, 1800.0)
    inside = [load.power_w(slot_start + timedelta(seconds=s)) for s in range(0, 1800, 30)]
    assert max(inside) > 1.05 * mean
    assert min(inside) < 0.95 * mean
    assert sum(inside) / len(inside) == pytest.approx(mean, rel=1e-9)


def test_base_load_annual_energy_and_shape() -> None:
    load = BaseLoad(seed=0)
    start = _at(1, 1)
    slots = [load.mean_power_w(start + timedelta(minutes=30 * i), 1800.0) for i in range(365 * 48)]
    annual_kwh = sum(slots) * 0.5 / 1000
    assert annual_kwh == pytest.approx(4500.0, rel=0.03)
    assert BaseLoad(seed=0, scale=2.0).mean_power_w(start, 86400.0) == pytest.approx(
        2 * load.mean_power_w(start, 86400.0)
    )
    # Evening above the small hours, on average over the year.
    evening = sum(slots[i] for i in range(len(slots)) if i % 48 in range(36, 42))
    small_hours = sum(slots[i] for i in range(len(slots)) if i % 48 in range(6, 12))
    assert evening > 2.0 * small_hours


def test_base_load_weekday_differs_from_day_off() -> None:
    load = BaseLoad(seed=0)
    monday, sunday = _at(6, 9), _at(6, 8)
    assert load.mean_profile_w(monday + timedelta(hours=10)) != load.mean_profile_w(sunday + timedelta(hours=10))


# --- appliances ------------------------------------------------------------------------------------------------------


def test_aircon_off_drifts_to_outdoor() -> None:
    aircon = AirConditioner(room_temp_c=20.0)
    assert aircon.step(3600.0 * 48, 30.0) == 0.0
    assert aircon.room_temp_c == pytest.approx(30.0, abs=0.01)


def test_aircon_cools_and_heats() -> None:
    cool = AirConditioner(on=True, mode="cool", target_c=26.0, room_temp_c=32.0)
    powers = [cool.step(300.0, 34.0) for _ in range(36)]
    assert all(300.0 <= power <= 1500.0 for power in powers)
    assert cool.room_temp_c == pytest.approx(26.0, abs=0.5)
    assert powers[0] > powers[-1]
    heat = AirConditioner(on=True, mode="heat", target_c=21.0, room_temp_c=10.0)
    powers = [heat.step(300.0, 2.0) for _ in range(36)]
    assert all(300.0 <= power <= 1500.0 for power in powers)
    assert heat.room_temp_c == pytest.approx(21.0, abs=0.5)
    auto = AirConditioner(on=True, mode="auto", target_c=22.0, room_temp_c=12.0)
    auto.step(3600.0 * 3, 5.0)
    assert auto.room_temp_c == pytest.approx(22.0, abs=0.5)
    fan = AirConditioner(on=True, mode="fan", room_temp_c=28.0)
    assert fan.step(600.0, 28.0) == pytest.approx(50.0)
    dry = AirConditioner(on=True, mode="dry", room_temp_c=30.0)
    assert 300.0 <= dry.step(600.0, 30.0) <= 600.0


def test_aircon_step_size_independent() -> None:
    fine = AirConditioner(on=True, mode="cool", room_temp_c=31.0)
    coarse = AirConditioner(on=True, mode="cool", room_temp_c=31.0)
    for _ in range(120):
        fine.step(60.0, 33.0)
    for _ in range(4):
        coarse.step(1800.0, 33.0)
    assert coarse.consumed_wh == pytest.approx(fine.consumed_wh, rel=0.05)
    assert coarse.room_temp_c == pytest.approx(fine.room_temp_c, abs=0.2)


def test_light_power() -> None:
    light = Light()
    assert light.power_w == 0.0
    light.on = True
    assert light.power_w == pytest.approx(60.0)
    light.level_percent = 25
    assert light.power_w == pytest.approx(15.0)


# --- calendar and climate --------------------------------------------------------------------------------------------


def test_national_holidays_2025() -> None:
    expected = {
        date(2025, 1, 1), date(2025, 1, 13), date(2025, 2, 11), date(2025, 2, 23), date(2025, 2, 24),
        date(2025, 3, 20), date(2025, 4, 29), date(2025, 5, 3), date(2025, 5, 4), date(2025, 5, 5),
        date(2025, 5, 6), date(2025, 7, 21), date(2025, 8, 11), date(2025, 9, 15), date(2025, 9, 23),
        date(2025, 10, 13), date(2025, 11, 3), date(2025, 11, 23), date(2025, 11, 24),
    }  # fmt: skip
    assert national_holidays(2025) == expected


def test_special_holidays() -> None:
    assert is_national_holiday(date(2026, 9, 22))  # 国民の休日 between 敬老の日 and 秋分の日
    assert is_national_holiday(date(2019, 4, 30))
    assert is_national_holiday(date(2019, 5, 2))
    assert is_national_holiday(date(2020, 7, 24))  # Olympic スポーツの日
    assert not is_national_holiday(date(2020, 10, 12))
    assert is_day_off(date(2025, 1, 2))  # New Year break
    assert is_day_off(date(2025, 6, 7))  # Saturday
    assert not is_day_off(date(2025, 6, 9))
    with pytest.raises(ValueError, match="2000"):
        national_holidays(1999)


def test_outdoor_temperature_seasons_and_days() -> None:
    assert outdoor_temp_c(_at(2, 1, 6)) < 4.0
    assert outdoor_temp_c(_at(8, 10, 14)) > 29.0
    assert outdoor_temp_c(_at(5, 1, 14)) > outdoor_temp_c(_at(5, 1, 5)) + 4.0
    # Continuous across midnight and month ends.
    assert abs(outdoor_temp_c(_at(1, 31, 23.99)) - outdoor_temp_c(_at(2, 1, 0.01))) < 0.3
    assert abs(outdoor_temp_c(_at(12, 31, 12)) - outdoor_temp_c(_at(1, 1, 12, year=2026))) < 0.3
