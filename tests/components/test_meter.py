"""A smart meter entry running against the virtual meter over a real pty: entities, pushes, statistics, failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from unittest.mock import patch

from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import STATE_ON, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems import async_remove_config_entry_device
from custom_components.echonet_hems.const import CONF_PAN, DOMAIN
from custom_components.echonet_hems.meter_coordinator import MeterRuntimeData
from virtual_home.clock import JST

from .helpers import state, wait_for
from .meter_rig import METER_MAC, MeterRig, meter_rig


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[MeterRig]:
    """The virtual meter and its dongle, in real time from now."""
    async with meter_rig(tmp_path) as running:
        yield running


def meter_entity(hass: HomeAssistant, platform: str, key: str) -> str:
    """The entity id of one of the meter's entities, by its unique id."""
    found = er.async_get(hass).async_get_entity_id(platform, DOMAIN, f"{METER_MAC}_{key}")
    assert found is not None, key
    return found


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MeterRuntimeData:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.LOADED
    runtime: MeterRuntimeData = entry.runtime_data
    return runtime


async def test_setup_reads_the_meter_in_one_get_and_unloads(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry()
    runtime = await set_up(hass, entry)
    assert entry.data[CONF_PAN] == {"channel": 0x3B, "pan_id": 0x8888, "mac": METER_MAC}  # cached for re-joins

    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, METER_MAC)})
    assert device is not None
    assert device.name == "Smart meter"
    assert (device.model, device.model_id) == ("Low-voltage smart electric energy meter", "ECHONET Lite class 0x0288")
    assert device.hw_version == "ECHONET Lite Appendix Release F"
    assert device.manufacturer == "Toshiba"
    assert not await async_remove_config_entry_device(hass, entry, device)  # the meter is the entry: remove that

    meter = rig.home.meter
    power = state(hass, meter_entity(hass, "sensor", "grid_power"))
    assert power.attributes["unit_of_measurement"] == "W"
    assert int(power.state) == pytest.approx(meter.power_w, abs=2000)  # the home keeps changing between reads
    imported = state(hass, meter_entity(hass, "sensor", "grid_import_energy"))
    assert imported.attributes["state_class"] == "total_increasing"
    assert imported.attributes["device_class"] == "energy"
    assert float(imported.state) > 0
    assert float(state(hass, meter_entity(hass, "sensor", "grid_export_energy")).state) >= 0
    assert state(hass, meter_entity(hass, "binary_sensor", "connection")).state == STATE_ON
    registry = er.async_get(hass)
    current = registry.async_get(meter_entity(hass, "sensor", "current_r_phase"))
    assert current is not None
    assert current.disabled_by is er.RegistryEntryDisabler.INTEGRATION  # rarely useful: off by default

    # One Get per poll for power, currents and both registers.
    with patch.object(runtime.session, "send", wraps=runtime.session.send) as send:
        await runtime.coordinator.async_refresh()
    assert send.call_count == 1
    assert runtime.coordinator.last_update_success

    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert runtime.session.state.value == "closed"


async def test_the_30_minute_push_updates_without_a_poll(hass: HomeAssistant, tmp_path: Path) -> None:
    now = datetime.now(JST).replace(microsecond=0)
    boundary = now.replace(minute=30 if now.minute < 30 else 0, second=0)
    if now.minute >= 30:
        boundary += timedelta(hours=1)
    async with meter_rig(tmp_path, start=boundary - timedelta(seconds=2)) as rig:
        runtime = await set_up(hass, rig.entry())
        with patch.object(runtime.meter, "read", wraps=runtime.meter.read) as read:
            await wait_for(hass, lambda: runtime.coordinator.data.fixed_time is not None, within=10)
        assert read.call_count == 0
        fixed = runtime.coordinator.data.fixed_time
        assert fixed is not None
        assert fixed.notified
        assert fixed.import_energy is not None
        assert fixed.import_energy.measured_at == boundary
        assert await hass.config_entries.async_unload(runtime.coordinator.config_entry.entry_id)


async def test_rejected_password_starts_reauth(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry(password="OLDPASSWORD1")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert [flow["context"]["source"] for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)] == [
        "reauth"
    ]


async def test_unreachable_dongle_retries(hass: HomeAssistant, tmp_path: Path) -> None:
    async with meter_rig(tmp_path) as rig:
        entry = rig.entry()
    entry.add_to_hass(hass)  # the dongle is gone
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_RETRY


async def test_a_meter_held_by_another_controller_raises_a_repair_until_it_joins(
    hass: HomeAssistant, tmp_path: Path
) -> None:
    async with meter_rig(tmp_path, meter_busy=True) as rig:
        entry = rig.entry()
        entry.add_to_hass(hass)
        assert not await hass.config_entries.async_setup(entry.entry_id)
        assert entry.state is ConfigEntryState.SETUP_RETRY
        issue_id = f"meter_busy_{entry.entry_id}"
        issue = ir.async_get(hass).async_get_issue(DOMAIN, issue_id)
        assert issue is not None
        assert issue.translation_key == "meter_busy"

        rig.port.emulator.set_meter_busy(False)
        await hass.config_entries.async_reload(entry.entry_id)
        await hass.async_block_till_done()
        assert entry.state is ConfigEntryState.LOADED
        assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
        assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_lost_session_makes_entities_unavailable_and_recovers(hass: HomeAssistant, rig: MeterRig) -> None:
    runtime = await set_up(hass, rig.entry())
    power = meter_entity(hass, "sensor", "grid_power")
    connection = meter_entity(hass, "binary_sensor", "connection")
    await rig.port.unplug()
    await wait_for(hass, lambda: state(hass, power).state == STATE_UNAVAILABLE, within=10)
    assert state(hass, connection).state == "off"
    await rig.port.replug()
    await wait_for(hass, lambda: runtime.coordinator.connected, within=20)
    await runtime.coordinator.async_refresh()
    await hass.async_block_till_done()
    assert state(hass, power).state != STATE_UNAVAILABLE
    assert state(hass, connection).state == STATE_ON
    assert await hass.config_entries.async_unload(runtime.coordinator.config_entry.entry_id)


async def test_stored_credentials_that_cannot_be_right_ask_for_new_ones(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry(password="short")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert [flow["step_id"] for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)] == [
        "reauth_confirm"
    ]


async def test_a_different_meter_behind_the_dongle_is_an_error(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry(unique_id="001C640060140000")
    entry.add_to_hass(hass)
    assert not await hass.config_entries.async_setup(entry.entry_id)
    assert entry.state is ConfigEntryState.SETUP_ERROR
    assert entry.reason is not None


async def test_a_malformed_cached_pan_is_ignored_and_a_scan_finds_the_meter(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry()
    entry = MockConfigEntry(
        domain=DOMAIN, title="Smart meter", unique_id=METER_MAC, data={**entry.data, CONF_PAN: {"channel": "x"}}
    )
    await set_up(hass, entry)
    assert entry.data[CONF_PAN]["mac"] == METER_MAC
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_meter_taken_over_at_run_time_raises_the_repair_and_clears_it(
    hass: HomeAssistant, rig: MeterRig
) -> None:
    entry = rig.entry()
    runtime = await set_up(hass, entry)
    issue_id = f"meter_busy_{entry.entry_id}"
    rig.port.emulator.set_meter_busy(True)
    rig.port.emulator.terminate_session()  # the other controller's join ends ours
    await wait_for(hass, lambda: ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None, within=10)
    assert not runtime.coordinator.connected
    rig.port.emulator.set_meter_busy(False)
    await wait_for(hass, lambda: runtime.coordinator.connected, within=20)
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
    assert await hass.config_entries.async_unload(entry.entry_id)


async def test_a_password_changed_at_run_time_starts_reauth(hass: HomeAssistant, rig: MeterRig) -> None:
    entry = rig.entry()
    await set_up(hass, entry)
    rig.port.emulator._session._password = "NEWPASSWORD1"  # the distributor issued a new password
    rig.port.emulator.terminate_session()
    await wait_for(
        hass,
        lambda: any(
            flow["context"]["source"] == "reauth" for flow in hass.config_entries.flow.async_progress_by_handler(DOMAIN)
        ),
        within=10,
    )
    assert await hass.config_entries.async_unload(entry.entry_id)
