"""ECHONET Lite HEMS for Home Assistant.

`async_setup_entry` dispatches on the entry kind (`EntryKind`): the ECHONET Lite network (LAN) hub, or a smart meter
read over the Wi-SUN B-route.
"""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, ConfigEntryError, ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .const import (
    CONF_INTERFACE,
    CONF_KIND,
    CONF_PAN,
    CONF_PORT,
    CONF_ROUTE_B_ID,
    CONF_ROUTE_B_PASSWORD,
    DOMAIN,
    EntryKind,
)
from .endpoint import async_acquire_endpoint
from .ha_compat import OPTIONS_FLOW_RELOADS
from .home_energy_runtime import HomeEnergyConfigEntry, HomeEnergyRuntimeData, async_setup_home_energy
from .interfaces import async_network_interfaces, async_resolve_interface, is_address
from .issues import ISSUE_METER_BUSY, ISSUE_NO_MULTICAST, ISSUE_PORT_IN_USE, entry_issue
from .lan_hub import EchonetLanConfigEntry, LanHub, LanRuntimeData
from .lib.broute.credentials import InvalidCredentialsError
from .lib.broute.meter import SmartMeterClient
from .lib.broute.readings import MeterIdentity
from .lib.broute.session import BRouteSession, MeterBusyError
from .lib.errors import AuthError, HemsError, TransportError
from .meter_coordinator import (
    MeterRuntimeData,
    SmartMeterConfigEntry,
    SmartMeterCoordinator,
    pan_from_data,
    pan_to_data,
)
from .meter_statistics import MeterStatistics
from .plan_card import async_register_plan_card
from .services import async_register_services

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
METER_PLATFORMS: list[Platform] = [Platform.BINARY_SENSOR, Platform.SENSOR]
HOME_ENERGY_PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.CALENDAR,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
]

type EchonetHemsConfigEntry = ConfigEntry[LanRuntimeData | MeterRuntimeData | HomeEnergyRuntimeData]
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions and the plan card (once, whatever entries exist)."""
    async_register_services(hass)
    await async_register_plan_card(hass)
    return True


def _entry_kind(entry: ConfigEntry[Any]) -> EntryKind | None:
    try:
        return EntryKind(str(entry.data.get(CONF_KIND)))
    except ValueError:
        return None


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry[Any]) -> bool:
    """Set up an entry of any kind (each kind's set-up takes its own typed entry)."""
    kind = _entry_kind(entry)
    if kind is EntryKind.LAN:
        return await _async_setup_lan(hass, entry)
    if kind is EntryKind.BROUTE:
        return await _async_setup_meter(hass, entry)
    if kind is EntryKind.HOME_ENERGY:
        return await _async_setup_home_energy(hass, entry)
    raise ConfigEntryError(translation_domain=DOMAIN, translation_key="unknown_entry_kind")


async def _async_setup_lan(hass: HomeAssistant, entry: EchonetLanConfigEntry) -> bool:
    interface = await async_resolve_interface(hass, entry.data[CONF_INTERFACE])
    if interface is None:  # the adapter is gone or has no IPv4 address now (not a port problem)
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN,
            translation_key="interface_unavailable",
            translation_placeholders={"interface": entry.data[CONF_INTERFACE]},
        )
    try:
        lease = await async_acquire_endpoint(hass, interface.address)
    except TransportError as err:
        entry_issue(hass, entry, ISSUE_PORT_IN_USE, active=True)
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="cannot_open_port") from err
    entry_issue(hass, entry, ISSUE_PORT_IN_USE, active=False)
    entry.async_on_unload(lease.async_release)
    hub = LanHub(hass, entry, lease, interface)
    entry.async_on_unload(hub.async_stop)
    entry.runtime_data = LanRuntimeData(client=lease.client, hub=hub, interface=interface)
    try:
        result = await hub.async_search()
    except HemsError as err:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="communication_error") from err
    # Nothing answered, not even the multicast: suggest manual addresses (the usual cause is a network that drops
    # multicast, e.g. Wi-Fi isolation or a router without IGMP snooping support).
    entry_issue(hass, entry, ISSUE_NO_MULTICAST, active=not result.nodes and not result.multicast_responders)
    if not result.nodes:
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="no_devices")
    await hass.config_entries.async_forward_entry_setups(entry, LAN_PLATFORMS)
    await hub.async_start()
    if not OPTIONS_FLOW_RELOADS:  # Home Assistant before 2025.8 (see ha_compat)
        entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_setup_meter(hass: HomeAssistant, entry: SmartMeterConfigEntry) -> bool:
    try:
        session = BRouteSession(
            entry.data[CONF_PORT],
            entry.data[CONF_ROUTE_B_ID],
            entry.data[CONF_ROUTE_B_PASSWORD],
            pan=pan_from_data(entry.data.get(CONF_PAN)),
        )
    except InvalidCredentialsError as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed") from err
    meter = SmartMeterClient(session)
    entry.async_on_unload(session.close)
    entry.async_on_unload(meter.close)  # unload callbacks run last-first: the client lets go before the session ends
    identity = await _async_join_meter(hass, entry, session, meter)
    if identity.stable_id != entry.unique_id:
        raise ConfigEntryError(translation_domain=DOMAIN, translation_key="different_meter")
    if session.pan is not None and entry.data.get(CONF_PAN) != pan_to_data(session.pan):
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_PAN: pan_to_data(session.pan)})
    coordinator = SmartMeterCoordinator(hass, entry, session, meter)
    entry.runtime_data = MeterRuntimeData(session=session, meter=meter, identity=identity, coordinator=coordinator)
    entry.async_on_unload(coordinator.async_start())
    await coordinator.async_config_entry_first_refresh()
    await hass.config_entries.async_forward_entry_setups(entry, METER_PLATFORMS)
    if "recorder" in hass.config.components:
        statistics = MeterStatistics(hass, meter, identity)
        entry.runtime_data.statistics = statistics
        coordinator.add_fixed_time_listener(statistics.async_on_fixed_time)
        entry.async_create_background_task(hass, statistics.async_fill(), f"{DOMAIN} meter history {entry.entry_id}")
    if not OPTIONS_FLOW_RELOADS:  # Home Assistant before 2025.8 (see ha_compat)
        entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_setup_home_energy(hass: HomeAssistant, entry: HomeEnergyConfigEntry) -> bool:
    entry.runtime_data = await async_setup_home_energy(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, HOME_ENERGY_PLATFORMS)
    if not OPTIONS_FLOW_RELOADS:  # Home Assistant before 2025.8 (see ha_compat)
        entry.async_on_unload(entry.add_update_listener(_async_options_updated))
    return True


async def _async_join_meter(
    hass: HomeAssistant, entry: SmartMeterConfigEntry, session: BRouteSession, meter: SmartMeterClient
) -> MeterIdentity:
    """Join and read the meter's identity; setup errors for what fails (retry, reauth)."""
    try:
        await session.start()
        identity = await meter.identity()
    except AuthError as err:
        raise ConfigEntryAuthFailed(translation_domain=DOMAIN, translation_key="auth_failed") from err
    except MeterBusyError as err:
        entry_issue(hass, entry, ISSUE_METER_BUSY, active=True)
        raise ConfigEntryNotReady(translation_domain=DOMAIN, translation_key="meter_busy") from err
    except HemsError as err:
        raise ConfigEntryNotReady(
            translation_domain=DOMAIN, translation_key="meter_unreachable", translation_placeholders={"error": str(err)}
        ) from err
    entry_issue(hass, entry, ISSUE_METER_BUSY, active=False)
    return identity


async def _async_options_updated(hass: HomeAssistant, entry: EchonetHemsConfigEntry) -> None:
    """Options changed (extra addresses, poll interval): reload so they apply (only before Home Assistant 2025.8)."""
    await hass.config_entries.async_reload(entry.entry_id)


async def async_remove_config_entry_device(
    hass: HomeAssistant, entry: EchonetHemsConfigEntry, device: dr.DeviceEntry
) -> bool:
    """Let the user delete a device that is gone: a node (or its objects) that no longer answers.

    A device that still answers is refused: it would be re-created by the next search or announcement. The smart
    meter's device is the entry itself (remove the entry instead).
    """
    runtime = entry.runtime_data
    if not isinstance(runtime, LanRuntimeData):
        return False
    identifiers = {identifier for domain, identifier in device.identifiers if domain == DOMAIN}
    for coordinator in runtime.coordinators.values():
        answering = coordinator.last_update_success and coordinator.data is not None
        if answering and identifiers & {coordinator.object_id, coordinator.node.node_id}:
            return False
    # Forgotten, it comes back whole (device and entities) when it answers again, without a reload.
    runtime.hub.forget(identifiers)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: ConfigEntry[Any]) -> bool:
    """1.1 → 1.2: a LAN entry names its network adapter ("eth0") instead of the address it had (DHCP changes it)."""
    if entry.version > 1:
        return False  # a newer version of the integration wrote it: refuse rather than guess
    if entry.minor_version < 2:
        data = dict(entry.data)
        unique_id = entry.unique_id
        if _entry_kind(entry) is EntryKind.LAN and is_address(address := data[CONF_INTERFACE]):
            named = next((i for i in await async_network_interfaces(hass) if i.address == address), None)
            if named is not None:
                data[CONF_INTERFACE] = unique_id = named.name
            # Not found (the address is gone already): the entry keeps it and set-up says the interface is missing;
            # reconfigure picks the adapter by name.
        hass.config_entries.async_update_entry(entry, data=data, unique_id=unique_id, minor_version=2)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: EchonetHemsConfigEntry) -> bool:
    """Unload the platforms; clients, sessions and discovery stop through the entry's unload callbacks."""
    platforms = {
        EntryKind.BROUTE: METER_PLATFORMS,
        EntryKind.HOME_ENERGY: HOME_ENERGY_PLATFORMS,
    }.get(_entry_kind(entry) or EntryKind.LAN, LAN_PLATFORMS)
    return await hass.config_entries.async_unload_platforms(entry, platforms)
