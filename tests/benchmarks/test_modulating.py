"""(d)'s execution of devices with and without a power setting (issue 14): a modulating EV charger runs at the
planned power within its min-max, an on/off one at full power; a battery without a power setting is never given
one."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import pytest

from benchmarks.planner.forecasts import ForecastService
from benchmarks.planner.scenario import ScenarioSpec, build_scenario, default_devices
from benchmarks.planner.simulate import run_strategy
from benchmarks.planner.strategies import Context, PlannerStrategy, Strategy
from custom_components.echonet_hems.lib.energy import SlotPlan
from custom_components.echonet_hems.lib.energy.planner import Reason
from custom_components.echonet_hems.lib.energy.tariff import JST
from virtual_home.physics import Battery, BatteryMode, ChargerMode, EVCar, EVCharger, Home, HomeSnapshot


def plan_slot(*, battery: float = 0.0, ev: float = 0.0, grid: float = 0.0) -> SlotPlan:
    return SlotPlan(
        start=datetime(2025, 5, 13, 10, 0, tzinfo=JST),
        heat_kw=0.0,
        battery_kw=battery,
        ev_kw=ev,
        grid_kw=grid,
        pv_kw=0.0,
        load_kw=0.0,
        buy_price=20.0,
        sell_price=8.0,
        tank_kwh_th=0.0,
        battery_kwh=3.0,
        ev_kwh=20.0,
        heat_reason=Reason.HEAT_OFF_TANK_SUFFICIENT,
        battery_reason=Reason.BATTERY_HOLD,
        ev_reason=Reason.EV_CHARGE_PV_SURPLUS,
    )


def strategy_not_late() -> PlannerStrategy:
    """A (d) whose departure safety never fires: only the plan decides."""
    strategy = PlannerStrategy.__new__(PlannerStrategy)
    strategy._ev_late = lambda k, charger: False  # type: ignore[method-assign]
    return strategy


@pytest.mark.parametrize(
    ("modulating", "planned_kw", "mode", "setting_w"),
    [
        (True, 2.2, ChargerMode.CHARGE, 2200.0),  # at the planned power
        (True, 1.0, ChargerMode.CHARGE, 1400.0),  # at least its minimum
        (True, 0.5, ChargerMode.STANDBY, 1400.0),  # below half the minimum: off
        (True, 0.0, ChargerMode.STANDBY, 1400.0),
        (False, 2.2, ChargerMode.CHARGE, None),  # on/off: full power, no setting
        (False, 1.0, ChargerMode.STANDBY, None),
    ],
)
def test_the_ev_runs_at_the_planned_power_where_it_can(
    modulating: bool, planned_kw: float, mode: ChargerMode, setting_w: float | None
) -> None:
    charger = EVCharger(car=EVCar(), max_power_w=3000.0, min_power_w=1400.0, modulating=modulating)
    strategy_not_late()._ev(0, plan_slot(ev=planned_kw), charger)
    assert charger.mode is mode
    assert charger.power_setting_w == setting_w


@pytest.mark.parametrize(
    ("power_setting", "plan", "mode", "charge_w", "discharge_w"),
    [
        (True, plan_slot(battery=0.6, grid=1.0), BatteryMode.CHARGE, 600.0, None),
        (True, plan_slot(battery=-0.6, grid=0.4), BatteryMode.DISCHARGE, None, 600.0),
        (False, plan_slot(battery=0.6, grid=1.0), BatteryMode.STANDBY, None, None),  # < half of 2 kW
        (False, plan_slot(battery=1.4, grid=1.8), BatteryMode.CHARGE, None, None),  # at its own full rate
        (False, plan_slot(battery=-0.6, grid=0.8), BatteryMode.STANDBY, None, None),  # AUTO would cover 1.4 kW
        (False, plan_slot(battery=-0.9, grid=0.2), BatteryMode.AUTO, None, None),  # AUTO covers 1.1 kW
        (True, plan_slot(battery=-0.9, grid=0.0), BatteryMode.AUTO, None, None),  # covers the whole deficit
    ],
)
def test_the_battery_gets_a_power_setting_only_where_it_has_one(
    power_setting: bool, plan: SlotPlan, mode: BatteryMode, charge_w: float | None, discharge_w: float | None
) -> None:
    battery = Battery(capacity_wh=6500.0, max_charge_w=2000.0, max_discharge_w=2000.0)
    PlannerStrategy._battery(plan, battery, power_setting=power_setting)
    assert battery.mode is mode
    assert (battery.charge_power_setting_w, battery.discharge_power_setting_w) == (charge_w, discharge_w)


class Recorder(PlannerStrategy):
    """(d), recording the charger's power in every slot it charged."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx, perfect_load=True)
        self.ev_w: list[float] = []

    def observe(self, k: int, snapshot: HomeSnapshot, home: Home) -> None:
        if k >= self.ctx.scenario.report_start and snapshot.ev_w > 0.0:
            self.ev_w.append(snapshot.ev_w)


def test_a_modulating_charger_takes_the_partial_surplus_of_a_weekend() -> None:
    """A sunny May weekend: the planner soaks part of the surplus into the car at less than full power."""
    devices = default_devices()
    assert devices.ev is not None
    devices = replace(devices, ev=replace(devices.ev, modulating=True, min_power_kw=1.4, max_power_kw=3.0))
    scenario = build_scenario(ScenarioSpec(forecast="F0", start=date(2025, 5, 17), days=2, devices=devices))
    recorders: list[Recorder] = []

    def factory(ctx: Context) -> Strategy:
        recorders.append(Recorder(ctx))
        return recorders[0]

    run = run_strategy(scenario, ForecastService(scenario, "F0", 0), factory)
    assert run.comfort_failures == 0
    partial = [w for w in recorders[0].ev_w if 1400.0 - 1.0 <= w < 3000.0 - 100.0]
    assert partial, f"the charger only ran at full power: {recorders[0].ev_w}"
