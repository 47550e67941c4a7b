"""Time: solar charge's usual EV departure (Home Energy entry)."""

from __future__ import annotations

from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .home_energy_runtime import HomeEnergyConfigEntry
from .solar_charge_entities import EVDepartureTime

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant, entry: HomeEnergyConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """The departure time (only the Home energy entry forwards this platform)."""
    async_add_entities([EVDepartureTime(entry.runtime_data.solar_charge)])
