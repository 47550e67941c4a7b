"""Each platform sets up the entities of each entry kind through one table: the entry's runtime data says its kind.

A platform lists a set-up function per kind (`KindSetups`); `async_setup_kind` calls the one for the entry at hand with
the entry typed for that kind. A new entry kind adds a field here and its own functions in the platforms, without
touching the other kinds' code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .home_energy_runtime import HomeEnergyConfigEntry, HomeEnergyRuntimeData
from .lan_hub import EchonetLanConfigEntry, LanRuntimeData
from .meter_coordinator import MeterRuntimeData, SmartMeterConfigEntry

type KindSetup[EntryT] = Callable[[HomeAssistant, EntryT, AddConfigEntryEntitiesCallback], None]


@dataclass(frozen=True, slots=True, kw_only=True)
class KindSetups:
    """A platform's set-up per entry kind; None: the kind has no entities on this platform."""

    lan: KindSetup[EchonetLanConfigEntry] | None = None
    meter: KindSetup[SmartMeterConfigEntry] | None = None
    home_energy: KindSetup[HomeEnergyConfigEntry] | None = None


def async_setup_kind(
    hass: HomeAssistant,
    entry: ConfigEntry[Any],
    async_add_entities: AddConfigEntryEntitiesCallback,
    setups: KindSetups,
) -> None:
    """Call the set-up for the entry's kind (known from its runtime data, set before the platforms are forwarded)."""
    runtime = entry.runtime_data
    if isinstance(runtime, LanRuntimeData) and setups.lan is not None:
        setups.lan(hass, cast(EchonetLanConfigEntry, entry), async_add_entities)
    elif isinstance(runtime, MeterRuntimeData) and setups.meter is not None:
        setups.meter(hass, cast(SmartMeterConfigEntry, entry), async_add_entities)
    elif isinstance(runtime, HomeEnergyRuntimeData) and setups.home_energy is not None:
        setups.home_energy(hass, cast(HomeEnergyConfigEntry, entry), async_add_entities)
