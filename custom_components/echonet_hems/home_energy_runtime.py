"""The Home energy entry's run-time objects and its set-up: the house balance, the PV outlook, the agency's warnings
and solar charge, wired together (each module stays free of the others' imports)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Event, HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import DOMAIN, HOME_ENERGY_UNIQUE_ID
from .home_energy import HomeEnergyCoordinator
from .home_energy_forecast import PVForecastCoordinator
from .home_energy_warning import JmaWarningCoordinator, jma_coordinator_for
from .lib.energy.balance import ContractMode
from .solar_charge_coordinator import SolarChargeCoordinator, settings_from_options


@dataclass(slots=True)
class HomeEnergyRuntimeData:
    """The Home energy entry's run-time objects."""

    coordinator: HomeEnergyCoordinator
    forecast: PVForecastCoordinator
    jma: JmaWarningCoordinator | None
    solar_charge: SolarChargeCoordinator


type HomeEnergyConfigEntry = ConfigEntry[HomeEnergyRuntimeData]


async def async_setup_home_energy(hass: HomeAssistant, entry: HomeEnergyConfigEntry) -> HomeEnergyRuntimeData:
    """Restore the ledger, find the sources and compute the first balance (never fails for a missing source)."""
    coordinator = HomeEnergyCoordinator(hass, entry)
    await coordinator.async_load()
    coordinator.async_start()
    forecast = PVForecastCoordinator(hass, entry, lambda: coordinator.sources)
    coordinator.forecast = forecast
    coordinator.jma = jma = jma_coordinator_for(hass, entry)
    if jma is not None:  # unreachable feed: the warning sensor is unavailable, set-up goes on
        await jma.async_refresh()
        entry.async_on_unload(jma.async_add_listener(coordinator.async_request_refresh_soon))
    suffix = "_full" if coordinator.mode is ContractMode.FULL else ""
    forecast.house_entity_id = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{HOME_ENERGY_UNIQUE_ID}_house_energy{suffix}"
    )
    await forecast.async_refresh()  # before the balance: the guards read the history it loads
    entry.async_on_unload(forecast.async_add_listener(coordinator.async_request_refresh_soon))
    await coordinator.async_config_entry_first_refresh()
    solar_charge = SolarChargeCoordinator(hass, entry, coordinator, forecast, settings_from_options(entry.options))
    await solar_charge.async_load()
    entry.async_on_unload(solar_charge.async_release_devices)
    # Unload callbacks run last-first: the devices are handed back before their polls let go of what they read.
    entry.async_on_unload(solar_charge.async_hand_back)

    async def _async_hand_back_on_stop(_event: Event) -> None:
        # A coroutine function, not a lambda returning the coroutine: Home Assistant runs a plain function in its
        # executor, where the coroutine was made and never awaited (nothing was handed back at stop).
        await solar_charge.async_hand_back()

    entry.async_on_unload(hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _async_hand_back_on_stop))
    await solar_charge.async_refresh()
    return HomeEnergyRuntimeData(coordinator=coordinator, forecast=forecast, jma=jma, solar_charge=solar_charge)
