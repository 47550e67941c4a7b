# expect: No parameter named "via_devic"; Expected 1 positional argument
"""Existing names called in ways their signatures do not allow."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo

INFO = DeviceInfo(identifiers={("echonet_hems", "object")}, via_devic=("echonet_hems", "node"))


def registry(hass: HomeAssistant) -> dr.DeviceRegistry:
    """One positional argument too many."""
    return dr.async_get(hass, "echonet_hems")
