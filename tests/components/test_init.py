"""Setting up and unloading a LAN entry against the virtual home; retry when the network is not ready."""

from __future__ import annotations

from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.const import CONF_ADDRESSES, DOMAIN
from custom_components.echonet_hems.ha_compat import OPTIONS_FLOW_RELOADS
from custom_components.echonet_hems.lib.echonet.discovery import SearchResult
from custom_components.echonet_hems.lib.errors import TransportError
from virtual_home.runtime import VirtualHome

from .conftest import INTERFACE
from .helpers import entity_id, node_id, state


async def test_setup_creates_node_and_object_devices_and_unloads(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    assert lan_entry.state is ConfigEntryState.LOADED
    runtime = lan_entry.runtime_data
    assert runtime.client.is_open

    devices = dr.async_get(hass)
    battery_node = devices.async_get_device(identifiers={(DOMAIN, node_id(home.nodes[1]))})
    assert battery_node is not None
    assert (battery_node.manufacturer, battery_node.model) == ("Nichicon", "VH-BATTERY")
    assert battery_node.serial_number == home.nodes[1].identity.serial
    assert battery_node.sw_version == "1.13"
    battery = devices.async_get_device(identifiers={(DOMAIN, f"{node_id(home.nodes[1])}-027D01")})
    assert battery is not None
    assert battery.via_device_id == battery_node.id
    assert battery.name == "Storage battery"
    light_node = devices.async_get_device(identifiers={(DOMAIN, node_id(home.nodes[8]))})
    assert light_node is not None
    assert light_node.manufacturer == "Sharp"

    # One Get per object per poll: every entity's EPC of the battery is in the coordinator's single request.
    coordinator = runtime.coordinators[f"{node_id(home.nodes[1])}-027D01"]
    assert {0xE4, 0xD3, 0xD8, 0xD6, 0xE2, 0x88, 0xDA, 0xEB, 0xEC, 0xC8, 0xC9} <= coordinator.wanted
    with patch.object(runtime.client, "get", wraps=runtime.client.get) as get:
        await coordinator.async_refresh()
    assert get.call_count == 1
    assert state(hass, entity_id(hass, "sensor", home.nodes[1], "027D01", "state_of_charge")).state == "50"

    assert await hass.config_entries.async_unload(lan_entry.entry_id)
    await hass.async_block_till_done()
    assert lan_entry.state is ConfigEntryState.NOT_LOADED
    assert not runtime.client.is_open


async def test_options_change_reloads_with_the_extra_addresses(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    first_client = lan_entry.runtime_data.client
    # Through the options flow: it reloads the entry (OptionsFlowWithReload), or the update listener does where
    # Home Assistant predates it; never both (HA refuses an update listener together with OptionsFlowWithReload).
    assert bool(lan_entry.update_listeners) is not OPTIONS_FLOW_RELOADS
    result = await hass.config_entries.options.async_init(lan_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ADDRESSES: home.nodes[0].address}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert lan_entry.state is ConfigEntryState.LOADED
    assert lan_entry.runtime_data.client is not first_client
    assert not first_client.is_open
    assert home.nodes[0].address in lan_entry.runtime_data.hub.addresses
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_port_in_use_retries_setup_with_a_repair_until_it_opens(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    # Holding UDP 3610 for real would break any other ECHONET suite running on this host at the same time.
    lan_entry.add_to_hass(hass)
    with patch(
        "custom_components.echonet_hems.endpoint.EchonetClient.start", side_effect=TransportError("port in use")
    ):
        await hass.config_entries.async_setup(lan_entry.entry_id)
    assert lan_entry.state is ConfigEntryState.SETUP_RETRY
    assert lan_entry.reason is not None
    assert lan_entry.reason.startswith("Port 3610 (UDP) cannot be opened")
    issue_id = f"port_in_use_{lan_entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "port_in_use"
    await hass.config_entries.async_reload(lan_entry.entry_id)
    await hass.async_block_till_done()
    assert lan_entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_no_multicast_answers_suggests_manual_addresses_until_a_device_answers(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    # An empty network cannot be guaranteed while other suites' virtual homes answer multicast on loopback.
    lan_entry.add_to_hass(hass)
    with patch("custom_components.echonet_hems.LanHub.async_search", AsyncMock(return_value=SearchResult((), ()))):
        await hass.config_entries.async_setup(lan_entry.entry_id)
    assert lan_entry.state is ConfigEntryState.SETUP_RETRY
    issue_id = f"no_multicast_answers_{lan_entry.entry_id}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {"title": lan_entry.title, "interface": INTERFACE}
    await hass.config_entries.async_reload(lan_entry.entry_id)  # the home answers now
    await hass.async_block_till_done()
    assert lan_entry.state is ConfigEntryState.LOADED
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_search_failure_retries_setup(hass: HomeAssistant, lan_entry: MockConfigEntry) -> None:
    lan_entry.add_to_hass(hass)
    with patch(
        "custom_components.echonet_hems.LanHub.async_search", AsyncMock(side_effect=TransportError("socket error"))
    ):
        await hass.config_entries.async_setup(lan_entry.entry_id)
    assert lan_entry.state is ConfigEntryState.SETUP_RETRY


async def test_unknown_entry_kind_is_a_permanent_error(hass: HomeAssistant) -> None:
    entry = MockConfigEntry(domain=DOMAIN, data={"kind": "teleporter"})
    entry.add_to_hass(hass)
    await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR


async def test_device_pages_speak_words(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> None:
    """The maker's product code as the model, the class by name and code, the Appendix release in words."""
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    battery = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, f"{node_id(home.nodes[1])}-027D01")})
    assert battery is not None
    assert (battery.model, battery.model_id) == ("VH-BATTERY", "ECHONET Lite class 0x027D")
    assert battery.hw_version == "ECHONET Lite Appendix Release R"
    assert await hass.config_entries.async_unload(lan_entry.entry_id)
