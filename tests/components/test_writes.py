"""The write path automations rely on: a user's mistake is refused before any I/O (no traceback in the log), a write
is confirmed by the device's answer and read back, and writes of one property are spaced out."""

from __future__ import annotations

from dataclasses import replace
import logging
from unittest.mock import AsyncMock, patch

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.const import DOMAIN
from custom_components.echonet_hems.lan_hub import EchonetLanConfigEntry
from custom_components.echonet_hems.object_coordinator import EchonetObjectCoordinator
from virtual_home.runtime import VirtualHome

from .helpers import entity_id, node_id, state

BATTERY, ECOCUTE, AIRCON, LIGHT = 1, 2, 7, 8

# One action per platform that writes, with the object it acts on: (node index, EOJ, platform, key, service, data).
ACTIONS = [
    (ECOCUTE, "026B01", "water_heater", "water_heater", "set_temperature", {"temperature": 45}),
    (ECOCUTE, "026B01", "water_heater", "water_heater", "set_operation_mode", {"operation_mode": "manual_heating"}),
    (ECOCUTE, "026B01", "switch", "daytime_reheating", "turn_off", {}),
    (BATTERY, "027D01", "select", "operation_mode", "select_option", {"option": "charging"}),
    (BATTERY, "027D01", "number", "charging_power_setting", "set_value", {"value": 1500}),
    (AIRCON, "013001", "climate", "climate", "set_temperature", {"temperature": 24}),
    (AIRCON, "013001", "climate", "climate", "turn_off", {}),
    (LIGHT, "029001", "light", "light", "turn_off", {}),
]


@pytest.fixture
async def loaded(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> EchonetLanConfigEntry:
    """The LAN entry, set up against the virtual home."""
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    return lan_entry  # type: ignore[return-value]


def _coordinator(entry: EchonetLanConfigEntry, home: VirtualHome, node: int, eoj: str) -> EchonetObjectCoordinator:
    return entry.runtime_data.coordinators[f"{node_id(home.nodes[node])}-{eoj}"]


@pytest.mark.parametrize(("node", "eoj", "platform", "key", "service", "data"), ACTIONS)
async def test_an_action_the_object_cannot_take_is_refused_before_any_io(
    hass: HomeAssistant,
    home: VirtualHome,
    loaded: EchonetLanConfigEntry,
    caplog: pytest.LogCaptureFixture,
    node: int,
    eoj: str,
    platform: str,
    key: str,
    service: str,
    data: dict[str, object],
) -> None:
    # The object as a device without that setting presents it: its Set map lists nothing.
    coordinator = _coordinator(loaded, home, node, eoj)
    coordinator.info = replace(coordinator.info, set_map=frozenset())
    target = entity_id(hass, platform, home.nodes[node], eoj, key)
    with (
        patch.object(loaded.runtime_data.client, "set", AsyncMock()) as sent,
        pytest.raises(ServiceValidationError) as refused,
    ):
        await hass.services.async_call(platform, service, {ATTR_ENTITY_ID: target, **data}, blocking=True)
    # Ours, or Home Assistant's own check of the entity's features (2026.x refuses set_temperature of a water heater
    # without TARGET_TEMPERATURE itself): either way a translated validation error before any I/O.
    assert refused.value.translation_key in {"not_settable", "service_not_supported"}
    sent.assert_not_called()
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR or record.exc_info]


async def test_a_value_out_of_range_is_a_validation_error(
    hass: HomeAssistant, home: VirtualHome, loaded: EchonetLanConfigEntry
) -> None:
    coordinator = _coordinator(loaded, home, AIRCON, "013001")
    with (
        patch.object(loaded.runtime_data.client, "set", AsyncMock()) as sent,
        pytest.raises(ServiceValidationError) as refused,
    ):
        await coordinator.async_set({0xB3: 250})  # the temperature setting is 0..50 °C
    assert refused.value.translation_key == "invalid_value"
    sent.assert_not_called()


async def test_a_write_is_read_back_and_reports_what_the_device_holds(
    hass: HomeAssistant, home: VirtualHome, loaded: EchonetLanConfigEntry
) -> None:
    coordinator = _coordinator(loaded, home, LIGHT, "029001")
    client = loaded.runtime_data.client
    with patch.object(client, "get", wraps=client.get) as read:
        held = await coordinator.async_set({0x80: "off"})
    assert held == {0x80: b"\x31"}
    assert [call.args[2] for call in read.call_args_list] == [[0x80]]  # one read-back of what was written
    assert state(hass, entity_id(hass, "light", home.nodes[LIGHT], "029001", "light")).state == "off"


async def test_writes_of_one_property_are_spaced_out(
    hass: HomeAssistant, home: VirtualHome, loaded: EchonetLanConfigEntry
) -> None:
    coordinator = _coordinator(loaded, home, LIGHT, "029001")
    with (
        patch("custom_components.echonet_hems.object_coordinator.MIN_WRITE_INTERVAL", 30.0),
        patch("custom_components.echonet_hems.object_coordinator._wait", AsyncMock()) as waited,
    ):
        await coordinator.async_set({0x80: "off"})
        waited.assert_not_called()
        await coordinator.async_set({0x80: "on"})  # the same property at once: it waits its turn
        assert waited.call_count == 1
        assert 29.0 < waited.call_args.args[0] <= 30.0


async def test_a_disabled_entity_adds_nothing_to_the_poll_and_a_holder_can_want_more(
    hass: HomeAssistant, home: VirtualHome, loaded: EchonetLanConfigEntry
) -> None:
    pv = _coordinator(loaded, home, 0, "027901")
    # "Sold energy" (0xE3) is disabled by default: its entity exists in the registry, its EPC is not read.
    assert entity_registry_entry(hass, "sensor", home, 0, "027901", "sold_energy").disabled
    assert 0xE3 in pv.info.get_map
    assert 0xE3 not in pv.wanted
    # Anything else that needs a property (the planner will) asks for it, and lets go of it.
    release = pv.want([0xE3])
    assert 0xE3 in pv.wanted
    await pv.async_refresh()
    assert pv.data is not None
    assert 0xE3 in pv.data.values
    release()
    release()  # twice is harmless
    assert 0xE3 not in pv.wanted


def entity_registry_entry(
    hass: HomeAssistant, platform: str, home: VirtualHome, node: int, eoj: str, key: str
) -> er.RegistryEntry:
    """The registry entry of an object's entity (which may be disabled, so it has no state)."""
    registry = er.async_get(hass)
    found = registry.async_get_entity_id(platform, DOMAIN, f"{node_id(home.nodes[node])}-{eoj}_{key}")
    assert found is not None
    entry = registry.async_get(found)
    assert entry is not None
    return entry
