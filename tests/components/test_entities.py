"""Entities against the virtual home over real sockets: states and units, INF push without a poll, Set through
entities (and a refusal), a node that vanishes and returns, a node that moves, a node that appears at run time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from unittest.mock import patch

from homeassistant.components.sensor import SensorDeviceClass, SensorStateClass
from homeassistant.const import ATTR_DEVICE_CLASS, ATTR_ENTITY_ID, ATTR_UNIT_OF_MEASUREMENT, STATE_UNAVAILABLE
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, async_fire_time_changed

from custom_components.echonet_hems import async_remove_config_entry_device
from custom_components.echonet_hems.board_coordinator import DistributionBoardCoordinator
from custom_components.echonet_hems.const import DOMAIN, POLL_INTERVAL
from custom_components.echonet_hems.lib.echonet.client import EchonetClient
from custom_components.echonet_hems.lib.echonet.frame import EOJ, Property
from custom_components.echonet_hems.lib.echonet.specs.channels import encode_channel_range
from virtual_home.physics.battery import BatteryMode
from virtual_home.runtime import VirtualHome

from .helpers import entity_id, node_id, state, wait_for

PV, BATTERY, ECOCUTE, V2H, EVSE, FUEL_CELL, BOARD, AIRCON, LIGHT = range(9)


@pytest.fixture
async def loaded(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> AsyncIterator[MockConfigEntry]:
    """The LAN entry set up against the virtual home."""
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    yield lan_entry
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def _poll(hass: HomeAssistant) -> None:
    async_fire_time_changed(hass, dt_util.utcnow() + POLL_INTERVAL)
    await hass.async_block_till_done()


@pytest.mark.usefixtures("loaded")
async def test_states_units_and_energy_classes(hass: HomeAssistant, home: VirtualHome) -> None:
    nodes = home.nodes
    pv_power = state(hass, entity_id(hass, "sensor", nodes[PV], "027901", "generation_power"))
    assert float(pv_power.state) == pytest.approx(home.snapshot.pv_w, abs=1)
    assert float(pv_power.state) > 1000  # clear noon in May
    assert pv_power.attributes[ATTR_UNIT_OF_MEASUREMENT] == "W"
    assert pv_power.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.POWER
    pv_energy = state(hass, entity_id(hass, "sensor", nodes[PV], "027901", "generation_energy"))
    assert pv_energy.attributes["state_class"] == SensorStateClass.TOTAL_INCREASING
    assert pv_energy.attributes[ATTR_UNIT_OF_MEASUREMENT] == "kWh"
    assert pv_energy.state == "0.0"

    assert state(hass, entity_id(hass, "sensor", nodes[BATTERY], "027D01", "state_of_charge")).state == "50"
    power = state(hass, entity_id(hass, "sensor", nodes[BATTERY], "027D01", "charge_discharge_power"))
    assert float(power.state) == pytest.approx(home.home.battery.power_w, abs=1)  # type: ignore[union-attr]
    assert float(power.state) > 0  # charging from the PV surplus: charge-positive
    stored = state(hass, entity_id(hass, "sensor", nodes[BATTERY], "027D01", "stored_energy"))
    assert stored.attributes[ATTR_DEVICE_CLASS] == SensorDeviceClass.ENERGY_STORAGE
    assert stored.attributes[ATTR_UNIT_OF_MEASUREMENT] == "kWh"

    assert state(hass, entity_id(hass, "sensor", nodes[ECOCUTE], "026B01", "remaining_hot_water")).state == "296"
    # Rarely useful: registered but disabled until the user enables them.
    registry = er.async_get(hass)
    for node, eoj, key in ((nodes[ECOCUTE], "026B01", "tank_capacity"), (nodes[PV], "027901", "sold_energy")):
        entry = registry.async_get(entity_id(hass, "sensor", node, eoj, key))
        assert entry is not None
        assert entry.disabled_by is er.RegistryEntryDisabler.INTEGRATION, key
    assert state(hass, entity_id(hass, "binary_sensor", nodes[ECOCUTE], "026B01", "heating")).state == "off"
    assert state(hass, entity_id(hass, "switch", nodes[ECOCUTE], "026B01", "daytime_reheating")).state == "on"

    # The car is away: the charger cannot tell its SOC (SNA) → unknown, never 0.
    assert state(hass, entity_id(hass, "sensor", nodes[EVSE], "02A101", "vehicle_state_of_charge")).state == "unknown"
    assert state(hass, entity_id(hass, "binary_sensor", nodes[EVSE], "02A101", "vehicle_connected")).state == "off"
    assert state(hass, entity_id(hass, "select", nodes[EVSE], "02A101", "operation_mode")).state == "charge"
    evse_setting = state(hass, entity_id(hass, "number", nodes[EVSE], "02A101", "charging_power_setting"))
    assert (evse_setting.state, evse_setting.attributes["max"]) == ("3000.0", 3000.0)
    assert state(hass, entity_id(hass, "select", nodes[V2H], "027E01", "operation_mode")).state == "charge"

    board = state(hass, entity_id(hass, "sensor", nodes[BOARD], "028701", "main_power"))
    assert float(board.state) == pytest.approx(home.snapshot.grid_w, abs=1)
    assert state(hass, entity_id(hass, "sensor", nodes[BOARD], "028701", "main_energy_import")).state == "0.0"
    assert state(hass, entity_id(hass, "sensor", nodes[FUEL_CELL], "027C01", "generation_power")).state == "0"

    for index, eoj in enumerate(("027901", "027D01", "026B01", "027E01", "02A101", "027C01", "028701", "013001")):
        fault = state(hass, entity_id(hass, "binary_sensor", nodes[index], eoj, "fault"))
        assert fault.state == "off"
        assert fault.attributes[ATTR_DEVICE_CLASS] == "problem"
    battery_mode = state(hass, entity_id(hass, "select", nodes[BATTERY], "027D01", "operation_mode"))
    assert battery_mode.state == "automatic"
    assert battery_mode.attributes["options"] == ["automatic", "rapid_charging", "charging", "discharging", "standby"]
    # Only EPCs a Get map lists become entities: the PV lists no 0x84, the battery no 0xD6 reset or 0xE5.
    registry = er.async_get(hass)
    assert registry.async_get_entity_id("sensor", DOMAIN, f"{node_id(nodes[PV])}-027901_power_consumption") is None


async def test_inf_push_updates_state_without_a_poll(
    hass: HomeAssistant, home: VirtualHome, loaded: MockConfigEntry
) -> None:
    client = loaded.runtime_data.client
    mode = entity_id(hass, "select", home.nodes[BATTERY], "027D01", "operation_mode")
    battery = home.home.battery
    assert battery is not None
    with patch.object(client, "get", wraps=client.get) as get:
        battery.mode = BatteryMode.STANDBY
        assert home.announce() >= 1
        await wait_for(hass, lambda: state(hass, mode).state == "standby")
    assert get.call_count == 0


async def test_set_through_entities_and_refusal(
    hass: HomeAssistant, home: VirtualHome, loaded: MockConfigEntry
) -> None:
    physics = home.home
    assert physics.battery is not None
    assert physics.ecocute is not None
    mode = entity_id(hass, "select", home.nodes[BATTERY], "027D01", "operation_mode")
    await hass.services.async_call(
        "select", "select_option", {ATTR_ENTITY_ID: mode, "option": "charging"}, blocking=True
    )
    assert physics.battery.mode is BatteryMode.CHARGE
    assert state(hass, mode).state == "charging"

    with pytest.raises(HomeAssistantError) as refused:
        await hass.services.async_call(
            "select", "select_option", {ATTR_ENTITY_ID: mode, "option": "rapid_charging"}, blocking=True
        )
    assert refused.value.translation_key == "rejected"
    assert physics.battery.mode is BatteryMode.CHARGE

    reheating = entity_id(hass, "switch", home.nodes[ECOCUTE], "026B01", "daytime_reheating")
    await hass.services.async_call("switch", "turn_off", {ATTR_ENTITY_ID: reheating}, blocking=True)
    assert not physics.ecocute.daytime_reheat_permitted
    assert state(hass, reheating).state == "off"
    await hass.services.async_call("switch", "turn_on", {ATTR_ENTITY_ID: reheating}, blocking=True)
    assert physics.ecocute.daytime_reheat_permitted

    setting = entity_id(hass, "number", home.nodes[BATTERY], "027D01", "charging_power_setting")
    await hass.services.async_call("number", "set_value", {ATTR_ENTITY_ID: setting, "value": 1500}, blocking=True)
    assert physics.battery.charge_power_setting_w == 1500
    assert state(hass, setting).state == "1500.0"


async def test_vanished_node_goes_unavailable_and_recovers(
    hass: HomeAssistant, home: VirtualHome, loaded: MockConfigEntry
) -> None:
    power = entity_id(hass, "sensor", home.nodes[PV], "027901", "generation_power")
    home.nodes[PV].faults.silent = True
    await _poll(hass)
    await wait_for(hass, lambda: state(hass, power).state == STATE_UNAVAILABLE)
    coordinator = loaded.runtime_data.coordinators[f"{node_id(home.nodes[PV])}-027901"]
    assert coordinator.last_exception is not None
    assert coordinator.last_exception.translation_key == "timeout"  # type: ignore[attr-defined]
    # Other objects keep working.
    assert state(hass, entity_id(hass, "sensor", home.nodes[BATTERY], "027D01", "state_of_charge")).state == "50"
    # A device that is gone may be deleted by the user; one that answers may not (it would come back at once).
    devices = dr.async_get(hass)
    for identifier, removable in (
        (node_id(home.nodes[PV]), True),
        (f"{node_id(home.nodes[PV])}-027901", True),
        (node_id(home.nodes[BATTERY]), False),
        (f"{node_id(home.nodes[BATTERY])}-027D01", False),
    ):
        device = devices.async_get_device(identifiers={(DOMAIN, identifier)})
        assert device is not None
        assert await async_remove_config_entry_device(hass, loaded, device) is removable, identifier

    home.nodes[PV].faults.silent = False
    await _poll(hass)
    await wait_for(hass, lambda: state(hass, power).state not in (STATE_UNAVAILABLE, "unknown"))
    assert float(state(hass, power).state) > 1000


async def test_node_with_a_new_address_keeps_its_entities(
    hass: HomeAssistant, home: VirtualHome, loaded: MockConfigEntry
) -> None:
    devices_before = len(dr.async_entries_for_config_entry(dr.async_get(hass), loaded.entry_id))
    node = home.nodes[BATTERY]
    mode = entity_id(hass, "select", node, "027D01", "operation_mode")
    await node.move("127.0.0.230")  # DHCP gave the battery a new lease; it announces itself from there
    coordinator = loaded.runtime_data.coordinators[f"{node_id(node)}-027D01"]
    await wait_for(hass, lambda: coordinator.node.address == "127.0.0.230")
    battery = home.home.battery
    assert battery is not None
    battery.mode = BatteryMode.DISCHARGE
    home.announce()
    await wait_for(hass, lambda: state(hass, mode).state == "discharging")
    await _poll(hass)
    assert coordinator.last_update_success
    assert state(hass, mode).state == "discharging"
    assert len(dr.async_entries_for_config_entry(dr.async_get(hass), loaded.entry_id)) == devices_before


async def test_node_appearing_at_run_time_adds_devices_and_entities(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    light = home.nodes[LIGHT]
    await light.stop()
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    unique_id = f"{node_id(light)}-029001_fault"
    assert registry.async_get_entity_id("binary_sensor", DOMAIN, unique_id) is None

    await light.start()  # power on: the node announces its instance list
    await wait_for(hass, lambda: registry.async_get_entity_id("binary_sensor", DOMAIN, unique_id) is not None)
    fault = entity_id(hass, "binary_sensor", light, "029001", "fault")
    await wait_for(hass, lambda: state(hass, fault).state == "off")
    device = dr.async_get(hass).async_get_device(identifiers={(DOMAIN, node_id(light))})
    assert device is not None
    assert device.manufacturer == "Sharp"
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_distribution_board_circuits_one_get_per_poll_and_range_repair(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    node = home.nodes[BOARD]
    names = sorted(home.snapshot.circuits_w)  # the board's channels, in the virtual home's order
    assert len(names) == 8
    for channel, name in enumerate(names, start=1):
        power = state(hass, entity_id(hass, "sensor", node, "028701", f"channel_{channel}_power"))
        assert float(power.state) == pytest.approx(home.snapshot.circuits_w[name], abs=1), name
        assert power.name == f"Distribution board Circuit {channel} power"
        energy = state(hass, entity_id(hass, "sensor", node, "028701", f"channel_{channel}_energy"))
        assert energy.attributes[ATTR_UNIT_OF_MEASUREMENT] == "kWh"
        assert float(energy.state) >= 0

    coordinator = lan_entry.runtime_data.coordinators[f"{node_id(node)}-028701"]
    client = lan_entry.runtime_data.client
    with patch.object(client, "get", wraps=client.get) as get, patch.object(client, "set", wraps=client.set) as put:
        await coordinator.async_refresh()
    assert (get.call_count, put.call_count) == (1, 0)  # lists ride in the object's one Get

    # Another controller narrows the power list to channels 2-4: noticed in the reply; from then on each poll borrows
    # the range (ours written, lists read, theirs written back) and our values return.
    foreign = encode_channel_range(2, 3, 0xB6)
    (await client.set(node.address, EOJ.parse("028701"), [Property(0xB6, foreign)])).raise_for_rejection()
    await coordinator.async_refresh()
    assert coordinator.borrowed_ranges == frozenset()  # not known yet: the reply showed it, the next poll reads it
    with patch.object(client, "set", wraps=client.set) as put:
        await coordinator.async_refresh()
    assert coordinator.borrowed_ranges == {0xB6}
    assert [call.args[2] for call in put.call_args_list] == [
        [Property(0xB6, encode_channel_range(1, 8, 0xB6))],
        [Property(0xB6, foreign)],
    ]
    assert (await client.get(node.address, EOJ.parse("028701"), [0xB6])).values[0xB6] == foreign
    channel_one = state(hass, entity_id(hass, "sensor", node, "028701", "channel_1_power"))
    assert float(channel_one.state) == pytest.approx(home.snapshot.circuits_w[names[0]], abs=1)
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_a_board_whose_ranges_cover_our_channels_is_never_written(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    with patch.object(EchonetClient, "set", autospec=True, side_effect=EchonetClient.set) as put:
        assert await hass.config_entries.async_setup(lan_entry.entry_id)
        await hass.async_block_till_done()
        coordinator = lan_entry.runtime_data.coordinators[f"{node_id(home.nodes[BOARD])}-028701"]
        await coordinator.async_refresh()
    assert not [call for call in put.call_args_list if call.args[2] == EOJ.parse("028701")]
    assert coordinator.range_writes == 0
    assert len(coordinator.channel_values(0xB7)) == 8
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def test_a_board_silent_when_first_seen_gets_its_circuits_later_and_a_refused_range_is_survived(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    node = home.nodes[BOARD]
    runtime = lan_entry.runtime_data
    known = runtime.coordinators[f"{node_id(node)}-028701"]
    fresh = DistributionBoardCoordinator(hass, lan_entry, runtime.client, known.node, known.info)
    fresh.want(known.wanted - {0xB3, 0xB7})

    node.faults.silent = True  # the number of channels cannot be read: no circuits yet, the poll fails
    await fresh.async_refresh()
    assert fresh.channel_count is None
    assert not fresh.last_update_success
    node.faults.silent = False
    await fresh.async_refresh()
    assert fresh.channel_count == 8
    assert fresh.last_update_success
    assert len(fresh.channel_values(0xB7)) == 8

    # A board that claims more channels than it accepts refuses the range: the lists stay out, the rest works.
    overstated = DistributionBoardCoordinator(hass, lan_entry, runtime.client, known.node, known.info)
    overstated.want(known.wanted - {0xB3, 0xB7})
    overstated.channel_count = 12
    await overstated.async_refresh()
    assert overstated.last_update_success
    assert overstated.channel_values(0xB7) == {}
    assert 0xB7 not in overstated.wanted
    assert await hass.config_entries.async_unload(lan_entry.entry_id)
