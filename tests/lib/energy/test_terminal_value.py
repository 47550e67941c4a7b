"""The value of energy left at the end of the horizon: what it will replace after the horizon (PV surplus at the
sell price, or a purchase at the cheapest buy price, whichever is lower), per store."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import numpy as np
import pytest

from custom_components.echonet_hems.lib.energy import (
    NEWFIT_24,
    TEPCO_SMART_LIFE_S,
    HomeDevices,
    PlanInputs,
    PlannerSettings,
    PlanState,
    make_plan,
)
from custom_components.echonet_hems.lib.energy.planner import surplus_share_after_horizon, terminal_values
from custom_components.echonet_hems.lib.energy.tariff import JST

START = datetime(2025, 7, 12, 21, 0, tzinfo=JST)  # a Saturday evening
N = 96
HOURS = [((21 + i * 0.5) % 24) for i in range(N)]
SUNNY = tuple(max(0.0, 4.5 * np.sin((h - 6) / 12 * np.pi)) for h in HOURS)
DARK = (0.0,) * N
DEVICES = HomeDevices()
SETTINGS = PlannerSettings(surplus_terminal_value=True)


def inputs(pv: tuple[float, ...] = SUNNY, **changes: object) -> PlanInputs:
    base = PlanInputs(
        start=START,
        pv_kw=pv,
        load_kw=(0.4,) * N,
        ambient_c=(25.0,) * N,
        hot_water_kwh_th=(0.2,) * N,  # 9.6 kWh_th a day
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def old_values(min_buy: float, cop: float) -> tuple[float, float, float]:
    """The cheapest-buy-price value every plan used before (and a plan without surplus still uses)."""
    factor = SETTINGS.terminal_value_factor
    battery, ev = DEVICES.battery, DEVICES.ev
    assert battery is not None
    assert ev is not None
    return (min_buy * battery.efficiency * factor, min_buy / cop * factor, min_buy * ev.efficiency * factor)


def test_no_surplus_after_the_horizon_keeps_the_cheapest_buy_price() -> None:
    values = terminal_values(inputs(DARK), DEVICES, 31.0, 8.5, 3.0, SETTINGS)
    assert surplus_share_after_horizon(inputs(DARK), DEVICES, 3.0) == 0.0
    assert values == pytest.approx(old_values(31.0, 3.0))


def test_surplus_every_day_values_left_energy_at_the_sell_price() -> None:
    # The horizon's last day has ~25 kWh of surplus; the stores take 5.85 (battery) + 3.2 (tank at COP 3) a day.
    share = surplus_share_after_horizon(inputs(), DEVICES, 3.0)
    assert share == 1.0
    assert terminal_values(inputs(), DEVICES, 31.0, 8.5, 3.0, SETTINGS) == pytest.approx(old_values(8.5, 3.0))


def test_partial_surplus_blends_the_two_prices() -> None:
    surplus = 0.5 * (6.5 * 0.9 + 9.6 / 3.0)  # half the stores' daily refill
    share = surplus_share_after_horizon(inputs(surplus_after_kwh=surplus), DEVICES, 3.0)
    assert share == pytest.approx(0.5)
    values = terminal_values(inputs(surplus_after_kwh=surplus), DEVICES, 31.0, 8.5, 3.0, SETTINGS)
    assert values == pytest.approx(old_values(31.0 - 0.5 * (31.0 - 8.5), 3.0))


def test_a_forecast_beyond_the_horizon_overrides_the_persistence() -> None:
    assert surplus_share_after_horizon(inputs(surplus_after_kwh=0.0), DEVICES, 3.0) == 0.0
    assert surplus_share_after_horizon(inputs(DARK, surplus_after_kwh=100.0), DEVICES, 3.0) == 1.0


def test_selling_above_the_buy_price_keeps_the_buy_price_as_the_bound() -> None:
    values = terminal_values(inputs(), DEVICES, 19.0, 24.0, 3.0, SETTINGS)
    assert values == pytest.approx(old_values(19.0, 3.0))


def test_a_sunny_july_plan_does_not_stock_the_car_with_surplus_it_could_sell() -> None:
    # The car stays home (no trips): with surplus in the horizon's last day the energy left in the car replaces
    # surplus, worth less than selling it now, so the plan exports instead of filling the car. The old value
    # (0.9 x the cheapest buy price, ~26 yen/kWh) filled the car from surplus.
    state = PlanState(battery_kwh=6.0, tank_kwh_th=12.0, ev_kwh=20.0)
    plan = make_plan(inputs(), DEVICES, TEPCO_SMART_LIFE_S, state, START, settings=SETTINGS)
    ev_kwh = sum(s.ev_kw for s in plan.slots) * 0.5
    assert ev_kwh < 1.0
    dark_tail = inputs(surplus_after_kwh=0.0)
    stocked = make_plan(dark_tail, DEVICES, TEPCO_SMART_LIFE_S, state, START, settings=SETTINGS)
    assert sum(s.ev_kw for s in stocked.slots) * 0.5 > 5.0


def test_newfit_plan_unchanged_by_the_surplus() -> None:
    state = PlanState(battery_kwh=3.0, tank_kwh_th=8.0, ev_kwh=20.0)
    sunny = make_plan(inputs(), DEVICES, NEWFIT_24, state, START, settings=SETTINGS)
    told_dark = make_plan(inputs(surplus_after_kwh=0.0), DEVICES, NEWFIT_24, state, START, settings=SETTINGS)
    assert [s.ev_kw for s in sunny.slots] == pytest.approx([s.ev_kw for s in told_dark.slots], abs=1e-6)


def test_off_by_default_the_cheapest_buy_price_stays() -> None:
    values = terminal_values(inputs(), DEVICES, 31.0, 8.5, 3.0, PlannerSettings())
    assert values == pytest.approx(old_values(31.0, 3.0))
