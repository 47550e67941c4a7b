"""One ECHONET Lite endpoint per Home Assistant: several LAN entries and the flow's search share one UDP 3610 socket.

On Linux, of two sockets bound to UDP 3610 only the one bound last receives unicast answers; with a socket per entry
(or per search) the other entry's Gets time out. These tests run two entries side by side against two virtual homes,
and a search next to a running hub, over real sockets.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
import copy
import socket
from typing import Any
from unittest.mock import AsyncMock

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import SERVICE_TURN_OFF, SERVICE_TURN_ON
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.const import CONF_ADDRESSES, CONF_INTERFACE, CONF_KIND, DOMAIN, EntryKind
from custom_components.echonet_hems.endpoint import DATA_ENDPOINT, async_acquire_endpoint
from custom_components.echonet_hems.lan_hub import EchonetLanConfigEntry
from custom_components.echonet_hems.lib.echonet.discovery import IdentityConflictError, NodeRefusedError
from custom_components.echonet_hems.lib.echonet.frame import EOJ, NODE_PROFILE
from custom_components.echonet_hems.lib.echonet.property_map import encode_property_map
from virtual_home.clock import ManualClock
from virtual_home.runtime import HomeOptions, VirtualHome

from ..lib.echonet.fake_node import FakeNode, PropertyStore
from .conftest import ADAPTERS, INTERFACE, START, make_lan_entry
from .helpers import entity_id, node_id, state, wait_for

# Two "interfaces" on loopback: 127.0.0.192/26 holds the first home (127.0.0.200-208), 127.0.0.64/26 the second
# (127.0.0.80-88). Both addresses resolve to the loopback device, so multicast reaches both homes: each entry keeps
# the nodes of its own network.
NETWORK_A = {"name": "lo-a", "address": "127.0.0.193", "prefix": 26}
NETWORK_B = {"name": "lo-b", "address": "127.0.0.65", "prefix": 26}
SECOND_HOME_BASE = "127.0.0.80"


def _adapter(network: dict[str, Any], index: int) -> dict[str, Any]:
    adapter = copy.deepcopy(ADAPTERS[0])
    adapter.update(name=network["name"], index=index, default=False)
    adapter["ipv4"] = [{"address": network["address"], "network_prefix": network["prefix"]}]
    return adapter


@pytest.fixture
async def second_home() -> AsyncIterator[VirtualHome]:
    """Another nine-node home on 127.0.0.80-88, with other identification numbers."""
    options = HomeOptions(start=START, base_address=SECOND_HOME_BASE, history_days=0, seed=71)
    async with VirtualHome(options, clock=ManualClock(START)) as virtual_home:
        yield virtual_home


async def _setup(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED


async def test_two_entries_on_two_networks_both_poll_and_set(
    hass: HomeAssistant, home: VirtualHome, second_home: VirtualHome, mock_adapters: AsyncMock
) -> None:
    mock_adapters.return_value = [_adapter(NETWORK_A, 1), _adapter(NETWORK_B, 2)]
    first, second = make_lan_entry("lo-a"), make_lan_entry("lo-b")
    await _setup(hass, first)
    await _setup(hass, second)

    # One socket, joined on both interfaces; each entry owns the nodes of its own network, none twice.
    endpoint = hass.data[DATA_ENDPOINT]
    assert endpoint.leases == 2
    assert endpoint.client.interfaces == {NETWORK_A["address"], NETWORK_B["address"]}
    runtime_a: EchonetLanConfigEntry = first  # type: ignore[assignment]
    runtime_b: EchonetLanConfigEntry = second  # type: ignore[assignment]
    assert runtime_a.runtime_data.client is runtime_b.runtime_data.client
    nodes_a = {coordinator.node.node_id for coordinator in runtime_a.runtime_data.coordinators.values()}
    nodes_b = {coordinator.node.node_id for coordinator in runtime_b.runtime_data.coordinators.values()}
    assert nodes_a == {node_id(node) for node in home.nodes}
    assert nodes_b == {node_id(node) for node in second_home.nodes}

    # Both keep polling: every object of both entries answers, twice over.
    for _ in range(2):
        for entry in (runtime_a, runtime_b):
            for coordinator in entry.runtime_data.coordinators.values():
                await coordinator.async_refresh()
                assert coordinator.last_update_success, coordinator.object_id

    # And both can set: each home's light is switched through its own entry.
    for virtual_home in (home, second_home):
        light = entity_id(hass, "light", virtual_home.nodes[8], "029001", "light")
        target = SERVICE_TURN_OFF if state(hass, light).state == "on" else SERVICE_TURN_ON
        await hass.services.async_call("light", target, {"entity_id": light}, blocking=True)
        expected = "off" if target == SERVICE_TURN_OFF else "on"
        await wait_for(hass, lambda light=light, expected=expected: state(hass, light).state == expected)

    # The endpoint outlives the first entry and closes with the last.
    client = endpoint.client
    assert await hass.config_entries.async_unload(first.entry_id)
    assert client.is_open
    assert client.interfaces == {NETWORK_B["address"]}
    assert await hass.config_entries.async_unload(second.entry_id)
    assert not client.is_open
    assert DATA_ENDPOINT not in hass.data


async def test_a_search_in_the_flow_next_to_a_running_hub_keeps_its_entities_available(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry, mock_adapters: AsyncMock
) -> None:
    await _setup(hass, lan_entry)
    typed: EchonetLanConfigEntry = lan_entry  # type: ignore[assignment]
    coordinators = list(typed.runtime_data.coordinators.values())
    mock_adapters.return_value = [*ADAPTERS[:1], _adapter(NETWORK_B, 2)]

    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": "user"})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "lan"})
    search = hass.async_create_task(
        hass.config_entries.flow.async_configure(result["flow_id"], {CONF_INTERFACE: "lo-b", CONF_ADDRESSES: ""})
    )
    # While the flow's search is under way (its multicast window is open), the hub polls every object.
    await wait_for(hass, lambda: DATA_ENDPOINT in hass.data and hass.data[DATA_ENDPOINT].leases == 2)
    for coordinator in coordinators:
        await coordinator.async_refresh()
        assert coordinator.last_update_success, coordinator.object_id
    found = await search
    assert found["type"] is FlowResultType.FORM
    assert found["step_id"] == "lan_confirm"
    assert hass.data[DATA_ENDPOINT].leases == 1  # the flow let go of the endpoint
    battery = entity_id(hass, "sensor", home.nodes[1], "027D01", "state_of_charge")
    assert state(hass, battery).state != "unavailable"
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_a_program_holding_port_3610_without_sharing_raises_the_repair(
    hass: HomeAssistant, lan_entry: MockConfigEntry
) -> None:
    # No virtual home here: a socket bound without SO_REUSEADDR can only hold the port while nothing else binds it.
    foreign = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        foreign.bind(("0.0.0.0", 3610))
        lan_entry.add_to_hass(hass)
        await hass.config_entries.async_setup(lan_entry.entry_id)
        assert lan_entry.state is ConfigEntryState.SETUP_RETRY
        issue = ir.async_get(hass).async_get_issue(DOMAIN, f"port_in_use_{lan_entry.entry_id}")
        assert issue is not None
        assert issue.translation_key == "port_in_use"
    finally:
        foreign.close()
    assert DATA_ENDPOINT not in hass.data  # nothing half-open is left behind


async def test_the_hub_follows_its_adapter_by_name_after_an_address_change(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry, mock_adapters: AsyncMock
) -> None:
    # DHCP gave the adapter another address: the entry (keyed by "lo") still sets up, on the new address.
    moved = _adapter({"name": INTERFACE, "address": "127.0.0.2", "prefix": 8}, 1)
    mock_adapters.return_value = [moved]
    await _setup(hass, lan_entry)
    typed: EchonetLanConfigEntry = lan_entry  # type: ignore[assignment]
    assert typed.runtime_data.interface.address == "127.0.0.2"
    assert typed.runtime_data.coordinators
    assert await hass.config_entries.async_unload(lan_entry.entry_id)

    # The adapter lost its address: a clear "interface unavailable", not the port repair.
    mock_adapters.return_value = []
    await hass.config_entries.async_setup(lan_entry.entry_id)
    assert lan_entry.state is ConfigEntryState.SETUP_RETRY
    assert lan_entry.reason is not None
    assert "has no IPv4 address" in lan_entry.reason
    assert ir.async_get(hass).async_get_issue(DOMAIN, f"port_in_use_{lan_entry.entry_id}") is None


async def test_an_entry_keyed_by_address_migrates_to_the_adapter_name(hass: HomeAssistant, home: VirtualHome) -> None:
    old = MockConfigEntry(
        domain=DOMAIN,
        title="ECHONET Lite (127.0.0.1)",
        unique_id="127.0.0.1",
        data={CONF_KIND: EntryKind.LAN.value, CONF_INTERFACE: "127.0.0.1", CONF_ADDRESSES: []},
        version=1,
        minor_version=1,
    )
    await _setup(hass, old)
    assert old.minor_version == 2
    assert old.data[CONF_INTERFACE] == INTERFACE
    assert old.unique_id == INTERFACE
    assert await hass.config_entries.async_unload(old.entry_id)


async def test_a_deleted_device_that_answers_again_gets_its_entities_back(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await _setup(hass, lan_entry)
    light_node = home.nodes[8]
    light = entity_id(hass, "light", light_node, "029001", "light")
    devices = dr.async_get(hass)
    device = devices.async_get_device(identifiers={(DOMAIN, node_id(light_node))})
    assert device is not None

    # Gone (silent), deleted by the user, then back: the next search brings device and entities back, no reload.
    light_node.faults.silent = True
    typed: EchonetLanConfigEntry = lan_entry  # type: ignore[assignment]
    for coordinator in typed.runtime_data.coordinators.values():
        if coordinator.node.node_id == node_id(light_node):
            await coordinator.async_refresh()
            assert not coordinator.last_update_success
    for removable in dr.async_entries_for_config_entry(devices, lan_entry.entry_id):
        if device.id in {removable.id, removable.via_device_id}:
            response = await _remove_device(hass, lan_entry, removable.id)
            assert response["success"], response
    assert hass.states.get(light) is None
    light_node.faults.silent = False
    await typed.runtime_data.hub.async_search()
    await hass.async_block_till_done()
    await wait_for(hass, lambda: bool(hass.states.get(light)) and state(hass, light).state != "unavailable")
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def _remove_device(hass: HomeAssistant, entry: MockConfigEntry, device_id: str) -> dict[str, Any]:
    """What the device page's "Delete" does: the integration decides, the registry removes."""
    from custom_components.echonet_hems import async_remove_config_entry_device

    device = dr.async_get(hass).async_get(device_id)
    assert device is not None
    if not await async_remove_config_entry_device(hass, entry, device):  # type: ignore[arg-type]
        return {"success": False}
    dr.async_get(hass).async_update_device(device_id, remove_config_entry_id=entry.entry_id)
    return {"success": True}


async def test_an_impostor_claiming_a_live_nodes_identity_raises_a_repair_and_is_never_followed(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await _setup(hass, lan_entry)
    typed: EchonetLanConfigEntry = lan_entry  # type: ignore[assignment]
    pv = home.nodes[0]
    coordinator = typed.runtime_data.coordinators[f"{node_id(pv)}-027901"]
    impostor = {
        NODE_PROFILE: {
            0x83: pv.identity.identification,
            0x8A: b"\x00\x00\x16",
            0xD6: b"\x01\x02\x79\x01",
        },
        EOJ(0x02, 0x79, 0x01): {0x9F: encode_property_map([0x80, 0xE0]), 0x9E: encode_property_map([0x80])},
    }
    async with FakeNode("127.0.0.99", PropertyStore(impostor)):
        with pytest.raises(IdentityConflictError):
            await typed.runtime_data.hub.discovery.probe("127.0.0.99")
    assert coordinator.node.address == pv.address  # the established node is kept: writes never go to the newcomer
    issue_id = f"identity_conflict_{lan_entry.entry_id}_{node_id(pv)}"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["newcomer"] == "127.0.0.99"
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert await hass.config_entries.async_unload(lan_entry.entry_id)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None


async def test_a_node_announcing_dozens_of_objects_is_listed_in_a_repair_not_added(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    await _setup(hass, lan_entry)
    typed: EchonetLanConfigEntry = lan_entry  # type: ignore[assignment]
    devices_before = len(dr.async_entries_for_config_entry(dr.async_get(hass), lan_entry.entry_id))
    many = [EOJ(0x02, 0x90, instance) for instance in range(1, 41)]
    flood = {
        NODE_PROFILE: {
            0x83: b"\xfe\x00\x00\x16" + bytes(12) + b"\x63",
            0x8A: b"\x00\x00\x16",
            0xD6: bytes([len(many)]) + b"".join(eoj.to_bytes() for eoj in many),
        },
    }
    async with FakeNode("127.0.0.98", PropertyStore(flood)):
        with pytest.raises(NodeRefusedError):
            await typed.runtime_data.hub.discovery.probe("127.0.0.98")
    assert len(dr.async_entries_for_config_entry(dr.async_get(hass), lan_entry.entry_id)) == devices_before
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"nodes_not_added_{lan_entry.entry_id}")
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["addresses"] == "127.0.0.98"
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_the_controller_keeps_its_identification_across_restarts(hass: HomeAssistant) -> None:
    first = await async_acquire_endpoint(hass, "127.0.0.1")
    identification = first.client.profile.identification
    await first.async_release()
    second = await async_acquire_endpoint(hass, "127.0.0.1")
    assert second.client is not first.client
    assert second.client.profile.identification == identification  # from the instance id, not random
    await second.async_release()
