"""Diagnostics dump raw property maps and EDTs (hex) and redact identities, production numbers and addresses."""

from __future__ import annotations

from dataclasses import replace
import json
from pathlib import Path

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from syrupy.assertion import SnapshotAssertion
from syrupy.filters import props

from custom_components.echonet_hems.const import CONF_ADDRESSES
from custom_components.echonet_hems.diagnostics import async_get_config_entry_diagnostics
from custom_components.echonet_hems.lib.errors import TransportError
from virtual_home.runtime import VirtualHome

from .conftest import INTERFACE_ADDRESS
from .helpers import node_id
from .meter_rig import METER_MAC, PASSWORD, ROUTE_B_ID, meter_rig


async def test_diagnostics_redact_and_keep_raw_maps(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(lan_entry, options={CONF_ADDRESSES: [home.nodes[0].address]})
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()

    diagnostics = await async_get_config_entry_diagnostics(hass, lan_entry)
    dump = json.dumps(diagnostics)
    for node in home.nodes:
        assert node_id(node) not in dump
        assert node.identity.serial not in dump
        assert f'"{node.address}"' not in dump
    assert INTERFACE_ADDRESS not in dump
    assert diagnostics["entry"]["data"]["interface"] == "**REDACTED**"
    assert diagnostics["entry"]["options"][CONF_ADDRESSES] == "**REDACTED**"

    # Nodes are listed under aliases in identity order (another virtual home on this host may answer too).
    alias = f"node_{sorted(lan_entry.runtime_data.discovery.nodes).index(node_id(home.nodes[1]))}"
    battery_node = next(node for node in diagnostics["nodes"] if node["node"] == alias)
    battery = battery_node["objects"][0]
    assert battery["eoj"] == "027D01"
    assert battery["release"] == "R"
    assert battery["manufacturer_code"] == "0x00006C"
    assert "0xDA" in battery["set_map"]
    assert "0xE4" in battery["get_map"]
    assert "0xE4" in battery["polled"]
    assert battery["values"]["0xE4"] == "32"  # 50 %
    assert battery["last_update_success"] is True
    assert battery_node["product_code"] == "VH-BATTERY"
    assert battery_node["identification_number"] == "**REDACTED**"
    assert battery_node["address"] == "**REDACTED**"
    assert battery_node["manufacturer_code"] == "0x00006C"
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_lan_diagnostics_snapshot(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    # The home's clock is frozen, so every EDT is reproducible; the snapshot shows what a user's dump reveals.
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    assert await async_get_config_entry_diagnostics(hass, lan_entry) == snapshot
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_meter_diagnostics_redact_credentials_and_identity(
    hass: HomeAssistant, tmp_path: Path, snapshot: SnapshotAssertion
) -> None:
    async with meter_rig(tmp_path) as rig:
        entry = rig.entry()
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        diagnostics = await async_get_config_entry_diagnostics(hass, entry)
        dump = json.dumps(diagnostics)
        for secret in (ROUTE_B_ID, PASSWORD, METER_MAC, rig.url, rig.home.meter.config.serial):
            assert secret not in dump, secret
        assert diagnostics["session"]["state"] == "connected"
        assert diagnostics["reading"]["power_w"] is not None
        # The live readings change with the simulated home; everything else is fixed.
        assert diagnostics == snapshot(
            exclude=props("power_w", "current_r_a", "current_t_a", "import_raw", "export_raw")
        )
        # A dongle error names its port (a by-id path carries the dongle's serial): diagnostics leave it out.
        coordinator = entry.runtime_data.coordinator
        coordinator.status = replace(coordinator.status, last_error=TransportError(f"cannot open {rig.url}: unplugged"))
        diagnostics = await async_get_config_entry_diagnostics(hass, entry)
        assert rig.url not in json.dumps(diagnostics)
        assert diagnostics["session"]["last_error"] == "TransportError: cannot open **REDACTED**: unplugged"
        assert await hass.config_entries.async_unload(entry.entry_id)
