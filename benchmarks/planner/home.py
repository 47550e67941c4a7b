"""The simulated home: the virtual home's physics built from the planner's device parameters (one source of truth)."""

from __future__ import annotations

from custom_components.echonet_hems.lib.energy import BatteryParams, EVParams, WaterHeaterParams
from virtual_home.physics import Battery, BatteryMode, ChargerMode, EcoCute, EVCar, EVCharger, HeaterMode, Home
from virtual_home.physics.load import BaseLoad

from .scenario import SLOT_S, FloatArray, Scenario


class SeriesLoad(BaseLoad):
    """A base load read from the scenario's measured series (one value per 30-minute slot)."""

    def __init__(self, load_kw: FloatArray, first_ts: float) -> None:
        super().__init__()
        self._load_w = load_kw * 1000.0
        self._first_ts = first_ts

    def mean_power_at(self, ts: float, seconds: float) -> float:
        """Mean power (W) of the slot containing `ts`."""
        index = int((ts - self._first_ts + 1.0) // SLOT_S)
        return float(self._load_w[min(max(index, 0), len(self._load_w) - 1)])


def physics_battery(params: BatteryParams) -> Battery:
    """A physics battery with the planner's parameters, half full, in self-consumption mode."""
    return Battery(
        capacity_wh=params.capacity_kwh * 1000.0,
        max_charge_w=params.max_charge_kw * 1000.0,
        max_discharge_w=params.max_discharge_kw * 1000.0,
        efficiency=params.efficiency,
        reserve_fraction=params.reserve_fraction,
        soc_wh=params.capacity_kwh * 500.0,
        mode=BatteryMode.AUTO,
    )


def physics_ecocute(params: WaterHeaterParams) -> EcoCute:
    """A physics EcoCute with the planner's parameters, 80 % full, automatic with daytime reheat permitted."""
    return EcoCute(
        tank_l=params.tank_l,
        storage_temp_c=params.storage_temp_c,
        inlet_temp_c=params.inlet_temp_c,
        inlet_amplitude_c=params.inlet_amplitude_c,
        heating_input_w=params.heating_input_kw * 1000.0,
        standing_loss_wh_per_day=params.standing_loss_kwh_per_day * 1000.0,
        cop_scale=params.cop_scale,
        mode=HeaterMode.AUTO,
        daytime_reheat_permitted=True,
    )


def physics_ev(params: EVParams, scenario: Scenario) -> EVCharger:
    """A commuter car (away on working days) on an on/off or modulating charger with the planner's parameters."""
    spec = scenario.spec
    car = EVCar(
        battery_wh=params.battery_kwh * 1000.0,
        soc_wh=spec.ev_target_kwh * 1000.0,
        arrive_hour=float(spec.ev_return_hour),
        depart_hour=float(spec.ev_depart_hour),
        trip_wh=spec.ev_trip_kwh * 1000.0,
        workdays_only=True,
    )
    return EVCharger(
        car=car,
        max_power_w=params.max_power_kw * 1000.0,
        min_power_w=params.min_power_kw * 1000.0,
        modulating=params.modulating,
        efficiency=params.efficiency,
        mode=ChargerMode.STANDBY,
    )


def build_home(scenario: Scenario) -> Home:
    """The home of a scenario: PV is supplied by the scenario's series, so the home has no PV array of its own."""
    devices = scenario.devices
    return Home(
        pv=[],
        battery=physics_battery(devices.battery) if devices.battery is not None else None,
        ecocute=physics_ecocute(devices.water_heater) if devices.water_heater is not None else None,
        ev_chargers=[physics_ev(devices.ev, scenario)] if devices.ev is not None else [],
        base_load=SeriesLoad(scenario.load_kw - scenario.pv_kw, scenario.times[0].timestamp()),
    )
