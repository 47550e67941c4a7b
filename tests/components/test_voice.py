"""Voice control: sentences through Home Assistant's own conversation agent (Assist) change the virtual devices.

Nothing here is specific to a voice assistant: any assistant connected to Home Assistant (its own pipeline, Alexa or
Google through HA, a local LLM with the Assist API) ends in these built-in intents, which act on our entities through
their standard services.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from homeassistant.components import conversation
from homeassistant.components.homeassistant.exposed_entities import async_expose_entity
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import area_registry as ar, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.echonet_hems.const import DOMAIN
from custom_components.echonet_hems.lib.energy.solar_charge import Device
from virtual_home.physics.water_heater import HeaterMode
from virtual_home.runtime import VirtualHome

from .helpers import entity_id, state, wait_for
from .test_home_energy_flow import home_energy_entry

ECOCUTE, AIRCON, LIGHT = 2, 7, 8


@pytest.fixture
async def assist(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> AsyncIterator[None]:
    """The LAN entry loaded, Assist set up, the light and air conditioner in the living room."""
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    for component in ("homeassistant", "intent", "conversation"):
        assert await async_setup_component(hass, component, {})
    await hass.async_block_till_done()
    living_room = ar.async_get(hass).async_create("Living room")
    registry = er.async_get(hass)
    for platform, node, eoj, key in (
        ("light", LIGHT, "029001", "light"),
        ("climate", AIRCON, "013001", "climate"),
        ("water_heater", ECOCUTE, "026B01", "water_heater"),
        ("switch", ECOCUTE, "026B01", "daytime_reheating"),
    ):
        entity = entity_id(hass, platform, home.nodes[node], eoj, key)
        registry.async_update_entity(entity, area_id=living_room.id if platform in ("light", "climate") else None)
        async_expose_entity(hass, conversation.DOMAIN, entity, True)
    yield
    assert await hass.config_entries.async_unload(lan_entry.entry_id)


async def say(hass: HomeAssistant, sentence: str, language: str = "en") -> str:
    """Send a sentence through the default conversation agent; the spoken answer."""
    result = await conversation.async_converse(hass, sentence, None, Context(), language=language)
    response = result.response
    assert response.response_type.value == "action_done", (sentence, response.speech)
    return str(response.speech["plain"]["speech"])


@pytest.mark.usefixtures("assist")
async def test_turn_the_living_room_light_on_and_off(hass: HomeAssistant, home: VirtualHome) -> None:
    light = home.home.light
    assert light is not None
    light_entity = entity_id(hass, "light", home.nodes[LIGHT], "029001", "light")
    await say(hass, "turn off the living room light")
    await wait_for(hass, lambda: not light.on)
    assert state(hass, light_entity).state == "off"
    await say(hass, "turn on the light in the living room")
    await wait_for(hass, lambda: light.on)
    assert state(hass, light_entity).state == "on"


@pytest.mark.usefixtures("assist")
async def test_set_the_air_conditioner_to_26_degrees(hass: HomeAssistant, home: VirtualHome) -> None:
    aircon = home.home.aircon
    assert aircon is not None
    await say(hass, "set the air conditioner to 24 degrees")
    await wait_for(hass, lambda: aircon.target_c == 24)
    await say(hass, "set the temperature in the living room to 26 degrees")
    await wait_for(hass, lambda: aircon.target_c == 26)


@pytest.mark.usefixtures("assist")
async def test_water_heater_and_daytime_reheating_by_voice(hass: HomeAssistant, home: VirtualHome) -> None:
    heater = home.home.ecocute
    assert heater is not None
    reheating = entity_id(hass, "switch", home.nodes[ECOCUTE], "026B01", "daytime_reheating")
    name = state(hass, reheating).name
    await say(hass, f"turn off {name}")
    await wait_for(hass, lambda: not heater.daytime_reheat_permitted)
    await say(hass, f"turn on {name}")
    await wait_for(hass, lambda: heater.daytime_reheat_permitted)
    water_heater = entity_id(hass, "water_heater", home.nodes[ECOCUTE], "026B01", "water_heater")
    await say(hass, f"turn off {state(hass, water_heater).name}")
    await wait_for(hass, lambda: heater.mode is HeaterMode.MANUAL_STOP)
    await say(hass, f"turn on {state(hass, water_heater).name}")
    await wait_for(hass, lambda: heater.mode is HeaterMode.AUTO)


async def test_solar_charge_by_voice(hass: HomeAssistant, home: VirtualHome, lan_entry: MockConfigEntry) -> None:
    """ "Turn on solar charge" and "turn off the EcoCute solar charge" through the built-in intents (each per-device
    switch is named as its own "EcoCute solar charge" device)."""
    lan_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(lan_entry.entry_id)
    for component in ("homeassistant", "intent", "conversation"):
        assert await async_setup_component(hass, component, {})
    energy = home_energy_entry()
    energy.add_to_hass(hass)
    assert await hass.config_entries.async_setup(energy.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    master = registry.async_get_entity_id("switch", DOMAIN, "home_energy_solar_charge_solar_charge")
    ecocute = registry.async_get_entity_id("switch", DOMAIN, "home_energy_solar_charge_follow_water_heater")
    assert master is not None
    assert ecocute is not None
    for entity in (master, ecocute):
        async_expose_entity(hass, conversation.DOMAIN, entity, True)
    solar = energy.runtime_data.solar_charge

    await say(hass, "turn on solar charge")
    await hass.async_block_till_done()
    assert solar.control_on
    assert state(hass, master).state == "on"
    await say(hass, "turn off the EcoCute solar charge")
    await hass.async_block_till_done()
    assert solar.modes[Device.WATER_HEATER] == "off"
    assert state(hass, ecocute).state == "off"
    await say(hass, "turn off solar charge")
    await hass.async_block_till_done()
    assert not solar.control_on
    assert await hass.config_entries.async_unload(energy.entry_id)
    assert await hass.config_entries.async_unload(lan_entry.entry_id)
