"""Binary sensors of ECHONET Lite device objects (fault status, EcoCute heating, vehicle connected) and the smart
meter's B-route connection."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorDeviceClass,
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EchonetObjectEntity, SmartMeterEntity, async_add_object_entities, object_offers
from .home_energy_binary_sensor import setup_home_energy_binary_sensors
from .lan_hub import EchonetLanConfigEntry
from .lib.echonet.ids import EV_CHARGER, V2H, WATER_HEATER
from .lib.echonet.specs.datatypes import Value
from .meter_coordinator import SmartMeterConfigEntry
from .object_coordinator import EchonetObjectCoordinator
from .platform_dispatch import KindSetups, async_setup_kind

PARALLEL_UPDATES = 0


def state_is(*on_keys: str) -> Callable[[Value], bool | None]:
    """On for the given state keys, off for any other key, unknown for None."""
    return lambda value: None if not isinstance(value, str) else value in on_keys


def vehicle_connected(value: Value) -> bool | None:
    """0xC7: anything but "not connected" means a car is plugged in; "undefined" is unknown."""
    if not isinstance(value, str) or value == "undefined":
        return None
    return value != "not_connected"


@dataclass(frozen=True, kw_only=True)
class EchonetBinarySensorEntityDescription(BinarySensorEntityDescription):
    """A binary sensor from one EPC of the given classes (None: every device class)."""

    epc: int
    class_ids: frozenset[int] | None
    is_on_fn: Callable[[Value], bool | None]


BINARY_SENSORS: tuple[EchonetBinarySensorEntityDescription, ...] = (
    EchonetBinarySensorEntityDescription(
        key="fault",
        translation_key="fault",
        epc=0x88,
        class_ids=None,
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        is_on_fn=state_is("fault_occurred"),
    ),
    EchonetBinarySensorEntityDescription(
        key="heating",
        translation_key="heating",
        epc=0xB2,
        class_ids=frozenset({WATER_HEATER}),
        device_class=BinarySensorDeviceClass.RUNNING,
        is_on_fn=state_is("heating"),
    ),
    EchonetBinarySensorEntityDescription(
        key="vehicle_connected",
        translation_key="vehicle_connected",
        epc=0xC7,
        class_ids=frozenset({EV_CHARGER, V2H}),
        device_class=BinarySensorDeviceClass.PLUG,
        is_on_fn=vehicle_connected,
    ),
)


def binary_sensors_for(coordinator: EchonetObjectCoordinator) -> Sequence[EchonetBinarySensorEntity]:
    """The binary sensors whose EPC the object lists in its Get map."""
    return [
        EchonetBinarySensorEntity(coordinator, description)
        for description in BINARY_SENSORS
        if object_offers(coordinator, description.epc, description.class_ids)
    ]


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any], async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Binary sensors of the entry's kind."""
    async_setup_kind(hass, entry, async_add_entities, SETUPS)


def _setup_lan(hass: HomeAssistant, entry: EchonetLanConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """For every object, now and when objects appear later."""
    async_add_object_entities(hass, entry, add, binary_sensors_for)


def _setup_meter(hass: HomeAssistant, entry: SmartMeterConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """The meter's connection."""
    runtime = entry.runtime_data
    add([SmartMeterConnectionEntity(runtime.coordinator, runtime.identity, "connection")])


SETUPS = KindSetups(lan=_setup_lan, meter=_setup_meter, home_energy=setup_home_energy_binary_sensors)


class EchonetBinarySensorEntity(EchonetObjectEntity, BinarySensorEntity):
    """One two-state property."""

    entity_description: EchonetBinarySensorEntityDescription

    def __init__(
        self, coordinator: EchonetObjectCoordinator, description: EchonetBinarySensorEntityDescription
    ) -> None:
        """Read `description.epc` of the object."""
        super().__init__(coordinator, description.key, (description.epc,))
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """On/off from the decoded state (None: unknown)."""
        return self.entity_description.is_on_fn(self.decoded(self.entity_description.epc))


class SmartMeterConnectionEntity(SmartMeterEntity, BinarySensorEntity):
    """Whether the B-route session is up (a diagnostic; stays available while the session re-joins)."""

    _attr_device_class = BinarySensorDeviceClass.CONNECTIVITY
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_translation_key = "connection"

    @property
    def available(self) -> bool:
        """Always: reporting the connection is this entity's job."""
        return True

    @property
    def is_on(self) -> bool:
        """Connected and allowed to transmit."""
        return self.coordinator.connected
