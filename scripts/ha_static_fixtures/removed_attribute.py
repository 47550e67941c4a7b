# expect: async_get_registry_removed; device_registry.async_get_registry_removed does not exist
"""A function read off a Home Assistant module that does not have it."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr


def registry(hass: HomeAssistant) -> object:
    """A registry getter that does not exist."""
    return dr.async_get_registry_removed(hass)
