"""Numbers of ECHONET Lite device objects: charge/discharge power settings of the battery and the EV chargers, and
the charging current setting of an EV charger set by its current."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from homeassistant.components.number import (
    NumberDeviceClass,
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EntityCategory, UnitOfElectricCurrent, UnitOfPower
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EchonetObjectEntity, async_add_object_entities
from .home_energy_runtime import HomeEnergyConfigEntry
from .lan_hub import EchonetLanConfigEntry
from .lib.echonet.ids import BATTERY, EV_CHARGER, V2H
from .lib.echonet.specs.datatypes import Value
from .object_coordinator import EchonetObjectCoordinator
from .platform_dispatch import KindSetups, async_setup_kind
from .solar_charge_entities import EVTargetNumber

PARALLEL_UPDATES = 1

# Used when the device does not state its limit (no min/max or rated property in its Get map).
FALLBACK_MAX_W = 10000.0
FALLBACK_MAX_A = 32.0  # a home AC charger's largest current (7.7 kW at 240 V); 0xED itself goes to 6,553.3 A


def number_or_none(value: Value) -> float | None:
    """A decoded number as float; None for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def field(name: str) -> Callable[[Value], float | None]:
    """A numeric field of a decoded composite (e.g. 0xC8 minimum/maximum charging power)."""

    def read(value: Value) -> float | None:
        return number_or_none(value.get(name)) if isinstance(value, Mapping) else None

    return read


@dataclass(frozen=True, kw_only=True)
class EchonetNumberEntityDescription(NumberEntityDescription):
    """A settable power or current; `max_epc`/`max_fn` read the device's own upper limit."""

    epc: int
    class_id: int
    max_epc: int
    max_fn: Callable[[Value], float | None]
    fallback_max: float = FALLBACK_MAX_W
    digits: int | None = None  # decimals written (None: a whole number)


def _power_setting(
    key: str, epc: int, class_id: int, max_epc: int, max_fn: Callable[[Value], float | None]
) -> EchonetNumberEntityDescription:
    """A power in whole watts up to the device's stated limit."""
    return EchonetNumberEntityDescription(
        key=key,
        translation_key=key,
        epc=epc,
        class_id=class_id,
        max_epc=max_epc,
        max_fn=max_fn,
        device_class=NumberDeviceClass.POWER,
        native_unit_of_measurement=UnitOfPower.WATT,
        native_min_value=0,
        native_step=1,
        mode=NumberMode.BOX,
        entity_category=EntityCategory.CONFIG,
    )


def _current_setting(key: str, epc: int, class_id: int, max_epc: int) -> EchonetNumberEntityDescription:
    """A charging current (0xED: 0.1-A steps) up to the maximum of the device's min/max current (0xCA)."""
    power = _power_setting(key, epc, class_id, max_epc, field("maximum_current"))
    return replace(
        power,
        fallback_max=FALLBACK_MAX_A,
        digits=1,
        device_class=NumberDeviceClass.CURRENT,
        native_unit_of_measurement=UnitOfElectricCurrent.AMPERE,
        native_step=0.1,
    )


NUMBERS: tuple[EchonetNumberEntityDescription, ...] = (
    _power_setting("charging_power_setting", 0xEB, BATTERY, 0xC8, field("max_value")),
    _power_setting("discharging_power_setting", 0xEC, BATTERY, 0xC9, field("max_value")),
    _power_setting("charging_power_setting", 0xEB, V2H, 0xC8, field("maximum_electric_power")),
    _power_setting("discharging_power_setting", 0xEC, V2H, 0xC9, field("maximum_electric_power")),
    _power_setting("charging_power_setting", 0xEB, EV_CHARGER, 0xC5, number_or_none),
    _current_setting("charging_current_setting", 0xED, V2H, 0xCA),
    _current_setting("charging_current_setting", 0xED, EV_CHARGER, 0xCA),
)


def numbers_for(coordinator: EchonetObjectCoordinator) -> Sequence[EchonetNumberEntity]:
    """The numbers whose EPC the object lists in both its Get and Set maps."""
    info = coordinator.info
    return [
        EchonetNumberEntity(coordinator, description)
        for description in NUMBERS
        if coordinator.class_id == description.class_id and description.epc in info.get_map & info.set_map
    ]


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any], async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Numbers of the entry's kind."""
    async_setup_kind(hass, entry, async_add_entities, SETUPS)


def _setup_lan(hass: HomeAssistant, entry: EchonetLanConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """Numbers for every object, now and when objects appear later."""
    async_add_object_entities(hass, entry, add, numbers_for)


def _setup_home_energy(hass: HomeAssistant, entry: HomeEnergyConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """Solar charge's EV target energy."""
    add([EVTargetNumber(entry.runtime_data.solar_charge)])


SETUPS = KindSetups(lan=_setup_lan, home_energy=_setup_home_energy)


class EchonetNumberEntity(EchonetObjectEntity, NumberEntity):
    """One settable power in W or current in A."""

    entity_description: EchonetNumberEntityDescription

    def __init__(self, coordinator: EchonetObjectCoordinator, description: EchonetNumberEntityDescription) -> None:
        """Read and write `description.epc`; read the limit too."""
        super().__init__(coordinator, description.key, (description.epc, description.max_epc))
        self.entity_description = description

    @property
    def native_value(self) -> float | None:
        """The setting (None: unknown)."""
        return number_or_none(self.decoded(self.entity_description.epc))

    @property
    def native_max_value(self) -> float:
        """The device's stated maximum, else a generous household limit."""
        description = self.entity_description
        return description.max_fn(self.decoded(description.max_epc)) or description.fallback_max

    async def async_set_native_value(self, value: float) -> None:
        """Write the setting (whole watts; a current to 0.1 A)."""
        digits = self.entity_description.digits
        setting = round(value, digits) if digits else round(value)
        await self.coordinator.async_set({self.entity_description.epc: setting})
