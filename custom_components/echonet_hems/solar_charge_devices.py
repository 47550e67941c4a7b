"""Which device solar charge drives per kind (battery, EcoCute, EV): the candidates the LAN entries found, the user's
choice, and the words the options flow shows for each candidate.

A choice is an object id ("<node id>-<EOJ>"): the node id is the node's identification number (0x83) where it has
one, else its maker and production number, so the choice survives address changes and restarts, and is the id of the
object's device in the device registry. "none" means the planner leaves that kind out; no choice (an entry made before
there was one, or no such device when the options were saved) means the first found of its kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir, translation
from homeassistant.helpers.selector import SelectOptionDict

from .const import (
    CONF_BATTERY_DEVICE,
    CONF_EV_DEVICE,
    CONF_KIND,
    CONF_WATER_HEATER_DEVICE,
    DOMAIN,
    NOT_CONTROLLED,
    EntryKind,
)
from .lan_hub import LanRuntimeData
from .lib.echonet.ids import BATTERY, EV_CHARGER, V2H, WATER_HEATER
from .lib.energy.commands import Capabilities, DeviceRole
from .lib.energy.solar_charge import Device
from .object_coordinator import EchonetObjectCoordinator
from .solar_charge_executor import capabilities

CLASSES: Final[Mapping[Device, frozenset[int]]] = {
    Device.BATTERY: frozenset({BATTERY}),
    Device.WATER_HEATER: frozenset({WATER_HEATER}),
    Device.EV: frozenset({V2H, EV_CHARGER}),
}
DEVICE_OPTION: Final[Mapping[Device, str]] = {
    Device.BATTERY: CONF_BATTERY_DEVICE,
    Device.WATER_HEATER: CONF_WATER_HEATER_DEVICE,
    Device.EV: CONF_EV_DEVICE,
}
# The words of the device choice (translations: selector.solar_charge_device.options).
_WORDS: Final = f"component.{DOMAIN}.selector.solar_charge_device.options."
_SEPARATOR: Final = " · "
# The repair raised when a chosen device is not found (one per kind).
ISSUE_DEVICE_MISSING: Final = "solar_charge_device_missing"


@dataclass(frozen=True, slots=True)
class DeviceChoice:
    """The user's pick per kind: an object id, `NOT_CONTROLLED`, or None (the first found of the kind)."""

    battery: str | None = None
    water_heater: str | None = None
    ev: str | None = None

    def of(self, device: Device) -> str | None:
        """The pick for `device`."""
        if device is Device.BATTERY:
            return self.battery
        return self.water_heater if device is Device.WATER_HEATER else self.ev


def choice_from_options(options: Mapping[str, object]) -> DeviceChoice:
    """The choice stored in the entry's options (a missing or empty value: no choice)."""

    def pick(device: Device) -> str | None:
        value = options.get(DEVICE_OPTION[device])
        return value if isinstance(value, str) and value else None

    return DeviceChoice(battery=pick(Device.BATTERY), water_heater=pick(Device.WATER_HEATER), ev=pick(Device.EV))


@dataclass(frozen=True, slots=True)
class FoundDevices:
    """The devices to plan and drive now, and the kinds whose chosen device is not found now."""

    found: Mapping[Device, EchonetObjectCoordinator]
    missing: frozenset[Device]


def candidates(hass: HomeAssistant) -> dict[Device, list[EchonetObjectCoordinator]]:
    """Every object of each controllable kind among the loaded LAN entries, by object id (a stable order)."""
    found: dict[Device, list[EchonetObjectCoordinator]] = {device: [] for device in Device}
    for entry in hass.config_entries.async_entries(DOMAIN):
        runtime = getattr(entry, "runtime_data", None)
        if entry.data.get(CONF_KIND) != EntryKind.LAN or not isinstance(runtime, LanRuntimeData):
            continue
        for coordinator in runtime.coordinators.values():
            for device, classes in CLASSES.items():
                if coordinator.class_id in classes:
                    found[device].append(coordinator)
    for objects in found.values():
        objects.sort(key=lambda coordinator: coordinator.object_id)
    return found


def pick_devices(found: Mapping[Device, list[EchonetObjectCoordinator]], choice: DeviceChoice) -> FoundDevices:
    """The chosen device of each kind; a chosen one that is absent is missing (never replaced by another one)."""
    picked: dict[Device, EchonetObjectCoordinator] = {}
    missing: set[Device] = set()
    for device in Device:
        objects = found.get(device, [])
        wanted = choice.of(device)
        if wanted is None:
            if objects:
                picked[device] = objects[0]
            continue
        if wanted == NOT_CONTROLLED:
            continue
        match = next((coordinator for coordinator in objects if coordinator.object_id == wanted), None)
        if match is None:
            missing.add(device)
        else:
            picked[device] = match
    return FoundDevices(found=picked, missing=frozenset(missing))


def device_name(hass: HomeAssistant, object_id: str) -> str | None:
    """The object's device name in Home Assistant (the user's own name first), if it has a device."""
    entry = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, object_id)})
    return (entry.name_by_user or entry.name) if entry is not None else None


def capability_words(caps: Capabilities) -> tuple[str, ...]:
    """What solar charge can set on the device, as translation keys (empty: nothing)."""
    heater = caps.role is DeviceRole.WATER_HEATER  # its mode property is the heating setting (0xB0)
    words = {
        "operation_mode": bool(caps.modes) and not heater,
        "manual_heating": bool(caps.modes) and heater,
        "charge_power": caps.charge_power is not None,
        "charge_current": caps.charge_current is not None,
        "discharge_power": caps.discharge_power is not None,
        "daytime_reheat": caps.daytime_reheat,
        "heating_timer": caps.shift_timer,
    }
    return tuple(word for word, settable in words.items() if settable)


async def async_words(hass: HomeAssistant) -> dict[str, str]:
    """The device choice's words in Home Assistant's language, by key."""
    texts = await translation.async_get_translations(hass, hass.config.language, "selector", {DOMAIN})
    return {key.removeprefix(_WORDS): text for key, text in texts.items() if key.startswith(_WORDS)}


def candidate_label(hass: HomeAssistant, coordinator: EchonetObjectCoordinator, words: Mapping[str, str]) -> str:
    """ "Storage battery · 192.168.1.20 · operation mode, charge power": name in HA, address, what can be set."""
    settable = capability_words(capabilities(coordinator))
    what = ", ".join(words.get(word, word) for word in settable) or words.get("nothing_settable", "nothing_settable")
    name = device_name(hass, coordinator.object_id) or coordinator.object_id
    return _SEPARATOR.join((name, coordinator.node.address, what))


def device_options(
    hass: HomeAssistant,
    objects: list[EchonetObjectCoordinator],
    current: str | None,
    words: Mapping[str, str],
) -> list[SelectOptionDict]:
    """The select's options for one kind: each candidate, a chosen device not found now, and "not controlled"."""
    options = [
        SelectOptionDict(value=coordinator.object_id, label=candidate_label(hass, coordinator, words))
        for coordinator in objects
    ]
    if current not in (None, NOT_CONTROLLED) and all(option["value"] != current for option in options):
        name = device_name(hass, str(current)) or str(current)
        label = _SEPARATOR.join((name, words.get("not_found", "not_found")))
        options.append(SelectOptionDict(value=str(current), label=label))
    options.append(SelectOptionDict(value=NOT_CONTROLLED, label=words.get(NOT_CONTROLLED, NOT_CONTROLLED)))
    return options


@callback
def async_delete_missing_issue(hass: HomeAssistant, device: Device) -> None:
    """Delete the repair "the device chosen for solar charge is not found" of `device` (if raised)."""
    ir.async_delete_issue(hass, DOMAIN, f"{ISSUE_DEVICE_MISSING}_{device.value}")


async def async_raise_missing_issue(hass: HomeAssistant, device: Device, object_id: str) -> None:
    """Raise the repair: the device chosen for solar charge as `device` (`object_id`) is not found."""
    texts = await translation.async_get_translations(hass, hass.config.language, "selector", {DOMAIN})
    kind = texts.get(f"component.{DOMAIN}.selector.device.options.{device.value}", device.value)
    ir.async_create_issue(
        hass,
        DOMAIN,
        f"{ISSUE_DEVICE_MISSING}_{device.value}",
        is_fixable=False,
        severity=ir.IssueSeverity.WARNING,
        translation_key=ISSUE_DEVICE_MISSING,
        translation_placeholders={"device": kind, "name": device_name(hass, object_id) or object_id},
    )
