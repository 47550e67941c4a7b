"""Names the integration relies on, used the way the release accepts them: the check must pass this file."""

from homeassistant.config_entries import ConfigEntry, OptionsFlow
from homeassistant.const import UnitOfTemperature
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo


def parent_device(hass: HomeAssistant, entry: ConfigEntry) -> dr.DeviceEntry:
    """Register a device with keyword arguments."""
    info = DeviceInfo(identifiers={("echonet_hems", "node")}, name="node")
    return dr.async_get(hass).async_get_or_create(config_entry_id=entry.entry_id, **info)


class Options(OptionsFlow):
    """An options flow."""

    unit = UnitOfTemperature.CELSIUS
