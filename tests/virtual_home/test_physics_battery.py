"""Home battery: modes, limits, efficiency and counters."""

from __future__ import annotations

import pytest

from virtual_home.physics import Battery, BatteryMode


def test_auto_charges_from_surplus_and_covers_deficit() -> None:
    battery = Battery()
    assert battery.step(60.0, 1200.0) == pytest.approx(1200.0)
    assert battery.step(60.0, 5000.0) == pytest.approx(3000.0)  # max charge
    assert battery.step(60.0, -800.0) == pytest.approx(-800.0)
    assert battery.step(60.0, -9000.0) == pytest.approx(-3000.0)  # max discharge
    assert battery.step(60.0, 0.0) == 0.0
    assert battery.power_w == 0.0


def test_efficiency_applies_each_way() -> None:
    battery = Battery(soc_wh=5000.0)
    battery.step(3600.0, 1000.0)
    assert battery.soc_wh == pytest.approx(5000.0 + 950.0)
    battery.step(3600.0, -950.0)
    assert battery.soc_wh == pytest.approx(5950.0 - 1000.0)


def test_no_overshoot_past_full() -> None:
    battery = Battery(soc_wh=9700.0)
    power = battery.step(1800.0, 3000.0)
    assert battery.soc_wh == pytest.approx(battery.capacity_wh)
    assert battery.soc_percent == pytest.approx(100.0)
    expected_ac_wh = 100.0 / 0.95
    assert battery.charged_wh == pytest.approx(expected_ac_wh)
    assert power == pytest.approx(expected_ac_wh / 0.5)  # the mean power of the step
    assert battery.step(1800.0, 3000.0) == 0.0


def test_no_discharge_below_reserve() -> None:
    battery = Battery(soc_wh=1000.0)  # reserve is 980 Wh
    power = battery.step(1800.0, -3000.0)
    assert battery.soc_wh == pytest.approx(battery.reserve_wh)
    assert battery.discharged_wh == pytest.approx(20.0 * 0.95)
    assert power == pytest.approx(-20.0 * 0.95 / 0.5)
    assert battery.step(1800.0, -3000.0) == 0.0
    assert battery.soc_wh == pytest.approx(980.0)


def test_charge_mode_uses_the_grid() -> None:
    battery = Battery(mode=BatteryMode.CHARGE)
    assert battery.step(60.0, -2000.0) == pytest.approx(3000.0)  # the house is importing: charge anyway
    battery.charge_power_setting_w = 1500.0
    assert battery.step(60.0, 0.0) == pytest.approx(1500.0)
    battery.charge_power_setting_w = 99_999.0
    assert battery.step(60.0, 0.0) == pytest.approx(3000.0)  # clamped to the maximum


def test_discharge_mode_never_exports() -> None:
    battery = Battery(mode=BatteryMode.DISCHARGE)
    assert battery.step(60.0, 500.0) == 0.0  # surplus: nothing to cover
    assert battery.step(60.0, -700.0) == pytest.approx(-700.0)
    battery.discharge_power_setting_w = 400.0
    assert battery.step(60.0, -700.0) == pytest.approx(-400.0)
    assert battery.step(60.0, -300.0) == pytest.approx(-300.0)


def test_standby_does_nothing() -> None:
    battery = Battery(mode=BatteryMode.STANDBY)
    soc = battery.soc_wh
    assert battery.step(3600.0, 4000.0) == 0.0
    assert battery.step(3600.0, -4000.0) == 0.0
    assert battery.soc_wh == soc


def test_counters_match_state_of_charge() -> None:
    battery = Battery(soc_wh=3000.0)
    start = battery.soc_wh
    pattern = [(600.0, 2500.0), (900.0, -1200.0), (3600.0, 4000.0), (1800.0, -3500.0), (7200.0, 3000.0)]
    for _ in range(5):
        for seconds, surplus in pattern:
            battery.step(seconds, surplus)
        battery.mode = BatteryMode.CHARGE if battery.mode is BatteryMode.AUTO else BatteryMode.AUTO
    delta = battery.charged_wh * battery.efficiency - battery.discharged_wh / battery.efficiency
    assert battery.soc_wh - start == pytest.approx(delta)
    assert battery.reserve_wh <= battery.soc_wh <= battery.capacity_wh
    assert battery.charged_wh > 0.0
    assert battery.discharged_wh > 0.0


def test_invalid_parameters() -> None:
    with pytest.raises(ValueError, match="efficiency"):
        Battery(efficiency=1.5)
    with pytest.raises(ValueError, match="reserve"):
        Battery(reserve_fraction=1.0)
    with pytest.raises(ValueError, match="positive"):
        Battery().step(0.0, 100.0)
