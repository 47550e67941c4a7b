"""Solar charge in Home Assistant: the plan of the home's controllable devices, re-made every 5 minutes and whenever
the PV outlook changes, with the tariff, outlook and guard conditions of the Home energy entry.

The devices are the LAN entries' objects of the battery, EcoCute and EV charger classes that the user chose in the
options (`solar_charge_devices.py`; the first of each kind by default); what the planner needs of them
(capacities, ratings, stored energy, remaining hot water) is read from their own properties. Planning (HiGHS) runs in
the executor, never on the event loop; a plan that fails keeps the last good one and says why. Control ships off: the
plan is computed and shown, and nothing is written until the master switch is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.update_coordinator import DataUpdateCoordinator
from homeassistant.util import dt as dt_util

from .const import (
    CONF_BATTERY_RESERVE,
    CONF_EV_ARRIVAL,
    CONF_EV_BATTERY,
    CONF_EV_DEPARTURE,
    CONF_EV_TARGET,
    CONF_EV_TRIP,
    CONF_HOT_WATER_RESERVE,
    DOMAIN,
)
from .home_energy import HomeEnergyCoordinator
from .home_energy_forecast import PVForecastCoordinator
from .home_energy_sources import readings_reported_at
from .lib.energy.commands import Comfort, DeviceRole, ev_with_capabilities
from .lib.energy.devices import BatteryParams, EVParams, HomeDevices, WaterHeaterParams
from .lib.energy.executor import ExecutorSettings
from .lib.energy.lp import PlanningError
from .lib.energy.planner import Plan, PlannerSettings, PlanState, make_plan
from .lib.energy.solar_charge import Device, EVSchedule, Status, plan_inputs, status
from .lib.energy.tariff import Tariff
from .object_coordinator import EchonetObjectCoordinator
from .solar_charge_devices import (
    DeviceChoice,
    async_delete_missing_issue,
    async_raise_missing_issue,
    candidates,
    choice_from_options,
    pick_devices,
)
from .solar_charge_executor import Executor, capabilities, comfort, executor_epcs

_LOGGER = logging.getLogger(__name__)
SOLAR_CHARGE_INTERVAL = timedelta(minutes=5)
WATER_KWH_PER_L_K = 0.001163
# A chosen device not found for this long raises a repair (the status says so at once): after a restart the LAN
# entries need a moment to find their nodes, and a device that reboots is back within minutes.
MISSING_REPAIR_AFTER = timedelta(minutes=10)
# What the planner reads of each device (kept in its object's poll while solar charge runs).
_EPCS: dict[Device, tuple[int, ...]] = {
    Device.BATTERY: (0xA0, 0xC8, 0xE2, 0xE4),
    Device.WATER_HEATER: (0xE1, 0xE2),
    Device.EV: (0xC5, 0xC7, 0xC8, 0xCA, 0xD2, 0xE2, 0xE4),
}


@dataclass(frozen=True, slots=True)
class SolarChargeSettings:
    """The user's settings of solar charge."""

    battery_reserve_pct: float = 10.0
    hot_water_reserve_l: float = Comfort().hot_water_reserve_l
    ev: EVSchedule = field(default_factory=EVSchedule)
    ev_battery_kwh: float = 40.0
    devices: DeviceChoice = field(default_factory=DeviceChoice)


def settings_from_options(options: Mapping[str, Any]) -> SolarChargeSettings:
    """The solar-charge settings of the entry's options (defaults where a value is missing or unreadable)."""
    defaults, ev_defaults = SolarChargeSettings(), EVSchedule()

    def clock(key: str, default: time) -> time:
        try:
            return time.fromisoformat(str(options[key]))
        except (KeyError, ValueError):
            return default

    return SolarChargeSettings(
        battery_reserve_pct=float(options.get(CONF_BATTERY_RESERVE, defaults.battery_reserve_pct)),
        hot_water_reserve_l=float(options.get(CONF_HOT_WATER_RESERVE, defaults.hot_water_reserve_l)),
        ev=EVSchedule(
            departure=clock(CONF_EV_DEPARTURE, ev_defaults.departure),
            arrival=clock(CONF_EV_ARRIVAL, ev_defaults.arrival),
            target_kwh=float(options.get(CONF_EV_TARGET, ev_defaults.target_kwh)),
            trip_kwh=float(options.get(CONF_EV_TRIP, ev_defaults.trip_kwh)),
        ),
        ev_battery_kwh=float(options.get(CONF_EV_BATTERY, defaults.ev_battery_kwh)),
        devices=choice_from_options(options),
    )


@dataclass(frozen=True, slots=True)
class SolarChargeData:
    """The current plan (None before the first one), its status, and why the last attempt failed (if it did)."""

    plan: Plan | None
    status: Status
    devices: frozenset[Device]
    error: str | None = None
    missing: frozenset[Device] = frozenset()  # chosen devices not found now (left out of the plan)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _field(value: object, *keys: str) -> float | None:
    if isinstance(value, dict):
        for key in keys:
            if (found := _number(value.get(key))) is not None:
                return found
    return None


def battery_params(device: EchonetObjectCoordinator, reserve_pct: float) -> BatteryParams:
    """The battery's capacity (AC effective capacity, else stored energy over the state of charge) and rating."""
    capacity_wh = _number(device.decoded(0xA0))
    stored, soc = _number(device.decoded(0xE2)), _number(device.decoded(0xE4))
    if capacity_wh is None and stored is not None and soc:
        capacity_wh = stored / (soc / 100.0)
    max_w = _field(device.decoded(0xC8), "max_value", "maximum_electric_power") or 2000.0
    defaults = BatteryParams()
    return BatteryParams(
        capacity_kwh=(capacity_wh or defaults.capacity_kwh * 1000.0) / 1000.0,
        max_charge_kw=max_w / 1000.0,
        max_discharge_kw=max_w / 1000.0,
        reserve_fraction=min(max(reserve_pct / 100.0, 0.0), 0.9),
        power_setting=0xEB in device.info.set_map and 0xEC in device.info.set_map,
    )


def heater_params(device: EchonetObjectCoordinator) -> WaterHeaterParams:
    """The EcoCute's tank (litres)."""
    tank = _number(device.decoded(0xE2))
    return WaterHeaterParams(tank_l=tank) if tank else WaterHeaterParams()


def ev_params(device: EchonetObjectCoordinator, battery_kwh: float) -> EVParams:
    """The charger's power range: modulating when its charging power (0xEB), or else its current (0xED), is settable
    with a real range, else on/off at its rating (the reported maximum, else the rated charge capacity 0xC5)."""
    max_w = _field(device.decoded(0xC8), "maximum_electric_power", "max_value") or _number(device.decoded(0xC5))
    rated = EVParams(battery_kwh=battery_kwh, max_power_kw=(max_w or 3000.0) / 1000.0)
    return ev_with_capabilities(rated, capabilities(device))


def plan_state(
    devices: dict[Device, EchonetObjectCoordinator], ev_battery_kwh: float, ev_last_kwh: float | None = None
) -> PlanState:
    """Stored battery energy, heat in the tank above the inlet, the car's battery energy (kWh; 0 when unknown).

    A charger answers "response impossible" for the car's energy while no car is plugged in: the car then holds what
    it held when last seen (`ev_last_kwh`), and the plan debits the trip when it comes back. Reading 0 instead had
    every plan made while the car was out charge it from empty in the evening.
    """
    battery = devices.get(Device.BATTERY)
    heater = devices.get(Device.WATER_HEATER)
    ev = devices.get(Device.EV)
    stored = _number(battery.decoded(0xE2)) if battery else None
    remaining_l = _number(heater.decoded(0xE1)) if heater else None
    heat = remaining_l * (65.0 - 15.0) * WATER_KWH_PER_L_K if remaining_l is not None else 0.0
    ev_wh = _number(ev.decoded(0xE2)) if ev else None
    ev_pct = _number(ev.decoded(0xE4)) if ev else None
    ev_kwh = ev_wh / 1000.0 if ev_wh is not None else (ev_pct / 100.0 * ev_battery_kwh if ev_pct is not None else None)
    if ev_kwh is None:
        ev_kwh = ev_last_kwh if ev_last_kwh is not None else 0.0
    return PlanState(battery_kwh=(stored or 0.0) / 1000.0, tank_kwh_th=heat, ev_kwh=ev_kwh)


_FLOOR_MARGIN = 1.2


def planner_settings(
    heater: WaterHeaterParams | None, reserve_l: float = Comfort().hot_water_reserve_l
) -> PlannerSettings:
    """The planner's settings with the tank's floor at the executor's hot-water reserve.

    Below the reserve the executor gives the EcoCute back its own heating with daytime reheat permitted (comfort
    first), and the device then reheats at once, whatever the band. A plan that lets the tank sink to the planner's
    default 3 % floor, to heat just in time tomorrow, had the EcoCute reheat in the dear evening band in the closed
    loop (issue 13); with its floor at the reserve the plan heats from PV the day before instead.
    """
    defaults = PlannerSettings()
    if heater is None:
        return defaults
    # A margin above the reserve: the plan's slot means and typical draw profile miss a real evening's peaks.
    floor_kwh = _FLOOR_MARGIN * reserve_l * (heater.storage_temp_c - heater.inlet_temp_c) * WATER_KWH_PER_L_K
    fraction = min(max(floor_kwh / heater.capacity_kwh, defaults.tank_floor_fraction), 0.5)
    return replace(defaults, tank_floor_fraction=fraction)


def find_devices(hass: HomeAssistant, choice: DeviceChoice | None = None) -> dict[Device, EchonetObjectCoordinator]:
    """The chosen object of each controllable kind among the LAN entries (without a choice: the first by object id).
    A chosen object that is not found now is left out, never replaced by another one."""
    return dict(pick_devices(candidates(hass), choice or DeviceChoice()).found)


class SolarChargeCoordinator(DataUpdateCoordinator[SolarChargeData]):
    """Makes the plan; the entities show it and the executor carries it out when control is on."""

    config_entry: ConfigEntry[Any]

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        home: HomeEnergyCoordinator,
        forecast: PVForecastCoordinator,
        settings: SolarChargeSettings,
    ) -> None:
        """Plans with the Home energy entry's tariff, outlook and guard conditions."""
        super().__init__(
            hass, _LOGGER, config_entry=entry, name=f"{DOMAIN} solar charge", update_interval=SOLAR_CHARGE_INTERVAL
        )
        self.home, self.forecast, self.settings = home, forecast, settings
        self.control_on = False  # restored by the master switch
        self.one_off_trip: tuple[datetime, float] | None = None
        self.modes: dict[Device, str] = {}  # restored by the mode selects; missing = follow the plan
        self.paused: dict[Device, datetime | None] = {}  # until when (None: until resumed)
        self.executor = Executor(hass, entry)
        self.clock: Callable[[], datetime] = dt_util.utcnow
        self.missing: frozenset[Device] = frozenset()  # chosen devices not found at the last update
        self._releases: dict[str, Callable[[], None]] = {}
        self._missing_since: dict[Device, datetime] = {}
        self._ev_last_kwh: float | None = None  # the car's energy when last read (it is not readable while away)

    @callback
    def _async_follow_devices(self) -> dict[Device, EchonetObjectCoordinator]:
        """The devices now, each keeping what the planner reads in its poll."""
        picked = pick_devices(candidates(self.hass), self.settings.devices)
        devices = dict(picked.found)
        self.missing = picked.missing
        current = {device.object_id for device in devices.values()}
        for object_id in set(self._releases) - current:
            self._releases.pop(object_id)()
        for kind, device in devices.items():
            if device.object_id not in self._releases:
                wanted = {*_EPCS[kind], *executor_epcs(DeviceRole(kind.value))}
                self._releases[device.object_id] = device.want(sorted(wanted))
        return devices

    @callback
    def async_release_devices(self) -> None:
        """Stop asking the devices for what only the planner needs."""
        for release in self._releases.values():
            release()
        self._releases.clear()
        for device in Device:  # the entry goes (or reloads with other choices): so do its repairs
            async_delete_missing_issue(self.hass, device)

    async def _async_missing_repairs(self, now: datetime) -> None:
        """A repair per chosen device not found for `MISSING_REPAIR_AFTER`; deleted once it is back."""
        for device in Device:
            if device not in self.missing:
                self._missing_since.pop(device, None)
                async_delete_missing_issue(self.hass, device)
                continue
            since = self._missing_since.setdefault(device, now)
            chosen = self.settings.devices.of(device)
            if now - since >= MISSING_REPAIR_AFTER and chosen is not None:
                await async_raise_missing_issue(self.hass, device, chosen)

    async def _async_update_data(self) -> SolarChargeData:
        now = self.clock()
        devices = self._async_follow_devices()
        await self._async_missing_repairs(now)
        previous = self.data.plan if self.data is not None else None
        outlook = self.forecast.data
        tariff = self.home.tariff
        if outlook is None or not isinstance(tariff, Tariff) or self.home.conditions is None:
            # Why there is no new plan, as the status's `error` attribute (translated there).
            problem = "no_outlook" if outlook is None else "tiered_tariff" if not isinstance(tariff, Tariff) else None
            return self._result(previous, now, devices, problem)
        heater = heater_params(devices[Device.WATER_HEATER]) if Device.WATER_HEATER in devices else None
        home = HomeDevices(
            battery=battery_params(devices[Device.BATTERY], self.settings.battery_reserve_pct)
            if Device.BATTERY in devices
            else None,
            water_heater=heater,
            ev=ev_params(devices[Device.EV], self.settings.ev_battery_kwh) if Device.EV in devices else None,
        )
        inputs = plan_inputs(
            now,
            outlook.slots,
            ev=self.settings.ev if Device.EV in devices else None,
            one_off_trip=self.one_off_trip,
            heater=heater,
        )
        state = plan_state(devices, self.settings.ev_battery_kwh, self._ev_last_kwh)
        if Device.EV in devices and state.ev_kwh > 0.0:
            self._ev_last_kwh = state.ev_kwh
        try:
            plan = await self.hass.async_add_executor_job(
                make_plan,
                inputs,
                home,
                tariff,
                state,
                now,
                self.home.conditions,
                planner_settings(heater, self.settings.hot_water_reserve_l),
            )
        except (PlanningError, ValueError) as err:
            _LOGGER.warning("Solar charge could not make a plan, keeping the last one: %s", err)
            await self._async_execute(now, previous, devices)
            return self._result(previous, now, devices, "planning_failed")
        await self._async_execute(now, plan, devices)
        return self._result(plan, now, devices, None)

    def _modes(self, devices: Iterable[Device], now: datetime) -> dict[Device, str]:
        """Each device's mode for the executor: a user's pause leaves the device to its own operation."""
        return {
            device: "off"
            if device in self.paused and (self.paused[device] is None or self.paused[device] > now)  # type: ignore[operator]
            else self.modes.get(device, "follow_plan")
            for device in devices
        }

    async def _async_execute(
        self,
        now: datetime,
        plan: Plan | None,
        devices: dict[Device, EchonetObjectCoordinator],
        *,
        stopping: bool = False,
    ) -> None:
        """One executor step: write what the plan and the modes ask (nothing while control is off but hand-backs;
        when `stopping`, hand-backs only, with their own reason)."""
        settings = ExecutorSettings(
            enabled=self.control_on,
            stopping=stopping,
            comfort=comfort(
                self.settings.battery_reserve_pct,
                self.settings.ev,
                self.one_off_trip,
                now,
                hot_water_reserve_l=self.settings.hot_water_reserve_l,
            ),
        )
        readings_at = readings_reported_at(self.hass, self.home.sources, now)
        await self.executor.async_run(now, plan, devices, self._modes(devices, now), settings, readings_at)

    async def async_hand_back(self) -> None:
        """Give every device back its own operation as it was (unload, Home Assistant stopping)."""
        devices = find_devices(self.hass, self.settings.devices)
        if devices:
            await self._async_execute(self.clock(), None, devices, stopping=True)
        await self.executor.async_save()

    async def async_load(self) -> None:
        """Restore the executor's state (what to hand back, pauses) saved before the last stop."""
        await self.executor.async_load()

    def _result(
        self, plan: Plan | None, now: datetime, devices: Iterable[Device], error: str | None
    ) -> SolarChargeData:
        surplus = self.forecast.data.surplus_today_remaining_kwh if self.forecast.data is not None else None
        paused = next((d for d, until in self.paused.items() if until is None or until > now), None)
        return SolarChargeData(
            plan=plan,
            status=replace(status(plan, now, control_on=self.control_on, paused=paused), surplus_kwh=surplus),
            devices=frozenset(devices),
            error=error,
            missing=self.missing,
        )

    def set_ev(self, **changes: Any) -> None:
        """Change the car's usual day (departure, arrival, target_kwh, trip_kwh) for the next plans."""
        self.settings = replace(self.settings, ev=replace(self.settings.ev, **changes))

    @callback
    def async_set_control(self, on: bool) -> None:
        """The master switch: re-states the status at once and runs the executor soon (writes or hands back)."""
        changed = on != self.control_on
        self.control_on = on
        self.async_restate()
        if changed and self.data is not None:
            self.hass.async_create_task(self.async_request_refresh(), eager_start=True)

    @callback
    def async_restate(self) -> None:
        """The status again from the current plan (after the switch, a pause or a resume), without re-planning."""
        if self.data is not None:
            self.async_set_updated_data(self._result(self.data.plan, self.clock(), self.data.devices, self.data.error))
