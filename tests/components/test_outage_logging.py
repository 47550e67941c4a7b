"""Outages: logged once, not reset by an announcement; a node that announces itself is read again at once."""

from __future__ import annotations

import logging

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.lan_hub import EchonetLanConfigEntry
from custom_components.echonet_hems.lib.echonet.frame import Property
from virtual_home.runtime import VirtualHome

from .helpers import node_id, wait_for

LIGHT = 8


async def test_an_inf_during_an_outage_does_not_log_the_outage_again(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    typed: EchonetLanConfigEntry = lan_entry  # type: ignore[assignment]
    coordinator = typed.runtime_data.coordinators[f"{node_id(home.nodes[LIGHT])}-029001"]

    home.nodes[LIGHT].faults.silent = True
    caplog.clear()
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    assert coordinator.data is not None
    flipped = b"\x31" if coordinator.data.values[0x80] == b"\x30" else b"\x30"
    coordinator.async_push([Property(0x80, flipped)])  # the light announces a change (INF) while Gets go unanswered
    assert coordinator.data.values[0x80] == flipped
    assert not coordinator.last_update_success
    await coordinator.async_refresh()
    await coordinator.async_refresh()
    outage_logs = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(outage_logs) == 1, [record.getMessage() for record in outage_logs]

    home.nodes[LIGHT].faults.silent = False
    await coordinator.async_refresh()
    assert coordinator.last_update_success
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_a_node_that_announces_itself_is_read_at_once_not_at_the_next_poll(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    typed: EchonetLanConfigEntry = lan_entry  # type: ignore[assignment]
    light = home.nodes[LIGHT]
    coordinator = typed.runtime_data.coordinators[f"{node_id(light)}-029001"]

    await light.stop()  # a power cut
    await coordinator.async_refresh()
    assert not coordinator.last_update_success
    await light.start()  # back: it announces its instance list (INF 0xD5) to the group
    # The next poll is a minute away; the announcement brings the values now.
    await wait_for(hass, lambda: coordinator.last_update_success)
    assert await hass.config_entries.async_unload(lan_entry.entry_id)
