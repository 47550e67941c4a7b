"""The house balance: power and energy formulas in both contract modes, the daily accumulator, generation status."""

from __future__ import annotations

from datetime import datetime

import pytest

from custom_components.echonet_hems.lib.energy.balance import (
    JST,
    ContractMode,
    DailyBalance,
    EnergyCounters,
    GenerationStatus,
    PowerReadings,
    generation_status,
    house_energy_kwh,
    house_power_w,
)

SURPLUS, FULL = ContractMode.SURPLUS, ContractMode.FULL


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=JST)


@pytest.mark.parametrize(
    ("readings", "mode", "house"),
    [
        # PV 3 kW, selling 1 kW: the house uses 2 kW.
        (PowerReadings(grid_w=-1000.0, pv_w=3000.0), SURPLUS, 2000.0),
        # Battery charging 500 W from PV is not consumption.
        (PowerReadings(grid_w=-500.0, pv_w=3000.0, battery_w=500.0), SURPLUS, 2000.0),
        # Battery discharging 800 W at night is a source.
        (PowerReadings(grid_w=200.0, battery_w=-800.0), SURPLUS, 1000.0),
        # Fuel cell 700 W + import 300 W.
        (PowerReadings(grid_w=300.0, fuel_cell_w=700.0), SURPLUS, 1000.0),
        # Car charging 3 kW is house consumption.
        (PowerReadings(grid_w=3500.0, v2h_w=3000.0), SURPLUS, 3500.0),
        # Car supplying 2 kW (V2H) is a source like the battery.
        (PowerReadings(grid_w=100.0, v2h_w=-2000.0), SURPLUS, 2100.0),
        # Full purchase: PV goes to its own meter; only import, fuel cell and battery count.
        (PowerReadings(grid_w=900.0, pv_w=3000.0, fuel_cell_w=500.0, battery_w=-600.0), FULL, 2000.0),
        # No smart meter: the distribution board's main stands in.
        (PowerReadings(grid_w=None, board_w=-1000.0, pv_w=2500.0), SURPLUS, 1500.0),
    ],
)
def test_house_power(readings: PowerReadings, mode: ContractMode, house: float) -> None:
    assert house_power_w(readings, mode) == pytest.approx(house)


@pytest.mark.parametrize(
    ("readings", "mode"),
    [
        (PowerReadings(grid_w=None, board_w=None, pv_w=100.0), SURPLUS),
        (PowerReadings(grid_w=100.0, pv_w=None), SURPLUS),
        (PowerReadings(grid_w=100.0, battery_w=None), FULL),
        (PowerReadings(grid_w=100.0, v2h_w=None), SURPLUS),
        (PowerReadings(grid_w=100.0, fuel_cell_w=None), FULL),
    ],
)
def test_house_power_unknown_is_none_never_zero(readings: PowerReadings, mode: ContractMode) -> None:
    assert house_power_w(readings, mode) is None


def test_full_purchase_does_not_need_pv() -> None:
    assert house_power_w(PowerReadings(grid_w=400.0, pv_w=None), FULL) == 400.0


@pytest.mark.parametrize(
    ("pv", "fuel_cell", "status"),
    [
        (1200.0, 0.0, GenerationStatus.SOLAR),
        (1200.0, 700.0, GenerationStatus.SOLAR),
        (1200.0, None, GenerationStatus.SOLAR),
        (10.0, 700.0, GenerationStatus.EXTERNAL),
        (0.0, 0.0, GenerationStatus.NONE),
        (29.9, 29.9, GenerationStatus.NONE),
        (30.0, 0.0, GenerationStatus.SOLAR),
        (None, 700.0, None),
        (0.0, None, None),
    ],
)
def test_generation_status(pv: float | None, fuel_cell: float | None, status: GenerationStatus | None) -> None:
    assert generation_status(pv, fuel_cell) == status


def test_house_energy_both_modes() -> None:
    counters = EnergyCounters(
        bought=10.0, sold=4.0, pv=12.0, fuel_cell=3.0, battery_charged=5.0, battery_discharged=4.5, v2h_discharged=2.0
    )
    # 10 − 4 + 12 + 3 − 5 + 4.5 + 2
    assert house_energy_kwh(counters, SURPLUS) == pytest.approx(22.5)
    # PV does not count in full purchase: 10 − 4 + 3 − 5 + 4.5 + 2
    assert house_energy_kwh(counters, FULL) == pytest.approx(10.5)
    assert house_energy_kwh(EnergyCounters(bought=None), SURPLUS) is None


def snapshot(bought: float, sold: float, pv: float) -> EnergyCounters:
    return EnergyCounters(bought=bought, sold=sold, pv=pv)


def test_daily_balance_hand_made_day() -> None:
    # Night: 3 kWh bought. Day: PV 10 kWh, of which 6 sold; 1 kWh bought at dusk.
    day = DailyBalance()
    day = day.add(at("2025-06-02 00:10"), snapshot(100.0, 50.0, 200.0))
    day = day.add(at("2025-06-02 06:00"), snapshot(103.0, 50.0, 200.0))
    day = day.add(at("2025-06-02 16:00"), snapshot(103.0, 56.0, 210.0))
    day = day.add(at("2025-06-02 23:00"), snapshot(104.0, 56.0, 210.0))
    assert day.bought_kwh == pytest.approx(4.0)
    assert day.sold_kwh == pytest.approx(6.0)
    assert day.generated_kwh == pytest.approx(10.0)
    assert day.house_kwh == pytest.approx(4.0 - 6.0 + 10.0)  # 8
    assert day.self_consumption_pct == pytest.approx(40.0)  # 4 of 10 generated kWh stayed home
    assert day.self_sufficiency_pct == pytest.approx(50.0)  # 4 of 8 house kWh came from own generation


def test_daily_balance_full_purchase_counts_pv_as_sold() -> None:
    day = DailyBalance(mode=FULL)
    day = day.add(at("2025-06-02 06:00"), snapshot(100.0, 0.0, 200.0))
    day = day.add(at("2025-06-02 18:00"), snapshot(108.0, 0.0, 215.0))
    assert day.house_kwh == pytest.approx(8.0)
    assert day.sold_kwh == pytest.approx(15.0)
    assert day.self_consumption_pct == pytest.approx(0.0)
    assert day.self_sufficiency_pct == pytest.approx(0.0)


def test_counter_wrap_starts_a_new_base() -> None:
    day = DailyBalance()
    day = day.add(at("2025-06-02 10:00"), snapshot(99_999.0, 0.0, 0.0))
    day = day.add(at("2025-06-02 10:30"), snapshot(99_999.5, 0.0, 0.0))
    day = day.add(at("2025-06-02 11:00"), snapshot(0.2, 0.0, 0.0))  # the meter wrapped: no negative step
    assert day.bought_kwh == pytest.approx(0.5)
    day = day.add(at("2025-06-02 11:30"), snapshot(0.9, 0.0, 0.0))  # counts on from the new base
    assert day.bought_kwh == pytest.approx(1.2)


def test_unknown_counter_keeps_its_base() -> None:
    day = DailyBalance()
    day = day.add(at("2025-06-02 10:00"), snapshot(10.0, 0.0, 5.0))
    day = day.add(at("2025-06-02 10:30"), EnergyCounters(bought=None, sold=0.0, pv=6.0))
    day = day.add(at("2025-06-02 11:00"), snapshot(11.0, 0.0, 7.0))
    assert day.bought_kwh == pytest.approx(1.0)
    assert day.generated_kwh == pytest.approx(2.0)


def test_reset_at_jst_midnight() -> None:
    day = DailyBalance()
    day = day.add(at("2025-06-02 23:00"), snapshot(10.0, 0.0, 0.0))
    day = day.add(at("2025-06-03 00:00"), snapshot(11.0, 0.0, 0.0))  # closes the 2nd: the step counts for it
    assert day.bought_kwh == 0.0
    assert day.day == at("2025-06-03 00:00").date()
    day = day.add(at("2025-06-03 00:30"), snapshot(11.5, 0.0, 0.0))
    assert day.bought_kwh == pytest.approx(0.5)
    # Without a snapshot, the clock alone rolls the day over (UTC 15:00 is JST midnight).
    rolled = day.rolled(datetime.fromisoformat("2025-06-03T15:00:00+00:00"))
    assert rolled.bought_kwh == 0.0
    assert day.rolled(at("2025-06-03 23:59")) is day


def test_step_before_midnight_counts_for_the_old_day() -> None:
    day = DailyBalance().add(at("2025-06-02 23:30"), snapshot(10.0, 0.0, 0.0))
    before = day.add(at("2025-06-02 23:59:59"), snapshot(12.0, 0.0, 0.0))
    assert before.bought_kwh == pytest.approx(2.0)


def test_percentages_none_without_energy() -> None:
    day = DailyBalance().add(at("2025-06-02 01:00"), snapshot(1.0, 0.0, 0.0))
    assert day.self_consumption_pct is None
    assert day.self_sufficiency_pct is None
