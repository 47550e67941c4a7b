"""Selects of ECHONET Lite device objects: operation modes of the storage battery and the EV chargers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EchonetObjectEntity, async_add_object_entities
from .home_energy_runtime import HomeEnergyConfigEntry
from .lan_hub import EchonetLanConfigEntry
from .lib.echonet.ids import BATTERY, EV_CHARGER, V2H
from .object_coordinator import EchonetObjectCoordinator
from .platform_dispatch import KindSetups, async_setup_kind
from .solar_charge_entities import solar_charge_selects

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class EchonetSelectEntityDescription(SelectEntityDescription):
    """A settable state property; options are the spec's state keys a user may choose (no test/maintenance codes)."""

    epc: int
    class_id: int


SELECTS: tuple[EchonetSelectEntityDescription, ...] = (
    EchonetSelectEntityDescription(
        key="operation_mode",
        translation_key="battery_operation_mode",
        epc=0xDA,
        class_id=BATTERY,
        options=["automatic", "rapid_charging", "charging", "discharging", "standby"],
    ),
    EchonetSelectEntityDescription(
        key="operation_mode",
        translation_key="v2h_operation_mode",
        epc=0xDA,
        class_id=V2H,
        options=["automatic", "charge", "discharge", "standby", "idle"],
    ),
    EchonetSelectEntityDescription(
        key="operation_mode",
        translation_key="ev_charger_operation_mode",
        epc=0xDA,
        class_id=EV_CHARGER,
        options=["charge", "standby", "idle"],
    ),
)


def selects_for(coordinator: EchonetObjectCoordinator) -> Sequence[EchonetSelectEntity]:
    """The selects whose EPC the object lists in both its Get and Set maps."""
    info = coordinator.info
    return [
        EchonetSelectEntity(coordinator, description)
        for description in SELECTS
        if coordinator.class_id == description.class_id and description.epc in info.get_map & info.set_map
    ]


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any], async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Selects of the entry's kind."""
    async_setup_kind(hass, entry, async_add_entities, SETUPS)


def _setup_lan(hass: HomeAssistant, entry: EchonetLanConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """Selects for every object, now and when objects appear later."""
    async_add_object_entities(hass, entry, add, selects_for)


def _setup_home_energy(hass: HomeAssistant, entry: HomeEnergyConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """Solar charge's mode per device."""
    add(solar_charge_selects(entry.runtime_data.solar_charge))


SETUPS = KindSetups(lan=_setup_lan, home_energy=_setup_home_energy)


class EchonetSelectEntity(EchonetObjectEntity, SelectEntity):
    """One settable state property."""

    entity_description: EchonetSelectEntityDescription

    def __init__(self, coordinator: EchonetObjectCoordinator, description: EchonetSelectEntityDescription) -> None:
        """Read and write `description.epc` of the object."""
        super().__init__(coordinator, description.key, (description.epc,))
        self.entity_description = description

    @property
    def current_option(self) -> str | None:
        """The device's mode, or None when it is in a mode not offered here (e.g. "other")."""
        value = self.decoded(self.entity_description.epc)
        return value if isinstance(value, str) and value in self.options else None

    async def async_select_option(self, option: str) -> None:
        """Set the mode; a refusal raises a translated error."""
        await self.coordinator.async_set({self.entity_description.epc: option})
