"""The air conditioner as climate, the light as light, the EcoCute as water_heater — read and controlled over UDP."""

from __future__ import annotations

from collections.abc import AsyncIterator

from homeassistant.components.climate import HVACMode
from homeassistant.components.water_heater import WaterHeaterEntityFeature
from homeassistant.const import ATTR_ENTITY_ID, ATTR_SUPPORTED_FEATURES
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from virtual_home.physics.water_heater import HeaterMode
from virtual_home.runtime import VirtualHome

from .helpers import entity_id, state

ECOCUTE, AIRCON, LIGHT = 2, 7, 8


@pytest.fixture
async def loaded(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> AsyncIterator[MockConfigEntry]:
    """The LAN entry set up against the virtual home."""
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    await hass.async_block_till_done()
    yield lan_entry
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


@pytest.mark.usefixtures("loaded")
async def test_air_conditioner_as_climate(hass: HomeAssistant, home: VirtualHome) -> None:
    aircon = home.home.aircon
    assert aircon is not None
    climate = entity_id(hass, "climate", home.nodes[AIRCON], "013001", "climate")
    current = state(hass, climate)
    assert current.state == HVACMode.OFF
    assert current.name == "Air conditioner"
    assert (current.attributes["temperature"], current.attributes["current_temperature"]) == (26, 28)
    assert current.attributes["fan_mode"] == "auto"

    await hass.services.async_call(
        "climate", "set_hvac_mode", {ATTR_ENTITY_ID: climate, "hvac_mode": HVACMode.HEAT}, blocking=True
    )
    assert (aircon.on, aircon.mode) == (True, "heat")
    assert state(hass, climate).state == HVACMode.HEAT
    await hass.services.async_call(
        "climate", "set_temperature", {ATTR_ENTITY_ID: climate, "temperature": 22}, blocking=True
    )
    assert aircon.target_c == 22
    await hass.services.async_call("climate", "set_fan_mode", {ATTR_ENTITY_ID: climate, "fan_mode": "3"}, blocking=True)
    assert state(hass, climate).attributes["fan_mode"] == "3"
    await hass.services.async_call(
        "climate", "set_fan_mode", {ATTR_ENTITY_ID: climate, "fan_mode": "auto"}, blocking=True
    )
    assert state(hass, climate).attributes["fan_mode"] == "auto"
    await hass.services.async_call("climate", "turn_off", {ATTR_ENTITY_ID: climate}, blocking=True)
    assert not aircon.on
    await hass.services.async_call("climate", "turn_on", {ATTR_ENTITY_ID: climate}, blocking=True)
    assert aircon.on
    await hass.services.async_call(
        "climate", "set_hvac_mode", {ATTR_ENTITY_ID: climate, "hvac_mode": HVACMode.OFF}, blocking=True
    )
    assert not aircon.on
    assert state(hass, climate).state == HVACMode.OFF


@pytest.mark.usefixtures("loaded")
async def test_light_with_brightness(hass: HomeAssistant, home: VirtualHome) -> None:
    light = home.home.light
    assert light is not None
    entity = entity_id(hass, "light", home.nodes[LIGHT], "029001", "light")
    assert state(hass, entity).state == "off"
    assert state(hass, entity).attributes["supported_color_modes"] == ["brightness"]
    await hass.services.async_call("light", "turn_on", {ATTR_ENTITY_ID: entity, "brightness": 102}, blocking=True)
    assert (light.on, light.level_percent) == (True, 40)
    assert state(hass, entity).attributes["brightness"] == 102
    await hass.services.async_call("light", "turn_off", {ATTR_ENTITY_ID: entity}, blocking=True)
    assert not light.on
    await hass.services.async_call("light", "turn_on", {ATTR_ENTITY_ID: entity}, blocking=True)
    assert (light.on, light.level_percent) == (True, 40)


@pytest.mark.usefixtures("loaded")
async def test_ecocute_as_water_heater(hass: HomeAssistant, home: VirtualHome) -> None:
    heater = home.home.ecocute
    assert heater is not None
    entity = entity_id(hass, "water_heater", home.nodes[ECOCUTE], "026B01", "water_heater")
    current = state(hass, entity)
    assert current.state == "automatic"
    assert current.attributes["operation_list"] == ["automatic", "manual_heating", "manual_heating_stopped"]
    assert current.attributes["temperature"] == 65
    assert current.attributes["current_temperature"] is None  # the tank temperature is not in its Get map
    # Operation mode and on/off (both through 0xB0); no target temperature: 0xB3 is not settable here.
    assert (
        current.attributes[ATTR_SUPPORTED_FEATURES]
        == WaterHeaterEntityFeature.OPERATION_MODE | WaterHeaterEntityFeature.ON_OFF
    )
    await hass.services.async_call(
        "water_heater",
        "set_operation_mode",
        {ATTR_ENTITY_ID: entity, "operation_mode": "manual_heating"},
        blocking=True,
    )
    assert heater.mode is HeaterMode.MANUAL_HEATING
    assert state(hass, entity).state == "manual_heating"
