"""Switches of ECHONET Lite device objects: the EcoCute's daytime reheating permission."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import EchonetObjectEntity, async_add_object_entities
from .home_energy_runtime import HomeEnergyConfigEntry
from .lan_hub import EchonetLanConfigEntry
from .lib.echonet.ids import WATER_HEATER
from .object_coordinator import EchonetObjectCoordinator
from .platform_dispatch import KindSetups, async_setup_kind
from .solar_charge_entities import solar_charge_switches

PARALLEL_UPDATES = 1


@dataclass(frozen=True, kw_only=True)
class EchonetSwitchEntityDescription(SwitchEntityDescription):
    """A two-state settable property: the state keys that mean on and off."""

    epc: int
    class_id: int
    on_key: str
    off_key: str


SWITCHES: tuple[EchonetSwitchEntityDescription, ...] = (
    EchonetSwitchEntityDescription(
        key="daytime_reheating",
        translation_key="daytime_reheating",
        epc=0xC0,
        class_id=WATER_HEATER,
        on_key="daytime_reheating_permitted",
        off_key="daytime_reheating_not_permitted",
    ),
)


def switches_for(coordinator: EchonetObjectCoordinator) -> Sequence[EchonetSwitchEntity]:
    """The switches whose EPC the object lists in both its Get and Set maps."""
    info = coordinator.info
    return [
        EchonetSwitchEntity(coordinator, description)
        for description in SWITCHES
        if coordinator.class_id == description.class_id and description.epc in info.get_map & info.set_map
    ]


async def async_setup_entry(
    hass: HomeAssistant, entry: ConfigEntry[Any], async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Switches of the entry's kind."""
    async_setup_kind(hass, entry, async_add_entities, SETUPS)


def _setup_lan(hass: HomeAssistant, entry: EchonetLanConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """Switches for every object, now and when objects appear later."""
    async_add_object_entities(hass, entry, add, switches_for)


def _setup_home_energy(hass: HomeAssistant, entry: HomeEnergyConfigEntry, add: AddConfigEntryEntitiesCallback) -> None:
    """Solar charge's master switch and its per-device switches."""
    add(solar_charge_switches(entry.runtime_data.solar_charge))


SETUPS = KindSetups(lan=_setup_lan, home_energy=_setup_home_energy)


class EchonetSwitchEntity(EchonetObjectEntity, SwitchEntity):
    """One two-state setting."""

    entity_description: EchonetSwitchEntityDescription

    def __init__(self, coordinator: EchonetObjectCoordinator, description: EchonetSwitchEntityDescription) -> None:
        """Read and write `description.epc` of the object."""
        super().__init__(coordinator, description.key, (description.epc,))
        self.entity_description = description

    @property
    def is_on(self) -> bool | None:
        """On/off from the decoded state (None: unknown)."""
        value = self.decoded(self.entity_description.epc)
        return None if not isinstance(value, str) else value == self.entity_description.on_key

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Permit."""
        await self.coordinator.async_set({self.entity_description.epc: self.entity_description.on_key})

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Forbid."""
        await self.coordinator.async_set({self.entity_description.epc: self.entity_description.off_key})
