"""EV and charger: presence, commands, V2H, limits and counters."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from virtual_home.clock import JST
from virtual_home.physics import ChargerMode, EVCar, EVCharger


def _at(day: int, hour: float) -> datetime:
    return datetime(2025, 6, day, tzinfo=JST) + timedelta(hours=hour)  # 2025-06-02 is a Monday


def _run(charger: EVCharger, start: datetime, hours: float, step_s: float, surplus_w: float = 0.0) -> list[float]:
    powers = []
    for i in range(round(hours * 3600 / step_s)):
        powers.append(charger.step(step_s, start + timedelta(seconds=i * step_s), surplus_w))
    return powers


def _plugged(charger: EVCharger) -> bool:
    return charger.car_connected


def test_connected_follows_the_routine() -> None:
    car = EVCar()
    assert car.connected(_at(2, 7.5))
    assert not car.connected(_at(2, 8.0))
    assert not car.connected(_at(2, 17.9))
    assert car.connected(_at(2, 18.0))
    commuter = EVCar(workdays_only=True)
    assert not commuter.connected(_at(2, 12))  # Monday
    assert commuter.connected(_at(7, 12))  # Saturday
    with pytest.raises(ValueError, match="same day"):
        EVCar(depart_hour=20.0, arrive_hour=6.0)


def test_charges_only_when_connected_and_commanded() -> None:
    charger = EVCharger(car=EVCar(soc_wh=5000.0), mode=ChargerMode.CHARGE)
    powers = _run(charger, _at(2, 0), 24, 60.0)
    assert all(power == 0.0 for power in powers[8 * 60 : 18 * 60])  # away
    assert all(power == pytest.approx(6000.0) for power in powers[: 6 * 60])
    assert charger.car.last_departure_soc_wh == pytest.approx(charger.car.battery_wh)  # full when it left
    assert all(power == pytest.approx(6000.0) for power in powers[18 * 60 : 19 * 60])  # the trip is refilled
    assert not EVCharger(car=EVCar(soc_wh=5000.0)).step(3600.0, _at(2, 1), 10_000.0)  # STANDBY
    idle = EVCharger(car=EVCar(soc_wh=5000.0), mode=ChargerMode.IDLE)
    assert idle.step(3600.0, _at(2, 1), 10_000.0) == 0.0


def test_trip_is_taken_on_arrival() -> None:
    car = EVCar(soc_wh=30_000.0)
    charger = EVCharger(car=car)
    _run(charger, _at(2, 0), 12, 1800.0)
    assert car.departures == 1
    assert car.last_departure_soc_wh == pytest.approx(30_000.0)
    assert car.soc_wh == pytest.approx(30_000.0)  # the trip is not yet accounted
    assert not _plugged(charger)
    _run(charger, _at(2, 12), 12, 1800.0)
    assert car.soc_wh == pytest.approx(24_000.0)
    assert _plugged(charger)
    low = EVCar(soc_wh=2000.0)
    _run(EVCharger(car=low), _at(2, 0), 24, 3600.0)
    assert low.soc_wh == 0.0
    assert low.trip_shortfall_wh == pytest.approx(4000.0)


def test_departure_mid_step_is_respected() -> None:
    charger = EVCharger(car=EVCar(soc_wh=5000.0), mode=ChargerMode.CHARGE)
    power = charger.step(3600.0, _at(2, 7.5), 0.0)  # 30 min at home, 30 min away
    assert power == pytest.approx(3000.0)
    assert charger.charged_wh == pytest.approx(3000.0)


def test_stops_when_full() -> None:
    car = EVCar(soc_wh=39_000.0)
    charger = EVCharger(car=car, mode=ChargerMode.CHARGE, efficiency=0.9)
    power = charger.step(3600.0, _at(2, 20), 0.0)
    assert car.soc_wh == pytest.approx(40_000.0)
    assert charger.charged_wh == pytest.approx(1000.0 / 0.9)
    assert power == pytest.approx(1000.0 / 0.9)
    assert charger.step(3600.0, _at(2, 21), 0.0) == 0.0


def test_power_setting_is_clamped() -> None:
    charger = EVCharger(car=EVCar(soc_wh=5000.0), mode=ChargerMode.CHARGE, power_setting_w=3000.0)
    assert charger.step(60.0, _at(2, 20), 0.0) == pytest.approx(3000.0)
    charger.power_setting_w = 500.0
    assert charger.step(60.0, _at(2, 20), 0.0) == pytest.approx(1400.0)
    charger.power_setting_w = 50_000.0
    assert charger.step(60.0, _at(2, 20), 0.0) == pytest.approx(6000.0)
    on_off = EVCharger(car=EVCar(soc_wh=5000.0), mode=ChargerMode.CHARGE, power_setting_w=2000.0, modulating=False)
    assert on_off.step(60.0, _at(2, 20), 0.0) == pytest.approx(6000.0)


def test_auto_follows_surplus() -> None:
    charger = EVCharger(car=EVCar(soc_wh=5000.0), mode=ChargerMode.AUTO)
    when = _at(7, 12)  # Saturday noon; the car is away on every day by default
    assert charger.step(60.0, when, 3000.0) == 0.0
    when = _at(2, 19)
    assert charger.step(60.0, when, 3000.0) == pytest.approx(3000.0)
    assert charger.step(60.0, when, 1000.0) == 0.0  # below the minimum current
    assert charger.step(60.0, when, 9000.0) == pytest.approx(6000.0)
    assert charger.step(60.0, when, -2000.0) == 0.0  # AUTO never discharges
    on_off = EVCharger(car=EVCar(soc_wh=5000.0), mode=ChargerMode.AUTO, modulating=False)
    assert on_off.step(60.0, when, 5000.0) == 0.0
    assert on_off.step(60.0, when, 6500.0) == pytest.approx(6000.0)


def test_v2h_discharge_only_if_bidirectional_and_never_exports() -> None:
    plain = EVCharger(car=EVCar(), mode=ChargerMode.DISCHARGE)
    assert plain.step(60.0, _at(2, 20), -2000.0) == 0.0
    v2h = EVCharger(car=EVCar(), mode=ChargerMode.DISCHARGE, bidirectional=True)
    assert v2h.step(60.0, _at(2, 20), -2000.0) == pytest.approx(-2000.0)
    assert v2h.step(60.0, _at(2, 20), 500.0) == 0.0
    assert v2h.step(60.0, _at(2, 20), -9000.0) == pytest.approx(-6000.0)
    v2h.power_setting_w = 1000.0
    assert v2h.step(60.0, _at(2, 20), -2000.0) == pytest.approx(-1000.0)
    assert v2h.step(60.0, _at(2, 12), -2000.0) == 0.0  # the car is out


def test_v2h_stops_at_the_floor() -> None:
    car = EVCar(soc_wh=12_100.0)  # floor 30 % = 12,000 Wh
    v2h = EVCharger(car=car, mode=ChargerMode.DISCHARGE, bidirectional=True, efficiency=0.9)
    power = v2h.step(3600.0, _at(2, 19), -3000.0)
    assert car.soc_wh == pytest.approx(12_000.0)
    assert v2h.discharged_wh == pytest.approx(90.0)
    assert power == pytest.approx(-90.0)


def test_counters_match_state_of_charge() -> None:
    car = EVCar(soc_wh=15_000.0)
    charger = EVCharger(car=car, bidirectional=True)
    start = car.soc_wh
    now = _at(2, 0)
    for i in range(3 * 48):
        charger.mode = [ChargerMode.CHARGE, ChargerMode.DISCHARGE, ChargerMode.AUTO, ChargerMode.STANDBY][i % 4]
        charger.step(1800.0, now, [2500.0, -1500.0, 4000.0, -500.0][i % 4])
        now += timedelta(minutes=30)
    trips = car.trip_wh * 3 - car.trip_shortfall_wh
    delta = charger.charged_wh * charger.efficiency - charger.discharged_wh / charger.efficiency - trips
    assert car.soc_wh - start == pytest.approx(delta)
    assert charger.charged_wh > 0.0
    assert charger.discharged_wh > 0.0
    assert car.departures == 3


def test_step_size_independence() -> None:
    fine = EVCharger(car=EVCar(soc_wh=10_000.0), mode=ChargerMode.CHARGE, power_setting_w=3000.0)
    coarse = EVCharger(car=EVCar(soc_wh=10_000.0), mode=ChargerMode.CHARGE, power_setting_w=3000.0)
    _run(fine, _at(2, 0), 48, 60.0)
    _run(coarse, _at(2, 0), 48, 1800.0)
    assert coarse.charged_wh == pytest.approx(fine.charged_wh, rel=1e-6)
    assert coarse.car.soc_wh == pytest.approx(fine.car.soc_wh, rel=1e-6)
