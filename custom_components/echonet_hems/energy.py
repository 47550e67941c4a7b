"""The Energy dashboard's solar forecast: the Home energy entry's PV outlook, Wh per hour."""

from __future__ import annotations

from homeassistant.core import HomeAssistant

from .home_energy_runtime import HomeEnergyRuntimeData


async def async_get_solar_forecast(hass: HomeAssistant, config_entry_id: str) -> dict[str, dict[str, float]] | None:
    """Wh per hour from now to the end of tomorrow, keyed by the hour's start (ISO 8601); None without an outlook."""
    entry = hass.config_entries.async_get_entry(config_entry_id)
    if entry is None or not isinstance(getattr(entry, "runtime_data", None), HomeEnergyRuntimeData):
        return None
    outlook = entry.runtime_data.forecast.data
    if outlook is None:
        return None
    return {"wh_hours": {start.isoformat(): round(wh, 1) for start, wh in outlook.hourly_wh().items()}}
