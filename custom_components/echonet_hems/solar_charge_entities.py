"""The entities of solar charge: the master switch, a mode per device, the status in plain words (with the whole plan
as an attribute), per device its planned power now, next start, reason and "should run now", and a calendar of runs.

They belong to the Home energy entry, on a "Solar charge" service device. The switch and the modes survive restarts
(restored states); control ships off.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, time
from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.number import NumberDeviceClass, NumberMode, RestoreNumber
from homeassistant.components.select import SelectEntity
from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorStateClass
from homeassistant.components.switch import SwitchEntity
from homeassistant.components.time import TimeEntity
from homeassistant.const import STATE_ON, UnitOfEnergy, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers import translation
from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.restore_state import RestoreEntity
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .const import DOMAIN, HOME_ENERGY_UNIQUE_ID
from .lib.energy.planner import Reason
from .lib.energy.solar_charge import Device, StatusKey, current_slot, next_start, plan_as_dict, reason, runs
from .solar_charge_coordinator import SolarChargeCoordinator

SOLAR_CHARGE_DEVICE = f"{HOME_ENERGY_UNIQUE_ID}_solar_charge"
MODES: tuple[str, ...] = ("follow_plan", "force_on", "force_off", "off")
_RUNNING_W = 50.0


def solar_charge_device_info(device: Device | None = None) -> DeviceInfo:
    """Solar charge's own device (a service), next to the Home energy device; with `device`, that kind's own service
    device ("EcoCute solar charge", not linked to the first: `via_device` is deprecated from 2026.11, see
    `ha_compat.link_via_device`), whose switch is named as the device, so "turn off the EcoCute solar charge" reaches
    it through Assist's built-in intents, and whose other entities read "EcoCute solar charge Mode"."""
    if device is None:
        return DeviceInfo(
            identifiers={(DOMAIN, SOLAR_CHARGE_DEVICE)},
            translation_key="solar_charge",
            manufacturer="ECHONET Lite HEMS",
            entry_type=DeviceEntryType.SERVICE,
        )
    return DeviceInfo(
        identifiers={(DOMAIN, f"{SOLAR_CHARGE_DEVICE}_{device}")},
        translation_key=f"solar_charge_{device}",
        manufacturer="ECHONET Lite HEMS",
        entry_type=DeviceEntryType.SERVICE,
    )


class SolarChargeEntity(CoordinatorEntity[SolarChargeCoordinator]):
    """An entity of solar charge."""

    _attr_has_entity_name = True

    def __init__(self, coordinator: SolarChargeCoordinator, key: str, device: Device | None = None) -> None:
        """Unique id = the solar-charge device id + semantic key; the translation key is the key. Entities about one
        device kind sit on that kind's solar-charge device."""
        super().__init__(coordinator)
        self._attr_unique_id = f"{SOLAR_CHARGE_DEVICE}_{key}"
        self._attr_translation_key = key
        self._attr_device_info = solar_charge_device_info(device)


class SolarChargeSwitch(SolarChargeEntity, SwitchEntity, RestoreEntity):
    """The master switch: off = a dry run (the plan is shown, nothing is written)."""

    def __init__(self, coordinator: SolarChargeCoordinator) -> None:
        """Off until the user turns it on (also after a restart, unless it was on). Named as its device ("Solar
        charge"), so "turn on solar charge" reaches it through Assist's built-in intents."""
        super().__init__(coordinator, "solar_charge")
        self._attr_name = None

    async def async_added_to_hass(self) -> None:
        """Restore the switch as the user left it."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        self.coordinator.async_set_control(last is not None and last.state == STATE_ON)

    @property
    def is_on(self) -> bool:
        """Whether solar charge may write to the devices."""
        return self.coordinator.control_on

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Start carrying out the plan."""
        self.coordinator.async_set_control(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Hand the devices back to their own operation."""
        self.coordinator.async_set_control(False)


class DeviceSwitch(SolarChargeEntity, SwitchEntity):
    """Solar charge for one device: on = follow the plan, off = the device's own operation. Named as its device
    ("EcoCute solar charge"), so "turn off the EcoCute solar charge" reaches it through Assist. The mode select offers
    the forced modes too."""

    def __init__(self, coordinator: SolarChargeCoordinator, device: Device) -> None:
        """One per device kind; its state is the mode's."""
        super().__init__(coordinator, f"follow_{device}", device)
        self._attr_name = None
        self._device = device

    @property
    def is_on(self) -> bool:
        """Anything but off."""
        return self.coordinator.modes.get(self._device, "follow_plan") != "off"

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Follow the plan."""
        self.coordinator.modes[self._device] = "follow_plan"
        self.coordinator.async_update_listeners()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Leave the device to its own operation."""
        self.coordinator.modes[self._device] = "off"
        self.coordinator.async_update_listeners()


class DeviceModeSelect(SolarChargeEntity, SelectEntity, RestoreEntity):
    """Follow plan / force on / force off / off (the device's own automatic operation, untouched)."""

    def __init__(self, coordinator: SolarChargeCoordinator, device: Device) -> None:
        """One per device kind."""
        super().__init__(coordinator, f"mode_{device}", device)
        self._device = device
        self._attr_options = list(MODES)

    async def async_added_to_hass(self) -> None:
        """Restore the mode the user chose."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None and last.state in MODES:
            self.coordinator.modes[self._device] = last.state

    @property
    def current_option(self) -> str:
        """The device's mode."""
        return self.coordinator.modes.get(self._device, "follow_plan")

    async def async_select_option(self, option: str) -> None:
        """Set the device's mode (the device's switch follows)."""
        self.coordinator.modes[self._device] = option
        self.coordinator.async_update_listeners()


class StatusSensor(SolarChargeEntity, SensorEntity):
    """What solar charge does now, in plain words; the whole plan is an attribute (not recorded)."""

    _attr_device_class = SensorDeviceClass.ENUM
    _unrecorded_attributes = frozenset({"plan"})

    def __init__(self, coordinator: SolarChargeCoordinator) -> None:
        """One per solar charge."""
        super().__init__(coordinator, "status")
        self._attr_options = [key.value for key in StatusKey]

    @property
    def native_value(self) -> str:
        """The status key (translated by the frontend)."""
        return self.coordinator.data.status.key.value

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """The status's details and the plan."""
        data = self.coordinator.data
        current = data.status
        return {
            "device": current.device.value if current.device else None,
            "start": current.start.isoformat() if current.start else None,
            "end": current.end.isoformat() if current.end else None,
            "surplus_kwh": round(current.surplus_kwh, 2) if current.surplus_kwh is not None else None,
            "guard": current.guard,
            "error": data.error,
            # Chosen devices not found now: solar charge leaves them out until they are back.
            "missing_devices": sorted(device.value for device in data.missing),
            "plan": plan_as_dict(data.plan) if data.plan is not None else None,
        }


class DevicePlanEntity(SolarChargeEntity):
    """An entity about one device's plan; unavailable when the home has no such device."""

    def __init__(self, coordinator: SolarChargeCoordinator, device: Device, key: str) -> None:
        """Key = device + what it shows."""
        super().__init__(coordinator, f"{device}_{key}", device)
        self._device = device

    @property
    def available(self) -> bool:
        """Available while the device is found and a plan exists."""
        data = self.coordinator.data
        return super().available and data.plan is not None and self._device in data.devices

    def _power_w(self) -> float | None:
        data = self.coordinator.data
        slot = current_slot(data.plan, self.coordinator.clock()) if data.plan is not None else None
        if slot is None:
            return None
        kw = {Device.WATER_HEATER: slot.heat_kw, Device.BATTERY: slot.battery_kw, Device.EV: slot.ev_kw}[self._device]
        return round(kw * 1000.0, 1)


class PlannedPowerSensor(DevicePlanEntity, SensorEntity):
    """The device's planned power now (W; battery: + charging)."""

    _attr_device_class = SensorDeviceClass.POWER
    _attr_state_class = SensorStateClass.MEASUREMENT
    _attr_native_unit_of_measurement = UnitOfPower.WATT

    def __init__(self, coordinator: SolarChargeCoordinator, device: Device) -> None:
        """One per device kind."""
        super().__init__(coordinator, device, "planned_power")

    @property
    def native_value(self) -> float | None:
        """Planned power of the current slot."""
        return self._power_w()


class NextStartSensor(DevicePlanEntity, SensorEntity):
    """When the device's next planned run starts."""

    _attr_device_class = SensorDeviceClass.TIMESTAMP

    def __init__(self, coordinator: SolarChargeCoordinator, device: Device) -> None:
        """One per device kind."""
        super().__init__(coordinator, device, "next_start")

    @property
    def native_value(self) -> datetime | None:
        """The next run's start (unknown when none is planned)."""
        plan = self.coordinator.data.plan
        return next_start(plan, self._device, self.coordinator.clock()) if plan is not None else None


class ReasonSensor(DevicePlanEntity, SensorEntity):
    """Why the device does what it does in the current slot."""

    _attr_device_class = SensorDeviceClass.ENUM

    def __init__(self, coordinator: SolarChargeCoordinator, device: Device) -> None:
        """One per device kind."""
        super().__init__(coordinator, device, "reason")
        self._attr_options = [value.value for value in Reason]

    @property
    def native_value(self) -> str | None:
        """The reason key of the current slot."""
        plan = self.coordinator.data.plan
        slot = current_slot(plan, self.coordinator.clock()) if plan is not None else None
        return reason(slot, self._device).value if slot is not None else None


class ShouldRunBinarySensor(DevicePlanEntity, BinarySensorEntity):
    """On while the plan runs the device (usable by automations)."""

    def __init__(self, coordinator: SolarChargeCoordinator, device: Device) -> None:
        """One per device kind."""
        super().__init__(coordinator, device, "should_run")

    @property
    def is_on(self) -> bool | None:
        """The planned power of the current slot is above 50 W (battery: charging)."""
        power = self._power_w()
        return None if power is None else power > _RUNNING_W


class PlanCalendar(SolarChargeEntity, CalendarEntity):
    """The planned device runs as events: the calendar card shows the future, automations can trigger on them."""

    def __init__(self, coordinator: SolarChargeCoordinator) -> None:
        """One per solar charge."""
        super().__init__(coordinator, "plan")
        self._device_names: dict[str, str] = {}

    async def async_added_to_hass(self) -> None:
        """The device names for the event titles, in Home Assistant's language (the actions' device choices)."""
        await super().async_added_to_hass()
        texts = await translation.async_get_translations(self.hass, self.hass.config.language, "selector", {DOMAIN})
        prefix = f"component.{DOMAIN}.selector.device.options."
        self._device_names = {key.removeprefix(prefix): text for key, text in texts.items() if key.startswith(prefix)}

    def _events(self) -> list[CalendarEvent]:
        plan = self.coordinator.data.plan
        if plan is None:
            return []
        events = [
            CalendarEvent(
                start=run.start,
                end=run.end,
                summary=f"{self._device_names.get(run.device.value, run.device.value)}: {run.mean_kw:.1f} kW",
                description=run.reason.value,
                uid=f"{run.device.value}-{run.start.isoformat()}",
            )
            for device in Device
            for run in runs(plan, device)
        ]
        return sorted(events, key=lambda event: event.start_datetime_local)

    @property
    def event(self) -> CalendarEvent | None:
        """The current or next run."""
        now = self.coordinator.clock()
        return next((event for event in self._events() if event.end_datetime_local > now), None)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """The runs between the two times."""
        return [
            event
            for event in self._events()
            if event.end_datetime_local > start_date and event.start_datetime_local < end_date
        ]


def solar_charge_sensors(coordinator: SolarChargeCoordinator) -> list[SensorEntity]:
    """The status and, per device kind, planned power, next start and reason."""
    sensors: list[SensorEntity] = [StatusSensor(coordinator)]
    for device in Device:
        sensors += [
            PlannedPowerSensor(coordinator, device),
            NextStartSensor(coordinator, device),
            ReasonSensor(coordinator, device),
        ]
    return sensors


def solar_charge_binary_sensors(coordinator: SolarChargeCoordinator) -> list[BinarySensorEntity]:
    """Per device kind: should it run now."""
    return [ShouldRunBinarySensor(coordinator, device) for device in Device]


def solar_charge_selects(coordinator: SolarChargeCoordinator) -> list[SelectEntity]:
    """Per device kind: its mode."""
    return [DeviceModeSelect(coordinator, device) for device in Device]


def solar_charge_switches(coordinator: SolarChargeCoordinator) -> list[SwitchEntity]:
    """The master switch and one per device kind."""
    return [SolarChargeSwitch(coordinator), *(DeviceSwitch(coordinator, device) for device in Device)]


class EVDepartureTime(SolarChargeEntity, TimeEntity, RestoreEntity):
    """The car's usual departure (the plan keeps its energy ready by then)."""

    def __init__(self, coordinator: SolarChargeCoordinator) -> None:
        """One per solar charge; starts from the entry's settings."""
        super().__init__(coordinator, "ev_departure")

    async def async_added_to_hass(self) -> None:
        """Restore the time the user set."""
        await super().async_added_to_hass()
        last = await self.async_get_last_state()
        if last is not None:
            with suppress(ValueError):  # "unknown" or a damaged state: keep the entry's setting
                self.coordinator.set_ev(departure=time.fromisoformat(last.state))

    @property
    def native_value(self) -> time:
        """The departure time."""
        return self.coordinator.settings.ev.departure

    async def async_set_value(self, value: time) -> None:
        """A new usual departure: re-plan."""
        self.coordinator.set_ev(departure=value)
        await self.coordinator.async_request_refresh()


class EVTargetNumber(SolarChargeEntity, RestoreNumber):
    """Energy the car needs in its battery at departure (kWh)."""

    _attr_native_min_value = 0.0
    _attr_native_max_value = 200.0
    _attr_native_step = 0.5
    _attr_native_unit_of_measurement = UnitOfEnergy.KILO_WATT_HOUR
    _attr_device_class = NumberDeviceClass.ENERGY_STORAGE
    _attr_mode = NumberMode.BOX

    def __init__(self, coordinator: SolarChargeCoordinator) -> None:
        """One per solar charge; starts from the entry's settings."""
        super().__init__(coordinator, "ev_target")

    async def async_added_to_hass(self) -> None:
        """Restore the target the user set."""
        await super().async_added_to_hass()
        last = await self.async_get_last_number_data()
        if last is not None and last.native_value is not None:
            self.coordinator.set_ev(target_kwh=float(last.native_value))

    @property
    def native_value(self) -> float:
        """The target energy."""
        return self.coordinator.settings.ev.target_kwh

    async def async_set_native_value(self, value: float) -> None:
        """A new target: re-plan."""
        self.coordinator.set_ev(target_kwh=value)
        await self.coordinator.async_request_refresh()
