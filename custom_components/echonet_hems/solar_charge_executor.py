"""Carrying out the plan: one executor step over the devices (the rules are in `lib/energy/executor.py`), its writes
through each object's confirmed Set (SetC, answer, read-back), and what happened to the logbook, a notification or a
repair. The executor's state (what each device had before we wrote, what we wrote, pauses) is stored, so after a
restart the devices can still be handed back as they were.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping
from datetime import datetime, timedelta
import logging
from typing import Any

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir, translation
from homeassistant.helpers.storage import Store

from .const import DOMAIN
from .lib.echonet.specs.datatypes import Value
from .lib.energy.commands import (
    RAW_PREFIX,
    WATCHED,
    Capabilities,
    Comfort,
    DeviceMode,
    DeviceRole,
    capabilities_from,
    setting_of,
)
from .lib.energy.executor import (
    Decision,
    DeviceState,
    Event,
    EventKind,
    ExecutorSettings,
    ExecutorState,
    confirmed,
    data_received,
    failed,
    step,
)
from .lib.energy.solar_charge import Device, EVSchedule
from .lib.energy.tariff import JST
from .object_coordinator import EchonetObjectCoordinator

_LOGGER = logging.getLogger(__name__)
STORAGE_VERSION = 1
# What the comfort rules read besides the written properties: state of charge / stored energy, hot water left, the
# car's connection and energy.
COMFORT_EPCS: Mapping[DeviceRole, tuple[int, ...]] = {
    DeviceRole.BATTERY: (0xE2, 0xE4, 0xC8, 0xC9),
    DeviceRole.WATER_HEATER: (0xE1,),
    DeviceRole.EV: (0xC7, 0xC8, 0xCA, 0xD2, 0xE2, 0xE4),
}
ISSUE_ANOTHER_CONTROLLER = "another_controller"
OBJECTS_KEY = "objects"  # in the stored state: the object id each role's state belongs to
HISTORY_LENGTH = 200


def executor_epcs(role: DeviceRole) -> tuple[int, ...]:
    """Every EPC the executor reads of a device of `role`."""
    return (*WATCHED[role], *COMFORT_EPCS[role])


def capabilities(device: EchonetObjectCoordinator) -> Capabilities:
    """What the device lets us set, from its Set map and its reported power ranges (a charger set by its current:
    its current range and rated voltage)."""
    ranges = {epc: device.decoded(epc) for epc in (0xC8, 0xC9, 0xCA, 0xD2)}
    return capabilities_from(device.class_id, device.info.set_map, ranges, device.info.release)


def observed(device: EchonetObjectCoordinator, role: DeviceRole) -> dict[int, Value]:
    """The values the executor watches, as last read. A value the device reports that its class table cannot decode
    (e.g. a mode of a newer Appendix release) is passed on as "raw:<hex>": it is not what we wrote, so the executor
    sees the change (found in the closed loop: a V2H set to an undecodable mode by hand went unnoticed)."""
    values: dict[int, Value] = {}
    raw = device.data.values if device.data is not None else {}
    for epc in executor_epcs(role):
        value = device.decoded(epc)
        if value is None and epc in WATCHED[role] and (edt := raw.get(epc)) is not None:
            value = f"{RAW_PREFIX}{edt.hex()}"
        if value is not None:
            values[epc] = value
    return values


def next_departure(now: datetime, schedule: EVSchedule, one_off: tuple[datetime, float] | None) -> datetime:
    """The car's next departure (a one-off trip first)."""
    if one_off is not None and one_off[0] > now:
        return one_off[0]
    local = now.astimezone(JST)
    today = local.replace(hour=schedule.departure.hour, minute=schedule.departure.minute, second=0, microsecond=0)
    return today if today > local else today + timedelta(days=1)


class Executor:
    """Runs executor steps for one Home energy entry and keeps the executor's state in storage."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any]) -> None:
        """The state is loaded by `async_load`."""
        self.hass, self.entry = hass, entry
        self.state = ExecutorState()
        self._store: Store[dict[str, Any]] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.solar_charge_executor")
        self.last_events: tuple[Event, ...] = ()
        self.history: deque[tuple[datetime, Event]] = deque(maxlen=HISTORY_LENGTH)  # for diagnostics and tests
        # Whose state each role's is (object ids): the state of one device is never applied to another.
        self.objects: dict[DeviceRole, str] = {}
        self._saved: dict[str, Any] | None = None  # what the last save asked for held, without the step's times

    async def async_load(self) -> None:
        """The state saved before the last stop (a fresh one when there is none or it is damaged)."""
        stored = await self._store.async_load()
        if isinstance(stored, dict):
            try:
                state, objects = ExecutorState.from_dict(stored), _objects_from(stored.get(OBJECTS_KEY))
            except ValueError:
                _LOGGER.warning("The saved solar-charge executor state could not be read; starting afresh")
            else:
                self.state, self.objects = state, objects
                self._saved = _lasting(self._stored())

    async def async_run(
        self,
        now: datetime,
        plan: Any,
        devices: Mapping[Device, EchonetObjectCoordinator],
        modes: Mapping[Device, str],
        settings: ExecutorSettings,
        readings_at: datetime | None,
    ) -> Decision:
        """One step: decide, write (each write confirmed or failed), record the events, save the state.

        `readings_at` is when the meter and PV readings were last reported (None: one is unavailable): data is fresh
        only when they and every controlled device are, so a meter or PV outage hands the devices back too."""
        roles = {DeviceRole(device.value): coordinator for device, coordinator in devices.items()}
        self.pin_devices(roles)
        devices_ok = all(
            coordinator.last_update_success and coordinator.data is not None for coordinator in roles.values()
        )
        if devices_ok and readings_at is not None:
            self.state = data_received(self.state, min(now, readings_at))
        decision = step(
            self.state,
            now,
            plan,
            {role: observed(coordinator, role) for role, coordinator in roles.items()},
            {DeviceRole(d.value): DeviceMode(mode) for d, mode in modes.items()},
            {role: capabilities(coordinator) for role, coordinator in roles.items()},
            settings,
        )
        self.state = decision.new_state
        for write in decision.writes:
            await self._async_write(roles[write.role], write.role, write.epc, write.value, now)
        await self._async_report(decision.events)
        self.last_events = decision.events
        self.history.extend((now, event) for event in decision.events)
        self._save_if_changed()
        return decision

    def _save_if_changed(self) -> None:
        """Save the state soon when what a restart needs has changed: a write, a take-over or hand-back, a pause, a
        hand change, the day's count. Not at every step: the times of the last fresh data and of the last plan change
        at each one (every 30 s), and writing the file that often wears a Raspberry Pi's SD card for nothing. Those
        times are saved with the next change and at unload; an older one after a power cut only makes the data look
        stale until the first fresh reading."""
        lasting = _lasting(self._stored())
        if lasting != self._saved:
            self._saved = lasting
            self._store.async_delay_save(self._stored, 5.0)

    def pin_devices(self, roles: Mapping[DeviceRole, EchonetObjectCoordinator]) -> None:
        """Forget what was remembered of a role's device when the role now has another device (the user chose
        another one): its baseline, writes and pause belong to the old device and must never be applied to the new."""
        for role, coordinator in roles.items():
            pinned = self.objects.get(role)
            if pinned is not None and pinned != coordinator.object_id:
                if self.state.device(role).controlling:
                    _LOGGER.warning(
                        "Solar charge's %s is now %s; %s was not handed back and keeps its last setting",
                        role.value,
                        coordinator.object_id,
                        pinned,
                    )
                self.state = self.state.with_device(role, DeviceState())
            self.objects[role] = coordinator.object_id

    def _stored(self) -> dict[str, Any]:
        return {**self.state.as_dict(), OBJECTS_KEY: {role.value: oid for role, oid in self.objects.items()}}

    async def _async_write(
        self, device: EchonetObjectCoordinator, role: DeviceRole, epc: int, value: object, now: datetime
    ) -> None:
        try:
            await device.async_set({epc: value})  # type: ignore[dict-item]
        except HomeAssistantError as err:
            _LOGGER.warning(
                "Solar charge could not set 0x%02X=%r of the %s: %s (%r)", epc, value, role.value, err, err.__cause__
            )
            self.state = failed(self.state, role, epc, now)
            return
        held = setting_of(device.decoded(epc))
        self.state = confirmed(self.state, role, epc, held if held is not None else value, now)  # type: ignore[arg-type]

    async def _async_text(self, key: str, **placeholders: str) -> str:
        """A sentence of ours in Home Assistant's language (the "exceptions" texts of the translations)."""
        texts = await translation.async_get_translations(self.hass, self.hass.config.language, "exceptions", {DOMAIN})
        template = texts.get(f"component.{DOMAIN}.exceptions.{key}.message", key)
        return template.format(**placeholders)

    async def _async_report(self, events: tuple[Event, ...]) -> None:
        """Every action to the logbook with its reason; a hand change as a notification; another controller as a
        repair."""
        for event in events:
            placeholders = {"device": event.role.value, "event": event.kind.value, "detail": event.detail}
            message = await self._async_text("solar_charge_event", **placeholders)
            _LOGGER.info("Solar charge: %s", message)
            self.hass.bus.async_fire("logbook_entry", {"name": "Solar charge", "message": message, "domain": DOMAIN})
            if event.kind is EventKind.HAND_CHANGE_PAUSED:
                persistent_notification.async_create(
                    self.hass,
                    await self._async_text("hand_change_paused", **placeholders),
                    title="Solar charge",
                    notification_id=f"{DOMAIN}_hand_change_{event.role.value}",
                )
            if event.kind is EventKind.ANOTHER_CONTROLLER:
                ir.async_create_issue(
                    self.hass,
                    DOMAIN,
                    f"{ISSUE_ANOTHER_CONTROLLER}_{event.role.value}",
                    is_fixable=False,
                    severity=ir.IssueSeverity.WARNING,
                    translation_key=ISSUE_ANOTHER_CONTROLLER,
                    translation_placeholders={"device": event.role.value},
                )

    async def async_save(self) -> None:
        """Save now (at unload)."""
        await self._store.async_save(self._stored())


def _objects_from(value: object) -> dict[DeviceRole, str]:
    """The stored object ids per role (`ValueError` when they are not that)."""
    if value is None:
        return {}  # saved before roles were pinned
    if not isinstance(value, dict) or not all(isinstance(oid, str) for oid in value.values()):
        raise ValueError("malformed object ids")
    return {DeviceRole(role): oid for role, oid in value.items()}


def comfort(
    battery_reserve_pct: float,
    ev: EVSchedule,
    one_off: tuple[datetime, float] | None,
    now: datetime,
    *,
    hot_water_reserve_l: float = Comfort().hot_water_reserve_l,
) -> Comfort:
    """The comfort limits of the settings."""
    target = one_off[1] if one_off is not None and one_off[0] > now else ev.target_kwh
    return Comfort(
        battery_reserve_percent=battery_reserve_pct,
        hot_water_reserve_l=hot_water_reserve_l,
        ev_departure=next_departure(now, ev, one_off),
        ev_target_wh=target * 1000.0,
    )


def _lasting(stored: Mapping[str, Any]) -> dict[str, Any]:
    """The stored state without the times that change at every step."""
    return {key: value for key, value in stored.items() if key not in ("last_data", "last_plan")}
