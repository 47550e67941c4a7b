"""ECHONET Lite HEMS for Home Assistant.

`async_setup_entry` dispatches on the entry kind (`EntryKind`); the ECHONET Lite network (LAN) hub is the first kind.
"""

from __future__ import annotations

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryError, ConfigEntryNotReady

from .const import CONF_INTERFACE, CONF_KIND, DOMAIN, REQUEST_RETRIES, REQUEST_TIMEOUT, EntryKind
from .coordinator import EchonetLanConfigEntry, LanHub, LanRuntimeData
from .lib.echonet.client import EchonetClient
from .lib.errors import HemsError, TransportError

__all__ = ["DOMAIN"]

LAN_PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.CLIMATE,
    Platform.LIGHT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.WATER_HEATER,
]


async def async_setup_entry(hass: HomeAssistant, entry: EchonetLanConfigEntry) -> bool:
    """Set up an entry of any kind."""
    kind = entry.data.get(CONF_KIND)
    if kind != EntryKind.LAN:
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="unknown_entry_kind")
    return await _async_setup_lan(hass, entry)


async def _async_setup_lan(hass: HomeAssistant, entry: EchonetLanConfigEntry) -> bool:
    client = EchonetClient(interface=entry.data[CONF_INTERFACE], timeout=REQUEST_TIMEOUT, retries=REQUEST_RETRIES)
    try:
        await client.start()
    except TransportError as err:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="cannot_open_port") from err
    entry.async_on_unload(client.close)
    hub = LanHub(hass, entry, client)
    entry.async_on_unload(hub.async_stop)
    entry.runtime_data = LanRuntimeData(client=client, hub=hub)
    try:
        found = await hub.async_search()
    except HemsError as err:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="communication_error") from err
    if not found:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="no_devices")
    await hass.config_entries.async_forward_entry_setups(entry, LAN_PLATFORMS)
    await hub.async_start()
    entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_options_updated(hass: HomeAssistant, entry: EchonetLanConfigEntry) -> None:
    """Extra addresses changed: reload so they are searched."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_unload_entry(hass: HomeAssistant, entry: EchonetLanConfigEntry) -> bool:
    """Unload the platforms; the client and discovery stop through the entry's unload callbacks."""
    return await hass.config_entries.async_unload_platforms(entry, LAN_PLATFORMS)
