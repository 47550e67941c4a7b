"""Config flow: menu → LAN (interface, search, manual addresses) → confirmation; errors and recovery; reconfigure;
options. Runs the search against the virtual home over real sockets."""

from __future__ import annotations

from collections.abc import Iterator
import ipaddress
from unittest.mock import AsyncMock, patch

from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.config_flow import InvalidAddressError, parse_addresses
from custom_components.echonet_hems.const import CONF_ADDRESSES, CONF_INTERFACE, CONF_KIND, DOMAIN
from custom_components.echonet_hems.lib.echonet.discovery import SearchResult
from custom_components.echonet_hems.lib.errors import TransportError
from virtual_home.runtime import VirtualHome

from .conftest import INTERFACE

pytestmark = pytest.mark.usefixtures("mock_adapters")


@pytest.fixture(autouse=True)
def mock_setup_entry() -> Iterator[AsyncMock]:
    """Flow tests stop at the entry: setting it up is tested in test_init."""
    with patch("custom_components.echonet_hems.async_setup_entry", AsyncMock(return_value=True)) as mock:
        yield mock


async def _start_lan(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["lan", "broute", "home_energy"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "lan"})
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "lan"
    options = result["data_schema"].schema[CONF_INTERFACE].config["options"]
    # Enabled adapters' IPv4 addresses only.
    assert [option["value"] for option in options] == [INTERFACE, "eth0"]
    return result["flow_id"]


async def test_lan_search_finds_the_home_and_creates_the_entry(
    hass: HomeAssistant, home: VirtualHome, mock_setup_entry: AsyncMock
) -> None:
    flow_id = await _start_lan(hass)
    manual = home.nodes[8].address
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_INTERFACE: INTERFACE, CONF_ADDRESSES: f" {manual}, ,{manual}"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "lan_confirm"
    placeholders = result["description_placeholders"]
    assert placeholders is not None
    assert placeholders["interface"] == INTERFACE
    assert int(placeholders["count"]) >= 9  # a concurrently running virtual home elsewhere may answer too
    for node in home.nodes:
        assert f"({node.address})" in placeholders["devices"]
    assert "Nichicon VH-BATTERY (127.0.0.201): 027D01" in placeholders["devices"]

    result = await hass.config_entries.flow.async_configure(flow_id, {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == f"ECHONET Lite ({INTERFACE})"
    assert result["data"] == {CONF_KIND: "lan", CONF_INTERFACE: INTERFACE, CONF_ADDRESSES: [manual]}
    assert result["result"].unique_id == INTERFACE
    assert len(mock_setup_entry.mock_calls) == 1


async def test_invalid_address_then_recover(hass: HomeAssistant, home: VirtualHome) -> None:
    flow_id = await _start_lan(hass)
    # Loopback is the adapter's network here (127.0.0.0/8): its broadcast address is refused too.
    bad_ones = ("192.168.1", "224.0.23.0", "0.0.0.0", "0.0.0.1", "240.0.0.1", "255.255.255.255", "127.255.255.255")
    for bad in (*bad_ones, "fe80::1"):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_INTERFACE: INTERFACE, CONF_ADDRESSES: f"{home.nodes[0].address}, {bad}"}
        )
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {CONF_ADDRESSES: "invalid_address"}, bad
    result = await hass.config_entries.flow.async_configure(
        flow_id, {CONF_INTERFACE: INTERFACE, CONF_ADDRESSES: home.nodes[0].address}
    )
    assert result["step_id"] == "lan_confirm"


async def test_port_in_use_then_recover(hass: HomeAssistant, home: VirtualHome) -> None:
    # Holding UDP 3610 for real would break any other ECHONET suite running on this host at the same time.
    flow_id = await _start_lan(hass)
    with patch(
        "custom_components.echonet_hems.endpoint.EchonetClient.start",
        side_effect=TransportError("cannot open UDP 3610: port in use"),
    ):
        result = await hass.config_entries.flow.async_configure(flow_id, {CONF_INTERFACE: INTERFACE})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "port_in_use"}
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_INTERFACE: INTERFACE})
    assert result["step_id"] == "lan_confirm"


async def test_no_devices_then_recover(hass: HomeAssistant, home: VirtualHome) -> None:
    # An empty network cannot be guaranteed while other suites' virtual homes answer multicast on loopback.
    flow_id = await _start_lan(hass)
    with patch(
        "custom_components.echonet_hems.config_flow.Discovery.search",
        AsyncMock(return_value=SearchResult((), ("127.0.0.250",))),
    ):
        result = await hass.config_entries.flow.async_configure(
            flow_id, {CONF_INTERFACE: INTERFACE, CONF_ADDRESSES: "127.0.0.250"}
        )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "no_devices"}
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_INTERFACE: INTERFACE})
    assert result["step_id"] == "lan_confirm"


async def test_interface_already_configured(hass: HomeAssistant, lan_entry: MockConfigEntry) -> None:
    lan_entry.add_to_hass(hass)
    flow_id = await _start_lan(hass)
    result = await hass.config_entries.flow.async_configure(flow_id, {CONF_INTERFACE: INTERFACE})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


async def test_no_ipv4_interface(hass: HomeAssistant, mock_adapters: AsyncMock) -> None:
    mock_adapters.return_value = []
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "lan"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "no_interfaces"


async def test_reconfigure_searches_again_and_updates(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    result = await lan_entry.start_reconfigure_flow(hass)
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: INTERFACE, CONF_ADDRESSES: "not-an-address"}
    )
    assert result["errors"] == {CONF_ADDRESSES: "invalid_address"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_INTERFACE: INTERFACE, CONF_ADDRESSES: home.nodes[2].address}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert lan_entry.data[CONF_ADDRESSES] == [home.nodes[2].address]
    assert lan_entry.unique_id == INTERFACE


async def test_reconfigure_to_an_interface_of_another_entry(hass: HomeAssistant, lan_entry: MockConfigEntry) -> None:
    lan_entry.add_to_hass(hass)
    other = MockConfigEntry(
        domain=DOMAIN,
        unique_id="eth0",
        data={CONF_KIND: "lan", CONF_INTERFACE: "eth0", CONF_ADDRESSES: []},
    )
    other.add_to_hass(hass)
    result = await lan_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_INTERFACE: "eth0"})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"
    assert lan_entry.data[CONF_INTERFACE] == INTERFACE


async def test_options_extra_addresses(hass: HomeAssistant, lan_entry: MockConfigEntry) -> None:
    lan_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(lan_entry.entry_id)
    assert result["type"] is FlowResultType.FORM
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ADDRESSES: "192.168.1.20, 300.1.1.1"}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_ADDRESSES: "invalid_address"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {CONF_ADDRESSES: "192.168.1.20,192.168.1.21"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert lan_entry.options == {CONF_ADDRESSES: ["192.168.1.20", "192.168.1.21"]}


def test_parse_addresses_refuses_the_broadcast_of_the_adapters_network() -> None:
    network = ipaddress.IPv4Network("192.168.1.0/24")
    assert parse_addresses("192.168.1.20, 192.168.1.254", network) == ["192.168.1.20", "192.168.1.254"]
    for bad in ("192.168.1.255", "192.168.1.0"):
        with pytest.raises(InvalidAddressError):
            parse_addresses(bad, network)
    assert parse_addresses("192.168.1.255") == ["192.168.1.255"]  # without the network it may be a device (/23)


def test_parse_addresses() -> None:
    assert parse_addresses("") == []
    assert parse_addresses(" 10.0.0.1 ,10.0.0.1, 10.0.0.2 ") == ["10.0.0.1", "10.0.0.2"]
    with pytest.raises(InvalidAddressError):
        parse_addresses("10.0.0.1; 10.0.0.2")


async def test_an_adapter_that_lost_its_address_while_the_form_was_open_then_recover(
    hass: HomeAssistant, home: VirtualHome, mock_adapters: AsyncMock
) -> None:
    adapters = mock_adapters.return_value
    second = {**adapters[0], "name": "lo-b", "index": 9, "ipv4": [{"address": "127.0.0.65", "network_prefix": 26}]}
    mock_adapters.return_value = [*adapters, second]
    result = await hass.config_entries.flow.async_init(DOMAIN, context={"source": SOURCE_USER})
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {"next_step_id": "lan"})
    mock_adapters.return_value = [{**adapters[0], "ipv4": []}, *adapters[1:], second]  # "lo" lost its address
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_INTERFACE: INTERFACE})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {CONF_INTERFACE: "interface_unavailable"}
    offered = [option["value"] for option in result["data_schema"].schema[CONF_INTERFACE].config["options"]]
    assert offered == ["eth0", "lo-b"]
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {CONF_INTERFACE: "lo-b"})
    assert result["step_id"] == "lan_confirm"
