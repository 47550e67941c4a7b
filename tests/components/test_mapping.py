"""The pieces that turn protocol facts into HA facts: error mapping, maker names, decoded values of odd devices."""

from __future__ import annotations

from homeassistant.const import ATTR_ENTITY_ID
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.update_coordinator import UpdateFailed
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.binary_sensor import vehicle_connected
from custom_components.echonet_hems.device_info import manufacturer_label
from custom_components.echonet_hems.errors import map_lib_errors
from custom_components.echonet_hems.lib.echonet.frame import Property
from custom_components.echonet_hems.lib.errors import (
    HemsError,
    ProtocolError,
    RequestTimeoutError,
    TransportError,
    UnsupportedError,
    ValueRangeError,
)
from custom_components.echonet_hems.number import field, number_or_none
from custom_components.echonet_hems.sensor import number
from virtual_home.runtime import VirtualHome

from .helpers import entity_id, node_id, state


@pytest.mark.parametrize(
    ("raised", "key"),
    [
        (RequestTimeoutError("no answer"), "timeout"),
        (TransportError("socket"), "communication_error"),
        (ValueRangeError("too big"), "invalid_value"),
        (ProtocolError("bad bytes"), "invalid_response"),
        (UnsupportedError("SetC_SNA"), "rejected"),
    ],
)
@pytest.mark.parametrize("error", [UpdateFailed, HomeAssistantError])
async def test_one_decorator_maps_every_library_error(
    raised: HemsError, key: str, error: type[HomeAssistantError]
) -> None:
    @map_lib_errors(error)
    async def failing() -> None:
        raise raised

    with pytest.raises(error) as caught:
        await failing()
    assert caught.value.translation_key == key
    assert caught.value.translation_domain == "echonet_hems"
    assert caught.value.__cause__ is raised


def test_manufacturer_labels() -> None:
    assert manufacturer_label(0x00006C) == "Nichicon"
    assert manufacturer_label(0x000008) == "Daikin"
    assert manufacturer_label(0x123456) == "Unknown (0x123456)"
    assert manufacturer_label(None) == "Unknown"


def test_value_functions_never_invent_values() -> None:
    assert vehicle_connected("undefined") is None
    assert vehicle_connected(None) is None
    assert vehicle_connected("chargeable") is True
    assert vehicle_connected("not_connected") is False
    assert number(True) is None
    assert number("standby") is None
    assert number(12.5) == 12.5
    assert number_or_none(None) is None
    assert field("max_value")({"max_value": 3000}) == 3000.0
    assert field("max_value")(3000) is None


async def test_glitch_and_push_without_change(
    hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry
) -> None:
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    coordinator = lan_entry.runtime_data.coordinators[f"{node_id(home.nodes[1])}-027D01"]
    soc = entity_id(hass, "sensor", home.nodes[1], "027D01", "state_of_charge")
    updates: list[None] = []
    unsubscribe = coordinator.async_add_listener(lambda: updates.append(None))
    coordinator.async_push([Property(0xE4, b"\x32")])  # the value it already has: no update
    assert updates == []
    coordinator.async_push([Property(0xE4, b"\x00\x00")])  # a malformed EDT: unknown, never 0
    await hass.async_block_till_done()
    assert state(hass, soc).state == "unknown"
    unsubscribe()

    setting = entity_id(hass, "number", home.nodes[1], "027D01", "charging_power_setting")
    with pytest.raises(HomeAssistantError) as refused:
        await coordinator.async_set({0x01: 5})  # not an EPC of the class, so not in its Set map: refused before I/O
    assert refused.value.translation_key == "not_settable"
    await hass.services.async_call("number", "set_value", {ATTR_ENTITY_ID: setting, "value": 0}, blocking=True)
    # The battery takes 0 as "no limit" and reports its maximum: the entity shows what the device holds (read back).
    assert state(hass, setting).state == "3000.0"
    assert await hass.config_entries.async_unload(lan_entry.entry_id)
