"""EcoCute: COP, control modes, draws, shortfall, energy shift and bookkeeping."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import pairwise

import pytest

from virtual_home.clock import JST
from virtual_home.physics import EcoCute, HeaterMode
from virtual_home.physics.water_heater import draw_pattern


def _at(month: int, day: int, hour: float = 0.0) -> datetime:
    return datetime(2025, month, day, tzinfo=JST) + timedelta(hours=hour)


def _run(heater: EcoCute, start: datetime, hours: float, step_s: float, ambient_c: float = 15.0) -> list[float]:
    return [
        heater.step(step_s, start + timedelta(seconds=i * step_s), ambient_c)
        for i in range(round(hours * 3600 / step_s))
    ]


def test_cop_curve() -> None:
    heater = EcoCute()
    assert heater.cop(0.0) == pytest.approx(2.6)
    assert heater.cop(7.0) == pytest.approx(3.2)
    assert heater.cop(16.0) == pytest.approx(4.2)
    assert heater.cop(25.0) == pytest.approx(5.0)
    assert heater.cop(11.5) == pytest.approx(3.7)
    temps = [t / 2 for t in range(-40, 81)]
    cops = [heater.cop(t) for t in temps]
    assert all(b >= a for a, b in pairwise(cops))
    assert min(cops) >= 1.5
    assert max(cops) <= 5.5
    assert EcoCute(cop_scale=0.9).cop(16.0) == pytest.approx(0.9 * 4.2)


def test_capacity_and_remaining() -> None:
    heater = EcoCute(heat_wh=1e9)
    assert heater.capacity_wh == pytest.approx(21_515.5, abs=1.0)
    assert heater.heat_wh == heater.capacity_wh
    assert heater.remaining_hot_water_l == pytest.approx(370.0)
    assert heater.hot_water_40c_l == pytest.approx(370.0 * 50 / 25)
    assert EcoCute().fill_fraction == pytest.approx(0.8)
    with pytest.raises(ValueError, match="shift_time_1"):
        EcoCute(shift_time_1=8)


def test_auto_heats_in_the_night_until_full() -> None:
    heater = EcoCute(heat_wh=8000.0)
    evening = _run(heater, _at(3, 3, 21), 2, 600.0)
    assert all(power == 0.0 for power in evening)  # 21-23 h: not yet
    night = _run(heater, _at(3, 3, 23), 8, 600.0)
    assert night[0] == pytest.approx(1200.0)
    assert heater.heat_wh == pytest.approx(heater.capacity_wh, rel=0.04)  # minus the loss and the 06-07 h draw
    assert night[-1] == 0.0  # full before 07:00
    assert heater.run is None
    assert not heater.heating
    day = _run(heater, _at(3, 4, 7), 16, 600.0)
    assert all(power == 0.0 for power in day)  # no daytime heating without permission


def test_night_heating_stops_at_seven() -> None:
    heater = EcoCute(heat_wh=0.0, heating_input_w=1000.0)
    powers = _run(heater, _at(1, 20, 23), 9, 900.0, ambient_c=-2.0)
    assert all(power == pytest.approx(1000.0) for power in powers[: 8 * 4])
    assert powers[8 * 4] == 0.0  # 07:00
    assert heater.heat_wh < heater.capacity_wh


def test_manual_heating_then_back_to_auto() -> None:
    heater = EcoCute(heat_wh=15_000.0, mode=HeaterMode.MANUAL_HEATING)
    start = _at(5, 7, 10)
    powers: list[float] = []
    while heater.mode is HeaterMode.MANUAL_HEATING:
        powers.append(heater.step(300.0, start + timedelta(seconds=300 * len(powers)), 20.0))
        assert len(powers) < 100
    assert powers[0] == pytest.approx(1200.0)
    assert 0.0 < powers[-1] < 1200.0  # full inside the last step: its mean power is lower
    assert heater.heat_wh == pytest.approx(heater.capacity_wh, rel=1e-3)
    assert not heater.heating
    after = _run(heater, start + timedelta(seconds=300 * len(powers)), 2, 300.0, 20.0)
    assert all(power == 0.0 for power in after)


def test_manual_stop_never_heats() -> None:
    heater = EcoCute(heat_wh=2000.0, mode=HeaterMode.MANUAL_STOP)
    assert all(power == 0.0 for power in _run(heater, _at(2, 10, 22), 10, 1800.0))
    assert heater.mode is HeaterMode.MANUAL_STOP
    heater.mode = HeaterMode.AUTO
    assert heater.step(1800.0, _at(2, 11, 23)) == pytest.approx(1200.0)


def test_draws_follow_the_official_schedule() -> None:
    heater = EcoCute(heat_wh=1e9, mode=HeaterMode.MANUAL_STOP, standing_loss_wh_per_day=0.0)
    start = _at(6, 4)  # a Wednesday
    day_number = int((start.timestamp() + 9 * 3600) // 86400)
    expected_l = sum(draw_pattern(day_number))
    assert expected_l in {350.0, 450.0, 550.0}  # a weekday class
    _run(heater, start, 24, 600.0)
    assert heater.drawn_l == pytest.approx(expected_l)
    inlet = heater.inlet_temp_on(start.timetuple().tm_yday)
    assert heater.delivered_wh == pytest.approx(expected_l * (40.0 - inlet) * 1.163)
    assert heater.capacity_wh - heater.heat_wh == pytest.approx(heater.delivered_wh)
    assert heater.shortfall_l == 0.0


def test_day_off_and_annual_draw_volumes() -> None:
    totals = []
    saturday = int((_at(6, 7).timestamp() + 9 * 3600) // 86400)
    assert sum(draw_pattern(saturday)) in {250.0, 550.0, 650.0}
    first = int((_at(1, 1).timestamp() + 9 * 3600) // 86400)
    totals = [sum(draw_pattern(first + i)) for i in range(365)]
    assert sum(totals) / 365 == pytest.approx(450.0, rel=0.03)
    assert min(totals) == 250.0
    assert max(totals) == 650.0


def test_shortfall_when_empty() -> None:
    heater = EcoCute(heat_wh=0.0, mode=HeaterMode.MANUAL_STOP)
    _run(heater, _at(6, 4, 18), 4, 1800.0)  # evening bath and showers
    assert heater.drawn_l == 0.0
    assert heater.shortfall_l > 150.0
    assert heater.heat_wh == 0.0
    # Heating while empty serves part of the draw directly.
    heated = EcoCute(heat_wh=0.0, mode=HeaterMode.MANUAL_HEATING, heating_input_w=600.0)
    _run(heated, _at(6, 4, 18), 4, 1800.0, ambient_c=15.0)
    assert 0.0 < heated.shortfall_l < heater.shortfall_l
    assert heated.drawn_l > 0.0


def test_daytime_reheat_only_when_permitted() -> None:
    blocked = EcoCute(heat_wh=2000.0)
    assert all(power == 0.0 for power in _run(blocked, _at(4, 8, 9), 8, 1800.0))
    allowed = EcoCute(heat_wh=2000.0, daytime_reheat_permitted=True)
    powers = _run(allowed, _at(4, 8, 9), 8, 1800.0)
    assert powers[0] == pytest.approx(1200.0)
    assert allowed.fill_fraction == pytest.approx(0.5, abs=0.05)  # reheats to half, not full
    assert powers[-1] == 0.0
    assert allowed.shortfall_l == 0.0


def test_energy_shift_heats_from_the_shift_hour() -> None:
    heater = EcoCute(heat_wh=0.0, energy_shift_participation=True, shift_time_1=10)
    night = _run(heater, _at(4, 8, 23), 8, 1800.0)
    assert night[0] == pytest.approx(1200.0)
    assert heater.fill_fraction == pytest.approx(0.5, abs=0.04)  # the night heating is cut to half
    morning = _run(heater, _at(4, 9, 7), 3, 1800.0)
    assert all(power == 0.0 for power in morning)  # 07-10 h
    day = _run(heater, _at(4, 9, 10), 7, 1800.0)
    assert day[0] == pytest.approx(1200.0)
    assert max(heater.heat_wh, 0.0) == pytest.approx(heater.capacity_wh, rel=0.03)
    assert day[-1] == 0.0
    # Only once a day: draws after the shift run do not restart it.
    assert all(power == 0.0 for power in _run(heater, _at(4, 9, 17), 6, 1800.0))


def test_energy_shift_needs_participation() -> None:
    heater = EcoCute(heat_wh=10_000.0, shift_time_1=10)
    assert all(power == 0.0 for power in _run(heater, _at(4, 9, 9), 4, 1800.0))


def test_bookkeeping_is_consistent() -> None:
    heater = EcoCute(heat_wh=5000.0, daytime_reheat_permitted=True)
    start_heat = heater.heat_wh
    powers = _run(heater, _at(1, 6), 72, 900.0, ambient_c=3.0)
    assert heater.consumed_wh == pytest.approx(sum(powers) * 0.25)
    assert heater.heat_output_wh == pytest.approx(heater.consumed_wh * heater.cop(3.0))
    balance = start_heat + heater.heat_output_wh - heater.loss_wh - heater.delivered_wh
    assert heater.heat_wh == pytest.approx(balance, abs=1e-6)
    assert 0.0 <= heater.heat_wh <= heater.capacity_wh
    assert heater.loss_wh == pytest.approx(3 * 1500.0, rel=0.5)


def test_standing_loss_about_one_and_a_half_kwh_per_day() -> None:
    heater = EcoCute(heat_wh=1e9, mode=HeaterMode.MANUAL_STOP, draw_scale=0.0)
    _run(heater, _at(5, 1), 24, 3600.0)
    # Proportional to the content: 21.5 kWh × (1 − exp(−1.5/21.5)) ≈ 1.45 kWh from a full tank.
    assert heater.capacity_wh - heater.heat_wh == pytest.approx(1450.0, rel=0.01)
    assert heater.delivered_wh == 0.0


@pytest.mark.parametrize(("month", "ambient_c", "low", "high"), [(1, 4.0, 4.5, 7.0), (8, 26.0, 1.5, 3.5)])
def test_daily_electricity_in_range(month: int, ambient_c: float, low: float, high: float) -> None:
    heater = EcoCute(daytime_reheat_permitted=True)
    _run(heater, _at(month, 1), 24 * 7, 1800.0, ambient_c)
    per_day_kwh = heater.consumed_wh / 7 / 1000
    assert low < per_day_kwh < high
    assert heater.shortfall_l == 0.0


def test_step_size_independence() -> None:
    fine = EcoCute(heat_wh=6000.0, daytime_reheat_permitted=True)
    coarse = EcoCute(heat_wh=6000.0, daytime_reheat_permitted=True)
    _run(fine, _at(2, 3, 0), 48, 60.0, ambient_c=5.0)
    _run(coarse, _at(2, 3, 0), 48, 1800.0, ambient_c=5.0)
    assert coarse.consumed_wh == pytest.approx(fine.consumed_wh, rel=0.02)
    assert coarse.delivered_wh == pytest.approx(fine.delivered_wh, rel=0.01)
    assert coarse.heat_wh == pytest.approx(fine.heat_wh, abs=0.03 * fine.capacity_wh)
    assert coarse.shortfall_l == pytest.approx(fine.shortfall_l, abs=1.0)
